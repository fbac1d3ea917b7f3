//! The admin API over a real server (port 0) and a real SQLite file: authentication, throttling,
//! expiry, CSRF, body limits, inert injection strings, history filters and paging, reviews →
//! accuracy, exports read back, backup, audio, live status, `/metrics` and the secret file.

mod common;

use balto_admin_api::{AdminConfig, ThrottlePolicy};
use balto_core::admin::{
    AccuracyReport, CSRF_HEADER, ComparisonReport, CreatedKey, LiveSnapshot, LoginResponse, Page,
    SegmentDetail, SegmentRow, SessionDetail, SessionSummary,
};
use balto_core::admin_store::AdminStore;
use balto_core::advice::{Advice, Category, Confidence, Decision};
use balto_core::attempt::{Attempt, AttemptOutcome};
use balto_core::records::{
    SegmentRecord, SegmentStatus, SessionRecord, SuggestionRecord, TranscriptRecord,
};
use balto_core::storage::Storage;
use common::{ADMIN_SECRET, Parts, TestApp, expect_close, send_binary, send_json, spawn_app};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn base(app: &TestApp) -> String {
    format!("http://{}", app.addr)
}

async fn login(app: &TestApp) -> String {
    let resp = client()
        .post(format!("{}/api/admin/login", base(app)))
        .header(CSRF_HEADER, "1")
        .json(&json!({"secret": ADMIN_SECRET}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json::<LoginResponse>().await.unwrap().token
}

/// An authenticated request (bearer + CSRF header).
fn authed(app: &TestApp, token: &str, method: Method, path: &str) -> reqwest::RequestBuilder {
    client()
        .request(method, format!("{}/api/admin{path}", base(app)))
        .bearer_auth(token)
        .header(CSRF_HEADER, "1")
}

async fn get_json<T: serde::de::DeserializeOwned>(app: &TestApp, token: &str, path: &str) -> T {
    let resp = authed(app, token, Method::GET, path).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    resp.json().await.unwrap()
}

/// The routes documented in `core/src/admin.rs` (the table `h2b` and the docs use).
fn documented_routes() -> Vec<(Method, String)> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../core/src/admin.rs"))
            .unwrap();
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("//! | ") else {
            continue;
        };
        let cells: Vec<&str> = rest.split(" | ").collect();
        let method = match cells[0].trim() {
            "GET" => Method::GET,
            "POST" => Method::POST,
            "PUT" => Method::PUT,
            "DELETE" => Method::DELETE,
            _ => continue,
        };
        let Some(path) = cells.get(1) else { continue };
        let path = path.trim().trim_matches('`');
        let path = path
            .split('?')
            .next()
            .unwrap()
            .replace("{id}", "x")
            .replace("{key_id}", "x");
        out.push((method, path.trim_end_matches('`').to_string()));
    }
    out
}

