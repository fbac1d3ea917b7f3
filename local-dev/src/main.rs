//! `balto`: the command-line entry point of local-dev.

mod cmd;

use anyhow::{Context, Result};
use balto_local::config::Config;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "balto",
    version,
    about = "Balto: real-time assistant for pharmacy counters"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the whole stack (WebSocket /ws, /healthz) on PORT (default 8765).
    Serve,
    /// Manage counter keys (stored only as salted hashes).
    Keys {
        #[command(subcommand)]
        command: cmd::keys::KeysCommand,
    },
    /// Run the audio front end on any audio file and print the speech segments.
    Vad {
        file: PathBuf,
        /// Print {"segments":[{"start_ms","end_ms"}…],"duration_ms"}.
        #[arg(long)]
        json: bool,
    },
    /// Run the configured advisor on a transcript and print its decision.
    Advise {
        text: String,
        /// Print {"decisao","categoria","produto","explicacao","confianca"} and why:
        /// "alerta" (red flag id or null), "palavras" (the words that decided), "assistente".
        #[arg(long)]
        json: bool,
    },
    /// Transcribe any audio file with the configured engine chain or one provider.
    Transcribe {
        file: PathBuf,
        /// elevenlabs, assemblyai, whisper or auto (default: STT_PROVIDER, else auto).
        #[arg(long)]
        provider: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Score the front end on a labeled folder (clipNN.wav + clipNN.json).
    VadEval {
        dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Simulate counters: stream audio files to a Balto /ws and print every server message.
    Stream {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// WebSocket endpoint, e.g. ws://localhost:8765/ws.
        #[arg(long)]
        url: String,
        /// Counter key (balto_…).
        #[arg(long)]
        key: String,
        /// Pace the audio at real time, as a live microphone.
        #[arg(long)]
        realtime: bool,
        /// raw (Part 1: 20 ms PCM frames) or segments (Part 2: cut here, `segmento` messages).
        #[arg(long, default_value = "raw")]
        mode: balto_local::counter_client::StreamMode,
        /// Counters per file, all at once (files × N sockets).
        #[arg(long, default_value_t = 1)]
        concurrency: usize,
        /// One JSON object per line: {"counter","file","message"}.
        #[arg(long)]
        json: bool,
        /// After the audio, stop once the server has been quiet this long (ms).
        #[arg(long, default_value_t = 3000)]
        quiet_ms: u64,
        /// Give up on a counter after this many seconds.
        #[arg(long, default_value_t = 120)]
        timeout_s: u64,
    },
    /// Print the settings a target reads (name, default, meaning) as a Markdown table: the
    /// one settings table of every target, as README.md and docs/deploy.md show it.
    Settings {
        /// local-dev, worker, stt-llm or admin-api.
        #[arg(long, default_value = "local-dev")]
        target: String,
    },
    /// Comparison reports: every file (and every segment) by every provider, in Excel.
    Report {
        input_dir: PathBuf,
        /// Folder for Relatorio_Originais.xlsx and Relatorio_Segmentos.xlsx.
        #[arg(long)]
        out: PathBuf,
        /// Comma-separated: elevenlabs, assemblyai, whisper.
        #[arg(long, default_value = "elevenlabs,assemblyai,whisper")]
        providers: String,
        /// Also write CSV files.
        #[arg(long)]
        csv: bool,
    },
}

fn main() -> Result<()> {
    let dotenv = dotenvy::dotenv();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        // A log write that fails (journald restarted, the reading end of a pipe gone) must not
        // take the server down: tracing-subscriber would report it with `eprintln!`, which
        // panics when stderr is broken.
        .log_internal_errors(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match &dotenv {
        Ok(path) => tracing::info!(path = %path.display(), "loaded .env"),
        Err(e) if e.not_found() => {}
        Err(e) => anyhow::bail!("could not read .env: {e}"),
    }
    let cli = Cli::parse();
    let config = Config::from_lookup(&|name| std::env::var(name).ok())?;
    // The file-only commands need no async runtime; every other one runs inside one.
    match cli.command {
        Command::Vad { file, json } => {
            return cmd::vad::vad(&file, json, config.vad_energy_threshold);
        }
        Command::VadEval { dir, json } => {
            return cmd::vad::vad_eval(&dir, json, config.vad_energy_threshold);
        }
        Command::Settings { target } => return cmd::settings::print(&target),
        _ => {}
    }
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async move {
        match cli.command {
            Command::Stream {
                files,
                url,
                key,
                realtime,
                mode,
                concurrency,
                json,
                quiet_ms,
                timeout_s,
            } => {
                cmd::stream::run(cmd::stream::StreamArgs {
                    files,
                    url,
                    key,
                    realtime,
                    mode,
                    concurrency,
                    json,
                    quiet_ms,
                    timeout_s,
                    energy_threshold: config.vad_energy_threshold,
                })
                .await
            }
            Command::Report {
                input_dir,
                out,
                providers,
                csv,
            } => cmd::report::run(&config, &input_dir, &out, &providers, csv).await,
            Command::Keys { command } => cmd::keys::run(config, command).await,
            Command::Transcribe {
                file,
                provider,
                json,
            } => cmd::transcribe::run(&config, &file, provider.as_deref(), json).await,
            Command::Advise { text, json } => {
                let providers = balto_providers::ProviderConfig::from_process_env()?;
                let advisor = cmd::serve::advisor(&config, &providers)?;
                let rules = balto_advisor::rules::RulesAdvisor::new(
                    balto_local::catalog_source::load(config.catalog_file.as_deref())?,
                );
                cmd::advise::run(&*advisor, &rules, &text, json).await
            }
            Command::Serve => cmd::serve::run(config).await,
            Command::Vad { .. } | Command::VadEval { .. } | Command::Settings { .. } => {
                unreachable!("file-only commands return before the runtime starts")
            }
        }
    })
}
