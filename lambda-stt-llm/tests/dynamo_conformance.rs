//! The DynamoDB store against a real DynamoDB-compatible server (dynalite on 127.0.0.1)
//! through the real SDK: the shared storage conformance suite, then what only DynamoDB has —
//! pagination, conditional writes under concurrency, TTL attributes, chunked audio.

mod dynalite;

use balto_core::records::{
    CounterKey, InsertOutcome, SegmentRecord, SegmentStatus, SessionRecord, StoredKey,
};
use balto_core::storage::Storage;
use lambda_stt_llm::dynamo::{AUDIO_CHUNK_BYTES, TTL_ATTRIBUTE};
use std::sync::Arc;

fn segment(n: u32, session: &str, key: &str, client: Option<&str>) -> SegmentRecord {
    SegmentRecord {
        id: format!("seg-{n:03}"),
        session_id: session.to_string(),
        key_id: key.to_string(),
        client_id: client.map(str::to_string),
        seq: client.is_none().then_some(u64::from(n)),
        start_ms: u64::from(n) * 1_000,
        duration_ms: 900,
        audio_ref: format!("dynamodb:SEG#seg-{n:03}/AUDIO"),
        created_at_ms: 1_700_000_000_000 + i64::from(n),
        status: SegmentStatus::Stored,
        attempts: 0,
        last_error: None,
    }
}

#[tokio::test]
async fn the_shared_storage_conformance_suite_passes() {
    let server = dynalite::start().await;
    let store = dynalite::fresh_store(&server).await;
    balto_core::storage_conformance::run(&store, "dynamodb").await;
}

#[tokio::test]
async fn the_shared_admin_conformance_suite_passes() {
    let server = dynalite::start().await;
    let store = dynalite::fresh_store(&server).await;
    balto_core::admin_conformance::run(&store, &store).await;
}

#[tokio::test]
async fn the_admin_conformance_suite_passes_across_query_pages() {
    let server = dynalite::start().await;
    let store = dynalite::fresh_store(&server).await.with_page_size(2);
    balto_core::admin_conformance::run(&store, &store).await;
}

#[tokio::test]
async fn the_table_is_created_once() {
    let server = dynalite::start().await;
    let store = dynalite::fresh_store(&server).await;
    let again = store.ensure_table().await.unwrap();
    assert!(!again.created, "an existing table is left as it is");
}

#[tokio::test]
async fn queries_follow_pagination_across_pages() {
    let server = dynalite::start().await;
    let store = dynalite::fresh_store(&server).await.with_page_size(2);
    for n in 0..5u8 {
        store
            .insert_key(StoredKey {
                key: CounterKey {
                    key_id: format!("key{n}"),
                    store: "Loja".into(),
                    counter: format!("Balcão {n}"),
                    created_at_ms: 1_000 + i64::from(n),
                    revoked_at_ms: None,
                },
                salt: vec![n; 16],
                hash: vec![n; 32],
            })
            .await
            .unwrap();
    }
    let keys: Vec<String> = store
        .list_keys()
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.key_id)
        .collect();
    assert_eq!(
        keys,
        ["key4", "key3", "key2", "key1", "key0"],
        "5 keys over 3 pages"
    );

    let ids: Vec<String> = (1..=7).map(|n| format!("seg-{n:03}")).collect();
    for n in 1..=7 {
        assert_eq!(
            store
                .insert_segment(segment(n, "s1", "key0", None))
                .await
                .unwrap(),
            InsertOutcome::Inserted
        );
    }
    let listed: Vec<String> = store
        .session_segments("s1")
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(listed, ids, "7 segments over 4 pages, in arrival order");
    let unfinished: Vec<String> = store
        .unfinished_segments(5)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(unfinished, ids[..5], "the limit stops paging early");
    store
        .set_segment_status("seg-002", SegmentStatus::Processed, None)
        .await
        .unwrap();
    store
        .set_segment_status("seg-004", SegmentStatus::Failed, Some("rejected".into()))
        .await
        .unwrap();
    let unfinished = store.unfinished_segments(100).await.unwrap();
    assert_eq!(
        unfinished.len(),
        5,
        "processed and failed leave the unfinished index"
    );
    let failed = store.failed_segments(10).await.unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].last_error.as_deref(), Some("rejected"));
}

