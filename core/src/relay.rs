//! The edge → Lambda contract: one signed JSON POST per speech segment to the `stt-llm`
//! function ([`RelayRequest`]) and its answer ([`RelayResponse`]).
//!
//! One round trip does the whole pipeline for a segment: the Lambda stores it (idempotent on
//! [`RelayRequest::segment_id`], and on the client's id per key for Part 2 segments),
//! transcribes it, asks the advisor about the conversation window the session already holds
//! plus the new utterance, stores the results and answers. The worker then feeds its own
//! [`Session`](crate::session::Session) the events of [`RelayResponse::events`]
//! (`SegmentStored`, `Transcribed`, `Advised`): the session's rules — the conversation window
//! and never pushing the same product twice in a row — stay in the session, and the
//! `Transcribe`/`Advise` actions it emits in reply are already answered, so the worker drops
//! them.
//!
//! The body is JSON (Function URL bodies must be text-friendly), with the audio as base64 of
//! 16 kHz s16le mono PCM. A synchronous Lambda invocation takes at most 6 MB of payload
//! ([`MAX_RELAY_BODY_BYTES`]); the longest segment (30 s, 960 000 bytes) is about 1.3 MB
//! in base64, well inside it.

use crate::advice::{Advice, Conversation};
use crate::frontend::SAMPLES_PER_MS;
use crate::pcm::bytes_to_samples;
use crate::protocol::{MAX_SEGMENT_ID_LEN, MAX_SEGMENT_MS, SEGMENT_FORMAT};
use crate::session::{Event, SegmentOrigin, SegmentToStore, SessionConfig};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The path the `stt-llm` function serves segments on.
pub const RELAY_PATH: &str = "/v1/segment";
/// The path the `stt-llm` function records a session's end on ([`SessionEndRequest`]).
pub const SESSION_END_PATH: &str = "/v1/session/end";
/// Largest request body the function accepts: Lambda's synchronous payload limit (6 MB).
pub const MAX_RELAY_BODY_BYTES: usize = 6 * 1024 * 1024;
/// Version of this contract, sent as [`RelayRequest::version`].
pub const RELAY_VERSION: u32 = 1;

/// One segment for the Lambda to store, transcribe and advise on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayRequest {
    /// [`RELAY_VERSION`].
    pub version: u32,
    pub session_id: String,
    /// When the socket authenticated (Unix ms): the session record is created from it.
    pub session_started_at_ms: i64,
    pub key_id: String,
    #[serde(rename = "loja")]
    pub store: String,
    #[serde(rename = "balcao")]
    pub counter: String,
    /// Stable id of this segment ([`segment_id`]); re-sending it never stores it twice.
    pub segment_id: String,
    /// The client's id (Part 2 segments); unique per key.
    pub client_segment_id: Option<String>,
    /// Order within the session (Part 1 segments, from 1).
    pub seq: Option<u64>,
    /// Start and end in ms (stream time for Part 1, the client's clock for Part 2).
    pub start_ms: u64,
    pub end_ms: u64,
    /// Always [`SEGMENT_FORMAT`] (16 kHz s16le mono).
    pub format: String,
    /// Base64 (standard alphabet, padded) of the PCM bytes.
    pub audio_base64: String,
    /// The conversation window the session holds before this segment (oldest first) and the
    /// product it pushed last.
    pub context: Conversation,
    /// The session's window rules, so the Lambda builds the same window the session will.
    pub window_ms: u64,
    pub window_max_utterances: usize,
}

/// Why a relay request is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RelayRequestError {
    #[error("unsupported relay version {0} (this build speaks {RELAY_VERSION})")]
    Version(u32),
    #[error("unsupported audio format {0:?} (expected {SEGMENT_FORMAT})")]
    Format(String),
    #[error("audio_base64 is not valid base64: {0}")]
    Base64(String),
    #[error("the audio has an odd number of bytes")]
    OddBytes,
    #[error("the segment has {0} ms of audio, more than {MAX_SEGMENT_MS} ms")]
    TooLong(u64),
    #[error("end_ms {end_ms} is before start_ms {start_ms}")]
    Times { start_ms: u64, end_ms: u64 },
    #[error("{field} is empty or longer than {MAX_SEGMENT_ID_LEN} characters")]
    Id { field: &'static str },
    #[error("a segment has either seq (Part 1) or client_segment_id (Part 2), exactly one")]
    Origin,
}

