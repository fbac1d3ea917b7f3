//! balto-core: the wire protocol, the sans-IO session state machine, domain records, admin API
//! types and the provider/storage traits shared by every Balto target. No I/O; builds for wasm32.

pub mod admin;
pub mod admin_auth;
#[cfg(feature = "conformance")]
pub mod admin_conformance;
pub mod admin_store;
pub mod admission;
pub mod advice;
pub mod advisor;
pub mod attempt;
pub mod frontend;
pub mod key_record;
pub mod keys;
pub mod pcm;
pub mod protocol;
pub mod rate;
pub mod records;
pub mod relay;
pub mod segment_job;
pub mod session;
pub mod settings;
pub mod signing;
pub mod storage;
#[cfg(feature = "conformance")]
pub mod storage_conformance;
pub mod text;
pub mod transcriber;
pub mod wer;
