//! The `admin-api` Lambda's application: the admin router over
//! [`DynamoStore`] — history, reviews and figures ([`balto_core::admin_store::AdminStore`]),
//! keys ([`balto_core::storage::Storage`]) and segment audio from the table; no backup and no
//! live status (those routes answer 501). The binary `src/bin/admin_api.rs` and the tests
//! build it with the same functions.

use crate::dynamo::DynamoStore;
use axum::Router;
use axum::extract::{ConnectInfo, Request};
use axum::middleware::{Next, from_fn};
use axum::response::Response;
use balto_admin_api::edge_keys::{CloudflareKvKeys, KvTarget};
use balto_admin_api::{AdminBackends, AdminConfig, router};
use balto_core::admin_store::KeyPublisher;
use balto_core::key_record::parse_pepper;
use balto_core::keys::KeyPepper;
use balto_core::settings::{self, Reader};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// Shortest admin secret accepted (as local-dev enforces).
pub const MIN_SECRET_CHARS: usize = 16;

/// The admin configuration from the environment (`get` reads a variable):
/// `ADMIN_SECRET` (required, at least [`MIN_SECRET_CHARS`] characters, no default),
/// `ADMIN_SESSION_TTL_S` (default 7200) and `STT_COST_PER_MINUTE_USD` (`provider=price,...`).
/// The session cookie is always `Secure` (a Function URL is https).
pub fn config_from(lookup: &dyn Fn(&str) -> Option<String>) -> Result<AdminConfig, String> {
    let r = Reader::new(lookup);
    let secret = r
        .get(&settings::ADMIN_SECRET)
        .ok_or("ADMIN_SECRET is not set")?;
    if secret.chars().count() < MIN_SECRET_CHARS {
        return Err(format!(
            "ADMIN_SECRET must have at least {MIN_SECRET_CHARS} characters"
        ));
    }
    let mut config = AdminConfig::new(secret);
    config.secure_cookie = true;
    // The client address comes from the Function URL's request context, not a header.
    config.trust_forwarded_for = false;
    config.session_ttl = Duration::from_secs(
        r.number(&settings::ADMIN_SESSION_TTL_S)
            .map_err(|e| e.to_string())?,
    );
    if let Some(v) = r.get(&settings::STT_COST_PER_MINUTE_USD) {
        config.cost_per_minute_usd =
            AdminConfig::parse_prices(&v).map_err(|e| format!("STT_COST_PER_MINUTE_USD: {e}"))?;
    }
    Ok(config)
}

/// How counter keys created here are hashed and where they are published.
#[derive(Default)]
pub struct KeySettings {
    /// `KEY_PEPPER` (hex, ≥ 32 bytes): the same secret as the edge Worker's, so keys created
    /// here authenticate there. Unset: unpeppered (v1) hashes, with a warning at start.
    pub pepper: Option<KeyPepper>,
    /// The Worker's KV namespace (`CF_ACCOUNT_ID`, `CF_KV_NAMESPACE_ID`, `CF_API_TOKEN`).
    pub edge: Option<KvTarget>,
}

impl KeySettings {
    /// From the settings table, read through `lookup`.
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<KeySettings, String> {
        let r = Reader::new(lookup);
        let pepper = match r.get(&settings::KEY_PEPPER) {
            Some(hex) => Some(parse_pepper(&hex).map_err(|e| e.to_string())?),
            None => None,
        };
        Ok(KeySettings {
            pepper,
            edge: KvTarget::from_reader(&r)?,
        })
    }
}

/// The admin API over `store`, with the client address taken from the Lambda request
/// context when no socket address is known (per-address login throttling).
pub fn app(store: DynamoStore, config: AdminConfig, keys: KeySettings) -> Result<Router, String> {
    let store = Arc::new(store);
    let edge_keys = match keys.edge {
        Some(target) => Some(
            Arc::new(CloudflareKvKeys::new(target).map_err(|e| e.to_string())?)
                as Arc<dyn KeyPublisher>,
        ),
        None => None,
    };
    let backends = AdminBackends {
        storage: store.clone(),
        admin: store.clone(),
        audio: Some(store),
        backup: None,
        live: None,
        key_pepper: keys.pepper,
        edge_keys,
    };
    Ok(router(config, backends).layer(from_fn(lambda_source_ip)))
}

/// Records the Function URL's `requestContext.http.sourceIp` as the peer address.
async fn lambda_source_ip(mut req: Request, next: Next) -> Response {
    use lambda_http::RequestExt;
    use lambda_http::request::RequestContext;
    if req.extensions().get::<ConnectInfo<SocketAddr>>().is_none() {
        let ip = match req.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(ctx)) => ctx
                .http
                .source_ip
                .as_deref()
                .and_then(|ip| ip.parse::<IpAddr>().ok()),
            _ => None,
        };
        if let Some(ip) = ip {
            req.extensions_mut()
                .insert(ConnectInfo(SocketAddr::new(ip, 0)));
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn the_secret_is_required_and_long_enough() {
        assert!(config_from(&env(&[])).is_err());
        assert!(config_from(&env(&[("ADMIN_SECRET", "   ")])).is_err());
        assert!(config_from(&env(&[("ADMIN_SECRET", "fifteen-chars!!")])).is_err());
        let c = config_from(&env(&[("ADMIN_SECRET", "sixteen-chars!!!")])).unwrap();
        assert!(c.secure_cookie && !c.trust_forwarded_for);
        assert_eq!(c.session_ttl, Duration::from_secs(7200));
    }

    #[test]
    fn options_are_parsed() {
        let c = config_from(&env(&[
            ("ADMIN_SECRET", "0123456789abcdef"),
            ("ADMIN_SESSION_TTL_S", "60"),
            ("STT_COST_PER_MINUTE_USD", "whisper=0.006"),
        ]))
        .unwrap();
        assert_eq!(c.session_ttl, Duration::from_secs(60));
        assert_eq!(c.cost_per_minute_usd.get("whisper"), Some(&0.006));
        assert!(
            config_from(&env(&[
                ("ADMIN_SECRET", "0123456789abcdef"),
                ("ADMIN_SESSION_TTL_S", "x")
            ]))
            .is_err()
        );
    }
}
