//! One relay round trip as plain data: the signed POST for a segment (or a session's end)
//! and the reading of the Lambda's answer into a [`RelayResponse`], whatever came back. The
//! Worker only sends the bytes and feeds [`RelayResponse::events`] to its session.

use crate::settings::EdgeSettings;
use balto_core::advice::Conversation;
use balto_core::relay::{
    RELAY_VERSION, RelayErrorCode, RelayRequest, RelayResponse, RelaySession, SessionEndRequest,
};
use balto_core::session::{SegmentToStore, SessionConfig};
use balto_core::signing::RequestSigner;

/// A POST ready to send: URL, JSON body and the two signature headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedPost {
    pub url: String,
    pub body: Vec<u8>,
    pub headers: [(&'static str, String); 2],
    /// The relay's stable segment id (empty for a session end).
    pub segment_id: String,
}

/// The body could not be serialized (cannot happen for these plain types; kept typed).
#[derive(Debug, thiserror::Error)]
#[error("cannot serialize the relay body: {0}")]
pub struct BodyError(#[from] serde_json::Error);

/// The signed POST of one segment, with the session's current window, signed at `now_ms`.
pub fn segment_post(
    settings: &EdgeSettings,
    signer: &RequestSigner,
    session: &RelaySession<'_>,
    segment: &SegmentToStore,
    context: &Conversation,
    config: &SessionConfig,
    now_ms: u64,
) -> Result<SignedPost, BodyError> {
    let request = RelayRequest::new(session, segment, context, config);
    let body = serde_json::to_vec(&request)?;
    Ok(SignedPost {
        url: settings.segment_url(),
        headers: signer.headers(now_ms / 1000, &body),
        body,
        segment_id: request.segment_id,
    })
}

/// The signed POST that records a session's end.
pub fn session_end_post(
    settings: &EdgeSettings,
    signer: &RequestSigner,
    session_id: &str,
    ended_at_ms: i64,
    now_ms: u64,
) -> Result<SignedPost, BodyError> {
    let body = serde_json::to_vec(&SessionEndRequest {
        version: RELAY_VERSION,
        session_id: session_id.to_string(),
        ended_at_ms,
    })?;
    Ok(SignedPost {
        url: settings.session_end_url(),
        headers: signer.headers(now_ms / 1000, &body),
        body,
        segment_id: String::new(),
    })
}

/// How a relay attempt ended on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayOutcome {
    /// An HTTP answer: status and body text.
    Answered { status: u16, body: String },
    /// No answer within the timeout.
    TimedOut,
    /// The request could not be sent or its body not read.
    Failed(String),
}

/// The answer as the session should see it. Anything that is not a well-formed answer for
/// this segment counts as "not stored", so the client is told to re-send.
pub fn read_answer(segment_id: &str, outcome: &RelayOutcome) -> RelayResponse {
    let (status, body) = match outcome {
        RelayOutcome::Answered { status, body } => (*status, body),
        RelayOutcome::TimedOut => {
            return RelayResponse::failure(
                segment_id,
                RelayErrorCode::Storage,
                "no answer from stt-llm in time",
                true,
            );
        }
        RelayOutcome::Failed(why) => {
            return RelayResponse::failure(
                segment_id,
                RelayErrorCode::Storage,
                format!("stt-llm unreachable: {why}"),
                true,
            );
        }
    };
    match serde_json::from_str::<RelayResponse>(body) {
        Ok(answer) if answer.segment_id == segment_id => {
            if (200..300).contains(&status) || answer.error.is_some() {
                answer
            } else {
                RelayResponse::failure(
                    segment_id,
                    RelayErrorCode::Internal,
                    format!("HTTP {status} without an error"),
                    true,
                )
            }
        }
        Ok(_) => RelayResponse::failure(
            segment_id,
            RelayErrorCode::Internal,
            "the answer is for another segment",
            true,
        ),
        Err(_) => {
            let code = match status {
                400 => RelayErrorCode::BadRequest,
                401 => RelayErrorCode::Unauthorized,
                413 => RelayErrorCode::PayloadTooLarge,
                _ => RelayErrorCode::Internal,
            };
            RelayResponse::failure(
                segment_id,
                code,
                format!("HTTP {status}: not a relay answer"),
                true,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use balto_core::relay::{RelayTranscript, segment_id};
    use balto_core::session::{Event, SegmentOrigin};

    fn settings() -> EdgeSettings {
        EdgeSettings::from_lookup(|k| (k == "STT_LLM_URL").then(|| "http://l:1".to_string()))
            .unwrap()
    }

    fn session() -> RelaySession<'static> {
        RelaySession {
            session_id: "s1",
            started_at_ms: 1_000,
            key_id: "0123456789ab",
            store: "Loja",
            counter: "B1",
        }
    }

    #[test]
    fn a_segment_post_is_signed_over_its_body_and_decodes_back() {
        let signer = RequestSigner::new(b"secret".to_vec()).unwrap();
        let seg = SegmentToStore {
            origin: SegmentOrigin::Client { id: "c1".into() },
            start_ms: 500,
            duration_ms: 100,
            pcm: vec![7; 1_600],
        };
        let post = segment_post(
            &settings(),
            &signer,
            &session(),
            &seg,
            &Conversation::single("oi"),
            &SessionConfig::default(),
            1_700_000_123_456,
        )
        .unwrap();
        assert_eq!(post.url, "http://l:1/v1/segment");
        assert_eq!(post.segment_id, segment_id("s1", &seg.origin));
        let [(tn, ts), (sn, sig)] = &post.headers;
        assert_eq!((*tn, ts.as_str()), ("x-balto-timestamp", "1700000123"));
        assert_eq!(*sn, "x-balto-signature");
        signer
            .verify(Some(ts), Some(sig), &post.body, 1_700_000_130)
            .unwrap();
        let req: RelayRequest = serde_json::from_slice(&post.body).unwrap();
        assert_eq!(req.validate().unwrap(), seg.pcm);
        assert_eq!(req.context.latest_text(), "oi");
        let end = session_end_post(&settings(), &signer, "s1", 9, 1_700_000_123_456).unwrap();
        assert_eq!(end.url, "http://l:1/v1/session/end");
        let v: serde_json::Value = serde_json::from_slice(&end.body).unwrap();
        assert_eq!(v["session_id"], "s1");
    }

    #[test]
    fn answers_map_to_store_events_and_everything_else_to_a_resend() {
        let origin = SegmentOrigin::Stream { seq: 1 };
        let ok = RelayResponse {
            segment_id: "s1.1".into(),
            duplicate: false,
            transcript: Some(RelayTranscript {
                text: "tosse".into(),
                provider: "p".into(),
                start_ms: 0,
            }),
            advice: None,
            error: None,
        };
        let body = serde_json::to_string(&ok).unwrap();
        let got = read_answer("s1.1", &RelayOutcome::Answered { status: 200, body });
        assert_eq!(got, ok);
        assert!(matches!(
            got.events(&origin)[..],
            [Event::SegmentStored { .. }, Event::Transcribed { .. }]
        ));

        let stt = RelayResponse::failure("s1.1", RelayErrorCode::SttUnavailable, "none", false);
        let body = serde_json::to_string(&stt).unwrap();
        let got = read_answer("s1.1", &RelayOutcome::Answered { status: 503, body });
        assert!(matches!(
            got.events(&origin)[..],
            [Event::SegmentStored { .. }]
        ));

        let resend = |outcome: RelayOutcome| {
            let answer = read_answer("s1.1", &outcome);
            assert_eq!(
                answer.events(&origin),
                vec![Event::SegmentStoreFailed {
                    origin: origin.clone()
                }],
                "{outcome:?}"
            );
            answer.error.map(|e| e.code)
        };
        assert_eq!(
            resend(RelayOutcome::TimedOut),
            Some(RelayErrorCode::Storage)
        );
        assert_eq!(
            resend(RelayOutcome::Failed("dns".into())),
            Some(RelayErrorCode::Storage)
        );
        assert_eq!(
            resend(RelayOutcome::Answered {
                status: 401,
                body: "no".into()
            }),
            Some(RelayErrorCode::Unauthorized)
        );
        assert_eq!(
            resend(RelayOutcome::Answered {
                status: 502,
                body: "<html>".into()
            }),
            Some(RelayErrorCode::Internal)
        );
        let other = serde_json::to_string(&RelayResponse {
            segment_id: "s1.2".into(),
            ..ok.clone()
        })
        .unwrap();
        assert_eq!(
            resend(RelayOutcome::Answered {
                status: 200,
                body: other
            }),
            Some(RelayErrorCode::Internal)
        );
        let no_error = serde_json::to_string(&ok).unwrap();
        assert_eq!(
            resend(RelayOutcome::Answered {
                status: 500,
                body: no_error
            }),
            Some(RelayErrorCode::Internal)
        );
    }
}
