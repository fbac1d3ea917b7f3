//! The admin queries ([`AdminStore`]) and backup ([`Backup`]) over the SQLite store, and segment
//! audio ([`SegmentAudio`]) from the WAV files under `AUDIO_DUMP_DIR`. Every user-supplied value
//! is a bound parameter; the full-text query is rebuilt as quoted FTS5 terms so its syntax can
//! never be injected.

use crate::audio_files;
use crate::sqlite_store::{SEGMENT_COLUMNS, SqliteStore, backend, segment_from_row};
use async_trait::async_trait;
use balto_core::admin::{
    HistoryQuery, Page, ReviewFilter, SegmentRow, SessionSummary, SuggestionReview,
    TranscriptReview,
};
use balto_core::admin_store::{
    AdminStore, Backup, CallSample, ProviderTranscript, ReviewedSuggestion, ReviewedTranscript,
    SegmentAudio,
};
use balto_core::advice::{Category, Confidence, Decision};
use balto_core::records::{SegmentRecord, SegmentStatus, SuggestionVerdict};
use balto_core::storage::StorageError;
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Row, params, params_from_iter};
use std::path::Path;

/// A SQL condition with its parameters.
#[derive(Default)]
struct Where {
    clauses: Vec<String>,
    params: Vec<Value>,
}

impl Where {
    fn push(&mut self, clause: &str, value: Value) {
        self.params.push(value);
        self.clauses
            .push(clause.replace('?', &format!("?{}", self.params.len())));
    }

    fn fixed(&mut self, clause: &str) {
        self.clauses.push(clause.to_string());
    }

