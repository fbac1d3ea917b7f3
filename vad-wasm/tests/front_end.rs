//! Streaming behaviour of the whole front end: chunking invariance, no panics, reset.

use vad_wasm::{AudioFrontEnd, CutSegment, Event, FrontEnd, FrontEndConfig, segment_pcm};

/// Harmonic "voiced" bursts over white noise: deterministic (xorshift noise of amplitude
/// `noise`), a burst from `on` to `off` seconds within every `period`, with a fundamental of
/// `f0` Hz wobbling by `f0_depth` Hz at `f0_rate` rad/s.
struct Bursts {
    seed: u32,
    noise: f32,
    period: f32,
    on: f32,
    off: f32,
    f0: f32,
    f0_depth: f32,
    f0_rate: f32,
}

impl Bursts {
    fn render(&self, seconds: f32) -> Vec<i16> {
        let mut state = self.seed;
        let n = (seconds * 16_000.0) as usize;
        (0..n)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                let t = i as f32 / 16_000.0;
                let mut v = self.noise * ((state as f32 / u32::MAX as f32) - 0.5);
                if (t % self.period) > self.on && (t % self.period) < self.off {
                    let f0 = self.f0 + self.f0_depth * (t * self.f0_rate).sin();
                    for h in 1..10 {
                        v += 2500.0 / h as f32
                            * (2.0 * std::f32::consts::PI * f0 * h as f32 * t).sin()
                            * (0.6 + 0.4 * (2.0 * std::f32::consts::PI * 4.0 * t).sin());
                    }
                }
                v as i16
            })
            .collect()
    }
}

/// Deterministic "speech-like" test signal: harmonic bursts over a noise floor, with pauses.
fn signal(seconds: f32) -> Vec<i16> {
    Bursts {
        seed: 0x1234_5678,
        noise: 200.0,
        period: 2.5,
        on: 0.7,
        off: 2.0,
        f0: 140.0,
        f0_depth: 20.0,
        f0_rate: 3.0,
    }
    .render(seconds)
}

#[test]
fn odd_length_pushes_give_the_same_segments_as_one_push() {
    let pcm = signal(8.0);
    let whole = segment_pcm(&pcm, &FrontEndConfig::default()).expect("config");
    assert!(!whole.is_empty(), "the test signal must produce segments");
    for sizes in [&[1usize][..], &[7, 161, 3], &[159, 320, 1], &[4801]] {
        let mut fe = FrontEnd::new(FrontEndConfig::default()).expect("config");
        let mut out: Vec<CutSegment> = Vec::new();
        let mut rest = &pcm[..];
        let mut k = 0;
        while !rest.is_empty() {
            let n = sizes[k % sizes.len()].min(rest.len());
            fe.push(&rest[..n], &mut out);
            fe.push(&[], &mut out);
            rest = &rest[n..];
            k += 1;
        }
        fe.finish(&mut out);
        assert_eq!(out, whole, "chunk sizes {sizes:?}");
    }
}

#[test]
fn speech_start_precedes_every_segment_and_frame_events_cover_the_stream() {
    let pcm = signal(6.0);
    let config = FrontEndConfig {
        emit_frame_events: true,
        ..FrontEndConfig::default()
    };
    let mut fe = FrontEnd::new(config).expect("config");
    let mut events = Vec::new();
    fe.push_events(&pcm, &mut events);
    fe.finish_events(&mut events);
    let mut open: Option<u64> = None;
    let mut frames = 0;
    for e in &events {
        match e {
            Event::SpeechStart { start_ms } => {
                assert!(open.is_none());
                open = Some(*start_ms);
            }
            Event::Segment(s) => {
                assert_eq!(open.take(), Some(s.start_ms));
                assert!(s.end_ms > s.start_ms);
                assert_eq!(s.pcm.len() as u64, s.duration_ms() * 16);
            }
            Event::Frame(f) => {
                assert_eq!(f.time_ms, frames * 10);
                assert!((0.0..=1.0).contains(&f.speech_probability));
                frames += 1;
            }
        }
    }
    assert_eq!(frames, 600);
}

#[test]
fn extreme_inputs_do_not_panic_and_finish_resets_the_stream() {
    let mut fe = FrontEnd::new(FrontEndConfig::default()).expect("config");
    let mut out = Vec::new();
    let square: Vec<i16> = (0..48_000)
        .map(|i| {
            if (i / 20) % 2 == 0 {
                i16::MAX
            } else {
                i16::MIN
            }
        })
        .collect();
    fe.push(&square, &mut out);
    fe.push(&[i16::MIN; 17], &mut out);
    fe.push(&vec![0; 33_333], &mut out);
    fe.finish(&mut out);
    fe.finish(&mut out);
    assert_eq!(fe.position_ms(), 0);
    for s in &out {
        assert!(s.end_ms <= 5_100);
    }
    // After finish the same instance behaves like a fresh one.
    let pcm = signal(5.0);
    let mut again = Vec::new();
    fe.push(&pcm, &mut again);
    fe.finish(&mut again);
    assert_eq!(
        again,
        segment_pcm(&pcm, &FrontEndConfig::default()).expect("config")
    );
}

