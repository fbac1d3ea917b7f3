//! The `admin-api` Lambda function: the admin API (`/api/admin/*`, the same routes and JSON
//! types local-dev serves, from `balto_core::admin`) over DynamoDB, behind the admin secret
//! (`lambda_stt_llm::admin_api::lambda`).
//!
//! In AWS it runs under `lambda_http` (Function URL). With `BALTO_LOCAL_HTTP=127.0.0.1:0` it
//! serves the same router on a plain socket instead, printing `listening on http://ADDR`.
//!
//! Environment: `ADMIN_SECRET` (required, at least 16 characters), `ADMIN_SESSION_TTL_S`
//! (default 7200), `STT_COST_PER_MINUTE_USD`, `DYNAMODB_TABLE` (default `balto`),
//! `DYNAMODB_ENDPOINT` (local servers), `BALTO_ENSURE_TABLE=1` (create the table from
//! table.json at start-up: local runs), and the AWS region/credentials variables.
//! Counter keys: `KEY_PEPPER` (the edge Worker's pepper, hex) and, to publish them to the
//! Worker's KV, `CF_ACCOUNT_ID`, `CF_KV_NAMESPACE_ID`, `CF_API_TOKEN` (`CF_API_BASE` for tests).
//!
//! `admin-api backfill` (no secret needed) instead adds the admin attributes and index entries
//! to items written before they existed, prints `{"sessions":N,"segments":M}` and exits.

use anyhow::{Context, Result};
use lambda_stt_llm::admin_api::lambda::{KeySettings, app, config_from};
use lambda_stt_llm::dynamo::{DynamoConfig, DynamoStore};
use std::io::Write;

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

#[tokio::main]
async fn main() -> Result<()> {
    lambda_stt_llm::lambda_main::init_logging();
    let dynamo = DynamoConfig::from_env()?;
    if std::env::args().nth(1).as_deref() == Some("backfill") {
        // One-off after upgrading: items written before the admin attributes existed.
        let store = DynamoStore::connect(&dynamo).await;
        let report = store.backfill_admin_attributes().await?;
        let mut stdout = std::io::stdout();
        writeln!(stdout, "{}", serde_json::to_string(&report)?)?;
        return Ok(());
    }
    let config = config_from(env).map_err(anyhow::Error::msg)?;
    let keys = KeySettings::from_env(env).map_err(anyhow::Error::msg)?;
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
    if env("BALTO_ENSURE_TABLE").is_some_and(|v| v == "1" || v == "true") {
        let report = store.ensure_table().await?;
        tracing::info!(table = %dynamo.table, created = report.created, ttl = report.ttl_enabled, "table ready");
    }
    tracing::info!(table = %dynamo.table, "admin API over DynamoDB");
    let app = app(store, config, keys).map_err(anyhow::Error::msg)?;
    let local = env("BALTO_LOCAL_HTTP");
    lambda_stt_llm::lambda_main::serve(app, local.as_deref())
        .await
        .with_context(|| format!("serving (BALTO_LOCAL_HTTP={local:?})"))
}
