//! *Comparação*: STT providers side by side (`/comparison`): WER, latency, failures and cost.

use crate::api;
use crate::format;
use crate::pages::filters::FilterForm;
use crate::pages::filters::use_filters;
use crate::widgets::{BarChart, ErrorNote, Loading};
use balto_core::admin::ComparisonReport;
use leptos::prelude::*;

#[component]
pub fn ComparisonPage() -> impl IntoView {
    let filters = use_filters();
    let report = LocalResource::new(move || {
        let q = filters.get();
        async move { api::comparison(&q).await }
    });
    view! {
        <h1>"Comparação de provedores de transcrição"</h1>
        <FilterForm />
        {move || match report.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => view! { <ErrorNote message=e.to_string() /> }.into_any(),
            Some(Ok(r)) => comparison_view(r).into_any(),
        }}
    }
}

fn comparison_view(r: ComparisonReport) -> impl IntoView {
    if r.rows.is_empty() {
        return view! { <p class="note">"Nenhuma transcrição no período."</p> }.into_any();
    }
    let names: Vec<String> = r.rows.iter().map(|p| p.provider.clone()).collect();
    let rows = r
        .rows
        .iter()
        .map(|p| {
            view! {
                <tr data-testid="comparison-row">
                    <td>{p.provider.clone()}</td>
                    <td class="num">{p.segments}</td>
                    <td class="num">{format::audio_minutes(p.audio_seconds)}</td>
                    <td class="num">{p.reviewed_segments}</td>
                    <td class="num">{format::opt_percent(p.wer)}</td>
                    <td class="num">{format::opt_percent(p.wer_common)}</td>
                    <td class="num">{format::opt_duration_ms(p.latency_p50_ms)}</td>
                    <td class="num">{format::opt_duration_ms(p.latency_p95_ms)}</td>
                    <td class="num">{format!("{} / {}", p.failed_calls, p.calls)}</td>
                    <td class="num">{format::opt_usd(p.cost_per_minute_usd)}</td>
                    <td class="num">{format::opt_usd(p.estimated_cost_usd)}</td>
                </tr>
            }
        })
        .collect_view();
    let wer: Vec<f64> = r.rows.iter().map(|p| p.wer.unwrap_or(0.0)).collect();
    let wer_text: Vec<String> = r.rows.iter().map(|p| format::opt_percent(p.wer)).collect();
    let p50: Vec<f64> = r
        .rows
        .iter()
        .map(|p| p.latency_p50_ms.unwrap_or(0) as f64)
        .collect();
    let p50_text: Vec<String> = r
        .rows
        .iter()
        .map(|p| format::opt_duration_ms(p.latency_p50_ms))
        .collect();
    let cost: Vec<f64> = r
        .rows
        .iter()
        .map(|p| p.cost_per_minute_usd.unwrap_or(0.0))
        .collect();
    let cost_text: Vec<String> = r
        .rows
        .iter()
        .map(|p| format::opt_usd(p.cost_per_minute_usd))
        .collect();
    view! {
        <p class="small">{format!("{} segmentos foram transcritos por todos os provedores listados (base da \"WER comum\").", r.common_segments)}</p>
        <section class="card">
            <div class="table-wrap"><table data-testid="comparison-table">
                <thead><tr>
                    <th>"Provedor"</th><th class="num">"Segmentos"</th><th class="num">"Áudio"</th>
                    <th class="num">"Revisados"</th><th class="num">"WER"</th><th class="num">"WER comum"</th>
                    <th class="num">"Latência p50"</th><th class="num">"Latência p95"</th>
                    <th class="num">"Falhas / chamadas"</th><th class="num">"Custo por minuto"</th><th class="num">"Custo estimado"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table></div>
        </section>
        <div class="charts">
            <BarChart title="WER (menor é melhor)".to_string() labels=names.clone() values=wer value_text=wer_text />
            <BarChart title="Latência p50".to_string() labels=names.clone() values=p50 value_text=p50_text />
            <BarChart title="Custo por minuto de áudio".to_string() labels=names values=cost value_text=cost_text />
        </div>
    }
    .into_any()
}
