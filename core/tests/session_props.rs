//! Property tests of the session state machine: random sequences of hostile and valid events
//! (text of any shape, binary frames of any size, ticks, key results, storage and pipeline
//! answers — including answers for segments that were never asked for) never panic, and the
//! protocol's promises hold: nothing is stored before a key is accepted, `segmento_ok` only
//! follows the driver's "stored", every message sent is valid protocol JSON, nothing is sent
//! after a close, and the same product is never pushed twice in a row.

use balto_core::admission::KeyLookup;
use balto_core::advice::{Advice, Category, Confidence, Decision};
use balto_core::frontend::{AudioFrontEnd, CutSegment};
use balto_core::protocol::ServerMessage;
use balto_core::session::{Action, Event, SegmentOrigin, Session, SessionConfig};
use proptest::prelude::*;
use std::collections::HashSet;

/// Cuts one segment per 0.1 s of audio, so raw PCM exercises storage too.
struct TenthOfSecond {
    pending: Vec<i16>,
    at_ms: u64,
}

impl AudioFrontEnd for TenthOfSecond {
    fn push(&mut self, pcm: &[i16], out: &mut Vec<CutSegment>) {
        for &s in pcm {
            self.pending.push(s);
            if self.pending.len() == 1600 {
                self.cut(out);
            }
        }
    }
    fn finish(&mut self, out: &mut Vec<CutSegment>) {
        if !self.pending.is_empty() {
            self.cut(out);
        }
    }
}

impl TenthOfSecond {
    fn cut(&mut self, out: &mut Vec<CutSegment>) {
        let pcm = std::mem::take(&mut self.pending);
        let start_ms = self.at_ms;
        self.at_ms += pcm.len() as u64 / 16;
        out.push(CutSegment {
            start_ms,
            end_ms: self.at_ms,
            pcm,
        });
    }
}

#[derive(Debug, Clone)]
enum Op {
    Text(String),
    Binary(Vec<u8>),
    Tick(u64),
    /// The key check's answer: admitted, not found, revoked, at its limit, store down.
    KeyAnswer(u8),
    /// The address throttle's answer to a charged failure: wait this long.
    Charged(u64),
    RateExceeded,
    Stored {
        pick: usize,
        ok: bool,
        duplicate: bool,
    },
    Transcribed {
        pick: usize,
        text: String,
    },
    Advised {
        pick: usize,
        product: u8,
    },
    StrayStored(String),
    StreamEnded,
}

