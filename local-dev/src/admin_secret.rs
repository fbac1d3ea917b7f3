//! The admin secret: `ADMIN_SECRET` when set; otherwise a random secret generated on first
//! start and kept in `admin-secret` beside `DB_FILE` (mode 0600), reused on later starts. Only
//! the file's path is ever logged, never the secret.

use crate::secret_file::{self, SecretFileError};
use std::path::{Path, PathBuf};

/// Shortest secret accepted (from the environment or the file).
pub const MIN_SECRET_CHARS: usize = 16;
/// Name of the generated secret's file, in the database's folder.
pub const SECRET_FILE_NAME: &str = "admin-secret";

/// Why no admin secret could be had.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("ADMIN_SECRET must have at least {MIN_SECRET_CHARS} characters")]
    TooShort,
    #[error("the admin secret file {0} holds fewer than {MIN_SECRET_CHARS} characters")]
    FileTooShort(PathBuf),
    #[error(transparent)]
    File(#[from] SecretFileError),
}

/// Where the admin secret came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    Environment,
    /// Read from an existing file.
    File(PathBuf),
    /// Generated now and written to this file.
    Generated(PathBuf),
}

/// The secret file for a database file.
pub fn secret_file_for(db_file: &Path) -> PathBuf {
    secret_file::beside_db(db_file, SECRET_FILE_NAME)
}

/// The admin secret: from `env_value` when given, else from (or generated into) `file`.
pub fn load_or_create(
    env_value: Option<&str>,
    file: &Path,
) -> Result<(String, SecretSource), SecretError> {
    if let Some(v) = env_value.map(str::trim).filter(|v| !v.is_empty()) {
        if v.chars().count() < MIN_SECRET_CHARS {
            return Err(SecretError::TooShort);
        }
        return Ok((v.to_string(), SecretSource::Environment));
    }
    match secret_file::read(file)? {
        Some(secret) if secret.chars().count() < MIN_SECRET_CHARS => {
            Err(SecretError::FileTooShort(file.to_path_buf()))
        }
        Some(secret) => Ok((secret, SecretSource::File(file.to_path_buf()))),
        None => {
            let secret = secret_file::create_random_hex(file, 32)?;
            Ok((secret, SecretSource::Generated(file.to_path_buf())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_wins_and_must_be_long_enough() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("s");
        let (s, src) = load_or_create(Some("0123456789abcdef"), &f).unwrap();
        assert_eq!(
            (s.as_str(), src),
            ("0123456789abcdef", SecretSource::Environment)
        );
        assert!(!f.exists());
        assert!(matches!(
            load_or_create(Some("short"), &f),
            Err(SecretError::TooShort)
        ));
    }
}
