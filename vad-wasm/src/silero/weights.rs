//! Silero VAD v6.2 16 kHz weights: the f16 copy embedded at build time (`build.rs`) and Balto's
//! f32 weights file (`scripts/silero-model.sh`), laid out for the forward pass in [`super::model`].

use std::sync::OnceLock;

/// Learned tensors in file order (after the STFT basis): name, element count.
const LEARNED: [(&str, usize); 14] = [
    ("encoder.0.weight", 128 * 129 * 3),
    ("encoder.0.bias", 128),
    ("encoder.1.weight", 64 * 128 * 3),
    ("encoder.1.bias", 64),
    ("encoder.2.weight", 64 * 64 * 3),
    ("encoder.2.bias", 64),
    ("encoder.3.weight", 128 * 64 * 3),
    ("encoder.3.bias", 128),
    ("lstm.weight_ih", 512 * 128),
    ("lstm.weight_hh", 512 * 128),
    ("lstm.bias_ih", 512),
    ("lstm.bias_hh", 512),
    ("decoder.weight", 128),
    ("decoder.bias", 1),
];

/// Values in the learned tensors (243,201).
pub const LEARNED_VALUES: usize = {
    let mut n = 0;
    let mut i = 0;
    while i < LEARNED.len() {
        n += LEARNED[i].1;
        i += 1;
    }
    n
};

/// STFT: 256-sample Hann-windowed frames, 129 bins.
pub const FFT: usize = 256;
/// Frequency bins (real FFT of 256).
pub const BINS: usize = FFT / 2 + 1;

/// The f16 weights embedded by `build.rs` (the array type checks their size at compile time).
static EMBEDDED_F16: &[u8; 2 * LEARNED_VALUES] =
    include_bytes!(concat!(env!("OUT_DIR"), "/silero_v62_16k.f16"));

/// A weights file that cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WeightsError {
    /// Not a Balto Silero weights file.
    #[error("not a Silero v6.2 weights file (bad magic)")]
    Magic,
    /// The file ends early or has the wrong number or size of tensors.
    #[error("weights file layout: {0}")]
    Layout(&'static str),
}

/// One encoder convolution (kernel 3, padding 1): weights as `[out][k][in]`, so each output
/// is three contiguous dot products over the input channels.
#[derive(Debug, Clone)]
pub struct ConvLayer {
    /// Input channels.
    pub inputs: usize,
    /// Output channels.
    pub outputs: usize,
    /// Stride along time.
    pub stride: usize,
    /// `[out][k][in]`.
    pub weight: Vec<f32>,
    /// `[out]`.
    pub bias: Vec<f32>,
}

/// All weights of the 16 kHz model, ready for the forward pass. Shared by every stream.
#[derive(Debug, Clone)]
pub struct SileroWeights {
    /// The periodic Hann window of Silero's STFT (its stored basis is this window times a
    /// DFT, so the forward pass uses an FFT of the windowed frame).
    pub window: Vec<f32>,
    /// The four encoder blocks (conv + ReLU).
    pub encoder: [ConvLayer; 4],
    /// LSTM gates `[512][256]`: each row is `weight_ih` row then `weight_hh` row (gates i, f, g, o).
    pub lstm_weight: Vec<f32>,
    /// `bias_ih + bias_hh`.
    pub lstm_bias: Vec<f32>,
    /// Decoder 1×1 convolution over ReLU(h).
    pub decoder_weight: Vec<f32>,
    /// Decoder bias.
    pub decoder_bias: f32,
}

/// The periodic Hann window of length [`FFT`], computed in f64 and rounded once.
pub fn hann_window() -> Vec<f32> {
    (0..FFT)
        .map(|n| (0.5 - 0.5 * (2.0 * std::f64::consts::PI * n as f64 / FFT as f64).cos()) as f32)
        .collect()
}

/// The periodic Hann-windowed DFT basis Silero's STFT layer holds (`forward_basis_buffer`).
/// Computed in f64 and rounded once, so every target gets the same values; it matches the
/// stored buffer to 1e-7 (tested against the weights file), which is why an FFT of the
/// windowed frame can replace the stored basis.
pub fn stft_basis() -> Vec<f32> {
    let mut basis = vec![0.0f32; 2 * BINS * FFT];
    for k in 0..BINS {
        for n in 0..FFT {
            let window = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * n as f64 / FFT as f64).cos();
            let phase = 2.0 * std::f64::consts::PI * ((k * n) % FFT) as f64 / FFT as f64;
            basis[k * FFT + n] = (phase.cos() * window) as f32;
            basis[(BINS + k) * FFT + n] = (-phase.sin() * window) as f32;
        }
    }
    basis
}

