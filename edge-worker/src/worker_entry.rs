//! The Worker's entry: checks the address's limiter object, then routes `/ws` to a fresh
//! session object; answers `/healthz`.

use crate::limiter::{LimiterReply, LimiterRequest, ip_name};
use crate::limiter_object::{LIMITER_BINDING, ask, client_ip};
use crate::session_object::{STATS, with_stats};
use balto_core::admission::DoorRefusal;
use worker::{Context, Env, Headers, Method, Request, Response, event};

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
            if let Some(refused) = admit_address(&req, &env).await? {
                return Ok(refused);
            }
            let namespace = env.durable_object(SESSIONS_BINDING)?;
            let stub = namespace.unique_id()?.get_stub()?;
            stub.fetch_with_request(req).await
        }
        _ => json_error("not found", 404),
    }
}

/// The address's check before the upgrade (one limiter round trip): HTTP 429 with
/// `Retry-After` for an address over `CONNECTS_PER_IP_PER_MIN`. Failed `auth` never refuses an
/// upgrade (valid keys are never locked out). A limiter that cannot be reached lets the
/// upgrade through.
async fn admit_address(req: &Request, env: &Env) -> worker::Result<Option<Response>> {
    let ip = client_ip(req);
    let namespace = match env.durable_object(LIMITER_BINDING) {
        Ok(ns) => ns,
        Err(e) => {
            worker::console_error!("edge-worker: no {LIMITER_BINDING} binding: {e}");
            return Ok(None);
        }
    };
    let started = worker::js_sys::Date::now();
    let reply = ask(&namespace, &ip_name(&ip), &LimiterRequest::Connect).await;
    with_stats(|s| s.limiter_wall.record(worker::js_sys::Date::now() - started));
    let refusal = match reply {
        Ok(LimiterReply::TooManyConnects { retry_after_ms }) => {
            DoorRefusal::TooManyConnects { retry_after_ms }
        }
        Ok(_) => return Ok(None),
        Err(e) => {
            worker::console_error!("edge-worker: limiter unreachable, upgrade let through: {e}");
            return Ok(None);
        }
    };
    let secs = refusal.retry_after_s();
    worker::console_log!(
        "edge-worker: upgrade from {ip} refused ({}, {secs} s)",
        refusal.status()
    );
    with_stats(|s| s.limited += 1);
    let headers = Headers::new();
    headers.set("retry-after", &secs.to_string())?;
    headers.set("content-type", "text/plain; charset=utf-8")?;
    Ok(Some(
        Response::ok(refusal.body())?
            .with_status(refusal.status())
            .with_headers(headers),
    ))
}

fn json_error(message: &str, status: u16) -> worker::Result<Response> {
    Ok(Response::from_json(&serde_json::json!({ "error": message }))?.with_status(status))
}
