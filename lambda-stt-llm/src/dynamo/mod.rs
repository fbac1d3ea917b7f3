//! The DynamoDB implementation of `balto_core::storage::Storage`: one table, the single-table
//! design documented in `docs/dynamodb.md` (items, keys, indexes, access patterns), conditional
//! writes for idempotency, paginated queries, and TTL (`expires_at`) on everything a retention
//! period applies to. Segment audio is kept in the table too, in chunks under the segment.

mod admin;
mod attrs;
mod table;

pub use admin::BackfillReport;
pub use table::{EnsureReport, TTL_ATTRIBUTE, TableError, ensure_table};

use async_trait::async_trait;
use attrs::{
    Item, b, get_b, get_bool, get_enum, get_n, get_opt_n, get_opt_s, get_s, insertion_order, n, s,
    time_key, utc_day,
};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::AttributeValue;
use balto_core::admin_store::SegmentAudio;
use balto_core::advice::Advice;
use balto_core::attempt::Attempt;
use balto_core::records::{
    CounterKey, InsertOutcome, SegmentRecord, SegmentStatus, SessionRecord, StoredKey,
    SuggestionRecord, TranscriptRecord,
};
use balto_core::settings::{self, Reader, SettingError};
use balto_core::storage::{Storage, StorageError};
use std::collections::HashMap;
use std::time::Duration;

/// Audio is split into items of at most this many bytes (DynamoDB items stop at 400 KB).
pub const AUDIO_CHUNK_BYTES: usize = 300_000;
/// A client-segment claim whose segment was never written is taken over by a re-send after
/// this long (a claim and its segment are written milliseconds apart by one run).
pub const ORPHANED_CLAIM_AFTER_MS: i64 = 30_000;
/// GSI names of `table.json`.
const GSI1: &str = "GSI1";
const GSI2: &str = "GSI2";
const GSI3: &str = "GSI3";

/// How to reach the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DynamoConfig {
    pub table: String,
    /// A local server (`http://127.0.0.1:8000`) instead of AWS.
    pub endpoint: Option<String>,
    /// Days after which sessions, segments, audio and results expire (TTL); `None` keeps them.
    pub retention_days: Option<u32>,
}

impl DynamoConfig {
    /// From `DYNAMODB_TABLE`, `DYNAMODB_ENDPOINT` and `BALTO_RETENTION_DAYS` (the settings
    /// table of `balto_core::settings`), read through `lookup`. Region and credentials come
    /// from the usual AWS variables.
    pub fn from_lookup(
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<DynamoConfig, SettingError> {
        let r = Reader::new(lookup);
        Ok(DynamoConfig {
            table: r.text(&settings::DYNAMODB_TABLE).unwrap_or_default(),
            endpoint: r.get(&settings::DYNAMODB_ENDPOINT),
            retention_days: r.optional_number(&settings::BALTO_RETENTION_DAYS)?,
        })
    }
}

/// A DynamoDB-backed store. Cloning shares the client.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: Client,
    table: String,
    retention_days: Option<u32>,
    page_size: Option<i32>,
}

fn api<E: ProvideErrorMetadata + std::error::Error + 'static>(
    operation: &str,
    e: SdkError<E>,
) -> StorageError {
    StorageError::Backend(format!("{operation}: {}", DisplayErrorContext(&e)))
}

fn is_conditional_failure<E: ProvideErrorMetadata>(e: &SdkError<E>) -> bool {
    e.as_service_error()
        .and_then(|s| s.code())
        .is_some_and(|c| c == "ConditionalCheckFailedException")
}

impl DynamoStore {
    /// A store over an existing client.
    pub fn new(client: Client, table: impl Into<String>) -> DynamoStore {
        DynamoStore {
            client,
            table: table.into(),
            retention_days: None,
            page_size: None,
        }
    }

