//! Secrets generated on first start and kept in a file readable by its owner only (0600):
//! created atomically with `create_new`, refused when the permissions are looser. Used for the
//! admin secret and the counter-key pepper, which must never have defaults.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a secret file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SecretFileError {
    #[error("the secret file {0} is unusable: {1}")]
    File(PathBuf, String),
    #[error("the secret file {0} must be readable by its owner only (chmod 600)")]
    Permissions(PathBuf),
    #[error("the operating system gave no randomness: {0}")]
    Random(String),
}

/// The file's trimmed contents, or `None` when it does not exist. Refuses loose permissions.
pub fn read(file: &Path) -> Result<Option<String>, SecretFileError> {
    match std::fs::read_to_string(file) {
        Ok(text) => {
            check_permissions(file)?;
            Ok(Some(text.trim().to_string()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(SecretFileError::File(file.to_path_buf(), e.to_string())),
    }
}

/// Generates `bytes` random bytes, writes them as hex to a new owner-only `file` (fsynced) and
/// returns the hex. Fails if the file appeared meanwhile.
pub fn create_random_hex(file: &Path, bytes: usize) -> Result<String, SecretFileError> {
    let err = |e: std::io::Error| SecretFileError::File(file.to_path_buf(), e.to_string());
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    let mut random = vec![0u8; bytes];
    getrandom::fill(&mut random).map_err(|e| SecretFileError::Random(e.to_string()))?;
    let secret = hex::encode(&random);
    let mut f = create_private(file).map_err(err)?;
    f.write_all(secret.as_bytes()).map_err(err)?;
    f.write_all(b"\n").map_err(err)?;
    f.sync_all().map_err(err)?;
    Ok(secret)
}

/// A file beside the database file.
pub fn beside_db(db_file: &Path, name: &str) -> PathBuf {
    db_file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join(name)
}

#[cfg(unix)]
fn create_private(file: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(file)
}

#[cfg(not(unix))]
fn create_private(file: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(file)
}

#[cfg(unix)]
fn check_permissions(file: &Path) -> Result<(), SecretFileError> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(file)
        .map_err(|e| SecretFileError::File(file.to_path_buf(), e.to_string()))?;
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(SecretFileError::Permissions(file.to_path_buf()));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_permissions(_file: &Path) -> Result<(), SecretFileError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_secret_is_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sub/secret");
        assert!(read(&file).unwrap().is_none());
        let hex = create_random_hex(&file, 32).unwrap();
        assert_eq!(hex.len(), 64);
        assert_eq!(read(&file).unwrap().as_deref(), Some(hex.as_str()));
        assert!(create_random_hex(&file, 32).is_err(), "never overwritten");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(matches!(read(&file), Err(SecretFileError::Permissions(_))));
        }
    }
}
