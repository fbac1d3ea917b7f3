//! The sans-IO session state machine of one counter socket (PROTOCOL.md Parts 1 and 2).
//!
//! A driver (local-dev's axum handler, the edge worker) feeds [`Event`]s — frames, timer ticks,
//! results of the I/O it was asked to do — and carries out the [`Action`]s that come back: send
//! a message, close with a code, verify a key, store a segment, run the pipeline, ask the
//! advisor. Every protocol rule lives here, once.

use crate::admission::{KeyLookup, Refusal};
use crate::advice::{Advice, Conversation};
use crate::frontend::{AudioFrontEnd, CutSegment, SAMPLES_PER_MS};
use crate::pcm::{PcmAssembler, bytes_to_samples};
use crate::protocol::{
    CLOSE_AUTH_FAILED, ClientMessage, ErrorCode, MAX_SEGMENT_MS, ParseError, SegmentHeader,
    ServerMessage, parse_client_text,
};
use std::collections::HashMap;

/// Limits and timings of a session. Defaults are PROTOCOL.md's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionConfig {
    /// A socket not authenticated within this many ms is closed with 4001.
    pub auth_timeout_ms: u64,
    /// Largest Part 1 binary frame accepted, in bytes.
    pub max_frame_bytes: usize,
    /// Largest Part 2 segment frame accepted, in bytes (30 s of 16 kHz s16le).
    pub max_segment_bytes: usize,
    /// How far a segment frame's length may disagree with its `duracao_ms`.
    pub segment_tolerance_ms: u64,
    /// How much recent conversation the advisor sees, in ms.
    pub window_ms: u64,
    /// At most this many utterances are kept in the window.
    pub window_max_utterances: usize,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            auth_timeout_ms: 10_000,
            max_frame_bytes: 65_536,
            max_segment_bytes: (MAX_SEGMENT_MS * SAMPLES_PER_MS * 2) as usize,
            segment_tolerance_ms: 100,
            window_ms: 60_000,
            window_max_utterances: 24,
        }
    }
}

/// Identifies a segment within its session: cut by the server's front end from raw PCM
/// (Part 1, numbered from 1) or sent ready-made by the client (Part 2, client's id).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SegmentOrigin {
    Stream { seq: u64 },
    Client { id: String },
}

/// A segment the driver must store durably before anything else happens to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentToStore {
    pub origin: SegmentOrigin,
    /// Start in ms: stream time for Part 1, the client's `inicio_ms` for Part 2.
    pub start_ms: u64,
    pub duration_ms: u64,
    pub pcm: Vec<i16>,
}

/// Something that happened to the session.
#[derive(Debug, Clone, PartialEq)]
pub enum Event<'a> {
    /// A text frame from the client.
    Text(&'a str),
    /// A binary frame from the client.
    Binary(&'a [u8]),
    /// Time passed (the driver ticks at least every few hundred ms).
    Tick,
    /// Result of [`Action::VerifyKey`]: what the driver found ([`crate::admission`] decides).
    KeyChecked(KeyLookup),
    /// Result of [`Action::ChargeFailedAuth`]: the address's throttle asks to wait this long
    /// before the refusal is answered.
    FailedAuthCharged { delay_ms: u64 },
    /// The client sent faster than its rate allows for too long: it is refused and closed.
    RateExceeded,
    /// Result of [`Action::StoreSegment`]: stored, or already there (`duplicate`).
    SegmentStored {
        origin: SegmentOrigin,
        duplicate: bool,
    },
    /// [`Action::StoreSegment`] failed: nothing was acknowledged, the client may re-send.
    SegmentStoreFailed { origin: SegmentOrigin },
    /// The pipeline transcribed a segment.
    Transcribed {
        origin: SegmentOrigin,
        start_ms: u64,
        text: String,
    },
    /// The advisor answered for a segment's window.
    Advised {
        origin: SegmentOrigin,
        advice: Advice,
        base_transcript: String,
    },
    /// The client went away: any open speech is cut and stored.
    StreamEnded,
}

/// Something the driver must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Send this message as a text frame.
    Send(ServerMessage),
    /// Close the socket with this code.
    Close { code: u16, reason: &'static str },
    /// Look the key up (and, for a valid key, take its place under the per-key limit and
    /// record the session) and answer with [`Event::KeyChecked`].
    VerifyKey { api_key: String },
    /// Count a failed `auth` against the client's address and answer with
    /// [`Event::FailedAuthCharged`] (the refusal waits for it).
    ChargeFailedAuth,
    /// Store this segment durably and answer with [`Event::SegmentStored`].
    StoreSegment(SegmentToStore),
    /// Transcribe the stored segment; answer with [`Event::Transcribed`].
    Transcribe { origin: SegmentOrigin },
    /// Ask the advisor about this window; answer with [`Event::Advised`].
    Advise {
        origin: SegmentOrigin,
        conversation: Conversation,
        base_transcript: String,
    },
    /// Advice that repeated the last pushed product was not sent (for logs and metrics).
    Suppressed {
        origin: SegmentOrigin,
        product: String,
    },
    /// Record the advisor's answer for a segment, with whether it reached the counter; the
    /// segment is done once it is recorded.
    RecordSuggestion {
        origin: SegmentOrigin,
        advice: Advice,
        base_transcript: String,
        sent: bool,
    },
}

/// Where the session is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    AwaitingAuth,
    VerifyingKey,
    /// The `auth` is refused; the refusal is answered at `at_ms` (`None`: waiting for the
    /// address's throttle to say when).
    Refusing {
        refusal: Refusal,
        at_ms: Option<u64>,
    },
    Authenticated {
        session_id: String,
    },
    Closed,
}

