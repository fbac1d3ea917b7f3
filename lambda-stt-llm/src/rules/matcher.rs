//! Token patterns and negation for the rules advisor.
//!
//! An utterance is split into clauses (at punctuation and at "mas"/"porém"), each a list of
//! normalized tokens (see [`crate::text`]). A [`Pattern`] is written in normalized Portuguese,
//! space-separated: a plain token matches itself, `abc*` matches any token starting with `abc`,
//! `a|b*` is an alternative, and `~` skips zero to two tokens ("dor ~ peito" matches "dor forte
//! no peito"). A match is *negated* when a negation cue ("não", "sem", "nem", "nunca",
//! "nenhum"…) comes before it in the same clause with only linking words in between ("não
//! tenho febre", "sem tosse", "nem dor", "não estou com nenhuma dor").

use crate::text::{NormalizeOptions, normalize};

/// Words that negate what follows.
const NEGATION_CUES: &[&str] = &[
    "nao", "sem", "nem", "nunca", "nenhum", "nenhuma", "jamais", "nada",
];

/// Words that may sit between a negation cue and what it negates.
const BRIDGE_WORDS: &[&str] = &[
    "tenho",
    "tem",
    "tive",
    "teve",
    "tinha",
    "to",
    "tou",
    "estou",
    "esta",
    "ta",
    "estava",
    "sinto",
    "senti",
    "sente",
    "sentiu",
    "sentindo",
    "com",
    "de",
    "da",
    "do",
    "das",
    "dos",
    "a",
    "o",
    "as",
    "os",
    "um",
    "uma",
    "e",
    "mais",
    "muito",
    "muita",
    "tanta",
    "tanto",
    "nenhum",
    "nenhuma",
    "nada",
    "sinal",
    "sinais",
    "sintoma",
    "sintomas",
    "ele",
    "ela",
    "eu",
    "ficou",
    "fiquei",
    "apresentou",
    "apresenta",
    "deu",
    "houve",
    "precisa",
    "preciso",
    "mesmo",
    "nunca",
    "tido",
    "sentido",
    "aparece",
    "apareceu",
    "no",
    "na",
    "nos",
    "nas",
    "em",
    "ainda",
    "mais",
];

/// Tokens that end a clause (negation does not cross them).
const CLAUSE_BREAKS: &[&str] = &["mas", "porem", "entretanto", "contudo", "todavia"];

/// One clause of an utterance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Clause {
    /// Normalized tokens (accents stripped).
    pub tokens: Vec<String>,
    /// The same tokens with accents kept (for explanations); same length as `tokens`.
    pub display: Vec<String>,
    /// The clause belongs to a sentence ending in "?".
    pub question: bool,
}

/// An utterance split into clauses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Utterance {
    pub clauses: Vec<Clause>,
    /// Sentences that look like the pharmacist probing ("Você está com falta de ar?"): their
    /// clause indices.
    pub probe_clauses: Vec<usize>,
}

impl Utterance {
    /// Splits and normalizes one transcript.
    pub fn parse(text: &str) -> Utterance {
        let mut clauses = Vec::new();
        let mut probe_clauses = Vec::new();
        for (sentence, question) in sentences(text) {
            let first = clauses.len();
            for part in sentence.split([',', ';', ':', '\n', '(', ')', '—', '–']) {
                let tokens = crate::text::words(part);
                let kept = crate::text::words_with(
                    part,
                    NormalizeOptions {
                        strip_accents: false,
                    },
                );
                let display = if kept.len() == tokens.len() {
                    kept
                } else {
                    tokens.clone()
                };
                // Split further at adversative conjunctions.
                let mut start = 0;
                for i in 0..=tokens.len() {
                    let is_break = i < tokens.len() && CLAUSE_BREAKS.contains(&tokens[i].as_str());
                    if i == tokens.len() || is_break {
                        if i > start {
                            clauses.push(Clause {
                                tokens: tokens[start..i].to_vec(),
                                display: display[start..i].to_vec(),
                                question,
                            });
                        }
                        start = i + 1;
                    }
                }
            }
            if question && is_probe(&clauses[first..]) {
                probe_clauses.extend(first..clauses.len());
            }
        }
        Utterance {
            clauses,
            probe_clauses,
        }
    }

    /// True when clause `i` is part of a probing question.
    pub fn is_probe(&self, i: usize) -> bool {
        self.probe_clauses.contains(&i)
    }
}

