//! edge-worker: Balto's Cloudflare Worker. `GET /ws` hands each socket to its own Durable Object
//! ([`session_object`], wasm32 only) that runs `balto_core::session::Session` with the
//! `vad-wasm` front end, checks counter keys against KV ([`key_record`]) and relays every
//! segment, HMAC-signed, to the `stt-llm` Lambda ([`relay_call`]). Limits shared across
//! sockets (upgrades and failed `auth` per address, open sockets per key) live in `Limiter`
//! Durable Objects addressed by name (`limiter_object`, counting in [`limiter`]).
//! `GET /healthz` answers JSON.
//!
//! Everything but the three platform modules is plain Rust, built and tested natively.
//! Invariant: the platform modules only move bytes; every protocol rule stays in `balto-core`.

pub mod cpu_meter;
pub mod edge_front_end;
/// The KV key record lives in core (the admin API publishes it too).
pub use balto_core::key_record;
pub mod limiter;
pub mod relay_call;
pub mod session_ids;
pub mod settings;

#[cfg(all(target_arch = "wasm32", feature = "bench"))]
mod bench;
#[cfg(all(target_arch = "wasm32", feature = "worker"))]
pub mod limiter_object;
#[cfg(all(target_arch = "wasm32", feature = "worker"))]
pub mod session_object;
#[cfg(all(target_arch = "wasm32", feature = "worker"))]
mod worker_entry;
