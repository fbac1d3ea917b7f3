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

/// The calls one step made: a chain's own list, or — for a single engine, which reports none —
/// its one call, timed by the caller (`failure`: how it failed, if it did).
pub fn or_single_call(
    attempts: Vec<Attempt>,
    provider: &str,
    latency_ms: u64,
    failure: Option<(AttemptOutcome, String)>,
) -> Vec<Attempt> {
    if !attempts.is_empty() {
        return attempts;
    }
    let (outcome, error) = match failure {
        None => (AttemptOutcome::Ok, None),
        Some((outcome, error)) => (outcome, Some(error)),
    };
    vec![Attempt {
        provider: provider.to_string(),
        attempt: 1,
        started_ms: 0,
        latency_ms,
        outcome,
        error,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_engine_reports_its_one_call_and_a_chain_its_own_list() {
        let one = or_single_call(Vec::new(), "whisper", 900, None);
        assert_eq!(one.len(), 1);
        assert_eq!(
            (one[0].provider.as_str(), one[0].latency_ms, one[0].outcome),
            ("whisper", 900, AttemptOutcome::Ok)
        );
        let failed = or_single_call(
            Vec::new(),
            "regras",
            2,
            Some((AttemptOutcome::Timeout, "slow".into())),
        );
        assert_eq!(failed[0].error.as_deref(), Some("slow"));
        let chain = or_single_call(one.clone(), "chain", 1, None);
        assert_eq!(chain, one);
    }
}
