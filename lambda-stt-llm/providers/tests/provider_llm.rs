//! The OpenAI-compatible LLM advisor against a local server answering as OpenAI / xAI document:
//! strict `json_schema` requests, refusals, invalid JSON, 429 + Retry-After, 5xx, hangs.

use async_trait::async_trait;
use balto_core::advice::{Advice, Category, Confidence, Conversation, Decision, Utterance};
use balto_core::advisor::{Advisor, AdvisorError};
use balto_providers::ApiKey;
use balto_providers::llm::{CatalogEntry, LlmAdvisor, LlmConfig};
use balto_providers::resilience::{AttemptOutcome, ChainPolicy, FallbackAdvisor, RetryPolicy};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "xai-test-0123456789abcdefghij";

fn catalog() -> Vec<CatalogEntry> {
    vec![
        CatalogEntry::new(
            "Dipirona 500 mg comprimido",
            Category::DorFebre,
            "dipirona monoidratada 500 mg; dor e febre",
        )
        .with_cautions("alergia a dipirona; menores de 12 anos: usar gotas"),
        CatalogEntry::new(
            "Xarope de guaco",
            Category::Tosse,
            "Mikania glomerata; tosse produtiva",
        )
        .with_cautions("menores de 2 anos; gestantes"),
        CatalogEntry::new(
            "Soro de reidratação oral",
            Category::DiarreiaHidratacao,
            "sais para reidratação oral",
        ),
    ]
}

fn advisor(server: &MockServer, timeout: Duration) -> LlmAdvisor {
    let mut c = LlmConfig::xai(ApiKey::new(KEY));
    c.base_url = format!("{}/v1", server.uri());
    c.timeout = timeout;
    LlmAdvisor::new(c, catalog()).unwrap()
}

fn conversation() -> Conversation {
    Conversation {
        utterances: vec![
            Utterance {
                at_ms: 1_000,
                text: "boa tarde".into(),
            },
            Utterance {
                at_ms: 4_000,
                text: "minha filha tá com uma tosse com catarro faz dois dias".into(),
            },
        ],
        last_product: Some("Dipirona 500 mg comprimido".into()),
    }
}

/// A chat completion as OpenAI documents it, with `content` and `refusal`.
fn completion(content: Option<&str>, refusal: Option<&str>, finish: &str) -> serde_json::Value {
    serde_json::json!({
        "id": "chatcmpl-123",
        "object": "chat.completion",
        "created": 1_741_569_952,
        "model": "grok-4-1-fast-non-reasoning",
        "choices": [{
            "index": 0,
            "message": { "role": "assistant", "content": content, "refusal": refusal },
            "logprobs": null,
            "finish_reason": finish
        }],
        "usage": { "prompt_tokens": 900, "completion_tokens": 40, "total_tokens": 940 }
    })
}

fn answer_json(decisao: &str, categoria: Option<&str>, produto: Option<&str>) -> String {
    serde_json::json!({
        "decisao": decisao,
        "categoria": categoria,
        "produto": produto,
        "explicacao": "Cliente relatou tosse com catarro.",
        "confianca": "media"
    })
    .to_string()
}

async fn answer_with(server: &MockServer, template: ResponseTemplate) {
    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(template)
        .mount(server)
        .await;
}

fn ok(content: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(completion(Some(content), None, "stop"))
}

