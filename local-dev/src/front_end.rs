//! The server-side front end for raw-PCM (Part 1) sessions: `vad-wasm`, natively.

use balto_core::frontend::AudioFrontEnd;
use std::sync::Arc;
use vad_wasm::{ConfigError, FrontEnd, FrontEndConfig};

/// A boxed front end, as sessions hold it.
pub type BoxedFrontEnd = Box<dyn AudioFrontEnd + Send>;
/// Builds a fresh front end for a raw-PCM session.
pub type FrontEndMaker = Arc<dyn Fn() -> BoxedFrontEnd + Send + Sync>;

/// The front end configuration local-dev uses: the tuned defaults with the configured floor.
pub fn config(energy_threshold_rms: f32) -> FrontEndConfig {
    FrontEndConfig {
        energy_threshold_rms,
        ..FrontEndConfig::default()
    }
}

/// A maker of fresh front ends with `config`, validated once up front so a bad configuration
/// fails at start rather than on the first connection.
pub fn maker(config: FrontEndConfig) -> Result<FrontEndMaker, ConfigError> {
    config.validate()?;
    Ok(Arc::new(move || -> BoxedFrontEnd {
        Box::new(FrontEnd::new(config.clone()).expect("configuration validated at start"))
    }))
}
