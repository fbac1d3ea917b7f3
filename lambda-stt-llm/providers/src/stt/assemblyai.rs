//! AssemblyAI pre-recorded transcription: `POST {base}/v2/upload` (a WAV built in memory) →
//! `upload_url`; `POST {base}/v2/transcript` with `audio_url`, `language_code` and
//! `speech_models` → `id`; then `GET {base}/v2/transcript/{id}` with growing intervals until
//! `status` is `completed` or `error`, all within one deadline. Header `Authorization: <key>`;
//! errors are `{"error": "..."}`.

use super::{SAMPLE_RATE, read_body, status_error, transport_error, truncate, wav_bytes};
use crate::resilience::duration_ms;
use crate::{ApiKey, BuildError};
use async_trait::async_trait;
use balto_core::transcriber::{SttError, Transcriber, Transcription, Word};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Settings of the AssemblyAI client. `Debug` never shows the key.
#[derive(Debug, Clone)]
pub struct AssemblyAiConfig {
    pub api_key: ApiKey,
    /// `ASSEMBLYAI_BASE_URL` (e.g. the EU endpoint `https://api.eu.assemblyai.com`).
    pub base_url: String,
    /// `speech_models` in priority order (`ASSEMBLYAI_MODELS`, comma-separated).
    pub speech_models: Vec<String>,
    pub language_code: String,
    /// Timeout of each HTTP request.
    pub request_timeout: Duration,
    /// Bound on the whole job: upload, creation and polling.
    pub deadline: Duration,
    /// First wait before polling; grows ×1.5 per poll up to `poll_max`.
    pub poll_initial: Duration,
    pub poll_max: Duration,
}

impl AssemblyAiConfig {
    pub const DEFAULT_BASE_URL: &'static str = "https://api.assemblyai.com";
    /// Universal-3 Pro covers Portuguese; Universal-2 is its documented fallback.
    pub const DEFAULT_MODELS: [&'static str; 2] = ["universal-3-pro", "universal-2"];

    /// Public endpoint, default models, Portuguese, 20 s deadline, polls from 300 ms to 1.5 s.
    pub fn new(api_key: ApiKey) -> AssemblyAiConfig {
        AssemblyAiConfig {
            api_key,
            base_url: Self::DEFAULT_BASE_URL.to_string(),
            speech_models: Self::DEFAULT_MODELS.iter().map(|m| m.to_string()).collect(),
            language_code: "pt".to_string(),
            request_timeout: Duration::from_secs(10),
            deadline: Duration::from_secs(20),
            poll_initial: Duration::from_millis(300),
            poll_max: Duration::from_millis(1500),
        }
    }
}

/// AssemblyAI speech-to-text. Name: `assemblyai`.
#[derive(Debug)]
pub struct AssemblyAiTranscriber {
    config: AssemblyAiConfig,
    http: reqwest::Client,
    base: String,
}

#[derive(Deserialize)]
struct UploadResponse {
    upload_url: String,
}

#[derive(Deserialize)]
struct TranscriptResponse {
    id: Option<String>,
    status: Option<String>,
    text: Option<String>,
    language_code: Option<String>,
    words: Option<Vec<TranscriptWord>>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct TranscriptWord {
    text: String,
    start: Option<u64>,
    end: Option<u64>,
}

fn error_message(body: &serde_json::Value) -> Option<String> {
    body.get("error").and_then(|e| {
        e.as_str()
            .map(str::to_string)
            .or_else(|| Some(e.to_string()))
    })
}

/// Consecutive failed polls tolerated before giving up on a job.
const MAX_POLL_FAILURES: u32 = 3;

impl AssemblyAiTranscriber {
    pub const NAME: &'static str = "assemblyai";

    pub fn new(config: AssemblyAiConfig) -> Result<AssemblyAiTranscriber, BuildError> {
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(config.request_timeout.min(Duration::from_secs(5)))
            .build()
            .map_err(|e| BuildError(format!("assemblyai http client: {e}")))?;
        let base = config.base_url.trim_end_matches('/').to_string();
        Ok(AssemblyAiTranscriber { config, http, base })
    }