    /// A client from the environment's AWS configuration (region, credentials) and `config`.
    pub async fn connect(config: &DynamoConfig) -> DynamoStore {
        let shared = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        let mut builder = aws_sdk_dynamodb::config::Builder::from(&shared).timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .operation_attempt_timeout(Duration::from_secs(5))
                .connect_timeout(Duration::from_secs(3))
                .build(),
        );
        if let Some(endpoint) = &config.endpoint {
            builder = builder.endpoint_url(endpoint);
        }
        DynamoStore::new(Client::from_conf(builder.build()), &config.table)
            .with_retention_days(config.retention_days)
    }

    /// Sets the retention period (TTL) of everything written from now on.
    pub fn with_retention_days(mut self, days: Option<u32>) -> DynamoStore {
        self.retention_days = days;
        self
    }

    /// Caps every query page at `n` items (tests use it to cross page boundaries).
    pub fn with_page_size(mut self, n: i32) -> DynamoStore {
        self.page_size = Some(n.max(1));
        self
    }

    /// The table name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The SDK client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Creates the table from `table.json` if needed (tests, local runs).
    pub async fn ensure_table(&self) -> Result<EnsureReport, TableError> {
        ensure_table(&self.client, &self.table).await
    }

    /// The `expires_at` of a record created at `created_at_ms`, when retention applies.
    fn expiry(&self, created_at_ms: i64) -> Option<AttributeValue> {
        self.retention_days
            .map(|days| n(created_at_ms.max(0) / 1_000 + i64::from(days) * 86_400))
    }

    fn with_expiry(&self, mut item: Item, created_at_ms: i64) -> Item {
        if let Some(exp) = self.expiry(created_at_ms) {
            item.insert(TTL_ATTRIBUTE.to_string(), exp);
        }
        item
    }

    async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StorageError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(pk))
            .key("SK", s(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| api("GetItem", e))?;
        Ok(out.item)
    }

    /// Every item of a key condition, across pages. `index` is `None` for the table itself
    /// (strongly consistent reads), or a GSI (eventually consistent). `limit` stops early.
    async fn query(
        &self,
        index: Option<&str>,
        pk_attr: &str,
        pk: &str,
        sk_prefix: Option<(&str, &str)>,
        forward: bool,
        limit: Option<usize>,
    ) -> Result<Vec<Item>, StorageError> {
        let sort_key = match sk_prefix {
            Some((attr, prefix)) => SortKey::Prefix { attr, prefix },
            None => SortKey::Any,
        };
        self.query_pages(index, (pk_attr, pk), sort_key, forward, limit)
            .await
    }

    /// The one paging loop behind [`Self::query`] and the admin range queries.
    pub(super) async fn query_pages(
        &self,
        index: Option<&str>,
        (pk_attr, pk): (&str, &str),
        sort_key: SortKey<'_>,
        forward: bool,
        limit: Option<usize>,
    ) -> Result<Vec<Item>, StorageError> {
        let mut items = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let req = self
                .client
                .query()
                .table_name(&self.table)
                .set_index_name(index.map(str::to_string))
                .expression_attribute_names("#pk", pk_attr)
                .expression_attribute_values(":pk", s(pk))
                .scan_index_forward(forward)
                .set_exclusive_start_key(start.take());
            let mut req = sort_key.apply(req);
            if index.is_none() {
                req = req.consistent_read(true);
            }
            let page_limit = match (self.page_size, limit) {
                (Some(p), Some(l)) => Some(p.min((l - items.len()).max(1) as i32)),
                (Some(p), None) => Some(p),
                (None, Some(l)) => Some((l - items.len()).max(1) as i32),
                (None, None) => None,
            };
            let out = req
                .set_limit(page_limit)
                .send()
                .await
                .map_err(|e| api("Query", e))?;
            items.extend(out.items.unwrap_or_default());
            if let Some(l) = limit
                && items.len() >= l
            {
                items.truncate(l);
                return Ok(items);
            }
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(items),
            }
        }
    }

    /// Stores a segment's PCM (16 kHz s16le) in chunks under the segment; returns its
    /// `audio_ref`. Idempotent: writing the same segment's audio again overwrites it.
    pub async fn put_audio(
        &self,
        segment_id: &str,
        pcm: &[i16],
        created_at_ms: i64,
    ) -> Result<String, StorageError> {
        let mut bytes = Vec::with_capacity(pcm.len() * 2);
        for v in pcm {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        let chunks: Vec<&[u8]> = if bytes.is_empty() {
            vec![&[]]
        } else {
            bytes.chunks(AUDIO_CHUNK_BYTES).collect()
        };
        let count = chunks.len();
        for (i, chunk) in chunks.into_iter().enumerate() {
            let item = self.with_expiry(
                HashMap::from([
                    ("PK".to_string(), s(format!("SEG#{segment_id}"))),
                    ("SK".to_string(), s(format!("AUDIO#{i:04}"))),
                    ("type".to_string(), s("audio")),
                    ("chunks".to_string(), n(count)),
                    ("data".to_string(), b(chunk)),
                ]),
                created_at_ms,
            );
            self.client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item))
                .send()
                .await
                .map_err(|e| api("PutItem", e))?;
        }
        Ok(format!("dynamodb:SEG#{segment_id}/AUDIO"))
    }

    /// A segment's PCM as stored by [`DynamoStore::put_audio`].
    pub async fn load_audio(&self, segment_id: &str) -> Result<Vec<i16>, StorageError> {
        let items = self
            .query(
                None,
                "PK",
                &format!("SEG#{segment_id}"),
                Some(("SK", "AUDIO#")),
                true,
                None,
            )
            .await?;
        let Some(first) = items.first() else {
            return Err(StorageError::NotFound(format!(
                "audio of segment {segment_id}"
            )));
        };
        let expected: usize = get_n(first, "chunks")?;
        if items.len() != expected {
            return Err(StorageError::Corrupt(format!(
                "audio of segment {segment_id}: {} of {expected} chunks",
                items.len()
            )));
        }
        let mut bytes = Vec::new();
        for item in &items {
            bytes.extend(get_b(item, "data")?);
        }
        if !bytes.len().is_multiple_of(2) {
            return Err(StorageError::Corrupt(format!(
                "audio of segment {segment_id} has an odd number of bytes"
            )));
        }
        Ok(bytes
            .chunks_exact(2)
            .map(|p| i16::from_le_bytes([p[0], p[1]]))
            .collect())
    }

    /// The segment with this id.
    pub async fn find_segment(
        &self,
        segment_id: &str,
    ) -> Result<Option<SegmentRecord>, StorageError> {
        self.get(&format!("SEG#{segment_id}"), "SEG")
            .await?
            .map(|item| segment_from_item(&item))
            .transpose()
    }

    /// Sessions of one store on one UTC day (`YYYY-MM-DD`), oldest first (GSI2).
    pub async fn store_day_sessions(
        &self,
        store: &str,
        day: &str,
    ) -> Result<Vec<SessionRecord>, StorageError> {
        self.query(
            Some(GSI2),
            "GSI2PK",
            &format!("STORE#{store}#{day}"),
            None,
            true,
            None,
        )
        .await?
        .iter()
        .map(session_from_item)
        .collect()
    }

    /// Sessions of one counter (key), newest first (GSI1).
    pub async fn counter_sessions(
        &self,
        key_id: &str,
        limit: usize,
    ) -> Result<Vec<SessionRecord>, StorageError> {
        self.query(
            Some(GSI1),
            "GSI1PK",
            &format!("COUNTER#{key_id}"),
            None,
            false,
            Some(limit),
        )
        .await?
        .iter()
        .map(session_from_item)
        .collect()
    }

    /// The chain's most recent suggestions of one UTC day, newest first (GSI2).
    pub async fn recent_suggestions(
        &self,
        day: &str,
        limit: usize,
    ) -> Result<Vec<SuggestionRecord>, StorageError> {
        self.query(
            Some(GSI2),
            "GSI2PK",
            &format!("ACTIVITY#{day}"),
            None,
            false,
            Some(limit),
        )
        .await?
        .iter()
        .map(suggestion_from_item)
        .collect()
    }

    /// Segments that failed for good (for admins to retry), oldest first (GSI3).
    pub async fn failed_segments(&self, limit: usize) -> Result<Vec<SegmentRecord>, StorageError> {
        self.query(
            Some(GSI3),
            "GSI3PK",
            "STATUS#failed",
            None,
            true,
            Some(limit),
        )
        .await?
        .iter()
        .map(segment_from_item)
        .collect()
    }

    /// The raw item of a segment (tests check its TTL attribute).
    pub async fn raw_segment_item(&self, segment_id: &str) -> Result<Option<Item>, StorageError> {
        self.get(&format!("SEG#{segment_id}"), "SEG").await
    }

    async fn put_new(&self, item: Item) -> Result<bool, StorageError> {
        match self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if is_conditional_failure(&e) => Ok(false),
            Err(e) => Err(api("PutItem", e)),
        }
    }

    async fn put(&self, item: Item) -> Result<(), StorageError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| api("PutItem", e))
    }

    /// Moves the claim of `client_id` from `orphan` (a segment never written) to `segment`,
    /// if the claim is older than [`ORPHANED_CLAIM_AFTER_MS`] and still names `orphan`.
    async fn take_over_claim(
        &self,
        segment: &SegmentRecord,
        client_id: &str,
        orphan: &str,
    ) -> Result<bool, StorageError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(format!("KEY#{}", segment.key_id)))
            .key("SK", s(format!("CLIENTSEG#{client_id}")))
            .update_expression("SET segment_id = :new, created_at_ms = :now")
            .condition_expression("segment_id = :old AND created_at_ms < :stale")
            .expression_attribute_values(":new", s(&segment.id))
            .expression_attribute_values(":now", n(segment.created_at_ms))
            .expression_attribute_values(":old", s(orphan))
            .expression_attribute_values(
                ":stale",
                n(segment
                    .created_at_ms
                    .saturating_sub(ORPHANED_CLAIM_AFTER_MS)),
            )
            .send()
            .await;
        match result {
            Ok(_) => {
                tracing::warn!(client_id, orphan, segment = %segment.id, "orphaned client-segment claim taken over");
                Ok(true)
            }
            Err(e) if is_conditional_failure(&e) => Ok(false),
            Err(e) => Err(api("UpdateItem", e)),
        }
    }

    /// The segment a client id was claimed for, waiting briefly for a concurrent writer that
    /// claimed it but has not written the segment yet.
    async fn claimed_segment(
        &self,
        key_id: &str,
        client_id: &str,
    ) -> Result<Option<(String, Option<SegmentRecord>)>, StorageError> {
        let Some(claim) = self
            .get(&format!("KEY#{key_id}"), &format!("CLIENTSEG#{client_id}"))
            .await?
        else {
            return Ok(None);
        };
        let segment_id = get_s(&claim, "segment_id")?;
        for _ in 0..20 {
            if let Some(found) = self.find_segment(&segment_id).await? {
                return Ok(Some((segment_id, Some(found))));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(Some((segment_id, None)))
    }
}

/// The admin API plays segments back through this (the audio kept under each segment).
#[async_trait]
impl SegmentAudio for DynamoStore {
    async fn segment_pcm(&self, segment: &SegmentRecord) -> Result<Vec<i16>, StorageError> {
        self.load_audio(&segment.id).await
    }
}

fn key_from_item(item: &Item) -> Result<StoredKey, StorageError> {
    Ok(StoredKey {
        key: CounterKey {
            key_id: get_s(item, "key_id")?,
            store: get_s(item, "loja")?,
            counter: get_s(item, "balcao")?,
            created_at_ms: get_n(item, "created_at_ms")?,
            revoked_at_ms: get_opt_n(item, "revoked_at_ms")?,
        },
        salt: get_b(item, "salt")?,
        hash: get_b(item, "hash")?,
    })
}

fn session_from_item(item: &Item) -> Result<SessionRecord, StorageError> {
    Ok(SessionRecord {
        id: get_s(item, "session_id")?,
        key_id: get_s(item, "key_id")?,
        store: get_s(item, "loja")?,
        counter: get_s(item, "balcao")?,
        started_at_ms: get_n(item, "started_at_ms")?,
        ended_at_ms: get_opt_n(item, "ended_at_ms")?,
    })
}

fn segment_from_item(item: &Item) -> Result<SegmentRecord, StorageError> {
    Ok(SegmentRecord {
        id: get_s(item, "segment_id")?,
        session_id: get_s(item, "session_id")?,
        key_id: get_s(item, "key_id")?,
        client_id: get_opt_s(item, "client_id")?,
        seq: get_opt_n(item, "seq")?,
        start_ms: get_n(item, "start_ms")?,
        duration_ms: get_n(item, "duration_ms")?,
        audio_ref: get_s(item, "audio_ref")?,
        created_at_ms: get_n(item, "created_at_ms")?,
        status: get_enum(item, "status")?,
        attempts: get_n(item, "attempts")?,
        last_error: get_opt_s(item, "last_error")?,
    })
}

fn suggestion_from_item(item: &Item) -> Result<SuggestionRecord, StorageError> {
    Ok(SuggestionRecord {
        segment_id: get_s(item, "segment_id")?,
        session_id: get_s(item, "session_id")?,
        advisor: get_s(item, "advisor")?,
        advice: Advice {
            decision: get_enum(item, "decisao")?,
            category: match get_opt_s(item, "categoria")? {
                Some(_) => Some(get_enum(item, "categoria")?),
                None => None,
            },
            product: get_opt_s(item, "produto")?,
            explanation: get_s(item, "explicacao")?,
            confidence: get_enum(item, "confianca")?,
        },
        base_transcript: get_s(item, "base_transcript")?,
        sent: get_bool(item, "sent")?,
        latency_ms: get_n(item, "latency_ms")?,
        created_at_ms: get_n(item, "created_at_ms")?,
    })
}

/// The index entry of a segment in the "by status" index: only unfinished (`stored`) and
/// `failed` segments are in it (a sparse index); processed ones leave it.
fn status_partition(status: SegmentStatus) -> Option<String> {
    match status {
        SegmentStatus::Stored | SegmentStatus::Failed => {
            Some(format!("STATUS#{}", status.as_str()))
        }
        SegmentStatus::Processed => None,
    }
}

impl DynamoStore {
    /// The segment's item. `session` (the session's item, when stored) gives the store and
    /// counter copied onto it for the admin lists.
    fn segment_item(&self, seg: &SegmentRecord, session: Option<&Item>) -> Item {
        let order = format!("{}#{}", time_key(seg.created_at_ms), insertion_order());
        let mut item = HashMap::from([
            ("PK".to_string(), s(format!("SEG#{}", seg.id))),
            ("SK".to_string(), s("SEG")),
            ("type".to_string(), s("segment")),
            ("segment_id".to_string(), s(&seg.id)),
            ("session_id".to_string(), s(&seg.session_id)),
            ("key_id".to_string(), s(&seg.key_id)),
            ("start_ms".to_string(), n(seg.start_ms)),
            ("duration_ms".to_string(), n(seg.duration_ms)),
            ("audio_ref".to_string(), s(&seg.audio_ref)),
            ("created_at_ms".to_string(), n(seg.created_at_ms)),
            ("status".to_string(), s(seg.status.as_str())),
            ("attempts".to_string(), n(seg.attempts)),
            ("GSI1PK".to_string(), s(format!("SEGS#{}", seg.session_id))),
            ("GSI1SK".to_string(), s(&order)),
            ("GSI3SK".to_string(), s(&order)),
            ("GSI2PK".to_string(), s(admin::SEGMENTS_PARTITION)),
            ("GSI2SK".to_string(), s(&order)),
            (
                admin::ADMIN_VERSION_ATTR.to_string(),
                n(admin::ADMIN_VERSION),
            ),
        ]);
        for name in ["loja", "balcao"] {
            if let Some(v) = session.and_then(|i| i.get(name)) {
                item.insert(name.to_string(), v.clone());
            }
        }
        if let Some(p) = status_partition(seg.status) {
            item.insert("GSI3PK".to_string(), s(p));
        }
        if let Some(c) = &seg.client_id {
            item.insert("client_id".to_string(), s(c));
        }
        if let Some(q) = seg.seq {
            item.insert("seq".to_string(), n(q));
        }
        if let Some(e) = &seg.last_error {
            item.insert("last_error".to_string(), s(e));
        }
        self.with_expiry(item, seg.created_at_ms)
    }
}

#[async_trait]
impl Storage for DynamoStore {
    async fn insert_key(&self, key: StoredKey) -> Result<(), StorageError> {
        let k = &key.key;
        let mut item = HashMap::from([
            ("PK".to_string(), s(format!("KEY#{}", k.key_id))),
            ("SK".to_string(), s("KEY")),
            ("type".to_string(), s("key")),
            ("key_id".to_string(), s(&k.key_id)),
            ("loja".to_string(), s(&k.store)),
            ("balcao".to_string(), s(&k.counter)),
            ("salt".to_string(), b(&key.salt)),
            ("hash".to_string(), b(&key.hash)),
            ("created_at_ms".to_string(), n(k.created_at_ms)),
            ("GSI1PK".to_string(), s("KEYS")),
            (
                "GSI1SK".to_string(),
                s(format!("{}#{}", time_key(k.created_at_ms), k.key_id)),
            ),
        ]);
        if let Some(r) = k.revoked_at_ms {
            item.insert("revoked_at_ms".to_string(), n(r));
        }
        if self.put_new(item).await? {
            Ok(())
        } else {
            Err(StorageError::Backend(format!(
                "key {} already exists",
                k.key_id
            )))
        }
    }

    async fn find_key(&self, key_id: &str) -> Result<Option<StoredKey>, StorageError> {
        self.get(&format!("KEY#{key_id}"), "KEY")
            .await?
            .map(|item| key_from_item(&item))
            .transpose()
    }

    async fn list_keys(&self) -> Result<Vec<CounterKey>, StorageError> {
        self.query(Some(GSI1), "GSI1PK", "KEYS", None, false, None)
            .await?
            .iter()
            .map(|item| key_from_item(item).map(|k| k.key))
            .collect()
    }

    async fn revoke_key(&self, key_id: &str, at_ms: i64) -> Result<bool, StorageError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(format!("KEY#{key_id}")))
            .key("SK", s("KEY"))
            .update_expression("SET revoked_at_ms = :at")
            .condition_expression("attribute_exists(PK) AND attribute_not_exists(revoked_at_ms)")
            .expression_attribute_values(":at", n(at_ms))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            // Missing, or revoked already (the first time is kept).
            Err(e) if is_conditional_failure(&e) => Ok(self.find_key(key_id).await?.is_some()),
            Err(e) => Err(api("UpdateItem", e)),
        }
    }

    async fn open_session(&self, session: SessionRecord) -> Result<(), StorageError> {
        let mut item = HashMap::from([
            ("PK".to_string(), s(format!("SESSION#{}", session.id))),
            ("SK".to_string(), s("SESSION")),
            ("type".to_string(), s("session")),
            ("session_id".to_string(), s(&session.id)),
            ("key_id".to_string(), s(&session.key_id)),
            ("loja".to_string(), s(&session.store)),
            ("balcao".to_string(), s(&session.counter)),
            ("started_at_ms".to_string(), n(session.started_at_ms)),
            (
                "GSI1PK".to_string(),
                s(format!("COUNTER#{}", session.key_id)),
            ),
            (
                "GSI1SK".to_string(),
                s(format!(
                    "{}#{}",
                    time_key(session.started_at_ms),
                    session.id
                )),
            ),
            (
                "GSI2PK".to_string(),
                s(format!(
                    "STORE#{}#{}",
                    session.store,
                    utc_day(session.started_at_ms)
                )),
            ),
            (
                "GSI2SK".to_string(),
                s(format!(
                    "{}#{}",
                    time_key(session.started_at_ms),
                    session.id
                )),
            ),
            ("GSI3PK".to_string(), s(admin::SESSIONS_PARTITION)),
            (
                "GSI3SK".to_string(),
                s(format!(
                    "{}#{}",
                    time_key(session.started_at_ms),
                    session.id
                )),
            ),
        ]);
        if let Some(e) = session.ended_at_ms {
            item.insert("ended_at_ms".to_string(), n(e));
        }
        let item = self.with_expiry(item, session.started_at_ms);
        // Opening twice (the stt-llm function opens on every segment) keeps the first record.
        self.put_new(item).await.map(|_| ())
    }

    async fn close_session(&self, session_id: &str, at_ms: i64) -> Result<(), StorageError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(format!("SESSION#{session_id}")))
            .key("SK", s("SESSION"))
            .update_expression("SET ended_at_ms = :at")
            .condition_expression("attribute_exists(PK) AND attribute_not_exists(ended_at_ms)")
            .expression_attribute_values(":at", n(at_ms))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if is_conditional_failure(&e) => Ok(()),
            Err(e) => Err(api("UpdateItem", e)),
        }
    }

    async fn insert_segment(&self, segment: SegmentRecord) -> Result<InsertOutcome, StorageError> {
        if let Some(client_id) = &segment.client_id {
            // Claim the client id for this key first: the claim is the idempotency record.
            let claim = self.with_expiry(
                HashMap::from([
                    ("PK".to_string(), s(format!("KEY#{}", segment.key_id))),
                    ("SK".to_string(), s(format!("CLIENTSEG#{client_id}"))),
                    ("type".to_string(), s("client_segment")),
                    ("segment_id".to_string(), s(&segment.id)),
                    ("created_at_ms".to_string(), n(segment.created_at_ms)),
                ]),
                segment.created_at_ms,
            );
            if !self.put_new(claim).await? {
                match self.claimed_segment(&segment.key_id, client_id).await? {
                    // This very segment re-sent after a crash between claim and write.
                    Some((claimed, None)) if claimed == segment.id => {}
                    Some((_, Some(existing))) => return Ok(InsertOutcome::Duplicate(existing)),
                    Some((claimed, None)) => {
                        // Its writer stopped between claim and segment (the function was
                        // stopped): once the claim is older than any write takes, this
                        // segment takes it over; until then the client is told to retry.
                        if !self.take_over_claim(&segment, client_id, &claimed).await? {
                            return Err(StorageError::Backend(format!(
                                "client segment {client_id} is claimed by segment {claimed}, which is not stored (yet)"
                            )));
                        }
                    }
                    None => {
                        return Err(StorageError::Backend(format!(
                            "client segment {client_id}: claim vanished"
                        )));
                    }
                }
            }
        }
        let session = self
            .get(&format!("SESSION#{}", segment.session_id), "SESSION")
            .await?;
        if self
            .put_new(self.segment_item(&segment, session.as_ref()))
            .await?
        {
            return Ok(InsertOutcome::Inserted);
        }
        match self.find_segment(&segment.id).await? {
            Some(existing) => Ok(InsertOutcome::Duplicate(existing)),
            None => Err(StorageError::Backend(format!(
                "segment {} exists but cannot be read",
                segment.id
            ))),
        }
    }

    async fn set_segment_status(
        &self,
        segment_id: &str,
        status: SegmentStatus,
        error: Option<String>,
    ) -> Result<(), StorageError> {
        let mut sets = vec!["#st = :st", "attempts = attempts + :one"];
        let mut removes = Vec::new();
        let mut req = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(format!("SEG#{segment_id}")))
            .key("SK", s("SEG"))
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_names("#st", "status")
            .expression_attribute_values(":st", s(status.as_str()))
            .expression_attribute_values(":one", n(1));
        match error {
            Some(e) => {
                sets.push("last_error = :err");
                req = req.expression_attribute_values(":err", s(e));
            }
            None => removes.push("last_error"),
        }
        match status_partition(status) {
            Some(p) => {
                sets.push("GSI3PK = :g3");
                req = req.expression_attribute_values(":g3", s(p));
            }
            None => removes.push("GSI3PK"),
        }
        let mut expression = format!("SET {}", sets.join(", "));
        if !removes.is_empty() {
            expression.push_str(&format!(" REMOVE {}", removes.join(", ")));
        }
        match req.update_expression(expression).send().await {
            Ok(_) => Ok(()),
            Err(e) if is_conditional_failure(&e) => {
                Err(StorageError::NotFound(format!("segment {segment_id}")))
            }
            Err(e) => Err(api("UpdateItem", e)),
        }
    }

    async fn session_segments(&self, session_id: &str) -> Result<Vec<SegmentRecord>, StorageError> {
        self.query(
            Some(GSI1),
            "GSI1PK",
            &format!("SEGS#{session_id}"),
            None,
            true,
            None,
        )
        .await?
        .iter()
        .map(segment_from_item)
        .collect()
    }

    async fn unfinished_segments(&self, limit: usize) -> Result<Vec<SegmentRecord>, StorageError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        self.query(
            Some(GSI3),
            "GSI3PK",
            "STATUS#stored",
            None,
            true,
            Some(limit),
        )
        .await?
        .iter()
        .map(segment_from_item)
        .collect()
    }

    async fn insert_transcript(&self, t: TranscriptRecord) -> Result<(), StorageError> {
        let mut item = HashMap::from([
            ("PK".to_string(), s(format!("SEG#{}", t.segment_id))),
            (
                "SK".to_string(),
                s(format!("TRANSCRIPT#{}", insertion_order())),
            ),
            ("type".to_string(), s("transcript")),
            ("segment_id".to_string(), s(&t.segment_id)),
            ("provider".to_string(), s(&t.provider)),
            ("text".to_string(), s(&t.text)),
            ("latency_ms".to_string(), n(t.latency_ms)),
            ("created_at_ms".to_string(), n(t.created_at_ms)),
        ]);
        if let Some(l) = &t.language {
            item.insert("language".to_string(), s(l));
        }
        let item = self.with_expiry(item, t.created_at_ms);
        self.put(item).await?;
        self.note_transcript(&t).await
    }

    async fn segment_transcripts(
        &self,
        segment_id: &str,
    ) -> Result<Vec<TranscriptRecord>, StorageError> {
        self.query(
            None,
            "PK",
            &format!("SEG#{segment_id}"),
            Some(("SK", "TRANSCRIPT#")),
            true,
            None,
        )
        .await?
        .iter()
        .map(|item| {
            Ok(TranscriptRecord {
                segment_id: get_s(item, "segment_id")?,
                provider: get_s(item, "provider")?,
                text: get_s(item, "text")?,
                language: get_opt_s(item, "language")?,
                latency_ms: get_n(item, "latency_ms")?,
                created_at_ms: get_n(item, "created_at_ms")?,
            })
        })
        .collect()
    }

    async fn insert_suggestion(&self, sug: SuggestionRecord) -> Result<(), StorageError> {
        let order = insertion_order();
        let a = &sug.advice;
        let mut item = HashMap::from([
            ("PK".to_string(), s(format!("SESSION#{}", sug.session_id))),
            ("SK".to_string(), s(format!("SUGGESTION#{order}"))),
            ("type".to_string(), s("suggestion")),
            ("segment_id".to_string(), s(&sug.segment_id)),
            ("session_id".to_string(), s(&sug.session_id)),
            ("advisor".to_string(), s(&sug.advisor)),
            ("decisao".to_string(), s(a.decision.as_str())),
            ("explicacao".to_string(), s(&a.explanation)),
            ("confianca".to_string(), s(a.confidence.as_str())),
            ("base_transcript".to_string(), s(&sug.base_transcript)),
            ("sent".to_string(), AttributeValue::Bool(sug.sent)),
            ("latency_ms".to_string(), n(sug.latency_ms)),
            ("created_at_ms".to_string(), n(sug.created_at_ms)),
            (
                "GSI2PK".to_string(),
                s(format!("ACTIVITY#{}", utc_day(sug.created_at_ms))),
            ),
            (
                "GSI2SK".to_string(),
                s(format!("{}#{order}", time_key(sug.created_at_ms))),
            ),
        ]);
        if let Some(c) = a.category {
            item.insert("categoria".to_string(), s(c.as_str()));
        }
        if let Some(p) = &a.product {
            item.insert("produto".to_string(), s(p));
        }
        let item = self.with_expiry(item, sug.created_at_ms);
        self.put(item).await?;
        self.note_suggestion(&sug).await
    }

    async fn insert_attempts(
        &self,
        segment_id: &str,
        stage: &str,
        attempts: &[Attempt],
    ) -> Result<(), StorageError> {
        let order = insertion_order();
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        for (i, a) in attempts.iter().enumerate() {
            let mut item = HashMap::from([
                ("PK".to_string(), s(format!("SEG#{segment_id}"))),
                ("SK".to_string(), s(format!("ATTEMPT#{order}#{i:04}"))),
                ("type".to_string(), s("attempt")),
                ("stage".to_string(), s(stage)),
                ("provider".to_string(), s(&a.provider)),
                ("attempt".to_string(), n(a.attempt)),
                ("started_ms".to_string(), n(a.started_ms)),
                ("latency_ms".to_string(), n(a.latency_ms)),
                ("outcome".to_string(), s(a.outcome.as_str())),
            ]);
            if let Some(e) = &a.error {
                item.insert("error".to_string(), s(e));
            }
            let item = self.with_expiry(item, now_ms);
            self.put(item).await?;
        }
        self.note_attempts(segment_id, stage, attempts).await
    }

    async fn segment_attempts(
        &self,
        segment_id: &str,
    ) -> Result<Vec<(String, Attempt)>, StorageError> {
        self.query(
            None,
            "PK",
            &format!("SEG#{segment_id}"),
            Some(("SK", "ATTEMPT#")),
            true,
            None,
        )
        .await?
        .iter()
        .map(|item| {
            Ok((
                get_s(item, "stage")?,
                Attempt {
                    provider: get_s(item, "provider")?,
                    attempt: get_n(item, "attempt")?,
                    started_ms: get_n(item, "started_ms")?,
                    latency_ms: get_n(item, "latency_ms")?,
                    outcome: get_enum(item, "outcome")?,
                    error: get_opt_s(item, "error")?,
                },
            ))
        })
        .collect()
    }

    async fn session_suggestions(
        &self,
        session_id: &str,
    ) -> Result<Vec<SuggestionRecord>, StorageError> {
        self.query(
            None,
            "PK",
            &format!("SESSION#{session_id}"),
            Some(("SK", "SUGGESTION#")),
            true,
            None,
        )
        .await?
        .iter()
        .map(suggestion_from_item)
        .collect()
    }
}

