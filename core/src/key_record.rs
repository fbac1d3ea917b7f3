//! The counter-key record the edge Worker reads from its `KEYS` KV namespace (written there by
//! `edge-key` or by the admin API's key publisher), and the check of a presented key against it.
//!
//! One KV entry per key, named [`kv_name`] (`key:<key id>`), holding JSON:
//! `{"key_id","loja","balcao","salt","hash","created_at_ms","revoked","revoked_at_ms"}` with the
//! salt and the stored hash in hex (the forms of [`balto_core::keys`]: a v2 hash is peppered
//! with `KEY_PEPPER`, a v1 hash is plain salted SHA-256). The secret itself is never stored.

use crate::keys::{IssuedKey, KeyPepper, PresentedKey, RANDOM_BYTES_NEEDED};
use crate::records::{CounterKey, StoredKey};
use serde::{Deserialize, Serialize};

/// Prefix of every counter-key entry in KV.
pub const KV_PREFIX: &str = "key:";

/// The KV entry name of a key id.
pub fn kv_name(key_id: &str) -> String {
    format!("{KV_PREFIX}{key_id}")
}

/// A counter key as stored in KV.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    pub key_id: String,
    #[serde(rename = "loja")]
    pub store: String,
    #[serde(rename = "balcao")]
    pub counter: String,
    /// Hex of the salt.
    pub salt: String,
    /// Hex of the stored hash (v1: 32 bytes; v2: `02` then 32 bytes).
    pub hash: String,
    #[serde(default)]
    pub created_at_ms: i64,
    /// Revoked keys never authenticate (either field revokes).
    #[serde(default)]
    pub revoked: bool,
    #[serde(default)]
    pub revoked_at_ms: Option<i64>,
}

impl std::fmt::Debug for KeyRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRecord")
            .field("key_id", &self.key_id)
            .field("loja", &self.store)
            .field("balcao", &self.counter)
            .field("revoked", &!self.is_active())
            .finish_non_exhaustive()
    }
}

/// Why a stored record cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyRecordError {
    #[error("the key record is not valid JSON: {0}")]
    Json(String),
    #[error("the key record's {0} is not hex")]
    Hex(&'static str),
    #[error("the key record is filed under another key id")]
    KeyIdMismatch,
}

/// Why a presented key was refused (for logs; the client always gets `auth_invalida`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the key is not of the key format")]
    Malformed,
    #[error("no key with this id")]
    Unknown,
    #[error("the key is revoked")]
    Revoked,
    #[error("the secret does not match")]
    Mismatch,
    #[error(transparent)]
    Corrupt(#[from] KeyRecordError),
}

impl KeyRecord {
    /// Parses a KV value.
    pub fn parse(json: &str) -> Result<KeyRecord, KeyRecordError> {
        serde_json::from_str(json).map_err(|e| KeyRecordError::Json(e.to_string()))
    }