    pub fn config(&self) -> &AssemblyAiConfig {
        &self.config
    }

    async fn send<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, SttError> {
        let timeout = self.config.request_timeout;
        let response = request
            .header(reqwest::header::AUTHORIZATION, self.config.api_key.expose())
            .send()
            .await
            .map_err(|e| transport_error(e, timeout))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = read_body(response, timeout).await?;
        if !status.is_success() {
            return Err(status_error(
                status,
                &headers,
                &body,
                error_message,
                timeout,
            ));
        }
        serde_json::from_slice(&body).map_err(|e| {
            SttError::InvalidResponse(format!(
                "assemblyai: {e}: {}",
                truncate(&String::from_utf8_lossy(&body), 200)
            ))
        })
    }

    async fn run_job(&self, pcm: &[i16]) -> Result<Transcription, SttError> {
        let upload: UploadResponse = self
            .send(
                self.http
                    .post(format!("{}/v2/upload", self.base))
                    .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                    .body(wav_bytes(pcm, SAMPLE_RATE)),
            )
            .await?;
        let created: TranscriptResponse =
            self.send(self.http.post(format!("{}/v2/transcript", self.base)).json(
                &serde_json::json!({
                    "audio_url": upload.upload_url,
                    "language_code": self.config.language_code,
                    "speech_models": self.config.speech_models,
                    "punctuate": true,
                    "format_text": true,
                }),
            ))
            .await?;
        let id = created
            .id
            .clone()
            .filter(|id| {
                !id.is_empty()
                    && id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            })
            .ok_or_else(|| {
                SttError::InvalidResponse("assemblyai: transcript without a valid `id`".into())
            })?;
        let mut current = created;
        let mut wait = self.config.poll_initial;
        let mut failures = 0;
        loop {
            match current.status.as_deref() {
                Some("completed") => return Ok(to_transcription(current)),
                Some("error") => {
                    return Err(SttError::Rejected(format!(
                        "assemblyai transcript {id} failed: {}",
                        current.error.as_deref().unwrap_or("no reason given")
                    )));
                }
                Some("queued" | "processing") => {}
                other => {
                    return Err(SttError::InvalidResponse(format!(
                        "assemblyai: unknown transcript status {other:?}"
                    )));
                }
            }
            tokio::time::sleep(wait).await;
            wait = wait.mul_f64(1.5).min(self.config.poll_max);
            match self
                .send::<TranscriptResponse>(
                    self.http.get(format!("{}/v2/transcript/{id}", self.base)),
                )
                .await
            {
                Ok(next) => {
                    failures = 0;
                    current = next;
                }
                Err(e) if e.is_retryable() && failures + 1 < MAX_POLL_FAILURES => {
                    failures += 1;
                    tracing::debug!(%e, "assemblyai poll failed; polling again");
                }
                Err(e) => return Err(e),
            }
        }
    }
}

fn to_transcription(t: TranscriptResponse) -> Transcription {
    Transcription {
        text: t.text.unwrap_or_default().trim().to_string(),
        language: t.language_code,
        words: t
            .words
            .unwrap_or_default()
            .into_iter()
            .map(|w| Word {
                text: w.text,
                start_ms: w.start,
                end_ms: w.end,
            })
            .collect(),
        provider: AssemblyAiTranscriber::NAME.to_string(),
    }
}

#[async_trait]
impl Transcriber for AssemblyAiTranscriber {
    fn name(&self) -> &str {
        Self::NAME
    }

    async fn transcribe(&self, pcm: &[i16]) -> Result<Transcription, SttError> {
        if pcm.is_empty() {
            return Ok(Transcription::empty(Self::NAME));
        }
        match tokio::time::timeout(self.config.deadline, self.run_job(pcm)).await {
            Ok(result) => result,
            Err(_) => Err(SttError::Timeout(duration_ms(self.config.deadline))),
        }
    }
}
