//! Resumes segments whose processing did not finish — the server died mid-pipeline, or a
//! provider outage outlasted the fallback chain — so that every stored segment ends either
//! `processed` or visibly `failed` (an admin can set it back to `stored` to retry).
//!
//! A sweep runs at start-up and then periodically. It takes `stored` segments that no task of
//! this process has claimed and that are orphans: created before this process started, or older
//! than [`RecoveryPolicy::orphan_age`] (a live connection finishes with a segment well within
//! that). Each is claimed and its job (`balto_core::segment_job`) runs: a stored transcript is
//! reused (STT is never paid twice), else the WAV is transcribed; the advisor sees the session's
//! recent transcripts; the suggestion is stored as not sent (its counter is no longer waiting).
//! Failures follow the job's one policy — back-off per segment, `failed` after
//! [`JobPolicy::max_failures`] failed runs, counted on the segment's record so a restart does
//! not start the count again.

use crate::app::App;
use crate::clock::unix_ms;
use crate::pipeline::{advise, read_segment_audio, record, transcribe};
use balto_core::advice::{Conversation, Utterance};
use balto_core::records::SegmentRecord;
use balto_core::segment_job::{
    JobEvent, JobPolicy, JobState, JobStep, SegmentJob, SegmentRef, Stage, failed_runs,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often the sweep runs and what it looks at; how failures are retried is core's
/// [`JobPolicy`].
#[derive(Debug, Clone)]
pub struct RecoveryPolicy {
    /// Time between sweeps.
    pub sweep_every: Duration,
    /// Failed runs, back-off between them, and the final `failed`.
    pub job: JobPolicy,
    /// A `stored` segment created while this process runs is an orphan after this long.
    pub orphan_age: Duration,
    /// At most this many segments are looked at per sweep.
    pub batch: usize,
}

impl Default for RecoveryPolicy {
    fn default() -> Self {
        RecoveryPolicy {
            sweep_every: Duration::from_secs(15),
            job: JobPolicy::default(),
            orphan_age: Duration::from_secs(600),
            batch: 500,
        }
    }
}

/// What one sweep did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SweepReport {
    pub processed: usize,
    /// Failed this time, to be retried later.
    pub retrying: usize,
    /// Out of retries: marked `failed`.
    pub failed: usize,
    /// Left alone this time: claimed elsewhere, too young, backing off, or nothing can
    /// transcribe.
    pub skipped: usize,
}

/// The sweeper's schedule: when a segment that failed in this process is due again.
pub struct Recovery {
    app: Arc<App>,
    policy: RecoveryPolicy,
    started_at_ms: i64,
    due: HashMap<String, Instant>,
}

impl Recovery {
    pub fn new(app: Arc<App>, policy: RecoveryPolicy) -> Recovery {
        let started_at_ms = unix_ms() - app.started.elapsed().as_millis() as i64;
        Recovery {
            app,
            policy,
            started_at_ms,
            due: HashMap::new(),
        }
    }

    /// Sweeps now and then every `sweep_every` until the server shuts down.
    pub async fn run(mut self) {
        loop {
            match self.sweep().await {
                Ok(report) if report != SweepReport::default() => {
                    tracing::info!(?report, "recovery sweep");
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "recovery sweep could not list segments"),
            }
            tokio::select! {
                _ = self.app.shutdown.cancelled() => return,
                _ = tokio::time::sleep(self.policy.sweep_every) => {}
            }
        }
    }

    /// One pass over the unfinished segments.
    pub async fn sweep(&mut self) -> Result<SweepReport, balto_core::storage::StorageError> {
        let mut report = SweepReport::default();
        let segments = self
            .app
            .store
            .unfinished_segments(self.policy.batch)
            .await?;
        let orphan_before = self
            .started_at_ms
            .max(unix_ms() - self.policy.orphan_age.as_millis() as i64);
        for segment in segments {
            if self.app.shutdown.is_cancelled() {
                break;
            }
            let due = self
                .due
                .get(&segment.id)
                .is_none_or(|next| Instant::now() >= *next);
            if segment.created_at_ms >= orphan_before || !due || self.app.transcriber.is_none() {
                report.skipped += 1;
                continue;
            }
            let Some(claim) = self.app.claims.claim(&segment.id) else {
                report.skipped += 1;
                continue;
            };
            match self.resume(&segment).await {
                JobState::Done => {
                    self.due.remove(&segment.id);
                    report.processed += 1;
                }
                JobState::Failed => {
                    self.due.remove(&segment.id);
                    report.failed += 1;
                }
                _ => report.retrying += 1,
            }
            drop(claim);
        }
        Ok(report)
    }

