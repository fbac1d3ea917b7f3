//! Domain records: stores (lojas), counters (balcões) and their keys, sessions, segments,
//! transcripts, suggestions and reviews. Times are Unix milliseconds.

use crate::advice::Advice;
use serde::{Deserialize, Serialize};

/// A counter's key as listed (never with its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterKey {
    /// Public key id (12 hex), the handle admins revoke by.
    pub key_id: String,
    /// Store name (loja).
    #[serde(rename = "loja")]
    pub store: String,
    /// Counter name (balcão).
    #[serde(rename = "balcao")]
    pub counter: String,
    pub created_at_ms: i64,
    pub revoked_at_ms: Option<i64>,
}

impl CounterKey {
    /// True while the key may authenticate.
    pub fn is_active(&self) -> bool {
        self.revoked_at_ms.is_none()
    }
}

/// A key with what verifies it: the salt and salted hash of its secret.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredKey {
    pub key: CounterKey,
    pub salt: Vec<u8>,
    pub hash: Vec<u8>,
}

impl std::fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredKey")
            .field("key", &self.key)
            .field("hash", &"<redacted>")
            .finish()
    }
}

/// One authenticated socket: a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub id: String,
    pub key_id: String,
    #[serde(rename = "loja")]
    pub store: String,
    #[serde(rename = "balcao")]
    pub counter: String,
    pub started_at_ms: i64,
    pub ended_at_ms: Option<i64>,
}

/// Where a segment is in the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SegmentStatus {
    /// Stored and acknowledged; STT not finished.
    Stored,
    /// Transcribed and advised: done.
    Processed,
    /// Processing failed for good; an admin may retry it.
    Failed,
}

impl SegmentStatus {
    /// Storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SegmentStatus::Stored => "stored",
            SegmentStatus::Processed => "processed",
            SegmentStatus::Failed => "failed",
        }
    }

    /// Parses the storage spelling.
    pub fn parse(s: &str) -> Option<SegmentStatus> {
        match s {
            "stored" => Some(SegmentStatus::Stored),
            "processed" => Some(SegmentStatus::Processed),
            "failed" => Some(SegmentStatus::Failed),
            _ => None,
        }
    }
}

/// A stretch of speech, stored durably before any provider sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentRecord {
    /// Server-assigned unique id.
    pub id: String,
    pub session_id: String,
    pub key_id: String,
    /// The client's id (Part 2); unique per key.
    pub client_id: Option<String>,
    /// Order within the session for server-cut segments (Part 1).
    pub seq: Option<u64>,
    pub start_ms: u64,
    pub duration_ms: u64,
    /// Where the audio is (a WAV path for local-dev, an object key elsewhere).
    pub audio_ref: String,
    pub created_at_ms: i64,
    pub status: SegmentStatus,
    /// Processing attempts so far.
    pub attempts: u32,
    pub last_error: Option<String>,
}

/// What inserting a segment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InsertOutcome {
    Inserted,
    /// The key already had a segment with this client id; its record is returned.
    Duplicate(SegmentRecord),
}

/// One transcription of a segment by one provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscriptRecord {
    pub segment_id: String,
    pub provider: String,
    pub text: String,
    pub language: Option<String>,
    pub latency_ms: u64,
    pub created_at_ms: i64,
}

/// What the advisor decided for a segment's window, and whether it was pushed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestionRecord {
    pub segment_id: String,
    pub session_id: String,
    pub advisor: String,
    pub advice: Advice,
    pub base_transcript: String,
    /// False when nothing was sent (nothing to say, or a repeat that was suppressed).
    pub sent: bool,
    pub latency_ms: u64,
    pub created_at_ms: i64,
}

/// An admin's verdict on a suggestion (ADVISOR.md review).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionVerdict {
    Certa,
    Errada,
    Perigosa,
}

/// An admin's review of a transcript or a suggestion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackRecord {
    pub segment_id: String,
    /// The corrected transcript, when the admin typed one (or confirmed the text as correct).
    pub corrected_text: Option<String>,
    pub verdict: Option<SuggestionVerdict>,
    pub note: Option<String>,
    pub created_at_ms: i64,
}