#[tokio::test]
async fn a_claim_whose_segment_was_never_written_is_taken_over_once_stale() {
    use aws_sdk_dynamodb::types::AttributeValue;
    let server = dynalite::start().await;
    let store = dynalite::fresh_store(&server).await;
    // A run claimed client segment "c-9" as "seg-ghost", then stopped before writing it.
    let claim = |created_at_ms: i64| {
        store
            .client()
            .put_item()
            .table_name(store.table())
            .item("PK", AttributeValue::S("KEY#keyA".into()))
            .item("SK", AttributeValue::S("CLIENTSEG#c-9".into()))
            .item("type", AttributeValue::S("client_segment".into()))
            .item("segment_id", AttributeValue::S("seg-ghost".into()))
            .item(
                "created_at_ms",
                AttributeValue::N(created_at_ms.to_string()),
            )
            .send()
    };
    let mut resent = segment(200, "s9", "keyA", Some("c-9"));
    resent.seq = None;
    // Just claimed: its writer may still be at work, so the re-send is told to retry.
    claim(resent.created_at_ms - 1_000).await.unwrap();
    let err = store.insert_segment(resent.clone()).await.unwrap_err();
    assert!(err.to_string().contains("not stored"), "{err}");
    // Claimed long ago: the re-send takes the claim over and is stored, once.
    claim(resent.created_at_ms - 10 * 60_000).await.unwrap();
    assert_eq!(
        store.insert_segment(resent.clone()).await.unwrap(),
        InsertOutcome::Inserted
    );
    let mut again = segment(201, "s9", "keyA", Some("c-9"));
    again.seq = None;
    assert_eq!(
        store.insert_segment(again).await.unwrap(),
        InsertOutcome::Duplicate(resent.clone())
    );
    assert_eq!(store.session_segments("s9").await.unwrap(), vec![resent]);
}

#[tokio::test]
async fn concurrent_inserts_store_a_segment_once() {
    let server = dynalite::start().await;
    let store = Arc::new(dynalite::fresh_store(&server).await);

    // The same client segment re-sent 12 times at once, under different server ids.
    let mut tasks = Vec::new();
    for n in 0..12u32 {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let mut seg = segment(100 + n, "s1", "keyA", Some("client-1"));
            seg.seq = None;
            store.insert_segment(seg).await.unwrap()
        }));
    }
    let mut inserted = 0;
    let mut duplicates = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            InsertOutcome::Inserted => inserted += 1,
            InsertOutcome::Duplicate(existing) => duplicates.push(existing),
        }
    }
    assert_eq!(inserted, 1, "exactly one insert wins");
    assert_eq!(duplicates.len(), 11);
    let stored = store.session_segments("s1").await.unwrap();
    assert_eq!(stored.len(), 1, "nothing stored twice");
    assert!(
        duplicates.iter().all(|d| *d == stored[0]),
        "every duplicate sees the winner"
    );

    // The same server segment id (Part 1) sent 12 times at once.
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            store
                .insert_segment(segment(7, "s2", "keyA", None))
                .await
                .unwrap()
        }));
    }
    let mut inserted = 0;
    for t in tasks {
        if t.await.unwrap() == InsertOutcome::Inserted {
            inserted += 1;
        }
    }
    assert_eq!(inserted, 1);
    assert_eq!(store.session_segments("s2").await.unwrap().len(), 1);

    // Opening a session twice keeps the first record.
    let session = SessionRecord {
        id: "s3".into(),
        key_id: "keyA".into(),
        store: "Loja Centro".into(),
        counter: "Balcão 1".into(),
        started_at_ms: 1_700_000_000_000,
        ended_at_ms: None,
    };
    store.open_session(session.clone()).await.unwrap();
    store
        .open_session(SessionRecord {
            started_at_ms: 1_800_000_000_000,
            ..session.clone()
        })
        .await
        .unwrap();
    let day = store
        .store_day_sessions("Loja Centro", "2023-11-14")
        .await
        .unwrap();
    assert_eq!(day, vec![session.clone()]);
    assert_eq!(
        store.counter_sessions("keyA", 10).await.unwrap(),
        vec![session]
    );
}

