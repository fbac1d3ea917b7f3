//! Scoring the front end against a labeled directory (`clipNN.wav` + `clipNN.json`), native only.
//!
//! A frame (10 ms) is predicted speech when its centre lies inside an emitted segment — that
//! is what is billed — and true speech when its centre lies inside a labeled interval.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::{ConfigError, FrontEndConfig};
use crate::front_end::segment_pcm;

/// Why a directory could not be evaluated.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// The directory or a file in it could not be read.
    #[error("reading {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A WAV file could not be decoded.
    #[error("decoding {path}: {source}")]
    Wav {
        /// The path.
        path: PathBuf,
        /// The error.
        source: hound::Error,
    },
    /// A WAV file is not 16 kHz mono 16-bit.
    #[error("{path}: expected 16 kHz mono 16-bit PCM, got {rate} Hz, {channels} ch, {bits} bit")]
    Format {
        /// The path.
        path: PathBuf,
        /// Sample rate found.
        rate: u32,
        /// Channels found.
        channels: u16,
        /// Bits per sample found.
        bits: u16,
    },
    /// A label file is not valid.
    #[error("parsing {path}: {source}")]
    Label {
        /// The path.
        path: PathBuf,
        /// The error.
        source: serde_json::Error,
    },
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// No `*.wav` with a matching `.json` in the directory.
    #[error("no labeled clips (NAME.wav + NAME.json) in {0}")]
    Empty(PathBuf),
}

/// The label file format.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ClipLabels {
    /// True speech intervals in seconds.
    pub speech: Vec<[f64; 2]>,
    /// Noise kind (`silence`, `hvac`, `beeps`, `printer`, `babble`, ...).
    pub noise: String,
    /// Signal-to-noise ratio in dB (absent for noise-only clips).
    #[serde(default)]
    pub snr_db: Option<f64>,
    /// `loud` / `quiet` for noise-only clips, `idle` for idle-counter streams, `cold` for cold
    /// starts (generated sets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
}

impl ClipLabels {
    /// The clip's group: `kind@SNR`, `kind@loud` / `kind@quiet` (noise only), `kind@idle`,
    /// `kind@cold`.
    pub fn group(&self) -> String {
        match (&self.level, self.snr_db) {
            (Some(level), _) => format!("{}@{level}", self.noise),
            (None, Some(snr)) => format!("{}@{snr:02.0}", self.noise),
            (None, None) => format!("{}@none", self.noise),
        }
    }

    /// Whether the clip is noise alone (no labeled speech, a loud/quiet level).
    pub fn is_noise_only(&self) -> bool {
        matches!(self.level.as_deref(), Some("loud" | "quiet"))
    }
}

/// Counts and derived scores for a group of clips.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Score {
    /// Clips in the group.
    pub clips: usize,
    /// Frames both labeled and predicted speech.
    pub true_positive: u64,
    /// Frames predicted speech but not labeled speech.
    pub false_positive: u64,
    /// Frames labeled speech but not predicted.
    pub false_negative: u64,
    /// Frames neither.
    pub true_negative: u64,
    /// Seconds of labeled speech.
    pub speech_s: f64,
    /// Seconds of labeled speech inside emitted segments.
    pub captured_s: f64,
    /// Seconds of emitted segments (sent to STT).
    pub billed_s: f64,
    /// Seconds of audio that is not labeled speech.
    pub non_speech_s: f64,
    /// Segments overlapping no labeled speech.
    pub false_segments: u64,
    /// Segments emitted.
    pub segments: u64,
}

impl Score {
    fn add(&mut self, o: &Score) {
        self.clips += o.clips;
        self.true_positive += o.true_positive;
        self.false_positive += o.false_positive;
        self.false_negative += o.false_negative;
        self.true_negative += o.true_negative;
        self.speech_s += o.speech_s;
        self.captured_s += o.captured_s;
        self.billed_s += o.billed_s;
        self.non_speech_s += o.non_speech_s;
        self.false_segments += o.false_segments;
        self.segments += o.segments;
    }

    fn ratio(a: f64, b: f64) -> f64 {
        if b > 0.0 { a / b } else { f64::NAN }
    }

    /// Frame precision.
    pub fn precision(&self) -> f64 {
        let tp = self.true_positive as f64;
        Self::ratio(tp, tp + self.false_positive as f64)
    }

