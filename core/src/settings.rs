//! Every setting Balto reads from its environment, in one table: name, default, bounds, whether
//! it is a secret, which deployment targets read it, and what it means. local-dev, the Worker
//! and both Lambdas read their settings through [`Reader`] over this table, `balto serve` logs
//! them from it, and the configuration tables of README.md and docs/deploy.md are generated
//! from it ([`markdown_table`]; a test compares them), so the docs cannot drift from the code.

use std::fmt::Write as _;
use std::str::FromStr;
use std::time::Duration;

/// Where a setting is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// `balto serve` (local-dev), from the environment or `.env`.
    LocalDev,
    /// The Cloudflare Worker, from `wrangler.toml` `[vars]` and its secrets.
    Worker,
    /// The `stt-llm` Lambda function.
    SttLlm,
    /// The `admin-api` Lambda function.
    AdminApi,
}

impl Target {
    /// Every target, in documentation order.
    pub const ALL: [Target; 4] = [
        Target::LocalDev,
        Target::Worker,
        Target::SttLlm,
        Target::AdminApi,
    ];

    /// The target's name in docs and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Target::LocalDev => "local-dev",
            Target::Worker => "worker",
            Target::SttLlm => "stt-llm",
            Target::AdminApi => "admin-api",
        }
    }
}

/// What to do with a number outside a setting's bounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bounds {
    /// Any value of the type.
    None,
    /// Refused with an error naming the setting.
    Refuse { min: f64, max: f64 },
    /// Brought inside (a count that only makes sense within them).
    Clamp { min: f64, max: f64 },
}

/// One setting.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Setting {
    pub name: &'static str,
    /// The value used when it is unset or blank, written as it would be in the environment;
    /// `None` when unset has a meaning of its own (see [`Setting::unset`]).
    pub default: Option<&'static str>,
    /// What happens when it is unset and there is no default value.
    pub unset: &'static str,
    pub bounds: Bounds,
    /// Never logged or shown; only whether it is set.
    pub secret: bool,
    pub targets: &'static [Target],
    /// What it means, for the docs' tables.
    pub meaning: &'static str,
}

impl Setting {
    /// True when `target` reads this setting.
    pub fn read_by(&self, target: Target) -> bool {
        self.targets.contains(&target)
    }

    /// True when `value` is within the setting's bounds (used where the same option is also
    /// set from code, e.g. the Whisper engine's options).
    pub fn within(&self, value: f64) -> bool {
        match self.bounds {
            Bounds::None => true,
            Bounds::Refuse { min, max } | Bounds::Clamp { min, max } => {
                (min..=max).contains(&value)
            }
        }
    }

    /// The bounds as a range, when it has any (for code that checks the same option itself,
    /// e.g. the front end's energy threshold).
    pub fn range(&self) -> Option<(f64, f64)> {
        match self.bounds {
            Bounds::None => None,
            Bounds::Refuse { min, max } | Bounds::Clamp { min, max } => Some((min, max)),
        }
    }

    /// The default as a number, for code that needs the same default (e.g. the front end's
    /// `FrontEndConfig::default`). `None` when there is no numeric default.
    pub fn default_number<T: FromStr>(&self) -> Option<T> {
        self.default.and_then(|d| d.trim().parse().ok())
    }

    /// The default as the docs show it.
    pub fn shown_default(&self) -> String {
        match self.default {
            Some(v) => format!("`{v}`"),
            None => self.unset.to_string(),
        }
    }
}

/// A setting whose value cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}={value:?} is not valid: {why}")]
pub struct SettingError {
    pub name: &'static str,
    pub value: String,
    pub why: String,
}

const LOCAL: &[Target] = &[Target::LocalDev];
const WORKER: &[Target] = &[Target::Worker];
const STT_LLM: &[Target] = &[Target::SttLlm];
const ADMIN_API: &[Target] = &[Target::AdminApi];
const LOCAL_WORKER: &[Target] = &[Target::LocalDev, Target::Worker];
const LOCAL_STT_LLM: &[Target] = &[Target::LocalDev, Target::SttLlm];
const LOCAL_ADMIN: &[Target] = &[Target::LocalDev, Target::AdminApi];
const LAMBDAS: &[Target] = &[Target::SttLlm, Target::AdminApi];
const WORKER_STT_LLM: &[Target] = &[Target::Worker, Target::SttLlm];
const ALL_BUT_WORKER: &[Target] = &[Target::LocalDev, Target::SttLlm, Target::AdminApi];
const KEY_READERS: &[Target] = &[Target::LocalDev, Target::Worker, Target::AdminApi];

