//! Provider selection from the environment: chains built from keys / base URLs, explicit
//! choices, masked start-up summary, and an end-to-end run against local stub servers.

use async_trait::async_trait;
use balto_core::advice::{Advice, Category, Conversation};
use balto_core::advisor::{Advisor, AdvisorError};
use balto_core::transcriber::{SttError, Transcriber, Transcription};
use balto_providers::llm::CatalogEntry;
use balto_providers::{
    ConfigError, LlmChoice, ProviderConfig, SttChoice, build_advisor, build_advisor_chain,
    build_transcriber, build_transcriber_chain,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ELEVEN_KEY: &str = "sk_eleven_secret_0123456789";
const AAI_KEY: &str = "aai_secret_0123456789abcd";
const XAI_KEY: &str = "xai-secret-0123456789abcdef";
const OPENAI_KEY: &str = "sk-proj-secret-0123456789abcdef";

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k| map.get(k).cloned()
}

fn all_keys() -> Vec<(&'static str, &'static str)> {
    vec![
        ("ELEVENLABS_API_KEY", ELEVEN_KEY),
        ("ASSEMBLYAI_API_KEY", AAI_KEY),
        ("XAI_API_KEY", XAI_KEY),
        ("OPENAI_API_KEY", OPENAI_KEY),
    ]
}

struct Offline;

#[async_trait]
impl Transcriber for Offline {
    fn name(&self) -> &str {
        "whisper"
    }
    async fn transcribe(&self, _: &[i16]) -> Result<Transcription, SttError> {
        Ok(Transcription {
            text: "offline".into(),
            language: Some("pt".into()),
            words: Vec::new(),
            provider: "whisper".into(),
        })
    }
}

struct Rules;

#[async_trait]
impl Advisor for Rules {
    fn name(&self) -> &str {
        "regras"
    }
    async fn advise(&self, _: &Conversation) -> Result<Advice, AdvisorError> {
        Ok(Advice::nothing("regras"))
    }
}

fn catalog() -> Vec<CatalogEntry> {
    vec![CatalogEntry::new(
        "Protetor solar FPS 50",
        Category::ProtetorSolar,
        "proteção UVA/UVB",
    )]
}

#[test]
fn auto_uses_whatever_is_configured_in_order() {
    let cfg = ProviderConfig::from_env(env(&all_keys())).unwrap();
    assert_eq!((cfg.stt, cfg.llm), (SttChoice::Auto, LlmChoice::Auto));
    let stt = build_transcriber(&cfg, Some(Arc::new(Offline))).unwrap();
    assert_eq!(stt.name(), "elevenlabs>assemblyai>whisper");
    let advisor = build_advisor(&cfg, catalog(), Arc::new(Rules));
    assert_eq!(advisor.name(), "xai>openai>regras");

    let only_aai = ProviderConfig::from_env(env(&[("ASSEMBLYAI_API_KEY", AAI_KEY)])).unwrap();
    assert_eq!(
        build_transcriber(&only_aai, None).unwrap().name(),
        "assemblyai"
    );
    assert_eq!(
        build_advisor(&only_aai, catalog(), Arc::new(Rules)).name(),
        "regras"
    );
}

#[test]
fn no_keys_means_offline_engines() {
    let cfg = ProviderConfig::from_env(env(&[])).unwrap();
    assert_eq!(
        build_transcriber(&cfg, Some(Arc::new(Offline)))
            .unwrap()
            .name(),
        "whisper"
    );
    assert_eq!(
        build_advisor(&cfg, catalog(), Arc::new(Rules)).name(),
        "regras"
    );
    assert!(matches!(
        build_transcriber(&cfg, None),
        Err(ConfigError::NoTranscriber)
    ));
}