#[tokio::test]
async fn sends_a_strict_schema_request_and_validates_the_recommendation() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(header("content-type", "application/json"))
        .respond_with(ok(&answer_json(
            "recomendar",
            Some("tosse"),
            Some("Xarope de guaco"),
        )))
        .expect(1)
        .mount(&server)
        .await;
    let a = advisor(&server, Duration::from_secs(5));
    assert_eq!(a.name(), "xai");
    let advice = a.advise(&conversation()).await.unwrap();
    assert_eq!(
        advice,
        Advice {
            decision: Decision::Recomendar,
            category: Some(Category::Tosse),
            product: Some("Xarope de guaco".into()),
            explanation: "Cliente relatou tosse com catarro.".into(),
            confidence: Confidence::Media,
        }
    );

    let requests = server.received_requests().await.unwrap();
    let body: serde_json::Value = requests[0].body_json().unwrap();
    assert_eq!(body["model"], "grok-4-1-fast-non-reasoning");
    let format = &body["response_format"];
    assert_eq!(format["type"], "json_schema");
    assert_eq!(format["json_schema"]["name"], "balto_advice");
    assert_eq!(format["json_schema"]["strict"], true);
    let schema = &format["json_schema"]["schema"];
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(
        schema["required"],
        serde_json::json!(["decisao", "categoria", "produto", "explicacao", "confianca"])
    );
    assert_eq!(
        schema["properties"]["decisao"]["enum"],
        serde_json::json!(["nenhuma", "recomendar", "intervencao"])
    );
    assert!(
        schema["properties"]["categoria"]["enum"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("dor_muscular_contusao"))
    );
    let messages = body["messages"].as_array().unwrap();
    assert_eq!(messages[0]["role"], "system");
    let system = messages[0]["content"].as_str().unwrap();
    assert!(system.contains("Intervenção:"));
    assert!(system.contains("- Xarope de guaco | tosse | Mikania glomerata; tosse produtiva | menores de 2 anos; gestantes"));
    assert_eq!(messages[1]["role"], "user");
    let user = messages[1]["content"].as_str().unwrap();
    assert!(user.contains("[00:04] minha filha tá com uma tosse com catarro faz dois dias"));
    assert!(user.contains("Último produto sugerido nesta conversa: Dipirona 500 mg comprimido"));
    assert!(body.get("temperature").is_none());
}

#[tokio::test]
async fn answers_outside_the_catalog_or_contract_are_invalid() {
    let server = MockServer::start().await;
    let a = advisor(&server, Duration::from_secs(5));
    for content in [
        // A product the catalog does not have (and prescription-only).
        answer_json(
            "recomendar",
            Some("gripe_resfriado"),
            Some("Amoxicilina 500 mg"),
        ),
        // The right product with another category.
        answer_json("recomendar", Some("garganta"), Some("Xarope de guaco")),
        // recomendar without a product.
        answer_json("recomendar", Some("tosse"), None),
        // Not JSON, truncated JSON, JSON of another shape.
        "Recomendo xarope de guaco.".to_string(),
        "{\"decisao\": \"recomendar\", \"categoria\": \"tos".to_string(),
        "{\"decision\": \"recommend\"}".to_string(),
        answer_json("vender", None, None),
    ] {
        answer_with(&server, ok(&content)).await;
        let err = a.advise(&conversation()).await.unwrap_err();
        assert!(
            matches!(err, AdvisorError::InvalidAnswer(_)),
            "{content}: {err:?}"
        );
        assert!(!err.is_retryable());
    }
}

#[tokio::test]
async fn interventions_nothing_and_repeats() {
    let server = MockServer::start().await;
    let a = advisor(&server, Duration::from_secs(5));

    answer_with(
        &server,
        ok(&answer_json(
            "intervencao",
            Some("intervencao"),
            Some("Intervenção: encaminhar ao pronto-socorro"),
        )),
    )
    .await;
    let advice = a.advise(&conversation()).await.unwrap();
    assert_eq!(advice.decision, Decision::Intervencao);
    assert_eq!(advice.category, Some(Category::Intervencao));
    assert_eq!(
        advice.pushed_product(),
        Some("Intervenção: encaminhar ao pronto-socorro")
    );

    answer_with(&server, ok(&answer_json("nenhuma", None, None))).await;
    let advice = a.advise(&conversation()).await.unwrap();
    assert_eq!(advice.decision, Decision::Nenhuma);
    assert_eq!(advice.pushed_product(), None);

    // The model picks the product pushed last: nothing is pushed again.
    answer_with(
        &server,
        ok(&answer_json(
            "recomendar",
            Some("dor_febre"),
            Some("Dipirona 500 mg comprimido"),
        )),
    )
    .await;
    let advice = a.advise(&conversation()).await.unwrap();
    assert_eq!(advice.decision, Decision::Nenhuma);
}