#[test]
fn invalid_configs_are_rejected() {
    for bad in [
        FrontEndConfig {
            vad_mode: 4,
            ..FrontEndConfig::default()
        },
        FrontEndConfig {
            energy_threshold_rms: f32::NAN,
            ..FrontEndConfig::default()
        },
        FrontEndConfig {
            min_speech_ms: 5,
            ..FrontEndConfig::default()
        },
        FrontEndConfig {
            tail_ms: 500,
            ..FrontEndConfig::default()
        },
        FrontEndConfig {
            max_segment_ms: 500,
            ..FrontEndConfig::default()
        },
        // Sums past u32::MAX must not wrap into a small, "valid" total.
        FrontEndConfig {
            min_speech_ms: 4_294_967_000,
            ..FrontEndConfig::default()
        },
        // Holding a segment open must not ask more presence than opening one.
        FrontEndConfig {
            talker_presence_hold_db: 8.0,
            ..FrontEndConfig::default()
        },
        FrontEndConfig {
            talker_presence_db: f32::NAN,
            ..FrontEndConfig::default()
        },
        FrontEndConfig {
            presence_ms: 0,
            ..FrontEndConfig::default()
        },
        FrontEndConfig {
            lookback_ms: 60_000,
            ..FrontEndConfig::default()
        },
        FrontEndConfig {
            word_gap_ms: 60_000,
            ..FrontEndConfig::default()
        },
        FrontEndConfig {
            cold_start_swing_db: f32::NAN,
            ..FrontEndConfig::default()
        },
    ] {
        assert!(FrontEnd::new(bad).is_err());
    }
}

#[test]
fn front_end_is_send() {
    fn assert_send<T: Send>() {}
    assert_send::<FrontEnd>();
}

/// Speech bursts separated by long stretches of quiet room noise (well under the energy floor).
fn quiet_gaps(seconds: f32) -> Vec<i16> {
    Bursts {
        seed: 0x0bad_cafe,
        noise: 60.0,
        period: 4.0,
        on: 2.0,
        off: 3.2,
        f0: 130.0,
        f0_depth: 25.0,
        f0_rate: 2.5,
    }
    .render(seconds)
}

/// The configuration for the synthetic harmonic bursts, which are not speech to Silero: these
/// tests are about the frame alignment and skipping machinery (speech is tested below and in
/// dev_set.rs / held_out.rs). Without Silero, RNNoise's vote is the only learned one and keeps
/// its former bar (0.5, see `min_speech_probability`).
fn no_silero() -> FrontEndConfig {
    FrontEndConfig {
        silero: false,
        min_speech_probability: 0.5,
        ..FrontEndConfig::default()
    }
}

#[test]
fn quiet_frames_are_skipped_without_changing_the_speech_found() {
    let pcm = quiet_gaps(16.0);
    let full = FrontEndConfig {
        skip_quiet_frames: false,
        ..no_silero()
    };
    let mut fe = FrontEnd::new(no_silero()).expect("config");
    let mut with_skip = Vec::new();
    fe.push(&pcm, &mut with_skip);
    let skipped = fe.frames_skipped();
    fe.finish(&mut with_skip);
    let without = segment_pcm(&pcm, &full).expect("config");
    // 4 bursts of 1.2 s in 16 s: most of the 8 s of quiet room is skipped.
    assert!(skipped > 600, "only {skipped} of 1600 frames skipped");
    let bounds = |v: &[CutSegment]| v.iter().map(|s| (s.start_ms, s.end_ms)).collect::<Vec<_>>();
    let (a, b) = (bounds(&with_skip), bounds(&without));
    assert_eq!(a.len(), 4, "{a:?}");
    assert_eq!(a.len(), b.len(), "{a:?} vs {b:?}");
    for (k, (x, y)) in a.iter().zip(&b).enumerate() {
        // Onsets are found as early as with full processing. RNNoise's frozen GRU state can end
        // a segment early (measured: burst 2 loses its last 480 ms here, 7220 → 6740 ms; no
        // capture change on the dev set or seed 5), so ends get a 500 ms tolerance.
        assert!(x.0 <= y.0 + 20, "{a:?} vs {b:?}");
        assert!(x.1 + 500 >= y.1, "{a:?} vs {b:?}");
        assert!(x.1 > x.0 + 600, "{a:?}");
        assert!(x.0 >= 1_900 + 4_000 * k as u64, "{a:?}");
    }
    // Disabled: nothing skipped, and the result is the plain pipeline's.
    let mut fe = FrontEnd::new(full).expect("config");
    let mut out = Vec::new();
    fe.push(&pcm, &mut out);
    assert_eq!(fe.frames_skipped(), 0);
}

