//! Publishes counter keys to the edge Worker's `KEYS` KV namespace through the Cloudflare API
//! (`PUT`/`DELETE /accounts/{account}/storage/kv/namespaces/{namespace}/values/{name}`, bearer
//! token), so a key created or revoked in the admin area takes effect at the edge. Values are
//! [`KeyRecord`] JSON under `key:<key id>`, the entries `edge-key` writes.

use async_trait::async_trait;
use balto_core::admin_store::KeyPublisher;
use balto_core::key_record::{KeyRecord, kv_name};
use balto_core::settings::{self, Reader};
use balto_core::storage::StorageError;
use std::time::Duration;

/// The Cloudflare API's address.
pub const CLOUDFLARE_API: &str = "https://api.cloudflare.com/client/v4";
/// Time allowed for one KV write.
pub const KV_TIMEOUT: Duration = Duration::from_secs(10);

/// Where and how to write: account, namespace and an API token with "Workers KV Storage: Edit".
#[derive(Clone)]
pub struct KvTarget {
    pub api_base: String,
    pub account_id: String,
    pub namespace_id: String,
    pub api_token: String,
}

impl std::fmt::Debug for KvTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KvTarget")
            .field("api_base", &self.api_base)
            .field("account_id", &self.account_id)
            .field("namespace_id", &self.namespace_id)
            .field("api_token", &"<redacted>")
            .finish()
    }
}

impl KvTarget {
    /// From `CF_ACCOUNT_ID`, `CF_KV_NAMESPACE_ID`, `CF_API_TOKEN` (and `CF_API_BASE`, default
    /// the Cloudflare API): `Ok(None)` when none is set, an error naming what is missing when
    /// only some are.
    pub fn from_reader(r: &Reader<'_>) -> Result<Option<KvTarget>, String> {
        let names = [
            &settings::CF_ACCOUNT_ID,
            &settings::CF_KV_NAMESPACE_ID,
            &settings::CF_API_TOKEN,
        ];
        let values: Vec<Option<String>> = names
            .iter()
            .map(|s| r.get(s).map(|v| v.trim().to_string()))
            .collect();
        if values.iter().all(Option::is_none) {
            return Ok(None);
        }
        let missing: Vec<&str> = names
            .iter()
            .zip(&values)
            .filter(|(_, v)| v.is_none())
            .map(|(s, _)| s.name)
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "publishing keys to the edge needs {} as well",
                missing.join(", ")
            ));
        }
        let mut it = values.into_iter().flatten();
        Ok(Some(KvTarget {
            account_id: it.next().unwrap_or_default(),
            namespace_id: it.next().unwrap_or_default(),
            api_token: it.next().unwrap_or_default(),
            api_base: r
                .get(&settings::CF_API_BASE)
                .unwrap_or_else(|| CLOUDFLARE_API.to_string()),
        }))
    }
}

/// [`KeyPublisher`] over the Cloudflare KV REST API.
#[derive(Debug, Clone)]
pub struct CloudflareKvKeys {
    target: KvTarget,
    http: reqwest::Client,
}

impl CloudflareKvKeys {
    pub fn new(target: KvTarget) -> Result<CloudflareKvKeys, StorageError> {
        let http = reqwest::Client::builder()
            .timeout(KV_TIMEOUT)
            .build()
            .map_err(|e| StorageError::Backend(format!("http client: {e}")))?;
        Ok(CloudflareKvKeys { target, http })
    }

    fn value_url(&self, key_id: &str) -> String {
        // Key ids are hex; the name's `:` is encoded as the API wants path segments encoded.
        let name = kv_name(key_id).replace(':', "%3A");
        format!(
            "{}/accounts/{}/storage/kv/namespaces/{}/values/{name}",
            self.target.api_base.trim_end_matches('/'),
            self.target.account_id,
            self.target.namespace_id,
        )
    }

    async fn send(&self, req: reqwest::RequestBuilder, what: &str) -> Result<(), StorageError> {
        let resp = req
            .bearer_auth(&self.target.api_token)
            .send()
            .await
            .map_err(|e| StorageError::Backend(format!("Cloudflare KV {what}: {e}")))?;
        let status = resp.status();
        // Every answer is the API's envelope: {"success":bool,"errors":[{"code","message"}],…}.
        let body: serde_json::Value = resp.json().await.unwrap_or_default();
        let success = body.get("success").and_then(serde_json::Value::as_bool);
        if status.is_success() && success == Some(true) {
            return Ok(());
        }
        let errors = body
            .get("errors")
            .map(ToString::to_string)
            .unwrap_or_default();
        Err(StorageError::Backend(format!(
            "Cloudflare KV {what}: HTTP {status} {errors}"
        )))
    }
}

#[async_trait]
impl KeyPublisher for CloudflareKvKeys {
    async fn publish(&self, record: &KeyRecord) -> Result<(), StorageError> {
        let req = self
            .http
            .put(self.value_url(&record.key_id))
            .header(reqwest::header::CONTENT_TYPE, "text/plain")
            .body(record.to_json());
        self.send(req, "write").await
    }

    async fn withdraw(&self, key_id: &str) -> Result<(), StorageError> {
        self.send(self.http.delete(self.value_url(key_id)), "delete")
            .await
    }
}
