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
//!
//! The background is learnt 10× faster in a stream's first second (streams start with their
//! background). When a near talker speaks from the first frame that would learn the talker:
//! if the sustained level swings like a talker's (`cold_start_swing_db`), the first second
//! learns only the stream's quietest frames fast — the floor under the talker's words.

use crate::config::{
    COLD_DIP_SPEEDUP, COLD_SWING_FROM_FRAMES, PRESENCE_BACKGROUND_FRAMES, PRESENCE_ELEVATED_DB,
    PRESENCE_WARMUP_FRAMES,
};

fn finite_power(power: f32) -> f32 {
    if power.is_finite() {
        power.max(0.0)
    } else {
        0.0
    }
}

/// Per-stream presence tracker (a few floats).
#[derive(Debug, Clone)]
pub struct TalkerPresence {
    slow_rate: f32,
    fast_rate: f32,
    /// Short averages of the raw power: slow (opens a segment), fast (holds it).
    slow: f32,
    fast: f32,
    /// The background's mean power in use.
    background: f32,
    /// During the warm-up, the two candidates for it: learnt from every background frame (a
    /// crowd: its mean power), and learnt fast only from the stream's quietest frames (a near
    /// talker from the first frame: the floor under their words).
    background_all: f32,
    background_dips: f32,
    /// Highest and lowest slow average (dB) seen in the warm-up.
    swing_max_db: f32,
    swing_min_db: f32,
    /// The warm-up's sustained level swung by `swing_db` or more: a near talker, not a crowd.
    talker_start: bool,
    /// Swing (dB) that marks a near talker at the stream's start (negative: never).
    swing_db: f32,
    frames: u32,
}

impl TalkerPresence {
    /// A tracker whose short averages have time constants of `slow_frames` and `fast_frames`
    /// 10 ms frames; `swing_db` is [`crate::FrontEndConfig::cold_start_swing_db`].
    pub fn new(slow_frames: f32, fast_frames: f32, swing_db: f32) -> Self {
        Self {
            slow_rate: 1.0 / slow_frames.max(1.0),
            fast_rate: 1.0 / fast_frames.max(1.0),
            slow: 0.0,
            fast: 0.0,
            background: 0.0,
            background_all: 0.0,
            background_dips: 0.0,
            swing_max_db: f32::NEG_INFINITY,
            swing_min_db: f32::INFINITY,
            talker_start: false,
            swing_db,
            frames: 0,
        }
    }

    /// Forgets the stream.
    pub fn reset(&mut self) {
        self.slow = 0.0;
        self.fast = 0.0;
        self.background = 0.0;
        self.background_all = 0.0;
        self.background_dips = 0.0;
        self.swing_max_db = f32::NEG_INFINITY;
        self.swing_min_db = f32::INFINITY;
        self.talker_start = false;
        self.frames = 0;
    }

    /// Whether the stream's first second looked like a near talker rather than a crowd.
    pub fn talker_start(&self) -> bool {
        self.talker_start
    }

    /// Adds one frame of mean square `power` (i16 units squared) to the short average. Call
    /// [`TalkerPresence::learn_background`] with the same frame once it has been judged.
    pub fn update(&mut self, power: f32) {
        let power = finite_power(power);
        if self.frames == 0 {
            self.slow = power;
            self.fast = power;
            self.background = power;
            self.background_all = power;
            self.background_dips = power;
        }
        self.slow += self.slow_rate * (power - self.slow);
        self.fast += self.fast_rate * (power - self.fast);
        if self.frames < PRESENCE_WARMUP_FRAMES && self.frames >= COLD_SWING_FROM_FRAMES {
            let db = 10.0 * (self.slow + 1.0).log10();
            self.swing_max_db = self.swing_max_db.max(db);
            self.swing_min_db = self.swing_min_db.min(db);
            if self.swing_db >= 0.0 && self.swing_max_db - self.swing_min_db >= self.swing_db {
                self.talker_start = true;
            }
        }
    }

