//! The admin-store contract as executable checks: one suite every [`AdminStore`] backend must
//! pass (SQLite in local-dev, DynamoDB in production), next to [`crate::storage_conformance`].
//! Enabled by the `conformance` feature. The store is filled through [`Storage`] (and the
//! `review_*` calls) exactly as the servers fill it, then every [`AdminStore`] method and every
//! [`HistoryQuery`] filter is checked against hand-written expectations. Failures panic with
//! what was expected.
//!
//! The data set (times relative to [`T0`]):
//!
//! | session | store / counter | started | segments (created) |
//! |---|---|---|---|
//! | `s1` | Loja A / Balcão 1 | +1000 (ended +9000) | `g1` (+1100), `g2` (+1200) |
//! | `s2` | Loja A / Balcão 2 | +2000 | `g3` (+2100), `g4` (+2200, failed) |
//! | `s3` | Loja B / Balcão 1 | +3000 | `g5` (+3100), `g6` (+3100, inserted after `g5`, stored) |
//! | `s4` | Loja B / Balcão 1 | +4000 | none |

use crate::admin::{
    HistoryQuery, Page, ReviewFilter, SegmentRow, SessionSummary, SuggestionReview,
    TranscriptReview,
};
use crate::admin_store::{AdminStore, ProviderTranscript, ReviewedSuggestion, ReviewedTranscript};
use crate::advice::{Advice, Category, Confidence, Decision};
use crate::attempt::{Attempt, AttemptOutcome};
use crate::records::{
    CounterKey, InsertOutcome, SegmentRecord, SegmentStatus, SessionRecord, StoredKey,
    SuggestionRecord, SuggestionVerdict, TranscriptRecord,
};
use crate::storage::Storage;

/// The time every record of the suite is placed after (2023-11-14, UTC).
pub const T0: i64 = 1_700_000_000_000;

/// Runs every check. `storage` and `admin` must be the same backend, and it must be empty: the
/// admin lists cover everything stored.
pub async fn run(storage: &dyn Storage, admin: &dyn AdminStore) {
    let data = fill(storage, admin).await;
    reviews(admin).await;
    segments(admin, &data).await;
    segment_filters(admin).await;
    full_text(admin).await;
    paging(admin).await;
    sessions(admin).await;
    figures(admin).await;
}

/// The records written, to build expected rows from.
struct Data {
    segments: Vec<SegmentRecord>,
}

const SEGMENT_IDS: [&str; 6] = ["g1", "g2", "g3", "g4", "g5", "g6"];

fn stored_key(id: &str, store: &str, counter: &str, created: i64) -> StoredKey {
    StoredKey {
        key: CounterKey {
            key_id: id.into(),
            store: store.into(),
            counter: counter.into(),
            created_at_ms: created,
            revoked_at_ms: None,
        },
        salt: vec![1; 16],
        hash: vec![2; 32],
    }
}

fn session(id: &str, key: &StoredKey, started: i64) -> SessionRecord {
    SessionRecord {
        id: id.into(),
        key_id: key.key.key_id.clone(),
        store: key.key.store.clone(),
        counter: key.key.counter.clone(),
        started_at_ms: T0 + started,
        ended_at_ms: None,
    }
}

fn segment(id: &str, s: &SessionRecord, seq: u64, created: i64) -> SegmentRecord {
    SegmentRecord {
        id: id.into(),
        session_id: s.id.clone(),
        key_id: s.key_id.clone(),
        client_id: None,
        seq: Some(seq),
        start_ms: seq * 2_000,
        duration_ms: 1_000 + seq * 100,
        audio_ref: format!("audio/{id}.wav"),
        created_at_ms: T0 + created,
        status: SegmentStatus::Stored,
        attempts: 0,
        last_error: None,
    }
}

fn transcript(seg: &str, provider: &str, text: &str, latency: u64) -> TranscriptRecord {
    TranscriptRecord {
        segment_id: seg.into(),
        provider: provider.into(),
        text: text.into(),
        language: Some("pt".into()),
        latency_ms: latency,
        created_at_ms: T0 + 50_000,
    }
}

#[allow(clippy::too_many_arguments)]
fn suggestion(
    seg: &str,
    session: &str,
    decision: Decision,
    category: Option<Category>,
    product: Option<&str>,
    confidence: Confidence,
    sent: bool,
    latency: u64,
) -> SuggestionRecord {
    SuggestionRecord {
        segment_id: seg.into(),
        session_id: session.into(),
        advisor: "regras".into(),
        advice: Advice {
            decision,
            category,
            product: product.map(str::to_string),
            explanation: format!("explicação de {seg}"),
            confidence,
        },
        base_transcript: String::new(),
        sent,
        latency_ms: latency,
        created_at_ms: T0 + 60_000,
    }
}

