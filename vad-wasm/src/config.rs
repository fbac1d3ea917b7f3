//! Front-end configuration: every tunable with its default and the reason for it.

use balto_core::settings::VAD_ENERGY_THRESHOLD;
use serde::{Deserialize, Serialize};

/// Samples in one 10 ms analysis frame at 16 kHz.
pub const FRAME_SAMPLES: usize = 160;
/// Milliseconds per analysis frame.
pub const FRAME_MS: u32 = 10;

/// A configuration value outside its valid range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// WebRTC VAD aggressiveness must be 0..=3.
    #[error("vad_mode must be 0..=3, got {0}")]
    VadMode(u8),
    /// A level or probability that must be a finite number in its range.
    #[error("{name} must be finite and within {min}..={max}, got {value}")]
    OutOfRange {
        /// Field name.
        name: &'static str,
        /// Value given.
        value: f32,
        /// Lowest accepted value.
        min: f32,
        /// Highest accepted value.
        max: f32,
    },
    /// Durations that contradict each other.
    #[error("inconsistent durations: {0}")]
    Durations(&'static str),
}

/// Tunables of [`crate::FrontEnd`]. All durations are in milliseconds and are rounded down to
/// whole 10 ms frames. Defaults were chosen on the dev set plus generated sets with other seeds
/// (see the crate README for the measurements).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FrontEndConfig {
    /// WebRTC VAD aggressiveness 0..=3. Default 2: mode 3 loses soft word onsets/endings in the
    /// denoised signal while the energy gate and RNNoise probability already reject the noise
    /// that mode 3 would.
    pub vad_mode: u8,
    /// Run WebRTC VAD on the denoised audio (true) or the raw audio (false). Default true:
    /// on raw audio it fires on HVAC rumble and printer bursts that RNNoise removes.
    pub vad_on_cleaned: bool,
    /// Absolute floor of the energy gate in RMS of i16 samples (the seed's
    /// `VAD_ENERGY_THRESHOLD`). Default 300 (≈ −41 dBFS): quieter frames are never speech at a
    /// counter microphone.
    pub energy_threshold_rms: f32,
    /// To open a segment when the background is babble (Silero hears speech in it), a frame
    /// must be this many dB above the tracked noise floor (a running 20th percentile of frame
    /// levels, which sits inside continuous babble). Default 10 dB, with the talker-presence
    /// check (`talker_presence_db`) doing most of the babble rejection: on the babble tuning
    /// seeds 103 + 104, 15 / 10 dB with presence kept 0.84 of the near talker at >= 5 dB SNR,
    /// 10 / 6 dB 0.91 (babble flagged 0.06 → 0.07); without presence 15 / 10 dB was needed
    /// (flagged 0.24, 217 false segments per hour of babble alone). Without the Silero stage
    /// this margin always applies.
    pub noise_margin_db: f32,
    /// While a segment is open in babble, a frame needs only this many dB above the noise
    /// floor (hysteresis). Default 6 dB (see `noise_margin_db`).
    pub hold_margin_db: f32,
    /// A frame may be at most this many dB below the tracked near-field talker level. Default
    /// 30 dB: far talkers (babble) are much quieter than the customer at the counter, while a
    /// talker's own soft syllables stay within this range of their peaks.
    pub talker_drop_db: f32,
    /// Minimum RNNoise speech probability for a frame to count as speech. Default 0.2: Silero
    /// now rejects tonal beeps and printer bursts, and a loud impact over speech (a cash
    /// drawer) pulls RNNoise's probability to ≈ 0.1 while Silero still hears the talker. On
    /// tuning seeds 101 / 102, 0.5 → 0.2 raised non-babble capture 0.985 → 0.987 / 0.979 →
    /// 0.981 (drawer at >= 5 dB on seed 101 0.980 → 0.990) for ≤ 0.1 point of F1; no new
    /// segment on noise alone. With `silero: false` RNNoise's vote is the only learned one:
    /// use 0.5 there (it rejects tonal beeps and printer bursts that WebRTC's GMM accepts).
    pub min_speech_probability: f32,
    /// Audio kept before the first speech frame. Default 80 ms: covers the onset lag of the
    /// detectors (capture fell below 0.99 on HVAC at 60 ms) without billing much silence.
    pub pre_roll_ms: u32,
    /// A pause this long ends a segment. Default 250 ms: longer than pauses between words in a
    /// sentence; 400 ms billed the pauses between phrases (F1 0.970 → 0.988 on the dev set).
    pub hangover_ms: u32,
    /// Audio kept after the last speech frame of a segment. Default 60 ms: word-final decays
    /// (20 → 60 ms raised capture 0.983 → 0.988 on seed 101 for 0.3 points of F1; 100 ms cost
    /// another 0.3).
    pub tail_ms: u32,
    /// Longest tail (adaptive tail): after the last speech frame, the segment runs on over an
    /// unbroken run of frames where speech goes on — Silero ≥ `TAIL_SILERO` and RNNoise ≥
    /// `TAIL_RNNOISE` or the level within `TAIL_DECAY_DB` of the last speech frame's, though the
    /// gate or WebRTC refused them (word-final decays under the absolute floor) — up to this long;
    /// never shorter than `tail_ms`. Default 150 ms (tuning seeds, non-babble capture / F1 / lowest
    /// kind F1 at ≥ 5 dB): 101 0.988 / 0.976 / 0.970 → 0.990 / 0.977 / 0.970, 102 0.983 / 0.973 /
    /// 0.966 → 0.985 / 0.974 / 0.967, 105 0.978 → 0.981, 106 0.979 → 0.982 (radio 0.972 → 0.971),
    /// babble flagged + 0.01 (0.082 → 0.093 on 101); no new false segments (a tail cannot open
    /// one). 100 ms: 0.989 / 0.983; 200 ms: same capture as 150, radio 0.969 / 0.966. 0 turns it
    /// off.
    pub tail_max_ms: u32,
    /// Speech frames needed (with gaps shorter than the hang-over) before a segment opens.
    /// Default 300 ms: beeps (80–200 ms, smeared by the detectors) and clicks stay below it
    /// (200 ms let one beep per ~4 minutes through); a short word such as "sim" is about this
    /// long, so this is the setting to lower first if one-word answers are dropped.
    pub min_speech_ms: u32,
    /// Longest segment sent to STT. Default 15 000 ms: well inside Whisper's 30 s window and
    /// keeps latency bounded for a talker who never pauses.
    pub max_segment_ms: u32,
    /// When a segment reaches `max_segment_ms`, cut at the quietest frame within this window
    /// before the limit. Default 2 000 ms: long enough to contain a breath or word gap.
    pub cut_search_ms: u32,
    /// Emit a [`crate::Event::Frame`] for every frame (UI meters). Default false.
    pub emit_frame_events: bool,
    /// Run the learned stage, Silero VAD v6.2 (32 ms chunks of raw audio), and require its
    /// probability for a frame to be speech. Default true.
    pub silero: bool,
    /// Silero probability a frame needs to open a segment (and while none is open).
    pub silero_threshold: f32,
    /// Silero probability a frame needs while a segment is open (hysteresis). Default 0.5, the
    /// opening threshold (the gate's margins keep their hysteresis): Silero's probability
    /// lingers at 0.4–0.7 on music after a talker stops, and with Silero's own 0.35 segments
    /// ran on into it. On tuning seeds 101 / 102, 0.35 → 0.5 raised non-babble F1 0.974 →
    /// 0.976 / 0.971 → 0.973 and capture 0.981 → 0.983 on seed 102 (unchanged on 101), and
    /// removed the one false segment of seed 101's idle stream.
    pub silero_hold_threshold: f32,
    /// Run RNNoise at all. When false nothing is denoised: the VAD and the gate see raw audio,
    /// RNNoise's probability is not a voter, and segments carry raw audio.
    pub rnnoise: bool,
    /// Segments carry the denoised audio (true) or the raw audio (false). Default false:
    /// Whisper made fewer errors on raw noisy speech than on RNNoise's output (docs/benchmarks.md,
    /// `stt_denoise_wer`); RNNoise still serves the decisions.
    pub send_denoised: bool,
    /// Margin above the noise floor to open a segment when the background does not sound like
    /// speech to Silero (music, machines, silence): Silero already rejects such noise, so the
    /// gate only needs the talker to stand out a little. With a speech-like background
    /// (babble) the gate uses `noise_margin_db` / `hold_margin_db`; in between it interpolates.
    pub nonspeech_margin_db: f32,
    /// Like `nonspeech_margin_db`, while a segment is open.
    pub nonspeech_hold_margin_db: f32,
    /// The cheap stage: an input frame is "maybe speech" when its raw level is this many dB
    /// above the tracked raw noise floor (and not far under the absolute floor); RNNoise,
    /// WebRTC VAD and Silero run only around such frames or inside a segment.
    pub maybe_margin_db: f32,
    /// Skip resampling, RNNoise and WebRTC VAD on input frames whose raw level is more than
    /// [`SKIP_MARGIN_DB`] below `energy_threshold_rms` once [`SKIP_AFTER_FRAMES`] such frames
    /// followed each other and no segment is open (such frames can never pass the energy gate).
    /// Their "cleaned" audio is the raw audio, delayed like the denoised path (it can only reach
    /// STT as pre-roll), and RNNoise replays the last 40 ms of raw audio when a louder frame
    /// arrives. Default true: this is most of the front end's cost in a quiet shop.
    pub skip_quiet_frames: bool,
    /// In a speech-like background (babble), a frame opens a segment only while the raw level
    /// averaged over the last `presence_ms` stands this many dB above the background's mean
    /// power (`presence.rs`): a crowd's sustained power hardly moves, a near talker's does.
    /// Scaled by how speech-like the background is (0 in music, machines, silence). Default
    /// 6 dB (hold 3): on the babble tuning seeds 103 + 104, 4 / 2 dB left 22 false segments
    /// per hour of loud babble alone, 6 / 3 dB none; 7 dB lost a fifth of the talker at 5 dB.
    /// -20 turns the check off.
    pub talker_presence_db: f32,
    /// Like `talker_presence_db`, while a segment is open. Default 3 dB.
    pub talker_presence_hold_db: f32,
    /// Time constant of the average `talker_presence_db` is measured on (ms).
    pub presence_ms: u32,
    /// Time constant of the average `talker_presence_hold_db` is measured on (ms).
    pub presence_hold_ms: u32,
    /// Onset look-back: a segment that opens starts at the earliest of the frames just before
    /// it (up to this long) that met the criteria holding a segment open, then `pre_roll_ms`
    /// before that. The opening criteria confirm an onset; the hold criteria find where it began.
    /// Default 300 ms: in babble, where opening is strict, it gave back 0.5–1 point of the near
    /// talker's capture (tuning seeds 103 + 104); elsewhere it changes almost nothing. 0 turns
    /// it off.
    pub lookback_ms: u32,
    /// Words said one by one ("um, dois, três…": the digits of a CPF or a phone number) are
    /// each shorter than `min_speech_ms`, and the pauses between them longer than the
    /// hang-over. A candidate holding at least this much speech that Silero is sure of
    /// (probability >= `WORD_SILERO`, a word) is kept through such a pause, up to
    /// `word_gap_ms`, and the next word's speech counts towards `min_speech_ms`; once
    /// confirmed, each word goes out as a segment of its own (the pauses are not billed).
    /// Default 100 ms: on the cold-start clips of tuning seeds 107 / 108 (half of them words
    /// one by one) it raised non-babble capture 0.840 → 0.917 / 0.853 → 0.913 (with
    /// `cold_start_swing_db`); 150 ms 0.913 / 0.912. Counting every speech frame instead of
    /// the sure ones left 2 false segments in the speech clips of seeds 101 and 102 each
    /// (drawer, mixture: a noise burst kept waiting, then sent when the talker spoke); counting
    /// sure frames, none, and every tuning set's figures are unchanged or better. 0 turns it
    /// off (as does a value >= `min_speech_ms`, or a `word_gap_ms` not longer than the
    /// hang-over).
    pub min_word_ms: u32,
    /// Longest pause between two words said one by one (see `min_word_ms`). Default 1500 ms:
    /// the generated words come 0.25–0.9 s apart plus their own silences; on seed 107 (150 ms
    /// words, every speech frame counted) 1000 ms left capture at 0.876, 1200 ms 0.908, 1500
    /// and 2000 ms 0.918.
    pub word_gap_ms: u32,
    /// A near talker from a stream's very first frame (a counter page opened while the customer
    /// talks): in the first second the presence check's background is learnt fast from
    /// everything heard, as if it were a crowd, unless the sustained level (the 200 ms average
    /// of the raw power, from the 10th frame on) swings by this many dB — a talker's words
    /// against the floor under them; a crowd's sustained level hardly moves. Then only the
    /// stream's quietest frames (within `COLD_DIP_DB` of the recent minimum, never above the
    /// mean of everything) are learnt fast, and the talker stands out. Default 9 dB: the first
    /// second of the babble of tuning seeds 101–106 (before any near talker) swung 7.9 dB at
    /// most; 9 dB raised the cold-start non-babble capture of seeds 107 / 108 from 0.714 /
    /// 0.724 to 0.840 / 0.853 with every tuning set's babble unchanged; 7 and 8 dB gained
    /// nothing more and flagged more babble (seed 103: 0.077 → 0.093 / 0.086). Learning the
    /// quietest frames only, without this test (every stream), flagged 0.24 of seed 103's
    /// babble. Much of the swing a cold start shows is its rise out of the first frames (the
    /// generated talkers start 0–100 ms in): counted from the 20th frame, capture fell to 0.80.
    /// Negative turns it off. **Default off (−1)**: scored on held-out seed 501 (2026-12-07),
    /// 9 dB let loud babble alone open 14 segments in 10 minutes (84 per noise-hour against 0
    /// without it; the bar is 5) while raising cold-start capture 0.82 → 0.95: some
    /// crowds swing more than the tuning seeds' in their first second. Worth turning on where
    /// the shop has no crowd noise; not a safe default.
    pub cold_start_swing_db: f32,
}

