//! The provider calls of a stored segment's job (`balto_core::segment_job`): speech-to-text and
//! the advisor, each recording its provider attempts. Live connections ([`crate::ws_driver`])
//! run them off the socket's task ([`spawn_transcription`], [`spawn_advice`]) and hear back
//! over a channel; the recovery sweep ([`crate::recovery`]) awaits them in place. Both drive the
//! job with what the calls came to and write its records with [`record`].

use crate::claims::Claim;
use crate::clock::unix_ms;
use balto_core::advice::{Advice, Conversation};
use balto_core::advisor::Advisor;
use balto_core::attempt::{Attempt, or_single_call};
use balto_core::segment_job::{Heard, JobEvent, JobStep, SegmentRef, Stage, record_step};
use balto_core::session::SegmentOrigin;
use balto_core::storage::Storage;
use balto_core::transcriber::Transcriber;
use balto_providers::resilience::ProviderError;
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
    async fn read(self) -> Result<Vec<i16>, JobEvent> {
        match self {
            PcmSource::Memory(pcm) => Ok(pcm),
            PcmSource::Wav(path) => read_segment_audio(path).await,
        }
    }
}

/// A stored segment's audio, read from its WAV off the async threads; a failure is the job's
/// [`JobEvent::Failed`] (storage, worth another try).
pub async fn read_segment_audio(path: std::path::PathBuf) -> Result<Vec<i16>, JobEvent> {
    let storage_failure = |message: String| JobEvent::Failed {
        stage: Stage::Storage,
        retryable: true,
        message,
    };
    tokio::task::spawn_blocking(move || crate::audio_files::read_segment_wav(&path))
        .await
        .map_err(|e| storage_failure(format!("audio reader task failed: {e}")))?
        .map_err(|e| storage_failure(format!("segment audio unreadable: {e}")))
}

/// The advisor's answer for a segment's window.
#[derive(Debug, Clone)]
pub struct Answer {
    pub advice: Advice,
    pub advisor: String,
    pub base_transcript: String,
    pub latency_ms: u64,
}

/// What a provider call of a live connection came to.
#[derive(Debug)]
pub enum TaskOutcome {
    /// For the segment's job: [`JobEvent::Transcribed`] or [`JobEvent::Failed`].
    Stt(JobEvent),
    /// The advisor's answer (for the session, which decides what reaches the counter), or the
    /// job's [`JobEvent::Failed`].
    Advice(Result<Answer, JobEvent>),
}

/// A task's report to its connection.
#[derive(Debug)]
pub struct TaskReport {
    pub origin: SegmentOrigin,
    pub outcome: TaskOutcome,
}

/// Runs one provider call, records its attempts under `stage`, and returns its result with
/// the call's wall-clock latency.
async fn timed_call<T, E, F>(
    store: &dyn Storage,
    segment_id: &str,
    stage: &'static str,
    provider: &str,
    call: F,
) -> (Result<T, E>, u64)
where
    E: ProviderError,
    F: Future<Output = (Result<T, E>, Vec<Attempt>)>,
{
    let started = Instant::now();
    let (result, attempts) = call.await;
    let took = started.elapsed();
    let latency_ms = took.as_millis() as u64;
    let failure = result.as_ref().err().map(|e| (e.outcome(), e.to_string()));
    let attempts = or_single_call(attempts, provider, latency_ms, failure);
    crate::metrics::record_call(stage, took, &attempts);
    if let Err(e) = store.insert_attempts(segment_id, stage, &attempts).await {
        tracing::error!(segment = %segment_id, error = %e, "could not record provider attempts");
    }
    (result, latency_ms)
}

/// Transcribes a segment's audio: the job's [`JobEvent::Transcribed`] or [`JobEvent::Failed`].
pub async fn transcribe(
    store: &dyn Storage,
    transcriber: &dyn Transcriber,
    segment_id: &str,
    pcm: &[i16],
) -> JobEvent {
    let (result, latency_ms) = timed_call(
        store,
        segment_id,
        "stt",
        transcriber.name(),
        transcriber.transcribe_reporting(pcm),
    )
    .await;
    match result {
        Ok(t) => {
            tracing::info!(segment = %segment_id, provider = %t.provider, latency_ms, chars = t.text.len(), "transcribed");
            JobEvent::Transcribed(Heard {
                text: t.text,
                provider: t.provider,
                language: t.language,
                latency_ms,
            })
        }
        Err(e) => JobEvent::stt_failed(&e),
    }
}

/// Asks the advisor about a conversation window ending with `base_transcript`.
pub async fn advise(
    store: &dyn Storage,
    advisor: &dyn Advisor,
    segment_id: &str,
    conversation: &Conversation,
    base_transcript: String,
) -> Result<Answer, JobEvent> {
    let (result, latency_ms) = timed_call(
        store,
        segment_id,
        "advisor",
        advisor.name(),
        advisor.advise_reporting(conversation),
    )
    .await;
    match result {
        Ok(advice) => Ok(Answer {
            advice,
            advisor: advisor.name().to_string(),
            base_transcript,
            latency_ms,
        }),
        Err(e) => Err(JobEvent::advisor_failed(&e)),
    }
}

/// The segment a live task works for, and where it reports.
pub struct TaskFor {
    pub segment_id: String,
    pub origin: SegmentOrigin,
    /// Held while the task runs: the recovery sweep stays off the segment.
    pub claim: Arc<Claim>,
    pub report: UnboundedSender<TaskReport>,
}

impl TaskFor {
    fn done(self, outcome: TaskOutcome) {
        drop(self.claim);
        // The connection may be gone; its drain decides what happens then.
        let _ = self.report.send(TaskReport {
            origin: self.origin,
            outcome,
        });
    }
}

/// Transcribes a stored segment off the connection's task and reports back.
pub fn spawn_transcription(
    store: Arc<dyn Storage>,
    transcriber: Arc<dyn Transcriber>,
    audio: PcmSource,
    task: TaskFor,
) {
    tokio::spawn(async move {
        let event = match audio.read().await {
            Ok(pcm) => transcribe(&*store, &*transcriber, &task.segment_id, &pcm).await,
            Err(failed) => failed,
        };
        task.done(TaskOutcome::Stt(event));
    });
}

/// Asks the advisor about the window ending with `base_transcript`, off the connection's task,
/// and reports back.
pub fn spawn_advice(
    store: Arc<dyn Storage>,
    advisor: Arc<dyn Advisor>,
    conversation: Conversation,
    base_transcript: String,
    task: TaskFor,
) {
    tokio::spawn(async move {
        let answer = advise(
            &*store,
            &*advisor,
            &task.segment_id,
            &conversation,
            base_transcript,
        )
        .await;
        task.done(TaskOutcome::Advice(answer));
    });
}

/// Writes a job step's record (transcript, suggestion, status), logging — not failing — when
/// storage refuses; returns false for steps that are not records.
pub async fn record(store: &dyn Storage, segment: SegmentRef<'_>, step: &JobStep) -> bool {
    if let JobStep::SetStatus { status, error } = step {
        match error {
            Some(error) => {
                tracing::warn!(segment = %segment.segment_id, status = status.as_str(), %error, "segment step failed")
            }
            None => {
                tracing::debug!(segment = %segment.segment_id, status = status.as_str(), "segment status")
            }
        }
    }
    match record_step(store, segment, step, unix_ms()).await {
        Ok(recorded) => recorded,
        Err(e) => {
            tracing::error!(segment = %segment.segment_id, step = step.kind(), error = %e, "could not record a segment step");
            true
        }
    }
}