fn call(provider: &str, latency: u64, outcome: AttemptOutcome) -> Attempt {
    Attempt {
        provider: provider.into(),
        attempt: 1,
        started_ms: 0,
        latency_ms: latency,
        outcome,
        error: (outcome != AttemptOutcome::Ok).then(|| format!("{provider} failed")),
    }
}

async fn fill(storage: &dyn Storage, admin: &dyn AdminStore) -> Data {
    let ka1 = stored_key("ka1", "Loja A", "Balcão 1", T0);
    let ka2 = stored_key("ka2", "Loja A", "Balcão 2", T0 + 1);
    let kb1 = stored_key("kb1", "Loja B", "Balcão 1", T0 + 2);
    for k in [&ka1, &ka2, &kb1] {
        storage.insert_key(k.clone()).await.expect("insert key");
    }
    let s1 = session("s1", &ka1, 1_000);
    let s2 = session("s2", &ka2, 2_000);
    let s3 = session("s3", &kb1, 3_000);
    let s4 = session("s4", &kb1, 4_000);
    for s in [&s1, &s2, &s3, &s4] {
        storage.open_session(s.clone()).await.expect("open session");
    }
    storage.close_session("s1", T0 + 9_000).await.unwrap();

    let segs = vec![
        segment("g1", &s1, 1, 1_100),
        segment("g2", &s1, 2, 1_200),
        segment("g3", &s2, 1, 2_100),
        segment("g4", &s2, 2, 2_200),
        segment("g5", &s3, 1, 3_100),
        // Same creation time as g5, inserted after it: newer in every list.
        segment("g6", &s3, 2, 3_100),
    ];
    for s in &segs {
        assert_eq!(
            storage.insert_segment(s.clone()).await.unwrap(),
            InsertOutcome::Inserted
        );
    }

    // g1: two providers (the latest, whisper, is the row's transcript).
    storage
        .insert_transcript(transcript(
            "g1",
            "elevenlabs",
            "Estou com dor de cabeça, doutor.",
            400,
        ))
        .await
        .unwrap();
    storage
        .insert_transcript(transcript(
            "g1",
            "whisper",
            "estou com dor de cabeca hoje",
            900,
        ))
        .await
        .unwrap();
    storage
        .insert_transcript(transcript(
            "g2",
            "elevenlabs",
            "Tenho tosse seca há três dias",
            500,
        ))
        .await
        .unwrap();
    storage
        .insert_transcript(transcript(
            "g3",
            "whisper",
            "Minha filha está com FEBRE e dor",
            700,
        ))
        .await
        .unwrap();
    storage
        .insert_transcript(transcript("g5", "elevenlabs", "Ação rápida para AZIA", 300))
        .await
        .unwrap();

    for sug in [
        suggestion(
            "g1",
            "s1",
            Decision::Recomendar,
            Some(Category::DorFebre),
            Some("Paracetamol 750 mg"),
            Confidence::Alta,
            true,
            3,
        ),
        // g2: a pushed suggestion, then a later "nothing": the latest is the row's.
        suggestion(
            "g2",
            "s1",
            Decision::Recomendar,
            Some(Category::Tosse),
            Some("Xarope"),
            Confidence::Media,
            true,
            4,
        ),
        suggestion(
            "g2",
            "s1",
            Decision::Nenhuma,
            None,
            None,
            Confidence::Baixa,
            false,
            5,
        ),
        suggestion(
            "g3",
            "s2",
            Decision::Intervencao,
            Some(Category::DorFebre),
            None,
            Confidence::Alta,
            true,
            6,
        ),
        suggestion(
            "g5",
            "s3",
            Decision::Recomendar,
            Some(Category::AziaMaDigestao),
            Some("Antiácido"),
            Confidence::Media,
            true,
            7,
        ),
    ] {
        storage.insert_suggestion(sug).await.unwrap();
    }

    storage
        .insert_attempts(
            "g1",
            "stt",
            &[
                call("elevenlabs", 400, AttemptOutcome::Ok),
                call("whisper", 900, AttemptOutcome::Ok),
            ],
        )
        .await
        .unwrap();
    storage
        .insert_attempts("g1", "advisor", &[call("regras", 3, AttemptOutcome::Ok)])
        .await
        .unwrap();
    storage
        .insert_attempts(
            "g2",
            "stt",
            &[
                call("elevenlabs", 10_000, AttemptOutcome::Timeout),
                call("elevenlabs", 500, AttemptOutcome::Ok),
            ],
        )
        .await
        .unwrap();
    storage
        .insert_attempts("g3", "stt", &[call("whisper", 700, AttemptOutcome::Ok)])
        .await
        .unwrap();
    storage
        .insert_attempts("g4", "stt", &[call("elevenlabs", 80, AttemptOutcome::Http)])
        .await
        .unwrap();
    storage
        .insert_attempts("g5", "stt", &[call("elevenlabs", 300, AttemptOutcome::Ok)])
        .await
        .unwrap();
    storage
        .insert_attempts("g5", "advisor", &[call("xai", 2_000, AttemptOutcome::Ok)])
        .await
        .unwrap();

    for id in ["g1", "g2", "g3", "g5"] {
        storage
            .set_segment_status(id, SegmentStatus::Processed, None)
            .await
            .unwrap();
    }
    storage
        .set_segment_status("g4", SegmentStatus::Failed, Some("provider down".into()))
        .await
        .unwrap();

    // Reviews: g1 both (the transcript review replaced once), g3 suggestion (replaced once),
    // g5 transcript.
    assert!(
        admin
            .review_suggestion("g1", suggestion_review(SuggestionVerdict::Certa, None, 10))
            .await
            .unwrap()
    );
    assert!(
        admin
            .review_transcript(
                "g1",
                transcript_review(false, "estou com dor de cabeça forte", 11)
            )
            .await
            .unwrap()
    );
    assert!(
        admin
            .review_transcript(
                "g1",
                transcript_review(true, "estou com dor de cabeca hoje", 12)
            )
            .await
            .unwrap()
    );
    assert!(
        admin
            .review_suggestion(
                "g3",
                suggestion_review(SuggestionVerdict::Perigosa, Some("gestante"), 13)
            )
            .await
            .unwrap()
    );
    assert!(
        admin
            .review_suggestion("g3", suggestion_review(SuggestionVerdict::Errada, None, 14))
            .await
            .unwrap()
    );
    assert!(
        admin
            .review_transcript("g5", transcript_review(false, "ação rápida para azia", 15))
            .await
            .unwrap()
    );

    let mut segments = segs;
    for s in &mut segments {
        match s.id.as_str() {
            "g1" | "g2" | "g3" | "g5" => {
                s.status = SegmentStatus::Processed;
                s.attempts = 1;
            }
            "g4" => {
                s.status = SegmentStatus::Failed;
                s.attempts = 1;
                s.last_error = Some("provider down".into());
            }
            _ => {}
        }
    }
    Data { segments }
}

