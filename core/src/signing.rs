//! Request signing between the edge worker and the `stt-llm` Lambda: HMAC-SHA256 over
//! `timestamp + "." + body`, hex-encoded, sent in [`SIGNATURE_HEADER`] with the Unix-seconds
//! timestamp in [`TIMESTAMP_HEADER`]. The verifier compares in constant time and refuses
//! timestamps outside a replay window. No I/O: the caller passes the clock.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Header carrying the signing time, in Unix seconds (decimal).
pub const TIMESTAMP_HEADER: &str = "x-balto-timestamp";
/// Header carrying the hex HMAC-SHA256 of `timestamp + "." + body`.
pub const SIGNATURE_HEADER: &str = "x-balto-signature";
/// How far (in seconds, either way) a request's timestamp may be from the verifier's clock.
pub const DEFAULT_REPLAY_WINDOW_SECS: u64 = 300;

type HmacSha256 = Hmac<Sha256>;

/// Why a signed request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the {TIMESTAMP_HEADER} header is missing")]
    MissingTimestamp,
    #[error("the {SIGNATURE_HEADER} header is missing")]
    MissingSignature,
    #[error("the {TIMESTAMP_HEADER} header is not a Unix time in seconds")]
    MalformedTimestamp,
    #[error("the {SIGNATURE_HEADER} header is not a hex HMAC-SHA256")]
    MalformedSignature,
    #[error("the request was signed {age_s} s ago, outside the {window_s} s replay window")]
    Expired { age_s: u64, window_s: u64 },
    #[error("the request is dated {ahead_s} s in the future, outside the {window_s} s window")]
    FromTheFuture { ahead_s: u64, window_s: u64 },
    #[error("the signature does not match the body")]
    Mismatch,
    #[error("the signing secret is empty")]
    EmptySecret,
}

/// Signs and verifies relay requests with one shared secret.
#[derive(Clone)]
pub struct RequestSigner {
    secret: Vec<u8>,
    window_s: u64,
}

impl std::fmt::Debug for RequestSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestSigner")
            .field("secret", &"<redacted>")
            .field("window_s", &self.window_s)
            .finish()
    }
}

impl RequestSigner {
    /// A signer with the default replay window; the secret must not be empty.
    pub fn new(secret: impl Into<Vec<u8>>) -> Result<RequestSigner, SignatureError> {
        let secret = secret.into();
        if secret.is_empty() {
            return Err(SignatureError::EmptySecret);
        }
        Ok(RequestSigner {
            secret,
            window_s: DEFAULT_REPLAY_WINDOW_SECS,
        })
    }

    /// The same signer with another replay window (seconds, either way).
    pub fn with_window(mut self, window_s: u64) -> RequestSigner {
        self.window_s = window_s;
        self
    }

    /// The replay window in seconds.
    pub fn window_s(&self) -> u64 {
        self.window_s
    }

    fn mac(&self, timestamp: &str, body: &[u8]) -> HmacSha256 {
        // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
        let mut mac = match HmacSha256::new_from_slice(&self.secret) {
            Ok(mac) => mac,
            Err(_) => unreachable_hmac_key(),
        };
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }

    /// The hex signature of `body` signed at `timestamp_s` (Unix seconds).
    pub fn sign(&self, timestamp_s: u64, body: &[u8]) -> String {
        hex::encode(
            self.mac(&timestamp_s.to_string(), body)
                .finalize()
                .into_bytes(),
        )
    }

    /// The two headers (name, value) to send with `body`, signed at `now_s`.
    pub fn headers(&self, now_s: u64, body: &[u8]) -> [(&'static str, String); 2] {
        [
            (TIMESTAMP_HEADER, now_s.to_string()),
            (SIGNATURE_HEADER, self.sign(now_s, body)),
        ]
    }

    /// Checks the headers' values against `body` at `now_s` (Unix seconds).
    pub fn verify(
        &self,
        timestamp: Option<&str>,
        signature: Option<&str>,
        body: &[u8],
        now_s: u64,
    ) -> Result<(), SignatureError> {
        let timestamp = timestamp.ok_or(SignatureError::MissingTimestamp)?.trim();
        let signature = signature.ok_or(SignatureError::MissingSignature)?.trim();
        if timestamp.is_empty() || !timestamp.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SignatureError::MalformedTimestamp);
        }
        let signed_at: u64 = timestamp
            .parse()
            .map_err(|_| SignatureError::MalformedTimestamp)?;
        if signed_at > now_s {
            let ahead_s = signed_at - now_s;
            if ahead_s > self.window_s {
                return Err(SignatureError::FromTheFuture {
                    ahead_s,
                    window_s: self.window_s,
                });
            }
        } else {
            let age_s = now_s - signed_at;
            if age_s > self.window_s {
                return Err(SignatureError::Expired {
                    age_s,
                    window_s: self.window_s,
                });
            }
        }
        let given = hex::decode(signature).map_err(|_| SignatureError::MalformedSignature)?;
        if given.len() != 32 {
            return Err(SignatureError::MalformedSignature);
        }
        let expected = self.mac(timestamp, body).finalize().into_bytes();
        if bool::from(expected.as_slice().ct_eq(&given)) {
            Ok(())
        } else {
            Err(SignatureError::Mismatch)
        }
    }
}