/// How far (dB) below the absolute energy floor a raw frame must be to be skipped.
pub const SKIP_MARGIN_DB: f32 = 3.0;
/// Consecutive quiet input frames required before frames are skipped.
pub const SKIP_AFTER_FRAMES: u32 = 3;

/// Background Silero probability (averaged outside segments) at which the gate starts to
/// treat the background as babble, and at which it fully does.
pub const BABBLE_LOW: f32 = 0.15;
pub const BABBLE_HIGH: f32 = 0.45;
/// Background average at which the near-talker presence check applies in full (it starts at
/// `BABBLE_LOW`; music, machines and silence stay below 0.18 on the tuning seeds).
pub const PRESENCE_FULL: f32 = 0.25;
/// The background average at a stream's start: unknown, so treated as speech-like (babble)
/// until Silero has heard it; in an audible non-speech background it falls below `BABBLE_LOW`
/// within ≈ 200 ms (10× faster in the first second), in silence within ≈ 1.8 s.
pub const INITIAL_BACKGROUND_SPEECH: f32 = 0.5;

/// Per-frame rates of the background average: rising over ≈ 10 s, falling over ≈ 1.5 s.
pub const BACKGROUND_RISE: f32 = 1.0 / 1000.0;
pub const BACKGROUND_FALL: f32 = 1.0 / 150.0;
/// The background average learns this much faster over a stream's first
/// `BACKGROUND_FAST_FRAMES` frames (streams start with their background), except from frames
/// the cheap stage skipped (more than `SKIP_MARGIN_DB` under the absolute floor): those still
/// pull it down, at the normal rate, so after a silent second it stands near `PRESENCE_FULL`
/// instead of ≈ 0. Babble starting after a silent second is then judged as babble from its start:
/// on tuning seed 102 that was the one false segment on quiet babble alone (babble clips of seeds
/// 101–104: 1.2 → 0 per hour, flagged at ≥ 5 dB 0.078 → 0.069); non-babble figures of seeds
/// 101 / 102 and the dev set unchanged. Withholding the speed-up from every frame under the
/// absolute floor (not only skipped ones) cost the dev set's talker after a quiet second their
/// first words (silence at 10 dB: capture 0.999 → 0.884).
pub const BACKGROUND_FAST_SPEEDUP: f32 = 10.0;
pub const BACKGROUND_FAST_FRAMES: u64 = 100;
/// A run of skipped frames shorter than this (300 ms), once the stream is
/// `BACKGROUND_GAP_FROM_FRAMES` old, does not move the background average (`background_speech.rs`):
/// it is a gap between a quiet crowd's syllables, not a silent shop. Counted as Silero 0, the gaps
/// of babble at −26 dBFS peak pulled the average to 0.10–0.20, under the babble range, and the
/// crowd's syllables just above the absolute floor opened segments. Babble alone, six hours quiet
/// (tuning seeds 109–114): 0 / 2 / 3 / 3 / 1 / 4 → 0 / 0 / 1 / 0 / 0 / 1 segments per quiet hour,
/// loud unchanged; tuning seeds 101 / 102 / 115 identical to the third decimal; cold starts (seed
/// 107) capture 0.790 → 0.789. 15 / 20 frames: the same on babble (seed 112 quiet: 1 / 0).
/// Every skipped frame neutral (no run limit) kept the initial 0.5 up through the silent gaps
/// of beeps, doors, drawers and phones: seed 102 capture 0.983 → 0.965 (radio at 0 dB 0.83 →
/// 0.69); every skipped frame at 0.15 of the rate: 0.983 → 0.973.
pub const BACKGROUND_GAP_FRAMES: u32 = 30;
/// Frame from which short gaps stop counting (10 s). From frame 0 the cold starts' talker
/// pauses no longer pulled the initial 0.5 down: cold-start capture (seed 107) 0.790 → 0.756;
/// from 3 s 0.759, from 5 s 0.779, from 10 s 0.789 (quiet babble the same at each).
pub const BACKGROUND_GAP_FROM_FRAMES: u64 = 1_000;