#[tokio::test]
async fn every_admin_route_answers_401_without_a_valid_session() {
    let app = spawn_app(Parts::default()).await;
    let routes = documented_routes();
    assert!(routes.len() >= 20, "route table not found: {routes:?}");
    let forged =
        balto_core::admin_auth::TokenKey::from_secret("not-the-secret").sign(0, i64::MAX, &[1; 16]);
    for (method, path) in routes.iter().filter(|(_, p)| p != "/login") {
        for auth in [None, Some("garbage"), Some(forged.as_str())] {
            let mut req = client()
                .request(method.clone(), format!("{}/api/admin{path}", base(&app)))
                .header(CSRF_HEADER, "1");
            if let Some(t) = auth {
                req = req.bearer_auth(t);
            }
            let resp = req.send().await.unwrap();
            assert_eq!(
                resp.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path} {auth:?}"
            );
            let body: Value = resp.json().await.unwrap();
            assert!(body["error"].is_string());
        }
    }
    // The same routes answer (not 401) with a session.
    let token = login(&app).await;
    for (method, path) in routes
        .iter()
        .filter(|(m, p)| p != "/login" && *m == Method::GET)
    {
        let resp = authed(&app, &token, method.clone(), path)
            .send()
            .await
            .unwrap();
        assert_ne!(resp.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
        assert_ne!(
            resp.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        if path.starts_with("/live/stream") {
            continue;
        }
        // Security headers on every answer.
        assert_eq!(
            resp.headers()["x-content-type-options"],
            "nosniff",
            "{path}"
        );
        assert_eq!(resp.headers()["cache-control"], "no-store", "{path}");
    }
}

#[tokio::test]
async fn login_sets_a_strict_httponly_cookie_that_authenticates_and_logout_revokes() {
    let app = spawn_app(Parts::default()).await;
    let resp = client()
        .post(format!("{}/api/admin/login", base(&app)))
        .header(CSRF_HEADER, "1")
        .json(&json!({"secret": ADMIN_SECRET}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain-http local-dev: {cookie}");
    let pair = cookie.split(';').next().unwrap().to_string();
    let by_cookie = client()
        .get(format!("{}/api/admin/session", base(&app)))
        .header("cookie", &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(by_cookie.status(), StatusCode::OK);
    let logout = client()
        .post(format!("{}/api/admin/logout", base(&app)))
        .header("cookie", &pair)
        .header(CSRF_HEADER, "1")
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    assert!(
        logout.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let after = client()
        .get(format!("{}/api/admin/session", base(&app)))
        .header("cookie", &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn wrong_secrets_are_refused_then_throttled_with_retry_after() {
    let mut admin = AdminConfig::new(ADMIN_SECRET);
    admin.throttle = ThrottlePolicy {
        free_failures: 2,
        base_block: Duration::from_secs(1),
        max_block: Duration::from_secs(60),
    };
    let app = spawn_app(Parts {
        admin: Some(admin),
        ..Parts::default()
    })
    .await;
    let try_login = |secret: &'static str| {
        client()
            .post(format!("{}/api/admin/login", base(&app)))
            .header(CSRF_HEADER, "1")
            .json(&json!({ "secret": secret }))
            .send()
    };
    for _ in 0..2 {
        let refused = try_login("wrong").await.unwrap();
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        assert!(
            refused
                .text()
                .await
                .unwrap()
                .contains("segredo de administração incorreto")
        );
    }
    let blocked = try_login("wrong").await.unwrap();
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(blocked.headers()["retry-after"], "1");
    // Even the right secret waits out the block.
    let during = try_login(ADMIN_SECRET).await.unwrap();
    assert_eq!(during.status(), StatusCode::TOO_MANY_REQUESTS);
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    assert_eq!(
        try_login(ADMIN_SECRET).await.unwrap().status(),
        StatusCode::OK
    );
    // An empty secret is just wrong, a malformed body is a 400.
    assert_eq!(
        try_login("").await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let bad = client()
        .post(format!("{}/api/admin/login", base(&app)))
        .header(CSRF_HEADER, "1")
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn session_tokens_expire() {
    let mut admin = AdminConfig::new(ADMIN_SECRET);
    admin.session_ttl = Duration::from_secs(1);
    let app = spawn_app(Parts {
        admin: Some(admin),
        ..Parts::default()
    })
    .await;
    let token = login(&app).await;
    let ok = authed(&app, &token, Method::GET, "/session")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let late = authed(&app, &token, Method::GET, "/session")
        .send()
        .await
        .unwrap();
    assert_eq!(late.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn writes_need_the_csrf_header_and_a_same_origin() {
    let app = spawn_app(Parts::default()).await;
    let token = login(&app).await;
    let url = format!("{}/api/admin/keys", base(&app));
    let body = json!({"store": "Loja 1", "counter": "B1"});
    let no_header = client()
        .post(&url)
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(no_header.status(), StatusCode::FORBIDDEN);
    let cross = client()
        .post(&url)
        .bearer_auth(&token)
        .header(CSRF_HEADER, "1")
        .header("origin", "https://evil.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);
    let login_cross = client()
        .post(format!("{}/api/admin/login", base(&app)))
        .json(&json!({"secret": ADMIN_SECRET}))
        .send()
        .await
        .unwrap();
    assert_eq!(login_cross.status(), StatusCode::FORBIDDEN);
    let same = client()
        .post(&url)
        .bearer_auth(&token)
        .header(CSRF_HEADER, "1")
        .header("origin", base(&app))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), StatusCode::CREATED);
    let created: CreatedKey = same.json().await.unwrap();
    assert!(created.api_key.contains(&created.key_id));
    // The key works on /ws, is listed without its secret, and revoking it is final.
    let (_ws, _sessao) = app.authed(&created.api_key).await;
    let keys: Value = get_json(&app, &token, "/keys").await;
    assert_eq!(keys[0]["key_id"], created.key_id.as_str());
    assert!(!keys.to_string().contains(&created.api_key));
    let del = authed(
        &app,
        &token,
        Method::DELETE,
        &format!("/keys/{}", created.key_id),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(del.status(), StatusCode::NO_CONTENT);
    let again = authed(&app, &token, Method::DELETE, "/keys/ffffffffffff")
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn oversized_bodies_get_413() {
    let app = spawn_app(Parts::default()).await;
    let big = "x".repeat(200 * 1024);
    let resp = client()
        .post(format!("{}/api/admin/login", base(&app)))
        .header(CSRF_HEADER, "1")
        .header("content-type", "application/json")
        .body(format!("{{\"secret\": \"{big}\"}}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let token = login(&app).await;
    let resp = authed(&app, &token, Method::PUT, "/segments/x/suggestion-review")
        .header("content-type", "application/json")
        .body(format!("{{\"verdict\": \"certa\", \"note\": \"{big}\"}}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

/// What [`seed`] created.
struct Seeded {
    /// (segment id, store, provider, transcript, decision, category)
    segments: Vec<String>,
}

async fn seed_segment(
    app: &TestApp,
    session: &SessionRecord,
    n: u64,
    provider: &str,
    transcript: &str,
    advice: Advice,
) -> String {
    let id = format!("{}-seg{n}", session.id);
    let pcm: Vec<i16> = (0..16_000).map(|i| ((i % 50) * 100) as i16).collect();
    let path =
        balto_local::audio_files::write_segment_wav(&app.app.audio_dir, &session.id, &id, &pcm)
            .unwrap();
    let store: &dyn Storage = &app.store;
    store
        .insert_segment(SegmentRecord {
            id: id.clone(),
            session_id: session.id.clone(),
            key_id: session.key_id.clone(),
            client_id: None,
            seq: Some(n),
            start_ms: n * 1000,
            duration_ms: 1000,
            audio_ref: path.display().to_string(),
            created_at_ms: session.started_at_ms + n as i64 * 1000,
            status: SegmentStatus::Stored,
            attempts: 0,
            last_error: None,
        })
        .await
        .unwrap();
    store
        .insert_transcript(TranscriptRecord {
            segment_id: id.clone(),
            provider: provider.into(),
            text: transcript.into(),
            language: Some("pt".into()),
            latency_ms: 100 * (n + 1),
            created_at_ms: session.started_at_ms + n as i64 * 1000 + 500,
        })
        .await
        .unwrap();
    store
        .insert_attempts(
            &id,
            "stt",
            &[Attempt {
                provider: provider.into(),
                attempt: 1,
                started_ms: 0,
                latency_ms: 100 * (n + 1),
                outcome: AttemptOutcome::Ok,
                error: None,
            }],
        )
        .await
        .unwrap();
    store
        .insert_suggestion(SuggestionRecord {
            segment_id: id.clone(),
            session_id: session.id.clone(),
            advisor: "regras".into(),
            advice,
            base_transcript: transcript.into(),
            sent: true,
            latency_ms: 5,
            created_at_ms: session.started_at_ms + n as i64 * 1000 + 600,
        })
        .await
        .unwrap();
    store
        .set_segment_status(&id, SegmentStatus::Processed, None)
        .await
        .unwrap();
    id
}

fn recommend(category: Category, confidence: Confidence) -> Advice {
    Advice {
        decision: Decision::Recomendar,
        category: Some(category),
        product: Some("Dipirona 500 mg".into()),
        explanation: "dor".into(),
        confidence,
    }
}

/// Two stores; store A has 3 segments (whisper), store B has 2 (elevenlabs).
async fn seed(app: &TestApp) -> Seeded {
    let mut segments = Vec::new();
    for (store_name, provider, count, t0) in [
        ("Loja A", "whisper", 3u64, 1_700_000_000_000i64),
        ("Loja B", "elevenlabs", 2, 1_700_000_100_000),
    ] {
        let key = app.key(store_name, "B1").await;
        let session = SessionRecord {
            id: format!("sess-{}", &store_name[5..]),
            key_id: key.key_id.clone(),
            store: store_name.into(),
            counter: "B1".into(),
            started_at_ms: t0,
            ended_at_ms: Some(t0 + 60_000),
        };
        app.store.open_session(session.clone()).await.unwrap();
        for n in 0..count {
            let (text, advice) = if n == 0 {
                (
                    "estou com dor de cabeça",
                    recommend(Category::DorFebre, Confidence::Alta),
                )
            } else if n == 1 {
                (
                    "tosse seca há dois dias",
                    recommend(Category::Tosse, Confidence::Media),
                )
            } else {
                ("bom dia quanto custa", Advice::nothing("conversa"))
            };
            segments.push(seed_segment(app, &session, n, provider, text, advice).await);
        }
    }
    Seeded { segments }
}

#[tokio::test]
async fn history_filters_search_and_pagination() {
    let app = spawn_app(Parts::default()).await;
    let s = seed(&app).await;
    let token = login(&app).await;
    let all: Page<SegmentRow> = get_json(&app, &token, "/segments").await;
    assert_eq!(all.total, 5);
    // Newest first.
    assert_eq!(all.items[0].segment_id, s.segments[4]);
    let a: Page<SegmentRow> = get_json(&app, &token, "/segments?store=Loja%20A").await;
    assert_eq!(a.total, 3);
    assert!(
        a.items
            .iter()
            .all(|r| r.store == "Loja A" && r.provider.as_deref() == Some("whisper"))
    );
    let el: Page<SegmentRow> = get_json(&app, &token, "/segments?provider=elevenlabs").await;
    assert_eq!(el.total, 2);
    let rec: Page<SegmentRow> = get_json(&app, &token, "/segments?decision=recomendar").await;
    assert_eq!(rec.total, 4);
    let tosse: Page<SegmentRow> =
        get_json(&app, &token, "/segments?category=tosse&confidence=media").await;
    assert_eq!(tosse.total, 2);
    let none: Page<SegmentRow> = get_json(&app, &token, "/segments?decision=nenhuma").await;
    assert_eq!(none.total, 1);
    // Period: only store B's session started at +100 s.
    let late: Page<SegmentRow> = get_json(
        &app,
        &token,
        "/segments?from_ms=1700000100000&to_ms=1700000200000",
    )
    .await;
    assert_eq!(late.total, 2);
    // Full text, accent-insensitive, all words required.
    let cabeca: Page<SegmentRow> = get_json(&app, &token, "/segments?q=cabeca%20dor").await;
    assert_eq!(cabeca.total, 2);
    let neither: Page<SegmentRow> = get_json(&app, &token, "/segments?q=cabeca%20tosse").await;
    assert_eq!(neither.total, 0);
    // Paging.
    let p1: Page<SegmentRow> = get_json(&app, &token, "/segments?page_size=2").await;
    let p3: Page<SegmentRow> = get_json(&app, &token, "/segments?page_size=2&page=3").await;
    assert_eq!((p1.items.len(), p3.items.len(), p1.total), (2, 1, 5));
    assert_eq!(p3.items[0].segment_id, s.segments[0]);
    // Sessions through segment filters, and detail.
    let sessions: Page<SessionSummary> = get_json(&app, &token, "/sessions?category=tosse").await;
    assert_eq!(sessions.total, 2);
    let only_b: Page<SessionSummary> = get_json(&app, &token, "/sessions?store=Loja%20B").await;
    assert_eq!((only_b.total, only_b.items[0].segments), (1, 2));
    let detail: SessionDetail = get_json(&app, &token, "/sessions/sess-A").await;
    assert_eq!(detail.segments.len(), 3);
    assert_eq!(detail.segments[0].segment_id, s.segments[0]);
    let seg: SegmentDetail = get_json(&app, &token, &format!("/segments/{}", s.segments[0])).await;
    assert_eq!(seg.transcripts.len(), 1);
    assert_eq!(seg.suggestions.len(), 1);
    assert_eq!(seg.attempts.len(), 1);
    // Bad filters are a 400, unknown ids a 404.
    let bad = authed(&app, &token, Method::GET, "/segments?decision=talvez")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let missing = authed(&app, &token, Method::GET, "/segments/nope")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    // Audio for the player: a WAV with the stored samples.
    let wav = authed(
        &app,
        &token,
        Method::GET,
        &seg.audio_url.replace("/api/admin", ""),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(wav.status(), StatusCode::OK);
    assert_eq!(wav.headers()["content-type"], "audio/wav");
    let bytes = wav.bytes().await.unwrap();
    let reader = hound::WavReader::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    assert_eq!((reader.spec().sample_rate, reader.len()), (16_000, 16_000));
}

#[tokio::test]
async fn reviews_feed_accuracy_and_comparison() {
    let app = spawn_app(Parts::default()).await;
    let s = seed(&app).await;
    let token = login(&app).await;
    // Store A seg0 "estou com dor de cabeça" → reference "estou com muita dor de cabeça":
    // 1 insertion over 6 words. Seg1 marked correct: 0 over 5 ("tosse seca há dois dias").
    let r = authed(
        &app,
        &token,
        Method::PUT,
        &format!("/segments/{}/transcript-review", s.segments[0]),
    )
    .json(&json!({"correct": false, "corrected_text": "estou com muita dor de cabeça"}))
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let detail: SegmentDetail = r.json().await.unwrap();
    assert!(!detail.row.transcript_review.as_ref().unwrap().correct);
    let r = authed(
        &app,
        &token,
        Method::PUT,
        &format!("/segments/{}/transcript-review", s.segments[1]),
    )
    .json(&json!({"correct": true}))
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Store B seg0 "estou com dor de cabeça" → "estou com dor nas costas": 2 substitutions / 5.
    let r = authed(
        &app,
        &token,
        Method::PUT,
        &format!("/segments/{}/transcript-review", s.segments[3]),
    )
    .json(&json!({"correct": false, "corrected_text": "estou com dor nas costas"}))
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Suggestions: dor_febre right (A0) and harmful (B0); tosse wrong (A1).
    for (seg, verdict) in [(0, "certa"), (3, "perigosa"), (1, "errada")] {
        let r = authed(
            &app,
            &token,
            Method::PUT,
            &format!("/segments/{}/suggestion-review", s.segments[seg]),
        )
        .json(&json!({"verdict": verdict, "note": "ok"}))
        .send()
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{verdict}");
    }
    // Validation.
    let r = authed(
        &app,
        &token,
        Method::PUT,
        &format!("/segments/{}/transcript-review", s.segments[2]),
    )
    .json(&json!({"correct": false}))
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = authed(
        &app,
        &token,
        Method::PUT,
        "/segments/nope/suggestion-review",
    )
    .json(&json!({"verdict": "certa"}))
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // A segment with no suggestion has nothing to judge: 409, and accuracy is unchanged.
    let mut bare = app
        .app
        .db
        .segment_record(&s.segments[0])
        .await
        .unwrap()
        .unwrap();
    bare.id = "sem-sugestao".into();
    bare.seq = Some(99);
    let store: &dyn Storage = &app.store;
    store.insert_segment(bare).await.unwrap();
    let r = authed(
        &app,
        &token,
        Method::PUT,
        "/segments/sem-sugestao/suggestion-review",
    )
    .json(&json!({"verdict": "errada"}))
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("não tem sugestão"));

    let acc: AccuracyReport = get_json(&app, &token, "/accuracy").await;
    let whisper = acc
        .providers
        .iter()
        .find(|p| p.provider == "whisper")
        .unwrap();
    assert_eq!((whisper.word_errors, whisper.reference_words), (1, 11));
    assert!((whisper.wer.unwrap() - 1.0 / 11.0).abs() < 1e-12);
    let eleven = acc
        .providers
        .iter()
        .find(|p| p.provider == "elevenlabs")
        .unwrap();
    assert!((eleven.wer.unwrap() - 2.0 / 5.0).abs() < 1e-12);
    assert_eq!((acc.reviewed_transcripts, acc.reviewed_suggestions), (3, 3));
    let dor = acc
        .categories
        .iter()
        .find(|c| c.category == Some(Category::DorFebre))
        .unwrap();
    assert_eq!(
        (dor.reviewed, dor.right, dor.harmful, dor.acceptance_rate),
        (2, 1, 1, Some(0.5))
    );
    let tosse = acc
        .categories
        .iter()
        .find(|c| c.category == Some(Category::Tosse))
        .unwrap();
    assert_eq!(tosse.acceptance_rate, Some(0.0));
    // Filtered accuracy: store A only.
    let a: AccuracyReport = get_json(&app, &token, "/accuracy?store=Loja%20A").await;
    assert_eq!(a.providers.len(), 1);
    // Review-status filter.
    let reviewed: Page<SegmentRow> =
        get_json(&app, &token, "/segments?review=transcript_reviewed").await;
    assert_eq!(reviewed.total, 3);
    let unreviewed: Page<SegmentRow> = get_json(&app, &token, "/segments?review=unreviewed").await;
    assert_eq!(
        unreviewed.total, 3,
        "two seeded segments and the one without a suggestion"
    );

    let cmp: ComparisonReport = get_json(&app, &token, "/comparison").await;
    let w = cmp.rows.iter().find(|r| r.provider == "whisper").unwrap();
    assert_eq!(
        (w.segments, w.calls, w.latency_p50_ms, w.latency_p95_ms),
        (3, 3, Some(200), Some(300))
    );
    assert_eq!(w.audio_seconds, 3.0);
    assert_eq!(cmp.common_segments, 0);
}

#[tokio::test]
async fn injection_strings_are_stored_verbatim_and_returned_inert() {
    let app = spawn_app(Parts::default()).await;
    let s = seed(&app).await;
    let token = login(&app).await;
    let note = "'); DROP TABLE segments; -- <script>alert(\"x\")</script>";
    let corrected = "=HYPERLINK(\"http://evil.example\",\"clique\")";
    let r = authed(
        &app,
        &token,
        Method::PUT,
        &format!("/segments/{}/suggestion-review", s.segments[0]),
    )
    .json(&json!({"verdict": "errada", "note": note}))
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let r = authed(
        &app,
        &token,
        Method::PUT,
        &format!("/segments/{}/transcript-review", s.segments[0]),
    )
    .json(&json!({"correct": false, "corrected_text": corrected}))
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let raw = r.text().await.unwrap();
    // JSON-escaped, never raw HTML in an HTML context.
    assert!(raw.contains("<script>") && !raw.contains("text/html"));
    let detail: SegmentDetail = serde_json::from_str(&raw).unwrap();
    assert_eq!(
        detail.row.suggestion_review.unwrap().note.as_deref(),
        Some(note)
    );
    assert_eq!(
        detail.row.transcript_review.unwrap().corrected_text,
        corrected
    );
    // Injection attempts in filters match nothing and break nothing.
    for q in [
        "store=x'%20OR%20'1'='1",
        "q=%22%20OR%201%3D1%20--",
        "q=dor*%20NEAR(a%20b)",
        "session_id=%27%3B%20DROP%20TABLE%20sessions%3B%20--",
        "provider=%3Cscript%3E",
    ] {
        let page: Page<SegmentRow> = get_json(&app, &token, &format!("/segments?{q}")).await;
        assert_eq!(page.total, 0, "{q}");
    }
    let all: Page<SegmentRow> = get_json(&app, &token, "/segments").await;
    assert_eq!(all.total, 5, "tables intact");

    // CSV: the formula cell is made inert, the note kept.
    let csv = authed(
        &app,
        &token,
        Method::GET,
        "/export/segments.csv?store=Loja%20A",
    )
    .send()
    .await
    .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let text = csv.text().await.unwrap();
    assert_eq!(text.lines().count(), 4, "header + 3 rows");
    assert!(
        text.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"clique\"\")\""),
        "{text}"
    );
    assert!(!text.contains(",\"=HYPERLINK"));
    assert!(text.contains("DROP TABLE segments"));

    // XLSX read back with calamine: same rows, inert cell.
    let xlsx = authed(
        &app,
        &token,
        Method::GET,
        "/export/segments.xlsx?store=Loja%20A",
    )
    .send()
    .await
    .unwrap()
    .bytes()
    .await
    .unwrap();
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx.to_vec())).unwrap();
    let range = book.worksheet_range("segmentos").unwrap();
    assert_eq!(range.height(), 4);
    let header: Vec<String> = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let col = header.iter().position(|h| h == "corrected_text").unwrap();
    let cells: Vec<String> = range.rows().skip(1).map(|r| r[col].to_string()).collect();
    assert!(
        cells.iter().any(|c| c == &format!("'{corrected}")),
        "{cells:?}"
    );
    let sessions_csv = authed(&app, &token, Method::GET, "/export/sessions.csv")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(sessions_csv.lines().count(), 3);
}

#[tokio::test]
async fn backup_is_a_valid_sqlite_database_with_the_same_rows() {
    let app = spawn_app(Parts::default()).await;
    seed(&app).await;
    let token = login(&app).await;
    let resp = authed(&app, &token, Method::GET, "/backup")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "application/vnd.sqlite3");
    let bytes = resp.bytes().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("copy.db");
    std::fs::write(&path, &bytes).unwrap();
    let copy = rusqlite::Connection::open(&path).unwrap();
    let check: String = copy
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    for table in [
        "segments",
        "transcripts",
        "suggestions",
        "sessions",
        "counter_keys",
    ] {
        let n: i64 = copy
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        let orig: i64 = rusqlite::Connection::open(app.store.path())
            .unwrap()
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, orig, "{table}");
        assert!(n > 0, "{table}");
    }
    // No temporary file left beside the database.
    let leftovers: Vec<_> = std::fs::read_dir(app.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".balto-backup"))
        .collect();
    assert!(leftovers.is_empty());
}

#[tokio::test]
async fn live_status_shows_connections_and_metrics_parse() {
    let app = spawn_app(Parts::default()).await;
    seed(&app).await;
    let token = login(&app).await;
    let key = app.key("Loja Viva", "Balcão 3").await;
    let (mut ws, sessao) = app.authed(&key.api_key).await;
    let mut snap: LiveSnapshot = get_json(&app, &token, "/live").await;
    for _ in 0..50 {
        if snap
            .connections
            .iter()
            .any(|c| c.session_id.as_deref() == Some(sessao.as_str()))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        snap = get_json(&app, &token, "/live").await;
    }
    let c = snap
        .connections
        .iter()
        .find(|c| c.session_id.as_deref() == Some(sessao.as_str()))
        .expect("live connection");
    assert_eq!(
        (c.store.as_deref(), c.counter.as_deref()),
        (Some("Loja Viva"), Some("Balcão 3"))
    );
    assert_eq!(
        snap.segments_per_minute.len(),
        balto_core::admin::LIVE_SERIES_MINUTES
    );
    assert!(
        snap.latency
            .iter()
            .any(|l| l.provider == "whisper" && l.p50_ms == Some(200))
    );

    // SSE: the first event is a snapshot.
    let mut sse = authed(&app, &token, Method::GET, "/live/stream")
        .send()
        .await
        .unwrap();
    assert_eq!(sse.headers()["content-type"], "text/event-stream");
    let chunk = tokio::time::timeout(Duration::from_secs(5), sse.chunk())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&chunk);
    assert!(text.contains("event: snapshot"), "{text}");

    // One frame of audio and one wrong key, so the histogram and the failure counter exist.
    send_binary(&mut ws, &[0u8; 640]).await;
    let mut wrong = app.connect().await;
    send_json(
        &mut wrong,
        &serde_json::json!({"comando": "auth", "api_key": "balto_000000000000_x"}),
    )
    .await;
    expect_close(&mut wrong, 4001).await;
    let metrics = client()
        .get(format!("{}/metrics", base(&app)))
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), StatusCode::OK);
    let body = metrics.text().await.unwrap();
    let mut names = std::collections::HashSet::new();
    for line in body
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (name_labels, value) = line.rsplit_once(' ').expect(line);
        value
            .parse::<f64>()
            .unwrap_or_else(|_| panic!("value in {line}"));
        names.insert(name_labels.split('{').next().unwrap().to_string());
    }
    for expected in [
        "balto_uptime_seconds",
        "balto_connections_open",
        "balto_connections_total",
        "balto_segments_stored_total",
        "balto_connections_by_state",
        "balto_segments_last_minute",
        "balto_auth_failures_total",
        // A histogram: cumulative buckets, a sum and a count.
        "balto_frame_processing_seconds_bucket",
        "balto_frame_processing_seconds_sum",
        "balto_frame_processing_seconds_count",
    ] {
        assert!(names.contains(expected), "{expected} missing in\n{body}");
    }
    assert!(!body.contains("Loja Viva"), "no personal data in /metrics");
}

#[tokio::test]
async fn admin_pages_are_served_with_a_spa_fallback_and_security_headers() {
    let app = spawn_app(Parts::default()).await;
    let admin_dir = app.app.web_dir.join("admin");
    std::fs::create_dir_all(&admin_dir).unwrap();
    std::fs::write(
        admin_dir.join("index.html"),
        "<!doctype html><title>Balto</title>",
    )
    .unwrap();
    std::fs::write(admin_dir.join("boot.js"), "console.log(1)").unwrap();
    let r = client()
        .get(format!("{}/admin", base(&app)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PERMANENT_REDIRECT);
    for path in ["/admin/", "/admin/historico/sessao/123"] {
        let r = client()
            .get(format!("{}{path}", base(&app)))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert!(
            r.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
        assert!(r.text().await.unwrap().contains("<title>Balto</title>"));
    }
    let js = client()
        .get(format!("{}/admin/boot.js", base(&app)))
        .send()
        .await
        .unwrap();
    assert!(
        js.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
}

#[test]
fn the_generated_admin_secret_file_is_owner_only_and_reused() {
    use balto_local::admin_secret::{SecretSource, load_or_create, secret_file_for};
    let dir = tempfile::tempdir().unwrap();
    let file = secret_file_for(&dir.path().join("data/balto.db"));
    assert_eq!(file, dir.path().join("data/admin-secret"));
    let (first, src) = load_or_create(None, &file).unwrap();
    assert_eq!(src, SecretSource::Generated(file.clone()));
    assert!(first.len() >= 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let (again, src) = load_or_create(None, &file).unwrap();
    assert_eq!(
        (again.as_str(), src),
        (first.as_str(), SecretSource::File(file.clone()))
    );
    // A world-readable secret file is refused.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(load_or_create(None, &file).is_err());
    }
}

#[tokio::test]
async fn a_failed_segment_can_be_set_back_for_retry_once() {
    let app = spawn_app(Parts::default()).await;
    let seeded = seed(&app).await;
    let id = seeded.segments[0].clone();
    let token = login(&app).await;
    let path = format!("/segments/{id}/retry");
    // Not failed: nothing to retry.
    let resp = authed(&app, &token, Method::POST, &path)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let store: &dyn Storage = &app.store;
    store
        .set_segment_status(&id, SegmentStatus::Failed, Some("provider down".into()))
        .await
        .unwrap();
    let resp = authed(&app, &token, Method::POST, &path)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let detail: SegmentDetail = resp.json().await.unwrap();
    assert_eq!(
        detail.row.status,
        SegmentStatus::Stored,
        "queued for the recovery sweep"
    );
    let unfinished = store.unfinished_segments(100).await.unwrap();
    assert!(unfinished.iter().any(|s| s.id == id));
    // Without the CSRF header the write is refused.
    let resp = client()
        .post(format!("{}/api/admin{path}", base(&app)))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = authed(&app, &token, Method::POST, "/segments/nope/retry")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn admin_pages_say_so_when_the_app_is_not_built() {
    let app = spawn_app(Parts::default()).await;
    let r = client()
        .get(format!("{}/admin/", base(&app)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.headers().contains_key("content-security-policy"));
    assert!(r.text().await.unwrap().contains("/api/admin"));
}
