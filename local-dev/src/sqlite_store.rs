//! The SQLite implementation of `balto_core::storage::Storage`: one file, WAL mode, full
//! fsync on commit, safe to share between processes.

use crate::migrations::{MigrationError, migrate};
use async_trait::async_trait;
use balto_core::advice::{Advice, Category, Confidence, Decision};
use balto_core::attempt::{Attempt, AttemptOutcome};
use balto_core::records::{
    CounterKey, InsertOutcome, SegmentRecord, SegmentStatus, SessionRecord, StoredKey,
    SuggestionRecord, TranscriptRecord,
};
use balto_core::storage::{Storage, StorageError};
use rusqlite::{Connection, OptionalExtension, Row, params};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot create the database folder {0}: {1}")]
    Folder(PathBuf, std::io::Error),
    #[error("cannot open {0}: {1}")]
    Open(PathBuf, rusqlite::Error),
    #[error("cannot migrate {0}: {1}")]
    Migrate(PathBuf, MigrationError),
}

/// A SQLite-backed store. Cloning shares the connection.
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
}

pub(crate) fn backend(e: impl std::fmt::Display) -> StorageError {
    StorageError::Backend(e.to_string())
}

impl SqliteStore {
    /// Opens (creating file and folder if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<SqliteStore, OpenError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| OpenError::Folder(dir.to_path_buf(), e))?;
        }
        let mut conn = Connection::open(path).map_err(|e| OpenError::Open(path.into(), e))?;
        configure(&conn).map_err(|e| OpenError::Open(path.into(), e))?;
        migrate(&mut conn).map_err(|e| OpenError::Migrate(path.into(), e))?;
        Ok(SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
            path: path.to_path_buf(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on the connection in a blocking thread.
    pub(crate) async fn with<T, F>(&self, f: F) -> Result<T, StorageError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StorageError> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| StorageError::Backend("connection lock poisoned".into()))?;
            f(&mut guard)
        })
        .await
        .map_err(backend)?
    }

    /// `PRAGMA integrity_check` result ("ok" when the file is sound).
    pub async fn integrity_check(&self) -> Result<String, StorageError> {
        self.with(|c| {
            c.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))
                .map_err(backend)
        })
        .await
    }

    /// The journal mode in effect (expected: "wal").
    pub async fn journal_mode(&self) -> Result<String, StorageError> {
        self.with(|c| {
            c.query_row("PRAGMA journal_mode", [], |r| r.get::<_, String>(0))
                .map_err(backend)
        })
        .await
    }

    /// Number of segments stored (all sessions).
    pub async fn count_segments(&self) -> Result<u64, StorageError> {
        self.with(|c| {
            c.query_row("SELECT count(*) FROM segments", [], |r| r.get::<_, i64>(0))
                .map(|n| n as u64)
                .map_err(backend)
        })
        .await
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(10))?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::InvalidParameterName(format!(
            "journal_mode is {mode}, WAL required"
        )));
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

pub(crate) const SEGMENT_COLUMNS: &str = "id, session_id, key_id, client_id, seq, start_ms, duration_ms, audio_ref, created_at_ms, status, attempts, last_error";

pub(crate) fn segment_from_row(row: &Row<'_>) -> rusqlite::Result<SegmentRecord> {
    let status: String = row.get(9)?;
    Ok(SegmentRecord {
        id: row.get(0)?,
        session_id: row.get(1)?,
        key_id: row.get(2)?,
        client_id: row.get(3)?,
        seq: row.get::<_, Option<i64>>(4)?.map(|v| v as u64),
        start_ms: row.get::<_, i64>(5)? as u64,
        duration_ms: row.get::<_, i64>(6)? as u64,
        audio_ref: row.get(7)?,
        created_at_ms: row.get(8)?,
        status: SegmentStatus::parse(&status).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                9,
                rusqlite::types::Type::Text,
                format!("unknown segment status {status}").into(),
            )
        })?,
        attempts: row.get::<_, i64>(10)? as u32,
        last_error: row.get(11)?,
    })
}

