//! The work a stored segment goes through off the socket's task: STT, then the advisor. Each
//! step records its result and reports back to the connection over a channel.

use crate::clock::unix_ms;
use balto_core::advice::{Advice, Conversation};
use balto_core::advisor::Advisor;
use balto_core::attempt::{Attempt, AttemptOutcome};
use balto_core::records::{SegmentStatus, TranscriptRecord};
use balto_core::session::SegmentOrigin;
use balto_core::storage::Storage;
use balto_core::transcriber::Transcriber;
use lambda_stt_llm::resilience::ProviderError;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc::UnboundedSender;

/// What a pipeline task reports to its connection.
#[derive(Debug)]
pub enum PipelineReport {
    Transcribed {
        origin: SegmentOrigin,
        start_ms: u64,
        text: String,
    },
    Advised {
        origin: SegmentOrigin,
        advice: Advice,
        advisor: String,
        base_transcript: String,
        latency_ms: u64,
    },
    /// The step failed for good; the segment is marked failed.
    Failed { origin: SegmentOrigin },
}

/// Transcribes a stored segment and records the transcript.
pub fn spawn_transcription(
    store: Arc<dyn Storage>,
    transcriber: Arc<dyn Transcriber>,
    segment_id: String,
    origin: SegmentOrigin,
    start_ms: u64,
    pcm: Vec<i16>,
    report: UnboundedSender<PipelineReport>,
) {
    tokio::spawn(async move {
        let started = Instant::now();
        let (result, attempts) = transcriber.transcribe_reporting(&pcm).await;
        let latency_ms = started.elapsed().as_millis() as u64;
        let attempts = or_single_attempt(attempts, transcriber.name(), latency_ms, &result);
        record_attempts(&*store, &segment_id, "stt", &attempts).await;
        let message = match result {
            Ok(t) => {
                tracing::info!(segment = %segment_id, provider = %t.provider, latency_ms, chars = t.text.len(), "transcribed");
                let text = t.text.trim().to_string();
                let record = TranscriptRecord {
                    segment_id: segment_id.clone(),
                    provider: t.provider,
                    text: text.clone(),
                    language: t.language,
                    latency_ms,
                    created_at_ms: unix_ms(),
                };
                if let Err(e) = store.insert_transcript(record).await {
                    tracing::error!(segment = %segment_id, error = %e, "could not store transcript");
                }
                if text.is_empty() {
                    mark(&*store, &segment_id, SegmentStatus::Processed, None).await;
                }
                PipelineReport::Transcribed {
                    origin,
                    start_ms,
                    text,
                }
            }
            Err(e) => {
                tracing::warn!(segment = %segment_id, error = %e, latency_ms, "transcription failed");
                mark(
                    &*store,
                    &segment_id,
                    SegmentStatus::Failed,
                    Some(e.to_string()),
                )
                .await;
                PipelineReport::Failed { origin }
            }
        };
        // The connection may be gone; the records above are what matter then.
        let _ = report.send(message);
    });
}

/// Asks the advisor about a conversation window.
pub fn spawn_advice(
    store: Arc<dyn Storage>,
    advisor: Arc<dyn Advisor>,
    segment_id: String,
    origin: SegmentOrigin,
    conversation: Conversation,
    base_transcript: String,
    report: UnboundedSender<PipelineReport>,
) {
    tokio::spawn(async move {
        let started = Instant::now();
        let (result, attempts) = advisor.advise_reporting(&conversation).await;
        let latency_ms = started.elapsed().as_millis() as u64;
        let attempts = or_single_attempt(attempts, advisor.name(), latency_ms, &result);
        record_attempts(&*store, &segment_id, "advisor", &attempts).await;
        let message = match result {
            Ok(advice) => PipelineReport::Advised {
                origin,
                advice,
                advisor: advisor.name().to_string(),
                base_transcript,
                latency_ms,
            },
            Err(e) => {
                tracing::warn!(segment = %segment_id, error = %e, "advisor failed");
                mark(
                    &*store,
                    &segment_id,
                    SegmentStatus::Failed,
                    Some(e.to_string()),
                )
                .await;
                PipelineReport::Failed { origin }
            }
        };
        let _ = report.send(message);
    });
}

/// A single engine reports no attempts of its own: record its one call as the attempt.
fn or_single_attempt<T, E: ProviderError>(
    attempts: Vec<Attempt>,
    name: &str,
    latency_ms: u64,
    result: &Result<T, E>,
) -> Vec<Attempt> {
    if !attempts.is_empty() {
        return attempts;
    }
    let (outcome, error) = match result {
        Ok(_) => (AttemptOutcome::Ok, None),
        Err(e) => (e.outcome(), Some(e.to_string())),
    };
    vec![Attempt {
        provider: name.to_string(),
        attempt: 1,
        started_ms: 0,
        latency_ms,
        outcome,
        error,
    }]
}

async fn record_attempts(store: &dyn Storage, segment_id: &str, stage: &str, attempts: &[Attempt]) {
    if let Err(e) = store.insert_attempts(segment_id, stage, attempts).await {
        tracing::error!(segment = %segment_id, error = %e, "could not record provider attempts");
    }
}

/// Sets a segment's status, logging (not failing) when storage refuses.
pub async fn mark(
    store: &dyn Storage,
    segment_id: &str,
    status: SegmentStatus,
    error: Option<String>,
) {
    if let Err(e) = store.set_segment_status(segment_id, status, error).await {
        tracing::error!(segment = %segment_id, error = %e, "could not update segment status");
    }
}
