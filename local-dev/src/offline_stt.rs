//! The embedded offline speech-to-text engine: Whisper (whisper.cpp) when built with the
//! `whisper` feature and a ggml model is present.

use crate::config::Config;
use balto_core::transcriber::Transcriber;
use std::sync::Arc;

/// Loads the offline engine, or explains (in the log) why there is none.
#[cfg(feature = "whisper")]
pub fn load(config: &Config) -> Option<Arc<dyn Transcriber>> {
    use balto_providers::whisper::{WhisperEngine, WhisperOptions, default_model_path};
    let path = config
        .whisper_model
        .clone()
        .unwrap_or_else(default_model_path);
    if !path.is_file() {
        tracing::warn!(
            model = %path.display(),
            "no Whisper model there: run scripts/whisper-model.sh (or set WHISPER_MODEL to a ggml model)"
        );
        return None;
    }
    let options = match WhisperOptions::from_env() {
        Ok(o) => o,
        Err(e) => {
            tracing::error!(error = %e, "invalid Whisper options");
            return None;
        }
    };
    let started = std::time::Instant::now();
    match WhisperEngine::load(&path, options) {
        Ok(engine) => {
            tracing::info!(
                model = %path.display(),
                info = ?engine.model_info(),
                options = ?engine.options(),
                load_ms = started.elapsed().as_millis() as u64,
                "offline STT: Whisper (whisper.cpp) loaded"
            );
            Some(Arc::new(engine))
        }
        Err(e) => {
            tracing::error!(model = %path.display(), error = %e, "could not load the Whisper model");
            None
        }
    }
}

/// Built without the `whisper` feature: no offline engine.
#[cfg(not(feature = "whisper"))]
pub fn load(_config: &Config) -> Option<Arc<dyn Transcriber>> {
    tracing::warn!("built without the `whisper` feature: no offline STT engine");
    None
}
