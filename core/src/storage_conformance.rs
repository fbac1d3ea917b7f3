//! The storage contract as executable checks: one suite every `Storage` backend must pass
//! (SQLite in local-dev, DynamoDB in production). Enabled by the `conformance` feature; each
//! backend's tests call [`run`] on a fresh store. Failures panic with what was expected.

use crate::advice::{Advice, Category, Confidence, Decision};
use crate::attempt::{Attempt, AttemptOutcome};
use crate::records::{
    CounterKey, InsertOutcome, SegmentRecord, SegmentStatus, SessionRecord, StoredKey,
    SuggestionRecord, TranscriptRecord,
};
use crate::storage::{Storage, StorageError};

/// Runs every check against `store`, which must be empty. `tag` makes ids unique when several
/// runs share one backend (e.g. one DynamoDB table).
pub async fn run(store: &dyn Storage, tag: &str) {
    keys(store, tag).await;
    sessions_and_segments(store, tag).await;
    results(store, tag).await;
}

fn key(tag: &str, n: u8, created: i64) -> StoredKey {
    StoredKey {
        key: CounterKey {
            key_id: format!("{tag}k{n:02}"),
            store: format!("Loja {n}"),
            counter: format!("Balcão {n}"),
            created_at_ms: created,
            revoked_at_ms: None,
        },
        salt: vec![n; 16],
        hash: vec![n.wrapping_mul(7); 32],
    }
}

async fn keys(store: &dyn Storage, tag: &str) {
    let k1 = key(tag, 1, 1_000);
    let k2 = key(tag, 2, 2_000);
    store.insert_key(k1.clone()).await.expect("insert key 1");
    store.insert_key(k2.clone()).await.expect("insert key 2");
    assert_eq!(
        store.find_key(&k1.key.key_id).await.unwrap(),
        Some(k1.clone()),
        "a key reads back exactly, salt and hash included"
    );
    assert_eq!(store.find_key(&format!("{tag}nope")).await.unwrap(), None);
    let listed: Vec<String> = store
        .list_keys()
        .await
        .unwrap()
        .into_iter()
        .filter(|k| k.key_id.starts_with(tag))
        .map(|k| k.key_id)
        .collect();
    assert_eq!(
        listed,
        vec![k2.key.key_id.clone(), k1.key.key_id.clone()],
        "newest first"
    );
    assert!(store.revoke_key(&k1.key.key_id, 5_000).await.unwrap());
    assert!(
        store.revoke_key(&k1.key.key_id, 9_000).await.unwrap(),
        "revoking twice is fine"
    );
    let revoked = store.find_key(&k1.key.key_id).await.unwrap().unwrap();
    assert_eq!(
        revoked.key.revoked_at_ms,
        Some(5_000),
        "the first revocation time is kept"
    );
    assert!(!revoked.key.is_active());
    assert!(!store.revoke_key(&format!("{tag}nope"), 1).await.unwrap());
}

fn segment(tag: &str, n: u32, session: &str, key_id: &str, client: Option<&str>) -> SegmentRecord {
    SegmentRecord {
        id: format!("{tag}seg{n:03}"),
        session_id: session.to_string(),
        key_id: key_id.to_string(),
        client_id: client.map(str::to_string),
        seq: client.is_none().then_some(n as u64),
        start_ms: n as u64 * 1_000,
        duration_ms: 900,
        audio_ref: format!("audio/{tag}/{n}.wav"),
        created_at_ms: 10_000 + n as i64,
        status: SegmentStatus::Stored,
        attempts: 0,
        last_error: None,
    }
}

