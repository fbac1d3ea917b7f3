//! Every text a client or the edge can send: counter frames (`parse_client_text`), the edge →
//! Lambda relay body (`RelayRequest` + `validate`) and its signature headers. Any input gives a
//! value or a typed error; an accepted counter frame round-trips through its own fields.
#![no_main]

use balto_core::protocol::{ClientMessage, parse_client_text};
use balto_core::relay::RelayRequest;
use balto_core::signing::RequestSigner;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match parse_client_text(&text) {
        Ok(ClientMessage::Segment(header)) => {
            assert!(!header.id.is_empty() && header.id.len() <= 128);
            assert!((1..=30_000).contains(&header.duration_ms));
        }
        Ok(ClientMessage::Auth { .. }) => {}
        Err(e) => {
            // Every parse error becomes a protocol `erro` that serializes.
            let json = e.to_message().to_json();
            assert!(json.contains("\"comando\":\"erro\""), "{json}");
        }
    }
    if let Ok(request) = serde_json::from_slice::<RelayRequest>(data) {
        let _ = request.validate();
        let _ = request.origin();
    }
    // Signature headers of any shape are rejected or accepted, never a panic.
    let (head, body) = data.split_at(data.len().min(80));
    let head = String::from_utf8_lossy(head);
    let mut parts = head.splitn(2, '\n');
    let timestamp = parts.next().unwrap_or_default();
    let signature = parts.next().unwrap_or_default();
    if let Ok(signer) = RequestSigner::new(b"fuzz-secret-of-enough-length-32b".to_vec()) {
        let _ = signer.verify(Some(timestamp), Some(signature), body, 1_700_000_000);
    }
});
