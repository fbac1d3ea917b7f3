//! A record of one provider call (STT or advisor): who, when, how long, and how it ended.

use serde::{Deserialize, Serialize};

/// The outcome of one provider call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptOutcome {
    Ok,
    Timeout,
    RateLimited,
    Http,
    Transport,
    InvalidResponse,
    Rejected,
    Unavailable,
    Refused,
    InvalidAnswer,
    /// Still running when another provider answered first (or the chain deadline passed).
    Cancelled,
    /// Answered, but its answer was replaced: the red-flag screen flagged the window, so the
    /// intervention went out instead. `error` then says what the provider answered.
    Overridden,
}

impl AttemptOutcome {
    /// The storage spelling (`ok`, `timeout`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptOutcome::Ok => "ok",
            AttemptOutcome::Timeout => "timeout",
            AttemptOutcome::RateLimited => "rate_limited",
            AttemptOutcome::Http => "http",
            AttemptOutcome::Transport => "transport",
            AttemptOutcome::InvalidResponse => "invalid_response",
            AttemptOutcome::Rejected => "rejected",
            AttemptOutcome::Unavailable => "unavailable",
            AttemptOutcome::Refused => "refused",
            AttemptOutcome::InvalidAnswer => "invalid_answer",
            AttemptOutcome::Cancelled => "cancelled",
            AttemptOutcome::Overridden => "overridden",
        }
    }
}

/// One provider call made by a chain: who, when, how long, and how it ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// Provider name (`elevenlabs`, `assemblyai`, `whisper`, `xai`, `regras`, ...).
    pub provider: String,
    /// 1 for the first call to this provider, 2 for its first retry, ...
    pub attempt: u32,
    /// When the call started, in ms since the chain started.
    pub started_ms: u64,
    pub latency_ms: u64,
    pub outcome: AttemptOutcome,
    /// The error, for failed calls; for an [`AttemptOutcome::Overridden`] call, what the
    /// provider answered and what replaced it.
    pub error: Option<String>,
}
