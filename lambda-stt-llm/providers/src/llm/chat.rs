//! An OpenAI-compatible chat-completions client (OpenAI, xAI): `POST {base}/chat/completions`
//! with `Authorization: Bearer <key>` and a strict `json_schema` `response_format`. Errors are
//! `{"error": {"message", "type", "code"}}` (OpenAI) or `{"code", "error": "..."}` (xAI).

use crate::resilience::{duration_ms, retry_after_from_headers};
use crate::stt::truncate;
use crate::{ApiKey, BuildError};
use balto_core::advisor::AdvisorError;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Settings of an OpenAI-compatible provider. `Debug` never shows the key.
#[derive(Debug, Clone)]
pub struct LlmConfig {
    /// Provider name, also the advisor's name: `xai` or `openai`.
    pub provider: String,
    pub api_key: ApiKey,
    /// Base URL including the version path (`https://api.x.ai/v1`).
    pub base_url: String,
    pub model: String,
    /// Timeout of the HTTP request.
    pub timeout: Duration,
    /// Sent only when set (some reasoning models reject it).
    pub temperature: Option<f32>,
    /// `max_completion_tokens`, sent only when set.
    pub max_completion_tokens: Option<u32>,
}

impl LlmConfig {
    pub const XAI_BASE_URL: &'static str = "https://api.x.ai/v1";
    /// A fast Grok model with structured outputs, suited to a counter's latency budget.
    pub const XAI_DEFAULT_MODEL: &'static str = "grok-4-1-fast-non-reasoning";
    pub const OPENAI_BASE_URL: &'static str = "https://api.openai.com/v1";
    pub const OPENAI_DEFAULT_MODEL: &'static str = "gpt-4.1-mini";

    /// xAI Grok with the public endpoint and default model.
    pub fn xai(api_key: ApiKey) -> LlmConfig {
        LlmConfig::new("xai", api_key, Self::XAI_BASE_URL, Self::XAI_DEFAULT_MODEL)
    }

    /// OpenAI with the public endpoint and default model.
    pub fn openai(api_key: ApiKey) -> LlmConfig {
        LlmConfig::new(
            "openai",
            api_key,
            Self::OPENAI_BASE_URL,
            Self::OPENAI_DEFAULT_MODEL,
        )
    }

    /// Any OpenAI-compatible provider; 10 s timeout, no temperature, 800 output tokens at most.
    pub fn new(provider: &str, api_key: ApiKey, base_url: &str, model: &str) -> LlmConfig {
        LlmConfig {
            provider: provider.to_string(),
            api_key,
            base_url: base_url.to_string(),
            model: model.to_string(),
            timeout: Duration::from_secs(10),
            temperature: None,
            max_completion_tokens: Some(800),
        }
    }
}

/// One chat message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChatMessage {
    pub role: String,
    pub content: String,
}

impl ChatMessage {
    pub fn system(content: impl Into<String>) -> ChatMessage {
        ChatMessage {
            role: "system".into(),
            content: content.into(),
        }
    }

    pub fn user(content: impl Into<String>) -> ChatMessage {
        ChatMessage {
            role: "user".into(),
            content: content.into(),
        }
    }
}

/// Client of one OpenAI-compatible chat-completions endpoint.
#[derive(Debug)]
pub struct ChatClient {
    config: LlmConfig,
    http: reqwest::Client,
    endpoint: String,
}

#[derive(Deserialize)]
struct ChatResponse {
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    message: Option<ChoiceMessage>,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct ChoiceMessage {
    content: Option<String>,
    refusal: Option<String>,
}

/// `(message, code)` of an OpenAI (`error` object) or xAI (`error` string + `code`) error body.
fn error_parts(body: &serde_json::Value) -> (Option<String>, Option<String>) {
    let str_of = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).map(str::to_string);
    match body.get("error") {
        Some(serde_json::Value::Object(e)) => (
            str_of(e.get("message")),
            str_of(e.get("code")).or_else(|| str_of(e.get("type"))),
        ),
        Some(serde_json::Value::String(s)) => (Some(s.clone()), str_of(body.get("code"))),
        _ => (str_of(body.get("message")), str_of(body.get("code"))),
    }
}

