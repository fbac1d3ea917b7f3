//! Table-style tests of the session state machine: events in, actions out, no sockets.

use balto_core::admission::{KeyLookup, Refusal};
use balto_core::advice::{Advice, Category, Confidence, Decision};
use balto_core::frontend::{AudioFrontEnd, CutSegment};
use balto_core::pcm::samples_to_bytes;
use balto_core::protocol::{CLOSE_AUTH_FAILED, ErrorCode, ServerMessage};
use balto_core::session::{
    Action, Event, Phase, SegmentOrigin, SegmentToStore, Session, SessionConfig,
};

/// A front end that records every sample and cuts one segment per `every` samples.
struct RecordingFrontEnd {
    every: usize,
    taken: usize,
    pending: Vec<i16>,
}

impl AudioFrontEnd for RecordingFrontEnd {
    fn push(&mut self, pcm: &[i16], out: &mut Vec<CutSegment>) {
        for &s in pcm {
            self.pending.push(s);
            if self.pending.len() == self.every {
                let start = (self.taken / 16) as u64;
                self.taken += self.every;
                out.push(CutSegment {
                    start_ms: start,
                    end_ms: (self.taken / 16) as u64,
                    pcm: std::mem::take(&mut self.pending),
                });
            }
        }
    }
    fn finish(&mut self, out: &mut Vec<CutSegment>) {
        if !self.pending.is_empty() {
            let start = (self.taken / 16) as u64;
            self.taken += self.pending.len();
            out.push(CutSegment {
                start_ms: start,
                end_ms: (self.taken / 16) as u64,
                pcm: std::mem::take(&mut self.pending),
            });
        }
    }
}

fn session() -> Session<RecordingFrontEnd> {
    Session::new(
        SessionConfig::default(),
        0,
        Box::new(|| RecordingFrontEnd {
            every: 1600,
            taken: 0,
            pending: Vec::new(),
        }),
    )
}

fn feed(s: &mut Session<RecordingFrontEnd>, now: u64, ev: Event<'_>) -> Vec<Action> {
    let mut out = Vec::new();
    s.handle(now, ev, &mut out);
    out
}

fn authed() -> Session<RecordingFrontEnd> {
    let mut s = session();
    let a = feed(
        &mut s,
        1,
        Event::Text(r#"{"comando":"auth","api_key":"k"}"#),
    );
    assert_eq!(
        a,
        vec![Action::VerifyKey {
            api_key: "k".into()
        }]
    );
    let a = feed(
        &mut s,
        2,
        Event::KeyChecked(KeyLookup::Admitted {
            session_id: "s1".into(),
        }),
    );
    assert_eq!(
        a,
        vec![Action::Send(ServerMessage::AuthOk {
            session: "s1".into()
        })]
    );
    s
}

fn error_codes(actions: &[Action]) -> Vec<ErrorCode> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Send(ServerMessage::Erro { code, .. }) => Some(*code),
            _ => None,
        })
        .collect()
}

fn closes(actions: &[Action]) -> Vec<u16> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Close { code, .. } => Some(*code),
            _ => None,
        })
        .collect()
}

