//! [`AdminStore`] over the single table: the admin history, reviews and figures.
//!
//! Two overloaded index partitions make the chain-wide lists one query each: every segment is
//! in GSI2 under `SEGMENTS` / `<created>#<order>` and every session in GSI3 under `SESSIONS` /
//! `<started>#<id>`, so a period (`from_ms`/`to_ms`) is a range condition on the sort key. What
//! a row needs is copied onto the segment item when it is written (the session's store and
//! counter, the latest transcript, every transcript in a compact list, the latest suggestion,
//! a count of sent suggestions, every provider call, and the reviews), so a history page is
//! one index query plus filtering in memory, with no read per row. Items written before these
//! attributes existed (no [`ADMIN_VERSION_ATTR`]) are completed from their child items when
//! read. docs/dynamodb.md has the items, costs and limits.

use super::attrs::{Item, get_opt_n, get_opt_s, n, s, time_key};
use super::{
    DynamoStore, GSI1, GSI2, GSI3, SortKey, api, is_conditional_failure, segment_from_item,
    session_from_item,
};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use balto_core::admin::{
    HistoryQuery, Page, ReviewFilter, SegmentRow, SessionSummary, SuggestionReview,
    TranscriptReview,
};
use balto_core::admin_store::{
    AdminStore, CallSample, ProviderTranscript, ReviewedSuggestion, ReviewedTranscript,
};
use balto_core::advice::{Category, Confidence, Decision};
use balto_core::attempt::{Attempt, AttemptOutcome};
use balto_core::records::{
    SegmentRecord, SegmentStatus, SessionRecord, SuggestionRecord, SuggestionVerdict,
    TranscriptRecord,
};
use balto_core::storage::{Storage, StorageError};
use futures_util::StreamExt;
use std::collections::{HashMap, HashSet};

/// GSI2 partition holding every segment (chain-wide time index).
pub const SEGMENTS_PARTITION: &str = "SEGMENTS";
/// GSI3 partition holding every session (chain-wide time index).
pub const SESSIONS_PARTITION: &str = "SESSIONS";
/// Marks segment items that carry the admin attributes (absent on older items).
pub const ADMIN_VERSION_ATTR: &str = "admin_v";
pub const ADMIN_VERSION: u32 = 1;
/// Reads in flight at once when completing older items or summarizing sessions.
const CONCURRENCY: usize = 8;
/// Words of a full-text query used (as the SQLite store does).
const MAX_QUERY_WORDS: usize = 20;

/// A sort-key range: `from` inclusive, `to` exclusive, over `<time>#...` keys.
fn range(from_ms: Option<i64>, to_ms: Option<i64>) -> (Option<String>, Option<String>) {
    (from_ms.map(time_key), to_ms.map(time_key))
}