/// The stable segment id for a segment of a session: `<session>.<seq>` for Part 1, and
/// `<session>.c<16 hex of SHA-256(client id)>` for Part 2 (client ids are free text).
pub fn segment_id(session_id: &str, origin: &SegmentOrigin) -> String {
    match origin {
        SegmentOrigin::Stream { seq } => format!("{session_id}.{seq}"),
        SegmentOrigin::Client { id } => {
            let digest = Sha256::digest(id.as_bytes());
            format!("{session_id}.c{}", &hex::encode(digest)[..16])
        }
    }
}

/// Who the session is, as the worker knows it after `auth_ok`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelaySession<'a> {
    pub session_id: &'a str,
    pub started_at_ms: i64,
    pub key_id: &'a str,
    pub store: &'a str,
    pub counter: &'a str,
}

impl RelayRequest {
    /// The request for a segment the session asked to store, with the session's current
    /// conversation window and its window rules.
    pub fn new(
        session: &RelaySession<'_>,
        segment: &SegmentToStore,
        context: &Conversation,
        config: &SessionConfig,
    ) -> RelayRequest {
        let mut bytes = Vec::with_capacity(segment.pcm.len() * 2);
        for s in &segment.pcm {
            bytes.extend_from_slice(&s.to_le_bytes());
        }
        let (seq, client_segment_id) = match &segment.origin {
            SegmentOrigin::Stream { seq } => (Some(*seq), None),
            SegmentOrigin::Client { id } => (None, Some(id.clone())),
        };
        RelayRequest {
            version: RELAY_VERSION,
            session_id: session.session_id.to_string(),
            session_started_at_ms: session.started_at_ms,
            key_id: session.key_id.to_string(),
            store: session.store.to_string(),
            counter: session.counter.to_string(),
            segment_id: segment_id(session.session_id, &segment.origin),
            client_segment_id,
            seq,
            start_ms: segment.start_ms,
            end_ms: segment.start_ms.saturating_add(segment.duration_ms),
            format: SEGMENT_FORMAT.to_string(),
            audio_base64: BASE64.encode(&bytes),
            context: context.clone(),
            window_ms: config.window_ms,
            window_max_utterances: config.window_max_utterances,
        }
    }

    /// The session-level origin of this segment.
    pub fn origin(&self) -> Result<SegmentOrigin, RelayRequestError> {
        match (&self.seq, &self.client_segment_id) {
            (Some(seq), None) => Ok(SegmentOrigin::Stream { seq: *seq }),
            (None, Some(id)) => Ok(SegmentOrigin::Client { id: id.clone() }),
            _ => Err(RelayRequestError::Origin),
        }
    }

    /// Length in ms (`end_ms - start_ms`).
    pub fn duration_ms(&self) -> u64 {
        self.end_ms.saturating_sub(self.start_ms)
    }

