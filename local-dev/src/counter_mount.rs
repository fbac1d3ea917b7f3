//! Mounts the browser counter page (built by `scripts/build-counter-web.sh` into
//! `<WEB_DIR>/counter/`) at `/counter/`, with `/` redirecting to it, under a Content-Security-Policy
//! that allows only the page's own scripts, its WebAssembly front end, its worker and audio
//! worklet, and WebSocket connections back to this server.

use axum::Router;
use axum::extract::{OriginalUri, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use std::path::{Path, PathBuf};
use tower_http::services::ServeDir;

/// Content-Security-Policy of the counter page: own scripts, WebAssembly, workers and worklets
/// (`'self'` or `blob:`), WebSocket and fetch back to this origin only, no framing.
pub const COUNTER_PAGE_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; style-src 'self'; img-src 'self' data:; media-src 'self' blob: mediastream:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// `/` (redirect) and `/counter/` (the page), ready to merge into the server's router.
pub fn routes<S>(web_dir: &Path) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let dir = web_dir.join("counter");
    Router::new()
        .route("/", get(|| async { Redirect::temporary("/counter/") }))
        .nest_service(
            "/counter",
            Router::new()
                .fallback_service(ServeDir::new(&dir))
                .layer(from_fn_with_state(dir, require_built))
                .layer(from_fn(page_headers)),
        )
}

/// Until the page is built into `<WEB_DIR>/counter/`, it answers 503 with what to do (checked
/// per request, so building it needs no restart).
async fn require_built(State(dir): State<PathBuf>, req: Request, next: Next) -> Response {
    if dir.join("index.html").is_file() {
        return next.run(req).await;
    }
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [("content-type", "text/plain; charset=utf-8")],
        format!(
            "A página do balcão não está construída neste servidor ({}/index.html não existe).\nConstrua-a com scripts/build-counter-web.sh; o WebSocket responde em /ws (docs/protocol.md).\n",
            dir.display()
        ),
    )
        .into_response()
}

/// `/counter` → `/counter/` (the page's URLs are relative), and security headers.
async fn page_headers(req: Request, next: Next) -> Response {
    let original = req
        .extensions()
        .get::<OriginalUri>()
        .map(|u| u.path().to_string());
    if original.as_deref() == Some("/counter") {
        return Redirect::permanent("/counter/").into_response();
    }
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    for (name, value) in [
        ("content-security-policy", COUNTER_PAGE_CSP),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("cross-origin-opener-policy", "same-origin"),
        ("permissions-policy", "microphone=(self)"),
    ] {
        h.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    resp
}
