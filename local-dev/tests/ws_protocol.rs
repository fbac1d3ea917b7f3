//! PROTOCOL.md Part 1 (and the Part 2 basics) over a real WebSocket against a real server on
//! port 0 with a real SQLite file.

mod common;

use balto_core::records::SegmentStatus;
use balto_core::storage::Storage;
use common::*;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn auth_ok_carries_a_session_that_is_recorded() {
    let app = spawn_app(Parts::default()).await;
    let key = app.key("Loja Centro", "Balcão 1").await;
    let (_ws, sessao) = app.authed(&key.api_key).await;
    assert!(!sessao.is_empty());
    let conn = rusqlite::Connection::open(app.dir.path().join("balto.db")).unwrap();
    let (loja, balcao): (String, String) = conn
        .query_row(
            "SELECT loja, balcao FROM sessions WHERE id = ?1",
            [&sessao],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (loja.as_str(), balcao.as_str()),
        ("Loja Centro", "Balcão 1")
    );
}

#[tokio::test]
async fn wrong_malformed_and_revoked_keys_get_auth_invalida_and_close_4001() {
    let app = spawn_app(Parts::default()).await;
    let key = app.key("Loja", "B1").await;
    let mut wrong = key.api_key.clone();
    let last = wrong.pop().unwrap();
    wrong.push(if last == '0' { '1' } else { '0' });
    let revoked = app.key("Loja", "B2").await;
    assert!(app.store.revoke_key(&revoked.key_id, 5).await.unwrap());

    let attempts = vec![
        json!({"comando": "auth", "api_key": wrong}),
        json!({"comando": "auth", "api_key": "admin123"}),
        json!({"comando": "auth", "api_key": revoked.api_key}),
        json!({"comando": "auth", "api_key": 42}),
        json!({"comando": "auth"}),
        json!({"comando": "recomendar"}),
    ];
    for attempt in attempts {
        let mut ws = app.connect().await;
        send_json(&mut ws, &attempt).await;
        let texts = expect_close(&mut ws, 4001).await;
        assert_eq!(texts.len(), 1, "{attempt}: {texts:?}");
        assert_eq!(texts[0]["comando"], "erro");
        assert_eq!(texts[0]["codigo"], "auth_invalida", "{attempt}");
        assert!(texts[0]["mensagem"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // Non-JSON first message too.
    let mut ws = app.connect().await;
    send_text(&mut ws, "olá").await;
    let texts = expect_close(&mut ws, 4001).await;
    assert_eq!(texts[0]["codigo"], "auth_invalida");
}

#[tokio::test]
async fn a_storage_failure_during_auth_is_erro_interno_and_1011_not_a_wrong_key() {
    let app = spawn_app(Parts::default()).await;
    let key = app.key("Loja", "B1").await;
    // The database refuses to record sessions (as a full disk or a broken file would).
    let conn = rusqlite::Connection::open(app.dir.path().join("balto.db")).unwrap();
    conn.execute_batch(
        "CREATE TRIGGER sessions_fail BEFORE INSERT ON sessions \
         BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
    )
    .unwrap();
    // More attempts than the failed-auth limit allows: none is charged to the address.
    for _ in 0..12 {
        let mut ws = app.connect().await;
        send_json(&mut ws, &json!({"comando": "auth", "api_key": key.api_key})).await;
        let texts = expect_close(&mut ws, 1011).await;
        assert_eq!(texts.len(), 1, "{texts:?}");
        assert_eq!(texts[0]["comando"], "erro");
        assert_eq!(texts[0]["codigo"], "erro_interno", "not auth_invalida");
        assert!(
            texts[0]["mensagem"]
                .as_str()
                .unwrap()
                .contains("tente novamente")
        );
    }
    // Storage recovers: the same key works at once from the same address.
    conn.execute_batch("DROP TRIGGER sessions_fail").unwrap();
    let (_ws, sessao) = app.authed(&key.api_key).await;
    assert!(!sessao.is_empty());
}

#[tokio::test]
async fn audio_before_auth_closes_with_4001() {
    let app = spawn_app(Parts::default()).await;
    let mut ws = app.connect().await;
    send_binary(&mut ws, &[0u8; 640]).await;
    let texts = expect_close(&mut ws, 4001).await;
    assert_eq!(texts[0]["codigo"], "auth_invalida");
}

#[tokio::test]
async fn silent_client_is_closed_with_4001_after_the_auth_deadline() {
    let app = spawn_app(Parts {
        auth_timeout_ms: Some(400),
        ..Parts::default()
    })
    .await;
    let mut ws = app.connect().await;
    let started = std::time::Instant::now();
    let texts = expect_close(&mut ws, 4001).await;
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(350),
        "closed too early: {waited:?}"
    );
    assert!(
        waited < Duration::from_secs(5),
        "closed too late: {waited:?}"
    );
    assert_eq!(texts[0]["codigo"], "auth_invalida");
}

#[tokio::test]
async fn malformed_messages_get_errors_and_the_session_goes_on() {
    let app = spawn_app(Parts::default()).await;
    let key = app.key("Loja", "B1").await;
    let (mut ws, _) = app.authed(&key.api_key).await;
    let cases = [
        ("{não é json", "json_invalido"),
        ("[1, 2, 3]", "json_invalido"),
        (r#"{"api_key": "x"}"#, "campo_ausente"),
        (r#"{"comando": "dançar"}"#, "comando_desconhecido"),
        (
            r#"{"comando": "auth", "api_key": "de novo"}"#,
            "ja_autenticado",
        ),
    ];
    for (text, code) in cases {
        send_text(&mut ws, text).await;
        let msg = recv_json(&mut ws).await;
        assert_eq!(msg["comando"], "erro", "{text}");
        assert_eq!(msg["codigo"], code, "{text}");
    }
    // Still alive: a Part 2 segment is accepted and acknowledged.
    send_segment(&mut ws, "depois-dos-erros", 0, &vec![0i16; 1600]).await;
    let msg = recv_json(&mut ws).await;
    assert_eq!(
        msg,
        json!({"comando": "segmento_ok", "id": "depois-dos-erros"})
    );
}

#[tokio::test]
async fn oversized_frames_get_frame_grande_and_the_limit_is_inclusive() {
    let app = spawn_app(Parts::default()).await;
    let key = app.key("Loja", "B1").await;
    let (mut ws, sessao) = app.authed(&key.api_key).await;
    send_binary(&mut ws, &vec![0u8; 65_537]).await;
    let msg = recv_json(&mut ws).await;
    assert_eq!(msg["codigo"], "frame_grande");
    // Exactly 64 KiB is fine: no error; the session continues.
    send_binary(&mut ws, &vec![0u8; 65_536]).await;
    send_text(&mut ws, r#"{"comando":"eco"}"#).await;
    let msg = recv_json(&mut ws).await;
    assert_eq!(
        msg["codigo"], "comando_desconhecido",
        "64 KiB frame must not error"
    );
    ws.close(None).await.unwrap();
    app.wait_session_ended(&sessao).await;
}

/// Streams `pcm` in frames of `frame_bytes` and returns the stored segments' audio.
async fn stream_and_collect(
    app: &TestApp,
    api_key: &str,
    pcm: &[i16],
    frame_bytes: usize,
) -> Vec<(u64, u64, Vec<i16>)> {
    let (mut ws, sessao) = app.authed(api_key).await;
    let bytes = to_bytes(pcm);
    for chunk in bytes.chunks(frame_bytes) {
        send_binary(&mut ws, chunk).await;
    }
    ws.close(None).await.unwrap();
    app.wait_session_ended(&sessao).await;
    let mut out = Vec::new();
    for seg in app.segments(&sessao).await {
        assert_eq!(seg.status, SegmentStatus::Stored);
        let audio =
            balto_local::audio_files::read_segment_wav(std::path::Path::new(&seg.audio_ref))
                .unwrap();
        assert_eq!(
            audio.len() as u64 / 16,
            seg.duration_ms,
            "WAV length matches the row"
        );
        out.push((seg.start_ms, seg.duration_ms, audio));
    }
    out
}

#[tokio::test]
async fn odd_length_frames_are_carried_over_without_losing_a_byte() {
    // 96,000 one-byte frames: far over the default message rate, which is not under test here.
    let app = spawn_app(Parts {
        limits: Some(Limits {
            messages_per_s: 1_000_000,
            burst_messages: 1_000_000,
            ..Limits::default()
        }),
        ..Parts::default()
    })
    .await;
    let key = app.key("Loja", "B1").await;
    // Speech, then silence so the segmenter closes on its own.
    let mut pcm = read_fixture("speech/pt1.wav");
    pcm.extend(std::iter::repeat_n(0i16, 16_000));
    let even = stream_and_collect(&app, &key.api_key, &pcm, 640).await;
    let odd = stream_and_collect(&app, &key.api_key, &pcm, 641).await;
    let ones = stream_and_collect(&app, &key.api_key, &pcm[..48_000], 1).await;
    assert!(!even.is_empty(), "the front end found no speech in pt1.wav");
    assert_eq!(
        odd, even,
        "641-byte frames must cut exactly what 640-byte frames cut"
    );
    let even_head = stream_and_collect(&app, &key.api_key, &pcm[..48_000], 640).await;
    assert_eq!(
        ones, even_head,
        "1-byte frames must cut exactly what 640-byte frames cut"
    );
}

#[tokio::test]
async fn silence_is_not_sent_to_stt() {
    let app = spawn_app(Parts::default()).await;
    let key = app.key("Loja", "B1").await;
    let silence = vec![0i16; 16_000 * 5];
    let low_noise: Vec<i16> = (0..16_000 * 5)
        .map(|i| ((i * 7919) % 61) as i16 - 30)
        .collect();
    for pcm in [silence, low_noise] {
        let segs = stream_and_collect(&app, &key.api_key, &pcm, 640).await;
        assert!(segs.is_empty(), "{} segments cut from silence", segs.len());
    }
}

#[tokio::test]
async fn client_segments_are_stored_acknowledged_and_deduplicated_per_key() {
    let app = spawn_app(Parts::default()).await;
    let key = app.key("Loja", "B1").await;
    let other = app.key("Loja", "B2").await;
    let pcm = read_fixture("speech/pt2.wav");
    let (mut ws, sessao) = app.authed(&key.api_key).await;
    send_segment(&mut ws, "seg-A", 1000, &pcm).await;
    assert_eq!(
        recv_json(&mut ws).await,
        json!({"comando": "segmento_ok", "id": "seg-A"})
    );
    // Re-sent after a "reconnect": acknowledged again, stored once.
    let (mut ws2, sessao2) = app.authed(&key.api_key).await;
    send_segment(&mut ws2, "seg-A", 1000, &pcm).await;
    assert_eq!(
        recv_json(&mut ws2).await,
        json!({"comando": "segmento_ok", "id": "seg-A"})
    );
    // The same id from another counter is a different segment.
    let (mut ws3, sessao3) = app.authed(&other.api_key).await;
    send_segment(&mut ws3, "seg-A", 1000, &pcm).await;
    assert_eq!(
        recv_json(&mut ws3).await,
        json!({"comando": "segmento_ok", "id": "seg-A"})
    );
    for ws in [&mut ws, &mut ws2, &mut ws3] {
        ws.close(None).await.unwrap();
    }
    for s in [&sessao, &sessao2, &sessao3] {
        app.wait_session_ended(s).await;
    }
    let first = app.segments(&sessao).await;
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].client_id.as_deref(), Some("seg-A"));
    assert_eq!(first[0].start_ms, 1000);
    let audio =
        balto_local::audio_files::read_segment_wav(std::path::Path::new(&first[0].audio_ref))
            .unwrap();
    assert_eq!(audio, pcm);
    assert!(app.segments(&sessao2).await.is_empty());
    assert_eq!(app.segments(&sessao3).await.len(), 1);
    assert_eq!(app.store.count_segments().await.unwrap(), 2);
}

#[tokio::test]
async fn invalid_segments_get_their_codes_and_the_session_goes_on() {
    let app = spawn_app(Parts::default()).await;
    let key = app.key("Loja", "B1").await;
    let (mut ws, sessao) = app.authed(&key.api_key).await;
    send_json(&mut ws, &json!({"comando":"segmento","id":"x","inicio_ms":0,"duracao_ms":0,"formato":"pcm_s16le_16k"})).await;
    assert_eq!(recv_json(&mut ws).await["codigo"], "segmento_invalido");
    // The binary frame that follows a rejected header is discarded, not treated as raw PCM.
    send_binary(
        &mut ws,
        &to_bytes(&read_fixture("speech/pt1.wav"))[..60_000],
    )
    .await;
    send_json(&mut ws, &json!({"comando":"segmento","id":"y","inicio_ms":0,"duracao_ms":1000,"formato":"pcm_s16le_16k"})).await;
    send_binary(&mut ws, &vec![0u8; 20_000]).await;
    assert_eq!(recv_json(&mut ws).await["codigo"], "segmento_invalido");
    send_json(&mut ws, &json!({"comando":"segmento","id":"z","inicio_ms":0,"duracao_ms":30000,"formato":"pcm_s16le_16k"})).await;
    send_binary(&mut ws, &vec![0u8; 960_002]).await;
    assert_eq!(recv_json(&mut ws).await["codigo"], "segmento_grande");
    send_segment(&mut ws, "ok", 0, &vec![0i16; 16_000]).await;
    assert_eq!(recv_json(&mut ws).await["id"], "ok");
    ws.close(None).await.unwrap();
    app.wait_session_ended(&sessao).await;
    let segs = app.segments(&sessao).await;
    assert_eq!(segs.len(), 1, "only the valid segment is stored: {segs:?}");
}

#[tokio::test]
async fn healthz_answers() {
    let app = spawn_app(Parts::default()).await;
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut body = String::new();
    stream.read_to_string(&mut body).await.unwrap();
    assert!(body.starts_with("HTTP/1.1 200"), "{body}");
    assert!(body.contains("\"status\":\"ok\""), "{body}");
}

#[tokio::test]
async fn shutdown_closes_open_sockets_with_1001() {
    let app = spawn_app(Parts::default()).await;
    let key = app.key("Loja", "B1").await;
    let (mut ws, _) = app.authed(&key.api_key).await;
    app.app.shutdown.cancel();
    expect_close(&mut ws, 1001).await;
    let result = tokio::time::timeout(Duration::from_secs(10), app.server)
        .await
        .expect("server stops after shutdown");
    assert!(result.unwrap().is_ok());
}
