//! One utterance split into sentences and clauses of canonical words, with the sentences that
//! are the pharmacist probing the customer ("Você tem febre?", "Tá com falta de ar?").
//!
//! Sentences end at `.`, `!`, `?`, `…`; clauses at `,` `;` `:` brackets, dashes and line breaks,
//! and at adversative conjunctions ("mas", "porém"). Speech-to-text output often has no
//! punctuation at all: the utterance is then one clause, and nothing here depends on the
//! punctuation being there.

use super::canonical::canonicalize;
use balto_core::text::{NormalizeOptions, words, words_with};

/// The most words of an answer read together with the question before it: an answer that
/// leans on the question is short ("Tá afundada.", "Bastante sangue, e tô fraco."); a longer
/// statement after a question starts a topic of its own.
const SHORT_ANSWER: usize = 10;

/// The most words of a longer answer's first clause read with the question: the reply that
/// opens it ("O senhor tem a receita? Não tenho não, é que eu sempre tomo quando…").
const SHORT_REPLY: usize = 4;

/// A question (the pharmacist's probe or not) and the answer that follows it as one statement of
/// the customer's, and where the answer starts in it. The answer begins a clause of its own, so
/// a "não" there denies only what it says ("Tem sangue? Não.").
fn question_with_answer(question: &Sentence, answer: &Sentence) -> (Sentence, usize) {
    let at = question.tokens.len();
    let tokens: Vec<String> = question
        .tokens
        .iter()
        .chain(&answer.tokens)
        .cloned()
        .collect();
    let joined = Sentence {
        words: super::WordIndex::of(&tokens),
        tokens,
        display: question
            .display
            .iter()
            .chain(&answer.display)
            .cloned()
            .collect(),
        clause_starts: question
            .clause_starts
            .iter()
            .copied()
            .chain(answer.clause_starts.iter().map(|c| c + at))
            .collect(),
        index: answer.index,
        question: false,
        probe: false,
    };
    (joined, at)
}

/// Words that end a clause (negation does not cross them).
pub(super) const CLAUSE_BREAKS: &[&str] = &["mas", "porem", "entretanto", "contudo", "todavia"];

/// One clause: canonical words and, parallel to them, the words as said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Clause {
    pub tokens: Vec<String>,
    pub display: Vec<String>,
    /// Index of the sentence it belongs to.
    pub sentence: usize,
    /// The sentence ends in "?".
    pub question: bool,
}

/// One sentence: its clauses' words in a row, so a pattern can span a comma ("o vidro de
/// xarope vazio, ele tomou tudo"), while negation still stops at the clause's start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sentence {
    pub tokens: Vec<String>,
    pub display: Vec<String>,
    /// Where each clause starts in `tokens`, ascending, the first 0.
    pub clause_starts: Vec<usize>,
    pub index: usize,
    /// The sentence ends in "?".
    pub question: bool,
    pub probe: bool,
    /// The words' starts ([`super::WordIndex`]), so a pattern that cannot match is skipped.
    pub words: super::WordIndex,
}

impl Sentence {
    /// The sentence's first `n` words, as a sentence of one clause.
    fn first_words(&self, n: usize) -> Sentence {
        let tokens = self.tokens[..n.min(self.tokens.len())].to_vec();
        Sentence {
            words: super::WordIndex::of(&tokens),
            display: self.display[..n.min(self.display.len())].to_vec(),
            tokens,
            clause_starts: vec![0],
            index: self.index,
            question: self.question,
            probe: self.probe,
        }
    }

    /// Every match of `p` in the sentence ([`Pattern::find_all`]).
    pub fn find(&self, p: &super::Pattern) -> Vec<super::Span> {
        p.find_all_signed(&self.tokens, &self.words)
    }

    /// The shortest match of `p` at every start, overlapping ones included
    /// ([`Pattern::find_every_start_signed`]).
    pub fn find_at_every_start(&self, p: &super::Pattern) -> Vec<super::Span> {
        p.find_every_start_signed(&self.tokens, &self.words)
    }

    /// True when `p` matches somewhere in the sentence.
    pub fn holds(&self, p: &super::Pattern) -> bool {
        p.is_in_signed(&self.tokens, &self.words)
    }

