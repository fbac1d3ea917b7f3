//! Providers and advisors shared by local-dev and the Lambda functions: speech-to-text clients
//! (ElevenLabs, AssemblyAI, offline Whisper), the LLM advisor (xAI / OpenAI), the offline rules
//! advisor with its product catalog, and the resilience layer (timeouts, retries, fallback).

pub mod catalog;
pub mod llm;
pub mod providers;
pub mod resilience;
pub mod rules;
pub mod stt;
pub mod text;
pub mod wer;
#[cfg(feature = "whisper")]
pub mod whisper;
