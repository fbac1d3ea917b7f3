//! The real `balto` binary as separate processes: two servers on one database file, a server
//! killed with SIGKILL mid-session, and one killed while its STT provider stalls. Nothing
//! acknowledged may be lost, corrupted or processed twice.

mod common;

use common::*;
use futures_util::StreamExt;
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::Message;

fn balto(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_balto"));
    cmd.env("DB_FILE", data.join("balto.db"))
        .env("AUDIO_DUMP_DIR", data.join("audio"))
        .env("PORT", "0")
        .env("RUST_LOG", "info")
        .env_remove("ADMIN_SECRET")
        .current_dir(data)
        .kill_on_drop(true);
    cmd
}

async fn create_key(data: &Path, balcao: &str) -> String {
    let out = balto(data)
        .args([
            "keys",
            "create",
            "--loja",
            "Loja Teste",
            "--balcao",
            balcao,
            "--json",
        ])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["loja"], "Loja Teste");
    assert_eq!(v["balcao"], balcao);
    v["api_key"].as_str().unwrap().to_string()
}

/// Starts `balto serve` and returns it with its WebSocket URL (read from its log).
async fn serve(data: &Path) -> (Child, String) {
    serve_with(data, &[]).await
}

/// Starts `balto serve` with extra environment variables.
async fn serve_with(data: &Path, env: &[(&str, String)]) -> (Child, String) {
    let mut cmd = balto(data);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .arg("serve")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let url = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(at) = line.find("ws://") {
                let rest = &line[at..];
                let end = rest.find("/ws").unwrap() + 3;
                return rest[..end].to_string();
            }
        }
        panic!("server exited before listening");
    })
    .await
    .expect("server did not start");
    // Keep draining the log so the server never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, url)
}

async fn authed(url: &str, key: &str) -> Ws {
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    send_json(
        &mut ws,
        &serde_json::json!({"comando":"auth","api_key":key}),
    )
    .await;
    assert_eq!(recv_json(&mut ws).await["comando"], "auth_ok");
    ws
}

fn check_segment_files(db: &Path) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let mut stmt = conn
        .prepare("SELECT client_id, audio_ref, duration_ms FROM segments")
        .unwrap();
    let rows: Vec<(String, String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    for (id, path, duration_ms) in &rows {
        let audio = balto_local::audio_files::read_segment_wav(Path::new(path))
            .unwrap_or_else(|e| panic!("segment {id}: its WAV is unreadable: {e}"));
        assert_eq!(audio.len() as i64 / 16, *duration_ms, "segment {id}");
    }
    rows.into_iter().map(|(id, path, _)| (id, path)).collect()
}

#[tokio::test]
async fn two_servers_on_one_database_file_do_not_corrupt_it() {
    let dir = tempfile::tempdir().unwrap();
    let key_a = create_key(dir.path(), "A").await;
    let key_b = create_key(dir.path(), "B").await;
    let (mut server_1, url_1) = serve(dir.path()).await;
    let (mut server_2, url_2) = serve(dir.path()).await;
    assert_ne!(url_1, url_2);
    let pcm = read_fixture("speech/pt3.wav");
    let mut clients = Vec::new();
    for (n, (url, key)) in [
        (&url_1, &key_a),
        (&url_2, &key_b),
        (&url_1, &key_b),
        (&url_2, &key_a),
    ]
    .into_iter()
    .enumerate()
    {
        let (url, key, pcm) = (url.clone(), key.clone(), pcm.clone());
        clients.push(tokio::spawn(async move {
            let mut ws = authed(&url, &key).await;
            let mut acked = Vec::new();
            for i in 0..15 {
                let id = format!("c{n}-s{i}");
                send_segment(&mut ws, &id, i * 1000, &pcm[..16_000 + i as usize * 160]).await;
                let ack = recv_json(&mut ws).await;
                assert_eq!(ack["comando"], "segmento_ok");
                acked.push(ack["id"].as_str().unwrap().to_string());
            }
            acked
        }));
    }
    let mut acked = Vec::new();
    for c in clients {
        acked.extend(c.await.unwrap());
    }
    server_1.kill().await.unwrap();
    server_2.kill().await.unwrap();
    let rows = check_segment_files(&dir.path().join("balto.db"));
    assert_eq!(rows.len(), 60);
    let mut stored: Vec<String> = rows.into_iter().map(|(id, _)| id).collect();
    stored.sort();
    acked.sort();
    assert_eq!(stored, acked);
}