    /// The words `start..end` as said, joined.
    pub fn said(&self, start: usize, end: usize) -> String {
        let end = end.min(self.display.len());
        self.display[start.min(end)..end].join(" ")
    }

    fn clause_start(&self, at: usize) -> usize {
        self.clause_starts
            .iter()
            .copied()
            .take_while(|s| *s <= at)
            .last()
            .unwrap_or(0)
    }

    /// True when words `a` and `b` are in the same clause.
    pub fn same_clause(&self, a: usize, b: usize) -> bool {
        self.clause_start(a) == self.clause_start(b)
    }

    /// True when what starts at `start` is negated within its clause.
    pub fn negated(&self, start: usize) -> bool {
        let from = self.clause_start(start);
        super::is_negated(&self.tokens[from..], start - from)
    }

    /// True when the match is denied: negated before it, or named first — at its clause's
    /// start or after a word that does not govern it — and denied right after ("dor no peito eu
    /// não tenho", "a tosse pegou forte falta de ar não tenho"; not "tô com dor no peito não
    /// tenho nada").
    pub fn denied(&self, span: super::Span) -> bool {
        const GOVERNING: &[&str] = &[
            "com", "de", "uma", "um", "sentindo", "sinto", "sente", "tenho", "tem", "estou",
            "esta", "muita", "muito", "sentiu", "senti", "teve", "tive",
        ];
        let named_first = self.clause_start(span.start) == span.start
            || span.start == 0
            || !GOVERNING.contains(&self.tokens[span.start - 1].as_str());
        // "não consegue beber nada": a sign that says a negation itself takes "nada" as its
        // object; only a sign named plainly is waved away by it ("fezes escuras? nada").
        let says_a_negation = super::has_negation(&self.tokens[span.start..span.end]);
        self.negated(span.start)
            || (named_first && super::is_denied_after(&self.tokens, span.end))
            || (!says_a_negation && super::is_waved_away_after(&self.tokens, span.end))
    }

    /// True when the match is asserted: not denied, and no negation inside it ("o médico não
    /// passou").
    pub fn affirmed(&self, span: super::Span) -> bool {
        !self.denied(span) && !super::has_negation(&self.tokens[span.start..span.end])
    }
}

/// An utterance split into clauses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Utterance {
    pub clauses: Vec<Clause>,
    /// Sentences that are the pharmacist probing the customer.
    pub probe_sentences: Vec<usize>,
    pub sentences: Vec<Sentence>,
    /// Each question followed by a short answer in this utterance, read as one statement ("E a
    /// moleira? Tá afundada." says "a moleira tá afundada"), with where the answer starts: what
    /// counts there is a match that reaches into the answer.
    pub answered_questions: Vec<(Sentence, usize)>,
}

