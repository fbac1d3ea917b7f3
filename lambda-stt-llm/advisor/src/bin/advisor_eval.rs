//! `advisor-eval`: the rules advisor (with the red-flag screen) scored on both halves of the
//! generated grid, as tables a reviewer can rerun.
//!
//! ```text
//! cargo run -p balto-advisor --bin advisor-eval -- [--grid DIR] [--seed N] [--variants N]
//!                                                  [--failures] [--only LABEL] [--file NAME]
//!                                                  [--tuning-only]
//! ```
//! The tuning half is scored as a whole and per source file (`tuning` … `tuning8`).
//! `--failures` lists the tuning half's failing windows (the half rules may be changed on;
//! `--file` keeps one source file's, `--only` one expected label's);
//! the held-out half's failures are never printed, only its figures. `--tuning-only` skips the
//! held-out half (for work on the rules). `--say TEXT` (repeatable: one segment each) shows the
//! decision on one window, why, and the words as the advisor reads them.

use std::path::PathBuf;
use std::process::ExitCode;

use balto_advisor::advisor_eval::{
    Expected, GridConfig, Grids, Scores, TUNING_FILES, judge_rules, score,
};
use balto_advisor::rules::RulesAdvisor;

struct Args {
    grid: PathBuf,
    config: GridConfig,
    failures: bool,
    only: Option<String>,
    file: Option<String>,
    tuning_only: bool,
    say: Vec<String>,
}

fn usage() -> &'static str {
    "usage: advisor-eval [--grid DIR] [--seed N] [--variants N] [--failures] [--only LABEL] [--file NAME] [--tuning-only] [--say TEXT]..."
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        grid: balto_advisor::advisor_eval::grid_data::default_dir(),
        config: GridConfig::default(),
        failures: false,
        only: None,
        file: None,
        tuning_only: false,
        say: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--grid" => args.grid = PathBuf::from(value("--grid")?),
            "--seed" => {
                args.config.seed = value("--seed")?
                    .parse()
                    .map_err(|_| "--seed is a whole number".to_owned())?;
            }
            "--variants" => {
                args.config.variants = value("--variants")?
                    .parse::<usize>()
                    .map_err(|_| "--variants is a whole number".to_owned())?
                    .max(1);
            }
            "--failures" => args.failures = true,
            "--tuning-only" => args.tuning_only = true,
            "--say" => args.say.push(value("--say")?),
            "--only" => args.only = Some(value("--only")?),
            "--file" => args.file = Some(value("--file")?),
            "-h" | "--help" => return Err(usage().to_owned()),
            other => return Err(format!("unknown argument {other:?}\n{}", usage())),
        }
    }
    Ok(args)
}

fn describe(e: &Expected) -> String {
    match e {
        Expected::Category(c) => format!("recomendar {}", c.as_str()),
        Expected::RedFlag(k) => format!("intervenção ({k})"),
        Expected::Nothing => "nenhuma".to_owned(),
    }
}

fn print_failures(s: &Scores, only: Option<&str>, file: Option<&str>) {
    println!("-- falhas da metade de ajuste ({})", s.failures.len());
    for f in &s.failures {
        if only.is_some_and(|o| f.case.expected.label() != o)
            || file.is_some_and(|n| f.case.source != n)
        {
            continue;
        }
        let got = &f.got.advice;
        println!(
            "{} ({}) [{}] esperado {}, obtido {} {} {}{}\n    {}\n    ({})",
            f.case.id,
            f.case.source,
            f.case.layout.label(),
            describe(&f.case.expected),
            got.decision.as_str(),
            got.category.map(|c| c.as_str()).unwrap_or("-"),
            got.product.as_deref().unwrap_or(""),
            f.got
                .alerta
                .as_deref()
                .map(|a| format!(" (alerta {a})"))
                .unwrap_or_default(),
            f.case.utterances.join(" ‖ "),
            got.explanation
        );
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if !args.say.is_empty() {
        // One window of the given segments: the decision, why, and the words as read.
        let advisor = RulesAdvisor::with_embedded_catalog();
        let conversation =
            balto_core::advice::Conversation::spaced(args.say.iter().cloned(), 4_000);
        for t in &args.say {
            println!("lido: {}", balto_advisor::spoken::read_words(t).join(" "));
        }
        let e = advisor.decide_explained(&conversation);
        println!(
            "{} {} {} | alerta {:?} | palavras {:?}\n{}",
            e.advice.decision.as_str(),
            e.advice.category.map(|c| c.as_str()).unwrap_or("-"),
            e.advice.product.as_deref().unwrap_or(""),
            e.alerta,
            e.palavras,
            e.advice.explanation
        );
        return ExitCode::SUCCESS;
    }
    let grids = match Grids::load(&args.grid, &args.config) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("advisor-eval: {e}");
            return ExitCode::FAILURE;
        }
    };
    let advisor = RulesAdvisor::with_embedded_catalog();
    let judge = |c: &balto_core::advice::Conversation| judge_rules(&advisor, c);
    println!(
        "Grade do assistente (regras + triagem), semente {}, {} variantes por frase.\n\
         Ajuste: regra de regressão (as regras foram mudadas olhando estas falhas). \
         Reservada: a medida (nunca olhada frase a frase).\n",
        args.config.seed, args.config.variants
    );
    let all = format!(
        "ajuste ({} … {})",
        TUNING_FILES[0],
        TUNING_FILES[TUNING_FILES.len() - 1]
    );
    let tuning = score(&all, &grids.tuning, judge);
    println!("{}", tuning.table());
    for name in TUNING_FILES {
        let part = score(
            &format!("ajuste: {name}.json"),
            &grids.tuning_file(name),
            judge,
        );
        println!("{}", part.table());
    }
    if !args.tuning_only {
        let heldout = score("reservada (heldout)", &grids.heldout, judge);
        println!("{}", heldout.table());
    }
    if args.failures {
        print_failures(&tuning, args.only.as_deref(), args.file.as_deref());
    }
    ExitCode::SUCCESS
}
