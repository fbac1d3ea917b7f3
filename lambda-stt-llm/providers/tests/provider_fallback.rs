//! The fallback chain: a hanging primary is hedged, failures move on, retries are bounded, and
//! every attempt is recorded.

use async_trait::async_trait;
use balto_core::transcriber::{SttError, Transcriber, Transcription};
use balto_providers::ApiKey;
use balto_providers::resilience::{
    Attempt, AttemptOutcome, ChainPolicy, FallbackTranscriber, RetryPolicy,
};
use balto_providers::stt::{
    AssemblyAiConfig, AssemblyAiTranscriber, ElevenLabsConfig, ElevenLabsTranscriber,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn pcm() -> Vec<i16> {
    vec![100; 1600]
}

fn policy(stall_after: Option<Duration>) -> ChainPolicy {
    ChainPolicy {
        call_timeout: Duration::from_secs(3),
        retry: RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(20),
            max_retry_after: Duration::from_millis(300),
        },
        stall_after,
        deadline: None,
    }
}

fn outcomes(attempts: &[Attempt]) -> Vec<(&str, u32, AttemptOutcome)> {
    attempts
        .iter()
        .map(|a| (a.provider.as_str(), a.attempt, a.outcome))
        .collect()
}

/// A scripted engine: answers each call from `script` (the last entry repeats) after `delay`.
struct Scripted {
    name: &'static str,
    delay: Duration,
    script: Vec<Result<&'static str, SttError>>,
    calls: AtomicU32,
}

impl Scripted {
    fn new(
        name: &'static str,
        delay_ms: u64,
        script: Vec<Result<&'static str, SttError>>,
    ) -> Arc<Scripted> {
        Arc::new(Scripted {
            name,
            delay: Duration::from_millis(delay_ms),
            script,
            calls: AtomicU32::new(0),
        })
    }

    fn calls(&self) -> u32 {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl Transcriber for Scripted {
    fn name(&self) -> &str {
        self.name
    }

    async fn transcribe(&self, _pcm: &[i16]) -> Result<Transcription, SttError> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) as usize;
        tokio::time::sleep(self.delay).await;
        let step = self.script[n.min(self.script.len() - 1)].clone();
        step.map(|text| Transcription {
            text: text.to_string(),
            language: Some("pt".into()),
            words: Vec::new(),
            provider: self.name.to_string(),
        })
    }
}

#[tokio::test]
async fn a_hanging_primary_is_hedged_by_the_secondary() {
    let eleven = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/speech-to-text"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"text": "tarde demais", "language_code": "por", "words": []}))
                .set_delay(Duration::from_secs(10)),
        )
        .mount(&eleven)
        .await;
    let assembly = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/upload"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            serde_json::json!({"upload_url": "https://cdn.assemblyai.com/upload/x"}),
        ))
        .mount(&assembly)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/transcript"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"id": "t1", "status": "queued"})),
        )
        .mount(&assembly)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/transcript/t1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "id": "t1", "status": "completed", "text": "Tem protetor solar?",
            "language_code": "pt", "words": []
        })))
        .mount(&assembly)
        .await;

    let mut e = ElevenLabsConfig::new(ApiKey::new("eleven-key"));
    e.base_url = eleven.uri();
    e.timeout = Duration::from_secs(5);
    let mut a = AssemblyAiConfig::new(ApiKey::new("assembly-key"));
    a.base_url = assembly.uri();
    a.poll_initial = Duration::from_millis(10);
    let chain = FallbackTranscriber::new(
        vec![
            Arc::new(ElevenLabsTranscriber::new(e).unwrap()),
            Arc::new(AssemblyAiTranscriber::new(a).unwrap()),
        ],
        policy(Some(Duration::from_millis(150))),
    );
    assert_eq!(chain.name(), "elevenlabs>assemblyai");

    let started = Instant::now();
    let (result, attempts) = chain.transcribe_with_report(&pcm()).await;
    let elapsed = started.elapsed();
    let t = result.unwrap();
    assert_eq!(t.text, "Tem protetor solar?");
    assert_eq!(t.provider, "assemblyai");
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
    assert!(elapsed >= Duration::from_millis(150));
    assert_eq!(
        outcomes(&attempts),
        [
            ("elevenlabs", 1, AttemptOutcome::Cancelled),
            ("assemblyai", 1, AttemptOutcome::Ok)
        ]
    );
    assert!(attempts[1].started_ms >= 150);
    assert!(attempts[0].latency_ms >= attempts[1].latency_ms);
}