fn text_frame() -> impl Strategy<Value = String> {
    let id = "[a-z0-9]{0,6}";
    prop_oneof![
        Just(r#"{"comando":"auth","api_key":"balto_k"}"#.to_string()),
        id.prop_map(|id| format!(
            r#"{{"comando":"segmento","id":"{id}","inicio_ms":0,"duracao_ms":100,"formato":"pcm_s16le_16k"}}"#
        )),
        (id, 0u64..40_000).prop_map(|(id, d)| format!(
            r#"{{"comando":"segmento","id":"{id}","inicio_ms":5,"duracao_ms":{d},"formato":"pcm_s16le_16k"}}"#
        )),
        Just(r#"{"comando":"ping"}"#.to_string()),
        Just(r#"{"comando":3}"#.to_string()),
        Just("[]".to_string()),
        Just("{".to_string()),
        ".{0,40}",
    ]
}

fn binary_frame() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => (0usize..4000).prop_map(|n| vec![0x11; n]),
        1 => Just(vec![0x22; 3200]),
        1 => Just(vec![0x33; 65_537]),
        1 => proptest::collection::vec(any::<u8>(), 0..64),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => text_frame().prop_map(Op::Text),
        4 => binary_frame().prop_map(Op::Binary),
        2 => (0u64..15_000).prop_map(Op::Tick),
        2 => (0u8..5).prop_map(Op::KeyAnswer),
        1 => (0u64..3_000).prop_map(Op::Charged),
        1 => Just(Op::RateExceeded),
        3 => (any::<usize>(), any::<bool>(), any::<bool>())
            .prop_map(|(pick, ok, duplicate)| Op::Stored { pick, ok, duplicate }),
        2 => (any::<usize>(), "[a-z ]{0,12}").prop_map(|(pick, text)| Op::Transcribed { pick, text }),
        2 => (any::<usize>(), 0u8..3).prop_map(|(pick, product)| Op::Advised { pick, product }),
        1 => "[a-z0-9]{0,6}".prop_map(Op::StrayStored),
        1 => Just(Op::StreamEnded),
    ]
}

fn advice(product: u8) -> Advice {
    Advice {
        decision: Decision::Recomendar,
        category: Some(Category::DorFebre),
        product: Some(format!("Produto {product}")),
        explanation: "teste".into(),
        confidence: Confidence::Media,
    }
}

/// What the driver knows, as a correct driver would.
#[derive(Default)]
struct Driver {
    now: u64,
    key_accepted: bool,
    verifying: bool,
    /// A failed `auth` was charged and its delay not yet answered.
    charging: bool,
    /// The refusal may be answered from this time on.
    refusal_due: Option<u64>,
    gone: bool,
    to_store: Vec<SegmentOrigin>,
    stored_client_ids: HashSet<String>,
    to_transcribe: Vec<SegmentOrigin>,
    to_advise: Vec<(SegmentOrigin, String)>,
    closed: bool,
    last_pushed: Option<String>,
}

impl Driver {
    fn check(&mut self, actions: &[Action]) -> Result<(), TestCaseError> {
        for action in actions {
            if self.closed {
                prop_assert!(
                    !matches!(action, Action::Send(_)),
                    "sent after close: {action:?}"
                );
            }
            match action {
                Action::Send(msg) => {
                    let json: serde_json::Value = serde_json::from_str(&msg.to_json())
                        .map_err(|e| TestCaseError::fail(e.to_string()))?;
                    prop_assert!(json["comando"].is_string());
                    match msg {
                        ServerMessage::SegmentoOk { id } => prop_assert!(
                            self.stored_client_ids.contains(id),
                            "segmento_ok {id} before it was stored"
                        ),
                        ServerMessage::Recomendar { product, .. } => {
                            prop_assert_ne!(Some(product), self.last_pushed.as_ref());
                            self.last_pushed = Some(product.clone());
                        }
                        ServerMessage::AuthOk { .. } => prop_assert!(self.key_accepted),
                        _ => {}
                    }
                }
                Action::Close { .. } => {
                    if let Some(due) = self.refusal_due {
                        prop_assert!(self.now >= due, "refused before the throttle's delay");
                    }
                    self.closed = true;
                }
                Action::VerifyKey { .. } => self.verifying = true,
                Action::ChargeFailedAuth => {
                    prop_assert!(!self.key_accepted, "charged a failure for an accepted key");
                    self.charging = true;
                }
                Action::RecordSuggestion { sent, advice, .. } => {
                    let pushed = actions.iter().any(|a| {
                        matches!(a, Action::Send(ServerMessage::Recomendar { product, .. })
                            if Some(product) == advice.product.as_ref())
                    });
                    prop_assert_eq!(*sent, pushed, "recorded sent={} for {:?}", sent, advice);
                }
                Action::StoreSegment(seg) => {
                    prop_assert!(self.key_accepted, "store before auth: {seg:?}");
                    self.to_store.push(seg.origin.clone());
                }
                Action::Transcribe { origin } => {
                    prop_assert!(self.key_accepted);
                    self.to_transcribe.push(origin.clone());
                }
                Action::Advise {
                    origin,
                    base_transcript,
                    ..
                } => self
                    .to_advise
                    .push((origin.clone(), base_transcript.clone())),
                Action::Suppressed { .. } => {}
            }
        }
        Ok(())
    }
}

fn pick<T: Clone>(list: &mut Vec<T>, n: usize) -> Option<T> {
    (!list.is_empty()).then(|| list.remove(n % list.len()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_event_sequence_keeps_the_protocol_promises(ops in proptest::collection::vec(op(), 1..60)) {
        let mut session = Session::new(
            SessionConfig::default(),
            0,
            Box::new(|| TenthOfSecond { pending: Vec::new(), at_ms: 0 }),
        );
        let mut d = Driver::default();
        for op in ops {
            let mut out = Vec::new();
            let was_gone = d.gone;
            match op {
                Op::Text(t) => session.handle(d.now, Event::Text(&t), &mut out),
                Op::Binary(b) => session.handle(d.now, Event::Binary(&b), &mut out),
                Op::Tick(ms) => {
                    d.now += ms;
                    session.handle(d.now, Event::Tick, &mut out);
                }
                Op::KeyAnswer(ok) => {
                    if !d.verifying {
                        continue;
                    }
                    d.verifying = false;
                    let lookup = match ok {
                        0 => KeyLookup::Admitted { session_id: "s".into() },
                        1 => KeyLookup::NotFound,
                        2 => KeyLookup::Revoked,
                        3 => KeyLookup::KeyAtLimit,
                        _ => KeyLookup::StoreUnavailable,
                    };
                    d.key_accepted |= ok == 0;
                    session.handle(d.now, Event::KeyChecked(lookup), &mut out);
                }
                Op::Charged(delay_ms) => {
                    if !d.charging {
                        continue;
                    }
                    d.charging = false;
                    d.refusal_due = Some(d.now + delay_ms);
                    session.handle(d.now, Event::FailedAuthCharged { delay_ms }, &mut out);
                }
                Op::RateExceeded => {
                    if d.key_accepted {
                        d.gone = true;
                    }
                    session.handle(d.now, Event::RateExceeded, &mut out);
                }
                Op::Stored { pick: n, ok, duplicate } => {
                    let Some(origin) = pick(&mut d.to_store, n) else { continue };
                    if ok {
                        if let SegmentOrigin::Client { id } = &origin {
                            d.stored_client_ids.insert(id.clone());
                        }
                        session.handle(d.now, Event::SegmentStored { origin, duplicate }, &mut out);
                    } else {
                        session.handle(d.now, Event::SegmentStoreFailed { origin }, &mut out);
                    }
                }
                Op::Transcribed { pick: n, text } => {
                    let Some(origin) = pick(&mut d.to_transcribe, n) else { continue };
                    session.handle(d.now, Event::Transcribed { origin, start_ms: d.now, text }, &mut out);
                }
                Op::Advised { pick: n, product } => {
                    let Some((origin, base_transcript)) = pick(&mut d.to_advise, n) else { continue };
                    session.handle(
                        d.now,
                        Event::Advised { origin, advice: advice(product), base_transcript },
                        &mut out,
                    );
                }
                Op::StrayStored(id) => {
                    // An answer for a segment the session never asked about must change nothing.
                    let origin = SegmentOrigin::Client { id };
                    session.handle(d.now, Event::SegmentStored { origin, duplicate: false }, &mut out);
                    prop_assert!(
                        out.iter().all(|a| !matches!(a, Action::Send(ServerMessage::SegmentoOk { .. }))),
                        "acknowledged a segment it never asked to store: {out:?}"
                    );
                }
                Op::StreamEnded => {
                    d.gone = true;
                    session.handle(d.now, Event::StreamEnded, &mut out);
                }
            }
            if was_gone {
                prop_assert!(
                    out.iter().all(|a| !matches!(a, Action::Send(_))),
                    "sent to a client that is gone: {:?}", out
                );
            }
            d.check(&out)?;
        }
    }
}
