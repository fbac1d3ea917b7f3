//! Speech-to-text HTTP clients (ElevenLabs Scribe, AssemblyAI) implementing `core`'s
//! [`Transcriber`](balto_core::transcriber::Transcriber), and the helpers they share: WAV
//! encoding, HTTP error mapping and bounded error bodies.

mod assemblyai;
mod elevenlabs;

pub use assemblyai::{AssemblyAiConfig, AssemblyAiTranscriber};
pub use elevenlabs::{ElevenLabsConfig, ElevenLabsTranscriber};

use crate::resilience::{duration_ms, retry_after_from_headers};
use balto_core::transcriber::SttError;
use std::time::Duration;

/// Sample rate of the PCM Balto transcribes.
pub const SAMPLE_RATE: u32 = 16_000;

/// The longest error body kept in an error message.
pub(crate) const MAX_ERROR_BODY: usize = 512;

/// A 16-bit mono little-endian WAV file of `pcm` (44-byte canonical header).
pub fn wav_bytes(pcm: &[i16], sample_rate: u32) -> Vec<u8> {
    let data_len = u32::try_from(pcm.len() * 2).unwrap_or(u32::MAX - 36);
    let mut out = Vec::with_capacity(44 + pcm.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVE");
    out.extend_from_slice(b"fmt ");
    out.extend_from_slice(&16u32.to_le_bytes()); // fmt chunk size
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&sample_rate.to_le_bytes());
    out.extend_from_slice(&sample_rate.saturating_mul(2).to_le_bytes()); // byte rate
    out.extend_from_slice(&2u16.to_le_bytes()); // block align
    out.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    out.extend(pcm.iter().flat_map(|s| s.to_le_bytes()));
    out
}

/// `s` cut to at most `max` bytes on a character boundary.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// Maps a transport-level reqwest failure.
pub(crate) fn transport_error(error: reqwest::Error, timeout: Duration) -> SttError {
    if error.is_timeout() {
        SttError::Timeout(duration_ms(timeout))
    } else {
        SttError::Transport(describe_reqwest_error(error))
    }
}

/// A reqwest error with its causes, without the URL (ours, and it adds nothing; keys never
/// travel in URLs anyway).
pub(crate) fn describe_reqwest_error(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Reads a response body, mapping read failures.
pub(crate) async fn read_body(
    response: reqwest::Response,
    timeout: Duration,
) -> Result<Vec<u8>, SttError> {
    response
        .bytes()
        .await
        .map(|b| b.to_vec())
        .map_err(|e| transport_error(e, timeout))
}

/// The error for a non-2xx answer. `message` extracts the provider's error text from the body.
pub(crate) fn status_error(
    status: reqwest::StatusCode,
    headers: &reqwest::header::HeaderMap,
    body: &[u8],
    message: impl Fn(&serde_json::Value) -> Option<String>,
    timeout: Duration,
) -> SttError {
    let text = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| message(&v))
        .unwrap_or_else(|| String::from_utf8_lossy(body).trim().to_string());
    let text = truncate(&text, MAX_ERROR_BODY);
    match status.as_u16() {
        429 => SttError::RateLimited {
            retry_after_ms: retry_after_from_headers(headers).map(duration_ms),
        },
        408 => SttError::Timeout(duration_ms(timeout)),
        code @ 400..=499 => SttError::Rejected(format!("HTTP {code}: {text}")),
        code => SttError::Http {
            status: code,
            body: text,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wav_header_is_canonical() {
        let wav = wav_bytes(&[1, -2, 3], 16_000);
        assert_eq!(wav.len(), 44 + 6);
        assert_eq!(&wav[0..4], b"RIFF");
        assert_eq!(u32::from_le_bytes([wav[4], wav[5], wav[6], wav[7]]), 42);
        assert_eq!(&wav[36..40], b"data");
        assert_eq!(&wav[44..46], &1i16.to_le_bytes());
        assert_eq!(&wav[46..48], &(-2i16).to_le_bytes());
    }

    #[test]
    fn truncates_on_char_boundary() {
        assert_eq!(truncate("ação", 2), "a…");
        assert_eq!(truncate("ok", 10), "ok");
    }
}
