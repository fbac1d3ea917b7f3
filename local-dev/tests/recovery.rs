//! The recovery sweep: segments left `stored` (provider outage, crash mid-pipeline) are
//! finished exactly once, retried with back-off, marked `failed` when retries run out, and never
//! taken from under a live connection.

mod common;

use async_trait::async_trait;
use balto_advisor::rules::RulesAdvisor;
use balto_core::records::{SegmentStatus, TranscriptRecord};
use balto_core::segment_job::{JobPolicy, NO_TRANSCRIBER_MESSAGE};
use balto_core::storage::Storage;
use balto_core::transcriber::{SttError, Transcriber, Transcription};
use balto_local::recovery::{Recovery, RecoveryPolicy, SweepReport};
use common::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Fails its first `failures` calls as a provider outage would, then answers `text`.
struct OutageTranscriber {
    failures: usize,
    calls: AtomicUsize,
    text: &'static str,
}

impl OutageTranscriber {
    fn new(failures: usize, text: &'static str) -> Arc<OutageTranscriber> {
        Arc::new(OutageTranscriber {
            failures,
            calls: AtomicUsize::new(0),
            text,
        })
    }
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl Transcriber for OutageTranscriber {
    fn name(&self) -> &str {
        "queda-simulada"
    }
    async fn transcribe(&self, pcm: &[i16]) -> Result<Transcription, SttError> {
        assert!(!pcm.is_empty(), "the WAV was read back");
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        if n < self.failures {
            return Err(SttError::Http {
                status: 503,
                body: format!("outage (call {})", n + 1),
            });
        }
        Ok(Transcription {
            text: self.text.to_string(),
            language: Some("pt".into()),
            words: Vec::new(),
            provider: "queda-simulada".into(),
        })
    }
}

fn quick_policy() -> RecoveryPolicy {
    RecoveryPolicy {
        sweep_every: Duration::from_millis(50),
        job: JobPolicy {
            max_failures: 3,
            first_backoff_ms: 150,
            max_backoff_ms: 1_000,
            ..JobPolicy::default()
        },
        orphan_age: Duration::ZERO,
        batch: 100,
    }
}

/// Streams `n` one-second segments, waits for their acks and for the live pipeline's failure.
async fn segments_left_by_an_outage(app: &TestApp, n: usize) -> String {
    let key = app.key("Loja Centro", "B1").await;
    let (mut ws, sessao) = app.authed(&key.api_key).await;
    for i in 0..n {
        send_segment(
            &mut ws,
            &format!("s{i}"),
            i as u64 * 2000,
            &vec![900i16; 16_000],
        )
        .await;
        assert_eq!(recv_json(&mut ws).await["comando"], "segmento_ok");
    }
    drop(ws);
    app.wait_session_ended(&sessao).await;
    let segs = app.segments(&sessao).await;
    assert_eq!(segs.len(), n);
    for s in &segs {
        assert_eq!(s.status, SegmentStatus::Stored, "{s:?}");
        assert_eq!(s.attempts, 1, "{s:?}");
        assert!(s.last_error.as_deref().unwrap().contains("outage"), "{s:?}");
    }
    sessao
}

#[tokio::test]
async fn segments_left_by_an_outage_are_finished_once_with_advice_not_sent() {
    let stt = OutageTranscriber::new(3, "bom dia, estou com dor de cabeça, tem alguma coisa?");
    let app = spawn_app(Parts {
        transcriber: Some(stt.clone()),
        advisor: Some(Arc::new(RulesAdvisor::with_embedded_catalog())),
        ..Parts::default()
    })
    .await;
    let sessao = segments_left_by_an_outage(&app, 3).await;
    assert_eq!(stt.calls(), 3, "one live try each, all failed");

    let mut recovery = Recovery::new(Arc::clone(&app.app), quick_policy());
    let report = recovery.sweep().await.unwrap();
    assert_eq!(
        report,
        SweepReport {
            processed: 3,
            ..SweepReport::default()
        }
    );
    assert_eq!(stt.calls(), 6);
    for s in app.segments(&sessao).await {
        assert_eq!(s.status, SegmentStatus::Processed, "{s:?}");
        assert_eq!(s.last_error, None);
        let transcripts = app.store.segment_transcripts(&s.id).await.unwrap();
        assert_eq!(transcripts.len(), 1, "exactly one transcript for {}", s.id);
        let attempts = app.store.segment_attempts(&s.id).await.unwrap();
        assert!(attempts.iter().any(|(stage, _)| stage == "advisor"));
    }
    let suggestions = app.store.session_suggestions(&sessao).await.unwrap();
    assert_eq!(suggestions.len(), 3);
    assert!(
        suggestions.iter().all(|s| !s.sent),
        "nobody is waiting: not sent"
    );
    assert!(
        suggestions[0].advice.product.is_some(),
        "the rules advisor answers a headache: {:?}",
        suggestions[0]
    );
    // The later segments saw the earlier transcripts as context.
    assert!(
        suggestions[2].base_transcript.contains("dor de cabeça"),
        "{:?}",
        suggestions[2]
    );
    // Nothing left: a second sweep does nothing and calls nobody.
    assert_eq!(recovery.sweep().await.unwrap(), SweepReport::default());
    assert_eq!(stt.calls(), 6);
}

#[tokio::test]
async fn retries_back_off_and_end_in_a_visible_failed_state() {
    let stt = OutageTranscriber::new(usize::MAX, "nunca");
    let app = spawn_app(Parts {
        transcriber: Some(stt.clone()),
        advisor: Some(Arc::new(RulesAdvisor::with_embedded_catalog())),
        ..Parts::default()
    })
    .await;
    let sessao = segments_left_by_an_outage(&app, 1).await;
    let mut recovery = Recovery::new(Arc::clone(&app.app), quick_policy());

    let first = recovery.sweep().await.unwrap();
    assert_eq!(first.retrying, 1, "{first:?}");
    // Within the back-off window (2nd failed run: 300 ms) the segment is left alone.
    let early = recovery.sweep().await.unwrap();
    assert_eq!((early.retrying, early.skipped), (0, 1), "{early:?}");
    assert_eq!(stt.calls(), 2, "live try + first retry");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let still = recovery.sweep().await.unwrap();
    assert_eq!((still.retrying, still.skipped), (0, 1), "{still:?}");

    tokio::time::sleep(Duration::from_millis(150)).await;
    let last = recovery.sweep().await.unwrap();
    assert_eq!(
        last.failed, 1,
        "third failed run (live + two sweeps): {last:?}"
    );
    assert_eq!(stt.calls(), 3);

    let seg = &app.segments(&sessao).await[0];
    assert_eq!(seg.status, SegmentStatus::Failed);
    assert_eq!(seg.attempts, 3, "every run is counted on the record");
    assert!(
        seg.last_error
            .as_deref()
            .unwrap()
            .contains("outage (call 3)")
    );
    // Failed segments are not swept again until an admin sets them back to `stored`.
    assert_eq!(recovery.sweep().await.unwrap(), SweepReport::default());
    app.store
        .set_segment_status(&seg.id, SegmentStatus::Stored, None)
        .await
        .unwrap();
    assert_eq!(recovery.sweep().await.unwrap().retrying, 1, "retried again");
}

#[tokio::test]
async fn a_stored_transcript_is_reused_and_claimed_segments_are_left_alone() {
    let stt = OutageTranscriber::new(2, "tem dipirona?");
    let app = spawn_app(Parts {
        transcriber: Some(stt.clone()),
        advisor: Some(Arc::new(RulesAdvisor::with_embedded_catalog())),
        ..Parts::default()
    })
    .await;
    let sessao = segments_left_by_an_outage(&app, 2).await;
    let segs = app.segments(&sessao).await;
    // As if the server died after storing the first segment's transcript.
    app.store
        .insert_transcript(TranscriptRecord {
            segment_id: segs[0].id.clone(),
            provider: "antes-da-queda".into(),
            text: "tem dipirona?".into(),
            language: Some("pt".into()),
            latency_ms: 10,
            created_at_ms: 1,
        })
        .await
        .unwrap();
    // A live task holds the second one.
    let held = app.app.claims.claim(&segs[1].id).expect("unclaimed");

    let mut recovery = Recovery::new(Arc::clone(&app.app), quick_policy());
    let report = recovery.sweep().await.unwrap();
    assert_eq!((report.processed, report.skipped), (1, 1), "{report:?}");
    assert_eq!(
        stt.calls(),
        2,
        "no STT for the segment that had a transcript"
    );
    let transcripts = app.store.segment_transcripts(&segs[0].id).await.unwrap();
    assert_eq!(transcripts.len(), 1);
    assert_eq!(transcripts[0].provider, "antes-da-queda");

    drop(held);
    let report = recovery.sweep().await.unwrap();
    assert_eq!(report.processed, 1, "{report:?}");
    assert_eq!(stt.calls(), 3);
}

#[tokio::test]
async fn without_a_transcriber_stored_segments_wait() {
    let app = spawn_app(Parts {
        transcriber: None,
        advisor: Some(Arc::new(RulesAdvisor::with_embedded_catalog())),
        ..Parts::default()
    })
    .await;
    let key = app.key("Loja", "B1").await;
    let (mut ws, sessao) = app.authed(&key.api_key).await;
    send_segment(&mut ws, "s0", 0, &vec![900i16; 16_000]).await;
    assert_eq!(recv_json(&mut ws).await["comando"], "segmento_ok");
    drop(ws);
    app.wait_session_ended(&sessao).await;
    let mut recovery = Recovery::new(Arc::clone(&app.app), quick_policy());
    let report = recovery.sweep().await.unwrap();
    assert_eq!((report.processed, report.skipped), (0, 1));
    let seg = &app.segments(&sessao).await[0];
    assert_eq!(seg.status, SegmentStatus::Stored);
    assert_eq!(
        seg.last_error.as_deref(),
        Some(NO_TRANSCRIBER_MESSAGE),
        "the admin area says why it waits"
    );
}

#[tokio::test]
async fn a_failure_that_cannot_pass_on_a_second_try_is_final_at_once() {
    let app = spawn_app(Parts {
        transcriber: Some(Arc::new(RejectingTranscriber)),
        advisor: Some(Arc::new(RulesAdvisor::with_embedded_catalog())),
        ..Parts::default()
    })
    .await;
    let key = app.key("Loja", "B1").await;
    let (mut ws, sessao) = app.authed(&key.api_key).await;
    send_segment(&mut ws, "s0", 0, &vec![900i16; 16_000]).await;
    assert_eq!(recv_json(&mut ws).await["comando"], "segmento_ok");
    drop(ws);
    app.wait_session_ended(&sessao).await;
    let seg = &app.segments(&sessao).await[0];
    assert_eq!(seg.status, SegmentStatus::Failed, "{seg:?}");
    assert!(
        seg.last_error
            .as_deref()
            .unwrap()
            .contains("unsupported audio")
    );
    // Failed for good: the sweep leaves it for an admin.
    let mut recovery = Recovery::new(Arc::clone(&app.app), quick_policy());
    assert_eq!(recovery.sweep().await.unwrap(), SweepReport::default());
}

/// A provider that refuses every request as malformed (HTTP 400): no retry can help.
struct RejectingTranscriber;

#[async_trait]
impl Transcriber for RejectingTranscriber {
    fn name(&self) -> &str {
        "recusa"
    }
    async fn transcribe(&self, _pcm: &[i16]) -> Result<Transcription, SttError> {
        Err(SttError::Http {
            status: 400,
            body: "unsupported audio".into(),
        })
    }
}
