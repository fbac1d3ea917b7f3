//! Counter keys: format, hashing and constant-time verification. Generation takes its
//! randomness from the caller, so this stays free of I/O and builds for wasm32.
//!
//! Two stored forms: v2 (current) is HMAC-SHA256 keyed with a server pepper that lives outside
//! the database, over a domain tag, the salt and the secret — a stolen database alone cannot
//! be checked against guesses; it is stored as 33 bytes, a `0x02` version byte then the MAC.
//! v1 (32 bytes) is plain salted SHA-256, still verified for keys issued before the pepper.

use hmac::{Hmac, Mac};
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

    /// Checks this key's secret against a stored salt and v1 hash, in constant time.
    pub fn matches(&self, salt: &[u8], stored_hash: &[u8]) -> bool {
        self.matches_with(salt, stored_hash, None)
    }

    /// Checks this key's secret against a stored salt and hash of either form, in constant
    /// time; a v2 hash never matches without the pepper.
    pub fn matches_with(
        &self,
        salt: &[u8],
        stored_hash: &[u8],
        pepper: Option<&KeyPepper>,
    ) -> bool {
        match (stored_hash, pepper) {
            ([V2, mac @ ..], Some(pepper)) if mac.len() == 32 => {
                let computed = hash_secret_peppered(pepper, salt, &self.secret);
                computed.as_slice().ct_eq(mac).into()
            }
            (v1, _) if v1.len() == 32 => {
                let computed = hash_secret(salt, &self.secret);
                computed.as_slice().ct_eq(v1).into()
            }
            _ => false,
        }
    }
}

/// Version byte of a peppered (v2) stored hash.
const V2: u8 = 2;

/// The server's key pepper: at least 32 secret bytes kept outside the database.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyPepper(Vec<u8>);

/// A pepper shorter than 32 bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a key pepper needs at least 32 bytes, got {0}")]
pub struct PepperTooShort(pub usize);

impl KeyPepper {
    pub fn new(bytes: Vec<u8>) -> Result<KeyPepper, PepperTooShort> {
        if bytes.len() < 32 {
            return Err(PepperTooShort(bytes.len()));
        }
        Ok(KeyPepper(bytes))
    }
}

impl std::fmt::Debug for KeyPepper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyPepper(<redacted>)")
    }
}

/// The v2 MAC: HMAC-SHA256 keyed with the pepper over a domain tag, the salt and the secret.
pub fn hash_secret_peppered(pepper: &KeyPepper, salt: &[u8], secret: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(&pepper.0) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(b"balto-counter-key-v2\0");
    mac.update(salt);
    mac.update(secret);
    mac.finalize().into_bytes().into()
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
    /// Builds a key with a v1 hash from `RANDOM_BYTES_NEEDED` bytes of OS randomness supplied
    /// by the caller.
    pub fn from_random(random: &[u8; RANDOM_BYTES_NEEDED]) -> IssuedKey {
        IssuedKey::from_random_with(random, None)
    }

    /// Builds a key, hashed with `pepper` (v2) when given.
    pub fn from_random_with(
        random: &[u8; RANDOM_BYTES_NEEDED],
        pepper: Option<&KeyPepper>,
    ) -> IssuedKey {
        let (id, rest) = random.split_at(KEY_ID_BYTES);
        let (secret, salt) = rest.split_at(SECRET_BYTES);
        let key_id = hex::encode(id);
        let hash = match pepper {
            Some(p) => [&[V2][..], &hash_secret_peppered(p, salt, secret)].concat(),
            None => hash_secret(salt, secret).to_vec(),
        };
        IssuedKey {
            full_key: format!("{PREFIX}_{key_id}_{}", hex::encode(secret)),
            hash,
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
    fn peppered_keys_need_the_pepper_and_old_keys_still_verify() {
        let pepper = KeyPepper::new(vec![7; 32]).unwrap();
        let other = KeyPepper::new(vec![8; 32]).unwrap();
        let mut r = [0u8; RANDOM_BYTES_NEEDED];
        r.iter_mut().enumerate().for_each(|(i, b)| *b = i as u8);
        let k = IssuedKey::from_random_with(&r, Some(&pepper));
        assert_eq!((k.hash.len(), k.hash[0]), (33, 2));
        let presented = PresentedKey::parse(&k.full_key).unwrap();
        assert!(presented.matches_with(&k.salt, &k.hash, Some(&pepper)));
        assert!(!presented.matches_with(&k.salt, &k.hash, Some(&other)));
        assert!(!presented.matches_with(&k.salt, &k.hash, None));
        assert!(!presented.matches(&k.salt, &k.hash));
        // A v1 key verifies with or without a pepper configured.
        let old = IssuedKey::from_random(&r);
        assert!(presented.matches_with(&old.salt, &old.hash, Some(&pepper)));
        // Truncated or unknown forms never match.
        assert!(!presented.matches_with(&k.salt, &k.hash[..32], Some(&pepper)));
        assert!(!presented.matches_with(&k.salt, &[], Some(&pepper)));
        assert_eq!(KeyPepper::new(vec![1; 31]), Err(PepperTooShort(31)));
        assert_eq!(format!("{pepper:?}"), "KeyPepper(<redacted>)");
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
