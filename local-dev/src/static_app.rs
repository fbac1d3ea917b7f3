//! Serves a built browser app (the admin app, the counter page) from a folder at a path prefix:
//! 503 with directions until it is built (checked per request, so building needs no restart),
//! `/prefix` → `/prefix/` (the apps' URLs are relative), and security headers on every answer —
//! the ones all pages share plus the app's own (its Content-Security-Policy, …).

use axum::Router;
use axum::extract::{OriginalUri, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Redirect, Response};
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::services::{ServeDir, ServeFile};

/// Headers every app page gets.
const COMMON_HEADERS: [(&str, &str); 4] = [
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("cross-origin-opener-policy", "same-origin"),
];

/// One built app and how to serve it.
pub struct StaticApp {
    /// Path prefix without a trailing slash, such as `/admin`.
    pub prefix: &'static str,
    /// The folder holding `index.html` and the assets.
    pub dir: PathBuf,
    /// Headers of this app on top of [`COMMON_HEADERS`] (its CSP first).
    pub headers: &'static [(&'static str, &'static str)],
    /// Unknown paths answer `index.html` (client-side routes) instead of 404.
    pub spa_fallback: bool,
    /// The answer's subject while not built, such as "A página do balcão".
    pub what: &'static str,
    /// The answer's second line: how to build it, what still works.
    pub hint: &'static str,
}

impl StaticApp {
    /// The app at its prefix, ready to merge into the server's router.
    pub fn routes<S>(self) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        let prefix = self.prefix;
        let files = ServeDir::new(&self.dir);
        let inner = if self.spa_fallback {
            let index = ServeFile::new(self.dir.join("index.html"));
            Router::new().fallback_service(files.fallback(index))
        } else {
            Router::new().fallback_service(files)
        };
        let app = Arc::new(self);
        Router::new().nest_service(
            prefix,
            inner
                .layer(from_fn_with_state(Arc::clone(&app), require_built))
                .layer(from_fn_with_state(app, page_headers)),
        )
    }
}

async fn require_built(State(app): State<Arc<StaticApp>>, req: Request, next: Next) -> Response {
    if app.dir.join("index.html").is_file() {
        return next.run(req).await;
    }
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [("content-type", "text/plain; charset=utf-8")],
        format!(
            "{} não está construída neste servidor ({}/index.html não existe).\n{}\n",
            app.what,
            app.dir.display(),
            app.hint
        ),
    )
        .into_response()
}

async fn page_headers(State(app): State<Arc<StaticApp>>, req: Request, next: Next) -> Response {
    let original = req
        .extensions()
        .get::<OriginalUri>()
        .map(|u| u.path().to_string());
    if original.as_deref() == Some(app.prefix) {
        return Redirect::permanent(&format!("{}/", app.prefix)).into_response();
    }
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    for &(name, value) in app.headers.iter().chain(COMMON_HEADERS.iter()) {
        h.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    resp
}
