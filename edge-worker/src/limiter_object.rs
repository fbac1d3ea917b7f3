//! The `Limiter` Durable Object (one per `ip:<address>` and per `key:<key id>`, addressed by
//! name) and the call the Worker and the session objects make to it. The counting is
//! [`crate::limiter`]'s; this module loads that state from the object's storage, applies one
//! request, stores it back (or deletes it when empty) and keeps an alarm at the next expiry so
//! lapsed slots and old counts are cleaned up even when no request comes.

use crate::limiter::{LimitSettings, LimiterReply, LimiterRequest, LimiterState};
use std::cell::{Cell, RefCell};
use worker::{
    DurableObject, Env, Method, ObjectNamespace, Request, RequestInit, Response, State,
    durable_object,
};

/// The Durable Object namespace binding of the limiter objects.
pub const LIMITER_BINDING: &str = "LIMITER";
/// Where the state lives in the object's storage.
const STATE_KEY: &str = "state";

fn now_unix_ms() -> u64 {
    worker::js_sys::Date::now() as u64
}

/// Shared counters of one address or one key.
#[durable_object(alarm)]
pub struct Limiter {
    state: State,
    limits: LimitSettings,
    held: RefCell<Option<LimiterState>>,
    /// The alarm this object has set (Unix ms), to avoid setting the same one again.
    alarm_at: Cell<Option<u64>>,
}

impl DurableObject for Limiter {
    fn new(state: State, env: Env) -> Self {
        let limits = LimitSettings::from_lookup(|name| env.var(name).ok().map(|v| v.to_string()))
            .unwrap_or_else(|e| {
                worker::console_error!("edge-worker limiter: {e}; using the defaults");
                LimitSettings::default()
            });
        Limiter {
            state,
            limits,
            held: RefCell::new(None),
            alarm_at: Cell::new(None),
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let request: LimiterRequest = match serde_json::from_str(&req.text().await?) {
            Ok(r) => r,
            Err(e) => return Response::error(format!("bad limiter request: {e}"), 400),
        };
        self.load().await?;
        let reply = {
            let mut held = self.held.borrow_mut();
            let state = held.get_or_insert_with(LimiterState::default);
            state.apply(&request, &self.limits, now_unix_ms())
        };
        self.save().await?;
        Response::from_json(&reply)
    }

    async fn alarm(&self) -> worker::Result<Response> {
        self.alarm_at.set(None);
        self.load().await?;
        if let Some(state) = self.held.borrow_mut().as_mut() {
            state.expire(now_unix_ms());
        }
        self.save().await?;
        Response::ok("ok")
    }
}

impl Limiter {
    /// Reads the stored state the first time it is needed (the object's memory holds it after).
    async fn load(&self) -> worker::Result<()> {
        if self.held.borrow().is_some() {
            return Ok(());
        }
        let stored: Option<String> = self.state.storage().get(STATE_KEY).await?;
        let state = stored
            .map(|json| LimiterState::from_json(&json))
            .unwrap_or_default();
        let mut held = self.held.borrow_mut();
        if held.is_none() {
            *held = Some(state);
        }
        Ok(())
    }

    /// Writes the state back and moves the alarm to its next expiry; an empty state is deleted.
    async fn save(&self) -> worker::Result<()> {
        let (json, next) = match self.held.borrow().as_ref() {
            Some(s) if !s.is_empty() => (Some(s.to_json()), s.next_expiry_ms()),
            _ => (None, None),
        };
        let storage = self.state.storage();
        match json {
            Some(json) => storage.put(STATE_KEY, json).await?,
            None => {
                storage.delete(STATE_KEY).await?;
            }
        }
        if next != self.alarm_at.get() {
            match next {
                Some(at) => {
                    let offset = at.saturating_sub(now_unix_ms()).max(1);
                    storage.set_alarm(offset as i64).await?;
                }
                None => storage.delete_alarm().await?,
            }
            self.alarm_at.set(next);
        }
        Ok(())
    }
}

/// Asks the limiter object `name` (e.g. `ip:203.0.113.7`, `key:abc`) one question.
pub async fn ask(
    namespace: &ObjectNamespace,
    name: &str,
    request: &LimiterRequest,
) -> worker::Result<LimiterReply> {
    let stub = namespace.id_from_name(name)?.get_stub()?;
    let body = serde_json::to_string(request).map_err(|e| worker::Error::from(e.to_string()))?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(body.into()));
    let req = Request::new_with_init("https://limiter.internal/", &init)?;
    let mut response = stub.fetch_with_request(req).await?;
    let text = response.text().await?;
    if response.status_code() != 200 {
        return Err(worker::Error::from(format!(
            "limiter answered HTTP {}: {text}",
            response.status_code()
        )));
    }
    serde_json::from_str(&text).map_err(|e| worker::Error::from(e.to_string()))
}

/// The address a request comes from (`CF-Connecting-IP`, set by Cloudflare; `unknown` if absent).
pub fn client_ip(req: &Request) -> String {
    req.headers()
        .get("cf-connecting-ip")
        .ok()
        .flatten()
        .map(|ip| ip.trim().to_string())
        .filter(|ip| !ip.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}
