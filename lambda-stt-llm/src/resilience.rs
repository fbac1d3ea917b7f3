//! Timeouts, bounded retries with jittered back-off, and fallback chains of providers.