#[test]
fn explicit_choices() {
    let mut vars = all_keys();
    vars.push(("STT_PROVIDER", "assemblyai"));
    vars.push(("LLM_PROVIDER", "openai"));
    let cfg = ProviderConfig::from_env(env(&vars)).unwrap();
    assert_eq!(
        build_transcriber(&cfg, Some(Arc::new(Offline)))
            .unwrap()
            .name(),
        "assemblyai>whisper"
    );
    assert_eq!(build_transcriber(&cfg, None).unwrap().name(), "assemblyai");
    assert_eq!(
        build_advisor(&cfg, catalog(), Arc::new(Rules)).name(),
        "openai>regras"
    );

    let mut vars = all_keys();
    vars.push(("STT_PROVIDER", "Whisper"));
    vars.push(("LLM_PROVIDER", "regras"));
    let cfg = ProviderConfig::from_env(env(&vars)).unwrap();
    assert_eq!(
        build_transcriber(&cfg, Some(Arc::new(Offline)))
            .unwrap()
            .name(),
        "whisper"
    );
    assert!(matches!(
        build_transcriber(&cfg, None),
        Err(ConfigError::OfflineUnavailable)
    ));
    assert_eq!(
        build_advisor(&cfg, catalog(), Arc::new(Rules)).name(),
        "regras"
    );

    assert!(matches!(
        ProviderConfig::from_env(env(&[("STT_PROVIDER", "elevenlabs")])),
        Err(ConfigError::MissingKey {
            provider: "elevenlabs",
            ..
        })
    ));
    assert!(matches!(
        ProviderConfig::from_env(env(&[("LLM_PROVIDER", "claude")])),
        Err(ConfigError::Setting(e)) if e.name == "LLM_PROVIDER"
    ));
}

#[test]
fn models_urls_and_timeouts_come_from_the_environment() {
    let mut vars = all_keys();
    vars.extend([
        ("ELEVENLABS_MODEL", "scribe_v1"),
        (
            "ELEVENLABS_BASE_URL",
            "https://api.eu.residency.elevenlabs.io/",
        ),
        ("ASSEMBLYAI_MODELS", "universal-2"),
        ("XAI_MODEL", "grok-4"),
        ("OPENAI_MODEL", "gpt-4o-mini"),
        ("OPENAI_BASE_URL", "http://localhost:9999/v1"),
        ("STT_TIMEOUT_MS", "7000"),
        ("STT_STALL_MS", "0"),
        ("STT_MAX_ATTEMPTS", "3"),
        ("LLM_TIMEOUT_MS", "4000"),
        ("LLM_MAX_ATTEMPTS", "1"),
    ]);
    let cfg = ProviderConfig::from_env(env(&vars)).unwrap();
    let e = cfg.elevenlabs.as_ref().unwrap();
    assert_eq!(e.model_id, "scribe_v1");
    assert_eq!(e.base_url, "https://api.eu.residency.elevenlabs.io");
    assert_eq!(e.timeout, Duration::from_millis(7000));
    assert_eq!(
        cfg.assemblyai.as_ref().unwrap().speech_models,
        ["universal-2"]
    );
    assert_eq!(cfg.xai.as_ref().unwrap().model, "grok-4");
    assert_eq!(cfg.xai.as_ref().unwrap().base_url, "https://api.x.ai/v1");
    let openai = cfg.openai.as_ref().unwrap();
    assert_eq!(openai.model, "gpt-4o-mini");
    assert_eq!(openai.base_url, "http://localhost:9999/v1");
    assert_eq!(openai.timeout, Duration::from_millis(4000));
    assert_eq!(cfg.stt_chain.stall_after, None);
    assert_eq!(cfg.stt_chain.retry.max_attempts, 3);
    assert_eq!(cfg.llm_chain.retry.max_attempts, 1);

    let defaults = ProviderConfig::from_env(env(&all_keys())).unwrap();
    assert_eq!(defaults.elevenlabs.unwrap().model_id, "scribe_v2");
    assert_eq!(defaults.stt_chain.stall_after, Some(Duration::from_secs(4)));
}

