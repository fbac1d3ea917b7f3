//! The life of one stored segment — stored → transcribing → advising → done, or failed — and
//! the one failure policy every driver follows: which failures are tried again, how many
//! times, how long apart, and when a stored segment is taken up again.
//!
//! Sans-IO like [`crate::session::Session`]: a driver (local-dev's live pipeline and recovery
//! sweep, the `stt-llm` Lambda's relay handler) feeds a [`SegmentJob`] what happened
//! ([`JobEvent`]) and carries out the [`JobStep`]s it returns, in order. Where the advisor's
//! window comes from (the live session, the stored transcripts, the edge's context) and how a
//! retry is scheduled (a sweep, a client's re-send) stay with the driver.

use crate::advice::Advice;
use crate::advisor::AdvisorError;
use crate::records::{SegmentRecord, SegmentStatus, SuggestionRecord, TranscriptRecord};
use crate::storage::{Storage, StorageError};
use crate::transcriber::SttError;

/// The `last_error` of a segment no engine could transcribe (it stays `stored`).
pub const NO_TRANSCRIBER_MESSAGE: &str =
    "no speech-to-text engine is configured; the segment is stored";

/// How failures are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobPolicy {
    /// Failed runs before a segment is marked `failed` for good.
    pub max_failures: u32,
    /// Wait after the first failure; doubled after each further one…
    pub first_backoff_ms: u64,
    /// …up to this.
    pub max_backoff_ms: u64,
    /// A `stored` segment with no outcome this much older than its creation is taken as
    /// abandoned (its run was stopped) and processed again when it comes back: twice the
    /// Lambda's 60 s function timeout (docs/deploy.md).
    pub abandoned_after_ms: i64,
}

impl Default for JobPolicy {
    fn default() -> Self {
        JobPolicy {
            max_failures: 5,
            first_backoff_ms: 10_000,
            max_backoff_ms: 600_000,
            abandoned_after_ms: 120_000,
        }
    }
}

impl JobPolicy {
    /// The wait before the next run after `failures` failed ones.
    pub fn backoff_ms(&self, failures: u32) -> u64 {
        self.first_backoff_ms
            .saturating_mul(1u64 << failures.saturating_sub(1).min(20))
            .min(self.max_backoff_ms)
    }

    /// Whether a stored segment met again (re-sent by its client, or found by a sweep) is to
    /// be processed now: it is unfinished, and its last run either failed (it says why) or
    /// was stopped before it could say anything (older than [`Self::abandoned_after_ms`]).
    /// Otherwise it is done, or a run is still working on it: a duplicate to leave alone.
    pub fn take_up_again(&self, existing: &SegmentRecord, now_ms: i64) -> bool {
        let unfinished = existing.status == SegmentStatus::Stored;
        let failed = existing.last_error.is_some();
        let abandoned = now_ms.saturating_sub(existing.created_at_ms) > self.abandoned_after_ms;
        unfinished && (failed || abandoned)
    }
}

/// The failed runs a stored segment has behind it: each failed run sets its status once (with
/// its error), and an unfinished segment's status was set only by failed runs.
pub fn failed_runs(record: &SegmentRecord) -> u32 {
    match (&record.status, &record.last_error) {
        (SegmentStatus::Stored, Some(_)) => record.attempts,
        _ => 0,
    }
}

/// Which step failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Stt,
    Advisor,
    /// Reading the segment's audio or other stored data.
    Storage,
}

impl Stage {
    fn describe(self, message: &str) -> String {
        match self {
            Stage::Stt => format!("speech-to-text failed: {message}"),
            Stage::Advisor => format!("advisor failed: {message}"),
            Stage::Storage => message.to_string(),
        }
    }
}

/// What the STT step heard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heard {
    pub text: String,
    pub provider: String,
    pub language: Option<String>,
    pub latency_ms: u64,
}

/// What happened to the segment.
#[derive(Debug, Clone, PartialEq)]
pub enum JobEvent {
    /// Processing starts. A transcript stored by an earlier run is reused: STT is never paid
    /// for twice.
    Start { stored_transcript: Option<String> },
    /// Nothing can transcribe (no provider, no offline model).
    NoTranscriber,
    /// The STT step answered.
    Transcribed(Heard),
    /// A step failed.
    Failed {
        stage: Stage,
        retryable: bool,
        message: String,
    },
    /// Nothing can advise: the transcript is the result.
    NoAdvisor,
    /// The advisor answered and the session decided whether the answer reached the counter.
    Advised {
        advice: Advice,
        advisor: String,
        base_transcript: String,
        latency_ms: u64,
        sent: bool,
    },
}

