//! URLs of the admin API: the route paths and the [`HistoryQuery`] as a query string (built from
//! the core type's own serde, so a new filter needs no change here).

use balto_core::admin::{API_PREFIX, HistoryQuery};

/// Percent-encodes a query component (RFC 3986 unreserved characters stay as they are).
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `key=value&...` of the filters that are set (blank text filters are left out), without `?`.
pub fn query_string(query: &HistoryQuery) -> String {
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(query) else {
        return String::new();
    };
    map.iter()
        .filter_map(|(key, value)| {
            let text = match value {
                serde_json::Value::String(s) => s.trim().to_string(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                _ => return None,
            };
            (!text.is_empty()).then(|| format!("{key}={}", encode_component(&text)))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// `/api/admin{path}` plus `?query` when any filter is set.
pub fn api_url(path: &str, query: Option<&HistoryQuery>) -> String {
    let qs = query.map(query_string).unwrap_or_default();
    if qs.is_empty() {
        format!("{API_PREFIX}{path}")
    } else {
        format!("{API_PREFIX}{path}?{qs}")
    }
}

/// The filters without paging (exports take every matching row).
pub fn without_paging(query: &HistoryQuery) -> HistoryQuery {
    HistoryQuery {
        page: None,
        page_size: None,
        ..query.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use balto_core::admin::ReviewFilter;
    use balto_core::advice::{Category, Decision};

    #[test]
    fn empty_filters_give_a_bare_path() {
        assert_eq!(
            api_url("/sessions", Some(&HistoryQuery::default())),
            "/api/admin/sessions"
        );
        assert_eq!(api_url("/keys", None), "/api/admin/keys");
    }

    #[test]
    fn filters_are_encoded_in_their_wire_spelling() {
        let q = HistoryQuery {
            store: Some("Loja 1".into()),
            q: Some("dor de cabeça & febre".into()),
            decision: Some(Decision::Recomendar),
            category: Some(Category::DorFebre),
            review: Some(ReviewFilter::Unreviewed),
            from_ms: Some(1_700_000_000_000),
            counter: Some("   ".into()),
            page: Some(2),
            ..HistoryQuery::default()
        };
        let qs = query_string(&q);
        for part in [
            "store=Loja%201",
            "q=dor%20de%20cabe%C3%A7a%20%26%20febre",
            "decision=recomendar",
            "category=dor_febre",
            "review=unreviewed",
            "from_ms=1700000000000",
            "page=2",
        ] {
            assert!(qs.split('&').any(|p| p == part), "{part} missing in {qs}");
        }
        assert!(!qs.contains("counter"), "blank filters are left out: {qs}");
        assert!(!query_string(&without_paging(&q)).contains("page"));
    }
}
