//! The shared state of a running local-dev server: storage, pipeline parts, limits, shutdown.

use crate::claims::SegmentClaims;
use crate::config::Config;
use crate::front_end::{self, FrontEndMaker};
use crate::limits::{Gatekeeper, Limits};
use crate::live::LiveRegistry;
use crate::sqlite_store::SqliteStore;
use crate::timing::LatencyHistogram;
use balto_core::advisor::Advisor;
use balto_core::session::SessionConfig;
use balto_core::storage::Storage;
use balto_core::transcriber::Transcriber;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use tokio_util::sync::CancellationToken;

/// Counts for `/healthz` (and later `/metrics`).
#[derive(Debug, Default)]
pub struct Counters {
    pub connections_open: AtomicU64,
    pub connections_total: AtomicU64,
    pub segments_stored: AtomicU64,
    pub recommendations_sent: AtomicU64,
    /// Time the server spends on each inbound audio frame (front end, session, storage).
    pub frame_processing: LatencyHistogram,
}

impl Counters {
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }
    pub fn sub(counter: &AtomicU64, n: u64) {
        counter.fetch_sub(n, Ordering::Relaxed);
    }
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// Everything a connection needs. Built once, by [`App::builder`] (`balto serve` and the
/// tests alike); read through its fields.
pub struct App {
    pub store: Arc<dyn Storage>,
    pub audio_dir: PathBuf,
    /// Built web assets (`counter/`, `admin/`); see [`crate::config::Config::web_dir`].
    pub web_dir: PathBuf,
    pub session_config: SessionConfig,
    pub front_end: FrontEndMaker,
    /// `None` when no engine is available: segments are stored and stay unprocessed.
    pub transcriber: Option<Arc<dyn Transcriber>>,
    /// `None` when no advisor is available: transcripts are stored, nothing is pushed.
    pub advisor: Option<Arc<dyn Advisor>>,
    /// Cancelled to stop the server; connections close with 1001.
    pub shutdown: CancellationToken,
    pub counters: Counters,
    pub started: Instant,
    /// Segments some task of this process is working on (see [`crate::recovery`]).
    pub claims: SegmentClaims,
    /// Connection, rate and auth-attempt limits of `/ws`.
    pub gate: Gatekeeper,
    /// Counter keys are hashed with this server secret (`None`: legacy unpeppered keys only).
    pub key_pepper: Option<balto_core::keys::KeyPepper>,
    /// The SQLite store behind `store`, for the admin API's queries and backup.
    pub db: SqliteStore,
    /// Open counter connections, for the admin's live page and `/metrics`.
    pub live: Arc<LiveRegistry>,
    /// The admin API's secret and settings.
    pub admin: balto_admin_api::AdminConfig,
}

impl App {
    /// An app over `db` with the admin API's settings; everything else starts at the settings
    /// table's defaults (no transcriber, no advisor, no pepper) until set.
    pub fn builder(db: SqliteStore, admin: balto_admin_api::AdminConfig) -> AppBuilder {
        let defaults = Config::from_lookup(&|_| None)
            .expect("the settings table's defaults are valid (checked by its tests)");
        AppBuilder {
            db,
            admin,
            transcriber: None,
            advisor: None,
            key_pepper: None,
            config: defaults,
        }
    }

    /// Name of the transcriber in use, for logs.
    pub fn transcriber_name(&self) -> &str {
        self.transcriber
            .as_ref()
            .map(|t| t.name())
            .unwrap_or("none")
    }
    /// Name of the advisor in use, for logs.
    pub fn advisor_name(&self) -> &str {
        self.advisor.as_ref().map(|a| a.name()).unwrap_or("none")
    }
}

/// What an [`App`] is made of, set piece by piece.
pub struct AppBuilder {
    db: SqliteStore,
    admin: balto_admin_api::AdminConfig,
    transcriber: Option<Arc<dyn Transcriber>>,
    advisor: Option<Arc<dyn Advisor>>,
    key_pepper: Option<balto_core::keys::KeyPepper>,
    config: Config,
}

impl AppBuilder {
    /// The served settings: audio and web folders, session rules, the front end's energy
    /// floor, the limits.
    pub fn config(mut self, config: &Config) -> Self {
        self.config = config.clone();
        self
    }
    pub fn audio_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.config.audio_dump_dir = dir.into();
        self
    }
    pub fn web_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.config.web_dir = dir.into();
        self
    }
    pub fn auth_timeout_ms(mut self, ms: u64) -> Self {
        self.config.auth_timeout_ms = ms;
        self
    }
    pub fn limits(mut self, limits: Limits) -> Self {
        self.config.limits = limits;
        self
    }
    pub fn transcriber(mut self, transcriber: Option<Arc<dyn Transcriber>>) -> Self {
        self.transcriber = transcriber;
        self
    }
    pub fn advisor(mut self, advisor: Option<Arc<dyn Advisor>>) -> Self {
        self.advisor = advisor;
        self
    }
    pub fn key_pepper(mut self, pepper: balto_core::keys::KeyPepper) -> Self {
        self.key_pepper = Some(pepper);
        self
    }

    /// The app, ready to serve; fails only on a front end configuration it cannot run.
    pub fn build(self) -> Result<Arc<App>, vad_wasm::ConfigError> {
        let c = self.config;
        let front_end = front_end::maker(front_end::config(c.vad_energy_threshold))?;
        // Recording starts now: the process's metrics recorder is in place before any socket.
        crate::metrics::handle();
        Ok(Arc::new(App {
            store: Arc::new(self.db.clone()),
            audio_dir: c.audio_dump_dir,
            web_dir: c.web_dir,
            session_config: SessionConfig {
                auth_timeout_ms: c.auth_timeout_ms,
                max_frame_bytes: c.max_frame_bytes,
                ..SessionConfig::default()
            },
            front_end,
            transcriber: self.transcriber,
            advisor: self.advisor,
            shutdown: CancellationToken::new(),
            counters: Counters::default(),
            started: Instant::now(),
            claims: SegmentClaims::default(),
            gate: Gatekeeper::new(c.limits),
            key_pepper: self.key_pepper,
            db: self.db,
            live: Arc::default(),
            admin: self.admin,
        }))
    }
}