const fn setting(name: &'static str, default: &'static str, targets: &'static [Target]) -> Setting {
    Setting {
        name,
        default: Some(default),
        unset: "",
        bounds: Bounds::None,
        secret: false,
        targets,
        meaning: "",
    }
}

const fn optional(name: &'static str, unset: &'static str, targets: &'static [Target]) -> Setting {
    Setting {
        name,
        default: None,
        unset,
        bounds: Bounds::None,
        secret: false,
        targets,
        meaning: "",
    }
}

impl Setting {
    const fn means(self, meaning: &'static str) -> Setting {
        Setting { meaning, ..self }
    }
    const fn refuse(self, min: f64, max: f64) -> Setting {
        Setting {
            bounds: Bounds::Refuse { min, max },
            ..self
        }
    }
    const fn clamp(self, min: f64, max: f64) -> Setting {
        Setting {
            bounds: Bounds::Clamp { min, max },
            ..self
        }
    }
    const fn secret(self) -> Setting {
        Setting {
            secret: true,
            ..self
        }
    }
}

/// The largest count or number of milliseconds a setting may hold (an `u32` keeps every
/// reader's arithmetic far from overflow).
const MAX_COUNT: f64 = 4_294_967_295.0;

// --- local-dev: serving and storage -------------------------------------------------------------
pub const HOST: Setting =
    setting("HOST", "127.0.0.1", LOCAL).means("address to bind (`0.0.0.0` to serve the LAN)");
pub const PORT: Setting = setting("PORT", "8765", LOCAL)
    .refuse(0.0, 65_535.0)
    .means("port; if taken, the server logs it and uses `PORT+1`");
pub const DB_FILE: Setting = setting("DB_FILE", "./data/balto.db", LOCAL)
    .means("SQLite file (folder created; WAL mode; migrations applied at start)");
pub const AUDIO_DUMP_DIR: Setting = setting("AUDIO_DUMP_DIR", "./data/audio", LOCAL)
    .means("segment WAV files, referenced from their rows");
pub const WEB_DIR: Setting = setting("WEB_DIR", "./target/web", LOCAL)
    .means("built browser apps: `counter/` at `/counter/`, `admin/` at `/admin/`");
pub const VAD_ENERGY_THRESHOLD: Setting = setting("VAD_ENERGY_THRESHOLD", "300", LOCAL)
    .refuse(0.0, 32_767.0)
    .means("RMS floor of the front end's energy gate (the seed's setting)");
pub const AUTH_TIMEOUT_MS: Setting = setting("AUTH_TIMEOUT_MS", "10000", LOCAL_WORKER)
    .refuse(100.0, 600_000.0)
    .means("a socket must authenticate within this time (4001 after)");
pub const MAX_FRAME_BYTES: Setting = setting("MAX_FRAME_BYTES", "65536", LOCAL)
    .refuse(2.0, 1_048_576.0)
    .means("largest Part 1 audio frame (`frame_grande` beyond)");
pub const CATALOG_FILE: Setting = optional("CATALOG_FILE", "embedded catalog", LOCAL_STT_LLM)
    .means("a replacement product catalog (JSON, validated at start)");

// --- providers ----------------------------------------------------------------------------------
pub const STT_PROVIDER: Setting = setting("STT_PROVIDER", "auto", LOCAL_STT_LLM).means(
    "`auto` (ElevenLabs → AssemblyAI → Whisper, with whichever are configured), `elevenlabs`, `assemblyai`, `whisper`",
);
pub const LLM_PROVIDER: Setting = setting("LLM_PROVIDER", "auto", LOCAL_STT_LLM)
    .means("`auto` (xAI → OpenAI → rules), `xai`, `openai`, `regras`");
pub const ELEVENLABS_API_KEY: Setting = optional("ELEVENLABS_API_KEY", "none", LOCAL_STT_LLM)
    .secret()
    .means("ElevenLabs key (never logged; masked)");
pub const ELEVENLABS_BASE_URL: Setting =
    optional("ELEVENLABS_BASE_URL", "public API", LOCAL_STT_LLM)
        .means("ElevenLabs endpoint (a provider counts as configured when its key or URL is set)");
pub const ELEVENLABS_MODEL: Setting =
    optional("ELEVENLABS_MODEL", "current model", LOCAL_STT_LLM).means("ElevenLabs Scribe model");
pub const ASSEMBLYAI_API_KEY: Setting = optional("ASSEMBLYAI_API_KEY", "none", LOCAL_STT_LLM)
    .secret()
    .means("AssemblyAI key (never logged; masked)");
