//! Adaptive energy gate: tracks the noise floor and the near-field talker's level.
//!
//! Levels are in dB re 1 LSB RMS (an i16 full-scale sine is ≈ 87 dB). The noise floor follows
//! quiet frames quickly and rises slowly (minimum statistics); the talker level follows the peaks
//! of frames the detectors call speech and decays slowly. A frame passes when it is above the
//! absolute floor, `noise_margin_db` above the noise floor and within `talker_drop_db` of the
//! talker.

use crate::config::{
    GATE_FLOOR_FALL_DB, GATE_FLOOR_FAST_FALL, GATE_FLOOR_RISE_DB, GATE_INITIAL_FLOOR_DB,
    GATE_TALKER_ATTACK, GATE_TALKER_DECAY_DB, GATE_WARMUP_FRAMES, GATE_WARMUP_SPEEDUP,
};

/// Converts an RMS value (i16 units) to dB re 1 LSB.
pub fn rms_to_db(rms: f32) -> f32 {
    20.0 * (rms.max(0.0) + 1.0).log10()
}

/// RMS of a frame of i16 samples.
pub fn frame_rms(frame: &[i16]) -> f32 {
    if frame.is_empty() {
        return 0.0;
    }
    let sum: f64 = frame.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    (sum / frame.len() as f64).sqrt() as f32
}

/// The gate's state (a few floats per stream).
#[derive(Debug, Clone)]
pub struct EnergyGate {
    floor_db: f32,
    absolute_db: f32,
    noise_margin_db: f32,
    talker_drop_db: f32,
    noise_db: f32,
    talker_db: Option<f32>,
    /// Frames seen in this stream (saturating).
    frames: u32,
}

impl EnergyGate {
    /// Creates a gate with the absolute floor `threshold_rms` and the given margins.
    pub fn new(threshold_rms: f32, noise_margin_db: f32, talker_drop_db: f32) -> Self {
        Self {
            floor_db: rms_to_db(threshold_rms),
            absolute_db: rms_to_db(threshold_rms),
            noise_margin_db,
            talker_drop_db,
            noise_db: GATE_INITIAL_FLOOR_DB,
            talker_db: None,
            frames: 0,
        }
    }

    /// Forgets the tracked levels.
    pub fn reset(&mut self) {
        self.noise_db = GATE_INITIAL_FLOOR_DB;
        self.talker_db = None;
        self.floor_db = self.absolute_db;
        self.frames = 0;
    }

    /// Current threshold in dB.
    pub fn threshold_db(&self) -> f32 {
        self.threshold_with_margin_db(self.noise_margin_db)
    }

    /// Current threshold in dB with `margin_db` above the noise floor instead of the
    /// configured margin.
    pub fn threshold_with_margin_db(&self, margin_db: f32) -> f32 {
        let mut t = self.floor_db.max(self.noise_db + margin_db);
        if let Some(talker) = self.talker_db {
            t = t.max(talker - self.talker_drop_db);
        }
        t
    }

    /// Tracked noise floor in dB.
    pub fn noise_db(&self) -> f32 {
        self.noise_db
    }

    /// Decides whether a frame at `level_db` is loud enough (before updating the trackers).
    pub fn passes(&self, level_db: f32) -> bool {
        level_db >= self.threshold_db()
    }

    /// Like [`EnergyGate::passes`] with `margin_db` above the noise floor (hysteresis).
    pub fn passes_with_margin(&self, level_db: f32, margin_db: f32) -> bool {
        level_db >= self.threshold_with_margin_db(margin_db)
    }

    /// The absolute floor in dB.
    pub fn absolute_db(&self) -> f32 {
        self.absolute_db
    }

    /// Updates the trackers for a non-speech frame whose exact level is unknown but at most
    /// `upper_db` (a skipped frame: its raw level bounds the denoised one). The noise floor
    /// only falls (as it would for any level at or below the bound); the talker level decays.
    pub fn update_quiet(&mut self, upper_db: f32) {
        if upper_db.is_finite() && upper_db < self.noise_db {
            self.update(upper_db, false);
        } else {
            let noise = self.noise_db;
            self.update(noise, false);
        }
    }

    /// Updates the trackers with a frame's level and whether the frame was finally judged speech.
    pub fn update(&mut self, level_db: f32, is_speech: bool) {
        let level_db = if level_db.is_finite() { level_db } else { 0.0 };
        let speed = if self.frames < GATE_WARMUP_FRAMES {
            GATE_WARMUP_SPEEDUP
        } else {
            1.0
        };
        self.frames = self.frames.saturating_add(1);
        let gap = level_db - self.noise_db;
        if gap < -20.0 {
            self.noise_db += GATE_FLOOR_FAST_FALL * gap;
        } else if gap < 0.0 {
            self.noise_db -= (speed * GATE_FLOOR_FALL_DB).min(-gap);
        } else {
            self.noise_db += (speed * GATE_FLOOR_RISE_DB).min(gap);
        }
        match (&mut self.talker_db, is_speech) {
            (None, true) => self.talker_db = Some(level_db),
            (Some(t), true) if level_db > *t => *t += GATE_TALKER_ATTACK * (level_db - *t),
            (Some(t), _) => *t -= GATE_TALKER_DECAY_DB,
            (None, false) => {}
        }
        if let Some(t) = self.talker_db
            && t < self.noise_db
        {
            self.talker_db = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floor_tracks_stationary_noise_and_talker_rejects_far_speech() {
        let mut g = EnergyGate::new(300.0, 9.0, 20.0);
        for _ in 0..500 {
            g.update(45.0, false);
        }
        assert!((g.noise_db() - 45.0).abs() < 1.0);
        assert!(!g.passes(50.0));
        assert!(g.passes(80.0));
        for _ in 0..100 {
            g.update(80.0, true);
        }
        // A far talker 25 dB below the near one is gated.
        assert!(!g.passes(55.0));
        assert!(g.passes(70.0));
    }

    #[test]
    fn the_floor_reaches_background_noise_within_the_first_second() {
        let mut g = EnergyGate::new(300.0, 12.0, 30.0);
        // Babble-like background around 58 dB from the first frame: in 1 s the floor is near it
        // (at the normal rate it would still be ≈ 35 dB, and every babble frame would pass).
        for i in 0..100 {
            g.update(if i % 5 == 0 { 52.0 } else { 60.0 }, false);
        }
        assert!(g.noise_db() > 50.0, "floor {}", g.noise_db());
        assert!(!g.passes(62.0));
        // After warm-up it moves at the normal rate again: 1 s of louder frames raises it ≤ 5 dB.
        let before = g.noise_db();
        for _ in 0..100 {
            g.update(80.0, false);
        }
        assert!(g.noise_db() - before <= 5.0 + 1e-3);
        // A reset starts a new warm-up.
        g.reset();
        assert!(g.noise_db() < 31.0);
    }

    #[test]
    fn a_lower_margin_holds_frames_the_opening_margin_refuses() {
        let mut g = EnergyGate::new(300.0, 12.0, 30.0);
        for _ in 0..300 {
            g.update(50.0, false);
        }
        let floor = g.noise_db();
        assert!(!g.passes(floor + 10.0));
        assert!(g.passes_with_margin(floor + 10.0, 8.0));
        assert!(!g.passes_with_margin(floor + 7.0, 8.0));
    }

    #[test]
    fn absolute_floor_applies_in_silence() {
        let g = EnergyGate::new(300.0, 9.0, 20.0);
        assert!(!g.passes(rms_to_db(250.0)));
        assert!(g.passes(rms_to_db(400.0)));
    }
}
