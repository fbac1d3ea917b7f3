//! A benchmark export for Node (`--features bench`, without the Worker): the same session,
//! front end and relay-body code the Worker runs, timed per frame and per segment with
//! `performance.now()` (inside a Worker the clock stands still while code runs).

use crate::cpu_meter::Meter;
use crate::edge_front_end::{EdgeFrontEnd, factory};
use crate::relay_call::segment_post;
use crate::settings::EdgeSettings;
use balto_core::admission::KeyLookup;
use balto_core::relay::RelaySession;
use balto_core::session::{Action, Event, Session};
use balto_core::signing::RequestSigner;
use vad_wasm::FrontEndConfig;
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance)]
    fn now() -> f64;
}

/// Streams `pcm` (16 kHz mono) in frames of `frame_samples` through an authenticated
/// session; returns JSON with the per-frame and per-segment meters.
#[wasm_bindgen]
pub fn bench_stream(pcm: &[i16], frame_samples: usize) -> String {
    let Ok(make) = factory(FrontEndConfig::default()) else {
        return r#"{"error":"front end"}"#.to_string();
    };
    let Ok(settings) =
        EdgeSettings::from_lookup(|k| (k == "STT_LLM_URL").then(|| "https://l".to_string()))
    else {
        return r#"{"error":"settings"}"#.to_string();
    };
    let Ok(signer) = RequestSigner::new(b"bench-secret".to_vec()) else {
        return r#"{"error":"signer"}"#.to_string();
    };
    let mut session: Session<EdgeFrontEnd> =
        Session::new(settings.session_config(), 0, Box::new(make));
    let mut out = Vec::new();
    session.handle(
        0,
        Event::Text(r#"{"comando":"auth","api_key":"k"}"#),
        &mut out,
    );
    session.handle(
        0,
        Event::KeyChecked(KeyLookup::Admitted {
            session_id: "bench".into(),
        }),
        &mut out,
    );
    let who = RelaySession {
        session_id: "bench",
        started_at_ms: 0,
        key_id: "0123456789ab",
        store: "L",
        counter: "B",
    };
    let (mut frames, mut segments) = (Meter::default(), Meter::default());
    let mut bytes = Vec::with_capacity(frame_samples.max(1) * 2);
    let mut body_bytes = 0usize;
    for chunk in pcm.chunks(frame_samples.max(1)) {
        bytes.clear();
        bytes.extend(chunk.iter().flat_map(|s| s.to_le_bytes()));
        out.clear();
        let t0 = now();
        session.handle(0, Event::Binary(&bytes), &mut out);
        frames.record(now() - t0);
        for action in out.drain(..) {
            if let Action::StoreSegment(seg) = action {
                let t0 = now();
                if let Ok(post) = segment_post(
                    &settings,
                    &signer,
                    &who,
                    &seg,
                    session.conversation(),
                    session.config(),
                    1_700_000_000_000,
                ) {
                    body_bytes += post.body.len();
                }
                segments.record(now() - t0);
            }
        }
    }
    serde_json::json!({
        "audio_ms": pcm.len() / 16,
        "frame_ms": frame_samples / 16,
        "frames": { "count": frames.count, "total_ms": frames.total_ms, "mean_ms": frames.mean_ms(), "max_ms": frames.max_ms },
        "segments": { "count": segments.count, "total_ms": segments.total_ms, "mean_ms": segments.mean_ms(), "max_ms": segments.max_ms },
        "relay_body_bytes": body_bytes,
    })
    .to_string()
}
