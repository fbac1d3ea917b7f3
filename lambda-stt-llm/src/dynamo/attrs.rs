//! Reading and writing item attributes, key spellings (zero-padded so strings sort like
//! numbers), calendar days for the per-day indexes, and a per-process insertion order.

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use balto_core::storage::StorageError;
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// One DynamoDB item.
pub type Item = HashMap<String, AttributeValue>;

pub fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub fn n(v: impl std::fmt::Display) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

pub fn b(v: &[u8]) -> AttributeValue {
    AttributeValue::B(Blob::new(v))
}

fn corrupt(item: &Item, name: &str, what: &str) -> StorageError {
    let pk = item
        .get("PK")
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
        .unwrap_or("?");
    StorageError::Corrupt(format!("item {pk}: attribute {name} {what}"))
}

/// A required string attribute.
pub fn get_s(item: &Item, name: &str) -> Result<String, StorageError> {
    get_opt_s(item, name)?.ok_or_else(|| corrupt(item, name, "is missing"))
}

/// An optional string attribute (absent or NULL is `None`).
pub fn get_opt_s(item: &Item, name: &str) -> Result<Option<String>, StorageError> {
    match item.get(name) {
        None | Some(AttributeValue::Null(_)) => Ok(None),
        Some(AttributeValue::S(v)) => Ok(Some(v.clone())),
        Some(_) => Err(corrupt(item, name, "is not a string")),
    }
}

/// A required number attribute.
pub fn get_n<T: FromStr>(item: &Item, name: &str) -> Result<T, StorageError> {
    get_opt_n(item, name)?.ok_or_else(|| corrupt(item, name, "is missing"))
}

/// An optional number attribute.
pub fn get_opt_n<T: FromStr>(item: &Item, name: &str) -> Result<Option<T>, StorageError> {
    match item.get(name) {
        None | Some(AttributeValue::Null(_)) => Ok(None),
        Some(AttributeValue::N(v)) => v
            .parse()
            .map(Some)
            .map_err(|_| corrupt(item, name, "is not a number of the right kind")),
        Some(_) => Err(corrupt(item, name, "is not a number")),
    }
}

/// A required binary attribute.
pub fn get_b(item: &Item, name: &str) -> Result<Vec<u8>, StorageError> {
    match item.get(name) {
        Some(AttributeValue::B(v)) => Ok(v.clone().into_inner()),
        None => Err(corrupt(item, name, "is missing")),
        Some(_) => Err(corrupt(item, name, "is not binary")),
    }
}

/// A required boolean attribute.
pub fn get_bool(item: &Item, name: &str) -> Result<bool, StorageError> {
    match item.get(name) {
        Some(AttributeValue::Bool(v)) => Ok(*v),
        None => Err(corrupt(item, name, "is missing")),
        Some(_) => Err(corrupt(item, name, "is not a boolean")),
    }
}

/// A serde enum stored as its string spelling.
pub fn get_enum<T: serde::de::DeserializeOwned>(
    item: &Item,
    name: &str,
) -> Result<T, StorageError> {
    let text = get_s(item, name)?;
    serde_json::from_value(serde_json::Value::String(text.clone()))
        .map_err(|_| corrupt(item, name, &format!("has an unknown value {text:?}")))
}

/// A millisecond time as a sortable key part (negative times sort as 0).
pub fn time_key(ms: i64) -> String {
    format!("{:020}", ms.max(0))
}

/// A strictly increasing number per process (Unix nanoseconds, bumped on ties): records
/// written in one process sort in the order they were written, across processes by time.
pub fn insertion_order() -> String {
    static LAST: AtomicU64 = AtomicU64::new(0);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut prev = LAST.load(Ordering::Relaxed);
    loop {
        let next = now.max(prev + 1);
        match LAST.compare_exchange_weak(prev, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return format!("{next:020}"),
            Err(actual) => prev = actual,
        }
    }
}

/// The UTC calendar day (`YYYY-MM-DD`) of a Unix-ms time.
pub fn utc_day(ms: i64) -> String {
    // Howard Hinnant's days-to-civil algorithm.
    let days = ms.div_euclid(86_400_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_utc_calendar_days() {
        assert_eq!(utc_day(0), "1970-01-01");
        assert_eq!(utc_day(1_700_000_000_000), "2023-11-14");
        assert_eq!(utc_day(951_782_400_000), "2000-02-29");
        assert_eq!(utc_day(-1), "1969-12-31");
    }

    #[test]
    fn insertion_order_strictly_increases_and_sorts_as_text() {
        let a = insertion_order();
        let b = insertion_order();
        assert!(b > a, "{a} < {b}");
        assert_eq!(a.len(), 20);
    }

    #[test]
    fn time_keys_sort_like_numbers() {
        assert!(time_key(999) < time_key(1_000));
        assert_eq!(time_key(-5), time_key(0));
    }
}
