//! `vad_bench`: throughput and memory of the front end, plus evaluation and segment dumps.
//!
//! ```text
//! vad_bench [--quick]                      throughput (× real time, one core), bytes per stream,
//!                                          nnnoiseless alone (the ceiling it sets), the cost of
//!                                          each stage per 10 ms frame, and the whole front end
//!                                          on a generated idle-counter stream
//! vad_bench eval DIR [key=value ...] [--json]   score a labeled directory with config overrides
//! vad_bench segments FILE.wav [key=value ...]   print {"segments":[...],"duration_ms":N}
//! vad_bench gen DIR SEED [SPEC.json]            write a generated labeled set (synth::SetSpec;
//!                                               default: the full set, SetSpec::full(SEED))
//! ```

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use vad_wasm::eval::{evaluate_dir_with, read_wav};
use vad_wasm::{AudioFrontEnd, FrontEnd, FrontEndConfig};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("eval") => eval(&args[1..]),
        Some("segments") => segments(&args[1..]),
        Some("gen") => generate(&args[1..]),
        Some("frames") => frames(&args[1..]),
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
    let total = vad_wasm::eval::dir_audio_seconds(Path::new(dir)).map_err(|e| e.to_string())?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
    let report = evaluate_dir_with(Path::new(dir), &config, threads, |done| {
        eprint!("\r{:5.1} % of {:.0} s", 100.0 * done / total, total);
    })
    .map_err(|e| e.to_string())?;
    eprintln!();
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
    // Frame events too: Silero's probability per frame, which the WASM parity test compares.
    let mut fe = FrontEnd::new(FrontEndConfig {
        emit_frame_events: true,
        ..config
    })
    .map_err(|e| e.to_string())?;
    let mut events = Vec::new();
    fe.push_events(&pcm, &mut events);
    fe.finish_events(&mut events);
    let mut list = Vec::new();
    let mut silero = Vec::new();
    for e in &events {
        match e {
            vad_wasm::Event::Segment(s) => {
                let rms = vad_wasm::energy_gate::frame_rms(&s.pcm);
                list.push(serde_json::json!({"start_ms": s.start_ms, "end_ms": s.end_ms, "samples": s.pcm.len(), "rms": rms}));
            }
            vad_wasm::Event::Frame(f) => silero.push(f.silero_probability),
            vad_wasm::Event::SpeechStart { .. } => {}
        }
    }
    let out = serde_json::json!({"segments": list, "duration_ms": pcm.len() as u64 / 16, "silero": silero});
    println!("{out}");
    Ok(())
}

/// Per-frame features of every clip of a labeled directory whose group starts with `PREFIX`,
/// as tab-separated lines (analysis of the decisions).
fn frames(args: &[String]) -> Result<(), String> {
    let usage = "usage: vad_bench frames DIR PREFIX [key=value ...]";
    let dir = args.first().ok_or(usage)?;
    let prefix = args.get(1).ok_or(usage)?;
    let config = FrontEndConfig {
        emit_frame_events: true,
        ..config_from(&args[2..])?
    };
    println!(
        "clip\tgroup\tframe\tlabel\tseg\traw_db\tlevel_db\tnoise_db\tsilero\trnnoise\tvad\tspeech\tbackground\tpresence"
    );
    for (wav, json) in vad_wasm::eval::labeled_clips(Path::new(dir)).map_err(|e| e.to_string())? {
        let labels = vad_wasm::eval::read_labels(&json).map_err(|e| e.to_string())?;
        if !labels.group().starts_with(prefix.as_str()) {
            continue;
        }
        let pcm = read_wav(&wav).map_err(|e| e.to_string())?;
        let mut fe = FrontEnd::new(config.clone()).map_err(|e| e.to_string())?;
        let mut events = Vec::new();
        fe.push_events(&pcm, &mut events);
        fe.finish_events(&mut events);
        let segs: Vec<(u64, u64)> = events
            .iter()
            .filter_map(|e| match e {
                vad_wasm::Event::Segment(s) => Some((s.start_ms, s.end_ms)),
                _ => None,
            })
            .collect();
        let name = wav
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        for e in &events {
            if let vad_wasm::Event::Frame(f) = e {
                let c = f.time_ms as f64 / 1000.0 + 0.005;
                let label = labels.speech.iter().any(|s| c >= s[0] && c < s[1]);
                let seg = segs
                    .iter()
                    .any(|&(a, b)| f.time_ms + 5 >= a && f.time_ms + 5 < b);
                println!(
                    "{name}\t{}\t{}\t{}\t{}\t{:.1}\t{:.1}\t{:.1}\t{:.3}\t{:.3}\t{}\t{}\t{:.3}\t{:.1}",
                    labels.group(),
                    f.time_ms / 10,
                    u8::from(label),
                    u8::from(seg),
                    f.raw_db,
                    f.level_db,
                    f.noise_db,
                    f.silero_probability,
                    f.speech_probability,
                    u8::from(f.vad),
                    u8::from(f.is_speech) + 2 * u8::from(f.hold),
                    f.background_speech,
                    f.presence_db
                );
            }
        }
    }
    Ok(())
}

