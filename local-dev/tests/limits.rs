//! The limits of `/ws` over real sockets: connections per key and server-wide, failed `auth`
//! per address, inbound rates (slowed, then refused), and half-open sockets found by ping.

mod common;

use balto_core::storage::Storage;
use common::*;
use futures_util::{SinkExt, StreamExt};
use std::time::{Duration, Instant};
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

async fn app_with(limits: Limits) -> TestApp {
    spawn_app(Parts {
        limits: Some(limits),
        ..Parts::default()
    })
    .await
}

async fn auth(ws: &mut Ws, key: &str) -> serde_json::Value {
    send_json(ws, &serde_json::json!({"comando": "auth", "api_key": key})).await;
    recv_json(ws).await
}

#[tokio::test]
async fn a_key_gets_at_most_its_connections_and_frees_them_on_close() {
    let app = app_with(Limits {
        max_connections_per_key: 2,
        ..Limits::default()
    })
    .await;
    let key = app.key("Loja", "B1").await;
    let other = app.key("Loja", "B2").await;
    let (first, _) = app.authed(&key.api_key).await;
    let (_second, _) = app.authed(&key.api_key).await;
    let mut third = app.connect().await;
    let reply = auth(&mut third, &key.api_key).await;
    assert_eq!(reply["codigo"], "muitas_conexoes", "{reply}");
    expect_close(&mut third, 1008).await;
    // Another key is not affected.
    let _b2 = app.authed(&other.api_key).await;
    // Closing one frees its place.
    drop(first);
    admitted_within_10_s(&app, &key.api_key).await;
}