fn transcript_review(correct: bool, text: &str, at: i64) -> TranscriptReview {
    TranscriptReview {
        correct,
        corrected_text: text.into(),
        reviewed_at_ms: T0 + 100_000 + at,
    }
}

fn suggestion_review(verdict: SuggestionVerdict, note: Option<&str>, at: i64) -> SuggestionReview {
    SuggestionReview {
        verdict,
        note: note.map(str::to_string),
        reviewed_at_ms: T0 + 100_000 + at,
    }
}

async fn reviews(admin: &dyn AdminStore) {
    assert!(
        !admin
            .review_transcript("nope", transcript_review(true, "x", 1))
            .await
            .unwrap(),
        "reviewing an unknown segment's transcript is false"
    );
    assert!(
        !admin
            .review_suggestion("nope", suggestion_review(SuggestionVerdict::Certa, None, 1))
            .await
            .unwrap(),
        "reviewing an unknown segment's suggestion is false"
    );
    assert_eq!(
        admin.segment_row("nope").await.unwrap(),
        None,
        "a review of an unknown segment creates nothing"
    );
}

/// The row every segment must read back as.
fn expected_row(data: &Data, id: &str) -> SegmentRow {
    let rec = data
        .segments
        .iter()
        .find(|s| s.id == id)
        .expect("a segment of the suite");
    let (store, counter) = match rec.session_id.as_str() {
        "s1" => ("Loja A", "Balcão 1"),
        "s2" => ("Loja A", "Balcão 2"),
        _ => ("Loja B", "Balcão 1"),
    };
    let mut row = SegmentRow {
        segment_id: rec.id.clone(),
        session_id: rec.session_id.clone(),
        key_id: rec.key_id.clone(),
        store: store.into(),
        counter: counter.into(),
        created_at_ms: rec.created_at_ms,
        start_ms: rec.start_ms,
        duration_ms: rec.duration_ms,
        status: rec.status,
        attempts: rec.attempts,
        last_error: rec.last_error.clone(),
        provider: None,
        transcript: None,
        transcript_latency_ms: None,
        advisor: None,
        decision: None,
        category: None,
        product: None,
        explanation: None,
        confidence: None,
        sent: None,
        advisor_latency_ms: None,
        transcript_review: None,
        suggestion_review: None,
    };
    let transcript = |row: &mut SegmentRow, p: &str, t: &str, l: u64| {
        row.provider = Some(p.into());
        row.transcript = Some(t.into());
        row.transcript_latency_ms = Some(l);
    };
    let advice = |row: &mut SegmentRow,
                  d: Decision,
                  c: Option<Category>,
                  p: Option<&str>,
                  conf: Confidence,
                  sent: bool,
                  l: u64| {
        row.advisor = Some("regras".into());
        row.decision = Some(d);
        row.category = c;
        row.product = p.map(str::to_string);
        row.explanation = Some(format!("explicação de {id}"));
        row.confidence = Some(conf);
        row.sent = Some(sent);
        row.advisor_latency_ms = Some(l);
    };
    match id {
        "g1" => {
            transcript(&mut row, "whisper", "estou com dor de cabeca hoje", 900);
            advice(
                &mut row,
                Decision::Recomendar,
                Some(Category::DorFebre),
                Some("Paracetamol 750 mg"),
                Confidence::Alta,
                true,
                3,
            );
            row.transcript_review =
                Some(transcript_review(true, "estou com dor de cabeca hoje", 12));
            row.suggestion_review = Some(suggestion_review(SuggestionVerdict::Certa, None, 10));
        }
        "g2" => {
            transcript(&mut row, "elevenlabs", "Tenho tosse seca há três dias", 500);
            advice(
                &mut row,
                Decision::Nenhuma,
                None,
                None,
                Confidence::Baixa,
                false,
                5,
            );
        }
        "g3" => {
            transcript(&mut row, "whisper", "Minha filha está com FEBRE e dor", 700);
            advice(
                &mut row,
                Decision::Intervencao,
                Some(Category::DorFebre),
                None,
                Confidence::Alta,
                true,
                6,
            );
            row.suggestion_review = Some(suggestion_review(SuggestionVerdict::Errada, None, 14));
        }
        "g5" => {
            transcript(&mut row, "elevenlabs", "Ação rápida para AZIA", 300);
            advice(
                &mut row,
                Decision::Recomendar,
                Some(Category::AziaMaDigestao),
                Some("Antiácido"),
                Confidence::Media,
                true,
                7,
            );
            row.transcript_review = Some(transcript_review(false, "ação rápida para azia", 15));
        }
        _ => {}
    }
    row
}