    /// Checks every field and decodes the audio into samples.
    pub fn validate(&self) -> Result<Vec<i16>, RelayRequestError> {
        if self.version != RELAY_VERSION {
            return Err(RelayRequestError::Version(self.version));
        }
        if self.format != SEGMENT_FORMAT {
            return Err(RelayRequestError::Format(self.format.clone()));
        }
        for (field, value) in [
            ("session_id", self.session_id.as_str()),
            ("key_id", self.key_id.as_str()),
            ("segment_id", self.segment_id.as_str()),
            (
                "client_segment_id",
                self.client_segment_id.as_deref().unwrap_or("-"),
            ),
        ] {
            // Segment ids embed the session id, hence the doubled limit.
            if value.is_empty() || value.chars().count() > 2 * MAX_SEGMENT_ID_LEN {
                return Err(RelayRequestError::Id { field });
            }
        }
        self.origin()?;
        if self.end_ms < self.start_ms {
            return Err(RelayRequestError::Times {
                start_ms: self.start_ms,
                end_ms: self.end_ms,
            });
        }
        // Refuse oversized audio before decoding it (4 base64 chars per 3 bytes).
        let max_bytes = (MAX_SEGMENT_MS * SAMPLES_PER_MS * 2) as usize;
        if self.audio_base64.len() / 4 * 3 > max_bytes + 3 {
            return Err(RelayRequestError::TooLong(
                (self.audio_base64.len() / 4 * 3) as u64 / 2 / SAMPLES_PER_MS,
            ));
        }
        let bytes = BASE64
            .decode(self.audio_base64.as_bytes())
            .map_err(|e| RelayRequestError::Base64(e.to_string()))?;
        if !bytes.len().is_multiple_of(2) {
            return Err(RelayRequestError::OddBytes);
        }
        let audio_ms = bytes.len() as u64 / 2 / SAMPLES_PER_MS;
        if audio_ms > MAX_SEGMENT_MS {
            return Err(RelayRequestError::TooLong(audio_ms));
        }
        Ok(bytes_to_samples(&bytes))
    }

    /// The window the advisor decides on: the context plus this segment's utterance, cut by
    /// the same rule the session applies ([`Conversation::remember`]).
    pub fn window_with(&self, text: &str) -> Conversation {
        let mut window = self.context.clone();
        window.remember(
            self.start_ms,
            text.to_string(),
            self.window_ms,
            self.window_max_utterances,
        );
        window
    }
}

/// Sent (signed, like a segment) when a counter's socket closes, so the session record gets
/// its end time. Answered with 204; ending twice keeps the first time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionEndRequest {
    /// [`RELAY_VERSION`].
    pub version: u32,
    pub session_id: String,
    pub ended_at_ms: i64,
}

/// What the STT step heard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayTranscript {
    /// Trimmed text; empty when nothing was said.
    pub text: String,
    pub provider: String,
    /// The segment's start (ms), as the session's `Transcribed` event wants it.
    pub start_ms: u64,
}

/// What the advisor decided on the window ending with this segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayAdvice {
    pub advisor: String,
    pub advice: Advice,
    /// The transcript the advice is based on (this segment's text).
    pub base_transcript: String,
}

/// Which step failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelayErrorCode {
    /// The body is not a valid relay request (HTTP 400).
    BadRequest,
    /// Missing, wrong, old or future signature (HTTP 401).
    Unauthorized,
    /// The body exceeds [`MAX_RELAY_BODY_BYTES`] (HTTP 413).
    PayloadTooLarge,
    /// The segment could not be stored: nothing was kept, the worker may re-send (HTTP 503).
    Storage,
    /// No speech-to-text engine is configured (no provider keys, no Whisper model). The
    /// segment is stored and stays unfinished.
    SttUnavailable,
    /// Speech-to-text failed (timeouts, provider errors); the segment is stored, left for retry.
    SttFailed,
    /// The advisor failed; the segment and its transcript are stored, left for retry.
    AdvisorFailed,
    /// An unexpected server error.
    Internal,
}

impl RelayErrorCode {
    /// True when the segment was stored durably before the failure (the client's segment is
    /// acknowledged; re-sending it retries the failed step).
    pub fn segment_stored(self) -> bool {
        matches!(
            self,
            RelayErrorCode::SttUnavailable
                | RelayErrorCode::SttFailed
                | RelayErrorCode::AdvisorFailed
        )
    }
}

/// A typed failure in a relay answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayError {
    pub code: RelayErrorCode,
    pub message: String,
    /// True when trying again later may succeed.
    pub retryable: bool,
}

/// The Lambda's answer for one segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayResponse {
    pub segment_id: String,
    /// The segment was already stored and handled (or being handled): nothing was done again.
    pub duplicate: bool,
    /// Present when the segment was transcribed by this call.
    pub transcript: Option<RelayTranscript>,
    /// Present when the advisor answered (only for non-empty transcripts).
    pub advice: Option<RelayAdvice>,
    pub error: Option<RelayError>,
}

