//! The `balto` CLI as a user runs it: exact JSON shapes, keys life cycle, and `transcribe`
//! through the real ElevenLabs client against a local server answering as the API documents.

mod common;

use common::shared_audio;
use serde_json::Value;
use std::process::Output;

fn balto(dir: &std::path::Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_balto"))
        .args(args)
        .env("DB_FILE", dir.join("balto.db"))
        .env("AUDIO_DUMP_DIR", dir.join("audio"))
        .env("STT_PROVIDER", "auto")
        .env("LLM_PROVIDER", "regras")
        .env_remove("ELEVENLABS_API_KEY")
        .env_remove("ASSEMBLYAI_API_KEY")
        .env_remove("XAI_API_KEY")
        .env_remove("OPENAI_API_KEY")
        .current_dir(dir)
        .output()
        .unwrap()
}

fn json_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn advise_json_has_exactly_the_documented_fields() {
    let dir = tempfile::tempdir().unwrap();
    let v = json_of(&balto(
        dir.path(),
        &["advise", "--json", "Estou com tosse seca há três dias"],
    ));
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    // The five fields of the advice, and the three that say why.
    assert_eq!(
        keys,
        vec![
            "alerta",
            "assistente",
            "categoria",
            "confianca",
            "decisao",
            "explicacao",
            "palavras",
            "produto"
        ]
    );
    assert_eq!(v["decisao"], "recomendar");
    assert_eq!(v["categoria"], "tosse");
    assert_eq!(v["alerta"], Value::Null);
    assert_eq!(v["assistente"], "regras");
    assert!(
        v["palavras"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("tosse")),
        "{v}"
    );
    let v = json_of(&balto(
        dir.path(),
        &["advise", "--json", "Bom dia! Aceita cartão?"],
    ));
    assert_eq!(v["decisao"], "nenhuma");
    assert_eq!(v["produto"], Value::Null);
    // A red flag followed by a question to the pharmacist: the screen answers, and says why.
    let v = json_of(&balto(
        dir.path(),
        &[
            "advise",
            "--json",
            "minha mãe tá com a boca torta e falando enrolado, o que você recomenda?",
        ],
    ));
    assert_eq!(v["decisao"], "intervencao");
    assert!(
        v["produto"].as_str().unwrap().starts_with("Intervenção:"),
        "{v}"
    );
    assert_eq!(v["alerta"], "avc");
    assert_eq!(v["assistente"], "triagem");
    assert!(!v["palavras"].as_array().unwrap().is_empty(), "{v}");
}

#[test]
fn vad_json_prints_segments_and_duration() {
    let dir = tempfile::tempdir().unwrap();
    let file = shared_audio("speech/pt1.wav");
    let v = json_of(&balto(
        dir.path(),
        &["vad", "--json", file.to_str().unwrap()],
    ));
    let duration = v["duration_ms"].as_u64().unwrap();
    assert!((6_800..=7_000).contains(&duration), "{duration}");
    let segments = v["segments"].as_array().unwrap();
    assert!(!segments.is_empty());
    let mut last_end = 0;
    for s in segments {
        let (start, end) = (
            s["start_ms"].as_u64().unwrap(),
            s["end_ms"].as_u64().unwrap(),
        );
        assert!(start >= last_end && end > start && end <= duration, "{v}");
        last_end = end;
    }
    let bad = balto(dir.path(), &["vad", "--json", "/nonexistent.wav"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("nonexistent"));
}

#[test]
fn keys_are_listed_without_secrets_and_revoked_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let created = json_of(&balto(
        dir.path(),
        &[
            "keys", "create", "--loja", "Loja 7", "--balcao", "Caixa 2", "--json",
        ],
    ));
    let api_key = created["api_key"].as_str().unwrap();
    assert!(api_key.starts_with("balto_"));
    let listed = json_of(&balto(dir.path(), &["keys", "list", "--json"]));
    let text = listed.to_string();
    let secret = api_key.rsplit('_').next().unwrap();
    assert!(!text.contains(secret), "the secret must never be listed");
    let id = listed[0]["key_id"].as_str().unwrap().to_string();
    assert_eq!(listed[0]["loja"], "Loja 7");
    assert!(balto(dir.path(), &["keys", "revoke", &id]).status.success());
    let listed = json_of(&balto(dir.path(), &["keys", "list", "--json"]));
    assert!(listed[0]["revoked_at_ms"].as_i64().is_some());
    let missing = balto(dir.path(), &["keys", "revoke", "ffffffffffff"]);
    assert!(!missing.status.success());
    // The database file holds no key text either.
    let db = std::fs::read(dir.path().join("balto.db")).unwrap();
    assert!(!db.windows(secret.len()).any(|w| w == secret.as_bytes()));
}

#[tokio::test]
async fn transcribe_uses_the_configured_provider_over_http() {
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/speech-to-text"))
        .and(header("xi-api-key", "test-key-123"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "language_code": "por",
            "language_probability": 0.98,
            "text": "Preciso de um xarope para tosse.",
            "words": [{"text": "Preciso", "start": 0.1, "end": 0.5, "type": "word"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let file = shared_audio("speech/pt2.wav");
    let uri = server.uri();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_balto"))
            .args(["transcribe", "--json", "--provider", "elevenlabs"])
            .arg(&file)
            .env("ELEVENLABS_API_KEY", "test-key-123")
            .env("ELEVENLABS_BASE_URL", uri)
            .current_dir(dir.path())
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let v = json_of(&out);
    assert_eq!(v["provider"], "elevenlabs");
    assert_eq!(v["text"], "Preciso de um xarope para tosse.");
    assert!(v["duration_ms"].as_u64().unwrap() > 4_000);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("test-key-123"),
        "the key leaked into the log"
    );
}
