//! `balto advise "texto"`: the configured advisor's decision on one transcript, and why.
//!
//! `--json` prints the advice's five fields (`decisao`, `categoria`, `produto`, `explicacao`,
//! `confianca`, exactly as before) plus fields that say why: `alerta` (the red flag's id, or
//! null), `palavras` (the words that decided, as said: the red flag's, or the complaint's when the
//! offline rules answered) and `assistente` (who answered: `triagem` for the red-flag screen,
//! else the provider of the chain that did).

use anyhow::Result;
use balto_advisor::red_flags::SCREEN_NAME;
use balto_advisor::rules::RulesAdvisor;
use balto_core::advice::{Advice, Conversation};
use balto_core::advisor::Advisor;
use balto_core::attempt::{Attempt, AttemptOutcome};
use serde::Serialize;

/// What `--json` prints.
#[derive(Debug, Serialize)]
struct Explained<'a> {
    #[serde(flatten)]
    advice: &'a Advice,
    alerta: Option<String>,
    palavras: Vec<String>,
    assistente: String,
}

/// Who answered: the last call that succeeded (the screen, when it decided), else the chain.
fn answered_by(advisor: &dyn Advisor, attempts: &[Attempt]) -> String {
    attempts
        .iter()
        .rev()
        .find(|a| a.outcome == AttemptOutcome::Ok)
        .map_or_else(|| advisor.name().to_owned(), |a| a.provider.clone())
}

/// Runs `advisor` on `text` and prints its decision; `rules` (the offline advisor over the same
/// catalog) says which words decided when the screen or the rules answered.
pub async fn run(
    advisor: &dyn Advisor,
    rules: &RulesAdvisor,
    text: &str,
    json: bool,
) -> Result<()> {
    let conversation = Conversation::single(text);
    let (result, attempts) = advisor.advise_reporting(&conversation).await;
    let advice = result?;
    let assistente = answered_by(advisor, &attempts);
    let reading = rules.decide_explained(&conversation);
    let screened = assistente == SCREEN_NAME || reading.alerta.is_some();
    let (alerta, palavras) = if screened || assistente == "regras" || assistente == advisor.name() {
        (reading.alerta, reading.palavras)
    } else {
        (None, Vec::new())
    };
    if json {
        let out = Explained {
            advice: &advice,
            alerta,
            palavras,
            assistente,
        };
        println!("{}", serde_json::to_string(&out)?);
    } else {
        println!("assessor:    {}", advisor.name());
        println!("respondeu:   {assistente}");
        println!("decisão:     {}", advice.decision.as_str());
        if let Some(c) = advice.category {
            println!("categoria:   {}", c.as_str());
        }
        if let Some(p) = &advice.product {
            println!("produto:     {p}");
        }
        println!("explicação:  {}", advice.explanation);
        println!("confiança:   {}", advice.confidence.as_str());
        if let Some(a) = &alerta {
            println!("alerta:      {a}");
        }
        if !palavras.is_empty() {
            println!("palavras:    {}", palavras.join(" | "));
        }
    }
    Ok(())
}