#[tokio::test]
async fn refusals_are_reported_as_refused() {
    let server = MockServer::start().await;
    let a = advisor(&server, Duration::from_secs(5));
    answer_with(
        &server,
        ResponseTemplate::new(200).set_body_json(completion(
            None,
            Some("I'm sorry, I cannot assist with that request."),
            "stop",
        )),
    )
    .await;
    let err = a.advise(&conversation()).await.unwrap_err();
    assert_eq!(
        err,
        AdvisorError::Refused("I'm sorry, I cannot assist with that request.".into())
    );
    assert!(!err.is_retryable());

    answer_with(
        &server,
        ResponseTemplate::new(200).set_body_json(completion(None, None, "content_filter")),
    )
    .await;
    assert!(matches!(
        a.advise(&conversation()).await.unwrap_err(),
        AdvisorError::Refused(_)
    ));

    answer_with(
        &server,
        ResponseTemplate::new(200).set_body_json(completion(
            Some("{\"decisao\": \"nen"),
            None,
            "length",
        )),
    )
    .await;
    assert!(matches!(
        a.advise(&conversation()).await.unwrap_err(),
        AdvisorError::InvalidAnswer(_)
    ));
}

#[tokio::test]
async fn rate_limits_honour_retry_after_in_seconds_or_dates() {
    let server = MockServer::start().await;
    let a = advisor(&server, Duration::from_secs(5));
    let rate_limited = serde_json::json!({"error": {
        "message": "Rate limit reached for requests", "type": "requests",
        "param": null, "code": "rate_limit_exceeded"}});

    answer_with(
        &server,
        ResponseTemplate::new(429)
            .insert_header("retry-after", "3")
            .set_body_json(rate_limited.clone()),
    )
    .await;
    let err = a.advise(&conversation()).await.unwrap_err();
    assert_eq!(
        err,
        AdvisorError::RateLimited {
            retry_after_ms: Some(3000)
        }
    );
    assert!(err.is_retryable());

    let in_a_minute = httpdate_in(60);
    answer_with(
        &server,
        ResponseTemplate::new(429)
            .insert_header("retry-after", in_a_minute.as_str())
            .set_body_json(rate_limited),
    )
    .await;
    let AdvisorError::RateLimited {
        retry_after_ms: Some(ms),
    } = a.advise(&conversation()).await.unwrap_err()
    else {
        panic!("not a rate limit")
    };
    assert!((57_000..=60_000).contains(&ms), "{ms}");

    // Out of credit is a 429 too, but waiting does not help: not retryable.
    answer_with(
        &server,
        ResponseTemplate::new(429).set_body_json(serde_json::json!({"error": {
            "message": "You exceeded your current quota, please check your plan and billing details.",
            "type": "insufficient_quota", "param": null, "code": "insufficient_quota"}})),
    )
    .await;
    let err = a.advise(&conversation()).await.unwrap_err();
    assert!(
        matches!(err, AdvisorError::Http { status: 429, .. }),
        "{err:?}"
    );
    assert!(!err.is_retryable());
}

/// An IMF-fixdate `secs` from now.
fn httpdate_in(secs: u64) -> String {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + secs;
    let days = (t / 86_400) as i64;
    let (h, m, s) = ((t % 86_400) / 3600, (t % 3600) / 60, t % 60);
    // civil_from_days (Howard Hinnant)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(mo <= 2);
    let wd = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days % 7) as usize];
    let mon = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][(mo - 1) as usize];
    format!("{wd}, {d:02} {mon} {y} {h:02}:{m:02}:{s:02} GMT")
}

