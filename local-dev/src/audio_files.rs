//! Segment audio as WAV files under `AUDIO_DUMP_DIR`, written atomically and fsynced before the
//! segment's row references them.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a WAV file could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum AudioFileError {
    #[error("io error on {0}: {1}")]
    Io(PathBuf, std::io::Error),
    #[error("wav error on {0}: {1}")]
    Wav(PathBuf, hound::Error),
}

fn spec() -> hound::WavSpec {
    hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    }
}

/// Only characters safe in a file name survive; the rest become `_`.
pub fn safe_name(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes `pcm` (16 kHz mono) to `dir/<folder>/<name>.wav` durably and returns the path.
pub fn write_segment_wav(
    dir: &Path,
    folder: &str,
    name: &str,
    pcm: &[i16],
) -> Result<PathBuf, AudioFileError> {
    let folder_path = dir.join(safe_name(folder));
    std::fs::create_dir_all(&folder_path)
        .map_err(|e| AudioFileError::Io(folder_path.clone(), e))?;
    let path = folder_path.join(format!("{}.wav", safe_name(name)));
    let tmp = folder_path.join(format!(".{}.wav.tmp", safe_name(name)));
    let mut bytes = Vec::with_capacity(44 + pcm.len() * 2);
    {
        let cursor = std::io::Cursor::new(&mut bytes);
        let mut writer = hound::WavWriter::new(cursor, spec())
            .map_err(|e| AudioFileError::Wav(path.clone(), e))?;
        let mut samples = writer.get_i16_writer(pcm.len() as u32);
        for &s in pcm {
            samples.write_sample(s);
        }
        samples
            .flush()
            .map_err(|e| AudioFileError::Wav(path.clone(), e))?;
        writer
            .finalize()
            .map_err(|e| AudioFileError::Wav(path.clone(), e))?;
    }
    let io = |e| AudioFileError::Io(tmp.clone(), e);
    let mut file = std::fs::File::create(&tmp).map_err(io)?;
    file.write_all(&bytes).map_err(io)?;
    file.sync_all().map_err(io)?;
    drop(file);
    std::fs::rename(&tmp, &path).map_err(|e| AudioFileError::Io(path.clone(), e))?;
    if let Ok(d) = std::fs::File::open(&folder_path) {
        // Make the rename itself durable; not all filesystems support syncing a directory.
        let _ = d.sync_all();
    }
    Ok(path)
}

/// Reads a 16 kHz mono s16 WAV written by [`write_segment_wav`].
pub fn read_segment_wav(path: &Path) -> Result<Vec<i16>, AudioFileError> {
    let mut reader =
        hound::WavReader::open(path).map_err(|e| AudioFileError::Wav(path.into(), e))?;
    reader
        .samples::<i16>()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| AudioFileError::Wav(path.into(), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_sanitizes_names() {
        let dir = tempfile::tempdir().unwrap();
        let pcm: Vec<i16> = (0..1601).map(|i| (i * 7) as i16).collect();
        let p = write_segment_wav(dir.path(), "s/../x", "../../etc/passwd", &pcm).unwrap();
        assert!(p.starts_with(dir.path()));
        assert_eq!(p.file_name().unwrap(), "______etc_passwd.wav");
        assert_eq!(read_segment_wav(&p).unwrap(), pcm);
    }
}
