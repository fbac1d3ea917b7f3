//! What one utterance says, as the rules advisor sees it: symptom hits per category, red
//! flags, prescription-only requests, and the patient context (age, pregnancy, allergies,
//! conditions). Extraction order matters: allergy, pregnancy and prescription-drug phrases
//! are *consumed* first so that "alergia a dipirona" is not an allergy symptom and "grávida de
//! 5 meses" is not a 5-month-old baby.

use balto_core::advice::Category;

use super::lexicon::{
    self, ALLERGEN_ALIASES, ALLERGY_CUES, BABY_WORDS, CANNOT_TAKE_CUES, CHILD_WORDS,
    CURRENT_USE_WORDS, Kind,
};
use crate::catalog::{Catalog, Condition};
use crate::spoken::{Clause, Pattern, Span, Utterance, is_negated};

/// The compiled vocabulary.
#[derive(Debug, Clone)]
pub(crate) struct Lexicon {
    categories: Vec<(Pattern, Category, f32, Kind)>,
    prescription_only: Vec<Pattern>,
    no_prescription: Vec<Pattern>,
    prescription: Vec<Pattern>,
    conditions: Vec<(Pattern, Condition)>,
    pregnancy: Vec<Pattern>,
    small_talk: Vec<Pattern>,
    follow_up: Vec<Pattern>,
    affirmative: Vec<Pattern>,
}

/// Compiles a pattern of the built-in vocabulary.
fn pattern(source: &str) -> Pattern {
    match Pattern::parse(source) {
        Ok(p) => p,
        // Covered by `the_vocabulary_compiles`; reaching this is a build defect.
        Err(e) => panic!("rules vocabulary pattern {source:?}: {e}"),
    }
}

impl Lexicon {
    pub fn new() -> Lexicon {
        let list = |v: &[&str]| v.iter().map(|s| pattern(s)).collect::<Vec<_>>();
        Lexicon {
            categories: lexicon::CATEGORY_TERMS
                .iter()
                .map(|(p, c, w, k)| (pattern(p), *c, *w, *k))
                .collect(),
            prescription_only: list(lexicon::PRESCRIPTION_ONLY_TERMS),
            no_prescription: list(lexicon::NO_PRESCRIPTION_TERMS),
            prescription: list(lexicon::PRESCRIPTION_TERMS),
            conditions: lexicon::CONDITION_TERMS
                .iter()
                .map(|(p, c)| (pattern(p), *c))
                .collect(),
            pregnancy: list(lexicon::PREGNANCY_TERMS),
            small_talk: list(lexicon::SMALL_TALK_TERMS),
            follow_up: list(lexicon::FOLLOW_UP_TERMS),
            affirmative: list(lexicon::AFFIRMATIVE_TERMS),
        }
    }
}

/// One matched symptom or need phrase.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Hit {
    pub category: Category,
    pub weight: f32,
    pub kind: Kind,
    /// The words as said (accents kept), for explanations.
    pub label: String,
}

/// Everything the advisor needs from one utterance.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Facts {
    /// The whole utterance, normalized.
    pub text: String,
    pub hits: Vec<Hit>,
    /// Hits inside a probing question (used only if the next utterance answers "sim").
    pub probe_hits: Vec<Hit>,
    /// Labels of prescription-only drugs asked for.
    pub prescription_requests: Vec<String>,
    pub no_prescription: bool,
    pub prescription: bool,
    pub conditions: Vec<Condition>,
    /// Some(true) pregnant/breastfeeding, Some(false) explicitly not.
    pub pregnant: Option<bool>,
    pub age_years: Option<f64>,
    pub child: bool,
    pub baby: bool,
    /// Ingredient words to exclude.
    pub allergens: Vec<String>,
    /// What the customer said they are allergic to (for explanations).
    pub allergy_labels: Vec<String>,
    pub small_talk: bool,
    pub follow_up: bool,
    pub affirmative: bool,
}