    /// Runs one segment's job to its end (done, failed for good, or left for a retry).
    async fn resume(&mut self, segment: &SegmentRecord) -> JobState {
        let store = &*self.app.store;
        let mut job = SegmentJob::new(self.policy.job, failed_runs(segment));
        let stored_transcript = match store.segment_transcripts(&segment.id).await {
            Ok(transcripts) => transcripts.last().map(|t| t.text.clone()),
            Err(e) => {
                let failed = JobEvent::Failed {
                    stage: Stage::Storage,
                    retryable: true,
                    message: e.to_string(),
                };
                job.handle(JobEvent::Start {
                    stored_transcript: None,
                });
                let steps = job.handle(failed);
                self.carry_out(segment, steps).await;
                return job.state().clone();
            }
        };
        let mut steps = job.handle(JobEvent::Start { stored_transcript });
        while !steps.is_empty() {
            let mut next = Vec::new();
            for step in steps {
                if let Some(event) = self.run_step(segment, &step).await {
                    next.extend(job.handle(event));
                }
            }
            steps = next;
        }
        if job.state() == &JobState::Done {
            tracing::info!(segment = %segment.id, "resumed segment processed");
        }
        job.state().clone()
    }

    /// Carries out steps that need no answer (records, schedules).
    async fn carry_out(&mut self, segment: &SegmentRecord, steps: Vec<JobStep>) {
        for step in steps {
            self.run_step(segment, &step).await;
        }
    }

    /// One step of a resumed job; the provider steps answer with the job's next event.
    async fn run_step(&mut self, segment: &SegmentRecord, step: &JobStep) -> Option<JobEvent> {
        let store = &*self.app.store;
        match step {
            JobStep::Transcribe => {
                let transcriber = self.app.transcriber.as_ref()?;
                Some(
                    match read_segment_audio(segment.audio_ref.clone().into()).await {
                        Ok(pcm) => transcribe(store, &**transcriber, &segment.id, &pcm).await,
                        Err(failed) => failed,
                    },
                )
            }
            JobStep::Advise { text } => {
                let Some(advisor) = &self.app.advisor else {
                    return Some(JobEvent::NoAdvisor);
                };
                let conversation = match self.conversation_before(segment, text).await {
                    Ok(c) => c,
                    Err(e) => {
                        return Some(JobEvent::Failed {
                            stage: Stage::Storage,
                            retryable: true,
                            message: e.to_string(),
                        });
                    }
                };
                // Its counter is no longer waiting: the suggestion is recorded as not sent.
                Some(
                    match advise(store, &**advisor, &segment.id, &conversation, text.clone()).await
                    {
                        Ok(answer) => JobEvent::Advised {
                            advice: answer.advice,
                            advisor: answer.advisor,
                            base_transcript: answer.base_transcript,
                            latency_ms: answer.latency_ms,
                            sent: false,
                        },
                        Err(failed) => failed,
                    },
                )
            }
            JobStep::RetryAfter { ms } => {
                self.due.insert(
                    segment.id.clone(),
                    Instant::now() + Duration::from_millis(*ms),
                );
                None
            }
            JobStep::StoreTranscript(_)
            | JobStep::RecordSuggestion { .. }
            | JobStep::SetStatus { .. } => {
                let at = SegmentRef {
                    segment_id: &segment.id,
                    session_id: &segment.session_id,
                };
                record(store, at, step).await;
                None
            }
        }
    }

    /// The session's transcripts within the advisor's window before `segment`, then its own
    /// text; the last product sent in the session is not to be repeated.
    async fn conversation_before(
        &self,
        segment: &SegmentRecord,
        text: &str,
    ) -> Result<Conversation, balto_core::storage::StorageError> {
        let store = &*self.app.store;
        let config = &self.app.session_config;
        let window_start = segment.start_ms.saturating_sub(config.window_ms);
        let mut utterances = Vec::new();
        for earlier in store.session_segments(&segment.session_id).await? {
            if earlier.id == segment.id
                || earlier.start_ms >= segment.start_ms
                || earlier.start_ms < window_start
            {
                continue;
            }
            let transcripts = store.segment_transcripts(&earlier.id).await?;
            if let Some(t) = transcripts.last().filter(|t| !t.text.is_empty()) {
                utterances.push(Utterance {
                    at_ms: earlier.start_ms,
                    text: t.text.clone(),
                });
            }
        }
        utterances.sort_by_key(|u| u.at_ms);
        let keep_from = utterances
            .len()
            .saturating_sub(config.window_max_utterances.saturating_sub(1));
        let mut utterances = utterances.split_off(keep_from);
        utterances.push(Utterance {
            at_ms: segment.start_ms,
            text: text.to_string(),
        });
        let last_product = store
            .session_suggestions(&segment.session_id)
            .await?
            .into_iter()
            .rev()
            .find(|s| s.sent)
            .and_then(|s| s.advice.product);
        Ok(Conversation {
            utterances,
            last_product,
        })
    }
}
