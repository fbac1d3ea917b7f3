//! The table definition (`lambda-stt-llm/dynamodb/table.json`, the same file `aws dynamodb
//! create-table --cli-input-json` takes) and [`ensure_table`], which creates it from that file
//! for tests and local use.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TableStatus, TimeToLiveSpecification,
};
use serde::Deserialize;
use std::time::Duration;

/// The committed table definition.
pub const TABLE_JSON: &str = include_str!("../../dynamodb/table.json");
/// The attribute DynamoDB's TTL deletes expired items by (Unix seconds).
pub const TTL_ATTRIBUTE: &str = "expires_at";

/// Why the table could not be read or created.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("dynamodb/table.json is invalid: {0}")]
    Definition(String),
    #[error("DynamoDB refused {operation}: {message}")]
    Api {
        operation: &'static str,
        message: String,
    },
    #[error("table {0} did not become ACTIVE in time")]
    NotActive(String),
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TableDefinition {
    attribute_definitions: Vec<AttributeDef>,
    key_schema: Vec<KeyDef>,
    global_secondary_indexes: Vec<IndexDef>,
    billing_mode: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AttributeDef {
    attribute_name: String,
    attribute_type: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct KeyDef {
    attribute_name: String,
    key_type: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct IndexDef {
    index_name: String,
    key_schema: Vec<KeyDef>,
    projection: ProjectionDef,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProjectionDef {
    projection_type: String,
}

fn definition() -> Result<TableDefinition, TableError> {
    serde_json::from_str(TABLE_JSON).map_err(|e| TableError::Definition(e.to_string()))
}

fn bad(e: impl std::fmt::Display) -> TableError {
    TableError::Definition(e.to_string())
}

fn key_schema(keys: &[KeyDef]) -> Result<Vec<KeySchemaElement>, TableError> {
    keys.iter()
        .map(|k| {
            KeySchemaElement::builder()
                .attribute_name(&k.attribute_name)
                .key_type(KeyType::from(k.key_type.as_str()))
                .build()
                .map_err(bad)
        })
        .collect()
}

/// What [`ensure_table`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnsureReport {
    /// The table did not exist and was created.
    pub created: bool,
    /// TTL on [`TTL_ATTRIBUTE`] is enabled. Local servers (dynalite) do not implement
    /// `UpdateTimeToLive`; items still carry the attribute, and production enables TTL with
    /// the AWS CLI (docs/deploy.md).
    pub ttl_enabled: bool,
}

/// Creates the table `name` from `table.json` unless it exists, waits until it is ACTIVE, and
/// enables TTL where the server supports it.
pub async fn ensure_table(client: &Client, name: &str) -> Result<EnsureReport, TableError> {
    let exists = match client.describe_table().table_name(name).send().await {
        Ok(_) => true,
        Err(e) => {
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception())
            {
                false
            } else {
                return Err(TableError::Api {
                    operation: "DescribeTable",
                    message: DisplayErrorContext(&e).to_string(),
                });
            }
        }
    };
    let mut created = false;
    if !exists {
        let def = definition()?;
        let mut req = client
            .create_table()
            .table_name(name)
            .billing_mode(BillingMode::from(def.billing_mode.as_str()))
            .set_key_schema(Some(key_schema(&def.key_schema)?));
        for a in &def.attribute_definitions {
            req = req.attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(&a.attribute_name)
                    .attribute_type(ScalarAttributeType::from(a.attribute_type.as_str()))
                    .build()
                    .map_err(bad)?,
            );
        }
        for g in &def.global_secondary_indexes {
            req = req.global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(&g.index_name)
                    .set_key_schema(Some(key_schema(&g.key_schema)?))
                    .projection(
                        Projection::builder()
                            .projection_type(ProjectionType::from(
                                g.projection.projection_type.as_str(),
                            ))
                            .build(),
                    )
                    .build()
                    .map_err(bad)?,
            );
        }
        match req.send().await {
            Ok(_) => created = true,
            // Another process created it meanwhile.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_in_use_exception()) => {}
            Err(e) => {
                return Err(TableError::Api {
                    operation: "CreateTable",
                    message: DisplayErrorContext(&e).to_string(),
                });
            }
        }
    }
    wait_active(client, name).await?;
    let ttl_enabled = enable_ttl(client, name).await;
    Ok(EnsureReport {
        created,
        ttl_enabled,
    })
}

async fn wait_active(client: &Client, name: &str) -> Result<(), TableError> {
    for _ in 0..600 {
        let out = client
            .describe_table()
            .table_name(name)
            .send()
            .await
            .map_err(|e| TableError::Api {
                operation: "DescribeTable",
                message: DisplayErrorContext(&e).to_string(),
            })?;
        let table = out.table();
        let table_active = table.and_then(|t| t.table_status()) == Some(&TableStatus::Active);
        let indexes_active = table
            .map(|t| {
                t.global_secondary_indexes()
                    .iter()
                    .all(|g| g.index_status().is_none_or(|s| s.as_str() == "ACTIVE"))
            })
            .unwrap_or(false);
        if table_active && indexes_active {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(TableError::NotActive(name.to_string()))
}

async fn enable_ttl(client: &Client, name: &str) -> bool {
    let spec = match TimeToLiveSpecification::builder()
        .attribute_name(TTL_ATTRIBUTE)
        .enabled(true)
        .build()
    {
        Ok(spec) => spec,
        Err(_) => return false,
    };
    match client
        .update_time_to_live()
        .table_name(name)
        .time_to_live_specification(spec)
        .send()
        .await
    {
        Ok(_) => true,
        Err(e) => {
            use aws_sdk_dynamodb::error::ProvideErrorMetadata;
            let code = e.as_service_error().and_then(|s| s.code());
            let message = e
                .as_service_error()
                .and_then(|s| s.message().or(s.code()).map(str::to_string))
                .unwrap_or_else(|| DisplayErrorContext(&e).to_string());
            if message.contains("already enabled") {
                return true;
            }
            if ttl_unsupported(code) {
                tracing::info!(table = %name, "TTL: this DynamoDB server does not implement UpdateTimeToLive (dynalite in local runs: expected); items still carry expires_at");
            } else {
                tracing::warn!(table = %name, error = %message, "TTL not enabled; items still carry expires_at: enable it with `aws dynamodb update-time-to-live` (docs/deploy.md)");
            }
            false
        }
    }
}

/// Whether an `UpdateTimeToLive` error says the server has no such operation (local servers such
/// as dynalite), rather than that the call failed (permissions, throttling, a bad table).
fn ttl_unsupported(error_code: Option<&str>) -> bool {
    error_code == Some("UnknownOperationException")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_missing_operation_counts_as_ttl_unsupported() {
        assert!(ttl_unsupported(Some("UnknownOperationException")));
        assert!(!ttl_unsupported(Some("AccessDeniedException")));
        assert!(!ttl_unsupported(Some("ResourceNotFoundException")));
        assert!(!ttl_unsupported(None));
    }

    #[test]
    fn the_committed_definition_parses() {
        let def = definition().unwrap();
        assert_eq!(def.key_schema.len(), 2);
        assert_eq!(def.global_secondary_indexes.len(), 3);
        assert_eq!(def.billing_mode, "PAY_PER_REQUEST");
        for g in &def.global_secondary_indexes {
            for k in &g.key_schema {
                assert!(
                    def.attribute_definitions
                        .iter()
                        .any(|a| a.attribute_name == k.attribute_name),
                    "{} is defined",
                    k.attribute_name
                );
            }
        }
    }
}