/// Running counts for monitoring.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SessionStats {
    pub audio_bytes: u64,
    pub audio_frames: u64,
    pub segments_cut: u64,
    pub client_segments: u64,
    pub errors_sent: u64,
    pub recommendations_sent: u64,
}

/// Builds a front end the first time raw PCM arrives (Part 2 sessions never pay for one).
pub type FrontEndFactory<F> = Box<dyn FnMut() -> F + Send>;

/// One counter socket's protocol state.
pub struct Session<F: AudioFrontEnd> {
    config: SessionConfig,
    phase: Phase,
    auth_deadline_ms: u64,
    assembler: PcmAssembler,
    front_end: Option<F>,
    make_front_end: FrontEndFactory<F>,
    cut: Vec<CutSegment>,
    next_seq: u64,
    pending_segment: Option<SegmentHeader>,
    discard_next_binary: bool,
    /// Segments handed to the driver to store and not answered yet: an answer for anything
    /// else is ignored.
    awaiting_store: HashMap<SegmentOrigin, u32>,
    conversation: Conversation,
    stats: SessionStats,
    /// The client left (or was closed for its rate): nothing is sent any more, results still
    /// in flight are recorded.
    peer_gone: bool,
}

impl<F: AudioFrontEnd> Session<F> {
    /// A session for a socket accepted at `now_ms`.
    pub fn new(config: SessionConfig, now_ms: u64, make_front_end: FrontEndFactory<F>) -> Self {
        Session {
            auth_deadline_ms: now_ms.saturating_add(config.auth_timeout_ms),
            config,
            phase: Phase::AwaitingAuth,
            assembler: PcmAssembler::new(),
            front_end: None,
            make_front_end,
            cut: Vec::new(),
            next_seq: 1,
            pending_segment: None,
            discard_next_binary: false,
            awaiting_store: HashMap::new(),
            conversation: Conversation::default(),
            stats: SessionStats::default(),
            peer_gone: false,
        }
    }

    /// The current phase.
    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// The session id once authenticated.
    pub fn session_id(&self) -> Option<&str> {
        match &self.phase {
            Phase::Authenticated { session_id } => Some(session_id),
            _ => None,
        }
    }

    /// The conversation window so far and the product pushed last (what a relay sends along
    /// with a segment, see [`crate::relay`]).
    pub fn conversation(&self) -> &Conversation {
        &self.conversation
    }

    /// The limits and timings this session runs with.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// Running counts.
    pub fn stats(&self) -> SessionStats {
        self.stats
    }

    /// When the driver must tick next at the latest (the auth deadline, a delayed refusal), if
    /// anything is timed.
    pub fn next_deadline_ms(&self) -> Option<u64> {
        match self.phase {
            Phase::AwaitingAuth => Some(self.auth_deadline_ms),
            Phase::Refusing { at_ms, .. } => at_ms,
            _ => None,
        }
    }

