//! The Worker's settings, read from its vars (`wrangler.toml` `[vars]`) through a lookup
//! function so they are testable without the platform.

use balto_core::relay::{RELAY_PATH, RelayRetry, SESSION_END_PATH};
use balto_core::session::SessionConfig;
use balto_core::settings::{self, Reader, SettingError};

/// Everything a session object needs besides its secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeSettings {
    /// Base URL of the `stt-llm` function (no path).
    pub lambda_url: String,
    pub relay_timeout_ms: u64,
    pub auth_timeout_ms: u64,
    /// A socket from which nothing arrives for this long is closed (0: never). Workers cannot
    /// send WebSocket pings, so this is off by default: the runtime reports dead connections.
    pub idle_timeout_ms: u64,
    pub tick_ms: u64,
    /// How a raw-audio segment whose POST was lost is posted again (`RELAY_ATTEMPTS`,
    /// `RELAY_BACKOFF_MS`).
    pub relay_retry: RelayRetry,
}

/// A var that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("{0} is not set")]
    Missing(&'static str),
    #[error(transparent)]
    Invalid(#[from] SettingError),
}

impl EdgeSettings {
    /// Reads the vars through `lookup` by the settings table (`balto_core::settings`, blank
    /// counts as unset): `STT_LLM_URL` (required; a trailing `/v1/segment` is accepted),
    /// `RELAY_TIMEOUT_MS`, `AUTH_TIMEOUT_MS`, `IDLE_TIMEOUT_MS`, `TICK_MS`, `RELAY_ATTEMPTS`
    /// (posts per raw-audio segment), `RELAY_BACKOFF_MS` (wait before the second, doubled after).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let r = Reader::new(&lookup);
        let url = r
            .url(&settings::STT_LLM_URL)?
            .ok_or(SettingsError::Missing(settings::STT_LLM_URL.name))?;
        let base = url.strip_suffix(RELAY_PATH).unwrap_or(&url);
        Ok(EdgeSettings {
            lambda_url: base.trim_end_matches('/').to_string(),
            relay_timeout_ms: r.number(&settings::RELAY_TIMEOUT_MS)?,
            auth_timeout_ms: r.number(&settings::AUTH_TIMEOUT_MS)?,
            idle_timeout_ms: r.number(&settings::IDLE_TIMEOUT_MS)?,
            tick_ms: r.number(&settings::TICK_MS)?,
            relay_retry: RelayRetry {
                max_attempts: r.number(&settings::RELAY_ATTEMPTS)?,
                first_backoff_ms: r.number(&settings::RELAY_BACKOFF_MS)?,
                ..RelayRetry::default()
            },
        })
    }

    /// Where segments are POSTed.
    pub fn segment_url(&self) -> String {
        format!("{}{RELAY_PATH}", self.lambda_url)
    }

    /// Where a session's end is POSTed.
    pub fn session_end_url(&self) -> String {
        format!("{}{SESSION_END_PATH}", self.lambda_url)
    }

    /// The session rules, PROTOCOL.md's defaults with this auth timeout.
    pub fn session_config(&self) -> SessionConfig {
        SessionConfig {
            auth_timeout_ms: self.auth_timeout_ms,
            ..SessionConfig::default()
        }
    }

    /// True when a socket silent since `last_heard_ms` is due to be dropped at `now_ms`.
    pub fn idle_expired(&self, last_heard_ms: u64, now_ms: u64) -> bool {
        self.idle_timeout_ms > 0 && now_ms.saturating_sub(last_heard_ms) >= self.idle_timeout_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Result<EdgeSettings, SettingsError> {
        EdgeSettings::from_lookup(balto_core::settings::lookup_in(pairs))
    }

    #[test]
    fn defaults_and_urls() {
        let s = from(&[("STT_LLM_URL", "https://x.lambda-url.aws/")]).unwrap();
        assert_eq!(s.segment_url(), "https://x.lambda-url.aws/v1/segment");
        assert_eq!(
            s.session_end_url(),
            "https://x.lambda-url.aws/v1/session/end"
        );
        assert_eq!(s.relay_timeout_ms, 50_000);
        assert_eq!(s.relay_retry, RelayRetry::default());
        assert_eq!(s.session_config(), SessionConfig::default());
        assert!(!s.idle_expired(0, u64::MAX));
        let s = from(&[("STT_LLM_URL", "http://127.0.0.1:9/v1/segment")]).unwrap();
        assert_eq!(s.segment_url(), "http://127.0.0.1:9/v1/segment");
    }

    #[test]
    fn overrides_and_errors() {
        let s = from(&[
            ("STT_LLM_URL", "http://h"),
            ("RELAY_TIMEOUT_MS", " 20000 "),
            ("AUTH_TIMEOUT_MS", "1500"),
            ("IDLE_TIMEOUT_MS", "45000"),
            ("TICK_MS", "1"),
            ("RELAY_ATTEMPTS", "0"),
            ("RELAY_BACKOFF_MS", "250"),
        ])
        .unwrap();
        assert_eq!(s.relay_timeout_ms, 20_000);
        assert_eq!(s.relay_retry.max_attempts, 1, "at least the first post");
        assert_eq!(s.relay_retry.first_backoff_ms, 250);
        assert_eq!(s.session_config().auth_timeout_ms, 1_500);
        assert_eq!(s.tick_ms, 10);
        assert!(s.idle_expired(1_000, 46_000) && !s.idle_expired(1_000, 45_999));
        assert_eq!(from(&[]), Err(SettingsError::Missing("STT_LLM_URL")));
        assert_eq!(
            from(&[("STT_LLM_URL", "  ")]),
            Err(SettingsError::Missing("STT_LLM_URL"))
        );
        assert!(matches!(
            from(&[("STT_LLM_URL", "ftp://h")]),
            Err(SettingsError::Invalid(e)) if e.name == "STT_LLM_URL"
        ));
        assert!(matches!(
            from(&[("STT_LLM_URL", "http://h"), ("TICK_MS", "soon")]),
            Err(SettingsError::Invalid(e)) if e.name == "TICK_MS"
        ));
    }
}
