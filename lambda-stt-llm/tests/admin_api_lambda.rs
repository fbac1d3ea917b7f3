//! The `admin-api` binary over DynamoDB (dynalite on 127.0.0.1), served on a loopback port in
//! its `BALTO_LOCAL_HTTP` mode, checked over real HTTP: the secret (required, long enough,
//! wrong ones refused), login, history lists and filters, segment detail and audio, reviews
//! reflected in the next list, accuracy, keys, CSV export, and 501 for what a Lambda lacks.
//! Records are written through `Storage` as the `stt-llm` function writes them.

mod dynalite;

use balto_core::admin::{
    AccuracyReport, CSRF_HEADER, CreatedKey, LoginResponse, Page, SegmentDetail, SegmentRow,
    SessionSummary,
};
use balto_core::advice::{Advice, Category, Confidence, Decision};
use balto_core::attempt::{Attempt, AttemptOutcome};
use balto_core::records::{
    CounterKey, SegmentRecord, SegmentStatus, SessionRecord, StoredKey, SuggestionRecord,
    TranscriptRecord,
};
use balto_core::storage::Storage;
use lambda_stt_llm::dynamo::DynamoStore;
use reqwest::{Client, Method, StatusCode};
use serde_json::json;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const SECRET: &str = "a-long-enough-admin-secret";
const T0: i64 = 1_700_000_000_000;

/// The built `admin-api` binary on a loopback port; killed when dropped.
struct AdminApi {
    child: Child,
    base: String,
}

impl Drop for AdminApi {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

fn binary(server: &dynalite::Dynalite, table: &str, secret: Option<&str>) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_admin-api"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("BALTO_LOCAL_HTTP", "127.0.0.1:0")
        .env("DYNAMODB_ENDPOINT", &server.endpoint)
        .env("DYNAMODB_TABLE", table)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(s) = secret {
        cmd.env("ADMIN_SECRET", s);
    }
    cmd
}

async fn start(server: &dynalite::Dynalite, table: &str) -> AdminApi {
    start_with(server, table, &[]).await
}

async fn start_with(server: &dynalite::Dynalite, table: &str, env: &[(&str, &str)]) -> AdminApi {
    let mut cmd = binary(server, table, Some(SECRET));
    cmd.envs(env.iter().copied());
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("the admin API starts within 30 s")
        .unwrap()
        .expect("a line on stdout");
    let base = line
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    AdminApi { child, base }
}

fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

impl AdminApi {
    fn req(&self, token: Option<&str>, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut r = client()
            .request(method, format!("{}/api/admin{path}", self.base))
            .header(CSRF_HEADER, "1");
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, token: &str, path: &str) -> T {
        let resp = self
            .req(Some(token), Method::GET, path)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "GET {path}");
        resp.json().await.unwrap()
    }

    async fn login(&self, secret: &str) -> reqwest::Response {
        self.req(None, Method::POST, "/login")
            .json(&json!({ "secret": secret }))
            .send()
            .await
            .unwrap()
    }
}

fn ids(rows: &[SegmentRow]) -> Vec<&str> {
    rows.iter().map(|r| r.segment_id.as_str()).collect()
}

async fn key(store: &DynamoStore, id: &str, loja: &str, balcao: &str) -> StoredKey {
    let k = StoredKey {
        key: CounterKey {
            key_id: id.into(),
            store: loja.into(),
            counter: balcao.into(),
            created_at_ms: T0,
            revoked_at_ms: None,
        },
        salt: vec![1; 16],
        hash: vec![2; 32],
    };
    store.insert_key(k.clone()).await.unwrap();
    k
}

async fn session(store: &DynamoStore, id: &str, k: &StoredKey, started: i64) {
    store
        .open_session(SessionRecord {
            id: id.into(),
            key_id: k.key.key_id.clone(),
            store: k.key.store.clone(),
            counter: k.key.counter.clone(),
            started_at_ms: started,
            ended_at_ms: None,
        })
        .await
        .unwrap();
}

