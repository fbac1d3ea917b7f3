//! Admin authentication: login with the admin secret (constant-time compare) giving a
//! short-lived signed session token (cookie and/or bearer), per-address login throttling with
//! exponential back-off, logout revocation, and the CSRF rule for writes.

use super::{AdminState, ApiError, now_ms};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use balto_core::admin::{CSRF_HEADER, SESSION_COOKIE};
use balto_core::admin_auth::{TokenClaims, TokenKey};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Login throttling: after `free_failures` wrong secrets from one address, each further failure
/// blocks it for `base_block * 2^(n - free_failures - 1)`, capped at `max_block`. A success
/// clears the address's record.
#[derive(Debug, Clone)]
pub struct ThrottlePolicy {
    pub free_failures: u32,
    pub base_block: Duration,
    pub max_block: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            free_failures: 3,
            base_block: Duration::from_secs(2),
            max_block: Duration::from_secs(15 * 60),
        }
    }
}

#[derive(Debug)]
struct Failures {
    count: u32,
    blocked_until: Option<Instant>,
    last: Instant,
}

/// Failed logins per client address.
#[derive(Debug, Default)]
pub(crate) struct Throttle {
    entries: Mutex<HashMap<IpAddr, Failures>>,
}

/// Most addresses remembered; older entries are dropped first when full.
const MAX_TRACKED: usize = 10_000;

impl Throttle {
    /// How long `ip` must still wait, if it is blocked.
    pub(crate) fn blocked_for(&self, ip: IpAddr) -> Option<Duration> {
        let map = self.entries.lock().ok()?;
        let until = map.get(&ip)?.blocked_until?;
        until.checked_duration_since(Instant::now())
    }

    /// Records a failure; returns the block it caused, if any.
    pub(crate) fn failed(&self, ip: IpAddr, policy: &ThrottlePolicy) -> Option<Duration> {
        let mut map = self.entries.lock().ok()?;
        let now = Instant::now();
        if map.len() >= MAX_TRACKED && !map.contains_key(&ip) {
            map.retain(|_, f| now.duration_since(f.last) < Duration::from_secs(3600));
            if map.len() >= MAX_TRACKED
                && let Some(oldest) = map.iter().min_by_key(|(_, f)| f.last).map(|(k, _)| *k)
            {
                map.remove(&oldest);
            }
        }
        let entry = map.entry(ip).or_insert(Failures {
            count: 0,
            blocked_until: None,
            last: now,
        });
        entry.count = entry.count.saturating_add(1);
        entry.last = now;
        if entry.count <= policy.free_failures {
            return None;
        }
        let exp = (entry.count - policy.free_failures - 1).min(20);
        let block = policy
            .base_block
            .saturating_mul(1u32 << exp)
            .min(policy.max_block);
        entry.blocked_until = Some(now + block);
        Some(block)
    }

    /// Forgets `ip`'s failures.
    pub(crate) fn succeeded(&self, ip: IpAddr) {
        if let Ok(mut map) = self.entries.lock() {
            map.remove(&ip);
        }
    }
}

/// Session nonces revoked by logout (until their tokens would have expired anyway).
#[derive(Debug, Default)]
pub(crate) struct Revoked {
    nonces: Mutex<HashMap<String, i64>>,
}

impl Revoked {
    pub(crate) fn revoke(&self, claims: &TokenClaims, now: i64) {
        if let Ok(mut m) = self.nonces.lock() {
            m.retain(|_, exp| *exp > now);
            m.insert(claims.nonce.clone(), claims.expires_ms);
        }
    }

    pub(crate) fn is_revoked(&self, nonce: &str) -> bool {
        self.nonces
            .lock()
            .map(|m| m.contains_key(nonce))
            .unwrap_or(true)
    }
}

