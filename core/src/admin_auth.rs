//! Admin session tokens and the admin secret check, pure and stateless so that any server
//! instance (local-dev, a Lambda) verifies what another issued: a token is
//! `v1.<issued_ms>.<expires_ms>.<nonce hex>.<HMAC-SHA256 hex>` keyed by a key derived from the
//! admin secret. Changing the secret invalidates every token.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// Bytes of randomness a token needs (its nonce).
pub const TOKEN_NONCE_BYTES: usize = 16;

/// The key tokens are signed with, derived from the admin secret.
#[derive(Clone)]
pub struct TokenKey([u8; 32]);

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey(<redacted>)")
    }
}

impl TokenKey {
    /// Derives the signing key from the admin secret (domain-separated from the secret itself).
    pub fn from_secret(secret: &str) -> TokenKey {
        let mut h = Sha256::new();
        h.update(b"balto-admin-session-v1\0");
        h.update(secret.as_bytes());
        TokenKey(h.finalize().into())
    }

    fn mac(&self, payload: &str) -> [u8; 32] {
        // HMAC accepts keys of any length; this cannot fail.
        let mut mac = match HmacSha256::new_from_slice(&self.0) {
            Ok(m) => m,
            Err(_) => return [0; 32],
        };
        mac.update(payload.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// Issues a token valid from `issued_ms` until `expires_ms`.
    pub fn sign(&self, issued_ms: i64, expires_ms: i64, nonce: &[u8; TOKEN_NONCE_BYTES]) -> String {
        let payload = format!("v1.{issued_ms}.{expires_ms}.{}", hex::encode(nonce));
        let mac = hex::encode(self.mac(&payload));
        format!("{payload}.{mac}")
    }

    /// The claims of a well-formed, correctly signed token that has not expired at `now_ms`.
    pub fn verify(&self, token: &str, now_ms: i64) -> Option<TokenClaims> {
        if token.len() > 200 {
            return None;
        }
        let (payload, mac_hex) = token.rsplit_once('.')?;
        let given = hex::decode(mac_hex).ok()?;
        let expected = self.mac(payload);
        if given.len() != expected.len() || !bool::from(given.ct_eq(&expected)) {
            return None;
        }
        let mut parts = payload.split('.');
        if parts.next()? != "v1" {
            return None;
        }
        let issued_ms: i64 = parts.next()?.parse().ok()?;
        let expires_ms: i64 = parts.next()?.parse().ok()?;
        let nonce = parts.next()?.to_string();
        if parts.next().is_some() || now_ms >= expires_ms || issued_ms > now_ms + 60_000 {
            return None;
        }
        Some(TokenClaims {
            issued_ms,
            expires_ms,
            nonce,
        })
    }
}

/// What a valid token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenClaims {
    pub issued_ms: i64,
    pub expires_ms: i64,
    /// Hex nonce: identifies the session (for logout revocation lists).
    pub nonce: String,
}

/// Compares a presented secret with the configured one in time independent of where they
/// differ and of their lengths (both are hashed first).
pub fn secret_matches(presented: &str, configured: &str) -> bool {
    let a = Sha256::digest(presented.as_bytes());
    let b = Sha256::digest(configured.as_bytes());
    bool::from(a.ct_eq(&b)) && !configured.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_until_they_expire() {
        let key = TokenKey::from_secret("segredo");
        let t = key.sign(1_000, 5_000, &[7; TOKEN_NONCE_BYTES]);
        let c = key.verify(&t, 2_000).expect("valid");
        assert_eq!((c.issued_ms, c.expires_ms), (1_000, 5_000));
        assert!(key.verify(&t, 5_000).is_none());
        assert!(TokenKey::from_secret("outro").verify(&t, 2_000).is_none());
    }

    #[test]
    fn tampered_tokens_are_refused() {
        let key = TokenKey::from_secret("segredo");
        let t = key.sign(1_000, 5_000, &[7; TOKEN_NONCE_BYTES]);
        let longer = t.replacen(".5000.", ".9999999.", 1);
        assert!(key.verify(&longer, 2_000).is_none());
        for bad in ["", ".", "v1.1.2.3.4", "x", &t[..t.len() - 1]] {
            assert!(key.verify(bad, 2_000).is_none(), "{bad}");
        }
    }

    #[test]
    fn secrets_compare_exactly() {
        assert!(secret_matches("abc", "abc"));
        assert!(!secret_matches("abd", "abc"));
        assert!(!secret_matches("abcd", "abc"));
        assert!(!secret_matches("", ""));
    }
}
