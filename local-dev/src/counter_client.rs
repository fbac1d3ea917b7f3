//! A counter simulator: streams 16 kHz mono PCM to a Balto `/ws` endpoint the way a counter
//! does, and collects every server message. Used by `balto stream` and by end-to-end tests.
//!
//! - [`StreamMode::Raw`] (Part 1): `auth`, then binary frames of `frame_ms` (20 ms) of PCM,
//!   paced at real time when asked, followed by `tail_silence_ms` of silence so the server's
//!   front end can close the last utterance, then a quiet period (no message for `quiet`).
//! - [`StreamMode::Segments`] (Part 2): the audio goes through the streaming `vad-wasm` front end
//!   here; each cut segment is sent as a `segmento` header (a new UUID as its `id`) plus one
//!   binary frame. After the audio, the client waits until every segment is acknowledged
//!   (`segmento_ok`) and either transcribed (`transcricao`) or followed by a quiet period.
//!
//! Every wait is bounded by `deadline`. Errors from the server (`erro`), an authentication
//! failure, and a close the client did not ask for are reported; the messages seen so far are
//! always returned to the caller's callback as they arrive.

use balto_core::frontend::{AudioFrontEnd, CutSegment};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use vad_wasm::{FrontEnd, FrontEndConfig};

/// Samples per millisecond at 16 kHz.
const SAMPLES_PER_MS: usize = 16;

/// How the audio is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamMode {
    /// Part 1: raw PCM frames; the server cuts speech.
    Raw,
    /// Part 2: the client cuts speech and sends `segmento` messages.
    Segments,
}

impl std::str::FromStr for StreamMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "raw" => Ok(StreamMode::Raw),
            "segments" | "segmentos" => Ok(StreamMode::Segments),
            other => Err(format!("unknown mode {other:?} (raw or segments)")),
        }
    }
}

/// Settings of one simulated counter.
#[derive(Debug, Clone)]
pub struct StreamOptions {
    pub url: String,
    pub api_key: String,
    pub mode: StreamMode,
    /// Pace frames at real time (a live microphone) instead of as fast as possible.
    pub realtime: bool,
    /// Raw-mode frame length in ms (20 ms = 640 bytes).
    pub frame_ms: u32,
    /// Raw mode: silence appended after the audio so the server's segmenter closes the last
    /// utterance as it would on a live stream.
    pub tail_silence_ms: u32,
    /// After the audio: stop once no message has arrived for this long (raw mode; segment
    /// mode once every segment is acknowledged).
    pub quiet: Duration,
    /// Upper bound of the whole run after the connection is open.
    pub deadline: Duration,
    /// Front end used to cut segments in segment mode.
    pub front_end: FrontEndConfig,
}

impl StreamOptions {
    /// Defaults: 20 ms frames, 1 s of tail silence, 3 s quiet period, 120 s deadline, the
    /// default front end.
    pub fn new(url: impl Into<String>, api_key: impl Into<String>, mode: StreamMode) -> Self {
        StreamOptions {
            url: url.into(),
            api_key: api_key.into(),
            mode,
            realtime: false,
            frame_ms: 20,
            tail_silence_ms: 1_000,
            quiet: Duration::from_secs(3),
            deadline: Duration::from_secs(120),
            front_end: FrontEndConfig::default(),
        }
    }
}

/// Why a simulated counter failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot connect to {url}: {source}")]
    Connect {
        url: String,
        source: Box<tokio_tungstenite::tungstenite::Error>,
    },
    #[error("authentication refused ({codigo}: {mensagem})")]
    AuthRefused { codigo: String, mensagem: String },
    #[error("the server closed the socket before authenticating (code {code:?})")]
    AuthClosed { code: Option<u16> },
    #[error("the server closed the socket unexpectedly (code {code:?}: {reason})")]
    UnexpectedClose { code: Option<u16>, reason: String },
    #[error("socket error: {0}")]
    Socket(Box<tokio_tungstenite::tungstenite::Error>),
    #[error("timed out: {0}")]
    Timeout(String),
    #[error("the front end configuration is invalid: {0}")]
    FrontEnd(#[from] vad_wasm::ConfigError),
}