/// A processed segment with one transcript per `(provider, text)` and a suggestion.
async fn segment(
    store: &DynamoStore,
    id: &str,
    (session_id, key_id): (&str, &str),
    created: i64,
    transcripts: &[(&str, &str)],
    advice: Option<Advice>,
) {
    store
        .insert_segment(SegmentRecord {
            id: id.into(),
            session_id: session_id.into(),
            key_id: key_id.into(),
            client_id: None,
            seq: Some(1),
            start_ms: 0,
            duration_ms: 1_500,
            audio_ref: format!("dynamodb:SEG#{id}/AUDIO"),
            created_at_ms: created,
            status: SegmentStatus::Stored,
            attempts: 0,
            last_error: None,
        })
        .await
        .unwrap();
    for (provider, text) in transcripts {
        store
            .insert_transcript(TranscriptRecord {
                segment_id: id.into(),
                provider: provider.to_string(),
                text: text.to_string(),
                language: Some("pt".into()),
                latency_ms: 400,
                created_at_ms: created + 500,
            })
            .await
            .unwrap();
    }
    store
        .insert_attempts(
            id,
            "stt",
            &[Attempt {
                provider: transcripts.first().map_or("elevenlabs", |t| t.0).into(),
                attempt: 1,
                started_ms: 0,
                latency_ms: 400,
                outcome: if transcripts.is_empty() {
                    AttemptOutcome::Http
                } else {
                    AttemptOutcome::Ok
                },
                error: None,
            }],
        )
        .await
        .unwrap();
    if let Some(advice) = advice {
        store
            .insert_suggestion(SuggestionRecord {
                segment_id: id.into(),
                session_id: session_id.into(),
                advisor: "regras".into(),
                advice,
                base_transcript: transcripts.last().map_or("", |t| t.1).into(),
                sent: true,
                latency_ms: 3,
                created_at_ms: created + 600,
            })
            .await
            .unwrap();
    }
    let (status, error) = if transcripts.is_empty() {
        (SegmentStatus::Failed, Some("provider down".to_string()))
    } else {
        (SegmentStatus::Processed, None)
    };
    store.set_segment_status(id, status, error).await.unwrap();
}

fn paracetamol() -> Advice {
    Advice {
        decision: Decision::Recomendar,
        category: Some(Category::DorFebre),
        product: Some("Paracetamol 750 mg".into()),
        explanation: "Dor de cabeça.".into(),
        confidence: Confidence::Alta,
    }
}

#[tokio::test]
async fn the_secret_is_required_and_must_be_long_enough_and_backfill_needs_none() {
    let server = dynalite::start().await;
    let store = dynalite::fresh_store(&server).await;
    for secret in [None, Some("short")] {
        let out = binary(&server, store.table(), secret)
            .output()
            .await
            .unwrap();
        assert!(!out.status.success(), "refused to start with {secret:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("ADMIN_SECRET"), "{err}");
        assert!(
            secret.is_none_or(|s| !err.contains(s)),
            "the secret is not printed"
        );
    }
    // The one-off backfill needs no secret; on a table written by this version it finds nothing.
    let out = binary(&server, store.table(), None)
        .arg("backfill")
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        r#"{"sessions":0,"segments":0}"#
    );
}

