//! Matching the catalogue against a conversation window.
//!
//! Every utterance of the window is read with the shared normalisation ([`crate::spoken`]).
//! A trigger counts unless it is negated ("não tenho dor no peito"), preceded by a current-use
//! word ("tomo losartana"), or cancelled by its own exception in the same utterance ("queimação
//! no peito depois que eu como"). A combination counts when each of its concepts is said
//! somewhere in the window ("tô grávida" … "tô sangrando"). What the pharmacist asks ("Tem falta
//! de ar?") counts only once the customer answers yes. A flag whose exception is said in the
//! window ("o médico passou", "tenho a receita") does not fire.

use balto_core::advice::{Advice, Category, Confidence, Conversation};
use serde::Serialize;

use super::catalogue::{Catalogue, Flag};
use crate::spoken::{Pattern, Sentence, Span, Utterance};

/// One red flag found in a window, with the words that showed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Screening {
    /// Stable id of the red flag (`dor_no_peito`, `avc`, …).
    pub id: String,
    pub titulo: String,
    /// The intervention's `produto` (starts with `Intervenção:`).
    pub produto: String,
    pub explicacao: String,
    /// The words that matched, as said.
    pub palavras: Vec<String>,
}

impl Screening {
    /// The intervention this red flag sends.
    pub fn advice(&self) -> Advice {
        Advice {
            decision: balto_core::advice::Decision::Intervencao,
            category: Some(Category::Intervencao),
            product: Some(self.produto.clone()),
            explanation: format!(
                "{} (alerta {}: \"{}\")",
                self.explicacao,
                self.id,
                self.palavras.join("\", \"")
            ),
            confidence: Confidence::Alta,
        }
    }
}

/// What the screen says about a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// No red flag.
    Clear,
    /// A red flag whose intervention goes out now.
    Intervene(Screening),
    /// Red flags whose intervention was the last thing pushed: nothing new to send, and no
    /// product either.
    AlreadySent(Screening),
}

impl Verdict {
    /// The answer when the screen decides (`None` when the window is clear).
    pub fn advice(&self) -> Option<Advice> {
        match self {
            Verdict::Clear => None,
            Verdict::Intervene(s) => Some(s.advice()),
            Verdict::AlreadySent(s) => Some(Advice::nothing(format!(
                "Intervenção já sinalizada nesta conversa (alerta {}); nada novo a recomendar.",
                s.id
            ))),
        }
    }

    /// The red flag behind the verdict, if any.
    pub fn screening(&self) -> Option<&Screening> {
        match self {
            Verdict::Clear => None,
            Verdict::Intervene(s) | Verdict::AlreadySent(s) => Some(s),
        }
    }
}

/// Where a finding was said: utterance, sentence, and whether it was the pharmacist's probe.
#[derive(Debug, Clone, Copy)]
struct Place {
    utterance: usize,
    sentence: usize,
    probe: bool,
}

/// Words that answer a probe with yes.
const YES_WORDS: &[&str] = &[
    "sim",
    "tenho",
    "tem",
    "estou",
    "esta",
    "isso",
    "exatamente",
    "aham",
    "uhum",
    "tive",
    "teve",
    "sinto",
    "senti",
    "sente",
    "bastante",
    "muito",
    "demais",
    "um",
    "foi",
    "e",
];

/// True when an exception said at `exception` in `sentence` speaks of the match at `matched` in
/// `of`, not of something else in a run-on transcript: it does not reach across a blanked story
/// ("ela tá com dengue desde segunda, meu tio fez cateterismo ano passado…": the date is the
/// uncle's), and when it names a word of the match it names that mention ("tá com dengue … tomei
/// a vacina da dengue semana passada": the vaccine is another dengue).
fn speaks_of_match(sentence: &Sentence, exception: Span, of: &Sentence, matched: Span) -> bool {
    let words = &sentence.tokens[exception.start..exception.end];
    if words.iter().any(|w| w == crate::spoken::BLANK) {
        return false;
    }
    let same = std::ptr::eq(sentence, of);
    let overlaps = same && exception.start < matched.end && matched.start < exception.end;
    overlaps
        || !of.tokens[matched.start..matched.end]
            .iter()
            .any(|m| m.chars().count() >= 4 && words.contains(m))
}