impl Facts {
    /// True when the utterance adds patient context (age, pregnancy, allergy, condition, child).
    pub fn has_context(&self) -> bool {
        self.age_years.is_some()
            || self.pregnant.is_some()
            || !self.allergens.is_empty()
            || !self.conditions.is_empty()
            || self.child
            || self.baby
    }
}

/// Per-clause "already explained" marks.
struct Consumed(Vec<Vec<bool>>);

impl Consumed {
    fn new(u: &Utterance) -> Consumed {
        Consumed(
            u.clauses
                .iter()
                .map(|c| vec![false; c.tokens.len()])
                .collect(),
        )
    }
    fn mark(&mut self, clause: usize, span: Span) {
        for i in span.start..span.end.min(self.0[clause].len()) {
            self.0[clause][i] = true;
        }
    }
    fn overlaps(&self, clause: usize, span: Span) -> bool {
        (span.start..span.end).any(|i| self.0[clause].get(i).copied().unwrap_or(false))
    }
}

/// Extracts the facts of one utterance.
pub(crate) fn extract(u: &Utterance, lex: &Lexicon, catalog: &Catalog) -> Facts {
    let mut facts = Facts {
        text: u.all_tokens().join(" "),
        ..Facts::default()
    };
    let mut consumed = Consumed::new(u);

    for (ci, clause) in u.clauses.iter().enumerate() {
        allergies(ci, clause, catalog, &mut consumed, &mut facts);
    }
    for (ci, clause) in u.clauses.iter().enumerate() {
        for p in &lex.pregnancy {
            for span in p.find_all(&clause.tokens) {
                let preceded_by_test = span.start > 0
                    && matches!(clause.tokens[span.start - 1].as_str(), "teste" | "exame");
                let of_test = span.start > 1
                    && clause.tokens[span.start - 1] == "de"
                    && clause.tokens[span.start - 2] == "teste";
                if preceded_by_test || of_test {
                    consumed.mark(ci, span);
                    continue;
                }
                let negated = is_negated(&clause.tokens, span.start);
                facts.pregnant = Some(!negated);
                // "grávida de 5 meses": the duration is not an age.
                let mut end = span.end;
                if clause.tokens.get(end).is_some_and(|t| t == "de")
                    && clause
                        .tokens
                        .get(end + 1)
                        .is_some_and(|t| number(t).is_some())
                {
                    end = (end + 3).min(clause.tokens.len());
                }
                consumed.mark(
                    ci,
                    Span {
                        start: span.start,
                        end,
                    },
                );
            }
        }
    }
    for (ci, clause) in u.clauses.iter().enumerate() {
        // Conditions first: "toma losartana" means high blood pressure even though the drug
        // is then consumed as a prescription-only mention.
        for (p, cond) in &lex.conditions {
            for span in p.find_all(&clause.tokens) {
                if !consumed.overlaps(ci, span)
                    && !is_negated(&clause.tokens, span.start)
                    && !facts.conditions.contains(cond)
                {
                    facts.conditions.push(*cond);
                }
            }
        }
        let probe = u.is_probe(ci);
        for p in &lex.prescription_only {
            for span in p.find_all(&clause.tokens) {
                if consumed.overlaps(ci, span) {
                    continue;
                }
                consumed.mark(ci, span);
                if probe || is_negated(&clause.tokens, span.start) {
                    continue;
                }
                let from = span.start.saturating_sub(3);
                let current_use = clause.tokens[from..span.start]
                    .iter()
                    .any(|t| CURRENT_USE_WORDS.contains(&t.as_str()));
                if !current_use {
                    facts
                        .prescription_requests
                        .push(clause.display[span.start..span.end].join(" "));
                }
            }
        }
        let mut no_rx_spans = Vec::new();
        for p in &lex.no_prescription {
            for span in p.find_all(&clause.tokens) {
                facts.no_prescription = true;
                no_rx_spans.push(span);
            }
        }
        for p in &lex.prescription {
            for span in p.find_all(&clause.tokens) {
                let inside_no_rx = no_rx_spans
                    .iter()
                    .any(|s| span.start < s.end && s.start < span.end);
                if !inside_no_rx && !is_negated(&clause.tokens, span.start) {
                    facts.prescription = true;
                }
            }
        }
        ages(ci, clause, &consumed, &mut facts);
        for t in &clause.tokens {
            if CHILD_WORDS.contains(&t.as_str()) {
                facts.child = true;
            }
            if BABY_WORDS.contains(&t.as_str()) && !consumed_token(&consumed, ci, clause, t) {
                facts.baby = true;
            }
        }
        for (p, category, weight, kind) in &lex.categories {
            for span in p.find_all(&clause.tokens) {
                if consumed.overlaps(ci, span) || is_negated(&clause.tokens, span.start) {
                    continue;
                }
                let hit = Hit {
                    category: *category,
                    weight: *weight,
                    kind: *kind,
                    label: clause.display[span.start..span.end].join(" "),
                };
                if probe {
                    facts.probe_hits.push(hit);
                } else {
                    facts.hits.push(hit);
                }
            }
        }
        let any = |ps: &[Pattern]| ps.iter().any(|p| !p.find_all(&clause.tokens).is_empty());
        facts.small_talk |= any(&lex.small_talk);
        facts.follow_up |= any(&lex.follow_up);
        facts.affirmative |= !probe && any(&lex.affirmative);
    }
    facts
}