pub const ASSEMBLYAI_BASE_URL: Setting =
    optional("ASSEMBLYAI_BASE_URL", "public API", LOCAL_STT_LLM).means("AssemblyAI endpoint");
pub const ASSEMBLYAI_MODELS: Setting =
    optional("ASSEMBLYAI_MODELS", "current models", LOCAL_STT_LLM)
        .means("AssemblyAI speech models, comma-separated");
pub const XAI_API_KEY: Setting = optional("XAI_API_KEY", "none", LOCAL_STT_LLM)
    .secret()
    .means("xAI key (never logged; masked)");
pub const XAI_BASE_URL: Setting =
    optional("XAI_BASE_URL", "public API", LOCAL_STT_LLM).means("xAI endpoint");
pub const XAI_MODEL: Setting =
    optional("XAI_MODEL", "current model", LOCAL_STT_LLM).means("xAI (Grok) model");
pub const OPENAI_API_KEY: Setting = optional("OPENAI_API_KEY", "none", LOCAL_STT_LLM)
    .secret()
    .means("OpenAI key (never logged; masked)");
pub const OPENAI_BASE_URL: Setting =
    optional("OPENAI_BASE_URL", "public API", LOCAL_STT_LLM).means("OpenAI endpoint");
pub const OPENAI_MODEL: Setting =
    optional("OPENAI_MODEL", "current model", LOCAL_STT_LLM).means("OpenAI model");
pub const STT_TIMEOUT_MS: Setting = setting("STT_TIMEOUT_MS", "15000", LOCAL_STT_LLM)
    .refuse(0.0, MAX_COUNT)
    .means("per-call timeout of a cloud STT provider");
pub const STT_STALL_MS: Setting = setting("STT_STALL_MS", "4000", LOCAL_STT_LLM)
    .refuse(0.0, MAX_COUNT)
    .means("a provider silent this long is hedged by the next one (0: never)");
pub const STT_MAX_ATTEMPTS: Setting = setting("STT_MAX_ATTEMPTS", "2", LOCAL_STT_LLM)
    .clamp(1.0, 10.0)
    .means("calls per STT provider (retries on retryable errors only)");
pub const OFFLINE_STT_TIMEOUT_MS: Setting =
    setting("OFFLINE_STT_TIMEOUT_MS", "60000", LOCAL_STT_LLM)
        .refuse(0.0, MAX_COUNT)
        .means("per-call timeout of the offline Whisper engine");
pub const LLM_TIMEOUT_MS: Setting = setting("LLM_TIMEOUT_MS", "10000", LOCAL_STT_LLM)
    .refuse(0.0, MAX_COUNT)
    .means("per-call timeout of an LLM provider");
pub const LLM_MAX_ATTEMPTS: Setting = setting("LLM_MAX_ATTEMPTS", "2", LOCAL_STT_LLM)
    .clamp(1.0, 10.0)
    .means("calls per LLM provider (retries on retryable errors only)");
pub const RED_FLAG_CONSULT_LLM: Setting = setting("RED_FLAG_CONSULT_LLM", "false", LOCAL_STT_LLM)
    .means(
        "when the red-flag screen fires, still ask the LLM (its answer is recorded as overridden, never sent); off: the intervention goes out without the call",
    );
pub const STT_COST_PER_MINUTE_USD: Setting =
    optional("STT_COST_PER_MINUTE_USD", "list prices", LOCAL_ADMIN)
        .means("e.g. `elevenlabs=0.0067,assemblyai=0.0025`, for the admin comparison");

// --- the offline Whisper engine -----------------------------------------------------------------
pub const WHISPER_MODEL: Setting = optional(
    "WHISPER_MODEL",
    "`$BALTO_CACHE_DIR/models/ggml-base.bin`",
    LOCAL,
)
.means("any ggml Whisper model (`scripts/whisper-model.sh` installs the default)");
pub const BALTO_CACHE_DIR: Setting = optional("BALTO_CACHE_DIR", "`~/.cache/balto`", LOCAL)
    .means("where set-up scripts put models and tools");
pub const WHISPER_THREADS: Setting = setting("WHISPER_THREADS", "2", LOCAL)
    .refuse(1.0, 64.0)
    .means("CPU threads per Whisper call");
pub const WHISPER_LANGUAGE: Setting =
    setting("WHISPER_LANGUAGE", "pt", LOCAL).means("language code, or `auto`");