#[tokio::test]
async fn killing_the_server_mid_session_loses_no_acknowledged_segment() {
    let dir = tempfile::tempdir().unwrap();
    let key = create_key(dir.path(), "A").await;
    let (mut server, url) = serve(dir.path()).await;
    let pcm = read_fixture("speech/pt1.wav");
    let mut ws = authed(&url, &key).await;
    let mut acked: Vec<String> = Vec::new();
    let mut sent = 0u64;
    let mut killed = false;
    // Send without waiting for acks, as a client with a queue would, recording every ack; once
    // 20 are in, SIGKILL the server while segments are still arriving.
    loop {
        use futures_util::SinkExt;
        let id = format!("s{sent}");
        let header = serde_json::json!({"comando":"segmento","id":id,"inicio_ms":sent*2000,"duracao_ms":2000,"formato":"pcm_s16le_16k"});
        if ws
            .send(Message::Text(header.to_string().into()))
            .await
            .is_err()
            || ws
                .send(Message::Binary(to_bytes(&pcm[..32_000]).into()))
                .await
                .is_err()
        {
            break;
        }
        sent += 1;
        while let Ok(Some(Ok(Message::Text(t)))) =
            tokio::time::timeout(Duration::from_millis(1), ws.next()).await
        {
            let v: serde_json::Value = serde_json::from_str(t.as_str()).unwrap();
            acked.push(v["id"].as_str().unwrap().to_string());
        }
        if !killed && acked.len() >= 20 {
            server.kill().await.unwrap();
            killed = true;
        }
        assert!(sent < 20_000, "the server never acknowledged 20 segments");
    }
    // Acks already on the wire before the socket died.
    while let Ok(Some(Ok(msg))) = tokio::time::timeout(Duration::from_millis(200), ws.next()).await
    {
        if let Message::Text(t) = msg {
            let v: serde_json::Value = serde_json::from_str(t.as_str()).unwrap();
            acked.push(v["id"].as_str().unwrap().to_string());
        }
    }
    assert!(killed);
    eprintln!(
        "sent {sent} segments, {} acknowledged before SIGKILL",
        acked.len()
    );
    let rows = check_segment_files(&dir.path().join("balto.db"));
    let stored: std::collections::HashSet<String> = rows.into_iter().map(|(id, _)| id).collect();
    for id in &acked {
        assert!(stored.contains(id), "acknowledged segment {id} was lost");
    }
    // A restarted server opens the same file and serves again.
    let (mut again, url) = serve(dir.path()).await;
    let mut ws = authed(&url, &key).await;
    send_segment(&mut ws, &acked[0], 0, &pcm[..32_000]).await;
    assert_eq!(
        recv_json(&mut ws).await["id"],
        acked[0].as_str(),
        "re-sent segment acknowledged"
    );
    again.kill().await.unwrap();
    let rows = check_segment_files(&dir.path().join("balto.db"));
    assert_eq!(
        rows.len(),
        stored.len(),
        "the re-sent segment was not stored twice"
    );
}

/// Accepts HTTP connections and never answers: a provider that hangs. Counts connections.
async fn stalled_provider() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&accepted);
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            held.push(socket);
        }
    });
    (url, accepted)
}

fn elevenlabs_env(base_url: String) -> Vec<(&'static str, String)> {
    vec![
        ("STT_PROVIDER", "elevenlabs".into()),
        ("ELEVENLABS_BASE_URL", base_url),
        ("ELEVENLABS_API_KEY", "test-key-not-secret".into()),
        ("STT_TIMEOUT_MS", "120000".into()),
        // No offline engine to fall back to: the cloud provider is the only way through.
        ("WHISPER_MODEL", "/nonexistent/ggml.bin".into()),
    ]
}

