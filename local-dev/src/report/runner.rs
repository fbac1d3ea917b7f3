//! Runs a report: decodes every audio file of the input folder, cuts it with the front end,
//! transcribes each whole file and each segment with each engine (one call each, timed), scores
//! whole files against `NAME.txt`, compares providers per segment, and asks the advisor about
//! every transcript. A failing provider or advisor is recorded on its row, never fatal.

use super::ReportError;
use super::engines::ReportEngine;
use balto_core::advice::{Advice, Conversation};
use balto_core::advisor::Advisor;
use balto_core::text::NormalizeOptions;
use balto_core::wer::{self, ErrorRate};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use vad_wasm::FrontEndConfig;
use vad_wasm::decode::{TARGET_RATE, decode_file};

/// Extensions taken as audio.
pub const AUDIO_EXTENSIONS: [&str; 7] = ["wav", "mp3", "flac", "ogg", "m4a", "aac", "opus"];

/// What to run.
pub struct ReportInput {
    pub input_dir: PathBuf,
    pub engines: Vec<ReportEngine>,
    pub advisor: Option<Arc<dyn Advisor>>,
    pub front_end: FrontEndConfig,
    /// How WER/CER normalize (accents stripped by default).
    pub normalize: NormalizeOptions,
}

/// One engine call: the text, or why there is none.
#[derive(Debug, Clone)]
pub struct Call {
    pub text: String,
    pub latency_ms: Option<u64>,
    pub error: Option<String>,
    /// The advisor's answer on `text` (`Err`: the advisor failed); `None` without a text.
    pub advice: Option<Result<Advice, String>>,
}

/// A whole file by one provider.
#[derive(Debug, Clone)]
pub struct FileRow {
    pub file: String,
    pub provider: String,
    pub duration_ms: u64,
    pub price_usd_per_min: f64,
    pub call: Call,
    pub reference: Option<String>,
    pub wer: Option<ErrorRate>,
    pub cer: Option<ErrorRate>,
}

/// One segment by one provider.
#[derive(Debug, Clone)]
pub struct SegmentRow {
    pub file: String,
    /// 1-based within its file.
    pub index: usize,
    pub start_ms: u64,
    pub end_ms: u64,
    pub provider: String,
    pub price_usd_per_min: f64,
    pub call: Call,
    /// Mean agreement with the other providers that transcribed this segment.
    pub agreement: Option<f64>,
}

/// One segment with every provider side by side.
#[derive(Debug, Clone)]
pub struct SegmentComparison {
    pub file: String,
    pub index: usize,
    pub start_ms: u64,
    pub end_ms: u64,
    /// Per provider (in `Report::providers` order): text, or `None` when it failed.
    pub texts: Vec<Option<String>>,
    /// Per pair (in `Report::pairs` order): agreement when both have a text.
    pub agreements: Vec<Option<f64>>,
}

/// Everything a report holds.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub providers: Vec<String>,
    /// Index pairs (i < j) into `providers`.
    pub pairs: Vec<(usize, usize)>,
    pub files: Vec<FileRow>,
    pub segments: Vec<SegmentRow>,
    pub comparisons: Vec<SegmentComparison>,
    /// Files that could not be decoded, with the reason.
    pub skipped: Vec<(String, String)>,
    pub advisor: Option<String>,
}

/// Audio files of `dir`, sorted by name.
pub fn audio_files(dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let entries = std::fs::read_dir(dir).map_err(|source| ReportError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| AUDIO_EXTENSIONS.contains(&e.to_lowercase().as_str()))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(ReportError::NoAudio(dir.to_path_buf()));
    }
    Ok(files)
}

async fn call(engine: &ReportEngine, pcm: &[i16], advisor: Option<&Arc<dyn Advisor>>) -> Call {
    let transcriber = match &engine.engine {
        Ok(t) => t,
        Err(reason) => {
            return Call {
                text: String::new(),
                latency_ms: None,
                error: Some(reason.clone()),
                advice: None,
            };
        }
    };
    let started = Instant::now();
    let result = transcriber.transcribe(pcm).await;
    let latency_ms = Some(started.elapsed().as_millis() as u64);
    match result {
        Err(e) => Call {
            text: String::new(),
            latency_ms,
            error: Some(e.to_string()),
            advice: None,
        },
        Ok(t) => {
            let text = t.text.trim().to_string();
            let advice = match (advisor, text.is_empty()) {
                (Some(a), false) => Some(
                    a.advise(&Conversation::single(text.clone()))
                        .await
                        .map_err(|e| e.to_string()),
                ),
                _ => None,
            };
            Call {
                text,
                latency_ms,
                error: None,
                advice,
            }
        }
    }
}

