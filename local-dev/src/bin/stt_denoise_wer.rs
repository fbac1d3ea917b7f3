//! `stt_denoise_wer`: what should go to speech-to-text, RNNoise-denoised or raw audio?
//!
//! Mixes the neural-TTS clips of `shared/audio/speech` (`ae_pt_*`, with reference transcripts)
//! with every noise kind of vad-wasm's generator at 10, 5 and 0 dB SNR (seed 900, used for
//! nothing else), transcribes each mixture twice with the offline Whisper engine — raw, and
//! through the front end's denoiser (3× resampling + RNNoise, delay compensated) — and prints
//! the WER of each per kind and SNR as a Markdown table (docs/benchmarks.md).
//!
//! ```text
//! cargo run --release -p local-dev --features whisper --bin stt_denoise_wer [SHARED_SPEECH_DIR]
//! ```
//! Needs the Whisper model (scripts/whisper-model.sh) and espeak-ng + sox (babble). Slow
//! (≈ 200 transcriptions): a measurement, not a test.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, Result};
use balto_core::text::NormalizeOptions;
use balto_core::wer::wer;
use balto_providers::whisper::{WhisperEngine, WhisperOptions, default_model_path};
use vad_wasm::FRAME_SAMPLES;
use vad_wasm::denoise::{DENOISE_DELAY_SAMPLES, Denoiser};
use vad_wasm::eval::read_wav;
use vad_wasm::synth::noise::{KINDS, noise};
use vad_wasm::synth::rng::ClipRng;
use vad_wasm::synth::speech::SpeechSource;

const SEED: u64 = 900;
const CLIPS: [&str; 3] = ["ae_pt_contagem", "ae_pt_ola_mundo", "ae_pt_pangrama"];
const SNRS: [f64; 3] = [10.0, 5.0, 0.0];

/// The denoised stream, aligned with the input (RNNoise's delay removed).
fn denoise(pcm: &[i16]) -> Vec<i16> {
    let mut d = Denoiser::new();
    let mut out = Vec::with_capacity(pcm.len() + 2 * FRAME_SAMPLES + DENOISE_DELAY_SAMPLES);
    let padded = pcm.iter().copied().chain(std::iter::repeat_n(
        0,
        DENOISE_DELAY_SAMPLES + FRAME_SAMPLES,
    ));
    let mut frame = [0i16; FRAME_SAMPLES];
    let mut cleaned = [0i16; FRAME_SAMPLES];
    for (i, s) in padded.enumerate() {
        frame[i % FRAME_SAMPLES] = s;
        if i % FRAME_SAMPLES == FRAME_SAMPLES - 1 {
            d.process(&frame, &mut cleaned);
            out.extend_from_slice(&cleaned);
        }
    }
    out.drain(..DENOISE_DELAY_SAMPLES.min(out.len()));
    out.truncate(pcm.len());
    out
}

/// Speech (0.5 s of noise before and after) mixed with `kind` at `snr_db`.
fn mixture(
    speech: &[i16],
    kind: &str,
    snr_db: f64,
    index: u64,
    source: &SpeechSource,
) -> Result<Vec<i16>> {
    let pad = 8_000;
    let clean: Vec<f32> = std::iter::repeat_n(0.0, pad)
        .chain(speech.iter().map(|&s| f32::from(s) / 32768.0))
        .chain(std::iter::repeat_n(0.0, pad))
        .collect();
    let mut rng = ClipRng::new(SEED, index);
    let nz = noise(kind, clean.len(), &mut rng, source)?;
    let active: Vec<f64> = clean
        .iter()
        .filter(|v| v.abs() > 1e-3)
        .map(|&v| f64::from(v).powi(2))
        .collect();
    let ps = active.iter().sum::<f64>() / active.len().max(1) as f64;
    let pn = nz.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / nz.len() as f64 + 1e-12;
    let g = if kind == "silence" {
        1.0
    } else {
        (ps / pn / 10f64.powf(snr_db / 10.0)).sqrt() as f32
    };
    let mut m: Vec<f32> = clean.iter().zip(&nz).map(|(c, n)| c + g * n).collect();
    let peak = m.iter().fold(0.0f32, |a, v| a.max(v.abs()));
    if peak > 0.95 {
        m.iter_mut().for_each(|v| *v *= 0.95 / peak);
    }
    Ok(m.iter().map(|v| (v * 32767.0) as i16).collect())
}

#[derive(Default, Clone, Copy)]
struct Tally {
    edits: usize,
    words: usize,
}

impl Tally {
    fn rate(self) -> f64 {
        self.edits as f64 / self.words.max(1) as f64
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let dir = std::env::args().nth(1).map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/audio/speech"),
        PathBuf::from,
    );
    let engine = WhisperEngine::load(default_model_path(), WhisperOptions::default())
        .context("loading Whisper (scripts/whisper-model.sh)")?;
    let scratch = tempfile::tempdir()?;
    let source = SpeechSource::new(None, scratch.path())?;
    let opts = NormalizeOptions::default();
    // (kind, snr) -> (raw, denoised)
    let mut table: BTreeMap<(usize, i64), (Tally, Tally)> = BTreeMap::new();
    let mut index = 0;
    for (k, kind) in KINDS.iter().enumerate() {
        for snr in SNRS {
            if *kind == "silence" && snr < 10.0 {
                continue;
            }
            for clip in CLIPS {
                let speech = read_wav(&dir.join(format!("{clip}.wav")))?;
                let reference = std::fs::read_to_string(dir.join(format!("{clip}.txt")))?;
                let mixed = mixture(&speech, kind, snr, index, &source)?;
                index += 1;
                let cleaned = denoise(&mixed);
                let raw_text = engine.transcribe_in(&mixed, "pt").await?.text;
                let den_text = engine.transcribe_in(&cleaned, "pt").await?.text;
                let r = wer(&reference, &raw_text, opts);
                let d = wer(&reference, &den_text, opts);
                eprintln!(
                    "{kind}@{snr}: {clip}: raw {} / denoised {} errors of {} | {raw_text:?} | {den_text:?}",
                    r.edits, d.edits, r.reference_len
                );
                let e = table.entry((k, snr as i64)).or_default();
                e.0.edits += r.edits;
                e.0.words += r.reference_len;
                e.1.edits += d.edits;
                e.1.words += d.reference_len;
            }
        }
    }
    println!("| noise | SNR | WER raw | WER denoised |");
    println!("|---|---|---|---|");
    let mut totals = BTreeMap::<i64, (Tally, Tally)>::new();
    for ((k, snr), (raw, den)) in &table {
        println!(
            "| {} | {snr} dB | {:.3} | {:.3} |",
            KINDS[*k],
            raw.rate(),
            den.rate()
        );
        let t = totals.entry(*snr).or_default();
        t.0.edits += raw.edits;
        t.0.words += raw.words;
        t.1.edits += den.edits;
        t.1.words += den.words;
    }
    for (snr, (raw, den)) in totals.iter().rev() {
        println!(
            "| **all kinds** | {snr} dB | **{:.3}** | **{:.3}** |",
            raw.rate(),
            den.rate()
        );
    }
    Ok(())
}
