//! The `stt-llm` function over real HTTP (port 0) with the DynamoDB store on dynalite and a
//! real ElevenLabs client talking to a local server that answers as ElevenLabs documents:
//! signatures, limits, the full pipeline, idempotency, provider failures; then the built
//! binary itself in its local-HTTP mode.

mod dynalite;

use balto_advisor::catalog::Catalog;
use balto_advisor::rules::RulesAdvisor;
use balto_core::advice::Conversation;
use balto_core::advisor::Advisor;
use balto_core::records::SegmentStatus;
use balto_core::relay::{
    MAX_RELAY_BODY_BYTES, RELAY_PATH, RELAY_VERSION, RelayErrorCode, RelayRequest, RelayResponse,
    RelaySession, SESSION_END_PATH, SessionEndRequest,
};
use balto_core::session::{SegmentOrigin, SegmentToStore, SessionConfig};
use balto_core::signing::{RequestSigner, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use balto_core::storage::Storage;
use balto_core::transcriber::Transcriber;
use balto_providers::{ProviderConfig, build_transcriber};
use lambda_stt_llm::dynamo::DynamoStore;
use lambda_stt_llm::relay_handler::{RelayState, router};
use std::collections::HashMap;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncBufReadExt, BufReader};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "test-signing-secret-0123456789";
const SAID: &str = "Estou com dor de cabeça desde ontem, o que posso tomar?";

fn eleven_answer(text: &str) -> serde_json::Value {
    serde_json::json!({
        "language_code": "por",
        "language_probability": 0.98,
        "text": text,
        "words": [],
        "transcription_id": "tr_1"
    })
}

/// Makes `eleven` answer every transcription with [`SAID`], expecting `calls` calls if given.
async fn hear_said(eleven: &MockServer, calls: Option<u64>) {
    let mock = Mock::given(method("POST"))
        .and(path("/v1/speech-to-text"))
        .respond_with(ResponseTemplate::new(200).set_body_json(eleven_answer(SAID)));
    match calls {
        Some(n) => mock.expect(n).mount(eleven).await,
        None => mock.mount(eleven).await,
    }
}

fn transcriber(server: &MockServer, timeout_ms: u64) -> Arc<dyn Transcriber> {
    let vars = HashMap::from([
        (
            "ELEVENLABS_API_KEY",
            "sk_test_eleven_0123456789abcdef".to_string(),
        ),
        ("ELEVENLABS_BASE_URL", server.uri()),
        ("STT_PROVIDER", "elevenlabs".to_string()),
        ("STT_TIMEOUT_MS", timeout_ms.to_string()),
        ("STT_MAX_ATTEMPTS", "1".to_string()),
        ("LLM_PROVIDER", "regras".to_string()),
    ]);
    let cfg = ProviderConfig::from_env(|k| vars.get(k).cloned()).unwrap();
    build_transcriber(&cfg, None).unwrap()
}

fn rules() -> Arc<dyn Advisor> {
    Arc::new(RulesAdvisor::new(Arc::new(Catalog::embedded())))
}

struct App {
    url: String,
    store: DynamoStore,
    _db: dynalite::Dynalite,
}

async fn spawn_app(transcriber: Option<Arc<dyn Transcriber>>) -> App {
    let db = dynalite::start().await;
    let store = dynalite::fresh_store(&db).await;
    let state = RelayState {
        store: store.clone(),
        signer: RequestSigner::new(SECRET.as_bytes().to_vec()).unwrap(),
        transcriber,
        advisor: rules(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router(Arc::new(state))).await });
    App {
        url,
        store,
        _db: db,
    }
}

fn now_s() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn request(seq: u64, context: &Conversation) -> RelayRequest {
    request_in("sess-1", SegmentOrigin::Stream { seq }, context)
}

fn request_in(session_id: &str, origin: SegmentOrigin, context: &Conversation) -> RelayRequest {
    let segment = SegmentToStore {
        origin,
        start_ms: 4_000,
        duration_ms: 1_500,
        pcm: (0..24_000)
            .map(|i| ((i as f32 * 0.05).sin() * 6000.0) as i16)
            .collect(),
    };
    RelayRequest::new(
        &RelaySession {
            session_id,
            started_at_ms: 1_700_000_000_000,
            key_id: "abcdef012345",
            store: "Loja Centro",
            counter: "Balcão 1",
        },
        &segment,
        context,
        &SessionConfig::default(),
    )
}

