//! [`ApiKey`], a provider secret that never prints, and [`BuildError`], a client that could not be
//! built: shared by every provider client and the chains that build them.

/// An API key. `Debug` prints `ApiKey(***)`; there is no `Display`; [`ApiKey::masked`] shows at
/// most the last four characters of long keys.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> ApiKey {
        ApiKey(key.into())
    }

    /// The key itself, for the request header only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `****abcd` for keys of 16+ characters, `****` otherwise, `(none)` when empty.
    pub fn masked(&self) -> String {
        let n = self.0.chars().count();
        if n == 0 {
            "(none)".to_string()
        } else if n >= 16 {
            let tail: String = self.0.chars().skip(n - 4).collect();
            format!("****{tail}")
        } else {
            "****".to_string()
        }
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

/// A provider client could not be built (HTTP client initialisation).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot build provider client: {0}")]
pub struct BuildError(pub String);
