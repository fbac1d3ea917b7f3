//! The pure-Rust Silero forward pass against ONNX Runtime on the wheel's `silero_vad.onnx`
//! (fixture made by `tools/silero/reference.py`, not at test time): < 1e-4 with the f32 weights
//! file, < 5e-3 with the f16 weights embedded in the build.

use std::path::{Path, PathBuf};

use vad_wasm::eval::read_wav;
use vad_wasm::silero::weights::{BINS, FFT};
use vad_wasm::silero::{CHUNK, SileroState, SileroWeights};

#[derive(serde::Deserialize)]
struct Clip {
    wav: String,
    chunks: usize,
    probabilities: Vec<f32>,
}

#[derive(serde::Deserialize)]
struct Fixture {
    clips: Vec<Clip>,
}

fn shared_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

fn fixture() -> Fixture {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/silero_golden.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("fixture json")
}

/// Runs every clip of the fixture through a fresh stream; returns the largest |difference|.
fn worst_difference(weights: &'static SileroWeights) -> f32 {
    let mut worst = 0.0f32;
    for clip in fixture().clips {
        let pcm = read_wav(&shared_dir().join(&clip.wav)).expect("clip");
        let mut state = SileroState::new(weights);
        assert_eq!(clip.probabilities.len(), clip.chunks);
        for (k, expected) in clip.probabilities.iter().enumerate() {
            let mut chunk = [0.0f32; CHUNK];
            for (d, &s) in chunk.iter_mut().zip(&pcm[k * CHUNK..(k + 1) * CHUNK]) {
                *d = f32::from(s) / 32768.0;
            }
            let p = state.process(&chunk);
            worst = worst.max((p - expected).abs());
        }
    }
    worst
}

fn f32_weights() -> (SileroWeights, Vec<f32>) {
    let bytes = std::fs::read(env!("BALTO_SILERO_WEIGHTS_F32")).expect("weights file");
    SileroWeights::from_f32_file(&bytes).expect("weights file layout")
}

#[test]
fn f32_forward_pass_matches_onnx_runtime() {
    let (weights, _) = f32_weights();
    let weights: &'static SileroWeights = Box::leak(Box::new(weights));
    let worst = worst_difference(weights);
    assert!(worst < 1e-4, "max |p - onnx| = {worst:e}");
}

#[test]
fn embedded_f16_weights_stay_close_to_onnx_runtime() {
    let worst = worst_difference(SileroWeights::embedded());
    assert!(worst < 5e-3, "max |p - onnx| = {worst:e}");
}

#[test]
fn the_stored_stft_basis_is_a_hann_windowed_dft() {
    let (weights, stored) = f32_weights();
    assert_eq!(stored.len(), 2 * BINS * FFT);
    assert_eq!(weights.window.len(), FFT);
    let worst = stored
        .iter()
        .zip(&vad_wasm::silero::weights::stft_basis())
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(worst < 1e-6, "basis differs by {worst:e}");
}

#[test]
fn a_corrupt_weights_file_is_refused() {
    assert!(SileroWeights::from_f32_file(b"not weights").is_err());
    let mut bytes = std::fs::read(env!("BALTO_SILERO_WEIGHTS_F32")).expect("weights file");
    bytes.truncate(bytes.len() - 10);
    assert!(SileroWeights::from_f32_file(&bytes).is_err());
}

#[test]
fn non_finite_and_extreme_input_gives_a_probability() {
    let mut state = SileroState::new(SileroWeights::embedded());
    for v in [f32::NAN, f32::INFINITY, 1e30, -1.0, 0.0] {
        let p = state.process(&[v; CHUNK]);
        assert!((0.0..=1.0).contains(&p), "{v}: {p}");
    }
}
