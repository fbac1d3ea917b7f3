//! Exact 3× polyphase FIR resampling between 16 kHz and 48 kHz (RNNoise's rate).
//!
//! The ratio is a fixed integer, so a linear-phase FIR in polyphase form is exact, has a known
//! integer delay, allocates nothing after construction and gives bit-identical results natively
//! and in WASM. Both directions share one Kaiser-windowed sinc low-pass.

/// Taps of the shared low-pass filter (odd, so the delay is an integer; `TAPS - 1` divisible by 3).
pub const TAPS: usize = 97;
/// Taps per polyphase branch of the interpolator.
const TAPS_PER_PHASE: usize = TAPS.div_ceil(3);
/// Group delay of one filter pass, in 48 kHz samples.
pub const FILTER_DELAY_48K: usize = (TAPS - 1) / 2;
/// Cut-off of the low-pass (Hz at 48 kHz): speech up to ~6.5 kHz passes, images above 8 kHz are
/// attenuated by > 60 dB.
const CUTOFF_HZ: f64 = 7_200.0;
/// Kaiser window shape parameter (≈ 60–70 dB stop-band for this length).
const KAISER_BETA: f64 = 7.0;

/// Zeroth-order modified Bessel function of the first kind (series expansion).
fn bessel_i0(x: f64) -> f64 {
    let mut sum = 1.0;
    let mut term = 1.0;
    let half = x / 2.0;
    for k in 1..64 {
        let f = half / k as f64;
        term *= f * f;
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
}

/// The low-pass prototype at 48 kHz with unity DC gain.
fn design_lowpass() -> [f32; TAPS] {
    let mut h = [0f64; TAPS];
    let fc = CUTOFF_HZ / 48_000.0;
    let m = (TAPS - 1) as f64;
    let denom = bessel_i0(KAISER_BETA);
    for (n, tap) in h.iter_mut().enumerate() {
        let x = n as f64 - m / 2.0;
        let sinc = if x == 0.0 {
            2.0 * fc
        } else {
            (2.0 * std::f64::consts::PI * fc * x).sin() / (std::f64::consts::PI * x)
        };
        let r = 2.0 * n as f64 / m - 1.0;
        let w = bessel_i0(KAISER_BETA * (1.0 - r * r).max(0.0).sqrt()) / denom;
        *tap = sinc * w;
    }
    let sum: f64 = h.iter().sum();
    let mut out = [0f32; TAPS];
    for (o, v) in out.iter_mut().zip(h) {
        *o = (v / sum) as f32;
    }
    out
}

/// 16 kHz → 48 kHz interpolator (zero-stuffing + low-pass, polyphase).
#[derive(Clone)]
pub struct Upsampler3 {
    /// `phases[p][k] = 3 * h[p + 3k]` (gain 3 restores the level lost to zero-stuffing).
    phases: [[f32; TAPS_PER_PHASE]; 3],
    /// The most recent `TAPS_PER_PHASE` input samples, oldest first, then room for one frame.
    history: Vec<f32>,
}

impl Default for Upsampler3 {
    fn default() -> Self {
        Self::new()
    }
}

impl Upsampler3 {
    /// Creates an interpolator with zeroed history.
    pub fn new() -> Self {
        let h = design_lowpass();
        let mut phases = [[0f32; TAPS_PER_PHASE]; 3];
        for (p, phase) in phases.iter_mut().enumerate() {
            for (k, tap) in phase.iter_mut().enumerate() {
                // Reversed so the inner loop walks history forwards.
                let idx = p + 3 * (TAPS_PER_PHASE - 1 - k);
                *tap = if idx < TAPS { 3.0 * h[idx] } else { 0.0 };
            }
        }
        Self {
            phases,
            history: vec![0.0; TAPS_PER_PHASE],
        }
    }

    /// Clears the filter state.
    pub fn reset(&mut self) {
        self.history.clear();
        self.history.resize(TAPS_PER_PHASE, 0.0);
    }

    /// Interpolates `input` into `output`, which must be exactly three times as long.
    /// Allocates nothing once `history` has grown to its working size.
    pub fn process(&mut self, input: &[i16], output: &mut [f32]) {
        debug_assert_eq!(output.len(), input.len() * 3);
        self.history.extend(input.iter().map(|&s| f32::from(s)));
        for (i, out3) in output.chunks_exact_mut(3).enumerate() {
            // Window ending at input sample i (inclusive).
            let window = &self.history[i + 1..i + 1 + TAPS_PER_PHASE];
            for (p, o) in out3.iter_mut().enumerate() {
                *o = dot(window, &self.phases[p]);
            }
        }
        let keep_from = self.history.len() - TAPS_PER_PHASE;
        self.history.copy_within(keep_from.., 0);
        self.history.truncate(TAPS_PER_PHASE);
    }
}

/// 48 kHz → 16 kHz decimator (low-pass, keep every third sample).
#[derive(Clone)]
pub struct Downsampler3 {
    /// Reversed taps.
    taps: [f32; TAPS],
    /// The most recent `TAPS - 1` input samples, then room for one frame.
    history: Vec<f32>,
}

impl Default for Downsampler3 {
    fn default() -> Self {
        Self::new()
    }
}

impl Downsampler3 {
    /// Creates a decimator with zeroed history.
    pub fn new() -> Self {
        let mut taps = design_lowpass();
        taps.reverse();
        Self {
            taps,
            history: vec![0.0; TAPS - 1],
        }
    }

    /// Clears the filter state.
    pub fn reset(&mut self) {
        self.history.clear();
        self.history.resize(TAPS - 1, 0.0);
    }

    /// Decimates `input` (length a multiple of 3) into `output` (a third as long), rounding and
    /// saturating to i16.
    pub fn process(&mut self, input: &[f32], output: &mut [i16]) {
        debug_assert_eq!(input.len(), output.len() * 3);
        self.history.extend_from_slice(input);
        for (j, o) in output.iter_mut().enumerate() {
            // Output j is the filter centred so that its newest input is 48 kHz sample 3j.
            let window = &self.history[3 * j..3 * j + TAPS];
            *o = to_i16(dot(window, &self.taps));
        }
        let keep_from = self.history.len() - (TAPS - 1);
        self.history.copy_within(keep_from.., 0);
        self.history.truncate(TAPS - 1);
    }
}

/// Rounds and saturates to i16 (NaN maps to 0).
pub fn to_i16(x: f32) -> i16 {
    if x.is_nan() {
        0
    } else {
        x.round().clamp(-32768.0, 32767.0) as i16
    }
}

/// Dot product written in 8 independent lanes so the compiler vectorises it.
#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let chunks = a.len() / 8;
    for c in 0..chunks {
        let (xa, xb) = (&a[c * 8..c * 8 + 8], &b[c * 8..c * 8 + 8]);
        for l in 0..8 {
            acc[l] += xa[l] * xb[l];
        }
    }
    let mut sum = acc.iter().sum::<f32>();
    for i in chunks * 8..a.len().min(b.len()) {
        sum += a[i] * b[i];
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f64, n: usize, amp: f64) -> Vec<i16> {
        (0..n)
            .map(|i| (amp * (2.0 * std::f64::consts::PI * freq * i as f64 / 16_000.0).sin()) as i16)
            .collect()
    }

    #[test]
    fn round_trip_is_a_pure_delay_for_speech_band() {
        let x = sine(440.0, 4800, 10_000.0);
        let mut up = Upsampler3::new();
        let mut down = Downsampler3::new();
        let mut mid = vec![0f32; 480];
        let mut y = vec![0i16; 4800];
        for (xi, yi) in x.chunks(160).zip(y.chunks_mut(160)) {
            up.process(xi, &mut mid);
            down.process(&mid, yi);
        }
        let delay = 2 * FILTER_DELAY_48K / 3;
        let mut max_err = 0i32;
        for i in 1000..4000 {
            max_err = max_err.max((i32::from(y[i + delay]) - i32::from(x[i])).abs());
        }
        assert!(max_err < 40, "max error {max_err}");
    }

    #[test]
    fn aliasing_tone_is_rejected_by_decimator() {
        // 20 kHz at 48 kHz would alias to 4 kHz at 16 kHz without the low-pass.
        let n = 4800;
        let x: Vec<f32> = (0..n)
            .map(|i| 10_000.0 * (2.0 * std::f32::consts::PI * 20_000.0 * i as f32 / 48_000.0).sin())
            .collect();
        let mut down = Downsampler3::new();
        let mut y = vec![0i16; n / 3];
        down.process(&x, &mut y);
        let peak = y[200..].iter().map(|v| v.unsigned_abs()).max().unwrap_or(0);
        assert!(peak < 20, "alias peak {peak}");
    }
}