fn key_from_row(row: &Row<'_>) -> rusqlite::Result<StoredKey> {
    Ok(StoredKey {
        key: CounterKey {
            key_id: row.get(0)?,
            store: row.get(1)?,
            counter: row.get(2)?,
            created_at_ms: row.get(5)?,
            revoked_at_ms: row.get(6)?,
        },
        salt: row.get(3)?,
        hash: row.get(4)?,
    })
}

fn parse_enum<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StorageError> {
    serde_json::from_value(serde_json::Value::String(text.to_string()))
        .map_err(|e| StorageError::Corrupt(format!("{text}: {e}")))
}

#[async_trait]
impl Storage for SqliteStore {
    async fn insert_key(&self, key: StoredKey) -> Result<(), StorageError> {
        self.with(move |c| {
            c.execute(
                "INSERT INTO counter_keys (key_id, loja, balcao, salt, hash, created_at_ms, revoked_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    key.key.key_id,
                    key.key.store,
                    key.key.counter,
                    key.salt,
                    key.hash,
                    key.key.created_at_ms,
                    key.key.revoked_at_ms
                ],
            )
            .map(|_| ())
            .map_err(backend)
        })
        .await
    }

    async fn find_key(&self, key_id: &str) -> Result<Option<StoredKey>, StorageError> {
        let key_id = key_id.to_string();
        self.with(move |c| {
            c.query_row(
                "SELECT key_id, loja, balcao, salt, hash, created_at_ms, revoked_at_ms FROM counter_keys WHERE key_id = ?1",
                [key_id],
                key_from_row,
            )
            .optional()
            .map_err(backend)
        })
        .await
    }

    async fn list_keys(&self) -> Result<Vec<CounterKey>, StorageError> {
        self.with(|c| {
            let mut stmt = c
                .prepare("SELECT key_id, loja, balcao, salt, hash, created_at_ms, revoked_at_ms FROM counter_keys ORDER BY created_at_ms DESC, key_id")
                .map_err(backend)?;
            let rows = stmt
                .query_map([], key_from_row)
                .map_err(backend)?
                .map(|r| r.map(|k| k.key))
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(backend)?;
            Ok(rows)
        })
        .await
    }

    async fn revoke_key(&self, key_id: &str, at_ms: i64) -> Result<bool, StorageError> {
        let key_id = key_id.to_string();
        self.with(move |c| {
            let found: Option<Option<i64>> = c
                .query_row(
                    "SELECT revoked_at_ms FROM counter_keys WHERE key_id = ?1",
                    [&key_id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(backend)?;
            match found {
                None => Ok(false),
                Some(Some(_)) => Ok(true),
                Some(None) => {
                    c.execute(
                        "UPDATE counter_keys SET revoked_at_ms = ?2 WHERE key_id = ?1 AND revoked_at_ms IS NULL",
                        params![key_id, at_ms],
                    )
                    .map_err(backend)?;
                    Ok(true)
                }
            }
        })
        .await
    }

    async fn open_session(&self, s: SessionRecord) -> Result<(), StorageError> {
        self.with(move |c| {
            c.execute(
                "INSERT INTO sessions (id, key_id, loja, balcao, started_at_ms, ended_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![s.id, s.key_id, s.store, s.counter, s.started_at_ms, s.ended_at_ms],
            )
            .map(|_| ())
            .map_err(backend)
        })
        .await
    }

    async fn close_session(&self, session_id: &str, at_ms: i64) -> Result<(), StorageError> {
        let id = session_id.to_string();
        self.with(move |c| {
            c.execute(
                "UPDATE sessions SET ended_at_ms = ?2 WHERE id = ?1 AND ended_at_ms IS NULL",
                params![id, at_ms],
            )
            .map(|_| ())
            .map_err(backend)
        })
        .await
    }

    async fn insert_segment(&self, s: SegmentRecord) -> Result<InsertOutcome, StorageError> {
        self.with(move |c| {
            let tx = c
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(backend)?;
            if let Some(client_id) = &s.client_id {
                let existing = tx
                    .query_row(
                        &format!("SELECT {SEGMENT_COLUMNS} FROM segments WHERE key_id = ?1 AND client_id = ?2"),
                        params![s.key_id, client_id],
                        segment_from_row,
                    )
                    .optional()
                    .map_err(backend)?;
                if let Some(existing) = existing {
                    return Ok(InsertOutcome::Duplicate(existing));
                }
            }
            tx.execute(
                "INSERT INTO segments (id, session_id, key_id, client_id, seq, start_ms, duration_ms, audio_ref, created_at_ms, status, attempts, last_error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![
                    s.id,
                    s.session_id,
                    s.key_id,
                    s.client_id,
                    s.seq.map(|v| v as i64),
                    s.start_ms as i64,
                    s.duration_ms as i64,
                    s.audio_ref,
                    s.created_at_ms,
                    s.status.as_str(),
                    s.attempts as i64,
                    s.last_error
                ],
            )
            .map_err(backend)?;
            tx.commit().map_err(backend)?;
            Ok(InsertOutcome::Inserted)
        })
        .await
    }

    async fn set_segment_status(
        &self,
        segment_id: &str,
        status: SegmentStatus,
        error: Option<String>,
    ) -> Result<(), StorageError> {
        let id = segment_id.to_string();
        self.with(move |c| {
            let n = c
                .execute(
                    "UPDATE segments SET status = ?2, attempts = attempts + 1, last_error = ?3 WHERE id = ?1",
                    params![id, status.as_str(), error],
                )
                .map_err(backend)?;
            if n == 0 {
                return Err(StorageError::NotFound(format!("segment {id}")));
            }
            Ok(())
        })
        .await
    }

    async fn session_segments(&self, session_id: &str) -> Result<Vec<SegmentRecord>, StorageError> {
        let id = session_id.to_string();
        self.with(move |c| {
            let mut stmt = c
                .prepare(&format!(
                    "SELECT {SEGMENT_COLUMNS} FROM segments WHERE session_id = ?1 ORDER BY rowid_seq"
                ))
                .map_err(backend)?;
            stmt.query_map([id], segment_from_row)
                .map_err(backend)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(backend)
        })
        .await
    }

    async fn unfinished_segments(&self, limit: usize) -> Result<Vec<SegmentRecord>, StorageError> {
        self.with(move |c| {
            let mut stmt = c
                .prepare(&format!(
                    "SELECT {SEGMENT_COLUMNS} FROM segments WHERE status = 'stored' ORDER BY rowid_seq LIMIT ?1"
                ))
                .map_err(backend)?;
            stmt.query_map([limit as i64], segment_from_row)
                .map_err(backend)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(backend)
        })
        .await
    }

    async fn insert_transcript(&self, t: TranscriptRecord) -> Result<(), StorageError> {
        self.with(move |c| {
            c.execute(
                "INSERT INTO transcripts (segment_id, provider, text, language, latency_ms, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![t.segment_id, t.provider, t.text, t.language, t.latency_ms as i64, t.created_at_ms],
            )
            .map(|_| ())
            .map_err(backend)
        })
        .await
    }

    async fn segment_transcripts(
        &self,
        segment_id: &str,
    ) -> Result<Vec<TranscriptRecord>, StorageError> {
        let id = segment_id.to_string();
        self.with(move |c| {
            let mut stmt = c
                .prepare("SELECT segment_id, provider, text, language, latency_ms, created_at_ms FROM transcripts WHERE segment_id = ?1 ORDER BY id")
                .map_err(backend)?;
            stmt.query_map([id], |r| {
                Ok(TranscriptRecord {
                    segment_id: r.get(0)?,
                    provider: r.get(1)?,
                    text: r.get(2)?,
                    language: r.get(3)?,
                    latency_ms: r.get::<_, i64>(4)? as u64,
                    created_at_ms: r.get(5)?,
                })
            })
            .map_err(backend)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(backend)
        })
        .await
    }

    async fn insert_suggestion(&self, s: SuggestionRecord) -> Result<(), StorageError> {
        self.with(move |c| {
            c.execute(
                "INSERT INTO suggestions (segment_id, session_id, advisor, decisao, categoria, produto, explicacao, confianca, base_transcript, sent, latency_ms, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![
                    s.segment_id,
                    s.session_id,
                    s.advisor,
                    s.advice.decision.as_str(),
                    s.advice.category.map(Category::as_str),
                    s.advice.product,
                    s.advice.explanation,
                    s.advice.confidence.as_str(),
                    s.base_transcript,
                    s.sent,
                    s.latency_ms as i64,
                    s.created_at_ms
                ],
            )
            .map(|_| ())
            .map_err(backend)
        })
        .await
    }

    async fn insert_attempts(
        &self,
        segment_id: &str,
        stage: &str,
        attempts: &[Attempt],
    ) -> Result<(), StorageError> {
        let (segment_id, stage, attempts) =
            (segment_id.to_string(), stage.to_string(), attempts.to_vec());
        self.with(move |c| {
            let tx = c.transaction().map_err(backend)?;
            for a in &attempts {
                tx.execute(
                    "INSERT INTO provider_attempts (segment_id, stage, provider, attempt, started_ms, latency_ms, outcome, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![segment_id, stage, a.provider, a.attempt, a.started_ms as i64, a.latency_ms as i64, a.outcome.as_str(), a.error],
                )
                .map_err(backend)?;
            }
            tx.commit().map_err(backend)
        })
        .await
    }

    async fn segment_attempts(
        &self,
        segment_id: &str,
    ) -> Result<Vec<(String, Attempt)>, StorageError> {
        let id = segment_id.to_string();
        self.with(move |c| {
            let mut stmt = c
                .prepare("SELECT stage, provider, attempt, started_ms, latency_ms, outcome, error FROM provider_attempts WHERE segment_id = ?1 ORDER BY id")
                .map_err(backend)?;
            type Raw = (String, String, i64, i64, i64, String, Option<String>);
            let raws = stmt
                .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
                .map_err(backend)?
                .collect::<rusqlite::Result<Vec<Raw>>>()
                .map_err(backend)?;
            raws.into_iter()
                .map(|r| {
                    Ok((
                        r.0,
                        Attempt {
                            provider: r.1,
                            attempt: r.2 as u32,
                            started_ms: r.3 as u64,
                            latency_ms: r.4 as u64,
                            outcome: parse_enum::<AttemptOutcome>(&r.5)?,
                            error: r.6,
                        },
                    ))
                })
                .collect()
        })
        .await
    }

    async fn session_suggestions(
        &self,
        session_id: &str,
    ) -> Result<Vec<SuggestionRecord>, StorageError> {
        let id = session_id.to_string();
        self.with(move |c| {
            let mut stmt = c
                .prepare("SELECT segment_id, session_id, advisor, decisao, categoria, produto, explicacao, confianca, base_transcript, sent, latency_ms, created_at_ms FROM suggestions WHERE session_id = ?1 ORDER BY id")
                .map_err(backend)?;
            type Raw = (String, String, String, String, Option<String>, Option<String>, String, String, String, bool, i64, i64);
            let raws = stmt
                .query_map([id], |r| {
                    Ok((
                        r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?,
                        r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?, r.get(11)?,
                    ))
                })
                .map_err(backend)?
                .collect::<rusqlite::Result<Vec<Raw>>>()
                .map_err(backend)?;
            raws.into_iter()
                .map(|r| {
                    Ok(SuggestionRecord {
                        segment_id: r.0,
                        session_id: r.1,
                        advisor: r.2,
                        advice: Advice {
                            decision: parse_enum::<Decision>(&r.3)?,
                            category: r.4.as_deref().map(parse_enum::<Category>).transpose()?,
                            product: r.5,
                            explanation: r.6,
                            confidence: parse_enum::<Confidence>(&r.7)?,
                        },
                        base_transcript: r.8,
                        sent: r.9,
                        latency_ms: r.10 as u64,
                        created_at_ms: r.11,
                    })
                })
                .collect()
        })
        .await
    }
}
