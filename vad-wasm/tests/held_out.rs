//! The front end on a held-out generated set (seed 301, used for nothing else; tuning used
//! seeds 101 and 102): every noise kind of `synth` at 15/10/5/0 dB, a minute of each kind alone
//! at a loud (−6 dBFS peak) and a quiet (−26 dBFS) level, and a two-minute idle-counter stream.
//! Generated at test time (espeak-ng + sox, installed by scripts/setup.sh): ≈ 30 minutes of
//! audio, scored on two threads. The full held-out figures (seed 201, 10 minutes per kind and
//! level) are in docs/benchmarks.md.

use vad_wasm::FrontEndConfig;
use vad_wasm::eval::{EvalReport, evaluate_each};
use vad_wasm::synth::speech::SpeechSource;
use vad_wasm::synth::{SetSpec, SynthError, generate, plan};

const SEED: u64 = 301;

fn held_out_report() -> EvalReport {
    let spec = SetSpec {
        clips_per_snr: 1,
        noise_only_s: 60.0,
        idle_streams: 1,
        idle_s: 120.0,
        // The set these bars were set on: cold starts (planned last, so the other clips keep
        // their audio) are scored by the owner of the held-out seeds, not by this test.
        cold_starts_per_kind: 0,
        ..SetSpec::full(SEED)
    };
    let clips = plan(&spec);
    let scratch = tempfile::tempdir().expect("temp dir");
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/audio/speech");
    let source = SpeechSource::new(Some(&shared), scratch.path()).expect("espeak-ng and sox");
    let report = evaluate_each(
        clips.len(),
        2,
        &FrontEndConfig::default(),
        |i| -> Result<_, Failure> {
            let c = generate(&clips[i], SEED, i, &source)?;
            Ok((c.pcm, c.labels))
        },
        |_| {},
    )
    .expect("held-out set");
    println!("{report}");
    report
}

#[derive(Debug)]
enum Failure {
    Synth(#[allow(dead_code)] SynthError),
    Config(#[allow(dead_code)] vad_wasm::ConfigError),
}

impl From<SynthError> for Failure {
    fn from(e: SynthError) -> Self {
        Failure::Synth(e)
    }
}

impl From<vad_wasm::ConfigError> for Failure {
    fn from(e: vad_wasm::ConfigError) -> Self {
        Failure::Config(e)
    }
}

#[test]
fn held_out_generated_set_meets_the_targets() {
    let report = held_out_report();
    // Regression bars on this small set, a little under the targets (the full held-out
    // set, seed 201, is what docs/benchmarks.md compares with the targets).
    let nb = &report.non_babble;
    assert!(
        nb.capture() >= 0.98,
        "non-babble capture {:.3}",
        nb.capture()
    );
    assert!(nb.billed_ratio() <= 1.10, "billed {:.3}", nb.billed_ratio());
    assert!(nb.f1() >= 0.96, "non-babble F1 {:.3}", nb.f1());
    for (kind, s) in &report.by_kind_5db_up {
        if kind != "babble" {
            assert!(s.f1() >= 0.94, "{kind} at >= 5 dB: F1 {:.3}", s.f1());
        }
    }
    // Noise alone, loud and quiet, 20 minutes over the ten non-babble kinds: at most two
    // segments in all (six per noise-hour); Silero removed ≈ 300 per hour of these.
    let false_segments: u64 = report
        .noise_only
        .iter()
        .filter(|(kind, _)| *kind != "babble")
        .map(|(_, s)| s.false_segments)
        .sum();
    assert!(
        false_segments <= 2,
        "{false_segments} segments on noise alone"
    );
    // Babble: at most a fifth of it flagged at >= 5 dB (0.104 reached on this held-out set,
    // 0.273 without the talker-presence check), the near talker inside it mostly kept (0.925
    // reached, 0.959 without the check), and at most one segment on the two minutes of babble
    // alone (none reached, 4 without the check).
    let babble = report.by_kind_5db_up.get("babble").expect("babble clips");
    assert!(
        babble.noise_flagged() <= 0.20,
        "babble flagged {:.3}",
        babble.noise_flagged()
    );
    assert!(
        babble.capture() >= 0.85,
        "near talker in babble: capture {:.3}",
        babble.capture()
    );
    let babble_alone = report
        .noise_only
        .get("babble")
        .map_or(0, |s| s.false_segments);
    assert!(babble_alone <= 1, "{babble_alone} segments on babble alone");
}

/// Babble that starts after a second of silence (a stream opened before the shop got busy) is
/// judged as a speech-like background from its start: the skipped silent frames do not get
/// the first second's fast learning, so the background average still stands near its
/// "unknown" start when the crowd begins. With the speed-up it was ≈ 0 there, and the babble
/// met only the small non-babble margins (tuning seed 102's one false segment on quiet babble
/// alone). Not asserted: no segment at all — the presence check's background power also
/// learns the silence, and on some such streams the crowd's first seconds still open one.
#[test]
fn babble_after_a_silent_second_is_judged_as_babble() {
    use vad_wasm::config::{BABBLE_LOW, PRESENCE_FULL};
    use vad_wasm::synth::noise::noise;
    use vad_wasm::synth::rng::ClipRng;
    use vad_wasm::{Event, FrontEnd};

    let scratch = tempfile::tempdir().expect("temp dir");
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/audio/speech");
    let source = SpeechSource::new(Some(&shared), scratch.path()).expect("espeak-ng and sox");
    for stream in 0..6u64 {
        let mut rng = ClipRng::new(SEED, 9_000 + stream);
        let babble = noise("babble", 6 * 16_000, &mut rng, &source).expect("babble");
        let peak = babble.iter().fold(0f32, |m, v| m.max(v.abs()));
        // Quiet babble (peak −26 dBFS) after one second of silence.
        let gain = 32_767.0 * 10f32.powf(-26.0 / 20.0) / peak;
        let mut pcm = vec![0i16; 16_000];
        pcm.extend(babble.iter().map(|v| (v * gain) as i16));
        let mut fe = FrontEnd::new(FrontEndConfig {
            emit_frame_events: true,
            ..FrontEndConfig::default()
        })
        .expect("config");
        let mut events = Vec::new();
        fe.push_events(&pcm, &mut events);
        fe.finish_events(&mut events);
        let background: Vec<f32> = events
            .iter()
            .filter_map(|e| match e {
                Event::Frame(f) => Some(f.background_speech),
                _ => None,
            })
            .collect();
        // The silent second leaves the average near the presence check's full strength...
        assert!(
            (PRESENCE_FULL - 0.05..0.35).contains(&background[100]),
            "stream {stream}: background average {:.3} after the silent second",
            background[100]
        );
        // ...and half a second into the babble it still counts as speech-like.
        assert!(
            background[150] >= BABBLE_LOW,
            "stream {stream}: background average {:.3} at 1.5 s",
            background[150]
        );
    }
}
