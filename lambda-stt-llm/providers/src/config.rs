//! Provider selection from the environment: which STT engines and advisors to chain, their keys,
//! endpoints, models and timeouts; builders for the chains; a masked summary for start-up logs.

use crate::llm::{CatalogEntry, LlmAdvisor, LlmConfig};
use crate::resilience::{ChainPolicy, FallbackAdvisor, FallbackTranscriber, RetryPolicy};
use crate::screened::ScreenedAdvisor;
use crate::stt::{
    AssemblyAiConfig, AssemblyAiTranscriber, ElevenLabsConfig, ElevenLabsTranscriber,
};
use crate::{ApiKey, BuildError};
use balto_advisor::red_flags::{RedFlagScreen, ScreenPolicy};
use balto_core::advisor::Advisor;
use balto_core::settings::{self, Reader, Setting, SettingError};
use balto_core::transcriber::Transcriber;
use std::sync::Arc;
use std::time::Duration;

/// `STT_PROVIDER`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SttChoice {
    /// ElevenLabs → AssemblyAI → offline, with whichever is configured.
    Auto,
    ElevenLabs,
    AssemblyAi,
    /// The offline engine (Whisper) only.
    Offline,
}

/// `LLM_PROVIDER`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LlmChoice {
    /// xAI → OpenAI → rules, with whichever is configured.
    Auto,
    Xai,
    OpenAi,
    /// The offline rules advisor only.
    Offline,
}

/// Why the provider configuration cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A setting of `balto_core::settings` that cannot be used (its error names it).
    #[error(transparent)]
    Setting(#[from] SettingError),
    #[error("{provider} was chosen but neither {key_var} nor {url_var} is set")]
    MissingKey {
        provider: &'static str,
        key_var: &'static str,
        url_var: &'static str,
    },
    #[error("the offline speech-to-text engine was chosen but none is available")]
    OfflineUnavailable,
    #[error(
        "no speech-to-text engine: set ELEVENLABS_API_KEY or ASSEMBLYAI_API_KEY, or provide the offline engine"
    )]
    NoTranscriber,
    #[error(transparent)]
    Build(#[from] BuildError),
}

/// Which providers to use and how, read from the environment. `Debug` never shows keys.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    pub stt: SttChoice,
    pub llm: LlmChoice,
    /// Set when `ELEVENLABS_API_KEY` or `ELEVENLABS_BASE_URL` is.
    pub elevenlabs: Option<ElevenLabsConfig>,
    /// Set when `ASSEMBLYAI_API_KEY` or `ASSEMBLYAI_BASE_URL` is.
    pub assemblyai: Option<AssemblyAiConfig>,
    /// Set when `XAI_API_KEY` or `XAI_BASE_URL` is.
    pub xai: Option<LlmConfig>,
    /// Set when `OPENAI_API_KEY` or `OPENAI_BASE_URL` is.
    pub openai: Option<LlmConfig>,
    /// Timeouts, retries and hedging of the STT chain.
    pub stt_chain: ChainPolicy,
    /// Call timeout of the offline STT engine in the chain.
    pub offline_stt_timeout: Duration,
    /// Timeouts and retries of the advisor chain (not hedged).
    pub llm_chain: ChainPolicy,
    /// Whether a window the red-flag screen flags is still sent to the advisor chain
    /// (`RED_FLAG_CONSULT_LLM`, off by default: the intervention goes out without the call).
    pub red_flag_policy: ScreenPolicy,
}

/// Every setting [`ProviderConfig::from_env`] reads, for documentation and `.env` templates.
pub const SETTINGS: [&Setting; 21] = [
    &settings::STT_PROVIDER,
    &settings::LLM_PROVIDER,
    &settings::ELEVENLABS_API_KEY,
    &settings::ELEVENLABS_BASE_URL,
    &settings::ELEVENLABS_MODEL,
    &settings::ASSEMBLYAI_API_KEY,
    &settings::ASSEMBLYAI_BASE_URL,
    &settings::ASSEMBLYAI_MODELS,
    &settings::XAI_API_KEY,
    &settings::XAI_BASE_URL,
    &settings::XAI_MODEL,
    &settings::OPENAI_API_KEY,
    &settings::OPENAI_BASE_URL,
    &settings::OPENAI_MODEL,
    &settings::STT_TIMEOUT_MS,
    &settings::STT_STALL_MS,
    &settings::STT_MAX_ATTEMPTS,
    &settings::OFFLINE_STT_TIMEOUT_MS,
    &settings::LLM_TIMEOUT_MS,
    &settings::LLM_MAX_ATTEMPTS,
    &settings::RED_FLAG_CONSULT_LLM,
];

