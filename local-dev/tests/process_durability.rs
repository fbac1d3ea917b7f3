//! The real `balto` binary as separate processes: two servers on one database file, and a
//! server killed with SIGKILL mid-session. Nothing acknowledged may be lost or corrupted.

mod common;

use common::*;
use futures_util::StreamExt;
use std::path::Path;
use std::process::Stdio;
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
    let mut child = balto(data)
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
