//! One segment: audio, transcripts, suggestions and provider calls, "Tentar de novo" for a failed
//! segment, and the review (*Revisão*) of its transcript and suggestion.

use crate::api::{self, ApiError};
use crate::browser::utc_offset_min;
use crate::format::{self, NONE};
use crate::labels;
use crate::paths;
use crate::widgets::{ErrorNote, Loading, Stat};
use balto_core::admin::{SegmentDetail, SuggestionReviewRequest, TranscriptReviewRequest};
use balto_core::records::{SegmentStatus, SuggestionVerdict};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

#[component]
pub fn SegmentPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let detail = RwSignal::new(None::<Result<SegmentDetail, ApiError>>);
    Effect::new(move |_| {
        let id = id();
        detail.set(None);
        spawn_local(async move { detail.set(Some(api::segment(&id).await)) });
    });
    view! {
        <p class="crumbs"><A href=paths::HISTORY>"‹ Histórico"</A></p>
        {move || match detail.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => view! { <ErrorNote message=e.to_string() /> }.into_any(),
            Some(Ok(d)) => view! { <SegmentView d detail /> }.into_any(),
        }}
    }
}

/// Runs a write and puts the segment it answers in place (or its error in `error`).
fn save<F>(
    detail: RwSignal<Option<Result<SegmentDetail, ApiError>>>,
    error: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
    call: F,
) where
    F: Future<Output = Result<SegmentDetail, ApiError>> + 'static,
{
    busy.set(true);
    error.set(None);
    spawn_local(async move {
        match call.await {
            Ok(d) => detail.set(Some(Ok(d))),
            Err(e) => error.set(Some(e.to_string())),
        }
        busy.set(false);
    });
}

