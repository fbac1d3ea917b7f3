//! The Durable Object behind one `/ws` socket: moves frames between the WebSocket and the
//! sans-IO `Session`, and carries out its actions — the key check against KV, one signed relay
//! POST per segment (in order, one at a time, each with the window as it stands when it is
//! sent), ticks for the auth deadline. Mirrors local-dev's driver: frames are handled in
//! order, and nothing after `auth` is read before the key is checked. The limits shared with
//! other sockets are asked of the `Limiter` objects: the address's failed-`auth` throttle, and
//! a slot under the key's `MAX_CONNECTIONS_PER_KEY`, renewed while the socket is open and
//! released when it closes.

use crate::cpu_meter::EdgeStats;
use crate::edge_front_end::{EdgeFrontEnd, factory};
use crate::key_record::{Refusal, check_key, kv_name, parse_pepper};
use crate::limiter::{LimitSettings, LimiterReply, LimiterRequest, ip_name, key_name};
use crate::limiter_object::{LIMITER_BINDING, ask, client_ip};
use crate::relay_call::{RelayOutcome, SignedPost, read_answer, segment_post, session_end_post};
use crate::session_ids::uuid_v7;
use crate::settings::EdgeSettings;
use balto_core::admission::{self, KeyLookup};
use balto_core::keys::{KeyPepper, PresentedKey};
use balto_core::protocol::ServerMessage;
use balto_core::records::CounterKey;
use balto_core::relay::RelaySession;
use balto_core::session::{Action, Event, SegmentOrigin, SegmentToStore, Session};
use balto_core::settings::Reader;
use balto_core::signing::RequestSigner;
use futures_util::future::{Either, LocalBoxFuture, select};
use futures_util::{FutureExt, StreamExt};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::time::Duration;
use vad_wasm::FrontEndConfig;
use worker::{
    AbortController, Delay, DurableObject, Env, Fetch, Headers, KvStore, Method, ObjectNamespace,
    Request, RequestInit, Response, State, WebSocket, WebSocketPair, WebsocketEvent,
    durable_object,
};

thread_local! {
    /// This isolate's running figures, for `/healthz`.
    pub(crate) static STATS: RefCell<EdgeStats> = RefCell::new(EdgeStats::default());
}

pub(crate) fn with_stats(f: impl FnOnce(&mut EdgeStats)) {
    STATS.with(|s| f(&mut s.borrow_mut()));
}

fn now_unix_ms() -> u64 {
    worker::js_sys::Date::now() as u64
}

/// One socket's session.
#[durable_object(fetch)]
pub struct CounterSession {
    state: State,
    env: Env,
}

impl DurableObject for CounterSession {
    fn new(state: State, env: Env) -> Self {
        CounterSession { state, env }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        let ip = client_ip(&req);
        let pair = WebSocketPair::new()?;
        pair.server.accept()?;
        let entropy = self.state.id().to_string();
        let env = self.env.clone();
        let server = pair.server;
        worker::wasm_bindgen_futures::spawn_local(async move {
            match Setup::from_env(&env) {
                Ok(setup) => serve(server, setup, entropy, ip).await,
                Err(e) => {
                    worker::console_error!("edge-worker misconfigured: {e}");
                    let refusal = admission::Refusal::MISCONFIGURED;
                    let _ = server.send_with_str(refusal.message().to_json());
                    let _ = server.close(Some(refusal.close_code), Some(refusal.close_reason()));
                }
            }
        });
        Response::from_websocket(pair.client)
    }
}

