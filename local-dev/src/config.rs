//! local-dev configuration from the environment (and `.env`), read through the one settings
//! table of `balto_core::settings`, with every effective choice describable for the start-up
//! log, secrets masked.

use balto_core::settings::{self, Reader, Setting, SettingError, Target};
use std::net::IpAddr;
use std::path::PathBuf;

/// Why the configuration is unusable: a setting of `balto_core::settings` that cannot be used.
pub type ConfigError = balto_core::settings::SettingError;

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
    /// `STT_COST_PER_MINUTE_USD`, for the admin comparison.
    pub stt_prices: Option<String>,
    /// Connection and rate limits of `/ws`.
    pub limits: crate::limits::Limits,
    /// What [`Config::describe`] logs.
    described: Vec<(&'static str, String)>,
}

impl Config {
    /// Reads the configuration through `lookup` (the process environment in production), by
    /// the one settings table of `balto_core::settings`.
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let r = Reader::new(lookup);
        let path = |s: &Setting| r.text(s).map(PathBuf::from);
        let host = r.text(&settings::HOST).unwrap_or_default();
        Ok(Config {
            host: host.parse().map_err(|_| SettingError {
                name: settings::HOST.name,
                value: host.clone(),
                why: "expected an IP address".into(),
            })?,
            port: r.number(&settings::PORT)?,
            db_file: path(&settings::DB_FILE).unwrap_or_default(),
            audio_dump_dir: path(&settings::AUDIO_DUMP_DIR).unwrap_or_default(),
            vad_energy_threshold: r.number(&settings::VAD_ENERGY_THRESHOLD)?,
            auth_timeout_ms: r.number(&settings::AUTH_TIMEOUT_MS)?,
            max_frame_bytes: r.number(&settings::MAX_FRAME_BYTES)?,
            key_pepper: r.get(&settings::KEY_PEPPER).map(Secret::new),
            admin_secret: r.get(&settings::ADMIN_SECRET).map(Secret::new),
            whisper_model: path(&settings::WHISPER_MODEL),
            catalog_file: path(&settings::CATALOG_FILE),
            web_dir: path(&settings::WEB_DIR).unwrap_or_default(),
            stt_prices: r.get(&settings::STT_COST_PER_MINUTE_USD),
            limits: crate::limits::Limits::from_reader(&r)?,
            described: r.describe(Target::LocalDev),
        })
    }

    /// Every setting `balto serve` reads, with its effective value, for the start-up log;
    /// secrets only as set or not.
    pub fn describe(&self) -> &[(&'static str, String)] {
        &self.described
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_lookup(&balto_core::settings::lookup_in(pairs))
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
        assert!(described.contains("(\"PORT\", \"8765\")"), "{described}");
        assert!(!described.contains("hunter2"));
        assert!(described.contains("<set, 19 chars>"));
    }
}
