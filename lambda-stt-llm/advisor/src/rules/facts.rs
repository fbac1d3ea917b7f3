//! What one utterance says, as the rules advisor sees it: complaint and product hits per
//! category, prescription drugs mentioned, and the patient context (age, pregnancy, allergies,
//! conditions). Extraction order matters: allergy, pregnancy and prescription-drug phrases are
//! *consumed* first so that "alergia a dipirona" is not an allergy symptom and "grávida de 5
//! meses" is not a 5-month-old baby. Hits are then weighed against their sentence: a complaint
//! that "já passou" or is the topic of a vaccination, a product priced ("quanto custa a
//! dipirona?") or remembered ("minha vó adorava aquele xarope") is not an opportunity; where two
//! hits overlap, the longer wording wins ("picada de pernilongo" is a bite, not a repellent).

use balto_core::advice::Category;

use super::categories::CATEGORY_TERMS;
use super::lexicon::{
    self, ALLERGEN_ALIASES, ALLERGY_CUES, BABY_WORDS, CANNOT_TAKE_CUES, CARRY_VERBS, CAUSE_WORDS,
    CHILD_WORDS, CHOSEN_WORDS, CURRENT_USE_WORDS, FOR_WORDS, Kind, NARRATIVE_NOT,
    PATIENT_STATE_WORDS, RECOVERED_STATE_VERBS, RECOVERED_WORDS, TOPIC_DISEASES, TOPIC_LINKS,
    TOPIC_WORDS, WHOSE_WORDS,
};
use crate::catalog::{Catalog, Condition};
use crate::spoken::{Pattern, Sentence, Span, Utterance};

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
    closing: Vec<Pattern>,
    follow_up: Vec<Pattern>,
    affirmative: Vec<Pattern>,
    advice_request: Vec<Pattern>,
    request: Vec<Pattern>,
    price: Vec<Pattern>,
    narrative: Vec<Pattern>,
    resolved: Vec<Pattern>,
    past: Vec<Pattern>,
}

/// Compiles a pattern of the built-in vocabulary.
fn pattern(source: &str) -> Pattern {
    match Pattern::parse(source) {
        Ok(p) => p,
        // Covered by `the_vocabulary_compiles`; reaching this is a build defect.
        Err(e) => panic!("rules vocabulary pattern {source:?}: {e}"),
    }
}

/// Compiles a category term, which may say `a <~> b` (either order) into one or two patterns.
fn patterns(source: &str) -> Vec<Pattern> {
    match Pattern::parse_orders(source) {
        Ok(p) => p,
        // Covered by `the_vocabulary_compiles`; reaching this is a build defect.
        Err(e) => panic!("rules vocabulary pattern {source:?}: {e}"),
    }
}