/// `(key, explicit base URL)` when the provider is configured at all (its key or its URL).
fn provider(
    r: &Reader<'_>,
    key: &Setting,
    url: &Setting,
) -> Result<Option<(ApiKey, Option<String>)>, ConfigError> {
    let k = r.get(key).map(|k| k.trim().to_string());
    let u = r.url(url)?;
    Ok(match (k, u) {
        (None, None) => None,
        (k, u) => Some((ApiKey::new(k.unwrap_or_default()), u)),
    })
}

impl ProviderConfig {
    /// Reads the configuration through `lookup` (e.g. `|k| std::env::var(k).ok()`). Blank values
    /// count as unset. A provider is configured when its key **or** its base URL is set (a local
    /// stub needs no key). Choosing a provider explicitly without either is an error.
    pub fn from_env(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<ProviderConfig, ConfigError> {
        let r = Reader::new(&lookup);
        const STT: &[&str] = &["auto", "elevenlabs", "assemblyai", "whisper", "offline"];
        let stt = match r.choice(&settings::STT_PROVIDER, STT)? {
            "elevenlabs" => SttChoice::ElevenLabs,
            "assemblyai" => SttChoice::AssemblyAi,
            "whisper" | "offline" => SttChoice::Offline,
            _ => SttChoice::Auto,
        };
        const LLM: &[&str] = &[
            "auto", "xai", "grok", "openai", "regras", "rules", "offline",
        ];
        let llm = match r.choice(&settings::LLM_PROVIDER, LLM)? {
            "xai" | "grok" => LlmChoice::Xai,
            "openai" => LlmChoice::OpenAi,
            "regras" | "rules" | "offline" => LlmChoice::Offline,
            _ => LlmChoice::Auto,
        };

        let stt_timeout = r.millis(&settings::STT_TIMEOUT_MS)?;
        let stall = r.millis(&settings::STT_STALL_MS)?;
        let stt_attempts: u32 = r.number(&settings::STT_MAX_ATTEMPTS)?;
        let offline_stt_timeout = r.millis(&settings::OFFLINE_STT_TIMEOUT_MS)?;
        let llm_timeout = r.millis(&settings::LLM_TIMEOUT_MS)?;
        let llm_attempts: u32 = r.number(&settings::LLM_MAX_ATTEMPTS)?;
        let red_flag_policy = if r.flag(&settings::RED_FLAG_CONSULT_LLM)? {
            ScreenPolicy::ConsultAdvisor
        } else {
            ScreenPolicy::SkipAdvisor
        };

        let elevenlabs = provider(
            &r,
            &settings::ELEVENLABS_API_KEY,
            &settings::ELEVENLABS_BASE_URL,
        )?
        .map(|(key, url)| {
            let mut c = ElevenLabsConfig::new(key);
            if let Some(url) = url {
                c.base_url = url;
            }
            if let Some(model) = r.get(&settings::ELEVENLABS_MODEL) {
                c.model_id = model;
            }
            c.timeout = stt_timeout;
            c
        });
        let assemblyai = provider(
            &r,
            &settings::ASSEMBLYAI_API_KEY,
            &settings::ASSEMBLYAI_BASE_URL,
        )?
        .map(|(key, url)| {
            let mut c = AssemblyAiConfig::new(key);
            if let Some(url) = url {
                c.base_url = url;
            }
            if let Some(models) = r.get(&settings::ASSEMBLYAI_MODELS) {
                c.speech_models = models
                    .split(',')
                    .map(|m| m.trim().to_string())
                    .filter(|m| !m.is_empty())
                    .collect();
            }
            c.deadline = stt_timeout;
            c.request_timeout = stt_timeout.min(Duration::from_secs(10));
            c
        });
        let llm_config = |make: fn(ApiKey) -> LlmConfig,
                          key: &Setting,
                          url: &Setting,
                          model: &Setting|
         -> Result<Option<LlmConfig>, ConfigError> {
            Ok(provider(&r, key, url)?.map(|(key, url)| {
                let mut c = make(key);
                if let Some(url) = url {
                    c.base_url = url;
                }
                if let Some(model) = r.get(model) {
                    c.model = model;
                }
                c.timeout = llm_timeout;
                c
            }))
        };
        let xai = llm_config(
            LlmConfig::xai,
            &settings::XAI_API_KEY,
            &settings::XAI_BASE_URL,
            &settings::XAI_MODEL,
        )?;
        let openai = llm_config(
            LlmConfig::openai,
            &settings::OPENAI_API_KEY,
            &settings::OPENAI_BASE_URL,
            &settings::OPENAI_MODEL,
        )?;

        let missing = |provider, key_var, url_var| ConfigError::MissingKey {
            provider,
            key_var,
            url_var,
        };
        match stt {
            SttChoice::ElevenLabs if elevenlabs.is_none() => {
                return Err(missing(
                    "elevenlabs",
                    "ELEVENLABS_API_KEY",
                    "ELEVENLABS_BASE_URL",
                ));
            }
            SttChoice::AssemblyAi if assemblyai.is_none() => {
                return Err(missing(
                    "assemblyai",
                    "ASSEMBLYAI_API_KEY",
                    "ASSEMBLYAI_BASE_URL",
                ));
            }
            _ => {}
        }
        match llm {
            LlmChoice::Xai if xai.is_none() => {
                return Err(missing("xai", "XAI_API_KEY", "XAI_BASE_URL"));
            }
            LlmChoice::OpenAi if openai.is_none() => {
                return Err(missing("openai", "OPENAI_API_KEY", "OPENAI_BASE_URL"));
            }
            _ => {}
        }

        Ok(ProviderConfig {
            stt,
            llm,
            elevenlabs,
            assemblyai,
            xai,
            openai,
            stt_chain: ChainPolicy {
                // A little slack over the clients' own timeouts so their errors win.
                call_timeout: stt_timeout + Duration::from_millis(500),
                retry: RetryPolicy {
                    max_attempts: stt_attempts,
                    ..RetryPolicy::default()
                },
                stall_after: (!stall.is_zero()).then_some(stall),
                deadline: None,
            },
            offline_stt_timeout,
            llm_chain: ChainPolicy {
                call_timeout: llm_timeout + Duration::from_millis(500),
                retry: RetryPolicy {
                    max_attempts: llm_attempts,
                    ..RetryPolicy::default()
                },
                stall_after: None,
                deadline: None,
            },
            red_flag_policy,
        })
    }

    /// Reads the process environment.
    pub fn from_process_env() -> Result<ProviderConfig, ConfigError> {
        ProviderConfig::from_env(|k| std::env::var(k).ok())
    }

    /// The cloud STT engines to chain, in order.
    fn cloud_stt(&self) -> (bool, bool) {
        match self.stt {
            SttChoice::Auto => (self.elevenlabs.is_some(), self.assemblyai.is_some()),
            SttChoice::ElevenLabs => (true, false),
            SttChoice::AssemblyAi => (false, true),
            SttChoice::Offline => (false, false),
        }
    }

    /// The LLM providers to chain, in order.
    fn llms(&self) -> Vec<&LlmConfig> {
        match self.llm {
            LlmChoice::Auto => self.xai.iter().chain(self.openai.iter()).collect(),
            LlmChoice::Xai => self.xai.iter().collect(),
            LlmChoice::OpenAi => self.openai.iter().collect(),
            LlmChoice::Offline => Vec::new(),
        }
    }

    /// A one-paragraph summary of the choices for start-up logs; keys are masked.
    pub fn describe(&self) -> String {
        let (eleven, assembly) = self.cloud_stt();
        let mut stt: Vec<String> = Vec::new();
        if let (true, Some(c)) = (eleven, &self.elevenlabs) {
            stt.push(format!(
                "elevenlabs (model {}, {}, key {})",
                c.model_id,
                c.base_url,
                c.api_key.masked()
            ));
        }
        if let (true, Some(c)) = (assembly, &self.assemblyai) {
            stt.push(format!(
                "assemblyai (models {}, {}, key {})",
                c.speech_models.join(","),
                c.base_url,
                c.api_key.masked()
            ));
        }
        stt.push("offline engine (when available)".to_string());
        let mut llm: Vec<String> = self
            .llms()
            .into_iter()
            .map(|c| {
                format!(
                    "{} (model {}, {}, key {})",
                    c.provider,
                    c.model,
                    c.base_url,
                    c.api_key.masked()
                )
            })
            .collect();
        llm.push("regras (offline)".to_string());
        let stall = self
            .stt_chain
            .stall_after
            .map_or("off".to_string(), |d| format!("{} ms", d.as_millis()));
        format!(
            "STT_PROVIDER={:?}: {}; call timeout {} ms, {} attempt(s) per provider, hedge after {}. \
LLM_PROVIDER={:?}: red-flag screen > {}; call timeout {} ms, {} attempt(s) per provider; a flagged window {}.",
            self.stt,
            stt.join(" > "),
            self.stt_chain.call_timeout.as_millis(),
            self.stt_chain.retry.max_attempts,
            stall,
            self.llm,
            llm.join(" > "),
            self.llm_chain.call_timeout.as_millis(),
            self.llm_chain.retry.max_attempts,
            match self.red_flag_policy {
                ScreenPolicy::SkipAdvisor => "gets the intervention without calling the chain",
                ScreenPolicy::ConsultAdvisor => {
                    "gets the intervention; the chain is still called and its answer recorded (RED_FLAG_CONSULT_LLM)"
                }
            },
        )
    }
}

/// The STT chain as a [`FallbackTranscriber`] (for `transcribe_with_report`). Explicit cloud
/// choices still fall back to `offline` when one is given; pass `None` for that engine alone.
pub fn build_transcriber_chain(
    cfg: &ProviderConfig,
    offline: Option<Arc<dyn Transcriber>>,
) -> Result<FallbackTranscriber, ConfigError> {
    let (eleven, assembly) = cfg.cloud_stt();
    let mut engines: Vec<Arc<dyn Transcriber>> = Vec::new();
    if let (true, Some(c)) = (eleven, &cfg.elevenlabs) {
        engines.push(Arc::new(ElevenLabsTranscriber::new(c.clone())?));
    }
    if let (true, Some(c)) = (assembly, &cfg.assemblyai) {
        engines.push(Arc::new(AssemblyAiTranscriber::new(c.clone())?));
    }
    let offline_name = offline.as_ref().map(|o| o.name().to_string());
    match (cfg.stt, offline) {
        (SttChoice::Offline, None) => return Err(ConfigError::OfflineUnavailable),
        (_, Some(o)) => engines.push(o),
        (_, None) => {}
    }
    if engines.is_empty() {
        return Err(ConfigError::NoTranscriber);
    }
    let mut chain = FallbackTranscriber::new(engines, cfg.stt_chain.clone());
    if let Some(name) = offline_name {
        chain = chain.with_call_timeout(&name, cfg.offline_stt_timeout);
    }
    Ok(chain)
}

/// The configured STT chain (auto: ElevenLabs → AssemblyAI → `offline`, with whichever exist).
pub fn build_transcriber(
    cfg: &ProviderConfig,
    offline: Option<Arc<dyn Transcriber>>,
) -> Result<Arc<dyn Transcriber>, ConfigError> {
    Ok(Arc::new(build_transcriber_chain(cfg, offline)?))
}

/// The advisor chain as a [`FallbackAdvisor`] (for `advise_with_report`): the configured LLMs
/// then `offline`. An LLM whose client cannot be built is logged and left out. This is the chain
/// *behind* the red-flag screen; [`build_advisor`] puts the screen in front of it.
pub fn build_advisor_chain(
    cfg: &ProviderConfig,
    catalog_entries: Vec<CatalogEntry>,
    offline: Arc<dyn Advisor>,
) -> FallbackAdvisor {
    let mut advisors: Vec<Arc<dyn Advisor>> = Vec::new();
    for c in cfg.llms() {
        match LlmAdvisor::new(c.clone(), catalog_entries.clone()) {
            Ok(a) => advisors.push(Arc::new(a)),
            Err(e) => tracing::error!(provider = %c.provider, %e, "LLM advisor left out"),
        }
    }
    advisors.push(offline);
    FallbackAdvisor::new(advisors, cfg.llm_chain.clone())
}

/// The configured advisor: the red-flag screen ([`balto_advisor::red_flags`]), then the chain (auto:
/// xAI → OpenAI → `offline`, with whichever exist). Local-dev and the Lambda both get their
/// advisor here, so both screen every window the same way.
pub fn build_advisor(
    cfg: &ProviderConfig,
    catalog_entries: Vec<CatalogEntry>,
    offline: Arc<dyn Advisor>,
) -> Arc<dyn Advisor> {
    Arc::new(ScreenedAdvisor::new(
        Arc::new(build_advisor_chain(cfg, catalog_entries, offline)),
        Arc::new(RedFlagScreen::embedded()),
        cfg.red_flag_policy,
    ))
}

/// The catalog as the LLM advisor sees it: prescription-free products only, one line each with
/// the active ingredient, form and indications, and the leaflet's cautions, minimum age and
/// pregnancy rule.
pub fn catalog_entries(catalog: &balto_advisor::catalog::Catalog) -> Vec<CatalogEntry> {
    use balto_advisor::catalog::PregnancyUse;
    catalog
        .products()
        .iter()
        .filter(|p| p.mip)
        .map(|p| {
            let summary = format!(
                "{} {}, {}; {}",
                p.principio_ativo,
                p.concentracao,
                p.forma,
                p.indicacoes.join(", ")
            );
            let pregnancy = match p.gestante {
                PregnancyUse::Evitar => "evitar na gestação",
                PregnancyUse::Consultar => "gestantes só com orientação médica",
                PregnancyUse::Permitido => "permitido na gestação",
            };
            let mut cautions = p.cautelas.join("; ");
            if !cautions.is_empty() {
                cautions.push_str("; ");
            }
            cautions.push_str(&format!(
                "idade mínima {} anos; {pregnancy}",
                p.idade_minima_anos
            ));
            CatalogEntry::new(p.nome.clone(), p.categoria, summary).with_cautions(cautions)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: std::collections::HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn catalog_entries_keep_every_mip_product_with_its_cautions() {
        let catalog = balto_advisor::catalog::Catalog::embedded();
        let entries = catalog_entries(&catalog);
        assert_eq!(
            entries.len(),
            catalog.products().iter().filter(|p| p.mip).count()
        );
        let dipirona = entries
            .iter()
            .find(|e| e.name.to_lowercase().contains("dipirona"))
            .expect("the embedded catalog has dipirona");
        assert!(
            dipirona.cautions.contains("idade mínima"),
            "{}",
            dipirona.cautions
        );
        assert!(!dipirona.summary.is_empty());
    }

    #[test]
    fn no_keys_means_offline_everything() {
        let cfg = ProviderConfig::from_env(env(&[])).unwrap();
        assert_eq!(cfg.stt, SttChoice::Auto);
        assert!(cfg.elevenlabs.is_none() && cfg.assemblyai.is_none());
        assert!(cfg.xai.is_none() && cfg.openai.is_none());
        assert!(matches!(
            build_transcriber(&cfg, None),
            Err(ConfigError::NoTranscriber)
        ));
    }

    #[test]
    fn explicit_provider_needs_a_key_or_url() {
        let err = ProviderConfig::from_env(env(&[("LLM_PROVIDER", "xai")])).unwrap_err();
        assert!(matches!(
            err,
            ConfigError::MissingKey {
                provider: "xai",
                ..
            }
        ));
        let err = ProviderConfig::from_env(env(&[("STT_PROVIDER", "deepgram")])).unwrap_err();
        assert!(
            matches!(&err, ConfigError::Setting(e) if e.name.ends_with("_PROVIDER")),
            "{err}"
        );
        let err = ProviderConfig::from_env(env(&[("STT_TIMEOUT_MS", "soon")])).unwrap_err();
        assert!(
            matches!(&err, ConfigError::Setting(e) if e.why.contains("number")),
            "{err}"
        );
        let err = ProviderConfig::from_env(env(&[("XAI_BASE_URL", "api.x.ai")])).unwrap_err();
        assert!(
            matches!(&err, ConfigError::Setting(e) if e.why.contains("URL")),
            "{err}"
        );
    }

    #[test]
    fn masked_keys() {
        assert_eq!(ApiKey::new("").masked(), "(none)");
        assert_eq!(ApiKey::new("short").masked(), "****");
        assert_eq!(ApiKey::new("xai-0123456789abcdef").masked(), "****cdef");
        assert_eq!(format!("{:?}", ApiKey::new("secret")), "ApiKey(***)");
    }
}
