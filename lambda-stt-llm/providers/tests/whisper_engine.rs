//! Offline Whisper on real speech: WER on the `ae_pt_*` clips, English on `jfk.wav`.
//!
//! Needs the ggml model: `scripts/whisper-model.sh` (or `WHISPER_MODEL=/path/to/ggml.bin`).
//! Run with `cargo test -p balto-providers --features whisper --release --test whisper_engine
//! -- --nocapture` to see RTF and WER.
#![cfg(feature = "whisper")]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use balto_core::transcriber::Transcriber;
use balto_providers::whisper::{WhisperEngine, WhisperOptions, default_model_path};

/// Most word errors allowed on any one `ae_pt_*` clip. Measured with the converted base
/// model, greedy, 2 threads: 0, 1 ("Olá, mundos!" for "Olá mundo." — half of a two-word
/// clip, so a per-clip WER bound would be meaningless there) and 0.
const MAX_CLIP_ERRORS: usize = 2;
/// Largest WER over all `ae_pt_*` words together (measured 0.048: 1 error in 21 words).
const MAX_TOTAL_WER: f64 = 0.2;

fn model_path() -> PathBuf {
    let path = match std::env::var_os("WHISPER_MODEL") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => default_model_path(),
    };
    assert!(
        path.is_file(),
        "whisper model not found at {}: run scripts/whisper-model.sh (or set WHISPER_MODEL)",
        path.display()
    );
    path
}

fn speech_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/audio/speech")
}

fn read_wav(path: &Path) -> Vec<i16> {
    let mut reader = hound::WavReader::open(path)
        .unwrap_or_else(|err| panic!("cannot open {}: {err}", path.display()));
    let spec = reader.spec();
    assert_eq!(spec.sample_rate, 16_000, "{}", path.display());
    assert_eq!(spec.channels, 1, "{}", path.display());
    assert_eq!(spec.bits_per_sample, 16, "{}", path.display());
    reader.samples::<i16>().map(Result::unwrap).collect()
}