#[tokio::test]
async fn a_hanging_primary_without_hedging_times_out_then_falls_back() {
    let primary = Scripted::new("primary", 5_000, vec![Ok("nunca")]);
    let secondary = Scripted::new("secondary", 0, vec![Ok("oi")]);
    let mut p = policy(None);
    p.call_timeout = Duration::from_millis(100);
    p.retry.max_attempts = 1;
    let chain = FallbackTranscriber::new(vec![primary, secondary], p);
    let started = Instant::now();
    let (result, attempts) = chain.transcribe_with_report(&pcm()).await;
    assert_eq!(result.unwrap().provider, "secondary");
    assert!(started.elapsed() < Duration::from_millis(1500));
    assert_eq!(
        outcomes(&attempts),
        [
            ("primary", 1, AttemptOutcome::Timeout),
            ("secondary", 1, AttemptOutcome::Ok)
        ]
    );
    assert_eq!(
        attempts[0].error.as_deref(),
        Some("the provider did not answer within 100 ms")
    );
}

#[tokio::test]
async fn the_primary_still_wins_if_it_answers_first_after_the_hedge() {
    let primary = Scripted::new("primary", 250, vec![Ok("primário")]);
    let secondary = Scripted::new("secondary", 2_000, vec![Ok("secundário")]);
    let chain = FallbackTranscriber::new(
        vec![primary, secondary.clone()],
        policy(Some(Duration::from_millis(100))),
    );
    let (result, attempts) = chain.transcribe_with_report(&pcm()).await;
    assert_eq!(result.unwrap().text, "primário");
    assert_eq!(secondary.calls(), 1);
    assert_eq!(
        outcomes(&attempts),
        [
            ("primary", 1, AttemptOutcome::Ok),
            ("secondary", 1, AttemptOutcome::Cancelled)
        ]
    );
}

#[tokio::test]
async fn non_retryable_failures_move_on_at_once() {
    let primary = Scripted::new(
        "primary",
        0,
        vec![Err(SttError::Rejected("HTTP 401: invalid_api_key".into()))],
    );
    let secondary = Scripted::new("secondary", 0, vec![Ok("oi")]);
    let chain = FallbackTranscriber::new(
        vec![primary.clone(), secondary],
        policy(Some(Duration::from_secs(5))),
    );
    let started = Instant::now();
    let (result, attempts) = chain.transcribe_with_report(&pcm()).await;
    assert_eq!(result.unwrap().provider, "secondary");
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(primary.calls(), 1);
    assert_eq!(
        outcomes(&attempts),
        [
            ("primary", 1, AttemptOutcome::Rejected),
            ("secondary", 1, AttemptOutcome::Ok)
        ]
    );
}

#[tokio::test]
async fn retryable_failures_are_retried_a_bounded_number_of_times() {
    let primary = Scripted::new(
        "primary",
        0,
        vec![Err(SttError::Http {
            status: 503,
            body: "busy".into(),
        })],
    );
    let secondary = Scripted::new(
        "secondary",
        0,
        vec![Err(SttError::Transport("reset".into())), Ok("oi")],
    );
    let mut p = policy(None);
    p.retry.max_attempts = 3;
    let chain = FallbackTranscriber::new(vec![primary.clone(), secondary.clone()], p);
    let (result, attempts) = chain.transcribe_with_report(&pcm()).await;
    assert_eq!(result.unwrap().text, "oi");
    assert_eq!(primary.calls(), 3);
    assert_eq!(secondary.calls(), 2);
    assert_eq!(
        outcomes(&attempts),
        [
            ("primary", 1, AttemptOutcome::Http),
            ("primary", 2, AttemptOutcome::Http),
            ("primary", 3, AttemptOutcome::Http),
            ("secondary", 1, AttemptOutcome::Transport),
            ("secondary", 2, AttemptOutcome::Ok)
        ]
    );
}