    /// Feeds one event at time `now_ms`; the actions to carry out are appended to `out`, in order.
    pub fn handle(&mut self, now_ms: u64, event: Event<'_>, out: &mut Vec<Action>) {
        if self.phase == Phase::Closed {
            return;
        }
        match event {
            // Nothing arrives from a client that is gone.
            Event::Text(_) | Event::Binary(_) if self.peer_gone => {}
            Event::Text(text) => self.on_text(text, out),
            Event::Binary(bytes) => self.on_binary(bytes, out),
            Event::Tick => self.on_tick(now_ms, out),
            Event::KeyChecked(lookup) => self.on_key_checked(lookup, out),
            Event::FailedAuthCharged { delay_ms } => {
                if let Phase::Refusing {
                    refusal,
                    at_ms: None,
                } = self.phase
                {
                    self.phase = Phase::Refusing {
                        refusal,
                        at_ms: Some(now_ms.saturating_add(delay_ms)),
                    };
                    self.on_tick(now_ms, out);
                }
            }
            // A refused `auth` is answered when its delay is up, not sooner: a flood must not
            // learn early that its key was wrong (the socket closes with the refusal anyway).
            Event::RateExceeded if matches!(self.phase, Phase::Refusing { .. }) => {}
            Event::RateExceeded if !self.peer_gone => {
                let refusal = Refusal::RATE_EXCEEDED;
                self.send(refusal.message(), out);
                out.push(Action::Close {
                    code: refusal.close_code,
                    reason: refusal.close_reason(),
                });
                self.end_stream(out);
            }
            Event::RateExceeded => {}
            // Answers for segments this session never asked to store change nothing.
            Event::SegmentStored { origin, .. } | Event::SegmentStoreFailed { origin }
                if !self.answered_store(&origin) => {}
            Event::SegmentStored { origin, duplicate } => {
                if let SegmentOrigin::Client { id } = &origin {
                    self.send(ServerMessage::SegmentoOk { id: id.clone() }, out);
                }
                if !duplicate {
                    out.push(Action::Transcribe { origin });
                }
            }
            Event::SegmentStoreFailed { origin } => {
                let what = match &origin {
                    SegmentOrigin::Client { id } => format!("segmento {id}"),
                    SegmentOrigin::Stream { seq } => format!("trecho de fala {seq}"),
                };
                self.send_error(
                    ErrorCode::ErroInterno,
                    format!("falha ao gravar o {what}; envie novamente"),
                    out,
                );
            }
            Event::Transcribed {
                origin,
                start_ms,
                text,
            } => self.on_transcribed(origin, start_ms, text, out),
            Event::Advised {
                origin,
                advice,
                base_transcript,
            } => self.on_advised(origin, advice, base_transcript, out),
            Event::StreamEnded => self.end_stream(out),
        }
    }

    /// The client is gone: any open speech is cut and handed over to store; results still
    /// in flight are recorded, nothing more is sent.
    fn end_stream(&mut self, out: &mut Vec<Action>) {
        self.peer_gone = true;
        if let Some(front_end) = self.front_end.as_mut() {
            front_end.finish(&mut self.cut);
        }
        self.flush_cut(out);
    }

    fn on_text(&mut self, text: &str, out: &mut Vec<Action>) {
        match self.phase {
            Phase::AwaitingAuth => match parse_client_text(text) {
                Ok(ClientMessage::Auth { api_key }) => {
                    self.phase = Phase::VerifyingKey;
                    out.push(Action::VerifyKey { api_key });
                }
                Ok(ClientMessage::Segment(_)) | Err(_) => {
                    self.fail_auth("a primeira mensagem deve ser auth com api_key", out)
                }
            },
            Phase::VerifyingKey => self.fail_auth("aguarde auth_ok antes de enviar mensagens", out),
            // The refusal is on its way; nothing the client says changes it or hastens it.
            Phase::Refusing { .. } => {}
            Phase::Authenticated { .. } => {
                self.discard_next_binary = false;
                if let Some(h) = self.pending_segment.take() {
                    self.send_error(
                        ErrorCode::SegmentoInvalido,
                        format!("o áudio do segmento {} não chegou", h.id),
                        out,
                    );
                }
                match parse_client_text(text) {
                    Ok(ClientMessage::Auth { .. }) | Err(ParseError::AuthMalformed) => self
                        .send_error(
                            ErrorCode::JaAutenticado,
                            "sessão já autenticada".to_string(),
                            out,
                        ),
                    Ok(ClientMessage::Segment(header)) => self.pending_segment = Some(header),
                    Err(e @ ParseError::InvalidSegment(_)) => {
                        self.discard_next_binary = true;
                        self.send(e.to_message(), out);
                    }
                    Err(e) => self.send(e.to_message(), out),
                }
            }
            Phase::Closed => {}
        }
    }

