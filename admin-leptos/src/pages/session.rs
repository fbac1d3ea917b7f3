//! One session: its summary and every segment in arrival order.

use crate::api;
use crate::browser::utc_offset_min;
use crate::format;
use crate::pages::tables::SegmentTable;
use crate::paths;
use crate::widgets::{ErrorNote, Loading, Stat};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

#[component]
pub fn SessionPage() -> impl IntoView {
    let params = use_params_map();
    let detail = LocalResource::new(move || {
        let id = params.with(|p| p.get("id").unwrap_or_default());
        async move { api::session_detail(&id).await }
    });
    let offset = utc_offset_min();
    view! {
        <p class="crumbs"><A href=paths::HISTORY>"‹ Histórico"</A></p>
        {move || match detail.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => view! { <ErrorNote message=e.to_string() /> }.into_any(),
            Some(Ok(d)) => {
                let s = d.session;
                view! {
                    <h1>{format!("Sessão · {} · {}", s.store, s.counter)}</h1>
                    <div class="stats">
                        <Stat label="Início" value=format::datetime(s.started_at_ms, offset) />
                        <Stat label="Fim" value=s.ended_at_ms.map_or_else(|| "Aberta".to_string(), |ms| format::datetime(ms, offset)) />
                        <Stat label="Segmentos" value=s.segments.to_string() />
                        <Stat label="Falhas" value=s.failed_segments.to_string() />
                        <Stat label="Sugestões enviadas" value=s.suggestions_sent.to_string() />
                        <Stat label="Revisados" value=s.reviewed_segments.to_string() />
                    </div>
                    <p class="muted small">{format!("Sessão {} · chave {}", s.id, s.key_id)}</p>
                    <SegmentTable items=d.segments />
                }
                .into_any()
            }
        }}
    }
}