impl SileroWeights {
    /// Builds the model from the learned tensors in file order ([`LEARNED`]).
    fn from_learned(values: &[f32; LEARNED_VALUES]) -> Self {
        let mut rest = &values[..];
        let mut take = |n: usize| {
            let (a, b) = rest.split_at(n);
            rest = b;
            a
        };
        let mut conv = |inputs: usize, outputs: usize, stride: usize| {
            let w = take(outputs * inputs * 3);
            let bias = take(outputs).to_vec();
            // [out][in][k] → [out][k][in]
            let mut weight = vec![0.0; w.len()];
            for o in 0..outputs {
                for i in 0..inputs {
                    for k in 0..3 {
                        weight[(o * 3 + k) * inputs + i] = w[(o * inputs + i) * 3 + k];
                    }
                }
            }
            ConvLayer {
                inputs,
                outputs,
                stride,
                weight,
                bias,
            }
        };
        let encoder = [
            conv(BINS, 128, 1),
            conv(128, 64, 2),
            conv(64, 64, 2),
            conv(64, 128, 1),
        ];
        let w_ih = take(512 * 128);
        let w_hh = take(512 * 128);
        let b_ih = take(512);
        let b_hh = take(512);
        let mut lstm_weight = Vec::with_capacity(512 * 256);
        for row in 0..512 {
            lstm_weight.extend_from_slice(&w_ih[row * 128..(row + 1) * 128]);
            lstm_weight.extend_from_slice(&w_hh[row * 128..(row + 1) * 128]);
        }
        let lstm_bias = b_ih.iter().zip(b_hh).map(|(a, b)| a + b).collect();
        let decoder_weight = take(128).to_vec();
        let decoder_bias = take(1)[0];
        Self {
            window: hann_window(),
            encoder,
            lstm_weight,
            lstm_bias,
            decoder_weight,
            decoder_bias,
        }
    }

    /// Reads Balto's f32 weights file (`scripts/silero_extract.py`): the STFT basis stored in
    /// it is returned alongside (the model uses the computed one).
    pub fn from_f32_file(bytes: &[u8]) -> Result<(Self, Vec<f32>), WeightsError> {
        if bytes.len() < 12 || &bytes[..8] != b"BSVAD62\0" {
            return Err(WeightsError::Magic);
        }
        let u32_at = |at: usize| -> Result<usize, WeightsError> {
            bytes
                .get(at..at + 4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
                .ok_or(WeightsError::Layout("truncated"))
        };
        if u32_at(8)? != LEARNED.len() + 1 {
            return Err(WeightsError::Layout("tensor count"));
        }
        let mut at = 12;
        let mut tensors = Vec::with_capacity(LEARNED.len() + 1);
        for expected in std::iter::once(2 * BINS * FFT).chain(LEARNED.iter().map(|t| t.1)) {
            let n = u32_at(at)?;
            if n != expected {
                return Err(WeightsError::Layout("tensor size"));
            }
            let data = bytes
                .get(at + 4..at + 4 + 4 * n)
                .ok_or(WeightsError::Layout("truncated"))?;
            tensors.push(
                data.chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect::<Vec<f32>>(),
            );
            at += 4 + 4 * n;
        }
        let basis = tensors.remove(0);
        let learned: Vec<f32> = tensors.concat();
        let learned: &[f32; LEARNED_VALUES] = learned
            .as_slice()
            .try_into()
            .map_err(|_| WeightsError::Layout("wrong number of values"))?;
        Ok((Self::from_learned(learned), basis))
    }

    /// Reads the learned tensors stored as little-endian f16 (the embedded form).
    pub fn from_f16(bytes: &[u8; 2 * LEARNED_VALUES]) -> Self {
        let mut values = vec![0.0f32; LEARNED_VALUES];
        for (v, b) in values.iter_mut().zip(bytes.chunks_exact(2)) {
            *v = half::f16::from_le_bytes([b[0], b[1]]).to_f32();
        }
        let values: &[f32; LEARNED_VALUES] = values
            .as_slice()
            .try_into()
            .unwrap_or_else(|_| unreachable!("sized above"));
        Self::from_learned(values)
    }

    /// The weights embedded in this build (decoded once, then shared by every stream).
    pub fn embedded() -> &'static SileroWeights {
        static MODEL: OnceLock<SileroWeights> = OnceLock::new();
        MODEL.get_or_init(|| Self::from_f16(EMBEDDED_F16))
    }

    /// Bytes of the embedded f16 weights (in the binary / `.wasm`).
    pub fn embedded_bytes() -> usize {
        EMBEDDED_F16.len()
    }

    /// Bytes held once per process by the decoded model.
    pub fn heap_bytes(&self) -> usize {
        4 * (self.window.len()
            + self
                .encoder
                .iter()
                .map(|l| l.weight.len() + l.bias.len())
                .sum::<usize>()
            + self.lstm_weight.len()
            + self.lstm_bias.len()
            + self.decoder_weight.len())
    }
}