#[tokio::test]
async fn retry_after_is_honoured_up_to_the_cap() {
    // Asks for 100 ms (under the 300 ms cap): waited for, then retried.
    let primary = Scripted::new(
        "primary",
        0,
        vec![
            Err(SttError::RateLimited {
                retry_after_ms: Some(100),
            }),
            Ok("depois"),
        ],
    );
    let chain = FallbackTranscriber::new(vec![primary], policy(None));
    let started = Instant::now();
    let (result, attempts) = chain.transcribe_with_report(&pcm()).await;
    assert_eq!(result.unwrap().text, "depois");
    assert!(started.elapsed() >= Duration::from_millis(100));
    assert_eq!(attempts.len(), 2);

    // Asks for 60 s: not waited for; the next provider answers at once.
    let primary = Scripted::new(
        "primary",
        0,
        vec![Err(SttError::RateLimited {
            retry_after_ms: Some(60_000),
        })],
    );
    let secondary = Scripted::new("secondary", 0, vec![Ok("oi")]);
    let chain = FallbackTranscriber::new(vec![primary.clone(), secondary], policy(None));
    let started = Instant::now();
    let (result, _) = chain.transcribe_with_report(&pcm()).await;
    assert_eq!(result.unwrap().provider, "secondary");
    assert_eq!(primary.calls(), 1);
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn when_every_provider_fails_the_last_error_is_returned() {
    let primary = Scripted::new("primary", 0, vec![Err(SttError::Rejected("no".into()))]);
    let secondary = Scripted::new(
        "secondary",
        0,
        vec![Err(SttError::Unavailable("no model".into()))],
    );
    let chain = FallbackTranscriber::new(vec![primary, secondary], policy(None));
    let err = chain.transcribe(&pcm()).await.unwrap_err();
    assert_eq!(err, SttError::Unavailable("no model".into()));

    let empty = FallbackTranscriber::new(Vec::new(), policy(None));
    assert!(matches!(
        empty.transcribe(&pcm()).await,
        Err(SttError::Unavailable(_))
    ));
}

#[tokio::test]
async fn the_chain_deadline_bounds_everything() {
    let primary = Scripted::new("primary", 5_000, vec![Ok("nunca")]);
    let secondary = Scripted::new("secondary", 5_000, vec![Ok("nunca")]);
    let mut p = policy(Some(Duration::from_millis(50)));
    p.deadline = Some(Duration::from_millis(200));
    let chain = FallbackTranscriber::new(vec![primary, secondary], p);
    let started = Instant::now();
    let (result, attempts) = chain.transcribe_with_report(&pcm()).await;
    assert_eq!(result.unwrap_err(), SttError::Timeout(200));
    assert!(started.elapsed() < Duration::from_millis(1500));
    assert_eq!(
        outcomes(&attempts),
        [
            ("primary", 1, AttemptOutcome::Cancelled),
            ("secondary", 1, AttemptOutcome::Cancelled)
        ]
    );
}

#[tokio::test]
async fn per_provider_timeouts_override_the_policy() {
    let slow_offline = Scripted::new("whisper", 300, vec![Ok("local")]);
    let mut p = policy(None);
    p.call_timeout = Duration::from_millis(50);
    let chain = FallbackTranscriber::new(vec![slow_offline], p)
        .with_call_timeout("whisper", Duration::from_secs(2));
    assert_eq!(chain.transcribe(&pcm()).await.unwrap().text, "local");
}

#[test]
fn attempts_serialize_for_records() {
    let a = Attempt {
        provider: "elevenlabs".into(),
        attempt: 1,
        started_ms: 0,
        latency_ms: 812,
        outcome: AttemptOutcome::RateLimited,
        error: Some("rate limited by the provider (retry after Some(2000) ms)".into()),
    };
    let json = serde_json::to_value(&a).unwrap();
    assert_eq!(json["outcome"], "rate_limited");
    assert_eq!(json["latency_ms"], 812);
    let back: Attempt = serde_json::from_value(json).unwrap();
    assert_eq!(back, a);
}
