//! Mounts the admin area on local-dev: the admin API ([`lambda_stt_llm::admin_api`]) over
//! SQLite, the WAV files and the live registry; `GET /metrics`; and the built Leptos app from
//! `<WEB_DIR>/admin/` at `/admin/` (unknown paths fall back to `index.html` for client-side
//! routes) with security headers.

use crate::app::App;
use crate::live::AppLive;
use crate::metrics;
use crate::sqlite_admin::WavAudio;
use axum::Router;
use axum::extract::{OriginalUri, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use lambda_stt_llm::admin_api::{self, AdminBackends};
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::services::{ServeDir, ServeFile};

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
    };
    let admin_dir = app.web_dir.join("admin");
    let pages = ServeDir::new(&admin_dir).fallback(ServeFile::new(admin_dir.join("index.html")));
    Router::new()
        .merge(admin_api::router(app.admin.clone(), backends))
        .route(
            "/metrics",
            get(metrics::handler).with_state(Arc::clone(app)),
        )
        .nest_service(
            "/admin",
            Router::new()
                .fallback_service(pages)
                .layer(from_fn_with_state(admin_dir, require_built))
                .layer(from_fn(page_headers)),
        )
}

/// Until the app is built into `<WEB_DIR>/admin/`, pages answer 503 with what to do (checked
/// per request, so building it needs no restart).
async fn require_built(State(dir): State<PathBuf>, req: Request, next: Next) -> Response {
    if dir.join("index.html").is_file() {
        return next.run(req).await;
    }
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [("content-type", "text/plain; charset=utf-8")],
        format!(
            "A interface de administração não está construída neste servidor ({}/index.html não existe).\nA API de administração responde em /api/admin (docs/admin-api.md).\n",
            dir.display()
        ),
    )
        .into_response()
}

/// `/admin` → `/admin/` (the app's asset URLs are relative), and security headers on pages.
async fn page_headers(req: Request, next: Next) -> Response {
    let original = req
        .extensions()
        .get::<OriginalUri>()
        .map(|u| u.path().to_string());
    if original.as_deref() == Some("/admin") {
        return Redirect::permanent("/admin/").into_response();
    }
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    for (name, value) in [
        ("content-security-policy", ADMIN_PAGE_CSP),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("cross-origin-opener-policy", "same-origin"),
    ] {
        h.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    resp
}
