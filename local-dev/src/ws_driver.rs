//! The driver of one `/ws` socket: moves frames between axum and the sans-IO session of
//! `balto_core::session`, and carries out the session's actions (verify, store, pipeline).

use crate::app::{App, BoxedFrontEnd, Counters};
use crate::audio_files::write_segment_wav;
use crate::claims::Claim;
use crate::clock::unix_ms;
use crate::counter_keys;
use crate::limits::{ConnectionSlot, KeySlot, RateMeter, RateVerdict};
use crate::pipeline::{PcmSource, PipelineReport, mark, spawn_advice, spawn_transcription};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use balto_core::protocol::{
    AUTH_UNAVAILABLE_MESSAGE, CLOSE_GOING_AWAY, CLOSE_INTERNAL_ERROR, CLOSE_POLICY, ErrorCode,
    ServerMessage,
};
use balto_core::records::{
    CounterKey, InsertOutcome, SegmentRecord, SegmentStatus, SessionRecord, SuggestionRecord,
};
use balto_core::session::{Action, AuthGrant, Event, SegmentOrigin, SegmentToStore, Session};
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// How often the session is ticked (auth deadline resolution).
const TICK: Duration = Duration::from_millis(100);
/// After the client leaves, results still in flight are awaited this long at most.
const DRAIN_LIMIT: Duration = Duration::from_secs(180);
/// Transcription/advice tasks a socket may have running. Segments stored beyond it are
/// acknowledged as usual and wait their turn without their audio in memory (it is read back
/// from the segment's WAV when a task frees), so a socket holds at most this many segments'
/// audio (≤ 960 KB each) however fast it sends.
pub const MAX_TASKS_PER_SOCKET: usize = 8;

/// A segment stored and not yet done with.
struct InFlight {
    segment_id: String,
    start_ms: u64,
    /// The audio while it waits for its first task; dropped if it has to queue.
    pcm: Option<Vec<i16>>,
    /// Its WAV file (where a queued segment's audio is read back from).
    audio_path: std::path::PathBuf,
    /// Keeps the recovery sweep off the segment while this connection's tasks work on it.
    claim: Arc<Claim>,
}

struct Connection {
    app: Arc<App>,
    peer: SocketAddr,
    session: Session<BoxedFrontEnd>,
    sink: SplitSink<WebSocket, Message>,
    socket_open: bool,
    opened: Instant,
    key: Option<CounterKey>,
    session_id: Option<String>,
    segments: HashMap<SegmentOrigin, InFlight>,
    pending_tasks: usize,
    /// Stored segments waiting for a task (see [`MAX_TASKS_PER_SOCKET`]), oldest first.
    waiting: VecDeque<SegmentOrigin>,
    reports: mpsc::UnboundedSender<PipelineReport>,
    rate: RateMeter,
    /// Last time anything (a frame, a pong) arrived: a socket silent for too long is half-open.
    last_heard: Instant,
    /// Held while authenticated: this socket's place under the per-key limit.
    key_slot: Option<KeySlot>,
}