/// The full-text query as normalized word sequences (each user word may hold several tokens,
/// e.g. `d'água`); all must appear, each as consecutive whole words, in one transcript.
fn text_terms(q: &HistoryQuery) -> Vec<Vec<String>> {
    q.text_query()
        .map(|t| {
            t.split_whitespace()
                .take(MAX_QUERY_WORDS)
                .map(balto_core::text::words)
                .filter(|w| !w.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn text_matches(text: &str, terms: &[Vec<String>]) -> bool {
    let words = balto_core::text::words(text);
    terms
        .iter()
        .all(|term| words.windows(term.len()).any(|w| w == term.as_slice()))
}

/// One transcript as kept on the segment item.
#[derive(Debug, Clone)]
struct TranscriptNote {
    provider: String,
    text: String,
    latency_ms: u64,
}

/// One provider call as kept on the segment item.
#[derive(Debug, Clone)]
struct CallNote {
    stage: String,
    provider: String,
    latency_ms: u64,
    ok: bool,
}

/// A segment with everything its row and the filters need.
#[derive(Debug, Clone)]
struct SegView {
    rec: SegmentRecord,
    store: Option<String>,
    counter: Option<String>,
    /// Oldest first; the last is the row's transcript.
    transcripts: Vec<TranscriptNote>,
    latest: Option<SuggestionRecord>,
    sent_suggestions: u64,
    calls: Vec<CallNote>,
    transcript_review: Option<TranscriptReview>,
    suggestion_review: Option<SuggestionReview>,
    /// Written before the admin attributes existed: transcripts, suggestions and calls must
    /// be read from the child items.
    legacy: bool,
}

fn list_of<'a>(item: &'a Item, name: &str) -> &'a [AttributeValue] {
    match item.get(name) {
        Some(AttributeValue::L(v)) => v,
        _ => &[],
    }
}

fn opt_bool(item: &Item, name: &str) -> Option<bool> {
    match item.get(name) {
        Some(AttributeValue::Bool(b)) => Some(*b),
        _ => None,
    }
}

fn opt_enum<T: serde::de::DeserializeOwned>(
    item: &Item,
    name: &str,
) -> Result<Option<T>, StorageError> {
    match get_opt_s(item, name)? {
        None => Ok(None),
        Some(text) => serde_json::from_value(serde_json::Value::String(text.clone()))
            .map(Some)
            .map_err(|_| {
                StorageError::Corrupt(format!("attribute {name} has an unknown value {text:?}"))
            }),
    }
}

impl SegView {
    fn from_item(item: &Item) -> Result<SegView, StorageError> {
        let rec = segment_from_item(item)?;
        let legacy = !item.contains_key(ADMIN_VERSION_ATTR);
        let mut transcripts = Vec::new();
        for v in list_of(item, "t_all") {
            if let AttributeValue::M(m) = v {
                transcripts.push(TranscriptNote {
                    provider: get_opt_s(m, "provider")?.unwrap_or_default(),
                    text: get_opt_s(m, "text")?.unwrap_or_default(),
                    latency_ms: get_opt_n(m, "latency_ms")?.unwrap_or(0),
                });
            }
        }
        let mut calls = Vec::new();
        for v in list_of(item, "calls") {
            if let AttributeValue::M(m) = v {
                calls.push(CallNote {
                    stage: get_opt_s(m, "stage")?.unwrap_or_default(),
                    provider: get_opt_s(m, "provider")?.unwrap_or_default(),
                    latency_ms: get_opt_n(m, "latency_ms")?.unwrap_or(0),
                    ok: opt_bool(m, "ok").unwrap_or(false),
                });
            }
        }
        let latest = match opt_enum::<Decision>(item, "s_decisao")? {
            Some(decision) => Some(SuggestionRecord {
                segment_id: rec.id.clone(),
                session_id: rec.session_id.clone(),
                advisor: get_opt_s(item, "s_advisor")?.unwrap_or_default(),
                advice: balto_core::advice::Advice {
                    decision,
                    category: opt_enum::<Category>(item, "s_categoria")?,
                    product: get_opt_s(item, "s_produto")?,
                    explanation: get_opt_s(item, "s_explicacao")?.unwrap_or_default(),
                    confidence: opt_enum::<Confidence>(item, "s_confianca")?
                        .unwrap_or(Confidence::Baixa),
                },
                base_transcript: String::new(),
                sent: opt_bool(item, "s_sent").unwrap_or(false),
                latency_ms: get_opt_n(item, "s_latency_ms")?.unwrap_or(0),
                created_at_ms: 0,
            }),
            None => None,
        };
        let transcript_review = match get_opt_n::<i64>(item, "rt_at")? {
            Some(at) => Some(TranscriptReview {
                correct: opt_bool(item, "rt_correct").unwrap_or(false),
                corrected_text: get_opt_s(item, "rt_text")?.unwrap_or_default(),
                reviewed_at_ms: at,
            }),
            None => None,
        };
        let suggestion_review = match (
            get_opt_n::<i64>(item, "rs_at")?,
            opt_enum::<SuggestionVerdict>(item, "rs_verdict")?,
        ) {
            (Some(at), Some(verdict)) => Some(SuggestionReview {
                verdict,
                note: get_opt_s(item, "rs_note")?,
                reviewed_at_ms: at,
            }),
            _ => None,
        };
        Ok(SegView {
            store: get_opt_s(item, "loja")?,
            counter: get_opt_s(item, "balcao")?,
            transcripts,
            latest,
            sent_suggestions: get_opt_n(item, "s_sent_count")?.unwrap_or(0),
            calls,
            transcript_review,
            suggestion_review,
            legacy,
            rec,
        })
    }

    fn reviewed(&self) -> bool {
        self.transcript_review.is_some() || self.suggestion_review.is_some()
    }

    /// The segment-level filters of `q` (and the session's store and counter).
    fn matches(&self, q: &HistoryQuery, terms: &[Vec<String>]) -> bool {
        let r = &self.rec;
        let advice = self.latest.as_ref().map(|s| &s.advice);
        q.store
            .as_ref()
            .is_none_or(|v| self.store.as_ref() == Some(v))
            && q.counter
                .as_ref()
                .is_none_or(|v| self.counter.as_ref() == Some(v))
            && q.session_id.as_ref().is_none_or(|v| &r.session_id == v)
            && q.from_ms.is_none_or(|v| r.created_at_ms >= v)
            && q.to_ms.is_none_or(|v| r.created_at_ms < v)
            && q.provider
                .as_ref()
                .is_none_or(|p| self.transcripts.iter().any(|t| &t.provider == p))
            && q.decision
                .is_none_or(|d| advice.is_some_and(|a| a.decision == d))
            && q.category
                .is_none_or(|c| advice.is_some_and(|a| a.category == Some(c)))
            && q.confidence
                .is_none_or(|c| advice.is_some_and(|a| a.confidence == c))
            && q.status.is_none_or(|st| r.status == st)
            && match q.review {
                None => true,
                Some(ReviewFilter::Unreviewed) => !self.reviewed(),
                Some(ReviewFilter::Reviewed) => self.reviewed(),
                Some(ReviewFilter::TranscriptReviewed) => self.transcript_review.is_some(),
                Some(ReviewFilter::SuggestionReviewed) => self.suggestion_review.is_some(),
            }
            && (terms.is_empty()
                || self
                    .transcripts
                    .iter()
                    .any(|t| text_matches(&t.text, terms)))
    }

    fn row(&self) -> SegmentRow {
        let r = &self.rec;
        let t = self.transcripts.last();
        let sug = self.latest.as_ref();
        SegmentRow {
            segment_id: r.id.clone(),
            session_id: r.session_id.clone(),
            key_id: r.key_id.clone(),
            store: self.store.clone().unwrap_or_default(),
            counter: self.counter.clone().unwrap_or_default(),
            created_at_ms: r.created_at_ms,
            start_ms: r.start_ms,
            duration_ms: r.duration_ms,
            status: r.status,
            attempts: r.attempts,
            last_error: r.last_error.clone(),
            provider: t.map(|t| t.provider.clone()),
            transcript: t.map(|t| t.text.clone()),
            transcript_latency_ms: t.map(|t| t.latency_ms),
            advisor: sug.map(|s| s.advisor.clone()),
            decision: sug.map(|s| s.advice.decision),
            category: sug.and_then(|s| s.advice.category),
            product: sug.and_then(|s| s.advice.product.clone()),
            explanation: sug.map(|s| s.advice.explanation.clone()),
            confidence: sug.map(|s| s.advice.confidence),
            sent: sug.map(|s| s.sent),
            advisor_latency_ms: sug.map(|s| s.latency_ms),
            transcript_review: self.transcript_review.clone(),
            suggestion_review: self.suggestion_review.clone(),
        }
    }
}

/// What [`DynamoStore::backfill_admin_attributes`] updated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct BackfillReport {
    pub sessions: u64,
    pub segments: u64,
}

/// A session's item (when stored) and its suggestions, by session id.
type SessionParts = (String, Option<Item>, Vec<SuggestionRecord>);

fn page<T: Clone>(items: &[T], q: &HistoryQuery) -> (Vec<T>, u64) {
    let total = items.len() as u64;
    let start = usize::try_from(q.offset()).unwrap_or(usize::MAX);
    let slice = items
        .iter()
        .skip(start)
        .take(q.page_size() as usize)
        .cloned()
        .collect();
    (slice, total)
}

impl DynamoStore {
    /// Every item of `pk` whose sort key is in `[from, to)`, across pages, in key order
    /// (`forward`) or reversed.
    async fn query_range(
        &self,
        index: Option<&str>,
        pk: (&str, &str),
        sk_attr: &str,
        (from, to): (Option<String>, Option<String>),
        forward: bool,
    ) -> Result<Vec<Item>, StorageError> {
        let sort_key = SortKey::Range {
            attr: sk_attr,
            from,
            to,
        };
        self.query_pages(index, pk, sort_key, forward, None).await
    }

    /// Appends a transcript to its segment's admin attributes (and makes it the latest).
    pub(super) async fn note_transcript(&self, t: &TranscriptRecord) -> Result<(), StorageError> {
        let entry = AttributeValue::M(HashMap::from([
            ("provider".to_string(), s(&t.provider)),
            ("text".to_string(), s(&t.text)),
            ("latency_ms".to_string(), n(t.latency_ms)),
        ]));
        let req = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(format!("SEG#{}", t.segment_id)))
            .key("SK", s("SEG"))
            .condition_expression("attribute_exists(PK)")
            .update_expression("SET t_all = list_append(if_not_exists(t_all, :empty), :one)")
            .expression_attribute_values(":empty", AttributeValue::L(Vec::new()))
            .expression_attribute_values(":one", AttributeValue::L(vec![entry]));
        self.update_segment(req, &t.segment_id).await
    }

    /// Copies a suggestion onto its segment as the latest one (and counts it when sent).
    pub(super) async fn note_suggestion(&self, sug: &SuggestionRecord) -> Result<(), StorageError> {
        let a = &sug.advice;
        let mut sets = vec![
            "s_advisor = :adv",
            "s_decisao = :dec",
            "s_explicacao = :exp",
            "s_confianca = :conf",
            "s_sent = :sent",
            "s_latency_ms = :lat",
        ];
        let mut removes = Vec::new();
        let mut req = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(format!("SEG#{}", sug.segment_id)))
            .key("SK", s("SEG"))
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":adv", s(&sug.advisor))
            .expression_attribute_values(":dec", s(a.decision.as_str()))
            .expression_attribute_values(":exp", s(&a.explanation))
            .expression_attribute_values(":conf", s(a.confidence.as_str()))
            .expression_attribute_values(":sent", AttributeValue::Bool(sug.sent))
            .expression_attribute_values(":lat", n(sug.latency_ms));
        match a.category {
            Some(c) => {
                sets.push("s_categoria = :cat");
                req = req.expression_attribute_values(":cat", s(c.as_str()));
            }
            None => removes.push("s_categoria"),
        }
        match &a.product {
            Some(p) => {
                sets.push("s_produto = :prod");
                req = req.expression_attribute_values(":prod", s(p));
            }
            None => removes.push("s_produto"),
        }
        if sug.sent {
            sets.push("s_sent_count = if_not_exists(s_sent_count, :zero) + :one");
            req = req
                .expression_attribute_values(":zero", n(0))
                .expression_attribute_values(":one", n(1));
        }
        let mut expression = format!("SET {}", sets.join(", "));
        if !removes.is_empty() {
            expression.push_str(&format!(" REMOVE {}", removes.join(", ")));
        }
        self.update_segment(req.update_expression(expression), &sug.segment_id)
            .await
    }

    /// Appends provider calls to their segment's admin attributes.
    pub(super) async fn note_attempts(
        &self,
        segment_id: &str,
        stage: &str,
        attempts: &[Attempt],
    ) -> Result<(), StorageError> {
        if attempts.is_empty() {
            return Ok(());
        }
        let entries = attempts
            .iter()
            .map(|a| {
                AttributeValue::M(HashMap::from([
                    ("stage".to_string(), s(stage)),
                    ("provider".to_string(), s(&a.provider)),
                    ("latency_ms".to_string(), n(a.latency_ms)),
                    (
                        "ok".to_string(),
                        AttributeValue::Bool(a.outcome == AttemptOutcome::Ok),
                    ),
                ]))
            })
            .collect();
        let req = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(format!("SEG#{segment_id}")))
            .key("SK", s("SEG"))
            .condition_expression("attribute_exists(PK)")
            .update_expression("SET calls = list_append(if_not_exists(calls, :empty), :new)")
            .expression_attribute_values(":empty", AttributeValue::L(Vec::new()))
            .expression_attribute_values(":new", AttributeValue::L(entries));
        self.update_segment(req, segment_id).await
    }

    /// Runs a denormalizing update; a missing segment is not an error (the child item itself
    /// was stored, as the SQLite store allows).
    async fn update_segment(
        &self,
        req: aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder,
        segment_id: &str,
    ) -> Result<(), StorageError> {
        match req.send().await {
            Ok(_) => Ok(()),
            Err(e) if is_conditional_failure(&e) => {
                tracing::warn!(segment = %segment_id, "result for an unknown segment: not indexed for the admin");
                Ok(())
            }
            Err(e) => Err(api("UpdateItem", e)),
        }
    }

    /// Fills in what older items lack: results from the child items, the store and counter
    /// from the session. Only such items cost reads.
    async fn complete(&self, views: Vec<SegView>) -> Result<Vec<SegView>, StorageError> {
        let needs: Vec<bool> = views
            .iter()
            .map(|v| v.legacy || v.store.is_none() || v.counter.is_none())
            .collect();
        if !needs.contains(&true) {
            return Ok(views);
        }
        let sessions: HashSet<String> = views
            .iter()
            .zip(&needs)
            .filter(|(_, need)| **need)
            .map(|(v, _)| v.rec.session_id.clone())
            .collect();
        let found: Vec<Result<SessionParts, StorageError>> =
            futures_util::stream::iter(sessions.into_iter().map(|id| async move {
                let item = self.get(&format!("SESSION#{id}"), "SESSION").await?;
                let suggestions = self.session_suggestions(&id).await?;
                Ok((id, item, suggestions))
            }))
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        let mut by_session: HashMap<String, (Option<Item>, Vec<SuggestionRecord>)> = HashMap::new();
        for f in found {
            let (id, item, suggestions) = f?;
            by_session.insert(id, (item, suggestions));
        }
        let done: Vec<Result<SegView, StorageError>> =
            futures_util::stream::iter(views.into_iter().zip(needs).map(|(mut v, need)| {
                let session = by_session.get(&v.rec.session_id);
                async move {
                    if !need {
                        return Ok(v);
                    }
                    if let Some((Some(item), _)) = session {
                        if v.store.is_none() {
                            v.store = get_opt_s(item, "loja")?;
                        }
                        if v.counter.is_none() {
                            v.counter = get_opt_s(item, "balcao")?;
                        }
                    }
                    if v.legacy {
                        v.transcripts = self
                            .segment_transcripts(&v.rec.id)
                            .await?
                            .into_iter()
                            .map(|t| TranscriptNote {
                                provider: t.provider,
                                text: t.text,
                                latency_ms: t.latency_ms,
                            })
                            .collect();
                        v.calls = self
                            .segment_attempts(&v.rec.id)
                            .await?
                            .into_iter()
                            .map(|(stage, a)| CallNote {
                                stage,
                                provider: a.provider,
                                latency_ms: a.latency_ms,
                                ok: a.outcome == AttemptOutcome::Ok,
                            })
                            .collect();
                        let mine: Vec<&SuggestionRecord> = session
                            .map(|(_, all)| {
                                all.iter().filter(|s| s.segment_id == v.rec.id).collect()
                            })
                            .unwrap_or_default();
                        v.sent_suggestions = mine.iter().filter(|s| s.sent).count() as u64;
                        v.latest = mine.last().map(|s| (*s).clone());
                    }
                    Ok(v)
                }
            }))
            .buffered(CONCURRENCY)
            .collect()
            .await;
        done.into_iter().collect()
    }

    fn views(items: &[Item]) -> Result<Vec<SegView>, StorageError> {
        items.iter().map(SegView::from_item).collect()
    }

    /// The segments matching `q`, newest first: one query (GSI1 for one session, else the
    /// chain-wide GSI2 partition), with the period as a key range, then filters in memory.
    async fn matching(&self, q: &HistoryQuery) -> Result<Vec<SegView>, StorageError> {
        let keys = range(q.from_ms, q.to_ms);
        let items = match &q.session_id {
            Some(id) => {
                self.query_range(
                    Some(GSI1),
                    ("GSI1PK", &format!("SEGS#{id}")),
                    "GSI1SK",
                    keys,
                    false,
                )
                .await?
            }
            None => {
                self.query_range(
                    Some(GSI2),
                    ("GSI2PK", SEGMENTS_PARTITION),
                    "GSI2SK",
                    keys,
                    false,
                )
                .await?
            }
        };
        let views = self.complete(Self::views(&items)?).await?;
        let terms = text_terms(q);
        Ok(views.into_iter().filter(|v| v.matches(q, &terms)).collect())
    }

    /// Sessions passing the session-level filters of `q`, newest first (GSI3 `SESSIONS`, or
    /// one read for a `session_id`).
    async fn session_candidates(
        &self,
        q: &HistoryQuery,
    ) -> Result<Vec<SessionRecord>, StorageError> {
        let records: Vec<SessionRecord> = match &q.session_id {
            Some(id) => match self.get(&format!("SESSION#{id}"), "SESSION").await? {
                Some(item) => vec![session_from_item(&item)?],
                None => Vec::new(),
            },
            None => self
                .query_range(
                    Some(GSI3),
                    ("GSI3PK", SESSIONS_PARTITION),
                    "GSI3SK",
                    range(q.from_ms, q.to_ms),
                    false,
                )
                .await?
                .iter()
                .map(session_from_item)
                .collect::<Result<_, _>>()?,
        };
        Ok(records
            .into_iter()
            .filter(|s| {
                q.store.as_ref().is_none_or(|v| &s.store == v)
                    && q.counter.as_ref().is_none_or(|v| &s.counter == v)
                    && q.from_ms.is_none_or(|v| s.started_at_ms >= v)
                    && q.to_ms.is_none_or(|v| s.started_at_ms < v)
            })
            .collect())
    }

    /// A session's counts from its segments (one GSI1 query; older items also read the
    /// session's suggestions).
    async fn summarize(&self, s: SessionRecord) -> Result<SessionSummary, StorageError> {
        let items = self
            .query_range(
                Some(GSI1),
                ("GSI1PK", &format!("SEGS#{}", s.id)),
                "GSI1SK",
                (None, None),
                true,
            )
            .await?;
        let views = Self::views(&items)?;
        let sent = if views.iter().any(|v| v.legacy) {
            self.session_suggestions(&s.id)
                .await?
                .iter()
                .filter(|x| x.sent)
                .count() as u64
        } else {
            views.iter().map(|v| v.sent_suggestions).sum()
        };
        Ok(SessionSummary {
            segments: views.len() as u64,
            failed_segments: views
                .iter()
                .filter(|v| v.rec.status == SegmentStatus::Failed)
                .count() as u64,
            suggestions_sent: sent,
            reviewed_segments: views.iter().filter(|v| v.reviewed()).count() as u64,
            id: s.id,
            key_id: s.key_id,
            store: s.store,
            counter: s.counter,
            started_at_ms: s.started_at_ms,
            ended_at_ms: s.ended_at_ms,
        })
    }

    /// Every item of one `type` lacking `missing_attr`, across scan pages.
    async fn scan_without(
        &self,
        item_type: &str,
        missing_attr: &str,
    ) -> Result<Vec<Item>, StorageError> {
        let mut items = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let out = self
                .client
                .scan()
                .table_name(&self.table)
                .filter_expression("#t = :t AND attribute_not_exists(#m)")
                .expression_attribute_names("#t", "type")
                .expression_attribute_names("#m", missing_attr)
                .expression_attribute_values(":t", s(item_type))
                .set_limit(self.page_size)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| api("Scan", e))?;
            items.extend(out.items.unwrap_or_default());
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(items),
            }
        }
    }

    /// Brings items written before the admin attributes existed into the admin lists: every
    /// session gets its GSI3 `SESSIONS` entry, every segment its GSI2 `SEGMENTS` entry and the
    /// attributes of a row, computed from its child items. One scan of the table; run it once
    /// after upgrading, while no results are being written (a result written to a segment
    /// during its rewrite may be missing from the row until the next write).
    pub async fn backfill_admin_attributes(&self) -> Result<BackfillReport, StorageError> {
        let mut report = BackfillReport::default();
        for item in self.scan_without("session", "GSI3PK").await? {
            let session = session_from_item(&item)?;
            self.client
                .update_item()
                .table_name(&self.table)
                .key("PK", s(format!("SESSION#{}", session.id)))
                .key("SK", s("SESSION"))
                .condition_expression("attribute_exists(PK)")
                .update_expression("SET GSI3PK = :p, GSI3SK = :k")
                .expression_attribute_values(":p", s(SESSIONS_PARTITION))
                .expression_attribute_values(
                    ":k",
                    s(format!(
                        "{}#{}",
                        time_key(session.started_at_ms),
                        session.id
                    )),
                )
                .send()
                .await
                .map_err(|e| api("UpdateItem", e))?;
            report.sessions += 1;
        }
        let items = self.scan_without("segment", ADMIN_VERSION_ATTR).await?;
        let views = self.complete(Self::views(&items)?).await?;
        for (item, v) in items.iter().zip(views) {
            let order = get_opt_s(item, "GSI1SK")?
                .unwrap_or_else(|| format!("{}#0", time_key(v.rec.created_at_ms)));
            let note = |m: Vec<(&str, AttributeValue)>| {
                AttributeValue::M(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            };
            let mut values: Vec<(&str, AttributeValue)> = vec![
                ("GSI2PK", s(SEGMENTS_PARTITION)),
                ("GSI2SK", s(order)),
                (ADMIN_VERSION_ATTR, n(ADMIN_VERSION)),
                (
                    "t_all",
                    AttributeValue::L(
                        v.transcripts
                            .iter()
                            .map(|t| {
                                note(vec![
                                    ("provider", s(&t.provider)),
                                    ("text", s(&t.text)),
                                    ("latency_ms", n(t.latency_ms)),
                                ])
                            })
                            .collect(),
                    ),
                ),
                (
                    "calls",
                    AttributeValue::L(
                        v.calls
                            .iter()
                            .map(|c| {
                                note(vec![
                                    ("stage", s(&c.stage)),
                                    ("provider", s(&c.provider)),
                                    ("latency_ms", n(c.latency_ms)),
                                    ("ok", AttributeValue::Bool(c.ok)),
                                ])
                            })
                            .collect(),
                    ),
                ),
                ("s_sent_count", n(v.sent_suggestions)),
            ];
            if let Some(x) = &v.store {
                values.push(("loja", s(x)));
            }
            if let Some(x) = &v.counter {
                values.push(("balcao", s(x)));
            }
            if let Some(sug) = &v.latest {
                let a = &sug.advice;
                values.extend([
                    ("s_advisor", s(&sug.advisor)),
                    ("s_decisao", s(a.decision.as_str())),
                    ("s_explicacao", s(&a.explanation)),
                    ("s_confianca", s(a.confidence.as_str())),
                    ("s_sent", AttributeValue::Bool(sug.sent)),
                    ("s_latency_ms", n(sug.latency_ms)),
                ]);
                if let Some(c) = a.category {
                    values.push(("s_categoria", s(c.as_str())));
                }
                if let Some(p) = &a.product {
                    values.push(("s_produto", s(p)));
                }
            }
            let mut req = self
                .client
                .update_item()
                .table_name(&self.table)
                .key("PK", s(format!("SEG#{}", v.rec.id)))
                .key("SK", s("SEG"))
                .condition_expression("attribute_exists(PK)");
            let mut sets = Vec::new();
            for (i, (name, value)) in values.into_iter().enumerate() {
                sets.push(format!("#a{i} = :v{i}"));
                req = req
                    .expression_attribute_names(format!("#a{i}"), name)
                    .expression_attribute_values(format!(":v{i}"), value);
            }
            req.update_expression(format!("SET {}", sets.join(", ")))
                .send()
                .await
                .map_err(|e| api("UpdateItem", e))?;
            report.segments += 1;
        }
        Ok(report)
    }

    async fn one_view(&self, id: &str) -> Result<Option<SegView>, StorageError> {
        let Some(item) = self.get(&format!("SEG#{id}"), "SEG").await? else {
            return Ok(None);
        };
        Ok(self.complete(vec![SegView::from_item(&item)?]).await?.pop())
    }

    async fn update_review(
        &self,
        segment_id: &str,
        req: aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder,
    ) -> Result<bool, StorageError> {
        match req
            .table_name(&self.table)
            .key("PK", s(format!("SEG#{segment_id}")))
            .key("SK", s("SEG"))
            .condition_expression("attribute_exists(PK)")
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if is_conditional_failure(&e) => Ok(false),
            Err(e) => Err(api("UpdateItem", e)),
        }
    }
}