impl Utterance {
    /// Splits and normalises one transcript.
    pub fn parse(text: &str) -> Utterance {
        let mut clauses: Vec<Clause> = Vec::new();
        let mut probe_sentences = Vec::new();
        for (sentence, (raw, question)) in sentences(text).into_iter().enumerate() {
            let first = clauses.len();
            // The whole sentence is read at once (a filler or a number may sit across a
            // comma: "de um, tipo, mês"), then cut back into its comma parts.
            let mut plain: Vec<String> = Vec::new();
            let mut shown: Vec<String> = Vec::new();
            let mut part_of: Vec<usize> = Vec::new();
            for (k, part) in raw
                .split([',', ';', ':', '\n', '(', ')', '—', '–'])
                .enumerate()
            {
                let p = words(part);
                let kept = words_with(
                    part,
                    NormalizeOptions {
                        strip_accents: false,
                    },
                );
                let s = if kept.len() == p.len() {
                    kept
                } else {
                    p.clone()
                };
                part_of.extend(std::iter::repeat_n(k, p.len()));
                plain.extend(p);
                shown.extend(s);
            }
            let mut canon = canonicalize(&plain, &shown);
            super::figurative::blank_figures(&mut canon);
            let mut start = 0;
            for i in 0..=canon.len() {
                let at_break = i < canon.len()
                    && (CLAUSE_BREAKS.contains(&canon[i].canon.as_str())
                        || (i > start && part_of[canon[i].from] != part_of[canon[i - 1].from]));
                if i == canon.len() || at_break {
                    if i > start {
                        clauses.push(Clause {
                            tokens: canon[start..i].iter().map(|w| w.canon.clone()).collect(),
                            display: canon[start..i].iter().map(|w| w.shown.clone()).collect(),
                            sentence,
                            question,
                        });
                    }
                    // A clause-break word is dropped; a comma boundary keeps its word.
                    start = if i < canon.len() && CLAUSE_BREAKS.contains(&canon[i].canon.as_str()) {
                        i + 1
                    } else {
                        i
                    };
                }
            }
            if question && is_probe(&clauses[first..]) {
                probe_sentences.push(sentence);
            }
        }
        let mut sentences: Vec<Sentence> = Vec::new();
        for c in &clauses {
            if sentences.last().is_none_or(|s| s.index != c.sentence) {
                sentences.push(Sentence {
                    tokens: Vec::new(),
                    display: Vec::new(),
                    clause_starts: Vec::new(),
                    index: c.sentence,
                    question: c.question,
                    probe: probe_sentences.contains(&c.sentence),
                    words: super::WordIndex::default(),
                });
            }
            if let Some(s) = sentences.last_mut() {
                s.clause_starts.push(s.tokens.len());
                s.tokens.extend(c.tokens.iter().cloned());
                s.display.extend(c.display.iter().cloned());
            }
        }
        for s in &mut sentences {
            s.words = super::WordIndex::of(&s.tokens);
        }
        let answered_questions = sentences
            .windows(2)
            .filter(|pair| pair[0].question && !pair[1].question)
            .filter_map(|pair| {
                let (question, answer) = (&pair[0], &pair[1]);
                if answer.tokens.len() <= SHORT_ANSWER {
                    return Some(question_with_answer(question, answer));
                }
                let reply = *answer.clause_starts.get(1)?;
                (reply <= SHORT_REPLY)
                    .then(|| question_with_answer(question, &answer.first_words(reply)))
            })
            .collect();
        Utterance {
            clauses,
            probe_sentences,
            sentences,
            answered_questions,
        }
    }

    /// Every canonical word, in order.
    pub fn all_tokens(&self) -> Vec<String> {
        self.clauses
            .iter()
            .flat_map(|c| c.tokens.iter().cloned())
            .collect()
    }
}

