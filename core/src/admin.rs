//! Admin API types: every request and response body of `/api/admin/*`, the history filters,
//! pagination, reviews, accuracy and comparison figures, the live snapshot and key management,
//! plus small pure helpers (percentiles, paging arithmetic). Shared by the server (local-dev and
//! the `admin-api` Lambda) and the Leptos admin app in the browser. No I/O.
//!
//! Field names are English `snake_case`; domain values reuse the counter protocol's spellings
//! (`decisao` values such as `recomendar`, categories such as `dor_febre`, verdicts `certa` /
//! `errada` / `perigosa`). Times are Unix milliseconds. Fields may be added; none are renamed.
//!
//! # Routes
//!
//! Every route lives under [`API_PREFIX`] (`/api/admin`). All routes except `POST /login` need a
//! valid session: the `balto_admin` cookie (HttpOnly, SameSite=Strict, Secure over https) or an
//! `Authorization: Bearer <token>` header; without one they answer **401**. Every write
//! (`POST`, `PUT`, `DELETE`, including `/login` and `/logout`) must also carry the header
//! [`CSRF_HEADER`]`: 1` (a cross-site form cannot set it) and, when the browser sends an
//! `Origin`, that origin must be the server's own; otherwise **403**. Bodies larger than
//! [`MAX_BODY_BYTES`] answer **413**. Errors carry an [`ErrorBody`] JSON body. Unknown ids answer
//! **404**, malformed queries or bodies **400**/**422**, a feature the backend lacks **501**.
//!
//! | Method | Path | Body | Response | Status codes |
//! |---|---|---|---|---|
//! | POST | `/login` | [`LoginRequest`] | [`LoginResponse`] + `Set-Cookie` | 200, 400, 401, 403, 413, 429 (+`Retry-After`) |
//! | POST | `/logout` | none (or `{}`) | empty; cookie cleared | 204, 401, 403 |
//! | GET | `/session` | — | [`SessionInfo`] | 200, 401 |
//! | GET | `/live` | — | [`LiveSnapshot`] | 200, 401, 501 |
//! | GET | `/live/stream` | — | `text/event-stream`: one `snapshot` event ([`LiveSnapshot`] JSON) every [`LIVE_STREAM_INTERVAL_MS`] | 200, 401, 501 |
//! | GET | `/sessions?`[`HistoryQuery`] | — | [`Page`]`<`[`SessionSummary`]`>` | 200, 400, 401 |
//! | GET | `/sessions/{id}` | — | [`SessionDetail`] | 200, 401, 404 |
//! | GET | `/segments?`[`HistoryQuery`] | — | [`Page`]`<`[`SegmentRow`]`>` | 200, 400, 401 |
//! | GET | `/segments/{id}` | — | [`SegmentDetail`] | 200, 401, 404 |
//! | GET | `/segments/{id}/audio` | — | `audio/wav` (16 kHz mono s16) | 200, 401, 404, 501 |
//! | POST | `/segments/{id}/retry` | none | [`SegmentDetail`] (now `stored`: the recovery sweep processes it again) | 200, 401, 403, 404, 409 (not `failed`) |
//! | PUT | `/segments/{id}/transcript-review` | [`TranscriptReviewRequest`] | [`SegmentDetail`] | 200, 401, 403, 404, 413, 422 |
//! | PUT | `/segments/{id}/suggestion-review` | [`SuggestionReviewRequest`] | [`SegmentDetail`] | 200, 401, 403, 404, 409 (no suggestion), 413, 422 |
//! | GET | `/accuracy?`[`HistoryQuery`] | — | [`AccuracyReport`] | 200, 400, 401 |
//! | GET | `/comparison?`[`HistoryQuery`] | — | [`ComparisonReport`] | 200, 400, 401 |
//! | GET | `/keys` | — | `Vec<`[`CounterKey`]`>` (newest first, never a secret) | 200, 401 |
//! | POST | `/keys` | [`CreateKeyRequest`] | [`CreatedKey`] (the only time `api_key` is shown) | 201, 401, 403, 413, 422 |
//! | DELETE | `/keys/{key_id}` | — | empty | 204, 401, 403, 404 |
//! | GET | `/export/segments.csv?`[`HistoryQuery`] | — | `text/csv` (every matching row, up to [`MAX_EXPORT_ROWS`]) | 200, 400, 401 |
//! | GET | `/export/segments.xlsx?`[`HistoryQuery`] | — | XLSX workbook | 200, 400, 401 |
//! | GET | `/export/sessions.csv?`[`HistoryQuery`] | — | `text/csv` | 200, 400, 401 |
//! | GET | `/export/sessions.xlsx?`[`HistoryQuery`] | — | XLSX workbook | 200, 400, 401 |
//! | GET | `/backup` | — | `application/vnd.sqlite3`: a consistent copy of the database | 200, 401, 501 |
//!
//! `/metrics` (Prometheus text, no personal data) is served outside this prefix, unauthenticated.
//! Page, sort and filter semantics are documented on [`HistoryQuery`].