    fn sql(&self) -> String {
        if self.clauses.is_empty() {
            "1".into()
        } else {
            self.clauses.join(" AND ")
        }
    }
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

/// The user's words as an FTS5 query: each word double-quoted (quotes doubled), all required.
pub fn fts_query(q: &str) -> Option<String> {
    let terms: Vec<String> = q
        .split_whitespace()
        .take(20)
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

const SEGMENT_FROM: &str = "FROM segments g
    JOIN sessions s ON s.id = g.session_id
    LEFT JOIN reviews r ON r.segment_id = g.id
    LEFT JOIN suggestions sg ON sg.id = (SELECT max(id) FROM suggestions WHERE segment_id = g.id)
    LEFT JOIN transcripts t ON t.id = (SELECT max(id) FROM transcripts WHERE segment_id = g.id)";

const ROW_COLUMNS: &str = "g.id, g.session_id, g.key_id, s.loja, s.balcao, g.created_at_ms,
    g.start_ms, g.duration_ms, g.status, g.attempts, g.last_error, t.provider, t.text,
    t.latency_ms, sg.advisor, sg.decisao, sg.categoria, sg.produto, sg.explicacao, sg.confianca,
    sg.sent, sg.latency_ms, r.transcript_correct, r.corrected_text, r.transcript_reviewed_at_ms,
    r.suggestion_verdict, r.suggestion_note, r.suggestion_reviewed_at_ms";

/// The segment-level conditions of `q` over [`SEGMENT_FROM`].
fn segment_where(q: &HistoryQuery) -> Where {
    let mut w = Where::default();
    if let Some(v) = &q.store {
        w.push("s.loja = ?", text(v));
    }
    if let Some(v) = &q.counter {
        w.push("s.balcao = ?", text(v));
    }
    if let Some(v) = &q.session_id {
        w.push("g.session_id = ?", text(v));
    }
    if let Some(v) = q.from_ms {
        w.push("g.created_at_ms >= ?", Value::Integer(v));
    }
    if let Some(v) = q.to_ms {
        w.push("g.created_at_ms < ?", Value::Integer(v));
    }
    if let Some(v) = &q.provider {
        w.push(
            "EXISTS (SELECT 1 FROM transcripts tp WHERE tp.segment_id = g.id AND tp.provider = ?)",
            text(v),
        );
    }
    if let Some(v) = q.decision {
        w.push("sg.decisao = ?", text(v.as_str()));
    }
    if let Some(v) = q.category {
        w.push("sg.categoria = ?", text(v.as_str()));
    }
    if let Some(v) = q.confidence {
        w.push("sg.confianca = ?", text(v.as_str()));
    }
    if let Some(v) = q.status {
        w.push("g.status = ?", text(v.as_str()));
    }
    match q.review {
        Some(ReviewFilter::Unreviewed) => {
            w.fixed("r.transcript_reviewed_at_ms IS NULL AND r.suggestion_reviewed_at_ms IS NULL")
        }
        Some(ReviewFilter::Reviewed) => w.fixed(
            "(r.transcript_reviewed_at_ms IS NOT NULL OR r.suggestion_reviewed_at_ms IS NOT NULL)",
        ),
        Some(ReviewFilter::TranscriptReviewed) => {
            w.fixed("r.transcript_reviewed_at_ms IS NOT NULL")
        }
        Some(ReviewFilter::SuggestionReviewed) => {
            w.fixed("r.suggestion_reviewed_at_ms IS NOT NULL")
        }
        None => {}
    }
    if let Some(fts) = q.text_query().and_then(fts_query) {
        w.push(
            "EXISTS (SELECT 1 FROM transcripts_fts f JOIN transcripts tq ON tq.id = f.rowid WHERE tq.segment_id = g.id AND transcripts_fts MATCH ?)",
            Value::Text(fts),
        );
    }
    w
}

fn opt_enum<T: serde::de::DeserializeOwned>(v: Option<String>) -> Option<T> {
    v.and_then(|s| serde_json::from_value(serde_json::Value::String(s)).ok())
}

fn row_from(row: &Row<'_>) -> rusqlite::Result<SegmentRow> {
    let status: String = row.get(8)?;
    let transcript_review = match row.get::<_, Option<i64>>(24)? {
        Some(at) => Some(TranscriptReview {
            correct: row.get::<_, Option<i64>>(22)?.unwrap_or(0) != 0,
            corrected_text: row.get::<_, Option<String>>(23)?.unwrap_or_default(),
            reviewed_at_ms: at,
        }),
        None => None,
    };
    let suggestion_review = match (
        row.get::<_, Option<i64>>(27)?,
        opt_enum::<SuggestionVerdict>(row.get(25)?),
    ) {
        (Some(at), Some(verdict)) => Some(SuggestionReview {
            verdict,
            note: row.get(26)?,
            reviewed_at_ms: at,
        }),
        _ => None,
    };
    Ok(SegmentRow {
        segment_id: row.get(0)?,
        session_id: row.get(1)?,
        key_id: row.get(2)?,
        store: row.get(3)?,
        counter: row.get(4)?,
        created_at_ms: row.get(5)?,
        start_ms: row.get::<_, i64>(6)?.max(0) as u64,
        duration_ms: row.get::<_, i64>(7)?.max(0) as u64,
        status: SegmentStatus::parse(&status).unwrap_or(SegmentStatus::Failed),
        attempts: row.get::<_, i64>(9)?.max(0) as u32,
        last_error: row.get(10)?,
        provider: row.get(11)?,
        transcript: row.get(12)?,
        transcript_latency_ms: row.get::<_, Option<i64>>(13)?.map(|v| v.max(0) as u64),
        advisor: row.get(14)?,
        decision: opt_enum::<Decision>(row.get(15)?),
        category: opt_enum::<Category>(row.get(16)?),
        product: row.get(17)?,
        explanation: row.get(18)?,
        confidence: opt_enum::<Confidence>(row.get(19)?),
        sent: row.get::<_, Option<i64>>(20)?.map(|v| v != 0),
        advisor_latency_ms: row.get::<_, Option<i64>>(21)?.map(|v| v.max(0) as u64),
        transcript_review,
        suggestion_review,
    })
}

const SESSION_COLUMNS: &str = "s.id, s.key_id, s.loja, s.balcao, s.started_at_ms, s.ended_at_ms,
    (SELECT count(*) FROM segments x WHERE x.session_id = s.id),
    (SELECT count(*) FROM segments x WHERE x.session_id = s.id AND x.status = 'failed'),
    (SELECT count(*) FROM suggestions x WHERE x.session_id = s.id AND x.sent = 1),
    (SELECT count(*) FROM reviews rv JOIN segments x ON x.id = rv.segment_id WHERE x.session_id = s.id)";

fn session_from(row: &Row<'_>) -> rusqlite::Result<SessionSummary> {
    Ok(SessionSummary {
        id: row.get(0)?,
        key_id: row.get(1)?,
        store: row.get(2)?,
        counter: row.get(3)?,
        started_at_ms: row.get(4)?,
        ended_at_ms: row.get(5)?,
        segments: row.get::<_, i64>(6)?.max(0) as u64,
        failed_segments: row.get::<_, i64>(7)?.max(0) as u64,
        suggestions_sent: row.get::<_, i64>(8)?.max(0) as u64,
        reviewed_segments: row.get::<_, i64>(9)?.max(0) as u64,
    })
}

/// The sessions' conditions: through matching segments when segment filters are given.
fn session_where(q: &HistoryQuery) -> Where {
    if q.has_segment_filters() {
        let inner = segment_where(q);
        let mut w = Where {
            clauses: vec![format!(
                "s.id IN (SELECT g.session_id {SEGMENT_FROM} WHERE {})",
                inner.sql()
            )],
            params: inner.params,
        };
        // Period filters apply to the session start too, for consistency with the list.
        if let Some(v) = q.from_ms {
            w.push("s.started_at_ms >= ?", Value::Integer(v));
        }
        if let Some(v) = q.to_ms {
            w.push("s.started_at_ms < ?", Value::Integer(v));
        }
        return w;
    }
    let mut w = Where::default();
    if let Some(v) = &q.store {
        w.push("s.loja = ?", text(v));
    }
    if let Some(v) = &q.counter {
        w.push("s.balcao = ?", text(v));
    }
    if let Some(v) = &q.session_id {
        w.push("s.id = ?", text(v));
    }
    if let Some(v) = q.from_ms {
        w.push("s.started_at_ms >= ?", Value::Integer(v));
    }
    if let Some(v) = q.to_ms {
        w.push("s.started_at_ms < ?", Value::Integer(v));
    }
    w
}

/// `SELECT g.id ... WHERE <filters>` for `IN (...)` sub-queries, with its parameters.
fn matching_ids(q: &HistoryQuery) -> (String, Vec<Value>) {
    let w = segment_where(q);
    (
        format!("SELECT g.id {SEGMENT_FROM} WHERE {}", w.sql()),
        w.params,
    )
}

#[async_trait]
impl AdminStore for SqliteStore {
    async fn list_sessions(&self, q: &HistoryQuery) -> Result<Page<SessionSummary>, StorageError> {
        let q = q.clone();
        self.with(move |c| {
            let w = session_where(&q);
            let total: i64 = c
                .query_row(
                    &format!("SELECT count(*) FROM sessions s WHERE {}", w.sql()),
                    params_from_iter(w.params.iter()),
                    |r| r.get(0),
                )
                .map_err(backend)?;
            let mut params = w.params.clone();
            params.push(Value::Integer(i64::from(q.page_size())));
            params.push(Value::Integer(q.offset() as i64));
            let n = params.len();
            let sql = format!(
                "SELECT {SESSION_COLUMNS} FROM sessions s WHERE {} ORDER BY s.started_at_ms DESC, s.id DESC LIMIT ?{} OFFSET ?{}",
                w.sql(),
                n - 1,
                n
            );
            let mut stmt = c.prepare(&sql).map_err(backend)?;
            let items = stmt
                .query_map(params_from_iter(params.iter()), session_from)
                .map_err(backend)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(backend)?;
            Ok(Page {
                items,
                page: q.page(),
                page_size: q.page_size(),
                total: total.max(0) as u64,
            })
        })
        .await
    }

    async fn session_summary(&self, id: &str) -> Result<Option<SessionSummary>, StorageError> {
        let id = id.to_string();
        self.with(move |c| {
            c.query_row(
                &format!("SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.id = ?1"),
                params![id],
                session_from,
            )
            .optional()
            .map_err(backend)
        })
        .await
    }

    async fn list_segments(&self, q: &HistoryQuery) -> Result<Page<SegmentRow>, StorageError> {
        let q = q.clone();
        self.with(move |c| {
            let w = segment_where(&q);
            let total: i64 = c
                .query_row(
                    &format!("SELECT count(*) {SEGMENT_FROM} WHERE {}", w.sql()),
                    params_from_iter(w.params.iter()),
                    |r| r.get(0),
                )
                .map_err(backend)?;
            let mut params = w.params.clone();
            params.push(Value::Integer(i64::from(q.page_size())));
            params.push(Value::Integer(q.offset() as i64));
            let n = params.len();
            let sql = format!(
                "SELECT {ROW_COLUMNS} {SEGMENT_FROM} WHERE {} ORDER BY g.created_at_ms DESC, g.rowid_seq DESC LIMIT ?{} OFFSET ?{}",
                w.sql(),
                n - 1,
                n
            );
            let mut stmt = c.prepare(&sql).map_err(backend)?;
            let items = stmt
                .query_map(params_from_iter(params.iter()), row_from)
                .map_err(backend)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(backend)?;
            Ok(Page {
                items,
                page: q.page(),
                page_size: q.page_size(),
                total: total.max(0) as u64,
            })
        })
        .await
    }

    async fn session_rows(&self, session_id: &str) -> Result<Vec<SegmentRow>, StorageError> {
        let id = session_id.to_string();
        self.with(move |c| {
            let mut stmt = c
                .prepare(&format!(
                    "SELECT {ROW_COLUMNS} {SEGMENT_FROM} WHERE g.session_id = ?1 ORDER BY g.rowid_seq"
                ))
                .map_err(backend)?;
            stmt.query_map(params![id], row_from)
                .map_err(backend)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(backend)
        })
        .await
    }

    async fn segment_row(&self, id: &str) -> Result<Option<SegmentRow>, StorageError> {
        let id = id.to_string();
        self.with(move |c| {
            c.query_row(
                &format!("SELECT {ROW_COLUMNS} {SEGMENT_FROM} WHERE g.id = ?1"),
                params![id],
                row_from,
            )
            .optional()
            .map_err(backend)
        })
        .await
    }

    async fn segment_record(&self, id: &str) -> Result<Option<SegmentRecord>, StorageError> {
        let id = id.to_string();
        self.with(move |c| {
            c.query_row(
                &format!("SELECT {SEGMENT_COLUMNS} FROM segments WHERE id = ?1"),
                params![id],
                segment_from_row,
            )
            .optional()
            .map_err(backend)
        })
        .await
    }

    async fn review_transcript(
        &self,
        segment_id: &str,
        review: TranscriptReview,
    ) -> Result<bool, StorageError> {
        let id = segment_id.to_string();
        self.with(move |c| {
            c.execute(
                "INSERT INTO reviews (segment_id, transcript_correct, corrected_text, transcript_reviewed_at_ms)
                 SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM segments WHERE id = ?1)
                 ON CONFLICT(segment_id) DO UPDATE SET transcript_correct = excluded.transcript_correct,
                   corrected_text = excluded.corrected_text,
                   transcript_reviewed_at_ms = excluded.transcript_reviewed_at_ms",
                params![id, i64::from(review.correct), review.corrected_text, review.reviewed_at_ms],
            )
            .map(|n| n > 0)
            .map_err(backend)
        })
        .await
    }

    async fn review_suggestion(
        &self,
        segment_id: &str,
        review: SuggestionReview,
    ) -> Result<bool, StorageError> {
        let id = segment_id.to_string();
        let verdict = match review.verdict {
            SuggestionVerdict::Certa => "certa",
            SuggestionVerdict::Errada => "errada",
            SuggestionVerdict::Perigosa => "perigosa",
        };
        self.with(move |c| {
            c.execute(
                "INSERT INTO reviews (segment_id, suggestion_verdict, suggestion_note, suggestion_reviewed_at_ms)
                 SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM segments WHERE id = ?1)
                 ON CONFLICT(segment_id) DO UPDATE SET suggestion_verdict = excluded.suggestion_verdict,
                   suggestion_note = excluded.suggestion_note,
                   suggestion_reviewed_at_ms = excluded.suggestion_reviewed_at_ms",
                params![id, verdict, review.note, review.reviewed_at_ms],
            )
            .map(|n| n > 0)
            .map_err(backend)
        })
        .await
    }

