//! Decodes any common audio file (wav, mp3, flac, ogg/vorbis, m4a/aac, …) with `symphonia`,
//! mixes it to mono and resamples it to 16 kHz with `rubato`: the form every Balto stage takes.

use rubato::{FftFixedIn, Resampler};
use std::path::{Path, PathBuf};
use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{CODEC_TYPE_NULL, DecoderOptions};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

/// The rate everything in Balto runs at.
pub const TARGET_RATE: u32 = 16_000;

/// Why a file could not be turned into 16 kHz mono PCM.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("cannot open {0}: {1}")]
    Open(PathBuf, std::io::Error),
    #[error("{0}: not a supported audio format: {1}")]
    Format(PathBuf, SymphoniaError),
    #[error("{0}: no audio track")]
    NoTrack(PathBuf),
    #[error("{0}: the track does not say its sample rate")]
    NoSampleRate(PathBuf),
    #[error("{0}: decoding failed: {1}")]
    Decode(PathBuf, SymphoniaError),
    #[error("resampling failed: {0}")]
    Resample(String),
}

/// Decoded audio: 16 kHz mono s16, with what the file was.
#[derive(Debug, Clone)]
pub struct DecodedAudio {
    pub pcm: Vec<i16>,
    pub source_rate: u32,
    pub source_channels: usize,
}

impl DecodedAudio {
    /// Length in milliseconds.
    pub fn duration_ms(&self) -> u64 {
        self.pcm.len() as u64 * 1000 / TARGET_RATE as u64
    }
}

/// Decodes `path` to 16 kHz mono.
pub fn decode_file(path: &Path) -> Result<DecodedAudio, DecodeError> {
    let file = std::fs::File::open(path).map_err(|e| DecodeError::Open(path.into(), e))?;
    let stream = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    let probed = symphonia::default::get_probe()
        .format(
            &hint,
            stream,
            &FormatOptions::default(),
            &MetadataOptions::default(),
        )
        .map_err(|e| DecodeError::Format(path.into(), e))?;
    let mut format = probed.format;
    let track = format
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
        .ok_or_else(|| DecodeError::NoTrack(path.into()))?;
    let track_id = track.id;
    let rate = track
        .codec_params
        .sample_rate
        .ok_or_else(|| DecodeError::NoSampleRate(path.into()))?;
    let mut decoder = symphonia::default::get_codecs()
        .make(&track.codec_params, &DecoderOptions::default())
        .map_err(|e| DecodeError::Format(path.into(), e))?;

    let mut mono: Vec<f32> = Vec::new();
    let mut channels = track.codec_params.channels.map(|c| c.count()).unwrap_or(1);
    let mut buffer: Option<SampleBuffer<f32>> = None;
    loop {
        let packet = match format.next_packet() {
            Ok(p) => p,
            Err(SymphoniaError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                break;
            }
            Err(SymphoniaError::ResetRequired) => break,
            Err(e) => return Err(DecodeError::Decode(path.into(), e)),
        };
        if packet.track_id() != track_id {
            continue;
        }
        let decoded = match decoder.decode(&packet) {
            Ok(d) => d,
            // A damaged packet is skipped, as players do.
            Err(SymphoniaError::DecodeError(_)) => continue,
            Err(e) => return Err(DecodeError::Decode(path.into(), e)),
        };
        let spec = *decoded.spec();
        channels = spec.channels.count().max(1);
        let needed = decoded.capacity() as u64;
        let buf = match &mut buffer {
            Some(b) if b.capacity() as u64 >= needed * channels as u64 => b,
            _ => buffer.insert(SampleBuffer::new(needed, spec)),
        };
        buf.copy_interleaved_ref(decoded);
        for frame in buf.samples().chunks_exact(channels) {
            mono.push(frame.iter().sum::<f32>() / channels as f32);
        }
    }
    let resampled = resample(&mono, rate, TARGET_RATE)?;
    let pcm = resampled
        .iter()
        .map(|&s| (s * 32_768.0).round().clamp(-32_768.0, 32_767.0) as i16)
        .collect();
    Ok(DecodedAudio {
        pcm,
        source_rate: rate,
        source_channels: channels,
    })
}

