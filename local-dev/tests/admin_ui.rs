//! The admin app in a real browser: Debian's Chromium driven over WebDriver (`chromedriver`,
//! `fantoccini`) against a real server on port 0 serving the built Leptos app. It logs in, sees a
//! live session appear while a counter streams speech, opens it in the history, corrects the
//! transcript, and exports the corrected row; hostile text stays inert on the page. Screenshots
//! of every page go to `$BALTO_SCREENSHOTS` (default `<target>/e2e-screenshots`).
//!
//! Runs when `BALTO_BROWSER_E2E=1` (scripts/test.sh sets it after `scripts/build-admin-web.sh`
//! and installing `chromium` + `chromium-driver`); `BALTO_ADMIN_WEB` names the directory that
//! holds `admin/index.html`. Without the variable the test says so and does nothing, so a plain
//! `cargo test` needs no browser.

mod common;

use balto_advisor::rules::RulesAdvisor;
use balto_core::admin_store::AdminStore;
use balto_local::counter_client::{StreamMode, StreamOptions, stream_pcm};
use common::browser::{self, testid};
use common::{ADMIN_SECRET, FixedTranscriber, Parts, TestApp, read_fixture, spawn_app};
use fantoccini::{Client, Locator};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the counter "says": the rules advisor answers fever and headache with a product.
const SPOKEN: &str = "estou com dor de cabeça e febre desde ontem";
/// The admin's correction, with markup that must stay text.
const CORRECTED: &str = "estou com dor de cabeça e febre desde ontem <b>corrigido</b>";

async fn shot(c: &Client, name: &str) {
    browser::shot(c, &format!("admin-{name}")).await;
}

/// Waits up to 20 s for an element (the app renders after fetches and SSE events).
async fn wait_for(c: &Client, css: &str) -> fantoccini::elements::Element {
    browser::wait_for(c, css, 20).await
}