/// Retries `auth` until the key is admitted again; every refusal meanwhile must be
/// `muitas_conexoes`.
async fn admitted_within_10_s(app: &TestApp, api_key: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut ws = app.connect().await;
        let reply = auth(&mut ws, api_key).await;
        if reply["comando"] == "auth_ok" {
            return;
        }
        assert_eq!(reply["codigo"], "muitas_conexoes", "{reply}");
        assert!(Instant::now() < deadline, "place never freed: {reply}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Speech-to-text that answers only once the test opens it, so a segment stays in flight.
struct HeldTranscriber {
    open: tokio::sync::Semaphore,
    /// Calls under way now, and the most ever under way at once.
    running: std::sync::atomic::AtomicUsize,
    most_running: std::sync::atomic::AtomicUsize,
}

#[async_trait::async_trait]
impl balto_core::transcriber::Transcriber for HeldTranscriber {
    fn name(&self) -> &str {
        "held"
    }
    async fn transcribe(
        &self,
        _pcm: &[i16],
    ) -> Result<balto_core::transcriber::Transcription, balto_core::transcriber::SttError> {
        use std::sync::atomic::Ordering::SeqCst;
        let now = self.running.fetch_add(1, SeqCst) + 1;
        self.most_running.fetch_max(now, SeqCst);
        let _permit = self.open.acquire().await;
        self.running.fetch_sub(1, SeqCst);
        Ok(balto_core::transcriber::Transcription {
            text: "estou com dor de cabeça, o que posso tomar?".into(),
            language: Some("pt".into()),
            words: Vec::new(),
            provider: "held".into(),
        })
    }
}

#[tokio::test]
async fn a_closed_socket_frees_its_key_place_while_its_segments_finish() {
    let held = std::sync::Arc::new(HeldTranscriber {
        open: tokio::sync::Semaphore::new(0),
        running: std::sync::atomic::AtomicUsize::new(0),
        most_running: std::sync::atomic::AtomicUsize::new(0),
    });
    let app = spawn_app(Parts {
        limits: Some(Limits {
            max_connections_per_key: 1,
            ..Limits::default()
        }),
        transcriber: Some(held.clone()),
        advisor: Some(std::sync::Arc::new(
            balto_advisor::rules::RulesAdvisor::with_embedded_catalog(),
        )),
        ..Parts::default()
    })
    .await;
    let key = app.key("Loja", "B1").await;
    let (mut first, sessao) = app.authed(&key.api_key).await;
    send_segment(&mut first, "s1", 0, &vec![900i16; 16_000]).await;
    let ack = recv_json(&mut first).await;
    assert_eq!(ack["comando"], "segmento_ok", "{ack}");
    // The counter's network drops while the segment is still being transcribed.
    first.close(None).await.unwrap();
    drop(first);
    // It reconnects at once with the same key: the place is free although the old socket's
    // segment is not finished.
    admitted_within_10_s(&app, &key.api_key).await;
    assert_eq!(
        app.segments(&sessao).await[0].status,
        balto_core::records::SegmentStatus::Stored,
        "still in flight"
    );
    // The old socket's segment still finishes.
    held.open.add_permits(10);
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.segments(&sessao).await[0].status == balto_core::records::SegmentStatus::Stored {
        assert!(
            Instant::now() < deadline,
            "the drained segment never finished"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Its recommendation is kept for the audit, but not as sent: nobody was there to get it.
    let suggestions = app.store.session_suggestions(&sessao).await.unwrap();
    assert_eq!(suggestions.len(), 1);
    assert!(
        suggestions[0].advice.pushed_product().is_some(),
        "{:?}",
        suggestions[0].advice
    );
    assert!(!suggestions[0].sent, "recorded as sent to a closed socket");
}

#[tokio::test]
async fn segments_beyond_the_task_limit_are_acknowledged_and_wait_without_their_audio() {
    use balto_local::ws_driver::MAX_TASKS_PER_SOCKET;
    let held = std::sync::Arc::new(HeldTranscriber {
        open: tokio::sync::Semaphore::new(0),
        running: std::sync::atomic::AtomicUsize::new(0),
        most_running: std::sync::atomic::AtomicUsize::new(0),
    });
    let app = spawn_app(Parts {
        transcriber: Some(held.clone()),
        ..Parts::default()
    })
    .await;
    let key = app.key("Loja", "B1").await;
    let (mut ws, sessao) = app.authed(&key.api_key).await;
    let total = MAX_TASKS_PER_SOCKET + 4;
    for i in 0..total {
        send_segment(
            &mut ws,
            &format!("s{i}"),
            i as u64 * 2_000,
            &vec![900i16; 16_000],
        )
        .await;
    }
    // Every segment is stored and acknowledged at once, although STT is stuck.
    for i in 0..total {
        let reply = recv_json(&mut ws).await;
        assert_eq!(reply["comando"], "segmento_ok", "{reply}");
        assert_eq!(reply["id"], format!("s{i}"));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        held.running.load(std::sync::atomic::Ordering::SeqCst),
        MAX_TASKS_PER_SOCKET,
        "the rest wait for a task"
    );
    // STT recovers: the waiting ones run too (their audio read back from disk), never more
    // than the limit at once, and every segment is transcribed.
    held.open.add_permits(1_000);
    let mut transcribed = 0;
    while transcribed < total {
        let reply = recv_json(&mut ws).await;
        if reply["comando"] == "transcricao" {
            transcribed += 1;
        }
    }
    assert_eq!(
        held.most_running.load(std::sync::atomic::Ordering::SeqCst),
        MAX_TASKS_PER_SOCKET
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let segments = app.segments(&sessao).await;
        assert_eq!(segments.len(), total);
        if segments
            .iter()
            .all(|s| s.status == balto_core::records::SegmentStatus::Processed)
        {
            break;
        }
        assert!(Instant::now() < deadline, "{segments:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn over_the_server_wide_limit_the_upgrade_gets_503() {
    let app = app_with(Limits {
        max_connections: 2,
        ..Limits::default()
    })
    .await;
    let _a = app.connect().await;
    let _b = app.connect().await;
    match connect_async(app.url()).await {
        Err(WsError::Http(resp)) => {
            assert_eq!(resp.status(), 503);
            assert!(resp.headers().contains_key("retry-after"));
        }
        other => panic!("expected HTTP 503, got {other:?}"),
    }
}

/// The counters of one store share one public address: a counter with a stale key must never
/// lock the others out. Wrong keys are refused after a growing delay; a right key from the same
/// address is accepted at once, whatever its neighbours did.
#[tokio::test]
async fn fifty_wrong_keys_then_the_right_key_from_the_same_address_is_accepted() {
    let app = app_with(Limits {
        auth_failures_per_ip: 3,
        ..Limits::default()
    })
    .await;
    let key = app.key("Loja", "B1").await;
    let started = Instant::now();
    let wrong: Vec<_> = (0..50)
        .map(|_| {
            let url = app.url();
            tokio::spawn(async move {
                let (mut ws, _) = connect_async(url).await.expect("connect");
                let sent = Instant::now();
                let reply = auth(&mut ws, "balto_000000000000_wrong").await;
                let waited = sent.elapsed();
                assert_eq!(reply["codigo"], "auth_invalida", "{reply}");
                expect_close(&mut ws, 4001).await;
                waited
            })
        })
        .collect();
    // Let every wrong key be charged before the right one comes.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut ws = app.connect().await;
    let sent = Instant::now();
    let reply = auth(&mut ws, &key.api_key).await;
    let right_took = sent.elapsed();
    assert_eq!(reply["comando"], "auth_ok", "{reply}");
    assert!(
        right_took < Duration::from_millis(500),
        "the right key waited {right_took:?}"
    );
    let mut waits = Vec::new();
    for task in wrong {
        waits.push(task.await.unwrap());
    }
    waits.sort();
    // Three free failures, then 1 s, 2 s, 4 s … up to 10 s before each refusal.
    assert!(waits[2] < Duration::from_millis(900), "{waits:?}");
    assert!(waits[3] >= Duration::from_secs(1), "{waits:?}");
    assert!(waits[49] >= Duration::from_secs(10), "{waits:?}");
    assert!(started.elapsed() < Duration::from_secs(30));
    // And upgrades from the address were never refused.
    let mut again = app.connect().await;
    assert_eq!(auth(&mut again, &key.api_key).await["comando"], "auth_ok");
}

#[tokio::test]
async fn a_fast_sender_is_slowed_without_loss() {
    let app = app_with(Limits {
        bytes_per_s: 64_000,
        burst_bytes: 64_000,
        ..Limits::default()
    })
    .await;
    let key = app.key("Loja", "B1").await;
    let (mut ws, sessao) = app.authed(&key.api_key).await;
    // 4 × 1 s segments (128 KB) as fast as possible: the 64 KB burst covers two, the other two
    // wait ≈ 0.5 s each at 64 KB/s; all are stored and acknowledged.
    let started = Instant::now();
    for i in 0..4u64 {
        send_segment(&mut ws, &format!("s{i}"), i * 1000, &vec![700i16; 16_000]).await;
    }
    for i in 0..4 {
        let ack = recv_json(&mut ws).await;
        assert_eq!(ack["comando"], "segmento_ok");
        assert_eq!(ack["id"], format!("s{i}"));
    }
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(950), "not slowed: {took:?}");
    assert_eq!(app.segments(&sessao).await.len(), 4);
}

#[tokio::test]
async fn a_sender_that_stays_over_its_rate_is_closed_with_limite_excedido() {
    let app = app_with(Limits {
        bytes_per_s: 64_000,
        burst_bytes: 64_000,
        max_throttled: Duration::from_millis(500),
        ..Limits::default()
    })
    .await;
    let key = app.key("Loja", "B1").await;
    let (mut flood, _) = app.authed(&key.api_key).await;
    let frame = vec![0u8; 32_000];
    let mut codes = Vec::new();
    for _ in 0..20 {
        if flood
            .send(Message::Binary(frame.clone().into()))
            .await
            .is_err()
        {
            break;
        }
    }
    while let Ok(Some(Ok(msg))) = tokio::time::timeout(Duration::from_secs(10), flood.next()).await
    {
        match msg {
            Message::Text(t) => {
                let v: serde_json::Value = serde_json::from_str(t.as_str()).unwrap();
                codes.push(v["codigo"].as_str().unwrap_or_default().to_string());
            }
            Message::Close(frame) => {
                assert_eq!(u16::from(frame.unwrap().code), 1008);
                break;
            }
            _ => {}
        }
    }
    assert!(codes.contains(&"limite_excedido".to_string()), "{codes:?}");
}

#[tokio::test]
async fn a_socket_that_never_answers_pings_is_dropped_and_a_live_one_stays() {
    let app = app_with(Limits {
        ping_interval: Duration::from_millis(150),
        silence_timeout: Duration::from_millis(400),
        ..Limits::default()
    })
    .await;
    let key = app.key("Loja", "B1").await;
    // Half-open: authenticated, then never reads again (so never answers a ping).
    let (silent, silent_session) = app.authed(&key.api_key).await;
    // Live: keeps reading, so tungstenite answers every ping with a pong.
    let (mut live, live_session) = app.authed(&key.api_key).await;
    let reader = tokio::spawn(async move {
        let mut pings = 0;
        let until = Instant::now() + Duration::from_millis(1500);
        while let Ok(Some(Ok(msg))) = tokio::time::timeout_at(until.into(), live.next()).await {
            if matches!(msg, Message::Ping(_)) {
                pings += 1;
            }
        }
        (pings, live)
    });
    app.wait_session_ended(&silent_session).await;
    let (pings, live) = reader.await.unwrap();
    assert!(pings >= 3, "the live socket saw {pings} pings");
    let ended: Option<i64> = rusqlite::Connection::open(app.dir.path().join("balto.db"))
        .unwrap()
        .query_row(
            "SELECT ended_at_ms FROM sessions WHERE id = ?1",
            [&live_session],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(ended, None, "the live socket is still open");
    drop((silent, live));
}