fn generate(args: &[String]) -> Result<(), String> {
    let usage = "usage: vad_bench gen DIR SEED [SPEC.json]";
    let dir = args.first().ok_or(usage)?;
    let seed: u64 = args
        .get(1)
        .ok_or(usage)?
        .parse()
        .map_err(|e| format!("SEED: {e}"))?;
    let mut spec = vad_wasm::synth::SetSpec::full(seed);
    if let Some(path) = args.get(2) {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        let mut value = serde_json::to_value(&spec).map_err(|e| e.to_string())?;
        let overrides: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
        if let (Some(v), Some(o)) = (value.as_object_mut(), overrides.as_object()) {
            for (k, x) in o {
                v.insert(k.clone(), x.clone());
            }
        }
        spec = serde_json::from_value(value).map_err(|e| format!("{path}: {e}"))?;
        spec.seed = seed;
    }
    let scratch = std::env::temp_dir();
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/audio/speech");
    let source = vad_wasm::synth::speech::SpeechSource::new(Some(&shared), &scratch)
        .map_err(|e| e.to_string())?;
    vad_wasm::synth::write_set(Path::new(dir), &spec, &source, |done, total| {
        eprint!("\rclip {done} of {total}");
    })
    .map_err(|e| e.to_string())?;
    eprintln!();
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

/// CPU time of this thread in seconds (Linux `/proc/thread-self/schedstat`), so the figure is
/// per core even when other processes share the machine; `None` elsewhere.
fn thread_cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// Runs `f` `reps` times; returns the best (wall, cpu) seconds.
fn best_of(reps: usize, mut f: impl FnMut()) -> (f64, Option<f64>) {
    let mut best_wall = f64::INFINITY;
    let mut best_cpu: Option<f64> = None;
    for _ in 0..reps {
        let cpu0 = thread_cpu_seconds();
        let t0 = Instant::now();
        f();
        let wall = t0.elapsed().as_secs_f64();
        best_wall = best_wall.min(wall);
        if let (Some(a), Some(b)) = (cpu0, thread_cpu_seconds()) {
            best_cpu = Some(best_cpu.map_or(b - a, |c: f64| c.min(b - a)));
        }
    }
    (best_wall, best_cpu)
}

/// Prints one throughput line: × real time on CPU time (one core) and on wall time.
fn report(label: &str, seconds: f64, (wall, cpu): (f64, Option<f64>)) -> f64 {
    let t = cpu.unwrap_or(wall);
    println!(
        "{label}: {:.0}x real time on one core ({:.1} us per 10 ms frame; wall clock {:.0}x)",
        seconds / t,
        t * 1e6 / (seconds * 100.0),
        seconds / wall
    );
    t
}

/// Real speech for the worst case: the shared speech clips back to back (nothing in them can
/// be skipped), or the synthetic signal where the shared directory is absent.
fn speech(seconds: usize) -> (Vec<i16>, &'static str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/audio/speech");
    let mut pcm = Vec::new();
    for name in [
        "ae_pt_contagem",
        "ae_pt_pangrama",
        "pt1",
        "pt2",
        "pt3",
        "jfk",
    ] {
        if let Ok(clip) = read_wav(&dir.join(format!("{name}.wav"))) {
            pcm.extend(clip);
        }
    }
    if pcm.is_empty() {
        return (
            signal(seconds),
            "synthetic harmonic bursts (shared speech not found)",
        );
    }
    let n = seconds * 16_000;
    let looped: Vec<i16> = pcm.iter().copied().cycle().take(n).collect();
    (looped, "shared speech clips back to back")
}

fn bench(quick: bool) -> Result<(), String> {
    let seconds = if quick { 10 } else { 60 };
    let reps = if quick { 3 } else { 5 };
    let (pcm, what) = speech(seconds);
    let mut fe = FrontEnd::new(FrontEndConfig::default()).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    // Warm-up (builds the shared RNNoise tables and Silero's weights), then timed runs in
    // 20 ms pushes as a browser would send them; the best of `reps` runs is reported.
    fe.push(&pcm[..16_000], &mut out);
    fe.finish(&mut out);
    let mut segments = 0;
    let full = best_of(reps, || {
        out.clear();
        for chunk in pcm.chunks(320) {
            fe.push(chunk, &mut out);
        }
        fe.finish(&mut out);
        segments = out.len();
    });
    println!("audio: {seconds} s of {what}, {segments} segments, best of {reps}");
    report(
        "front end on speech (worst case: nothing skippable)",
        seconds as f64,
        full,
    );
    println!("state per stream: {} bytes", fe.state_bytes());
    // The ceiling set by the dependency: `nnnoiseless` alone on every 48 kHz frame (no
    // resampling, no VAD). No front end that denoises every frame can run faster than this.
    let input48: Vec<f32> = pcm.iter().flat_map(|&s| [f32::from(s); 3]).collect();
    let mut state = nnnoiseless::DenoiseState::new();
    let mut out48 = [0f32; nnnoiseless::DenoiseState::FRAME_SIZE];
    let rnnoise = best_of(reps, || {
        for frame in input48.chunks_exact(nnnoiseless::DenoiseState::FRAME_SIZE) {
            std::hint::black_box(state.process_frame(&mut out48, frame));
        }
    });
    report(
        "nnnoiseless alone on every frame (ceiling for denoising every frame)",
        seconds as f64,
        rnnoise,
    );
    stage_costs(&pcm, reps);
    idle_counter(quick, reps)
}

/// Cost of each stage by itself on every 10 ms frame of `pcm` (µs per frame, CPU time).
fn stage_costs(pcm: &[i16], reps: usize) {
    let frames = (pcm.len() / vad_wasm::FRAME_SAMPLES) as f64;
    let per_frame = |(wall, cpu): (f64, Option<f64>)| cpu.unwrap_or(wall) * 1e6 / frames;
    // The cheap stages run 50 passes (CPU time is only counted at scheduler ticks).
    const PASSES: usize = 50;
    let level = best_of(reps, || {
        for _ in 0..PASSES {
            for f in pcm.chunks_exact(vad_wasm::FRAME_SAMPLES) {
                std::hint::black_box(vad_wasm::energy_gate::rms_to_db(
                    vad_wasm::energy_gate::frame_rms(std::hint::black_box(f)),
                ));
            }
        }
    });
    let mut vad = vad_wasm::webrtc::WebRtcVad::new(2);
    let webrtc = best_of(reps, || {
        for _ in 0..PASSES {
            for f in pcm.chunks_exact(vad_wasm::FRAME_SAMPLES) {
                std::hint::black_box(vad.is_speech(std::hint::black_box(f)));
            }
        }
    });
    let per_pass = |t: (f64, Option<f64>)| per_frame(t) / PASSES as f64;
    let mut silero =
        vad_wasm::silero::SileroState::new(vad_wasm::silero::SileroWeights::embedded());
    let silero_t = best_of(reps, || {
        for c in pcm.chunks_exact(vad_wasm::silero::CHUNK) {
            let mut chunk = [0f32; vad_wasm::silero::CHUNK];
            for (d, &v) in chunk.iter_mut().zip(c) {
                *d = f32::from(v) / 32768.0;
            }
            std::hint::black_box(silero.process(&chunk));
        }
    });
    let mut denoiser = vad_wasm::denoise::Denoiser::new();
    let mut cleaned = [0i16; vad_wasm::FRAME_SAMPLES];
    let denoise = best_of(reps, || {
        for f in pcm.chunks_exact(vad_wasm::FRAME_SAMPLES) {
            let mut frame = [0i16; vad_wasm::FRAME_SAMPLES];
            frame.copy_from_slice(f);
            std::hint::black_box(denoiser.process(&frame, &mut cleaned));
        }
    });
    println!("stage costs, each alone on every 10 ms frame (us per frame, CPU time):");
    println!("  level (cheap stage)       {:8.2}", per_pass(level));
    println!("  WebRTC VAD (libfvad)      {:8.2}", per_pass(webrtc));
    println!(
        "  Silero v6.2 (32 ms chunks) {:7.2}  ({:.0} us per chunk)",
        per_frame(silero_t),
        per_frame(silero_t) * vad_wasm::silero::CHUNK as f64 / vad_wasm::FRAME_SAMPLES as f64
    );
    println!("  resample + RNNoise        {:8.2}", per_frame(denoise));
}

/// The whole front end on a generated idle-counter stream (background with sparse speech,
/// seed 401), as a counter spends most of its day: µs per 10 ms frame and what ran.
fn idle_counter(quick: bool, reps: usize) -> Result<(), String> {
    use vad_wasm::synth::{ClipPlan, generate, speech::SpeechSource};
    let seconds = if quick { 120.0 } else { 600.0 };
    let scratch = std::env::temp_dir();
    let source = match SpeechSource::new(None, &scratch) {
        Ok(s) => s,
        Err(e) => {
            println!("idle-counter stream: skipped ({e})");
            return Ok(());
        }
    };
    let plan = ClipPlan::Idle {
        kind: "mixture".to_owned(),
        seconds,
    };
    let clip = generate(&plan, 401, 0, &source).map_err(|e| e.to_string())?;
    let speech_s: f64 = clip.labels.speech.iter().map(|s| s[1] - s[0]).sum();
    for (label, config) in [
        ("front end (default)", FrontEndConfig::default()),
        (
            "front end without skipping (every stage on every frame)",
            FrontEndConfig {
                skip_quiet_frames: false,
                ..FrontEndConfig::default()
            },
        ),
    ] {
        let mut fe = FrontEnd::new(config).map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        let mut stats = (0, 0, 0);
        let t = best_of(reps, || {
            out.clear();
            for chunk in clip.pcm.chunks(320) {
                fe.push(chunk, &mut out);
            }
            stats = (fe.frames_skipped(), fe.silero_chunks_run(), 0);
            fe.finish(&mut out);
            stats.2 = out.len();
        });
        let frames = clip.pcm.len() as f64 / vad_wasm::FRAME_SAMPLES as f64;
        let chunks = clip.pcm.len() as f64 / vad_wasm::silero::CHUNK as f64;
        println!(
            "idle counter, {label}: {:.1} us per 10 ms frame ({:.0}x real time); {seconds:.0} s, \
             {:.0} % speech, {} segments; cheap stage skipped {:.0} % of frames, Silero ran on \
             {:.0} % of chunks",
            t.1.unwrap_or(t.0) * 1e6 / frames,
            seconds / t.1.unwrap_or(t.0),
            100.0 * speech_s / seconds,
            stats.2,
            100.0 * stats.0 as f64 / frames,
            100.0 * stats.1 as f64 / chunks,
        );
    }
    Ok(())
}
