//! `GET /metrics`: the server's counters and gauges in the Prometheus text format (0.0.4).
//! Unauthenticated, as is conventional, so it carries no personal data: no store, counter,
//! session or transcript — only totals and per-provider latency.

use crate::app::{App, Counters};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use balto_core::admin::ConnectionState;
use std::fmt::Write;
use std::sync::Arc;

fn escape_label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn metric(out: &mut String, name: &str, kind: &str, help: &str, value: impl std::fmt::Display) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
    let _ = writeln!(out, "{name} {value}");
}

/// Renders the metrics of `app`.
pub async fn render(app: &App) -> Result<String, balto_core::storage::StorageError> {
    let c = &app.counters;
    let mut out = String::new();
    metric(
        &mut out,
        "balto_uptime_seconds",
        "gauge",
        "Seconds since the server started.",
        app.started.elapsed().as_secs(),
    );
    metric(
        &mut out,
        "balto_connections_open",
        "gauge",
        "Open counter WebSocket connections.",
        Counters::get(&c.connections_open),
    );
    metric(
        &mut out,
        "balto_connections_total",
        "counter",
        "Counter WebSocket connections accepted since start.",
        Counters::get(&c.connections_total),
    );
    metric(
        &mut out,
        "balto_segments_stored_total",
        "counter",
        "Segments stored since start.",
        Counters::get(&c.segments_stored),
    );
    metric(
        &mut out,
        "balto_recommendations_sent_total",
        "counter",
        "Recommendations pushed to counters since start.",
        Counters::get(&c.recommendations_sent),
    );
    metric(
        &mut out,
        "balto_connections_unauthenticated_closed_total",
        "counter",
        "Connections closed before authenticating.",
        app.live.unauthenticated_closes(),
    );
    let conns = app.live.connections();
    let _ = writeln!(
        out,
        "# HELP balto_connections_by_state Open connections by state."
    );
    let _ = writeln!(out, "# TYPE balto_connections_by_state gauge");
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
        let _ = writeln!(out, "balto_connections_by_state{{state=\"{name}\"}} {n}");
    }
    let recent = app
        .db
        .recent_figures(crate::clock::unix_ms(), Vec::new())
        .await?;
    metric(
        &mut out,
        "balto_segments_last_minute",
        "gauge",
        "Segments stored in the last 60 seconds.",
        recent.last_minute,
    );
    metric(
        &mut out,
        "balto_segments_failed",
        "gauge",
        "Segments whose processing failed for good.",
        recent.failed_segments,
    );
    for (name, help) in [
        (
            "balto_provider_latency_p50_ms",
            "Median latency of recent provider calls, ms.",
        ),
        (
            "balto_provider_latency_p95_ms",
            "95th percentile latency of recent provider calls, ms.",
        ),
        (
            "balto_provider_calls_recent",
            "Recent provider calls in the latency window.",
        ),
        (
            "balto_provider_errors_recent",
            "Failed provider calls in the latency window.",
        ),
    ] {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} gauge");
        for l in &recent.latency {
            let value = match name {
                "balto_provider_latency_p50_ms" => l.p50_ms.unwrap_or(0),
                "balto_provider_latency_p95_ms" => l.p95_ms.unwrap_or(0),
                "balto_provider_calls_recent" => l.calls,
                _ => l.errors,
            };
            let _ = writeln!(
                out,
                "{name}{{stage=\"{}\",provider=\"{}\"}} {value}",
                escape_label(&l.stage),
                escape_label(&l.provider)
            );
        }
    }
    Ok(out)
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
