//! Start-up behaviour: the 8765 → 8766 fallback, the database's journal mode, and `balto serve`
//! logging every effective choice without secrets.

use balto_local::server::bind_with_fallback;
use balto_local::sqlite_store::SqliteStore;
use std::io::{BufRead, BufReader};
use std::net::IpAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_taken_port_falls_back_to_the_next_one() {
    let localhost: IpAddr = [127, 0, 0, 1].into();
    // Find two free consecutive ports, take the first.
    let (_taken, port) = loop {
        // held until the end: the port stays taken
        let l = tokio::net::TcpListener::bind((localhost, 0)).await.unwrap();
        let p = l.local_addr().unwrap().port();
        if p < u16::MAX && std::net::TcpListener::bind((localhost, p + 1)).is_ok() {
            break (l, p);
        }
    };
    let listener = bind_with_fallback(localhost, port).await.unwrap();
    assert_eq!(listener.local_addr().unwrap().port(), port + 1);
}

#[tokio::test]
async fn a_free_port_is_used_as_is() {
    let localhost: IpAddr = [127, 0, 0, 1].into();
    // A port the OS just handed out and released can be taken again by a parallel test before
    // we bind it; only a bind to a *different* port would be a fault of ours.
    for _ in 0..20 {
        let port = {
            let l = std::net::TcpListener::bind((localhost, 0)).unwrap();
            l.local_addr().unwrap().port()
        };
        let Ok(listener) = bind_with_fallback(localhost, port).await else {
            continue; // both taken meanwhile by parallel tests
        };
        if listener.local_addr().unwrap().port() == port {
            return;
        }
        assert_eq!(
            listener.local_addr().unwrap().port(),
            port + 1,
            "fallback is the next port"
        );
    }
    panic!("20 freshly freed ports were all taken again before the bind");
}

#[tokio::test]
async fn the_database_is_created_with_its_folder_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/deeper/balto.db");
    let store = SqliteStore::open(&path).unwrap();
    assert!(path.is_file());
    assert_eq!(store.journal_mode().await.unwrap(), "wal");
    assert_eq!(store.integrity_check().await.unwrap(), "ok");
    // Reopening applies no migration twice.
    drop(store);
    SqliteStore::open(&path).unwrap();
}

/// `balto serve` on a free port with its data in `dir`, stderr piped; callers add settings.
fn serve_in(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_balto"));
    cmd.arg("serve")
        .env("PORT", "0")
        .env("DB_FILE", dir.join("b.db"))
        .env("AUDIO_DUMP_DIR", dir.join("audio"))
        .current_dir(dir)
        .stderr(Stdio::piped())
        .stdout(Stdio::null());
    cmd
}

#[test]
fn serve_logs_every_choice_and_masks_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = serve_in(dir.path())
        .env("ADMIN_SECRET", "super-secret-admin-value")
        .env("XAI_API_KEY", "xai-secret-key-0123456789abcdef")
        .env("XAI_BASE_URL", "http://127.0.0.1:9")
        .env("STT_PROVIDER", "auto")
        .env("WHISPER_MODEL", dir.path().join("no-model.bin"))
        .env("RUST_LOG", "info")
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut log = String::new();
    let started = Instant::now();
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap();
        log.push_str(&line);
        log.push('\n');
        if line.contains("Balto listening") || started.elapsed() > Duration::from_secs(30) {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(log.contains("Balto listening"), "{log}");
    for name in [
        "PORT",
        "DB_FILE",
        "AUDIO_DUMP_DIR",
        "VAD_ENERGY_THRESHOLD",
        "AUTH_TIMEOUT_MS",
        "MAX_FRAME_BYTES",
        "ADMIN_SECRET",
        "CATALOG_FILE",
    ] {
        assert!(
            log.contains(&format!("config {name} = ")),
            "{name} not logged:\n{log}"
        );
    }
    assert!(log.contains("providers:"), "{log}");
    assert!(
        log.contains("journal=wal") || log.contains("journal: wal"),
        "{log}"
    );
    assert!(
        !log.contains("super-secret-admin-value"),
        "admin secret leaked:\n{log}"
    );
    assert!(
        !log.contains("xai-secret-key-0123456789"),
        "provider key leaked:\n{log}"
    );
}

#[test]
fn serve_keeps_serving_when_its_log_reader_goes_away() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = serve_in(dir.path())
        .env("RUST_LOG", "debug")
        .spawn()
        .unwrap();
    let mut addr = None;
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let started = Instant::now();
    while addr.is_none() && started.elapsed() < Duration::from_secs(30) {
        let Some(Ok(line)) = lines.next() else { break };
        addr = line
            .split("ws://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .map(str::to_owned);
    }
    drop(lines); // the log's reader is gone: every later log write fails with EPIPE
    let addr = addr.expect("balto started");
    for _ in 0..3 {
        let mut s = std::net::TcpStream::connect(&addr).expect("still listening");
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        use std::io::{Read, Write};
        write!(
            s,
            "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer)
            .expect("an answer, not a reset");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
    assert!(child.try_wait().unwrap().is_none(), "balto exited");
    child.kill().unwrap();
    child.wait().unwrap();
}
