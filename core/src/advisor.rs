//! The advisor seam: an `Advisor` turns a conversation window into an [`Advice`].

use crate::advice::{Advice, Conversation};
use crate::attempt::Attempt;
use async_trait::async_trait;

/// Why advising failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AdvisorError {
    #[error("the model did not answer within {0} ms")]
    Timeout(u64),
    #[error("rate limited by the provider (retry after {retry_after_ms:?} ms)")]
    RateLimited { retry_after_ms: Option<u64> },
    #[error("provider answered HTTP {status}: {body}")]
    Http { status: u16, body: String },
    #[error("transport error: {0}")]
    Transport(String),
    #[error("the model refused: {0}")]
    Refused(String),
    #[error("the model's answer is not valid: {0}")]
    InvalidAnswer(String),
}

impl AdvisorError {
    /// True for failures that may pass on a second try.
    pub fn is_retryable(&self) -> bool {
        match self {
            AdvisorError::Timeout(_)
            | AdvisorError::RateLimited { .. }
            | AdvisorError::Transport(_) => true,
            AdvisorError::Http { status, .. } => *status >= 500,
            AdvisorError::Refused(_) | AdvisorError::InvalidAnswer(_) => false,
        }
    }
}

/// Decides what, if anything, to push to the counter for a conversation window.
#[async_trait]
pub trait Advisor: Send + Sync {
    /// Short, stable name (`regras`, `xai`, `openai`) used in logs and records.
    fn name(&self) -> &str;
    /// Decides on the window. Must never recommend `conversation.last_product` again.
    async fn advise(&self, conversation: &Conversation) -> Result<Advice, AdvisorError>;

    /// Advises and reports every advisor call made. Chains override this; a single advisor
    /// reports nothing (its caller times the one call).
    async fn advise_reporting(
        &self,
        conversation: &Conversation,
    ) -> (Result<Advice, AdvisorError>, Vec<Attempt>) {
        (self.advise(conversation).await, Vec::new())
    }
}