/// Waits until the element's text satisfies `ok`, re-reading it (pages update live).
async fn wait_text(c: &Client, css: &str, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(el) = c.find(Locator::Css(css)).await
            && let Ok(text) = el.text().await
            && ok(&text)
        {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "{css} never had the expected text"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// `fetch` inside the page, with the page's session cookie: what a click on a link downloads.
async fn fetch_in_page(c: &Client, href: &str) -> String {
    let value = c
        .execute_async(
            "const [href, done] = arguments; \
             fetch(href, {credentials: 'same-origin'}) \
               .then(r => r.text().then(t => done(r.status + '\\n' + t))) \
               .catch(e => done('error\\n' + e));",
            vec![json!(href)],
        )
        .await
        .expect("fetch in page");
    value.as_str().unwrap_or_default().to_string()
}

async fn spawn_server() -> TestApp {
    let web = std::env::var_os("BALTO_ADMIN_WEB")
        .map(PathBuf::from)
        .expect("BALTO_ADMIN_WEB: the directory holding admin/index.html");
    assert!(
        web.join("admin/index.html").is_file(),
        "{} has no admin/index.html: run scripts/build-admin-web.sh",
        web.display()
    );
    spawn_app(Parts {
        transcriber: Some(Arc::new(FixedTranscriber {
            name: "roteiro-de-teste",
            text: SPOKEN,
        })),
        advisor: Some(Arc::new(RulesAdvisor::with_embedded_catalog())),
        web_dir: Some(web),
        ..Parts::default()
    })
    .await
}

fn enabled() -> bool {
    if std::env::var("BALTO_BROWSER_E2E").as_deref() == Ok("1") {
        return true;
    }
    eprintln!(
        "admin_ui: BALTO_BROWSER_E2E is not 1, browser test not run (scripts/test.sh runs it)"
    );
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_follows_a_live_session_into_history_corrects_it_and_exports_it() {
    if !enabled() {
        return;
    }
    let app = spawn_server().await;
    let key = app.key("Loja Centro", "Balcão 2").await;
    let driver = browser::start_driver().await;
    let c = browser::browser(&driver, 1280, 900, &[]).await;
    let base = format!("http://{}", app.addr);

    // A wrong secret is refused with a message; the right one opens the live page.
    c.goto(&format!("{base}/admin/")).await.unwrap();
    wait_for(&c, &testid("login-form")).await;
    shot(&c, "01-login").await;
    let secret = wait_for(&c, &testid("login-secret")).await;
    secret.send_keys("not-the-secret").await.unwrap();
    wait_for(&c, &testid("login-submit"))
        .await
        .click()
        .await
        .unwrap();
    wait_for(&c, &testid("login-error")).await;
    secret.clear().await.unwrap();
    secret.send_keys(ADMIN_SECRET).await.unwrap();
    wait_for(&c, &testid("login-submit"))
        .await
        .click()
        .await
        .unwrap();
    wait_for(&c, &testid("live-stats")).await;

    // A counter streams speech in real time; its connection shows up on the live page.
    let url = app.url();
    let api_key = key.api_key.clone();
    let counter = tokio::spawn(async move {
        let mut opts = StreamOptions::new(url, api_key, StreamMode::Segments);
        opts.realtime = true;
        stream_pcm(&read_fixture("speech/pt1.wav"), &opts, |_| {}).await
    });
    let row = wait_text(&c, &testid("live-connection-row"), |t| {
        t.contains("Loja Centro") && t.contains("Balcão 2")
    })
    .await;
    eprintln!("live row: {row}");
    shot(&c, "02-live-session").await;
    let outcome = counter.await.unwrap().expect("counter stream");
    assert!(outcome.segments_acked > 0, "{outcome:?}");
    let sessao = outcome.sessao.clone().expect("sessao");
    app.wait_session_ended(&sessao).await;

    // History lists the session; its segment shows the transcript and the suggestion.
    wait_for(&c, &testid("nav-history"))
        .await
        .click()
        .await
        .unwrap();
    let session_row = wait_for(
        &c,
        &format!("[data-testid=\"history-session-row\"][data-id=\"{sessao}\"]"),
    )
    .await;
    shot(&c, "03-history").await;
    session_row.click().await.unwrap();
    let segment_row = wait_for(&c, &testid("history-segment-row")).await;
    shot(&c, "04-session").await;
    segment_row.click().await.unwrap();
    // The transcript and the advisor's recommendation (fever and headache) are on the page.
    let page = wait_text(&c, "body", |t| {
        t.contains(SPOKEN) && t.contains("Recomendar")
    })
    .await;
    assert!(
        page.contains("Dor e febre") || page.contains("dor_febre"),
        "{page:.2000}"
    );
    let audio = wait_for(&c, &testid("segment-audio")).await;
    let src = audio.attr("src").await.unwrap().expect("audio src");
    let wav = fetch_in_page(&c, &src).await;
    assert!(wav.starts_with("200\nRIFF"), "segment audio: {:.40}", wav);
    shot(&c, "05-segment").await;

    // The admin types the correct transcript (with markup, which must stay text).
    let text = wait_for(&c, &testid("review-transcript-text")).await;
    text.clear().await.unwrap();
    text.send_keys(CORRECTED).await.unwrap();
    wait_for(&c, &testid("review-transcript-save"))
        .await
        .click()
        .await
        .unwrap();
    wait_text(&c, &testid("transcript-review-state"), |t| {
        !t.trim().is_empty()
    })
    .await;
    shot(&c, "06-reviewed").await;
    let bold = c.find_all(Locator::Css("b")).await.unwrap();
    for b in bold {
        assert_ne!(
            b.text().await.unwrap(),
            "corrigido",
            "markup in a review rendered as HTML"
        );
    }
    let reviewed = app
        .app
        .db
        .reviewed_transcripts(&Default::default())
        .await
        .expect("reviews");
    assert!(
        format!("{reviewed:?}").contains("<b>corrigido</b>"),
        "review not stored as typed: {reviewed:?}"
    );

    // Export: the CSV link of the page downloads the corrected row.
    wait_for(&c, &testid("nav-export"))
        .await
        .click()
        .await
        .unwrap();
    let link = wait_for(&c, "a[data-testid][href*=\"segments.csv\"]").await;
    shot(&c, "07-export").await;
    let href = link.attr("href").await.unwrap().expect("href");
    let csv = fetch_in_page(&c, &href).await;
    assert!(csv.starts_with("200\n"), "export answered {csv:.200}");
    assert!(
        csv.contains("corrigido"),
        "corrected transcript not exported: {csv:.500}"
    );
    assert!(csv.contains(&sessao), "{csv:.500}");

    // The other pages render with data and no error banner.
    for (nav, page) in [
        ("nav-review", "08-review"),
        ("nav-comparison", "09-comparison"),
        ("nav-keys", "10-keys"),
    ] {
        wait_for(&c, &testid(nav)).await.click().await.unwrap();
        tokio::time::sleep(Duration::from_millis(800)).await;
        shot(&c, page).await;
        assert!(
            c.find(Locator::Css(&testid("error"))).await.is_err(),
            "{page} shows an error"
        );
    }
    wait_text(&c, &testid("keys-table"), |t| t.contains("Loja Centro")).await;

    // Logging out ends the session: the API refuses the old cookie.
    wait_for(&c, &testid("logout")).await.click().await.unwrap();
    wait_for(&c, &testid("login-form")).await;
    let after = fetch_in_page(&c, "/api/admin/session").await;
    assert!(after.starts_with("401"), "{after:.200}");
    c.close().await.unwrap();
}
