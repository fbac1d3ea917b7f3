//! ElevenLabs Scribe: `POST {base}/v1/speech-to-text`, header `xi-api-key`, multipart `file`
//! (raw PCM with `file_format=pcm_s16le_16`), `model_id`, `language_code`. Errors carry a JSON
//! `detail` (an object with `message`/`code`/`status`, a string, or FastAPI's validation list).

use super::{SAMPLE_RATE, read_body, status_error, transport_error, truncate};
use crate::{ApiKey, BuildError};
use async_trait::async_trait;
use balto_core::pcm::samples_to_bytes;
use balto_core::transcriber::{SttError, Transcriber, Transcription, Word};
use serde::Deserialize;
use std::time::Duration;

/// Settings of the ElevenLabs client. `Debug` never shows the key.
#[derive(Debug, Clone)]
pub struct ElevenLabsConfig {
    pub api_key: ApiKey,
    /// `ELEVENLABS_BASE_URL`, without a trailing `/v1`.
    pub base_url: String,
    /// `ELEVENLABS_MODEL`: a Scribe batch model.
    pub model_id: String,
    /// ISO-639-1 language hint.
    pub language_code: String,
    /// Timeout of the HTTP request (upload and transcription).
    pub timeout: Duration,
}

impl ElevenLabsConfig {
    pub const DEFAULT_BASE_URL: &'static str = "https://api.elevenlabs.io";
    /// The current batch Scribe model (`scribe_v1` still exists but is superseded).
    pub const DEFAULT_MODEL: &'static str = "scribe_v2";

    /// Public endpoint, default model, Portuguese, 15 s timeout.
    pub fn new(api_key: ApiKey) -> ElevenLabsConfig {
        ElevenLabsConfig {
            api_key,
            base_url: Self::DEFAULT_BASE_URL.to_string(),
            model_id: Self::DEFAULT_MODEL.to_string(),
            language_code: "pt".to_string(),
            timeout: Duration::from_secs(15),
        }
    }
}

/// ElevenLabs Scribe speech-to-text. Name: `elevenlabs`.
#[derive(Debug)]
pub struct ElevenLabsTranscriber {
    config: ElevenLabsConfig,
    http: reqwest::Client,
    endpoint: String,
}

impl ElevenLabsTranscriber {
    pub const NAME: &'static str = "elevenlabs";

    pub fn new(config: ElevenLabsConfig) -> Result<ElevenLabsTranscriber, BuildError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(5)))
            .build()
            .map_err(|e| BuildError(format!("elevenlabs http client: {e}")))?;
        let endpoint = format!(
            "{}/v1/speech-to-text",
            config.base_url.trim_end_matches('/')
        );
        Ok(ElevenLabsTranscriber {
            config,
            http,
            endpoint,
        })
    }

    pub fn config(&self) -> &ElevenLabsConfig {
        &self.config
    }
}

#[derive(Deserialize)]
struct SttResponse {
    text: Option<String>,
    language_code: Option<String>,
    words: Option<Vec<SttWord>>,
    /// Multichannel answers; not requested, read defensively.
    transcripts: Option<Vec<SttResponse>>,
}

#[derive(Deserialize)]
struct SttWord {
    text: String,
    start: Option<f64>,
    end: Option<f64>,
    /// `word`, `spacing` or `audio_event`.
    #[serde(rename = "type")]
    kind: Option<String>,
}

fn seconds_to_ms(s: Option<f64>) -> Option<u64> {
    s.filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| (s * 1000.0).round() as u64)
}

/// The human part of an ElevenLabs error body (`detail`).
fn detail_message(body: &serde_json::Value) -> Option<String> {
    let detail = body.get("detail")?;
    match detail {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Object(o) => {
            let code = o
                .get("code")
                .or_else(|| o.get("status"))
                .and_then(|v| v.as_str());
            let message = o.get("message").and_then(|v| v.as_str());
            match (code, message) {
                (Some(c), Some(m)) => Some(format!("{c}: {m}")),
                (None, Some(m)) => Some(m.to_string()),
                (Some(c), None) => Some(c.to_string()),
                (None, None) => Some(detail.to_string()),
            }
        }
        serde_json::Value::Array(items) => Some(
            items
                .iter()
                .map(|i| {
                    let msg = i.get("msg").and_then(|v| v.as_str()).unwrap_or("invalid");
                    let loc = i
                        .get("loc")
                        .and_then(|v| v.as_array())
                        .map(|l| {
                            l.iter()
                                .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_string))
                                .collect::<Vec<_>>()
                                .join(".")
                        })
                        .unwrap_or_default();
                    format!("{loc}: {msg}")
                })
                .collect::<Vec<_>>()
                .join("; "),
        ),
        other => Some(other.to_string()),
    }
}

fn parse_success(body: &[u8]) -> Result<Transcription, SttError> {
    let parsed: SttResponse = serde_json::from_slice(body).map_err(|e| {
        SttError::InvalidResponse(format!(
            "elevenlabs: {e}: {}",
            truncate(&String::from_utf8_lossy(body), 200)
        ))
    })?;
    let parsed = match parsed {
        SttResponse {
            text: None,
            transcripts: Some(mut channels),
            ..
        } if !channels.is_empty() => channels.swap_remove(0),
        other => other,
    };
    let text = parsed
        .text
        .ok_or_else(|| SttError::InvalidResponse("elevenlabs: answer has no `text`".into()))?;
    let words = parsed
        .words
        .unwrap_or_default()
        .into_iter()
        .filter(|w| w.kind.as_deref().is_none_or(|k| k == "word"))
        .map(|w| Word {
            text: w.text,
            start_ms: seconds_to_ms(w.start),
            end_ms: seconds_to_ms(w.end),
        })
        .collect();
    Ok(Transcription {
        text: text.trim().to_string(),
        language: parsed.language_code,
        words,
        provider: ElevenLabsTranscriber::NAME.to_string(),
    })
}

#[async_trait]
impl Transcriber for ElevenLabsTranscriber {
    fn name(&self) -> &str {
        Self::NAME
    }

    async fn transcribe(&self, pcm: &[i16]) -> Result<Transcription, SttError> {
        if pcm.is_empty() {
            return Ok(Transcription::empty(Self::NAME));
        }
        debug_assert_eq!(SAMPLE_RATE, 16_000, "pcm_s16le_16 means 16 kHz");
        let file = reqwest::multipart::Part::bytes(samples_to_bytes(pcm))
            .file_name("segment.pcm")
            .mime_str("application/octet-stream")
            .map_err(|e| SttError::Transport(e.to_string()))?;
        let form = reqwest::multipart::Form::new()
            .text("model_id", self.config.model_id.clone())
            .text("language_code", self.config.language_code.clone())
            .text("file_format", "pcm_s16le_16")
            .text("tag_audio_events", "false")
            .text("timestamps_granularity", "word")
            .part("file", file);
        let response = self
            .http
            .post(&self.endpoint)
            .header("xi-api-key", self.config.api_key.expose())
            .header(reqwest::header::ACCEPT, "application/json")
            .multipart(form)
            .send()
            .await
            .map_err(|e| transport_error(e, self.config.timeout))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = read_body(response, self.config.timeout).await?;
        if !status.is_success() {
            return Err(status_error(
                status,
                &headers,
                &body,
                detail_message,
                self.config.timeout,
            ));
        }
        parse_success(&body)
    }
}
