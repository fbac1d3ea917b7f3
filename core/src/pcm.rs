//! Reassembly of s16le PCM from binary frames of any length: an odd trailing byte is carried
//! over to the next frame, never dropped.

/// Turns a stream of byte frames into 16-bit samples, carrying an odd byte across frames.
#[derive(Debug, Default, Clone)]
pub struct PcmAssembler {
    carry: Option<u8>,
    samples: Vec<i16>,
}

impl PcmAssembler {
    /// A new assembler with no carried byte.
    pub fn new() -> PcmAssembler {
        PcmAssembler::default()
    }

    /// Appends `bytes` and returns every complete sample now available. The returned slice is
    /// valid until the next call (its buffer is reused: no allocation once warmed up).
    pub fn push(&mut self, bytes: &[u8]) -> &[i16] {
        self.samples.clear();
        let mut rest = bytes;
        if let Some(low) = self.carry.take() {
            match rest.split_first() {
                Some((&high, tail)) => {
                    self.samples.push(i16::from_le_bytes([low, high]));
                    rest = tail;
                }
                None => {
                    self.carry = Some(low);
                    return &self.samples;
                }
            }
        }
        let mut pairs = rest.chunks_exact(2);
        self.samples
            .extend(pairs.by_ref().map(|p| i16::from_le_bytes([p[0], p[1]])));
        if let [odd] = pairs.remainder() {
            self.carry = Some(*odd);
        }
        &self.samples
    }

    /// True when a byte is waiting for its partner.
    pub fn has_carry(&self) -> bool {
        self.carry.is_some()
    }
}

/// Encodes samples as s16le bytes.
pub fn samples_to_bytes(samples: &[i16]) -> Vec<u8> {
    let mut out = Vec::with_capacity(samples.len() * 2);
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

/// Decodes s16le bytes (an even count) into samples; a trailing odd byte is ignored.
pub fn bytes_to_samples(bytes: &[u8]) -> Vec<i16> {
    bytes
        .chunks_exact(2)
        .map(|p| i16::from_le_bytes([p[0], p[1]]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_splits_lose_no_byte() {
        let samples: Vec<i16> = (0..1000).map(|i| (i * 37 - 18000) as i16).collect();
        let bytes = samples_to_bytes(&samples);
        for split in [1usize, 3, 5, 7, 641, 999] {
            let mut asm = PcmAssembler::new();
            let mut got = Vec::new();
            for chunk in bytes.chunks(split) {
                got.extend_from_slice(asm.push(chunk));
            }
            assert_eq!(got, samples, "split {split}");
            assert!(!asm.has_carry());
        }
    }

    #[test]
    fn single_bytes_and_empty_frames() {
        let mut asm = PcmAssembler::new();
        assert!(asm.push(&[0x34]).is_empty());
        assert!(asm.has_carry());
        assert!(asm.push(&[]).is_empty());
        assert_eq!(asm.push(&[0x12]), &[0x1234]);
        assert!(!asm.has_carry());
    }
}