#[async_trait]
impl AdminStore for DynamoStore {
    async fn list_sessions(&self, q: &HistoryQuery) -> Result<Page<SessionSummary>, StorageError> {
        let mut candidates = self.session_candidates(q).await?;
        if q.has_segment_filters() {
            let with_match: HashSet<String> = self
                .matching(q)
                .await?
                .into_iter()
                .map(|v| v.rec.session_id)
                .collect();
            candidates.retain(|s| with_match.contains(&s.id));
        }
        let (records, total) = page(&candidates, q);
        let items: Vec<Result<SessionSummary, StorageError>> =
            futures_util::stream::iter(records.into_iter().map(|s| self.summarize(s)))
                .buffered(CONCURRENCY)
                .collect()
                .await;
        Ok(Page {
            items: items.into_iter().collect::<Result<_, _>>()?,
            page: q.page(),
            page_size: q.page_size(),
            total,
        })
    }

    async fn session_summary(&self, id: &str) -> Result<Option<SessionSummary>, StorageError> {
        match self.get(&format!("SESSION#{id}"), "SESSION").await? {
            Some(item) => Ok(Some(self.summarize(session_from_item(&item)?).await?)),
            None => Ok(None),
        }
    }

    async fn list_segments(&self, q: &HistoryQuery) -> Result<Page<SegmentRow>, StorageError> {
        let views = self.matching(q).await?;
        let (items, total) = page(&views, q);
        Ok(Page {
            items: items.iter().map(SegView::row).collect(),
            page: q.page(),
            page_size: q.page_size(),
            total,
        })
    }