pub const WHISPER_BEAM_SIZE: Setting = setting("WHISPER_BEAM_SIZE", "1", LOCAL)
    .refuse(1.0, 16.0)
    .means("1: greedy decoding; more: beam search");
pub const WHISPER_WORKERS: Setting = setting("WHISPER_WORKERS", "1", LOCAL)
    .refuse(1.0, 16.0)
    .means("Whisper calls run at once (each holds its own state)");
pub const WHISPER_FLASH_ATTN: Setting =
    setting("WHISPER_FLASH_ATTN", "false", LOCAL).means("flash attention in whisper.cpp");

// --- secrets and keys ---------------------------------------------------------------------------
pub const ADMIN_SECRET: Setting = optional(
    "ADMIN_SECRET",
    "generated (local-dev); required (admin-api)",
    LOCAL_ADMIN,
)
.secret()
.means(
    "the admin API's login secret (≥ 16 characters); local-dev generates one on first start into `admin-secret` beside `DB_FILE` (mode 0600; only its path is logged). There is no default secret",
);
pub const ADMIN_SESSION_TTL_S: Setting = setting("ADMIN_SESSION_TTL_S", "7200", ADMIN_API)
    .refuse(60.0, 86_400.0)
    .means("lifetime of an admin login");
pub const KEY_PEPPER: Setting = optional(
    "KEY_PEPPER",
    "generated (local-dev)",
    KEY_READERS,
)
.secret()
.means(
    "hex (≥ 32 bytes) keying counter-key hashes (HMAC-SHA256); local-dev generates one on first start into `key-pepper` beside `DB_FILE` (mode 0600) — back it up with the database",
);

// --- limits -------------------------------------------------------------------------------------
pub const MAX_CONNECTIONS: Setting = setting("MAX_CONNECTIONS", "20000", LOCAL)
    .refuse(1.0, MAX_COUNT)
    .means("open sockets server-wide (more: HTTP 503)");
pub const MAX_CONNECTIONS_PER_KEY: Setting = setting("MAX_CONNECTIONS_PER_KEY", "4", LOCAL_WORKER)
    .refuse(1.0, MAX_COUNT)
    .means("open sockets per counter key (more: `muitas_conexoes`, close 1008)");
pub const RATE_BYTES_PER_S: Setting = setting("RATE_BYTES_PER_S", "262144", LOCAL)
    .refuse(1.0, MAX_COUNT)
    .means("inbound bytes per second per socket (raw PCM is 32,000)");
pub const RATE_BURST_BYTES: Setting = setting("RATE_BURST_BYTES", "8388608", LOCAL)
    .refuse(1.0, MAX_COUNT)
    .means("inbound byte burst per socket (a queue of re-sent segments must fit)");
pub const RATE_MESSAGES_PER_S: Setting = setting("RATE_MESSAGES_PER_S", "200", LOCAL)
    .refuse(1.0, MAX_COUNT)
    .means("inbound messages per second per socket");
pub const RATE_BURST_MESSAGES: Setting = setting("RATE_BURST_MESSAGES", "1000", LOCAL)
    .refuse(1.0, MAX_COUNT)
    .means("inbound message burst per socket");
pub const RATE_MAX_THROTTLED_MS: Setting = setting("RATE_MAX_THROTTLED_MS", "10000", LOCAL)
    .refuse(0.0, MAX_COUNT)
    .means(
        "a sender slowed down longer than this gets `limite_excedido` (nothing is dropped before)",
    );
pub const AUTH_FAILURES_PER_IP: Setting = setting("AUTH_FAILURES_PER_IP", "10", LOCAL_WORKER)
    .refuse(1.0, MAX_COUNT)
    .means(
        "failed `auth` per address per minute answered at once; each further refusal waits 1 s, doubling up to 10 s. A valid key is never refused or delayed",
    );
pub const PING_INTERVAL_MS: Setting = setting("PING_INTERVAL_MS", "15000", LOCAL)
    .refuse(1.0, MAX_COUNT)
    .means("the server pings each socket this often");
pub const PONG_TIMEOUT_MS: Setting = setting("PONG_TIMEOUT_MS", "45000", LOCAL)
    .refuse(1.0, MAX_COUNT)
    .means("a socket silent this long (no frame, no pong) is dropped as half-open");
pub const RUST_LOG: Setting =
    setting("RUST_LOG", "info", ALL_BUT_WORKER).means("log filter (`tracing` syntax)");

// --- the Worker ---------------------------------------------------------------------------------
pub const STT_LLM_URL: Setting = optional("STT_LLM_URL", "required", WORKER)
    .means("base URL of the `stt-llm` Function URL (the Worker POSTs to `/v1/segment`)");