#[cold]
fn unreachable_hmac_key() -> ! {
    // `Hmac::new_from_slice` only fails for MACs with fixed key sizes, which HMAC is not.
    panic!("HMAC-SHA256 accepts keys of every length")
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"segment_id":"s1.1"}"#;

    fn signer() -> RequestSigner {
        RequestSigner::new(b"balto-test-secret".to_vec()).unwrap()
    }

    #[test]
    fn known_vector() {
        // python3: hmac.new(b"balto-test-secret", b"1700000000." + BODY, sha256).hexdigest()
        assert_eq!(
            signer().sign(1_700_000_000, BODY),
            "df3a8165f5c0093d1b2eb81caaa1eedbf7427ddd4e12d78e8f07480eb9f0be11"
        );
    }

    #[test]
    fn a_fresh_signature_verifies() {
        let s = signer();
        let [(_, ts), (_, sig)] = s.headers(1_700_000_000, BODY);
        assert_eq!(s.verify(Some(&ts), Some(&sig), BODY, 1_700_000_010), Ok(()));
        let upper = sig.to_uppercase();
        assert_eq!(
            s.verify(Some(&ts), Some(&upper), BODY, 1_700_000_010),
            Ok(()),
            "hex case does not matter"
        );
    }

    #[test]
    fn a_tampered_body_or_timestamp_is_refused() {
        let s = signer();
        let sig = s.sign(1_700_000_000, BODY);
        let tampered = br#"{"segment_id":"s1.2"}"#;
        assert_eq!(
            s.verify(Some("1700000000"), Some(&sig), tampered, 1_700_000_000),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            s.verify(Some("1700000001"), Some(&sig), BODY, 1_700_000_000),
            Err(SignatureError::Mismatch),
            "the timestamp is signed too"
        );
        let other = RequestSigner::new(b"another-secret".to_vec()).unwrap();
        assert_eq!(
            other.verify(Some("1700000000"), Some(&sig), BODY, 1_700_000_000),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn an_old_timestamp_is_refused() {
        let s = signer();
        let sig = s.sign(1_700_000_000, BODY);
        assert_eq!(
            s.verify(Some("1700000000"), Some(&sig), BODY, 1_700_000_300),
            Ok(()),
            "the window edge is inside"
        );
        assert_eq!(
            s.verify(Some("1700000000"), Some(&sig), BODY, 1_700_000_301),
            Err(SignatureError::Expired {
                age_s: 301,
                window_s: 300
            })
        );
        let strict = signer().with_window(5);
        assert!(matches!(
            strict.verify(Some("1700000000"), Some(&sig), BODY, 1_700_000_006),
            Err(SignatureError::Expired { .. })
        ));
    }

    #[test]
    fn a_future_timestamp_is_refused() {
        let s = signer();
        let sig = s.sign(1_700_001_000, BODY);
        assert_eq!(
            s.verify(Some("1700001000"), Some(&sig), BODY, 1_700_000_000),
            Err(SignatureError::FromTheFuture {
                ahead_s: 1_000,
                window_s: 300
            })
        );
    }

    #[test]
    fn malformed_or_missing_headers_are_refused() {
        let s = signer();
        let sig = s.sign(1_700_000_000, BODY);
        let now = 1_700_000_000;
        assert_eq!(
            s.verify(None, Some(&sig), BODY, now),
            Err(SignatureError::MissingTimestamp)
        );
        assert_eq!(
            s.verify(Some("1700000000"), None, BODY, now),
            Err(SignatureError::MissingSignature)
        );
        for bad in ["", "-5", "17e8", "1700000000.5", "99999999999999999999999"] {
            assert_eq!(
                s.verify(Some(bad), Some(&sig), BODY, now),
                Err(SignatureError::MalformedTimestamp),
                "{bad:?}"
            );
        }
        for bad in ["zz", "abcd", &sig[..62]] {
            assert_eq!(
                s.verify(Some("1700000000"), Some(bad), BODY, now),
                Err(SignatureError::MalformedSignature),
                "{bad:?}"
            );
        }
        assert_eq!(
            RequestSigner::new(Vec::new()).unwrap_err(),
            SignatureError::EmptySecret
        );
    }

    #[test]
    fn debug_never_shows_the_secret() {
        assert!(!format!("{:?}", signer()).contains("balto-test-secret"));
    }
}