impl JobEvent {
    /// The STT step failed with `e`.
    pub fn stt_failed(e: &SttError) -> JobEvent {
        JobEvent::Failed {
            stage: Stage::Stt,
            retryable: e.is_retryable(),
            message: e.to_string(),
        }
    }

    /// The advisor step failed with `e`.
    pub fn advisor_failed(e: &AdvisorError) -> JobEvent {
        JobEvent::Failed {
            stage: Stage::Advisor,
            retryable: e.is_retryable(),
            message: e.to_string(),
        }
    }
}

/// What the driver must do next.
#[derive(Debug, Clone, PartialEq)]
pub enum JobStep {
    /// Transcribe the audio; answer [`JobEvent::Transcribed`] or [`JobEvent::Failed`].
    Transcribe,
    /// Store this transcript (trimmed; a transcript that cannot be stored is logged and the
    /// rest goes on).
    StoreTranscript(Heard),
    /// Ask the advisor about the window ending with `text`; answer [`JobEvent::Advised`],
    /// [`JobEvent::NoAdvisor`] or [`JobEvent::Failed`].
    Advise { text: String },
    /// Store the advisor's answer.
    RecordSuggestion {
        advice: Advice,
        advisor: String,
        base_transcript: String,
        latency_ms: u64,
        sent: bool,
    },
    /// Set the segment's status and its last error.
    SetStatus {
        status: SegmentStatus,
        error: Option<String>,
    },
    /// Run the segment again after this wait (a sweep's schedule, a client's re-send).
    RetryAfter { ms: u64 },
}

impl JobStep {
    /// A short name for logs (never the transcript or the advice).
    pub fn kind(&self) -> &'static str {
        match self {
            JobStep::Transcribe => "transcribe",
            JobStep::StoreTranscript(_) => "store_transcript",
            JobStep::Advise { .. } => "advise",
            JobStep::RecordSuggestion { .. } => "record_suggestion",
            JobStep::SetStatus { .. } => "set_status",
            JobStep::RetryAfter { .. } => "retry_after",
        }
    }
}

/// Where a job is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobState {
    /// Stored, waiting for a run (or for its retry).
    Stored,
    Transcribing,
    /// Waiting for the advisor's answer about this text.
    Advising {
        text: String,
    },
    /// Processed: transcribed and, unless silent, advised and recorded.
    Done,
    /// Failed for good (an admin may set it back to `stored`).
    Failed,
}

/// One run of one stored segment.
#[derive(Debug, Clone)]
pub struct SegmentJob {
    policy: JobPolicy,
    state: JobState,
    failures: u32,
}

impl SegmentJob {
    /// A job for a segment with `prior_failures` failed runs behind it ([`failed_runs`]).
    pub fn new(policy: JobPolicy, prior_failures: u32) -> SegmentJob {
        SegmentJob {
            policy,
            state: JobState::Stored,
            failures: prior_failures,
        }
    }

    pub fn state(&self) -> &JobState {
        &self.state
    }

    /// Failed runs so far, this one included.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// True once the segment is processed or failed for good.
    pub fn is_finished(&self) -> bool {
        matches!(self.state, JobState::Done | JobState::Failed)
    }

