//! End to end through the real Worker: dynalite (DynamoDB), the `stt-llm` Lambda binary in
//! `BALTO_LOCAL_HTTP` mode (speech-to-text: a local stub answering as ElevenLabs does; advice:
//! the offline rules advisor), and the built Worker under `wrangler dev`, driven by the
//! project's counter client (`balto stream`) in both modes, then the limits shared across
//! sockets (Limiter Durable Objects): a second socket on a key at `MAX_CONNECTIONS_PER_KEY=1`
//! refused and the place freed on close, `CONNECTS_PER_IP_PER_MIN` answered with HTTP 429, and
//! 50 wrong keys from one address (refusals delayed) then the right key from it accepted at
//! once. Each limit is exercised
//! from its own address: wrangler dev passes the client's `CF-Connecting-IP` through, as
//! Cloudflare sets it in production.
//!
//! Skipped unless `BALTO_EDGE_E2E` is set. Prerequisites (scripts/edge-e2e.sh does them all):
//! `scripts/edge-dev.sh install && scripts/edge-dev.sh build`, `scripts/dynamo-local.sh install`,
//! `cargo build -p lambda-stt-llm --bin stt-llm` (or `BALTO_STT_LLM_BIN`).
//!
//! Every process is started in a process group of its own and ended as a whole, and nothing of
//! the run may be left afterwards (`process_group`). `documented_stack` runs the local stack's
//! commands exactly as the documentation shows them (`doc_blocks`).

#[path = "edge_e2e/doc_blocks.rs"]
mod doc_blocks;
#[path = "edge_e2e/documented_stack.rs"]
mod documented_stack;
#[path = "../../lambda-stt-llm/tests/dynalite/mod.rs"]
mod dynalite;
#[path = "edge_e2e/process_group.rs"]
mod process_group;

use balto_core::keys::RANDOM_BYTES_NEEDED;
use balto_core::storage::Storage;
use balto_local::counter_client::{ClientError, StreamMode, StreamOptions, stream_pcm};
use edge_worker::key_record::{KeyRecord, kv_name, parse_pepper};
use futures_util::StreamExt;
use lambda_stt_llm::dynamo::DynamoStore;
use nix::sys::signal::Signal;
use process_group::{Group, processes_referring_to};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SAID: &str = "Estou com dor de cabeça desde ontem, o que posso tomar?";
const SIGNING_SECRET: &str = "e2e-signing-secret-0123456789abcdef";
const SPEECH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/audio/speech/pt1.wav"
);
/// The limits the Worker runs with here (vars in the env file override wrangler.toml's).
const MAX_PER_KEY: usize = 1;
const CONNECTS_PER_MIN: usize = 60;
const AUTH_FAILURES: usize = 3;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens `/ws` as a client at `ip` (the `CF-Connecting-IP` the Worker sees).
async fn connect_from(ws_url: &str, ip: &str) -> Result<Ws, WsError> {
    let mut request = ws_url.into_client_request().expect("ws request");
    request
        .headers_mut()
        .insert("cf-connecting-ip", ip.parse().expect("header value"));
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(ws, _)| ws)
}

/// Sends `auth` and returns the first text answer (within 10 s).
async fn auth(ws: &mut Ws, key: &str) -> Value {
    auth_within(ws, key, Duration::from_secs(10)).await
}

/// Sends `auth` and returns the first text answer, waiting up to `limit` (a refused key from a
/// throttled address is answered only after the address's delay, up to 10 s).
async fn auth_within(ws: &mut Ws, key: &str, limit: Duration) -> Value {
    let msg = serde_json::json!({"comando": "auth", "api_key": key}).to_string();
    futures_util::SinkExt::send(ws, Message::Text(msg.into()))
        .await
        .expect("send auth");
    let next = tokio::time::timeout(limit, async {
        while let Some(Ok(msg)) = ws.next().await {
            if let Message::Text(t) = msg {
                return serde_json::from_str(t.as_str()).expect("JSON");
            }
        }
        Value::Null
    });
    next.await.expect("an answer to auth")
}

