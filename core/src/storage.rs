//! The storage contract every backend (SQLite in local-dev, DynamoDB in production) fulfils.

use crate::attempt::Attempt;
use crate::records::{
    CounterKey, InsertOutcome, SegmentRecord, SegmentStatus, SessionRecord, StoredKey,
    SuggestionRecord, TranscriptRecord,
};
use async_trait::async_trait;

/// Why a storage call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    #[error("storage backend error: {0}")]
    Backend(String),
    #[error("record not found: {0}")]
    NotFound(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

/// Durable records of keys, sessions, segments and their results.
#[async_trait]
pub trait Storage: Send + Sync {
    /// Stores a new key (its id must be new).
    async fn insert_key(&self, key: StoredKey) -> Result<(), StorageError>;
    /// The key with this id, revoked or not.
    async fn find_key(&self, key_id: &str) -> Result<Option<StoredKey>, StorageError>;
    /// Every key, newest first.
    async fn list_keys(&self) -> Result<Vec<CounterKey>, StorageError>;
    /// Revokes a key; false when no such key exists. Revoking twice keeps the first time.
    async fn revoke_key(&self, key_id: &str, at_ms: i64) -> Result<bool, StorageError>;

    /// Records a new session.
    async fn open_session(&self, session: SessionRecord) -> Result<(), StorageError>;
    /// Marks a session ended.
    async fn close_session(&self, session_id: &str, at_ms: i64) -> Result<(), StorageError>;

    /// Stores a segment; idempotent on (`key_id`, `client_id`) for client segments.
    async fn insert_segment(&self, segment: SegmentRecord) -> Result<InsertOutcome, StorageError>;
    /// Updates a segment's status, counting an attempt and keeping the last error.
    async fn set_segment_status(
        &self,
        segment_id: &str,
        status: SegmentStatus,
        error: Option<String>,
    ) -> Result<(), StorageError>;
    /// The segments of one session, in arrival order.
    async fn session_segments(&self, session_id: &str) -> Result<Vec<SegmentRecord>, StorageError>;
    /// Segments stored but not processed (to resume after a crash), oldest first.
    async fn unfinished_segments(&self, limit: usize) -> Result<Vec<SegmentRecord>, StorageError>;

    /// Stores a transcript of a segment.
    async fn insert_transcript(&self, transcript: TranscriptRecord) -> Result<(), StorageError>;
    /// Transcripts of a segment, oldest first.
    async fn segment_transcripts(
        &self,
        segment_id: &str,
    ) -> Result<Vec<TranscriptRecord>, StorageError>;
    /// Stores an advisor decision for a segment.
    async fn insert_suggestion(&self, suggestion: SuggestionRecord) -> Result<(), StorageError>;
    /// Records the provider calls made for a segment at one stage (`stt` or `advisor`).
    async fn insert_attempts(
        &self,
        segment_id: &str,
        stage: &str,
        attempts: &[Attempt],
    ) -> Result<(), StorageError>;
    /// The provider calls recorded for a segment, in the order they were recorded.
    async fn segment_attempts(
        &self,
        segment_id: &str,
    ) -> Result<Vec<(String, Attempt)>, StorageError>;
    /// Suggestions of a session, oldest first.
    async fn session_suggestions(
        &self,
        session_id: &str,
    ) -> Result<Vec<SuggestionRecord>, StorageError>;
}