    async fn session_rows(&self, session_id: &str) -> Result<Vec<SegmentRow>, StorageError> {
        let items = self
            .query_range(
                Some(GSI1),
                ("GSI1PK", &format!("SEGS#{session_id}")),
                "GSI1SK",
                (None, None),
                true,
            )
            .await?;
        Ok(self
            .complete(Self::views(&items)?)
            .await?
            .iter()
            .map(SegView::row)
            .collect())
    }

    async fn segment_row(&self, id: &str) -> Result<Option<SegmentRow>, StorageError> {
        Ok(self.one_view(id).await?.map(|v| v.row()))
    }

    async fn segment_record(&self, id: &str) -> Result<Option<SegmentRecord>, StorageError> {
        self.find_segment(id).await
    }

    async fn review_transcript(
        &self,
        segment_id: &str,
        review: TranscriptReview,
    ) -> Result<bool, StorageError> {
        let req = self
            .client
            .update_item()
            .update_expression("SET rt_correct = :c, rt_text = :t, rt_at = :at")
            .expression_attribute_values(":c", AttributeValue::Bool(review.correct))
            .expression_attribute_values(":t", s(review.corrected_text))
            .expression_attribute_values(":at", n(review.reviewed_at_ms));
        self.update_review(segment_id, req).await
    }