pub const STT_LLM_SIGNING_SECRET: Setting =
    optional("STT_LLM_SIGNING_SECRET", "required", WORKER_STT_LLM)
        .secret()
        .means("HMAC secret shared by the Worker and the `stt-llm` function");
pub const RELAY_TIMEOUT_MS: Setting = setting("RELAY_TIMEOUT_MS", "50000", WORKER)
    .refuse(1.0, MAX_COUNT)
    .means("one relay round trip at most (the Lambda's worst case is ≈ 45 s)");
pub const IDLE_TIMEOUT_MS: Setting = setting("IDLE_TIMEOUT_MS", "0", WORKER)
    .refuse(0.0, MAX_COUNT)
    .means("a socket silent this long is closed (0: never; Workers cannot ping)");
pub const TICK_MS: Setting = setting("TICK_MS", "250", WORKER)
    .clamp(10.0, 60_000.0)
    .means("how often a session is ticked (auth deadline, delayed refusals)");
pub const RELAY_ATTEMPTS: Setting = setting("RELAY_ATTEMPTS", "4", WORKER)
    .clamp(1.0, 10.0)
    .means("posts per raw-audio segment whose relay is lost (its audio exists nowhere else)");
pub const RELAY_BACKOFF_MS: Setting = setting("RELAY_BACKOFF_MS", "1000", WORKER)
    .refuse(0.0, MAX_COUNT)
    .means("wait before the second post, doubled after");
pub const CONNECTS_PER_IP_PER_MIN: Setting = setting("CONNECTS_PER_IP_PER_MIN", "60", WORKER)
    .refuse(1.0, MAX_COUNT)
    .means("WebSocket upgrades per client address per rolling minute (more: HTTP 429)");
pub const KEY_SLOT_LEASE_MS: Setting = setting("KEY_SLOT_LEASE_MS", "60000", WORKER)
    .refuse(3_000.0, MAX_COUNT)
    .means("a key slot lapses this long after its session last renewed it");

// --- the Lambdas --------------------------------------------------------------------------------
pub const STT_LLM_REPLAY_WINDOW_S: Setting = setting("STT_LLM_REPLAY_WINDOW_S", "300", STT_LLM)
    .refuse(1.0, 86_400.0)
    .means("signed requests older or newer than this are refused");
pub const DYNAMODB_TABLE: Setting =
    setting("DYNAMODB_TABLE", "balto", LAMBDAS).means("the single DynamoDB table");
pub const DYNAMODB_ENDPOINT: Setting = optional("DYNAMODB_ENDPOINT", "AWS", LAMBDAS)
    .means("a local DynamoDB-compatible server (`http://127.0.0.1:8000`)");
pub const BALTO_RETENTION_DAYS: Setting = optional("BALTO_RETENTION_DAYS", "kept", STT_LLM)
    .refuse(1.0, 36_500.0)
    .means("days after which sessions, segments, audio and results expire (DynamoDB TTL)");
pub const BALTO_ENSURE_TABLE: Setting = setting("BALTO_ENSURE_TABLE", "false", LAMBDAS)
    .means("create the table at start-up (local runs)");
pub const BALTO_LOCAL_HTTP: Setting = optional("BALTO_LOCAL_HTTP", "Lambda runtime", LAMBDAS)
    .means("serve on this address over plain HTTP instead (`127.0.0.1:0`; local runs, tests)");
pub const CF_ACCOUNT_ID: Setting = optional("CF_ACCOUNT_ID", "keys not published", ADMIN_API)
    .means("Cloudflare account of the Worker's KV (new counter keys are published there)");
pub const CF_KV_NAMESPACE_ID: Setting =
    optional("CF_KV_NAMESPACE_ID", "keys not published", ADMIN_API)
        .means("the Worker's `KEYS` namespace id");
pub const CF_API_TOKEN: Setting = optional("CF_API_TOKEN", "keys not published", ADMIN_API)
    .secret()
    .means("Cloudflare API token allowed to write that namespace");
pub const CF_API_BASE: Setting =
    optional("CF_API_BASE", "Cloudflare API", ADMIN_API).means("Cloudflare API endpoint (tests)");

