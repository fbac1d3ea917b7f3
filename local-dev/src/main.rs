//! `balto`: the command-line entry point of local-dev (serve, keys, …).

use anyhow::{Context, Result};
use balto_core::session::SessionConfig;
use balto_core::storage::Storage;
use balto_local::app::{App, Counters};
use balto_local::clock::unix_ms;
use balto_local::config::Config;
use balto_local::sqlite_store::SqliteStore;
use balto_local::{counter_keys, front_end, server};
use clap::{Parser, Subcommand};
use std::sync::Arc;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

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
        command: KeysCommand,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Create a key for a store's counter; the key is printed once and never again.
    Create {
        #[arg(long)]
        loja: String,
        #[arg(long)]
        balcao: String,
        /// Print {"api_key", "loja", "balcao"} as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List keys (ids, store, counter, state); never the secrets.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Revoke a key by its id (the 12 hex characters after `balto_`).
    Revoke { id: String },
}

fn main() -> Result<()> {
    let dotenv = dotenvy::dotenv();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match &dotenv {
        Ok(path) => tracing::info!(path = %path.display(), "loaded .env"),
        Err(e) if e.not_found() => {}
        Err(e) => anyhow::bail!("could not read .env: {e}"),
    }
    let cli = Cli::parse();
    let config = Config::from_lookup(&|name| std::env::var(name).ok())?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async move {
        match cli.command {
            Command::Serve => serve(config).await,
            Command::Keys { command } => keys(config, command).await,
        }
    })
}

async fn serve(config: Config) -> Result<()> {
    for (name, value) in config.describe() {
        tracing::info!("config {name} = {value}");
    }
    let store = SqliteStore::open(&config.db_file)?;
    tracing::info!(
        db = %store.path().display(),
        journal = %store.journal_mode().await?,
        "database ready"
    );
    std::fs::create_dir_all(&config.audio_dump_dir).with_context(|| {
        format!(
            "creating AUDIO_DUMP_DIR {}",
            config.audio_dump_dir.display()
        )
    })?;
    let fe_config = front_end::config(config.vad_energy_threshold);
    tracing::info!(front_end = ?fe_config, "front end for raw-PCM sessions: vad-wasm (native)");
    let app = Arc::new(App {
        store: Arc::new(store),
        audio_dir: config.audio_dump_dir.clone(),
        session_config: SessionConfig {
            auth_timeout_ms: config.auth_timeout_ms,
            max_frame_bytes: config.max_frame_bytes,
            ..SessionConfig::default()
        },
        front_end: front_end::maker(fe_config)?,
        transcriber: None,
        advisor: None,
        shutdown: CancellationToken::new(),
        counters: Counters::default(),
        started: Instant::now(),
    });
    tracing::info!(
        transcriber = app.transcriber_name(),
        advisor = app.advisor_name(),
        "pipeline"
    );
    let listener = server::bind_with_fallback(config.host, config.port).await?;
    let addr = listener.local_addr()?;
    tracing::info!("Balto listening: ws://{addr}/ws  (health: http://{addr}/healthz)");
    let shutdown = app.shutdown.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutting down: closing connections");
        shutdown.cancel();
    });
    server::run(listener, app).await?;
    tracing::info!("stopped");
    Ok(())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

async fn keys(config: Config, command: KeysCommand) -> Result<()> {
    let store = SqliteStore::open(&config.db_file)?;
    match command {
        KeysCommand::Create { loja, balcao, json } => {
            let key = counter_keys::issue(&store, &loja, &balcao, unix_ms()).await?;
            if json {
                println!(
                    "{}",
                    serde_json::json!({"api_key": key.api_key, "loja": key.loja, "balcao": key.balcao})
                );
            } else {
                println!(
                    "Chave criada para {} / {} (id {}):",
                    key.loja, key.balcao, key.key_id
                );
                println!("{}", key.api_key);
                println!("Guarde-a agora: ela não será mostrada novamente.");
            }
        }
        KeysCommand::List { json } => {
            let keys = store.list_keys().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&keys)?);
            } else {
                println!("{:<14} {:<24} {:<24} estado", "id", "loja", "balcao");
                for k in keys {
                    let state = if k.is_active() { "ativa" } else { "revogada" };
                    println!("{:<14} {:<24} {:<24} {state}", k.key_id, k.store, k.counter);
                }
            }
        }
        KeysCommand::Revoke { id } => {
            if store.revoke_key(id.trim(), unix_ms()).await? {
                println!("Chave {} revogada.", id.trim());
            } else {
                anyhow::bail!("no key with id {}", id.trim());
            }
        }
    }
    Ok(())
}