/// What checking an `auth` key came to.
enum Verified {
    Granted(AuthGrant),
    Refused,
    /// Refused by a limit, with the `erro` to send before closing with 1008.
    Limited(ErrorCode, &'static str),
    /// The key could not be checked (storage failed): `erro_interno`, close 1011; the key is
    /// not called wrong and the address is not charged a failed attempt.
    Unavailable,
}

/// Serves one WebSocket until it closes and its in-flight segments are finished.
pub async fn serve_socket(
    socket: WebSocket,
    app: Arc<App>,
    peer: SocketAddr,
    slot: ConnectionSlot,
) {
    let _slot = slot;
    let mut live = app.live.open();
    Counters::add(&app.counters.connections_open, 1);
    Counters::add(&app.counters.connections_total, 1);
    let (sink, mut stream) = socket.split();
    let (reports, mut report_rx) = mpsc::unbounded_channel();
    let maker = Arc::clone(&app.front_end);
    let session = Session::new(app.session_config.clone(), 0, Box::new(move || maker()));
    let mut conn = Connection {
        app: Arc::clone(&app),
        peer,
        session,
        sink,
        socket_open: true,
        opened: Instant::now(),
        key: None,
        session_id: None,
        segments: HashMap::new(),
        pending_tasks: 0,
        waiting: VecDeque::new(),
        reports,
        rate: app.gate.rate_meter(),
        last_heard: Instant::now(),
        key_slot: None,
    };
    let mut ticker = tokio::time::interval(TICK);
    let limits = app.gate.limits().clone();
    let mut pinger = tokio::time::interval_at(
        tokio::time::Instant::now() + limits.ping_interval,
        limits.ping_interval,
    );
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let shutdown = app.shutdown.clone();
    let mut drain_deadline: Option<tokio::time::Instant> = None;

    loop {
        live.sync(
            conn.key.as_ref(),
            conn.session_id.as_deref(),
            conn.pending_tasks > 0,
        );
        if !conn.socket_open {
            // The key's place is for open sockets: a reconnecting counter must not wait for
            // this one's in-flight segments.
            conn.key_slot = None;
            if conn.pending_tasks == 0 {
                break;
            }
            let deadline =
                *drain_deadline.get_or_insert_with(|| tokio::time::Instant::now() + DRAIN_LIMIT);
            tokio::select! {
                report = report_rx.recv() => match report {
                    Some(r) => conn.on_report(r).await,
                    None => break,
                },
                _ = tokio::time::sleep_until(deadline) => {
                    tracing::warn!(peer = %conn.peer, pending = conn.pending_tasks, "gave up waiting for in-flight segments");
                    break;
                }
            }
            continue;
        }
        tokio::select! {
            _ = shutdown.cancelled() => {
                conn.feed(Event::StreamEnded).await;
                conn.close(CLOSE_GOING_AWAY, "servidor encerrando").await;
            }
            frame = stream.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    if conn.metered(text.len()).await {
                        conn.feed(Event::Text(text.as_str())).await;
                    }
                }
                Some(Ok(Message::Binary(bytes))) => {
                    if conn.metered(bytes.len()).await {
                        let started = Instant::now();
                        conn.feed(Event::Binary(&bytes)).await;
                        app.counters.frame_processing.record(started.elapsed());
                    }
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => conn.last_heard = Instant::now(),
                Some(Ok(Message::Close(_))) | None => {
                    conn.socket_open = false;
                    conn.feed(Event::StreamEnded).await;
                }
                Some(Err(e)) => {
                    tracing::info!(peer = %conn.peer, error = %e, "socket error");
                    conn.socket_open = false;
                    conn.feed(Event::StreamEnded).await;
                }
            },
            report = report_rx.recv() => {
                if let Some(r) = report {
                    conn.on_report(r).await;
                }
            }
            _ = ticker.tick() => conn.feed(Event::Tick).await,
            _ = pinger.tick() => {
                if conn.last_heard.elapsed() > limits.silence_timeout {
                    tracing::info!(peer = %conn.peer, silent_s = conn.last_heard.elapsed().as_secs(), "no frame or pong: half-open socket dropped");
                    conn.socket_open = false;
                    conn.feed(Event::StreamEnded).await;
                } else if conn.sink.send(Message::Ping(Default::default())).await.is_err() {
                    conn.socket_open = false;
                    conn.feed(Event::StreamEnded).await;
                }
            }
        }
    }

    if let Some(id) = &conn.session_id
        && let Err(e) = app.store.close_session(id, unix_ms()).await
    {
        tracing::error!(session = %id, error = %e, "could not close session record");
    }
    Counters::sub(&app.counters.connections_open, 1);
    tracing::info!(peer = %conn.peer, session = ?conn.session_id, stats = ?conn.session.stats(), "connection finished");
}

impl Connection {
    fn now_ms(&self) -> u64 {
        self.opened.elapsed().as_millis() as u64
    }

    /// Applies the rate limit to an inbound frame of `len` bytes: waits out a small excess
    /// (reading pauses, so TCP slows the sender); closes on a large one. True to handle it.
    async fn metered(&mut self, len: usize) -> bool {
        self.last_heard = Instant::now();
        match self.rate.admit(len, self.now_ms()) {
            RateVerdict::Accept { delay } => {
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                true
            }
            RateVerdict::Close => {
                tracing::warn!(peer = %self.peer, len, "rate limit exceeded: closing");
                self.refuse(
                    ErrorCode::LimiteExcedido,
                    "envio acima do limite de taxa desta conexão",
                )
                .await;
                self.feed(Event::StreamEnded).await;
                false
            }
        }
    }