/// Reads until the server's close frame; its code.
async fn close_code(ws: &mut Ws) -> Option<u16> {
    tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(Ok(msg)) = ws.next().await {
            if let Message::Close(frame) = msg {
                return frame.map(|f| u16::from(f.code));
            }
        }
        None
    })
    .await
    .expect("a close within 10 s")
}

/// Closes politely and waits for the server's answer.
async fn close_politely(mut ws: Ws) {
    let _ = ws.close(None).await;
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(_)) = ws.next().await {}
    })
    .await;
}

/// The upgrade must be refused with HTTP 429; returns its Retry-After. (The WebSocket client
/// keeps only the body bytes that came with the headers: see [`refusal_text`].)
fn expect_429(result: Result<Ws, WsError>) -> u64 {
    match result {
        Err(WsError::Http(resp)) => {
            assert_eq!(resp.status(), 429);
            resp.headers()["retry-after"]
                .to_str()
                .expect("Retry-After text")
                .parse()
                .expect("Retry-After seconds")
        }
        Err(other) => panic!("expected HTTP 429, got {other:?}"),
        Ok(_) => panic!("expected HTTP 429, the upgrade went through"),
    }
}

/// The whole answer to an upgrade from `ip` that is refused (status, text), over plain HTTP.
async fn refusal_text(base: &str, ip: &str) -> (u16, String) {
    let r = reqwest::Client::new()
        .get(format!("{base}/ws"))
        .header("cf-connecting-ip", ip)
        .header("connection", "Upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .send()
        .await
        .expect("GET /ws");
    let status = r.status().as_u16();
    (status, r.text().await.unwrap_or_default())
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    l.local_addr().expect("local addr").port()
}

fn stt_llm_bin() -> PathBuf {
    if let Ok(p) = std::env::var("BALTO_STT_LLM_BIN") {
        return PathBuf::from(p);
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo().join("target"));
    target.join("debug/stt-llm")
}

/// The `stt-llm` binary as the tests run it (local HTTP, dynalite, the ElevenLabs stub).
fn lambda_command(bin: &Path, dynamo: &str, table: &str, eleven: &str) -> Command {
    let mut lambda = Command::new(bin);
    lambda
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("STT_LLM_SIGNING_SECRET", SIGNING_SECRET)
        .env("DYNAMODB_ENDPOINT", dynamo)
        .env("DYNAMODB_TABLE", table)
        .env("BALTO_ENSURE_TABLE", "1")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("ELEVENLABS_API_KEY", "sk_test_e2e_0123456789abcdef")
        .env("ELEVENLABS_BASE_URL", eleven)
        .env("STT_PROVIDER", "elevenlabs")
        .env("LLM_PROVIDER", "regras")
        .env("RUST_LOG", "info");
    // scripts/edge-e2e.sh ends whatever carries its run's marker if the test itself is killed.
    if let Some(run) = std::env::var_os("BALTO_EDGE_E2E_RUN") {
        lambda.env("BALTO_EDGE_E2E_RUN", run);
    }
    lambda
}

/// The Worker's count of segments posted again (`/healthz`).
async fn relay_retries(base: &str) -> u64 {
    let (_, body) = get(&format!("{base}/healthz")).await;
    let health: Value = serde_json::from_str(&body).expect("healthz JSON");
    health["stats"]["relay_retries"].as_u64().unwrap_or(0)
}

/// A local server answering as ElevenLabs' speech-to-text does, always with [`SAID`].
async fn elevenlabs_stub() -> MockServer {
    let eleven = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/speech-to-text"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "language_code": "por", "language_probability": 0.98, "text": SAID,
            "words": [], "transcription_id": "tr_e2e"
        })))
        .mount(&eleven)
        .await;
    eleven
}