/// What one simulated counter saw.
#[derive(Debug, Clone, Default)]
pub struct StreamOutcome {
    /// The `sessao` of `auth_ok`.
    pub sessao: Option<String>,
    /// Every JSON message from the server, in order.
    pub messages: Vec<Value>,
    /// Segments sent (segment mode) and acknowledged.
    pub segments_sent: usize,
    pub segments_acked: usize,
    /// `transcricao` messages received.
    pub transcripts: usize,
    /// `erro` messages received (the session went on).
    pub errors: Vec<Value>,
    /// Raw mode: binary frames sent.
    pub frames_sent: usize,
    /// Audio sent, ms.
    pub audio_ms: u64,
    /// Real-time mode: how far behind its schedule sending ever fell, ms (a server or network
    /// that cannot keep up shows here).
    pub max_lag_ms: u64,
}

impl StreamOutcome {
    /// True when the server sent no `erro` and acknowledged every segment.
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty() && self.segments_acked == self.segments_sent
    }
}

enum Incoming {
    Json(Value),
    /// A text frame that is not JSON (reported as a string).
    Text(String),
    Closed(Option<(u16, String)>),
    Error(tokio_tungstenite::tungstenite::Error),
}

struct Counter<'a, F: FnMut(&Value)> {
    rx: mpsc::UnboundedReceiver<Incoming>,
    on_message: &'a mut F,
    outcome: StreamOutcome,
    acked: HashSet<String>,
    transcribed: HashSet<String>,
    closed: Option<Option<(u16, String)>>,
    last_message: Instant,
}

impl<F: FnMut(&Value)> Counter<'_, F> {
    fn take(&mut self, incoming: Incoming) {
        self.last_message = Instant::now();
        let value = match incoming {
            Incoming::Json(v) => v,
            Incoming::Text(t) => json!({ "comando": null, "texto_invalido": t }),
            Incoming::Closed(frame) => {
                self.closed = Some(frame);
                return;
            }
            Incoming::Error(e) => {
                self.closed = Some(Some((1006, e.to_string())));
                return;
            }
        };
        match value.get("comando").and_then(Value::as_str) {
            Some("segmento_ok") => {
                if let Some(id) = value.get("id").and_then(Value::as_str)
                    && self.acked.insert(id.to_string())
                {
                    self.outcome.segments_acked += 1;
                }
            }
            Some("transcricao") => {
                if let Some(id) = value.get("id").and_then(Value::as_str) {
                    self.transcribed.insert(id.to_string());
                }
                self.outcome.transcripts += 1;
            }
            Some("auth_ok") => {
                self.outcome.sessao = value
                    .get("sessao")
                    .and_then(Value::as_str)
                    .map(str::to_string);
            }
            Some("erro") => self.outcome.errors.push(value.clone()),
            _ => {}
        }
        (self.on_message)(&value);
        self.outcome.messages.push(value);
    }

    /// Handles every message already received.
    fn drain(&mut self) {
        while let Ok(m) = self.rx.try_recv() {
            self.take(m);
        }
    }

    /// Waits for one message until `until`; false on timeout or when the reader ended.
    async fn next_until(&mut self, until: Instant) -> bool {
        match tokio::time::timeout_at(until, self.rx.recv()).await {
            Ok(Some(m)) => {
                self.take(m);
                true
            }
            Ok(None) | Err(_) => false,
        }
    }

    fn unexpected_close(&self) -> Option<ClientError> {
        self.closed
            .as_ref()
            .map(|frame| ClientError::UnexpectedClose {
                code: frame.as_ref().map(|f| f.0),
                reason: frame.as_ref().map(|f| f.1.clone()).unwrap_or_default(),
            })
    }
}

fn le_bytes(pcm: &[i16]) -> Vec<u8> {
    pcm.iter().flat_map(|s| s.to_le_bytes()).collect()
}

