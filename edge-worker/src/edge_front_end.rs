//! The raw-PCM front end the Worker's sessions use: `vad-wasm` with its default settings,
//! validated once when a session starts so building one per socket cannot fail.

use balto_core::frontend::{AudioFrontEnd, CutSegment};
use vad_wasm::{ConfigError, FrontEnd, FrontEndConfig};

/// A `vad-wasm` front end (or nothing, if its configuration ever stopped validating: then no
/// speech is cut, and nothing panics).
pub struct EdgeFrontEnd(Option<FrontEnd>);

impl AudioFrontEnd for EdgeFrontEnd {
    fn push(&mut self, samples: &[i16], out: &mut Vec<CutSegment>) {
        if let Some(f) = self.0.as_mut() {
            f.push(samples, out);
        }
    }

    fn finish(&mut self, out: &mut Vec<CutSegment>) {
        if let Some(f) = self.0.as_mut() {
            f.finish(out);
        }
    }
}

/// Builds front ends of one validated configuration (a session's factory).
pub fn factory(
    config: FrontEndConfig,
) -> Result<impl FnMut() -> EdgeFrontEnd + Send + 'static, ConfigError> {
    FrontEnd::new(config.clone())?;
    Ok(move || EdgeFrontEnd(FrontEnd::new(config.clone()).ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_configuration_builds_and_cuts_nothing_from_silence() {
        let mut make = factory(FrontEndConfig::default()).unwrap();
        let mut fe = make();
        let mut out = Vec::new();
        fe.push(&vec![0i16; 16_000], &mut out);
        fe.finish(&mut out);
        assert!(out.is_empty());
    }
}
