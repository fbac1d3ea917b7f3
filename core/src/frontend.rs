//! The seam between the session and the audio front end (implemented by `vad-wasm`).

/// Sample rate of every PCM buffer that crosses a Balto boundary: 16 kHz, mono, s16le.
pub const SAMPLE_RATE_HZ: u32 = 16_000;
/// Samples per millisecond at [`SAMPLE_RATE_HZ`].
pub const SAMPLES_PER_MS: u64 = 16;

/// One stretch of speech cut by a front end from a continuous stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CutSegment {
    /// Start of the segment, in milliseconds since the first sample of the stream.
    pub start_ms: u64,
    /// End of the segment (exclusive), in milliseconds since the first sample of the stream.
    pub end_ms: u64,
    /// The (cleaned) audio of the segment, 16 kHz mono.
    pub pcm: Vec<i16>,
}

impl CutSegment {
    /// Length of the segment in milliseconds.
    pub fn duration_ms(&self) -> u64 {
        self.end_ms.saturating_sub(self.start_ms)
    }
}

/// A streaming speech detector and segmenter: raw PCM in, speech segments out.
///
/// Implementations must accept buffers of any length (including odd splits of a 10 ms frame)
/// and must never panic on any sample values.
pub trait AudioFrontEnd {
    /// Feeds samples (16 kHz mono); completed segments are appended to `out`.
    fn push(&mut self, pcm: &[i16], out: &mut Vec<CutSegment>);
    /// Ends the stream: a segment still open is closed and appended to `out` if it is long
    /// enough to be speech.
    fn finish(&mut self, out: &mut Vec<CutSegment>);
}

impl<T: AudioFrontEnd + ?Sized> AudioFrontEnd for Box<T> {
    fn push(&mut self, pcm: &[i16], out: &mut Vec<CutSegment>) {
        (**self).push(pcm, out)
    }
    fn finish(&mut self, out: &mut Vec<CutSegment>) {
        (**self).finish(out)
    }
}
