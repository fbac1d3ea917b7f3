//! The local serverless stack exactly as the documentation tells a new user to run it: the
//! marked command blocks of edge-worker/README.md (which docs/deploy.md and README.md must repeat
//! word for word where they show them) run as written, from the repository root, in bash.
//! Terminal 1 starts dynalite, the stt-llm Lambda and the Worker (`scripts/edge-dev.sh up`);
//! terminal 2 issues a key and runs a counter, which must get `recomendar` through the Worker,
//! and so must the counter's line run once more with the same key.
//! Then Ctrl-C (SIGINT to terminal 1's process group, as a terminal sends it) must stop
//! everything: no process of the run may be left.
//!
//! What the environment supplies, as a user's would: the speech recording (`SPEECH`), a speech-
//! to-text provider (a local server answering as ElevenLabs; advice comes from the offline rules
//! advisor), and, to keep the run apart from a developer's own, the env file, the local state
//! and free ports (`BALTO_EDGE_ENV_FILE`, `BALTO_EDGE_STATE`, `BALTO_*_PORT`). The env file does
//! not exist at the start: the commands create its secrets, as on a clean checkout.

use crate::doc_blocks::{TERMINAL_1, TERMINAL_2, read_block};
use crate::process_group::{Group, orphans_working_in, processes_referring_to};
use crate::{SAID, SPEECH, elevenlabs_stub, free_port, repo, spawn_until};
use nix::sys::signal::Signal;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

/// The file whose blocks are run, and the files that must show the same blocks.
const CANONICAL: &str = "edge-worker/README.md";
const REPEATED_IN: [&str; 2] = ["docs/deploy.md", "README.md"];
/// Provider settings a developer's environment might carry; the run sets its own.
const PROVIDER_VARS: [&str; 8] = [
    "ASSEMBLYAI_API_KEY",
    "ASSEMBLYAI_BASE_URL",
    "XAI_API_KEY",
    "XAI_BASE_URL",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "ELEVENLABS_MODEL",
    "DYNAMODB_TABLE",
];

/// Whether cargo set `name` for this test process (cargo's "environment variables Cargo sets
/// for crates"), which a user's terminal does not have. Left in, they would change what cargo
/// sees: `CARGO_MANIFEST_DIR` alone makes it rebuild `ring` and everything above it.
fn set_by_cargo_for_this_test(name: &str) -> bool {
    matches!(
        name,
        "CARGO"
            | "CARGO_MANIFEST_DIR"
            | "CARGO_MANIFEST_PATH"
            | "CARGO_CRATE_NAME"
            | "CARGO_BIN_NAME"
            | "CARGO_PRIMARY_PACKAGE"
            | "CARGO_TARGET_TMPDIR"
            | "CARGO_RUSTC_CURRENT_DIR"
    ) || name.starts_with("CARGO_PKG_")
        || name.starts_with("CARGO_BIN_EXE_")
}

/// `bash` running `block` as a script (errors stop it), from the repository root, with `env`.
fn block_command(block: &str, env: &[(&str, String)]) -> Command {
    let mut cmd = Command::new("bash");
    cmd.arg("-c")
        .arg(format!("set -euo pipefail\n{block}"))
        .current_dir(repo())
        .stdin(Stdio::null());
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(set_by_cargo_for_this_test) {
            cmd.env_remove(name);
        }
    }
    for name in PROVIDER_VARS {
        cmd.env_remove(name);
    }
    for (name, value) in env {
        cmd.env(name, value);
    }
    cmd
}

/// Runs `block` to its end (at most `limit`); its stdout lines and exit success.
async fn run_block(block: &str, env: &[(&str, String)], limit: Duration) -> (Vec<String>, bool) {
    let mut cmd = block_command(block, env);
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut group = Group::spawn(cmd, "terminal 2").expect("start bash");
    let child = group.child_mut();
    let mut out = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut err = BufReader::new(child.stderr.take().expect("stderr")).lines();
    tokio::spawn(async move {
        while let Ok(Some(line)) = err.next_line().await {
            eprintln!("[terminal 2] {line}");
        }
    });
    let mut lines = Vec::new();
    let read = tokio::time::timeout(limit, async {
        while let Ok(Some(line)) = out.next_line().await {
            eprintln!("[terminal 2] {line}");
            lines.push(line);
        }
        group.child_mut().wait().await
    })
    .await;
    let ok = matches!(read, Ok(Ok(status)) if status.success());
    if read.is_err() {
        eprintln!("[terminal 2] still running after {limit:?}: stopping it");
    }
    let _ = group.stop(Signal::SIGTERM).await;
    (lines, ok)
}

fn is_hex_secret(value: &str) -> bool {
    value.len() >= 64 && value.chars().all(|c| c.is_ascii_hexdigit())
}

