//! Decodes any common audio file (wav, mp3, flac, ogg/vorbis, m4a/aac, …) with `symphonia`,
//! mixes it to mono and resamples it to 16 kHz with `rubato`: the form every Balto stage takes.
//! Native only (feature `decode`): the CLI, the batch report and the load generator read files.
//! Any bytes give audio or a [`DecodeError`], never a panic (fuzzed: `fuzz/`).

use rubato::{FftFixedIn, Resampler};
use std::io::Cursor;
use std::panic::AssertUnwindSafe;
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
    Format(String, SymphoniaError),
    #[error("{0}: no audio track")]
    NoTrack(String),
    #[error("{0}: the track does not say its sample rate")]
    NoSampleRate(String),
    #[error(
        "{0}: sample rate {1} Hz not supported (4–384 kHz, a common rate such as 8000, 11025, 22050, 44100 or 48000)"
    )]
    UnsupportedRate(String, u32),
    #[error("{0}: decoding failed: {1}")]
    Decode(String, SymphoniaError),
    #[error("{0}: malformed file (the decoder gave up on it)")]
    Malformed(String),
    #[error("{0}: longer than {MAX_DECODED_SECONDS} s of audio")]
    TooLong(String),
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

/// Longest audio decoded (a guard against a hostile header that promises days of samples).
pub const MAX_DECODED_SECONDS: u64 = 4 * 3600;

/// Decodes `path` to 16 kHz mono.
pub fn decode_file(path: &Path) -> Result<DecodedAudio, DecodeError> {
    let file = std::fs::File::open(path).map_err(|e| DecodeError::Open(path.into(), e))?;
    let ext = path.extension().and_then(|e| e.to_str());
    decode_source(
        MediaSourceStream::new(Box::new(file), Default::default()),
        ext,
        path.display().to_string(),
        MAX_DECODED_SECONDS,
    )
}

/// Decodes an in-memory file to 16 kHz mono; `extension` (such as `"mp3"`) is a hint only.
pub fn decode_bytes(bytes: Vec<u8>, extension: Option<&str>) -> Result<DecodedAudio, DecodeError> {
    decode_source(
        MediaSourceStream::new(Box::new(Cursor::new(bytes)), Default::default()),
        extension,
        "<memory>".to_string(),
        MAX_DECODED_SECONDS,
    )
}

/// Decodes with symphonia, containing its panics: some of its demuxers panic on crafted input
/// (found by fuzzing: an integer overflow in the Matroska EBML reader), and a bad file must be an
/// error, not a crash.
fn decode_source(
    stream: MediaSourceStream,
    extension: Option<&str>,
    name: String,
    max_seconds: u64,
) -> Result<DecodedAudio, DecodeError> {
    let guarded = std::panic::catch_unwind(AssertUnwindSafe(|| {
        decode_unguarded(stream, extension, name.clone(), max_seconds)
    }));
    guarded.unwrap_or(Err(DecodeError::Malformed(name)))
}

