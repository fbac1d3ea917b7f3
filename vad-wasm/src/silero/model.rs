//! The Silero VAD v6.2 16 kHz forward pass for one stream: STFT magnitude (4 frames of 256,
//! hop 128, over the 64-sample context + 512 new samples, reflection-padded by 64), four
//! conv + ReLU blocks (strides 1, 2, 2, 1), an LSTM cell (128) carried between chunks, and a
//! 1×1 conv + sigmoid over ReLU(h). All buffers are fixed arrays: nothing is allocated per chunk.

use std::sync::{Arc, OnceLock};

use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};

use super::weights::{BINS, ConvLayer, FFT, SileroWeights};
use crate::lanes::lanes8;

/// The 256-point real FFT plan, shared by every stream.
fn fft() -> &'static Arc<dyn RealToComplex<f32>> {
    static PLAN: OnceLock<Arc<dyn RealToComplex<f32>>> = OnceLock::new();
    PLAN.get_or_init(|| RealFftPlanner::<f32>::new().plan_fft_forward(FFT))
}

/// New samples per chunk at 16 kHz (32 ms).
pub const CHUNK: usize = 512;
/// Samples of the previous chunk prepended to each chunk.
pub const CONTEXT: usize = 64;
/// Context + chunk + right reflection padding.
const PADDED: usize = CONTEXT + CHUNK + 64;
/// STFT frames per chunk.
const FRAMES: usize = 4;
const HOP: usize = 128;
const HIDDEN: usize = 128;

/// `N` independent dot products `a[r]·b[r]` (all of `a[0]`'s length), each summed exactly as
/// the model's one-at-a-time 8-lane dot product was: lane `l` accumulates elements
/// `l, l + 8, …` in order (SIMD, [`lanes8`]), the lanes are combined pairwise, then the tail is
/// added. Side by side they give the CPU `N` independent chains of additions instead of one
/// (each chain is bound by an addition's latency), with bit-identical results.
#[inline(always)]
fn dots<const N: usize>(a: [&[f32]; N], b: [&[f32]; N]) -> [f32; N] {
    let len = a[0].len();
    let n8 = len / 8 * 8;
    let lanes = lanes8(a, b, len);
    let mut out = [0.0f32; N];
    for r in 0..N {
        let mut tail = 0.0;
        for j in n8..len {
            tail += a[r][j] * b[r][j];
        }
        let c = &lanes[r];
        out[r] = ((c[0] + c[4]) + (c[1] + c[5])) + ((c[2] + c[6]) + (c[3] + c[7])) + tail;
    }
    out
}

