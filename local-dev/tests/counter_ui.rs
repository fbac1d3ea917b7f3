//! The browser counter page in a real browser: Debian's Chromium driven over WebDriver
//! (`chromedriver`, `fantoccini`) with a fake microphone that plays a WAV file in a loop
//! (`--use-file-for-fake-audio-capture`), against a real server serving the built page.
//!
//! - A counter enters its key, turns the microphone on, and the speech segments its worker cuts
//!   reach the server (`segmento_ok`), are stored in SQLite, and a recommendation shows up with
//!   the transcript it came from. The same audio is then streamed in the legacy raw-PCM mode and
//!   the uplink bytes per minute of both modes, and the worker's front-end time per 10 ms frame,
//!   are printed.
//! - The server is killed mid-stream (its runtime dropped) and a new one is started on the same
//!   port and database: after the page reconnects, every segment it cut is stored exactly once.
//!   The same with the tab closed while the server is down: the IndexedDB outbox is sent when
//!   the page is opened again.
//!
//! Runs when `BALTO_BROWSER_E2E=1`; `BALTO_COUNTER_WEB` names the directory holding
//! `counter/index.html` (scripts/build-counter-web.sh). Screenshots go to `$BALTO_SCREENSHOTS`
//! (default `<target>/e2e-screenshots`).

mod common;

use balto_advisor::rules::RulesAdvisor;
use balto_core::keys::KeyPepper;
use balto_local::app::App;
use balto_local::sqlite_store::SqliteStore;
use balto_local::{counter_keys, server};
use common::browser::{self, Driver, start_driver, testid, wait_for};
use common::{ADMIN_SECRET, FixedTranscriber, Parts, read_fixture, shared_audio, spawn_app};
use fantoccini::Client;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What every segment is "heard" as: the rules advisor answers it with a product.
const SPOKEN: &str = "estou com dor de cabeça e febre";

/// The key pepper of test servers (the same across restarts, like a deployment's).
fn pepper() -> KeyPepper {
    KeyPepper::new(vec![0x5a; 32]).unwrap()
}

/// A server on its own runtime, so a test can kill it outright (as a crash would) by dropping
/// the runtime: every task, socket and listener goes at once.
struct Server {
    rt: Option<tokio::runtime::Runtime>,
    addr: SocketAddr,
    store: SqliteStore,
}