async fn sessions_and_segments(store: &dyn Storage, tag: &str) {
    let k = key(tag, 3, 3_000);
    let other = key(tag, 4, 4_000);
    store.insert_key(k.clone()).await.unwrap();
    store.insert_key(other.clone()).await.unwrap();
    let session = SessionRecord {
        id: format!("{tag}s1"),
        key_id: k.key.key_id.clone(),
        store: k.key.store.clone(),
        counter: k.key.counter.clone(),
        started_at_ms: 10_000,
        ended_at_ms: None,
    };
    store.open_session(session.clone()).await.unwrap();
    let session2 = SessionRecord {
        id: format!("{tag}s2"),
        key_id: other.key.key_id.clone(),
        ..session.clone()
    };
    store.open_session(session2.clone()).await.unwrap();

    let a = segment(tag, 1, &session.id, &k.key.key_id, None);
    let b = segment(tag, 2, &session.id, &k.key.key_id, Some("client-x"));
    let c = segment(tag, 3, &session.id, &k.key.key_id, None);
    for s in [&a, &b, &c] {
        assert_eq!(
            store.insert_segment(s.clone()).await.unwrap(),
            InsertOutcome::Inserted
        );
    }
    // The same client id from the same key is a duplicate, whatever the session.
    let again = SegmentRecord {
        id: format!("{tag}seg999"),
        session_id: session2.id.clone(),
        ..b.clone()
    };
    assert_eq!(
        store.insert_segment(again).await.unwrap(),
        InsertOutcome::Duplicate(b.clone()),
        "a re-sent client segment is reported with the stored record"
    );
    // From another key it is a different segment.
    let other_key = segment(tag, 4, &session2.id, &other.key.key_id, Some("client-x"));
    assert_eq!(
        store.insert_segment(other_key.clone()).await.unwrap(),
        InsertOutcome::Inserted
    );

    let listed = store.session_segments(&session.id).await.unwrap();
    assert_eq!(
        listed,
        vec![a.clone(), b.clone(), c.clone()],
        "arrival order, exact records"
    );

    store
        .set_segment_status(&a.id, SegmentStatus::Processed, None)
        .await
        .unwrap();
    store
        .set_segment_status(&c.id, SegmentStatus::Failed, Some("timeout".into()))
        .await
        .unwrap();
    assert!(matches!(
        store
            .set_segment_status(&format!("{tag}missing"), SegmentStatus::Processed, None)
            .await,
        Err(StorageError::NotFound(_))
    ));
    let listed = store.session_segments(&session.id).await.unwrap();
    assert_eq!(listed[0].status, SegmentStatus::Processed);
    assert_eq!(listed[0].attempts, 1);
    assert_eq!(listed[2].status, SegmentStatus::Failed);
    assert_eq!(listed[2].last_error.as_deref(), Some("timeout"));

    let unfinished: Vec<String> = store
        .unfinished_segments(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|s| s.id.starts_with(tag))
        .map(|s| s.id)
        .collect();
    assert_eq!(
        unfinished,
        vec![b.id.clone(), other_key.id.clone()],
        "stored only, oldest first"
    );
    assert!(
        store.unfinished_segments(1).await.unwrap().len() <= 1,
        "limit honoured"
    );

    store.close_session(&session.id, 20_000).await.unwrap();
    store.close_session(&session.id, 30_000).await.unwrap();
}

async fn results(store: &dyn Storage, tag: &str) {
    let k = key(tag, 5, 5_000);
    store.insert_key(k.clone()).await.unwrap();
    let session = SessionRecord {
        id: format!("{tag}s5"),
        key_id: k.key.key_id.clone(),
        store: k.key.store.clone(),
        counter: k.key.counter.clone(),
        started_at_ms: 50_000,
        ended_at_ms: None,
    };
    store.open_session(session.clone()).await.unwrap();
    let seg = segment(tag, 50, &session.id, &k.key.key_id, None);
    store.insert_segment(seg.clone()).await.unwrap();

    let t1 = TranscriptRecord {
        segment_id: seg.id.clone(),
        provider: "elevenlabs".into(),
        text: "Estou com dor de cabeça.".into(),
        language: Some("pt".into()),
        latency_ms: 420,
        created_at_ms: 50_100,
    };
    let t2 = TranscriptRecord {
        provider: "whisper".into(),
        language: None,
        ..t1.clone()
    };
    store.insert_transcript(t1.clone()).await.unwrap();
    store.insert_transcript(t2.clone()).await.unwrap();
    assert_eq!(
        store.segment_transcripts(&seg.id).await.unwrap(),
        vec![t1, t2]
    );

    let pushed = SuggestionRecord {
        segment_id: seg.id.clone(),
        session_id: session.id.clone(),
        advisor: "regras".into(),
        advice: Advice {
            decision: Decision::Recomendar,
            category: Some(Category::DorFebre),
            product: Some("Paracetamol 750 mg".into()),
            explanation: "Dor de cabeça; sem alergia mencionada.".into(),
            confidence: Confidence::Alta,
        },
        base_transcript: "Estou com dor de cabeça.".into(),
        sent: true,
        latency_ms: 3,
        created_at_ms: 50_200,
    };
    let nothing = SuggestionRecord {
        advice: Advice::nothing("saudação"),
        sent: false,
        ..pushed.clone()
    };
    store.insert_suggestion(pushed.clone()).await.unwrap();
    store.insert_suggestion(nothing.clone()).await.unwrap();
    assert_eq!(
        store.session_suggestions(&session.id).await.unwrap(),
        vec![pushed, nothing]
    );

    let attempts = vec![
        Attempt {
            provider: "elevenlabs".into(),
            attempt: 1,
            started_ms: 0,
            latency_ms: 4_000,
            outcome: AttemptOutcome::Cancelled,
            error: None,
        },
        Attempt {
            provider: "assemblyai".into(),
            attempt: 1,
            started_ms: 4_000,
            latency_ms: 900,
            outcome: AttemptOutcome::Ok,
            error: None,
        },
    ];
    let advisor_attempt = Attempt {
        provider: "xai".into(),
        attempt: 1,
        started_ms: 0,
        latency_ms: 10_000,
        outcome: AttemptOutcome::Timeout,
        error: Some("the model did not answer within 10000 ms".into()),
    };
    store
        .insert_attempts(&seg.id, "stt", &attempts)
        .await
        .unwrap();
    store
        .insert_attempts(&seg.id, "advisor", std::slice::from_ref(&advisor_attempt))
        .await
        .unwrap();
    let recorded = store.segment_attempts(&seg.id).await.unwrap();
    assert_eq!(
        recorded,
        vec![
            ("stt".to_string(), attempts[0].clone()),
            ("stt".to_string(), attempts[1].clone()),
            ("advisor".to_string(), advisor_attempt),
        ]
    );
}