    async fn reviewed_transcripts(
        &self,
        q: &HistoryQuery,
    ) -> Result<Vec<ReviewedTranscript>, StorageError> {
        let (ids, params) = matching_ids(q);
        self.with(move |c| {
            let sql = format!(
                "SELECT tt.segment_id, tt.provider, tt.text, rv.corrected_text FROM transcripts tt
                 JOIN reviews rv ON rv.segment_id = tt.segment_id
                 WHERE rv.transcript_reviewed_at_ms IS NOT NULL AND rv.corrected_text IS NOT NULL
                   AND tt.segment_id IN ({ids}) ORDER BY tt.id"
            );
            let mut stmt = c.prepare(&sql).map_err(backend)?;
            stmt.query_map(params_from_iter(params.iter()), |r| {
                Ok(ReviewedTranscript {
                    segment_id: r.get(0)?,
                    provider: r.get(1)?,
                    hypothesis: r.get(2)?,
                    reference: r.get(3)?,
                })
            })
            .map_err(backend)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(backend)
        })
        .await
    }

    async fn reviewed_suggestions(
        &self,
        q: &HistoryQuery,
    ) -> Result<Vec<ReviewedSuggestion>, StorageError> {
        let (ids, params) = matching_ids(q);
        self.with(move |c| {
            let sql = format!(
                "SELECT sx.categoria, rv.suggestion_verdict FROM reviews rv
                 LEFT JOIN suggestions sx ON sx.id = (SELECT max(id) FROM suggestions WHERE segment_id = rv.segment_id)
                 WHERE rv.suggestion_reviewed_at_ms IS NOT NULL AND rv.segment_id IN ({ids})"
            );
            let mut stmt = c.prepare(&sql).map_err(backend)?;
            let rows = stmt
                .query_map(params_from_iter(params.iter()), |r| {
                    Ok((r.get::<_, Option<String>>(0)?, r.get::<_, Option<String>>(1)?))
                })
                .map_err(backend)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(backend)?;
            Ok(rows
                .into_iter()
                .filter_map(|(cat, verdict)| {
                    Some(ReviewedSuggestion {
                        category: cat.as_deref().and_then(Category::parse),
                        verdict: opt_enum(verdict)?,
                    })
                })
                .collect())
        })
        .await
    }