/// Every setting, in documentation order.
pub const ALL: &[&Setting] = &[
    &HOST,
    &PORT,
    &DB_FILE,
    &AUDIO_DUMP_DIR,
    &WEB_DIR,
    &VAD_ENERGY_THRESHOLD,
    &AUTH_TIMEOUT_MS,
    &MAX_FRAME_BYTES,
    &CATALOG_FILE,
    &STT_PROVIDER,
    &LLM_PROVIDER,
    &ELEVENLABS_API_KEY,
    &ELEVENLABS_BASE_URL,
    &ELEVENLABS_MODEL,
    &ASSEMBLYAI_API_KEY,
    &ASSEMBLYAI_BASE_URL,
    &ASSEMBLYAI_MODELS,
    &XAI_API_KEY,
    &XAI_BASE_URL,
    &XAI_MODEL,
    &OPENAI_API_KEY,
    &OPENAI_BASE_URL,
    &OPENAI_MODEL,
    &STT_TIMEOUT_MS,
    &STT_STALL_MS,
    &STT_MAX_ATTEMPTS,
    &OFFLINE_STT_TIMEOUT_MS,
    &LLM_TIMEOUT_MS,
    &LLM_MAX_ATTEMPTS,
    &RED_FLAG_CONSULT_LLM,
    &STT_COST_PER_MINUTE_USD,
    &WHISPER_MODEL,
    &BALTO_CACHE_DIR,
    &WHISPER_THREADS,
    &WHISPER_LANGUAGE,
    &WHISPER_BEAM_SIZE,
    &WHISPER_WORKERS,
    &WHISPER_FLASH_ATTN,
    &ADMIN_SECRET,
    &ADMIN_SESSION_TTL_S,
    &KEY_PEPPER,
    &MAX_CONNECTIONS,
    &MAX_CONNECTIONS_PER_KEY,
    &RATE_BYTES_PER_S,
    &RATE_BURST_BYTES,
    &RATE_MESSAGES_PER_S,
    &RATE_BURST_MESSAGES,
    &RATE_MAX_THROTTLED_MS,
    &AUTH_FAILURES_PER_IP,
    &PING_INTERVAL_MS,
    &PONG_TIMEOUT_MS,
    &RUST_LOG,
    &STT_LLM_URL,
    &STT_LLM_SIGNING_SECRET,
    &RELAY_TIMEOUT_MS,
    &IDLE_TIMEOUT_MS,
    &TICK_MS,
    &RELAY_ATTEMPTS,
    &RELAY_BACKOFF_MS,
    &CONNECTS_PER_IP_PER_MIN,
    &KEY_SLOT_LEASE_MS,
    &STT_LLM_REPLAY_WINDOW_S,
    &DYNAMODB_TABLE,
    &DYNAMODB_ENDPOINT,
    &BALTO_RETENTION_DAYS,
    &BALTO_ENSURE_TABLE,
    &BALTO_LOCAL_HTTP,
    &CF_ACCOUNT_ID,
    &CF_KV_NAMESPACE_ID,
    &CF_API_TOKEN,
    &CF_API_BASE,
];

/// The setting called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static Setting> {
    ALL.iter().copied().find(|s| s.name == name)
}

/// A lookup over fixed `(name, value)` pairs: what a deployment's environment would hold, for
/// tests and for settings given as a list (the first pair of a name wins).
pub fn lookup_in(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}

/// Reads settings through a lookup (the process environment, a Worker's vars, a test's map).
/// Blank values count as unset.
pub struct Reader<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
}

impl<'a> Reader<'a> {
    pub fn new(lookup: &'a dyn Fn(&str) -> Option<String>) -> Reader<'a> {
        Reader { lookup }
    }

    /// The value set, trimmed (secrets as they are); `None` when unset or blank.
    pub fn get(&self, s: &Setting) -> Option<String> {
        let value = (self.lookup)(s.name)?;
        if value.trim().is_empty() {
            return None;
        }
        Some(if s.secret {
            value
        } else {
            value.trim().to_string()
        })
    }

    /// The value set, else the setting's default.
    pub fn text(&self, s: &Setting) -> Option<String> {
        self.get(s).or_else(|| s.default.map(str::to_string))
    }

    /// The value set or the default, parsed and within the setting's bounds.
    pub fn number<T: FromStr>(&self, s: &Setting) -> Result<T, SettingError> {
        let raw = self.text(s).unwrap_or_default();
        let as_f64: f64 = raw
            .parse()
            .map_err(|_| invalid(s, &raw, "expected a number"))?;
        let kept = match s.bounds {
            Bounds::Refuse { min, max } if !(min..=max).contains(&as_f64) => {
                return Err(invalid(
                    s,
                    &raw,
                    &format!("must be between {min} and {max}"),
                ));
            }
            Bounds::Clamp { min, max } if !(min..=max).contains(&as_f64) => {
                format!("{}", as_f64.clamp(min, max))
            }
            _ => raw.clone(),
        };
        kept.parse()
            .map_err(|_| invalid(s, &raw, "expected a whole number of the right size"))
    }

    /// A number that may be unset (no default): `None` then.
    pub fn optional_number<T: FromStr>(&self, s: &Setting) -> Result<Option<T>, SettingError> {
        match self.get(s) {
            None if s.default.is_none() => Ok(None),
            _ => self.number(s).map(Some),
        }
    }

    /// Milliseconds, as a duration.
    pub fn millis(&self, s: &Setting) -> Result<Duration, SettingError> {
        self.number::<u64>(s).map(Duration::from_millis)
    }

    /// A yes/no setting (`1`, `true`, `yes`, `on` / `0`, `false`, `no`, `off`).
    pub fn flag(&self, s: &Setting) -> Result<bool, SettingError> {
        let value = self.text(s).unwrap_or_default();
        match value.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" | "sim" => Ok(true),
            "" | "0" | "false" | "no" | "off" | "nao" | "não" => Ok(false),
            _ => Err(invalid(s, &value, "expected true or false")),
        }
    }

