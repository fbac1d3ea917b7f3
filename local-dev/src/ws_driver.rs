//! The driver of one `/ws` socket: moves frames between axum and the sans-IO session of
//! `balto_core::session`, and carries out the session's actions (look keys up, store segments)
//! and the steps of each stored segment's job (`balto_core::segment_job`: provider calls off
//! the socket's task, records). It decides nothing: verdicts, texts and failure policy are
//! core's.

use crate::app::{App, Counters};
use crate::audio_files::write_segment_wav;
use crate::claims::Claim;
use crate::clock::unix_ms;
use crate::counter_keys;
use crate::front_end::BoxedFrontEnd;
use crate::limits::{ConnectionSlot, KeySlot, RateMeter, RateVerdict};
use crate::pipeline::{
    Answer, PcmSource, TaskFor, TaskOutcome, TaskReport, record, spawn_advice, spawn_transcription,
};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use balto_core::admission::KeyLookup;
use balto_core::protocol::{CLOSE_GOING_AWAY, ServerMessage};
use balto_core::records::{CounterKey, InsertOutcome, SegmentRecord, SegmentStatus, SessionRecord};
use balto_core::segment_job::{JobEvent, JobPolicy, JobStep, SegmentJob, SegmentRef};
use balto_core::session::{Action, Event, SegmentOrigin, SegmentToStore, Session};
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
    job: SegmentJob,
    /// The advisor's answer while the session decides what reaches the counter.
    answer: Option<Answer>,
}

