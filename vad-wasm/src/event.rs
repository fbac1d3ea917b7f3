//! Events produced by the streaming front end.

use balto_core::frontend::CutSegment;

/// Per-frame measurements for UI meters (only with `emit_frame_events`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameLevel {
    /// Start of the frame in ms since the start of the stream.
    pub time_ms: u64,
    /// Level of the cleaned frame in dB re 1 LSB RMS (full-scale sine ≈ 87 dB).
    pub level_db: f32,
    /// RNNoise speech probability 0..=1 (0 when RNNoise did not run).
    pub speech_probability: f32,
    /// Silero's speech probability 0..=1 for the 32 ms chunk holding this frame (0 when the
    /// chunk was skipped, 1 when the Silero stage is off).
    pub silero_probability: f32,
    /// Final per-frame decision (gate ∧ RNNoise probability ∧ Silero ∧ WebRTC VAD).
    pub is_speech: bool,
    /// Level of the raw frame (dB, as `level_db`).
    pub raw_db: f32,
    /// The gate's noise floor (dB, cleaned levels).
    pub noise_db: f32,
    /// How speech-like the background is (Silero's probability averaged outside speech).
    pub background_speech: f32,
    /// Sustained raw level above the background's mean power (dB, see `presence.rs`).
    pub presence_db: f32,
    /// Whether the frame met the criteria that hold a segment open.
    pub hold: bool,
    /// WebRTC VAD's vote (false when not run).
    pub vad: bool,
}

/// Something the front end has to tell its caller.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A segment has been confirmed as speech; its audio will follow in a [`Event::Segment`]
    /// with the same `start_ms`.
    SpeechStart {
        /// Start of the segment (including pre-roll), ms since the start of the stream.
        start_ms: u64,
    },
    /// A finished segment of cleaned audio.
    Segment(CutSegment),
    /// Per-frame level and probability.
    Frame(FrameLevel),
}
