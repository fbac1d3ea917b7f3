//! The history filter form, shared by *Histórico*, *Revisão*, *Comparação* and *Exportar*: edits a
//! draft and applies it to the app's shared [`HistoryQuery`] (back to page 1).

use crate::browser::utc_offset_min;
use crate::format::{date_input_to_ms, ms_to_date_input};
use crate::labels::{self, parse_wire, wire};
use balto_core::admin::HistoryQuery;
use balto_core::advice::Category;
use leptos::prelude::*;

/// The history filters, shared by *Histórico*, *Revisão*, *Comparação* and *Exportar*
/// (provided by the app shell).
#[derive(Debug, Clone, Copy)]
pub struct Filters(pub RwSignal<HistoryQuery>);

/// Reads the shared filters (the app always provides them).
pub fn use_filters() -> RwSignal<HistoryQuery> {
    expect_context::<Filters>().0
}

fn text_or_none(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// A text input bound to one field of the draft.
#[component]
fn TextFilter(
    id: &'static str,
    label: &'static str,
    draft: RwSignal<HistoryQuery>,
    get: fn(&HistoryQuery) -> Option<String>,
    set: fn(&mut HistoryQuery, Option<String>),
    #[prop(default = "text")] kind: &'static str,
) -> impl IntoView {
    view! {
        <label class="field">
            <span>{label}</span>
            <input
                id=id
                data-testid=id
                type=kind
                prop:value=move || draft.with(|q| get(q).unwrap_or_default())
                on:change=move |ev| draft.update(|q| set(q, text_or_none(event_target_value(&ev))))
            />
        </label>
    }
}

/// A `<select>` of wire values with labels and an "any" first option.
#[component]
fn SelectFilter(
    id: &'static str,
    label: &'static str,
    options: Vec<(String, &'static str)>,
    draft: RwSignal<HistoryQuery>,
    get: fn(&HistoryQuery) -> String,
    set: fn(&mut HistoryQuery, &str),
) -> impl IntoView {
    let opts = options
        .into_iter()
        .map(|(value, text)| {
            let v = value.clone();
            view! { <option value=value selected=move || draft.with(|q| get(q) == v)>{text}</option> }
        })
        .collect_view();
    view! {
        <label class="field">
            <span>{label}</span>
            <select id=id data-testid=id on:change=move |ev| draft.update(|q| set(q, &event_target_value(&ev)))>
                <option value="" selected=move || draft.with(|q| get(q).is_empty())>"Todos"</option>
                {opts}
            </select>
        </label>
    }
}

fn wire_options<T: serde::Serialize + Copy>(
    values: &[T],
    label: fn(T) -> &'static str,
) -> Vec<(String, &'static str)> {
    values.iter().map(|v| (wire(v), label(*v))).collect()
}

#[component]
pub fn FilterForm() -> impl IntoView {
    let filters = use_filters();
    let draft = RwSignal::new(filters.get_untracked());
    // Another page may change the shared filters: follow them.
    Effect::new(move |_| draft.set(filters.get()));
    let offset = utc_offset_min();
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut q = draft.get_untracked();
        q.page = None;
        filters.set(q);
    };
    let clear = move |_| {
        let cleared = HistoryQuery {
            page_size: filters.get_untracked().page_size,
            ..HistoryQuery::default()
        };
        filters.set(cleared);
    };
    view! {
        <form class="filters card" id="filters" data-testid="filters" on:submit=apply>
            <TextFilter id="filter-q" label="Busca no texto" draft
                get=|q| q.q.clone() set=|q, v| q.q = v kind="search" />
            <TextFilter id="filter-store" label="Loja" draft
                get=|q| q.store.clone() set=|q, v| q.store = v />
            <TextFilter id="filter-counter" label="Balcão" draft
                get=|q| q.counter.clone() set=|q, v| q.counter = v />
            <label class="field">
                <span>"De"</span>
                <input id="filter-from" data-testid="filter-from" type="date"
                    prop:value=move || draft.with(|q| q.from_ms.map(|ms| ms_to_date_input(ms, offset)).unwrap_or_default())
                    on:change=move |ev| {
                        let ms = date_input_to_ms(&event_target_value(&ev), offset);
                        draft.update(|q| q.from_ms = ms);
                    } />
            </label>
            <label class="field">
                <span>"Até (inclusive)"</span>
                <input id="filter-to" data-testid="filter-to" type="date"
                    prop:value=move || draft.with(|q| q.to_ms.map(|ms| ms_to_date_input(ms - 1, offset)).unwrap_or_default())
                    on:change=move |ev| {
                        // The API's `to_ms` is exclusive: the day after, at midnight.
                        let ms = date_input_to_ms(&event_target_value(&ev), offset).map(|ms| ms + 86_400_000);
                        draft.update(|q| q.to_ms = ms);
                    } />
            </label>
            <TextFilter id="filter-provider" label="Provedor de STT" draft
                get=|q| q.provider.clone() set=|q, v| q.provider = v />
            <SelectFilter id="filter-decision" label="Decisão" draft
                options=wire_options(&labels::DECISIONS, labels::decision)
                get=|q| q.decision.as_ref().map(wire).unwrap_or_default()
                set=|q, v| q.decision = parse_wire(v) />
            <SelectFilter id="filter-category" label="Categoria" draft
                options=wire_options(&Category::ALL, labels::category)
                get=|q| q.category.as_ref().map(wire).unwrap_or_default()
                set=|q, v| q.category = parse_wire(v) />
            <SelectFilter id="filter-confidence" label="Confiança" draft
                options=wire_options(&labels::CONFIDENCES, labels::confidence)
                get=|q| q.confidence.as_ref().map(wire).unwrap_or_default()
                set=|q, v| q.confidence = parse_wire(v) />
            <SelectFilter id="filter-status" label="Status" draft
                options=wire_options(&labels::STATUSES, labels::status)
                get=|q| q.status.as_ref().map(wire).unwrap_or_default()
                set=|q, v| q.status = parse_wire(v) />
            <SelectFilter id="filter-review" label="Revisão" draft
                options=wire_options(&labels::REVIEW_FILTERS, labels::review_filter)
                get=|q| q.review.as_ref().map(wire).unwrap_or_default()
                set=|q, v| q.review = parse_wire(v) />
            <div class="actions">
                <button type="submit" id="filter-apply" data-testid="filter-apply">"Filtrar"</button>
                <button type="button" class="secondary" id="filter-clear" data-testid="filter-clear" on:click=clear>"Limpar"</button>
            </div>
        </form>
    }
}
