//! `balto serve`: the whole stack on PORT (default 8765).

use anyhow::{Context, Result};
use balto_advisor::rules::RulesAdvisor;
use balto_core::advisor::Advisor;
use balto_core::transcriber::Transcriber;
use balto_local::app::App;
use balto_local::config::Config;
use balto_local::recovery::{Recovery, RecoveryPolicy};
use balto_local::sqlite_store::SqliteStore;
use balto_local::{catalog_source, front_end, offline_stt, server};
use balto_providers::{
    ConfigError, ProviderConfig, build_advisor, build_transcriber, catalog_entries,
};
use std::sync::Arc;

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
    let admin = admin_config(&config)?;
    let fe_config = front_end::config(config.vad_energy_threshold);
    tracing::info!(front_end = ?fe_config, "front end for raw-PCM sessions: vad-wasm (native)");
    let app = App::builder(store, admin)
        .config(&config)
        .transcriber(transcriber(&config, &providers)?)
        .advisor(Some(advisor(&config, &providers)?))
        .key_pepper(key_pepper(&config)?)
        .build()?;
    tracing::info!(
        transcriber = app.transcriber_name(),
        advisor = app.advisor_name(),
        "pipeline"
    );
    tokio::spawn(Recovery::new(Arc::clone(&app), RecoveryPolicy::default()).run());
    let listener = server::bind_with_fallback(config.host, config.port).await?;
    let addr = listener.local_addr()?;
    tracing::info!("Balto listening: ws://{addr}/ws  (health: http://{addr}/healthz)");
    tracing::info!("admin API: http://{addr}/api/admin  (metrics: http://{addr}/metrics)");
    if config.web_dir.join("counter/index.html").is_file() {
        tracing::info!("counter page: http://{addr}/counter/");
    } else {
        tracing::warn!(web_dir = %config.web_dir.display(), "counter page not built (scripts/build-counter-web.sh): /counter/ answers 503");
    }
    if config.web_dir.join("admin/index.html").is_file() {
        tracing::info!("admin UI: http://{addr}/admin/");
    } else {
        tracing::warn!(web_dir = %config.web_dir.display(), "admin UI not built: /admin/ answers 503");
    }
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

/// The admin API settings: the secret from `ADMIN_SECRET` or the generated file beside the
/// database (its path is logged, never the secret), prices from `STT_COST_PER_MINUTE_USD`.
fn admin_config(config: &Config) -> Result<balto_admin_api::AdminConfig> {
    use balto_local::admin_secret::{SecretSource, load_or_create, secret_file_for};
    let file = secret_file_for(&config.db_file);
    let configured = config.admin_secret.as_ref().map(|s| s.expose());
    let (secret, source) = load_or_create(configured, &file)?;
    match source {
        SecretSource::Environment => tracing::info!("admin secret: from ADMIN_SECRET"),
        SecretSource::File(path) => {
            tracing::info!(file = %path.display(), "admin secret: read from file")
        }
        SecretSource::Generated(path) => tracing::warn!(
            file = %path.display(),
            "admin secret: ADMIN_SECRET unset; generated a new one and saved it (owner-only) in this file"
        ),
    }
    let mut admin = balto_admin_api::AdminConfig::new(secret);
    if let Some(prices) = &config.stt_prices {
        admin.cost_per_minute_usd = balto_admin_api::AdminConfig::parse_prices(prices)
            .map_err(|e| anyhow::anyhow!("STT_COST_PER_MINUTE_USD: {e}"))?;
    }
    Ok(admin)
}

/// The counter-key pepper, from `KEY_PEPPER` or the file beside the database (path logged).
pub fn key_pepper(config: &Config) -> Result<balto_core::keys::KeyPepper> {
    use balto_local::key_pepper::{PepperSource, load_or_create};
    let env = config.key_pepper.as_ref().map(|s| s.expose().to_string());
    let (pepper, source) = load_or_create(env.as_deref(), &config.db_file)?;
    match source {
        PepperSource::Environment => tracing::info!("counter-key pepper: from KEY_PEPPER"),
        PepperSource::File(path) => {
            tracing::info!(file = %path.display(), "counter-key pepper: read from file")
        }
        PepperSource::Generated(path) => tracing::warn!(
            file = %path.display(),
            "counter-key pepper: generated (owner-only file); keep it with the database backups, keys cannot be verified without it"
        ),
    }
    Ok(pepper)
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
