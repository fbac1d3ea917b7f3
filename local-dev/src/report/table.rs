//! A sheet as plain data: named columns with a width and a kind, and rows of cells. The same
//! table is written to xlsx and to CSV.

/// How a column's numbers are shown in Excel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// Whole numbers (ms, counts).
    Integer,
    /// Decimals with 3 places.
    Decimal,
    /// Ratios shown as percentages (WER, CER, agreement).
    Percent,
    /// US dollars, 4 places.
    Money,
}

/// One column: header, width in characters, kind.
#[derive(Debug, Clone)]
pub struct Column {
    pub header: String,
    pub width: f64,
    pub kind: Kind,
}

/// Shorthand for a [`Column`].
pub fn col(header: impl Into<String>, width: f64, kind: Kind) -> Column {
    Column {
        header: header.into(),
        width,
        kind,
    }
}

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}
impl From<f64> for Cell {
    fn from(n: f64) -> Cell {
        if n.is_finite() {
            Cell::Number(n)
        } else {
            Cell::Empty
        }
    }
}
impl From<u64> for Cell {
    fn from(n: u64) -> Cell {
        Cell::Number(n as f64)
    }
}
impl From<usize> for Cell {
    fn from(n: usize) -> Cell {
        Cell::Number(n as f64)
    }
}
impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Cell {
        v.map_or(Cell::Empty, Into::into)
    }
}

/// A named sheet, optionally with a chart of some of its columns per row.
#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    pub chart: Option<ChartSpec>,
}

/// A column chart: categories from one column, one series per listed column; series marked
/// secondary are drawn as a line on a second axis (e.g. latency beside WER).
#[derive(Debug, Clone)]
pub struct ChartSpec {
    pub title: String,
    pub category_column: usize,
    /// `(column, on the secondary axis)`.
    pub series: Vec<(usize, bool)>,
}

impl Table {
    /// The index of the column named `header`.
    pub fn column(&self, header: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.header == header)
    }
}
