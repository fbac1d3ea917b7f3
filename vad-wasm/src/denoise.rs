//! RNNoise denoising of 16 kHz frames via 48 kHz (`nnnoiseless`), with its speech probability.

use nnnoiseless::DenoiseState;

use crate::config::FRAME_SAMPLES;
use crate::resample::{Downsampler3, FILTER_DELAY_48K, Upsampler3};

/// RNNoise frame at 48 kHz (10 ms).
pub const RNNOISE_FRAME: usize = DenoiseState::FRAME_SIZE;
/// Delay of the cleaned 16 kHz output behind the input, in 16 kHz samples: interpolator and
/// decimator group delays plus RNNoise's one-frame latency (96 + 480 = 576 samples at 48 kHz).
pub const DENOISE_DELAY_SAMPLES: usize = (2 * FILTER_DELAY_48K + RNNOISE_FRAME) / 3;

/// Input frames replayed through the resamplers and RNNoise when processing resumes after
/// skipped frames: refills RNNoise's 36 ms analysis buffer, its overlap-add memory and the
/// filter histories with the audio just before the resumed frame. RNNoise's GRU states stay
/// frozen from the last processed (quiet) frame: resetting them instead made RNNoise fire on
/// beeps and printer bursts (dev beeps F1 0.989 → 0.977, a false printer segment on seed 5).
pub const RESUME_REPLAY_FRAMES: usize = 4;

/// Resampler + RNNoise for one stream. Allocation-free per frame.
///
/// Frames may be skipped ([`Denoiser::skip`]) while nothing needs cleaned audio: the output is
/// then the raw input delayed by the same [`DENOISE_DELAY_SAMPLES`], so alignment never changes,
/// and the next [`Denoiser::process`] first replays the last [`RESUME_REPLAY_FRAMES`] raw frames.
pub struct Denoiser {
    up: Upsampler3,
    down: Downsampler3,
    state: Box<DenoiseState<'static>>,
    in48: Vec<f32>,
    out48: Vec<f32>,
    /// The last `RESUME_REPLAY_FRAMES` raw frames, oldest first (ring, `ring_pos` is the oldest).
    ring: [[i16; FRAME_SAMPLES]; RESUME_REPLAY_FRAMES],
    ring_pos: usize,
    /// The last `DENOISE_DELAY_SAMPLES` raw samples (delay line for skipped frames).
    delay: [i16; DENOISE_DELAY_SAMPLES],
    /// Consecutive frames skipped so far.
    skipped: usize,
}

impl std::fmt::Debug for Denoiser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Denoiser")
    }
}

impl Default for Denoiser {
    fn default() -> Self {
        Self::new()
    }
}

impl Denoiser {
    /// Creates a denoiser with fresh state.
    pub fn new() -> Self {
        Self {
            up: Upsampler3::new(),
            down: Downsampler3::new(),
            state: DenoiseState::new(),
            in48: vec![0.0; RNNOISE_FRAME],
            out48: vec![0.0; RNNOISE_FRAME],
            ring: [[0; FRAME_SAMPLES]; RESUME_REPLAY_FRAMES],
            ring_pos: 0,
            delay: [0; DENOISE_DELAY_SAMPLES],
            skipped: 0,
        }
    }

    /// Heap bytes owned (RNNoise state and 48 kHz frame buffers).
    pub fn heap_bytes(&self) -> usize {
        std::mem::size_of::<DenoiseState<'static>>()
            + (self.in48.capacity() + self.out48.capacity()) * 4
    }

    /// Clears all state.
    pub fn reset(&mut self) {
        self.up.reset();
        self.down.reset();
        self.state = DenoiseState::new();
        self.ring = [[0; FRAME_SAMPLES]; RESUME_REPLAY_FRAMES];
        self.ring_pos = 0;
        self.delay = [0; DENOISE_DELAY_SAMPLES];
        self.skipped = 0;
    }

    /// Frames skipped since RNNoise last ran.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// Records `raw` in the replay ring and the delay line; returns the delayed raw frame.
    fn remember(&mut self, raw: &[i16; FRAME_SAMPLES]) -> [i16; FRAME_SAMPLES] {
        self.ring[self.ring_pos] = *raw;
        self.ring_pos = (self.ring_pos + 1) % RESUME_REPLAY_FRAMES;
        let mut delayed = [0i16; FRAME_SAMPLES];
        // delayed = (delay line ++ raw)[..160]; delay line = (delay line ++ raw)[160..].
        const D: usize = DENOISE_DELAY_SAMPLES;
        const _: () = assert!(
            D >= FRAME_SAMPLES,
            "the delay line holds at least one frame"
        );
        delayed.copy_from_slice(&self.delay[..FRAME_SAMPLES]);
        self.delay.copy_within(FRAME_SAMPLES.., 0);
        self.delay[D - FRAME_SAMPLES..].copy_from_slice(raw);
        delayed
    }

    /// Skips RNNoise for one frame: `cleaned` receives the raw input delayed by
    /// [`DENOISE_DELAY_SAMPLES`] (so later frames stay aligned). Costs a copy.
    pub fn skip(&mut self, raw: &[i16; FRAME_SAMPLES], cleaned: &mut [i16; FRAME_SAMPLES]) {
        *cleaned = self.remember(raw);
        self.skipped += 1;
    }

    /// Up-samples, denoises and down-samples one frame; returns RNNoise's probability.
    fn run(&mut self, raw: &[i16; FRAME_SAMPLES], cleaned: &mut [i16; FRAME_SAMPLES]) -> f32 {
        self.up.process(raw, &mut self.in48);
        for v in self.in48.iter_mut() {
            if !v.is_finite() {
                *v = 0.0;
            }
            *v = v.clamp(-32768.0, 32767.0);
        }
        let prob = self.state.process_frame(&mut self.out48, &self.in48);
        self.down.process(&self.out48, cleaned);
        if prob.is_finite() {
            prob.clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    /// Denoises one 10 ms frame (160 samples). `cleaned` receives 160 samples that lag the input
    /// by [`DENOISE_DELAY_SAMPLES`]. Returns RNNoise's speech probability for the input frame.
    pub fn process(
        &mut self,
        raw: &[i16; FRAME_SAMPLES],
        cleaned: &mut [i16; FRAME_SAMPLES],
    ) -> f32 {
        if self.skipped > 0 {
            // Replay the frames just before this one (already in the ring) to bring the filter
            // histories and RNNoise's buffers up to date; their output was already emitted.
            let replay = self.skipped.min(RESUME_REPLAY_FRAMES);
            let mut scratch = [0i16; FRAME_SAMPLES];
            for k in RESUME_REPLAY_FRAMES - replay..RESUME_REPLAY_FRAMES {
                let frame = self.ring[(self.ring_pos + k) % RESUME_REPLAY_FRAMES];
                self.run(&frame, &mut scratch);
            }
            self.skipped = 0;
        }
        self.remember(raw);
        self.run(raw, cleaned)
    }
}
