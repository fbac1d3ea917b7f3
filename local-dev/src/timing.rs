//! A lock-free latency histogram (log-spaced buckets of atomics) for hot paths such as the
//! per-frame processing time of `/ws`, read as quantiles by `/healthz` and the load benchmark.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Buckets per doubling: quantiles are within ≈ 9 % of the true value.
const STEPS_PER_OCTAVE: f64 = 8.0;
/// Octaves above 1 µs covered (up to ≈ 67 s); slower samples land in the last bucket.
const OCTAVES: usize = 26;
const BUCKETS: usize = OCTAVES * STEPS_PER_OCTAVE as usize + 1;

/// Counts of durations in log-spaced microsecond buckets.
pub struct LatencyHistogram {
    buckets: Box<[AtomicU64]>,
    count: AtomicU64,
    max_us: AtomicU64,
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        LatencyHistogram {
            buckets: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
            count: AtomicU64::new(0),
            max_us: AtomicU64::new(0),
        }
    }
}

impl std::fmt::Debug for LatencyHistogram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LatencyHistogram")
            .field("count", &self.count())
            .field("p50", &self.quantile(0.5))
            .field("p99", &self.quantile(0.99))
            .finish()
    }
}

fn bucket_of(us: u64) -> usize {
    if us <= 1 {
        return 0;
    }
    let index = ((us as f64).log2() * STEPS_PER_OCTAVE).ceil() as usize;
    index.min(BUCKETS - 1)
}

fn upper_bound_us(bucket: usize) -> u64 {
    2f64.powf(bucket as f64 / STEPS_PER_OCTAVE).round() as u64
}

impl LatencyHistogram {
    pub fn record(&self, took: Duration) {
        let us = took.as_micros().min(u128::from(u64::MAX)) as u64;
        self.buckets[bucket_of(us)].fetch_add(1, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
        self.max_us.fetch_max(us, Ordering::Relaxed);
    }

    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    pub fn max(&self) -> Duration {
        Duration::from_micros(self.max_us.load(Ordering::Relaxed))
    }

    /// The `q` quantile (0–1), as its bucket's upper bound; zero when empty.
    pub fn quantile(&self, q: f64) -> Duration {
        let counts: Vec<u64> = self
            .buckets
            .iter()
            .map(|b| b.load(Ordering::Relaxed))
            .collect();
        let total: u64 = counts.iter().sum();
        if total == 0 {
            return Duration::ZERO;
        }
        let rank = ((q.clamp(0.0, 1.0) * total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (bucket, n) in counts.iter().enumerate() {
            seen += n;
            if seen >= rank {
                let bound = upper_bound_us(bucket).min(self.max_us.load(Ordering::Relaxed));
                return Duration::from_micros(bound);
            }
        }
        self.max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_within_a_bucket_of_the_truth() {
        let h = LatencyHistogram::default();
        assert_eq!(h.quantile(0.5), Duration::ZERO);
        for us in 1..=1000u64 {
            h.record(Duration::from_micros(us));
        }
        assert_eq!(h.count(), 1000);
        for (q, truth) in [(0.5, 500.0), (0.9, 900.0), (0.99, 990.0)] {
            let got = h.quantile(q).as_micros() as f64;
            assert!(
                got >= truth && got <= truth * 1.1,
                "q{q}: {got} µs for {truth}"
            );
        }
        assert_eq!(
            h.quantile(1.0),
            Duration::from_micros(1000),
            "capped at max"
        );
        h.record(Duration::from_secs(3600));
        assert_eq!(h.max(), Duration::from_secs(3600));
        assert!(h.quantile(0.5) < Duration::from_millis(1));
    }
}
