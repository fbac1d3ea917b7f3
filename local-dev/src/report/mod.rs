//! `balto report`: the seed's comparison workflow. Every audio file in a folder is transcribed
//! whole by every chosen provider (*Originais*: WER/CER against `NAME.txt`, latency, real-time
//! factor, cost) and cut by the front end with every segment transcribed by every provider
//! (*Segmentos*: timing and text side by side, agreement between providers); the advisor
//! decides on each transcript. The result is written as Excel workbooks (and CSV).
//!
//! Modules: [`table`] (a sheet as data), [`engines`] (which providers, with their prices),
//! [`runner`] (does the work, failures recorded per row), [`sheets`] (rows → tables and
//! summaries), [`workbook`] (xlsx), [`csv`].

pub mod csv;
pub mod engines;
pub mod runner;
pub mod sheets;
pub mod table;
pub mod workbook;

pub use engines::{NOT_CONFIGURED, ReportEngine};
pub use runner::{Report, ReportInput, run};

/// Why a report could not be produced (provider failures are not errors: they are rows).
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("no audio files (wav, mp3, flac, ogg, m4a, aac, opus) in {0}")]
    NoAudio(std::path::PathBuf),
    #[error("unknown provider {0:?} (elevenlabs, assemblyai, whisper)")]
    UnknownProvider(String),
    #[error(transparent)]
    Decode(#[from] vad_wasm::decode::DecodeError),
    #[error("front end: {0}")]
    FrontEnd(#[from] vad_wasm::ConfigError),
    #[error("writing the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}