#[component]
fn SegmentView(
    d: SegmentDetail,
    detail: RwSignal<Option<Result<SegmentDetail, ApiError>>>,
) -> impl IntoView {
    let offset = utc_offset_min();
    let row = d.row.clone();
    let id = row.segment_id.clone();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let retry = (row.status == SegmentStatus::Failed).then(|| {
        let id = id.clone();
        view! {
            <button id="retry-segment" data-testid="retry-segment" disabled=move || busy.get()
                on:click=move |_| {
                    let id = id.clone();
                    save(detail, error, busy, async move { api::retry_segment(&id).await });
                }>"Tentar de novo"</button>
        }
    });

    let transcripts = d
        .transcripts
        .iter()
        .map(|t| {
            view! {
                <tr>
                    <td>{t.provider.clone()}</td>
                    <td class="text">{t.text.clone()}</td>
                    <td class="num nowrap">{format::duration_ms(t.latency_ms)}</td>
                    <td class="nowrap">{format::datetime(t.created_at_ms, offset)}</td>
                </tr>
            }
        })
        .collect_view();

    let suggestions = d.suggestions.iter().map(|s| view! {
        <tr>
            <td>{labels::decision(s.advice.decision)}</td>
            <td>{labels::opt_category(s.advice.category)}</td>
            <td class="text">{s.advice.product.clone().unwrap_or_else(|| NONE.to_string())}</td>
            <td class="text">{s.advice.explanation.clone()}</td>
            <td>{labels::confidence(s.advice.confidence)}</td>
            <td>{if s.sent { "Sim" } else { "Não" }}</td>
            <td>{s.advisor.clone()}</td>
            <td class="num nowrap">{format::duration_ms(s.latency_ms)}</td>
        </tr>
    }).collect_view();

    let attempts = d
        .attempts
        .iter()
        .map(|a| {
            view! {
                <tr>
                    <td>{labels::stage(&a.stage).to_string()}</td>
                    <td>{a.attempt.provider.clone()}</td>
                    <td class="num">{a.attempt.attempt}</td>
                    <td class="num nowrap">{format::duration_ms(a.attempt.latency_ms)}</td>
                    <td>{labels::wire(&a.attempt.outcome)}</td>
                    <td class="text">{a.attempt.error.clone().unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();

    let status_class = format!("badge status-{}", labels::wire(&row.status));
    let no_transcripts = d
        .transcripts
        .is_empty()
        .then(|| view! { <p class="note">"Nenhuma transcrição ainda."</p> });
    let no_suggestions = d
        .suggestions
        .is_empty()
        .then(|| view! { <p class="note">"Nenhuma sugestão para este segmento."</p> });
    let no_attempts = d
        .attempts
        .is_empty()
        .then(|| view! { <p class="note">"Nenhuma chamada registrada."</p> });
    view! {
        <h1>{format!("Segmento · {} · {}", row.store, row.counter)}</h1>
        <div class="stats">
            <Stat label="Gravado em" value=format::datetime(row.created_at_ms, offset) />
            <Stat label="Duração" value=format::duration_ms(row.duration_ms) />
            <Stat label="Tentativas" value=row.attempts.to_string() />
            <div class="stat"><span class=status_class data-testid="segment-status">{labels::status(row.status)}</span><span class="stat-label">"Status"</span></div>
        </div>
        {row.last_error.clone().map(|e| view! { <p class="note error">{format!("Último erro: {e}")}</p> })}
        <div class="actions">{retry}</div>
        {move || error.get().map(|m| view! { <ErrorNote message=m /> })}
        <section class="card">
            <h2>"Áudio"</h2>
            <audio controls preload="none" data-testid="segment-audio" src=api::segment_audio_url(&id)></audio>
            <p class="muted small">
                <A href=paths::session(&row.session_id)>"Ver a sessão inteira"</A>
            </p>
        </section>
        <section class="card">
            <h2>"Transcrições"</h2>
            {no_transcripts}
            <div class="table-wrap"><table>
                <thead><tr><th>"Provedor"</th><th>"Texto"</th><th class="num">"Latência"</th><th>"Quando"</th></tr></thead>
                <tbody>{transcripts}</tbody>
            </table></div>
        </section>
        <section class="card">
            <h2>"Sugestões"</h2>
            {no_suggestions}
            <div class="table-wrap"><table>
                <thead><tr><th>"Decisão"</th><th>"Categoria"</th><th>"Produto"</th><th>"Explicação"</th>
                    <th>"Confiança"</th><th>"Enviada"</th><th>"Assistente"</th><th class="num">"Latência"</th></tr></thead>
                <tbody>{suggestions}</tbody>
            </table></div>
        </section>
        <ReviewForms d detail />
        <section class="card">
            <h2>"Chamadas aos provedores"</h2>
            {no_attempts}
            <div class="table-wrap"><table>
                <thead><tr><th>"Etapa"</th><th>"Provedor"</th><th class="num">"Tentativa"</th>
                    <th class="num">"Latência"</th><th>"Resultado"</th><th>"Erro"</th></tr></thead>
                <tbody>{attempts}</tbody>
            </table></div>
        </section>
    }
}

#[component]
fn ReviewForms(
    d: SegmentDetail,
    detail: RwSignal<Option<Result<SegmentDetail, ApiError>>>,
) -> impl IntoView {
    let offset = utc_offset_min();
    let row = d.row;
    let id = StoredValue::new(row.segment_id.clone());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let corrected = RwSignal::new(
        row.transcript_review
            .as_ref()
            .map(|r| r.corrected_text.clone())
            .or(row.transcript.clone())
            .unwrap_or_default(),
    );
    let note = RwSignal::new(
        row.suggestion_review
            .as_ref()
            .and_then(|r| r.note.clone())
            .unwrap_or_default(),
    );
    let mark_correct = move |_| {
        let id = id.get_value();
        let body = TranscriptReviewRequest {
            correct: true,
            corrected_text: None,
        };
        save(detail, error, busy, async move {
            api::review_transcript(&id, body).await
        });
    };
    let save_correction = move |_| {
        let id = id.get_value();
        let text = corrected.get_untracked().trim().to_string();
        if text.is_empty() {
            error.set(Some("Digite o texto correto antes de salvar.".into()));
            return;
        }
        let body = TranscriptReviewRequest {
            correct: false,
            corrected_text: Some(text),
        };
        save(detail, error, busy, async move {
            api::review_transcript(&id, body).await
        });
    };
    let has_suggestion = !d.suggestions.is_empty();
    let chosen = row.suggestion_review.as_ref().map(|r| r.verdict);
    let verdict_button = move |v: SuggestionVerdict| {
        let testid = format!("review-suggestion-{}", labels::wire(&v));
        let current = chosen == Some(v);
        view! {
            <button class=format!("verdict verdict-{}", labels::wire(&v)) class:chosen=current
                data-testid=testid disabled=move || busy.get() || !has_suggestion
                on:click=move |_| {
                    let id = id.get_value();
                    let n = note.get_untracked().trim().to_string();
                    let body = SuggestionReviewRequest { verdict: v, note: (!n.is_empty()).then_some(n) };
                    save(detail, error, busy, async move { api::review_suggestion(&id, body).await });
                }>{labels::verdict(v)}</button>
        }
    };
    let transcript_state = match &row.transcript_review {
        None => "Transcrição ainda não revisada.".to_string(),
        Some(r) if r.correct => format!(
            "Confirmada como correta em {}.",
            format::datetime(r.reviewed_at_ms, offset)
        ),
        Some(r) => format!(
            "Corrigida em {}.",
            format::datetime(r.reviewed_at_ms, offset)
        ),
    };
    let suggestion_state = match &row.suggestion_review {
        None => "Sugestão ainda não revisada.".to_string(),
        Some(r) => format!(
            "Marcada como {} em {}.",
            labels::verdict(r.verdict).to_lowercase(),
            format::datetime(r.reviewed_at_ms, offset)
        ),
    };
    view! {
        <section class="card review" id="review">
            <h2>"Revisão"</h2>
            {move || error.get().map(|m| view! { <ErrorNote message=m /> })}
            <div class="review-grid">
                <div>
                    <h3>"Transcrição"</h3>
                    <p class="muted small" data-testid="transcript-review-state">{transcript_state}</p>
                    <button data-testid="review-transcript-correct" disabled=move || busy.get() on:click=mark_correct>
                        "Transcrição correta"
                    </button>
                    <label class="field wide">
                        <span>"Ou digite o texto correto"</span>
                        <textarea id="review-transcript-text" data-testid="review-transcript-text" rows="4"
                            prop:value=move || corrected.get()
                            on:input=move |ev| corrected.set(event_target_value(&ev))></textarea>
                    </label>
                    <button data-testid="review-transcript-save" class="secondary" disabled=move || busy.get() on:click=save_correction>
                        "Salvar correção"
                    </button>
                </div>
                <div>
                    <h3>"Sugestão"</h3>
                    <p class="muted small" data-testid="suggestion-review-state">{suggestion_state}</p>
                    {(!has_suggestion).then(|| view! { <p class="note">"Este segmento não tem sugestão."</p> })}
                    <label class="field wide">
                        <span>"Observação (opcional)"</span>
                        <textarea id="review-suggestion-note" data-testid="review-suggestion-note" rows="3"
                            prop:value=move || note.get()
                            on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                    </label>
                    <div class="actions">
                        {labels::VERDICTS.into_iter().map(verdict_button).collect_view()}
                    </div>
                </div>
            </div>
        </section>
    }
}
