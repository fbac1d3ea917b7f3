//! How speech-like the background is: Silero's probability averaged over frames that are not
//! speech. High in babble (a crowd is speech to Silero), low in music, machines and silence; the
//! front end scales its babble margins and the near-talker presence check by it.
//!
//! The average rises slowly (≈ 10 s) and falls fast (≈ 1.5 s), 10× faster in a stream's first
//! second (streams start with their background). Frames the cheap stage skipped (too quiet for
//! the gate: Silero did not run) count with probability 0, so the initial 0.5 falls in a quiet
//! shop — but, once a stream has been heard for `BACKGROUND_GAP_FROM_FRAMES`, a short run of
//! skipped frames (under `BACKGROUND_GAP_FRAMES`) counts for nothing: it is a gap inside an
//! audible background (a quiet crowd's pauses between syllables), not a silent shop.

use crate::config::{
    BACKGROUND_FALL, BACKGROUND_FAST_FRAMES, BACKGROUND_FAST_SPEEDUP, BACKGROUND_GAP_FRAMES,
    BACKGROUND_GAP_FROM_FRAMES, BACKGROUND_RISE, INITIAL_BACKGROUND_SPEECH,
};

/// Per-stream average (a few bytes).
#[derive(Debug, Clone)]
pub struct BackgroundSpeech {
    value: f32,
    /// Consecutive skipped frames up to and including the last one seen.
    skipped_run: u32,
}

impl Default for BackgroundSpeech {
    fn default() -> Self {
        Self::new()
    }
}

impl BackgroundSpeech {
    /// The average at a stream's start (`INITIAL_BACKGROUND_SPEECH`: unknown, so speech-like).
    pub fn new() -> Self {
        Self {
            value: INITIAL_BACKGROUND_SPEECH,
            skipped_run: 0,
        }
    }

    /// Forgets the stream.
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// The current average (0–1).
    pub fn value(&self) -> f32 {
        self.value
    }

    /// Counts frame `index` of the stream: `skipped` when the cheap stage skipped it (then
    /// `silero` is 0), `speech` when it was judged speech (speech is not the background).
    pub fn update(&mut self, index: u64, silero: f32, skipped: bool, speech: bool) {
        self.skipped_run = if skipped {
            self.skipped_run.saturating_add(1)
        } else {
            0
        };
        if speech {
            return;
        }
        if skipped
            && index >= BACKGROUND_GAP_FROM_FRAMES
            && self.skipped_run < BACKGROUND_GAP_FRAMES
        {
            return; // a gap inside an audible background
        }
        let speed = if index < BACKGROUND_FAST_FRAMES && !skipped {
            BACKGROUND_FAST_SPEEDUP
        } else {
            1.0
        };
        let rate = if silero > self.value {
            BACKGROUND_RISE
        } else {
            BACKGROUND_FALL
        };
        self.value += (speed * rate).min(1.0) * (silero - self.value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{BABBLE_LOW, PRESENCE_FULL};

    /// A quiet crowd: syllables Silero is sure of (0.95) for 100 ms, then 200 ms too quiet to be
    /// heard (skipped), for a minute; 12 s into the stream.
    fn quiet_crowd(b: &mut BackgroundSpeech, from: u64) -> u64 {
        let mut index = from;
        for _ in 0..200 {
            for k in 0..30 {
                let skipped = k >= 10;
                b.update(index, if skipped { 0.0 } else { 0.95 }, skipped, false);
                index += 1;
            }
        }
        index
    }

    #[test]
    fn a_quiet_crowds_gaps_do_not_make_the_background_silent() {
        let mut b = BackgroundSpeech::new();
        // 12 s of an audible crowd first.
        for i in 0..1_200 {
            b.update(i, 0.95, false, false);
        }
        let end = quiet_crowd(&mut b, 1_200);
        assert!(b.value() > PRESENCE_FULL, "{}", b.value());
        // Counted as silence (the rule before), the same gaps pull it under the babble range.
        let mut gaps_as_silence = BackgroundSpeech::new();
        for i in 0..end {
            let skipped = i >= 1_200 && (i - 1_200) % 30 >= 10;
            // A run never shorter than the gap limit: every skipped frame counts as 0.
            gaps_as_silence.skipped_run = BACKGROUND_GAP_FRAMES;
            gaps_as_silence.update(i, if skipped { 0.0 } else { 0.95 }, skipped, false);
        }
        assert!(
            gaps_as_silence.value() < PRESENCE_FULL,
            "{}",
            gaps_as_silence.value()
        );
    }

    #[test]
    fn silence_still_pulls_the_background_down() {
        // A silent shop from the first frame: the initial guess falls below the babble range.
        let mut b = BackgroundSpeech::new();
        for i in 0..300 {
            b.update(i, 0.0, true, false);
        }
        assert!(b.value() < BABBLE_LOW, "{}", b.value());
        // Later on, a long silence (longer than a gap) still counts.
        let mut b = BackgroundSpeech::new();
        for i in 0..1_200 {
            b.update(i, 0.95, false, false);
        }
        let high = b.value();
        for i in 1_200..1_500 {
            b.update(i, 0.0, true, false);
        }
        assert!(b.value() < high - 0.3, "{high} → {}", b.value());
        // Speech frames are not the background.
        let before = b.value();
        b.update(1_500, 1.0, false, true);
        assert_eq!(b.value(), before);
        b.reset();
        assert_eq!(b.value(), INITIAL_BACKGROUND_SPEECH);
    }
}