    async fn review_suggestion(
        &self,
        segment_id: &str,
        review: SuggestionReview,
    ) -> Result<bool, StorageError> {
        let verdict = match review.verdict {
            SuggestionVerdict::Certa => "certa",
            SuggestionVerdict::Errada => "errada",
            SuggestionVerdict::Perigosa => "perigosa",
        };
        let mut req = self
            .client
            .update_item()
            .expression_attribute_values(":v", s(verdict))
            .expression_attribute_values(":at", n(review.reviewed_at_ms));
        req = match review.note {
            Some(note) => req
                .update_expression("SET rs_verdict = :v, rs_note = :note, rs_at = :at")
                .expression_attribute_values(":note", s(note)),
            None => req.update_expression("SET rs_verdict = :v, rs_at = :at REMOVE rs_note"),
        };
        self.update_review(segment_id, req).await
    }

    async fn reviewed_transcripts(
        &self,
        q: &HistoryQuery,
    ) -> Result<Vec<ReviewedTranscript>, StorageError> {
        let mut out = Vec::new();
        for v in self.matching(q).await?.iter().rev() {
            let Some(review) = &v.transcript_review else {
                continue;
            };
            out.extend(v.transcripts.iter().map(|t| ReviewedTranscript {
                segment_id: v.rec.id.clone(),
                provider: t.provider.clone(),
                hypothesis: t.text.clone(),
                reference: review.corrected_text.clone(),
            }));
        }
        Ok(out)
    }

