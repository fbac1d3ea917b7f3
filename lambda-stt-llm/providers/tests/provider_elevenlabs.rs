//! ElevenLabs Scribe client against a local server answering as ElevenLabs documents.

use balto_core::transcriber::{SttError, Transcriber};
use balto_providers::ApiKey;
use balto_providers::resilience::{AttemptOutcome, ChainPolicy, FallbackTranscriber, RetryPolicy};
use balto_providers::stt::{ElevenLabsConfig, ElevenLabsTranscriber};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "sk_test_eleven_0123456789abcdef";

fn pcm() -> Vec<i16> {
    (0..1600)
        .map(|i| ((i as f32 * 0.05).sin() * 8000.0) as i16)
        .collect()
}

fn client(server: &MockServer, timeout: Duration) -> ElevenLabsTranscriber {
    let mut c = ElevenLabsConfig::new(ApiKey::new(KEY));
    c.base_url = server.uri();
    c.timeout = timeout;
    ElevenLabsTranscriber::new(c).unwrap()
}

fn documented_answer() -> serde_json::Value {
    serde_json::json!({
        "language_code": "por",
        "language_probability": 0.98,
        "text": "Bom dia, tem dipirona?",
        "words": [
            {"text": "Bom", "start": 0.0, "end": 0.32, "type": "word", "speaker_id": "speaker_0", "logprob": -0.1},
            {"text": " ", "start": 0.32, "end": 0.35, "type": "spacing", "speaker_id": "speaker_0", "logprob": 0.0},
            {"text": "dia,", "start": 0.35, "end": 0.7, "type": "word", "speaker_id": "speaker_0", "logprob": -0.2},
            {"text": "(tosse)", "start": 0.7, "end": 0.9, "type": "audio_event", "speaker_id": "speaker_0", "logprob": 0.0},
            {"text": "tem", "start": 1.0, "end": 1.2, "type": "word", "speaker_id": "speaker_0", "logprob": -0.1},
            {"text": "dipirona?", "start": 1.2, "end": 1.9, "type": "word", "speaker_id": "speaker_0", "logprob": -0.3}
        ],
        "transcription_id": "tr_123"
    })
}

/// The value of multipart field `name` in `body`.
fn multipart_field<'a>(body: &'a [u8], name: &str) -> Option<&'a [u8]> {
    let needle = format!("name=\"{name}\"");
    let at = find(body, needle.as_bytes())?;
    let start = at + find(&body[at..], b"\r\n\r\n")? + 4;
    let end = start + find(&body[start..], b"\r\n--")?;
    Some(&body[start..end])
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[tokio::test]
async fn sends_raw_pcm_with_the_documented_fields_and_parses_words() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/speech-to-text"))
        .and(header("xi-api-key", KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(documented_answer()))
        .expect(1)
        .mount(&server)
        .await;
    let audio = pcm();
    let t = client(&server, Duration::from_secs(5))
        .transcribe(&audio)
        .await
        .unwrap();
    assert_eq!(t.text, "Bom dia, tem dipirona?");
    assert_eq!(t.language.as_deref(), Some("por"));
    assert_eq!(t.provider, "elevenlabs");
    let words: Vec<&str> = t.words.iter().map(|w| w.text.as_str()).collect();
    assert_eq!(words, ["Bom", "dia,", "tem", "dipirona?"]);
    assert_eq!(t.words[1].start_ms, Some(350));
    assert_eq!(t.words[3].end_ms, Some(1900));

    let requests = server.received_requests().await.unwrap();
    let req = &requests[0];
    let content_type = req.headers.get("content-type").unwrap().to_str().unwrap();
    assert!(content_type.starts_with("multipart/form-data; boundary="));
    let body = &req.body;
    assert_eq!(multipart_field(body, "model_id"), Some(&b"scribe_v2"[..]));
    assert_eq!(multipart_field(body, "language_code"), Some(&b"pt"[..]));
    assert_eq!(
        multipart_field(body, "file_format"),
        Some(&b"pcm_s16le_16"[..])
    );
    let expected: Vec<u8> = audio.iter().flat_map(|s| s.to_le_bytes()).collect();
    assert_eq!(multipart_field(body, "file"), Some(&expected[..]));
    assert!(find(body, b"filename=\"segment.pcm\"").is_some());
}

#[tokio::test]
async fn documented_error_shapes_map_to_stt_errors() {
    let server = MockServer::start().await;
    let cases = [
        (
            401,
            serde_json::json!({"detail": {"status": "invalid_api_key", "message": "Invalid API key"}}),
        ),
        (
            400,
            serde_json::json!({"detail": {"type": "validation_error", "code": "invalid_parameters",
                "message": "The 'keyterms' parameter is only supported with the 'scribe_v2' model.",
                "status": "invalid_parameters", "request_id": "3c80", "param": "keyterms"}}),
        ),
        (
            422,
            serde_json::json!({"detail": [{"loc": ["body", "model_id"], "msg": "field required", "type": "value_error.missing"}]}),
        ),
    ];
    let t = client(&server, Duration::from_secs(5));
    for (status, body) in cases {
        server.reset().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(status).set_body_json(body))
            .mount(&server)
            .await;
        let err = t.transcribe(&pcm()).await.unwrap_err();
        let SttError::Rejected(msg) = &err else {
            panic!("{status}: {err:?}")
        };
        assert!(!err.is_retryable());
        assert!(msg.contains(&status.to_string()), "{msg}");
        match status {
            401 => assert!(msg.contains("invalid_api_key: Invalid API key"), "{msg}"),
            400 => assert!(msg.contains("invalid_parameters: The 'keyterms'"), "{msg}"),
            _ => assert!(msg.contains("body.model_id: field required"), "{msg}"),
        }
    }
}