/// Spawns `cmd` in a process group of its own, forwarding its output to ours (prefixed), and
/// returns the first line, on stdout or stderr, containing `marker`.
async fn spawn_until(
    mut cmd: Command,
    name: &'static str,
    marker: &str,
    wait: Duration,
) -> (Group, String) {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut group = Group::spawn(cmd, name).unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
    let child = group.child_mut();
    let (lines, mut seen) = tokio::sync::mpsc::unbounded_channel::<String>();
    let mut out = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let to_us = lines.clone();
    tokio::spawn(async move {
        while let Ok(Some(line)) = out.next_line().await {
            eprintln!("[{name}] {line}");
            let _ = to_us.send(line);
        }
    });
    let mut err = BufReader::new(child.stderr.take().expect("stderr")).lines();
    tokio::spawn(async move {
        while let Ok(Some(line)) = err.next_line().await {
            eprintln!("[{name}] {line}");
            let _ = lines.send(line);
        }
    });
    let found = tokio::time::timeout(wait, async {
        while let Some(line) = seen.recv().await {
            if line.contains(marker) {
                return Some(line);
            }
        }
        None
    })
    .await
    .ok()
    .flatten()
    .unwrap_or_else(|| panic!("{name} did not print {marker:?} within {wait:?}"));
    (group, found)
}

async fn get(url: &str) -> (u16, String) {
    let r = reqwest::get(url).await.expect("GET");
    let status = r.status().as_u16();
    (status, r.text().await.unwrap_or_default())
}