fn consumed_token(consumed: &Consumed, ci: usize, clause: &Clause, token: &str) -> bool {
    clause
        .tokens
        .iter()
        .enumerate()
        .any(|(i, t)| t == token && consumed.0[ci][i])
}

/// Finds "alergia a X", "alérgico à X", "não posso tomar X" naming a drug or ingredient.
fn allergies(
    ci: usize,
    clause: &Clause,
    catalog: &Catalog,
    consumed: &mut Consumed,
    facts: &mut Facts,
) {
    const CONNECTORS: &[&str] = &[
        "a", "ao", "as", "aos", "de", "do", "da", "com", "o", "e", "tipo", "qualquer", "remedio",
        "remedios",
    ];
    let t = &clause.tokens;
    let mut i = 0;
    while i < t.len() {
        let cue_len = if ALLERGY_CUES.contains(&t[i].as_str()) {
            1
        } else if i + 2 < t.len()
            && t[i] == "nao"
            && CANNOT_TAKE_CUES
                .iter()
                .any(|(a, b)| t[i + 1] == *a && t[i + 2] == *b)
        {
            3
        } else {
            i += 1;
            continue;
        };
        let negated = cue_len == 1 && is_negated(t, i);
        let mut j = i + cue_len;
        while j < t.len() && CONNECTORS.contains(&t[j].as_str()) {
            j += 1;
        }
        let found: Option<(usize, Vec<String>)> = t
            .iter()
            .enumerate()
            .skip(j)
            .take(2)
            .find_map(|(k, tok)| allergen(tok, catalog).map(|ing| (k, ing)));
        match found {
            Some((k, ingredients)) => {
                // "anti inflamatório" spans two tokens.
                let end =
                    if t[k] == "anti" && t.get(k + 1).is_some_and(|n| n.starts_with("inflama")) {
                        k + 2
                    } else {
                        k + 1
                    };
                consumed.mark(ci, Span { start: i, end });
                if !negated {
                    facts.allergy_labels.push(clause.display[k..end].join(" "));
                    for ing in ingredients {
                        if !facts.allergens.contains(&ing) {
                            facts.allergens.push(ing);
                        }
                    }
                }
                i = end;
            }
            None => {
                // "não tenho alergia" / "alergia a nada": not an allergy symptom either.
                let nothing = t.get(j).is_some_and(|n| n == "nada" || n == "nenhum");
                if negated || nothing || cue_len == 3 {
                    consumed.mark(
                        ci,
                        Span {
                            start: i,
                            end: j.max(i + cue_len),
                        },
                    );
                }
                i += cue_len;
            }
        }
    }
}

