//! RNNoise denoising of 16 kHz frames via 48 kHz (`nnnoiseless`), with its speech probability.

use nnnoiseless::DenoiseState;

use crate::config::FRAME_SAMPLES;
use crate::resample::{Downsampler3, FILTER_DELAY_48K, Upsampler3};

/// RNNoise frame at 48 kHz (10 ms).
pub const RNNOISE_FRAME: usize = DenoiseState::FRAME_SIZE;
/// Delay of the cleaned 16 kHz output behind the input, in 16 kHz samples: interpolator and
/// decimator group delays plus RNNoise's one-frame latency (96 + 480 = 576 samples at 48 kHz).
pub const DENOISE_DELAY_SAMPLES: usize = (2 * FILTER_DELAY_48K + RNNOISE_FRAME) / 3;

/// Resampler + RNNoise for one stream. Allocation-free per frame.
pub struct Denoiser {
    up: Upsampler3,
    down: Downsampler3,
    state: Box<DenoiseState<'static>>,
    in48: Vec<f32>,
    out48: Vec<f32>,
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
    }

    /// Denoises one 10 ms frame (160 samples). `cleaned` receives 160 samples that lag the input
    /// by [`DENOISE_DELAY_SAMPLES`]. Returns RNNoise's speech probability for the input frame.
    pub fn process(
        &mut self,
        raw: &[i16; FRAME_SAMPLES],
        cleaned: &mut [i16; FRAME_SAMPLES],
    ) -> f32 {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_lags_input_by_the_documented_delay() {
        // A tone burst; find the lag maximising correlation between input and output.
        let n = 160 * 200;
        let x: Vec<i16> = (0..n)
            .map(|i| {
                let env = if (8000..24000).contains(&i) { 1.0 } else { 0.0 };
                (env * 8000.0
                    * (2.0 * std::f32::consts::PI * 300.0 * i as f32 / 16_000.0).sin()
                    * (1.0 + 0.5 * (2.0 * std::f32::consts::PI * 3.0 * i as f32 / 16_000.0).sin()))
                    as i16
            })
            .collect();
        let mut d = Denoiser::new();
        let mut y = vec![0i16; n];
        for (xi, yi) in x.chunks_exact(160).zip(y.chunks_exact_mut(160)) {
            let mut a = [0i16; 160];
            a.copy_from_slice(xi);
            let mut b = [0i16; 160];
            d.process(&a, &mut b);
            yi.copy_from_slice(&b);
        }
        let corr = |lag: usize| -> f64 {
            (0..n - lag)
                .map(|i| f64::from(x[i]) * f64::from(y[i + lag]))
                .sum()
        };
        let best = (150..240)
            .max_by(|&a, &b| corr(a).total_cmp(&corr(b)))
            .unwrap_or(0);
        assert!(best.abs_diff(DENOISE_DELAY_SAMPLES) <= 1, "best lag {best}");
    }
}
