//! `GET /metrics`: the server's counters, gauges and latency histograms in the Prometheus text
//! format (0.0.4): the recorder of [`crate::metrics`], kept drained while the server runs, and
//! rendered with the gauges read from the app at scrape time. Unauthenticated, as is
//! conventional, so it carries no personal data: no store, counter, session or transcript — only
//! totals and per-stage, per-provider latency.

use crate::app::{App, Counters};
use crate::metrics::{UPKEEP_EVERY, handle};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use balto_core::admin::ConnectionState;
use std::sync::Arc;

/// Keeps the histograms drained while the server runs (nothing grows between scrapes).
pub async fn upkeep(app: Arc<App>) {
    let handle = handle();
    loop {
        tokio::select! {
            _ = app.shutdown.cancelled() => return,
            _ = tokio::time::sleep(UPKEEP_EVERY) => handle.run_upkeep(),
        }
    }
}

/// Renders the metrics of `app`: the recorded series, and the gauges read from it now.
pub async fn render(app: &App) -> Result<String, balto_core::storage::StorageError> {
    let c = &app.counters;
    metrics::gauge!("balto_uptime_seconds").set(app.started.elapsed().as_secs_f64());
    metrics::gauge!("balto_connections_open").set(Counters::get(&c.connections_open) as f64);
    metrics::counter!("balto_connections_total").absolute(Counters::get(&c.connections_total));
    metrics::counter!("balto_segments_stored_total").absolute(Counters::get(&c.segments_stored));
    metrics::counter!("balto_recommendations_sent_total")
        .absolute(Counters::get(&c.recommendations_sent));
    metrics::counter!("balto_connections_unauthenticated_closed_total")
        .absolute(app.live.unauthenticated_closes());
    let conns = app.live.connections();
    for state in [
        ConnectionState::Authenticating,
        ConnectionState::Listening,
        ConnectionState::Processing,
    ] {
        let n = conns.iter().filter(|x| x.state == state).count();
        let name = serde_json::to_value(state)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        metrics::gauge!("balto_connections_by_state", "state" => name).set(n as f64);
    }
    let recent = app
        .db
        .recent_figures(crate::clock::unix_ms(), Vec::new())
        .await?;
    metrics::gauge!("balto_segments_last_minute").set(recent.last_minute as f64);
    metrics::gauge!("balto_segments_failed").set(recent.failed_segments as f64);
    Ok(handle().render())
}

/// The `/metrics` handler.
pub async fn handler(State(app): State<Arc<App>>) -> Response {
    match render(&app).await {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "metrics failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "metrics unavailable\n").into_response()
        }
    }
}
