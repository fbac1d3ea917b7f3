//! Sans-IO rate limiting shared by every server: a token bucket (bytes or messages per second
//! with a burst) and a failure throttle (so many free failures per window, then a delay before
//! each further refusal that doubles up to a cap; nothing is ever blocked).
//! Time is passed in as milliseconds, so the rules are testable and run the
//! same natively and in a Worker.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::Hash;

/// Admits work at `per_second` on average with bursts up to `capacity`.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    capacity: f64,
    per_ms: f64,
    tokens: f64,
    last_ms: u64,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(capacity: u64, per_second: u64, now_ms: u64) -> TokenBucket {
        TokenBucket {
            capacity: capacity as f64,
            per_ms: per_second as f64 / 1000.0,
            tokens: capacity as f64,
            last_ms: now_ms,
        }
    }

    fn refill(&mut self, now_ms: u64) {
        let elapsed = now_ms.saturating_sub(self.last_ms) as f64;
        self.last_ms = self.last_ms.max(now_ms);
        self.tokens = (self.tokens + elapsed * self.per_ms).min(self.capacity);
    }

    /// Takes `amount` tokens if there are enough (then true); otherwise takes nothing.
    pub fn try_take(&mut self, amount: u64, now_ms: u64) -> bool {
        self.refill(now_ms);
        if self.tokens >= amount as f64 {
            self.tokens -= amount as f64;
            true
        } else {
            false
        }
    }

    /// Takes `amount` tokens now, going into debt if needed, and returns how many ms the
    /// caller must wait before acting so that the average rate holds (0 when there were
    /// enough). `None`, taking nothing, when `amount` exceeds the whole burst capacity.
    pub fn reserve(&mut self, amount: u64, now_ms: u64) -> Option<u64> {
        if amount as f64 > self.capacity {
            return None;
        }
        self.refill(now_ms);
        self.tokens -= amount as f64;
        if self.tokens >= 0.0 {
            Some(0)
        } else if self.per_ms > 0.0 {
            Some((-self.tokens / self.per_ms).ceil() as u64)
        } else {
            Some(u64::MAX)
        }
    }
}

/// How a [`FailureThrottle`] slows a source down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThrottlePolicy {
    /// Failures allowed within `window_ms` without delay.
    pub max_failures: u32,
    /// Failures are counted over this window, from the first one in it.
    pub window_ms: u64,
    /// The delay of the first failure past `max_failures`; each further one doubles it…
    pub first_delay_ms: u64,
    /// …up to this.
    pub max_delay_ms: u64,
    /// At most this many sources are remembered (memory bound under a flood of addresses).
    pub max_tracked: usize,
}

impl Default for ThrottlePolicy {
    /// Ten free failures a minute, then 1 s, 2 s, 4 s … up to 10 s before each refusal.
    fn default() -> Self {
        ThrottlePolicy {
            max_failures: 10,
            window_ms: 60_000,
            first_delay_ms: 1_000,
            max_delay_ms: 10_000,
            max_tracked: 100_000,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Record {
    window_start_ms: u64,
    failures: u32,
    last_seen_ms: u64,
}

/// Counts failures per source (an IP address) and says how long to wait before answering the
/// next failure: nothing is ever refused or blocked, a source that keeps failing is only
/// answered more slowly. Serializable (with JSON, `K` must be a string-like key), so a Worker
/// can keep it in Durable Object storage.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound(
    serialize = "K: Serialize",
    deserialize = "K: Deserialize<'de> + Eq + Hash"
))]
pub struct FailureThrottle<K> {
    policy: ThrottlePolicy,
    records: HashMap<K, Record>,
}

impl<K: Eq + Hash + Clone> FailureThrottle<K> {
    pub fn new(policy: ThrottlePolicy) -> FailureThrottle<K> {
        FailureThrottle {
            policy,
            records: HashMap::new(),
        }
    }

    /// Records a failure at `now_ms`; returns how many ms to wait before answering it (0 while
    /// the source is within its free failures).
    pub fn record_failure(&mut self, source: &K, now_ms: u64) -> u64 {
        if self.records.len() >= self.policy.max_tracked && !self.records.contains_key(source) {
            self.forget_idle(now_ms);
        }
        let policy = self.policy;
        let r = self.records.entry(source.clone()).or_default();
        if r.failures == 0 || now_ms.saturating_sub(r.window_start_ms) > policy.window_ms {
            r.window_start_ms = now_ms;
            r.failures = 0;
        }
        r.last_seen_ms = now_ms;
        r.failures = r.failures.saturating_add(1);
        let over = r.failures.saturating_sub(policy.max_failures);
        if over == 0 {
            return 0;
        }
        policy
            .first_delay_ms
            .saturating_mul(1u64 << (over - 1).min(20))
            .min(policy.max_delay_ms)
    }

