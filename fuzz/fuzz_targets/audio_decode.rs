//! Any bytes handed to the audio decoder (what `balto vad`, `transcribe`, `stream` and `report`
//! read): 16 kHz mono PCM or a typed error, never a panic, a hang or a runaway allocation. The
//! first byte picks the extension hint, so every demuxer is reached by name as well as by probing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vad_wasm::decode::decode_bytes;

const HINTS: [Option<&str>; 7] = [
    None,
    Some("wav"),
    Some("mp3"),
    Some("flac"),
    Some("ogg"),
    Some("m4a"),
    Some("aac"),
];

fuzz_target!(
    init: {
        // decode_bytes contains symphonia's panics and returns an error: let them unwind to it
        // (libFuzzer's hook would abort first). A panic that escapes still fails the run.
        std::panic::set_hook(Box::new(|_| {}));
    },
    |data: &[u8]| {
    let Some((&pick, file)) = data.split_first() else {
        return;
    };
    let hint = HINTS[usize::from(pick) % HINTS.len()];
    if let Ok(audio) = decode_bytes(file.to_vec(), hint) {
        assert!(audio.source_rate > 0 && audio.source_channels > 0);
    }
});