use crate::advice::{Category, Confidence, Decision};
use crate::attempt::Attempt;
use crate::records::{SegmentStatus, SuggestionRecord, SuggestionVerdict, TranscriptRecord};
use serde::{Deserialize, Serialize};

pub use crate::records::CounterKey;

/// Prefix of every admin API route.
pub const API_PREFIX: &str = "/api/admin";
/// Header every write must carry (value `1`): a cross-site form cannot set custom headers.
pub const CSRF_HEADER: &str = "x-balto-admin";
/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "balto_admin";
/// Largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Page size when the query gives none.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// Largest page size accepted (larger values are clamped).
pub const MAX_PAGE_SIZE: u32 = 200;
/// Most rows one export returns.
pub const MAX_EXPORT_ROWS: u32 = 100_000;
/// Longest corrected transcript accepted, in characters.
pub const MAX_CORRECTED_TEXT_CHARS: usize = 10_000;
/// Longest review note accepted, in characters.
pub const MAX_NOTE_CHARS: usize = 2_000;
/// Longest full-text query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Interval between events of `GET /live/stream`.
pub const LIVE_STREAM_INTERVAL_MS: u64 = 2_000;

/// An error answer: `{"error": "..."}` (Portuguese, for display).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
}

/// `POST /login`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    /// The `ADMIN_SECRET`.
    pub secret: String,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// Answer of `POST /login`. The same token is set as the session cookie; non-browser clients
/// send it as `Authorization: Bearer <token>`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginResponse {
    pub token: String,
    pub expires_at_ms: i64,
}

impl std::fmt::Debug for LoginResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginResponse")
            .field("token", &"<redacted>")
            .field("expires_at_ms", &self.expires_at_ms)
            .finish()
    }
}

/// `GET /session`: the current admin session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub issued_at_ms: i64,
    pub expires_at_ms: i64,
}

/// Review status filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewFilter {
    /// Neither the transcript nor the suggestion was reviewed.
    Unreviewed,
    /// The transcript or the suggestion was reviewed.
    Reviewed,
    /// The transcript was reviewed.
    TranscriptReviewed,
    /// The suggestion was reviewed.
    SuggestionReviewed,
}

/// Filters and paging of every history-like view (`/sessions`, `/segments`, `/accuracy`,
/// `/comparison`, exports), as URL query parameters. All filters are optional and combine with
/// AND; a session matches when at least one of its segments matches the segment-level filters.
///
/// - `store`, `counter`, `provider`, `session_id`: exact match (`provider`: a transcript by that
///   STT provider exists for the segment).
/// - `from_ms` (inclusive) / `to_ms` (exclusive): segment creation time (sessions: start time).
/// - `decision`, `category`, `confidence`: of the segment's suggestion.
/// - `status`: segment status (`stored`, `processed`, `failed`).
/// - `review`: see [`ReviewFilter`].
/// - `q`: full-text search in transcripts (words, all must appear; case and accent-insensitive
///   where the backend supports it). Up to [`MAX_QUERY_CHARS`].
/// - `page` (1-based, default 1) and `page_size` (default [`DEFAULT_PAGE_SIZE`], clamped to
///   [`MAX_PAGE_SIZE`]). Newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HistoryQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counter: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_ms: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_ms: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<SegmentStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<ReviewFilter>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
}

impl HistoryQuery {
    /// The 1-based page asked for.
    pub fn page(&self) -> u32 {
        self.page.unwrap_or(1).max(1)
    }

    /// The page size, defaulted and clamped to `1..=MAX_PAGE_SIZE`.
    pub fn page_size(&self) -> u32 {
        self.page_size
            .unwrap_or(DEFAULT_PAGE_SIZE)
            .clamp(1, MAX_PAGE_SIZE)
    }

