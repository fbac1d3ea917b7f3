//! The `admin-api` Lambda function: the admin API (`/api/admin/*`, the same routes and JSON
//! types local-dev serves, from `balto_core::admin`) over DynamoDB, behind the admin secret
//! (`lambda_stt_llm::admin_lambda`).
//!
//! In AWS it runs under `lambda_http` (Function URL). With `BALTO_LOCAL_HTTP=127.0.0.1:0` it
//! serves the same router on a plain socket instead, printing `listening on http://ADDR`.
//!
//! Environment: the settings `balto_core::settings` marks as read by `admin-api` (docs/deploy.md
//! lists them from that table; each is logged at start, secrets masked): `ADMIN_SECRET`
//! (required, at least 16 characters), the table, and for counter keys `KEY_PEPPER` (the edge
//! Worker's pepper) and the `CF_*` settings that publish them to the Worker's KV; plus the AWS
//! region/credentials variables.
//!
//! `admin-api backfill` (no secret needed) instead adds the admin attributes and index entries
//! to items written before they existed, prints `{"sessions":N,"segments":M}` and exits.

use anyhow::{Context, Result};
use balto_core::settings::{self, Reader, Target};
use lambda_stt_llm::admin_lambda::{KeySettings, app, config_from};
use lambda_stt_llm::dynamo::{DynamoConfig, DynamoStore};
use std::io::Write;

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

#[tokio::main]
async fn main() -> Result<()> {
    lambda_stt_llm::lambda_main::init_logging();
    let r = Reader::new(&env);
    let dynamo = DynamoConfig::from_lookup(&env)?;
    if std::env::args().nth(1).as_deref() == Some("backfill") {
        // One-off after upgrading: items written before the admin attributes existed.
        let store = DynamoStore::connect(&dynamo).await;
        let report = store.backfill_admin_attributes().await?;
        let mut stdout = std::io::stdout();
        writeln!(stdout, "{}", serde_json::to_string(&report)?)?;
        return Ok(());
    }
    for (name, value) in r.describe(Target::AdminApi) {
        tracing::info!("config {name} = {value}");
    }
    let config = config_from(&env).map_err(anyhow::Error::msg)?;
    let keys = KeySettings::from_lookup(&env).map_err(anyhow::Error::msg)?;
    if keys.pepper.is_none() {
        tracing::warn!("KEY_PEPPER unset: new counter keys get unpeppered (v1) hashes");
    }
    match &keys.edge {
        Some(t) => {
            tracing::info!(account = %t.account_id, namespace = %t.namespace_id, "counter keys are published to the edge's KV")
        }
        None => {
            tracing::warn!("CF_* unset: counter keys created here are not published to the edge")
        }
    }
    let store = DynamoStore::connect(&dynamo).await;
    if r.flag(&settings::BALTO_ENSURE_TABLE)? {
        let report = store.ensure_table().await?;
        tracing::info!(table = %dynamo.table, created = report.created, ttl = report.ttl_enabled, "table ready");
    }
    tracing::info!(table = %dynamo.table, "admin API over DynamoDB");
    let app = app(store, config, keys).map_err(anyhow::Error::msg)?;
    let local = r.get(&settings::BALTO_LOCAL_HTTP);
    lambda_stt_llm::lambda_main::serve(app, local.as_deref())
        .await
        .with_context(|| format!("serving (BALTO_LOCAL_HTTP={local:?})"))
}
