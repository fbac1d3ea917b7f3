//! Running totals of how long the Worker spends on its own work (per audio frame, per
//! segment) and waiting on the Lambda, for `/healthz`.

use serde::Serialize;

/// Count, total and maximum of one kind of measurement, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Meter {
    pub count: u64,
    pub total_ms: f64,
    pub max_ms: f64,
}

impl Meter {
    /// Adds one measurement (negative values, from a clock going back, count as 0).
    pub fn record(&mut self, ms: f64) {
        let ms = if ms.is_finite() { ms.max(0.0) } else { 0.0 };
        self.count += 1;
        self.total_ms += ms;
        self.max_ms = self.max_ms.max(ms);
    }

    /// Mean in ms (0 when empty).
    pub fn mean_ms(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.total_ms / self.count as f64
        }
    }
}

/// What `/healthz` reports, per isolate since it started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct EdgeStats {
    pub sessions_started: u64,
    pub sessions_authenticated: u64,
    /// Session handling of one binary frame (front end included).
    pub frame_cpu: Meter,
    /// Building, serializing and signing one relay request.
    pub segment_cpu: Meter,
    /// Wall time of one relay round trip.
    pub relay_wall: Meter,
    pub relay_failures: u64,
    /// Raw-audio segments posted again after a lost post.
    pub relay_retries: u64,
    /// Wall time of one round trip to a limiter object (the upgrade's address check, and the
    /// address and key checks of an `auth`).
    pub limiter_wall: Meter,
    /// Upgrades refused with HTTP 429, and `auth` refused with `muitas_conexoes`.
    pub limited: u64,
    /// `auth` refused for a wrong, unknown or revoked key (charged to the address)…
    pub auth_failures: u64,
    /// …of which answered after a throttle delay.
    pub auth_delayed: u64,
}

impl EdgeStats {
    /// The JSON of `/healthz`'s `stats`, with means.
    pub fn to_json(&self) -> serde_json::Value {
        let meter = |m: &Meter| {
            serde_json::json!({
                "count": m.count,
                "total_ms": m.total_ms,
                "mean_ms": m.mean_ms(),
                "max_ms": m.max_ms,
            })
        };
        serde_json::json!({
            "sessions_started": self.sessions_started,
            "sessions_authenticated": self.sessions_authenticated,
            "frame_cpu": meter(&self.frame_cpu),
            "segment_cpu": meter(&self.segment_cpu),
            "relay_wall": meter(&self.relay_wall),
            "relay_failures": self.relay_failures,
            "relay_retries": self.relay_retries,
            "limiter_wall": meter(&self.limiter_wall),
            "limited": self.limited,
            "auth_failures": self.auth_failures,
            "auth_delayed": self.auth_delayed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meters_sum_and_report_means() {
        let mut m = Meter::default();
        assert_eq!(m.mean_ms(), 0.0);
        for v in [1.0, 3.0, -2.0, f64::NAN] {
            m.record(v);
        }
        assert_eq!((m.count, m.total_ms, m.max_ms), (4, 4.0, 3.0));
        assert_eq!(m.mean_ms(), 1.0);
        let stats = EdgeStats {
            frame_cpu: m,
            ..EdgeStats::default()
        };
        assert_eq!(stats.to_json()["frame_cpu"]["mean_ms"], 1.0);
    }
}
