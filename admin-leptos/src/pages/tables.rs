//! The history tables (sessions, segments); rows open their session or segment page.

use crate::browser::utc_offset_min;
use crate::format::{self, NONE};
use crate::labels;
use crate::paths;
use balto_core::admin::{SegmentRow, SessionSummary};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

/// "Transcrição ✓ · Sugestão: Certa" or "Não revisado".
pub fn review_summary(row: &SegmentRow) -> String {
    let mut parts = Vec::new();
    if let Some(t) = &row.transcript_review {
        parts.push(
            if t.correct {
                "Transcrição ✓"
            } else {
                "Transcrição corrigida"
            }
            .to_string(),
        );
    }
    if let Some(s) = &row.suggestion_review {
        parts.push(format!("Sugestão: {}", labels::verdict(s.verdict)));
    }
    if parts.is_empty() {
        "Não revisado".to_string()
    } else {
        parts.join(" · ")
    }
}

#[component]
pub fn SessionTable(items: Vec<SessionSummary>) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="note">"Nenhuma sessão encontrada."</p> }.into_any();
    }
    let offset = utc_offset_min();
    let navigate = use_navigate();
    let rows = items
        .into_iter()
        .map(|s| {
            let href = paths::session(&s.id);
            let go = {
                let navigate = navigate.clone();
                let href = href.clone();
                move |_| navigate(&href, NavigateOptions::default())
            };
            view! {
                <tr class="clickable" data-testid="history-session-row" data-id=s.id.clone() on:click=go>
                    <td><A href=href>{format::datetime(s.started_at_ms, offset)}</A></td>
                    <td>{s.store}</td>
                    <td>{s.counter}</td>
                    <td class="num">{s.segments}</td>
                    <td class="num">{s.failed_segments}</td>
                    <td class="num">{s.suggestions_sent}</td>
                    <td class="num">{s.reviewed_segments}</td>
                    <td>{s.ended_at_ms.map_or_else(|| "Aberta".to_string(), |ms| format::datetime(ms, offset))}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table data-testid="sessions-table">
                <thead><tr>
                    <th>"Início"</th><th>"Loja"</th><th>"Balcão"</th><th class="num">"Segmentos"</th>
                    <th class="num">"Falhas"</th><th class="num">"Sugestões enviadas"</th>
                    <th class="num">"Revisados"</th><th>"Fim"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
pub fn SegmentTable(items: Vec<SegmentRow>) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="note">"Nenhum segmento encontrado."</p> }.into_any();
    }
    let offset = utc_offset_min();
    let navigate = use_navigate();
    let rows = items
        .into_iter()
        .map(|r| {
            let href = paths::segment(&r.segment_id);
            let go = {
                let navigate = navigate.clone();
                let href = href.clone();
                move |_| navigate(&href, NavigateOptions::default())
            };
            let review = review_summary(&r);
            let status_class = format!("badge status-{}", labels::wire(&r.status));
            view! {
                <tr class="clickable" data-testid="history-segment-row" data-id=r.segment_id.clone() on:click=go>
                    <td class="nowrap"><A href=href>{format::datetime(r.created_at_ms, offset)}</A></td>
                    <td>{format!("{} · {}", r.store, r.counter)}</td>
                    <td class="num nowrap">{format::duration_ms(r.duration_ms)}</td>
                    <td><span class=status_class>{labels::status(r.status)}</span></td>
                    <td class="text">{r.transcript.unwrap_or_else(|| NONE.to_string())}</td>
                    <td>{r.decision.map_or(NONE, labels::decision)}</td>
                    <td>{r.category.map_or(NONE, labels::category)}</td>
                    <td class="text">{r.product.unwrap_or_else(|| NONE.to_string())}</td>
                    <td class="small">{review}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table data-testid="segments-table">
                <thead><tr>
                    <th>"Data"</th><th>"Loja · balcão"</th><th class="num">"Duração"</th><th>"Status"</th>
                    <th>"Transcrição"</th><th>"Decisão"</th><th>"Categoria"</th><th>"Produto"</th><th>"Revisão"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}
