//! `balto serve`: the whole stack on PORT (default 8765).

use anyhow::{Context, Result};
use balto_core::advisor::Advisor;
use balto_core::session::SessionConfig;
use balto_core::transcriber::Transcriber;
use balto_local::app::{App, Counters};
use balto_local::claims::SegmentClaims;
use balto_local::limits::Gatekeeper;
use balto_local::config::Config;
use balto_local::recovery::{Recovery, RecoveryPolicy};
use balto_local::sqlite_store::SqliteStore;
use balto_local::{catalog_source, front_end, offline_stt, server};
use lambda_stt_llm::providers::{
    ConfigError, ProviderConfig, build_advisor, build_transcriber, catalog_entries,
};
use lambda_stt_llm::rules::RulesAdvisor;
use std::sync::Arc;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

pub async fn run(config: Config) -> Result<()> {
    for (name, value) in config.describe() {
        tracing::info!("config {name} = {value}");
    }
    let providers = ProviderConfig::from_process_env()?;
    tracing::info!("providers: {}", providers.describe());
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
        web_dir: config.web_dir.clone(),
        session_config: SessionConfig {
            auth_timeout_ms: config.auth_timeout_ms,
            max_frame_bytes: config.max_frame_bytes,
            ..SessionConfig::default()
        },
        front_end: front_end::maker(fe_config)?,
        transcriber: transcriber(&config, &providers)?,
        advisor: Some(advisor(&config, &providers)?),
        shutdown: CancellationToken::new(),
        counters: Counters::default(),
        started: Instant::now(),
        claims: SegmentClaims::default(),
        gate: Gatekeeper::new(config.limits.clone()),
    });
    tracing::info!(
        transcriber = app.transcriber_name(),
        advisor = app.advisor_name(),
        "pipeline"
    );
    tokio::spawn(Recovery::new(Arc::clone(&app), RecoveryPolicy::default()).run());
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

/// The advisor chain from the configuration: configured LLMs (xAI, OpenAI), then the offline
/// rules engine, all over the configured catalog.
pub fn advisor(config: &Config, providers: &ProviderConfig) -> Result<Arc<dyn Advisor>> {
    let catalog = catalog_source::load(config.catalog_file.as_deref())?;
    tracing::info!(
        products = catalog.products().len(),
        version = %catalog.version(),
        "product catalog loaded"
    );
    let entries = catalog_entries(&catalog);
    let rules: Arc<dyn Advisor> = Arc::new(RulesAdvisor::new(catalog));
    Ok(build_advisor(providers, entries, rules))
}

/// The STT chain from the configuration: configured cloud providers, then the offline engine.
/// `None` (logged) when nothing can transcribe: segments are then stored and left for later.
pub fn transcriber(
    config: &Config,
    providers: &ProviderConfig,
) -> Result<Option<Arc<dyn Transcriber>>> {
    match build_transcriber(providers, offline_stt::load(config)) {
        Ok(t) => Ok(Some(t)),
        Err(ConfigError::NoTranscriber) => {
            tracing::warn!("no speech-to-text engine: segments will be stored but not transcribed");
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}