/// RNNoise runs on a stream's first second whatever Silero says: the gate's noise floor learns
/// the background from denoised levels then.
pub const RNNOISE_WARMUP_FRAMES: u64 = 100;
/// Silero probability (the larger of the last two chunks) above which RNNoise runs.
pub const RNNOISE_WAKE: f32 = 0.2;
/// Near-talker presence: a fast average this far above the background (dB) is probably a
/// talker the decisions missed, and is learnt into the background 10× slower.
pub const PRESENCE_ELEVATED_DB: f32 = 2.0;
/// Longest run of frames not meeting the hold criteria the onset look-back steps over.
pub const LOOKBACK_GAP_FRAMES: usize = 8;

impl Default for FrontEndConfig {
    fn default() -> Self {
        Self {
            vad_mode: 2,
            vad_on_cleaned: true,
            // The one default of `VAD_ENERGY_THRESHOLD`, from core's settings table (core's
            // tests parse every numeric default).
            energy_threshold_rms: VAD_ENERGY_THRESHOLD.default_number().unwrap_or(f32::NAN),
            noise_margin_db: 10.0,
            hold_margin_db: 6.0,
            talker_drop_db: 30.0,
            min_speech_probability: 0.2,
            pre_roll_ms: 80,
            hangover_ms: 250,
            tail_ms: 60,
            tail_max_ms: 150,
            min_speech_ms: 300,
            max_segment_ms: 15_000,
            cut_search_ms: 2_000,
            emit_frame_events: false,
            skip_quiet_frames: true,
            silero: true,
            silero_threshold: 0.5,
            silero_hold_threshold: 0.5,
            rnnoise: true,
            send_denoised: false,
            maybe_margin_db: 3.0,
            nonspeech_margin_db: 6.0,
            nonspeech_hold_margin_db: 3.0,
            talker_presence_db: 6.0,
            talker_presence_hold_db: 3.0,
            presence_ms: 200,
            presence_hold_ms: 200,
            lookback_ms: 300,
            min_word_ms: 100,
            word_gap_ms: 1_500,
            cold_start_swing_db: -1.0,
        }
    }
}