    /// Rows to skip for the page asked for.
    pub fn offset(&self) -> u64 {
        u64::from(self.page() - 1) * u64::from(self.page_size())
    }

    /// True when the query filters on something only segments have (sessions then match
    /// through their segments; see the type's documentation).
    pub fn has_segment_filters(&self) -> bool {
        self.provider.is_some()
            || self.decision.is_some()
            || self.category.is_some()
            || self.confidence.is_some()
            || self.status.is_some()
            || self.review.is_some()
            || self.text_query().is_some()
    }

    /// The full-text query, trimmed; `None` when blank.
    pub fn text_query(&self) -> Option<&str> {
        self.q.as_deref().map(str::trim).filter(|q| !q.is_empty())
    }

    /// Checks lengths and ranges; the message is for display.
    pub fn validate(&self) -> Result<(), String> {
        if self
            .q
            .as_deref()
            .is_some_and(|q| q.chars().count() > MAX_QUERY_CHARS)
        {
            return Err(format!(
                "a busca tem no máximo {MAX_QUERY_CHARS} caracteres"
            ));
        }
        if let (Some(from), Some(to)) = (self.from_ms, self.to_ms)
            && from > to
        {
            return Err("o início do período é depois do fim".into());
        }
        for s in [&self.store, &self.counter, &self.provider, &self.session_id]
            .into_iter()
            .flatten()
        {
            if s.chars().count() > 200 {
                return Err("filtro longo demais".into());
            }
        }
        Ok(())
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// 1-based.
    pub page: u32,
    pub page_size: u32,
    /// Rows matching the filters, over all pages.
    pub total: u64,
}

impl<T> Page<T> {
    /// Number of pages for `total` rows (at least 1).
    pub fn page_count(&self) -> u64 {
        let size = u64::from(self.page_size.max(1));
        self.total.div_ceil(size).max(1)
    }
}

/// A session (one counter socket) as listed in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSummary {
    pub id: String,
    pub key_id: String,
    pub store: String,
    pub counter: String,
    pub started_at_ms: i64,
    pub ended_at_ms: Option<i64>,
    pub segments: u64,
    pub failed_segments: u64,
    /// Suggestions actually pushed to the counter.
    pub suggestions_sent: u64,
    /// Segments with a transcript or suggestion review.
    pub reviewed_segments: u64,
}

/// An admin's review of a segment's transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptReview {
    /// True when the admin confirmed the transcript as it was.
    pub correct: bool,
    /// The reference text (the confirmed transcript, or the admin's correction).
    pub corrected_text: String,
    pub reviewed_at_ms: i64,
}

/// An admin's review of a segment's suggestion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestionReview {
    /// `certa` (right), `errada` (wrong) or `perigosa` (harmful).
    pub verdict: SuggestionVerdict,
    pub note: Option<String>,
    pub reviewed_at_ms: i64,
}

/// `PUT /segments/{id}/transcript-review`: either `{"correct": true}` (the final transcript is
/// right) or `{"correct": false, "corrected_text": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptReviewRequest {
    pub correct: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrected_text: Option<String>,
}

/// `PUT /segments/{id}/suggestion-review`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestionReviewRequest {
    pub verdict: SuggestionVerdict,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One segment as a flat row: the history table and the exports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentRow {
    pub segment_id: String,
    pub session_id: String,
    pub key_id: String,
    pub store: String,
    pub counter: String,
    pub created_at_ms: i64,
    /// Start within the session's audio.
    pub start_ms: u64,
    pub duration_ms: u64,
    pub status: SegmentStatus,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// Provider of the final (latest) transcript.
    pub provider: Option<String>,
    pub transcript: Option<String>,
    pub transcript_latency_ms: Option<u64>,
    /// The advisor of the latest suggestion.
    pub advisor: Option<String>,
    pub decision: Option<Decision>,
    pub category: Option<Category>,
    pub product: Option<String>,
    pub explanation: Option<String>,
    pub confidence: Option<Confidence>,
    /// Whether the suggestion was pushed to the counter.
    pub sent: Option<bool>,
    pub advisor_latency_ms: Option<u64>,
    pub transcript_review: Option<TranscriptReview>,
    pub suggestion_review: Option<SuggestionReview>,
}

/// One recorded provider call of a segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptRow {
    /// `stt` or `advisor`.
    pub stage: String,
    pub attempt: Attempt,
}