#[tokio::test]
async fn rate_limit_and_server_errors_are_retryable() {
    let server = MockServer::start().await;
    let t = client(&server, Duration::from_secs(5));

    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "2")
                .set_body_json(serde_json::json!({"detail": {"code": "rate_limit_exceeded", "message": "Too many requests"}})),
        )
        .mount(&server)
        .await;
    let err = t.transcribe(&pcm()).await.unwrap_err();
    assert_eq!(
        err,
        SttError::RateLimited {
            retry_after_ms: Some(2000)
        }
    );
    assert!(err.is_retryable());

    server.reset().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(429).set_body_json(
                serde_json::json!({"detail": {"status": "concurrent_limit_exceeded"}}),
            ),
        )
        .mount(&server)
        .await;
    assert_eq!(
        t.transcribe(&pcm()).await.unwrap_err(),
        SttError::RateLimited {
            retry_after_ms: None
        }
    );

    server.reset().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).set_body_string("upstream unavailable"))
        .mount(&server)
        .await;
    let err = t.transcribe(&pcm()).await.unwrap_err();
    assert_eq!(
        err,
        SttError::Http {
            status: 503,
            body: "upstream unavailable".into()
        }
    );
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_5xx_is_retried_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_json(
            serde_json::json!({"detail": {"type": "internal_error", "message": "oops"}}),
        ))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(documented_answer()))
        .mount(&server)
        .await;
    let chain = FallbackTranscriber::new(
        vec![Arc::new(client(&server, Duration::from_secs(5)))],
        ChainPolicy {
            call_timeout: Duration::from_secs(5),
            retry: RetryPolicy {
                max_attempts: 3,
                base_delay: Duration::from_millis(10),
                max_delay: Duration::from_millis(20),
                max_retry_after: Duration::from_secs(1),
            },
            stall_after: None,
            deadline: None,
        },
    );
    let (result, attempts) = chain.transcribe_with_report(&pcm()).await;
    assert_eq!(result.unwrap().text, "Bom dia, tem dipirona?");
    let outcomes: Vec<_> = attempts.iter().map(|a| (a.attempt, a.outcome)).collect();
    assert_eq!(
        outcomes,
        [(1, AttemptOutcome::Http), (2, AttemptOutcome::Ok)]
    );
    assert!(attempts[0].error.as_deref().unwrap().contains("500"));
}

#[tokio::test]
async fn a_hanging_server_hits_the_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(documented_answer())
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let started = Instant::now();
    let err = client(&server, Duration::from_millis(200))
        .transcribe(&pcm())
        .await
        .unwrap_err();
    assert_eq!(err, SttError::Timeout(200));
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn malformed_bodies_are_invalid_responses() {
    let server = MockServer::start().await;
    let t = client(&server, Duration::from_secs(5));
    for body in [
        ResponseTemplate::new(200).set_body_string("<html>gateway</html>"),
        ResponseTemplate::new(200).set_body_json(serde_json::json!({"language_code": "por"})),
        ResponseTemplate::new(200).set_body_json(serde_json::json!({"text": 42})),
    ] {
        server.reset().await;
        Mock::given(method("POST"))
            .respond_with(body)
            .mount(&server)
            .await;
        let err = t.transcribe(&pcm()).await.unwrap_err();
        assert!(matches!(err, SttError::InvalidResponse(_)), "{err:?}");
        assert!(!err.is_retryable());
    }
}

#[tokio::test]
async fn unreachable_server_is_a_retryable_transport_error() {
    // A port nobody listens on (wiremock pools its servers, so a dropped one still answers).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let uri = format!("http://127.0.0.1:{port}");
    let mut c = ElevenLabsConfig::new(ApiKey::new(KEY));
    c.base_url = uri;
    c.timeout = Duration::from_secs(2);
    let err = ElevenLabsTranscriber::new(c)
        .unwrap()
        .transcribe(&pcm())
        .await
        .unwrap_err();
    assert!(matches!(err, SttError::Transport(_)), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn empty_audio_is_not_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let t = client(&server, Duration::from_secs(1))
        .transcribe(&[])
        .await
        .unwrap();
    assert_eq!(t.text, "");
}

#[test]
fn debug_output_never_contains_the_key() {
    let mut c = ElevenLabsConfig::new(ApiKey::new(KEY));
    c.base_url = "http://127.0.0.1:1".into();
    let shown = format!("{c:?} {:?}", ElevenLabsTranscriber::new(c.clone()).unwrap());
    assert!(!shown.contains(KEY), "{shown}");
    assert!(shown.contains("ApiKey(***)"));
}