impl ChatClient {
    pub fn new(config: LlmConfig) -> Result<ChatClient, BuildError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(5)))
            .build()
            .map_err(|e| BuildError(format!("{} http client: {e}", config.provider)))?;
        let endpoint = format!("{}/chat/completions", config.base_url.trim_end_matches('/'));
        Ok(ChatClient {
            config,
            http,
            endpoint,
        })
    }

    pub fn config(&self) -> &LlmConfig {
        &self.config
    }

    /// The request body for `messages` constrained by the strict JSON `schema` named `name`.
    pub fn request_body(
        &self,
        messages: &[ChatMessage],
        name: &str,
        schema: &serde_json::Value,
    ) -> serde_json::Value {
        let mut body = serde_json::json!({
            "model": self.config.model,
            "messages": messages,
            "response_format": {
                "type": "json_schema",
                "json_schema": { "name": name, "strict": true, "schema": schema },
            },
        });
        if let Some(t) = self.config.temperature {
            body["temperature"] = serde_json::json!(t);
        }
        if let Some(n) = self.config.max_completion_tokens {
            body["max_completion_tokens"] = serde_json::json!(n);
        }
        body
    }

    /// Sends the chat and returns the assistant's content (the JSON text), mapping refusals,
    /// truncation, HTTP errors and unreadable envelopes to [`AdvisorError`].
    pub async fn complete_json(
        &self,
        messages: &[ChatMessage],
        name: &str,
        schema: &serde_json::Value,
    ) -> Result<String, AdvisorError> {
        let timeout = self.config.timeout;
        let transport = |e: reqwest::Error| {
            if e.is_timeout() {
                AdvisorError::Timeout(duration_ms(timeout))
            } else {
                AdvisorError::Transport(crate::stt::describe_reqwest_error(e))
            }
        };
        let response = self
            .http
            .post(&self.endpoint)
            .bearer_auth(self.config.api_key.expose())
            .json(&self.request_body(messages, name, schema))
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(transport)?;
        if !status.is_success() {
            let parsed = serde_json::from_slice::<serde_json::Value>(&body).ok();
            let (message, code) = parsed.as_ref().map(error_parts).unwrap_or((None, None));
            let text = truncate(
                &message.unwrap_or_else(|| String::from_utf8_lossy(&body).trim().to_string()),
                crate::stt::MAX_ERROR_BODY,
            );
            return Err(match status.as_u16() {
                // Out of credit is not a rate limit: waiting will not help.
                429 if code.as_deref() == Some("insufficient_quota") => AdvisorError::Http {
                    status: 429,
                    body: text,
                },
                429 => AdvisorError::RateLimited {
                    retry_after_ms: retry_after_from_headers(&headers).map(duration_ms),
                },
                408 => AdvisorError::Timeout(duration_ms(timeout)),
                code => AdvisorError::Http {
                    status: code,
                    body: text,
                },
            });
        }
        let parsed: ChatResponse = serde_json::from_slice(&body).map_err(|e| {
            AdvisorError::InvalidAnswer(format!(
                "unreadable chat completion: {e}: {}",
                truncate(&String::from_utf8_lossy(&body), 200)
            ))
        })?;
        let choice =
            parsed.choices.into_iter().next().ok_or_else(|| {
                AdvisorError::InvalidAnswer("chat completion without choices".into())
            })?;
        let message = choice
            .message
            .ok_or_else(|| AdvisorError::InvalidAnswer("choice without message".into()))?;
        if let Some(refusal) = message.refusal.filter(|r| !r.trim().is_empty()) {
            return Err(AdvisorError::Refused(truncate(&refusal, 300)));
        }
        match choice.finish_reason.as_deref() {
            Some("content_filter") => {
                return Err(AdvisorError::Refused("content filter".into()));
            }
            Some("length") => {
                return Err(AdvisorError::InvalidAnswer(
                    "answer cut at the token limit".into(),
                ));
            }
            _ => {}
        }
        message
            .content
            .filter(|c| !c.trim().is_empty())
            .ok_or_else(|| AdvisorError::InvalidAnswer("empty answer".into()))
    }
}