    /// Failures counted for `source` in its current window at `now_ms`.
    pub fn failures(&self, source: &K, now_ms: u64) -> u32 {
        self.records
            .get(source)
            .filter(|r| now_ms.saturating_sub(r.window_start_ms) <= self.policy.window_ms)
            .map_or(0, |r| r.failures)
    }

    /// Sources remembered now.
    pub fn tracked(&self) -> usize {
        self.records.len()
    }

    /// Drops sources whose window is over; if that is not enough, drops the least recently
    /// seen half.
    pub fn forget_idle(&mut self, now_ms: u64) {
        let window = self.policy.window_ms;
        self.records
            .retain(|_, r| now_ms.saturating_sub(r.window_start_ms) <= window);
        if self.records.len() >= self.policy.max_tracked {
            let mut seen: Vec<u64> = self.records.values().map(|r| r.last_seen_ms).collect();
            seen.sort_unstable();
            let cutoff = seen[seen.len() / 2];
            self.records.retain(|_, r| r.last_seen_ms > cutoff);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_bursts_then_the_average_rate() {
        let mut b = TokenBucket::new(1000, 100, 0);
        assert!(b.try_take(1000, 0), "a full burst");
        assert!(!b.try_take(1, 0), "then empty");
        assert!(!b.try_take(11, 100), "10 tokens after 100 ms");
        assert!(b.try_take(10, 100));
        assert!(b.try_take(1000, 60_000), "refills to capacity");
        assert!(!b.try_take(1, 60_000), "never beyond capacity");
        assert!(
            !b.try_take(2000, 1_000_000),
            "more than the capacity never fits"
        );
    }

    #[test]
    fn a_reservation_says_how_long_to_wait() {
        let mut b = TokenBucket::new(100, 1000, 0);
        assert_eq!(b.reserve(100, 0), Some(0));
        assert_eq!(b.reserve(50, 0), Some(50), "50 tokens of debt at 1/ms");
        assert_eq!(b.reserve(10, 30), Some(30), "debt 20 + 10 at 30 ms");
        assert_eq!(b.reserve(101, 1000), None, "beyond the burst");
        assert_eq!(
            b.reserve(100, 1000),
            Some(0),
            "refused reservations take nothing"
        );
    }

    #[test]
    fn a_bucket_ignores_time_going_backwards() {
        let mut b = TokenBucket::new(10, 10, 1000);
        assert!(b.try_take(10, 1000));
        assert!(!b.try_take(1, 500));
        assert!(b.try_take(1, 1100));
    }

    fn policy() -> ThrottlePolicy {
        ThrottlePolicy {
            max_failures: 3,
            window_ms: 1000,
            first_delay_ms: 100,
            max_delay_ms: 350,
            max_tracked: 4,
        }
    }

    #[test]
    fn failures_past_the_free_ones_are_delayed_with_doubling() {
        let mut t = FailureThrottle::new(policy());
        let delays: Vec<u64> = [0, 10, 20, 30, 40, 50, 60]
            .iter()
            .map(|&at| t.record_failure(&"ip", at))
            .collect();
        assert_eq!(
            delays,
            vec![0, 0, 0, 100, 200, 350, 350],
            "doubling, capped"
        );
        assert_eq!(t.failures(&"ip", 60), 7);
        assert_eq!(t.failures(&"other", 60), 0);
        assert_eq!(
            t.record_failure(&"other", 60),
            0,
            "one source's failures are its own"
        );
    }

    #[test]
    fn a_new_window_starts_free() {
        let mut t = FailureThrottle::new(policy());
        for at in [0, 1, 2, 3] {
            t.record_failure(&"a", at);
        }
        assert_eq!(t.failures(&"a", 1000), 4);
        assert_eq!(t.failures(&"a", 1004), 0, "the window is over");
        assert_eq!(t.record_failure(&"a", 1004), 0, "window restarted");
    }

    #[test]
    fn memory_is_bounded() {
        let mut t = FailureThrottle::new(policy());
        for ip in 1..1000u32 {
            t.record_failure(&ip, u64::from(ip));
            assert!(t.tracked() <= 4, "{} tracked", t.tracked());
        }
        t.forget_idle(1_000_000);
        assert_eq!(t.tracked(), 0);
    }
}
