//! Balto's providers: speech-to-text clients (ElevenLabs, AssemblyAI, offline Whisper with the
//! `whisper` feature), the LLM advisor (xAI / OpenAI, OpenAI-compatible), the resilience layer
//! (timeouts, retries, fallback chains), the red-flag screen in front of every advisor chain
//! ([`ScreenedAdvisor`]) and the chains built from the environment ([`ProviderConfig`]).

mod api_key;
pub mod config;
pub mod llm;
pub mod resilience;
mod screened;
pub mod stt;
#[cfg(feature = "whisper")]
pub mod whisper;

pub use api_key::{ApiKey, BuildError};
pub use config::{
    ConfigError, LlmChoice, ProviderConfig, SETTINGS, SttChoice, build_advisor,
    build_advisor_chain, build_transcriber, build_transcriber_chain, catalog_entries,
};
pub use screened::ScreenedAdvisor;
