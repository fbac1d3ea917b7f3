//! Turns a [`Report`] into the sheets of the two workbooks: *Originais* + *Resumo*, and
//! *Segmentos* + *Comparação* + *Resumo*. Column names are Portuguese (the admins read them).

use super::runner::{Call, Report};
use super::table::{Cell, ChartSpec, Column, Kind, Table, col};

/// Sheet names.
pub const SHEET_ORIGINALS: &str = "Originais";
pub const SHEET_SEGMENTS: &str = "Segmentos";
pub const SHEET_COMPARISON: &str = "Comparação";
pub const SHEET_SUMMARY: &str = "Resumo";

/// The error column's header, in every detail sheet.
pub const ERROR_COLUMN: &str = "erro";

fn advice_columns() -> Vec<Column> {
    vec![
        col("decisao", 12.0, Kind::Text),
        col("categoria", 16.0, Kind::Text),
        col("produto", 28.0, Kind::Text),
        col("confianca", 10.0, Kind::Text),
    ]
}

fn advice_cells(call: &Call) -> Vec<Cell> {
    match &call.advice {
        None => vec![Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty],
        Some(Err(e)) => vec![
            format!("erro do assessor: {e}").into(),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
        ],
        Some(Ok(a)) => vec![
            a.decision.as_str().into(),
            a.category.map(|c| c.as_str()).into(),
            a.product.clone().into(),
            a.confidence.as_str().into(),
        ],
    }
}

fn seconds(ms: u64) -> f64 {
    ms as f64 / 1000.0
}

fn rtf(call: &Call, duration_ms: u64) -> Option<f64> {
    call.latency_ms
        .filter(|_| call.error.is_none() && duration_ms > 0)
        .map(|l| l as f64 / duration_ms as f64)
}

