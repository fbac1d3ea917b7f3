//! The speech-to-text seam: a `Transcriber` turns 16 kHz mono PCM into text.

use crate::attempt::Attempt;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// One recognised word with its timing, when the provider gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Word {
    pub text: String,
    pub start_ms: Option<u64>,
    pub end_ms: Option<u64>,
}

/// What a provider heard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transcription {
    pub text: String,
    /// Language the provider reports (ISO code), if any.
    pub language: Option<String>,
    pub words: Vec<Word>,
    /// Name of the engine that produced it (`elevenlabs`, `assemblyai`, `whisper`, ...).
    pub provider: String,
}

impl Transcription {
    /// Nothing heard (empty audio): no provider is called for it.
    pub fn empty(provider: impl Into<String>) -> Transcription {
        Transcription {
            text: String::new(),
            language: None,
            words: Vec::new(),
            provider: provider.into(),
        }
    }
}

/// Why a transcription failed. `is_retryable` tells the fallback chain what to do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SttError {
    #[error("the provider did not answer within {0} ms")]
    Timeout(u64),
    #[error("rate limited by the provider (retry after {retry_after_ms:?} ms)")]
    RateLimited { retry_after_ms: Option<u64> },
    #[error("provider answered HTTP {status}: {body}")]
    Http { status: u16, body: String },
    #[error("transport error: {0}")]
    Transport(String),
    #[error("provider answer could not be read: {0}")]
    InvalidResponse(String),
    #[error("the provider rejected the request: {0}")]
    Rejected(String),
    #[error("engine not available: {0}")]
    Unavailable(String),
}

impl SttError {
    /// True for failures that may pass on a second try (timeouts, 429, 5xx, broken connections).
    pub fn is_retryable(&self) -> bool {
        match self {
            SttError::Timeout(_) | SttError::RateLimited { .. } | SttError::Transport(_) => true,
            SttError::Http { status, .. } => *status >= 500,
            SttError::InvalidResponse(_) | SttError::Rejected(_) | SttError::Unavailable(_) => {
                false
            }
        }
    }
}

/// A speech-to-text engine.
#[async_trait]
pub trait Transcriber: Send + Sync {
    /// Short, stable engine name used in logs, records and reports.
    fn name(&self) -> &str;
    /// Transcribes 16 kHz mono PCM (Portuguese unless the engine is told otherwise).
    async fn transcribe(&self, pcm: &[i16]) -> Result<Transcription, SttError>;

    /// Transcribes and reports every provider call made. Chains of providers override this;
    /// a single engine reports nothing (its caller times the one call).
    async fn transcribe_reporting(
        &self,
        pcm: &[i16],
    ) -> (Result<Transcription, SttError>, Vec<Attempt>) {
        (self.transcribe(pcm).await, Vec::new())
    }
}
