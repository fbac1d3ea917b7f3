//! Resumes segments whose processing did not finish — the server died mid-pipeline, or a
//! provider outage outlasted the fallback chain — so that every stored segment ends either
//! `processed` or visibly `failed` (an admin can set it back to `stored` to retry).
//!
//! A sweep runs at start-up and then periodically. It takes `stored` segments that no task of
//! this process has claimed and that are orphans: created before this process started, or older
//! than [`RecoveryPolicy::orphan_age`] (a live connection finishes with a segment well within
//! that). Each is claimed, then: a stored transcript is reused (STT is never paid twice), else
//! the WAV is transcribed; the advisor sees the session's recent transcripts; the suggestion is
//! stored as not sent (its counter is no longer waiting). Failures back off exponentially per
//! segment; after [`RecoveryPolicy::max_attempts`] failed tries in this process the segment is
//! marked `failed`.

use crate::app::App;
use crate::clock::unix_ms;
use crate::pipeline::{
    StepError, advise_segment, leave_for_retry, mark, read_segment_audio, transcribe_segment,
};
use balto_core::advice::{Conversation, Utterance};
use balto_core::records::{SegmentRecord, SegmentStatus, SuggestionRecord};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How the sweep retries.
#[derive(Debug, Clone)]
pub struct RecoveryPolicy {
    /// Time between sweeps.
    pub sweep_every: Duration,
    /// Failed tries (in this process) before a segment is marked `failed`.
    pub max_attempts: u32,
    /// Wait after the first failure; doubles with each further failure.
    pub first_backoff: Duration,
    pub max_backoff: Duration,
    /// A `stored` segment created while this process runs is an orphan after this long.
    pub orphan_age: Duration,
    /// At most this many segments are looked at per sweep.
    pub batch: usize,
}

impl Default for RecoveryPolicy {
    fn default() -> Self {
        RecoveryPolicy {
            sweep_every: Duration::from_secs(15),
            max_attempts: 5,
            first_backoff: Duration::from_secs(10),
            max_backoff: Duration::from_secs(600),
            orphan_age: Duration::from_secs(600),
            batch: 500,
        }
    }
}

impl RecoveryPolicy {
    /// The wait after `failures` failed tries.
    pub fn backoff(&self, failures: u32) -> Duration {
        let factor = 1u32 << failures.saturating_sub(1).min(16);
        self.first_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
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

/// The sweeper's memory of failures in this process.
pub struct Recovery {
    app: Arc<App>,
    policy: RecoveryPolicy,
    started_at_ms: i64,
    failures: HashMap<String, (u32, Instant)>,
}

impl Recovery {
    pub fn new(app: Arc<App>, policy: RecoveryPolicy) -> Recovery {
        let started_at_ms = unix_ms() - app.started.elapsed().as_millis() as i64;
        Recovery {
            app,
            policy,
            started_at_ms,
            failures: HashMap::new(),
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
                .failures
                .get(&segment.id)
                .is_none_or(|(_, next)| Instant::now() >= *next);
            if segment.created_at_ms >= orphan_before || !due {
                report.skipped += 1;
                continue;
            }
            let Some(claim) = self.app.claims.claim(&segment.id) else {
                report.skipped += 1;
                continue;
            };
            match self.resume(&segment).await {
                Ok(true) => {
                    self.failures.remove(&segment.id);
                    report.processed += 1;
                }
                Ok(false) => report.skipped += 1,
                Err(e) => self.failed_try(&segment.id, &e, &mut report).await,
            }
            drop(claim);
        }
        Ok(report)
    }

    async fn failed_try(&mut self, segment_id: &str, error: &StepError, report: &mut SweepReport) {
        let failures = self.failures.get(segment_id).map_or(0, |(n, _)| *n) + 1;
        if failures >= self.policy.max_attempts {
            tracing::warn!(segment = %segment_id, failures, %error, "segment failed for good");
            mark(
                &*self.app.store,
                segment_id,
                SegmentStatus::Failed,
                Some(error.to_string()),
            )
            .await;
            self.failures.remove(segment_id);
            report.failed += 1;
        } else {
            leave_for_retry(&*self.app.store, segment_id, error).await;
            let next = Instant::now() + self.policy.backoff(failures);
            self.failures
                .insert(segment_id.to_string(), (failures, next));
            report.retrying += 1;
        }
    }

    /// Finishes one segment: `Ok(true)` processed, `Ok(false)` nothing can be done now.
    async fn resume(&self, segment: &SegmentRecord) -> Result<bool, StepError> {
        let store = &*self.app.store;
        let storage = |e: balto_core::storage::StorageError| StepError::Storage(e.to_string());
        let stored = store
            .segment_transcripts(&segment.id)
            .await
            .map_err(storage)?;
        let text = match stored.last() {
            Some(t) => t.text.clone(),
            None => {
                let Some(transcriber) = &self.app.transcriber else {
                    return Ok(false);
                };
                let pcm = read_segment_audio(segment.audio_ref.clone().into()).await?;
                transcribe_segment(store, &**transcriber, &segment.id, &pcm).await?
            }
        };
        let advisor = match &self.app.advisor {
            Some(advisor) if !text.is_empty() => advisor,
            // Silence, or nothing decides: the transcript is the result.
            _ => {
                mark(store, &segment.id, SegmentStatus::Processed, None).await;
                return Ok(true);
            }
        };
        let conversation = self.conversation_before(segment, &text).await?;
        let (advice, latency_ms) =
            advise_segment(store, &**advisor, &segment.id, &conversation).await?;
        store
            .insert_suggestion(SuggestionRecord {
                segment_id: segment.id.clone(),
                session_id: segment.session_id.clone(),
                advisor: advisor.name().to_string(),
                advice,
                base_transcript: text,
                sent: false,
                latency_ms,
                created_at_ms: unix_ms(),
            })
            .await
            .map_err(storage)?;
        mark(store, &segment.id, SegmentStatus::Processed, None).await;
        tracing::info!(segment = %segment.id, "resumed segment processed");
        Ok(true)
    }

    /// The session's transcripts within the advisor's window before `segment`, then its own
    /// text; the last product sent in the session is not to be repeated.
    async fn conversation_before(
        &self,
        segment: &SegmentRecord,
        text: &str,
    ) -> Result<Conversation, StepError> {
        let store = &*self.app.store;
        let storage = |e: balto_core::storage::StorageError| StepError::Storage(e.to_string());
        let config = &self.app.session_config;
        let window_start = segment.start_ms.saturating_sub(config.window_ms);
        let mut utterances = Vec::new();
        for earlier in store
            .session_segments(&segment.session_id)
            .await
            .map_err(storage)?
        {
            if earlier.id == segment.id
                || earlier.start_ms >= segment.start_ms
                || earlier.start_ms < window_start
            {
                continue;
            }
            let transcripts = store
                .segment_transcripts(&earlier.id)
                .await
                .map_err(storage)?;
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
            .await
            .map_err(storage)?
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = RecoveryPolicy {
            first_backoff: Duration::from_secs(10),
            max_backoff: Duration::from_secs(60),
            ..RecoveryPolicy::default()
        };
        let waits: Vec<u64> = (1..=5).map(|n| p.backoff(n).as_secs()).collect();
        assert_eq!(waits, vec![10, 20, 40, 60, 60]);
        assert_eq!(p.backoff(u32::MAX).as_secs(), 60);
    }
}
