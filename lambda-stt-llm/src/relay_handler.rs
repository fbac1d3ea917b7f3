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
use crate::resilience::ProviderError;
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use balto_core::advice::Advice;
use balto_core::advisor::Advisor;
use balto_core::attempt::{Attempt, AttemptOutcome};
use balto_core::records::{
    InsertOutcome, SegmentRecord, SegmentStatus, SessionRecord, SuggestionRecord, TranscriptRecord,
};
use balto_core::relay::{
    MAX_RELAY_BODY_BYTES, RELAY_PATH, RELAY_VERSION, RelayAdvice, RelayErrorCode, RelayRequest,
    RelayResponse, RelayTranscript, SESSION_END_PATH, SessionEndRequest,
};
use balto_core::signing::{RequestSigner, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use balto_core::storage::{Storage, StorageError};
use balto_core::transcriber::Transcriber;
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

/// A stored segment with no outcome this much older than its first run is processed again
/// when re-sent: twice the function timeout of docs/deploy.md (60 s).
pub const ABANDONED_AFTER_MS: i64 = 120_000;

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
/// `Ok(Some(id))` with the id to process (a re-sent segment whose last attempt failed is
/// processed again under its stored id).
async fn store_segment(
    store: &DynamoStore,
    request: &RelayRequest,
    pcm: &[i16],
    now_ms: i64,
) -> Result<Option<String>, StorageError> {
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
        InsertOutcome::Inserted => Ok(Some(request.segment_id.clone())),
        InsertOutcome::Duplicate(existing) => {
            let unfinished = existing.status == SegmentStatus::Stored;
            // A run that failed says why; a run that never finished (the function stopped at
            // its timeout, or could not record its outcome) says nothing, and is taken as
            // abandoned once older than any run can last.
            let failed = existing.last_error.is_some();
            let abandoned = now_ms.saturating_sub(existing.created_at_ms) > ABANDONED_AFTER_MS;
            Ok((unfinished && (failed || abandoned)).then_some(existing.id))
        }
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
    let attempts = if attempts.is_empty() {
        let (outcome, error) = match result {
            Ok(_) => (AttemptOutcome::Ok, None),
            Err(e) => (e.outcome(), Some(e.to_string())),
        };
        vec![Attempt {
            provider: provider.to_string(),
            attempt: 1,
            started_ms: 0,
            latency_ms,
            outcome,
            error,
        }]
    } else {
        attempts
    };
    if let Err(e) = store.insert_attempts(segment_id, stage, &attempts).await {
        tracing::error!(segment = %segment_id, error = %e, "could not record provider attempts");
    }
}

async fn mark(store: &DynamoStore, segment_id: &str, status: SegmentStatus, error: Option<String>) {
    if let Err(e) = store.set_segment_status(segment_id, status, error).await {
        tracing::error!(segment = %segment_id, error = %e, "could not update segment status");
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
    let segment_id = match stored {
        Ok(Some(id)) => id,
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

    // Speech-to-text.
    let Some(transcriber) = &state.transcriber else {
        let message = "no speech-to-text engine is configured; the segment is stored";
        mark(
            store,
            &segment_id,
            SegmentStatus::Stored,
            Some(message.into()),
        )
        .await;
        body.error = Some(balto_core::relay::RelayError {
            code: RelayErrorCode::SttUnavailable,
            message: message.into(),
            retryable: false,
        });
        return answer(StatusCode::SERVICE_UNAVAILABLE, &body, timings, started);
    };
    let t = Instant::now();
    let (result, attempts) = transcriber.transcribe_reporting(pcm).await;
    timings.stt_ms = t.elapsed().as_millis() as u64;
    record_attempts(
        store,
        &segment_id,
        "stt",
        transcriber.name(),
        attempts,
        timings.stt_ms,
        &result,
    )
    .await;
    let transcription = match result {
        Ok(t) => t,
        Err(e) => {
            let retryable = e.is_retryable();
            let message = format!("speech-to-text failed: {e}");
            let status = if retryable {
                SegmentStatus::Stored
            } else {
                SegmentStatus::Failed
            };
            mark(store, &segment_id, status, Some(message.clone())).await;
            body.error = Some(balto_core::relay::RelayError {
                code: RelayErrorCode::SttFailed,
                message,
                retryable,
            });
            return answer(StatusCode::BAD_GATEWAY, &body, timings, started);
        }
    };
    let text = transcription.text.trim().to_string();
    let t = Instant::now();
    let transcript_stored = store
        .insert_transcript(TranscriptRecord {
            segment_id: segment_id.clone(),
            provider: transcription.provider.clone(),
            text: text.clone(),
            language: transcription.language.clone(),
            latency_ms: timings.stt_ms,
            created_at_ms: unix_ms(),
        })
        .await;
    timings.store_ms += t.elapsed().as_millis() as u64;
    if let Err(e) = transcript_stored {
        // The segment and its audio are stored; the answer still goes back to the counter.
        tracing::error!(segment = %segment_id, error = %e, "transcript not stored");
    }
    body.transcript = Some(RelayTranscript {
        text: text.clone(),
        provider: transcription.provider.clone(),
        start_ms: request.start_ms,
    });
    if text.is_empty() {
        mark(store, &segment_id, SegmentStatus::Processed, None).await;
        return answer(StatusCode::OK, &body, timings, started);
    }

    // The advisor, on the session's window plus this utterance.
    let window = request.window_with(&text);
    let t = Instant::now();
    let (result, attempts) = state.advisor.advise_reporting(&window).await;
    timings.advisor_ms = t.elapsed().as_millis() as u64;
    record_attempts(
        store,
        &segment_id,
        "advisor",
        state.advisor.name(),
        attempts,
        timings.advisor_ms,
        &result,
    )
    .await;
    let advice: Advice = match result {
        Ok(a) => a,
        Err(e) => {
            let message = format!("advisor failed: {e}");
            mark(
                store,
                &segment_id,
                SegmentStatus::Stored,
                Some(message.clone()),
            )
            .await;
            body.error = Some(balto_core::relay::RelayError {
                code: RelayErrorCode::AdvisorFailed,
                message,
                retryable: e.is_retryable(),
            });
            return answer(StatusCode::BAD_GATEWAY, &body, timings, started);
        }
    };
    // What the session will do with it: a product equal to the last one pushed is suppressed.
    let sent = advice
        .pushed_product()
        .is_some_and(|p| window.last_product.as_deref() != Some(p));
    let advisor_name = state.advisor.name().to_string();
    let t = Instant::now();
    if let Err(e) = store
        .insert_suggestion(SuggestionRecord {
            segment_id: segment_id.clone(),
            session_id: request.session_id.clone(),
            advisor: advisor_name.clone(),
            advice: advice.clone(),
            base_transcript: text.clone(),
            sent,
            latency_ms: timings.advisor_ms,
            created_at_ms: unix_ms(),
        })
        .await
    {
        tracing::error!(segment = %segment_id, error = %e, "suggestion not stored");
    }
    mark(store, &segment_id, SegmentStatus::Processed, None).await;
    timings.store_ms += t.elapsed().as_millis() as u64;
    body.advice = Some(RelayAdvice {
        advisor: advisor_name,
        advice,
        base_transcript: text,
    });
    tracing::info!(
        segment = %segment_id,
        store_ms = timings.store_ms,
        stt_ms = timings.stt_ms,
        advisor_ms = timings.advisor_ms,
        total_ms = started.elapsed().as_millis() as u64,
        "segment processed"
    );
    answer(StatusCode::OK, &body, timings, started)
}
