//! *Histórico*: sessions or segments matching the shared filters, one page at a time.

use crate::api;
use crate::pages::filters::FilterForm;
use crate::pages::filters::use_filters;
use crate::pages::tables::{SegmentTable, SessionTable};
use crate::widgets::{ErrorNote, Loading, Pager};
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    Sessions,
    Segments,
}

#[component]
pub fn HistoryPage() -> impl IntoView {
    let filters = use_filters();
    let view_kind = RwSignal::new(View::Sessions);
    let on_page = Callback::new(move |page: u32| filters.update(|q| q.page = Some(page)));
    let sessions = LocalResource::new(move || {
        let q = filters.get();
        async move { api::sessions(&q).await }
    });
    let segments = LocalResource::new(move || {
        let q = filters.get();
        async move { api::segments(&q).await }
    });
    let body = move || match view_kind.get() {
        View::Sessions => match sessions.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => view! { <ErrorNote message=e.to_string() /> }.into_any(),
            Some(Ok(p)) => {
                let (page, count, total) = (p.page, p.page_count(), p.total);
                view! {
                    <SessionTable items=p.items />
                    <Pager page page_count=count total on_page />
                }
                .into_any()
            }
        },
        View::Segments => match segments.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => view! { <ErrorNote message=e.to_string() /> }.into_any(),
            Some(Ok(p)) => {
                let (page, count, total) = (p.page, p.page_count(), p.total);
                view! {
                    <SegmentTable items=p.items />
                    <Pager page page_count=count total on_page />
                }
                .into_any()
            }
        },
    };
    view! {
        <h1>"Histórico"</h1>
        <FilterForm />
        <div class="tabs" role="tablist">
            <button role="tab" data-testid="history-tab-sessions"
                class:active=move || view_kind.get() == View::Sessions
                on:click=move |_| view_kind.set(View::Sessions)>"Sessões"</button>
            <button role="tab" data-testid="history-tab-segments"
                class:active=move || view_kind.get() == View::Segments
                on:click=move |_| view_kind.set(View::Segments)>"Segmentos"</button>
        </div>
        {body}
    }
}