/// One thing to carry out: an action of the session, something that happened to a segment's
/// job, or a step of that job (with what its records need, so the job may be gone by then).
enum Work {
    Act(Action),
    Job(SegmentOrigin, JobEvent),
    Step {
        origin: SegmentOrigin,
        segment_id: String,
        claim: Arc<Claim>,
        step: JobStep,
    },
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
    reports: mpsc::UnboundedSender<TaskReport>,
    rate: RateMeter,
    /// Last time anything (a frame, a pong) arrived: a socket silent for too long is half-open.
    last_heard: Instant,
    /// Held while authenticated: this socket's place under the per-key limit.
    key_slot: Option<KeySlot>,
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
            if !conn.session.peer_gone() {
                // The socket went without the session hearing of it (a failed write).
                conn.feed(Event::StreamEnded).await;
            }
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
                        let took = started.elapsed();
                        app.counters.frame_processing.record(took);
                        crate::metrics::record_frame(took);
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
    /// (reading pauses, so TCP slows the sender); a large one is the session's to refuse.
    /// True to handle the frame.
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
                self.feed(Event::RateExceeded).await;
                false
            }
        }
    }

    /// Feeds one event and carries out every resulting action (and what they cause).
    async fn feed(&mut self, event: Event<'_>) {
        let mut out = Vec::new();
        self.session.handle(self.now_ms(), event, &mut out);
        self.execute(out.into_iter().map(Work::Act).collect()).await;
    }

    /// Carries out work in order; what it causes is queued behind it.
    async fn execute(&mut self, work: Vec<Work>) {
        let mut queue: VecDeque<Work> = work.into();
        let mut out = Vec::new();
        while let Some(item) = queue.pop_front() {
            match item {
                Work::Act(action) => self.act(action, &mut out, &mut queue).await,
                Work::Job(origin, event) => self.job(origin, event, &mut queue),
                Work::Step {
                    origin,
                    segment_id,
                    claim,
                    step,
                } => {
                    self.step(&origin, &segment_id, step, &mut out, &mut queue)
                        .await;
                    drop(claim);
                }
            }
            queue.extend(out.drain(..).map(Work::Act));
        }
    }

    /// One action of the session; the session's answers go to `out`, job work to `queue`.
    async fn act(&mut self, action: Action, out: &mut Vec<Action>, queue: &mut VecDeque<Work>) {
        match action {
            Action::Send(msg) => self.send(&msg).await,
            Action::Close { code, reason } => self.close(code, reason).await,
            Action::VerifyKey { api_key } => {
                let lookup = self.look_up(&api_key).await;
                self.session
                    .handle(self.now_ms(), Event::KeyChecked(lookup), out);
            }
            Action::ChargeFailedAuth => {
                let delay = self.app.gate.auth_failed(self.peer.ip());
                crate::metrics::auth_refused(delay);
                tracing::info!(peer = %self.peer, delay_ms = delay.as_millis() as u64, "authentication refused");
                let delay_ms = delay.as_millis() as u64;
                self.session
                    .handle(self.now_ms(), Event::FailedAuthCharged { delay_ms }, out);
            }
            Action::StoreSegment(seg) => {
                let event = self.store_segment(seg).await;
                self.session.handle(self.now_ms(), event.as_event(), out);
            }
            Action::Transcribe { origin } => queue.push_back(Work::Job(
                origin,
                JobEvent::Start {
                    stored_transcript: None,
                },
            )),
            Action::Advise {
                origin,
                conversation,
                base_transcript,
            } => match (self.app.advisor.clone(), self.segments.get(&origin)) {
                (Some(advisor), Some(_)) => {
                    if let Some(task) = self.task_for(origin) {
                        let store = Arc::clone(&self.app.store);
                        spawn_advice(store, advisor, conversation, base_transcript, task);
                    }
                }
                (None, Some(_)) => queue.push_back(Work::Job(origin, JobEvent::NoAdvisor)),
                (_, None) => {}
            },
            Action::Suppressed { origin, product } => {
                tracing::info!(peer = %self.peer, ?origin, %product, "repeat of the last product not sent");
            }
            Action::RecordSuggestion {
                origin,
                advice,
                base_transcript,
                sent,
            } => {
                let answer = self
                    .segments
                    .get_mut(&origin)
                    .and_then(|inflight| inflight.answer.take());
                if let Some(answer) = answer {
                    let event = JobEvent::Advised {
                        advice,
                        advisor: answer.advisor,
                        base_transcript,
                        latency_ms: answer.latency_ms,
                        sent,
                    };
                    queue.push_back(Work::Job(origin, event));
                }
            }
        }
    }

    /// Feeds a segment's job; its steps are queued, and a finished job lets its segment go.
    fn job(&mut self, origin: SegmentOrigin, event: JobEvent, queue: &mut VecDeque<Work>) {
        let Some(inflight) = self.segments.get_mut(&origin) else {
            return;
        };
        for step in inflight.job.handle(event) {
            queue.push_back(Work::Step {
                origin: origin.clone(),
                segment_id: inflight.segment_id.clone(),
                claim: Arc::clone(&inflight.claim),
                step,
            });
        }
        if inflight.job.is_finished() {
            self.segments.remove(&origin);
        }
    }

    /// One step of a segment's job.
    async fn step(
        &mut self,
        origin: &SegmentOrigin,
        segment_id: &str,
        step: JobStep,
        out: &mut Vec<Action>,
        queue: &mut VecDeque<Work>,
    ) {
        match &step {
            JobStep::Transcribe => self.start_transcription(origin.clone(), queue),
            // The session asks, with its window, once it hears the transcript (below).
            JobStep::Advise { .. } => {}
            // The recovery sweep takes the segment up again (`recovery`).
            JobStep::RetryAfter { ms } => {
                tracing::info!(segment = %segment_id, retry_in_ms = ms, "segment left for the recovery sweep");
            }
            JobStep::StoreTranscript(heard) => {
                let session_id = self.session_id.clone().unwrap_or_default();
                let segment = SegmentRef {
                    segment_id,
                    session_id: &session_id,
                };
                record(&*self.app.store, segment, &step).await;
                // The session tells a Part 2 client what it heard and asks for advice.
                let start_ms = self.segments.get(origin).map_or(0, |s| s.start_ms);
                let event = Event::Transcribed {
                    origin: origin.clone(),
                    start_ms,
                    text: heard.text.clone(),
                };
                self.session.handle(self.now_ms(), event, out);
            }
            JobStep::RecordSuggestion { .. } | JobStep::SetStatus { .. } => {
                let session_id = self.session_id.clone().unwrap_or_default();
                let segment = SegmentRef {
                    segment_id,
                    session_id: &session_id,
                };
                record(&*self.app.store, segment, &step).await;
            }
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

    /// Looks an `auth` key up: the key, then its place under the per-key limit, then the
    /// session record. What it comes to is the session's to decide.
    async fn look_up(&mut self, api_key: &str) -> KeyLookup {
        let key =
            match counter_keys::verify(&*self.app.store, self.app.key_pepper.as_ref(), api_key)
                .await
            {
                Ok(Some(key)) => key,
                Ok(None) => return KeyLookup::NotFound,
                Err(e) => {
                    tracing::error!(peer = %self.peer, error = %e, "key lookup failed");
                    return KeyLookup::StoreUnavailable;
                }
            };
        let gate = &self.app.gate;
        let Some(slot) = gate.admit_key(&key.key_id) else {
            tracing::warn!(peer = %self.peer, key = %key.key_id, max = gate.limits().max_connections_per_key, "auth refused: too many connections for this key");
            return KeyLookup::KeyAtLimit;
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
            return KeyLookup::StoreUnavailable;
        }
        tracing::info!(peer = %self.peer, session = %session_id, loja = %key.store, balcao = %key.counter, "authenticated");
        self.session_id = Some(session_id.clone());
        self.key = Some(key);
        KeyLookup::Admitted { session_id }
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
                        job: SegmentJob::new(JobPolicy::default(), 0),
                        answer: None,
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

    /// Starts a segment's transcription, or queues it while the socket has
    /// [`MAX_TASKS_PER_SOCKET`] tasks running.
    fn start_transcription(&mut self, origin: SegmentOrigin, queue: &mut VecDeque<Work>) {
        let Some(transcriber) = self.app.transcriber.clone() else {
            queue.push_back(Work::Job(origin, JobEvent::NoTranscriber));
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
        if let Some(task) = self.task_for(origin) {
            spawn_transcription(Arc::clone(&self.app.store), transcriber, audio, task);
        }
    }

    /// A task for a stored segment (counted against [`MAX_TASKS_PER_SOCKET`] until it reports).
    fn task_for(&mut self, origin: SegmentOrigin) -> Option<TaskFor> {
        let inflight = self.segments.get(&origin)?;
        let task = TaskFor {
            segment_id: inflight.segment_id.clone(),
            claim: Arc::clone(&inflight.claim),
            report: self.reports.clone(),
            origin,
        };
        self.pending_tasks += 1;
        Some(task)
    }

    /// A task finished: the next waiting transcription may start, and what the task came to
    /// goes to the job (STT, a failure) or to the session (the advisor's answer).
    async fn on_report(&mut self, report: TaskReport) {
        self.pending_tasks = self.pending_tasks.saturating_sub(1);
        let mut work = Vec::new();
        let mut queue = VecDeque::new();
        while self.pending_tasks < MAX_TASKS_PER_SOCKET {
            let Some(origin) = self.waiting.pop_front() else {
                break;
            };
            self.start_transcription(origin, &mut queue);
        }
        work.extend(queue);
        let TaskReport { origin, outcome } = report;
        match outcome {
            TaskOutcome::Stt(event) | TaskOutcome::Advice(Err(event)) => {
                work.push(Work::Job(origin, event));
            }
            TaskOutcome::Advice(Ok(answer)) => {
                let event = Event::Advised {
                    origin: origin.clone(),
                    advice: answer.advice.clone(),
                    base_transcript: answer.base_transcript.clone(),
                };
                if let Some(inflight) = self.segments.get_mut(&origin) {
                    inflight.answer = Some(answer);
                }
                let mut out = Vec::new();
                self.session.handle(self.now_ms(), event, &mut out);
                work.extend(out.into_iter().map(Work::Act));
            }
        }
        self.execute(work).await;
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