impl Server {
    /// Serves `dir/balto.db` and `dir/audio` on `127.0.0.1:port` (0: any free port).
    async fn start(dir: &Path, web: &Path, port: u16) -> Server {
        let deadline = Instant::now() + Duration::from_secs(15);
        let listener = loop {
            match std::net::TcpListener::bind(("127.0.0.1", port)) {
                Ok(l) => break l,
                Err(e) => {
                    assert!(Instant::now() < deadline, "port {port} never freed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        };
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let store = SqliteStore::open(&dir.join("balto.db")).unwrap();
        let app = App::builder(
            store.clone(),
            balto_admin_api::AdminConfig::new(ADMIN_SECRET),
        )
        .audio_dir(dir.join("audio"))
        .web_dir(web)
        .transcriber(Some(Arc::new(FixedTranscriber {
            name: "roteiro-de-teste",
            text: SPOKEN,
        })))
        .advisor(Some(Arc::new(RulesAdvisor::with_embedded_catalog())))
        .key_pepper(pepper())
        .build()
        .unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        rt.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            server::run(listener, app).await
        });
        Server {
            rt: Some(rt),
            addr,
            store,
        }
    }

    /// Kills the server: no graceful close, open sockets just drop.
    fn kill(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The client ids of the segments stored for `key_id`, in insertion order.
fn stored_client_ids(dir: &Path, key_id: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(dir.join("balto.db")).unwrap();
    let mut stmt = conn
        .prepare("SELECT client_id FROM segments WHERE key_id = ?1 AND client_id IS NOT NULL ORDER BY rowid_seq")
        .unwrap();
    stmt.query_map([key_id], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

/// Headless Chromium whose microphone plays `wav` in a loop, permission granted.
async fn browser(driver: &Driver, wav: &Path) -> Client {
    let extra = [
        "--use-fake-device-for-media-stream".to_string(),
        "--use-fake-ui-for-media-stream".to_string(),
        format!("--use-file-for-fake-audio-capture={}", wav.display()),
        "--autoplay-policy=no-user-gesture-required".to_string(),
    ];
    browser::browser(driver, 1100, 1000, &extra).await
}

/// The fake microphone's audio: pt1.wav (6.9 s of speech) then 3 s of silence, looped by
/// Chromium, so the page hears speech and pauses as at a counter.
fn microphone_wav(dir: &Path) -> PathBuf {
    let mut pcm = read_fixture("speech/pt1.wav");
    pcm.extend(std::iter::repeat_n(0i16, 3 * 16_000));
    let path = dir.join("microfone.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&path, spec).unwrap();
    for s in pcm {
        w.write_sample(s).unwrap();
    }
    w.finalize().unwrap();
    assert!(shared_audio("speech/pt1.wav").is_file());
    path
}

async fn shot(c: &Client, name: &str) {
    browser::shot(c, &format!("counter-{name}")).await;
}

/// The page's counters (`data-*` of the stats panel).
#[derive(Debug, Clone, Default)]
struct Stats {
    cut: u64,
    acked: u64,
    pending: u64,
    resent: u64,
    bytes: u64,
    audio_ms: u64,
    frame_us: f64,
    reconnects: u64,
    connection: String,
}

async fn stats(c: &Client) -> Stats {
    let v = c
        .execute(
            "const d = document.querySelector('[data-testid=stats]').dataset; \
             return [d.cut, d.acked, d.pending, d.resent, d.bytes, d.audioMs, d.frameUs, d.reconnects, \
                     document.querySelector('[data-testid=connection]').dataset.state];",
            vec![],
        )
        .await
        .expect("stats");
    let a = v.as_array().expect("array");
    let n = |i: usize| a[i].as_str().unwrap_or("0").parse::<u64>().unwrap_or(0);
    Stats {
        cut: n(0),
        acked: n(1),
        pending: n(2),
        resent: n(3),
        bytes: n(4),
        audio_ms: n(5),
        frame_us: a[6].as_str().unwrap_or("0").parse().unwrap_or(0.0),
        reconnects: n(7),
        connection: a[8].as_str().unwrap_or_default().to_string(),
    }
}

/// Polls the page's counters until `ok`, for at most `secs`.
async fn wait_stats(c: &Client, secs: u64, what: &str, ok: impl Fn(&Stats) -> bool) -> Stats {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let s = stats(c).await;
        if ok(&s) {
            return s;
        }
        assert!(Instant::now() < deadline, "{what}: never happened ({s:?})");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn page_ids(c: &Client, which: &str) -> Vec<String> {
    let v = c
        .execute(&format!("return window.baltoCounter.{which}();"), vec![])
        .await
        .expect("ids");
    serde_json::from_value(v).expect("ids are strings")
}

async fn click(c: &Client, id: &str) {
    wait_for(c, &testid(id), 10).await.click().await.unwrap();
}

/// Opens the page at `/` (redirected to `/counter/`), saves the key and turns the microphone on.
async fn open_and_start(c: &Client, addr: SocketAddr, api_key: &str, raw: bool, shot_name: &str) {
    c.goto(&format!("http://{addr}/")).await.unwrap();
    wait_for(c, "body[data-ready=\"true\"]", 20).await;
    assert!(
        c.current_url()
            .await
            .unwrap()
            .path()
            .starts_with("/counter/")
    );
    shot(c, shot_name).await;
    wait_for(c, &testid("key-input"), 10)
        .await
        .send_keys(api_key)
        .await
        .unwrap();
    click(c, "key-save").await;
    if raw {
        click(c, "mode-raw").await;
    }
    click(c, "mic-toggle").await;
}

fn enabled() -> Option<PathBuf> {
    if std::env::var("BALTO_BROWSER_E2E").as_deref() != Ok("1") {
        eprintln!("counter_ui: BALTO_BROWSER_E2E is not 1, browser test not run");
        return None;
    }
    let web = std::env::var_os("BALTO_COUNTER_WEB")
        .map(PathBuf::from)
        .expect("BALTO_COUNTER_WEB: the directory holding counter/index.html");
    assert!(
        web.join("counter/index.html").is_file(),
        "{} has no counter/index.html: run scripts/build-counter-web.sh",
        web.display()
    );
    Some(web)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_counter_page_sends_speech_segments_and_shows_a_recommendation() {
    let Some(web) = enabled() else { return };
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &web, 0).await;
    let key = counter_keys::issue(&server.store, Some(&pepper()), "Loja Centro", "Balcão 1", 1)
        .await
        .unwrap();
    let wav = microphone_wav(dir.path());
    let driver = start_driver().await;
    let c = browser(&driver, &wav).await;

    // Segment mode: speech segments are cut in the worker, sent, acknowledged, stored.
    open_and_start(&c, server.addr, &key.api_key, false, "01-key").await;
    let rec = wait_for(&c, &testid("recommendation"), 60).await;
    let text = rec.text().await.unwrap();
    assert!(text.contains(SPOKEN), "{text}");
    shot(&c, "02-recommendation").await;
    wait_stats(&c, 60, "25 s of audio", |s| s.audio_ms >= 25_000).await;
    click(&c, "mic-toggle").await;
    let seg = wait_stats(&c, 30, "every segment acknowledged", |s| {
        s.pending == 0 && s.cut > 0 && s.acked >= s.cut && s.connection == "desligado"
    })
    .await;
    shot(&c, "03-stopped").await;
    let cut = page_ids(&c, "cutIds").await;
    let stored = stored_client_ids(dir.path(), &key.key_id);
    assert_eq!(
        stored.iter().collect::<HashSet<_>>(),
        cut.iter().collect::<HashSet<_>>(),
        "stored segments differ from the page's"
    );
    assert_eq!(stored.len(), cut.len(), "a segment was stored twice");

    // The same audio in the legacy raw-PCM mode (Part 1): every 20 ms is sent.
    c.refresh().await.unwrap();
    wait_for(&c, "body[data-ready=\"true\"]", 20).await;
    click(&c, "mode-raw").await;
    click(&c, "mic-toggle").await;
    wait_stats(&c, 60, "25 s of raw audio", |s| s.audio_ms >= 25_000).await;
    let raw = stats(&c).await;
    shot(&c, "04-raw-mode").await;
    click(&c, "mic-toggle").await;

    let per_min = |s: &Stats| s.bytes as f64 * 60_000.0 / s.audio_ms as f64;
    eprintln!(
        "uplink: segment mode {:.0} B/min ({} B over {:.1} s, {} segments), raw mode {:.0} B/min ({} B over {:.1} s; raw PCM is 1 920 000 B/min); segments send {:.1} % of raw",
        per_min(&seg),
        seg.bytes,
        seg.audio_ms as f64 / 1000.0,
        seg.cut,
        per_min(&raw),
        raw.bytes,
        raw.audio_ms as f64 / 1000.0,
        100.0 * per_min(&seg) / per_min(&raw),
    );
    eprintln!(
        "worker front end: {:.1} µs per 10 ms frame in segment mode, {:.1} µs in raw mode (performance.now() around FrontEnd.push)",
        seg.frame_us, raw.frame_us
    );
    assert!(per_min(&raw) > 1_500_000.0, "raw mode sends every sample");
    assert!(per_min(&seg) < per_min(&raw), "segment mode sends less");
    assert!(seg.frame_us > 0.0 && seg.frame_us < 10_000.0);
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_server_crash_the_page_reconnects_and_no_segment_is_lost_or_stored_twice() {
    let Some(web) = enabled() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut first = Server::start(dir.path(), &web, 0).await;
    let addr = first.addr;
    let key = counter_keys::issue(&first.store, Some(&pepper()), "Loja Centro", "Balcão 3", 1)
        .await
        .unwrap();
    let wav = microphone_wav(dir.path());
    let driver = start_driver().await;
    let c = browser(&driver, &wav).await;
    open_and_start(&c, addr, &key.api_key, false, "crash-01-key").await;
    wait_stats(&c, 60, "two segments acknowledged", |s| s.acked >= 2).await;

    // The next segment is stored but its `segmento_ok` is lost (the page ignores it), as when
    // the server dies between committing and answering.
    c.execute("window.baltoCounter.loseAcks(true)", vec![])
        .await
        .unwrap();
    let sent = stats(&c).await;
    let unacked = wait_stats(&c, 60, "a segment sent", |s| s.cut > sent.cut).await;
    let lost_ack = page_ids(&c, "cutIds").await[unacked.cut as usize - 1].clone();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !stored_client_ids(dir.path(), &key.key_id).contains(&lost_ack) {
        assert!(Instant::now() < deadline, "segment {lost_ack} never stored");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The server dies; the page keeps cutting segments into its outbox.
    first.kill();
    c.execute("window.baltoCounter.loseAcks(false)", vec![])
        .await
        .unwrap();
    let before = stats(&c).await;
    let offline = wait_stats(&c, 60, "a segment cut while the server is down", |s| {
        s.cut > before.cut && s.pending > 0 && s.connection != "conectado"
    })
    .await;
    shot(&c, "crash-02-offline").await;
    eprintln!("server killed after {before:?}; offline: {offline:?}");

    // A new server on the same port and database: the page reconnects and re-sends.
    let second = Server::start(dir.path(), &web, addr.port()).await;
    assert_eq!(second.addr, addr);
    wait_stats(&c, 60, "reconnected and caught up", |s| {
        s.connection == "conectado" && s.cut > offline.cut && s.pending == 0
    })
    .await;
    click(&c, "mic-toggle").await;
    let end = wait_stats(&c, 30, "every segment acknowledged", |s| {
        s.pending == 0 && s.acked >= s.cut && s.connection == "desligado"
    })
    .await;
    shot(&c, "crash-03-caught-up").await;
    eprintln!("after reconnection: {end:?}");
    assert!(end.reconnects >= 1);
    assert!(
        end.resent >= 1,
        "the segment whose ack was lost was not re-sent"
    );

    let cut = page_ids(&c, "cutIds").await;
    let acked = page_ids(&c, "ackedIds").await;
    let stored = stored_client_ids(dir.path(), &key.key_id);
    let cut_set: HashSet<_> = cut.iter().collect();
    assert_eq!(cut_set.len(), cut.len(), "the page reused an id");
    assert_eq!(
        stored.iter().collect::<HashSet<_>>(),
        cut_set,
        "a segment was lost"
    );
    assert_eq!(stored.len(), cut.len(), "a segment was stored twice");
    assert_eq!(acked.iter().collect::<HashSet<_>>(), cut_set);
    eprintln!(
        "{} segments cut, {} stored once each, {} re-sent after reconnecting",
        cut.len(),
        stored.len(),
        end.resent
    );
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn segments_cut_while_the_server_is_down_survive_closing_the_tab_in_indexeddb() {
    let Some(web) = enabled() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut first = Server::start(dir.path(), &web, 0).await;
    let addr = first.addr;
    let key = counter_keys::issue(&first.store, Some(&pepper()), "Loja Sul", "Balcão 1", 1)
        .await
        .unwrap();
    let wav = microphone_wav(dir.path());
    let driver = start_driver().await;
    let c = browser(&driver, &wav).await;
    open_and_start(&c, addr, &key.api_key, false, "reload-01-key").await;
    wait_stats(&c, 60, "a segment acknowledged", |s| s.acked >= 1).await;

    // The server dies, a segment is cut into the outbox, then the tab is reloaded.
    first.kill();
    let before = stats(&c).await;
    wait_stats(&c, 60, "a segment cut while the server is down", |s| {
        s.cut > before.cut && s.pending > 0
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let cut = page_ids(&c, "cutIds").await;
    let pending = page_ids(&c, "pendingIds").await;
    // The tab is closed (the page cannot load while its server is down), and opened again
    // once the server is back: the new page finds the outbox and sends it by itself.
    c.goto("about:blank").await.unwrap();
    let _second = Server::start(dir.path(), &web, addr.port()).await;
    c.goto(&format!("http://{addr}/counter/")).await.unwrap();
    wait_for(&c, "body[data-ready=\"true\"]", 20).await;
    wait_stats(&c, 60, "outbox sent after reopening", |s| {
        s.pending == 0 && s.acked as usize >= pending.len()
    })
    .await;
    // The new page acknowledged exactly what the closed one left in its outbox.
    let acked = page_ids(&c, "ackedIds").await;
    assert_eq!(
        acked.iter().collect::<HashSet<_>>(),
        pending.iter().collect::<HashSet<_>>()
    );
    shot(&c, "reload-02-reopened").await;
    let stored = stored_client_ids(dir.path(), &key.key_id);
    assert_eq!(
        stored.iter().collect::<HashSet<_>>(),
        cut.iter().collect::<HashSet<_>>(),
        "a segment was lost"
    );
    assert_eq!(stored.len(), cut.len(), "a segment was stored twice");
    eprintln!(
        "{} segments cut, {} of them sent from IndexedDB after reopening the tab, all stored once",
        cut.len(),
        pending.len()
    );
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_key_is_not_retried_and_a_new_key_sends_the_waiting_segments() {
    let Some(web) = enabled() else { return };
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &web, 0).await;
    let key = counter_keys::issue(&server.store, Some(&pepper()), "Loja Norte", "Balcão 2", 1)
        .await
        .unwrap();
    let wav = microphone_wav(dir.path());
    let driver = start_driver().await;
    let c = browser(&driver, &wav).await;
    let wrong = format!("{}x", key.api_key);
    open_and_start(&c, server.addr, &wrong, false, "key-01").await;
    let refused = wait_stats(&c, 30, "key refused and a segment waiting", |s| {
        s.connection == "chave_invalida" && s.pending >= 2
    })
    .await;
    assert_eq!(refused.reconnects, 0, "a refused key was retried");
    let notice = wait_for(&c, &testid("notice"), 5)
        .await
        .text()
        .await
        .unwrap();
    assert!(notice.contains("recusada"), "{notice}");
    shot(&c, "key-02-refused").await;
    assert!(stored_client_ids(dir.path(), &key.key_id).is_empty());

    // The right key: the waiting segments go out.
    click(&c, "key-change").await;
    wait_for(&c, &testid("key-input"), 10)
        .await
        .send_keys(&key.api_key)
        .await
        .unwrap();
    click(&c, "key-save").await;
    let ok = wait_stats(&c, 30, "waiting segments sent with the new key", |s| {
        s.connection == "conectado" && s.pending == 0 && s.acked >= refused.pending
    })
    .await;
    assert!(stored_client_ids(dir.path(), &key.key_id).len() as u64 >= ok.acked);
    c.close().await.unwrap();
}

/// Without a built page `/counter/` says what to do; `/` leads to it; the rest still answers.
#[tokio::test]
async fn the_counter_page_is_503_until_built_and_root_redirects_to_it() {
    let app = spawn_app(Parts::default()).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let base = format!("http://{}", app.addr);
    let root = http.get(format!("{base}/")).send().await.unwrap();
    assert!(root.status().is_redirection(), "{}", root.status());
    assert_eq!(root.headers()["location"], "/counter/");
    let page = http.get(format!("{base}/counter/")).send().await.unwrap();
    assert_eq!(page.status(), 503);
    assert!(page.text().await.unwrap().contains("build-counter-web.sh"));
    assert_eq!(
        http.get(format!("{base}/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // Built: served with its CSP.
    let counter = app.app.web_dir.join("counter");
    std::fs::create_dir_all(&counter).unwrap();
    std::fs::write(
        counter.join("index.html"),
        "<!doctype html><title>balcão</title>",
    )
    .unwrap();
    let page = http.get(format!("{base}/counter/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("'wasm-unsafe-eval'") && csp.contains("worker-src 'self' blob:"));
    let bare = http.get(format!("{base}/counter")).send().await.unwrap();
    assert_eq!(bare.headers()["location"], "/counter/");
}