fn check(name: &'static str, value: f32, min: f32, max: f32) -> Result<(), ConfigError> {
    if value.is_finite() && (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(ConfigError::OutOfRange {
            name,
            value,
            min,
            max,
        })
    }
}

/// Converts milliseconds to whole frames.
pub(crate) fn frames(ms: u32) -> usize {
    (ms / FRAME_MS) as usize
}

impl FrontEndConfig {
    /// Checks every field; [`crate::FrontEnd::new`] calls this.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.vad_mode > 3 {
            return Err(ConfigError::VadMode(self.vad_mode));
        }
        // The bounds of `VAD_ENERGY_THRESHOLD` in core's settings table.
        let (min, max) = VAD_ENERGY_THRESHOLD.range().unwrap_or((0.0, 0.0));
        check(
            "energy_threshold_rms",
            self.energy_threshold_rms,
            min as f32,
            max as f32,
        )?;
        check("noise_margin_db", self.noise_margin_db, 0.0, 60.0)?;
        check(
            "hold_margin_db",
            self.hold_margin_db,
            0.0,
            self.noise_margin_db,
        )?;
        check("talker_drop_db", self.talker_drop_db, 0.0, 120.0)?;
        check("silero_threshold", self.silero_threshold, 0.0, 1.0)?;
        check(
            "silero_hold_threshold",
            self.silero_hold_threshold,
            0.0,
            self.silero_threshold,
        )?;
        check("maybe_margin_db", self.maybe_margin_db, 0.0, 60.0)?;
        check("nonspeech_margin_db", self.nonspeech_margin_db, 0.0, 60.0)?;
        check(
            "nonspeech_hold_margin_db",
            self.nonspeech_hold_margin_db,
            0.0,
            self.nonspeech_margin_db,
        )?;
        check("talker_presence_db", self.talker_presence_db, -20.0, 40.0)?;
        check(
            "talker_presence_hold_db",
            self.talker_presence_hold_db,
            -20.0,
            self.talker_presence_db,
        )?;
        for ms in [self.presence_ms, self.presence_hold_ms] {
            if frames(ms) == 0 || ms > 10_000 {
                return Err(ConfigError::Durations(
                    "presence_ms and presence_hold_ms must be 10..=10000",
                ));
            }
        }
        check("cold_start_swing_db", self.cold_start_swing_db, -1.0, 60.0)?;
        if self.word_gap_ms > 10_000 {
            return Err(ConfigError::Durations("word_gap_ms must be <= 10000"));
        }
        if self.lookback_ms > 5_000 {
            return Err(ConfigError::Durations("lookback_ms must be <= 5000"));
        }
        check(
            "min_speech_probability",
            self.min_speech_probability,
            0.0,
            1.0,
        )?;
        if frames(self.min_speech_ms) == 0 {
            return Err(ConfigError::Durations("min_speech_ms must be >= 10"));
        }
        if frames(self.hangover_ms) == 0 {
            return Err(ConfigError::Durations("hangover_ms must be >= 10"));
        }
        if self.tail_ms > self.hangover_ms {
            return Err(ConfigError::Durations("tail_ms must be <= hangover_ms"));
        }
        if self.tail_max_ms > self.hangover_ms {
            return Err(ConfigError::Durations("tail_max_ms must be <= hangover_ms"));
        }
        if self.pre_roll_ms > 5_000 {
            return Err(ConfigError::Durations("pre_roll_ms must be <= 5000"));
        }
        if self.max_segment_ms > 600_000 {
            return Err(ConfigError::Durations("max_segment_ms must be <= 600000"));
        }
        if frames(self.cut_search_ms) == 0 || self.cut_search_ms >= self.max_segment_ms {
            return Err(ConfigError::Durations(
                "cut_search_ms must be >= 10 and < max_segment_ms",
            ));
        }
        // Summed in u64: each field comes from user JSON and may be near u32::MAX.
        let needed = u64::from(self.min_speech_ms)
            + u64::from(self.pre_roll_ms)
            + u64::from(self.hangover_ms);
        if u64::from(self.max_segment_ms) < needed {
            return Err(ConfigError::Durations(
                "max_segment_ms must be >= pre_roll_ms + min_speech_ms + hangover_ms",
            ));
        }
        Ok(())
    }
}