/// max(x, 0) with NaN mapped to 0, as `x.max(0.0)`, written as a comparison: wasm32 has no
/// instruction for `f32::max`'s NaN rule and calls `fmaxf` for it. (The two may differ only in
/// the sign of a zero, which no later sum can see: every sum starts from +0 or a bias.)
#[inline(always)]
fn relu(x: f32) -> f32 {
    if x > 0.0 { x } else { 0.0 }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Conv1d (kernel 3, padding 1) + ReLU over time-major input `[(t_in + 2) rows][inputs]` whose
/// first and last rows are zero padding; writes `[t_out]` rows of `outputs` into `out` starting
/// at row 1 of a padded output (row 0 and row t_out + 1 stay zero).
///
/// Each output is `bias + dot(k = 0) + dot(k = 1) + dot(k = 2)`, in that order; four of them
/// are computed side by side (four outputs of one time step, or with four time steps, one
/// output for all of them so its weights are read once), which changes no result.
fn conv_relu(layer: &ConvLayer, input: &[f32], t_in: usize, out: &mut [f32]) -> usize {
    let (ci, co) = (layer.inputs, layer.outputs);
    let t_out = (t_in + 2 - 3) / layer.stride + 1;
    let x = |t: usize, k: usize| {
        let at = (t * layer.stride + k) * ci;
        &input[at..at + ci]
    };
    let w = |o: usize, k: usize| &layer.weight[(o * 3 + k) * ci..(o * 3 + k + 1) * ci];
    if t_out == 4 {
        for o in 0..co {
            let mut acc = [layer.bias[o]; 4];
            for k in 0..3 {
                let d = dots([w(o, k); 4], [x(0, k), x(1, k), x(2, k), x(3, k)]);
                for (a, d) in acc.iter_mut().zip(d) {
                    *a += d;
                }
            }
            for (t, a) in acc.iter().enumerate() {
                out[(t + 1) * co + o] = relu(*a);
            }
        }
    } else {
        debug_assert_eq!(co % 4, 0);
        for t in 0..t_out {
            for o in (0..co).step_by(4) {
                let mut acc: [f32; 4] = std::array::from_fn(|r| layer.bias[o + r]);
                for k in 0..3 {
                    let d = dots(std::array::from_fn(|r| w(o + r, k)), [x(t, k); 4]);
                    for (a, d) in acc.iter_mut().zip(d) {
                        *a += d;
                    }
                }
                for (r, a) in acc.iter().enumerate() {
                    out[(t + 1) * co + o + r] = relu(*a);
                }
            }
        }
    }
    t_out
}

/// Per-stream state and scratch of the model (≈ 7 KB).
#[derive(Clone)]
pub struct SileroState {
    weights: &'static SileroWeights,
    h: [f32; HIDDEN],
    c: [f32; HIDDEN],
    context: [f32; CONTEXT],
    padded: [f32; PADDED],
    /// Spectrogram, time-major with a zero row each side: `[FRAMES + 2][BINS]`.
    spec: [f32; (FRAMES + 2) * BINS],
    /// Encoder activations, padded the same way.
    e0: [f32; (FRAMES + 2) * 128],
    e1: [f32; (2 + 2) * 64],
    e2: [f32; (1 + 2) * 64],
    e3: [f32; (1 + 2) * 128],
    xh: [f32; 2 * HIDDEN],
    gates: [f32; 4 * HIDDEN],
    fft_in: [f32; FFT],
    fft_out: [Complex<f32>; BINS],
    /// FFT scratch (sized by the plan; allocated once per stream).
    fft_scratch: Vec<Complex<f32>>,
}

impl std::fmt::Debug for SileroState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SileroState")
    }
}

impl SileroState {
    /// A fresh stream over `weights` (zero LSTM state and context, as the reference resets).
    pub fn new(weights: &'static SileroWeights) -> Self {
        Self {
            weights,
            h: [0.0; HIDDEN],
            c: [0.0; HIDDEN],
            context: [0.0; CONTEXT],
            padded: [0.0; PADDED],
            spec: [0.0; (FRAMES + 2) * BINS],
            e0: [0.0; (FRAMES + 2) * 128],
            e1: [0.0; 4 * 64],
            e2: [0.0; 3 * 64],
            e3: [0.0; 3 * 128],
            xh: [0.0; 2 * HIDDEN],
            gates: [0.0; 4 * HIDDEN],
            fft_in: [0.0; FFT],
            fft_out: [Complex::new(0.0, 0.0); BINS],
            fft_scratch: vec![Complex::new(0.0, 0.0); fft().get_scratch_len()],
        }
    }

    /// Clears the LSTM state and the context.
    pub fn reset(&mut self) {
        self.h = [0.0; HIDDEN];
        self.c = [0.0; HIDDEN];
        self.context = [0.0; CONTEXT];
    }

    /// Skips one chunk without running the model: only the context moves on (the LSTM state is
    /// kept from the last chunk that ran).
    pub fn skip(&mut self, chunk: &[f32; CHUNK]) {
        for (d, &s) in self.context.iter_mut().zip(&chunk[CHUNK - CONTEXT..]) {
            *d = if s.is_finite() {
                s.clamp(-4.0, 4.0)
            } else {
                0.0
            };
        }
    }