#[tokio::test]
async fn http_errors_of_openai_and_xai_shapes() {
    let server = MockServer::start().await;
    let a = advisor(&server, Duration::from_secs(5));

    answer_with(
        &server,
        ResponseTemplate::new(500).set_body_json(serde_json::json!({"error": {
            "message": "The server had an error while processing your request.",
            "type": "server_error", "param": null, "code": null}})),
    )
    .await;
    let err = a.advise(&conversation()).await.unwrap_err();
    assert_eq!(
        err,
        AdvisorError::Http {
            status: 500,
            body: "The server had an error while processing your request.".into()
        }
    );
    assert!(err.is_retryable());

    // xAI: {"code": ..., "error": "..."}
    answer_with(
        &server,
        ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "code": "Client specified an invalid argument",
            "error": "Incorrect API key provided: xa***ij. You can obtain an API key from https://console.x.ai."})),
    )
    .await;
    let err = a.advise(&conversation()).await.unwrap_err();
    let AdvisorError::Http { status: 400, body } = &err else {
        panic!("{err:?}")
    };
    assert!(body.starts_with("Incorrect API key provided"));
    assert!(!err.is_retryable());

    answer_with(
        &server,
        ResponseTemplate::new(502).set_body_string("<html>Bad Gateway</html>"),
    )
    .await;
    assert_eq!(
        a.advise(&conversation()).await.unwrap_err(),
        AdvisorError::Http {
            status: 502,
            body: "<html>Bad Gateway</html>".into()
        }
    );

    // A 200 whose envelope is not a chat completion.
    answer_with(
        &server,
        ResponseTemplate::new(200).set_body_json(serde_json::json!({"choices": []})),
    )
    .await;
    assert!(matches!(
        a.advise(&conversation()).await.unwrap_err(),
        AdvisorError::InvalidAnswer(_)
    ));
}

#[tokio::test]
async fn a_hanging_model_hits_the_timeout() {
    let server = MockServer::start().await;
    answer_with(
        &server,
        ok(&answer_json("nenhuma", None, None)).set_delay(Duration::from_secs(5)),
    )
    .await;
    let started = Instant::now();
    let err = advisor(&server, Duration::from_millis(200))
        .advise(&conversation())
        .await
        .unwrap_err();
    assert_eq!(err, AdvisorError::Timeout(200));
    assert!(started.elapsed() < Duration::from_secs(2));
}

struct OfflineRules;

#[async_trait]
impl Advisor for OfflineRules {
    fn name(&self) -> &str {
        "regras"
    }
    async fn advise(&self, _: &Conversation) -> Result<Advice, AdvisorError> {
        Ok(Advice::nothing("regras"))
    }
}

fn fast_retries(max_attempts: u32) -> ChainPolicy {
    ChainPolicy {
        call_timeout: Duration::from_secs(2),
        retry: RetryPolicy {
            max_attempts,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(20),
            max_retry_after: Duration::from_millis(500),
        },
        stall_after: None,
        deadline: None,
    }
}

#[tokio::test]
async fn fallback_advisor_retries_5xx_then_uses_the_rules() {
    let server = MockServer::start().await;
    answer_with(
        &server,
        ResponseTemplate::new(503).set_body_json(
            serde_json::json!({"error": {"message": "overloaded", "type": "server_error"}}),
        ),
    )
    .await;
    let chain = FallbackAdvisor::new(
        vec![
            Arc::new(advisor(&server, Duration::from_secs(2))),
            Arc::new(OfflineRules),
        ],
        fast_retries(2),
    );
    assert_eq!(chain.name(), "xai>regras");
    let (result, attempts) = chain.advise_with_report(&conversation()).await;
    assert_eq!(result.unwrap().explanation, "regras");
    let seen: Vec<_> = attempts
        .iter()
        .map(|a| (a.provider.as_str(), a.attempt, a.outcome))
        .collect();
    assert_eq!(
        seen,
        [
            ("xai", 1, AttemptOutcome::Http),
            ("xai", 2, AttemptOutcome::Http),
            ("regras", 1, AttemptOutcome::Ok)
        ]
    );
}