/// Splits raw text into sentences at `.`, `!`, `?`, `…`; the flag says the sentence is a question.
fn sentences(text: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        match c {
            '.' | '!' | '?' | '…' => {
                if !cur.trim().is_empty() {
                    out.push((std::mem::take(&mut cur), c == '?'));
                } else {
                    cur.clear();
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

/// A question addressed to the customer ("Você tem febre?", "Sente falta de ar?").
fn is_probe(clauses: &[Clause]) -> bool {
    // "Vocês" addresses the pharmacy (the customer speaking), so it is not listed.
    const SECOND_PERSON: &[&str] = &["voce", "ce", "senhor", "senhora", "sr", "sra"];
    const PROBE_STARTS: &[&str] = &[
        "sente", "sentiu", "teve", "esta", "ta", "quer", "deseja", "toma", "usa", "tomou",
    ];
    // "Tem febre?" probes; "Tem alguma coisa pra febre?" or "Tem como vender…?" asks.
    const SYMPTOM_NOUNS: &[&str] = &[
        "febre", "tosse", "dor", "dores", "falta", "alergia", "catarro", "diarreia", "enjoo",
        "sangue", "nausea", "coceira", "pressao", "vomito", "inchaco",
    ];
    let first_tokens: Vec<&str> = clauses
        .first()
        .map(|c| c.tokens.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let second_person = clauses
        .iter()
        .flat_map(|c| c.tokens.iter())
        .any(|t| SECOND_PERSON.contains(&t.as_str()));
    let starts_probe = match first_tokens.as_slice() {
        ["tem", next, ..] => SYMPTOM_NOUNS.contains(next),
        [first, ..] => PROBE_STARTS.contains(first),
        [] => false,
    };
    second_person || starts_probe
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Alt {
    Exact(String),
    Prefix(String),
}

impl Alt {
    fn matches(&self, token: &str) -> bool {
        match self {
            Alt::Exact(s) => token == s,
            Alt::Prefix(p) => token.starts_with(p.as_str()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Token(Vec<Alt>),
    /// Skip 0..=2 arbitrary tokens.
    Gap,
}

/// A compiled token pattern (syntax in the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pattern {
    steps: Vec<Step>,
}

/// Where a pattern matched inside a clause: tokens `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
}

impl Pattern {
    /// Compiles a pattern; its words are normalized the same way as the text.
    pub fn new(source: &str) -> Pattern {
        let steps = source
            .split_whitespace()
            .map(|word| {
                if word == "~" {
                    Step::Gap
                } else {
                    Step::Token(
                        word.split('|')
                            .map(|alt| {
                                let prefix = alt.ends_with('*');
                                let body = normalize(
                                    alt.trim_end_matches('*'),
                                    NormalizeOptions::default(),
                                );
                                if prefix {
                                    Alt::Prefix(body)
                                } else {
                                    Alt::Exact(body)
                                }
                            })
                            .collect(),
                    )
                }
            })
            .collect();
        Pattern { steps }
    }

    /// Every non-overlapping match in `tokens`, left to right (the shortest at each start).
    pub fn find_all(&self, tokens: &[String]) -> Vec<Span> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            if let Some(end) = self.match_at(tokens, i, 0) {
                out.push(Span { start: i, end });
                i = end.max(i + 1);
            } else {
                i += 1;
            }
        }
        out
    }

    fn match_at(&self, tokens: &[String], pos: usize, step: usize) -> Option<usize> {
        let Some(s) = self.steps.get(step) else {
            return Some(pos);
        };
        match s {
            Step::Token(alts) => {
                let t = tokens.get(pos)?;
                if alts.iter().any(|a| a.matches(t)) {
                    self.match_at(tokens, pos + 1, step + 1)
                } else {
                    None
                }
            }
            Step::Gap => (0..=2).find_map(|skip| {
                if pos + skip <= tokens.len() {
                    self.match_at(tokens, pos + skip, step + 1)
                } else {
                    None
                }
            }),
        }
    }
}

/// True when the tokens before `start` negate what starts there.
pub(crate) fn is_negated(tokens: &[String], start: usize) -> bool {
    let mut j = start;
    let mut steps = 0;
    while j > 0 && steps < 5 {
        j -= 1;
        steps += 1;
        let t = tokens[j].as_str();
        if NEGATION_CUES.contains(&t) {
            return true;
        }
        if !BRIDGE_WORDS.contains(&t) {
            return false;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        crate::text::words(s)
    }

    #[test]
    fn patterns_match_exact_prefix_alternatives_and_gaps() {
        let p = Pattern::new("dor ~ peito");
        assert_eq!(p.find_all(&toks("dor no peito")).len(), 1);
        assert_eq!(p.find_all(&toks("uma dor forte no peito")).len(), 1);
        assert!(
            p.find_all(&toks("dor de cabeça e depois no peito"))
                .is_empty()
        );
        let q = Pattern::new("olho|olhos vermelh*|irritad*");
        assert_eq!(q.find_all(&toks("olhos vermelhos")).len(), 1);
        assert_eq!(q.find_all(&toks("olho irritado")).len(), 1);
        assert!(q.find_all(&toks("olho seco")).is_empty());
        let r = Pattern::new("cabeça");
        assert_eq!(
            r.find_all(&toks("Cabeça, cabeca")),
            vec![Span { start: 0, end: 1 }, Span { start: 1, end: 2 }]
        );
    }

    #[test]
    fn negation_needs_a_cue_and_only_linking_words() {
        let t = toks("não tenho febre");
        assert!(is_negated(&t, 2));
        let t = toks("estou sem tosse");
        assert!(is_negated(&t, 2));
        let t = toks("nem dor");
        assert!(is_negated(&t, 1));
        let t = toks("não estou com nenhuma dor");
        assert!(is_negated(&t, 4));
        let t = toks("não sei o que tomar pra dor");
        assert!(!is_negated(&t, 6));
        let t = toks("não passa essa dor");
        assert!(!is_negated(&t, 3));
        let t = toks("tenho febre");
        assert!(!is_negated(&t, 1));
    }

    #[test]
    fn utterances_split_into_clauses_and_detect_probes() {
        let u = Utterance::parse("Não tenho febre, mas estou com tosse. Você tem falta de ar?");
        let texts: Vec<String> = u.clauses.iter().map(|c| c.tokens.join(" ")).collect();
        assert_eq!(
            texts,
            vec!["nao tenho febre", "estou com tosse", "voce tem falta de ar"]
        );
        assert!(u.is_probe(2));
        assert!(!u.is_probe(1));
        assert_eq!(u.clauses[0].display[0], "não");
        let ask = Utterance::parse("Tem alguma coisa pra dor de cabeça?");
        assert!(ask.probe_clauses.is_empty());
        let probe = Utterance::parse("Tem febre?");
        assert_eq!(probe.probe_clauses, vec![0]);
    }
}
