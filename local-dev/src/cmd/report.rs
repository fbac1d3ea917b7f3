//! `balto report INPUT_DIR --out OUT_DIR [--providers …] [--csv]`: the comparison workbooks
//! (`Relatorio_Originais.xlsx`, `Relatorio_Segmentos.xlsx`), see `balto_local::report`.

use anyhow::{Context, Result};
use balto_core::text::NormalizeOptions;
use balto_local::config::Config;
use balto_local::report::{self, ReportInput, engines, sheets, workbook};
use balto_providers::ProviderConfig;
use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;

pub async fn run(
    config: &Config,
    input_dir: &Path,
    out: &Path,
    providers: &str,
    csv: bool,
) -> Result<()> {
    let started = Instant::now();
    let names = engines::parse_list(providers)?;
    anyhow::ensure!(!names.is_empty(), "--providers lists no provider");
    let provider_config = ProviderConfig::from_process_env()?;
    let engines = engines::build(&names, &provider_config, config);
    for e in &engines {
        match &e.engine {
            Ok(t) => tracing::info!(provider = %e.name, engine = t.name(), "report provider"),
            Err(reason) => {
                tracing::warn!(provider = %e.name, %reason, "report provider unavailable")
            }
        }
    }
    let advisor = super::serve::advisor(config, &provider_config)?;
    let input = ReportInput {
        input_dir: input_dir.to_path_buf(),
        engines,
        advisor: Some(advisor),
        front_end: balto_local::front_end::config(config.vad_energy_threshold),
        normalize: NormalizeOptions::default(),
    };
    let progress = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}",
        ) {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let report = report::run(&input, &progress).await?;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;

    let originals = [
        sheets::originals(&report),
        sheets::originals_summary(&report),
    ];
    let segments = [
        sheets::segments(&report),
        sheets::comparison(&report),
        sheets::segments_summary(&report),
    ];
    let originals_path = out.join(workbook::ORIGINALS_FILE);
    let segments_path = out.join(workbook::SEGMENTS_FILE);
    workbook::write(&originals_path, &originals)?;
    workbook::write(&segments_path, &segments)?;
    println!("{}", originals_path.display());
    println!("{}", segments_path.display());
    if csv {
        for (file, table) in [
            ("Relatorio_Originais.csv", &originals[0]),
            ("Relatorio_Originais_Resumo.csv", &originals[1]),
            ("Relatorio_Segmentos.csv", &segments[0]),
            ("Relatorio_Segmentos_Comparacao.csv", &segments[1]),
            ("Relatorio_Segmentos_Resumo.csv", &segments[2]),
        ] {
            let path = out.join(file);
            report::csv::write(&path, table)?;
            println!("{}", path.display());
        }
    }
    for (file, reason) in &report.skipped {
        eprintln!("skipped {file}: {reason}");
    }
    eprintln!(
        "{} file(s), {} segment(s), {} provider(s), advisor {}: {:.1} s",
        report.files.len() / report.providers.len().max(1),
        report.comparisons.len(),
        report.providers.len(),
        report.advisor.as_deref().unwrap_or("-"),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