#[tokio::test]
async fn fallback_advisor_retries_a_429_after_its_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ok(&answer_json(
            "recomendar",
            Some("tosse"),
            Some("xarope de guaco"),
        )))
        .mount(&server)
        .await;
    let chain = FallbackAdvisor::new(
        vec![
            Arc::new(advisor(&server, Duration::from_secs(2))),
            Arc::new(OfflineRules),
        ],
        fast_retries(3),
    );
    let (result, attempts) = chain.advise_with_report(&conversation()).await;
    assert_eq!(result.unwrap().product.as_deref(), Some("Xarope de guaco"));
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0].outcome, AttemptOutcome::RateLimited);

    // A refusal is not retried: straight to the rules.
    answer_with(
        &server,
        ResponseTemplate::new(200).set_body_json(completion(
            None,
            Some("não posso ajudar"),
            "stop",
        )),
    )
    .await;
    let (result, attempts) = chain.advise_with_report(&conversation()).await;
    assert_eq!(result.unwrap().explanation, "regras");
    assert_eq!(attempts[0].outcome, AttemptOutcome::Refused);
    assert_eq!(attempts.len(), 2);
}

#[test]
fn debug_output_never_contains_the_key() {
    let c = LlmConfig::openai(ApiKey::new(KEY));
    let shown = format!("{c:?} {:?}", LlmAdvisor::new(c.clone(), catalog()).unwrap());
    assert!(!shown.contains(KEY), "{shown}");
}

// The red-flag screen in front of the chain (ScreenedAdvisor, built by build_advisor).

use balto_advisor::red_flags::{RedFlagScreen, SCREEN_NAME, ScreenPolicy};
use balto_providers::ScreenedAdvisor;
use balto_providers::{ProviderConfig, build_advisor};

fn flagged() -> Conversation {
    Conversation {
        utterances: vec![
            Utterance {
                at_ms: 1_000,
                text: "meu pai tá com um aperto no peito que desce pro braço".into(),
            },
            Utterance {
                at_ms: 4_000,
                text: "o que você recomenda?".into(),
            },
        ],
        last_product: None,
    }
}

/// The model always recommends the xarope; `calls` requests are expected.
async fn recommends_xarope(server: &MockServer, calls: u64) {
    Mock::given(method("POST"))
        .respond_with(ok(&answer_json(
            "recomendar",
            Some("tosse"),
            Some("Xarope de guaco"),
        )))
        .expect(calls)
        .mount(server)
        .await;
}

fn screened(server: &MockServer, policy: ScreenPolicy) -> ScreenedAdvisor {
    let chain = FallbackAdvisor::new(
        vec![
            Arc::new(advisor(server, Duration::from_secs(2))),
            Arc::new(OfflineRules),
        ],
        fast_retries(1),
    );
    ScreenedAdvisor::new(Arc::new(chain), Arc::new(RedFlagScreen::embedded()), policy)
}

#[tokio::test]
async fn a_flagged_window_gets_the_intervention_without_calling_the_llm() {
    let server = MockServer::start().await;
    recommends_xarope(&server, 0).await;
    let a = screened(&server, ScreenPolicy::SkipAdvisor);
    assert_eq!(a.name(), "xai>regras");
    let (result, attempts) = a.advise_reporting(&flagged()).await;
    let advice = result.unwrap();
    assert_eq!(advice.decision, Decision::Intervencao);
    assert_eq!(
        advice.product.as_deref(),
        Some("Intervenção: encaminhar à emergência")
    );
    assert!(advice.explanation.contains("dor_no_peito"), "{advice:?}");
    let seen: Vec<_> = attempts
        .iter()
        .map(|a| (a.provider.as_str(), a.outcome))
        .collect();
    assert_eq!(seen, [(SCREEN_NAME, AttemptOutcome::Ok)]);
    server.verify().await;
}