/// Streams `pcm` (16 kHz mono) as one counter; `on_message` sees every server message as it
/// arrives. `Ok` means the run finished normally: the caller decides what `erro` messages mean
/// (see [`StreamOutcome::is_clean`]).
pub async fn stream_pcm<F: FnMut(&Value)>(
    pcm: &[i16],
    options: &StreamOptions,
    mut on_message: F,
) -> Result<StreamOutcome, ClientError> {
    // Validate the front end before connecting.
    let mut front_end = match options.mode {
        StreamMode::Segments => Some(FrontEnd::new(options.front_end.clone())?),
        StreamMode::Raw => None,
    };
    let (ws, _) = tokio_tungstenite::connect_async(options.url.as_str())
        .await
        .map_err(|e| ClientError::Connect {
            url: options.url.clone(),
            source: Box::new(e),
        })?;
    let deadline = Instant::now() + options.deadline;
    let (mut sink, mut stream) = ws.split();
    let (tx, rx) = mpsc::unbounded_channel();
    let reader = tokio::spawn(async move {
        while let Some(frame) = stream.next().await {
            let incoming = match frame {
                Ok(Message::Text(t)) => match serde_json::from_str::<Value>(t.as_str()) {
                    Ok(v) => Incoming::Json(v),
                    Err(_) => Incoming::Text(t.to_string()),
                },
                Ok(Message::Close(frame)) => {
                    let _ = tx.send(Incoming::Closed(
                        frame.map(|f| (u16::from(f.code), f.reason.to_string())),
                    ));
                    return;
                }
                Ok(_) => continue,
                Err(e) => Incoming::Error(e),
            };
            let stop = matches!(incoming, Incoming::Error(_));
            if tx.send(incoming).is_err() || stop {
                return;
            }
        }
        let _ = tx.send(Incoming::Closed(None));
    });
    let mut counter = Counter {
        rx,
        on_message: &mut on_message,
        outcome: StreamOutcome::default(),
        acked: HashSet::new(),
        transcribed: HashSet::new(),
        closed: None,
        last_message: Instant::now(),
    };
    let result = run(
        &mut counter,
        &mut sink,
        pcm,
        options,
        front_end.as_mut(),
        deadline,
    )
    .await;
    // Close politely and give the server a moment to answer the close.
    if counter.closed.is_none() {
        let _ = sink
            .send(Message::Close(Some(CloseFrame {
                code: CloseCode::Normal,
                reason: "fim do áudio".into(),
            })))
            .await;
        let until = Instant::now() + Duration::from_secs(2);
        while counter.closed.is_none() && counter.next_until(until).await {}
    }
    reader.abort();
    result.map(|()| counter.outcome)
}

type Sink = futures_util::stream::SplitSink<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    Message,
>;

async fn send(sink: &mut Sink, message: Message) -> Result<(), ClientError> {
    sink.send(message)
        .await
        .map_err(|e| ClientError::Socket(Box::new(e)))
}

