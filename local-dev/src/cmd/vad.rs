//! `balto vad FILE` and `balto vad-eval DIR`: the front end on files, and its score on a
//! labeled set.

use anyhow::{Context, Result};
use balto_local::front_end;
use std::path::Path;
use vad_wasm::decode::decode_file;

/// Prints the speech segments the front end cuts from any audio file.
pub fn vad(file: &Path, json: bool, energy_threshold_rms: f32) -> Result<()> {
    let audio = decode_file(file)?;
    let config = front_end::config(energy_threshold_rms);
    let segments = vad_wasm::segment_pcm(&audio.pcm, &config)?;
    if json {
        let list: Vec<_> = segments
            .iter()
            .map(|s| serde_json::json!({"start_ms": s.start_ms, "end_ms": s.end_ms}))
            .collect();
        println!(
            "{}",
            serde_json::json!({"segments": list, "duration_ms": audio.duration_ms()})
        );
    } else {
        println!(
            "{}: {:.2} s ({} Hz, {} ch) → {} segment(s)",
            file.display(),
            audio.duration_ms() as f64 / 1000.0,
            audio.source_rate,
            audio.source_channels,
            segments.len()
        );
        for (i, s) in segments.iter().enumerate() {
            println!(
                "  {:>3}  {:>8.2} s → {:>8.2} s  ({:.2} s)",
                i + 1,
                s.start_ms as f64 / 1000.0,
                s.end_ms as f64 / 1000.0,
                s.duration_ms() as f64 / 1000.0
            );
        }
    }
    Ok(())
}

/// Scores the front end on a labeled folder (`clipNN.wav` + `clipNN.json`, e.g. made by
/// `vad_bench gen`): per kind, SNR and level, with false segments per noise-hour. Shows
/// progress (seconds of audio scored) on stderr; uses two threads.
pub fn vad_eval(dir: &Path, json: bool, energy_threshold_rms: f32) -> Result<()> {
    let config = front_end::config(energy_threshold_rms);
    let total = vad_wasm::eval::dir_audio_seconds(dir)
        .with_context(|| format!("reading {}", dir.display()))?;
    let bar = indicatif::ProgressBar::new(total.ceil() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} s of audio scored ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
    let report = vad_wasm::eval::evaluate_dir_with(dir, &config, threads, |done| {
        bar.set_position(done as u64);
    })
    .with_context(|| format!("evaluating {}", dir.display()))?;
    bar.finish_and_clear();
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{report}");
    }
    Ok(())
}