#[tokio::test]
async fn the_admin_api_serves_dynamodb_over_http() {
    let server = dynalite::start().await;
    let store = dynalite::fresh_store(&server).await;
    let ka = key(&store, "ka", "Loja A", "Balcão 1").await;
    let kb = key(&store, "kb", "Loja B", "Balcão 2").await;
    session(&store, "s1", &ka, T0 + 1_000).await;
    session(&store, "s2", &kb, T0 + 2_000).await;
    segment(
        &store,
        "g1",
        ("s1", "ka"),
        T0 + 1_100,
        &[
            ("elevenlabs", "Estou com dor de cabeça"),
            ("whisper", "estou com dor de cabeca"),
        ],
        Some(paracetamol()),
    )
    .await;
    segment(&store, "g2", ("s1", "ka"), T0 + 1_200, &[], None).await;
    segment(
        &store,
        "g3",
        ("s2", "kb"),
        T0 + 2_100,
        &[("elevenlabs", "Bom dia")],
        Some(Advice::nothing("saudação")),
    )
    .await;
    let pcm: Vec<i16> = (0..16_000).map(|i| (i % 200) as i16).collect();
    store.put_audio("g1", &pcm, T0 + 1_100).await.unwrap();

    let api = start(&server, store.table()).await;

    // Nothing without a session; a wrong secret is refused.
    for path in ["/sessions", "/segments", "/keys", "/backup", "/accuracy"] {
        let resp = api.req(None, Method::GET, path).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let resp = api
        .req(Some("forged.token"), Method::GET, "/segments")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        api.login("not-the-admin-secret").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let resp = api.login(SECRET).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let cookie = resp
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    let token = resp.json::<LoginResponse>().await.unwrap().token;
    let t = token.as_str();

    // Sessions, newest first, with their counts; filters.
    let sessions: Page<SessionSummary> = api.get(t, "/sessions").await;
    assert_eq!(sessions.total, 2);
    assert_eq!(sessions.items[0].id, "s2");
    let s1 = &sessions.items[1];
    assert_eq!(
        (s1.segments, s1.failed_segments, s1.suggestions_sent),
        (2, 1, 1)
    );
    let only_a: Page<SessionSummary> = api.get(t, "/sessions?store=Loja%20A").await;
    assert_eq!(only_a.items.len(), 1);
    assert_eq!(only_a.items[0].store, "Loja A");
    let failed: Page<SessionSummary> = api.get(t, "/sessions?status=failed").await;
    assert_eq!(
        failed.items.iter().map(|s| &s.id).collect::<Vec<_>>(),
        ["s1"]
    );

    // Segments with filters.
    let all: Page<SegmentRow> = api.get(t, "/segments").await;
    assert_eq!(ids(&all.items), ["g3", "g2", "g1"]);
    assert_eq!(all.items[2].provider.as_deref(), Some("whisper"));
    assert_eq!(all.items[2].store, "Loja A");
    let whisper: Page<SegmentRow> = api.get(t, "/segments?provider=whisper").await;
    assert_eq!(ids(&whisper.items), ["g1"]);
    let text: Page<SegmentRow> = api.get(t, "/segments?q=CABEÇA%20dor").await;
    assert_eq!(ids(&text.items), ["g1"]);
    let failed: Page<SegmentRow> = api.get(t, "/segments?status=failed").await;
    assert_eq!(ids(&failed.items), ["g2"]);
    assert_eq!(failed.items[0].last_error.as_deref(), Some("provider down"));
    let period: Page<SegmentRow> = api
        .get(
            t,
            &format!("/segments?from_ms={}&to_ms={}", T0 + 1_150, T0 + 2_100),
        )
        .await;
    assert_eq!(ids(&period.items), ["g2"]);
    let paged: Page<SegmentRow> = api.get(t, "/segments?page=2&page_size=2").await;
    assert_eq!((ids(&paged.items), paged.total), (vec!["g1"], 3));
    let resp = api
        .req(Some(t), Method::GET, "/segments?decision=talvez")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);

    // Segment detail and audio.
    let detail: SegmentDetail = api.get(t, "/segments/g1").await;
    assert_eq!(detail.transcripts.len(), 2);
    assert_eq!(detail.suggestions.len(), 1);
    assert_eq!(detail.attempts.len(), 1);
    assert_eq!(detail.row.product.as_deref(), Some("Paracetamol 750 mg"));
    let resp = api
        .req(
            Some(t),
            Method::GET,
            &detail.audio_url["/api/admin".len()..],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "audio/wav");
    assert_eq!(resp.bytes().await.unwrap().len(), 44 + pcm.len() * 2);
    let resp = api
        .req(Some(t), Method::GET, "/segments/nope")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);

    // Reviews, reflected in the next list.
    let before: Page<SegmentRow> = api.get(t, "/segments?review=reviewed").await;
    assert!(before.items.is_empty());
    let resp = api
        .req(Some(t), Method::PUT, "/segments/g1/transcript-review")
        .json(&json!({"correct": false, "corrected_text": "estou com muita dor de cabeça"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = api
        .req(Some(t), Method::PUT, "/segments/g1/suggestion-review")
        .json(&json!({"verdict": "certa", "note": "ok"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let reviewed: Page<SegmentRow> = api.get(t, "/segments?review=reviewed").await;
    assert_eq!(ids(&reviewed.items), ["g1"]);
    let row = &reviewed.items[0];
    assert_eq!(
        row.transcript_review
            .as_ref()
            .map(|r| r.corrected_text.as_str()),
        Some("estou com muita dor de cabeça")
    );
    assert_eq!(
        row.suggestion_review.as_ref().map(|r| r.note.as_deref()),
        Some(Some("ok"))
    );
    let unreviewed: Page<SegmentRow> = api.get(t, "/segments?review=unreviewed").await;
    assert_eq!(ids(&unreviewed.items), ["g3", "g2"]);
    let resp = api
        .req(Some(t), Method::PUT, "/segments/g2/suggestion-review")
        .json(&json!({"verdict": "certa"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CONFLICT, "g2 has no suggestion");

    // Accuracy: "estou com muita dor de cabeça" (6 words) against each provider's text:
    // one deletion each ("muita").
    let acc: AccuracyReport = api.get(t, "/accuracy").await;
    // Counted per reviewed segment.
    assert_eq!((acc.reviewed_transcripts, acc.reviewed_suggestions), (1, 1));
    for p in &acc.providers {
        assert_eq!(
            (p.reviewed_segments, p.reference_words, p.word_errors),
            (1, 6, 1),
            "{}",
            p.provider
        );
    }
    let mut names: Vec<&str> = acc.providers.iter().map(|p| p.provider.as_str()).collect();
    names.sort();
    assert_eq!(names, ["elevenlabs", "whisper"]);
    let cat = acc
        .categories
        .iter()
        .find(|c| c.category == Some(Category::DorFebre))
        .unwrap();
    assert_eq!(
        (cat.reviewed, cat.right, cat.acceptance_rate),
        (1, 1, Some(1.0))
    );
    let acc_b: AccuracyReport = api.get(t, "/accuracy?store=Loja%20B").await;
    assert_eq!(acc_b.reviewed_transcripts, 0);

    // Keys: create (shown once), list, revoke.
    let resp = api
        .req(Some(t), Method::POST, "/keys")
        .json(&json!({"store": "Loja C", "counter": "Balcão 9"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let created: CreatedKey = resp.json().await.unwrap();
    assert!(
        created
            .api_key
            .starts_with(&format!("balto_{}_", created.key_id))
    );
    let keys: Vec<CounterKey> = api.get(t, "/keys").await;
    assert_eq!(keys.len(), 3);
    assert_eq!(keys[0].key_id, created.key_id, "newest first");
    let stored = store.find_key(&created.key_id).await.unwrap().unwrap();
    assert_eq!(stored.key.store, "Loja C");
    let resp = api
        .req(
            Some(t),
            Method::DELETE,
            &format!("/keys/{}", created.key_id),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let keys: Vec<CounterKey> = api.get(t, "/keys").await;
    assert!(keys[0].revoked_at_ms.is_some());
    let resp = api
        .req(Some(t), Method::DELETE, "/keys/nope")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);

    // CSV export of a filtered list.
    let resp = api
        .req(Some(t), Method::GET, "/export/segments.csv?store=Loja%20A")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = resp.text().await.unwrap();
    let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 3, "header + g2 + g1: {csv}");
    // Every field quoted (RFC 4180), after a UTF-8 BOM.
    assert!(
        lines[0].starts_with("\u{feff}\"segment_id\",\"session_id\""),
        "{csv}"
    );
    assert!(lines[1].starts_with("\"g2\",\"s1\",\"Loja A\","), "{csv}");
    assert!(lines[2].starts_with("\"g1\",\"s1\",\"Loja A\","), "{csv}");
    assert!(lines[2].contains("estou com muita dor de cabeça"));

    // What a Lambda does not have.
    for path in ["/backup", "/live"] {
        let resp = api.req(Some(t), Method::GET, path).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_IMPLEMENTED, "{path}");
    }
}

/// Times one history page over many segments (printed; run with `--nocapture`).
#[tokio::test]
async fn a_history_page_over_many_segments() {
    const N: usize = 1_000;
    let server = dynalite::start().await;
    let store = dynalite::fresh_store(&server).await;
    let k = key(&store, "ka", "Loja A", "Balcão 1").await;
    session(&store, "s1", &k, T0).await;
    let fill = Instant::now();
    let writes = (0..N).map(|i| {
        let store = store.clone();
        async move {
            let text = if i % 10 == 0 {
                "estou com dor de cabeça"
            } else {
                "bom dia tudo bem"
            };
            segment(
                &store,
                &format!("g{i:04}"),
                ("s1", "ka"),
                T0 + i as i64,
                &[("elevenlabs", text)],
                Some(paracetamol()),
            )
            .await;
        }
    });
    // Bounded: a thousand writers at once made dynalite reset connections under CI load.
    use futures_util::StreamExt;
    futures_util::stream::iter(writes)
        .buffer_unordered(16)
        .collect::<Vec<()>>()
        .await;
    let fill = fill.elapsed();
    let api = start(&server, store.table()).await;
    let token = api
        .login(SECRET)
        .await
        .json::<LoginResponse>()
        .await
        .unwrap()
        .token;
    let mut timings = Vec::new();
    for path in [
        "/segments?page_size=50",
        "/segments?page_size=50&page=10",
        "/segments?q=cabeca&page_size=50",
        "/sessions",
        "/accuracy",
    ] {
        let started = Instant::now();
        let resp = api
            .req(Some(&token), Method::GET, path)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        let body = resp.bytes().await.unwrap();
        timings.push((path, started.elapsed(), body.len()));
    }
    let page: Page<SegmentRow> = api.get(&token, "/segments?q=cabeca&page_size=50").await;
    assert_eq!(page.total, (N / 10) as u64);
    assert_eq!(page.items[0].segment_id, format!("g{:04}", N - 10));
    eprintln!("filled {N} segments in {fill:?}");
    for (path, took, bytes) in timings {
        eprintln!("GET {path}: {took:?}, {bytes} bytes");
    }
}

/// A pepper as the edge Worker's `KEY_PEPPER` secret holds it (hex, 32 bytes).
const PEPPER_HEX: &str = "7e57000000000000000000000000000000000000000000000000000000c0ffee";

/// The values the fake Cloudflare API received, by request path.
async fn kv_writes(cf: &wiremock::MockServer) -> Vec<(String, String, String)> {
    cf.received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            (
                r.method.to_string(),
                r.url.path().to_string(),
                String::from_utf8_lossy(&r.body).into_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn keys_created_and_revoked_here_are_published_to_the_edge_kv() {
    use balto_core::key_record::{Refusal, check_key, parse_pepper};
    use balto_core::keys::PresentedKey;
    use wiremock::matchers::{header, method, path_regex};
    use wiremock::{Mock, ResponseTemplate};

    let server = dynalite::start().await;
    let store = dynalite::fresh_store(&server).await;
    // The Cloudflare API as documented: bearer token, the KV value path, an envelope answer.
    let cf = wiremock::MockServer::start().await;
    let values = r"^/client/v4/accounts/acc1/storage/kv/namespaces/ns1/values/key%3A[0-9a-f]+$";
    Mock::given(method("PUT"))
        .and(path_regex(values))
        .and(header("authorization", "Bearer cf-token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"success": true, "errors": [], "messages": [], "result": null}),
            ),
        )
        .mount(&cf)
        .await;
    let base = format!("{}/client/v4", cf.uri());
    let api = start_with(
        &server,
        store.table(),
        &[
            ("KEY_PEPPER", PEPPER_HEX),
            ("CF_ACCOUNT_ID", "acc1"),
            ("CF_KV_NAMESPACE_ID", "ns1"),
            ("CF_API_TOKEN", "cf-token"),
            ("CF_API_BASE", &base),
        ],
    )
    .await;
    let token: LoginResponse = api.login(SECRET).await.json().await.unwrap();
    let t = token.token.as_str();

    let resp = api
        .req(Some(t), Method::POST, "/keys")
        .json(&json!({"store": "Loja Norte", "counter": "Balcão 3"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let created: CreatedKey = resp.json().await.unwrap();
    let writes = kv_writes(&cf).await;
    assert_eq!(writes.len(), 1, "{writes:?}");
    let (verb, path, body) = &writes[0];
    assert_eq!(verb, "PUT");
    assert!(
        path.ends_with(&format!("key%3A{}", created.key_id)),
        "{path}"
    );
    // What the Worker would read verifies the full key handed out, with the shared pepper only.
    let pepper = parse_pepper(PEPPER_HEX).unwrap();
    let presented = PresentedKey::parse(&created.api_key).unwrap();
    let key = check_key(&presented, Some(body), Some(&pepper)).unwrap();
    assert_eq!(
        (key.store.as_str(), key.counter.as_str()),
        ("Loja Norte", "Balcão 3")
    );
    assert_eq!(
        check_key(&presented, Some(body), None),
        Err(Refusal::Mismatch)
    );
    assert!(
        !body.contains(created.api_key.rsplit('_').next().unwrap()),
        "secret published"
    );

    // Revoked: the edge gets the revoked record before the store changes.
    let resp = api
        .req(
            Some(t),
            Method::DELETE,
            &format!("/keys/{}", created.key_id),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let writes = kv_writes(&cf).await;
    assert_eq!(writes.len(), 2);
    assert_eq!(
        check_key(&presented, Some(&writes[1].2), Some(&pepper)),
        Err(Refusal::Revoked)
    );

    // The edge refusing a write (as the API reports a bad token) loses nothing and adds nothing.
    cf.reset().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "success": false,
            "errors": [{"code": 10000, "message": "Authentication error"}],
            "messages": [], "result": null
        })))
        .mount(&cf)
        .await;
    let before: Vec<CounterKey> = api.get(t, "/keys").await;
    let resp = api
        .req(Some(t), Method::POST, "/keys")
        .json(&json!({"store": "Loja Norte", "counter": "Balcão 4"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_GATEWAY);
    let error: serde_json::Value = resp.json().await.unwrap();
    assert!(
        error["error"].as_str().unwrap().contains("borda"),
        "{error}"
    );
    let after: Vec<CounterKey> = api.get(t, "/keys").await;
    assert_eq!(after, before, "a key the edge does not know was stored");
}
