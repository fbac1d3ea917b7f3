//! Timeouts, bounded retries with jittered back-off, and fallback chains of providers.
//!
//! Every provider call goes through [`run_chain`]: each call has its own timeout; a retryable
//! failure (timeout, 429, 5xx, broken connection) is retried with jittered exponential back-off
//! (honouring `Retry-After` up to a cap); a non-retryable failure, or the last retry failing, moves
//! the chain to the next provider; and when the running provider has not answered within
//! `stall_after`, the next one is started alongside it (hedging) and the first success wins.
//! Every attempt is recorded as an [`Attempt`].

mod fallback;
mod retry_after;

pub use balto_core::attempt::{Attempt, AttemptOutcome};
pub use fallback::{FallbackAdvisor, FallbackTranscriber};
pub use retry_after::{parse_retry_after, retry_after_from_headers};

use balto_core::advisor::AdvisorError;
use balto_core::transcriber::SttError;
use std::time::Duration;

/// How one provider is retried.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Calls per provider, the first included (1 = no retry).
    pub max_attempts: u32,
    /// Back-off before the first retry; doubles with each retry.
    pub base_delay: Duration,
    /// Ceiling of the exponential back-off.
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured; a provider asking for more is given up on (the chain
    /// moves to the next provider instead of waiting).
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(2),
            max_retry_after: Duration::from_secs(3),
        }
    }
}

impl RetryPolicy {
    /// No retries: one call per provider.
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The wait before retry number `retry` (1-based), or `None` when the provider asked for a
    /// longer wait than [`RetryPolicy::max_retry_after`]. "Equal jitter": half the exponential
    /// delay plus a random part of the other half, and never less than `Retry-After`.
    pub fn delay_before_retry(
        &self,
        retry: u32,
        retry_after: Option<Duration>,
    ) -> Option<Duration> {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << retry.saturating_sub(1).min(16))
            .min(self.max_delay);
        let half = exp / 2;
        let jitter = half.mul_f64(fastrand::f64());
        let backoff = half + jitter;
        match retry_after {
            Some(asked) if asked > self.max_retry_after => None,
            Some(asked) => Some(asked.max(backoff.min(self.max_retry_after))),
            None => Some(backoff),
        }
    }
}

/// How a fallback chain runs its providers.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainPolicy {
    /// Timeout of one provider call (a provider may override it, see
    /// [`FallbackTranscriber::with_call_timeouts`]).
    pub call_timeout: Duration,
    /// Retries per provider.
    pub retry: RetryPolicy,
    /// When the running provider has not answered within this, the next provider is started
    /// alongside it and the first success wins. `None` disables hedging.
    pub stall_after: Option<Duration>,
    /// Bound on the whole chain; `None` leaves it to the per-call timeouts and retries.
    pub deadline: Option<Duration>,
}

impl Default for ChainPolicy {
    fn default() -> Self {
        ChainPolicy {
            call_timeout: Duration::from_secs(15),
            retry: RetryPolicy::default(),
            stall_after: Some(Duration::from_secs(4)),
            deadline: None,
        }
    }
}

/// What the resilience layer needs to know about a provider error.
pub trait ProviderError: std::fmt::Display + Clone + Send + 'static {
    fn is_retryable(&self) -> bool;
    /// The wait the provider asked for, if any.
    fn retry_after(&self) -> Option<Duration>;
    fn outcome(&self) -> AttemptOutcome;
    /// The error for a call that did not finish within `ms`.
    fn timed_out(ms: u64) -> Self;
    /// The error for a provider task that died (panicked) or a chain with no provider.
    fn internal(message: String) -> Self;
}

impl ProviderError for SttError {
    fn is_retryable(&self) -> bool {
        SttError::is_retryable(self)
    }
    fn retry_after(&self) -> Option<Duration> {
        match self {
            SttError::RateLimited { retry_after_ms } => retry_after_ms.map(Duration::from_millis),
            _ => None,
        }
    }
    fn outcome(&self) -> AttemptOutcome {
        match self {
            SttError::Timeout(_) => AttemptOutcome::Timeout,
            SttError::RateLimited { .. } => AttemptOutcome::RateLimited,
            SttError::Http { .. } => AttemptOutcome::Http,
            SttError::Transport(_) => AttemptOutcome::Transport,
            SttError::InvalidResponse(_) => AttemptOutcome::InvalidResponse,
            SttError::Rejected(_) => AttemptOutcome::Rejected,
            SttError::Unavailable(_) => AttemptOutcome::Unavailable,
        }
    }
    fn timed_out(ms: u64) -> Self {
        SttError::Timeout(ms)
    }
    fn internal(message: String) -> Self {
        SttError::Unavailable(message)
    }
}

impl ProviderError for AdvisorError {
    fn is_retryable(&self) -> bool {
        AdvisorError::is_retryable(self)
    }
    fn retry_after(&self) -> Option<Duration> {
        match self {
            AdvisorError::RateLimited { retry_after_ms } => {
                retry_after_ms.map(Duration::from_millis)
            }
            _ => None,
        }
    }
    fn outcome(&self) -> AttemptOutcome {
        match self {
            AdvisorError::Timeout(_) => AttemptOutcome::Timeout,
            AdvisorError::RateLimited { .. } => AttemptOutcome::RateLimited,
            AdvisorError::Http { .. } => AttemptOutcome::Http,
            AdvisorError::Transport(_) => AttemptOutcome::Transport,
            AdvisorError::Refused(_) => AttemptOutcome::Refused,
            AdvisorError::InvalidAnswer(_) => AttemptOutcome::InvalidAnswer,
        }
    }
    fn timed_out(ms: u64) -> Self {
        AdvisorError::Timeout(ms)
    }
    fn internal(message: String) -> Self {
        AdvisorError::Transport(message)
    }
}

/// Runs `fut` with a timeout, turning the elapsed timeout into the provider's timeout error.
pub async fn with_timeout<T, E: ProviderError>(
    timeout: Duration,
    fut: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, E> {
    match tokio::time::timeout(timeout, fut).await {
        Ok(result) => result,
        Err(_) => Err(E::timed_out(duration_ms(timeout))),
    }
}

pub(crate) fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_jittered_and_capped() {
        let p = RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
            max_retry_after: Duration::from_secs(1),
        };
        for _ in 0..50 {
            let d1 = p.delay_before_retry(1, None).unwrap();
            assert!(d1 >= Duration::from_millis(50) && d1 <= Duration::from_millis(100));
            let d2 = p.delay_before_retry(2, None).unwrap();
            assert!(d2 >= Duration::from_millis(100) && d2 <= Duration::from_millis(200));
            let d9 = p.delay_before_retry(9, None).unwrap();
            assert!(d9 >= Duration::from_millis(150) && d9 <= Duration::from_millis(300));
        }
        let asked = Duration::from_millis(700);
        assert!(p.delay_before_retry(1, Some(asked)).unwrap() >= asked);
        assert_eq!(p.delay_before_retry(1, Some(Duration::from_secs(5))), None);
    }
}