/// The secrets the commands created: both present, random-looking, readable by the owner only.
fn check_env_file(path: &Path) {
    let text = std::fs::read_to_string(path).expect("the env file was created");
    for name in ["STT_LLM_SIGNING_SECRET", "KEY_PEPPER"] {
        let value = text
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("{name} missing from the env file: {text}"));
        assert!(is_hex_secret(value), "{name}={value}");
    }
    let mode = std::fs::metadata(path).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the env file holds secrets");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_documented_local_serverless_commands_run_as_written() {
    if std::env::var_os("BALTO_EDGE_E2E").is_none() {
        eprintln!("documented stack skipped: set BALTO_EDGE_E2E=1 (scripts/edge-e2e.sh)");
        return;
    }
    let started = Instant::now();
    let repo = repo();
    let orphans_before = orphans_working_in(&repo);
    let terminal_1 = read_block(&repo, CANONICAL, TERMINAL_1);
    let terminal_2 = read_block(&repo, CANONICAL, TERMINAL_2);
    for file in REPEATED_IN {
        let text = std::fs::read_to_string(repo.join(file)).expect("read the doc");
        for (marker, block) in [(TERMINAL_1, &terminal_1), (TERMINAL_2, &terminal_2)] {
            if text.contains(marker) {
                assert_eq!(
                    &read_block(&repo, file, marker),
                    block,
                    "{file} shows other commands than {CANONICAL}"
                );
            }
        }
    }
    for file in [CANONICAL, REPEATED_IN[0], REPEATED_IN[1]] {
        let text = std::fs::read_to_string(repo.join(file)).expect("read the doc");
        assert!(
            !text.contains("npx wrangler"),
            "{file}: npx runs another wrangler than the pinned one (scripts/edge-dev.sh wrangler)"
        );
    }
    assert!(
        std::fs::read_to_string(repo.join("docs/deploy.md"))
            .expect("deploy.md")
            .contains(TERMINAL_1),
        "docs/deploy.md shows the local stack's commands"
    );

    let eleven = elevenlabs_stub().await;
    let dir = std::env::temp_dir().join(format!("balto-edge-docs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("run dir");
    let state = dir.join("state");
    let env_file = dir.join("dev.vars");
    let edge_port = free_port();
    let env: Vec<(&str, String)> = vec![
        ("SPEECH", SPEECH.to_string()),
        ("BALTO_EDGE_ENV_FILE", env_file.display().to_string()),
        ("BALTO_EDGE_STATE", state.display().to_string()),
        ("BALTO_EDGE_PORT", edge_port.to_string()),
        ("BALTO_STT_LLM_PORT", free_port().to_string()),
        ("BALTO_DYNAMO_PORT", free_port().to_string()),
        ("ELEVENLABS_API_KEY", "sk_test_docs_0123456789abcdef".into()),
        ("ELEVENLABS_BASE_URL", eleven.uri()),
        ("STT_PROVIDER", "elevenlabs".into()),
        ("LLM_PROVIDER", "regras".into()),
    ];

    // Terminal 1: until it says the stack is ready (a cold build would take far longer: CI
    // builds the binaries beforehand, with the flags of BALTO_EDGE_CARGO_FLAGS).
    let (terminal, ready) = spawn_until(
        block_command(&terminal_1, &env),
        "terminal 1",
        "edge-dev: ready",
        Duration::from_secs(600),
    )
    .await;
    assert!(
        ready.contains(&format!("ws://127.0.0.1:{edge_port}/ws")),
        "{ready}"
    );
    eprintln!("documented stack: ready after {:?}", started.elapsed());

    // Terminal 2: a key, then a counter streaming speech segments through the Worker; then the
    // counter's line once more, as a user runs it again with the same key: the second run must
    // be transcribed and advised too (not taken for a re-send of the first run's segments).
    let counter_line = terminal_2
        .lines()
        .rfind(|l| l.trim_start().starts_with("scripts/edge-dev.sh counter"))
        .expect("terminal 2 runs a counter");
    let t = Instant::now();
    let (lines, ok) = run_block(
        &format!("{terminal_2}{counter_line}\n"),
        &env,
        Duration::from_secs(300),
    )
    .await;
    eprintln!("documented stack: two counters done in {:?}", t.elapsed());
    assert!(ok, "terminal 2 failed: {lines:#?}");
    let said = |line: &String, comando: &str| line.contains(&format!("\"comando\":\"{comando}\""));
    // Each run's messages, from its auth_ok on.
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&i| said(&lines[i], "auth_ok"))
        .collect();
    assert_eq!(starts.len(), 2, "two counter runs: {lines:#?}");
    for run in [&lines[starts[0]..starts[1]], &lines[starts[1]..]] {
        let count = |comando: &str| run.iter().filter(|l| said(l, comando)).count();
        assert!(count("segmento_ok") >= 1, "{run:#?}");
        assert!(
            run.iter().any(|l| l.contains(SAID)),
            "the stub's transcript: {run:#?}"
        );
        assert!(count("recomendar") >= 1, "no recomendar: {run:#?}");
    }
    check_env_file(&env_file);
    let lambda_log = std::fs::read_to_string(state.join("up/stt-llm.log")).expect("stt-llm log");
    assert!(
        lambda_log.contains("does not implement UpdateTimeToLive")
            && !lambda_log
                .lines()
                .any(|l| l.contains("WARN") && l.contains("TTL")),
        "dynalite's missing TTL is expected locally, not a warning: {lambda_log}"
    );

    // Ctrl-C in terminal 1 stops all three, and nothing of the run is left running.
    let stopped = terminal.stop(Signal::SIGINT).await;
    assert!(
        !stopped.killed,
        "terminal 1 did not stop on Ctrl-C: {stopped:?}"
    );
    // `up` ends as a shell ends on Ctrl-C: status 130.
    assert_eq!(
        stopped.status.and_then(|s| s.code()),
        Some(130),
        "{stopped:?}"
    );
    let left = processes_referring_to(&dir);
    assert!(left.is_empty(), "left running after Ctrl-C: {left:#?}");
    // Nothing orphaned in the checkout either (a lost child keeps its working directory, not
    // necessarily a mention of the state directory).
    let orphans: Vec<String> = orphans_working_in(&repo)
        .into_iter()
        .filter(|(pid, _)| !orphans_before.contains_key(pid))
        .map(|(_, p)| p)
        .collect();
    assert!(orphans.is_empty(), "orphaned in the checkout: {orphans:#?}");
    eprintln!("documented stack: whole test {:?}", started.elapsed());
    let _ = std::fs::remove_dir_all(&dir);
}