    /// An `http://` or `https://` URL without its trailing slash, if set.
    pub fn url(&self, s: &Setting) -> Result<Option<String>, SettingError> {
        match self.text(s) {
            None => Ok(None),
            Some(v) if v.starts_with("http://") || v.starts_with("https://") => {
                Ok(Some(v.trim_end_matches('/').to_string()))
            }
            Some(v) => Err(invalid(s, &v, "expected an http:// or https:// URL")),
        }
    }

    /// One of `choices` (case-insensitive); the setting's default when unset.
    pub fn choice(
        &self,
        s: &Setting,
        choices: &'static [&'static str],
    ) -> Result<&'static str, SettingError> {
        let value = self.text(s).unwrap_or_default().to_lowercase();
        choices
            .iter()
            .copied()
            .find(|c| *c == value)
            .ok_or_else(|| {
                invalid(
                    s,
                    &value,
                    &format!("expected one of {}", choices.join(", ")),
                )
            })
    }

    /// Every setting `target` reads, with its effective value for the start-up log: secrets
    /// only as set or not, unset ones as what unset means.
    pub fn describe(&self, target: Target) -> Vec<(&'static str, String)> {
        ALL.iter()
            .filter(|s| s.read_by(target))
            .map(|s| {
                let shown = match (self.get(s), s.secret) {
                    (Some(v), true) => format!("<set, {} chars>", v.chars().count()),
                    (Some(v), false) => v,
                    (None, _) => match s.default {
                        Some(d) => d.to_string(),
                        None => format!("<{}>", s.unset),
                    },
                };
                (s.name, shown)
            })
            .collect()
    }
}

fn invalid(s: &Setting, value: &str, why: &str) -> SettingError {
    SettingError {
        name: s.name,
        value: if s.secret {
            "<secret>".to_string()
        } else {
            value.to_string()
        },
        why: why.to_string(),
    }
}