async fn segments(admin: &dyn AdminStore, data: &Data) {
    for id in SEGMENT_IDS {
        assert_eq!(
            admin.segment_row(id).await.unwrap(),
            Some(expected_row(data, id)),
            "segment_row({id}): every field, latest transcript and suggestion, reviews"
        );
        let rec = data.segments.iter().find(|s| s.id == id).unwrap();
        assert_eq!(
            admin.segment_record(id).await.unwrap().as_ref(),
            Some(rec),
            "segment_record({id})"
        );
    }
    assert_eq!(admin.segment_record("nope").await.unwrap(), None);

    let all = admin.list_segments(&HistoryQuery::default()).await.unwrap();
    let expected: Vec<SegmentRow> = ["g6", "g5", "g4", "g3", "g2", "g1"]
        .iter()
        .map(|id| expected_row(data, id))
        .collect();
    assert_eq!(
        all,
        Page {
            items: expected,
            page: 1,
            page_size: crate::admin::DEFAULT_PAGE_SIZE,
            total: 6,
        },
        "every segment, newest first (ties: the later insert first), full rows"
    );

    let rows = admin.session_rows("s1").await.unwrap();
    assert_eq!(
        rows,
        vec![expected_row(data, "g1"), expected_row(data, "g2")],
        "a session's rows in arrival order"
    );
    assert_eq!(
        ids(&admin.session_rows("s3").await.unwrap()),
        ["g5", "g6"],
        "arrival order, also on equal creation times"
    );
    assert!(admin.session_rows("s4").await.unwrap().is_empty());
    assert!(admin.session_rows("nope").await.unwrap().is_empty());
}

fn ids(rows: &[SegmentRow]) -> Vec<&str> {
    rows.iter().map(|r| r.segment_id.as_str()).collect()
}

async fn segment_ids(admin: &dyn AdminStore, q: HistoryQuery) -> Vec<String> {
    let page = admin.list_segments(&q).await.unwrap();
    let got: Vec<String> = page.items.iter().map(|r| r.segment_id.clone()).collect();
    assert_eq!(
        page.total,
        got.len() as u64,
        "total matches the rows of a single page ({q:?})"
    );
    got
}

async fn check_segments(admin: &dyn AdminStore, q: HistoryQuery, expected: &[&str]) {
    let got = segment_ids(admin, q.clone()).await;
    assert_eq!(got, expected, "list_segments({q:?})");
}

fn q() -> HistoryQuery {
    HistoryQuery::default()
}