    fn on_binary(&mut self, bytes: &[u8], out: &mut Vec<Action>) {
        match self.phase {
            Phase::AwaitingAuth | Phase::VerifyingKey => {
                self.fail_auth("áudio recebido antes da autenticação", out)
            }
            Phase::Refusing { .. } => {}
            Phase::Authenticated { .. } => {
                if let Some(header) = self.pending_segment.take() {
                    self.on_segment_audio(header, bytes, out);
                } else if self.discard_next_binary {
                    self.discard_next_binary = false;
                } else {
                    self.on_raw_audio(bytes, out);
                }
            }
            Phase::Closed => {}
        }
    }

    fn on_raw_audio(&mut self, bytes: &[u8], out: &mut Vec<Action>) {
        if bytes.is_empty() {
            return;
        }
        if bytes.len() > self.config.max_frame_bytes {
            self.send_error(
                ErrorCode::FrameGrande,
                format!(
                    "frame de {} bytes excede o limite de {} bytes",
                    bytes.len(),
                    self.config.max_frame_bytes
                ),
                out,
            );
            return;
        }
        self.stats.audio_bytes += bytes.len() as u64;
        self.stats.audio_frames += 1;
        let front_end = self.front_end.get_or_insert_with(&mut self.make_front_end);
        let samples = self.assembler.push(bytes);
        if !samples.is_empty() {
            front_end.push(samples, &mut self.cut);
        }
        self.flush_cut(out);
    }

    fn expect_store(&mut self, origin: SegmentOrigin) {
        *self.awaiting_store.entry(origin).or_insert(0) += 1;
    }

    /// True (and forgotten) when `origin` was handed to the driver to store.
    fn answered_store(&mut self, origin: &SegmentOrigin) -> bool {
        match self.awaiting_store.get_mut(origin) {
            Some(n) if *n > 1 => {
                *n -= 1;
                true
            }
            Some(_) => {
                self.awaiting_store.remove(origin);
                true
            }
            None => false,
        }
    }

    fn flush_cut(&mut self, out: &mut Vec<Action>) {
        for seg in self.cut.drain(..) {
            let seq = self.next_seq;
            self.next_seq += 1;
            self.stats.segments_cut += 1;
            *self
                .awaiting_store
                .entry(SegmentOrigin::Stream { seq })
                .or_insert(0) += 1;
            out.push(Action::StoreSegment(SegmentToStore {
                origin: SegmentOrigin::Stream { seq },
                start_ms: seg.start_ms,
                duration_ms: seg.duration_ms(),
                pcm: seg.pcm,
            }));
        }
    }

    fn on_segment_audio(&mut self, header: SegmentHeader, bytes: &[u8], out: &mut Vec<Action>) {
        if bytes.len() > self.config.max_segment_bytes {
            self.send_error(
                ErrorCode::SegmentoGrande,
                format!("segmento {} excede 30 s de áudio", header.id),
                out,
            );
            return;
        }
        if !bytes.len().is_multiple_of(2) {
            self.send_error(
                ErrorCode::SegmentoInvalido,
                format!("segmento {}: número ímpar de bytes", header.id),
                out,
            );
            return;
        }
        let actual_ms = bytes.len() as u64 / 2 / SAMPLES_PER_MS;
        if actual_ms.abs_diff(header.duration_ms) > self.config.segment_tolerance_ms {
            self.send_error(
                ErrorCode::SegmentoInvalido,
                format!(
                    "segmento {}: o áudio tem {actual_ms} ms, mas duracao_ms diz {}",
                    header.id, header.duration_ms
                ),
                out,
            );
            return;
        }
        self.stats.client_segments += 1;
        self.expect_store(SegmentOrigin::Client {
            id: header.id.clone(),
        });
        out.push(Action::StoreSegment(SegmentToStore {
            origin: SegmentOrigin::Client { id: header.id },
            start_ms: header.start_ms,
            duration_ms: actual_ms,
            pcm: bytes_to_samples(bytes),
        }));
    }