/// The Markdown table of the settings `target` reads (README.md, docs/deploy.md carry it
/// verbatim between `<!-- settings:TARGET -->` and `<!-- /settings -->`).
pub fn markdown_table(target: Target) -> String {
    let mut out = String::from("| variable | default | meaning |\n|---|---|---|\n");
    for s in ALL.iter().filter(|s| s.read_by(target)) {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            s.name,
            s.shown_default(),
            s.meaning
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn reader(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        lookup_in(pairs)
    }

    #[test]
    fn a_lookup_in_pairs_finds_the_first_value_of_a_name() {
        let l = lookup_in(&[("A", "1"), ("B", "2"), ("A", "3")]);
        assert_eq!(l("A").as_deref(), Some("1"));
        assert_eq!(l("B").as_deref(), Some("2"));
        assert_eq!(l("C"), None);
    }

    #[test]
    fn the_table_is_whole() {
        let mut names = HashSet::new();
        for s in ALL {
            assert!(names.insert(s.name), "{} twice", s.name);
            assert!(!s.meaning.is_empty(), "{} has no meaning", s.name);
            assert!(!s.targets.is_empty(), "{} is read by nobody", s.name);
            assert!(
                s.default.is_some() || !s.unset.is_empty(),
                "{}: unset means what?",
                s.name
            );
            // Every default parses within its bounds.
            if s.bounds != Bounds::None
                && let Some(d) = s.default
            {
                let lookup = |_: &str| None;
                let r = Reader::new(&lookup);
                assert!(r.number::<f64>(s).is_ok(), "{}'s default {d}", s.name);
            }
        }
        for target in Target::ALL {
            assert!(ALL.iter().any(|s| s.read_by(target)), "{target:?}");
        }
    }

    #[test]
    fn numbers_default_parse_and_respect_bounds() {
        let env = reader(&[
            ("PORT", " 9000 "),
            ("STT_MAX_ATTEMPTS", "0"),
            ("RELAY_ATTEMPTS", "99"),
            ("MAX_FRAME_BYTES", "1"),
            ("VAD_ENERGY_THRESHOLD", "-3"),
            ("MAX_CONNECTIONS", "lots"),
        ]);
        let r = Reader::new(&env);
        assert_eq!(r.number::<u16>(&PORT), Ok(9000));
        assert_eq!(r.number::<u64>(&AUTH_TIMEOUT_MS), Ok(10_000), "default");
        assert_eq!(r.number::<u32>(&STT_MAX_ATTEMPTS), Ok(1), "clamped up");
        assert_eq!(r.number::<u32>(&RELAY_ATTEMPTS), Ok(10), "clamped down");
        let e = r.number::<usize>(&MAX_FRAME_BYTES).unwrap_err();
        assert_eq!(e.name, "MAX_FRAME_BYTES");
        assert!(e.to_string().contains("between 2 and 1048576"), "{e}");
        assert!(r.number::<f32>(&VAD_ENERGY_THRESHOLD).is_err());
        assert!(r.number::<usize>(&MAX_CONNECTIONS).is_err());
        assert_eq!(r.optional_number::<u32>(&BALTO_RETENTION_DAYS), Ok(None));
        assert_eq!(r.millis(&PING_INTERVAL_MS), Ok(Duration::from_secs(15)));
    }

    #[test]
    fn text_urls_choices_and_flags() {
        let env = reader(&[
            ("XAI_BASE_URL", "http://127.0.0.1:9/ "),
            ("OPENAI_BASE_URL", "ftp://x"),
            ("STT_PROVIDER", "ElevenLabs"),
            ("LLM_PROVIDER", "magic"),
            ("BALTO_ENSURE_TABLE", "1"),
            ("DB_FILE", "  "),
        ]);
        let r = Reader::new(&env);
        assert_eq!(r.url(&XAI_BASE_URL), Ok(Some("http://127.0.0.1:9".into())));
        assert!(r.url(&OPENAI_BASE_URL).is_err());
        assert_eq!(r.url(&ELEVENLABS_BASE_URL), Ok(None));
        assert_eq!(
            r.choice(&STT_PROVIDER, &["auto", "elevenlabs"]),
            Ok("elevenlabs")
        );
        let e = r.choice(&LLM_PROVIDER, &["auto", "xai"]).unwrap_err();
        assert!(e.to_string().contains("expected one of auto, xai"), "{e}");
        assert_eq!(r.flag(&BALTO_ENSURE_TABLE), Ok(true));
        assert_eq!(r.flag(&WHISPER_FLASH_ATTN), Ok(false));
        assert_eq!(
            r.text(&DB_FILE).as_deref(),
            Some("./data/balto.db"),
            "blank is unset"
        );
    }

    #[test]
    fn secrets_never_show() {
        let env = reader(&[
            ("ADMIN_SECRET", " hunter2-very-secret"),
            ("KEY_PEPPER", "zz"),
        ]);
        let r = Reader::new(&env);
        assert_eq!(
            r.get(&ADMIN_SECRET).as_deref(),
            Some(" hunter2-very-secret")
        );
        let shown = format!("{:?}", r.describe(Target::LocalDev));
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("<set, 20 chars>"), "{shown}");
        assert!(shown.contains("(\"WEB_DIR\", \"./target/web\")"), "{shown}");
        let bad = SettingError {
            ..invalid(&ADMIN_SECRET, "hunter2", "short")
        };
        assert!(!bad.to_string().contains("hunter2"));
    }

    #[test]
    fn each_target_gets_its_own_table() {
        let local = markdown_table(Target::LocalDev);
        assert!(local.contains("| `PORT` | `8765` |"), "{local}");
        assert!(!local.contains("| `STT_LLM_URL`"));
        let worker = markdown_table(Target::Worker);
        assert!(worker.contains("`STT_LLM_URL` | required |"), "{worker}");
        assert!(worker.contains("AUTH_FAILURES_PER_IP"));
        assert!(!worker.contains("| `DB_FILE`"));
    }
}