    /// Sends `erro` and closes with 1008 (policy).
    async fn refuse(&mut self, code: ErrorCode, message: &str) {
        self.send(&ServerMessage::error(code, message)).await;
        self.close(CLOSE_POLICY, code.as_str()).await;
    }

    /// Feeds one event and carries out every resulting action (and the events they cause).
    async fn feed(&mut self, event: Event<'_>) {
        let mut out = Vec::new();
        self.session.handle(self.now_ms(), event, &mut out);
        self.execute(out).await;
    }

    async fn execute(&mut self, actions: Vec<Action>) {
        let mut queue: VecDeque<Action> = actions.into();
        let mut out = Vec::new();
        while let Some(action) = queue.pop_front() {
            match action {
                Action::Send(msg) => self.send(&msg).await,
                Action::Close { code, reason } => self.close(code, reason).await,
                Action::VerifyKey { api_key } => match self.verify(&api_key).await {
                    Verified::Granted(grant) => {
                        self.session.handle(
                            self.now_ms(),
                            Event::KeyChecked(Some(grant)),
                            &mut out,
                        );
                    }
                    Verified::Refused => {
                        self.session
                            .handle(self.now_ms(), Event::KeyChecked(None), &mut out);
                    }
                    Verified::Limited(code, message) => {
                        self.refuse(code, message).await;
                    }
                    Verified::Unavailable => {
                        self.send(&ServerMessage::error(
                            ErrorCode::ErroInterno,
                            AUTH_UNAVAILABLE_MESSAGE,
                        ))
                        .await;
                        self.close(CLOSE_INTERNAL_ERROR, ErrorCode::ErroInterno.as_str())
                            .await;
                    }
                },
                Action::StoreSegment(seg) => {
                    let event = self.store_segment(seg).await;
                    self.session
                        .handle(self.now_ms(), event.as_event(), &mut out);
                }
                Action::Transcribe { origin } => self.start_transcription(origin),
                Action::Advise {
                    origin,
                    conversation,
                    base_transcript,
                } => {
                    match (self.app.advisor.clone(), self.segments.get(&origin)) {
                        (Some(advisor), Some(inflight)) => {
                            self.pending_tasks += 1;
                            spawn_advice(
                                Arc::clone(&self.app.store),
                                advisor,
                                inflight.segment_id.clone(),
                                origin,
                                conversation,
                                base_transcript,
                                Arc::clone(&inflight.claim),
                                self.reports.clone(),
                            );
                        }
                        (None, Some(inflight)) => {
                            // Nothing decides: the transcript is stored and the segment is done.
                            let id = inflight.segment_id.clone();
                            mark(&*self.app.store, &id, SegmentStatus::Processed, None).await;
                            self.segments.remove(&origin);
                        }
                        (_, None) => {}
                    }
                }
                Action::Suppressed { origin, product } => {
                    tracing::info!(peer = %self.peer, ?origin, %product, "repeat of the last product not sent");
                }
            }
            queue.extend(out.drain(..));
        }
    }

    async fn send(&mut self, msg: &ServerMessage) {
        if !self.socket_open {
            return;
        }
        if matches!(msg, ServerMessage::Recomendar { .. }) {
            Counters::add(&self.app.counters.recommendations_sent, 1);
        }
        if let Err(e) = self.sink.send(Message::Text(msg.to_json().into())).await {
            tracing::info!(peer = %self.peer, error = %e, "send failed; closing");
            self.socket_open = false;
        }
    }

    async fn close(&mut self, code: u16, reason: &str) {
        if !self.socket_open {
            return;
        }
        let frame = CloseFrame {
            code,
            reason: reason.into(),
        };
        let _ = self.sink.send(Message::Close(Some(frame))).await;
        let _ = self.sink.close().await;
        self.socket_open = false;
    }