#[test]
fn keys_never_show_in_debug_or_the_summary() {
    let cfg = ProviderConfig::from_env(env(&all_keys())).unwrap();
    let summary = cfg.describe();
    let debug = format!(
        "{cfg:?} {:?} {:?}",
        build_transcriber_chain(&cfg, None)
            .unwrap()
            .provider_names(),
        build_advisor_chain(&cfg, catalog(), Arc::new(Rules)).advisor_names()
    );
    for key in [ELEVEN_KEY, AAI_KEY, XAI_KEY, OPENAI_KEY] {
        assert!(!summary.contains(key), "{summary}");
        assert!(!debug.contains(key), "{debug}");
        // Not even a long prefix of it.
        assert!(!summary.contains(&key[..10]), "{summary}");
    }
    assert!(summary.contains("elevenlabs (model scribe_v2"));
    assert!(summary.contains("key ****6789"));
    assert!(summary.contains("xai (model grok-4-1-fast-non-reasoning, https://api.x.ai/v1"));
    assert!(summary.contains("regras (offline)"));
}

#[tokio::test]
async fn base_urls_alone_point_the_chains_at_local_servers() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/speech-to-text"))
        .and(header("xi-api-key", ""))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"text": "Tem protetor solar fator 50?", "language_code": "por", "words": []})),
        )
        .mount(&server)
        .await;
    let content = serde_json::json!({
        "decisao": "recomendar", "categoria": "protetor_solar",
        "produto": "Protetor solar FPS 50", "explicacao": "Pediu protetor.", "confianca": "alta"
    })
    .to_string();
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "id": "c", "object": "chat.completion", "created": 0, "model": "m",
            "choices": [{"index": 0, "finish_reason": "stop",
                "message": {"role": "assistant", "content": content, "refusal": null}}]
        })))
        .mount(&server)
        .await;
    let base = server.uri();
    let v1 = format!("{base}/v1");
    let cfg = ProviderConfig::from_env(env(&[
        ("ELEVENLABS_BASE_URL", base.as_str()),
        ("XAI_BASE_URL", v1.as_str()),
    ]))
    .unwrap();
    let stt = build_transcriber(&cfg, Some(Arc::new(Offline))).unwrap();
    let t = stt.transcribe(&[0; 1600]).await.unwrap();
    assert_eq!(t.provider, "elevenlabs");
    let advisor = build_advisor(&cfg, catalog(), Arc::new(Rules));
    let advice = advisor.advise(&Conversation::single(t.text)).await.unwrap();
    assert_eq!(advice.product.as_deref(), Some("Protetor solar FPS 50"));
}

#[test]
fn red_flag_consult_switch() {
    use balto_advisor::red_flags::ScreenPolicy;
    let default = ProviderConfig::from_env(env(&[])).unwrap();
    assert_eq!(default.red_flag_policy, ScreenPolicy::SkipAdvisor);
    assert!(
        default
            .describe()
            .contains("red-flag screen > regras (offline)"),
        "{}",
        default.describe()
    );
    for on in ["1", "true", "sim", "YES"] {
        let cfg = ProviderConfig::from_env(env(&[("RED_FLAG_CONSULT_LLM", on)])).unwrap();
        assert_eq!(cfg.red_flag_policy, ScreenPolicy::ConsultAdvisor, "{on}");
    }
    for off in ["0", "false", "nao", ""] {
        let cfg = ProviderConfig::from_env(env(&[("RED_FLAG_CONSULT_LLM", off)])).unwrap();
        assert_eq!(cfg.red_flag_policy, ScreenPolicy::SkipAdvisor, "{off:?}");
    }
    let err = ProviderConfig::from_env(env(&[("RED_FLAG_CONSULT_LLM", "talvez")])).unwrap_err();
    assert!(
        matches!(&err, ConfigError::Setting(e) if e.name == "RED_FLAG_CONSULT_LLM"),
        "{err}"
    );
    assert!(
        balto_providers::SETTINGS
            .iter()
            .any(|s| s.name == "RED_FLAG_CONSULT_LLM")
    );
}
