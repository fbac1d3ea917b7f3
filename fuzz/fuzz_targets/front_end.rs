//! The audio front end under any configuration and any PCM, pushed in any chunk sizes: a config
//! is accepted or refused with a typed error; an accepted one never panics, cuts segments in
//! order, inside the stream and within its maximum length, and cuts the same segments however
//! the audio is chunked (what the browser, the worker and local-dev rely on).
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use vad_wasm::{AudioFrontEnd, CutSegment, FrontEnd, FrontEndConfig};

#[derive(Debug, Arbitrary)]
struct Knobs {
    vad_mode: u8,
    vad_on_cleaned: bool,
    energy_threshold_rms: u16,
    noise_margin_db: i8,
    talker_drop_db: i8,
    min_speech_probability: u8,
    pre_roll_ms: u16,
    hangover_ms: u16,
    tail_ms: u16,
    tail_max_ms: u16,
    min_speech_ms: u16,
    max_segment_ms: u16,
    cut_search_ms: u16,
    emit_frame_events: bool,
    skip_quiet_frames: bool,
    hold_margin_db: i8,
    silero: bool,
    silero_threshold: u8,
    silero_hold_threshold: u8,
    rnnoise: bool,
    send_denoised: bool,
    maybe_margin_db: u8,
    nonspeech_margin_db: u8,
    nonspeech_hold_margin_db: u8,
    talker_presence_db: u8,
    talker_presence_hold_db: u8,
    presence_ms: u16,
    presence_hold_ms: u16,
    lookback_ms: u16,
    min_word_ms: u16,
    word_gap_ms: u16,
    cold_start_swing_db: i8,
}

fn config(k: &Knobs) -> FrontEndConfig {
    FrontEndConfig {
        vad_mode: k.vad_mode % 5,
        vad_on_cleaned: k.vad_on_cleaned,
        energy_threshold_rms: f32::from(k.energy_threshold_rms % 4000),
        noise_margin_db: f32::from(k.noise_margin_db) / 4.0,
        talker_drop_db: f32::from(k.talker_drop_db) / 2.0,
        min_speech_probability: f32::from(k.min_speech_probability) / 200.0,
        pre_roll_ms: u32::from(k.pre_roll_ms % 2000),
        hangover_ms: u32::from(k.hangover_ms % 3000),
        tail_ms: u32::from(k.tail_ms % 1000),
        tail_max_ms: u32::from(k.tail_max_ms % 1000),
        min_speech_ms: u32::from(k.min_speech_ms % 2000),
        max_segment_ms: u32::from(k.max_segment_ms) * 2,
        cut_search_ms: u32::from(k.cut_search_ms % 5000),
        emit_frame_events: k.emit_frame_events,
        skip_quiet_frames: k.skip_quiet_frames,
        hold_margin_db: f32::from(k.hold_margin_db) / 4.0,
        silero: k.silero,
        silero_threshold: f32::from(k.silero_threshold) / 200.0,
        silero_hold_threshold: f32::from(k.silero_hold_threshold) / 200.0,
        rnnoise: k.rnnoise,
        send_denoised: k.send_denoised,
        maybe_margin_db: f32::from(k.maybe_margin_db) / 8.0,
        nonspeech_margin_db: f32::from(k.nonspeech_margin_db) / 8.0,
        nonspeech_hold_margin_db: f32::from(k.nonspeech_hold_margin_db) / 8.0,
        talker_presence_db: f32::from(k.talker_presence_db) / 8.0,
        talker_presence_hold_db: f32::from(k.talker_presence_hold_db) / 8.0,
        presence_ms: u32::from(k.presence_ms % 2000),
        presence_hold_ms: u32::from(k.presence_hold_ms % 2000),
        lookback_ms: u32::from(k.lookback_ms % 2000),
        min_word_ms: u32::from(k.min_word_ms % 2000),
        word_gap_ms: u32::from(k.word_gap_ms % 12_000),
        cold_start_swing_db: f32::from(k.cold_start_swing_db) / 4.0,
    }
}

fn run(config: &FrontEndConfig, pcm: &[i16], chunks: &[u16]) -> Option<Vec<CutSegment>> {
    let mut front_end = FrontEnd::new(config.clone()).ok()?;
    let mut out = Vec::new();
    let mut rest = pcm;
    let mut sizes = chunks.iter().cycle();
    while !rest.is_empty() {
        let n = sizes
            .next()
            .map_or(rest.len(), |&n| usize::from(n % 4000).max(1))
            .min(rest.len());
        let (now, later) = rest.split_at(n);
        front_end.push(now, &mut out);
        rest = later;
    }
    front_end.finish(&mut out);
    Some(out)
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(knobs) = Knobs::arbitrary(&mut u) else {
        return;
    };
    let Ok(chunks) = Vec::<u16>::arbitrary(&mut u) else {
        return;
    };
    // The rest is PCM; loud bursts are likelier from a fuzzer if samples are spread out.
    let pcm: Vec<i16> = u
        .take_rest()
        .chunks_exact(2)
        .flat_map(|b| std::iter::repeat_n(i16::from_le_bytes([b[0], b[1]]), 8))
        .collect();
    let config = config(&knobs);
    let Some(whole) = run(&config, &pcm, &[]) else {
        return;
    };
    let stream_ms = pcm.len() as u64 / 16;
    let mut last_end = 0;
    for s in &whole {
        assert!(s.start_ms < s.end_ms, "{:?}..{:?}", s.start_ms, s.end_ms);
        assert!(s.start_ms >= last_end, "segments overlap");
        assert!(s.end_ms <= stream_ms + 10, "segment past the stream");
        // Whole milliseconds, except that the stream's last sub-millisecond is kept.
        let whole_ms = (s.end_ms - s.start_ms) * 16;
        assert!((whole_ms..whole_ms + 16).contains(&(s.pcm.len() as u64)));
        last_end = s.end_ms;
    }
    let chunked = run(&config, &pcm, &chunks).expect("same config");
    assert_eq!(whole, chunked, "chunking changed the segments");
});