    /// Frame recall.
    pub fn recall(&self) -> f64 {
        let tp = self.true_positive as f64;
        Self::ratio(tp, tp + self.false_negative as f64)
    }

    /// Frame F1.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        Self::ratio(2.0 * p * r, p + r)
    }

    /// Fraction of labeled speech time inside segments.
    pub fn capture(&self) -> f64 {
        Self::ratio(self.captured_s, self.speech_s)
    }

    /// Seconds sent to STT ÷ seconds of true speech.
    pub fn billed_ratio(&self) -> f64 {
        Self::ratio(self.billed_s, self.speech_s)
    }

    /// Fraction of non-speech frames flagged as speech (for babble: babble flagged).
    pub fn noise_flagged(&self) -> f64 {
        let fp = self.false_positive as f64;
        Self::ratio(fp, fp + self.true_negative as f64)
    }

    /// Segments overlapping no speech, per hour of non-speech audio.
    pub fn false_segments_per_hour(&self) -> f64 {
        Self::ratio(self.false_segments as f64 * 3600.0, self.non_speech_s)
    }
}

/// Scores per noise kind, per kind and SNR, and overall.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EvalReport {
    /// Keyed by noise kind: clips with speech (speech clips and idle streams), all SNRs.
    pub by_kind: BTreeMap<String, Score>,
    /// Keyed by [`ClipLabels::group`]: `kind@snr`, `kind@loud`, `kind@quiet`, `kind@idle`.
    pub by_kind_snr: BTreeMap<String, Score>,
    /// Speech clips at SNR ≥ 5 dB, by kind (the F1 target's scope).
    pub by_kind_5db_up: BTreeMap<String, Score>,
    /// Noise-only clips (loud and quiet), by kind: false segments per noise-hour.
    pub noise_only: BTreeMap<String, Score>,
    /// All clips with speech except babble (babble is not target speech).
    pub non_babble: Score,
    /// Cold starts (speech from a stream's first 100 ms), every kind but babble.
    pub cold_start: Score,
    /// Every clip with speech.
    pub overall: Score,
    /// Seconds of audio scored.
    pub audio_s: f64,
}

impl EvalReport {
    /// Adds one scored clip.
    pub fn add(&mut self, labels: &ClipLabels, score: &Score) {
        self.audio_s += score.speech_s + score.non_speech_s;
        self.by_kind_snr
            .entry(labels.group())
            .or_default()
            .add(score);
        if labels.is_noise_only() {
            self.noise_only
                .entry(labels.noise.clone())
                .or_default()
                .add(score);
            return;
        }
        self.by_kind
            .entry(labels.noise.clone())
            .or_default()
            .add(score);
        if labels.level.is_none() && labels.snr_db.is_some_and(|s| s >= 5.0) {
            self.by_kind_5db_up
                .entry(labels.noise.clone())
                .or_default()
                .add(score);
        }
        if labels.noise != "babble" {
            self.non_babble.add(score);
            if labels.level.as_deref() == Some("cold") {
                self.cold_start.add(score);
            }
        }
        self.overall.add(score);
    }
}

impl EvalReport {
    /// Derived metrics of one score as a JSON-friendly row (used by `Display`).
    fn row(f: &mut fmt::Formatter<'_>, name: &str, s: &Score) -> fmt::Result {
        writeln!(
            f,
            "{:<16} {:>5} {:>6.3} {:>6.3} {:>6.3} {:>7.3} {:>6.3} {:>7.3} {:>5} {:>8.1}",
            name,
            s.clips,
            s.precision(),
            s.recall(),
            s.f1(),
            s.capture(),
            s.billed_ratio(),
            s.noise_flagged(),
            s.false_segments,
            s.false_segments_per_hour()
        )
    }
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<16} {:>5} {:>6} {:>6} {:>6} {:>7} {:>6} {:>7} {:>5} {:>8}",
            "group",
            "clips",
            "prec",
            "recall",
            "F1",
            "capture",
            "billed",
            "flagged",
            "falsS",
            "falseS/h"
        )?;
        for (k, s) in &self.by_kind_snr {
            Self::row(f, k, s)?;
        }
        writeln!(f)?;
        writeln!(f, "-- clips with speech, all SNRs")?;
        for (k, s) in &self.by_kind {
            Self::row(f, k, s)?;
        }
        Self::row(f, "non-babble", &self.non_babble)?;
        if self.cold_start.clips > 0 {
            Self::row(f, "cold starts", &self.cold_start)?;
        }
        Self::row(f, "overall", &self.overall)?;
        if !self.by_kind_5db_up.is_empty() {
            writeln!(f, "-- speech clips at >= 5 dB SNR")?;
            for (k, s) in &self.by_kind_5db_up {
                Self::row(f, k, s)?;
            }
        }
        if !self.noise_only.is_empty() {
            writeln!(
                f,
                "-- noise only (loud + quiet): false segments per noise-hour"
            )?;
            for (k, s) in &self.noise_only {
                writeln!(
                    f,
                    "{:<16} {:>7.2} h {:>5} false segments {:>8.1} per hour",
                    k,
                    s.non_speech_s / 3600.0,
                    s.false_segments,
                    s.false_segments_per_hour()
                )?;
            }
        }
        Ok(())
    }
}