/// The sort-key part of a query's key condition (the partition key is always `#pk = :pk`).
pub(super) enum SortKey<'a> {
    /// Every item of the partition.
    Any,
    /// Sort keys starting with `prefix`.
    Prefix { attr: &'a str, prefix: &'a str },
    /// Sort keys in `[from, to)` (either end open when `None`).
    Range {
        attr: &'a str,
        from: Option<String>,
        to: Option<String>,
    },
}

impl SortKey<'_> {
    /// Sets the key condition and its names and values on `req`.
    fn apply(&self, req: QueryFluentBuilder) -> QueryFluentBuilder {
        match self {
            SortKey::Any => req.key_condition_expression("#pk = :pk"),
            SortKey::Prefix { attr, prefix } => req
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                .expression_attribute_names("#sk", *attr)
                .expression_attribute_values(":prefix", s(*prefix)),
            SortKey::Range { attr, from, to } => {
                let condition = match (from, to) {
                    (Some(_), Some(_)) => "#pk = :pk AND #sk BETWEEN :lo AND :hi",
                    (Some(_), None) => "#pk = :pk AND #sk >= :lo",
                    (None, Some(_)) => "#pk = :pk AND #sk < :hi",
                    (None, None) => "#pk = :pk",
                };
                let mut req = req.key_condition_expression(condition);
                if from.is_some() || to.is_some() {
                    req = req.expression_attribute_names("#sk", *attr);
                }
                if let Some(lo) = from {
                    req = req.expression_attribute_values(":lo", s(lo));
                }
                if let Some(hi) = to {
                    // BETWEEN is inclusive; no key equals the bare time (keys are
                    // `<time>#...`), so `hi` itself never matches and the end stays exclusive.
                    req = req.expression_attribute_values(":hi", s(hi));
                }
                req
            }
        }
    }
}
