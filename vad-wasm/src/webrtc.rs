//! WebRTC VAD (libfvad through `webrtc-vad`) wrapped to be `Send` and panic-free.

use webrtc_vad::{SampleRate, Vad, VadMode};

use crate::config::FRAME_SAMPLES;

/// One libfvad instance at 16 kHz.
pub struct WebRtcVad {
    inner: Vad,
}

// SAFETY: `Vad` holds the only pointer to its heap-allocated `Fvad` state, which libfvad never
// shares or stores anywhere else (no globals, no thread-locals). Moving it to another thread is
// therefore sound; `WebRtcVad` is not `Sync` and every call takes `&mut self`.
#[allow(unsafe_code)]
unsafe impl Send for WebRtcVad {}

impl std::fmt::Debug for WebRtcVad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebRtcVad")
    }
}

fn mode(aggressiveness: u8) -> VadMode {
    match aggressiveness {
        0 => VadMode::Quality,
        1 => VadMode::LowBitrate,
        2 => VadMode::Aggressive,
        _ => VadMode::VeryAggressive,
    }
}

impl WebRtcVad {
    /// Creates a detector with aggressiveness 0..=3 (higher rejects more).
    pub fn new(aggressiveness: u8) -> Self {
        Self {
            inner: Vad::new_with_rate_and_mode(SampleRate::Rate16kHz, mode(aggressiveness)),
        }
    }

    /// Re-initialises the detector's adaptive state.
    pub fn reset(&mut self, aggressiveness: u8) {
        self.inner.reset();
        self.inner.set_sample_rate(SampleRate::Rate16kHz);
        self.inner.set_mode(mode(aggressiveness));
    }

    /// Classifies one 10 ms frame; anything but exactly 160 samples is "not speech".
    pub fn is_speech(&mut self, frame: &[i16]) -> bool {
        frame.len() == FRAME_SAMPLES && self.inner.is_voice_segment(frame).unwrap_or(false)
    }
}