/// Reads a 16 kHz mono 16-bit WAV file.
pub fn read_wav(path: &Path) -> Result<Vec<i16>, EvalError> {
    let reader = hound::WavReader::open(path).map_err(|source| EvalError::Wav {
        path: path.to_owned(),
        source,
    })?;
    let spec = reader.spec();
    if spec.sample_rate != 16_000
        || spec.channels != 1
        || spec.bits_per_sample != 16
        || spec.sample_format != hound::SampleFormat::Int
    {
        return Err(EvalError::Format {
            path: path.to_owned(),
            rate: spec.sample_rate,
            channels: spec.channels,
            bits: spec.bits_per_sample,
        });
    }
    reader
        .into_samples::<i16>()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|source| EvalError::Wav {
            path: path.to_owned(),
            source,
        })
}

fn overlap(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.1.min(b.1) - a.0.max(b.0)).max(0.0)
}

/// Scores one clip's segments (`(start_s, end_s)`) against its labels.
pub fn score_clip(labels: &ClipLabels, duration_s: f64, segments: &[(f64, f64)]) -> Score {
    let speech: Vec<(f64, f64)> = labels
        .speech
        .iter()
        .map(|s| (s[0], s[1].min(duration_s)))
        .collect();
    let inside = |t: f64, set: &[(f64, f64)]| set.iter().any(|&(a, b)| t >= a && t < b);
    let mut s = Score {
        clips: 1,
        ..Score::default()
    };
    let n_frames = (duration_s * 100.0).floor() as u64;
    for i in 0..n_frames {
        let t = (i as f64 + 0.5) / 100.0;
        match (inside(t, &speech), inside(t, segments)) {
            (true, true) => s.true_positive += 1,
            (false, true) => s.false_positive += 1,
            (true, false) => s.false_negative += 1,
            (false, false) => s.true_negative += 1,
        }
    }
    s.speech_s = speech.iter().map(|(a, b)| (b - a).max(0.0)).sum();
    s.non_speech_s = (duration_s - s.speech_s).max(0.0);
    s.captured_s = speech
        .iter()
        .map(|&sp| segments.iter().map(|&sg| overlap(sp, sg)).sum::<f64>())
        .sum();
    s.billed_s = segments.iter().map(|(a, b)| b - a).sum();
    s.segments = segments.len() as u64;
    s.false_segments = segments
        .iter()
        .filter(|&&sg| speech.iter().all(|&sp| overlap(sp, sg) <= 0.0))
        .count() as u64;
    s
}

/// Lists `(wav, json)` pairs of a labeled directory, sorted by name.
pub fn labeled_clips(dir: &Path) -> Result<Vec<(PathBuf, PathBuf)>, EvalError> {
    let io = |source| EvalError::Io {
        path: dir.to_owned(),
        source,
    };
    let mut clips = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.extension().is_some_and(|e| e == "wav") {
            let json = path.with_extension("json");
            if json.is_file() {
                clips.push((path, json));
            }
        }
    }
    clips.sort();
    if clips.is_empty() {
        return Err(EvalError::Empty(dir.to_owned()));
    }
    Ok(clips)
}

