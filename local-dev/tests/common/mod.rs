//! Shared test harness: a fresh server on port 0 with its own SQLite file and audio folder,
//! and a small WebSocket client vocabulary.
#![allow(dead_code)]

pub mod browser;

use balto_core::advisor::Advisor;
use balto_core::storage::Storage;
use balto_core::transcriber::{SttError, Transcriber, Transcription};
use balto_local::app::App;
pub use balto_local::limits::Limits;
use balto_local::sqlite_store::SqliteStore;
use balto_local::{counter_keys, server};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Everything a test may want to look at.
pub struct TestApp {
    pub addr: SocketAddr,
    pub store: SqliteStore,
    pub app: Arc<App>,
    pub dir: tempfile::TempDir,
    pub server: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// What to plug into the pipeline.
#[derive(Default)]
pub struct Parts {
    pub transcriber: Option<Arc<dyn Transcriber>>,
    pub advisor: Option<Arc<dyn Advisor>>,
    pub auth_timeout_ms: Option<u64>,
    pub limits: Option<Limits>,
    /// Admin API settings (default: [`ADMIN_SECRET`], default limits).
    pub admin: Option<balto_admin_api::AdminConfig>,
    /// Static files (`<web_dir>/admin/…`); default an empty directory in the temp dir.
    pub web_dir: Option<PathBuf>,
}

/// The admin secret of test servers.
pub const ADMIN_SECRET: &str = "test-admin-secret-0123456789";

pub fn shared_audio(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/audio")
        .join(name)
}

/// Reads a 16 kHz mono s16 WAV fixture.
pub fn read_fixture(name: &str) -> Vec<i16> {
    let mut r = hound::WavReader::open(shared_audio(name)).expect("fixture");
    let spec = r.spec();
    assert_eq!((spec.sample_rate, spec.channels), (16_000, 1), "{name}");
    r.samples::<i16>().map(|s| s.unwrap()).collect()
}

pub fn to_bytes(pcm: &[i16]) -> Vec<u8> {
    pcm.iter().flat_map(|s| s.to_le_bytes()).collect()
}

pub async fn spawn_app(parts: Parts) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("balto.db")).unwrap();
    let admin = parts
        .admin
        .unwrap_or_else(|| balto_admin_api::AdminConfig::new(ADMIN_SECRET));
    let app = App::builder(store.clone(), admin)
        .audio_dir(dir.path().join("audio"))
        .web_dir(parts.web_dir.unwrap_or_else(|| dir.path().join("web")))
        .auth_timeout_ms(parts.auth_timeout_ms.unwrap_or(10_000))
        .limits(parts.limits.unwrap_or_default())
        .transcriber(parts.transcriber)
        .advisor(parts.advisor)
        .key_pepper(balto_core::keys::KeyPepper::new(vec![0x5a; 32]).unwrap())
        .build()
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(server::run(listener, Arc::clone(&app)));
    TestApp {
        addr,
        store,
        app,
        dir,
        server,
    }
}

impl TestApp {
    pub fn url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    pub async fn key(&self, loja: &str, balcao: &str) -> counter_keys::NewKey {
        counter_keys::issue(&self.store, self.app.key_pepper.as_ref(), loja, balcao, 1)
            .await
            .unwrap()
    }

    pub async fn connect(&self) -> Ws {
        connect_async(self.url()).await.expect("connect").0
    }

    /// Connects and authenticates; returns the socket and the `sessao`.
    pub async fn authed(&self, api_key: &str) -> (Ws, String) {
        let mut ws = self.connect().await;
        send_json(
            &mut ws,
            &serde_json::json!({"comando": "auth", "api_key": api_key}),
        )
        .await;
        let msg = recv_json(&mut ws).await;
        assert_eq!(msg["comando"], "auth_ok", "{msg}");
        let sessao = msg["sessao"].as_str().expect("sessao").to_string();
        (ws, sessao)
    }

    /// Waits until the session's row says it ended (the server finished with the socket).
    pub async fn wait_session_ended(&self, sessao: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ended: Option<i64> = {
                let conn = rusqlite::Connection::open(self.dir.path().join("balto.db")).unwrap();
                conn.query_row(
                    "SELECT ended_at_ms FROM sessions WHERE id = ?1",
                    [sessao],
                    |r| r.get(0),
                )
                .unwrap()
            };
            if ended.is_some() {
                return;
            }
            assert!(Instant::now() < deadline, "session {sessao} never ended");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn segments(&self, sessao: &str) -> Vec<balto_core::records::SegmentRecord> {
        self.store.session_segments(sessao).await.unwrap()
    }
}

pub async fn send_json(ws: &mut Ws, v: &Value) {
    ws.send(Message::Text(v.to_string().into())).await.unwrap();
}

pub async fn send_text(ws: &mut Ws, t: &str) {
    ws.send(Message::Text(t.to_string().into())).await.unwrap();
}

pub async fn send_binary(ws: &mut Ws, b: &[u8]) {
    ws.send(Message::Binary(b.to_vec().into())).await.unwrap();
}

/// The next text message as JSON (skipping pings), within 30 s.
pub async fn recv_json(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(30), ws.next())
            .await
            .expect("timed out waiting for a message")
            .expect("socket ended")
            .expect("socket error");
        match msg {
            Message::Text(t) => return serde_json::from_str(t.as_str()).expect("server sent JSON"),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("expected text, got {other:?}"),
        }
    }
}

/// Expects the server to close with `code`, possibly after text messages (returned).
pub async fn expect_close(ws: &mut Ws, code: u16) -> Vec<Value> {
    let mut texts = Vec::new();
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(30), ws.next())
            .await
            .expect("timed out waiting for close");
        match msg {
            Some(Ok(Message::Text(t))) => texts.push(serde_json::from_str(t.as_str()).unwrap()),
            Some(Ok(Message::Close(Some(frame)))) => {
                assert_eq!(frame.code, CloseCode::from(code), "close frame {frame:?}");
                return texts;
            }
            Some(Ok(Message::Close(None))) => panic!("closed without a code"),
            Some(Ok(_)) => continue,
            Some(Err(e)) => panic!("socket error before close: {e}"),
            None => panic!("socket ended without a close frame"),
        }
    }
}

/// Sends a Part 2 segment (header + audio).
pub async fn send_segment(ws: &mut Ws, id: &str, start_ms: u64, pcm: &[i16]) {
    let header = serde_json::json!({
        "comando": "segmento",
        "id": id,
        "inicio_ms": start_ms,
        "duracao_ms": pcm.len() as u64 / 16,
        "formato": "pcm_s16le_16k",
    });
    send_json(ws, &header).await;
    send_binary(ws, &to_bytes(pcm)).await;
}

/// A speech-to-text double that "hears" the same `text` in every segment (checking it was given
/// audio), reported under the provider `name`: the STT seam is not what these tests are about.
pub struct FixedTranscriber {
    pub name: &'static str,
    pub text: &'static str,
}

#[async_trait::async_trait]
impl Transcriber for FixedTranscriber {
    fn name(&self) -> &str {
        self.name
    }
    async fn transcribe(&self, pcm: &[i16]) -> Result<Transcription, SttError> {
        assert!(!pcm.is_empty());
        Ok(Transcription {
            text: self.text.to_string(),
            language: Some("pt".into()),
            words: Vec::new(),
            provider: self.name.into(),
        })
    }
}
