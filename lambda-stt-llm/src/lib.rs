//! Providers and advisors shared by local-dev and the Lambda functions: speech-to-text clients
//! (ElevenLabs, AssemblyAI, offline Whisper), the LLM advisor (xAI / OpenAI), the red-flag screen
//! in front of every advisor, the offline rules advisor with its product catalog, the advisor's
//! evaluation grid, and the resilience layer (timeouts, retries, fallback).

#[cfg(feature = "admin-api")]
pub mod admin_api;
pub mod advisor_eval;
pub mod catalog;
#[cfg(feature = "aws")]
pub mod dynamo;
#[cfg(feature = "aws")]
pub mod lambda_main;
pub mod llm;
pub mod providers;
pub mod red_flags;
#[cfg(feature = "aws")]
pub mod relay_handler;
pub mod resilience;
pub mod rules;
pub mod spoken;
pub mod stt;
pub mod text;
pub mod wer;
#[cfg(feature = "whisper")]
pub mod whisper;
