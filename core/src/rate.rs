//! Sans-IO rate limiting shared by every server: a token bucket (bytes or messages per second
//! with a burst) and a failure throttle (so many failures per window, then a block that doubles
//! with each repeat). Time is passed in as milliseconds, so the rules are testable and run the
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

/// How a [`FailureThrottle`] blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThrottlePolicy {
    /// Failures allowed within `window_ms` before a block.
    pub max_failures: u32,
    pub window_ms: u64,
    /// The first block; each block that follows another doubles it, up to `max_block_ms`.
    pub first_block_ms: u64,
    pub max_block_ms: u64,
    /// At most this many sources are remembered (memory bound under a flood of addresses).
    pub max_tracked: usize,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            max_failures: 5,
            window_ms: 60_000,
            first_block_ms: 30_000,
            max_block_ms: 15 * 60_000,
            max_tracked: 100_000,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Record {
    window_start_ms: u64,
    failures: u32,
    blocked_until_ms: u64,
    /// Blocks so far (the next one lasts 2^blocks × first_block).
    blocks: u32,
    last_seen_ms: u64,
}

/// Counts failures per source (an IP address, a login) and blocks sources that fail too often.
/// Serializable (with JSON, `K` must be a string-like key), so a Worker can keep it in
/// Durable Object storage.
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

    /// Milliseconds `source` must still wait, if it is blocked.
    pub fn blocked_for(&self, source: &K, now_ms: u64) -> Option<u64> {
        self.records
            .get(source)
            .filter(|r| r.blocked_until_ms > now_ms)
            .map(|r| r.blocked_until_ms - now_ms)
    }

    /// Records a failure; returns the block it caused, in ms, if it caused one.
    pub fn record_failure(&mut self, source: &K, now_ms: u64) -> Option<u64> {
        if self.records.len() >= self.policy.max_tracked && !self.records.contains_key(source) {
            self.forget_idle(now_ms);
        }
        let policy = self.policy;
        let r = self.records.entry(source.clone()).or_default();
        r.last_seen_ms = now_ms;
        if now_ms.saturating_sub(r.window_start_ms) > policy.window_ms {
            r.window_start_ms = now_ms;
            r.failures = 0;
        }
        r.failures += 1;
        if r.failures < policy.max_failures {
            return None;
        }
        let block = policy
            .first_block_ms
            .saturating_mul(1u64 << r.blocks.min(20))
            .min(policy.max_block_ms);
        r.blocks = r.blocks.saturating_add(1);
        r.failures = 0;
        r.window_start_ms = now_ms;
        r.blocked_until_ms = now_ms + block;
        Some(block)
    }

    /// A success clears the source's failure count (its block history stays until idle).
    pub fn record_success(&mut self, source: &K) {
        if let Some(r) = self.records.get_mut(source) {
            r.failures = 0;
        }
    }

    /// Sources remembered now.
    pub fn tracked(&self) -> usize {
        self.records.len()
    }

    /// Drops sources that are neither blocked nor recently seen; if that is not enough, drops
    /// the least recently seen unblocked half.
    fn forget_idle(&mut self, now_ms: u64) {
        let keep_ms = self.policy.window_ms.max(self.policy.max_block_ms);
        self.records.retain(|_, r| {
            r.blocked_until_ms > now_ms || now_ms.saturating_sub(r.last_seen_ms) < keep_ms
        });
        if self.records.len() >= self.policy.max_tracked {
            let mut seen: Vec<u64> = self.records.values().map(|r| r.last_seen_ms).collect();
            seen.sort_unstable();
            let cutoff = seen[seen.len() / 2];
            self.records
                .retain(|_, r| r.blocked_until_ms > now_ms || r.last_seen_ms > cutoff);
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
            first_block_ms: 100,
            max_block_ms: 350,
            max_tracked: 4,
        }
    }

    #[test]
    fn failures_within_the_window_block_with_doubling() {
        let mut t = FailureThrottle::new(policy());
        assert_eq!(t.record_failure(&"ip", 0), None);
        assert_eq!(t.record_failure(&"ip", 10), None);
        assert_eq!(t.record_failure(&"ip", 20), Some(100));
        assert_eq!(t.blocked_for(&"ip", 50), Some(70));
        assert_eq!(t.blocked_for(&"ip", 120), None);
        assert_eq!(t.blocked_for(&"other", 50), None);
        for at in [130, 140] {
            assert_eq!(t.record_failure(&"ip", at), None);
        }
        assert_eq!(
            t.record_failure(&"ip", 150),
            Some(200),
            "second block doubles"
        );
        for at in [400, 410] {
            t.record_failure(&"ip", at);
        }
        assert_eq!(t.record_failure(&"ip", 420), Some(350), "capped");
    }

    #[test]
    fn failures_spread_beyond_the_window_or_cleared_by_success_do_not_block() {
        let mut t = FailureThrottle::new(policy());
        t.record_failure(&"a", 0);
        t.record_failure(&"a", 10);
        assert_eq!(t.record_failure(&"a", 2000), None, "window restarted");
        t.record_failure(&"b", 0);
        t.record_failure(&"b", 1);
        t.record_success(&"b");
        assert_eq!(t.record_failure(&"b", 2), None);
    }

    #[test]
    fn memory_is_bounded_and_blocked_sources_are_kept() {
        let mut t = FailureThrottle::new(policy());
        for _ in 0..3 {
            t.record_failure(&0u32, 0);
        }
        for ip in 1..1000u32 {
            t.record_failure(&ip, 5000 + u64::from(ip));
            assert!(t.tracked() <= 4, "{} tracked", t.tracked());
        }
        let mut t = FailureThrottle::new(ThrottlePolicy {
            max_block_ms: 1_000_000,
            first_block_ms: 1_000_000,
            ..policy()
        });
        for _ in 0..3 {
            t.record_failure(&0u32, 0);
        }
        for ip in 1..100u32 {
            t.record_failure(&ip, u64::from(ip));
        }
        assert!(
            t.blocked_for(&0, 500).is_some(),
            "a blocked source is never forgotten"
        );
    }
}