    async fn provider_transcripts(
        &self,
        q: &HistoryQuery,
    ) -> Result<Vec<ProviderTranscript>, StorageError> {
        let (ids, params) = matching_ids(q);
        self.with(move |c| {
            let sql = format!(
                "SELECT tt.segment_id, tt.provider, gx.duration_ms, tt.latency_ms FROM transcripts tt
                 JOIN segments gx ON gx.id = tt.segment_id WHERE tt.segment_id IN ({ids}) ORDER BY tt.id"
            );
            let mut stmt = c.prepare(&sql).map_err(backend)?;
            stmt.query_map(params_from_iter(params.iter()), |r| {
                Ok(ProviderTranscript {
                    segment_id: r.get(0)?,
                    provider: r.get(1)?,
                    duration_ms: r.get::<_, i64>(2)?.max(0) as u64,
                    latency_ms: r.get::<_, i64>(3)?.max(0) as u64,
                })
            })
            .map_err(backend)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(backend)
        })
        .await
    }

    async fn provider_calls(
        &self,
        q: &HistoryQuery,
        stage: &str,
    ) -> Result<Vec<CallSample>, StorageError> {
        let (ids, mut params) = matching_ids(q);
        params.push(Value::Text(stage.to_string()));
        let n = params.len();
        self.with(move |c| {
            let sql = format!(
                "SELECT provider, latency_ms, outcome FROM provider_attempts
                 WHERE stage = ?{n} AND segment_id IN ({ids}) ORDER BY id"
            );
            let mut stmt = c.prepare(&sql).map_err(backend)?;
            stmt.query_map(params_from_iter(params.iter()), |r| {
                Ok(CallSample {
                    provider: r.get(0)?,
                    latency_ms: r.get::<_, i64>(1)?.max(0) as u64,
                    ok: r.get::<_, String>(2)? == "ok",
                })
            })
            .map_err(backend)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(backend)
        })
        .await
    }
}

