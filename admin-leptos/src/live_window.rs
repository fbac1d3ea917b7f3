//! The recent live snapshots kept in memory for the *Ao vivo* charts, and the series drawn from
//! them (open connections, per-provider p95 latency).

use balto_core::admin::LiveSnapshot;
use std::collections::VecDeque;

/// Snapshots kept: at one event every 2 s, about four minutes.
pub const KEPT_SNAPSHOTS: usize = 120;

/// The last [`KEPT_SNAPSHOTS`] snapshots, oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveWindow {
    snapshots: VecDeque<LiveSnapshot>,
}

impl LiveWindow {
    /// Adds a snapshot, dropping the oldest beyond the cap; ignores one older than the newest.
    pub fn push(&mut self, snapshot: LiveSnapshot) {
        if self
            .snapshots
            .back()
            .is_some_and(|last| last.now_ms > snapshot.now_ms)
        {
            return;
        }
        self.snapshots.push_back(snapshot);
        while self.snapshots.len() > KEPT_SNAPSHOTS {
            self.snapshots.pop_front();
        }
    }

    pub fn latest(&self) -> Option<&LiveSnapshot> {
        self.snapshots.back()
    }

    pub fn len(&self) -> usize {
        self.snapshots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.snapshots.is_empty()
    }

    /// Open connections over time.
    pub fn connections_series(&self) -> Vec<f64> {
        self.snapshots
            .iter()
            .map(|s| s.connections_open as f64)
            .collect()
    }

    /// p95 latency (ms) of one stage and provider over time; 0 where it was absent.
    pub fn p95_series(&self, stage: &str, provider: &str) -> Vec<f64> {
        self.snapshots
            .iter()
            .map(|s| {
                s.latency
                    .iter()
                    .find(|l| l.stage == stage && l.provider == provider)
                    .and_then(|l| l.p95_ms)
                    .map_or(0.0, |ms| ms as f64)
            })
            .collect()
    }

    /// Every (stage, provider) seen in the window, in first-seen order.
    pub fn providers(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for l in self.snapshots.iter().flat_map(|s| &s.latency) {
            if !out.iter().any(|(st, p)| *st == l.stage && *p == l.provider) {
                out.push((l.stage.clone(), l.provider.clone()));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use balto_core::admin::{LiveErrors, ProviderLatency};

    fn snap(now_ms: i64, open: u64, p95: Option<u64>) -> LiveSnapshot {
        LiveSnapshot {
            now_ms,
            uptime_s: 1,
            transcriber: "whisper".into(),
            advisor: "regras".into(),
            connections_open: open,
            connections_total: open,
            connections: vec![],
            segments_total: 0,
            segments_last_minute: 0,
            segments_per_minute: vec![],
            latency: p95
                .map(|p| ProviderLatency {
                    stage: "stt".into(),
                    provider: "whisper".into(),
                    calls: 1,
                    errors: 0,
                    p50_ms: Some(p),
                    p95_ms: Some(p),
                })
                .into_iter()
                .collect(),
            errors: LiveErrors::default(),
        }
    }

    #[test]
    fn keeps_the_newest_snapshots_in_order() {
        let mut w = LiveWindow::default();
        for i in 0..(KEPT_SNAPSHOTS as i64 + 5) {
            w.push(snap(i, i as u64, None));
        }
        assert_eq!(w.len(), KEPT_SNAPSHOTS);
        assert_eq!(w.connections_series()[0], 5.0);
        w.push(snap(0, 99, None));
        assert_eq!(
            w.latest().unwrap().connections_open,
            KEPT_SNAPSHOTS as u64 + 4
        );
    }

    #[test]
    fn latency_series_fill_gaps_with_zero() {
        let mut w = LiveWindow::default();
        w.push(snap(1, 0, None));
        w.push(snap(2, 0, Some(300)));
        assert_eq!(w.p95_series("stt", "whisper"), vec![0.0, 300.0]);
        assert_eq!(
            w.providers(),
            vec![("stt".to_string(), "whisper".to_string())]
        );
    }
}