#[tokio::test]
async fn records_carry_the_ttl_attribute_when_retention_applies() {
    let server = dynalite::start().await;
    let store = dynalite::fresh_store(&server)
        .await
        .with_retention_days(Some(30));
    let seg = segment(1, "s1", "keyA", None);
    store.insert_segment(seg.clone()).await.unwrap();
    let item = store.raw_segment_item(&seg.id).await.unwrap().unwrap();
    let expires: i64 = item[TTL_ATTRIBUTE].as_n().unwrap().parse().unwrap();
    assert_eq!(expires, seg.created_at_ms / 1_000 + 30 * 86_400);

    let kept = store.clone().with_retention_days(None);
    let seg2 = segment(2, "s1", "keyA", None);
    kept.insert_segment(seg2.clone()).await.unwrap();
    let item = kept.raw_segment_item(&seg2.id).await.unwrap().unwrap();
    assert!(!item.contains_key(TTL_ATTRIBUTE), "no retention, no expiry");

    // Keys never expire.
    store
        .insert_key(StoredKey {
            key: CounterKey {
                key_id: "keyA".into(),
                store: "Loja".into(),
                counter: "Balcão".into(),
                created_at_ms: 1,
                revoked_at_ms: None,
            },
            salt: vec![1; 16],
            hash: vec![2; 32],
        })
        .await
        .unwrap();
    let out = store
        .client()
        .get_item()
        .table_name(store.table())
        .key(
            "PK",
            aws_sdk_dynamodb::types::AttributeValue::S("KEY#keyA".into()),
        )
        .key(
            "SK",
            aws_sdk_dynamodb::types::AttributeValue::S("KEY".into()),
        )
        .send()
        .await
        .unwrap();
    assert!(!out.item.unwrap().contains_key(TTL_ATTRIBUTE));
}

#[tokio::test]
async fn audio_round_trips_across_chunks() {
    let server = dynalite::start().await;
    let store = dynalite::fresh_store(&server).await;
    // 30 s of 16 kHz audio: 960 000 bytes, four items.
    let pcm: Vec<i16> = (0..480_000i64)
        .map(|i| ((i * 7919) % 65_536 - 32_768) as i16)
        .collect();
    assert!(pcm.len() * 2 > 3 * AUDIO_CHUNK_BYTES);
    let reference = store
        .put_audio("seg-big", &pcm, 1_700_000_000_000)
        .await
        .unwrap();
    assert_eq!(reference, "dynamodb:SEG#seg-big/AUDIO");
    assert_eq!(store.load_audio("seg-big").await.unwrap(), pcm);
    // Writing it again (a retried request) keeps one copy.
    store
        .put_audio("seg-big", &pcm, 1_700_000_000_000)
        .await
        .unwrap();
    assert_eq!(store.load_audio("seg-big").await.unwrap(), pcm);
    assert!(store.load_audio("missing").await.is_err());
    // The admin API's playback goes through the same chunks.
    use balto_core::admin_store::SegmentAudio;
    let mut seg = segment(9, "s1", "keyA", None);
    seg.id = "seg-big".into();
    assert_eq!(store.segment_pcm(&seg).await.unwrap(), pcm);
}