fn decode_unguarded(
    stream: MediaSourceStream,
    extension: Option<&str>,
    name: String,
    max_seconds: u64,
) -> Result<DecodedAudio, DecodeError> {
    let mut hint = Hint::new();
    if let Some(ext) = extension {
        hint.with_extension(ext);
    }
    let probed = symphonia::default::get_probe()
        .format(
            &hint,
            stream,
            &FormatOptions::default(),
            &MetadataOptions::default(),
        )
        .map_err(|e| DecodeError::Format(name.clone(), e))?;
    let mut format = probed.format;
    let track = format
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
        .ok_or_else(|| DecodeError::NoTrack(name.clone()))?;
    let track_id = track.id;
    let rate = track
        .codec_params
        .sample_rate
        .ok_or_else(|| DecodeError::NoSampleRate(name.clone()))?;
    if !supported_rate(rate) {
        return Err(DecodeError::UnsupportedRate(name, rate));
    }
    let mut decoder = symphonia::default::get_codecs()
        .make(&track.codec_params, &DecoderOptions::default())
        .map_err(|e| DecodeError::Format(name.clone(), e))?;

    let max_samples = max_seconds * u64::from(rate);
    let mut to_16k = To16k::new(rate)?;
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
            Err(e) => return Err(DecodeError::Decode(name, e)),
        };
        if packet.track_id() != track_id {
            continue;
        }
        let decoded = match decoder.decode(&packet) {
            Ok(d) => d,
            // A damaged packet is skipped, as players do.
            Err(SymphoniaError::DecodeError(_)) => continue,
            Err(e) => return Err(DecodeError::Decode(name, e)),
        };
        let spec = *decoded.spec();
        channels = spec.channels.count().max(1);
        let needed = decoded.capacity() as u64;
        let buf = match &mut buffer {
            Some(b) if b.capacity() as u64 >= needed * channels as u64 => b,
            _ => buffer.insert(SampleBuffer::new(needed, spec)),
        };
        buf.copy_interleaved_ref(decoded);
        mono.clear();
        for frame in buf.samples().chunks_exact(channels) {
            // Float formats can carry NaN, infinities or huge values; the FFT resampler
            // panics on non-finite input, and anything past full scale clips anyway.
            let sample = frame.iter().sum::<f32>() / channels as f32;
            mono.push(if sample.is_finite() {
                sample.clamp(-1.0, 1.0)
            } else {
                0.0
            });
        }
        to_16k.push(&mono)?;
        if to_16k.consumed() > max_samples {
            return Err(DecodeError::TooLong(name));
        }
    }
    Ok(DecodedAudio {
        pcm: to_16k.finish()?,
        source_rate: rate,
        source_channels: channels,
    })
}

/// Rates the FFT resampler converts quickly: 4–384 kHz and sharing a factor of at least 25 with
/// 16 kHz (every common rate does: 11 025 shares 25, 44 100 shares 100). A crafted header with a
/// rate such as 1 Hz or 44 101 Hz would otherwise cost seconds of CPU per kilobyte (found by
/// fuzzing).
pub fn supported_rate(rate: u32) -> bool {
    fn gcd(a: u32, b: u32) -> u32 {
        if b == 0 { a } else { gcd(b, a % b) }
    }
    (4_000..=384_000).contains(&rate) && gcd(rate, TARGET_RATE) >= 25
}

/// Streaming conversion of mono audio to 16 kHz s16, as it is decoded: only the output is
/// kept in memory (a four-hour 48 kHz file needs 460 MB of 16 kHz PCM, not 2.8 GB of f32 at the
/// source rate). The resampler's delay is compensated, so the output is aligned with the input
/// and has the expected length.
struct To16k {
    resampler: Option<FftFixedIn<f32>>,
    from: u32,
    pending: Vec<f32>,
    consumed: u64,
    to_skip: usize,
    output: Vec<i16>,
}

/// Input frames per resampler call.
const RESAMPLE_CHUNK: usize = 1024;

fn resample_error(e: impl std::fmt::Display) -> DecodeError {
    DecodeError::Resample(e.to_string())
}

impl To16k {
    fn new(from: u32) -> Result<To16k, DecodeError> {
        let resampler = if from == TARGET_RATE {
            None
        } else {
            Some(
                FftFixedIn::<f32>::new(from as usize, TARGET_RATE as usize, RESAMPLE_CHUNK, 2, 1)
                    .map_err(resample_error)?,
            )
        };
        let to_skip = resampler.as_ref().map_or(0, |r| r.output_delay());
        Ok(To16k {
            resampler,
            from,
            pending: Vec::new(),
            consumed: 0,
            to_skip,
            output: Vec::new(),
        })
    }

    /// Input samples taken so far (at the source rate).
    fn consumed(&self) -> u64 {
        self.consumed
    }