/// Splits raw text into sentences at `.`, `!`, `?`, `…`; the flag says the sentence is a question.
fn sentences(text: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // "38.5": a point between digits is a decimal point.
            '.' if cur.chars().last().is_some_and(|p| p.is_ascii_digit())
                && chars.peek().is_some_and(|n| n.is_ascii_digit()) =>
            {
                cur.push(' ');
            }
            // A hesitation ("tô… sem… ar", "ele tá... sem ar"): an ellipsis followed by a
            // lowercase word goes on with the same sentence, as speech-to-text writes pauses.
            '…' | '.' if is_hesitation(c, &mut chars) => cur.push(' '),
            '.' | '!' | '?' | '…' => {
                if !cur.trim().is_empty() {
                    out.push((std::mem::take(&mut cur), c == '?'));
                } else {
                    cur.clear();
                    // "…?" or "?!" after a sentence: the question mark still counts.
                    if c == '?'
                        && let Some(last) = out.last_mut()
                    {
                        last.1 = true;
                    }
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        out.push((cur, false));
    }
    out
}

/// True at an ellipsis (`…`, or the first point of `..`) whose next word starts in lowercase;
/// consumes the ellipsis's remaining points.
fn is_hesitation(c: char, chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> bool {
    if c == '.' && chars.peek() != Some(&'.') {
        return false;
    }
    let next_word = chars
        .clone()
        .find(|n| !matches!(n, '.' | '…' | ' ' | '\'' | '"' | ','));
    if !next_word.is_some_and(|n| n.is_lowercase()) {
        return false;
    }
    while chars.next_if(|n| *n == '.' || *n == '…').is_some() {}
    true
}

/// A question addressed to the customer ("Você tem febre?", "Tá com falta de ar?", "Sente dor no
/// peito?"), as opposed to the customer's own question to the pharmacist ("o que você
/// recomenda?", "tem alguma coisa pra febre?", "tô com dor, o que eu tomo?"). Strict on purpose:
/// a probe's findings count only once answered, so a customer's words taken for a probe would be
/// lost.
fn is_probe(clauses: &[Clause]) -> bool {
    // "Vocês" addresses the pharmacy (the customer speaking), so it is not listed.
    const ADDRESS: &[&str] = &["voce", "senhor", "senhora", "sr", "sra"];
    const PROBE_VERBS: &[&str] = &[
        "sente", "sentiu", "teve", "esta", "estava", "toma", "tomou", "usa", "usou", "tem",
        "costuma", "ja", "ficou", "fez",
    ];
    // "Tem febre?" probes; "Tem alguma coisa pra febre?" asks for something.
    const SYMPTOM_NOUNS: &[&str] = &[
        "febre",
        "tosse",
        "dor",
        "dores",
        "falta",
        "alergia",
        "catarro",
        "diarreia",
        "enjoo",
        "sangue",
        "nausea",
        "coceira",
        "pressao",
        "vomito",
        "inchaco",
        "sangramento",
        "tontura",
        "diabetes",
        "asma",
        "bronquite",
        "gastrite",
        "problema",
        "doenca",
        "hipertensao",
        "colesterol",
    ];
    // The customer speaking about themselves or asking for advice.
    const CUSTOMER_WORDS: &[&str] = &[
        "eu",
        "meu",
        "minha",
        "meus",
        "minhas",
        "estou",
        "tenho",
        "me",
        "mim",
        "comigo",
        "queria",
        "quero",
        "gostaria",
        "preciso",
        "precisava",
        "recomenda",
        "indica",
        "sugere",
        "aconselha",
        "acha",
        "algum",
        "alguma",
        "algo",
        "remedio",
        "bom",
        "melhor",
        "ajudar",
        "ajuda",
        "posso",
        "devo",
        "faco",
        "tomo",
        "uso",
        "quanto",
        "vende",
        "vendem",
        "voces",
    ];
    // A sign asked about bare, as pharmacists screen: "Falta de ar?", "Dor no peito indo pro
    // braço?", "Algum sangramento, dor de cabeça forte?", "Vomitou sangue?".
    const SIGN_WORDS: &[&str] = &[
        "falta",
        "dor",
        "dores",
        "sangue",
        "sangramento",
        "sangrou",
        "febre",
        "vomito",
        "vomitou",
        "inchou",
        "inchaco",
        "chiado",
        "catarro",
        "manchas",
        "tontura",
        "desmaio",
        "desmaiou",
        "convulsao",
        "fezes",
        "rigidez",
        "pus",
    ];
    let all: Vec<&str> = clauses
        .iter()
        .flat_map(|c| c.tokens.iter().map(String::as_str))
        .collect();
    let sign_first = match all.as_slice() {
        ["algum" | "alguma" | "e" | "com", next, ..] => SIGN_WORDS.contains(next),
        [first, ..] => SIGN_WORDS.contains(first),
        [] => false,
    };
    if sign_first
        && all.len() <= 10
        && !all.iter().any(|t| {
            (CUSTOMER_WORDS.contains(t) && !matches!(*t, "algum" | "alguma"))
                || matches!(*t, "tem" | "teria" | "serve" | "pode" | "passa" | "resolve")
        })
    {
        return true;
    }
    if all.is_empty() || all.len() > 10 || all.iter().any(|t| CUSTOMER_WORDS.contains(t)) {
        return false;
    }
    let mut rest: &[&str] = &all;
    // "O senhor…", "A senhora…".
    if let [article, ..] = rest
        && matches!(*article, "o" | "a")
        && rest.get(1).is_some_and(|t| ADDRESS.contains(t))
    {
        rest = &rest[1..];
    }
    match rest {
        // "O senhor tem zolpidem?" asks the pharmacy for something; "você tem febre?" probes.
        [who, "tem", next, ..] if ADDRESS.contains(who) => SYMPTOM_NOUNS.contains(next),
        [who, verb, ..] if ADDRESS.contains(who) => PROBE_VERBS.contains(verb),
        ["tem", next, ..] => SYMPTOM_NOUNS.contains(next),
        [first, ..] => PROBE_VERBS.contains(first) && *first != "tem",
        [] => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utterances_split_into_clauses_of_canonical_words() {
        let u = Utterance::parse("Não tenho febre, mas tô com tosse. Você tem falta de ar?");
        let texts: Vec<String> = u.clauses.iter().map(|c| c.tokens.join(" ")).collect();
        assert_eq!(
            texts,
            vec!["nao tenho febre", "estou com tosse", "voce tem falta de ar"]
        );
        assert!(u.sentences[1].probe);
        assert!(!u.sentences[0].probe);
        assert_eq!(u.clauses[1].display[0], "tô");
        assert_eq!(u.clauses[0].display[0], "Não".to_lowercase());
    }

    #[test]
    fn the_customers_own_questions_are_not_probes() {
        for text in [
            "Tô com dor de cabeça e febre desde ontem, o que você recomenda?",
            "Tem alguma coisa pra dor de cabeça?",
            "Dor no peito que vai pro braço, o que você acha?",
            "Tá com febre desde ontem, o que eu dou pra ela?",
            "Você tem alguma coisa pra febre?",
            "tem repelente?",
            "O senhor tem zolpidem?",
            "a senhora tem dipirona em gotas?",
            "Dor de cabeça, o que eu tomo?",
            "Febre alta, tem dipirona?",
            "dor no peito, o que você recomenda?",
        ] {
            let u = Utterance::parse(text);
            assert!(u.probe_sentences.is_empty(), "{text}");
        }
        for text in [
            "Tem febre?",
            "Você tem falta de ar?",
            "Tá com falta de ar?",
            "O senhor toma anticoagulante?",
            "Sente dor no peito?",
            "A senhora tem diabetes?",
            "Falta de ar?",
            "Dor no peito indo pro braço?",
            "Algum sangramento, dor de cabeça forte?",
            "Vomitou sangue?",
        ] {
            let u = Utterance::parse(text);
            assert_eq!(u.probe_sentences, vec![0], "{text}");
        }
    }

    #[test]
    fn sentences_join_clauses_but_negation_stops_at_the_clause() {
        let u = Utterance::parse("Não tenho febre, mas tô com tosse, o vidro vazio. Você tem dor?");
        assert_eq!(u.sentences.len(), 2);
        let s = &u.sentences[0];
        assert_eq!(
            s.tokens.join(" "),
            "nao tenho febre estou com tosse o vidro vazio"
        );
        assert_eq!(s.clause_starts, vec![0, 3, 6]);
        assert!(s.negated(2));
        assert!(!s.negated(5));
        assert!(u.sentences[1].probe);
    }

    #[test]
    fn sentences_keep_decimals_and_late_question_marks() {
        assert_eq!(
            sentences("febre de 38.5 desde ontem. e agora?"),
            vec![
                ("febre de 38 5 desde ontem".to_owned(), false),
                (" e agora".to_owned(), true)
            ]
        );
        assert_eq!(sentences("é grave…?"), vec![("é grave".to_owned(), true)]);
        assert!(sentences(" ?!. ").is_empty());
    }

    #[test]
    fn an_ellipsis_before_a_lowercase_word_is_a_pause_not_a_full_stop() {
        for text in [
            "ele só respondia 'tô... sem... ar'",
            "ele tá… sem… ar",
            "tô..sem ar",
        ] {
            assert_eq!(sentences(text).len(), 1, "{text}");
        }
        // Before a capital, or at the end, it still ends the sentence.
        assert_eq!(sentences("Tô com tosse... Ele tem febre...").len(), 2);
        assert_eq!(sentences("tô com tosse… Tem xarope?").len(), 2);
        // One point before a lowercase word is still a full stop.
        assert_eq!(sentences("não tenho febre. tô com tosse").len(), 2);
        let u = Utterance::parse("Liguei pro meu irmão e ele só respondia 'tô... sem... ar'.");
        assert_eq!(u.sentences.len(), 1);
    }
}
