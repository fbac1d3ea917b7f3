//! The counter-key pepper (see `balto_core::keys`): `KEY_PEPPER` (hex, ≥ 32 bytes) when set;
//! otherwise generated on first start into `key-pepper` beside `DB_FILE` (mode 0600) and reused.
//! The server and `balto keys create` read the same one. Keys are hashed with it, so a copy of
//! the database alone (a backup, a stolen disk image without the file) cannot verify guesses.
//! Only the file's path is ever logged.

use crate::secret_file::{self, SecretFileError};
use balto_core::keys::KeyPepper;
use std::path::{Path, PathBuf};

/// Name of the generated pepper's file, in the database's folder.
pub const PEPPER_FILE_NAME: &str = "key-pepper";

/// Why there is no usable pepper.
#[derive(Debug, thiserror::Error)]
pub enum PepperError {
    #[error("KEY_PEPPER must be hex of at least 32 bytes (64 hex characters)")]
    BadEnvironment,
    #[error("the key pepper file {0} must hold hex of at least 32 bytes")]
    BadFile(PathBuf),
    #[error(transparent)]
    File(#[from] SecretFileError),
}

/// Where the pepper came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PepperSource {
    Environment,
    File(PathBuf),
    Generated(PathBuf),
}

fn parse(hex_text: &str) -> Option<KeyPepper> {
    hex::decode(hex_text.trim())
        .ok()
        .and_then(|b| KeyPepper::new(b).ok())
}

/// The pepper for the database at `db_file`.
pub fn load_or_create(
    env_value: Option<&str>,
    db_file: &Path,
) -> Result<(KeyPepper, PepperSource), PepperError> {
    if let Some(v) = env_value.filter(|v| !v.trim().is_empty()) {
        return parse(v)
            .map(|p| (p, PepperSource::Environment))
            .ok_or(PepperError::BadEnvironment);
    }
    let file = secret_file::beside_db(db_file, PEPPER_FILE_NAME);
    match secret_file::read(&file)? {
        Some(text) => parse(&text)
            .map(|p| (p, PepperSource::File(file.clone())))
            .ok_or(PepperError::BadFile(file)),
        None => {
            let text = secret_file::create_random_hex(&file, 32)?;
            parse(&text)
                .map(|p| (p, PepperSource::Generated(file.clone())))
                .ok_or(PepperError::BadFile(file))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_once_then_reused_and_the_environment_wins() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("balto.db");
        let (first, source) = load_or_create(None, &db).unwrap();
        assert!(matches!(source, PepperSource::Generated(_)));
        let (again, source) = load_or_create(None, &db).unwrap();
        assert!(matches!(source, PepperSource::File(_)));
        assert_eq!(first, again);
        let env = "ab".repeat(32);
        let (from_env, source) = load_or_create(Some(&env), &db).unwrap();
        assert_eq!(source, PepperSource::Environment);
        assert_ne!(from_env, first);
        assert!(matches!(
            load_or_create(Some("abcd"), &db),
            Err(PepperError::BadEnvironment)
        ));
    }
}