/// The ingredient words a spoken allergen stands for, if it is a drug or a catalog ingredient.
fn allergen(token: &str, catalog: &Catalog) -> Option<Vec<String>> {
    if let Some((_, ingredients)) = ALLERGEN_ALIASES.iter().find(|(alias, _)| *alias == token) {
        return Some(ingredients.iter().map(|s| (*s).to_owned()).collect());
    }
    if token.len() >= 5
        && catalog
            .products()
            .iter()
            .any(|p| p.mentions_ingredient(token))
    {
        return Some(vec![token.to_owned()]);
    }
    None
}

/// A spoken number ("2", "dois", "duas").
pub(crate) fn number(token: &str) -> Option<f64> {
    if let Ok(n) = token.parse::<u32>() {
        return Some(f64::from(n));
    }
    let n = match token {
        "um" | "uma" => 1,
        "dois" | "duas" => 2,
        "tres" => 3,
        "quatro" => 4,
        "cinco" => 5,
        "seis" => 6,
        "sete" => 7,
        "oito" => 8,
        "nove" => 9,
        "dez" => 10,
        "onze" => 11,
        "doze" => 12,
        "treze" => 13,
        "quatorze" | "catorze" => 14,
        "quinze" => 15,
        "dezesseis" => 16,
        "dezessete" => 17,
        "dezoito" => 18,
        "dezenove" => 19,
        "vinte" => 20,
        "trinta" => 30,
        "quarenta" => 40,
        "cinquenta" => 50,
        "sessenta" => 60,
        "setenta" => 70,
        "oitenta" => 80,
        "noventa" => 90,
        _ => return None,
    };
    Some(f64::from(n))
}

/// Years per unit token.
fn unit_years(token: &str) -> Option<f64> {
    match token {
        "ano" | "anos" | "aninho" | "aninhos" => Some(1.0),
        "mes" | "meses" | "mesinho" | "mesinhos" => Some(1.0 / 12.0),
        "semana" | "semanas" | "semaninha" | "semaninhas" => Some(7.0 / 365.0),
        "dia" | "dias" | "diazinho" | "diazinhos" => Some(1.0 / 365.0),
        _ => None,
    }
}

