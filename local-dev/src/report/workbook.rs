//! Writes [`Table`]s as an xlsx workbook with `rust_xlsxwriter`: bold header row, frozen,
//! autofilter over the data, column widths, numbers as numbers (with a display format per
//! column kind) and, for tables that ask for one, a column chart with an optional line series on
//! a secondary axis.

use super::ReportError;
use super::table::{Cell, Kind, Table};
use rust_xlsxwriter::{Chart, ChartType, Format, Workbook, Worksheet};
use std::path::Path;

/// File names of the two workbooks.
pub const ORIGINALS_FILE: &str = "Relatorio_Originais.xlsx";
pub const SEGMENTS_FILE: &str = "Relatorio_Segmentos.xlsx";

fn number_format(kind: Kind) -> Option<Format> {
    match kind {
        Kind::Text => None,
        Kind::Integer => Some(Format::new().set_num_format("0")),
        Kind::Decimal => Some(Format::new().set_num_format("0.000")),
        Kind::Percent => Some(Format::new().set_num_format("0.0%")),
        Kind::Money => Some(Format::new().set_num_format("$0.0000")),
    }
}

fn write_table(sheet: &mut Worksheet, table: &Table) -> Result<(), ReportError> {
    sheet.set_name(&table.name)?;
    let header = Format::new().set_bold();
    let formats: Vec<Option<Format>> = table
        .columns
        .iter()
        .map(|c| number_format(c.kind))
        .collect();
    for (c, column) in table.columns.iter().enumerate() {
        let c = c as u16;
        sheet.write_string_with_format(0, c, &column.header, &header)?;
        sheet.set_column_width(c, column.width)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            match cell {
                Cell::Text(t) => {
                    sheet.write_string(r, col, t)?;
                }
                Cell::Number(n) => match formats.get(c).and_then(Option::as_ref) {
                    Some(f) => {
                        sheet.write_number_with_format(r, col, *n, f)?;
                    }
                    None => {
                        sheet.write_number(r, col, *n)?;
                    }
                },
                Cell::Empty => {}
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    let last_col = table.columns.len().saturating_sub(1) as u16;
    sheet.autofilter(0, 0, table.rows.len() as u32, last_col)?;
    if let Some(spec) = &table.chart
        && !table.rows.is_empty()
    {
        let last_row = table.rows.len() as u32;
        let categories = (
            table.name.as_str(),
            1,
            spec.category_column as u16,
            last_row,
            spec.category_column as u16,
        );
        let mut primary = Chart::new(ChartType::Column);
        primary.title().set_name(&spec.title);
        let mut secondary: Option<Chart> = None;
        for &(column, on_secondary) in &spec.series {
            let name = (table.name.as_str(), 0, column as u16);
            let values = (
                table.name.as_str(),
                1,
                column as u16,
                last_row,
                column as u16,
            );
            if on_secondary {
                let line = secondary.get_or_insert_with(|| Chart::new(ChartType::Line));
                line.add_series()
                    .set_name(name)
                    .set_categories(categories)
                    .set_values(values)
                    .set_secondary_axis(true);
                if let Some(header) = table.columns.get(column) {
                    line.y2_axis().set_name(header.header.as_str());
                }
            } else {
                primary
                    .add_series()
                    .set_name(name)
                    .set_categories(categories)
                    .set_values(values);
                if let Some(header) = table.columns.get(column) {
                    primary.y_axis().set_name(header.header.as_str());
                }
            }
        }
        if let Some(line) = &secondary {
            primary.combine(line);
        }
        primary.set_width(720).set_height(360);
        sheet.insert_chart(last_row + 3, 0, &primary)?;
    }
    Ok(())
}

/// Writes `tables` (one sheet each, in order) to `path`.
pub fn write(path: &Path, tables: &[Table]) -> Result<(), ReportError> {
    let mut workbook = Workbook::new();
    for table in tables {
        let sheet = workbook.add_worksheet();
        write_table(sheet, table)?;
    }
    workbook.save(path)?;
    Ok(())
}
