//! Silero VAD v6.2 (16 kHz, MIT) in pure Rust: the learned speech / non-speech stage.
//!
//! Weights come from the PyPI wheel `silero-vad==6.2.3` (`scripts/silero-model.sh`, sha256
//! checked) and are embedded at build time as f16 (`build.rs`): 486 KB in the binary or
//! `.wasm`, widened once per process to f32 and shared by every stream. The forward pass
//! ([`model::SileroState`]) matches ONNX Runtime on the wheel's `silero_vad.onnx` to < 1e-4 with
//! the f32 weights (test `silero_golden`); the f16 copy moves probabilities by < 5e-3.

pub mod model;
pub mod stage;
pub mod weights;

pub use model::{CHUNK, CONTEXT, SileroState};
pub use stage::SileroStage;
pub use weights::{SileroWeights, WeightsError};
