//! Counter keys: format, salted hashing and constant-time verification. Generation takes its
//! randomness from the caller, so this stays free of I/O and builds for wasm32.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

const PREFIX: &str = "balto";
const KEY_ID_BYTES: usize = 6;
const SECRET_BYTES: usize = 32;
/// Bytes of salt stored beside each key hash.
pub const SALT_BYTES: usize = 16;
/// Random bytes a caller must supply to [`IssuedKey::from_random`].
pub const RANDOM_BYTES_NEEDED: usize = KEY_ID_BYTES + SECRET_BYTES + SALT_BYTES;

/// A counter key as a counter presents it: `balto_<key id: 12 hex>_<secret: 64 hex>`.
/// The key id is public (it finds the row); only the secret is hashed and compared.
#[derive(Clone, PartialEq, Eq)]
pub struct PresentedKey {
    pub key_id: String,
    secret: Vec<u8>,
}

impl std::fmt::Debug for PresentedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PresentedKey")
            .field("key_id", &self.key_id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl PresentedKey {
    /// Parses a presented key; `None` for anything not of the key format.
    pub fn parse(text: &str) -> Option<PresentedKey> {
        let mut parts = text.split('_');
        let (prefix, id, secret) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || prefix != PREFIX {
            return None;
        }
        if id.len() != KEY_ID_BYTES * 2 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let secret = hex::decode(secret).ok()?;
        if secret.len() != SECRET_BYTES {
            return None;
        }
        Some(PresentedKey {
            key_id: id.to_ascii_lowercase(),
            secret,
        })
    }

    /// Checks this key's secret against a stored salt and hash, in constant time.
    pub fn matches(&self, salt: &[u8], stored_hash: &[u8]) -> bool {
        let computed = hash_secret(salt, &self.secret);
        computed.as_slice().ct_eq(stored_hash).into()
    }
}

/// The salted hash stored for a key: SHA-256 over a domain tag, the salt and the secret.
/// Secrets are 256 random bits, so a fast hash is not brute-forceable.
pub fn hash_secret(salt: &[u8], secret: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"balto-counter-key-v1\0");
    h.update(salt);
    h.update(secret);
    h.finalize().into()
}

/// A newly issued key: the full text (shown once) and what is stored.
pub struct IssuedKey {
    /// The key text to give the counter. Never stored.
    pub full_key: String,
    pub key_id: String,
    pub salt: Vec<u8>,
    pub hash: Vec<u8>,
}

impl IssuedKey {
    /// Builds a key from `RANDOM_BYTES_NEEDED` bytes of OS randomness supplied by the caller.
    pub fn from_random(random: &[u8; RANDOM_BYTES_NEEDED]) -> IssuedKey {
        let (id, rest) = random.split_at(KEY_ID_BYTES);
        let (secret, salt) = rest.split_at(SECRET_BYTES);
        let key_id = hex::encode(id);
        IssuedKey {
            full_key: format!("{PREFIX}_{key_id}_{}", hex::encode(secret)),
            hash: hash_secret(salt, secret).to_vec(),
            salt: salt.to_vec(),
            key_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issued(seed: u8) -> IssuedKey {
        let mut r = [0u8; RANDOM_BYTES_NEEDED];
        for (i, b) in r.iter_mut().enumerate() {
            *b = seed.wrapping_mul(31).wrapping_add(i as u8);
        }
        IssuedKey::from_random(&r)
    }

    #[test]
    fn issued_key_verifies_and_others_do_not() {
        let k = issued(1);
        let presented = PresentedKey::parse(&k.full_key).unwrap();
        assert_eq!(presented.key_id, k.key_id);
        assert!(presented.matches(&k.salt, &k.hash));
        let other = issued(2);
        let wrong = PresentedKey::parse(&other.full_key).unwrap();
        assert!(!wrong.matches(&k.salt, &k.hash));
        // Same secret, different salt: no match.
        assert!(!presented.matches(&other.salt, &k.hash));
    }

    #[test]
    fn malformed_keys_are_rejected() {
        let k = issued(3);
        for bad in [
            "",
            "balto",
            "balto__",
            "xx_0123456789ab_00",
            &k.full_key[..k.full_key.len() - 2],
            &format!("{}_extra", k.full_key),
            &k.full_key.replace("balto", "BALTO"),
        ] {
            assert!(PresentedKey::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let k = issued(4);
        let p = PresentedKey::parse(&k.full_key).unwrap();
        let shown = format!("{p:?}");
        assert!(!shown.contains(&k.full_key[19..]));
        assert!(shown.contains("redacted"));
    }
}
