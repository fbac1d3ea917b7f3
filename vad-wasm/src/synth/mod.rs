//! Generator of labeled evaluation sets (native only): synthesized counter speech mixed with
//! synthetic pharmacy noises, with exact labels from the clean speech track.
//!
//! A set is a list of clips planned from a [`SetSpec`] and a seed; each clip is drawn from its
//! own random stream (seed, index), so a set is reproducible and any clip can be made alone.
//! Three clip shapes:
//! - **speech clips**: noise from the first sample (1–4 s of it before the first word), then
//!   2–3 utterances with pauses, mixed at an SNR (speech power over its active samples against
//!   the noise's mean power, as the shared dev-set generator does);
//! - **noise-only clips** of one kind, peak-normalised to a loud (−6 dBFS) or quiet (−26 dBFS)
//!   level;
//! - **idle-counter streams**: minutes of background with sparse utterances (≈ 15–20 % speech);
//! - **cold starts**: speech from the stream's first 100 ms, with no background heard before
//!   it — half of them words said one by one (digits of a CPF, a count) with short gaps, half
//!   ordinary utterances — at 10 dB SNR (a counter page opened while the customer talks).
//!
//! Seeds: the README of vad-wasm lists which seeds were used for tuning and which are held
//! out; the crate's held-out test generates its own set from a seed used for nothing else.

pub mod noise;
pub mod rng;
pub mod speech;

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::eval::ClipLabels;
use rng::ClipRng;
use speech::SpeechSource;

const SR: f64 = 16_000.0;

