//! Measures decoding settings of the offline Whisper engine (ignored by default):
//! `cargo test -p balto-providers --features whisper --release --test whisper_bench --
//! --ignored --nocapture`. Prints wall time, process CPU time (less sensitive to other load
//! on the machine), real-time factor and WER per clip for each setting.
#![cfg(feature = "whisper")]

use std::path::{Path, PathBuf};
use std::time::Instant;

use balto_providers::whisper::{WhisperEngine, WhisperOptions, default_model_path};

fn speech_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/audio/speech")
}

fn read_wav(path: &Path) -> Vec<i16> {
    let mut reader = hound::WavReader::open(path).expect("wav");
    reader.samples::<i16>().map(Result::unwrap).collect()
}

fn word_errors(reference: &str, hypothesis: &str) -> (usize, usize) {
    // The crate's WER, with accents kept (an accent error is a word error here).
    let rate = balto_core::wer::wer(
        reference,
        hypothesis,
        balto_core::text::NormalizeOptions {
            strip_accents: false,
        },
    );
    (rate.edits, rate.reference_len)
}

/// User + system CPU seconds of this process (Linux `/proc`, 100 ticks per second).
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Fields 14 and 15 of stat (utime, stime) are at 11 and 12 after the command name.
    (ticks(11) + ticks(12)) / 100.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run explicitly"]
async fn bench_settings() {
    let model = std::env::var_os("WHISPER_MODEL").map_or_else(default_model_path, PathBuf::from);
    let mut clips: Vec<PathBuf> = std::fs::read_dir(speech_dir())
        .expect("speech dir")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.ends_with(".wav") && (name.starts_with("ae_pt_") || name.starts_with("pt"))
        })
        .collect();
    clips.sort();
    let settings: Vec<(&str, WhisperOptions)> = vec![
        ("greedy", WhisperOptions::default()),
        (
            "greedy+flash",
            WhisperOptions {
                flash_attn: true,
                ..WhisperOptions::default()
            },
        ),
        (
            "beam5",
            WhisperOptions {
                beam_size: 5,
                ..WhisperOptions::default()
            },
        ),
        (
            "greedy-1thread",
            WhisperOptions {
                threads: 1,
                ..WhisperOptions::default()
            },
        ),
    ];
    let only = std::env::var("BENCH_ONLY").ok();
    for (label, options) in settings {
        if only
            .as_deref()
            .is_some_and(|o| !o.split(',').any(|x| x == label))
        {
            continue;
        }
        let started = Instant::now();
        let engine = WhisperEngine::load(&model, options).expect("load");
        println!("== {label}: load {:.2} s", started.elapsed().as_secs_f64());
        let (mut errors_all, mut words_all, mut audio_all, mut wall_all, mut cpu_all) =
            (0, 0, 0.0, 0.0, 0.0);
        for clip in &clips {
            let reference = std::fs::read_to_string(clip.with_extension("txt")).expect("ref");
            let pcm = read_wav(clip);
            let audio = pcm.len() as f64 / 16_000.0;
            let (cpu0, t0) = (cpu_secs(), Instant::now());
            let result = engine.transcribe_in(&pcm, "pt").await.expect("transcribe");
            let (wall, cpu) = (t0.elapsed().as_secs_f64(), cpu_secs() - cpu0);
            let (errors, words) = word_errors(&reference, &result.text);
            println!(
                "  {:<20} {audio:5.2} s  wall {wall:5.2} s (RTF {:.2})  cpu {cpu:5.2} s  WER {:.3}  {}",
                clip.file_name().unwrap().to_string_lossy(),
                wall / audio,
                errors as f64 / words as f64,
                result.text
            );
            if clip
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("ae_pt_")
            {
                errors_all += errors;
                words_all += words;
            }
            audio_all += audio;
            wall_all += wall;
            cpu_all += cpu;
        }
        println!(
            "  total: ae_pt WER {:.3}, RTF {:.2}, cpu/audio {:.2}",
            errors_all as f64 / words_all as f64,
            wall_all / audio_all,
            cpu_all / audio_all
        );
    }
}
