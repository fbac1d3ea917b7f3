//! Near-talker presence: how far the raw level of the last few hundred milliseconds stands
//! above the long-run level of the background.
//!
//! A crowd of far talkers (babble) is loud frame by frame — single syllables of one far talker
//! often reach a near talker's level — but summed over a few hundred milliseconds its power
//! hardly moves, because the talkers' syllables and pauses fall at unrelated times. A near
//! talker raises that sustained power for as long as they speak. So the front end compares a
//! short average of the raw power (time constants `slow_frames` and `fast_frames`, ≈ 200 ms) with the mean power
//! of the background (time constant ≈ 5 s, over frames outside confirmed segments). Both are
//! power averages, not dB averages: babble's mean power is what a talker has to stand above.

use crate::config::{PRESENCE_BACKGROUND_FRAMES, PRESENCE_ELEVATED_DB, PRESENCE_WARMUP_FRAMES};

fn finite_power(power: f32) -> f32 {
    if power.is_finite() {
        power.max(0.0)
    } else {
        0.0
    }
}

/// Per-stream presence tracker (three floats).
#[derive(Debug, Clone)]
pub struct TalkerPresence {
    slow_rate: f32,
    fast_rate: f32,
    /// Short averages of the raw power: slow (opens a segment), fast (holds it).
    slow: f32,
    fast: f32,
    background: f32,
    frames: u32,
}

impl TalkerPresence {
    /// A tracker whose short averages have time constants of `slow_frames` and `fast_frames`
    /// 10 ms frames.
    pub fn new(slow_frames: f32, fast_frames: f32) -> Self {
        Self {
            slow_rate: 1.0 / slow_frames.max(1.0),
            fast_rate: 1.0 / fast_frames.max(1.0),
            slow: 0.0,
            fast: 0.0,
            background: 0.0,
            frames: 0,
        }
    }

    /// Forgets the stream.
    pub fn reset(&mut self) {
        self.slow = 0.0;
        self.fast = 0.0;
        self.background = 0.0;
        self.frames = 0;
    }

    /// Adds one frame of mean square `power` (i16 units squared) to the short average. Call
    /// [`TalkerPresence::learn_background`] with the same frame once it has been judged.
    pub fn update(&mut self, power: f32) {
        let power = finite_power(power);
        if self.frames == 0 {
            self.slow = power;
            self.fast = power;
            self.background = power;
        }
        self.slow += self.slow_rate * (power - self.slow);
        self.fast += self.fast_rate * (power - self.fast);
    }

    /// Lets the frame last given to [`TalkerPresence::update`] count as background when
    /// `background` (not speech, not inside a confirmed segment).
    pub fn learn_background(&mut self, power: f32, background: bool) {
        if background {
            // A sustained rise (the fast average `PRESENCE_ELEVATED_DB` above the background) is
            // probably a talker the decisions missed: learning from it at full speed would
            // raise the background to the talker and hide them. It is learnt 10× slower, so a
            // background that really got louder is still followed (in ≈ 50 s).
            let speed = if self.frames < PRESENCE_WARMUP_FRAMES {
                10.0
            } else if self.fast_db() >= PRESENCE_ELEVATED_DB {
                0.1
            } else {
                1.0
            };
            self.background += (speed / PRESENCE_BACKGROUND_FRAMES).min(1.0)
                * (finite_power(power) - self.background);
        }
        self.frames = self.frames.saturating_add(1);
    }

    /// The slow average's level above the background's mean level (dB).
    pub fn slow_db(&self) -> f32 {
        self.above_background_db(self.slow)
    }

    /// The fast average's level above the background's mean level (dB).
    pub fn fast_db(&self) -> f32 {
        self.above_background_db(self.fast)
    }

    fn above_background_db(&self, power: f32) -> f32 {
        10.0 * ((power + 1.0) / (self.background + 1.0)).log10()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sustained_rise_is_presence_a_single_loud_frame_is_not() {
        let mut p = TalkerPresence::new(20.0, 20.0);
        // A fluctuating background: one loud frame in five (babble's syllables).
        for i in 0..1_000 {
            let x = if i % 5 == 0 { 8e6 } else { 1e6 };
            p.update(x);
            p.learn_background(x, true);
        }
        assert!(p.slow_db().abs() < 2.0, "{}", p.slow_db());
        // One frame 20 dB up barely moves the short average...
        p.update(1e8);
        p.learn_background(1e8, true);
        assert!(p.slow_db() < 6.0, "{}", p.slow_db());
        // ...300 ms of a talker 8 dB above the background's mean do.
        for _ in 0..30 {
            p.update(1.4e7);
            p.learn_background(1.4e7, false);
        }
        assert!(p.slow_db() > 5.0, "{}", p.slow_db());
        p.reset();
        p.update(1e6);
        assert!(p.slow_db().abs() < 1e-3);
    }
}
