//! *Revisão*: accuracy figures (`/accuracy`: WER per STT provider, acceptance per category) and the
//! queue of segments not yet reviewed, each opening its review form.

use crate::api;
use crate::format::{self, NONE};
use crate::labels;
use crate::pages::filters::FilterForm;
use crate::pages::filters::use_filters;
use crate::pages::tables::SegmentTable;
use crate::widgets::{BarChart, ErrorNote, Loading, Stat};
use balto_core::admin::{AccuracyReport, HistoryQuery, ReviewFilter};
use leptos::prelude::*;

/// Segments shown in the review queue.
const QUEUE_SIZE: u32 = 20;

#[component]
pub fn ReviewPage() -> impl IntoView {
    let filters = use_filters();
    let accuracy = LocalResource::new(move || {
        let q = filters.get();
        async move { api::accuracy(&q).await }
    });
    let queue = LocalResource::new(move || {
        let q = HistoryQuery {
            review: Some(ReviewFilter::Unreviewed),
            page: Some(1),
            page_size: Some(QUEUE_SIZE),
            ..filters.get()
        };
        async move { api::segments(&q).await }
    });
    view! {
        <h1>"Revisão"</h1>
        <FilterForm />
        {move || match accuracy.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => view! { <ErrorNote message=e.to_string() /> }.into_any(),
            Some(Ok(r)) => accuracy_view(r).into_any(),
        }}
        <section class="card">
            <h2>"Fila de revisão"</h2>
            <p class="muted small">"Segmentos ainda não revisados (os mais recentes). Abra um para revisar a transcrição e a sugestão."</p>
            {move || match queue.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNote message=e.to_string() /> }.into_any(),
                Some(Ok(p)) => view! {
                    <p class="small">{format!("{} segmentos aguardam revisão.", p.total)}</p>
                    <SegmentTable items=p.items />
                }.into_any(),
            }}
        </section>
    }
}

fn accuracy_view(r: AccuracyReport) -> impl IntoView {
    let with_wer: Vec<_> = r.providers.iter().filter(|p| p.wer.is_some()).collect();
    let chart = (!with_wer.is_empty()).then(|| {
        view! {
            <BarChart
                title="WER por provedor (menor é melhor)".to_string()
                labels=with_wer.iter().map(|p| p.provider.clone()).collect()
                values=with_wer.iter().map(|p| p.wer.unwrap_or(0.0)).collect()
                value_text=with_wer.iter().map(|p| format::opt_percent(p.wer)).collect()
            />
        }
    });
    let providers = r
        .providers
        .iter()
        .map(|p| {
            view! {
                <tr data-testid="accuracy-provider-row">
                    <td>{p.provider.clone()}</td>
                    <td class="num">{p.reviewed_segments}</td>
                    <td class="num">{p.reference_words}</td>
                    <td class="num">{p.word_errors}</td>
                    <td class="num">{format::opt_percent(p.wer)}</td>
                </tr>
            }
        })
        .collect_view();
    let categories = r
        .categories
        .iter()
        .map(|c| {
            view! {
                <tr data-testid="accuracy-category-row">
                    <td>{labels::opt_category(c.category)}</td>
                    <td class="num">{c.reviewed}</td>
                    <td class="num">{c.right}</td>
                    <td class="num">{c.wrong}</td>
                    <td class="num">{c.harmful}</td>
                    <td class="num">{format::opt_percent(c.acceptance_rate)}</td>
                </tr>
            }
        })
        .collect_view();
    let no_providers = r.providers.is_empty().then(|| view! { <tr><td colspan="5" class="muted">{NONE}" nenhuma transcrição revisada"</td></tr> });
    let no_categories = r.categories.is_empty().then(
        || view! { <tr><td colspan="6" class="muted">{NONE}" nenhuma sugestão revisada"</td></tr> },
    );
    view! {
        <div class="stats">
            <Stat label="Transcrições revisadas" value=r.reviewed_transcripts.to_string() testid="reviewed-transcripts" />
            <Stat label="Sugestões revisadas" value=r.reviewed_suggestions.to_string() testid="reviewed-suggestions" />
        </div>
        <div class="two-col">
            <section class="card">
                <h2>"Transcrição: WER por provedor"</h2>
                <div class="table-wrap"><table data-testid="accuracy-providers">
                    <thead><tr><th>"Provedor"</th><th class="num">"Segmentos revisados"</th>
                        <th class="num">"Palavras de referência"</th><th class="num">"Erros de palavra"</th><th class="num">"WER"</th></tr></thead>
                    <tbody>{providers}{no_providers}</tbody>
                </table></div>
                {chart}
            </section>
            <section class="card">
                <h2>"Sugestões: aceitação por categoria"</h2>
                <div class="table-wrap"><table data-testid="accuracy-categories">
                    <thead><tr><th>"Categoria"</th><th class="num">"Revisadas"</th><th class="num">"Certas"</th>
                        <th class="num">"Erradas"</th><th class="num">"Perigosas"</th><th class="num">"Aceitação"</th></tr></thead>
                    <tbody>{categories}{no_categories}</tbody>
                </table></div>
            </section>
        </div>
    }
}
