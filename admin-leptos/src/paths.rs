//! Client-side routes of the app (all under `/admin/`, where local-dev serves it).

pub const LIVE: &str = "/admin/";
pub const HISTORY: &str = "/admin/historico";
pub const REVIEW: &str = "/admin/revisao";
pub const COMPARISON: &str = "/admin/comparacao";
pub const KEYS: &str = "/admin/balcoes";
pub const EXPORT: &str = "/admin/exportar";

/// Page of one session.
pub fn session(id: &str) -> String {
    format!(
        "/admin/historico/sessao/{}",
        crate::query::encode_component(id)
    )
}

/// Page of one segment (detail and review).
pub fn segment(id: &str) -> String {
    format!("/admin/segmento/{}", crate::query::encode_component(id))
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_escaped_in_paths() {
        assert_eq!(super::segment("a/b"), "/admin/segmento/a%2Fb");
        assert_eq!(super::session("s1"), "/admin/historico/sessao/s1");
    }
}
