//! Balto's audio front end: 16 kHz PCM in, cleaned speech segments out.
//!
//! Per 10 ms frame: exact 3× polyphase resampling to 48 kHz, RNNoise (`nnnoiseless`), back to
//! 16 kHz; WebRTC VAD, RNNoise's speech probability and an adaptive energy gate vote; a
//! segmenter applies pre-roll, minimum speech length, hang-over, tail and a maximum length cut
//! at the quietest frame. The same code runs natively and in WASM.
//!
//! Invariant: no I/O outside `eval` (native only), no allocation per frame on the audio path,
//! no panic on any input.

pub mod background_speech;
pub mod config;
pub mod denoise;
pub mod energy_gate;
pub mod event;
pub mod front_end;
mod lanes;
pub mod presence;
pub mod resample;
pub mod segmenter;
pub mod silero;
pub mod webrtc;

#[cfg(all(feature = "decode", not(target_arch = "wasm32")))]
pub mod decode;
#[cfg(not(target_arch = "wasm32"))]
pub mod eval;
#[cfg(not(target_arch = "wasm32"))]
pub mod synth;

#[cfg(target_arch = "wasm32")]
mod wasm_api;
#[cfg(target_arch = "wasm32")]
mod wasm_shims;

pub use balto_core::frontend::{AudioFrontEnd, CutSegment};
pub use config::{ConfigError, FRAME_MS, FRAME_SAMPLES, FrontEndConfig};
pub use event::{Event, FrameLevel};
pub use front_end::{FrontEnd, segment_pcm};