fn kinds(messages: &[Value], comando: &str) -> usize {
    messages.iter().filter(|m| m["comando"] == comando).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counters_run_through_the_worker_the_lambda_and_dynamodb() {
    if std::env::var_os("BALTO_EDGE_E2E").is_none() {
        eprintln!(
            "edge_e2e skipped: set BALTO_EDGE_E2E=1 to run it (scripts/edge-e2e.sh prepares and runs it)"
        );
        return;
    }
    let started = Instant::now();
    let speech = vad_wasm::decode::decode_file(Path::new(SPEECH)).expect("speech file");

    // DynamoDB and the STT stub.
    let db = dynalite::start().await;
    let table = format!("balto-edge-e2e-{}", std::process::id());
    let eleven = elevenlabs_stub().await;

    // The Lambda on a plain socket.
    let bin = stt_llm_bin();
    assert!(
        bin.is_file(),
        "{} is missing: cargo build -p lambda-stt-llm --bin stt-llm",
        bin.display()
    );
    let mut lambda = lambda_command(&bin, &db.endpoint, &table, &eleven.uri());
    lambda.env("BALTO_LOCAL_HTTP", "127.0.0.1:0");
    let (lambda_group, line) =
        spawn_until(lambda, "stt-llm", "listening on", Duration::from_secs(60)).await;
    let lambda_url = line.rsplit(' ').next().expect("address").trim().to_string();

    // The Worker under wrangler dev, with its local secrets and a counter key in local KV.
    let state = std::env::temp_dir().join(format!("balto-edge-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&state);
    std::fs::create_dir_all(&state).expect("state dir");
    let pepper_hex = "5e".repeat(32);
    let env_file = state.join("e2e.dev.vars");
    std::fs::write(
        &env_file,
        format!(
            "STT_LLM_URL={lambda_url}\nSTT_LLM_SIGNING_SECRET={SIGNING_SECRET}\nKEY_PEPPER={pepper_hex}\nRELAY_TIMEOUT_MS=20000\nAUTH_TIMEOUT_MS=1500\nMAX_CONNECTIONS_PER_KEY={MAX_PER_KEY}\nCONNECTS_PER_IP_PER_MIN={CONNECTS_PER_MIN}\nAUTH_FAILURES_PER_IP={AUTH_FAILURES}\n"
        ),
    )
    .expect("write the env file");
    let mut random = [0u8; RANDOM_BYTES_NEEDED];
    getrandom::fill(&mut random).expect("randomness");
    let pepper = parse_pepper(&pepper_hex).expect("pepper");
    let (api_key, record) = KeyRecord::issue(&random, Some(&pepper), "Loja E2E", "Balcão 1", 0);
    getrandom::fill(&mut random).expect("randomness");
    let (key2, record2) = KeyRecord::issue(&random, Some(&pepper), "Loja E2E", "Balcão 2", 0);
    // A third key whose KV record is unreadable (a bad manual edit): a server-side fault.
    getrandom::fill(&mut random).expect("randomness");
    let (key3, record3) = KeyRecord::issue(&random, Some(&pepper), "Loja E2E", "Balcão 3", 0);
    getrandom::fill(&mut random).expect("randomness");
    let (key4, record4) = KeyRecord::issue(&random, Some(&pepper), "Loja E2E", "Balcão 4", 0);
    let script = repo().join("scripts/edge-dev.sh");
    for (name, value) in [
        (kv_name(&record.key_id), record.to_json()),
        (kv_name(&record2.key_id), record2.to_json()),
        (kv_name(&record4.key_id), record4.to_json()),
        (kv_name(&record3.key_id), "{\"key_id\": ".to_string()),
    ] {
        let put = Command::new(&script)
            .args(["kv-put", &name, &value])
            .env("BALTO_EDGE_STATE", &state)
            .output()
            .await
            .expect("run edge-dev.sh kv-put");
        assert!(
            put.status.success(),
            "kv-put failed: {}",
            String::from_utf8_lossy(&put.stderr)
        );
    }

    let port = free_port();
    let mut wrangler = Command::new(&script);
    wrangler
        .args(["start", &port.to_string()])
        .env("BALTO_EDGE_STATE", &state)
        .env("BALTO_EDGE_ENV_FILE", &env_file)
        .env("BALTO_EDGE_NO_BUILD", "1");
    let (worker, _) = spawn_until(wrangler, "wrangler", "Ready on", Duration::from_secs(120)).await;
    let base = format!("http://127.0.0.1:{port}");
    let ws_url = format!("ws://127.0.0.1:{port}/ws");
    eprintln!("edge_e2e: stack up after {:?}", started.elapsed());

    // Plain routes.
    let (status, body) = get(&format!("{base}/healthz")).await;
    assert_eq!(status, 200, "{body}");
    let health: Value = serde_json::from_str(&body).expect("healthz JSON");
    assert_eq!(health["status"], "ok");
    assert_eq!(get(&format!("{base}/nope")).await.0, 404);
    assert_eq!(get(&format!("{base}/ws")).await.0, 426);

    // A wrong key and a malformed one: auth_invalida, then 4001.
    for bad in [
        format!("balto_{}_{}", record.key_id, "00".repeat(32)),
        "not-a-key".to_string(),
    ] {
        let opts = StreamOptions::new(&ws_url, bad, StreamMode::Raw);
        match stream_pcm(&speech.pcm[..16_000], &opts, |_| {}).await {
            Err(ClientError::AuthRefused { codigo, .. }) => assert_eq!(codigo, "auth_invalida"),
            other => panic!("a wrong key must be refused, got {other:?}"),
        }
    }
    // No auth within AUTH_TIMEOUT_MS: auth_invalida and close code 4001.
    let (mut ws, _) = tokio_tungstenite::connect_async(ws_url.as_str())
        .await
        .expect("connect");
    let mut seen = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(Ok(msg)) = ws.next().await {
            match msg {
                Message::Text(t) => seen.push(t.to_string()),
                Message::Close(frame) => return frame.map(|f| u16::from(f.code)),
                _ => {}
            }
        }
        None
    })
    .await
    .expect("the auth deadline closes the socket");
    assert_eq!(closed, Some(4001), "{seen:?}");
    assert!(seen.iter().any(|t| t.contains("auth_invalida")), "{seen:?}");
    let _ = ws.close(None).await;

    // An unreadable key record is the server's fault: erro_interno and 1011, not a wrong key.
    let mut ws = connect_from(&ws_url, "203.0.113.77")
        .await
        .expect("connect");
    let answer = auth(&mut ws, &key3).await;
    assert_eq!(answer["codigo"], "erro_interno", "{answer}");
    assert_eq!(close_code(&mut ws).await, Some(1011));

    let store = DynamoStore::new(dynalite::client(&db.endpoint), table.clone());

    // Part 1: raw PCM, cut by the Worker's front end.
    let t = Instant::now();
    let mut raw = StreamOptions::new(&ws_url, &api_key, StreamMode::Raw);
    raw.quiet = Duration::from_secs(4);
    raw.deadline = Duration::from_secs(120);
    let outcome = stream_pcm(&speech.pcm, &raw, |_| {})
        .await
        .expect("raw stream");
    eprintln!(
        "edge_e2e: raw {} ms of audio, {} frames, {:?}: {:?}",
        outcome.audio_ms,
        outcome.frames_sent,
        t.elapsed(),
        outcome.messages
    );
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    let raw_session = outcome.sessao.clone().expect("auth_ok");
    assert!(
        kinds(&outcome.messages, "recomendar") >= 1,
        "{:?}",
        outcome.messages
    );

    // Part 2: segments cut by the client.
    let t = Instant::now();
    let seg = StreamOptions::new(&ws_url, &api_key, StreamMode::Segments);
    let outcome = stream_pcm(&speech.pcm, &seg, |_| {})
        .await
        .expect("segment stream");
    eprintln!(
        "edge_e2e: segments: {} sent, {} acked, {} transcripts, {:?}: {:?}",
        outcome.segments_sent,
        outcome.segments_acked,
        outcome.transcripts,
        t.elapsed(),
        outcome.messages
    );
    assert!(outcome.is_clean(), "{:?}", outcome.errors);
    assert!(outcome.segments_sent >= 1);
    assert_eq!(outcome.segments_acked, outcome.segments_sent);
    assert_eq!(outcome.transcripts, outcome.segments_sent);
    assert!(
        kinds(&outcome.messages, "recomendar") >= 1,
        "{:?}",
        outcome.messages
    );
    let seg_session = outcome.sessao.clone().expect("auth_ok");

    // Both sessions' segments are in DynamoDB, transcribed by the Lambda.
    let stored = store
        .session_segments(&seg_session)
        .await
        .expect("query segments");
    assert_eq!(stored.len(), outcome.segments_sent, "{stored:?}");
    assert!(stored.iter().all(|s| s.client_id.is_some()));
    let stored_raw = store
        .session_segments(&raw_session)
        .await
        .expect("query segments");
    assert!(!stored_raw.is_empty(), "raw-mode segments must be stored");
    assert!(stored_raw.iter().all(|s| s.seq.is_some()));
    let transcripts = store
        .segment_transcripts(&stored[0].id)
        .await
        .expect("query transcripts");
    assert!(
        transcripts.iter().any(|t| t.text == SAID),
        "{transcripts:?}"
    );

    // Per key: at MAX_CONNECTIONS_PER_KEY=1 a second socket is refused as local-dev refuses
    // it (muitas_conexoes, close 1008), and closing the first frees the place.
    let t = Instant::now();
    let ip = "198.51.100.1";
    let mut first = connect_from(&ws_url, ip).await.expect("connect");
    let reply = auth(&mut first, &key2).await;
    assert_eq!(reply["comando"], "auth_ok", "{reply}");
    let mut second = connect_from(&ws_url, ip).await.expect("connect");
    let reply = auth(&mut second, &key2).await;
    assert_eq!(reply["codigo"], "muitas_conexoes", "{reply}");
    assert_eq!(close_code(&mut second).await, Some(1008));
    // Another key is not affected.
    let mut other = connect_from(&ws_url, ip).await.expect("connect");
    assert_eq!(auth(&mut other, &api_key).await["comando"], "auth_ok");
    close_politely(other).await;
    close_politely(first).await;
    let freed = Instant::now();
    let mut attempts = 0;
    let third = loop {
        attempts += 1;
        let mut ws = connect_from(&ws_url, ip).await.expect("connect");
        let reply = auth(&mut ws, &key2).await;
        if reply["comando"] == "auth_ok" {
            break ws;
        }
        assert_eq!(reply["codigo"], "muitas_conexoes", "{reply}");
        assert!(
            freed.elapsed() < Duration::from_secs(10),
            "the place was never freed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    close_politely(third).await;
    eprintln!(
        "edge_e2e: per-key limit: refused, then free after the close on attempt {attempts} ({:?}); section {:?}",
        freed.elapsed(),
        t.elapsed()
    );

    // Per address: CONNECTS_PER_IP_PER_MIN upgrades a minute, then HTTP 429 with Retry-After;
    // other addresses are not affected.
    let t = Instant::now();
    let ip = "198.51.100.2";
    for i in 0..CONNECTS_PER_MIN {
        let ws = connect_from(&ws_url, ip)
            .await
            .unwrap_or_else(|e| panic!("upgrade {i} refused: {e:?}"));
        drop(ws);
    }
    let wait = expect_429(connect_from(&ws_url, ip).await);
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    let (status, body) = refusal_text(&base, ip).await;
    assert_eq!(status, 429);
    assert!(body.contains("muitas conexões novas"), "{body}");
    drop(
        connect_from(&ws_url, "198.51.100.9")
            .await
            .expect("another address"),
    );
    eprintln!(
        "edge_e2e: per-address upgrade limit: 429 after {CONNECTS_PER_MIN} (Retry-After {wait} s); section {:?}",
        t.elapsed()
    );

    // Failed auth per address: 50 wrong keys from one address are refused, past the free
    // AUTH_FAILURES_PER_IP after a growing delay; the right key from the same address is
    // accepted at once (the counters of a store share its address).
    let t = Instant::now();
    let ip = "198.51.100.3";
    let wrong_key = format!("balto_{}_{}", record2.key_id, "00".repeat(32));
    let wrong: Vec<_> = (0..50)
        .map(|_| {
            let (url, key) = (ws_url.clone(), wrong_key.clone());
            tokio::spawn(async move {
                let mut ws = connect_from(&url, ip).await.expect("connect");
                let sent = Instant::now();
                let reply = auth_within(&mut ws, &key, Duration::from_secs(40)).await;
                assert_eq!(reply["codigo"], "auth_invalida", "{reply}");
                assert_eq!(close_code(&mut ws).await, Some(4001));
                sent.elapsed()
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let mut right = connect_from(&ws_url, ip).await.expect("connect");
    let sent = Instant::now();
    let reply = auth(&mut right, &key2).await;
    let right_took = sent.elapsed();
    assert_eq!(
        reply["comando"], "auth_ok",
        "a right key after 50 wrong: {reply}"
    );
    let mut waits = Vec::new();
    for task in wrong {
        waits.push(task.await.expect("wrong-key client"));
    }
    waits.sort();
    assert!(
        waits[AUTH_FAILURES] >= Duration::from_secs(1),
        "refusals past the free ones are delayed: {waits:?}"
    );
    close_politely(right).await;
    eprintln!(
        "edge_e2e: 50 wrong keys then the right one from {ip}: auth_ok in {right_took:?}; refusals took {:?} .. {:?}; section {:?}",
        waits[0],
        waits[49],
        t.elapsed()
    );

    // The Lambda gone: every segment gets erro_interno, nothing is acknowledged, the session
    // goes on (the client may re-send).
    lambda_group.stop(Signal::SIGKILL).await;
    let mut down = StreamOptions::new(&ws_url, &api_key, StreamMode::Segments);
    down.deadline = Duration::from_secs(15);
    let mut seen = Vec::new();
    let result = stream_pcm(&speech.pcm, &down, |m| seen.push(m.clone())).await;
    assert!(
        matches!(result, Err(ClientError::Timeout(_))),
        "unacknowledged segments: {result:?}"
    );
    assert_eq!(kinds(&seen, "segmento_ok"), 0, "{seen:?}");
    let internal = seen
        .iter()
        .filter(|m| m["comando"] == "erro" && m["codigo"] == "erro_interno")
        .count();
    assert!(internal >= 1, "{seen:?}");
    eprintln!("edge_e2e: with the Lambda down: {seen:?}");

    // Raw audio while the Lambda is down: the Worker keeps the cut segment and posts it again
    // (1 s, 2 s, 4 s apart); the Lambda comes back on its address meanwhile and nothing is lost.
    let t = Instant::now();
    let retries_before = relay_retries(&base).await;
    let mut raw = StreamOptions::new(&ws_url, &key4, StreamMode::Raw);
    raw.quiet = Duration::from_secs(12);
    raw.deadline = Duration::from_secs(90);
    let pcm = speech.pcm.clone();
    let streaming = tokio::spawn(async move { stream_pcm(&pcm, &raw, |_| {}).await });
    let retry_deadline = Instant::now() + Duration::from_secs(60);
    while relay_retries(&base).await == retries_before {
        assert!(
            Instant::now() < retry_deadline,
            "no segment was posted again"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let address = lambda_url.trim_start_matches("http://").to_string();
    let mut lambda = lambda_command(&bin, &db.endpoint, &table, &eleven.uri());
    lambda.env("BALTO_LOCAL_HTTP", &address);
    let (lambda_again, _) =
        spawn_until(lambda, "stt-llm", "listening on", Duration::from_secs(60)).await;
    let outcome = streaming
        .await
        .expect("stream task")
        .expect("raw stream over a Lambda outage");
    eprintln!(
        "edge_e2e: raw audio across a Lambda restart, {:?}: {:?}",
        t.elapsed(),
        outcome.messages
    );
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    assert!(
        kinds(&outcome.messages, "recomendar") >= 1,
        "{:?}",
        outcome.messages
    );
    let stored_raw = store
        .session_segments(outcome.sessao.as_deref().expect("auth_ok"))
        .await
        .expect("query segments");
    assert!(!stored_raw.is_empty(), "the retried segment is stored");

    let (_, body) = get(&format!("{base}/healthz")).await;
    eprintln!("edge_e2e: healthz after the run: {body}");
    let health: Value = serde_json::from_str(&body).expect("healthz JSON");
    let limiter = &health["stats"]["limiter_wall"];
    eprintln!(
        "edge_e2e: limiter round trip: {} calls, mean {:.1} ms, max {} ms",
        limiter["count"],
        limiter["mean_ms"].as_f64().unwrap_or(0.0),
        limiter["max_ms"]
    );
    // Refused by a limit: twice muitas_conexoes (the key's connection limit) and once HTTP 429
    // (upgrades per address). Wrong keys are never "limited": they are delayed, and counted so.
    assert!(
        health["stats"]["limited"].as_u64().unwrap_or(0) >= 3,
        "{body}"
    );
    assert!(
        health["stats"]["auth_delayed"].as_u64().unwrap_or(0) >= 40,
        "50 wrong keys from one address, past the free ones, are delayed: {body}"
    );
    stop_and_check_nothing_is_left(worker, lambda_again, &state).await;
    eprintln!("edge_e2e: whole test {:?}", started.elapsed());
    let _ = std::fs::remove_dir_all(&state);
}

/// Ends the Worker (SIGTERM to `scripts/edge-dev.sh start`, which ends wrangler's own group) and
/// the Lambda, each group within the grace period; nothing that refers to the run's state
/// directory may still run: no workerd, no esbuild, no wrangler.
async fn stop_and_check_nothing_is_left(worker: Group, lambda: Group, state: &Path) {
    let stopped = worker.stop(Signal::SIGTERM).await;
    assert!(
        !stopped.killed,
        "wrangler did not stop on SIGTERM: {stopped:?}"
    );
    let lambda_stopped = lambda.stop(Signal::SIGTERM).await;
    assert!(
        !lambda_stopped.killed,
        "stt-llm's group did not end on SIGTERM: {lambda_stopped:?}"
    );
    let left = processes_referring_to(state);
    assert!(left.is_empty(), "left running: {left:#?}");
}