#[tokio::test]
async fn consulted_llm_product_is_recorded_as_overridden_and_never_sent() {
    let server = MockServer::start().await;
    recommends_xarope(&server, 1).await;
    let a = screened(&server, ScreenPolicy::ConsultAdvisor);
    let (result, attempts) = a.advise_reporting(&flagged()).await;
    let advice = result.unwrap();
    assert_eq!(advice.decision, Decision::Intervencao);
    assert_ne!(advice.pushed_product(), Some("Xarope de guaco"));
    assert_eq!(attempts.len(), 2, "{attempts:?}");
    assert_eq!(
        (attempts[0].provider.as_str(), attempts[0].outcome),
        (SCREEN_NAME, AttemptOutcome::Ok)
    );
    assert_eq!(
        (attempts[1].provider.as_str(), attempts[1].outcome),
        ("xai", AttemptOutcome::Overridden)
    );
    let note = attempts[1].error.as_deref().unwrap_or("");
    assert!(
        note.contains("dor_no_peito")
            && note.contains("recomendar")
            && note.contains("Xarope de guaco"),
        "{note}"
    );
    server.verify().await;

    // The LLM failing changes nothing: the intervention still goes out.
    answer_with(&server, ResponseTemplate::new(503)).await;
    let (result, attempts) = a.advise_reporting(&flagged()).await;
    assert_eq!(result.unwrap().decision, Decision::Intervencao);
    assert_eq!(attempts[1].outcome, AttemptOutcome::Http);
}

#[tokio::test]
async fn a_clear_window_goes_to_the_chain_as_before() {
    let server = MockServer::start().await;
    answer_with(
        &server,
        ok(&answer_json(
            "recomendar",
            Some("tosse"),
            Some("Xarope de guaco"),
        )),
    )
    .await;
    let a = screened(&server, ScreenPolicy::SkipAdvisor);
    let (result, attempts) = a.advise_reporting(&conversation()).await;
    assert_eq!(result.unwrap().product.as_deref(), Some("Xarope de guaco"));
    let seen: Vec<_> = attempts.iter().map(|a| a.provider.as_str()).collect();
    assert_eq!(seen, ["xai"]);
}

#[tokio::test]
async fn build_advisor_screens_the_configured_chain() {
    let server = MockServer::start().await;
    recommends_xarope(&server, 1).await;
    let url = format!("{}/v1", server.uri());
    let vars = [
        ("LLM_PROVIDER", "xai"),
        ("XAI_BASE_URL", url.as_str()),
        ("LLM_MAX_ATTEMPTS", "1"),
    ];
    let cfg = ProviderConfig::from_env(|k| {
        vars.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| (*v).to_string())
    })
    .unwrap();
    let a = build_advisor(&cfg, catalog(), Arc::new(OfflineRules));
    assert_eq!(a.name(), "xai>regras");
    // Flagged: the screen answers, the model is not asked.
    let (result, attempts) = a.advise_reporting(&flagged()).await;
    assert_eq!(result.unwrap().decision, Decision::Intervencao);
    assert_eq!(attempts[0].provider, SCREEN_NAME);
    // Clear: the model answers (the one request the mock expects).
    let advice = a.advise(&conversation()).await.unwrap();
    assert_eq!(advice.product.as_deref(), Some("Xarope de guaco"));
    server.verify().await;
}

#[test]
fn the_system_prompt_states_the_screens_red_flags_and_the_question_rule() {
    let c = LlmConfig::xai(ApiKey::new(KEY));
    let a = LlmAdvisor::new(c, catalog()).unwrap();
    let p = a.system_prompt();
    for rule in RedFlagScreen::embedded().rules() {
        assert!(p.contains(rule.regra), "{}", rule.id);
    }
    assert!(p.contains("nunca anula a queixa"));
}