    async fn verify(&mut self, api_key: &str) -> Verified {
        let gate = &self.app.gate;
        let ip = self.peer.ip();
        if let Some(wait) = gate.auth_blocked_for(ip) {
            tracing::info!(peer = %self.peer, wait_s = wait.as_secs(), "auth refused: address blocked");
            return Verified::Limited(
                ErrorCode::MuitasTentativas,
                "muitas tentativas de autenticação falhas deste endereço; tente mais tarde",
            );
        }
        let key = match counter_keys::verify(
            &*self.app.store,
            self.app.key_pepper.as_ref(),
            api_key,
        )
        .await
        {
            Ok(Some(key)) => key,
            Ok(None) => {
                let blocked = gate.auth_failed(ip);
                tracing::info!(peer = %self.peer, blocked_s = blocked.map(|d| d.as_secs()), "authentication refused");
                return Verified::Refused;
            }
            Err(e) => {
                tracing::error!(peer = %self.peer, error = %e, "key lookup failed");
                return Verified::Unavailable;
            }
        };
        gate.auth_succeeded(ip);
        let Some(slot) = gate.admit_key(&key.key_id) else {
            tracing::warn!(peer = %self.peer, key = %key.key_id, max = gate.limits().max_connections_per_key, "auth refused: too many connections for this key");
            return Verified::Limited(
                ErrorCode::MuitasConexoes,
                "muitas conexões abertas com esta chave",
            );
        };
        self.key_slot = Some(slot);
        let session_id = uuid::Uuid::now_v7().to_string();
        let record = SessionRecord {
            id: session_id.clone(),
            key_id: key.key_id.clone(),
            store: key.store.clone(),
            counter: key.counter.clone(),
            started_at_ms: unix_ms(),
            ended_at_ms: None,
        };
        if let Err(e) = self.app.store.open_session(record).await {
            tracing::error!(peer = %self.peer, error = %e, "could not record the session");
            self.key_slot = None;
            return Verified::Unavailable;
        }
        tracing::info!(peer = %self.peer, session = %session_id, loja = %key.store, balcao = %key.counter, "authenticated");
        self.session_id = Some(session_id.clone());
        self.key = Some(key);
        Verified::Granted(AuthGrant { session_id })
    }