/// The client address: the socket peer when known, else (if configured to trust a proxy) the
/// first `X-Forwarded-For` entry, else the unspecified address (one shared bucket).
pub(crate) fn client_ip(
    req_headers: &HeaderMap,
    peer: Option<SocketAddr>,
    trust_xff: bool,
) -> IpAddr {
    if trust_xff
        && let Some(ip) = req_headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
    {
        return ip;
    }
    peer.map(|p| p.ip())
        .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
}

/// The peer address from axum's connect info, when the server recorded it.
pub(crate) fn peer_of(req: &Request) -> Option<SocketAddr> {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
}

/// The session token a request presents: `Authorization: Bearer` first, then the cookie.
pub(crate) fn presented_token(headers: &HeaderMap) -> Option<String> {
    if let Some(auth) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        && let Some(t) = auth.strip_prefix("Bearer ")
    {
        return Some(t.trim().to_string());
    }
    for value in headers.get_all(header::COOKIE) {
        let Ok(text) = value.to_str() else { continue };
        for part in text.split(';') {
            if let Some((name, val)) = part.trim().split_once('=')
                && name == SESSION_COOKIE
            {
                return Some(val.to_string());
            }
        }
    }
    None
}

/// The valid, unrevoked session of a request.
pub(crate) fn session_of(state: &AdminState, headers: &HeaderMap) -> Option<TokenClaims> {
    let token = presented_token(headers)?;
    let claims = state.key.verify(&token, now_ms())?;
    (!state.revoked.is_revoked(&claims.nonce)).then_some(claims)
}

/// Middleware: 401 unless the request carries a valid session; the claims go into the
/// request's extensions.
pub(crate) async fn require_session(
    State(state): State<AdminState>,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let claims = session_of(&state, req.headers()).ok_or(ApiError::Unauthorized)?;
    req.extensions_mut().insert(claims);
    Ok(next.run(req).await)
}

/// Middleware: writes need the CSRF header and, when the browser sends `Origin`, a same-origin
/// one (compared with `Host`).
pub(crate) async fn require_csrf(req: Request, next: Next) -> Result<Response, ApiError> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(next.run(req).await);
    }
    let headers = req.headers();
    if headers.get(CSRF_HEADER).map(|v| v.as_bytes()) != Some(b"1") {
        return Err(ApiError::Forbidden(format!(
            "falta o cabeçalho {CSRF_HEADER}: 1"
        )));
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        let origin_host = origin
            .to_str()
            .ok()
            .and_then(|o| o.split_once("://").map(|(_, rest)| rest));
        if host.is_none() || origin_host != host {
            return Err(ApiError::Forbidden("origem diferente do servidor".into()));
        }
    }
    Ok(next.run(req).await)
}

/// The `Set-Cookie` value for a new session.
pub(crate) fn session_cookie(token: &str, max_age_s: u64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_s}{secure}"
    )
}

/// The `Set-Cookie` value that clears the session cookie.
pub(crate) fn clear_cookie(secure: bool) -> String {
    session_cookie("", 0, secure)
}

/// A fresh token key from the admin secret.
pub(crate) fn token_key(secret: &str) -> TokenKey {
    TokenKey::from_secret(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_grow_after_the_free_failures() {
        let t = Throttle::default();
        let p = ThrottlePolicy::default();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..p.free_failures {
            assert_eq!(t.failed(ip, &p), None);
        }
        assert_eq!(t.failed(ip, &p), Some(Duration::from_secs(2)));
        assert_eq!(t.failed(ip, &p), Some(Duration::from_secs(4)));
        assert!(t.blocked_for(ip).is_some());
        t.succeeded(ip);
        assert!(t.blocked_for(ip).is_none());
    }

    #[test]
    fn tokens_come_from_bearer_or_cookie() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=b; balto_admin=tok; c=d".parse().unwrap());
        assert_eq!(presented_token(&h).as_deref(), Some("tok"));
        h.insert(header::AUTHORIZATION, "Bearer bear".parse().unwrap());
        assert_eq!(presented_token(&h).as_deref(), Some("bear"));
    }
}