/// `GET /segments/{id}`: the row plus every transcript, suggestion and provider call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentDetail {
    pub row: SegmentRow,
    /// Every transcript, oldest first (several when providers were compared).
    pub transcripts: Vec<TranscriptRecord>,
    /// Advisor decisions for this segment, oldest first (advice keys are the protocol's
    /// Portuguese: `decisao`, `categoria`, ...).
    pub suggestions: Vec<SuggestionRecord>,
    pub attempts: Vec<AttemptRow>,
    /// Relative URL of the segment's WAV for the player.
    pub audio_url: String,
}

/// `GET /sessions/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionDetail {
    pub session: SessionSummary,
    /// Every segment of the session in arrival order.
    pub segments: Vec<SegmentRow>,
}

/// Word error rate of one STT provider against admin-corrected transcripts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderAccuracy {
    pub provider: String,
    /// Reviewed segments this provider transcribed.
    pub reviewed_segments: u64,
    /// Words in the references (normalized).
    pub reference_words: u64,
    /// Word edits (substitutions + deletions + insertions) over all those segments.
    pub word_errors: u64,
    /// `word_errors / reference_words` (corpus WER); `None` with no reference words.
    pub wer: Option<f64>,
}

/// Acceptance of suggestions of one category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryAcceptance {
    /// `None` for suggestions without a category (`nenhuma`).
    pub category: Option<Category>,
    pub reviewed: u64,
    pub right: u64,
    pub wrong: u64,
    pub harmful: u64,
    /// `right / reviewed`; `None` when nothing was reviewed.
    pub acceptance_rate: Option<f64>,
}

/// `GET /accuracy`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccuracyReport {
    pub providers: Vec<ProviderAccuracy>,
    pub categories: Vec<CategoryAcceptance>,
    pub reviewed_transcripts: u64,
    pub reviewed_suggestions: u64,
}

/// One STT provider in the comparison table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderComparisonRow {
    pub provider: String,
    /// Segments this provider transcribed.
    pub segments: u64,
    pub audio_seconds: f64,
    /// WER on the reviewed segments it transcribed.
    pub reviewed_segments: u64,
    pub wer: Option<f64>,
    /// WER restricted to the segments every listed provider transcribed.
    pub wer_common: Option<f64>,
    /// Latency of its recorded calls (all outcomes).
    pub latency_p50_ms: Option<u64>,
    pub latency_p95_ms: Option<u64>,
    pub calls: u64,
    pub failed_calls: u64,
    /// Configured price; `None` when unknown.
    pub cost_per_minute_usd: Option<f64>,
    /// `audio_seconds / 60 * cost_per_minute_usd`.
    pub estimated_cost_usd: Option<f64>,
}

/// `GET /comparison`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonReport {
    /// Segments transcribed by every provider listed.
    pub common_segments: u64,
    pub rows: Vec<ProviderComparisonRow>,
}

/// What a live counter connection is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionState {
    /// Socket open, waiting for `auth`.
    Authenticating,
    /// Authenticated, nothing in flight.
    Listening,
    /// At least one segment is being transcribed or advised.
    Processing,
}

/// One open counter connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveConnection {
    /// Server-side connection number (unique within the process).
    pub connection_id: u64,
    /// Set once authenticated.
    pub session_id: Option<String>,
    pub key_id: Option<String>,
    pub store: Option<String>,
    pub counter: Option<String>,
    pub state: ConnectionState,
    /// When the connection entered its current state.
    pub state_since_ms: i64,
    pub connected_at_ms: i64,
    /// Segments stored on this connection.
    pub segments: u64,
}

/// Latency and errors of one provider at one stage, over the live window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderLatency {
    /// `stt` or `advisor`.
    pub stage: String,
    pub provider: String,
    pub calls: u64,
    pub errors: u64,
    pub p50_ms: Option<u64>,
    pub p95_ms: Option<u64>,
}

/// Error counts since start.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveErrors {
    /// Failed STT provider calls.
    pub stt: u64,
    /// Failed advisor provider calls.
    pub advisor: u64,
    /// Segments that ended failed.
    pub failed_segments: u64,
    /// Connections refused or closed with an error (auth failures, limits, protocol errors).
    pub connection: u64,
}

