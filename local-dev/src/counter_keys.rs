//! Issuing, listing, revoking and verifying counter keys over any `Storage`.

use balto_core::keys::{IssuedKey, KeyPepper, PresentedKey, RANDOM_BYTES_NEEDED};
use balto_core::records::{CounterKey, StoredKey};
use balto_core::storage::{Storage, StorageError};

/// Why a key could not be issued.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    #[error("loja and balcao must be non-empty and at most 100 characters")]
    InvalidName,
    #[error("the operating system gave no randomness: {0}")]
    Random(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// A key just created: the full text is shown once and never stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NewKey {
    pub api_key: String,
    pub loja: String,
    pub balcao: String,
    pub key_id: String,
}

fn valid_name(s: &str) -> bool {
    let t = s.trim();
    !t.is_empty() && t.chars().count() <= 100 && !t.chars().any(char::is_control)
}

/// Creates a key for a store's counter, hashed with `pepper` (see `balto_core::keys`).
pub async fn issue(
    store: &dyn Storage,
    pepper: Option<&KeyPepper>,
    loja: &str,
    balcao: &str,
    now_ms: i64,
) -> Result<NewKey, IssueError> {
    if !valid_name(loja) || !valid_name(balcao) {
        return Err(IssueError::InvalidName);
    }
    let mut random = [0u8; RANDOM_BYTES_NEEDED];
    getrandom::fill(&mut random).map_err(|e| IssueError::Random(e.to_string()))?;
    let issued = IssuedKey::from_random_with(&random, pepper);
    store
        .insert_key(StoredKey {
            key: CounterKey {
                key_id: issued.key_id.clone(),
                store: loja.trim().to_string(),
                counter: balcao.trim().to_string(),
                created_at_ms: now_ms,
                revoked_at_ms: None,
            },
            salt: issued.salt,
            hash: issued.hash,
        })
        .await?;
    Ok(NewKey {
        api_key: issued.full_key,
        loja: loja.trim().to_string(),
        balcao: balcao.trim().to_string(),
        key_id: issued.key_id,
    })
}

/// The active key a counter presented, or `None` (malformed, unknown, revoked or wrong secret).
pub async fn verify(
    store: &dyn Storage,
    pepper: Option<&KeyPepper>,
    presented: &str,
) -> Result<Option<CounterKey>, StorageError> {
    let Some(key) = PresentedKey::parse(presented) else {
        return Ok(None);
    };
    let Some(stored) = store.find_key(&key.key_id).await? else {
        return Ok(None);
    };
    // Compare the hash before looking at revocation so both paths cost the same.
    let matches = key.matches_with(&stored.salt, &stored.hash, pepper);
    Ok((matches && stored.key.is_active()).then_some(stored.key))
}
