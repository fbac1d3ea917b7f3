//! The dev set (`../shared/audio/vad-dev`, or `VAD_DEV_DIR`) as a regression check (the front
//! end was tuned on it and on generated seeds 101 and 102; held-out figures come from other
//! seeds, see tests/held_out.rs); the figures are in the README.

use std::path::PathBuf;

use vad_wasm::FrontEndConfig;
use vad_wasm::eval::evaluate_dir;

fn dev_dir() -> PathBuf {
    std::env::var_os("VAD_DEV_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/audio/vad-dev"),
        PathBuf::from,
    )
}

#[test]
fn dev_set_meets_targets() {
    let report = evaluate_dir(&dev_dir(), &FrontEndConfig::default()).expect("dev set readable");
    println!("{report}");
    for kind in ["silence", "hvac", "beeps", "printer"] {
        let s = report
            .by_kind
            .get(kind)
            .unwrap_or_else(|| panic!("no {kind} clips"));
        assert!(s.f1() >= 0.97, "{kind}: F1 {:.3}", s.f1());
        assert!(s.capture() >= 0.985, "{kind}: capture {:.3}", s.capture());
        assert_eq!(s.false_segments, 0, "{kind}: segments on noise alone");
    }
    let nb = &report.non_babble;
    assert!(nb.capture() >= 0.99, "capture {:.3}", nb.capture());
    assert!(nb.billed_ratio() <= 1.15, "billed {:.3}", nb.billed_ratio());
    assert!(
        report.overall.billed_ratio() <= 1.15,
        "billed {:.3}",
        report.overall.billed_ratio()
    );
    // Babble is not target speech: at most 30 % of it flagged, at every SNR of the set, while
    // the near talker inside it is kept. The dev set is a tuning set (regression bar, not an
    // accuracy figure): 0.960 captured and 0.050 flagged with the talker-presence check
    // (0.856 / 0.063 without it; 0.97 with round 0's 12 / 8 dB margins, which flagged twice
    // as much babble off the dev set).
    let babble = report.by_kind.get("babble").expect("babble clips");
    assert!(
        babble.capture() >= 0.95,
        "capture in babble {:.3}",
        babble.capture()
    );
    assert!(
        babble.noise_flagged() <= 0.30,
        "babble flagged {:.3}",
        babble.noise_flagged()
    );
    for (group, s) in report
        .by_kind_snr
        .iter()
        .filter(|(k, _)| k.starts_with("babble@"))
    {
        assert!(
            s.noise_flagged() <= 0.30,
            "{group}: babble flagged {:.3}",
            s.noise_flagged()
        );
    }
}