async fn segment_filters(admin: &dyn AdminStore) {
    let store = |s: &str| HistoryQuery {
        store: Some(s.into()),
        ..q()
    };
    check_segments(admin, store("Loja A"), &["g4", "g3", "g2", "g1"]).await;
    check_segments(admin, store("Loja B"), &["g6", "g5"]).await;
    check_segments(admin, store("Loja"), &[]).await;
    let counter = |c: &str| HistoryQuery {
        counter: Some(c.into()),
        ..q()
    };
    check_segments(admin, counter("Balcão 1"), &["g6", "g5", "g2", "g1"]).await;
    check_segments(admin, counter("Balcão 2"), &["g4", "g3"]).await;
    check_segments(
        admin,
        HistoryQuery {
            store: Some("Loja A".into()),
            counter: Some("Balcão 1".into()),
            ..q()
        },
        &["g2", "g1"],
    )
    .await;
    check_segments(
        admin,
        HistoryQuery {
            session_id: Some("s2".into()),
            ..q()
        },
        &["g4", "g3"],
    )
    .await;
    check_segments(
        admin,
        HistoryQuery {
            session_id: Some("s4".into()),
            ..q()
        },
        &[],
    )
    .await;
    // from inclusive, to exclusive.
    check_segments(
        admin,
        HistoryQuery {
            from_ms: Some(T0 + 1_200),
            to_ms: Some(T0 + 2_200),
            ..q()
        },
        &["g3", "g2"],
    )
    .await;
    check_segments(
        admin,
        HistoryQuery {
            from_ms: Some(T0 + 3_100),
            ..q()
        },
        &["g6", "g5"],
    )
    .await;
    check_segments(
        admin,
        HistoryQuery {
            to_ms: Some(T0 + 1_101),
            ..q()
        },
        &["g1"],
    )
    .await;
    check_segments(
        admin,
        HistoryQuery {
            session_id: Some("s1".into()),
            from_ms: Some(T0 + 1_150),
            ..q()
        },
        &["g2"],
    )
    .await;
    // A transcript by the provider exists (not only the latest).
    let provider = |p: &str| HistoryQuery {
        provider: Some(p.into()),
        ..q()
    };
    check_segments(admin, provider("whisper"), &["g3", "g1"]).await;
    check_segments(admin, provider("elevenlabs"), &["g5", "g2", "g1"]).await;
    check_segments(admin, provider("assemblyai"), &[]).await;
    // Decision, category and confidence are the latest suggestion's.
    let decision = |d: Decision| HistoryQuery {
        decision: Some(d),
        ..q()
    };
    check_segments(admin, decision(Decision::Recomendar), &["g5", "g1"]).await;
    check_segments(admin, decision(Decision::Nenhuma), &["g2"]).await;
    check_segments(admin, decision(Decision::Intervencao), &["g3"]).await;
    let category = |c: Category| HistoryQuery {
        category: Some(c),
        ..q()
    };
    check_segments(admin, category(Category::DorFebre), &["g3", "g1"]).await;
    check_segments(admin, category(Category::AziaMaDigestao), &["g5"]).await;
    check_segments(admin, category(Category::Tosse), &[]).await;
    let confidence = |c: Confidence| HistoryQuery {
        confidence: Some(c),
        ..q()
    };
    check_segments(admin, confidence(Confidence::Alta), &["g3", "g1"]).await;
    check_segments(admin, confidence(Confidence::Media), &["g5"]).await;
    check_segments(admin, confidence(Confidence::Baixa), &["g2"]).await;
    let status = |s: SegmentStatus| HistoryQuery {
        status: Some(s),
        ..q()
    };
    check_segments(admin, status(SegmentStatus::Failed), &["g4"]).await;
    check_segments(admin, status(SegmentStatus::Stored), &["g6"]).await;
    check_segments(
        admin,
        status(SegmentStatus::Processed),
        &["g5", "g3", "g2", "g1"],
    )
    .await;
    let review = |r: ReviewFilter| HistoryQuery {
        review: Some(r),
        ..q()
    };
    check_segments(admin, review(ReviewFilter::Unreviewed), &["g6", "g4", "g2"]).await;
    check_segments(admin, review(ReviewFilter::Reviewed), &["g5", "g3", "g1"]).await;
    check_segments(
        admin,
        review(ReviewFilter::TranscriptReviewed),
        &["g5", "g1"],
    )
    .await;
    check_segments(
        admin,
        review(ReviewFilter::SuggestionReviewed),
        &["g3", "g1"],
    )
    .await;
    // Filters combine with AND.
    check_segments(
        admin,
        HistoryQuery {
            store: Some("Loja A".into()),
            provider: Some("elevenlabs".into()),
            decision: Some(Decision::Recomendar),
            ..q()
        },
        &["g1"],
    )
    .await;
    check_segments(
        admin,
        HistoryQuery {
            store: Some("Loja B".into()),
            status: Some(SegmentStatus::Failed),
            ..q()
        },
        &[],
    )
    .await;
}

