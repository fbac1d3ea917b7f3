//! Writes a [`Table`] as CSV (RFC 4180: comma-separated, quoted when needed, numbers in plain
//! decimal notation, UTF-8 with a BOM so spreadsheet programs read the accents).

use super::ReportError;
use super::table::{Cell, Table};
use std::path::Path;

fn field(out: &mut String, text: &str) {
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

/// The CSV text of `table`.
pub fn render(table: &Table) -> String {
    let mut out = String::from("\u{feff}");
    for (i, c) in table.columns.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(&mut out, &c.header);
    }
    out.push_str("\r\n");
    for row in &table.rows {
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            match cell {
                Cell::Text(t) => field(&mut out, t),
                Cell::Number(n) => out.push_str(&n.to_string()),
                Cell::Empty => {}
            }
        }
        out.push_str("\r\n");
    }
    out
}

/// Writes `table` to `path`.
pub fn write(path: &Path, table: &Table) -> Result<(), ReportError> {
    std::fs::write(path, render(table)).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::table::{Kind, col};

    #[test]
    fn quotes_only_when_needed() {
        let table = Table {
            name: "t".into(),
            columns: vec![col("a", 1.0, Kind::Text), col("b", 1.0, Kind::Decimal)],
            rows: vec![
                vec![Cell::Text("dor, febre".into()), Cell::Number(0.25)],
                vec![Cell::Text("diz \"oi\"".into()), Cell::Empty],
            ],
            chart: None,
        };
        assert_eq!(
            render(&table),
            "\u{feff}a,b\r\n\"dor, febre\",0.25\r\n\"diz \"\"oi\"\"\",\r\n"
        );
    }
}