// The energy gate's trackers (`energy_gate.rs`).

/// Noise floor rise per frame when a frame is above it (dB): 5 dB/s.
pub const GATE_FLOOR_RISE_DB: f32 = 0.05;
/// Noise floor fall per frame when a frame is below it (dB). With the rise this makes the floor
/// a running 20th percentile (0.05 / (0.05 + 0.2)) of all frame levels: the floor sits in the
/// pauses of the near talker, but inside continuous background such as babble.
pub const GATE_FLOOR_FALL_DB: f32 = 0.2;
/// Fraction of the gap closed per frame when a frame is far (> 20 dB) below the floor.
pub const GATE_FLOOR_FAST_FALL: f32 = 0.3;
/// Fraction of the gap closed per frame when a speech frame exceeds the talker level.
pub const GATE_TALKER_ATTACK: f32 = 0.2;
/// Talker level decay per frame (dB): 1 dB/s, so a pause of a few seconds keeps the reference.
pub const GATE_TALKER_DECAY_DB: f32 = 0.01;
/// Initial noise floor (dB): a quiet room, so the first seconds are not all "above floor".
pub const GATE_INITIAL_FLOOR_DB: f32 = 30.0;
/// Frames at the start of a stream during which the floor moves faster (same percentile).
pub const GATE_WARMUP_FRAMES: u32 = 100;
/// Speed-up of the floor's rise and fall during warm-up.
pub const GATE_WARMUP_SPEEDUP: f32 = 10.0;