/// Reads a clip's labels.
pub fn read_labels(json: &Path) -> Result<ClipLabels, EvalError> {
    let text = std::fs::read_to_string(json).map_err(|source| EvalError::Io {
        path: json.to_owned(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| EvalError::Label {
        path: json.to_owned(),
        source,
    })
}

/// Runs a fresh front end over one clip and scores its segments.
pub fn score_pcm(
    pcm: &[i16],
    labels: &ClipLabels,
    config: &FrontEndConfig,
) -> Result<Score, ConfigError> {
    let segments: Vec<(f64, f64)> = segment_pcm(pcm, config)?
        .iter()
        .map(|s| (s.start_ms as f64 / 1000.0, s.end_ms as f64 / 1000.0))
        .collect();
    Ok(score_clip(labels, pcm.len() as f64 / 16_000.0, &segments))
}

/// Scores `count` clips produced by `clip(i)` on `threads` threads (clips are made and
/// scored one at a time per thread, so memory stays at one clip per thread);
/// `progress(done_seconds)` is called after each clip with the seconds scored so far.
pub fn evaluate_each<E>(
    count: usize,
    threads: usize,
    config: &FrontEndConfig,
    clip: impl Fn(usize) -> Result<(Vec<i16>, ClipLabels), E> + Sync,
    progress: impl Fn(f64) + Sync,
) -> Result<EvalReport, E>
where
    E: From<ConfigError> + Send,
{
    config.validate()?;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::with_capacity(count));
    let done_s = std::sync::Mutex::new(0.0f64);
    let failure = std::sync::Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= count || failure.lock().is_ok_and(|f| f.is_some()) {
                        break;
                    }
                    let scored = clip(i).and_then(|(pcm, labels)| {
                        let score = score_pcm(&pcm, &labels, config)?;
                        Ok((i, labels, score, pcm.len() as f64 / 16_000.0))
                    });
                    match scored {
                        Ok((i, labels, score, seconds)) => {
                            if let Ok(mut r) = results.lock() {
                                r.push((i, labels, score));
                            }
                            if let Ok(mut d) = done_s.lock() {
                                *d += seconds;
                                progress(*d);
                            }
                        }
                        Err(e) => {
                            if let Ok(mut f) = failure.lock() {
                                f.get_or_insert(e);
                            }
                            break;
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = failure.into_inner().ok().flatten() {
        return Err(e);
    }
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by_key(|r| r.0);
    let mut report = EvalReport::default();
    for (_, labels, score) in &results {
        report.add(labels, score);
    }
    Ok(report)
}

/// Total seconds of audio in a labeled directory's WAV files (for progress bars).
pub fn dir_audio_seconds(dir: &Path) -> Result<f64, EvalError> {
    let mut total = 0.0;
    for (wav, _) in labeled_clips(dir)? {
        let r = hound::WavReader::open(&wav).map_err(|source| EvalError::Wav {
            path: wav.clone(),
            source,
        })?;
        total += f64::from(r.duration()) / f64::from(r.spec().sample_rate.max(1));
    }
    Ok(total)
}

/// Runs the front end over every labeled clip of `dir` and scores it.
pub fn evaluate_dir(dir: &Path, config: &FrontEndConfig) -> Result<EvalReport, EvalError> {
    evaluate_dir_with(dir, config, 1, |_| {})
}

/// [`evaluate_dir`] on `threads` threads with a progress callback (seconds scored so far).
pub fn evaluate_dir_with(
    dir: &Path,
    config: &FrontEndConfig,
    threads: usize,
    progress: impl Fn(f64) + Sync,
) -> Result<EvalReport, EvalError> {
    let clips = labeled_clips(dir)?;
    evaluate_each(
        clips.len(),
        threads,
        config,
        |i| {
            let (wav, json) = &clips[i];
            Ok((read_wav(wav)?, read_labels(json)?))
        },
        progress,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_segments_score_one() {
        let labels = ClipLabels {
            speech: vec![[1.0, 2.0], [3.0, 4.0]],
            noise: "silence".into(),
            snr_db: Some(20.0),
            level: None,
        };
        let s = score_clip(&labels, 5.0, &[(1.0, 2.0), (3.0, 4.0)]);
        assert_eq!(s.f1(), 1.0);
        assert_eq!(s.capture(), 1.0);
        assert_eq!(s.billed_ratio(), 1.0);
        assert_eq!(s.false_segments, 0);
        let s = score_clip(&labels, 5.0, &[(1.0, 2.0), (4.5, 4.8)]);
        assert_eq!(s.false_segments, 1);
        assert!((s.capture() - 0.5).abs() < 1e-9);
    }
}