impl Lexicon {
    pub fn new() -> Lexicon {
        let list = |v: &[&str]| v.iter().map(|s| pattern(s)).collect::<Vec<_>>();
        Lexicon {
            categories: CATEGORY_TERMS
                .iter()
                .flat_map(|(p, c, w, k)| patterns(p).into_iter().map(|p| (p, *c, *w, *k)))
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
            closing: list(lexicon::CLOSING_TERMS),
            follow_up: list(lexicon::FOLLOW_UP_TERMS),
            affirmative: list(lexicon::AFFIRMATIVE_TERMS),
            advice_request: list(lexicon::ADVICE_REQUEST_TERMS),
            request: list(lexicon::REQUEST_TERMS),
            price: list(lexicon::PRICE_TERMS),
            narrative: list(lexicon::NARRATIVE_TERMS),
            resolved: list(lexicon::RESOLVED_TERMS),
            past: list(lexicon::PAST_TERMS),
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
    /// Sentence and words it was said in.
    pub sentence: usize,
    pub span: Span,
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
    /// Thanks, payment, goodbye said as a statement (not a question, not a request).
    pub closing: bool,
    pub follow_up: bool,
    pub affirmative: bool,
    /// A question or request addressed to the pharmacist ("o que você recomenda?").
    pub asks: bool,
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

/// Per-sentence "already explained" marks.
struct Consumed(Vec<Vec<bool>>);

impl Consumed {
    fn new(u: &Utterance) -> Consumed {
        Consumed(
            u.sentences
                .iter()
                .map(|s| vec![false; s.tokens.len()])
                .collect(),
        )
    }
    fn mark(&mut self, sentence: usize, span: Span) {
        for i in span.start..span.end.min(self.0[sentence].len()) {
            self.0[sentence][i] = true;
        }
    }
    fn overlaps(&self, sentence: usize, span: Span) -> bool {
        (span.start..span.end).any(|i| self.0[sentence].get(i).copied().unwrap_or(false))
    }
}

/// Extracts the facts of one utterance.
pub(crate) fn extract(u: &Utterance, lex: &Lexicon, catalog: &Catalog) -> Facts {
    let mut facts = Facts {
        text: u.all_tokens().join(" "),
        ..Facts::default()
    };
    let mut consumed = Consumed::new(u);

    for (si, s) in u.sentences.iter().enumerate() {
        allergies(si, s, catalog, &mut consumed, &mut facts);
    }
    for (si, s) in u.sentences.iter().enumerate() {
        for p in &lex.pregnancy {
            for span in s.find(p) {
                let preceded_by_test = span.start > 0
                    && matches!(s.tokens[span.start - 1].as_str(), "teste" | "exame");
                let of_test = span.start > 1
                    && s.tokens[span.start - 1] == "de"
                    && s.tokens[span.start - 2] == "teste";
                if preceded_by_test || of_test {
                    consumed.mark(si, span);
                    continue;
                }
                facts.pregnant = Some(!s.negated(span.start));
                // "grávida de 5 meses": the duration is not an age.
                let mut end = span.end;
                if s.tokens.get(end).is_some_and(|t| t == "de")
                    && s.tokens.get(end + 1).is_some_and(|t| number(t).is_some())
                {
                    end = (end + 3).min(s.tokens.len());
                }
                consumed.mark(
                    si,
                    Span {
                        start: span.start,
                        end,
                    },
                );
            }
        }
    }
    for (si, s) in u.sentences.iter().enumerate() {
        // Conditions first: "toma losartana" means high blood pressure even though the drug
        // is then consumed as a prescription-only mention.
        for (p, cond) in &lex.conditions {
            for span in s.find(p) {
                if !consumed.overlaps(si, span)
                    && !s.negated(span.start)
                    && !facts.conditions.contains(cond)
                {
                    facts.conditions.push(*cond);
                }
            }
        }
        for p in &lex.prescription_only {
            for span in s.find(p) {
                if consumed.overlaps(si, span) {
                    continue;
                }
                consumed.mark(si, span);
                if s.probe || s.negated(span.start) {
                    continue;
                }
                let from = span.start.saturating_sub(3);
                let current_use = s.tokens[from..span.start]
                    .iter()
                    .any(|t| CURRENT_USE_WORDS.contains(&t.as_str()));
                if !current_use {
                    facts
                        .prescription_requests
                        .push(s.said(span.start, span.end));
                }
            }
        }
        let mut no_rx_spans = Vec::new();
        for p in &lex.no_prescription {
            for span in s.find(p) {
                facts.no_prescription = true;
                no_rx_spans.push(span);
            }
        }
        for p in &lex.prescription {
            for span in s.find(p) {
                let inside_no_rx = no_rx_spans
                    .iter()
                    .any(|n| span.start < n.end && n.start < span.end);
                if !inside_no_rx && !s.negated(span.start) {
                    facts.prescription = true;
                }
            }
        }
        ages(si, s, &consumed, &mut facts);
        for (i, t) in s.tokens.iter().enumerate() {
            let child = CHILD_WORDS.contains(&t.as_str());
            let baby = BABY_WORDS.contains(&t.as_str()) && !consumed.0[si][i];
            if (child || baby) && is_patient(s, i) {
                facts.child |= child;
                facts.baby |= baby;
            }
        }
        let mut hits: Vec<Hit> = Vec::new();
        for (p, category, weight, kind) in &lex.categories {
            for span in s.find(p) {
                if consumed.overlaps(si, span) || s.denied(span) {
                    continue;
                }
                hits.push(Hit {
                    category: *category,
                    weight: *weight,
                    kind: *kind,
                    label: s.said(span.start, span.end),
                    sentence: si,
                    span,
                });
            }
        }
        let hits = weigh_in_context(hits, s, lex);
        if s.probe {
            facts.probe_hits.extend(hits);
        } else {
            facts.hits.extend(hits);
        }
        let any = |ps: &[Pattern]| ps.iter().any(|p| s.holds(p));
        facts.small_talk |= any(&lex.small_talk);
        facts.follow_up |= any(&lex.follow_up);
        facts.affirmative |= !s.probe && any(&lex.affirmative);
        let asks = !s.probe
            && (s.question || any(&lex.advice_request) || any(&lex.request) || any(&lex.price));
        facts.asks |= asks;
        facts.closing |= !asks && any(&lex.closing);
    }
    facts
}

/// What a complaint named as the cause of another weighs, relative to its own weight.
const CAUSE_WEIGHT: f32 = 0.3;

/// True when the words before a complaint make it the cause of what is described: "depois do",
/// "por causa da", "desde a", "após o" (hesitations and intensifiers do not count).
fn is_cause(before: &[String]) -> bool {
    let words: Vec<&str> = before
        .iter()
        .rev()
        .map(String::as_str)
        .filter(|w| !crate::spoken::is_soft(w))
        .take(3)
        .collect();
    match words.as_slice() {
        [link, lead, ..] if matches!(*link, "do" | "da" | "de" | "dos" | "das" | "o" | "a") => {
            CAUSE_WORDS.contains(lead)
                || (matches!(*lead, "o" | "a" | "os" | "as")
                    && words.get(2).is_some_and(|w| CAUSE_WORDS.contains(w)))
        }
        _ => false,
    }
}

/// How far (words) a remembering verb reaches to the product it is about.
const NARRATIVE_REACH: usize = 6;

/// Added to a product kind that the sentence asks for ("queria um …", "tem …?").
const REQUESTED_BONUS: f32 = 1.5;

/// True when the child word at `i` is the patient: what is said of it follows ("meu filho tá
/// com…", "o bebê de 2 meses"), it is who the product is for ("pra criança", "do meu bebê"), or
/// it names a presentation ("infantil"). Not when carried ("fui pegar o menino no colo") or
/// merely mentioned ("minha filha é farmacêutica").
fn is_patient(s: &Sentence, i: usize) -> bool {
    const ALWAYS: &[&str] = &["infantil", "pediatrico", "pediatrica", "criancas"];
    let before = &s.tokens[i.saturating_sub(3)..i];
    if before.iter().any(|w| CARRY_VERBS.contains(&w.as_str())) {
        return false;
    }
    ALWAYS.contains(&s.tokens[i].as_str())
        || before.iter().any(|w| FOR_WORDS.contains(&w.as_str()))
        || s.tokens[i + 1..(i + 4).min(s.tokens.len())]
            .iter()
            .any(|w| PATIENT_STATE_WORDS.contains(&w.as_str()))
}

/// Drops hits their sentence takes back, and hits inside a longer hit of another category.
fn weigh_in_context(hits: Vec<Hit>, s: &Sentence, lex: &Lexicon) -> Vec<Hit> {
    let spans = |ps: &[Pattern]| -> Vec<Span> {
        ps.iter()
            .flat_map(|p| s.find(p))
            .filter(|span| s.affirmed(*span))
            .collect()
    };
    let resolved = spans(&lex.resolved);
    let past = spans(&lex.past);
    let requests = spans(&lex.request);
    let prices = spans(&lex.price);
    let narrative: Vec<Span> = spans(&lex.narrative)
        .into_iter()
        .chain(s.tokens.iter().enumerate().filter_map(|(i, t)| {
            let imperfect = (t.ends_with("ava") || t.ends_with("avam"))
                && t.chars().count() >= 5
                && !NARRATIVE_NOT.contains(&t.as_str());
            imperfect.then_some(Span {
                start: i,
                end: i + 1,
            })
        }))
        .collect();
    // "queria um protetor": a product kind asked for outweighs what else is described; "tosse
    // depois do resfriado": the complaint's cause weighs less than the complaint.
    let hits: Vec<Hit> = hits
        .into_iter()
        .map(|mut h| {
            if h.kind == Kind::Need && requests.iter().any(|r| r.end <= h.span.start) {
                h.weight += REQUESTED_BONUS;
            }
            if h.kind == Kind::Symptom && is_cause(&s.tokens[..h.span.start]) {
                h.weight *= CAUSE_WEIGHT;
            }
            h
        })
        .collect();
    let kept: Vec<Hit> = hits
        .iter()
        .filter(|h| {
            match h.kind {
                Kind::Symptom => {
                    // "dor de cabeça, mas já passou": said right after the complaint; "minha
                    // mãe já melhorou da gripe": said right before it.
                    let resolved_here = resolved.iter().any(|r| {
                        r.start >= h.span.end
                            && r.start - h.span.end <= 4
                            // "…, meu filho já melhorou": someone else's.
                            && !s.tokens[h.span.end..r.start]
                                .iter()
                                .any(|w| WHOSE_WORDS.contains(&w.as_str()))
                    }) || recovered_from(&s.tokens[..h.span.start]);
                    // "teve catapora ano passado": next to a past time in the same clause.
                    // "bateu a cabeça no armário semana passada, fez um galo, mas já sumiu":
                    // a past time and an end both said after the complaint.
                    let in_the_past = past.iter().any(|p| {
                        s.same_clause(p.start, h.span.start)
                            && (p.start.abs_diff(h.span.end) <= 3
                                || h.span.start.abs_diff(p.end) <= 3)
                    }) || (past.iter().any(|p| p.start >= h.span.end)
                        && resolved.iter().any(|r| r.start >= h.span.end));
                    // "vacinação da gripe", "exame de dengue", "a vacina da covid e a da gripe".
                    let topic = TOPIC_DISEASES.contains(&s.tokens[h.span.start].as_str())
                        && is_topic(&s.tokens[..h.span.start]);
                    !resolved_here && !topic && !in_the_past
                }
                Kind::Need => {
                    // "vou levar esse xarope": a product already chosen, not a need.
                    let chosen = s.tokens[h.span.start.saturating_sub(2)..h.span.start]
                        .iter()
                        .any(|w| CHOSEN_WORDS.contains(&w.as_str()));
                    if chosen {
                        return false;
                    }
                    // "quanto custa a caixa do paracetamol?" (no request in between); "a dipirona
                    // genérica é mais barata que a de marca?" (no request at all).
                    let priced = prices.iter().any(|p| {
                        p.end <= h.span.start
                            && !requests
                                .iter()
                                .any(|r| r.start >= p.end && r.end <= h.span.start)
                    }) || (requests.is_empty()
                        && prices.iter().any(|p| {
                            // ("de quanto em quanto tempo" asks how often, not a price.)
                            p.start >= h.span.end && s.tokens[p.start] != "quanto"
                        }));
                    // "o xarope da receita da pediatra", "a receita do colírio": a prescribed
                    // product, not one to recommend.
                    // "o ácido fólico que a obstetra passou": prescribed by name.
                    let after = &s.tokens[h.span.end..(h.span.end + 6).min(s.tokens.len())];
                    let by_prescriber = after.iter().any(|w| PRESCRIBERS.contains(&w.as_str()))
                        && after
                            .iter()
                            .any(|w| matches!(w.as_str(), "passou" | "receitou" | "prescreveu"));
                    let prescribed = by_prescriber
                        || s.tokens[h.span.end..]
                            .iter()
                            .take(3)
                            .any(|w| w == "receita")
                        || s.tokens[h.span.start.saturating_sub(3)..h.span.start]
                            .iter()
                            .any(|w| w == "receita");
                    if prescribed {
                        return false;
                    }
                    // "minha vó adorava aquele xarope", "o xarope que ela usava": remembered
                    // close by, with no request before it ("o farmacêutico que trabalhava aqui
                    // mudou… qual repelente…" is a request).
                    let asked_before = |from: usize| {
                        requests
                            .iter()
                            .any(|r| r.start >= from && r.start < h.span.start)
                    };
                    let remembered = narrative.iter().any(|n| {
                        let before = n.end <= h.span.start
                            && h.span.start - n.end <= NARRATIVE_REACH
                            && !asked_before(n.end);
                        let after = n.start >= h.span.end
                            && n.start - h.span.end <= NARRATIVE_REACH / 2
                            && !asked_before(0);
                        before || after
                    });
                    !priced && !remembered
                }
            }
        })
        .cloned()
        .collect();
    // Where a hit lies inside a longer one that weighs as much, the longer wording wins ("picada de pernilongo" is a bite, not a request
    // for repellent; "dor de cabeça" is not also "dor"). A product kind is asked for once per
    // sentence: of several names of one category ("Vick VapoRub"), the heaviest counts.
    // Two wordings of one category over the same words count once.
    let longest: Vec<&Hit> = kept
        .iter()
        .enumerate()
        .filter(|(i, h)| {
            !kept.iter().enumerate().any(|(j, o)| {
                let longer = o.weight >= h.weight
                    && o.span.start <= h.span.start
                    && o.span.end >= h.span.end
                    && (o.span.end - o.span.start) > (h.span.end - h.span.start);
                let same = o.category == h.category
                    && o.span == h.span
                    && (o.weight > h.weight || (o.weight == h.weight && j < *i));
                longer || same
            })
        })
        .map(|(_, h)| h)
        .collect();
    longest
        .iter()
        .enumerate()
        .filter(|(i, h)| {
            h.kind != Kind::Need
                || !longest.iter().enumerate().any(|(j, o)| {
                    j != *i
                        && o.kind == Kind::Need
                        && o.category == h.category
                        && (o.weight > h.weight || (o.weight == h.weight && j < *i))
                })
        })
        .map(|(_, h)| (*h).clone())
        .collect()
}

/// True when the words before a complaint say it is over: "já melhorou da", "tá bom da", "sarou
/// do" (hesitations and intensifiers in between do not count).
/// Who prescribes: "o xarope que a pediatra passou" is a prescription, not a request.
const PRESCRIBERS: &[&str] = &[
    "medico",
    "medica",
    "doutor",
    "doutora",
    "obstetra",
    "pediatra",
    "gastro",
    "dentista",
    "cardiologista",
    "neurologista",
    "dermatologista",
    "ginecologista",
    "ortopedista",
];

fn recovered_from(before: &[String]) -> bool {
    let words: Vec<&str> = before
        .iter()
        .rev()
        .map(String::as_str)
        .filter(|w| !crate::spoken::is_soft(w))
        .take(3)
        .collect();
    let [link, recovered, ..] = words.as_slice() else {
        return false;
    };
    if !matches!(*link, "da" | "do" | "de" | "das" | "dos") {
        return false;
    }
    if RECOVERED_WORDS.contains(recovered) {
        return true;
    }
    // "tá bom da diarreia", "já ficou boa da gripe" ("tá" is a soft word: look at all of them).
    let state = before
        .iter()
        .rev()
        .skip_while(|w| w.as_str() != *recovered)
        .skip(1)
        .take(3)
        .any(|w| RECOVERED_STATE_VERBS.contains(&w.as_str()));
    state
        && matches!(
            *recovered,
            "bom" | "boa" | "bem" | "melhor" | "otimo" | "otima" | "curado" | "curada"
        )
}

/// True when a topic word (vaccination, campaign, test) governs the disease named next (the
/// caller checks it is a disease): only links and other disease names stand between ("a vacina da covid e a da gripe"; not "fiz o
/// exame de sangue e tô com dor", nor "a vacina da covid, torci o pé"). Hesitations and
/// intensifiers do not count.
fn is_topic(before: &[String]) -> bool {
    let words = before
        .iter()
        .rev()
        .map(String::as_str)
        .filter(|w| !crate::spoken::is_soft(w));
    for w in words.take(6) {
        if TOPIC_WORDS.iter().any(|t| w.starts_with(t)) {
            return true;
        }
        if !TOPIC_LINKS.contains(&w) {
            return false;
        }
    }
    false
}

/// Finds "alergia a X", "alérgico à X", "não posso tomar X" naming a drug or ingredient.
fn allergies(
    si: usize,
    sentence: &Sentence,
    catalog: &Catalog,
    consumed: &mut Consumed,
    facts: &mut Facts,
) {
    const CONNECTORS: &[&str] = &[
        "a", "ao", "as", "aos", "de", "do", "da", "com", "o", "e", "tipo", "qualquer", "remedio",
        "remedios",
    ];
    let t = &sentence.tokens;
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
        let negated = cue_len == 1 && sentence.negated(i);
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
                consumed.mark(si, Span { start: i, end });
                if !negated {
                    facts.allergy_labels.push(sentence.said(k, end));
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
                        si,
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
fn ages(si: usize, sentence: &Sentence, consumed: &Consumed, facts: &mut Facts) {
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
    let t = &sentence.tokens;
    for i in 0..t.len() {
        if consumed.0[si][i] {
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
        // "há 3 dias", "depois de um ano", "antes de 2 semanas": a duration.
        if i >= 2
            && matches!(
                t[i - 2].as_str(),
                "mais" | "ha" | "faz" | "por" | "durante" | "depois" | "apos" | "antes" | "menos"
            )
        {
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
        let either_order = CATEGORY_TERMS
            .iter()
            .filter(|(p, ..)| p.contains(" <~> "))
            .count();
        assert_eq!(lex.categories.len(), CATEGORY_TERMS.len() + either_order);
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
        assert_eq!(
            facts("voltei pra academia depois de um ano, tô todo dolorido").age_years,
            None
        );
        assert_eq!(facts("meu neném de 20 dias").age_years, Some(20.0 / 365.0));
        assert_eq!(facts("é recém-nascido").age_years, Some(0.0));
    }

    fn categories(text: &str) -> Vec<Category> {
        facts(text).hits.iter().map(|h| h.category).collect()
    }

    #[test]
    fn recovered_topical_and_causal_complaints() {
        // Over, said before the complaint (hesitations in between do not matter).
        assert!(categories("minha mãe já melhorou, nossa, da gripe").is_empty());
        assert!(categories("meu filho já tá bom da diarreia").is_empty());
        assert_eq!(
            categories("o remédio bom da gripe"),
            vec![Category::GripeResfriado]
        );
        // A topic a few words back, unless the complaint is stated.
        assert!(categories("já tomei a vacina da covid e a da gripe").is_empty());
        assert!(!categories("fiz o exame de sangue e tô com dor de cabeça").is_empty());
        // A cause weighs less than the complaint.
        let f = facts("uma tosse seca depois do resfriado");
        let w = |c| {
            f.hits
                .iter()
                .filter(|h| h.category == c)
                .map(|h| h.weight)
                .sum::<f32>()
        };
        assert!(w(Category::Tosse) > w(Category::GripeResfriado));
    }

    #[test]
    fn a_complaint_that_passed_on_its_own_or_in_a_named_season_is_over() {
        assert!(categories("tive uma diarreia forte mas passou rapidinho").is_empty());
        assert!(categories("no carnaval passado tive uma assadura horrível").is_empty());
        assert!(categories("cortei o dedo, levei pontos e já até tirei").is_empty());
        // Still going, or asked for: a complaint.
        assert_eq!(
            categories("tô com diarreia desde ontem e não passa"),
            vec![Category::DiarreiaHidratacao]
        );
        // Sore after the gym, said in either order.
        assert_eq!(
            categories("voltei pra academia e tô todo dolorido"),
            vec![Category::DorMuscularContusao]
        );
    }

    #[test]
    fn a_product_the_doctor_prescribed_is_not_a_request() {
        assert!(categories("vim comprar o ácido fólico que a obstetra passou").is_empty());
        // The complaint next to it still counts.
        assert_eq!(
            categories("tô com tosse e o xarope que a médica passou acabou"),
            vec![Category::Tosse]
        );
    }

    #[test]
    fn a_product_kind_counts_once_per_sentence() {
        let f = facts("tem vick vaporub?");
        assert_eq!(f.hits.len(), 1, "{:?}", f.hits);
        let g = facts("aquele de tomada pra espantar mosquito, o refil");
        assert_eq!(
            categories("aquele de tomada pra espantar mosquito, o refil").len(),
            1
        );
        assert_eq!(g.hits[0].category, Category::Repelente);
    }

    #[test]
    fn remembering_reaches_only_nearby_products() {
        assert!(categories("minha vó adorava aquele xarope").is_empty());
        assert_eq!(
            categories(
                "o farmacêutico que trabalhava aqui mudou de loja qual repelente posso passar no bebê"
            ),
            vec![Category::Repelente]
        );
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
