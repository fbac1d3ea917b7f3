//! The advisor test set (`tests/data/advisor_cases.json`) run against the offline rules
//! advisor: ≥ 90 % correct category, every red flag caught as an intervention, no offer on
//! small talk, no caution violated, never the last product again, only catalog products.

use std::collections::BTreeMap;

use balto_advisor::catalog::name_key;
use balto_advisor::rules::RulesAdvisor;
use balto_core::advice::{Conversation, Decision, INTERVENTION_PREFIX, Utterance};
use balto_core::advisor::Advisor;
use balto_core::text::{NormalizeOptions, normalize};
use serde::Deserialize;

const CASES: &str = include_str!("data/advisor_cases.json");

#[derive(Debug, Deserialize)]
struct CaseFile {
    casos: Vec<Case>,
}

#[derive(Debug, Deserialize)]
struct Case {
    id: String,
    grupo: String,
    falas: Vec<String>,
    decisao: Decision,
    categoria: Option<String>,
    #[serde(default)]
    proibido: Vec<String>,
    #[serde(default)]
    ultimo_produto: Option<String>,
}

fn norm(s: &str) -> String {
    normalize(s, NormalizeOptions::default())
}

#[tokio::test]
async fn rules_advisor_passes_the_advisor_test_set() {
    let file: CaseFile = serde_json::from_str(CASES).expect("advisor_cases.json parses");
    let advisor = RulesAdvisor::with_embedded_catalog();
    assert_eq!(advisor.name(), "regras");

    let cases = &file.casos;
    assert!(cases.len() >= 70, "only {} cases", cases.len());
    let red_flags = cases
        .iter()
        .filter(|c| c.decisao == Decision::Intervencao)
        .count();
    let small_talk = cases.iter().filter(|c| c.grupo == "conversa").count();
    assert!(red_flags >= 10, "only {red_flags} red-flag cases");
    assert!(small_talk >= 10, "only {small_talk} small-talk cases");

    // expected category → (cases, correct)
    let mut table: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut correct = 0usize;
    let mut failures: Vec<String> = Vec::new();
    let mut hard_failures: Vec<String> = Vec::new();
    let mut flags_caught = 0usize;

    for case in cases {
        let conversation = Conversation {
            utterances: case
                .falas
                .iter()
                .enumerate()
                .map(|(i, t)| Utterance {
                    at_ms: i as u64 * 4_000,
                    text: t.clone(),
                })
                .collect(),
            last_product: case.ultimo_produto.clone(),
        };
        let advice = advisor
            .advise(&conversation)
            .await
            .expect("rules never fail");
        let got_category = advice.category.map(|c| c.as_str().to_owned());
        let expected_key = case
            .categoria
            .clone()
            .unwrap_or_else(|| "(nenhuma)".to_owned());
        let ok = advice.decision == case.decisao && got_category == case.categoria;
        let row = table.entry(expected_key).or_default();
        row.0 += 1;
        if ok {
            row.1 += 1;
            correct += 1;
        } else {
            failures.push(format!(
                "{}: esperado {:?}/{:?}, obtido {:?}/{:?} ({:?}) — {}",
                case.id,
                case.decisao,
                case.categoria,
                advice.decision,
                got_category,
                advice.product,
                advice.explanation
            ));
        }

        // Hard rules, case by case.
        if case.decisao == Decision::Intervencao {
            let pushed = advice.product.as_deref().unwrap_or("");
            if advice.decision == Decision::Intervencao && pushed.starts_with(INTERVENTION_PREFIX) {
                flags_caught += 1;
            } else {
                hard_failures.push(format!("{}: red flag missed: {advice:?}", case.id));
            }
        }
        if case.grupo == "conversa" && advice.decision != Decision::Nenhuma {
            hard_failures.push(format!("{}: offered on small talk: {advice:?}", case.id));
        }
        if let Some(pushed) = advice.pushed_product() {
            if let Some(last) = &case.ultimo_produto
                && name_key(last) == name_key(pushed)
            {
                hard_failures.push(format!("{}: repeated last product {pushed}", case.id));
            }
            if advice.decision == Decision::Recomendar {
                match advisor.catalog().get(pushed) {
                    None => hard_failures.push(format!("{}: not in catalog: {pushed}", case.id)),
                    Some(p) => {
                        let hay = format!("{} {}", norm(&p.nome), norm(&p.principio_ativo));
                        for forbidden in &case.proibido {
                            if hay.contains(&norm(forbidden)) {
                                hard_failures.push(format!(
                                    "{}: caution violated: {pushed} contains {forbidden}",
                                    case.id
                                ));
                            }
                        }
                    }
                }
            } else if !pushed.starts_with(INTERVENTION_PREFIX) {
                hard_failures.push(format!("{}: intervention without prefix", case.id));
            }
        }
    }

    println!(
        "\n{:<24} {:>6} {:>8} {:>7}",
        "categoria", "casos", "certos", "%"
    );
    for (cat, (n, ok)) in &table {
        println!(
            "{:<24} {:>6} {:>8} {:>6.1}%",
            cat,
            n,
            ok,
            100.0 * *ok as f64 / *n as f64
        );
    }
    let accuracy = correct as f64 / cases.len() as f64;
    println!(
        "{:<24} {:>6} {:>8} {:>6.1}%",
        "TOTAL",
        cases.len(),
        correct,
        100.0 * accuracy
    );
    println!("alertas detectados: {flags_caught}/{red_flags}");
    for f in &failures {
        println!("ERRO {f}");
    }

    assert!(hard_failures.is_empty(), "{hard_failures:#?}");
    assert!(
        accuracy >= 0.90,
        "category accuracy {:.1}% < 90%: {failures:#?}",
        accuracy * 100.0
    );
}

#[tokio::test]
async fn every_case_is_deterministic() {
    let file: CaseFile = serde_json::from_str(CASES).expect("advisor_cases.json parses");
    let advisor = RulesAdvisor::with_embedded_catalog();
    for case in &file.casos {
        let conversation = Conversation {
            utterances: case
                .falas
                .iter()
                .map(|t| Utterance {
                    at_ms: 0,
                    text: t.clone(),
                })
                .collect(),
            last_product: case.ultimo_produto.clone(),
        };
        let a = advisor.advise(&conversation).await.expect("ok");
        let b = advisor.advise(&conversation).await.expect("ok");
        assert_eq!(a, b, "{}", case.id);
    }
}
