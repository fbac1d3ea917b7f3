//! What both Lambda binaries (`stt-llm`, `admin-api`) do around their router: logging to stderr
//! that survives a broken stderr, and serving either under the Lambda runtime or, with
//! `BALTO_LOCAL_HTTP=ADDR`, on a plain socket (printing `listening on http://ADDR`).

use axum::Router;
use std::io::Write;
use std::net::SocketAddr;

/// Logs to stderr, filtered by `RUST_LOG` (default `info`).
pub fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        // A log write that fails (journald restarted, the reading end of a pipe gone) must not
        // take the server down: tracing-subscriber would report it with `eprintln!`, which
        // panics when stderr is broken.
        .log_internal_errors(false)
        .with_ansi(false)
        .init();
}

/// Serves `app` on `local_addr` (a plain socket, until Ctrl-C) or, when `None`, under the
/// Lambda runtime. Handlers may read the peer address (`ConnectInfo<SocketAddr>`) locally.
pub async fn serve(app: Router, local_addr: Option<&str>) -> std::io::Result<()> {
    let Some(addr) = local_addr else {
        return lambda_http::run(app)
            .await
            .map_err(|e| std::io::Error::other(format!("lambda runtime: {e}")));
    };
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "listening on http://{local}")?;
    stdout.flush()?;
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