fn pairs(n: usize) -> Vec<(usize, usize)> {
    (0..n)
        .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
        .collect()
}

/// Runs the report. `progress` is ticked once per engine call (its length is set here).
pub async fn run(
    input: &ReportInput,
    progress: &indicatif::ProgressBar,
) -> Result<Report, ReportError> {
    let files = audio_files(&input.input_dir)?;
    input.front_end.validate()?;
    let providers: Vec<String> = input.engines.iter().map(|e| e.name.clone()).collect();
    let mut report = Report {
        pairs: pairs(providers.len()),
        providers,
        advisor: input.advisor.as_ref().map(|a| a.name().to_string()),
        ..Report::default()
    };

    // Decode and cut everything first so the progress bar knows its length.
    struct Prepared {
        name: String,
        pcm: Vec<i16>,
        reference: Option<String>,
        segments: Vec<balto_core::frontend::CutSegment>,
    }
    let mut prepared = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let audio = match decode_file(path) {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(file = %path.display(), error = %e, "skipped");
                report.skipped.push((name, e.to_string()));
                continue;
            }
        };
        let reference = std::fs::read_to_string(path.with_extension("txt"))
            .ok()
            .map(|t| t.trim().to_string());
        let segments = vad_wasm::segment_pcm(&audio.pcm, &input.front_end)?;
        prepared.push(Prepared {
            name,
            pcm: audio.pcm,
            reference,
            segments,
        });
    }
    let n_engines = input.engines.len() as u64;
    let calls: u64 = prepared
        .iter()
        .map(|p| (1 + p.segments.len() as u64) * n_engines)
        .sum();
    progress.set_length(calls);

    let advisor = input.advisor.as_ref();
    for file in &prepared {
        let duration_ms = file.pcm.len() as u64 * 1000 / TARGET_RATE as u64;
        for engine in &input.engines {
            progress.set_message(format!("{} · {}", file.name, engine.name));
            let c = call(engine, &file.pcm, advisor).await;
            let (wer, cer) = match (&file.reference, &c.error) {
                (Some(r), None) => (
                    Some(wer::wer(r, &c.text, input.normalize)),
                    Some(wer::cer(r, &c.text, input.normalize)),
                ),
                _ => (None, None),
            };
            report.files.push(FileRow {
                file: file.name.clone(),
                provider: engine.name.clone(),
                duration_ms,
                price_usd_per_min: engine.price_usd_per_min,
                call: c,
                reference: file.reference.clone(),
                wer,
                cer,
            });
            progress.inc(1);
        }
        for (i, segment) in file.segments.iter().enumerate() {
            let mut calls = Vec::new();
            for engine in &input.engines {
                progress.set_message(format!("{} #{} · {}", file.name, i + 1, engine.name));
                calls.push(call(engine, &segment.pcm, advisor).await);
                progress.inc(1);
            }
            let texts: Vec<Option<String>> = calls
                .iter()
                .map(|c| c.error.is_none().then(|| c.text.clone()))
                .collect();
            let agreements: Vec<Option<f64>> = report
                .pairs
                .iter()
                .map(|&(a, b)| match (&texts[a], &texts[b]) {
                    (Some(x), Some(y)) => Some(wer::agreement(x, y, input.normalize)),
                    _ => None,
                })
                .collect();
            for (k, (engine, c)) in input.engines.iter().zip(calls).enumerate() {
                let mine: Vec<f64> = report
                    .pairs
                    .iter()
                    .zip(&agreements)
                    .filter(|((a, b), _)| *a == k || *b == k)
                    .filter_map(|(_, v)| *v)
                    .collect();
                let agreement =
                    (!mine.is_empty()).then(|| mine.iter().sum::<f64>() / mine.len() as f64);
                report.segments.push(SegmentRow {
                    file: file.name.clone(),
                    index: i + 1,
                    start_ms: segment.start_ms,
                    end_ms: segment.end_ms,
                    provider: engine.name.clone(),
                    price_usd_per_min: engine.price_usd_per_min,
                    call: c,
                    agreement,
                });
            }
            report.comparisons.push(SegmentComparison {
                file: file.name.clone(),
                index: i + 1,
                start_ms: segment.start_ms,
                end_ms: segment.end_ms,
                texts,
                agreements,
            });
        }
    }
    progress.finish_and_clear();
    Ok(report)
}