/// Resamples mono `input` from `from` Hz to `to` Hz, compensating the resampler's delay so the
/// output is aligned with the input and has the expected length.
pub fn resample(input: &[f32], from: u32, to: u32) -> Result<Vec<f32>, DecodeError> {
    if from == to || input.is_empty() {
        return Ok(input.to_vec());
    }
    let err = |e: &dyn std::fmt::Display| DecodeError::Resample(e.to_string());
    const CHUNK: usize = 1024;
    let mut r =
        FftFixedIn::<f32>::new(from as usize, to as usize, CHUNK, 2, 1).map_err(|e| err(&e))?;
    let expected = (input.len() as u64 * to as u64).div_ceil(from as u64) as usize;
    let delay = r.output_delay();
    let mut out = Vec::with_capacity(expected + delay + CHUNK);
    let mut pos = 0;
    while pos < input.len() {
        let need = r.input_frames_next();
        if input.len() - pos >= need {
            let chunk = r
                .process(&[&input[pos..pos + need]], None)
                .map_err(|e| err(&e))?;
            out.extend_from_slice(&chunk[0]);
            pos += need;
        } else {
            let chunk = r
                .process_partial(Some(&[&input[pos..]]), None)
                .map_err(|e| err(&e))?;
            out.extend_from_slice(&chunk[0]);
            pos = input.len();
        }
    }
    // Flush the delay line.
    while out.len() < expected + delay {
        let chunk = r
            .process_partial::<&[f32]>(None, None)
            .map_err(|e| err(&e))?;
        if chunk[0].is_empty() {
            break;
        }
        out.extend_from_slice(&chunk[0]);
    }
    let end = (delay + expected).min(out.len());
    Ok(out[delay.min(end)..end].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_wav(path: &Path, rate: u32, channels: u16, frames: &[Vec<i16>]) {
        let spec = hound::WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(path, spec).unwrap();
        for frame in frames {
            for &s in frame {
                w.write_sample(s).unwrap();
            }
        }
        w.finalize().unwrap();
    }

    fn tone(rate: u32, hz: f32, seconds: f32, amp: f32) -> Vec<i16> {
        (0..(rate as f32 * seconds) as usize)
            .map(|i| {
                (amp * (2.0 * std::f32::consts::PI * hz * i as f32 / rate as f32).sin()) as i16
            })
            .collect()
    }

    #[test]
    fn a_16k_mono_wav_decodes_to_itself() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.wav");
        let t = tone(16_000, 440.0, 0.5, 8000.0);
        write_wav(
            &p,
            16_000,
            1,
            &t.iter().map(|&s| vec![s]).collect::<Vec<_>>(),
        );
        let d = decode_file(&p).unwrap();
        assert_eq!(d.pcm, t);
        assert_eq!(d.duration_ms(), 500);
    }

    #[test]
    fn stereo_44k1_is_mixed_and_resampled_keeping_length_and_pitch() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.wav");
        let left = tone(44_100, 1000.0, 1.0, 10_000.0);
        let frames: Vec<Vec<i16>> = left.iter().map(|&s| vec![s, s]).collect();
        write_wav(&p, 44_100, 2, &frames);
        let d = decode_file(&p).unwrap();
        assert_eq!((d.source_rate, d.source_channels), (44_100, 2));
        assert!((d.pcm.len() as i64 - 16_000).abs() <= 1, "{}", d.pcm.len());
        // 1 kHz at 16 kHz: 16 samples per period, so about 2000 zero crossings per second.
        let crossings = d.pcm[1000..15_000]
            .windows(2)
            .filter(|w| (w[0] < 0) != (w[1] < 0))
            .count();
        assert!((1730..=1770).contains(&crossings), "{crossings} crossings");
        let peak = d.pcm[1000..15_000]
            .iter()
            .map(|s| s.unsigned_abs())
            .max()
            .unwrap();
        assert!((9_000..=11_000).contains(&peak), "peak {peak}");
    }

    #[test]
    fn garbage_is_a_clear_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.mp3");
        std::fs::write(&p, b"definitely not audio, just text pretending").unwrap();
        assert!(decode_file(&p).is_err());
        assert!(matches!(
            decode_file(&dir.path().join("missing.wav")),
            Err(DecodeError::Open(..))
        ));
    }
}