async fn post_signed(url: &str, body: Vec<u8>, signed_at: u64, secret: &str) -> reqwest::Response {
    post_to(url, RELAY_PATH, body, signed_at, secret).await
}

async fn post_to(
    url: &str,
    route: &str,
    body: Vec<u8>,
    signed_at: u64,
    secret: &str,
) -> reqwest::Response {
    let signer = RequestSigner::new(secret.as_bytes().to_vec()).unwrap();
    reqwest::Client::new()
        .post(format!("{url}{route}"))
        .header(TIMESTAMP_HEADER, signed_at.to_string())
        .header(SIGNATURE_HEADER, signer.sign(signed_at, &body))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn relay(url: &str, req: &RelayRequest) -> (u16, RelayResponse) {
    let res = post_signed(url, serde_json::to_vec(req).unwrap(), now_s(), SECRET).await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

#[tokio::test]
async fn bad_signatures_old_timestamps_and_bad_bodies_are_refused() {
    let eleven = MockServer::start().await;
    let app = spawn_app(Some(transcriber(&eleven, 5_000))).await;
    let body = serde_json::to_vec(&request(1, &Conversation::default())).unwrap();

    let res = post_signed(&app.url, body.clone(), now_s(), "another-secret").await;
    assert_eq!(res.status(), 401);
    let answer: RelayResponse = res.json().await.unwrap();
    assert_eq!(answer.error.unwrap().code, RelayErrorCode::Unauthorized);

    let res = post_signed(&app.url, body.clone(), now_s() - 301, SECRET).await;
    assert_eq!(res.status(), 401, "a replay outside the window");
    let res = post_signed(&app.url, body.clone(), now_s() + 3_600, SECRET).await;
    assert_eq!(res.status(), 401, "a timestamp from the future");

    let res = reqwest::Client::new()
        .post(format!("{}{RELAY_PATH}", app.url))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "unsigned");

    let res = post_signed(
        &app.url,
        vec![b' '; MAX_RELAY_BODY_BYTES + 1],
        now_s(),
        SECRET,
    )
    .await;
    assert_eq!(res.status(), 413);
    let answer: RelayResponse = res.json().await.unwrap();
    assert_eq!(answer.error.unwrap().code, RelayErrorCode::PayloadTooLarge);

    let res = post_signed(&app.url, b"{not json".to_vec(), now_s(), SECRET).await;
    assert_eq!(res.status(), 400);
    let answer: RelayResponse = res.json().await.unwrap();
    assert_eq!(answer.error.unwrap().code, RelayErrorCode::BadRequest);

    let mut odd = request(1, &Conversation::default());
    odd.audio_base64 = "AAAA".into(); // three bytes
    let (status, answer) = relay(&app.url, &odd).await;
    assert_eq!(status, 400);
    assert!(answer.error.unwrap().message.contains("odd"));

    assert!(
        eleven.received_requests().await.unwrap().is_empty(),
        "nothing refused reached the provider"
    );
    assert!(
        app.store
            .session_segments("sess-1")
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_segment_is_stored_transcribed_advised_and_never_twice() {
    let eleven = MockServer::start().await;
    hear_said(&eleven, Some(1)).await;
    let app = spawn_app(Some(transcriber(&eleven, 5_000))).await;
    let context = Conversation::single("Bom dia");
    let req = request(1, &context);

    let (status, answer) = relay(&app.url, &req).await;
    assert_eq!(status, 200, "{answer:?}");
    assert_eq!(answer.segment_id, "sess-1.1");
    assert!(!answer.duplicate);
    assert!(answer.error.is_none(), "{answer:?}");
    let transcript = answer.transcript.clone().unwrap();
    assert_eq!(transcript.text, SAID);
    assert_eq!(transcript.provider, "elevenlabs");
    assert_eq!(transcript.start_ms, 4_000);
    // The advice is the rules advisor's on the session's window plus this utterance.
    let expected = rules().advise(&req.window_with(SAID)).await.unwrap();
    let advice = answer.advice.clone().unwrap();
    assert_eq!(advice.advice, expected);
    assert_eq!(advice.base_transcript, SAID);

    // Everything is in DynamoDB.
    let segments = app.store.session_segments("sess-1").await.unwrap();
    assert_eq!(segments.len(), 1);
    assert_eq!(segments[0].status, SegmentStatus::Processed);
    assert_eq!(segments[0].seq, Some(1));
    assert_eq!(segments[0].duration_ms, 1_500);
    assert_eq!(
        app.store.load_audio("sess-1.1").await.unwrap(),
        req.validate().unwrap()
    );
    let transcripts = app.store.segment_transcripts("sess-1.1").await.unwrap();
    assert_eq!(transcripts.len(), 1);
    assert_eq!(transcripts[0].text, SAID);
    let suggestions = app.store.session_suggestions("sess-1").await.unwrap();
    assert_eq!(suggestions.len(), 1);
    assert_eq!(suggestions[0].advice, expected);
    let stages: Vec<String> = app
        .store
        .segment_attempts("sess-1.1")
        .await
        .unwrap()
        .into_iter()
        .map(|(stage, _)| stage)
        .collect();
    assert_eq!(stages, ["stt", "advisor"]);
    let sessions = app
        .store
        .counter_sessions("abcdef012345", 10)
        .await
        .unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].store, "Loja Centro");
    assert_eq!(sessions[0].ended_at_ms, None);

    // The socket closes: the worker records the session's end (signed too).
    let end = |at: i64| {
        serde_json::to_vec(&SessionEndRequest {
            version: RELAY_VERSION,
            session_id: "sess-1".into(),
            ended_at_ms: at,
        })
        .unwrap()
    };
    let res = post_to(
        &app.url,
        SESSION_END_PATH,
        end(1_700_000_900_000),
        now_s(),
        "wrong",
    )
    .await;
    assert_eq!(res.status(), 401);
    let res = post_to(
        &app.url,
        SESSION_END_PATH,
        end(1_700_000_900_000),
        now_s(),
        SECRET,
    )
    .await;
    assert_eq!(res.status(), 204);
    let res = post_to(
        &app.url,
        SESSION_END_PATH,
        end(1_700_000_999_000),
        now_s(),
        SECRET,
    )
    .await;
    assert_eq!(res.status(), 204, "ending twice is fine");
    let sessions = app
        .store
        .counter_sessions("abcdef012345", 10)
        .await
        .unwrap();
    assert_eq!(
        sessions[0].ended_at_ms,
        Some(1_700_000_900_000),
        "the first end is kept"
    );

    // The same segment again (a retried POST): a duplicate, nothing done or stored twice.
    let (status, again) = relay(&app.url, &req).await;
    assert_eq!(status, 200);
    assert!(again.duplicate);
    assert!(again.transcript.is_none() && again.advice.is_none() && again.error.is_none());
    assert_eq!(app.store.session_segments("sess-1").await.unwrap().len(), 1);
    assert_eq!(
        app.store
            .segment_transcripts("sess-1.1")
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        app.store.session_suggestions("sess-1").await.unwrap().len(),
        1
    );
    // `expect(1)` on the provider stub is verified when it drops.
}

#[tokio::test]
async fn a_provider_timeout_is_a_typed_error_and_the_segment_waits_for_a_retry() {
    let eleven = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/speech-to-text"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(eleven_answer(SAID))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&eleven)
        .await;
    let app = spawn_app(Some(transcriber(&eleven, 300))).await;
    let req = request(2, &Conversation::default());

    let (status, answer) = relay(&app.url, &req).await;
    assert_eq!(status, 502);
    let error = answer.error.clone().unwrap();
    assert_eq!(error.code, RelayErrorCode::SttFailed);
    assert!(error.retryable, "{error:?}");
    assert!(answer.transcript.is_none());
    let segment = &app.store.session_segments("sess-1").await.unwrap()[0];
    assert_eq!(segment.status, SegmentStatus::Stored);
    assert!(
        segment
            .last_error
            .as_deref()
            .unwrap()
            .contains("speech-to-text failed")
    );
    let unfinished = app.store.unfinished_segments(10).await.unwrap();
    assert_eq!(unfinished.len(), 1, "left for retry");

    // The provider recovers; the worker re-sends the same segment: it is processed now.
    eleven.reset().await;
    hear_said(&eleven, None).await;
    let (status, retried) = relay(&app.url, &req).await;
    assert_eq!(status, 200, "{retried:?}");
    assert!(!retried.duplicate);
    assert_eq!(retried.transcript.unwrap().text, SAID);
    let segments = app.store.session_segments("sess-1").await.unwrap();
    assert_eq!(segments.len(), 1, "still one segment");
    assert_eq!(segments[0].status, SegmentStatus::Processed);
    assert!(app.store.unfinished_segments(10).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_client_segment_resent_from_a_new_session_is_answered_under_the_id_asked_for() {
    let eleven = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/speech-to-text"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&eleven)
        .await;
    let app = spawn_app(Some(transcriber(&eleven, 2_000))).await;
    let origin = SegmentOrigin::Client { id: "c-7".into() };
    let first = request_in("sess-1", origin.clone(), &Conversation::default());
    let (status, answer) = relay(&app.url, &first).await;
    assert_eq!(status, 502, "{answer:?}");
    assert!(answer.error.unwrap().retryable);

    // The counter reconnects (a new session, so a new server id) and re-sends its segment.
    eleven.reset().await;
    hear_said(&eleven, Some(1)).await;
    let again = request_in("sess-2", origin, &Conversation::default());
    assert_ne!(again.segment_id, first.segment_id);
    let (status, answer) = relay(&app.url, &again).await;
    assert_eq!(status, 200, "{answer:?}");
    assert_eq!(
        answer.segment_id, again.segment_id,
        "the edge accepts only an answer for the segment it sent"
    );
    assert!(!answer.duplicate && answer.error.is_none(), "{answer:?}");
    assert_eq!(answer.transcript.unwrap().text, SAID);
    // Recorded once, under the segment first stored.
    let stored = app.store.session_segments("sess-1").await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].status, SegmentStatus::Processed);
    assert!(
        app.store
            .session_segments("sess-2")
            .await
            .unwrap()
            .is_empty()
    );
    let transcripts = app
        .store
        .segment_transcripts(&first.segment_id)
        .await
        .unwrap();
    assert_eq!(transcripts.len(), 1);
}

#[tokio::test]
async fn a_segment_left_unfinished_by_a_stopped_run_is_processed_when_resent() {
    let eleven = MockServer::start().await;
    hear_said(&eleven, Some(1)).await;
    let app = spawn_app(Some(transcriber(&eleven, 5_000))).await;
    // Two runs that stored their segment and stopped before any outcome: one just now (it may
    // still be running), one longer ago than a run can last.
    let recent = request(7, &Conversation::default());
    let old = request(8, &Conversation::default());
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    for (req, created_at_ms) in [(&recent, now_ms), (&old, now_ms - 10 * 60_000)] {
        let record = balto_core::records::SegmentRecord {
            id: req.segment_id.clone(),
            session_id: req.session_id.clone(),
            key_id: req.key_id.clone(),
            client_id: None,
            seq: req.seq,
            start_ms: req.start_ms,
            duration_ms: req.duration_ms(),
            audio_ref: req.segment_id.clone(),
            created_at_ms,
            status: SegmentStatus::Stored,
            attempts: 0,
            last_error: None,
        };
        app.store.insert_segment(record).await.unwrap();
    }
    let (status, answer) = relay(&app.url, &recent).await;
    assert_eq!(status, 200);
    assert!(answer.duplicate, "a run in progress is not started twice");
    let (status, answer) = relay(&app.url, &old).await;
    assert_eq!(status, 200, "{answer:?}");
    assert!(!answer.duplicate, "an abandoned run is done again");
    assert_eq!(answer.transcript.unwrap().text, SAID);
    let segments = app.store.session_segments("sess-1").await.unwrap();
    let old_now = segments.iter().find(|s| s.id == old.segment_id).unwrap();
    assert_eq!(old_now.status, SegmentStatus::Processed);
}

#[tokio::test]
async fn without_a_transcriber_the_segment_is_stored_and_the_error_says_why() {
    let app = spawn_app(None).await;
    let (status, answer) = relay(&app.url, &request(3, &Conversation::default())).await;
    assert_eq!(status, 503);
    assert_eq!(answer.error.unwrap().code, RelayErrorCode::SttUnavailable);
    let segments = app.store.session_segments("sess-1").await.unwrap();
    assert_eq!(segments.len(), 1);
    assert_eq!(segments[0].status, SegmentStatus::Stored);
}

#[tokio::test]
async fn the_binary_serves_the_handler_locally() {
    let eleven = MockServer::start().await;
    hear_said(&eleven, None).await;
    let db = dynalite::start().await;
    let table = format!("balto-bin-{}", std::process::id());
    let (mut child, url, ready_ms) = start_binary(&db, &table, &eleven, true).await;

    let (status, answer) = relay(&url, &request(1, &Conversation::default())).await;
    assert_eq!(status, 200, "{answer:?}");
    assert_eq!(answer.transcript.unwrap().text, SAID);
    assert!(answer.advice.is_some());
    // Per-segment overhead excluding provider time (store, signature, JSON, advisor rules),
    // from the function's own `server-timing` header, over 30 more segments.
    let mut overheads = Vec::new();
    let mut totals = Vec::new();
    for seq in 2..32 {
        let req = request(seq, &Conversation::single("Bom dia"));
        let res = post_signed(&url, serde_json::to_vec(&req).unwrap(), now_s(), SECRET).await;
        assert_eq!(res.status(), 200);
        let timing = res.headers()["server-timing"].to_str().unwrap().to_string();
        let value = |name: &str| -> u64 {
            timing
                .split(", ")
                .find_map(|p| p.strip_prefix(&format!("{name};dur=")))
                .unwrap()
                .parse()
                .unwrap()
        };
        overheads.push(value("overhead"));
        totals.push(value("total"));
    }
    overheads.sort_unstable();
    totals.sort_unstable();
    eprintln!(
        "stt-llm per-segment overhead excluding providers (dynalite, debug build): median {} ms, p90 {} ms, max {} ms; total median {} ms",
        overheads[15], overheads[27], overheads[29], totals[15]
    );
    assert!(overheads[15] < 2_000, "overhead {overheads:?}");
    let health = reqwest::get(format!("{url}/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    eprintln!("stt-llm local start-up (process start to listening, table created): {ready_ms} ms");

    // The table it created holds the segment.
    let store = DynamoStore::new(dynalite::client(&db.endpoint), table.clone());
    assert_eq!(store.session_segments("sess-1").await.unwrap().len(), 31);
    child.start_kill().unwrap();
    let _ = child.wait().await;

    // A second start on the existing table: the function's own initialisation.
    let (mut child, _, warm_ms) = start_binary(&db, &table, &eleven, false).await;
    eprintln!("stt-llm start-up on an existing table (process start to listening): {warm_ms} ms");
    child.start_kill().unwrap();
    let _ = child.wait().await;
}

/// Starts the built `stt-llm` binary in local-HTTP mode with the environment documented in
/// docs/deploy.md; returns it, its URL and how long it took to listen.
async fn start_binary(
    db: &dynalite::Dynalite,
    table: &str,
    eleven: &MockServer,
    ensure_table: bool,
) -> (tokio::process::Child, String, u128) {
    let started = std::time::Instant::now();
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_stt-llm"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("BALTO_LOCAL_HTTP", "127.0.0.1:0")
        .env("STT_LLM_SIGNING_SECRET", SECRET)
        .env("DYNAMODB_ENDPOINT", &db.endpoint)
        .env("DYNAMODB_TABLE", table)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("ELEVENLABS_API_KEY", "sk_test_eleven_0123456789abcdef")
        .env("ELEVENLABS_BASE_URL", eleven.uri())
        .env("LLM_PROVIDER", "regras")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    if ensure_table {
        command.env("BALTO_ENSURE_TABLE", "1");
    }
    let mut child = command.spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
        .await
        .expect("the binary announces its address")
        .unwrap()
        .expect("a line on stdout");
    let url = line
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    (child, url, started.elapsed().as_millis())
}