fn cost(call: &Call, duration_ms: u64, price_per_min: f64) -> Option<f64> {
    call.error
        .is_none()
        .then(|| duration_ms as f64 / 60_000.0 * price_per_min)
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// *Originais*: one row per file × provider.
pub fn originals(report: &Report) -> Table {
    let mut columns = vec![
        col("arquivo", 24.0, Kind::Text),
        col("provedor", 12.0, Kind::Text),
        col("duracao_s", 10.0, Kind::Decimal),
        col("latencia_ms", 11.0, Kind::Integer),
        col("fator_tempo_real", 15.0, Kind::Decimal),
        col("custo_usd", 10.0, Kind::Money),
        col("transcricao", 60.0, Kind::Text),
        col("referencia", 60.0, Kind::Text),
        col("wer", 8.0, Kind::Percent),
        col("cer", 8.0, Kind::Percent),
        col("palavras_referencia", 10.0, Kind::Integer),
        col("erros_palavras", 10.0, Kind::Integer),
    ];
    columns.extend(advice_columns());
    columns.push(col(ERROR_COLUMN, 40.0, Kind::Text));
    let rows = report
        .files
        .iter()
        .map(|r| {
            let mut row: Vec<Cell> = vec![
                r.file.clone().into(),
                r.provider.clone().into(),
                seconds(r.duration_ms).into(),
                r.call.latency_ms.into(),
                rtf(&r.call, r.duration_ms).into(),
                cost(&r.call, r.duration_ms, r.price_usd_per_min).into(),
                r.call.text.clone().into(),
                r.reference.clone().into(),
                r.wer.map(|w| w.rate).into(),
                r.cer.map(|c| c.rate).into(),
                r.wer.map(|w| w.reference_len).into(),
                r.wer.map(|w| w.edits).into(),
            ];
            row.extend(advice_cells(&r.call));
            row.push(r.call.error.clone().into());
            row
        })
        .collect();
    Table {
        name: SHEET_ORIGINALS.to_string(),
        columns,
        rows,
        chart: None,
    }
}

/// *Resumo* of the whole files: per provider, mean WER/CER (files with a reference), mean
/// latency and real-time factor, total audio and cost; a chart of WER and latency.
pub fn originals_summary(report: &Report) -> Table {
    let columns = vec![
        col("provedor", 12.0, Kind::Text),
        col("arquivos", 9.0, Kind::Integer),
        col("falhas", 8.0, Kind::Integer),
        col("wer_medio", 10.0, Kind::Percent),
        col("cer_medio", 10.0, Kind::Percent),
        col("latencia_media_ms", 16.0, Kind::Integer),
        col("fator_tempo_real_medio", 20.0, Kind::Decimal),
        col("audio_total_s", 13.0, Kind::Decimal),
        col("custo_total_usd", 14.0, Kind::Money),
    ];
    let rows = report
        .providers
        .iter()
        .map(|p| {
            let rows: Vec<_> = report.files.iter().filter(|r| &r.provider == p).collect();
            let ok: Vec<_> = rows.iter().filter(|r| r.call.error.is_none()).collect();
            vec![
                p.clone().into(),
                rows.len().into(),
                (rows.len() - ok.len()).into(),
                mean(ok.iter().filter_map(|r| r.wer.map(|w| w.rate))).into(),
                mean(ok.iter().filter_map(|r| r.cer.map(|c| c.rate))).into(),
                mean(
                    ok.iter()
                        .filter_map(|r| r.call.latency_ms.map(|l| l as f64)),
                )
                .into(),
                mean(ok.iter().filter_map(|r| rtf(&r.call, r.duration_ms))).into(),
                seconds(ok.iter().map(|r| r.duration_ms).sum()).into(),
                (!ok.is_empty())
                    .then(|| {
                        ok.iter()
                            .filter_map(|r| cost(&r.call, r.duration_ms, r.price_usd_per_min))
                            .sum::<f64>()
                    })
                    .into(),
            ]
        })
        .collect();
    Table {
        name: SHEET_SUMMARY.to_string(),
        columns,
        rows,
        chart: Some(ChartSpec {
            title: "WER médio e latência média por provedor".into(),
            category_column: 0,
            series: vec![(3, false), (5, true)],
        }),
    }
}

/// *Segmentos*: one row per segment × provider.
pub fn segments(report: &Report) -> Table {
    let mut columns = vec![
        col("arquivo", 24.0, Kind::Text),
        col("segmento", 9.0, Kind::Integer),
        col("inicio_ms", 10.0, Kind::Integer),
        col("fim_ms", 10.0, Kind::Integer),
        col("duracao_s", 10.0, Kind::Decimal),
        col("provedor", 12.0, Kind::Text),
        col("latencia_ms", 11.0, Kind::Integer),
        col("fator_tempo_real", 15.0, Kind::Decimal),
        col("custo_usd", 10.0, Kind::Money),
        col("transcricao", 60.0, Kind::Text),
        col("concordancia", 12.0, Kind::Percent),
    ];
    columns.extend(advice_columns());
    columns.push(col(ERROR_COLUMN, 40.0, Kind::Text));
    let rows = report
        .segments
        .iter()
        .map(|r| {
            let duration = r.end_ms.saturating_sub(r.start_ms);
            let mut row: Vec<Cell> = vec![
                r.file.clone().into(),
                r.index.into(),
                r.start_ms.into(),
                r.end_ms.into(),
                seconds(duration).into(),
                r.provider.clone().into(),
                r.call.latency_ms.into(),
                rtf(&r.call, duration).into(),
                cost(&r.call, duration, r.price_usd_per_min).into(),
                r.call.text.clone().into(),
                r.agreement.into(),
            ];
            row.extend(advice_cells(&r.call));
            row.push(r.call.error.clone().into());
            row
        })
        .collect();
    Table {
        name: SHEET_SEGMENTS.to_string(),
        columns,
        rows,
        chart: None,
    }
}

/// *Comparação*: one row per segment, every provider's text side by side, then the agreement of
/// every provider pair.
pub fn comparison(report: &Report) -> Table {
    let mut columns = vec![
        col("arquivo", 24.0, Kind::Text),
        col("segmento", 9.0, Kind::Integer),
        col("inicio_ms", 10.0, Kind::Integer),
        col("fim_ms", 10.0, Kind::Integer),
    ];
    for p in &report.providers {
        columns.push(col(format!("texto_{p}"), 45.0, Kind::Text));
    }
    for &(a, b) in &report.pairs {
        columns.push(col(
            format!(
                "concordancia_{}_{}",
                report.providers[a], report.providers[b]
            ),
            24.0,
            Kind::Percent,
        ));
    }
    let rows = report
        .comparisons
        .iter()
        .map(|c| {
            let mut row: Vec<Cell> = vec![
                c.file.clone().into(),
                c.index.into(),
                c.start_ms.into(),
                c.end_ms.into(),
            ];
            row.extend(c.texts.iter().map(|t| t.clone().into()));
            row.extend(c.agreements.iter().map(|a| (*a).into()));
            row
        })
        .collect();
    Table {
        name: SHEET_COMPARISON.to_string(),
        columns,
        rows,
        chart: None,
    }
}

/// *Resumo* of the segments: per provider, segments, failures, mean agreement, mean latency
/// and real-time factor, total audio and cost; a chart of agreement and latency.
pub fn segments_summary(report: &Report) -> Table {
    let columns = vec![
        col("provedor", 12.0, Kind::Text),
        col("segmentos", 10.0, Kind::Integer),
        col("falhas", 8.0, Kind::Integer),
        col("concordancia_media", 18.0, Kind::Percent),
        col("latencia_media_ms", 16.0, Kind::Integer),
        col("fator_tempo_real_medio", 20.0, Kind::Decimal),
        col("audio_total_s", 13.0, Kind::Decimal),
        col("custo_total_usd", 14.0, Kind::Money),
    ];
    let rows = report
        .providers
        .iter()
        .map(|p| {
            let rows: Vec<_> = report
                .segments
                .iter()
                .filter(|r| &r.provider == p)
                .collect();
            let ok: Vec<_> = rows.iter().filter(|r| r.call.error.is_none()).collect();
            let duration = |r: &&&super::runner::SegmentRow| r.end_ms.saturating_sub(r.start_ms);
            vec![
                p.clone().into(),
                rows.len().into(),
                (rows.len() - ok.len()).into(),
                mean(ok.iter().filter_map(|r| r.agreement)).into(),
                mean(
                    ok.iter()
                        .filter_map(|r| r.call.latency_ms.map(|l| l as f64)),
                )
                .into(),
                mean(ok.iter().filter_map(|r| rtf(&r.call, duration(r)))).into(),
                seconds(ok.iter().map(duration).sum()).into(),
                (!ok.is_empty())
                    .then(|| {
                        ok.iter()
                            .filter_map(|r| cost(&r.call, duration(r), r.price_usd_per_min))
                            .sum::<f64>()
                    })
                    .into(),
            ]
        })
        .collect();
    Table {
        name: SHEET_SUMMARY.to_string(),
        columns,
        rows,
        chart: Some(ChartSpec {
            title: "Concordância média e latência média por provedor".into(),
            category_column: 0,
            series: vec![(3, false), (4, true)],
        }),
    }
}
