//! AssemblyAI client against a local server answering as AssemblyAI documents: upload, create,
//! poll (`queued` → `processing` → `completed` / `error`), errors `{"error": "..."}`.

use balto_core::transcriber::{SttError, Transcriber};
use balto_providers::ApiKey;
use balto_providers::stt::{AssemblyAiConfig, AssemblyAiTranscriber};
use std::time::{Duration, Instant};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "aai_test_key_0123456789abcdef";
const ID: &str = "5551722-f677-48a6-9287-39c0aafd9ac1";
const UPLOAD_URL: &str = "https://cdn.assemblyai.com/upload/ccbbbfaf-f319-4455-9556-272d48faaf7f";

fn pcm() -> Vec<i16> {
    (0..3200).map(|i| ((i % 100) as i16 - 50) * 100).collect()
}

fn client(server: &MockServer) -> AssemblyAiTranscriber {
    let mut c = AssemblyAiConfig::new(ApiKey::new(KEY));
    c.base_url = server.uri();
    c.request_timeout = Duration::from_secs(2);
    c.deadline = Duration::from_secs(3);
    c.poll_initial = Duration::from_millis(10);
    c.poll_max = Duration::from_millis(30);
    AssemblyAiTranscriber::new(c).unwrap()
}

fn transcript(status: &str) -> serde_json::Value {
    serde_json::json!({
        "id": ID,
        "status": status,
        "audio_url": UPLOAD_URL,
        "language_code": "pt",
        "text": null,
        "words": null,
        "error": null
    })
}

fn completed() -> serde_json::Value {
    serde_json::json!({
        "id": ID,
        "status": "completed",
        "audio_url": UPLOAD_URL,
        "language_code": "pt",
        "speech_model_used": "universal-3-pro",
        "text": "Tem xarope para tosse?",
        "confidence": 0.93,
        "audio_duration": 2,
        "words": [
            {"text": "Tem", "start": 240, "end": 480, "confidence": 0.99, "speaker": null},
            {"text": "xarope", "start": 480, "end": 900, "confidence": 0.95, "speaker": null},
            {"text": "para", "start": 900, "end": 1100, "confidence": 0.97, "speaker": null},
            {"text": "tosse?", "start": 1100, "end": 1600, "confidence": 0.9, "speaker": null}
        ],
        "error": null
    })
}

