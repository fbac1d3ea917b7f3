//! The providers a report compares, built from the environment, with their list prices.
//!
//! A provider that is listed but not configured (no key and no base URL; no Whisper model or a
//! build without the `whisper` feature) stays in the report: its rows say [`NOT_CONFIGURED`].

use super::ReportError;
use crate::config::Config;
use balto_core::transcriber::Transcriber;
use balto_providers::ProviderConfig;
use balto_providers::stt::{AssemblyAiTranscriber, ElevenLabsTranscriber};
use std::sync::Arc;

/// The error-column text of a provider that is not configured.
pub const NOT_CONFIGURED: &str = "não configurado";

/// Estimated list prices in US dollars per minute of audio (pay-as-you-go, 2025): ElevenLabs
/// Scribe about $0.40/hour, AssemblyAI Universal about $0.15/hour; the offline Whisper engine costs
/// nothing per call. Estimates for comparison only; edit here when prices change.
pub const PRICE_USD_PER_MIN_ELEVENLABS: f64 = 0.40 / 60.0;
pub const PRICE_USD_PER_MIN_ASSEMBLYAI: f64 = 0.15 / 60.0;
pub const PRICE_USD_PER_MIN_WHISPER: f64 = 0.0;

/// Every provider name `--providers` accepts.
pub const KNOWN: [&str; 3] = ["elevenlabs", "assemblyai", "whisper"];

/// One provider of the report.
#[derive(Clone)]
pub struct ReportEngine {
    /// `elevenlabs`, `assemblyai` or `whisper`.
    pub name: String,
    /// `Err` with the reason when it cannot run (e.g. [`NOT_CONFIGURED`]).
    pub engine: Result<Arc<dyn Transcriber>, String>,
    pub price_usd_per_min: f64,
}

impl ReportEngine {
    /// An engine that runs (tests plug scripted transcribers in here).
    pub fn ready(name: &str, engine: Arc<dyn Transcriber>, price_usd_per_min: f64) -> Self {
        ReportEngine {
            name: name.to_string(),
            engine: Ok(engine),
            price_usd_per_min,
        }
    }
}

/// Parses `elevenlabs,assemblyai,whisper` (order kept, duplicates dropped).
pub fn parse_list(list: &str) -> Result<Vec<String>, ReportError> {
    let mut out: Vec<String> = Vec::new();
    for name in list.split(',').map(|s| s.trim().to_lowercase()) {
        if name.is_empty() {
            continue;
        }
        if !KNOWN.contains(&name.as_str()) {
            return Err(ReportError::UnknownProvider(name));
        }
        if !out.contains(&name) {
            out.push(name);
        }
    }
    Ok(out)
}

/// Builds the engines for `names` from the provider configuration (cloud) and `config`
/// (Whisper, loaded only when listed). No retries, no fallback: each row is one provider.
pub fn build(names: &[String], providers: &ProviderConfig, config: &Config) -> Vec<ReportEngine> {
    names
        .iter()
        .map(|name| {
            let (engine, price): (Result<Arc<dyn Transcriber>, String>, f64) = match name.as_str() {
                "elevenlabs" => (
                    match &providers.elevenlabs {
                        None => Err(NOT_CONFIGURED.to_string()),
                        Some(c) => ElevenLabsTranscriber::new(c.clone())
                            .map(|t| Arc::new(t) as Arc<dyn Transcriber>)
                            .map_err(|e| e.to_string()),
                    },
                    PRICE_USD_PER_MIN_ELEVENLABS,
                ),
                "assemblyai" => (
                    match &providers.assemblyai {
                        None => Err(NOT_CONFIGURED.to_string()),
                        Some(c) => AssemblyAiTranscriber::new(c.clone())
                            .map(|t| Arc::new(t) as Arc<dyn Transcriber>)
                            .map_err(|e| e.to_string()),
                    },
                    PRICE_USD_PER_MIN_ASSEMBLYAI,
                ),
                _ => (
                    crate::offline_stt::load(config).ok_or_else(|| NOT_CONFIGURED.to_string()),
                    PRICE_USD_PER_MIN_WHISPER,
                ),
            };
            ReportEngine {
                name: name.clone(),
                engine,
                price_usd_per_min: price,
            }
        })
        .collect()
}
