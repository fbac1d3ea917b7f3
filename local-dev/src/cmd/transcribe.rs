//! `balto transcribe FILE [--provider NAME]`: a transcript of any audio file.

use anyhow::Result;
use balto_local::config::Config;
use balto_local::offline_stt;
use balto_providers::{ProviderConfig, build_transcriber};
use std::path::Path;
use std::time::Instant;
use vad_wasm::decode::decode_file;

/// Transcribes `file` with the configured chain, or with `provider` (`elevenlabs`,
/// `assemblyai`, `whisper`, `auto`) when given.
pub async fn run(config: &Config, file: &Path, provider: Option<&str>, json: bool) -> Result<()> {
    let providers = ProviderConfig::from_env(|name| {
        if name == "STT_PROVIDER"
            && let Some(p) = provider
        {
            return Some(p.to_string());
        }
        std::env::var(name).ok()
    })?;
    let wants_offline = matches!(provider, None | Some("auto" | "whisper" | "offline"));
    let offline = if wants_offline {
        offline_stt::load(config)
    } else {
        None
    };
    let transcriber = build_transcriber(&providers, offline)?;
    let audio = decode_file(file)?;
    let started = Instant::now();
    let t = transcriber.transcribe(&audio.pcm).await?;
    let elapsed_ms = started.elapsed().as_millis() as u64;
    let rtf = elapsed_ms as f64 / audio.duration_ms().max(1) as f64;
    if json {
        println!(
            "{}",
            serde_json::json!({
                "file": file.display().to_string(),
                "provider": t.provider,
                "text": t.text,
                "language": t.language,
                "duration_ms": audio.duration_ms(),
                "latency_ms": elapsed_ms,
                "real_time_factor": rtf,
            })
        );
    } else {
        println!("{}", t.text.trim());
        eprintln!(
            "[{}: {:.2} s of audio in {:.2} s, real-time factor {:.2}]",
            t.provider,
            audio.duration_ms() as f64 / 1000.0,
            elapsed_ms as f64 / 1000.0,
            rtf
        );
    }
    Ok(())
}
