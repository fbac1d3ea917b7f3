//! The Worker's entry: routes `/ws` to a fresh session object and answers `/healthz`.

use crate::session_object::STATS;
use worker::{Context, Env, Method, Request, Response, event};

/// The Durable Object namespace binding of the session objects.
const SESSIONS_BINDING: &str = "SESSIONS";

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let path = req.path();
    match (req.method(), path.as_str()) {
        (Method::Get, "/healthz") => {
            let stats = STATS.with(|s| s.borrow().to_json());
            Response::from_json(&serde_json::json!({
                "status": "ok",
                "service": "balto-edge",
                "version": env!("CARGO_PKG_VERSION"),
                "stats": stats,
            }))
        }
        (Method::Get, "/ws") => {
            let upgrade = req.headers().get("upgrade")?.unwrap_or_default();
            if !upgrade.eq_ignore_ascii_case("websocket") {
                return json_error("expected a WebSocket upgrade", 426);
            }
            let namespace = env.durable_object(SESSIONS_BINDING)?;
            let stub = namespace.unique_id()?.get_stub()?;
            stub.fetch_with_request(req).await
        }
        _ => json_error("not found", 404),
    }
}

fn json_error(message: &str, status: u16) -> worker::Result<Response> {
    Ok(Response::from_json(&serde_json::json!({ "error": message }))?.with_status(status))
}