/// Finds the patient's age: "meu filho de 2 anos", "bebê de 5 meses", "ela tem 70 anos",
/// "recém-nascido". Durations ("há 3 dias", "tem 2 semanas que") are not ages.
fn ages(ci: usize, clause: &Clause, consumed: &Consumed, facts: &mut Facts) {
    const AGE_LEADS: &[&str] = &[
        "de",
        "com",
        "tem",
        "tenho",
        "fez",
        "fiz",
        "completou",
        "completa",
        "tinha",
        "idade",
    ];
    const PERSON_WORDS: &[&str] = &[
        "filho",
        "filha",
        "bebe",
        "nenem",
        "crianca",
        "menino",
        "menina",
        "neto",
        "neta",
        "sobrinho",
        "sobrinha",
        "ele",
        "ela",
        "bebezinho",
        "bebezinha",
        "recem",
        "nascido",
    ];
    let t = &clause.tokens;
    for i in 0..t.len() {
        if consumed.0[ci][i] {
            continue;
        }
        if t[i] == "recem" && t.get(i + 1).is_some_and(|n| n.starts_with("nascid")) {
            facts.age_years = Some(0.0);
            facts.baby = true;
            continue;
        }
        let Some(mut n) = number(&t[i]) else { continue };
        let mut unit_at = i + 1;
        // "vinte e cinco anos"
        if t.get(i + 1).is_some_and(|x| x == "e")
            && let Some(m) = t.get(i + 2).and_then(|x| number(x))
        {
            n += m;
            unit_at = i + 3;
        }
        let Some(unit) = t.get(unit_at).and_then(|u| unit_years(u)) else {
            continue;
        };
        let lead_ok = i > 0 && AGE_LEADS.contains(&t[i - 1].as_str());
        if !lead_ok {
            continue;
        }
        if t.get(unit_at + 1).is_some_and(|x| x == "que") {
            continue; // "tem 2 meses que estou com tosse"
        }
        if i >= 2 && matches!(t[i - 2].as_str(), "mais" | "ha" | "faz" | "por" | "durante") {
            continue;
        }
        if unit < 1.0 {
            let from = i.saturating_sub(5);
            let about_person = t[from..i]
                .iter()
                .any(|w| PERSON_WORDS.contains(&w.as_str()));
            if !about_person {
                continue;
            }
        }
        facts.age_years = Some(n * unit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(text: &str) -> Facts {
        extract(
            &Utterance::parse(text),
            &Lexicon::new(),
            &Catalog::embedded(),
        )
    }

    #[test]
    fn the_vocabulary_compiles() {
        let lex = Lexicon::new();
        assert_eq!(lex.categories.len(), lexicon::CATEGORY_TERMS.len());
    }

    #[test]
    fn ages_are_found_and_durations_ignored() {
        assert_eq!(facts("meu filho de 2 anos").age_years, Some(2.0));
        let f = facts("bebê de 5 meses com febre");
        assert!((f.age_years.unwrap_or(0.0) - 5.0 / 12.0).abs() < 1e-9);
        assert!(f.baby);
        assert_eq!(facts("ela tem setenta anos").age_years, Some(70.0));
        assert_eq!(facts("estou com tosse há 3 dias").age_years, None);
        assert_eq!(facts("tem 2 meses que estou com tosse").age_years, None);
        assert_eq!(facts("uma tosse de 2 semanas").age_years, None);
        assert_eq!(facts("meu neném de 20 dias").age_years, Some(20.0 / 365.0));
        assert_eq!(facts("é recém-nascido").age_years, Some(0.0));
    }

    #[test]
    fn pregnancy_consumes_its_duration() {
        let f = facts("estou grávida de 5 meses e com azia");
        assert_eq!(f.pregnant, Some(true));
        assert_eq!(f.age_years, None);
        assert_eq!(facts("não estou grávida").pregnant, Some(false));
        assert_eq!(facts("quero um teste de gravidez").pregnant, None);
    }

    #[test]
    fn drug_allergies_are_not_allergy_symptoms() {
        let f = facts("tenho alergia a dipirona");
        assert_eq!(f.allergens, vec!["dipirona"]);
        assert!(f.hits.iter().all(|h| h.category != Category::Alergia));
        let g = facts("sou alérgico a anti-inflamatório");
        assert!(g.allergens.contains(&"ibuprofeno".to_owned()));
        let h = facts("tenho alergia a poeira, fico espirrando");
        assert!(h.allergens.is_empty());
        assert!(h.hits.iter().any(|x| x.category == Category::Alergia));
        let n = facts("não tenho alergia a nada");
        assert!(n.allergens.is_empty() && n.hits.is_empty());
    }

    #[test]
    fn prescription_requests_and_current_use() {
        let f = facts("me vê uma amoxicilina, não tenho receita");
        assert_eq!(f.prescription_requests.len(), 1);
        assert!(f.no_prescription && !f.prescription);
        let g = facts("tomo varfarina todo dia");
        assert!(g.prescription_requests.is_empty());
        assert_eq!(g.conditions, vec![Condition::Anticoagulante]);
        let h = facts("aqui a receita da amoxicilina que o médico passou");
        assert!(h.prescription && !h.no_prescription);
    }
}