// Near-talker presence (`presence.rs`).

/// Time constant of the background's mean power (frames): ≈ 5 s.
pub const PRESENCE_BACKGROUND_FRAMES: f32 = 500.0;
/// Frames at the start of a stream during which the background is learned 10× faster
/// (streams start with their background, as the gate's floor assumes).
pub const PRESENCE_WARMUP_FRAMES: u32 = 100;
/// First frame of the warm-up whose slow average counts towards the cold-start swing
/// (`cold_start_swing_db`): from frame 5 on, babble whose first frames were quieter counted as
/// a talker (seed 103: flagged 0.077 → 0.170); from frame 20 on, cold-start capture fell
/// 0.918 → 0.799 (seed 107).
pub const COLD_SWING_FROM_FRAMES: u32 = 10;
/// A frame is one of the stream's quietest (a "dip") when its raw level is within this many dB
/// of the recent minimum. Only used when a stream starts with a near talker
/// (`cold_start_swing_db`). Seed 107 cold-start capture: 4 / 6 / 8 / 10 / 12 dB gave 0.918 /
/// 0.918 / 0.918 / 0.910 / 0.903 (seed 108: 0.922 / 0.916 / 0.914 / 0.911); babble unchanged.
pub const COLD_DIP_DB: f32 = 8.0;
/// Rise of the recent minimum of the raw level per frame (dB): 30 dB/s, so it follows the floor
/// under a talker's words. 0.2 / 0.5 dB: cold-start capture 0.913 / 0.898 against 0.910 at
/// 10 dB margin (seed 107).
pub const COLD_DIP_RISE_DB: f32 = 0.3;
/// Silero probability a speech frame needs to count towards a word said alone (`min_word_ms`):
/// on a near talker's words Silero is at 0.99–1.0, on the drawer and mixture bursts that
/// otherwise waited for the talker 0.55–0.9 (tuning seed 102).
pub const WORD_SILERO: f32 = 0.9;
/// Adaptive tail (`tail_max_ms`): Silero's probability a frame after the last speech frame needs
/// for speech to go on. Tuning seeds 101 / 102 at 150 ms, RNNoise ≥ 0.2: 0.8 and 0.9 gave the same
/// capture (0.990 / 0.985), 0.9 radio 0.970 / 0.967 against 0.970 / 0.966; 0.5 with RNNoise ≥ 0.5
/// 0.989 / 0.984.
pub const TAIL_SILERO: f32 = 0.9;
/// Adaptive tail: RNNoise's probability (this frame's and the next's larger) needed too. Without
/// it (Silero alone) capture 0.993 / 0.989 but radio 0.971 / 0.965, coins on seed 102 0.978 →
/// 0.974 and billed 1.035 / 1.031; 0.1: 0.991 / 0.986, radio 0.970 / 0.966; 0.5: 0.989 / 0.984.
pub const TAIL_RNNOISE: f32 = 0.2;
/// Adaptive tail: where RNNoise does not agree (under 0.2 — most word-final decays at 0–5 dB and
/// under the absolute floor), Silero's ≥ `TAIL_SILERO` still carries the tail on while the frame's
/// cleaned level stands within this many dB of the last speech frame's: the word is still decaying.
/// Music or machine noise that Silero's memory carries past a word's end has fallen further by then
/// (RNNoise suppresses it). Tuning seeds 101, 102, 105, 106, 115 pooled (non-babble capture / F1 /
/// billed; F1 at ≥ 5 dB radio, mixture): without it 0.9854 / 0.9748 / 1.022, radio 0.9689, mixture
/// 0.9754; 12 dB 0.9859; 16 dB 0.9862; 20 dB 0.9871 / 0.9753 / 1.024, radio 0.9692, mixture 0.9758,
/// every kind's F1 at ≥ 5 dB equal or up; 24 dB 0.9875, radio 0.9690; no limit (Silero alone)
/// 0.9880 / 0.9744, radio 0.9688, every kind but hvac down. Babble flagged 0.097 → 0.099; false
/// segments on noise alone unchanged (a tail opens none). Tried first, as a prototype over
/// `vad_bench frames` output: a syllabic-modulation gauge (2–8 Hz energy of the raw level over 400
/// ms) does not tell these frames apart — in the context of a word just said it is high on every
/// kind (labelled speech 0.34–0.44 of the frames it let through, against 0.43 with no condition);
/// this decay condition: 0.60–0.85.
pub const TAIL_DECAY_DB: f32 = 20.0;
/// A word said alone (see `min_word_ms`) must stand this far (dB) above the absolute energy
/// floor (`energy_threshold_rms`): a near customer's words do; the syllables of quiet babble
/// (a crowd at −26 dBFS peak hovers around the floor) do not. Tuning seed 109 (2 h of babble
/// alone): without it the words rule opened 8 segments in an hour of quiet babble (0 without
/// the words rule), with it 0; cold-start capture (seed 107) 0.791 → 0.790; loud babble 3 per
/// hour either way.
pub const WORD_ABOVE_FLOOR_DB: f32 = 6.0;
/// Speed-up over `PRESENCE_BACKGROUND_FRAMES` at which a cold start's quietest frames are learnt
/// (as the warm-up's). 30× and 100×: cold-start capture 0.912 / 0.912 against 0.918 (seed 107),
/// 0.910 / 0.915 against 0.914 (seed 108), babble@cold flagged 0.18 → 0.30 / 0.49.
pub const COLD_DIP_SPEEDUP: f32 = 10.0;
