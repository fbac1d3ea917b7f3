//! The `stt-llm` Lambda function: the edge worker POSTs each speech segment here (signed); it
//! is stored in DynamoDB, transcribed, advised on, and answered (`lambda_stt_llm::relay_handler`).
//!
//! In AWS it runs under `lambda_http` (Function URL). With `BALTO_LOCAL_HTTP=127.0.0.1:0` it
//! serves the same router on a plain socket instead, printing `listening on http://ADDR`.
//!
//! Environment: the settings `balto_core::settings` marks as read by `stt-llm` (docs/deploy.md
//! lists them from that table; each is logged at start, secrets masked), and the AWS
//! region/credentials variables.

use anyhow::{Context, Result};
use balto_advisor::catalog::Catalog;
use balto_advisor::rules::RulesAdvisor;
use balto_core::advisor::Advisor;
use balto_core::settings::{self, Reader, Target};
use balto_core::signing::RequestSigner;
use balto_core::transcriber::Transcriber;
use balto_providers::{
    ConfigError, ProviderConfig, build_advisor, build_transcriber, catalog_entries,
};
use lambda_stt_llm::dynamo::{DynamoConfig, DynamoStore};
use lambda_stt_llm::relay_handler::{RelayState, router};
use std::sync::Arc;

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

async fn state() -> Result<RelayState> {
    let r = Reader::new(&env);
    let secret = r
        .get(&settings::STT_LLM_SIGNING_SECRET)
        .context("STT_LLM_SIGNING_SECRET is not set")?;
    let window = r.number(&settings::STT_LLM_REPLAY_WINDOW_S)?;
    let signer = RequestSigner::new(secret.into_bytes())?.with_window(window);

    let config = DynamoConfig::from_lookup(&env)?;
    let store = DynamoStore::connect(&config).await;
    if r.flag(&settings::BALTO_ENSURE_TABLE)? {
        let report = store.ensure_table().await?;
        tracing::info!(table = %config.table, created = report.created, ttl = report.ttl_enabled, "table ready");
    }

    for (name, value) in r.describe(Target::SttLlm) {
        tracing::info!("config {name} = {value}");
    }
    let providers = ProviderConfig::from_env(env)?;
    tracing::info!("{}", providers.describe());
    let catalog = Arc::new(match r.get(&settings::CATALOG_FILE) {
        Some(path) => Catalog::from_path(&path).with_context(|| format!("catalog {path}"))?,
        None => Catalog::embedded(),
    });
    let entries = catalog_entries(&catalog);
    let rules: Arc<dyn Advisor> = Arc::new(RulesAdvisor::new(catalog));
    let advisor = build_advisor(&providers, entries, rules);
    // No offline engine in Lambda: cloud providers only.
    let transcriber: Option<Arc<dyn Transcriber>> = match build_transcriber(&providers, None) {
        Ok(t) => Some(t),
        Err(ConfigError::NoTranscriber) => {
            tracing::warn!("no speech-to-text provider: segments will be stored, not transcribed");
            None
        }
        Err(e) => return Err(e.into()),
    };
    Ok(RelayState {
        store,
        signer,
        transcriber,
        advisor,
    })
}

#[tokio::main]
async fn main() -> Result<()> {
    lambda_stt_llm::lambda_main::init_logging();
    let app = router(Arc::new(state().await?));
    let local = Reader::new(&env).get(&settings::BALTO_LOCAL_HTTP);
    lambda_stt_llm::lambda_main::serve(app, local.as_deref())
        .await
        .with_context(|| format!("serving (BALTO_LOCAL_HTTP={local:?})"))
}