/// Items written before the admin attributes existed (no `admin_v`, no GSI2 `SEGMENTS` entry,
/// no copied store/counter/results) still read as the same rows, from their child items.
#[tokio::test]
async fn segments_written_before_the_admin_attributes_still_read() {
    use aws_sdk_dynamodb::types::AttributeValue;
    use balto_core::admin::HistoryQuery;
    use balto_core::admin_store::AdminStore;
    use balto_core::advice::{Advice, Category, Confidence, Decision};
    use balto_core::attempt::{Attempt, AttemptOutcome};
    use balto_core::records::{SuggestionRecord, TranscriptRecord};

    let server = dynalite::start().await;
    let store = dynalite::fresh_store(&server).await;
    store
        .open_session(SessionRecord {
            id: "old".into(),
            key_id: "k".into(),
            store: "Loja Velha".into(),
            counter: "Balcão 1".into(),
            started_at_ms: 1_700_000_000_000,
            ended_at_ms: None,
        })
        .await
        .unwrap();
    let seg = segment(1, "old", "k", None);
    store.insert_segment(seg.clone()).await.unwrap();
    store
        .insert_transcript(TranscriptRecord {
            segment_id: seg.id.clone(),
            provider: "whisper".into(),
            text: "dor de garganta".into(),
            language: None,
            latency_ms: 800,
            created_at_ms: seg.created_at_ms,
        })
        .await
        .unwrap();
    store
        .insert_suggestion(SuggestionRecord {
            segment_id: seg.id.clone(),
            session_id: "old".into(),
            advisor: "regras".into(),
            advice: Advice {
                decision: Decision::Recomendar,
                category: Some(Category::Garganta),
                product: Some("Pastilha".into()),
                explanation: "garganta".into(),
                confidence: Confidence::Media,
            },
            base_transcript: "dor de garganta".into(),
            sent: true,
            latency_ms: 2,
            created_at_ms: seg.created_at_ms,
        })
        .await
        .unwrap();
    store
        .insert_attempts(
            &seg.id,
            "stt",
            &[Attempt {
                provider: "whisper".into(),
                attempt: 1,
                started_ms: 0,
                latency_ms: 800,
                outcome: AttemptOutcome::Ok,
                error: None,
            }],
        )
        .await
        .unwrap();
    let row = store.segment_row(&seg.id).await.unwrap().unwrap();
    assert_eq!(row.transcript.as_deref(), Some("dor de garganta"));
    assert_eq!(row.store, "Loja Velha");
    let summary = store.session_summary("old").await.unwrap().unwrap();

    // Strip what this change added: the item as the previous version wrote it.
    store
        .client()
        .update_item()
        .table_name(store.table())
        .key("PK", AttributeValue::S(format!("SEG#{}", seg.id)))
        .key("SK", AttributeValue::S("SEG".into()))
        .update_expression(
            "REMOVE admin_v, GSI2PK, GSI2SK, loja, balcao, t_all, calls, s_advisor, s_decisao, \
             s_categoria, s_produto, s_explicacao, s_confianca, s_sent, s_latency_ms, s_sent_count",
        )
        .send()
        .await
        .unwrap();
    let raw = store.raw_segment_item(&seg.id).await.unwrap().unwrap();
    assert!(!raw.contains_key("t_all") && !raw.contains_key("loja"));
    store
        .client()
        .update_item()
        .table_name(store.table())
        .key("PK", AttributeValue::S("SESSION#old".into()))
        .key("SK", AttributeValue::S("SESSION".into()))
        .update_expression("REMOVE GSI3PK, GSI3SK")
        .send()
        .await
        .unwrap();
    assert_eq!(
        store
            .list_sessions(&HistoryQuery::default())
            .await
            .unwrap()
            .total,
        0
    );

    assert_eq!(
        store.segment_row(&seg.id).await.unwrap(),
        Some(row.clone()),
        "completed from the transcript, suggestion and session items"
    );
    assert_eq!(store.session_rows("old").await.unwrap(), vec![row.clone()]);
    assert_eq!(
        store.session_summary("old").await.unwrap(),
        Some(summary.clone()),
        "counts, sent suggestions included"
    );
    let by_session = store
        .list_segments(&HistoryQuery {
            session_id: Some("old".into()),
            provider: Some("whisper".into()),
            ..HistoryQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(
        by_session.items,
        vec![row.clone()],
        "filters see the completed row"
    );
    assert_eq!(
        store
            .list_segments(&HistoryQuery::default())
            .await
            .unwrap()
            .total,
        0,
        "not in the chain-wide index until back-filled"
    );
    let report = store.backfill_admin_attributes().await.unwrap();
    assert_eq!((report.sessions, report.segments), (1, 1));
    assert_eq!(
        store
            .list_sessions(&HistoryQuery::default())
            .await
            .unwrap()
            .items,
        vec![summary],
        "the session is listed again"
    );
    let all = store
        .list_segments(&HistoryQuery {
            decision: Some(Decision::Recomendar),
            q: Some("GARGANTA".into()),
            ..HistoryQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(all.items, vec![row], "listed, with its row attributes");
    let raw = store.raw_segment_item(&seg.id).await.unwrap().unwrap();
    assert!(raw.contains_key("admin_v") && raw.contains_key("t_all"));
    let again = store.backfill_admin_attributes().await.unwrap();
    assert_eq!((again.sessions, again.segments), (0, 0), "once is enough");
}
