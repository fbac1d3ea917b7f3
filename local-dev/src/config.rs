//! local-dev configuration from the environment (and `.env`), with every effective choice
//! describable for the start-up log, secrets masked.

use std::net::IpAddr;
use std::path::PathBuf;

/// Why the configuration is unusable.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("{name}={value:?} is not valid: {why}")]
    Invalid {
        name: &'static str,
        value: String,
        why: &'static str,
    },
}

/// A secret that never shows in `Debug` or logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    /// The secret itself; call only where it is used.
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// A masked form for logs: length only.
    pub fn masked(&self) -> String {
        format!("<set, {} chars>", self.0.chars().count())
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Everything `balto serve` needs to know.
#[derive(Debug, Clone)]
pub struct Config {
    pub host: IpAddr,
    /// Requested port; if taken, the server says so and uses `port + 1`.
    pub port: u16,
    pub db_file: PathBuf,
    pub audio_dump_dir: PathBuf,
    /// The seed's RMS floor for the energy gate.
    pub vad_energy_threshold: f32,
    pub auth_timeout_ms: u64,
    pub max_frame_bytes: usize,
    pub admin_secret: Option<Secret>,
    /// Hex pepper for counter-key hashes; unset: generated into a file beside the database.
    pub key_pepper: Option<Secret>,
    /// Explicit ggml model for the offline Whisper engine.
    pub whisper_model: Option<PathBuf>,
    /// A product catalog replacing the embedded one.
    pub catalog_file: Option<PathBuf>,
    /// Built web assets: `counter/` served at `/`, `admin/` at `/admin` (scripts/build-web.sh).
    pub web_dir: PathBuf,
    /// Connection and rate limits of `/ws`.
    pub limits: crate::limits::Limits,
}

pub(crate) fn parse<T: std::str::FromStr>(
    lookup: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
    why: &'static str,
) -> Result<T, ConfigError> {
    match lookup(name).filter(|v| !v.trim().is_empty()) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| ConfigError::Invalid {
            name,
            value: v,
            why,
        }),
    }
}

impl Config {
    /// Reads the configuration through `lookup` (the process environment in production).
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let path = |name: &str, default: &str| {
            PathBuf::from(
                lookup(name)
                    .filter(|v| !v.trim().is_empty())
                    .unwrap_or_else(|| default.to_string()),
            )
        };
        let threshold: f32 = parse(
            lookup,
            "VAD_ENERGY_THRESHOLD",
            300.0,
            "expected a number (RMS of s16 samples)",
        )?;
        if !(0.0..=32_767.0).contains(&threshold) {
            return Err(ConfigError::Invalid {
                name: "VAD_ENERGY_THRESHOLD",
                value: threshold.to_string(),
                why: "must be between 0 and 32767",
            });
        }
        let max_frame_bytes: usize =
            parse(lookup, "MAX_FRAME_BYTES", 65_536, "expected a byte count")?;
        if !(2..=1_048_576).contains(&max_frame_bytes) {
            return Err(ConfigError::Invalid {
                name: "MAX_FRAME_BYTES",
                value: max_frame_bytes.to_string(),
                why: "must be between 2 and 1048576",
            });
        }
        Ok(Config {
            host: parse(
                lookup,
                "HOST",
                IpAddr::from([127, 0, 0, 1]),
                "expected an IP address",
            )?,
            port: parse(lookup, "PORT", 8765, "expected a port number")?,
            db_file: path("DB_FILE", "./data/balto.db"),
            audio_dump_dir: path("AUDIO_DUMP_DIR", "./data/audio"),
            vad_energy_threshold: threshold,
            auth_timeout_ms: parse(lookup, "AUTH_TIMEOUT_MS", 10_000, "expected milliseconds")?,
            max_frame_bytes,
            key_pepper: lookup("KEY_PEPPER")
                .filter(|v| !v.trim().is_empty())
                .map(Secret::new),
            admin_secret: lookup("ADMIN_SECRET")
                .filter(|v| !v.is_empty())
                .map(Secret::new),
            whisper_model: lookup("WHISPER_MODEL")
                .filter(|v| !v.trim().is_empty())
                .map(PathBuf::from),
            catalog_file: lookup("CATALOG_FILE")
                .filter(|v| !v.trim().is_empty())
                .map(PathBuf::from),
            web_dir: path("WEB_DIR", "./target/web"),
            limits: crate::limits::Limits::from_lookup(lookup)?,
        })
    }

    /// Every effective choice as (name, value) for the start-up log; secrets masked.
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        vec![
            ("HOST", self.host.to_string()),
            ("PORT", self.port.to_string()),
            ("DB_FILE", self.db_file.display().to_string()),
            ("AUDIO_DUMP_DIR", self.audio_dump_dir.display().to_string()),
            (
                "VAD_ENERGY_THRESHOLD",
                self.vad_energy_threshold.to_string(),
            ),
            ("AUTH_TIMEOUT_MS", self.auth_timeout_ms.to_string()),
            ("MAX_FRAME_BYTES", self.max_frame_bytes.to_string()),
            (
                "ADMIN_SECRET",
                self.admin_secret
                    .as_ref()
                    .map(Secret::masked)
                    .unwrap_or_else(|| "<not set>".into()),
            ),
            (
                "WHISPER_MODEL",
                self.whisper_model
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| "<default cache path>".into()),
            ),
            (
                "CATALOG_FILE",
                self.catalog_file
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| "<embedded catalog>".into()),
            ),
            (
                "KEY_PEPPER",
                self.key_pepper
                    .as_ref()
                    .map(Secret::masked)
                    .unwrap_or_else(|| "<file beside DB_FILE>".into()),
            ),
            ("WEB_DIR", self.web_dir.display().to_string()),
            ("LIMITS", format!("{:?}", self.limits)),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(&move |k| map.get(k).cloned())
    }

    #[test]
    fn defaults_follow_the_seed() {
        let c = from(&[]).unwrap();
        assert_eq!(c.port, 8765);
        assert_eq!(c.db_file, PathBuf::from("./data/balto.db"));
        assert_eq!(c.audio_dump_dir, PathBuf::from("./data/audio"));
        assert_eq!(c.vad_energy_threshold, 300.0);
        assert_eq!(c.auth_timeout_ms, 10_000);
        assert_eq!(c.max_frame_bytes, 65_536);
        assert!(c.admin_secret.is_none());
        assert_eq!(c.web_dir, PathBuf::from("./target/web"));
    }

    #[test]
    fn bad_values_are_named_in_the_error() {
        let e = from(&[("PORT", "eighty")]).unwrap_err();
        assert!(e.to_string().contains("PORT"));
        assert!(from(&[("VAD_ENERGY_THRESHOLD", "-3")]).is_err());
        assert!(from(&[("MAX_FRAME_BYTES", "1")]).is_err());
    }

    #[test]
    fn secrets_are_masked_in_descriptions_and_debug() {
        let c = from(&[("ADMIN_SECRET", "hunter2-very-secret")]).unwrap();
        let described = format!("{:?} {:?}", c.describe(), c);
        assert!(!described.contains("hunter2"));
        assert!(described.contains("<set, 19 chars>"));
    }
}
