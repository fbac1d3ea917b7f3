//! Mounts the admin area on local-dev: the admin API ([`balto_admin_api`]) over
//! SQLite, the WAV files and the live registry; `GET /metrics`; and the built Leptos app from
//! `<WEB_DIR>/admin/` at `/admin/` (unknown paths fall back to `index.html` for client-side
//! routes) with security headers.

use crate::app::App;
use crate::live_status::AppLive;
use crate::metrics_page;
use crate::sqlite_admin::WavAudio;
use crate::static_app::StaticApp;
use axum::Router;
use axum::routing::get;
use balto_admin_api::AdminBackends;
use std::sync::Arc;

/// Content-Security-Policy of the admin pages: own scripts and WebAssembly only, no framing.
pub const ADMIN_PAGE_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The admin API, `/metrics` and `/admin/`, ready to merge into the server's router.
pub fn routes<S>(app: &Arc<App>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let backends = AdminBackends {
        storage: Arc::clone(&app.store),
        admin: Arc::new(app.db.clone()),
        audio: Some(Arc::new(WavAudio)),
        backup: Some(Arc::new(app.db.clone())),
        live: Some(Arc::new(AppLive(Arc::clone(app)))),
        key_pepper: app.key_pepper.clone(),
        edge_keys: None,
    };
    let pages = StaticApp {
        prefix: "/admin",
        dir: app.web_dir.join("admin"),
        headers: &[("content-security-policy", ADMIN_PAGE_CSP)],
        spa_fallback: true,
        what: "A interface de administração",
        hint: "A API de administração responde em /api/admin (docs/admin-api.md).",
    };
    Router::new()
        .merge(balto_admin_api::router(app.admin.clone(), backends))
        .route(
            "/metrics",
            get(metrics_page::handler).with_state(Arc::clone(app)),
        )
        .merge(pages.routes())
}
