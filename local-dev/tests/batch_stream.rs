//! `balto stream` end to end: the real binary as a counter against a server on port 0 (with a
//! fixed-text transcriber and the real rules advisor, or no transcriber), in both modes; every
//! server message is printed as a JSON line and protocol failures give a non-zero exit.

mod common;

use balto_advisor::rules::RulesAdvisor;
use common::*;
use serde_json::Value;
use std::sync::Arc;
use std::time::Instant;

async fn app_with_stt() -> TestApp {
    spawn_app(Parts {
        transcriber: Some(Arc::new(FixedTranscriber {
            name: "fixo",
            text: "Bom dia, estou com dor de cabeça e febre desde ontem.",
        })),
        advisor: Some(Arc::new(RulesAdvisor::with_embedded_catalog())),
        ..Parts::default()
    })
    .await
}

struct Run {
    ok: bool,
    /// `{"counter","file","message"}` per line.
    lines: Vec<Value>,
    stderr: String,
}

impl Run {
    fn commands(&self, counter: u64) -> Vec<String> {
        self.lines
            .iter()
            .filter(|l| l["counter"] == counter)
            .map(|l| l["message"]["comando"].as_str().unwrap_or("?").to_string())
            .collect()
    }
}

async fn balto_stream(app: &TestApp, key: &str, files: &[&str], extra: &[&str]) -> Run {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_balto"));
    cmd.arg("stream");
    for f in files {
        cmd.arg(shared_audio(&format!("speech/{f}")));
    }
    cmd.args([
        "--url",
        &app.url(),
        "--key",
        key,
        "--json",
        "--quiet-ms",
        "1500",
    ])
    .args(extra)
    .current_dir(app.dir.path())
    .env("RUST_LOG", "warn");
    let out = cmd.output().await.expect("run balto stream");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}")))
        .collect();
    Run {
        ok: out.status.success(),
        lines,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn raw_mode_streams_frames_and_prints_the_recommendation() {
    let app = app_with_stt().await;
    let key = app.key("Loja", "B1").await;
    let run = balto_stream(&app, &key.api_key, &["pt1.wav"], &["--mode", "raw"]).await;
    assert!(run.ok, "{}", run.stderr);
    let commands = run.commands(1);
    assert_eq!(commands.first().map(String::as_str), Some("auth_ok"));
    assert!(
        commands.iter().any(|c| c == "recomendar"),
        "{commands:?} {}",
        run.stderr
    );
    let rec = run
        .lines
        .iter()
        .find(|l| l["message"]["comando"] == "recomendar")
        .unwrap();
    assert_eq!(rec["file"], "pt1.wav");
    assert!(rec["message"]["produto"].is_string());
    assert!(run.stderr.contains("ok:"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn segments_mode_waits_for_every_ack_and_transcript() {
    let app = app_with_stt().await;
    let key = app.key("Loja", "B2").await;
    let run = balto_stream(&app, &key.api_key, &["pt1.wav"], &["--mode", "segments"]).await;
    assert!(run.ok, "{}", run.stderr);
    let msgs: Vec<&Value> = run.lines.iter().map(|l| &l["message"]).collect();
    assert_eq!(msgs[0]["comando"], "auth_ok");
    let acked: Vec<&str> = msgs
        .iter()
        .filter(|m| m["comando"] == "segmento_ok")
        .filter_map(|m| m["id"].as_str())
        .collect();
    assert!(!acked.is_empty(), "{msgs:?}");
    for id in &acked {
        assert!(
            msgs.iter()
                .any(|m| m["comando"] == "transcricao" && m["id"] == *id),
            "segment {id} was not transcribed before the client left: {msgs:?}"
        );
    }
    assert!(msgs.iter().all(|m| m["comando"] != "erro"), "{msgs:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn many_counters_at_once_without_a_transcriber() {
    // No STT: segments are only stored and acknowledged; the client leaves after a quiet period.
    let app = spawn_app(Parts::default()).await;
    let key = app.key("Loja", "B3").await;
    let run = balto_stream(
        &app,
        &key.api_key,
        // (Not ae_pt_contagem: words one by one from the very first frame are a known gap of the
        // front end, tested on its own in vad-wasm/tests/front_end.rs.)
        &["ae_pt_ola_mundo.wav", "ae_pt_pangrama.wav"],
        &["--mode", "segments", "--concurrency", "2"],
    )
    .await;
    assert!(run.ok, "{}", run.stderr);
    for counter in 1..=4u64 {
        let commands = run.commands(counter);
        assert_eq!(
            commands.first().map(String::as_str),
            Some("auth_ok"),
            "{counter}"
        );
        assert!(commands.iter().any(|c| c == "segmento_ok"), "{commands:?}");
    }
    let files: std::collections::HashSet<&str> = run
        .lines
        .iter()
        .filter_map(|l| l["file"].as_str())
        .collect();
    assert_eq!(files.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn realtime_paces_the_audio() {
    let app = spawn_app(Parts::default()).await;
    let key = app.key("Loja", "B4").await;
    let started = Instant::now();
    let run = balto_stream(
        &app,
        &key.api_key,
        &["ae_pt_ola_mundo.wav"],
        &["--mode", "raw", "--realtime"],
    )
    .await;
    assert!(run.ok, "{}", run.stderr);
    // 1.0 s of audio + 1 s of tail silence, paced, then the quiet period.
    assert!(
        started.elapsed().as_millis() >= 2_000,
        "{:?}",
        started.elapsed()
    );
    assert_eq!(run.commands(1), ["auth_ok"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_key_exits_non_zero() {
    let app = spawn_app(Parts::default()).await;
    let run = balto_stream(
        &app,
        "balto_nope_000000000000",
        &["ae_pt_ola_mundo.wav"],
        &["--mode", "raw"],
    )
    .await;
    assert!(!run.ok);
    let commands = run.commands(1);
    assert_eq!(commands, ["erro"], "{}", run.stderr);
    assert_eq!(run.lines[0]["message"]["codigo"], "auth_invalida");
    assert!(
        run.stderr.contains("authentication refused"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_is_not_there_exits_non_zero() {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_balto"))
        .arg("stream")
        .arg(shared_audio("speech/ae_pt_ola_mundo.wav"))
        .args(["--url", "ws://127.0.0.1:9/ws", "--key", "balto_x_y"])
        .env("RUST_LOG", "warn")
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot connect"));
}
