//! The `balto` subcommands, one module each.

pub mod advise;
pub mod keys;
pub mod serve;
pub mod transcribe;
pub mod vad;