    fn push(&mut self, samples: &[f32]) -> Result<(), DecodeError> {
        self.consumed += samples.len() as u64;
        let Some(r) = &mut self.resampler else {
            self.output.extend(samples.iter().map(|&s| to_i16(s)));
            return Ok(());
        };
        self.pending.extend_from_slice(samples);
        let mut start = 0;
        while self.pending.len() - start >= r.input_frames_next() {
            let need = r.input_frames_next();
            let chunk = r
                .process(&[&self.pending[start..start + need]], None)
                .map_err(resample_error)?;
            start += need;
            emit(&chunk[0], &mut self.to_skip, &mut self.output);
        }
        self.pending.drain(..start);
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<i16>, DecodeError> {
        let Some(r) = &mut self.resampler else {
            return Ok(self.output);
        };
        let expected =
            (self.consumed * u64::from(TARGET_RATE)).div_ceil(u64::from(self.from)) as usize;
        if !self.pending.is_empty() {
            let chunk = r
                .process_partial(Some(&[&self.pending[..]]), None)
                .map_err(resample_error)?;
            emit(&chunk[0], &mut self.to_skip, &mut self.output);
        }
        // Flush the delay line.
        while self.output.len() < expected {
            let chunk = r
                .process_partial::<&[f32]>(None, None)
                .map_err(resample_error)?;
            if chunk[0].is_empty() {
                break;
            }
            emit(&chunk[0], &mut self.to_skip, &mut self.output);
        }
        self.output.truncate(expected);
        Ok(self.output)
    }
}

/// Appends `chunk` to `output` as s16, after dropping the first `to_skip` samples overall.
fn emit(chunk: &[f32], to_skip: &mut usize, output: &mut Vec<i16>) {
    let skip = (*to_skip).min(chunk.len());
    *to_skip -= skip;
    output.extend(chunk[skip..].iter().map(|&s| to_i16(s)));
}

fn to_i16(sample: f32) -> i16 {
    (sample * 32_768.0).round().clamp(-32_768.0, 32_767.0) as i16
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
    fn bytes_decode_like_the_file_and_length_is_capped() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("d.wav");
        let t = tone(16_000, 300.0, 3.0, 6000.0);
        write_wav(
            &p,
            16_000,
            1,
            &t.iter().map(|&s| vec![s]).collect::<Vec<_>>(),
        );
        let bytes = std::fs::read(&p).unwrap();
        assert_eq!(decode_bytes(bytes.clone(), None).unwrap().pcm, t);
        let stream = MediaSourceStream::new(Box::new(Cursor::new(bytes)), Default::default());
        assert!(matches!(
            decode_source(stream, Some("wav"), "d".into(), 2),
            Err(DecodeError::TooLong(_))
        ));
    }

    #[test]
    fn non_finite_float_samples_are_silenced_not_a_panic() {
        // Found by the audio_decode fuzz target: NaN in a float WAV made rubato panic.
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("nan.wav");
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 44_100,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        };
        let mut w = hound::WavWriter::create(&p, spec).unwrap();
        for i in 0..44_100 {
            let s = match i % 7 {
                0 => f32::NAN,
                1 => f32::INFINITY,
                2 => -1e30,
                _ => 0.25,
            };
            w.write_sample(s).unwrap();
        }
        w.finalize().unwrap();
        let d = decode_file(&p).unwrap();
        assert!((d.pcm.len() as i64 - 16_000).abs() <= 1, "{}", d.pcm.len());
    }

    #[test]
    fn a_demuxer_panic_is_an_error() {
        // Found by the audio_decode fuzz target: a truncated Matroska header overflows an
        // integer in symphonia's EBML reader (a panic in builds with overflow checks).
        let bytes = b"\x1a\x45\xdf\xa3\x00\x1a\xb7\xb7\xe7\xff\xff\x1a\xff\xff\x1a\xb7".to_vec();
        assert!(decode_bytes(bytes, Some("flac")).is_err());
    }

    #[test]
    fn every_common_rate_is_supported_and_odd_ones_are_refused() {
        for rate in [
            8_000, 11_025, 12_000, 16_000, 22_050, 24_000, 32_000, 44_100, 48_000, 88_200, 96_000,
            176_400, 192_000, 384_000,
        ] {
            assert!(supported_rate(rate), "{rate}");
        }
        for rate in [0, 1, 256, 3_999, 44_101, 47_999, 400_000] {
            assert!(!supported_rate(rate), "{rate}");
        }
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("odd.wav");
        write_wav(&p, 1_000, 1, &vec![vec![0i16]; 500]);
        assert!(matches!(
            decode_file(&p),
            Err(DecodeError::UnsupportedRate(_, 1_000))
        ));
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