    /// Feeds what happened; returns the steps to carry out, in order. An event that does not
    /// fit the job's state (a late or repeated answer) changes nothing.
    pub fn handle(&mut self, event: JobEvent) -> Vec<JobStep> {
        match (&self.state, event) {
            (JobState::Stored, JobEvent::Start { stored_transcript }) => match stored_transcript {
                Some(text) => self.transcribed(text.trim().to_string(), Vec::new()),
                None => {
                    self.state = JobState::Transcribing;
                    vec![JobStep::Transcribe]
                }
            },
            (JobState::Stored | JobState::Transcribing, JobEvent::NoTranscriber) => {
                self.state = JobState::Stored;
                vec![JobStep::SetStatus {
                    status: SegmentStatus::Stored,
                    error: Some(NO_TRANSCRIBER_MESSAGE.to_string()),
                }]
            }
            (JobState::Transcribing, JobEvent::Transcribed(heard)) => {
                let heard = Heard {
                    text: heard.text.trim().to_string(),
                    ..heard
                };
                let text = heard.text.clone();
                self.transcribed(text, vec![JobStep::StoreTranscript(heard)])
            }
            (JobState::Advising { .. }, JobEvent::NoAdvisor) => self.done(Vec::new()),
            (
                JobState::Advising { .. },
                JobEvent::Advised {
                    advice,
                    advisor,
                    base_transcript,
                    latency_ms,
                    sent,
                },
            ) => self.done(vec![JobStep::RecordSuggestion {
                advice,
                advisor,
                base_transcript,
                latency_ms,
                sent,
            }]),
            (
                JobState::Stored | JobState::Transcribing | JobState::Advising { .. },
                JobEvent::Failed {
                    stage,
                    retryable,
                    message,
                },
            ) => self.failed(stage, retryable, &message),
            _ => Vec::new(),
        }
    }

    /// After a transcript (new or reused): silence is done, speech goes to the advisor.
    fn transcribed(&mut self, text: String, mut steps: Vec<JobStep>) -> Vec<JobStep> {
        if text.is_empty() {
            return self.done(steps);
        }
        steps.push(JobStep::Advise { text: text.clone() });
        self.state = JobState::Advising { text };
        steps
    }

    fn done(&mut self, mut steps: Vec<JobStep>) -> Vec<JobStep> {
        steps.push(JobStep::SetStatus {
            status: SegmentStatus::Processed,
            error: None,
        });
        self.state = JobState::Done;
        steps
    }

    /// The failure policy: a failure that cannot pass on a second try, or one too many, is
    /// final; otherwise the segment stays `stored` with its error and is run again later.
    fn failed(&mut self, stage: Stage, retryable: bool, message: &str) -> Vec<JobStep> {
        self.failures = self.failures.saturating_add(1);
        let error = Some(stage.describe(message));
        if !retryable || self.failures >= self.policy.max_failures {
            self.state = JobState::Failed;
            return vec![JobStep::SetStatus {
                status: SegmentStatus::Failed,
                error,
            }];
        }
        self.state = JobState::Stored;
        vec![
            JobStep::SetStatus {
                status: SegmentStatus::Stored,
                error,
            },
            JobStep::RetryAfter {
                ms: self.policy.backoff_ms(self.failures),
            },
        ]
    }
}

/// Which segment a job's records belong to.
#[derive(Debug, Clone, Copy)]
pub struct SegmentRef<'a> {
    pub segment_id: &'a str,
    pub session_id: &'a str,
}