#[tokio::test]
async fn segments_in_flight_to_a_stalled_provider_survive_sigkill_and_finish_once() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let dir = tempfile::tempdir().unwrap();
    let key = create_key(dir.path(), "A").await;
    let (stall_url, stalled) = stalled_provider().await;
    let (mut server, url) = serve_with(dir.path(), &elevenlabs_env(stall_url)).await;
    let pcm = read_fixture("speech/pt1.wav");
    let mut ws = authed(&url, &key).await;
    let mut acked = Vec::new();
    for i in 0..6u64 {
        send_segment(&mut ws, &format!("s{i}"), i * 2000, &pcm[..32_000]).await;
        let ack = recv_json(&mut ws).await;
        assert_eq!(ack["comando"], "segmento_ok");
        acked.push(ack["id"].as_str().unwrap().to_string());
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while stalled.load(Ordering::SeqCst) == 0 {
        assert!(std::time::Instant::now() < deadline, "STT never called");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill().await.unwrap();
    drop(ws);

    let db = dir.path().join("balto.db");
    let statuses = segment_statuses(&db);
    assert_eq!(statuses.len(), 6);
    assert!(
        statuses.iter().all(|(_, status, _)| status == "stored"),
        "{statuses:?}"
    );

    // The provider is back; the restarted server resumes everything at start-up.
    let provider = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/speech-to-text"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "language_code": "por",
            "language_probability": 0.98,
            "text": "Bom dia, estou com dor de cabeça.",
            "words": []
        })))
        .mount(&provider)
        .await;
    let (mut again, _) = serve_with(dir.path(), &elevenlabs_env(provider.uri())).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let statuses = segment_statuses(&db);
        if statuses.iter().all(|(_, status, _)| status == "processed") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not resumed: {statuses:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    again.kill().await.unwrap();

    let conn = rusqlite::Connection::open(&db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT s.client_id,
                    (SELECT COUNT(*) FROM transcripts t WHERE t.segment_id = s.id),
                    (SELECT COUNT(*) FROM suggestions g WHERE g.segment_id = s.id)
             FROM segments s ORDER BY s.client_id",
        )
        .unwrap();
    let rows: Vec<(String, i64, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let expected: Vec<(String, i64, i64)> = (0..6).map(|i| (format!("s{i}"), 1, 1)).collect();
    assert_eq!(
        rows, expected,
        "each segment: one transcript, one suggestion"
    );
    assert_eq!(
        provider.received_requests().await.unwrap().len(),
        6,
        "STT paid once per segment"
    );
    acked.sort();
    let mut stored: Vec<String> = statuses.into_iter().map(|(id, _, _)| id).collect();
    stored.sort();
    assert_eq!(stored, acked);
}

/// (client id, status, attempts) of every segment.
fn segment_statuses(db: &Path) -> Vec<(String, String, i64)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT client_id, status, attempts FROM segments ORDER BY client_id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

#[tokio::test]
async fn keys_are_peppered_with_a_private_file_and_useless_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let key = create_key(dir.path(), "A").await;
    let pepper_file = dir.path().join("key-pepper");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&pepper_file)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "pepper file is owner-only");
    }
    let hash: Vec<u8> = rusqlite::Connection::open(dir.path().join("balto.db"))
        .unwrap()
        .query_row("SELECT hash FROM counter_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!((hash.len(), hash[0]), (33, 2), "a v2 (peppered) hash");

    // The server reads the same pepper: the key works.
    let (mut server, url) = serve(dir.path()).await;
    let ws = authed(&url, &key).await;
    drop(ws);
    server.kill().await.unwrap();

    // With another pepper (a database restored without its pepper file), it does not.
    std::fs::remove_file(&pepper_file).unwrap();
    let (mut server, url) = serve(dir.path()).await;
    let (mut ws, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    send_json(
        &mut ws,
        &serde_json::json!({"comando":"auth","api_key": key}),
    )
    .await;
    assert_eq!(recv_json(&mut ws).await["codigo"], "auth_invalida");
    server.kill().await.unwrap();
}
