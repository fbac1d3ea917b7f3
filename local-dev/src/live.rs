//! The live registry of counter connections (store, counter, state, since) for the admin's
//! *Ao vivo* page and `/metrics`, and the live snapshot: connections from this registry, the
//! rest (segments per minute, provider latency p50/p95 and errors) from the records the
//! pipeline already writes (`segments`, `provider_attempts`) over a recent window.

use crate::sqlite_store::{SqliteStore, backend};
use balto_core::admin::{
    ConnectionState, LIVE_LATENCY_WINDOW, LIVE_SERIES_MINUTES, LiveConnection, ProviderLatency,
    percentile,
};
use balto_core::records::CounterKey;
use balto_core::storage::StorageError;
use rusqlite::params;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

fn unix_ms() -> i64 {
    crate::clock::unix_ms()
}

/// Open connections of this process.
#[derive(Debug, Default)]
pub struct LiveRegistry {
    next_id: AtomicU64,
    connections: Mutex<HashMap<u64, LiveConnection>>,
    /// Connections that closed without authenticating.
    unauthenticated_closes: AtomicU64,
}

impl LiveRegistry {
    /// Registers a new connection; it is removed when the handle drops.
    pub fn open(self: &Arc<Self>) -> LiveHandle {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let now = unix_ms();
        if let Ok(mut m) = self.connections.lock() {
            m.insert(
                id,
                LiveConnection {
                    connection_id: id,
                    session_id: None,
                    key_id: None,
                    store: None,
                    counter: None,
                    state: ConnectionState::Authenticating,
                    state_since_ms: now,
                    connected_at_ms: now,
                    segments: 0,
                },
            );
        }
        LiveHandle {
            registry: Arc::clone(self),
            id,
            authed: false,
            busy: false,
        }
    }

    /// The open connections, oldest first.
    pub fn connections(&self) -> Vec<LiveConnection> {
        let mut v: Vec<LiveConnection> = self
            .connections
            .lock()
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default();
        v.sort_by_key(|c| c.connection_id);
        v
    }

    /// Connections that closed before authenticating, since start.
    pub fn unauthenticated_closes(&self) -> u64 {
        self.unauthenticated_closes.load(Ordering::Relaxed)
    }
}

/// One registered connection; keeps its entry current through [`LiveHandle::sync`].
#[derive(Debug)]
pub struct LiveHandle {
    registry: Arc<LiveRegistry>,
    id: u64,
    authed: bool,
    busy: bool,
}

impl LiveHandle {
    /// Updates the entry when the connection authenticated or its busy state changed; cheap
    /// when nothing changed (called once per loop turn).
    pub fn sync(&mut self, key: Option<&CounterKey>, session_id: Option<&str>, busy: bool) {
        let authed = key.is_some();
        if authed == self.authed && busy == self.busy {
            return;
        }
        self.authed = authed;
        self.busy = busy;
        let Ok(mut m) = self.registry.connections.lock() else {
            return;
        };
        let Some(c) = m.get_mut(&self.id) else { return };
        if let Some(k) = key {
            c.key_id = Some(k.key_id.clone());
            c.store = Some(k.store.clone());
            c.counter = Some(k.counter.clone());
        }
        c.session_id = session_id.map(str::to_string);
        let state = match (authed, busy) {
            (false, _) => ConnectionState::Authenticating,
            (true, false) => ConnectionState::Listening,
            (true, true) => ConnectionState::Processing,
        };
        if c.state != state {
            c.state = state;
            c.state_since_ms = unix_ms();
        }
    }
}

impl Drop for LiveHandle {
    fn drop(&mut self) {
        if !self.authed {
            self.registry
                .unauthenticated_closes
                .fetch_add(1, Ordering::Relaxed);
        }
        if let Ok(mut m) = self.registry.connections.lock() {
            m.remove(&self.id);
        }
    }
}

/// Figures read from the database for the live page.
#[derive(Debug, Default)]
pub struct RecentFigures {
    /// Segments per minute, oldest first, [`LIVE_SERIES_MINUTES`] entries.
    pub per_minute: Vec<u64>,
    pub last_minute: u64,
    pub latency: Vec<ProviderLatency>,
    pub failed_segments: u64,
    pub segments_by_session: HashMap<String, u64>,
}

impl SqliteStore {
    /// Segments per minute over the last [`LIVE_SERIES_MINUTES`] minutes, per-provider call
    /// latency over the most recent [`LIVE_LATENCY_WINDOW`] calls of each, failed segments, and
    /// segment counts of the given sessions.
    pub async fn recent_figures(
        &self,
        now_ms: i64,
        sessions: Vec<String>,
    ) -> Result<RecentFigures, StorageError> {
        self.with(move |c| {
            let minutes = LIVE_SERIES_MINUTES as i64;
            let current_minute = now_ms.div_euclid(60_000);
            let since = (current_minute - minutes + 1) * 60_000;
            let mut per_minute = vec![0u64; LIVE_SERIES_MINUTES];
            let mut stmt = c
                .prepare("SELECT created_at_ms FROM segments WHERE created_at_ms >= ?1")
                .map_err(backend)?;
            let mut last_minute = 0;
            for t in stmt
                .query_map(params![since], |r| r.get::<_, i64>(0))
                .map_err(backend)?
            {
                let t = t.map_err(backend)?;
                let idx = t.div_euclid(60_000) - (current_minute - minutes + 1);
                if let Some(slot) = usize::try_from(idx).ok().and_then(|i| per_minute.get_mut(i)) {
                    *slot += 1;
                }
                if t > now_ms - 60_000 {
                    last_minute += 1;
                }
            }
            // Recent provider calls: the newest attempts (ids grow with time).
            let mut stmt = c
                .prepare(
                    "SELECT stage, provider, latency_ms, outcome FROM provider_attempts ORDER BY id DESC LIMIT ?1",
                )
                .map_err(backend)?;
            let mut samples: BTreeMap<(String, String), (Vec<u64>, u64)> = BTreeMap::new();
            let rows = stmt
                .query_map(params![(LIVE_LATENCY_WINDOW * 8) as i64], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                })
                .map_err(backend)?;
            for row in rows {
                let (stage, provider, latency, outcome) = row.map_err(backend)?;
                let e = samples.entry((stage, provider)).or_default();
                if e.0.len() < LIVE_LATENCY_WINDOW {
                    e.0.push(latency.max(0) as u64);
                    if outcome != "ok" {
                        e.1 += 1;
                    }
                }
            }
            let latency = samples
                .into_iter()
                .map(|((stage, provider), (mut l, errors))| {
                    l.sort_unstable();
                    ProviderLatency {
                        stage,
                        provider,
                        calls: l.len() as u64,
                        errors,
                        p50_ms: percentile(&l, 0.5),
                        p95_ms: percentile(&l, 0.95),
                    }
                })
                .collect();
            let failed_segments: i64 = c
                .query_row(
                    "SELECT count(*) FROM segments WHERE status = 'failed'",
                    [],
                    |r| r.get(0),
                )
                .map_err(backend)?;
            let mut segments_by_session = HashMap::new();
            let mut stmt = c
                .prepare("SELECT count(*) FROM segments WHERE session_id = ?1")
                .map_err(backend)?;
            for s in sessions {
                let n: i64 = stmt.query_row(params![s], |r| r.get(0)).map_err(backend)?;
                segments_by_session.insert(s, n.max(0) as u64);
            }
            Ok(RecentFigures {
                per_minute,
                last_minute,
                latency,
                failed_segments: failed_segments.max(0) as u64,
                segments_by_session,
            })
        })
        .await
    }
}
