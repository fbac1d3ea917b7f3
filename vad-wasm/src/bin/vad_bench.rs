//! `vad_bench`: throughput and memory of the front end, plus evaluation and segment dumps.
//!
//! ```text
//! vad_bench [--quick]                      throughput (× real time, one core), bytes per stream
//! vad_bench eval DIR [key=value ...] [--json]   score a labeled directory with config overrides
//! vad_bench segments FILE.wav [key=value ...]   print {"segments":[...],"duration_ms":N}
//! ```

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use vad_wasm::eval::{evaluate_dir, read_wav};
use vad_wasm::{AudioFrontEnd, FrontEnd, FrontEndConfig, segment_pcm};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("eval") => eval(&args[1..]),
        Some("segments") => segments(&args[1..]),
        _ => bench(args.iter().any(|a| a == "--quick")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vad_bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Applies `key=value` overrides (values parsed as JSON, e.g. `vad_mode=3`) to the default config.
fn config_from(overrides: &[String]) -> Result<FrontEndConfig, String> {
    let mut value = serde_json::to_value(FrontEndConfig::default()).map_err(|e| e.to_string())?;
    for o in overrides.iter().filter(|o| !o.starts_with("--")) {
        let (k, v) = o
            .split_once('=')
            .ok_or_else(|| format!("expected key=value, got {o}"))?;
        let v: serde_json::Value = serde_json::from_str(v).map_err(|e| format!("{k}: {e}"))?;
        match value.get_mut(k) {
            Some(slot) => *slot = v,
            None => return Err(format!("unknown config field {k}")),
        }
    }
    serde_json::from_value(value).map_err(|e| e.to_string())
}

fn eval(args: &[String]) -> Result<(), String> {
    let dir = args
        .first()
        .ok_or("usage: vad_bench eval DIR [key=value ...] [--json]")?;
    let config = config_from(&args[1..])?;
    let report = evaluate_dir(Path::new(dir), &config).map_err(|e| e.to_string())?;
    if args.iter().any(|a| a == "--json") {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
        );
    } else {
        print!("{report}");
    }
    Ok(())
}

fn segments(args: &[String]) -> Result<(), String> {
    let file = args
        .first()
        .ok_or("usage: vad_bench segments FILE.wav [key=value ...]")?;
    let config = config_from(&args[1..])?;
    let pcm = read_wav(Path::new(file)).map_err(|e| e.to_string())?;
    let segs = segment_pcm(&pcm, &config).map_err(|e| e.to_string())?;
    let list: Vec<serde_json::Value> = segs
        .iter()
        .map(|s| {
            let rms = vad_wasm::energy_gate::frame_rms(&s.pcm);
            serde_json::json!({"start_ms": s.start_ms, "end_ms": s.end_ms, "samples": s.pcm.len(), "rms": rms})
        })
        .collect();
    let out = serde_json::json!({"segments": list, "duration_ms": pcm.len() as u64 / 16});
    println!("{out}");
    Ok(())
}

/// Deterministic test signal: noise floor, voiced bursts with harmonics, pauses.
fn signal(seconds: usize) -> Vec<i16> {
    let mut state = 0x2545_f491_u32;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        (state as f32 / u32::MAX as f32) - 0.5
    };
    (0..seconds * 16_000)
        .map(|i| {
            let t = i as f32 / 16_000.0;
            let voiced = (t % 3.0) < 1.8;
            let f0 = 120.0 + 30.0 * (t * 2.0).sin();
            let mut v = 300.0 * noise();
            if voiced {
                for h in 1..8 {
                    v +=
                        2_000.0 / h as f32 * (2.0 * std::f32::consts::PI * f0 * h as f32 * t).sin();
                }
            }
            v as i16
        })
        .collect()
}

fn bench(quick: bool) -> Result<(), String> {
    let seconds = if quick { 10 } else { 120 };
    let pcm = signal(seconds);
    let mut fe = FrontEnd::new(FrontEndConfig::default()).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    // Warm-up, then a timed run in 20 ms pushes as a browser would send them.
    fe.push(&pcm[..16_000], &mut out);
    fe.finish(&mut out);
    out.clear();
    let started = Instant::now();
    for chunk in pcm.chunks(320) {
        fe.push(chunk, &mut out);
    }
    fe.finish(&mut out);
    let elapsed = started.elapsed().as_secs_f64();
    println!("audio: {seconds} s synthetic, {} segments", out.len());
    println!(
        "throughput: {:.0}x real time (one core)",
        seconds as f64 / elapsed
    );
    println!(
        "per 10 ms frame: {:.1} us",
        elapsed * 1e6 / (seconds as f64 * 100.0)
    );
    println!("state per stream: {} bytes", fe.state_bytes());
    // The share of the resampler + RNNoise stage alone.
    let mut denoiser = vad_wasm::denoise::Denoiser::new();
    let mut cleaned = [0i16; vad_wasm::FRAME_SAMPLES];
    let started = Instant::now();
    for chunk in pcm.chunks_exact(vad_wasm::FRAME_SAMPLES) {
        let mut frame = [0i16; vad_wasm::FRAME_SAMPLES];
        frame.copy_from_slice(chunk);
        std::hint::black_box(denoiser.process(&frame, &mut cleaned));
    }
    let denoise = started.elapsed().as_secs_f64();
    println!(
        "of which resample + RNNoise: {:.1} us per frame ({:.0}% of the front end)",
        denoise * 1e6 / (seconds as f64 * 100.0),
        100.0 * denoise / elapsed
    );
    Ok(())
}
