//! Mounts the browser counter page (built by `scripts/build-counter-web.sh` into
//! `<WEB_DIR>/counter/`) at `/counter/`, with `/` redirecting to it, under a Content-Security-Policy
//! that allows only the page's own scripts, its WebAssembly front end, its worker and audio
//! worklet, and WebSocket connections back to this server.

use crate::static_app::StaticApp;
use axum::Router;
use axum::response::Redirect;
use axum::routing::get;
use std::path::Path;

/// Content-Security-Policy of the counter page: own scripts, WebAssembly, workers and worklets
/// (`'self'` or `blob:`), WebSocket and fetch back to this origin only, no framing.
pub const COUNTER_PAGE_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; style-src 'self'; img-src 'self' data:; media-src 'self' blob: mediastream:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// `/` (redirect) and `/counter/` (the page), ready to merge into the server's router.
pub fn routes<S>(web_dir: &Path) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let page = StaticApp {
        prefix: "/counter",
        dir: web_dir.join("counter"),
        headers: &[
            ("content-security-policy", COUNTER_PAGE_CSP),
            ("permissions-policy", "microphone=(self)"),
        ],
        spa_fallback: false,
        what: "A página do balcão",
        hint: "Construa-a com scripts/build-counter-web.sh; o WebSocket responde em /ws (docs/protocol.md).",
    };
    Router::new()
        .route("/", get(|| async { Redirect::temporary("/counter/") }))
        .merge(page.routes())
}