async fn run<F: FnMut(&Value)>(
    counter: &mut Counter<'_, F>,
    sink: &mut Sink,
    pcm: &[i16],
    options: &StreamOptions,
    mut front_end: Option<&mut FrontEnd>,
    deadline: Instant,
) -> Result<(), ClientError> {
    // 1. auth, and wait for the answer.
    send(
        sink,
        Message::Text(
            json!({"comando": "auth", "api_key": options.api_key})
                .to_string()
                .into(),
        ),
    )
    .await?;
    loop {
        if !counter.next_until(deadline).await {
            return Err(match &counter.closed {
                Some(frame) => ClientError::AuthClosed {
                    code: frame.as_ref().map(|f| f.0),
                },
                None => ClientError::Timeout("no answer to auth".into()),
            });
        }
        if let Some(frame) = &counter.closed {
            return Err(ClientError::AuthClosed {
                code: frame.as_ref().map(|f| f.0),
            });
        }
        let last = counter.outcome.messages.last().cloned().unwrap_or_default();
        match last.get("comando").and_then(Value::as_str) {
            Some("auth_ok") => break,
            Some("erro") if last.get("codigo").and_then(Value::as_str) == Some("auth_invalida") => {
                return Err(ClientError::AuthRefused {
                    codigo: "auth_invalida".into(),
                    mensagem: last
                        .get("mensagem")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                });
            }
            _ => {}
        }
    }

    // 2. the audio.
    let frame_samples = (options.frame_ms.max(1) as usize) * SAMPLES_PER_MS;
    let tail = match options.mode {
        StreamMode::Raw => options.tail_silence_ms as usize * SAMPLES_PER_MS,
        StreamMode::Segments => 0,
    };
    let total = pcm.len() + tail;
    let silence = vec![0i16; frame_samples];
    let audio_start = Instant::now();
    let mut segments: Vec<CutSegment> = Vec::new();
    let mut offset = 0usize;
    while offset < total {
        let end = (offset + frame_samples).min(total);
        let chunk: &[i16] = if offset >= pcm.len() {
            &silence[..end - offset]
        } else {
            &pcm[offset..end.min(pcm.len())]
        };
        match front_end.as_deref_mut() {
            None => {
                send(sink, Message::Binary(le_bytes(chunk).into())).await?;
                counter.outcome.frames_sent += 1;
            }
            Some(fe) => {
                fe.push(chunk, &mut segments);
                if end >= pcm.len() {
                    fe.finish(&mut segments);
                }
                for segment in segments.drain(..) {
                    send_segment(sink, counter, &segment).await?;
                }
            }
        }
        offset += chunk.len().max(1);
        counter.drain();
        if let Some(e) = counter.unexpected_close() {
            return Err(e);
        }
        if Instant::now() > deadline {
            return Err(ClientError::Timeout("streaming the audio".into()));
        }
        if options.realtime {
            let due = audio_start + Duration::from_millis((offset / SAMPLES_PER_MS) as u64);
            let lag = Instant::now().saturating_duration_since(due).as_millis() as u64;
            counter.outcome.max_lag_ms = counter.outcome.max_lag_ms.max(lag);
            tokio::time::sleep_until(due).await;
        }
    }
    counter.outcome.audio_ms = (pcm.len() / SAMPLES_PER_MS) as u64;

    // 3. wait for what is still owed.
    loop {
        counter.drain();
        if let Some(e) = counter.unexpected_close() {
            return Err(e);
        }
        let all_acked = counter.outcome.segments_acked >= counter.outcome.segments_sent;
        let all_transcribed = counter.transcribed.len() >= counter.outcome.segments_sent;
        let quiet_until = counter.last_message + options.quiet;
        match options.mode {
            StreamMode::Segments if all_acked && all_transcribed => return Ok(()),
            _ if all_acked && Instant::now() >= quiet_until => return Ok(()),
            _ => {}
        }
        if Instant::now() >= deadline {
            return Err(ClientError::Timeout(format!(
                "{} of {} segments acknowledged",
                counter.outcome.segments_acked, counter.outcome.segments_sent
            )));
        }
        let wake = if all_acked {
            quiet_until.min(deadline)
        } else {
            deadline
        };
        counter.next_until(wake).await;
    }
}

async fn send_segment<F: FnMut(&Value)>(
    sink: &mut Sink,
    counter: &mut Counter<'_, F>,
    segment: &CutSegment,
) -> Result<(), ClientError> {
    // A new UUID per segment (the protocol's id): the server keeps client ids per counter key
    // to recognise a re-sent segment, so an id used again in a later run would be taken for a
    // duplicate, acknowledged, and neither transcribed nor advised.
    let id = uuid::Uuid::now_v7().to_string();
    let header = json!({
        "comando": "segmento",
        "id": id,
        "inicio_ms": segment.start_ms,
        "duracao_ms": (segment.pcm.len() / SAMPLES_PER_MS).max(1),
        "formato": "pcm_s16le_16k",
    });
    send(sink, Message::Text(header.to_string().into())).await?;
    send(sink, Message::Binary(le_bytes(&segment.pcm).into())).await?;
    counter.outcome.segments_sent += 1;
    Ok(())
}