/// `GET /live` and each event of `/live/stream`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveSnapshot {
    pub now_ms: i64,
    pub uptime_s: u64,
    /// Name of the STT chain / advisor chain in use (`none` when absent).
    pub transcriber: String,
    pub advisor: String,
    pub connections_open: u64,
    pub connections_total: u64,
    pub connections: Vec<LiveConnection>,
    pub segments_total: u64,
    /// Segments stored in the last 60 s.
    pub segments_last_minute: u64,
    /// Segments per minute for the last [`LIVE_SERIES_MINUTES`] minutes, oldest first (the last
    /// entry is the current, partial minute).
    pub segments_per_minute: Vec<u64>,
    /// Per provider and stage, over the last [`LIVE_LATENCY_WINDOW`] calls.
    pub latency: Vec<ProviderLatency>,
    pub errors: LiveErrors,
}

/// Length of [`LiveSnapshot::segments_per_minute`].
pub const LIVE_SERIES_MINUTES: usize = 30;
/// Latency samples kept per provider and stage for the live figures.
pub const LIVE_LATENCY_WINDOW: usize = 512;

/// `POST /keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateKeyRequest {
    pub store: String,
    pub counter: String,
}

/// Answer of `POST /keys`: the full key is shown this once and never stored.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedKey {
    pub key_id: String,
    pub api_key: String,
    pub store: String,
    pub counter: String,
    pub created_at_ms: i64,
}

impl std::fmt::Debug for CreatedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedKey")
            .field("key_id", &self.key_id)
            .field("api_key", &"<redacted>")
            .field("store", &self.store)
            .field("counter", &self.counter)
            .finish()
    }
}

/// Nearest-rank percentile (`p` in 0..=1) of an ascending slice; `None` when empty.
pub fn percentile(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let p = if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) };
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted
        .get(rank.saturating_sub(1).min(sorted.len() - 1))
        .copied()
}

/// `num / den`, or `None` when `den` is 0.
pub fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// Makes a spreadsheet cell inert: text starting with `=`, `+`, `-`, `@`, tab or carriage return
/// gets a leading `'` (OWASP CSV injection advice).
pub fn inert_cell(text: &str) -> std::borrow::Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => std::borrow::Cow::Owned(format!("'{text}")),
        _ => std::borrow::Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 0.5), Some(50));
        assert_eq!(percentile(&v, 0.95), Some(95));
        assert_eq!(percentile(&v, 1.0), Some(100));
        assert_eq!(percentile(&v, 0.0), Some(1));
        assert_eq!(percentile(&[7], 0.95), Some(7));
        assert_eq!(percentile(&[], 0.5), None);
    }

    #[test]
    fn paging_defaults_and_clamps() {
        let q = HistoryQuery::default();
        assert_eq!(
            (q.page(), q.page_size(), q.offset()),
            (1, DEFAULT_PAGE_SIZE, 0)
        );
        let q = HistoryQuery {
            page: Some(3),
            page_size: Some(10_000),
            ..HistoryQuery::default()
        };
        assert_eq!(q.page_size(), MAX_PAGE_SIZE);
        assert_eq!(q.offset(), 2 * u64::from(MAX_PAGE_SIZE));
        let page: Page<u8> = Page {
            items: vec![],
            page: 1,
            page_size: 50,
            total: 101,
        };
        assert_eq!(page.page_count(), 3);
    }

    #[test]
    fn query_validation_refuses_long_text_and_reversed_ranges() {
        let q = HistoryQuery {
            q: Some("x".repeat(MAX_QUERY_CHARS + 1)),
            ..HistoryQuery::default()
        };
        assert!(q.validate().is_err());
        let q = HistoryQuery {
            from_ms: Some(10),
            to_ms: Some(5),
            ..HistoryQuery::default()
        };
        assert!(q.validate().is_err());
        assert!(HistoryQuery::default().validate().is_ok());
    }

    #[test]
    fn formula_cells_are_made_inert() {
        assert_eq!(inert_cell("=1+1"), "'=1+1");
        assert_eq!(inert_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(inert_cell("-2"), "'-2");
        assert_eq!(inert_cell("dor"), "dor");
        assert_eq!(inert_cell(""), "");
    }

    #[test]
    fn secrets_are_not_printed_by_debug() {
        let r = LoginRequest {
            secret: "s3cr3t".into(),
        };
        assert!(!format!("{r:?}").contains("s3cr3t"));
        let k = CreatedKey {
            key_id: "k".into(),
            api_key: "balto_k_s3cr3t".into(),
            store: "a".into(),
            counter: "b".into(),
            created_at_ms: 0,
        };
        assert!(!format!("{k:?}").contains("s3cr3t"));
    }
}