/// True when a wording's own exception is affirmed in `sentence` about the match at `matched`
/// in `of` ([`speaks_of_match`]).
fn excepted_in(unless: &[Pattern], sentence: &Sentence, of: &Sentence, matched: Span) -> bool {
    unless.iter().any(|p| {
        sentence
            .find(p)
            .into_iter()
            .any(|e| sentence.affirmed(e) && speaks_of_match(sentence, e, of, matched))
    })
}

/// True when a wording's own exception is affirmed in `u` about the match at `matched` in `of`:
/// in the match's own statement or in another sentence the pharmacist did not ask.
fn excepted_at(unless: &[Pattern], u: &Utterance, of: &Sentence, matched: Span) -> bool {
    std::iter::once(of)
        .chain(u.sentences.iter().filter(|s| !std::ptr::eq(*s, of)))
        .any(|s| !s.probe && excepted_in(unless, s, of, matched))
}

fn affirmed_in(patterns: &[Pattern], u: &Utterance) -> bool {
    u.sentences.iter().any(|s| {
        !s.probe
            && patterns
                .iter()
                .any(|p| s.find(p).into_iter().any(|span| s.affirmed(span)))
    })
}

/// True when any pattern is said in a statement of `u` (negated or not: "não tenho receita"),
/// a question read with its answer included ("Receita? Não tenho.").
fn said_in(patterns: &[Pattern], u: &Utterance) -> bool {
    statements(u).any(|(s, _)| !s.probe && patterns.iter().any(|p| s.holds(p)))
}

/// True when what follows a probe (the next sentence, else the next utterance) starts with yes.
fn answered_yes(window: &[Utterance], place: Place) -> bool {
    let Some(u) = window.get(place.utterance) else {
        return false;
    };
    let next_here = u
        .sentences
        .iter()
        .find(|s| s.index > place.sentence)
        .map(|s| &s.tokens);
    let next = next_here.or_else(|| {
        window
            .get(place.utterance + 1)
            .and_then(|n| n.sentences.first())
            .map(|s| &s.tokens)
    });
    next.and_then(|t| t.first())
        .is_some_and(|first| YES_WORDS.contains(&first.as_str()))
}

/// The statements of an utterance: its sentences, then each question joined to its short answer
/// ([`Utterance::answered_questions`]); with each, where what counts must reach (0, or the
/// answer's start).
fn statements(u: &Utterance) -> impl Iterator<Item = (&Sentence, usize)> {
    u.sentences
        .iter()
        .map(|s| (s, 0))
        .chain(u.answered_questions.iter().map(|(s, at)| (s, *at)))
}

fn place(utterance: usize, s: &Sentence) -> Place {
    Place {
        utterance,
        sentence: s.index,
        probe: s.probe,
    }
}

/// The screen over a compiled catalogue.
pub(crate) fn screen_window(catalogue: &Catalogue, window: &[Utterance]) -> Vec<Screening> {
    let counts = |place: Place| !place.probe || answered_yes(window, place);
    // Concept presence, read only when a combination asks (most windows fire a trigger or
    // fail a combination's first concept): (concept index) → first words said, once read.
    let mut concepts = ConceptMemo {
        catalogue,
        window,
        found: vec![None; catalogue.concepts.len()],
    };
    let mut out = Vec::new();
    for flag in &catalogue.flags {
        // The flag's exceptions are read only for a flag that fired (they cost time).
        let excepted = || {
            !flag.unless.is_empty()
                && window.iter().any(|u| affirmed_in(&flag.unless, u))
                && !window.iter().any(|u| said_in(&flag.despite, u))
        };
        let mut words: Vec<String> = Vec::new();
        if let Some(w) = first_trigger(flag, window, &counts) {
            words.push(w);
        } else if let Some(combo) = flag
            .combinations
            .iter()
            .find(|combo| combo.iter().all(|k| concepts.said(*k, &counts).is_some()))
        {
            words.extend(
                combo
                    .iter()
                    .filter_map(|k| concepts.said(*k, &counts).map(str::to_owned)),
            );
        } else {
            continue;
        }
        if excepted() {
            continue;
        }
        words.dedup();
        out.push(Screening {
            id: flag.id.clone(),
            titulo: flag.title.clone(),
            produto: flag.product.clone(),
            explicacao: flag.explanation.clone(),
            palavras: words,
        });
    }
    out
}