async fn mount_upload_and_create(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/v2/upload"))
        .and(header("authorization", KEY))
        .and(header("content-type", "application/octet-stream"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"upload_url": UPLOAD_URL})),
        )
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/transcript"))
        .and(header("authorization", KEY))
        .and(body_partial_json(serde_json::json!({
            "audio_url": UPLOAD_URL,
            "language_code": "pt",
            "speech_models": ["universal-3-pro", "universal-2"]
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(transcript("queued")))
        .mount(server)
        .await;
}

async fn mount_poll(server: &MockServer, answer: ResponseTemplate, times: Option<u64>) {
    let mock = Mock::given(method("GET"))
        .and(path(format!("/v2/transcript/{ID}")))
        .and(header("authorization", KEY))
        .respond_with(answer);
    match times {
        Some(n) => mock.up_to_n_times(n).mount(server).await,
        None => mock.mount(server).await,
    }
}

#[tokio::test]
async fn uploads_a_wav_creates_and_polls_until_completed() {
    let server = MockServer::start().await;
    mount_upload_and_create(&server).await;
    let ok = |body| ResponseTemplate::new(200).set_body_json(body);
    mount_poll(&server, ok(transcript("queued")), Some(1)).await;
    mount_poll(&server, ok(transcript("processing")), Some(2)).await;
    mount_poll(&server, ok(completed()), None).await;

    let audio = pcm();
    let t = client(&server).transcribe(&audio).await.unwrap();
    assert_eq!(t.text, "Tem xarope para tosse?");
    assert_eq!(t.language.as_deref(), Some("pt"));
    assert_eq!(t.provider, "assemblyai");
    assert_eq!(t.words.len(), 4);
    assert_eq!(t.words[1].start_ms, Some(480));
    assert_eq!(t.words[3].end_ms, Some(1600));

    let requests = server.received_requests().await.unwrap();
    let polls = requests
        .iter()
        .filter(|r| r.method.as_str() == "GET")
        .count();
    assert_eq!(polls, 4, "queued, processing ×2, completed");
    // The upload is a 16 kHz mono 16-bit WAV holding exactly our samples.
    let upload = requests
        .iter()
        .find(|r| r.url.path() == "/v2/upload")
        .unwrap();
    let mut wav = hound::WavReader::new(std::io::Cursor::new(upload.body.clone())).unwrap();
    let spec = wav.spec();
    assert_eq!(
        (spec.channels, spec.sample_rate, spec.bits_per_sample),
        (1, 16_000, 16)
    );
    let samples: Vec<i16> = wav.samples::<i16>().map(Result::unwrap).collect();
    assert_eq!(samples, audio);
}

#[tokio::test]
async fn a_failed_job_is_rejected_with_its_reason() {
    let server = MockServer::start().await;
    mount_upload_and_create(&server).await;
    mount_poll(
        &server,
        ResponseTemplate::new(200).set_body_json(transcript("processing")),
        Some(1),
    )
    .await;
    let mut failed = transcript("error");
    failed["error"] = "Download error, unable to access file".into();
    mount_poll(
        &server,
        ResponseTemplate::new(200).set_body_json(failed),
        None,
    )
    .await;
    let err = client(&server).transcribe(&pcm()).await.unwrap_err();
    let SttError::Rejected(msg) = &err else {
        panic!("{err:?}")
    };
    assert!(
        msg.contains("Download error, unable to access file"),
        "{msg}"
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn documented_error_bodies_rate_limits_and_5xx() {
    let server = MockServer::start().await;
    let t = client(&server);

    Mock::given(method("POST"))
        .and(path("/v2/upload"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            serde_json::json!({"error": "Authentication error, API token missing/invalid"}),
        ))
        .mount(&server)
        .await;
    let err = t.transcribe(&pcm()).await.unwrap_err();
    assert_eq!(
        err,
        SttError::Rejected("HTTP 401: Authentication error, API token missing/invalid".into())
    );

    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/v2/upload"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"upload_url": UPLOAD_URL})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/transcript"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")
                .set_body_json(serde_json::json!({"error": "Too many concurrent requests"})),
        )
        .mount(&server)
        .await;
    // An HTTP date in the past means "retry now".
    assert_eq!(
        t.transcribe(&pcm()).await.unwrap_err(),
        SttError::RateLimited {
            retry_after_ms: Some(0)
        }
    );

    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/v2/upload"))
        .respond_with(
            ResponseTemplate::new(502).set_body_json(serde_json::json!({"error": "Bad gateway"})),
        )
        .mount(&server)
        .await;
    let err = t.transcribe(&pcm()).await.unwrap_err();
    assert_eq!(
        err,
        SttError::Http {
            status: 502,
            body: "Bad gateway".into()
        }
    );
    assert!(err.is_retryable());
}

#[tokio::test]
async fn one_failed_poll_is_tolerated() {
    let server = MockServer::start().await;
    mount_upload_and_create(&server).await;
    mount_poll(
        &server,
        ResponseTemplate::new(503).set_body_json(serde_json::json!({"error": "busy"})),
        Some(1),
    )
    .await;
    mount_poll(
        &server,
        ResponseTemplate::new(200).set_body_json(completed()),
        None,
    )
    .await;
    let t = client(&server).transcribe(&pcm()).await.unwrap();
    assert_eq!(t.text, "Tem xarope para tosse?");
}

#[tokio::test]
async fn polling_is_bounded_by_the_deadline() {
    let server = MockServer::start().await;
    mount_upload_and_create(&server).await;
    mount_poll(
        &server,
        ResponseTemplate::new(200).set_body_json(transcript("processing")),
        None,
    )
    .await;
    let mut c = AssemblyAiConfig::new(ApiKey::new(KEY));
    c.base_url = server.uri();
    c.deadline = Duration::from_millis(300);
    c.poll_initial = Duration::from_millis(20);
    c.poll_max = Duration::from_millis(50);
    let started = Instant::now();
    let err = AssemblyAiTranscriber::new(c)
        .unwrap()
        .transcribe(&pcm())
        .await
        .unwrap_err();
    assert_eq!(err, SttError::Timeout(300));
    assert!(started.elapsed() < Duration::from_secs(1));
    let polls = server.received_requests().await.unwrap().len() - 2;
    assert!((3..=15).contains(&polls), "{polls} polls: back-off grows");
}

#[tokio::test]
async fn a_hanging_upload_hits_the_request_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/upload"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"upload_url": UPLOAD_URL}))
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let mut c = AssemblyAiConfig::new(ApiKey::new(KEY));
    c.base_url = server.uri();
    c.request_timeout = Duration::from_millis(200);
    let started = Instant::now();
    let err = AssemblyAiTranscriber::new(c)
        .unwrap()
        .transcribe(&pcm())
        .await
        .unwrap_err();
    assert_eq!(err, SttError::Timeout(200));
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn malformed_answers_are_invalid_responses() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/upload"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"upload\": tru"))
        .mount(&server)
        .await;
    let err = client(&server).transcribe(&pcm()).await.unwrap_err();
    assert!(matches!(err, SttError::InvalidResponse(_)), "{err:?}");

    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/v2/upload"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"upload_url": UPLOAD_URL})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/transcript"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"status": "queued"})),
        )
        .mount(&server)
        .await;
    let err = client(&server).transcribe(&pcm()).await.unwrap_err();
    assert!(matches!(err, SttError::InvalidResponse(_)), "{err:?}");

    server.reset().await;
    mount_upload_and_create(&server).await;
    mount_poll(
        &server,
        ResponseTemplate::new(200).set_body_json(transcript("thinking")),
        None,
    )
    .await;
    let err = client(&server).transcribe(&pcm()).await.unwrap_err();
    assert!(matches!(err, SttError::InvalidResponse(_)), "{err:?}");
}

#[test]
fn debug_output_never_contains_the_key() {
    let c = AssemblyAiConfig::new(ApiKey::new(KEY));
    let shown = format!("{c:?} {:?}", AssemblyAiTranscriber::new(c.clone()).unwrap());
    assert!(!shown.contains(KEY), "{shown}");
}