    /// Lets the frame last given to [`TalkerPresence::update`] count as background when
    /// `background` (not speech, not inside a confirmed segment); `dip` says whether it is one
    /// of the stream's quietest frames (near the recent minimum of the raw level).
    pub fn learn_background(&mut self, power: f32, background: bool, dip: bool) {
        let power = finite_power(power);
        if self.frames < PRESENCE_WARMUP_FRAMES {
            // Streams start with their background, so it is learnt 10× faster in the first
            // second — but a near talker may speak from the first frame. A crowd's sustained
            // level hardly moves, a talker's swings between words and the floor under them:
            // until the level has swung that far, the background is the mean power of
            // everything heard (a crowd); once it has, only the quietest frames count fast.
            let rate = 10.0 / PRESENCE_BACKGROUND_FRAMES;
            if background {
                self.background_all += rate * (power - self.background_all);
            }
            if background && dip {
                self.background_dips += (COLD_DIP_SPEEDUP / PRESENCE_BACKGROUND_FRAMES)
                    * (power - self.background_dips);
            } else if background {
                let slow = if self.fast_db_over(self.background_dips) >= PRESENCE_ELEVATED_DB {
                    0.1
                } else {
                    1.0
                };
                self.background_dips +=
                    (slow / PRESENCE_BACKGROUND_FRAMES) * (power - self.background_dips);
            }
            // The floor under a talker's words is never louder than everything heard.
            self.background_dips = self.background_dips.min(self.background_all);
            self.background = if self.talker_start {
                self.background_dips
            } else {
                self.background_all
            };
        } else if background {
            // A sustained rise (the fast average `PRESENCE_ELEVATED_DB` above the background) is
            // probably a talker the decisions missed: learning from it at full speed would
            // raise the background to the talker and hide them. It is learnt 10× slower, so a
            // background that really got louder is still followed (in ≈ 50 s).
            let speed = if self.fast_db() >= PRESENCE_ELEVATED_DB {
                0.1
            } else {
                1.0
            };
            self.background += (speed / PRESENCE_BACKGROUND_FRAMES) * (power - self.background);
        }
        self.frames = self.frames.saturating_add(1);
    }

    fn fast_db_over(&self, background: f32) -> f32 {
        10.0 * ((self.fast + 1.0) / (background + 1.0)).log10()
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
        let mut p = TalkerPresence::new(20.0, 20.0, -1.0);
        // A fluctuating background: one loud frame in five (babble's syllables).
        for i in 0..1_000 {
            let x = if i % 5 == 0 { 8e6 } else { 1e6 };
            p.update(x);
            p.learn_background(x, true, true);
        }
        assert!(p.slow_db().abs() < 2.0, "{}", p.slow_db());
        // One frame 20 dB up barely moves the short average...
        p.update(1e8);
        p.learn_background(1e8, true, false);
        assert!(p.slow_db() < 6.0, "{}", p.slow_db());
        // ...300 ms of a talker 8 dB above the background's mean do.
        for _ in 0..30 {
            p.update(1.4e7);
            p.learn_background(1.4e7, false, false);
        }
        assert!(p.slow_db() > 5.0, "{}", p.slow_db());
        p.reset();
        p.update(1e6);
        assert!(p.slow_db().abs() < 1e-3);
    }

    /// A near talker from the stream's first 50 ms: words (300 ms, 20 dB up) over a quiet floor,
    /// 500 ms apart. Learnt like a crowd, the first second's background takes the talker in; with
    /// the swing seen, it stays at the floor and the talker's next word stands out.
    #[test]
    fn a_talker_from_the_first_frame_is_not_learnt_as_the_background() {
        let run = |swing_db: f32| {
            let mut p = TalkerPresence::new(20.0, 20.0, swing_db);
            for i in 0..100 {
                // 50 ms of the floor first (the stream opens mid-pause), then words.
                let talking = i >= 5 && (i - 5) % 80 < 30;
                let x = if talking { 1e7 } else { 1e5 };
                p.update(x);
                // The near talker is not judged speech yet (the presence check holds it back).
                p.learn_background(x, true, !talking);
            }
            for _ in 0..30 {
                p.update(1e7);
                p.learn_background(1e7, false, false);
            }
            (p.talker_start(), p.slow_db())
        };
        let (seen, above) = run(9.0);
        assert!(seen);
        assert!(above > 10.0, "{above}");
        let (seen, above) = run(-1.0);
        assert!(!seen);
        assert!(above < 6.0, "{above}");
        // A crowd whose sustained level hardly moves keeps the first second's mean power.
        let mut p = TalkerPresence::new(20.0, 20.0, 9.0);
        for i in 0..200 {
            let x = if i % 5 == 0 { 8e6 } else { 1e6 };
            p.update(x);
            p.learn_background(x, true, i % 5 != 0);
        }
        assert!(!p.talker_start());
        assert!(p.slow_db().abs() < 2.0, "{}", p.slow_db());
    }
}
