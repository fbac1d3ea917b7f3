//! CSV and XLSX renderings of the history views. Every text cell goes through
//! [`balto_core::admin::inert_cell`] so a spreadsheet never evaluates it as a formula.

use balto_core::admin::{SegmentRow, SessionSummary, inert_cell};
use rust_xlsxwriter::{Workbook, XlsxError};

/// One exported value.
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl From<Option<String>> for Cell {
    fn from(v: Option<String>) -> Cell {
        v.map(Cell::Text).unwrap_or(Cell::Empty)
    }
}

fn num<T: Into<f64>>(v: Option<T>) -> Cell {
    v.map(|n| Cell::Number(n.into())).unwrap_or(Cell::Empty)
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Unix milliseconds as `YYYY-MM-DDTHH:MM:SSZ` (UTC).
pub fn iso_utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Column headers of the segments export.
pub const SEGMENT_HEADERS: &[&str] = &[
    "segment_id",
    "session_id",
    "store",
    "counter",
    "created_at_utc",
    "start_ms",
    "duration_ms",
    "status",
    "attempts",
    "last_error",
    "provider",
    "transcript",
    "transcript_latency_ms",
    "advisor",
    "decision",
    "category",
    "product",
    "explanation",
    "confidence",
    "sent",
    "advisor_latency_ms",
    "transcript_correct",
    "corrected_text",
    "suggestion_verdict",
    "suggestion_note",
];

/// One segment as export cells, in [`SEGMENT_HEADERS`] order.
pub fn segment_cells(r: &SegmentRow) -> Vec<Cell> {
    let tr = r.transcript_review.as_ref();
    let sr = r.suggestion_review.as_ref();
    vec![
        text(&r.segment_id),
        text(&r.session_id),
        text(&r.store),
        text(&r.counter),
        text(&iso_utc(r.created_at_ms)),
        Cell::Number(r.start_ms as f64),
        Cell::Number(r.duration_ms as f64),
        text(r.status.as_str()),
        Cell::Number(f64::from(r.attempts)),
        r.last_error.clone().into(),
        r.provider.clone().into(),
        r.transcript.clone().into(),
        num(r.transcript_latency_ms.map(|v| v as f64)),
        r.advisor.clone().into(),
        r.decision.map(|d| d.as_str().to_string()).into(),
        r.category.map(|c| c.as_str().to_string()).into(),
        r.product.clone().into(),
        r.explanation.clone().into(),
        r.confidence.map(|c| c.as_str().to_string()).into(),
        r.sent
            .map(|s| (if s { "sim" } else { "não" }).to_string())
            .into(),
        num(r.advisor_latency_ms.map(|v| v as f64)),
        tr.map(|t| (if t.correct { "sim" } else { "não" }).to_string())
            .into(),
        tr.map(|t| t.corrected_text.clone()).into(),
        sr.map(|s| verdict(s.verdict).to_string()).into(),
        sr.and_then(|s| s.note.clone()).into(),
    ]
}

fn verdict(v: balto_core::records::SuggestionVerdict) -> &'static str {
    use balto_core::records::SuggestionVerdict::*;
    match v {
        Certa => "certa",
        Errada => "errada",
        Perigosa => "perigosa",
    }
}

/// Column headers of the sessions export.
pub const SESSION_HEADERS: &[&str] = &[
    "session_id",
    "key_id",
    "store",
    "counter",
    "started_at_utc",
    "ended_at_utc",
    "segments",
    "failed_segments",
    "suggestions_sent",
    "reviewed_segments",
];

/// One session as export cells, in [`SESSION_HEADERS`] order.
pub fn session_cells(s: &SessionSummary) -> Vec<Cell> {
    vec![
        text(&s.id),
        text(&s.key_id),
        text(&s.store),
        text(&s.counter),
        text(&iso_utc(s.started_at_ms)),
        s.ended_at_ms.map(iso_utc).into(),
        Cell::Number(s.segments as f64),
        Cell::Number(s.failed_segments as f64),
        Cell::Number(s.suggestions_sent as f64),
        Cell::Number(s.reviewed_segments as f64),
    ]
}

fn csv_field(out: &mut String, value: &str) {
    out.push('"');
    out.push_str(&value.replace('"', "\"\""));
    out.push('"');
}

/// RFC 4180 CSV (CRLF line ends, every field quoted) with a UTF-8 BOM so spreadsheet programs
/// read accents correctly.
pub fn csv(headers: &[&str], rows: &[Vec<Cell>]) -> String {
    let mut out = String::from("\u{feff}");
    for (i, h) in headers.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(&mut out, h);
    }
    out.push_str("\r\n");
    for row in rows {
        for (i, c) in row.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            match c {
                Cell::Text(t) => csv_field(&mut out, &inert_cell(t)),
                Cell::Number(n) => out.push_str(&n.to_string()),
                Cell::Empty => {}
            }
        }
        out.push_str("\r\n");
    }
    out
}

/// An XLSX workbook with one sheet named `sheet`; text cells are written as strings (never
/// formulas) and made inert as in CSV.
pub fn xlsx(sheet: &str, headers: &[&str], rows: &[Vec<Cell>]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet)?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = (r + 1) as u32;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(t) => {
                    ws.write_string(r, c, inert_cell(t).as_ref())?;
                }
                Cell::Number(n) => {
                    ws.write_number(r, c, *n)?;
                }
                Cell::Empty => {}
            }
        }
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(1_700_000_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(iso_utc(951_782_400_000), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn csv_quotes_and_neutralizes_formulas() {
        let out = csv(
            &["a", "b"],
            &[vec![text("=HYPERLINK(\"x\")"), Cell::Number(2.0)]],
        );
        assert_eq!(
            out,
            "\u{feff}\"a\",\"b\"\r\n\"'=HYPERLINK(\"\"x\"\")\",2\r\n"
        );
    }
}
