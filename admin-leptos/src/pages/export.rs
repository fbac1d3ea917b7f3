//! *Exportar*: CSV / XLSX exports of the history with the current filters, and the database
//! backup. Plain links: the browser downloads with the session cookie.

use crate::pages::filters::FilterForm;
use crate::pages::filters::use_filters;
use crate::query::{api_url, query_string, without_paging};
use leptos::prelude::*;

/// (test id, label, API path).
const EXPORTS: [(&str, &str, &str); 4] = [
    (
        "export-segments-csv",
        "Segmentos (CSV)",
        "/export/segments.csv",
    ),
    (
        "export-segments-xlsx",
        "Segmentos (Excel)",
        "/export/segments.xlsx",
    ),
    (
        "export-sessions-csv",
        "Sessões (CSV)",
        "/export/sessions.csv",
    ),
    (
        "export-sessions-xlsx",
        "Sessões (Excel)",
        "/export/sessions.xlsx",
    ),
];

#[component]
pub fn ExportPage() -> impl IntoView {
    let filters = use_filters();
    let links = EXPORTS
        .into_iter()
        .map(|(testid, label, path)| {
            let href = move || api_url(path, Some(&without_paging(&filters.get())));
            view! { <a class="button" data-testid=testid href=href download>{label}</a> }
        })
        .collect_view();
    let summary = move || {
        let qs = query_string(&without_paging(&filters.get()));
        if qs.is_empty() {
            "Sem filtros: todas as linhas (até 100.000).".to_string()
        } else {
            "Com os filtros acima (até 100.000 linhas).".to_string()
        }
    };
    view! {
        <h1>"Exportar"</h1>
        <FilterForm />
        <section class="card">
            <h2>"Histórico"</h2>
            <p class="small" data-testid="export-summary">{summary}</p>
            <div class="actions">{links}</div>
        </section>
        <section class="card">
            <h2>"Cópia de segurança"</h2>
            <p class="small">"Uma cópia consistente do banco de dados (SQLite) deste servidor."</p>
            <div class="actions">
                <a class="button secondary" data-testid="export-backup" href=api_url("/backup", None) download="balto-backup.db">
                    "Baixar cópia de segurança"
                </a>
            </div>
        </section>
    }
}
