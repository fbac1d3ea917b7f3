//! The SQLite schema, as ordered migrations tracked in `PRAGMA user_version`.

use rusqlite::Connection;

/// Each entry moves the schema from version `index` to `index + 1`. Append only.
const MIGRATIONS: &[&str] = &[
    // 1: keys, sessions, segments, transcripts, suggestions, feedback.
    r#"
    CREATE TABLE counter_keys (
        key_id        TEXT PRIMARY KEY,
        loja          TEXT NOT NULL,
        balcao        TEXT NOT NULL,
        salt          BLOB NOT NULL,
        hash          BLOB NOT NULL,
        created_at_ms INTEGER NOT NULL,
        revoked_at_ms INTEGER
    );
    CREATE TABLE sessions (
        id            TEXT PRIMARY KEY,
        key_id        TEXT NOT NULL REFERENCES counter_keys(key_id),
        loja          TEXT NOT NULL,
        balcao        TEXT NOT NULL,
        started_at_ms INTEGER NOT NULL,
        ended_at_ms   INTEGER
    );
    CREATE INDEX sessions_by_start ON sessions(started_at_ms);
    CREATE TABLE segments (
        rowid_seq     INTEGER PRIMARY KEY AUTOINCREMENT,
        id            TEXT NOT NULL UNIQUE,
        session_id    TEXT NOT NULL REFERENCES sessions(id),
        key_id        TEXT NOT NULL,
        client_id     TEXT,
        seq           INTEGER,
        start_ms      INTEGER NOT NULL,
        duration_ms   INTEGER NOT NULL,
        audio_ref     TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        status        TEXT NOT NULL,
        attempts      INTEGER NOT NULL DEFAULT 0,
        last_error    TEXT
    );
    CREATE UNIQUE INDEX segments_client_id ON segments(key_id, client_id) WHERE client_id IS NOT NULL;
    CREATE INDEX segments_by_session ON segments(session_id, rowid_seq);
    CREATE INDEX segments_by_status ON segments(status, rowid_seq);
    CREATE TABLE transcripts (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        segment_id    TEXT NOT NULL REFERENCES segments(id),
        provider      TEXT NOT NULL,
        text          TEXT NOT NULL,
        language      TEXT,
        latency_ms    INTEGER NOT NULL,
        created_at_ms INTEGER NOT NULL
    );
    CREATE INDEX transcripts_by_segment ON transcripts(segment_id);
    CREATE TABLE suggestions (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        segment_id      TEXT NOT NULL REFERENCES segments(id),
        session_id      TEXT NOT NULL,
        advisor         TEXT NOT NULL,
        decisao         TEXT NOT NULL,
        categoria       TEXT,
        produto         TEXT,
        explicacao      TEXT NOT NULL,
        confianca       TEXT NOT NULL,
        base_transcript TEXT NOT NULL,
        sent            INTEGER NOT NULL,
        latency_ms      INTEGER NOT NULL,
        created_at_ms   INTEGER NOT NULL
    );
    CREATE INDEX suggestions_by_session ON suggestions(session_id, id);
    CREATE TABLE feedback (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        segment_id     TEXT NOT NULL REFERENCES segments(id),
        corrected_text TEXT,
        verdict        TEXT,
        note           TEXT,
        created_at_ms  INTEGER NOT NULL
    );
    "#,
    // 2: every provider call (STT and advisor) with its latency and outcome.
    r#"
    CREATE TABLE provider_attempts (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        segment_id    TEXT NOT NULL REFERENCES segments(id),
        stage         TEXT NOT NULL,
        provider      TEXT NOT NULL,
        attempt       INTEGER NOT NULL,
        started_ms    INTEGER NOT NULL,
        latency_ms    INTEGER NOT NULL,
        outcome       TEXT NOT NULL,
        error         TEXT
    );
    CREATE INDEX provider_attempts_by_segment ON provider_attempts(segment_id, id);
    CREATE INDEX provider_attempts_by_provider ON provider_attempts(stage, provider, outcome);
    "#,
    // 3: admin reviews (latest per segment), history indexes, full-text search of transcripts.
    r#"
    CREATE TABLE reviews (
        segment_id                TEXT PRIMARY KEY REFERENCES segments(id),
        transcript_correct        INTEGER,
        corrected_text            TEXT,
        transcript_reviewed_at_ms INTEGER,
        suggestion_verdict        TEXT,
        suggestion_note           TEXT,
        suggestion_reviewed_at_ms INTEGER
    );
    CREATE INDEX segments_by_created ON segments(created_at_ms);
    CREATE INDEX transcripts_by_provider ON transcripts(provider, segment_id);
    CREATE INDEX suggestions_by_segment ON suggestions(segment_id, id);
    CREATE VIRTUAL TABLE transcripts_fts USING fts5(
        text, content = 'transcripts', content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2'
    );
    INSERT INTO transcripts_fts(transcripts_fts) VALUES ('rebuild');
    CREATE TRIGGER transcripts_fts_insert AFTER INSERT ON transcripts BEGIN
        INSERT INTO transcripts_fts(rowid, text) VALUES (new.id, new.text);
    END;
    CREATE TRIGGER transcripts_fts_delete AFTER DELETE ON transcripts BEGIN
        INSERT INTO transcripts_fts(transcripts_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END;
    CREATE TRIGGER transcripts_fts_update AFTER UPDATE ON transcripts BEGIN
        INSERT INTO transcripts_fts(transcripts_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO transcripts_fts(rowid, text) VALUES (new.id, new.text);
    END;
    "#,
];

/// The schema version this build writes.
pub const LATEST_VERSION: usize = MIGRATIONS.len();

/// Why migrating failed.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error("database schema version {found} is newer than this build knows ({known})")]
    TooNew { found: usize, known: usize },
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// Brings the schema up to [`LATEST_VERSION`], one transaction per step.
pub fn migrate(conn: &mut Connection) -> Result<usize, MigrationError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let current = usize::try_from(current).unwrap_or(0);
    if current > LATEST_VERSION {
        return Err(MigrationError::TooNew {
            found: current,
            known: LATEST_VERSION,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Another process may have migrated while we waited for the write lock.
        let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if usize::try_from(now).unwrap_or(0) > index {
            tx.commit()?;
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (index + 1) as i64)?;
        tx.commit()?;
    }
    Ok(LATEST_VERSION)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_twice_is_a_no_op_and_a_newer_schema_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(migrate(&mut conn).unwrap(), LATEST_VERSION);
        assert_eq!(migrate(&mut conn).unwrap(), LATEST_VERSION);
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('counter_keys','sessions','segments','transcripts','suggestions','feedback','provider_attempts')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 7);
        conn.pragma_update(None, "user_version", 99).unwrap();
        assert!(matches!(
            migrate(&mut conn),
            Err(MigrationError::TooNew { found: 99, .. })
        ));
    }
}