impl RelayResponse {
    /// An answer carrying only an error.
    pub fn failure(
        segment_id: impl Into<String>,
        code: RelayErrorCode,
        message: impl Into<String>,
        retryable: bool,
    ) -> RelayResponse {
        RelayResponse {
            segment_id: segment_id.into(),
            duplicate: false,
            transcript: None,
            advice: None,
            error: Some(RelayError {
                code,
                message: message.into(),
                retryable,
            }),
        }
    }

    /// The session events this answer stands for, in the order to feed them: the store
    /// result, then the transcript, then the advice. A failure before storing gives
    /// `SegmentStoreFailed`; a later failure gives the events up to the failed step.
    pub fn events(&self, origin: &SegmentOrigin) -> Vec<Event<'static>> {
        let stored = self.error.as_ref().is_none_or(|e| e.code.segment_stored());
        if !stored {
            return vec![Event::SegmentStoreFailed {
                origin: origin.clone(),
            }];
        }
        let mut events = vec![Event::SegmentStored {
            origin: origin.clone(),
            duplicate: self.duplicate,
        }];
        if self.duplicate {
            return events;
        }
        if let Some(t) = &self.transcript {
            events.push(Event::Transcribed {
                origin: origin.clone(),
                start_ms: t.start_ms,
                text: t.text.clone(),
            });
            if let Some(a) = &self.advice {
                events.push(Event::Advised {
                    origin: origin.clone(),
                    advice: a.advice.clone(),
                    base_transcript: a.base_transcript.clone(),
                });
            }
        }
        events
    }
}

/// When the edge posts a segment again after its relay failed before it was stored.
///
/// Only stream (Part 1) segments are retried: their audio was cut at the edge and exists
/// nowhere else. A client (Part 2) segment is kept by its client, which re-sends it after
/// `erro_interno`. Re-posting is safe: the Lambda answers a segment it already has as a duplicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelayRetry {
    /// Posts per segment in all, the first included.
    pub max_attempts: u32,
    /// Wait before the second post; doubled for each later one.
    pub first_backoff_ms: u64,
    /// Longest wait between posts.
    pub max_backoff_ms: u64,
}

impl Default for RelayRetry {
    /// Four posts, 1 s, 2 s and 4 s apart: rides out a Lambda cold start, a throttle or a
    /// brief outage of the store.
    fn default() -> Self {
        RelayRetry {
            max_attempts: 4,
            first_backoff_ms: 1_000,
            max_backoff_ms: 8_000,
        }
    }
}

