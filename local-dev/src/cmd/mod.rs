//! The `balto` subcommands, one module each.

pub mod advise;
pub mod keys;
pub mod report;
pub mod serve;
pub mod settings;
pub mod stream;
pub mod transcribe;
pub mod vad;
