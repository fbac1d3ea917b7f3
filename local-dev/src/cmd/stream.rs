//! `balto stream FILE... --url ws://… --key KEY`: simulates counters streaming audio files.
//!
//! Each file is decoded (any common format) to 16 kHz mono and streamed by its own counter;
//! `--concurrency N` runs **every file N times at once** (N counters per file, so
//! `files × N` sockets in total). Every server message is printed as one line on stdout:
//! `--json` gives `{"counter":i,"file":"…","message":{…}}`, otherwise `[i file] {…}`. A summary
//! per counter goes to stderr. Exit status is non-zero when any counter failed: connection or
//! authentication failure, an `erro` from the server, an unexpected close, a segment never
//! acknowledged, or a timeout.

use anyhow::{Context, Result};
use balto_local::counter_client::{StreamMode, StreamOptions, stream_pcm};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use vad_wasm::decode::decode_file;

/// Options of `balto stream` (see the module docs).
pub struct StreamArgs {
    pub files: Vec<PathBuf>,
    pub url: String,
    pub key: String,
    pub realtime: bool,
    pub mode: StreamMode,
    pub concurrency: usize,
    pub json: bool,
    pub quiet_ms: u64,
    pub timeout_s: u64,
    pub energy_threshold: f32,
}

pub async fn run(args: StreamArgs) -> Result<()> {
    let mut decoded = Vec::new();
    for file in &args.files {
        let audio = decode_file(file).with_context(|| format!("decoding {}", file.display()))?;
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| file.display().to_string());
        decoded.push((name, Arc::new(audio.pcm)));
    }
    let mut options = StreamOptions::new(args.url.clone(), args.key.clone(), args.mode);
    options.realtime = args.realtime;
    options.quiet = Duration::from_millis(args.quiet_ms);
    options.deadline = Duration::from_secs(args.timeout_s);
    options.front_end = balto_local::front_end::config(args.energy_threshold);

    let mut tasks = tokio::task::JoinSet::new();
    let mut counter = 0usize;
    for _ in 0..args.concurrency.max(1) {
        for (name, pcm) in &decoded {
            counter += 1;
            let (name, pcm, options, json) =
                (name.clone(), Arc::clone(pcm), options.clone(), args.json);
            tasks.spawn(async move {
                let print = |m: &serde_json::Value| {
                    if json {
                        println!(
                            "{}",
                            serde_json::json!({"counter": counter, "file": name, "message": m})
                        );
                    } else {
                        println!("[{counter} {name}] {m}");
                    }
                };
                let result = stream_pcm(&pcm, &options, print).await;
                (counter, name, result)
            });
        }
    }
    let mut failed = 0usize;
    while let Some(joined) = tasks.join_next().await {
        let (counter, name, result) = joined.context("a counter task panicked")?;
        match result {
            Ok(outcome) if outcome.is_clean() => eprintln!(
                "[{counter} {name}] ok: {} ms of audio, {} frames, {} segments ({} acknowledged, {} transcribed), {} messages",
                outcome.audio_ms,
                outcome.frames_sent,
                outcome.segments_sent,
                outcome.segments_acked,
                outcome.transcripts,
                outcome.messages.len()
            ),
            Ok(outcome) => {
                failed += 1;
                eprintln!(
                    "[{counter} {name}] FAILED: {} erro message(s), {} of {} segments acknowledged",
                    outcome.errors.len(),
                    outcome.segments_acked,
                    outcome.segments_sent
                );
            }
            Err(e) => {
                failed += 1;
                eprintln!("[{counter} {name}] FAILED: {e}");
            }
        }
    }
    if failed > 0 {
        anyhow::bail!("{failed} of {counter} counter(s) failed");
    }
    Ok(())
}