/// Why a session object cannot serve.
#[derive(Debug, thiserror::Error)]
enum SetupError {
    #[error(transparent)]
    Settings(#[from] crate::settings::SettingsError),
    #[error(transparent)]
    Pepper(#[from] crate::key_record::PepperError),
    #[error("STT_LLM_SIGNING_SECRET is not set")]
    NoSigningSecret,
    #[error("the KEYS binding is missing: {0}")]
    Kv(String),
    #[error("the front end configuration is invalid: {0}")]
    FrontEnd(#[from] vad_wasm::ConfigError),
    #[error(transparent)]
    Limits(#[from] crate::limiter::LimitError),
}

/// What a session needs from its environment.
struct Setup {
    settings: EdgeSettings,
    signer: RequestSigner,
    pepper: Option<KeyPepper>,
    keys: KvStore,
    limits: LimitSettings,
    /// The limiter objects (`None`: no binding, limits not enforced; logged).
    limiter: Option<ObjectNamespace>,
}

impl Setup {
    fn from_env(env: &Env) -> Result<Setup, SetupError> {
        // Vars from wrangler.toml, secrets from `wrangler secret put`: one settings table.
        let lookup = |name: &str| {
            env.var(name)
                .ok()
                .or_else(|| env.secret(name).ok())
                .map(|v| v.to_string())
        };
        let r = Reader::new(&lookup);
        let settings = EdgeSettings::from_lookup(lookup)?;
        let secret = r
            .get(&balto_core::settings::STT_LLM_SIGNING_SECRET)
            .ok_or(SetupError::NoSigningSecret)?;
        let signer =
            RequestSigner::new(secret.into_bytes()).map_err(|_| SetupError::NoSigningSecret)?;
        let pepper = match r.get(&balto_core::settings::KEY_PEPPER) {
            Some(hex) => Some(parse_pepper(&hex)?),
            None => None,
        };
        let keys = env.kv("KEYS").map_err(|e| SetupError::Kv(e.to_string()))?;
        let limits = LimitSettings::from_lookup(lookup)?;
        let limiter = env
            .durable_object(LIMITER_BINDING)
            .map_err(|e| {
                worker::console_error!("edge-worker: no {LIMITER_BINDING} binding, limits off: {e}")
            })
            .ok();
        Ok(Setup {
            settings,
            signer,
            pepper,
            keys,
            limits,
            limiter,
        })
    }
}

/// Who the socket is, once authenticated.
struct Who {
    key: CounterKey,
    session_id: String,
    started_at_ms: i64,
}

/// This socket's place under its key's limit.
struct HeldSlot {
    /// The key's limiter object.
    name: String,
    /// When to renew the lease next (ms since the socket opened).
    renew_at_ms: u64,
}

/// Segments waiting for their relay POST at most; beyond it a new one is answered as not
/// stored at once (≤ 16 × 960 KB of audio held, well inside an isolate's 128 MB).
const MAX_QUEUED_SEGMENTS: usize = 16;

/// A segment waiting for its relay POST.
struct Queued {
    segment: SegmentToStore,
    /// Posts already made for it.
    attempts: u32,
    /// Not to be posted before this (connection clock, ms).
    not_before_ms: u64,
}

/// A relay POST on its way.
struct InFlight {
    origin: SegmentOrigin,
    segment_id: String,
    started_ms: f64,
    answer: LocalBoxFuture<'static, RelayOutcome>,
    /// The segment, kept to post again if this post is lost ([`RelayRetry`]).
    queued: Option<Queued>,
}

struct Connection {
    ws: WebSocket,
    setup: Setup,
    session: Session<EdgeFrontEnd>,
    opened_ms: u64,
    last_heard_ms: u64,
    socket_open: bool,
    who: Option<Who>,
    entropy: String,
    to_relay: VecDeque<Queued>,
    /// The client's address (`CF-Connecting-IP`).
    ip: String,
    slot: Option<HeldSlot>,
}

/// What woke the loop.
enum Wake {
    Frame(Option<worker::Result<WebsocketEvent>>),
    Timer,
    Relayed(RelayOutcome),
}

async fn serve(ws: WebSocket, setup: Setup, entropy: String, ip: String) {
    let make = match factory(FrontEndConfig::default()) {
        Ok(make) => make,
        Err(e) => {
            worker::console_error!("edge-worker: {}", SetupError::from(e));
            let refusal = admission::Refusal::MISCONFIGURED;
            let _ = ws.send_with_str(refusal.message().to_json());
            let _ = ws.close(Some(refusal.close_code), Some(refusal.close_reason()));
            return;
        }
    };
    with_stats(|s| s.sessions_started += 1);
    let opened_ms = now_unix_ms();
    let session = Session::new(setup.settings.session_config(), 0, Box::new(make));
    let mut conn = Connection {
        ws: ws.clone(),
        setup,
        session,
        opened_ms,
        last_heard_ms: 0,
        socket_open: true,
        who: None,
        entropy,
        to_relay: VecDeque::new(),
        ip,
        slot: None,
    };
    let mut events = match ws.events() {
        Ok(events) => events,
        Err(e) => {
            worker::console_error!("edge-worker: cannot read the socket: {e}");
            return;
        }
    };
    let tick_ms = conn.setup.settings.tick_ms;
    let mut next_tick = tick_ms;
    let mut in_flight: Option<InFlight> = None;
    let mut peer_closed = false;
    loop {
        if in_flight.is_none() {
            in_flight = conn.next_relay();
        }
        if !conn.socket_open {
            // The key's place is for open sockets; queued segments may take a while yet.
            conn.release_slot().await;
            if in_flight.is_none() && conn.to_relay.is_empty() {
                break;
            }
        }
        let wait = next_tick.saturating_sub(conn.now_ms()).max(1);
        let timer = Delay::from(Duration::from_millis(wait));
        let relay = match in_flight.as_mut() {
            Some(f) => Either::Left(f.answer.as_mut()),
            None => Either::Right(futures_util::future::pending()),
        };
        let frame = if conn.socket_open {
            Either::Left(events.next())
        } else {
            Either::Right(futures_util::future::pending())
        };
        let wake = match select(frame, select(timer, relay)).await {
            Either::Left((frame, _)) => Wake::Frame(frame),
            Either::Right((Either::Left(((), _)), _)) => Wake::Timer,
            Either::Right((Either::Right((outcome, _)), _)) => Wake::Relayed(outcome),
        };
        match wake {
            Wake::Frame(Some(Ok(WebsocketEvent::Message(msg)))) => {
                conn.last_heard_ms = conn.now_ms();
                if let Some(text) = msg.text() {
                    conn.feed(Event::Text(&text)).await;
                } else if let Some(bytes) = msg.bytes() {
                    let started = worker::js_sys::Date::now();
                    conn.feed(Event::Binary(&bytes)).await;
                    let spent = worker::js_sys::Date::now() - started;
                    with_stats(|s| s.frame_cpu.record(spent));
                }
            }
            Wake::Frame(Some(Ok(WebsocketEvent::Close(_))) | None) => {
                peer_closed = true;
                conn.ended().await;
            }
            Wake::Frame(Some(Err(e))) => {
                worker::console_log!("edge-worker: socket error: {e}");
                peer_closed = true;
                conn.ended().await;
            }
            Wake::Timer => {}
            Wake::Relayed(outcome) => {
                if let Some(done) = in_flight.take() {
                    conn.relayed(done, outcome).await;
                }
            }
        }
        let now = conn.now_ms();
        if now >= next_tick {
            next_tick = now + tick_ms;
            conn.feed(Event::Tick).await;
            conn.renew_slot(now).await;
            if conn.socket_open && conn.setup.settings.idle_expired(conn.last_heard_ms, now) {
                worker::console_log!("edge-worker: idle socket closed");
                conn.ended().await;
            }
        }
    }
    if !peer_closed {
        // We closed first: let the close handshake finish (or give up after 2 s) before the
        // listeners go, so the runtime has no unhandled event for this socket.
        let handshake = async {
            while let Some(Ok(event)) = events.next().await {
                if matches!(event, WebsocketEvent::Close(_)) {
                    break;
                }
            }
        };
        futures_util::pin_mut!(handshake);
        let _ = select(handshake, Delay::from(Duration::from_millis(2_000))).await;
    }
    drop(events);
    conn.release_slot().await;
    conn.finish().await;
}

impl Connection {
    fn now_ms(&self) -> u64 {
        now_unix_ms().saturating_sub(self.opened_ms)
    }

    async fn feed(&mut self, event: Event<'_>) {
        let mut out = Vec::new();
        self.session.handle(self.now_ms(), event, &mut out);
        self.execute(out).await;
    }

    /// The client went away (or is treated as gone): open speech is cut and queued.
    async fn ended(&mut self) {
        // The key's place first, before the close is answered: a counter that reconnects at
        // once finds it free.
        self.release_slot().await;
        if self.socket_open {
            self.close(1000, "encerrado");
        }
        self.socket_open = false;
        self.feed(Event::StreamEnded).await;
    }

    async fn execute(&mut self, actions: Vec<Action>) {
        let mut queue: VecDeque<Action> = actions.into();
        let mut out = Vec::new();
        while let Some(action) = queue.pop_front() {
            match action {
                Action::Send(msg) => self.send(&msg),
                Action::Close { code, reason } => self.close(code, reason),
                Action::VerifyKey { api_key } => {
                    let lookup = self.look_up(&api_key).await;
                    if lookup == KeyLookup::KeyAtLimit {
                        with_stats(|s| s.limited += 1);
                    }
                    self.session
                        .handle(self.now_ms(), Event::KeyChecked(lookup), &mut out);
                }
                Action::ChargeFailedAuth => {
                    let delay_ms = self.charge_failed_auth().await;
                    self.session.handle(
                        self.now_ms(),
                        Event::FailedAuthCharged { delay_ms },
                        &mut out,
                    );
                }
                Action::StoreSegment(segment) => {
                    if self.to_relay.len() >= MAX_QUEUED_SEGMENTS {
                        worker::console_error!(
                            "edge-worker: {} segments already wait for the relay; one refused",
                            self.to_relay.len()
                        );
                        with_stats(|s| s.relay_failures += 1);
                        self.session.handle(
                            self.now_ms(),
                            Event::SegmentStoreFailed {
                                origin: segment.origin,
                            },
                            &mut out,
                        );
                    } else {
                        self.to_relay.push_back(Queued {
                            segment,
                            attempts: 0,
                            not_before_ms: 0,
                        });
                    }
                }
                // The Lambda already transcribed, advised and recorded in the same round trip.
                Action::Transcribe { .. }
                | Action::Advise { .. }
                | Action::RecordSuggestion { .. } => {}
                Action::Suppressed { product, .. } => {
                    worker::console_log!(
                        "edge-worker: repeat of the last product not sent: {product}"
                    );
                }
            }
            queue.extend(out.drain(..));
        }
    }

    fn send(&mut self, msg: &ServerMessage) {
        if self.socket_open && self.ws.send_with_str(msg.to_json()).is_err() {
            self.socket_open = false;
        }
    }

    fn close(&mut self, code: u16, reason: &str) {
        if self.socket_open {
            let _ = self.ws.close(Some(code), Some(reason));
            self.socket_open = false;
        }
    }

    /// Asks a limiter object; `None` (logged) when it cannot answer: limits fail open.
    async fn limiter(&self, name: &str, request: &LimiterRequest) -> Option<LimiterReply> {
        let namespace = self.setup.limiter.as_ref()?;
        let started = worker::js_sys::Date::now();
        let reply = ask(namespace, name, request).await;
        with_stats(|s| s.limiter_wall.record(worker::js_sys::Date::now() - started));
        reply
            .map_err(|e| worker::console_error!("edge-worker: limiter {name} unreachable: {e}"))
            .ok()
    }

    /// Renews the key slot's lease when due (`now` in ms since the socket opened).
    async fn renew_slot(&mut self, now: u64) {
        let Some(slot) = &self.slot else { return };
        if now < slot.renew_at_ms || !self.socket_open {
            return;
        }
        let name = slot.name.clone();
        let request = LimiterRequest::Renew {
            slot: self.entropy.clone(),
        };
        if let Some(LimiterReply::KeyFull { open }) = self.limiter(&name, &request).await {
            // The lease lapsed (the object was unreachable too long) and others took the
            // places: this socket stays; the next renewal tries again.
            worker::console_log!("edge-worker: {name} full ({open} open) on renewal");
        }
        if let Some(slot) = &mut self.slot {
            slot.renew_at_ms = now + self.setup.limits.renew_every_ms();
        }
    }

    /// Gives the key slot back (once).
    async fn release_slot(&mut self) {
        if let Some(slot) = self.slot.take() {
            let request = LimiterRequest::Release {
                slot: self.entropy.clone(),
            };
            self.limiter(&slot.name, &request).await;
        }
    }

    /// Looks an `auth` key up: its KV record, then a place under the key's connection limit
    /// (from its limiter object). What it comes to is the session's to decide.
    async fn look_up(&mut self, api_key: &str) -> KeyLookup {
        let presented = PresentedKey::parse(api_key);
        let result = match &presented {
            None => Err(Refusal::Malformed),
            Some(p) => match self.setup.keys.get(&kv_name(&p.key_id)).text().await {
                Ok(value) => check_key(p, value.as_deref(), self.setup.pepper.as_ref()),
                Err(e) => {
                    worker::console_error!("edge-worker: key lookup failed: {e}");
                    return KeyLookup::StoreUnavailable;
                }
            },
        };
        let id = presented.as_ref().map_or("-", |p| p.key_id.as_str());
        let key = match result {
            Ok(key) => key,
            Err(Refusal::Corrupt(e)) => {
                worker::console_error!("edge-worker: the KV record of key {id} is unreadable: {e}");
                return KeyLookup::StoreUnavailable;
            }
            Err(why) => {
                worker::console_log!(
                    "edge-worker: authentication refused (key {id}, {}): {why}",
                    self.ip
                );
                return match why {
                    Refusal::Revoked => KeyLookup::Revoked,
                    _ => KeyLookup::NotFound,
                };
            }
        };
        let name = key_name(&key.key_id);
        let acquire = LimiterRequest::Acquire {
            slot: self.entropy.clone(),
        };
        match self.limiter(&name, &acquire).await {
            Some(LimiterReply::KeyFull { open }) => {
                worker::console_log!(
                    "edge-worker: auth refused: key {} has {open} open connections",
                    key.key_id
                );
                return KeyLookup::KeyAtLimit;
            }
            Some(_) => {
                self.slot = Some(HeldSlot {
                    name,
                    renew_at_ms: self.now_ms() + self.setup.limits.renew_every_ms(),
                });
            }
            None => {}
        }
        let now = now_unix_ms();
        let random = hex::decode(self.entropy.get(..20).unwrap_or_default()).unwrap_or_default();
        let session_id = uuid_v7(now, &random);
        worker::console_log!(
            "edge-worker: authenticated session {session_id} (key {}, loja {:?}, balcao {:?})",
            key.key_id,
            key.store,
            key.counter
        );
        with_stats(|s| s.sessions_authenticated += 1);
        self.who = Some(Who {
            key,
            session_id: session_id.clone(),
            started_at_ms: now as i64,
        });
        KeyLookup::Admitted { session_id }
    }

    /// Charges a failed `auth` to the client's address (its limiter object); returns how long
    /// to wait before the refusal (0 when the limiter cannot answer: limits fail open).
    async fn charge_failed_auth(&mut self) -> u64 {
        with_stats(|s| s.auth_failures += 1);
        let ip = ip_name(&self.ip);
        match self.limiter(&ip, &LimiterRequest::AuthFailed).await {
            Some(LimiterReply::AuthDelay { delay_ms }) => {
                if delay_ms > 0 {
                    with_stats(|s| s.auth_delayed += 1);
                }
                delay_ms
            }
            _ => 0,
        }
    }

    /// Starts the POST of the next queued segment, with the window as it stands now.
    fn next_relay(&mut self) -> Option<InFlight> {
        if self.to_relay.front()?.not_before_ms > self.now_ms() {
            return None; // backing off; the tick comes back here
        }
        let mut queued = self.to_relay.pop_front()?;
        queued.attempts += 1;
        let Some(who) = &self.who else {
            // Cannot happen (segments exist only after auth); answer as a failed store.
            return Some(InFlight {
                origin: queued.segment.origin,
                segment_id: String::new(),
                started_ms: worker::js_sys::Date::now(),
                answer: futures_util::future::ready(RelayOutcome::Failed("no session".into()))
                    .boxed_local(),
                queued: None,
            });
        };
        let seg = &queued.segment;
        let started = worker::js_sys::Date::now();
        let relay_session = RelaySession {
            session_id: &who.session_id,
            started_at_ms: who.started_at_ms,
            key_id: &who.key.key_id,
            store: &who.key.store,
            counter: &who.key.counter,
        };
        let post = segment_post(
            &self.setup.settings,
            &self.setup.signer,
            &relay_session,
            seg,
            self.session.conversation(),
            self.session.config(),
            now_unix_ms(),
        );
        with_stats(|s| s.segment_cpu.record(worker::js_sys::Date::now() - started));
        let origin = seg.origin.clone();
        let (segment_id, answer) = match post {
            Ok(post) => (
                post.segment_id.clone(),
                send_post(post, self.setup.settings.relay_timeout_ms).boxed_local(),
            ),
            Err(e) => (
                String::new(),
                futures_util::future::ready(RelayOutcome::Failed(e.to_string())).boxed_local(),
            ),
        };
        Some(InFlight {
            origin,
            segment_id,
            started_ms: started,
            answer,
            queued: Some(queued),
        })
    }

    async fn relayed(&mut self, mut done: InFlight, outcome: RelayOutcome) {
        let answer = read_answer(&done.segment_id, &outcome);
        let wall = worker::js_sys::Date::now() - done.started_ms;
        let attempts = done.queued.as_ref().map_or(0, |q| q.attempts);
        if let Some(wait_ms) =
            self.setup
                .settings
                .relay_retry
                .after(&done.origin, &answer, attempts)
            && let Some(mut queued) = done.queued.take()
        {
            worker::console_log!(
                "edge-worker: segment {} not stored (post {attempts}: {}); posting again in {wait_ms} ms",
                done.segment_id,
                answer.error.as_ref().map_or("", |e| e.message.as_str())
            );
            with_stats(|s| s.relay_retries += 1);
            queued.not_before_ms = self.now_ms() + wait_ms;
            self.to_relay.push_front(queued);
            return;
        }
        let failed = answer
            .error
            .as_ref()
            .is_some_and(|e| !e.code.segment_stored());
        with_stats(|s| {
            s.relay_wall.record(wall);
            if failed {
                s.relay_failures += 1;
            }
        });
        if let Some(e) = &answer.error {
            worker::console_log!(
                "edge-worker: segment {} answered {:?}: {}",
                done.segment_id,
                e.code,
                e.message
            );
        }
        for event in answer.events(&done.origin) {
            self.feed(event).await;
        }
    }

    /// After the socket and every queued segment are done: records the session's end.
    async fn finish(&mut self) {
        let Some(who) = &self.who else {
            return;
        };
        let now = now_unix_ms();
        match session_end_post(
            &self.setup.settings,
            &self.setup.signer,
            &who.session_id,
            now as i64,
            now,
        ) {
            Ok(post) => {
                if let RelayOutcome::Answered { status, .. } =
                    send_post(post, self.setup.settings.relay_timeout_ms).await
                    && !(200..300).contains(&status)
                {
                    worker::console_log!("edge-worker: session end answered HTTP {status}");
                }
            }
            Err(e) => worker::console_error!("edge-worker: {e}"),
        }
        worker::console_log!(
            "edge-worker: session {} finished: {:?}",
            who.session_id,
            self.session.stats()
        );
    }
}

/// Sends a signed POST, giving up after `timeout_ms`.
async fn send_post(post: SignedPost, timeout_ms: u64) -> RelayOutcome {
    let request = match build_request(&post) {
        Ok(r) => r,
        Err(e) => return RelayOutcome::Failed(e.to_string()),
    };
    let controller = AbortController::default();
    let signal = controller.signal();
    let call = async move {
        let mut response = Fetch::Request(request).send_with_signal(&signal).await?;
        let status = response.status_code();
        let body = response.text().await?;
        Ok::<_, worker::Error>(RelayOutcome::Answered { status, body })
    };
    let timer = Delay::from(Duration::from_millis(timeout_ms));
    futures_util::pin_mut!(call);
    match select(call, timer).await {
        Either::Left((Ok(outcome), _)) => outcome,
        Either::Left((Err(e), _)) => RelayOutcome::Failed(e.to_string()),
        Either::Right(((), _)) => {
            controller.abort();
            RelayOutcome::TimedOut
        }
    }
}

fn build_request(post: &SignedPost) -> worker::Result<Request> {
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    for (name, value) in &post.headers {
        headers.set(name, value)?;
    }
    let body = String::from_utf8_lossy(&post.body).into_owned();
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(body.into()));
    Request::new_with_init(&post.url, &init)
}