/// Lowercase, punctuation removed (accents kept), split on whitespace.
fn normalize(text: &str) -> Vec<String> {
    text.to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

/// Word edit distance and reference length.
fn word_errors(reference: &str, hypothesis: &str) -> (usize, usize) {
    // The crate's WER, with accents kept (an accent error is a word error here).
    let rate = balto_core::wer::wer(
        reference,
        hypothesis,
        balto_core::text::NormalizeOptions {
            strip_accents: false,
        },
    );
    (rate.edits, rate.reference_len)
}

fn wer(reference: &str, hypothesis: &str) -> f64 {
    let (errors, words) = word_errors(reference, hypothesis);
    errors as f64 / words.max(1) as f64
}

#[test]
fn wer_helper_counts_edits() {
    assert_eq!(wer("Olá, mundo.", "olá mundo"), 0.0);
    assert_eq!(wer("um dois três", "um três"), 1.0 / 3.0);
    assert_eq!(wer("um dois", "um dois três quatro"), 1.0);
    assert_eq!(wer("ação", "acao"), 1.0, "accents are kept");
}

fn load(language: &str) -> (WhisperEngine, f64) {
    let started = Instant::now();
    let options = WhisperOptions {
        language: language.to_owned(),
        threads: 2,
        ..WhisperOptions::default()
    };
    let engine = WhisperEngine::load(model_path(), options).expect("model loads");
    (engine, started.elapsed().as_secs_f64())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portuguese_clips_within_measured_wer() {
    let (engine, load_secs) = load("pt");
    println!(
        "model {} loaded in {load_secs:.2} s",
        engine.model_path().display()
    );
    assert_eq!(engine.name(), "whisper");

    let mut clips: Vec<PathBuf> = std::fs::read_dir(speech_dir())
        .expect("speech directory")
        .map(|entry| entry.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with("ae_pt_") && name.ends_with(".wav")
        })
        .collect();
    clips.sort();
    assert!(
        !clips.is_empty(),
        "no ae_pt_*.wav in {}",
        speech_dir().display()
    );

    let (mut total_errors, mut total_words) = (0, 0);
    let (mut total_audio, mut total_time) = (0.0, 0.0);
    let mut worst = 0usize;
    for clip in &clips {
        let reference = std::fs::read_to_string(clip.with_extension("txt")).expect("reference");
        let pcm = read_wav(clip);
        let audio_secs = pcm.len() as f64 / 16_000.0;
        let started = Instant::now();
        let result = engine.transcribe(&pcm).await.expect("transcribes");
        let secs = started.elapsed().as_secs_f64();
        let (errors, words) = word_errors(&reference, &result.text);
        let clip_wer = errors as f64 / words as f64;
        println!(
            "{}: {audio_secs:.2} s audio, {secs:.2} s, RTF {:.2}, WER {clip_wer:.3}\n  ref: {}\n  hyp: {}",
            clip.file_name().unwrap().to_string_lossy(),
            secs / audio_secs,
            reference.trim(),
            result.text
        );
        assert!(
            !result.text.trim().is_empty(),
            "{} gave no text",
            clip.display()
        );
        assert_eq!(result.provider, "whisper");
        assert_eq!(result.language.as_deref(), Some("pt"));
        assert!(!result.words.is_empty());
        total_errors += errors;
        total_words += words;
        total_audio += audio_secs;
        total_time += secs;
        worst = worst.max(errors);
    }
    let total_wer = total_errors as f64 / total_words as f64;
    println!(
        "ae_pt: {} clips, WER {total_wer:.3} (most errors in a clip: {worst}), RTF {:.2}",
        clips.len(),
        total_time / total_audio
    );
    assert!(
        worst <= MAX_CLIP_ERRORS,
        "a clip had {worst} word errors > {MAX_CLIP_ERRORS}"
    );
    assert!(
        total_wer <= MAX_TOTAL_WER,
        "WER {total_wer:.3} > {MAX_TOTAL_WER}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn english_jfk_has_key_words() {
    let (engine, _) = load("pt");
    let pcm = read_wav(&speech_dir().join("jfk.wav"));
    let result = engine.transcribe_in(&pcm, "en").await.expect("transcribes");
    println!("jfk: {}", result.text);
    let words = normalize(&result.text);
    for key in ["americans", "country", "ask", "what", "you"] {
        assert!(
            words.iter().any(|w| w == key),
            "{key:?} missing from {:?}",
            result.text
        );
    }
    assert_eq!(result.language.as_deref(), Some("en"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_queue_and_all_succeed() {
    let (engine, _) = load("pt");
    let engine = Arc::new(engine);
    let pcm = Arc::new(read_wav(&speech_dir().join("ae_pt_ola_mundo.wav")));
    let calls = (0..3).map(|_| {
        let engine = Arc::clone(&engine);
        let pcm = Arc::clone(&pcm);
        tokio::spawn(async move { engine.transcribe(&pcm).await })
    });
    for call in calls {
        let result = call.await.expect("task").expect("transcribes");
        assert!(wer("Olá mundo.", &result.text) <= 0.5, "{:?}", result.text);
    }
    // Silence and empty input do not fail.
    let empty = engine.transcribe(&[]).await.expect("empty input");
    assert!(empty.text.is_empty());
    engine
        .transcribe(&vec![0i16; 8_000])
        .await
        .expect("half a second of silence");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audio_longer_than_a_window_is_split_and_joined() {
    let (engine, _) = load("en");
    let jfk = read_wav(&speech_dir().join("jfk.wav"));
    // Three copies with 1 s gaps: 35 s, more than whisper's 30 s window.
    let mut pcm = Vec::new();
    for _ in 0..3 {
        pcm.extend_from_slice(&jfk);
        pcm.extend(std::iter::repeat_n(0i16, 16_000));
    }
    let result = engine.transcribe(&pcm).await.expect("transcribes");
    println!("3 x jfk: {}", result.text);
    let words = normalize(&result.text);
    let americans = words.iter().filter(|w| *w == "americans").count();
    let country = words.iter().filter(|w| *w == "country").count();
    assert!(americans >= 2, "{:?}", result.text);
    assert!(country >= 5, "{:?}", result.text);
}