#[async_trait]
impl Backup for SqliteStore {
    /// `VACUUM INTO` a temporary file beside the database (a consistent snapshot even while
    /// writers run), read it, delete it.
    async fn backup(&self) -> Result<Vec<u8>, StorageError> {
        let dir = self
            .path()
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let mut random = [0u8; 8];
        getrandom::fill(&mut random).map_err(backend)?;
        let tmp = dir.join(format!(
            ".balto-backup-{}.db",
            random
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        ));
        let target = tmp.to_string_lossy().into_owned();
        let result = self
            .with(move |c| {
                c.execute("VACUUM INTO ?1", params![target])
                    .map_err(backend)?;
                Ok(())
            })
            .await;
        let bytes = match result {
            Ok(()) => tokio::fs::read(&tmp).await.map_err(backend),
            Err(e) => Err(e),
        };
        let _ = tokio::fs::remove_file(&tmp).await;
        bytes
    }
}

/// Segment audio from the WAV files local-dev writes (the segment's `audio_ref` is the path).
#[derive(Debug, Clone, Default)]
pub struct WavAudio;

#[async_trait]
impl SegmentAudio for WavAudio {
    async fn segment_pcm(&self, segment: &SegmentRecord) -> Result<Vec<i16>, StorageError> {
        let path = std::path::PathBuf::from(&segment.audio_ref);
        tokio::task::spawn_blocking(move || {
            if !path.is_file() {
                return Err(StorageError::NotFound(format!(
                    "áudio do segmento ({})",
                    path.display()
                )));
            }
            audio_files::read_segment_wav(&path).map_err(backend)
        })
        .await
        .map_err(backend)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts_terms_are_quoted() {
        assert_eq!(
            fts_query("dor  cabeça").as_deref(),
            Some("\"dor\" \"cabeça\"")
        );
        assert_eq!(
            fts_query("a\" OR 1=1 --").as_deref(),
            Some("\"a\"\"\" \"OR\" \"1=1\" \"--\"")
        );
        assert_eq!(fts_query("   "), None);
    }
}
