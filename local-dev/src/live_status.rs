//! The admin API's live status of a running local-dev server: open connections, recent
//! figures from the database, the pipeline in use (`balto_core::admin_store::LiveStatus`).

use crate::app::{App, Counters};
use async_trait::async_trait;
use balto_core::admin::{LiveErrors, LiveSnapshot};
use balto_core::admin_store::LiveStatus;
use balto_core::storage::StorageError;
use std::sync::Arc;

/// The live status of a running local-dev server.
pub struct AppLive(pub Arc<App>);

#[async_trait]
impl LiveStatus for AppLive {
    async fn snapshot(&self, now_ms: i64) -> Result<LiveSnapshot, StorageError> {
        let app = &self.0;
        let mut connections = app.live.connections();
        let sessions = connections
            .iter()
            .filter_map(|c| c.session_id.clone())
            .collect();
        let recent = app.db.recent_figures(now_ms, sessions).await?;
        for c in &mut connections {
            if let Some(s) = &c.session_id {
                c.segments = recent.segments_by_session.get(s).copied().unwrap_or(0);
            }
        }
        let errors = LiveErrors {
            stt: recent
                .latency
                .iter()
                .filter(|l| l.stage == "stt")
                .map(|l| l.errors)
                .sum(),
            advisor: recent
                .latency
                .iter()
                .filter(|l| l.stage == "advisor")
                .map(|l| l.errors)
                .sum(),
            failed_segments: recent.failed_segments,
            connection: app.live.unauthenticated_closes(),
        };
        Ok(LiveSnapshot {
            now_ms,
            uptime_s: app.started.elapsed().as_secs(),
            transcriber: app.transcriber_name().to_string(),
            advisor: app.advisor_name().to_string(),
            connections_open: Counters::get(&app.counters.connections_open),
            connections_total: Counters::get(&app.counters.connections_total),
            connections,
            segments_total: Counters::get(&app.counters.segments_stored),
            segments_last_minute: recent.last_minute,
            segments_per_minute: recent.per_minute,
            latency: recent.latency,
            errors,
        })
    }
}