/// Why a set could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// espeak-ng or sox is not installed.
    #[error("{0} is not installed (Debian: apt-get install espeak-ng sox; scripts/setup.sh does)")]
    Tool(&'static str),
    /// A tool failed.
    #[error("{0} failed: {1}")]
    Failed(&'static str, String),
    /// Unknown noise kind.
    #[error("unknown noise kind {0:?} (known: {kinds})", kinds = noise::KINDS.join(", "))]
    Kind(String),
    /// Writing the set failed.
    #[error("writing {path}: {source}")]
    Io {
        /// The path.
        path: std::path::PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// Peak levels of noise-only clips (dBFS).
pub const LEVELS: [(&str, f64); 2] = [("loud", -6.0), ("quiet", -26.0)];

/// What to generate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SetSpec {
    /// Seed of the whole set.
    pub seed: u64,
    /// Noise kinds (see [`noise::KINDS`]).
    pub kinds: Vec<String>,
    /// SNRs (dB) of the speech clips.
    pub snrs: Vec<f64>,
    /// Speech clips per (kind, SNR).
    pub clips_per_snr: usize,
    /// Seconds of noise-only audio per kind and level (cut into clips of ≤ 60 s).
    pub noise_only_s: f64,
    /// Idle-counter streams.
    pub idle_streams: usize,
    /// Length of each idle-counter stream (s).
    pub idle_s: f64,
    /// Cold-start clips per kind (speech from the first 100 ms, see the module docs).
    #[serde(default)]
    pub cold_starts_per_kind: usize,
}

impl SetSpec {
    /// The full evaluation set: every kind at 15/10/5/0 dB (3 clips each), 10 minutes of
    /// noise-only audio per kind and level, two 10-minute idle-counter streams.
    pub fn full(seed: u64) -> Self {
        Self {
            seed,
            kinds: noise::KINDS.iter().map(|s| (*s).to_owned()).collect(),
            snrs: vec![15.0, 10.0, 5.0, 0.0],
            clips_per_snr: 3,
            noise_only_s: 600.0,
            idle_streams: 2,
            idle_s: 600.0,
            cold_starts_per_kind: 4,
        }
    }
}

/// One planned clip.
#[derive(Debug, Clone, PartialEq)]
pub enum ClipPlan {
    /// Speech mixed with `kind` at `snr_db`.
    Speech {
        /// Noise kind.
        kind: String,
        /// SNR in dB.
        snr_db: f64,
    },
    /// Noise alone at a named peak level.
    NoiseOnly {
        /// Noise kind.
        kind: String,
        /// `loud` or `quiet`.
        level: &'static str,
        /// Peak level (dBFS).
        peak_dbfs: f64,
        /// Length (s).
        seconds: f64,
    },
    /// Speech from the stream's first 100 ms in `kind` at 10 dB SNR; `words` = words said
    /// one by one.
    ColdStart {
        /// Noise kind.
        kind: String,
        /// Words one by one (true) or ordinary utterances.
        words: bool,
    },
    /// An idle counter: background `kind` with sparse speech at 10 dB SNR.
    Idle {
        /// Background kind.
        kind: String,
        /// Length (s).
        seconds: f64,
    },
}

/// The clips of a set, in order.
pub fn plan(spec: &SetSpec) -> Vec<ClipPlan> {
    let mut out = Vec::new();
    for kind in &spec.kinds {
        for &snr_db in &spec.snrs {
            for _ in 0..spec.clips_per_snr {
                out.push(ClipPlan::Speech {
                    kind: kind.clone(),
                    snr_db,
                });
            }
        }
    }
    for kind in spec.kinds.iter().filter(|k| *k != "silence") {
        for (level, peak_dbfs) in LEVELS {
            let mut left = spec.noise_only_s;
            while left > 0.5 {
                let seconds = left.min(60.0);
                out.push(ClipPlan::NoiseOnly {
                    kind: kind.clone(),
                    level,
                    peak_dbfs,
                    seconds,
                });
                left -= seconds;
            }
        }
    }
    let idle_kinds = ["mixture", "hvac", "radio", "printer"];
    for i in 0..spec.idle_streams {
        out.push(ClipPlan::Idle {
            kind: idle_kinds[i % idle_kinds.len()].to_owned(),
            seconds: spec.idle_s,
        });
    }
    // Last, so the other clips keep their indices (and their audio) in sets made before.
    for kind in &spec.kinds {
        for i in 0..spec.cold_starts_per_kind {
            out.push(ClipPlan::ColdStart {
                kind: kind.clone(),
                words: i % 2 == 0,
            });
        }
    }
    out
}

/// A generated clip: 16 kHz mono samples and their labels.
#[derive(Debug, Clone)]
pub struct GeneratedClip {
    /// Samples.
    pub pcm: Vec<i16>,
    /// Labels (what `clipNN.json` holds).
    pub labels: ClipLabels,
}

/// Speech intervals (s) of a clean track: 10 ms frames above −50 dBFS, gaps < 200 ms merged
/// (the shared generator's definition).
pub fn speech_labels(clean: &[f32]) -> Vec<[f64; 2]> {
    let hop = 160;
    let mut segs: Vec<[usize; 2]> = Vec::new();
    for (i, frame) in clean.chunks_exact(hop).enumerate() {
        let rms =
            (frame.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / hop as f64 + 1e-12).sqrt();
        if 20.0 * rms.log10() > -50.0 {
            match segs.last_mut() {
                Some(last) if last[1] == i => last[1] = i + 1,
                Some(last) if (i - last[1]) as f64 * hop as f64 / SR < 0.2 => last[1] = i + 1,
                _ => segs.push([i, i + 1]),
            }
        }
    }
    segs.iter()
        .map(|s| {
            [
                (s[0] as f64 * 0.01 * 1000.0).round() / 1000.0,
                (s[1] as f64 * 0.01 * 1000.0).round() / 1000.0,
            ]
        })
        .collect()
}

fn to_i16(x: &[f32]) -> Vec<i16> {
    x.iter()
        .map(|v| (v * 32767.0).clamp(-32768.0, 32767.0) as i16)
        .collect()
}

/// Builds the clean speech track: `lead` seconds of nothing, then utterances separated by
/// pauses until `total` seconds (or `count` utterances when `total` is `None`).
fn speech_track(
    rng: &mut ClipRng,
    source: &SpeechSource,
    lead: f64,
    count: usize,
) -> Result<Vec<f32>, SynthError> {
    let mut clean = vec![0.0f32; (lead * SR) as usize];
    for _ in 0..count {
        let gain = rng.uniform(0.25, 0.5) as f32;
        clean.extend(source.utterance(rng)?.iter().map(|v| v * gain));
        clean.extend(std::iter::repeat_n(
            0.0,
            (rng.uniform(0.8, 3.0) * SR) as usize,
        ));
    }
    Ok(clean)
}

/// Builds a clean track of words said one by one: `lead` seconds of nothing, then 5–10 single
/// words (digits, "sim", "não", letters) with 0.25–0.9 s gaps, one voice and level for all, then
/// a pause.
fn word_track(rng: &mut ClipRng, source: &SpeechSource, lead: f64) -> Result<Vec<f32>, SynthError> {
    let mut clean = vec![0.0f32; (lead * SR) as usize];
    let gain = rng.uniform(0.25, 0.5) as f32;
    let voice = source.voice(rng);
    for _ in 0..rng.below(5, 11) {
        clean.extend(source.word(rng, &voice)?.iter().map(|v| v * gain));
        clean.extend(std::iter::repeat_n(
            0.0,
            (rng.uniform(0.25, 0.9) * SR) as usize,
        ));
    }
    clean.extend(std::iter::repeat_n(
        0.0,
        (rng.uniform(0.8, 2.0) * SR) as usize,
    ));
    Ok(clean)
}

/// Mixes `noise` into `clean` at `snr_db` (silence is added as is) and limits the peak.
fn mix(clean: &[f32], noise: &[f32], kind: &str, snr_db: f64) -> Vec<f32> {
    let active: Vec<f64> = clean
        .iter()
        .filter(|v| v.abs() > 1e-3)
        .map(|&v| f64::from(v).powi(2))
        .collect();
    let ps = active.iter().sum::<f64>() / active.len().max(1) as f64;
    let pn = noise.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / noise.len().max(1) as f64
        + 1e-12;
    let g = if kind == "silence" {
        1.0
    } else {
        (ps / pn / 10f64.powf(snr_db / 10.0)).sqrt()
    } as f32;
    let mut m: Vec<f32> = clean.iter().zip(noise).map(|(c, n)| c + g * n).collect();
    let peak = m.iter().fold(0.0f32, |a, v| a.max(v.abs()));
    if peak > 0.95 {
        m.iter_mut().for_each(|v| *v *= 0.95 / peak);
    }
    m
}

/// Generates clip `index` of a set with `seed`.
pub fn generate(
    plan: &ClipPlan,
    seed: u64,
    index: usize,
    source: &SpeechSource,
) -> Result<GeneratedClip, SynthError> {
    let mut rng = ClipRng::new(seed, index as u64);
    let (mixed, clean, kind, snr_db, level) = match plan {
        ClipPlan::Speech { kind, snr_db } => {
            let lead = rng.uniform(1.0, 4.0);
            let count = rng.below(2, 4);
            let clean = speech_track(&mut rng, source, lead, count)?;
            let nz = noise::noise(kind, clean.len(), &mut rng, source)?;
            (
                mix(&clean, &nz, kind, *snr_db),
                clean,
                kind,
                Some(*snr_db),
                None,
            )
        }
        ClipPlan::NoiseOnly {
            kind,
            level,
            peak_dbfs,
            seconds,
        } => {
            let n = (seconds * SR) as usize;
            let mut nz = noise::noise(kind, n, &mut rng, source)?;
            let peak = nz.iter().fold(0.0f32, |a, v| a.max(v.abs())).max(1e-9);
            let g = 10f32.powf(*peak_dbfs as f32 / 20.0) / peak;
            nz.iter_mut().for_each(|v| *v *= g);
            (nz, vec![0.0; n], kind, None, Some((*level).to_owned()))
        }
        ClipPlan::ColdStart { kind, words } => {
            let lead = rng.uniform(0.0, 0.1);
            let clean = if *words {
                word_track(&mut rng, source, lead)?
            } else {
                let count = rng.below(2, 4);
                speech_track(&mut rng, source, lead, count)?
            };
            let nz = noise::noise(kind, clean.len(), &mut rng, source)?;
            (
                mix(&clean, &nz, kind, 10.0),
                clean,
                kind,
                Some(10.0),
                Some("cold".to_owned()),
            )
        }
        ClipPlan::Idle { kind, seconds } => {
            let n = (seconds * SR) as usize;
            let mut clean = vec![0.0f32; (rng.uniform(5.0, 20.0) * SR) as usize];
            while clean.len() < n {
                let burst = rng.below(1, 4);
                clean.extend(speech_track(&mut rng, source, 0.0, burst)?);
                clean.extend(std::iter::repeat_n(
                    0.0,
                    (rng.uniform(8.0, 30.0) * SR) as usize,
                ));
            }
            clean.truncate(n);
            let nz = noise::noise(kind, n, &mut rng, source)?;
            (
                mix(&clean, &nz, kind, 10.0),
                clean,
                kind,
                Some(10.0),
                Some("idle".to_owned()),
            )
        }
    };
    let labels = ClipLabels {
        speech: speech_labels(&clean),
        noise: kind.clone(),
        snr_db,
        level,
    };
    Ok(GeneratedClip {
        pcm: to_i16(&mixed),
        labels,
    })
}

/// Writes a set as `clipNNNN.wav` + `clipNNNN.json` into `dir`; `progress(done, total)` is
/// called after each clip.
pub fn write_set(
    dir: &Path,
    spec: &SetSpec,
    source: &SpeechSource,
    mut progress: impl FnMut(usize, usize),
) -> Result<(), SynthError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| SynthError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let clips = plan(spec);
    for (i, p) in clips.iter().enumerate() {
        let clip = generate(p, spec.seed, i, source)?;
        let wav = dir.join(format!("clip{i:04}.wav"));
        let json = dir.join(format!("clip{i:04}.json"));
        let spec_wav = hound::WavSpec {
            channels: 1,
            sample_rate: 16_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let hound_err = |e: hound::Error| SynthError::Io {
            path: wav.clone(),
            source: std::io::Error::other(e.to_string()),
        };
        let mut w = hound::WavWriter::create(&wav, spec_wav).map_err(hound_err)?;
        for s in &clip.pcm {
            w.write_sample(*s).map_err(hound_err)?;
        }
        w.finalize().map_err(hound_err)?;
        let mut meta = serde_json::to_value(&clip.labels).unwrap_or_default();
        meta["seed"] = spec.seed.into();
        meta["duration_s"] = (clip.pcm.len() as f64 / SR).into();
        std::fs::write(&json, meta.to_string()).map_err(io(&json))?;
        progress(i + 1, clips.len());
    }
    Ok(())
}
