//! The queries the admin API needs from a backend, separate from [`crate::storage::Storage`] so
//! each backend (SQLite in local-dev, DynamoDB in production) can implement them its own way,
//! plus the optional capabilities some backends lack (segment audio, database backup, live
//! status). Errors reuse [`StorageError`].

use crate::admin::{
    HistoryQuery, LiveSnapshot, Page, SegmentRow, SessionSummary, SuggestionReview,
    TranscriptReview,
};
use crate::advice::Category;
use crate::key_record::KeyRecord;
use crate::records::{SegmentRecord, SuggestionVerdict};
use crate::storage::StorageError;
use async_trait::async_trait;

/// A reviewed segment's transcript by one provider, with the admin's reference text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewedTranscript {
    pub segment_id: String,
    pub provider: String,
    pub hypothesis: String,
    pub reference: String,
}

/// One transcript's bookkeeping, for the provider comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderTranscript {
    pub segment_id: String,
    pub provider: String,
    pub duration_ms: u64,
    pub latency_ms: u64,
}

/// One recorded provider call (from the provider-attempts records).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallSample {
    pub provider: String,
    pub latency_ms: u64,
    pub ok: bool,
}

/// One reviewed suggestion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewedSuggestion {
    pub category: Option<Category>,
    pub verdict: SuggestionVerdict,
}

/// Read and review queries of the admin area. Every list is filtered by a [`HistoryQuery`]
/// (see its documentation for the semantics); lists of rows are newest first.
#[async_trait]
pub trait AdminStore: Send + Sync {
    /// Sessions with at least one matching segment (or any session when only session-level
    /// filters are given), one page.
    async fn list_sessions(&self, q: &HistoryQuery) -> Result<Page<SessionSummary>, StorageError>;
    /// One session's summary.
    async fn session_summary(&self, id: &str) -> Result<Option<SessionSummary>, StorageError>;
    /// Matching segments, one page.
    async fn list_segments(&self, q: &HistoryQuery) -> Result<Page<SegmentRow>, StorageError>;
    /// Every segment of a session as rows, in arrival order.
    async fn session_rows(&self, session_id: &str) -> Result<Vec<SegmentRow>, StorageError>;
    /// One segment as a row.
    async fn segment_row(&self, id: &str) -> Result<Option<SegmentRow>, StorageError>;
    /// One segment's record.
    async fn segment_record(&self, id: &str) -> Result<Option<SegmentRecord>, StorageError>;
    /// Stores (replacing) the transcript review of a segment; false when no such segment.
    async fn review_transcript(
        &self,
        segment_id: &str,
        review: TranscriptReview,
    ) -> Result<bool, StorageError>;
    /// Stores (replacing) the suggestion review of a segment; false when no such segment.
    async fn review_suggestion(
        &self,
        segment_id: &str,
        review: SuggestionReview,
    ) -> Result<bool, StorageError>;
    /// Every transcript (all providers) of matching segments with a transcript review.
    async fn reviewed_transcripts(
        &self,
        q: &HistoryQuery,
    ) -> Result<Vec<ReviewedTranscript>, StorageError>;
    /// The latest suggestion's category and the verdict, for matching segments with a
    /// suggestion review.
    async fn reviewed_suggestions(
        &self,
        q: &HistoryQuery,
    ) -> Result<Vec<ReviewedSuggestion>, StorageError>;
    /// Every transcript of matching segments.
    async fn provider_transcripts(
        &self,
        q: &HistoryQuery,
    ) -> Result<Vec<ProviderTranscript>, StorageError>;
    /// Recorded provider calls at `stage` (`stt` or `advisor`) for matching segments.
    async fn provider_calls(
        &self,
        q: &HistoryQuery,
        stage: &str,
    ) -> Result<Vec<CallSample>, StorageError>;
}

/// Where a segment's audio lives (WAV files in local-dev, objects elsewhere).
#[async_trait]
pub trait SegmentAudio: Send + Sync {
    /// The segment's samples, 16 kHz mono; `NotFound` when the audio is gone.
    async fn segment_pcm(&self, segment: &SegmentRecord) -> Result<Vec<i16>, StorageError>;
}

/// A consistent copy of the whole database (SQLite only).
#[async_trait]
pub trait Backup: Send + Sync {
    /// The bytes of a consistent snapshot of the database file.
    async fn backup(&self) -> Result<Vec<u8>, StorageError>;
}

/// The running server's live figures (local-dev; a Lambda has none).
#[async_trait]
pub trait LiveStatus: Send + Sync {
    /// A snapshot at `now_ms`.
    async fn snapshot(&self, now_ms: i64) -> Result<LiveSnapshot, StorageError>;
}

/// Where counter keys are published for an edge that authenticates them itself (the Worker's
/// KV namespace). The admin API publishes before it stores a new key and before it revokes one,
/// so the edge never accepts a key the store does not know or still accepts a revoked one.
#[async_trait]
pub trait KeyPublisher: Send + Sync {
    /// Writes (or replaces) the key's record, revoked or not.
    async fn publish(&self, record: &KeyRecord) -> Result<(), StorageError>;
    /// Removes a key's record (a new key whose storing failed).
    async fn withdraw(&self, key_id: &str) -> Result<(), StorageError>;
}
