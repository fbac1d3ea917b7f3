//! The `stt-llm` function's handler: verify the edge's signature → store the segment
//! (idempotent on its id) → speech-to-text → advisor → store transcript and suggestion →
//! answer ([`balto_core::relay`]). An axum [`Router`], so the same code runs under
//! `lambda_http` in AWS and on a plain socket locally.
//!
//! HTTP statuses: 200 with the answer; 400 malformed request; 401 bad signature; 413 body over
//! [`MAX_RELAY_BODY_BYTES`]; 502 a provider failed (the segment is stored and left for retry);
//! 503 storage down or no speech-to-text engine configured. Every answer, failures included,
//! is a JSON [`RelayResponse`]. Timings go in a `server-timing` header.

use crate::dynamo::DynamoStore;
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use balto_core::advisor::Advisor;
use balto_core::attempt::Attempt;
use balto_core::attempt::or_single_call;
use balto_core::records::{InsertOutcome, SegmentRecord, SegmentStatus, SessionRecord};
use balto_core::relay::{
    MAX_RELAY_BODY_BYTES, RELAY_PATH, RELAY_VERSION, RelayAdvice, RelayErrorCode, RelayRequest,
    RelayResponse, RelayTranscript, SESSION_END_PATH, SessionEndRequest,
};
use balto_core::segment_job::{
    Heard, JobEvent, JobPolicy, JobStep, SegmentJob, SegmentRef, failed_runs, record_step,
};
use balto_core::signing::{RequestSigner, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use balto_core::storage::{Storage, StorageError};
use balto_core::transcriber::Transcriber;
use balto_providers::resilience::ProviderError;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// What the handler needs.
pub struct RelayState {
    pub store: DynamoStore,
    pub signer: RequestSigner,
    /// `None` when no engine is configured: segments are stored and answered with
    /// [`RelayErrorCode::SttUnavailable`].
    pub transcriber: Option<Arc<dyn Transcriber>>,
    pub advisor: Arc<dyn Advisor>,
}

/// The function's routes: `POST /v1/segment`, `POST /v1/session/end` and `GET /healthz`.
pub fn router(state: Arc<RelayState>) -> Router {
    Router::new()
        .route(RELAY_PATH, post(segment))
        .route(SESSION_END_PATH, post(session_end))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(state)
}

fn unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Wall-clock time spent per step, reported in `server-timing`.
#[derive(Debug, Default, Clone, Copy)]
struct Timings {
    store_ms: u64,
    stt_ms: u64,
    advisor_ms: u64,
}

fn answer(
    status: StatusCode,
    body: &RelayResponse,
    timings: Timings,
    started: Instant,
) -> Response {
    let total = started.elapsed().as_millis() as u64;
    let overhead = total.saturating_sub(timings.stt_ms + timings.advisor_ms);
    let mut response = (status, axum::Json(body)).into_response();
    let timing = format!(
        "store;dur={}, stt;dur={}, advisor;dur={}, overhead;dur={overhead}, total;dur={total}",
        timings.store_ms, timings.stt_ms, timings.advisor_ms
    );
    if let Ok(v) = HeaderValue::from_str(&timing) {
        response.headers_mut().insert("server-timing", v);
    }
    response
}

fn failure(
    status: StatusCode,
    segment_id: &str,
    code: RelayErrorCode,
    message: impl Into<String>,
    retryable: bool,
    started: Instant,
) -> Response {
    answer(
        status,
        &RelayResponse::failure(segment_id, code, message, retryable),
        Timings::default(),
        started,
    )
}

/// Reads the body (bounded) and checks its signature: the body, or the answer refusing it.
async fn signed_body(
    state: &RelayState,
    headers: &HeaderMap,
    body: Body,
    started: Instant,
) -> Result<axum::body::Bytes, Response> {
    let bytes = to_bytes(body, MAX_RELAY_BODY_BYTES).await.map_err(|_| {
        failure(
            StatusCode::PAYLOAD_TOO_LARGE,
            "",
            RelayErrorCode::PayloadTooLarge,
            format!("the body exceeds {MAX_RELAY_BODY_BYTES} bytes"),
            false,
            started,
        )
    })?;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let now_s = (unix_ms() / 1_000).max(0) as u64;
    if let Err(e) = state.signer.verify(
        header(TIMESTAMP_HEADER),
        header(SIGNATURE_HEADER),
        &bytes,
        now_s,
    ) {
        tracing::warn!(error = %e, "relay request refused");
        return Err(failure(
            StatusCode::UNAUTHORIZED,
            "",
            RelayErrorCode::Unauthorized,
            e.to_string(),
            false,
            started,
        ));
    }
    Ok(bytes)
}

async fn session_end(
    State(state): State<Arc<RelayState>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    let bytes = match signed_body(&state, &headers, body, started).await {
        Ok(b) => b,
        Err(refused) => return refused,
    };
    let request = match serde_json::from_slice::<SessionEndRequest>(&bytes) {
        Ok(r) if r.version == RELAY_VERSION && !r.session_id.is_empty() => r,
        Ok(r) => {
            return failure(
                StatusCode::BAD_REQUEST,
                "",
                RelayErrorCode::BadRequest,
                format!("unsupported version {} or empty session id", r.version),
                false,
                started,
            );
        }
        Err(e) => {
            return failure(
                StatusCode::BAD_REQUEST,
                "",
                RelayErrorCode::BadRequest,
                format!("not a session end: {e}"),
                false,
                started,
            );
        }
    };
    match state
        .store
        .close_session(&request.session_id, request.ended_at_ms)
        .await
    {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => failure(
            StatusCode::SERVICE_UNAVAILABLE,
            "",
            RelayErrorCode::Storage,
            format!("the session end could not be stored: {e}"),
            true,
            started,
        ),
    }
}

async fn segment(State(state): State<Arc<RelayState>>, headers: HeaderMap, body: Body) -> Response {
    let started = Instant::now();
    let bytes = match signed_body(&state, &headers, body, started).await {
        Ok(b) => b,
        Err(refused) => return refused,
    };
    let request: RelayRequest = match serde_json::from_slice(&bytes) {
        Ok(r) => r,
        Err(e) => {
            return failure(
                StatusCode::BAD_REQUEST,
                "",
                RelayErrorCode::BadRequest,
                format!("not a relay request: {e}"),
                false,
                started,
            );
        }
    };
    let pcm = match request.validate() {
        Ok(pcm) => pcm,
        Err(e) => {
            return failure(
                StatusCode::BAD_REQUEST,
                &request.segment_id,
                RelayErrorCode::BadRequest,
                e.to_string(),
                false,
                started,
            );
        }
    };
    process(&state, &request, &pcm, started).await
}

/// Stores the segment and its audio; `Ok(None)` when it is a duplicate to leave alone,
/// `Ok(Some(..))` with the id to process and the failed runs behind it (a re-sent segment whose
/// last run failed or was stopped is processed again under its stored id: core's
/// [`JobPolicy::take_up_again`]).
async fn store_segment(
    store: &DynamoStore,
    request: &RelayRequest,
    pcm: &[i16],
    now_ms: i64,
) -> Result<Option<(String, u32)>, StorageError> {
    store
        .open_session(SessionRecord {
            id: request.session_id.clone(),
            key_id: request.key_id.clone(),
            store: request.store.clone(),
            counter: request.counter.clone(),
            started_at_ms: request.session_started_at_ms,
            ended_at_ms: None,
        })
        .await?;
    let audio_ref = store.put_audio(&request.segment_id, pcm, now_ms).await?;
    let record = SegmentRecord {
        id: request.segment_id.clone(),
        session_id: request.session_id.clone(),
        key_id: request.key_id.clone(),
        client_id: request.client_segment_id.clone(),
        seq: request.seq,
        start_ms: request.start_ms,
        duration_ms: request.duration_ms(),
        audio_ref,
        created_at_ms: now_ms,
        status: SegmentStatus::Stored,
        attempts: 0,
        last_error: None,
    };
    match store.insert_segment(record).await? {
        InsertOutcome::Inserted => Ok(Some((request.segment_id.clone(), 0))),
        InsertOutcome::Duplicate(existing) => Ok(JobPolicy::default()
            .take_up_again(&existing, now_ms)
            .then(|| (existing.id.clone(), failed_runs(&existing)))),
    }
}

/// Records the provider calls of a step (or the one call, for a single engine).
async fn record_attempts<T, E: ProviderError>(
    store: &DynamoStore,
    segment_id: &str,
    stage: &str,
    provider: &str,
    attempts: Vec<Attempt>,
    latency_ms: u64,
    result: &Result<T, E>,
) {
    let failure = result.as_ref().err().map(|e| (e.outcome(), e.to_string()));
    let attempts = or_single_call(attempts, provider, latency_ms, failure);
    if let Err(e) = store.insert_attempts(segment_id, stage, &attempts).await {
        tracing::error!(segment = %segment_id, error = %e, "could not record provider attempts");
    }
}

/// What a failed step tells the edge.
struct StepFailure {
    code: RelayErrorCode,
    status: StatusCode,
    retryable: bool,
}

impl StepFailure {
    /// A provider failed after the segment was stored (HTTP 502).
    fn provider(code: RelayErrorCode, retryable: bool) -> StepFailure {
        StepFailure {
            code,
            status: StatusCode::BAD_GATEWAY,
            retryable,
        }
    }
}

async fn process(
    state: &RelayState,
    request: &RelayRequest,
    pcm: &[i16],
    started: Instant,
) -> Response {
    let store = &state.store;
    let mut timings = Timings::default();
    let now_ms = unix_ms();
    let t = Instant::now();
    let stored = store_segment(store, request, pcm, now_ms).await;
    timings.store_ms = t.elapsed().as_millis() as u64;
    let segment = match stored {
        Ok(Some(segment)) => segment,
        Ok(None) => {
            let body = RelayResponse {
                segment_id: request.segment_id.clone(),
                duplicate: true,
                transcript: None,
                advice: None,
                error: None,
            };
            return answer(StatusCode::OK, &body, timings, started);
        }
        Err(e) => {
            tracing::error!(segment = %request.segment_id, error = %e, "segment not stored");
            let body = RelayResponse::failure(
                &request.segment_id,
                RelayErrorCode::Storage,
                format!("the segment could not be stored: {e}"),
                true,
            );
            return answer(StatusCode::SERVICE_UNAVAILABLE, &body, timings, started);
        }
    };
    // The answer names the segment the edge asked about; a client segment re-sent from a new
    // session (a reconnect) carries a new id but is processed and recorded under the one stored.
    let mut body = RelayResponse {
        segment_id: request.segment_id.clone(),
        duplicate: false,
        transcript: None,
        advice: None,
        error: None,
    };

    // The segment's job (core's segment_job): STT, the advisor on the session's window, the
    // records, and the one failure policy.
    let (segment_id, prior_failures) = segment;
    let mut job = SegmentJob::new(JobPolicy::default(), prior_failures);
    let at = SegmentRef {
        segment_id: &segment_id,
        session_id: &request.session_id,
    };
    // A transcript stored by an earlier run is reused (and answered) rather than paid again.
    let reused = match store.segment_transcripts(&segment_id).await {
        Ok(mut transcripts) => transcripts.pop(),
        Err(e) => {
            tracing::warn!(segment = %segment_id, error = %e, "stored transcripts unreadable; transcribing");
            None
        }
    };
    body.transcript = reused.as_ref().map(|t| RelayTranscript {
        text: t.text.clone(),
        provider: t.provider.clone(),
        start_ms: request.start_ms,
    });
    let stored_transcript = reused.map(|t| t.text);
    let mut steps = job.handle(JobEvent::Start { stored_transcript });
    let mut failure: Option<StepFailure> = None;
    while !steps.is_empty() {
        let mut next = Vec::new();
        for step in steps {
            let event = match &step {
                JobStep::Transcribe => {
                    let (event, stage_failure) =
                        transcribe(state, store, &segment_id, pcm, &mut timings).await;
                    failure = failure.or(stage_failure);
                    Some(event)
                }
                JobStep::Advise { text } => {
                    let (event, stage_failure) =
                        advise(state, store, request, &segment_id, text, &mut timings).await;
                    failure = failure.or(stage_failure);
                    Some(event)
                }
                // The edge (raw audio) or the client (segments) sends it again.
                JobStep::RetryAfter { .. } => None,
                JobStep::StoreTranscript(heard) => {
                    body.transcript = Some(RelayTranscript {
                        text: heard.text.clone(),
                        provider: heard.provider.clone(),
                        start_ms: request.start_ms,
                    });
                    write(store, at, &step, &mut timings).await;
                    None
                }
                JobStep::RecordSuggestion {
                    advice,
                    advisor,
                    base_transcript,
                    ..
                } => {
                    body.advice = Some(RelayAdvice {
                        advisor: advisor.clone(),
                        advice: advice.clone(),
                        base_transcript: base_transcript.clone(),
                    });
                    write(store, at, &step, &mut timings).await;
                    None
                }
                JobStep::SetStatus { error, .. } => {
                    if let (Some(f), Some(message)) = (&failure, error) {
                        body.error = Some(balto_core::relay::RelayError {
                            code: f.code,
                            message: message.clone(),
                            retryable: f.retryable && !job.is_finished(),
                        });
                    }
                    write(store, at, &step, &mut timings).await;
                    None
                }
            };
            if let Some(event) = event {
                next.extend(job.handle(event));
            }
        }
        steps = next;
    }
    tracing::info!(
        segment = %segment_id,
        state = ?job.state(),
        store_ms = timings.store_ms,
        stt_ms = timings.stt_ms,
        advisor_ms = timings.advisor_ms,
        total_ms = started.elapsed().as_millis() as u64,
        "segment processed"
    );
    let status = failure.map_or(StatusCode::OK, |f| f.status);
    answer(status, &body, timings, started)
}

/// Writes a job's record step, timed as storage.
async fn write(store: &DynamoStore, at: SegmentRef<'_>, step: &JobStep, timings: &mut Timings) {
    let t = Instant::now();
    if let Err(e) = record_step(store, at, step, unix_ms()).await {
        // The answer still goes back to the counter; the admin area shows what is missing.
        tracing::error!(segment = %at.segment_id, step = step.kind(), error = %e, "record not stored");
    }
    timings.store_ms += t.elapsed().as_millis() as u64;
}

/// The STT step: the job's next event, and how the answer fails if it does.
async fn transcribe(
    state: &RelayState,
    store: &DynamoStore,
    segment_id: &str,
    pcm: &[i16],
    timings: &mut Timings,
) -> (JobEvent, Option<StepFailure>) {
    let Some(transcriber) = &state.transcriber else {
        let failure = StepFailure {
            code: RelayErrorCode::SttUnavailable,
            status: StatusCode::SERVICE_UNAVAILABLE,
            retryable: false,
        };
        return (JobEvent::NoTranscriber, Some(failure));
    };
    let t = Instant::now();
    let (result, attempts) = transcriber.transcribe_reporting(pcm).await;
    timings.stt_ms = t.elapsed().as_millis() as u64;
    let (name, latency_ms) = (transcriber.name(), timings.stt_ms);
    record_attempts(
        store, segment_id, "stt", name, attempts, latency_ms, &result,
    )
    .await;
    match result {
        Ok(t) => {
            let heard = Heard {
                text: t.text,
                provider: t.provider,
                language: t.language,
                latency_ms,
            };
            (JobEvent::Transcribed(heard), None)
        }
        Err(e) => (
            JobEvent::stt_failed(&e),
            Some(StepFailure::provider(
                RelayErrorCode::SttFailed,
                e.is_retryable(),
            )),
        ),
    }
}

/// The advisor step, on the session's window plus this utterance; whether the advice reaches
/// the counter is the session's rule ([`balto_core::advice::Conversation::push_of`]).
async fn advise(
    state: &RelayState,
    store: &DynamoStore,
    request: &RelayRequest,
    segment_id: &str,
    text: &str,
    timings: &mut Timings,
) -> (JobEvent, Option<StepFailure>) {
    let window = request.window_with(text);
    let t = Instant::now();
    let (result, attempts) = state.advisor.advise_reporting(&window).await;
    timings.advisor_ms = t.elapsed().as_millis() as u64;
    let (name, latency_ms) = (state.advisor.name(), timings.advisor_ms);
    record_attempts(
        store, segment_id, "advisor", name, attempts, latency_ms, &result,
    )
    .await;
    match result {
        Ok(advice) => {
            let sent = window.push_of(&advice).is_some();
            let event = JobEvent::Advised {
                advice,
                advisor: name.to_string(),
                base_transcript: text.to_string(),
                latency_ms,
                sent,
            };
            (event, None)
        }
        Err(e) => (
            JobEvent::advisor_failed(&e),
            Some(StepFailure::provider(
                RelayErrorCode::AdvisorFailed,
                e.is_retryable(),
            )),
        ),
    }
}