    /// The JSON to store in KV.
    pub fn to_json(&self) -> String {
        // Plain strings, integers and booleans: serializing cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A new key for `store`/`counter` from caller-supplied randomness, hashed with `pepper`
    /// (v2) when given. Returns the full key text (shown once, never stored) and the record.
    pub fn issue(
        random: &[u8; RANDOM_BYTES_NEEDED],
        pepper: Option<&KeyPepper>,
        store: &str,
        counter: &str,
        now_ms: i64,
    ) -> (String, KeyRecord) {
        let issued = IssuedKey::from_random_with(random, pepper);
        let record = KeyRecord {
            key_id: issued.key_id.clone(),
            store: store.to_string(),
            counter: counter.to_string(),
            salt: hex::encode(&issued.salt),
            hash: hex::encode(&issued.hash),
            created_at_ms: now_ms,
            revoked: false,
            revoked_at_ms: None,
        };
        (issued.full_key, record)
    }

    /// The record of a key kept in storage (its salt and hash as stored, so the same full key
    /// authenticates at the edge and on local-dev).
    pub fn from_stored(stored: &StoredKey) -> KeyRecord {
        KeyRecord {
            key_id: stored.key.key_id.clone(),
            store: stored.key.store.clone(),
            counter: stored.key.counter.clone(),
            salt: hex::encode(&stored.salt),
            hash: hex::encode(&stored.hash),
            created_at_ms: stored.key.created_at_ms,
            revoked: stored.key.revoked_at_ms.is_some(),
            revoked_at_ms: stored.key.revoked_at_ms,
        }
    }

    /// True while the key may authenticate.
    pub fn is_active(&self) -> bool {
        !self.revoked && self.revoked_at_ms.is_none()
    }

    /// The key as the rest of Balto lists it.
    pub fn counter_key(&self) -> CounterKey {
        CounterKey {
            key_id: self.key_id.clone(),
            store: self.store.clone(),
            counter: self.counter.clone(),
            created_at_ms: self.created_at_ms,
            revoked_at_ms: self.revoked_at_ms.or(self.revoked.then_some(0)),
        }
    }

    /// Checks `presented` against this record: constant-time comparison of the secret's hash.
    pub fn verify(
        &self,
        presented: &PresentedKey,
        pepper: Option<&KeyPepper>,
    ) -> Result<CounterKey, Refusal> {
        if !self.key_id.eq_ignore_ascii_case(&presented.key_id) {
            return Err(KeyRecordError::KeyIdMismatch.into());
        }
        let salt = hex::decode(&self.salt).map_err(|_| KeyRecordError::Hex("salt"))?;
        let hash = hex::decode(&self.hash).map_err(|_| KeyRecordError::Hex("hash"))?;
        // Compare before looking at revocation, so both paths cost the same.
        let matches = presented.matches_with(&salt, &hash, pepper);
        if !matches {
            return Err(Refusal::Mismatch);
        }
        if !self.is_active() {
            return Err(Refusal::Revoked);
        }
        Ok(self.counter_key())
    }
}

/// The whole check for one `auth`: parse the presented text, then verify it against the KV
/// value found under its id (`None`: no such entry).
pub fn check_key(
    presented: &PresentedKey,
    kv_value: Option<&str>,
    pepper: Option<&KeyPepper>,
) -> Result<CounterKey, Refusal> {
    let Some(json) = kv_value else {
        return Err(Refusal::Unknown);
    };
    KeyRecord::parse(json)?.verify(presented, pepper)
}

/// Parses a hex pepper (the `KEY_PEPPER` secret).
pub fn parse_pepper(hex_text: &str) -> Result<KeyPepper, PepperError> {
    let bytes = hex::decode(hex_text.trim()).map_err(|_| PepperError::NotHex)?;
    KeyPepper::new(bytes).map_err(|e| PepperError::TooShort(e.0))
}

/// A `KEY_PEPPER` that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PepperError {
    #[error("KEY_PEPPER is not hex")]
    NotHex,
    #[error("KEY_PEPPER has {0} bytes; at least 32 are needed")]
    TooShort(usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random(seed: u8) -> [u8; RANDOM_BYTES_NEEDED] {
        let mut r = [0u8; RANDOM_BYTES_NEEDED];
        for (i, b) in r.iter_mut().enumerate() {
            *b = seed.wrapping_mul(17).wrapping_add(i as u8);
        }
        r
    }

    fn pepper() -> KeyPepper {
        parse_pepper(&"ab".repeat(32)).unwrap()
    }

    #[test]
    fn an_issued_key_verifies_through_its_json_record() {
        let (full, record) = KeyRecord::issue(&random(1), Some(&pepper()), "Loja", "Balcão 1", 5);
        let json = record.to_json();
        assert!(json.contains(r#""loja":"Loja""#) && json.contains(r#""balcao":"Balcão 1""#));
        assert!(
            !json.contains(full.rsplit('_').next().unwrap()),
            "secret stored: {json}"
        );
        let presented = PresentedKey::parse(&full).unwrap();
        assert_eq!(kv_name(&presented.key_id), format!("key:{}", record.key_id));
        let key = check_key(&presented, Some(&json), Some(&pepper())).unwrap();
        assert_eq!(key.store, "Loja");
        assert_eq!(key.counter, "Balcão 1");
        assert!(key.is_active());
    }

    #[test]
    fn a_stored_key_publishes_a_record_that_verifies_the_same_full_key() {
        let issued = IssuedKey::from_random_with(&random(4), Some(&pepper()));
        let mut stored = StoredKey {
            key: CounterKey {
                key_id: issued.key_id.clone(),
                store: "Loja Sul".into(),
                counter: "Balcão 2".into(),
                created_at_ms: 9,
                revoked_at_ms: None,
            },
            salt: issued.salt.clone(),
            hash: issued.hash.clone(),
        };
        let presented = PresentedKey::parse(&issued.full_key).unwrap();
        let json = KeyRecord::from_stored(&stored).to_json();
        let key = check_key(&presented, Some(&json), Some(&pepper())).unwrap();
        assert_eq!((key.store.as_str(), key.created_at_ms), ("Loja Sul", 9));
        stored.key.revoked_at_ms = Some(10);
        let json = KeyRecord::from_stored(&stored).to_json();
        assert_eq!(
            check_key(&presented, Some(&json), Some(&pepper())),
            Err(Refusal::Revoked)
        );
    }

    #[test]
    fn wrong_unknown_revoked_and_corrupt_keys_are_refused() {
        let (full, record) = KeyRecord::issue(&random(2), Some(&pepper()), "L", "B", 0);
        let presented = PresentedKey::parse(&full).unwrap();
        let json = record.to_json();
        // Without the pepper a v2 hash never matches.
        assert_eq!(
            check_key(&presented, Some(&json), None),
            Err(Refusal::Mismatch)
        );
        assert_eq!(
            check_key(&presented, None, Some(&pepper())),
            Err(Refusal::Unknown)
        );
        let (other, _) = KeyRecord::issue(&random(3), Some(&pepper()), "L", "B", 0);
        let mut other = PresentedKey::parse(&other).unwrap();
        other.key_id = presented.key_id.clone();
        assert_eq!(
            check_key(&other, Some(&json), Some(&pepper())),
            Err(Refusal::Mismatch)
        );
        let revoked = KeyRecord {
            revoked: true,
            ..record.clone()
        };
        assert_eq!(
            check_key(&presented, Some(&revoked.to_json()), Some(&pepper())),
            Err(Refusal::Revoked)
        );
        let revoked_at = KeyRecord {
            revoked_at_ms: Some(9),
            ..record.clone()
        };
        assert_eq!(
            revoked_at.verify(&presented, Some(&pepper())),
            Err(Refusal::Revoked)
        );
        assert!(matches!(
            check_key(&presented, Some("{not json"), Some(&pepper())),
            Err(Refusal::Corrupt(KeyRecordError::Json(_)))
        ));
        let bad_hex = KeyRecord {
            salt: "zz".into(),
            ..record.clone()
        };
        assert_eq!(
            bad_hex.verify(&presented, Some(&pepper())),
            Err(Refusal::Corrupt(KeyRecordError::Hex("salt")))
        );
        let elsewhere = KeyRecord {
            key_id: "000000000000".into(),
            ..record
        };
        assert_eq!(
            elsewhere.verify(&presented, Some(&pepper())),
            Err(Refusal::Corrupt(KeyRecordError::KeyIdMismatch))
        );
    }

    #[test]
    fn v1_records_verify_without_a_pepper_and_minimal_json_parses() {
        let (full, record) = KeyRecord::issue(&random(4), None, "L", "B", 0);
        let presented = PresentedKey::parse(&full).unwrap();
        let minimal = format!(
            r#"{{"key_id":"{}","loja":"L","balcao":"B","salt":"{}","hash":"{}"}}"#,
            record.key_id, record.salt, record.hash
        );
        assert!(check_key(&presented, Some(&minimal), None).is_ok());
        assert!(check_key(&presented, Some(&minimal), Some(&pepper())).is_ok());
    }

    #[test]
    fn peppers_must_be_long_hex() {
        assert_eq!(parse_pepper("xyz").unwrap_err(), PepperError::NotHex);
        assert_eq!(parse_pepper("abcd").unwrap_err(), PepperError::TooShort(2));
        assert!(parse_pepper(&format!(" {} ", "01".repeat(32))).is_ok());
    }

    #[test]
    fn debug_never_shows_salt_or_hash() {
        let (_, record) = KeyRecord::issue(&random(5), None, "L", "B", 0);
        let text = format!("{record:?}");
        assert!(
            !text.contains(&record.hash) && !text.contains(&record.salt),
            "{text}"
        );
    }
}