#[test]
fn skipping_is_invariant_to_push_sizes() {
    let pcm = quiet_gaps(9.0);
    let whole = segment_pcm(&pcm, &no_silero()).expect("config");
    assert!(!whole.is_empty());
    let mut fe = FrontEnd::new(no_silero()).expect("config");
    let mut out = Vec::new();
    for chunk in pcm.chunks(173) {
        fe.push(chunk, &mut out);
    }
    fe.finish(&mut out);
    assert_eq!(out, whole);
}

/// Real speech (the shared neural-TTS clips) separated by seconds of quiet room noise.
fn speech_with_gaps() -> Vec<i16> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/audio/speech");
    let mut state = 0x9e37_79b9_u32;
    let mut room = |n: usize| -> Vec<i16> {
        (0..n)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                ((state as f32 / u32::MAX as f32 - 0.5) * 80.0) as i16
            })
            .collect()
    };
    let mut pcm = room(32_000);
    for name in ["ae_pt_contagem", "ae_pt_pangrama", "ae_pt_ola_mundo"] {
        let clip = vad_wasm::eval::read_wav(&dir.join(format!("{name}.wav"))).expect("shared clip");
        pcm.extend(clip);
        pcm.extend(room(48_000));
    }
    pcm
}

/// Words said one by one from the stream's very first frame ("um, dois, três…", digits of a
/// CPF or a phone number) with no quiet moment before them: the background is unknown at the
/// start and treated as babble, Silero hears speech in every gap between the words, so the
/// talker is learnt as the background and the presence check never opens a segment. With two
/// seconds of room sound first the same clip is cut (`speech_with_gaps`). Known gap (2026-12-07),
/// still open after the cold-start changes (`cold_start_swing_db`, `min_word_ms`): this clip's
/// words come close together (dips of 50–100 ms), so its 200 ms level swings less than 9 dB in
/// the first second and the start is judged as a crowd would be.
#[test]
#[ignore = "known gap: a talker from the very first frame, words one by one, is taken for babble"]
fn words_one_by_one_from_the_first_frame_are_cut() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/audio/speech");
    let pcm = vad_wasm::eval::read_wav(&dir.join("ae_pt_contagem.wav")).expect("shared clip");
    let segments = segment_pcm(&pcm, &FrontEndConfig::default()).expect("config");
    let cut_ms: u64 = segments.iter().map(|s| s.end_ms - s.start_ms).sum();
    assert!(cut_ms >= 2_000, "{segments:?}");
}

#[test]
fn silero_runs_only_where_the_cheap_stage_hears_something_and_finds_the_same_speech() {
    let pcm = speech_with_gaps();
    let mut fe = FrontEnd::new(FrontEndConfig::default()).expect("config");
    let mut skipping = Vec::new();
    fe.push(&pcm, &mut skipping);
    let chunks = pcm.len() as u64 / 512;
    let (skipped, run) = (fe.frames_skipped(), fe.silero_chunks_run());
    fe.finish(&mut skipping);
    let every_frame = segment_pcm(
        &pcm,
        &FrontEndConfig {
            skip_quiet_frames: false,
            ..FrontEndConfig::default()
        },
    )
    .expect("config");
    // Three utterances, each found once, the same with or without skipping (onsets to a
    // frame; an end may move by the hang-over).
    assert_eq!(skipping.len(), 3, "{skipping:?}");
    assert_eq!(skipping.len(), every_frame.len());
    for (a, b) in skipping.iter().zip(&every_frame) {
        assert!(a.start_ms.abs_diff(b.start_ms) <= 10, "{a:?} vs {b:?}");
        assert!(a.end_ms.abs_diff(b.end_ms) <= 300, "{a:?} vs {b:?}");
    }
    // 11 s of the 18.6 s are quiet room: most of it never reaches Silero or RNNoise.
    assert!(
        skipped * 160 > pcm.len() as u64 / 2,
        "{skipped} frames skipped"
    );
    assert!(
        run < chunks * 6 / 10,
        "Silero ran on {run} of {chunks} chunks"
    );
}

#[test]
fn silero_rejects_a_loud_tone_that_passes_every_level_test() {
    // A 1 kHz beep train at −10 dBFS over quiet noise: loud, voiced-looking to WebRTC's GMM,
    // far above the noise floor; Silero is what keeps it out.
    let pcm: Vec<i16> = (0..16_000 * 8)
        .map(|i| {
            let t = i as f32 / 16_000.0;
            let on = (t % 1.0) < 0.6;
            let tone = if on {
                10_000.0 * (2.0 * std::f32::consts::PI * 1_000.0 * t).sin()
            } else {
                0.0
            };
            (tone + 30.0 * (i as f32 * 0.618).sin()) as i16
        })
        .collect();
    let with = segment_pcm(&pcm, &FrontEndConfig::default()).expect("config");
    assert!(with.is_empty(), "{} segments on a tone", with.len());
    let without = segment_pcm(&pcm, &no_silero()).expect("config");
    assert!(
        !without.is_empty(),
        "the other stages alone let the tone through"
    );
}