    async fn reviewed_suggestions(
        &self,
        q: &HistoryQuery,
    ) -> Result<Vec<ReviewedSuggestion>, StorageError> {
        Ok(self
            .matching(q)
            .await?
            .iter()
            .rev()
            .filter_map(|v| {
                v.suggestion_review.as_ref().map(|r| ReviewedSuggestion {
                    category: v.latest.as_ref().and_then(|s| s.advice.category),
                    verdict: r.verdict,
                })
            })
            .collect())
    }

    async fn provider_transcripts(
        &self,
        q: &HistoryQuery,
    ) -> Result<Vec<ProviderTranscript>, StorageError> {
        Ok(self
            .matching(q)
            .await?
            .iter()
            .rev()
            .flat_map(|v| {
                v.transcripts.iter().map(|t| ProviderTranscript {
                    segment_id: v.rec.id.clone(),
                    provider: t.provider.clone(),
                    duration_ms: v.rec.duration_ms,
                    latency_ms: t.latency_ms,
                })
            })
            .collect())
    }

    async fn provider_calls(
        &self,
        q: &HistoryQuery,
        stage: &str,
    ) -> Result<Vec<CallSample>, StorageError> {
        Ok(self
            .matching(q)
            .await?
            .iter()
            .rev()
            .flat_map(|v| {
                v.calls
                    .iter()
                    .filter(|c| c.stage == stage)
                    .map(|c| CallSample {
                        provider: c.provider.clone(),
                        latency_ms: c.latency_ms,
                        ok: c.ok,
                    })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(q: &str) -> Vec<Vec<String>> {
        text_terms(&HistoryQuery {
            q: Some(q.into()),
            ..HistoryQuery::default()
        })
    }

    #[test]
    fn full_text_is_whole_words_case_and_accent_insensitive() {
        let text = "Estou com dor de cabeça, doutor.";
        assert!(text_matches(text, &terms("CABECA dor")));
        assert!(text_matches(text, &terms("cabeça")));
        assert!(!text_matches(text, &terms("cabe")));
        assert!(!text_matches(text, &terms("dor febre")));
        assert!(text_matches(text, &terms("dor*")));
        assert!(text_matches("água d'água", &terms("d'agua")));
        assert!(terms("  ").is_empty());
    }

    #[test]
    fn time_ranges_are_sort_key_bounds() {
        assert_eq!(
            range(Some(5), Some(10)),
            (Some(time_key(5)), Some(time_key(10)))
        );
        // `<created>#<order>` of a segment created at `to` sorts after the bare `to`.
        assert!(format!("{}#1", time_key(10)) > time_key(10));
        assert!(format!("{}#9", time_key(9)) < time_key(10));
    }
}