    fn on_tick(&mut self, now_ms: u64, out: &mut Vec<Action>) {
        match self.phase {
            Phase::AwaitingAuth if now_ms >= self.auth_deadline_ms => {
                self.fail_auth("tempo de autenticação esgotado", out);
            }
            Phase::Refusing {
                refusal,
                at_ms: Some(at),
            } if now_ms >= at => self.refuse(refusal, out),
            _ => {}
        }
    }

    fn on_key_checked(&mut self, lookup: KeyLookup, out: &mut Vec<Action>) {
        if self.phase != Phase::VerifyingKey {
            return;
        }
        match lookup.verdict() {
            Ok(session_id) => {
                self.send(
                    ServerMessage::AuthOk {
                        session: session_id.to_string(),
                    },
                    out,
                );
                self.phase = Phase::Authenticated {
                    session_id: session_id.to_string(),
                };
            }
            Err(refusal) if refusal.charge_address => {
                self.phase = Phase::Refusing {
                    refusal,
                    at_ms: None,
                };
                out.push(Action::ChargeFailedAuth);
            }
            Err(refusal) => self.refuse(refusal, out),
        }
    }

    /// Sends the refusal's `erro` and closes.
    fn refuse(&mut self, refusal: Refusal, out: &mut Vec<Action>) {
        self.send(refusal.message(), out);
        out.push(Action::Close {
            code: refusal.close_code,
            reason: refusal.close_reason(),
        });
        self.phase = Phase::Closed;
    }

    fn on_transcribed(
        &mut self,
        origin: SegmentOrigin,
        start_ms: u64,
        text: String,
        out: &mut Vec<Action>,
    ) {
        let text = text.trim().to_string();
        if let SegmentOrigin::Client { id } = &origin {
            self.send(
                ServerMessage::Transcricao {
                    id: id.clone(),
                    text: text.clone(),
                },
                out,
            );
        }
        if text.is_empty() {
            return;
        }
        self.remember(start_ms, text.clone());
        out.push(Action::Advise {
            origin,
            conversation: self.conversation.clone(),
            base_transcript: text,
        });
    }

    /// Adds an utterance in time order and drops what fell out of the window.
    fn remember(&mut self, at_ms: u64, text: String) {
        self.conversation.remember(
            at_ms,
            text,
            self.config.window_ms,
            self.config.window_max_utterances,
        );
    }

    fn on_advised(
        &mut self,
        origin: SegmentOrigin,
        advice: Advice,
        base_transcript: String,
        out: &mut Vec<Action>,
    ) {
        let push = self.conversation.push_of(&advice).map(str::to_string);
        if let (None, Some(repeat)) = (&push, advice.pushed_product()) {
            out.push(Action::Suppressed {
                origin: origin.clone(),
                product: repeat.to_string(),
            });
        }
        let sent = match push {
            Some(product) if !self.peer_gone => {
                self.conversation.last_product = Some(product.clone());
                self.stats.recommendations_sent += 1;
                self.send(
                    ServerMessage::Recomendar {
                        product,
                        explanation: advice.explanation.clone(),
                        base_transcript: base_transcript.clone(),
                        confidence: advice.confidence,
                    },
                    out,
                );
                true
            }
            _ => false,
        };
        out.push(Action::RecordSuggestion {
            origin,
            advice,
            base_transcript,
            sent,
        });
    }

    /// True once the client has gone (nothing is sent to it any more).
    pub fn peer_gone(&self) -> bool {
        self.peer_gone
    }

    fn send(&mut self, msg: ServerMessage, out: &mut Vec<Action>) {
        if self.peer_gone {
            return;
        }
        if matches!(msg, ServerMessage::Erro { .. }) {
            self.stats.errors_sent += 1;
        }
        out.push(Action::Send(msg));
    }

    fn send_error(&mut self, code: ErrorCode, message: String, out: &mut Vec<Action>) {
        self.send(ServerMessage::error(code, message), out);
    }

    fn fail_auth(&mut self, why: &'static str, out: &mut Vec<Action>) {
        self.send_error(ErrorCode::AuthInvalida, why.to_string(), out);
        out.push(Action::Close {
            code: CLOSE_AUTH_FAILED,
            reason: "auth_invalida",
        });
        self.phase = Phase::Closed;
    }
}
