//! The HTTP server: routes, binding with the 8765 → 8766 fallback, graceful shutdown.

use crate::app::{App, Counters};
use crate::ws_driver;
use axum::Router;
use axum::extract::{ConnectInfo, State, WebSocketUpgrade};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use balto_core::admission::DoorRefusal;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use tokio::net::TcpListener;

/// Largest WebSocket message accepted: a 30 s segment (960,000 bytes) with room to spare.
/// Anything larger is refused by the WebSocket layer itself (close 1009).
pub const MAX_WS_MESSAGE_BYTES: usize = 2 * 1024 * 1024;
/// Read chunk of each WebSocket (see [`ws_upgrade`]).
const WS_BUFFER_BYTES: usize = 4 * 1024;

/// The application's routes.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/ws", get(ws_upgrade))
        .route("/healthz", get(healthz))
        .merge(crate::admin_mount::routes(&app))
        .merge(crate::counter_mount::routes(&app.web_dir))
        .with_state(app)
}

async fn ws_upgrade(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ws: WebSocketUpgrade,
) -> Response {
    let Some(slot) = app.gate.admit_connection() else {
        tracing::warn!(peer = %peer, max = app.gate.limits().max_connections, "upgrade refused: connection limit");
        return door_refusal(DoorRefusal::ServerFull);
    };
    // Small I/O buffers (tungstenite's default is 128 KiB each way): a counter's frames are
    // 640 B–64 KiB, and thousands of mostly idle sockets must stay cheap. Larger messages
    // still arrive whole; the buffer only sets the read chunk.
    ws.max_message_size(MAX_WS_MESSAGE_BYTES)
        .max_frame_size(MAX_WS_MESSAGE_BYTES)
        .read_buffer_size(WS_BUFFER_BYTES)
        .write_buffer_size(0)
        .on_upgrade(move |socket| ws_driver::serve_socket(socket, app, peer, slot))
}

/// The HTTP answer of an upgrade refused at the door.
fn door_refusal(refusal: DoorRefusal) -> Response {
    let status = StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    (
        status,
        [(header::RETRY_AFTER, refusal.retry_after_s().to_string())],
        refusal.body(),
    )
        .into_response()
}

async fn healthz(State(app): State<Arc<App>>) -> impl IntoResponse {
    let c = &app.counters;
    Json(serde_json::json!({
        "status": "ok",
        "uptime_s": app.started.elapsed().as_secs(),
        "connections_open": Counters::get(&c.connections_open),
        "connections_total": Counters::get(&c.connections_total),
        "segments_stored": Counters::get(&c.segments_stored),
        "recommendations_sent": Counters::get(&c.recommendations_sent),
        "frame_processing_us": {
            "count": c.frame_processing.count(),
            "p50": c.frame_processing.quantile(0.5).as_micros() as u64,
            "p99": c.frame_processing.quantile(0.99).as_micros() as u64,
            "max": c.frame_processing.max().as_micros() as u64,
        },
        "transcriber": app.transcriber_name(),
        "advisor": app.advisor_name(),
    }))
}

/// Binds `host:port`; if that port is taken, logs it and binds `port + 1` instead.
pub async fn bind_with_fallback(host: IpAddr, port: u16) -> std::io::Result<TcpListener> {
    match TcpListener::bind((host, port)).await {
        Ok(l) => Ok(l),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && port != 0 => {
            let next = port.checked_add(1).ok_or(e)?;
            tracing::warn!(port, next, "port is taken; trying the next one");
            TcpListener::bind((host, next)).await
        }
        Err(e) => Err(e),
    }
}

/// Serves `app` on an already-bound listener until `app.shutdown` is cancelled, then waits for
/// open connections to finish closing.
pub async fn run(listener: TcpListener, app: Arc<App>) -> std::io::Result<()> {
    tokio::spawn(crate::metrics_page::upkeep(Arc::clone(&app)));
    let shutdown = app.shutdown.clone();
    axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move { shutdown.cancelled().await })
    .await
}
