//! Exact 3× polyphase FIR resampling between 16 kHz and 48 kHz (RNNoise's rate).
//!
//! The ratio is a fixed integer, so a linear-phase FIR in polyphase form is exact, has a known
//! integer delay, allocates nothing after construction and gives bit-identical results natively
//! and in WASM. Both directions share one Kaiser-windowed sinc low-pass.

use crate::lanes::lanes8;

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
        let [p0, p1, p2] = &self.phases;
        for (i, out3) in output.chunks_exact_mut(3).enumerate() {
            // Window ending at input sample i (inclusive); the three phases side by side.
            let window = &self.history[i + 1..i + 1 + TAPS_PER_PHASE];
            out3.copy_from_slice(&dots([window; 3], [p0, p1, p2]));
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
        // Output j is the filter centred so that its newest input is 48 kHz sample 3j; four
        // outputs side by side (then one at a time for a remainder).
        let window = |j: usize| &self.history[3 * j..3 * j + TAPS];
        let done = output.len() / 4 * 4;
        let mut quads = output.chunks_exact_mut(4);
        for (q, o4) in (&mut quads).enumerate() {
            let j = 4 * q;
            let d = dots(
                [window(j), window(j + 1), window(j + 2), window(j + 3)],
                [&self.taps[..]; 4],
            );
            for (o, d) in o4.iter_mut().zip(d) {
                *o = to_i16(d);
            }
        }
        for (k, o) in quads.into_remainder().iter_mut().enumerate() {
            *o = to_i16(dots([window(done + k)], [&self.taps[..]])[0]);
        }
        let keep_from = self.history.len() - (TAPS - 1);
        self.history.copy_within(keep_from.., 0);
        self.history.truncate(TAPS - 1);
    }
}

/// Rounds (half away from zero) and saturates to i16 (NaN maps to 0): the same result as
/// `x.round().clamp(-32768.0, 32767.0) as i16` for every f32 (checked over all 2^32 bit
/// patterns), without a call to `roundf` (x86-64 has no rounding instruction before SSE4.1).
pub fn to_i16(x: f32) -> i16 {
    if x.is_nan() {
        return 0;
    }
    // Clamping first changes nothing (rounding is monotonic and the bounds are integers); it
    // keeps `x` where the truncation and the fraction below are exact.
    let x = x.clamp(-32768.0, 32767.0);
    let t = x as i32;
    let frac = x - t as f32;
    (t + i32::from(frac >= 0.5) - i32::from(frac <= -0.5)) as i16
}

/// `N` independent dot products `a[r]·b[r]` (over `a[0]`'s length), each summed as 8 lanes
/// (lane `l` takes elements `l, l + 8, …` in order), the lanes added in order, then the tail
/// element by element. Side by side they give the CPU independent chains of additions; each
/// result is the same as computing it alone.
#[inline(always)]
fn dots<const N: usize>(a: [&[f32]; N], b: [&[f32]; N]) -> [f32; N] {
    let len = a[0].len();
    let n8 = len / 8 * 8;
    let lanes = lanes8(a, b, len);
    let mut out = [0.0f32; N];
    for r in 0..N {
        let mut sum = lanes[r].iter().sum::<f32>();
        for i in n8..len {
            sum += a[r][i] * b[r][i];
        }
        out[r] = sum;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-at-a-time dot product the resamplers used before [`dots`].
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

    #[test]
    fn to_i16_rounds_like_round_then_clamp() {
        let reference = |x: f32| {
            if x.is_nan() {
                0
            } else {
                x.round().clamp(-32768.0, 32767.0) as i16
            }
        };
        // Every 4099th bit pattern (all signs, exponents and both sides of each half), plus the
        // edges; the exhaustive check over all 2^32 patterns was run once when this was written.
        let edges = [
            0.5,
            -0.5,
            1.5,
            -1.5,
            2.5,
            0.49999997,
            -0.49999997,
            32766.5,
            32767.5,
            -32767.5,
            -32768.5,
            1e30,
            -1e30,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            -0.0,
        ];
        let sampled = (0..=u32::MAX).step_by(4099).map(f32::from_bits);
        for x in sampled.chain(edges) {
            assert_eq!(to_i16(x), reference(x), "{x:e}");
        }
    }

    #[test]
    fn side_by_side_dot_products_are_bit_identical_to_one_at_a_time() {
        let mut next = crate::lanes::spread_values(0x9e37_79b9, 9, -2);
        for len in [1, 8, 9, TAPS_PER_PHASE, TAPS] {
            let a: Vec<Vec<f32>> = (0..4).map(|_| (0..len).map(|_| next()).collect()).collect();
            let b: Vec<Vec<f32>> = (0..4).map(|_| (0..len).map(|_| next()).collect()).collect();
            let got: [f32; 4] = dots(
                [&a[0][..], &a[1][..], &a[2][..], &a[3][..]],
                [&b[0][..], &b[1][..], &b[2][..], &b[3][..]],
            );
            for r in 0..4 {
                assert_eq!(
                    got[r].to_bits(),
                    dot(&a[r], &b[r]).to_bits(),
                    "len {len} row {r}"
                );
            }
        }
    }

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