    /// Runs one 512-sample chunk (samples scaled to −1..1, i.e. i16 / 32768); returns the
    /// speech probability. Non-finite input counts as silence.
    pub fn process(&mut self, chunk: &[f32; CHUNK]) -> f32 {
        let w = self.weights;
        self.padded[..CONTEXT].copy_from_slice(&self.context);
        for (d, &s) in self.padded[CONTEXT..CONTEXT + CHUNK].iter_mut().zip(chunk) {
            *d = if s.is_finite() {
                s.clamp(-4.0, 4.0)
            } else {
                0.0
            };
        }
        // Reflection padding on the right: padded[576 + j] = padded[574 - j].
        for j in 0..64 {
            self.padded[CONTEXT + CHUNK + j] = self.padded[CONTEXT + CHUNK - 2 - j];
        }
        self.context
            .copy_from_slice(&self.padded[CHUNK..CHUNK + CONTEXT]);

        let plan = fft();
        for t in 0..FRAMES {
            let frame = &self.padded[t * HOP..t * HOP + FFT];
            for ((d, x), win) in self.fft_in.iter_mut().zip(frame).zip(&w.window) {
                *d = x * win;
            }
            // Sizes are fixed by the plan: this cannot fail; on error the frame is silence.
            let ok = plan
                .process_with_scratch(&mut self.fft_in, &mut self.fft_out, &mut self.fft_scratch)
                .is_ok();
            let row = &mut self.spec[(t + 1) * BINS..(t + 2) * BINS];
            for (m, c) in row.iter_mut().zip(&self.fft_out) {
                *m = if ok { c.norm() } else { 0.0 };
            }
        }
        let t = conv_relu(&w.encoder[0], &self.spec, FRAMES, &mut self.e0);
        let t = conv_relu(&w.encoder[1], &self.e0, t, &mut self.e1);
        let t = conv_relu(&w.encoder[2], &self.e1, t, &mut self.e2);
        conv_relu(&w.encoder[3], &self.e2, t, &mut self.e3);

        self.xh[..HIDDEN].copy_from_slice(&self.e3[HIDDEN..2 * HIDDEN]);
        self.xh[HIDDEN..].copy_from_slice(&self.h);
        // Four gate rows side by side (independent sums, the same results as one at a time).
        for ((g, rows), b) in self
            .gates
            .chunks_exact_mut(4)
            .zip(w.lstm_weight.chunks_exact(4 * 2 * HIDDEN))
            .zip(w.lstm_bias.chunks_exact(4))
        {
            let d = dots(
                std::array::from_fn(|r| &rows[r * 2 * HIDDEN..(r + 1) * 2 * HIDDEN]),
                [&self.xh[..]; 4],
            );
            for ((g, d), b) in g.iter_mut().zip(d).zip(b) {
                *g = d + b;
            }
        }
        for j in 0..HIDDEN {
            let i = sigmoid(self.gates[j]);
            let f = sigmoid(self.gates[HIDDEN + j]);
            let g = self.gates[2 * HIDDEN + j].tanh();
            let o = sigmoid(self.gates[3 * HIDDEN + j]);
            self.c[j] = f * self.c[j] + i * g;
            self.h[j] = o * self.c[j].tanh();
        }
        let mut logit = w.decoder_bias;
        for (h, wd) in self.h.iter().zip(&w.decoder_weight) {
            logit += relu(*h) * wd;
        }
        let p = sigmoid(logit);
        if p.is_finite() {
            p
        } else {
            // Cannot happen with finite, clamped input; recover rather than poison the stream.
            self.reset();
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-at-a-time 8-lane dot product the model used before [`dots`] interleaved them.
    fn dot(a: &[f32], b: &[f32]) -> f32 {
        let mut acc = [0.0f32; 8];
        let (a8, ar) = a.split_at(a.len() / 8 * 8);
        let (b8, br) = b.split_at(a8.len().min(b.len()));
        for (x, y) in a8.chunks_exact(8).zip(b8.chunks_exact(8)) {
            for l in 0..8 {
                acc[l] += x[l] * y[l];
            }
        }
        let mut tail = 0.0;
        for (x, y) in ar.iter().zip(br) {
            tail += x * y;
        }
        ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
    }

    #[test]
    fn interleaved_dot_products_are_bit_identical_to_one_at_a_time() {
        // A reproducible spread of magnitudes and signs (rounding differs if the order does).
        let mut next = crate::lanes::spread_values(0x2545_f491, 7, -3);
        for len in [1, 7, 8, 9, 64, 128, 129, 256] {
            let a: Vec<Vec<f32>> = (0..4).map(|_| (0..len).map(|_| next()).collect()).collect();
            let b: Vec<Vec<f32>> = (0..4).map(|_| (0..len).map(|_| next()).collect()).collect();
            let got = dots::<4>(
                std::array::from_fn(|r| &a[r][..]),
                std::array::from_fn(|r| &b[r][..]),
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
}
