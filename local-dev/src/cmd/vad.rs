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

/// Scores the front end on a labeled folder (`clipNN.wav` + `clipNN.json`).
pub fn vad_eval(dir: &Path, json: bool, energy_threshold_rms: f32) -> Result<()> {
    let config = front_end::config(energy_threshold_rms);
    let report = vad_wasm::eval::evaluate_dir(dir, &config)
        .with_context(|| format!("evaluating {}", dir.display()))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{report}");
    }
    Ok(())
}