    /// Writes the WAV, then the row; only then may the segment be acknowledged.
    async fn store_segment(&mut self, seg: SegmentToStore) -> StoreResult {
        let (Some(key), Some(session_id)) = (self.key.clone(), self.session_id.clone()) else {
            return StoreResult::Failed(seg.origin);
        };
        let segment_id = uuid::Uuid::now_v7().to_string();
        // Claimed before the row exists, so no sweep can take it in between.
        let Some(claim) = self.app.claims.claim(&segment_id) else {
            return StoreResult::Failed(seg.origin);
        };
        let (client_id, seq) = match &seg.origin {
            SegmentOrigin::Client { id } => (Some(id.clone()), None),
            SegmentOrigin::Stream { seq } => (None, Some(*seq)),
        };
        let dir = self.app.audio_dir.clone();
        let (folder, name, pcm) = (session_id.clone(), segment_id.clone(), seg.pcm);
        let written = tokio::task::spawn_blocking(move || {
            write_segment_wav(&dir, &folder, &name, &pcm).map(|path| (path, pcm))
        })
        .await;
        let (path, pcm) = match written {
            Ok(Ok(done)) => done,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "could not write segment audio");
                return StoreResult::Failed(seg.origin);
            }
            Err(e) => {
                tracing::error!(error = %e, "audio writer task failed");
                return StoreResult::Failed(seg.origin);
            }
        };
        let record = SegmentRecord {
            id: segment_id.clone(),
            session_id,
            key_id: key.key_id,
            client_id,
            seq,
            start_ms: seg.start_ms,
            duration_ms: seg.duration_ms,
            audio_ref: path.display().to_string(),
            created_at_ms: unix_ms(),
            status: SegmentStatus::Stored,
            attempts: 0,
            last_error: None,
        };
        match self.app.store.insert_segment(record).await {
            Ok(InsertOutcome::Inserted) => {
                Counters::add(&self.app.counters.segments_stored, 1);
                self.segments.insert(
                    seg.origin.clone(),
                    InFlight {
                        segment_id,
                        start_ms: seg.start_ms,
                        pcm: Some(pcm),
                        audio_path: path,
                        claim: Arc::new(claim),
                    },
                );
                StoreResult::Stored(seg.origin, false)
            }
            Ok(InsertOutcome::Duplicate(existing)) => {
                tracing::info!(segment = %existing.id, "segment re-sent; acknowledged again");
                let _ = std::fs::remove_file(&path);
                StoreResult::Stored(seg.origin, true)
            }
            Err(e) => {
                tracing::error!(error = %e, "could not store segment row");
                let _ = std::fs::remove_file(&path);
                StoreResult::Failed(seg.origin)
            }
        }
    }

    fn start_transcription(&mut self, origin: SegmentOrigin) {
        let Some(transcriber) = self.app.transcriber.clone() else {
            // No engine: the segment stays stored (status `stored`) for a later run.
            self.segments.remove(&origin);
            return;
        };
        let Some(inflight) = self.segments.get_mut(&origin) else {
            return;
        };
        if self.pending_tasks >= MAX_TASKS_PER_SOCKET {
            // Its turn comes when a task finishes; the audio waits on disk, not here.
            inflight.pcm = None;
            self.waiting.push_back(origin);
            return;
        }
        let audio = match inflight.pcm.take() {
            Some(pcm) => PcmSource::Memory(pcm),
            None => PcmSource::Wav(inflight.audio_path.clone()),
        };
        self.pending_tasks += 1;
        spawn_transcription(
            Arc::clone(&self.app.store),
            transcriber,
            inflight.segment_id.clone(),
            origin,
            inflight.start_ms,
            audio,
            Arc::clone(&inflight.claim),
            self.reports.clone(),
        );
    }

    /// Starts waiting transcriptions while there is room for them.
    fn start_waiting(&mut self) {
        while self.pending_tasks < MAX_TASKS_PER_SOCKET {
            let Some(origin) = self.waiting.pop_front() else {
                return;
            };
            self.start_transcription(origin);
        }
    }

    async fn on_report(&mut self, report: PipelineReport) {
        self.pending_tasks = self.pending_tasks.saturating_sub(1);
        self.start_waiting();
        match report {
            PipelineReport::Transcribed {
                origin,
                start_ms,
                text,
            } => {
                let empty = text.trim().is_empty();
                self.feed(Event::Transcribed {
                    origin: origin.clone(),
                    start_ms,
                    text,
                })
                .await;
                if empty {
                    self.segments.remove(&origin);
                }
            }
            PipelineReport::Advised {
                origin,
                advice,
                advisor,
                base_transcript,
                latency_ms,
            } => {
                let mut out = Vec::new();
                self.session.handle(
                    self.now_ms(),
                    Event::Advised {
                        origin: origin.clone(),
                        advice: advice.clone(),
                        base_transcript: base_transcript.clone(),
                    },
                    &mut out,
                );
                // Sent only if the socket is still there to carry it (a closed one drains).
                let sent = self.socket_open
                    && out
                        .iter()
                        .any(|a| matches!(a, Action::Send(ServerMessage::Recomendar { .. })));
                if let (Some(inflight), Some(session_id)) =
                    (self.segments.remove(&origin), self.session_id.clone())
                {
                    let record = SuggestionRecord {
                        segment_id: inflight.segment_id.clone(),
                        session_id,
                        advisor,
                        advice,
                        base_transcript,
                        sent,
                        latency_ms,
                        created_at_ms: unix_ms(),
                    };
                    if let Err(e) = self.app.store.insert_suggestion(record).await {
                        tracing::error!(error = %e, "could not store suggestion");
                    }
                    mark(
                        &*self.app.store,
                        &inflight.segment_id,
                        SegmentStatus::Processed,
                        None,
                    )
                    .await;
                }
                self.execute(out).await;
            }
            PipelineReport::Failed { origin } => {
                self.segments.remove(&origin);
            }
        }
    }
}

/// The outcome of storing a segment, turned into the session's event.
enum StoreResult {
    Stored(SegmentOrigin, bool),
    Failed(SegmentOrigin),
}

impl StoreResult {
    fn as_event(&self) -> Event<'static> {
        match self {
            StoreResult::Stored(origin, duplicate) => Event::SegmentStored {
                origin: origin.clone(),
                duplicate: *duplicate,
            },
            StoreResult::Failed(origin) => Event::SegmentStoreFailed {
                origin: origin.clone(),
            },
        }
    }
}