async fn full_text(admin: &dyn AdminStore) {
    let text = |t: &str| HistoryQuery {
        q: Some(t.into()),
        ..q()
    };
    check_segments(admin, text("dor"), &["g3", "g1"]).await;
    check_segments(admin, text("  "), &["g6", "g5", "g4", "g3", "g2", "g1"]).await;
    // Case- and accent-insensitive, in both directions.
    check_segments(admin, text("DOR cabeca"), &["g1"]).await;
    check_segments(admin, text("cabeça estou"), &["g1"]).await;
    check_segments(admin, text("febre MINHA"), &["g3"]).await;
    check_segments(admin, text("acao azia"), &["g5"]).await;
    check_segments(admin, text("AÇÃO Rápida"), &["g5"]).await;
    check_segments(admin, text("tres tosse"), &["g2"]).await;
    // Every word must appear.
    check_segments(admin, text("dor tosse"), &[]).await;
    check_segments(admin, text("dor azia"), &[]).await;
    // Whole words, not substrings.
    check_segments(admin, text("cabe"), &[]).await;
    // All words in one transcript: g1's two transcripts hold "doutor" and "hoje" separately.
    check_segments(admin, text("doutor hoje"), &[]).await;
    check_segments(admin, text("doutor"), &["g1"]).await;
    check_segments(admin, text("hoje"), &["g1"]).await;
    // Query syntax is inert.
    check_segments(admin, text("dor\" OR \"tosse"), &[]).await;
    check_segments(admin, text("dor*"), &["g3", "g1"]).await;
    // With other filters.
    check_segments(
        admin,
        HistoryQuery {
            q: Some("dor".into()),
            store: Some("Loja A".into()),
            provider: Some("elevenlabs".into()),
            ..q()
        },
        &["g1"],
    )
    .await;
}

async fn paging(admin: &dyn AdminStore) {
    let all = ["g6", "g5", "g4", "g3", "g2", "g1"];
    for page in 1..=4u32 {
        let p = admin
            .list_segments(&HistoryQuery {
                page: Some(page),
                page_size: Some(2),
                ..q()
            })
            .await
            .unwrap();
        assert_eq!((p.page, p.page_size, p.total), (page, 2, 6), "page {page}");
        let start = ((page - 1) * 2) as usize;
        let expected: Vec<&str> = all.iter().skip(start).take(2).copied().collect();
        assert_eq!(ids(&p.items), expected, "page {page} of 2 rows");
    }
    let p = admin
        .list_segments(&HistoryQuery {
            page: Some(2),
            page_size: Some(1),
            provider: Some("elevenlabs".into()),
            ..q()
        })
        .await
        .unwrap();
    assert_eq!(ids(&p.items), ["g2"], "filtered, second page");
    assert_eq!(p.total, 3, "the total counts every filtered row");
    let p = admin
        .list_segments(&HistoryQuery {
            page_size: Some(10_000),
            ..q()
        })
        .await
        .unwrap();
    assert_eq!(p.page_size, crate::admin::MAX_PAGE_SIZE, "clamped");
    assert_eq!(p.items.len(), 6);
}

fn summary(id: &str, seg: u64, failed: u64, sent: u64, reviewed: u64) -> SessionSummary {
    let (key, store, counter, started, ended) = match id {
        "s1" => ("ka1", "Loja A", "Balcão 1", 1_000, Some(T0 + 9_000)),
        "s2" => ("ka2", "Loja A", "Balcão 2", 2_000, None),
        "s3" => ("kb1", "Loja B", "Balcão 1", 3_000, None),
        _ => ("kb1", "Loja B", "Balcão 1", 4_000, None),
    };
    SessionSummary {
        id: id.into(),
        key_id: key.into(),
        store: store.into(),
        counter: counter.into(),
        started_at_ms: T0 + started,
        ended_at_ms: ended,
        segments: seg,
        failed_segments: failed,
        suggestions_sent: sent,
        reviewed_segments: reviewed,
    }
}

fn summaries() -> [SessionSummary; 4] {
    [
        // Two sent suggestions in s1: g1's and g2's first (the later "nothing" was not sent).
        summary("s1", 2, 0, 2, 1),
        summary("s2", 2, 1, 1, 1),
        summary("s3", 2, 0, 1, 1),
        summary("s4", 0, 0, 0, 0),
    ]
}

async fn check_sessions(admin: &dyn AdminStore, q: HistoryQuery, expected: &[&str]) {
    let page = admin.list_sessions(&q).await.unwrap();
    let got: Vec<&str> = page.items.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(got, expected, "list_sessions({q:?})");
    assert_eq!(page.total, expected.len() as u64, "total of {q:?}");
}