/// Which concepts a window says, each read the first time a combination asks.
struct ConceptMemo<'a> {
    catalogue: &'a Catalogue,
    window: &'a [Utterance],
    /// `None`: not read yet; `Some(None)`: not said; `Some(Some(words))`: the first words said.
    found: Vec<Option<Option<String>>>,
}

impl ConceptMemo<'_> {
    /// The first words in the window that say concept `k` and count, if any.
    fn said(&mut self, k: usize, counts: &dyn Fn(Place) -> bool) -> Option<&str> {
        if self.found[k].is_none() {
            self.found[k] = Some(self.read(k, counts));
        }
        self.found[k].as_ref().and_then(|w| w.as_deref())
    }

    fn read(&self, k: usize, counts: &dyn Fn(Place) -> bool) -> Option<String> {
        let concept = &self.catalogue.concepts[k];
        for (ui, u) in self.window.iter().enumerate() {
            for (sentence, from) in statements(u) {
                let found = concept.patterns.iter().find_map(|t| {
                    let span = sentence
                        .find_at_every_start(&t.pattern)
                        .into_iter()
                        .find(|s| {
                            s.end > from
                                && !sentence.denied(*s)
                                && (t.pattern.is_negative()
                                    || !crate::spoken::has_negation(
                                        &sentence.tokens[s.start..s.end],
                                    ))
                        })?;
                    // The wording's own exceptions, only once it matched (they cost time).
                    (!excepted_in(&t.unless, sentence, sentence, span)).then_some(span)
                });
                if let Some(span) = found
                    && counts(place(ui, sentence))
                {
                    return Some(sentence.said(span.start, span.end));
                }
            }
        }
        None
    }
}

/// The words of the first trigger of `flag` that counts in the window.
fn first_trigger(
    flag: &Flag,
    window: &[Utterance],
    counts: &dyn Fn(Place) -> bool,
) -> Option<String> {
    // "esqueci a receita", "tomo sertralina mas a receita acabou": the exceptions do not hold
    // (read only when a current-use word stands before a match).
    let despite = || !flag.despite.is_empty() && window.iter().any(|u| said_in(&flag.despite, u));
    for (ui, u) in window.iter().enumerate() {
        for (sentence, from) in statements(u) {
            let t = &sentence.tokens;
            for trigger in &flag.triggers {
                for span in sentence.find_at_every_start(&trigger.pattern) {
                    if span.end <= from {
                        continue; // all of it in the question: the question's own words
                    }
                    // "diarreia sem sangue": a negation inside the match denies it too.
                    let denied_inside = !trigger.pattern.is_negative()
                        && crate::spoken::has_negation(&t[span.start..span.end]);
                    if sentence.denied(span) || denied_inside {
                        continue;
                    }
                    let before = &t[span.start.saturating_sub(3)..span.start];
                    if before.iter().any(|w| flag.not_after.contains(w)) && !despite() {
                        continue;
                    }
                    if !trigger.unless.is_empty() && excepted_at(&trigger.unless, u, sentence, span)
                    {
                        continue;
                    }
                    if counts(place(ui, sentence)) {
                        return Some(sentence.said(span.start, span.end));
                    }
                }
            }
        }
    }
    None
}

/// The verdict for a window's findings, given the product pushed last.
pub(crate) fn verdict(found: Vec<Screening>, last_product: Option<&str>) -> Verdict {
    let same = |p: &str| {
        last_product.is_some_and(|l| crate::catalog::name_key(l) == crate::catalog::name_key(p))
    };
    let mut found = found.into_iter();
    let Some(first) = found.next() else {
        return Verdict::Clear;
    };
    if !same(&first.produto) {
        return Verdict::Intervene(first);
    }
    match found.find(|s| !same(&s.produto)) {
        Some(other) => Verdict::Intervene(other),
        None => Verdict::AlreadySent(first),
    }
}

/// Parses the utterances of a conversation (all of them: the window is already bounded).
pub(crate) fn parse_window(conversation: &Conversation) -> Vec<Utterance> {
    conversation
        .utterances
        .iter()
        .map(|u| Utterance::parse(&u.text))
        .collect()
}