#[test]
fn failures_before_auth_close_with_4001() {
    let cases: Vec<(&str, Vec<Event<'static>>)> = vec![
        ("binary first", vec![Event::Binary(&[0, 0, 0, 0])]),
        ("not json", vec![Event::Text("hello")]),
        ("other command", vec![Event::Text(r#"{"comando":"ping"}"#)]),
        (
            "api_key not a string",
            vec![Event::Text(r#"{"comando":"auth","api_key":5}"#)],
        ),
        (
            "missing api_key",
            vec![Event::Text(r#"{"comando":"auth"}"#)],
        ),
        (
            "segment before auth",
            vec![Event::Text(
                r#"{"comando":"segmento","id":"a","inicio_ms":0,"duracao_ms":100,"formato":"pcm_s16le_16k"}"#,
            )],
        ),
        (
            "wrong key",
            vec![
                Event::Text(r#"{"comando":"auth","api_key":"k"}"#),
                Event::KeyChecked(KeyLookup::NotFound),
                Event::FailedAuthCharged { delay_ms: 0 },
            ],
        ),
        (
            "audio while the key is being checked",
            vec![
                Event::Text(r#"{"comando":"auth","api_key":"k"}"#),
                Event::Binary(&[1, 2]),
            ],
        ),
    ];
    for (name, events) in cases {
        let mut s = session();
        let mut all = Vec::new();
        for ev in events {
            all.extend(feed(&mut s, 5, ev));
        }
        assert_eq!(error_codes(&all), vec![ErrorCode::AuthInvalida], "{name}");
        assert_eq!(closes(&all), vec![CLOSE_AUTH_FAILED], "{name}");
        assert_eq!(s.phase(), &Phase::Closed, "{name}");
        // Nothing more happens once closed.
        assert!(feed(&mut s, 6, Event::Binary(&[0, 0])).is_empty(), "{name}");
    }
}

#[test]
fn auth_deadline_closes_with_4001_only_after_it_passes() {
    let mut s = session();
    assert_eq!(s.next_deadline_ms(), Some(10_000));
    assert!(feed(&mut s, 9_999, Event::Tick).is_empty());
    let a = feed(&mut s, 10_000, Event::Tick);
    assert_eq!(error_codes(&a), vec![ErrorCode::AuthInvalida]);
    assert_eq!(closes(&a), vec![CLOSE_AUTH_FAILED]);
}

#[test]
fn deadline_does_not_apply_after_auth() {
    let mut s = authed();
    assert!(feed(&mut s, 60_000, Event::Tick).is_empty());
    assert_eq!(s.session_id(), Some("s1"));
}

#[test]
fn malformed_messages_after_auth_get_errors_and_the_session_goes_on() {
    let mut s = authed();
    let cases = [
        ("{", ErrorCode::JsonInvalido),
        (r#"{"x":1}"#, ErrorCode::CampoAusente),
        (r#"{"comando":"voar"}"#, ErrorCode::ComandoDesconhecido),
        (
            r#"{"comando":"auth","api_key":"k"}"#,
            ErrorCode::JaAutenticado,
        ),
        (r#"{"comando":"auth"}"#, ErrorCode::JaAutenticado),
    ];
    for (text, code) in cases {
        let a = feed(&mut s, 10, Event::Text(text));
        assert_eq!(error_codes(&a), vec![code], "{text}");
        assert!(closes(&a).is_empty());
    }
    assert!(matches!(s.phase(), Phase::Authenticated { .. }));
}

#[test]
fn frame_size_limit_is_inclusive_at_64_kib() {
    let mut s = authed();
    let ok = vec![0u8; 65_536];
    assert!(error_codes(&feed(&mut s, 10, Event::Binary(&ok))).is_empty());
    let big = vec![0u8; 65_537];
    let a = feed(&mut s, 10, Event::Binary(&big));
    assert_eq!(error_codes(&a), vec![ErrorCode::FrameGrande]);
    assert!(closes(&a).is_empty());
    // One byte is accepted (and carried).
    assert!(feed(&mut s, 10, Event::Binary(&[7])).is_empty());
}

fn stored(actions: &[Action]) -> Vec<SegmentToStore> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::StoreSegment(seg) => Some(seg.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn odd_length_frames_lose_no_byte() {
    let samples: Vec<i16> = (0..4000).map(|i| (i * 13 - 9000) as i16).collect();
    let bytes = samples_to_bytes(&samples);
    let mut s = authed();
    let mut segs = Vec::new();
    for chunk in bytes.chunks(641) {
        segs.extend(stored(&feed(&mut s, 10, Event::Binary(chunk))));
    }
    segs.extend(stored(&feed(&mut s, 10, Event::StreamEnded)));
    let got: Vec<i16> = segs.iter().flat_map(|s| s.pcm.iter().copied()).collect();
    assert_eq!(got, samples);
    let seqs: Vec<_> = segs.iter().map(|s| s.origin.clone()).collect();
    assert_eq!(
        seqs,
        vec![
            SegmentOrigin::Stream { seq: 1 },
            SegmentOrigin::Stream { seq: 2 },
            SegmentOrigin::Stream { seq: 3 }
        ]
    );
    assert_eq!(segs[1].start_ms, 100);
    assert_eq!(s.stats().audio_bytes, 8000);
}

const HEADER_1S: &str = r#"{"comando":"segmento","id":"seg-1","inicio_ms":500,"duracao_ms":1000,"formato":"pcm_s16le_16k"}"#;

#[test]
fn client_segment_is_stored_then_acknowledged_then_processed_once() {
    let mut s = authed();
    assert!(feed(&mut s, 10, Event::Text(HEADER_1S)).is_empty());
    let audio = vec![0u8; 32_000];
    let a = feed(&mut s, 10, Event::Binary(&audio));
    let segs = stored(&a);
    assert_eq!(segs.len(), 1);
    assert_eq!(segs[0].origin, SegmentOrigin::Client { id: "seg-1".into() });
    assert_eq!((segs[0].start_ms, segs[0].duration_ms), (500, 1000));
    assert_eq!(segs[0].pcm.len(), 16_000);
    // No ack before the store says so.
    assert!(!a.iter().any(|x| matches!(x, Action::Send(_))));
    let origin = SegmentOrigin::Client { id: "seg-1".into() };
    let a = feed(
        &mut s,
        11,
        Event::SegmentStored {
            origin: origin.clone(),
            duplicate: false,
        },
    );
    assert_eq!(
        a,
        vec![
            Action::Send(ServerMessage::SegmentoOk { id: "seg-1".into() }),
            Action::Transcribe {
                origin: origin.clone()
            }
        ]
    );
    // A re-sent duplicate is acknowledged again but not processed.
    assert!(feed(&mut s, 12, Event::Text(HEADER_1S)).is_empty());
    assert_eq!(stored(&feed(&mut s, 12, Event::Binary(&audio))).len(), 1);
    let duplicate = Event::SegmentStored {
        origin,
        duplicate: true,
    };
    let a = feed(&mut s, 12, duplicate.clone());
    assert_eq!(
        a,
        vec![Action::Send(ServerMessage::SegmentoOk {
            id: "seg-1".into()
        })]
    );
    // An answer for a store the session did not ask for (again) changes nothing.
    assert!(feed(&mut s, 13, duplicate).is_empty());
}

#[test]
fn segment_audio_rules() {
    // Length disagreeing with duracao_ms by more than 100 ms.
    let mut s = authed();
    feed(&mut s, 10, Event::Text(HEADER_1S));
    let a = feed(&mut s, 10, Event::Binary(&vec![0u8; 32_000 + 3_400]));
    assert_eq!(error_codes(&a), vec![ErrorCode::SegmentoInvalido]);
    // Within 100 ms is fine.
    feed(&mut s, 10, Event::Text(HEADER_1S));
    let a = feed(&mut s, 10, Event::Binary(&vec![0u8; 32_000 + 3_200]));
    assert_eq!(stored(&a).len(), 1);
    // Over 30 s: segmento_grande even though the header was valid.
    let header_30s = r#"{"comando":"segmento","id":"g","inicio_ms":0,"duracao_ms":30000,"formato":"pcm_s16le_16k"}"#;
    feed(&mut s, 10, Event::Text(header_30s));
    let a = feed(&mut s, 10, Event::Binary(&vec![0u8; 960_002]));
    assert_eq!(error_codes(&a), vec![ErrorCode::SegmentoGrande]);
    // Exactly 30 s is accepted and exempt from the 64 KiB frame limit.
    feed(&mut s, 10, Event::Text(header_30s));
    let a = feed(&mut s, 10, Event::Binary(&vec![0u8; 960_000]));
    assert_eq!(stored(&a).len(), 1);
}

#[test]
fn binary_after_a_rejected_header_is_discarded_not_treated_as_raw_pcm() {
    let mut s = authed();
    let bad =
        r#"{"comando":"segmento","id":"x","inicio_ms":0,"duracao_ms":0,"formato":"pcm_s16le_16k"}"#;
    let a = feed(&mut s, 10, Event::Text(bad));
    assert_eq!(error_codes(&a), vec![ErrorCode::SegmentoInvalido]);
    let a = feed(&mut s, 10, Event::Binary(&vec![1u8; 3_200 * 2]));
    assert!(a.is_empty());
    assert_eq!(s.stats().audio_bytes, 0);
    // The next binary frame is raw PCM again.
    feed(&mut s, 10, Event::Binary(&[0u8; 64]));
    assert_eq!(s.stats().audio_bytes, 64);
}

#[test]
fn text_instead_of_segment_audio_reports_the_missing_audio() {
    let mut s = authed();
    feed(&mut s, 10, Event::Text(HEADER_1S));
    let a = feed(&mut s, 10, Event::Text(r#"{"comando":"voar"}"#));
    assert_eq!(
        error_codes(&a),
        vec![ErrorCode::SegmentoInvalido, ErrorCode::ComandoDesconhecido]
    );
}

fn advice(product: &str) -> Advice {
    Advice {
        decision: Decision::Recomendar,
        category: Some(Category::DorFebre),
        product: Some(product.into()),
        explanation: "dor de cabeça".into(),
        confidence: Confidence::Media,
    }
}

#[test]
fn transcripts_build_the_window_and_the_same_product_is_not_pushed_twice_in_a_row() {
    let mut s = authed();
    let o1 = SegmentOrigin::Stream { seq: 1 };
    let a = feed(
        &mut s,
        10,
        Event::Transcribed {
            origin: o1.clone(),
            start_ms: 1_000,
            text: " estou com dor de cabeça ".into(),
        },
    );
    let Action::Advise {
        conversation,
        base_transcript,
        ..
    } = &a[0]
    else {
        panic!("expected Advise, got {a:?}")
    };
    assert_eq!(base_transcript, "estou com dor de cabeça");
    assert_eq!(conversation.utterances.len(), 1);
    assert_eq!(conversation.last_product, None);

    let a = feed(
        &mut s,
        11,
        Event::Advised {
            origin: o1.clone(),
            advice: advice("Dipirona 500 mg"),
            base_transcript: "estou com dor de cabeça".into(),
        },
    );
    assert_eq!(
        a,
        vec![
            Action::Send(ServerMessage::Recomendar {
                product: "Dipirona 500 mg".into(),
                explanation: "dor de cabeça".into(),
                base_transcript: "estou com dor de cabeça".into(),
                confidence: Confidence::Media,
            }),
            Action::RecordSuggestion {
                origin: o1.clone(),
                advice: advice("Dipirona 500 mg"),
                base_transcript: "estou com dor de cabeça".into(),
                sent: true,
            }
        ]
    );
    // The advisor now sees the last product.
    let a = feed(
        &mut s,
        12,
        Event::Transcribed {
            origin: SegmentOrigin::Stream { seq: 2 },
            start_ms: 3_000,
            text: "ainda dói".into(),
        },
    );
    let Action::Advise { conversation, .. } = &a[0] else {
        panic!()
    };
    assert_eq!(
        conversation.last_product.as_deref(),
        Some("Dipirona 500 mg")
    );
    assert_eq!(conversation.utterances.len(), 2);
    // Same product again: suppressed.
    let a = feed(
        &mut s,
        13,
        Event::Advised {
            origin: SegmentOrigin::Stream { seq: 2 },
            advice: advice("Dipirona 500 mg"),
            base_transcript: "ainda dói".into(),
        },
    );
    assert!(matches!(
        a.as_slice(),
        [
            Action::Suppressed { .. },
            Action::RecordSuggestion { sent: false, .. }
        ]
    ));
    // A different one goes through; then the first is allowed again.
    for (p, sent) in [("Paracetamol 750 mg", true), ("Dipirona 500 mg", true)] {
        let a = feed(
            &mut s,
            14,
            Event::Advised {
                origin: o1.clone(),
                advice: advice(p),
                base_transcript: "x".into(),
            },
        );
        assert_eq!(
            matches!(
                a.as_slice(),
                [
                    Action::Send(ServerMessage::Recomendar { .. }),
                    Action::RecordSuggestion { sent: true, .. }
                ]
            ),
            sent
        );
    }
    // Nothing to say sends nothing.
    let a = feed(
        &mut s,
        15,
        Event::Advised {
            origin: o1,
            advice: Advice::nothing("saudação"),
            base_transcript: "bom dia".into(),
        },
    );
    assert!(
        matches!(a.as_slice(), [Action::RecordSuggestion { sent: false, .. }]),
        "{a:?}"
    );
}

#[test]
fn advice_arriving_after_the_client_left_is_recorded_as_not_sent() {
    let mut s = authed();
    let origin = SegmentOrigin::Stream { seq: 1 };
    feed(
        &mut s,
        10,
        Event::Transcribed {
            origin: origin.clone(),
            start_ms: 1_000,
            text: "dor de cabeça".into(),
        },
    );
    feed(&mut s, 11, Event::StreamEnded);
    let a = feed(
        &mut s,
        12,
        Event::Advised {
            origin,
            advice: advice("Dipirona 500 mg"),
            base_transcript: "dor de cabeça".into(),
        },
    );
    assert!(
        matches!(a.as_slice(), [Action::RecordSuggestion { sent: false, .. }]),
        "{a:?}"
    );
    assert_eq!(s.stats().recommendations_sent, 0);
}

#[test]
fn window_keeps_only_the_last_minute_in_time_order() {
    let mut s = authed();
    let mut last = Vec::new();
    for (i, at) in [0u64, 30_000, 10_000, 95_000].into_iter().enumerate() {
        last = feed(
            &mut s,
            20,
            Event::Transcribed {
                origin: SegmentOrigin::Stream { seq: i as u64 + 1 },
                start_ms: at,
                text: format!("u{at}"),
            },
        );
    }
    let Action::Advise { conversation, .. } = &last[0] else {
        panic!()
    };
    let at: Vec<u64> = conversation.utterances.iter().map(|u| u.at_ms).collect();
    assert_eq!(at, vec![95_000]);
}

#[test]
fn client_segments_get_live_transcripts_and_empty_text_is_not_advised() {
    let mut s = authed();
    let origin = SegmentOrigin::Client { id: "c9".into() };
    let a = feed(
        &mut s,
        10,
        Event::Transcribed {
            origin,
            start_ms: 0,
            text: "   ".into(),
        },
    );
    assert_eq!(
        a,
        vec![Action::Send(ServerMessage::Transcricao {
            id: "c9".into(),
            text: String::new()
        })]
    );
}

#[test]
fn store_failure_is_reported_without_ack() {
    let mut s = authed();
    let header = HEADER_1S.replace("seg-1", "z");
    assert!(feed(&mut s, 10, Event::Text(&header)).is_empty());
    assert_eq!(
        stored(&feed(&mut s, 10, Event::Binary(&[0u8; 32_000]))).len(),
        1
    );
    let a = feed(
        &mut s,
        10,
        Event::SegmentStoreFailed {
            origin: SegmentOrigin::Client { id: "z".into() },
        },
    );
    assert_eq!(error_codes(&a), vec![ErrorCode::ErroInterno]);
    assert!(
        !a.iter()
            .any(|x| matches!(x, Action::Send(ServerMessage::SegmentoOk { .. })))
    );
}

/// What one `auth` comes to for each key lookup: the `erro`, the close code, and whether the
/// address is charged (then the refusal waits for the throttle's delay).
#[test]
fn admission_table() {
    type Row = (KeyLookup, Option<ErrorCode>, Option<u16>, bool);
    let admitted = KeyLookup::Admitted {
        session_id: "s9".into(),
    };
    let table: Vec<Row> = vec![
        (admitted, None, None, false),
        (
            KeyLookup::NotFound,
            Some(ErrorCode::AuthInvalida),
            Some(4001),
            true,
        ),
        (
            KeyLookup::Revoked,
            Some(ErrorCode::AuthInvalida),
            Some(4001),
            true,
        ),
        (
            KeyLookup::KeyAtLimit,
            Some(ErrorCode::MuitasConexoes),
            Some(1008),
            false,
        ),
        (
            KeyLookup::StoreUnavailable,
            Some(ErrorCode::ErroInterno),
            Some(1011),
            false,
        ),
    ];
    for (lookup, code, close, charged) in table {
        let mut s = session();
        feed(
            &mut s,
            0,
            Event::Text(r#"{"comando":"auth","api_key":"k"}"#),
        );
        let mut a = feed(&mut s, 1, Event::KeyChecked(lookup.clone()));
        assert_eq!(
            a.contains(&Action::ChargeFailedAuth),
            charged,
            "{lookup:?}: {a:?}"
        );
        if charged {
            assert!(
                closes(&a).is_empty(),
                "{lookup:?}: refused before the charge"
            );
            a.extend(feed(&mut s, 1, Event::FailedAuthCharged { delay_ms: 0 }));
        }
        assert_eq!(
            error_codes(&a),
            code.into_iter().collect::<Vec<_>>(),
            "{lookup:?}"
        );
        assert_eq!(
            closes(&a),
            close.into_iter().collect::<Vec<_>>(),
            "{lookup:?}"
        );
        match close {
            None => {
                assert_eq!(s.session_id(), Some("s9"));
                assert!(a.contains(&Action::Send(ServerMessage::AuthOk {
                    session: "s9".into()
                })));
            }
            Some(_) => assert_eq!(s.phase(), &Phase::Closed, "{lookup:?}"),
        }
    }
}

#[test]
fn a_charged_refusal_waits_out_its_delay_whatever_the_client_sends() {
    let mut s = session();
    feed(
        &mut s,
        0,
        Event::Text(r#"{"comando":"auth","api_key":"k"}"#),
    );
    assert_eq!(
        feed(&mut s, 100, Event::KeyChecked(KeyLookup::Revoked)),
        vec![Action::ChargeFailedAuth]
    );
    // Until the throttle answers, nothing is timed but the refusal itself.
    assert_eq!(s.next_deadline_ms(), None);
    assert!(feed(&mut s, 100, Event::FailedAuthCharged { delay_ms: 4_000 }).is_empty());
    assert_eq!(s.next_deadline_ms(), Some(4_100));
    assert!(
        feed(
            &mut s,
            200,
            Event::Text(r#"{"comando":"auth","api_key":"k2"}"#)
        )
        .is_empty()
    );
    assert!(feed(&mut s, 300, Event::Binary(&[0, 0])).is_empty());
    // A flood does not buy the answer early (it would tell the key was wrong before the delay).
    assert!(feed(&mut s, 400, Event::RateExceeded).is_empty());
    assert!(feed(&mut s, 4_099, Event::Tick).is_empty());
    let a = feed(&mut s, 4_100, Event::Tick);
    assert_eq!(error_codes(&a), vec![Refusal::WRONG_KEY.code]);
    assert_eq!(closes(&a), vec![CLOSE_AUTH_FAILED]);
    assert_eq!(s.phase(), &Phase::Closed);
    // The auth deadline does not cut the delay short either.
    let mut s = session();
    feed(
        &mut s,
        9_000,
        Event::Text(r#"{"comando":"auth","api_key":"k"}"#),
    );
    feed(&mut s, 9_000, Event::KeyChecked(KeyLookup::NotFound));
    feed(&mut s, 9_000, Event::FailedAuthCharged { delay_ms: 5_000 });
    assert!(feed(&mut s, 10_500, Event::Tick).is_empty());
    assert_eq!(closes(&feed(&mut s, 14_000, Event::Tick)), vec![4001]);
}

#[test]
fn a_sender_over_its_rate_is_refused_and_its_open_speech_still_stored() {
    let mut s = Session::new(
        SessionConfig::default(),
        0,
        Box::new(|| RecordingFrontEnd {
            every: 16_000,
            taken: 0,
            pending: Vec::new(),
        }),
    );
    feed(
        &mut s,
        0,
        Event::Text(r#"{"comando":"auth","api_key":"k"}"#),
    );
    feed(
        &mut s,
        1,
        Event::KeyChecked(KeyLookup::Admitted {
            session_id: "s1".into(),
        }),
    );
    assert!(feed(&mut s, 2, Event::Binary(&samples_to_bytes(&[7; 800]))).is_empty());
    let a = feed(&mut s, 3, Event::RateExceeded);
    assert_eq!(error_codes(&a), vec![ErrorCode::LimiteExcedido]);
    assert_eq!(closes(&a), vec![1008]);
    let stored: Vec<&SegmentToStore> = a
        .iter()
        .filter_map(|x| match x {
            Action::StoreSegment(seg) => Some(seg),
            _ => None,
        })
        .collect();
    assert_eq!(stored.len(), 1, "the open speech is cut and stored: {a:?}");
    assert!(s.peer_gone());
    // Its results are still recorded, but nothing is sent any more.
    let origin = stored[0].origin.clone();
    let a = feed(
        &mut s,
        4,
        Event::SegmentStored {
            origin: origin.clone(),
            duplicate: false,
        },
    );
    assert_eq!(
        a,
        vec![Action::Transcribe {
            origin: origin.clone()
        }]
    );
    assert!(
        feed(&mut s, 5, Event::RateExceeded).is_empty(),
        "refused once"
    );
}