async fn sessions(admin: &dyn AdminStore) {
    let all = admin.list_sessions(&q()).await.unwrap();
    let [s1, s2, s3, s4] = summaries();
    assert_eq!(
        all,
        Page {
            items: vec![s4.clone(), s3.clone(), s2.clone(), s1.clone()],
            page: 1,
            page_size: crate::admin::DEFAULT_PAGE_SIZE,
            total: 4,
        },
        "every session newest first with its counts; s4 has no segments and is listed"
    );
    for s in [&s1, &s2, &s3, &s4] {
        assert_eq!(
            admin.session_summary(&s.id).await.unwrap().as_ref(),
            Some(s),
            "session_summary({})",
            s.id
        );
    }
    assert_eq!(admin.session_summary("nope").await.unwrap(), None);

    // Session-level filters only: sessions without segments are listed.
    let store = |s: &str| HistoryQuery {
        store: Some(s.into()),
        ..q()
    };
    check_sessions(admin, store("Loja B"), &["s4", "s3"]).await;
    check_sessions(admin, store("Loja A"), &["s2", "s1"]).await;
    check_sessions(
        admin,
        HistoryQuery {
            counter: Some("Balcão 2".into()),
            ..q()
        },
        &["s2"],
    )
    .await;
    check_sessions(
        admin,
        HistoryQuery {
            counter: Some("Balcão 1".into()),
            store: Some("Loja B".into()),
            ..q()
        },
        &["s4", "s3"],
    )
    .await;
    check_sessions(
        admin,
        HistoryQuery {
            session_id: Some("s4".into()),
            ..q()
        },
        &["s4"],
    )
    .await;
    check_sessions(
        admin,
        HistoryQuery {
            session_id: Some("nope".into()),
            ..q()
        },
        &[],
    )
    .await;
    // The period applies to the session's start.
    check_sessions(
        admin,
        HistoryQuery {
            from_ms: Some(T0 + 2_000),
            to_ms: Some(T0 + 4_000),
            ..q()
        },
        &["s3", "s2"],
    )
    .await;
    check_sessions(
        admin,
        HistoryQuery {
            from_ms: Some(T0 + 4_000),
            ..q()
        },
        &["s4"],
    )
    .await;

    // Segment-level filters: sessions with at least one matching segment.
    check_sessions(
        admin,
        HistoryQuery {
            status: Some(SegmentStatus::Failed),
            ..q()
        },
        &["s2"],
    )
    .await;
    check_sessions(
        admin,
        HistoryQuery {
            decision: Some(Decision::Recomendar),
            ..q()
        },
        &["s3", "s1"],
    )
    .await;
    check_sessions(
        admin,
        HistoryQuery {
            q: Some("DOR".into()),
            ..q()
        },
        &["s2", "s1"],
    )
    .await;
    check_sessions(
        admin,
        HistoryQuery {
            review: Some(ReviewFilter::Unreviewed),
            ..q()
        },
        &["s3", "s2", "s1"],
    )
    .await;
    check_sessions(
        admin,
        HistoryQuery {
            provider: Some("whisper".into()),
            store: Some("Loja A".into()),
            ..q()
        },
        &["s2", "s1"],
    )
    .await;
    check_sessions(
        admin,
        HistoryQuery {
            category: Some(Category::Tosse),
            ..q()
        },
        &[],
    )
    .await;
    // With a period, both the segment's creation and the session's start must fall in it.
    check_sessions(
        admin,
        HistoryQuery {
            decision: Some(Decision::Recomendar),
            from_ms: Some(T0 + 1_150),
            ..q()
        },
        &["s3"],
    )
    .await;
    check_sessions(
        admin,
        HistoryQuery {
            confidence: Some(Confidence::Alta),
            to_ms: Some(T0 + 2_150),
            ..q()
        },
        &["s2", "s1"],
    )
    .await;

    // Paging.
    let p = admin
        .list_sessions(&HistoryQuery {
            page: Some(2),
            page_size: Some(3),
            ..q()
        })
        .await
        .unwrap();
    assert_eq!(
        p,
        Page {
            items: vec![s1.clone()],
            page: 2,
            page_size: 3,
            total: 4,
        },
        "second page of sessions"
    );
    let p = admin
        .list_sessions(&HistoryQuery {
            page: Some(2),
            page_size: Some(1),
            confidence: Some(Confidence::Alta),
            ..q()
        })
        .await
        .unwrap();
    assert_eq!((p.items, p.total), (vec![s1], 2), "filtered, second page");
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

fn rt(seg: &str, provider: &str, hyp: &str, reference: &str) -> ReviewedTranscript {
    ReviewedTranscript {
        segment_id: seg.into(),
        provider: provider.into(),
        hypothesis: hyp.into(),
        reference: reference.into(),
    }
}

fn pt(seg: &str, provider: &str, duration: u64, latency: u64) -> ProviderTranscript {
    ProviderTranscript {
        segment_id: seg.into(),
        provider: provider.into(),
        duration_ms: duration,
        latency_ms: latency,
    }
}

async fn reviewed_transcripts(admin: &dyn AdminStore, q: HistoryQuery) -> Vec<ReviewedTranscript> {
    let mut v = admin.reviewed_transcripts(&q).await.unwrap();
    v.sort_by(|a, b| (&a.segment_id, &a.provider).cmp(&(&b.segment_id, &b.provider)));
    v
}

async fn reviewed_suggestions(admin: &dyn AdminStore, q: HistoryQuery) -> Vec<String> {
    sorted(
        admin
            .reviewed_suggestions(&q)
            .await
            .unwrap()
            .into_iter()
            .map(|ReviewedSuggestion { category, verdict }| format!("{category:?}/{verdict:?}"))
            .collect(),
    )
}

async fn provider_transcripts(admin: &dyn AdminStore, q: HistoryQuery) -> Vec<ProviderTranscript> {
    let mut v = admin.provider_transcripts(&q).await.unwrap();
    v.sort_by(|a, b| (&a.segment_id, &a.provider).cmp(&(&b.segment_id, &b.provider)));
    v
}

async fn provider_calls(admin: &dyn AdminStore, q: HistoryQuery, stage: &str) -> Vec<String> {
    sorted(
        admin
            .provider_calls(&q, stage)
            .await
            .unwrap()
            .into_iter()
            .map(|c| format!("{}:{}:{}", c.provider, c.latency_ms, c.ok))
            .collect(),
    )
}

async fn figures(admin: &dyn AdminStore) {
    let g1_ref = "estou com dor de cabeca hoje";
    assert_eq!(
        reviewed_transcripts(admin, q()).await,
        vec![
            rt(
                "g1",
                "elevenlabs",
                "Estou com dor de cabeça, doutor.",
                g1_ref
            ),
            rt("g1", "whisper", "estou com dor de cabeca hoje", g1_ref),
            rt(
                "g5",
                "elevenlabs",
                "Ação rápida para AZIA",
                "ação rápida para azia"
            ),
        ],
        "every provider's transcript of each segment with a transcript review, latest review"
    );
    assert_eq!(
        reviewed_transcripts(
            admin,
            HistoryQuery {
                provider: Some("whisper".into()),
                ..q()
            }
        )
        .await
        .len(),
        2,
        "a provider filter selects segments; all their transcripts count"
    );
    assert!(
        reviewed_transcripts(
            admin,
            HistoryQuery {
                store: Some("Loja A".into()),
                session_id: Some("s2".into()),
                ..q()
            }
        )
        .await
        .is_empty()
    );

    assert_eq!(
        reviewed_suggestions(admin, q()).await,
        vec!["Some(DorFebre)/Certa", "Some(DorFebre)/Errada"],
        "the latest suggestion's category and the latest verdict"
    );
    assert_eq!(
        reviewed_suggestions(
            admin,
            HistoryQuery {
                store: Some("Loja A".into()),
                session_id: Some("s2".into()),
                ..q()
            }
        )
        .await,
        vec!["Some(DorFebre)/Errada"]
    );
    assert!(
        reviewed_suggestions(
            admin,
            HistoryQuery {
                store: Some("Loja B".into()),
                ..q()
            }
        )
        .await
        .is_empty()
    );

    assert_eq!(
        provider_transcripts(admin, q()).await,
        vec![
            pt("g1", "elevenlabs", 1_100, 400),
            pt("g1", "whisper", 1_100, 900),
            pt("g2", "elevenlabs", 1_200, 500),
            pt("g3", "whisper", 1_100, 700),
            pt("g5", "elevenlabs", 1_100, 300),
        ],
        "every transcript with its segment's duration"
    );
    assert_eq!(
        provider_transcripts(
            admin,
            HistoryQuery {
                session_id: Some("s2".into()),
                ..q()
            }
        )
        .await,
        vec![pt("g3", "whisper", 1_100, 700)]
    );
    assert_eq!(
        provider_transcripts(
            admin,
            HistoryQuery {
                review: Some(ReviewFilter::TranscriptReviewed),
                q: Some("azia".into()),
                ..q()
            }
        )
        .await,
        vec![pt("g5", "elevenlabs", 1_100, 300)]
    );

    assert_eq!(
        provider_calls(admin, q(), "stt").await,
        sorted(vec![
            "elevenlabs:400:true".to_string(),
            "whisper:900:true".into(),
            "elevenlabs:10000:false".into(),
            "elevenlabs:500:true".into(),
            "whisper:700:true".into(),
            "elevenlabs:80:false".into(),
            "elevenlabs:300:true".into(),
        ]),
        "every stt call of every segment, failures included"
    );
    assert_eq!(
        provider_calls(admin, q(), "advisor").await,
        vec!["regras:3:true", "xai:2000:true"]
    );
    assert_eq!(
        provider_calls(
            admin,
            HistoryQuery {
                status: Some(SegmentStatus::Failed),
                ..q()
            },
            "stt"
        )
        .await,
        vec!["elevenlabs:80:false"]
    );
    assert_eq!(
        provider_calls(
            admin,
            HistoryQuery {
                store: Some("Loja B".into()),
                ..q()
            },
            "advisor"
        )
        .await,
        vec!["xai:2000:true"]
    );
    assert!(provider_calls(admin, q(), "other").await.is_empty());
}
