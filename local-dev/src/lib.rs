//! local-dev: the whole Balto stack in one process — `/ws` (PROTOCOL.md), the pipeline,
//! SQLite storage and the `balto` CLI's commands.
//!
//! Invariant: nothing depends on this crate; protocol rules live in `balto-core`, audio rules in
//! `vad-wasm`, providers in `lambda-stt-llm`.

pub mod admin_mount;
pub mod admin_secret;
pub mod app;
pub mod audio_files;
pub mod catalog_source;
pub mod claims;
pub mod clock;
pub mod config;
pub mod counter_client;
pub mod counter_keys;
pub mod counter_mount;
pub mod front_end;
pub mod key_pepper;
pub mod limits;
pub mod live;
pub mod live_status;
pub mod metrics;
pub mod metrics_page;
pub mod migrations;
pub mod offline_stt;
pub mod pipeline;
pub mod recovery;
pub mod report;
pub mod secret_file;
pub mod server;
pub mod sqlite_admin;
pub mod sqlite_store;
pub mod static_app;
pub mod timing;
pub mod ws_driver;
