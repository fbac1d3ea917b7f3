//! The work a stored segment goes through: STT, then the advisor. Each step records its provider
//! attempts and its result. Live connections run the steps off the socket's task
//! ([`spawn_transcription`], [`spawn_advice`]) and hear back over a channel; the recovery sweep
//! ([`crate::recovery`]) runs the same steps for segments left unfinished.
//!
//! A step that fails leaves the segment `stored` with its error and one more attempt counted:
//! the recovery sweep retries it with back-off and marks it `failed` for good when retries run
//! out.

use crate::claims::Claim;
use crate::clock::unix_ms;
use balto_core::advice::{Advice, Conversation};
use balto_core::advisor::Advisor;
use balto_core::attempt::{Attempt, AttemptOutcome};
use balto_core::records::{SegmentStatus, TranscriptRecord};
use balto_core::session::SegmentOrigin;
use balto_core::storage::Storage;
use balto_core::transcriber::Transcriber;
use lambda_stt_llm::resilience::ProviderError;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc::UnboundedSender;

/// Where a transcription task gets its segment's audio.
#[derive(Debug)]
pub enum PcmSource {
    /// Still in memory (the segment was just stored).
    Memory(Vec<i16>),
    /// Read back from the segment's WAV (it waited for a task).
    Wav(std::path::PathBuf),
}

impl PcmSource {
    async fn read(self) -> Result<Vec<i16>, StepError> {
        match self {
            PcmSource::Memory(pcm) => Ok(pcm),
            PcmSource::Wav(path) => read_segment_audio(path).await,
        }
    }
}

/// A stored segment's audio, read from its WAV off the async threads.
pub async fn read_segment_audio(path: std::path::PathBuf) -> Result<Vec<i16>, StepError> {
    tokio::task::spawn_blocking(move || crate::audio_files::read_segment_wav(&path))
        .await
        .map_err(|e| StepError::Storage(format!("audio reader task failed: {e}")))?
        .map_err(|e| StepError::Storage(format!("segment audio unreadable: {e}")))
}

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
    /// The step failed; the segment is left for the recovery sweep.
    Failed { origin: SegmentOrigin },
}

/// A step's failure, as recorded in the segment's `last_error`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    #[error("speech-to-text failed: {0}")]
    Stt(String),
    #[error("advisor failed: {0}")]
    Advisor(String),
    #[error("{0}")]
    Storage(String),
}

/// Runs one provider call, records its attempts under `stage`, and returns its result with
/// the call's wall-clock latency.
async fn timed_step<T, E, F>(
    store: &dyn Storage,
    segment_id: &str,
    stage: &str,
    provider: &str,
    call: F,
) -> (Result<T, E>, u64)
where
    E: ProviderError,
    F: Future<Output = (Result<T, E>, Vec<Attempt>)>,
{
    let started = Instant::now();
    let (result, attempts) = call.await;
    let latency_ms = started.elapsed().as_millis() as u64;
    let attempts = or_single_attempt(attempts, provider, latency_ms, &result);
    if let Err(e) = store.insert_attempts(segment_id, stage, &attempts).await {
        tracing::error!(segment = %segment_id, error = %e, "could not record provider attempts");
    }
    (result, latency_ms)
}

/// Transcribes a segment and stores the transcript; returns its trimmed text.
pub async fn transcribe_segment(
    store: &dyn Storage,
    transcriber: &dyn Transcriber,
    segment_id: &str,
    pcm: &[i16],
) -> Result<String, StepError> {
    let (result, latency_ms) = timed_step(
        store,
        segment_id,
        "stt",
        transcriber.name(),
        transcriber.transcribe_reporting(pcm),
    )
    .await;
    let t = result.map_err(|e| StepError::Stt(e.to_string()))?;
    tracing::info!(segment = %segment_id, provider = %t.provider, latency_ms, chars = t.text.len(), "transcribed");
    let text = t.text.trim().to_string();
    let record = TranscriptRecord {
        segment_id: segment_id.to_string(),
        provider: t.provider,
        text: text.clone(),
        language: t.language,
        latency_ms,
        created_at_ms: unix_ms(),
    };
    store
        .insert_transcript(record)
        .await
        .map_err(|e| StepError::Storage(format!("could not store transcript: {e}")))?;
    Ok(text)
}

/// Asks the advisor about a conversation window; returns its advice and latency.
pub async fn advise_segment(
    store: &dyn Storage,
    advisor: &dyn Advisor,
    segment_id: &str,
    conversation: &Conversation,
) -> Result<(Advice, u64), StepError> {
    let (result, latency_ms) = timed_step(
        store,
        segment_id,
        "advisor",
        advisor.name(),
        advisor.advise_reporting(conversation),
    )
    .await;
    result
        .map(|advice| (advice, latency_ms))
        .map_err(|e| StepError::Advisor(e.to_string()))
}

/// Transcribes a stored segment off the connection's task and reports back.
#[allow(clippy::too_many_arguments)]
pub fn spawn_transcription(
    store: Arc<dyn Storage>,
    transcriber: Arc<dyn Transcriber>,
    segment_id: String,
    origin: SegmentOrigin,
    start_ms: u64,
    audio: PcmSource,
    claim: Arc<Claim>,
    report: UnboundedSender<PipelineReport>,
) {
    tokio::spawn(async move {
        let transcribed = match audio.read().await {
            Ok(pcm) => transcribe_segment(&*store, &*transcriber, &segment_id, &pcm).await,
            Err(e) => Err(e),
        };
        let message = match transcribed {
            Ok(text) => {
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
                leave_for_retry(&*store, &segment_id, &e).await;
                PipelineReport::Failed { origin }
            }
        };
        drop(claim);
        // The connection may be gone; the records above are what matter then.
        let _ = report.send(message);
    });
}

/// Asks the advisor off the connection's task and reports back.
#[allow(clippy::too_many_arguments)]
pub fn spawn_advice(
    store: Arc<dyn Storage>,
    advisor: Arc<dyn Advisor>,
    segment_id: String,
    origin: SegmentOrigin,
    conversation: Conversation,
    base_transcript: String,
    claim: Arc<Claim>,
    report: UnboundedSender<PipelineReport>,
) {
    tokio::spawn(async move {
        let message = match advise_segment(&*store, &*advisor, &segment_id, &conversation).await {
            Ok((advice, latency_ms)) => PipelineReport::Advised {
                origin,
                advice,
                advisor: advisor.name().to_string(),
                base_transcript,
                latency_ms,
            },
            Err(e) => {
                leave_for_retry(&*store, &segment_id, &e).await;
                PipelineReport::Failed { origin }
            }
        };
        drop(claim);
        let _ = report.send(message);
    });
}

/// A step failed: the segment stays `stored` with the error, one more attempt counted.
pub async fn leave_for_retry(store: &dyn Storage, segment_id: &str, error: &StepError) {
    tracing::warn!(segment = %segment_id, %error, "segment left for retry");
    mark(
        store,
        segment_id,
        SegmentStatus::Stored,
        Some(error.to_string()),
    )
    .await;
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