/// Carries out a step that only writes records (a transcript, a suggestion, a status) on
/// `store`, at `now_ms`; other steps are the driver's and are left alone (`Ok(false)`).
pub async fn record_step(
    store: &dyn Storage,
    segment: SegmentRef<'_>,
    step: &JobStep,
    now_ms: i64,
) -> Result<bool, StorageError> {
    match step {
        JobStep::StoreTranscript(heard) => {
            store
                .insert_transcript(TranscriptRecord {
                    segment_id: segment.segment_id.to_string(),
                    provider: heard.provider.clone(),
                    text: heard.text.clone(),
                    language: heard.language.clone(),
                    latency_ms: heard.latency_ms,
                    created_at_ms: now_ms,
                })
                .await?
        }
        JobStep::RecordSuggestion {
            advice,
            advisor,
            base_transcript,
            latency_ms,
            sent,
        } => {
            store
                .insert_suggestion(SuggestionRecord {
                    segment_id: segment.segment_id.to_string(),
                    session_id: segment.session_id.to_string(),
                    advisor: advisor.clone(),
                    advice: advice.clone(),
                    base_transcript: base_transcript.clone(),
                    sent: *sent,
                    latency_ms: *latency_ms,
                    created_at_ms: now_ms,
                })
                .await?
        }
        JobStep::SetStatus { status, error } => {
            store
                .set_segment_status(segment.segment_id, *status, error.clone())
                .await?
        }
        JobStep::Transcribe | JobStep::Advise { .. } | JobStep::RetryAfter { .. } => {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::advice::Advice;

    fn processed() -> JobStep {
        JobStep::SetStatus {
            status: SegmentStatus::Processed,
            error: None,
        }
    }

    fn heard(text: impl Into<String>) -> Heard {
        Heard {
            text: text.into(),
            provider: "whisper".into(),
            language: Some("pt".into()),
            latency_ms: 900,
        }
    }

    fn advised(sent: bool) -> JobEvent {
        JobEvent::Advised {
            advice: Advice::nothing("saudação"),
            advisor: "regras".into(),
            base_transcript: "bom dia".into(),
            latency_ms: 3,
            sent,
        }
    }

    fn stt_failed(retryable: bool) -> JobEvent {
        JobEvent::Failed {
            stage: Stage::Stt,
            retryable,
            message: "HTTP 503".into(),
        }
    }

    /// Runs `events` through a fresh job; returns every step and the final state.
    fn run(prior: u32, events: Vec<JobEvent>) -> (Vec<JobStep>, JobState) {
        let mut job = SegmentJob::new(JobPolicy::default(), prior);
        let steps = events.into_iter().flat_map(|e| job.handle(e)).collect();
        (steps, job.state().clone())
    }

    #[test]
    fn the_life_of_a_segment() {
        let start = || JobEvent::Start {
            stored_transcript: None,
        };
        type Row = (&'static str, u32, Vec<JobEvent>, Vec<JobStep>, JobState);
        let table: Vec<Row> = vec![
            (
                "speech: transcribed, advised, recorded, processed",
                0,
                vec![
                    start(),
                    JobEvent::Transcribed(heard(" bom dia ")),
                    advised(false),
                ],
                vec![
                    JobStep::Transcribe,
                    JobStep::StoreTranscript(heard("bom dia")),
                    JobStep::Advise {
                        text: "bom dia".into(),
                    },
                    JobStep::RecordSuggestion {
                        advice: Advice::nothing("saudação"),
                        advisor: "regras".into(),
                        base_transcript: "bom dia".into(),
                        latency_ms: 3,
                        sent: false,
                    },
                    processed(),
                ],
                JobState::Done,
            ),
            (
                "silence: the empty transcript is the result",
                0,
                vec![start(), JobEvent::Transcribed(heard("  "))],
                vec![
                    JobStep::Transcribe,
                    JobStep::StoreTranscript(heard(String::new())),
                    processed(),
                ],
                JobState::Done,
            ),
            (
                "a stored transcript is reused, never paid for twice",
                1,
                vec![JobEvent::Start {
                    stored_transcript: Some("tosse seca".into()),
                }],
                vec![JobStep::Advise {
                    text: "tosse seca".into(),
                }],
                JobState::Advising {
                    text: "tosse seca".into(),
                },
            ),
            (
                "nothing advises: the transcript is the result",
                0,
                vec![
                    start(),
                    JobEvent::Transcribed(heard("oi")),
                    JobEvent::NoAdvisor,
                ],
                vec![
                    JobStep::Transcribe,
                    JobStep::StoreTranscript(heard("oi")),
                    JobStep::Advise { text: "oi".into() },
                    processed(),
                ],
                JobState::Done,
            ),
            (
                "nothing transcribes: stored, with the reason, no retry scheduled",
                0,
                vec![start(), JobEvent::NoTranscriber],
                vec![
                    JobStep::Transcribe,
                    JobStep::SetStatus {
                        status: SegmentStatus::Stored,
                        error: Some(NO_TRANSCRIBER_MESSAGE.into()),
                    },
                ],
                JobState::Stored,
            ),
            (
                "a retryable failure: stored with its error, retried after the back-off",
                0,
                vec![start(), stt_failed(true)],
                vec![
                    JobStep::Transcribe,
                    JobStep::SetStatus {
                        status: SegmentStatus::Stored,
                        error: Some("speech-to-text failed: HTTP 503".into()),
                    },
                    JobStep::RetryAfter { ms: 10_000 },
                ],
                JobState::Stored,
            ),
            (
                "a failure that cannot pass on a second try is final at once",
                0,
                vec![start(), stt_failed(false)],
                vec![
                    JobStep::Transcribe,
                    JobStep::SetStatus {
                        status: SegmentStatus::Failed,
                        error: Some("speech-to-text failed: HTTP 503".into()),
                    },
                ],
                JobState::Failed,
            ),
            (
                "the fifth failed run is final",
                4,
                vec![start(), stt_failed(true)],
                vec![
                    JobStep::Transcribe,
                    JobStep::SetStatus {
                        status: SegmentStatus::Failed,
                        error: Some("speech-to-text failed: HTTP 503".into()),
                    },
                ],
                JobState::Failed,
            ),
            (
                "an advisor failure keeps the transcript and is retried",
                2,
                vec![
                    start(),
                    JobEvent::Transcribed(heard("febre")),
                    JobEvent::Failed {
                        stage: Stage::Advisor,
                        retryable: true,
                        message: "timeout".into(),
                    },
                ],
                vec![
                    JobStep::Transcribe,
                    JobStep::StoreTranscript(heard("febre")),
                    JobStep::Advise {
                        text: "febre".into(),
                    },
                    JobStep::SetStatus {
                        status: SegmentStatus::Stored,
                        error: Some("advisor failed: timeout".into()),
                    },
                    JobStep::RetryAfter { ms: 40_000 },
                ],
                JobState::Stored,
            ),
            (
                "late or repeated answers change nothing",
                0,
                vec![
                    JobEvent::Transcribed(heard("x")),
                    advised(true),
                    start(),
                    JobEvent::Transcribed(heard("")),
                    JobEvent::Transcribed(heard("y")),
                    stt_failed(true),
                ],
                vec![
                    JobStep::Transcribe,
                    JobStep::StoreTranscript(heard(String::new())),
                    processed(),
                ],
                JobState::Done,
            ),
        ];
        for (name, prior, events, steps, state) in table {
            let (got_steps, got_state) = run(prior, events);
            assert_eq!(got_steps, steps, "{name}");
            assert_eq!(got_state, state, "{name}");
        }
    }

    #[test]
    fn back_off_doubles_up_to_the_cap() {
        let p = JobPolicy {
            first_backoff_ms: 10,
            max_backoff_ms: 60,
            ..JobPolicy::default()
        };
        let waits: Vec<u64> = (1..=5).map(|n| p.backoff_ms(n)).collect();
        assert_eq!(waits, vec![10, 20, 40, 60, 60]);
        assert_eq!(p.backoff_ms(u32::MAX), 60);
    }

    fn record(
        status: SegmentStatus,
        attempts: u32,
        error: Option<&str>,
        age_ms: i64,
    ) -> SegmentRecord {
        SegmentRecord {
            id: "s.1".into(),
            session_id: "s".into(),
            key_id: "k".into(),
            client_id: None,
            seq: Some(1),
            start_ms: 0,
            duration_ms: 1_000,
            audio_ref: "a".into(),
            created_at_ms: 1_000_000 - age_ms,
            status,
            attempts,
            last_error: error.map(str::to_string),
        }
    }

    #[test]
    fn which_stored_segments_are_taken_up_again() {
        let p = JobPolicy::default();
        let now = 1_000_000;
        let table = [
            (
                "failed run",
                record(SegmentStatus::Stored, 1, Some("503"), 5_000),
                true,
            ),
            (
                "still running",
                record(SegmentStatus::Stored, 0, None, 5_000),
                false,
            ),
            (
                "stopped run",
                record(SegmentStatus::Stored, 0, None, 120_001),
                true,
            ),
            (
                "processed",
                record(SegmentStatus::Processed, 1, None, 999_000),
                false,
            ),
            (
                "failed for good",
                record(SegmentStatus::Failed, 5, Some("x"), 999_000),
                false,
            ),
        ];
        for (name, r, expected) in table {
            assert_eq!(p.take_up_again(&r, now), expected, "{name}");
        }
        assert_eq!(
            failed_runs(&record(SegmentStatus::Stored, 3, Some("x"), 0)),
            3
        );
        assert_eq!(failed_runs(&record(SegmentStatus::Stored, 3, None, 0)), 0);
        assert_eq!(
            failed_runs(&record(SegmentStatus::Processed, 3, None, 0)),
            0
        );
    }
}