impl RelayRetry {
    /// Milliseconds to wait before posting again after `attempts_made` posts ended in
    /// `answer`, or `None` when the answer is final.
    pub fn after(
        &self,
        origin: &SegmentOrigin,
        answer: &RelayResponse,
        attempts_made: u32,
    ) -> Option<u64> {
        if !matches!(origin, SegmentOrigin::Stream { .. }) {
            return None;
        }
        let error = answer.error.as_ref()?;
        if error.code.segment_stored() || !error.retryable || attempts_made >= self.max_attempts {
            return None;
        }
        let doublings = attempts_made.saturating_sub(1).min(20);
        Some(
            self.first_backoff_ms
                .saturating_mul(1u64 << doublings)
                .min(self.max_backoff_ms),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admission::KeyLookup;
    use crate::advice::{Category, Confidence, Decision, Utterance};
    use crate::frontend::AudioFrontEnd;
    use crate::frontend::CutSegment;
    use crate::protocol::ServerMessage;
    use crate::session::{Action, Session};

    fn session_info() -> RelaySession<'static> {
        RelaySession {
            session_id: "sess1",
            started_at_ms: 1_700_000_000_000,
            key_id: "abcdef012345",
            store: "Loja Centro",
            counter: "Balcão 1",
        }
    }

    fn segment(origin: SegmentOrigin, samples: usize) -> SegmentToStore {
        SegmentToStore {
            origin,
            start_ms: 2_000,
            duration_ms: samples as u64 / SAMPLES_PER_MS,
            pcm: (0..samples).map(|i| (i % 300) as i16 - 150).collect(),
        }
    }

    #[test]
    fn a_request_round_trips_and_decodes_its_audio() {
        let seg = segment(SegmentOrigin::Stream { seq: 3 }, 16_000);
        let req = RelayRequest::new(
            &session_info(),
            &seg,
            &Conversation::single("bom dia"),
            &SessionConfig::default(),
        );
        assert_eq!(req.segment_id, "sess1.3");
        assert_eq!(req.end_ms, 3_000);
        let json = serde_json::to_string(&req).unwrap();
        assert!(json.contains(r#""loja":"Loja Centro""#), "{json}");
        let back: RelayRequest = serde_json::from_str(&json).unwrap();
        assert_eq!(back, req);
        assert_eq!(back.validate().unwrap(), seg.pcm);
        assert_eq!(back.origin().unwrap(), SegmentOrigin::Stream { seq: 3 });
    }

    #[test]
    fn client_segment_ids_are_stable_and_hashed() {
        let origin = SegmentOrigin::Client {
            id: "seg/ü 1".into(),
        };
        let a = segment_id("sess1", &origin);
        assert_eq!(a, segment_id("sess1", &origin));
        assert!(a.starts_with("sess1.c") && a.len() == "sess1.c".len() + 16);
        assert_ne!(
            a,
            segment_id(
                "sess1",
                &SegmentOrigin::Client {
                    id: "seg/ü 2".into()
                }
            )
        );
    }

    #[test]
    fn invalid_requests_are_refused() {
        let seg = segment(SegmentOrigin::Client { id: "c1".into() }, 1_600);
        let good = RelayRequest::new(
            &session_info(),
            &seg,
            &Conversation::default(),
            &SessionConfig::default(),
        );
        assert!(good.validate().is_ok());
        let cases: Vec<(RelayRequest, RelayRequestError)> = vec![
            (
                RelayRequest {
                    version: 9,
                    ..good.clone()
                },
                RelayRequestError::Version(9),
            ),
            (
                RelayRequest {
                    format: "opus".into(),
                    ..good.clone()
                },
                RelayRequestError::Format("opus".into()),
            ),
            (
                RelayRequest {
                    audio_base64: "AAA".into(),
                    ..good.clone()
                },
                RelayRequestError::Base64("Invalid padding".into()),
            ),
            (
                RelayRequest {
                    audio_base64: BASE64.encode([1u8, 2, 3]),
                    ..good.clone()
                },
                RelayRequestError::OddBytes,
            ),
            (
                RelayRequest {
                    audio_base64: BASE64.encode(vec![0u8; 31 * 32_000]),
                    ..good.clone()
                },
                RelayRequestError::TooLong(31_000),
            ),
            (
                RelayRequest {
                    end_ms: 1,
                    ..good.clone()
                },
                RelayRequestError::Times {
                    start_ms: 2_000,
                    end_ms: 1,
                },
            ),
            (
                RelayRequest {
                    seq: Some(1),
                    ..good.clone()
                },
                RelayRequestError::Origin,
            ),
            (
                RelayRequest {
                    segment_id: String::new(),
                    ..good.clone()
                },
                RelayRequestError::Id {
                    field: "segment_id",
                },
            ),
        ];
        for (req, expected) in cases {
            let got = req.validate().unwrap_err();
            match (&got, &expected) {
                (RelayRequestError::Base64(_), RelayRequestError::Base64(_)) => {}
                _ => assert_eq!(got, expected),
            }
        }
    }

    #[test]
    fn the_longest_segment_fits_the_lambda_payload_limit() {
        let seg = segment(
            SegmentOrigin::Stream { seq: 1 },
            (MAX_SEGMENT_MS * SAMPLES_PER_MS) as usize,
        );
        let context = Conversation {
            utterances: (0..24)
                .map(|i| Utterance {
                    at_ms: i * 2_500,
                    text: "a".repeat(400),
                })
                .collect(),
            last_product: Some("Paracetamol 750 mg".into()),
        };
        let req = RelayRequest::new(&session_info(), &seg, &context, &SessionConfig::default());
        let body = serde_json::to_vec(&req).unwrap();
        assert!(
            body.len() < MAX_RELAY_BODY_BYTES / 4,
            "{} bytes",
            body.len()
        );
        assert!(req.validate().is_ok());
    }

    #[test]
    fn the_window_is_built_by_the_sessions_rule() {
        let config = SessionConfig {
            window_ms: 10_000,
            window_max_utterances: 2,
            ..SessionConfig::default()
        };
        let context = Conversation {
            utterances: vec![
                Utterance {
                    at_ms: 0,
                    text: "bom dia".into(),
                },
                Utterance {
                    at_ms: 1_000,
                    text: "tudo bem".into(),
                },
            ],
            last_product: Some("Dipirona 500 mg".into()),
        };
        let seg = segment(SegmentOrigin::Stream { seq: 3 }, 1_600);
        let req = RelayRequest::new(&session_info(), &seg, &context, &config);
        let window = req.window_with("estou com tosse");
        let texts: Vec<&str> = window.utterances.iter().map(|u| u.text.as_str()).collect();
        assert_eq!(texts, vec!["tudo bem", "estou com tosse"]);
        assert_eq!(window.last_product.as_deref(), Some("Dipirona 500 mg"));
    }

    struct NoFrontEnd;
    impl AudioFrontEnd for NoFrontEnd {
        fn push(&mut self, _samples: &[i16], _out: &mut Vec<CutSegment>) {}
        fn finish(&mut self, _out: &mut Vec<CutSegment>) {}
    }

    fn authenticated_session() -> Session<NoFrontEnd> {
        let mut s: Session<NoFrontEnd> =
            Session::new(SessionConfig::default(), 0, Box::new(|| NoFrontEnd));
        let mut out = Vec::new();
        s.handle(
            0,
            Event::Text(r#"{"comando":"auth","api_key":"k"}"#),
            &mut out,
        );
        s.handle(
            0,
            Event::KeyChecked(KeyLookup::Admitted {
                session_id: "sess1".into(),
            }),
            &mut out,
        );
        s
    }

    /// Sends a 0.1 s Part 2 segment `id`, so the session asks the driver to store it.
    fn send_segment(s: &mut Session<NoFrontEnd>, id: &str) {
        let mut out = Vec::new();
        let header = format!(
            r#"{{"comando":"segmento","id":"{id}","inicio_ms":2000,"duracao_ms":100,"formato":"pcm_s16le_16k"}}"#
        );
        s.handle(0, Event::Text(&header), &mut out);
        s.handle(0, Event::Binary(&[0u8; 3200]), &mut out);
        assert!(
            matches!(out.last(), Some(Action::StoreSegment(_))),
            "{out:?}"
        );
    }

    fn advice(product: &str) -> Advice {
        Advice {
            decision: Decision::Recomendar,
            category: Some(Category::Tosse),
            product: Some(product.into()),
            explanation: "Tosse seca.".into(),
            confidence: Confidence::Media,
        }
    }

    fn answer(segment_id: &str, text: &str, product: &str) -> RelayResponse {
        RelayResponse {
            segment_id: segment_id.into(),
            duplicate: false,
            transcript: Some(RelayTranscript {
                text: text.into(),
                provider: "elevenlabs".into(),
                start_ms: 2_000,
            }),
            advice: Some(RelayAdvice {
                advisor: "regras".into(),
                advice: advice(product),
                base_transcript: text.into(),
            }),
            error: None,
        }
    }

    fn feed(s: &mut Session<NoFrontEnd>, events: Vec<Event<'static>>) -> Vec<Action> {
        let mut out = Vec::new();
        for e in events {
            s.handle(0, e, &mut out);
        }
        out
    }

    #[test]
    fn one_answer_drives_the_session_through_store_transcript_and_advice() {
        let mut s = authenticated_session();
        let origin = SegmentOrigin::Client { id: "c1".into() };
        send_segment(&mut s, "c1");
        let response = answer("sess1.c", "estou com tosse", "Xarope X");
        let json = serde_json::to_string(&response).unwrap();
        let response: RelayResponse = serde_json::from_str(&json).unwrap();
        let actions = feed(&mut s, response.events(&origin));
        let sent: Vec<&ServerMessage> = actions
            .iter()
            .filter_map(|a| match a {
                Action::Send(m) => Some(m),
                _ => None,
            })
            .collect();
        assert!(matches!(sent[0], ServerMessage::SegmentoOk { id } if id == "c1"));
        assert!(
            matches!(sent[1], ServerMessage::Transcricao { text, .. } if text == "estou com tosse")
        );
        assert!(
            matches!(sent[2], ServerMessage::Recomendar { product, .. } if product == "Xarope X")
        );
        assert_eq!(s.conversation().latest_text(), "estou com tosse");
        assert_eq!(s.conversation().last_product.as_deref(), Some("Xarope X"));

        // The same product again is suppressed by the session, not by the Lambda.
        let origin2 = SegmentOrigin::Client { id: "c2".into() };
        send_segment(&mut s, "c2");
        let actions = feed(
            &mut s,
            answer("sess1.c2", "ainda a tosse", "Xarope X").events(&origin2),
        );
        assert!(
            actions
                .iter()
                .any(|a| matches!(a, Action::Suppressed { product, .. } if product == "Xarope X"))
        );
        assert!(
            !actions
                .iter()
                .any(|a| matches!(a, Action::Send(ServerMessage::Recomendar { .. })))
        );
    }

    #[test]
    fn duplicates_and_failures_map_to_the_right_events() {
        let origin = SegmentOrigin::Stream { seq: 1 };
        let dup = RelayResponse {
            duplicate: true,
            ..answer("sess1.1", "x", "y")
        };
        assert_eq!(
            dup.events(&origin),
            vec![Event::SegmentStored {
                origin: origin.clone(),
                duplicate: true
            }]
        );
        let store_failed = RelayResponse::failure("sess1.1", RelayErrorCode::Storage, "down", true);
        assert_eq!(
            store_failed.events(&origin),
            vec![Event::SegmentStoreFailed {
                origin: origin.clone()
            }]
        );
        let stt_failed =
            RelayResponse::failure("sess1.1", RelayErrorCode::SttFailed, "timeout", true);
        assert_eq!(
            stt_failed.events(&origin),
            vec![Event::SegmentStored {
                origin: origin.clone(),
                duplicate: false
            }]
        );
        let code = serde_json::to_string(&RelayErrorCode::SttUnavailable).unwrap();
        assert_eq!(code, r#""stt_unavailable""#);
    }

    #[test]
    fn only_unstored_stream_segments_are_posted_again_with_growing_waits() {
        let retry = RelayRetry::default();
        let stream = SegmentOrigin::Stream { seq: 3 };
        let client = SegmentOrigin::Client { id: "c1".into() };
        let lost = RelayResponse::failure("s.3", RelayErrorCode::Storage, "timeout", true);
        assert_eq!(retry.after(&stream, &lost, 1), Some(1_000));
        assert_eq!(retry.after(&stream, &lost, 2), Some(2_000));
        assert_eq!(retry.after(&stream, &lost, 3), Some(4_000));
        assert_eq!(retry.after(&stream, &lost, 4), None, "four posts in all");
        // The client keeps its own segments and re-sends them.
        assert_eq!(retry.after(&client, &lost, 1), None);
        // Stored (the failure came later) or not worth repeating: final.
        let stored = RelayResponse::failure("s.3", RelayErrorCode::SttFailed, "503", true);
        assert_eq!(retry.after(&stream, &stored, 1), None);
        let refused = RelayResponse::failure("s.3", RelayErrorCode::BadRequest, "bad", false);
        assert_eq!(retry.after(&stream, &refused, 1), None);
        let ok = RelayResponse {
            segment_id: "s.3".into(),
            duplicate: false,
            transcript: None,
            advice: None,
            error: None,
        };
        assert_eq!(retry.after(&stream, &ok, 1), None);
        let capped = RelayRetry {
            max_attempts: 40,
            ..RelayRetry::default()
        };
        assert_eq!(capped.after(&stream, &lost, 30), Some(8_000));
    }
}
