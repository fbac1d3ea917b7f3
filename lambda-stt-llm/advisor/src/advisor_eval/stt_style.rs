//! Speech-to-text style damage, applied to well-written counter speech: what transcripts of the
//! same words look like. Each transform is a plain function of the text (and a random source
//! where it picks among spellings); none reads the rules.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::rng::SplitMix64;

/// One transform, named for the tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Transform {
    /// Everything lowercase.
    Lowercase,
    /// No punctuation at all (sentence and clause marks gone).
    NoPunctuation,
    /// No accents ("não" → "nao", "cabeça" → "cabeca").
    NoAccents,
    /// Spoken contractions: estou → tô/to, está → tá/ta, para → pra, para o → pro, você → cê,
    /// não → num before a word.
    Contractions,
    /// Numbers said in words written as digits ("trinta e oito" → "38").
    Digits,
    /// Numbers in digits written as words ("38" → "trinta e oito").
    NumberWords,
    /// Chat spellings some engines and people type: que → q, você → vc, também → tb, muito → mt.
    ChatSpelling,
    /// Homophones an engine confuses: mau ↔ mal, há → a.
    Homophones,
}

impl Transform {
    pub const ALL: [Transform; 8] = [
        Transform::Lowercase,
        Transform::NoPunctuation,
        Transform::NoAccents,
        Transform::Contractions,
        Transform::Digits,
        Transform::NumberWords,
        Transform::ChatSpelling,
        Transform::Homophones,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Transform::Lowercase => "minúsculas",
            Transform::NoPunctuation => "sem pontuação",
            Transform::NoAccents => "sem acentos",
            Transform::Contractions => "contrações (tô, tá, pra, cê, num)",
            Transform::Digits => "números em dígitos",
            Transform::NumberWords => "números por extenso",
            Transform::ChatSpelling => "grafia de chat (q, vc, tb)",
            Transform::Homophones => "homófonos (mau/mal, há/a)",
        }
    }
}

/// Applies `t` to `text`.
pub fn apply(t: Transform, text: &str, rng: &mut SplitMix64) -> String {
    match t {
        Transform::Lowercase => text.to_lowercase(),
        Transform::NoPunctuation => strip_punctuation(text),
        Transform::NoAccents => strip_accents(text),
        Transform::Contractions => contractions(text, rng),
        Transform::Digits => digits(text),
        Transform::NumberWords => number_words(text),
        Transform::ChatSpelling => map_words(text, |w| match w {
            "que" => Some("q"),
            "você" | "voce" => Some("vc"),
            "também" | "tambem" => Some("tb"),
            "muito" => Some("mt"),
            "porque" => Some("pq"),
            _ => None,
        }),
        Transform::Homophones => map_words(text, |w| match w {
            "mau" => Some("mal"),
            "mal" => Some("mau"),
            "há" => Some("a"),
            _ => None,
        }),
    }
}

fn strip_punctuation(text: &str) -> String {
    let spaced: String = text
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c.is_whitespace() || c == '-' {
                c
            } else {
                ' '
            }
        })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn strip_accents(text: &str) -> String {
    text.nfd().filter(|c| !is_combining_mark(*c)).collect()
}

/// Splits into words and the separators between them, so word maps keep punctuation.
fn pieces(text: &str) -> Vec<(bool, String)> {
    let mut out: Vec<(bool, String)> = Vec::new();
    for c in text.chars() {
        let word = c.is_alphanumeric();
        match out.last_mut() {
            Some((w, s)) if *w == word => s.push(c),
            _ => out.push((word, c.to_string())),
        }
    }
    out
}

/// Replaces words (matched lowercase), keeping a leading capital.
fn map_words(text: &str, f: impl Fn(&str) -> Option<&'static str>) -> String {
    pieces(text)
        .into_iter()
        .map(|(word, s)| {
            if !word {
                return s;
            }
            let lower = s.to_lowercase();
            match f(&lower) {
                Some(r) if s.chars().next().is_some_and(char::is_uppercase) => capitalize(r),
                Some(r) => r.to_owned(),
                None => s,
            }
        })
        .collect()
}

fn capitalize(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn contractions(text: &str, rng: &mut SplitMix64) -> String {
    let parts = pieces(text);
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < parts.len() {
        let (word, s) = &parts[i];
        if !*word {
            out.push_str(s);
            i += 1;
            continue;
        }
        let lower = s.to_lowercase();
        // "para o" → "pro" when the next word is "o".
        let next_word = parts
            .get(i + 2)
            .filter(|(w, _)| *w)
            .map(|(_, n)| n.to_lowercase());
        let next_sep_is_space = parts.get(i + 1).is_some_and(|(w, sep)| !*w && sep == " ");
        if lower == "para" && next_sep_is_space && matches!(next_word.as_deref(), Some("o" | "os"))
        {
            out.push_str(if next_word.as_deref() == Some("o") {
                "pro"
            } else {
                "pros"
            });
            i += 3;
            continue;
        }
        let replacement: Option<&str> = match lower.as_str() {
            "estou" => Some(*rng.pick(&["tô", "to", "tô", "tou"])),
            "está" | "esta" if rng.chance(0.8) => Some(*rng.pick(&["tá", "ta"])),
            "estava" => Some("tava"),
            "para" => Some("pra"),
            "você" => Some(*rng.pick(&["cê", "ce", "você"])),
            // "não sei" → "num sei": only before another word in the same clause.
            "não" | "nao" if next_sep_is_space && next_word.is_some() && rng.chance(0.5) => {
                Some("num")
            }
            _ => None,
        };
        match replacement {
            Some(r) if s.chars().next().is_some_and(char::is_uppercase) => {
                out.push_str(&capitalize(r));
            }
            Some(r) => out.push_str(r),
            None => out.push_str(s),
        }
        i += 1;
    }
    out
}

const UNITS: [&str; 10] = [
    "", "um", "dois", "três", "quatro", "cinco", "seis", "sete", "oito", "nove",
];
const TEENS: [&str; 10] = [
    "dez",
    "onze",
    "doze",
    "treze",
    "catorze",
    "quinze",
    "dezesseis",
    "dezessete",
    "dezoito",
    "dezenove",
];
const TENS: [&str; 10] = [
    "",
    "",
    "vinte",
    "trinta",
    "quarenta",
    "cinquenta",
    "sessenta",
    "setenta",
    "oitenta",
    "noventa",
];

fn word_value(w: &str) -> Option<u32> {
    let w = strip_accents(w);
    let find = |list: &[&str]| list.iter().position(|x| strip_accents(x) == w);
    if let Some(u) = find(&UNITS).filter(|u| *u >= 2) {
        return Some(u as u32);
    }
    if let Some(t) = find(&TEENS) {
        return Some(10 + t as u32);
    }
    if w == "quatorze" {
        return Some(14);
    }
    find(&TENS).filter(|t| *t >= 2).map(|t| 10 * t as u32)
}

/// "trinta e oito" → "38", "quarenta" → "40", "seis" → "6" ("um/uma" stay: articles).
fn digits(text: &str) -> String {
    let parts = pieces(text);
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < parts.len() {
        let (word, s) = &parts[i];
        let value = if *word {
            word_value(&s.to_lowercase())
        } else {
            None
        };
        let Some(mut n) = value else {
            out.push_str(s);
            i += 1;
            continue;
        };
        let mut used = 1;
        // tens + " e " + unit
        if n >= 20
            && n.is_multiple_of(10)
            && parts.get(i + 2).is_some_and(|(_, e)| e == "e")
            && let Some(u) = parts
                .get(i + 4)
                .and_then(|(_, u)| match u.to_lowercase().as_str() {
                    "um" | "uma" => Some(1),
                    other => word_value(other).filter(|v| *v < 10),
                })
        {
            n += u;
            used = 5;
        }
        out.push_str(&n.to_string());
        i += used;
    }
    out
}

fn in_words(n: u32) -> Option<String> {
    match n {
        2..=9 => Some(UNITS[n as usize].to_owned()),
        10..=19 => Some(TEENS[(n - 10) as usize].to_owned()),
        20..=99 if n.is_multiple_of(10) => Some(TENS[(n / 10) as usize].to_owned()),
        21..=99 => Some(format!(
            "{} e {}",
            TENS[(n / 10) as usize],
            UNITS[(n % 10) as usize]
        )),
        _ => None,
    }
}

/// "38" → "trinta e oito" (2 to 99; other numbers stay).
fn number_words(text: &str) -> String {
    pieces(text)
        .into_iter()
        .map(|(word, s)| {
            if word && let Ok(n) = s.parse::<u32>() {
                return in_words(n).unwrap_or(s);
            }
            s
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(t: Transform, s: &str) -> String {
        apply(t, s, &mut SplitMix64::new(7))
    }

    #[test]
    fn each_transform_does_what_it_says() {
        assert_eq!(run(Transform::Lowercase, "Tô Com FEBRE"), "tô com febre");
        assert_eq!(
            run(Transform::NoPunctuation, "Oi, tudo bem? Tô com febre."),
            "Oi tudo bem Tô com febre"
        );
        assert_eq!(
            run(Transform::NoAccents, "Não, cabeça, pé"),
            "Nao, cabeca, pe"
        );
        let c = run(
            Transform::Contractions,
            "Estou com dor, para o meu filho, para você",
        );
        assert!(c.starts_with('T'), "{c}");
        assert!(c.contains("pro meu filho"), "{c}");
        assert!(c.contains("pra "), "{c}");
        assert_eq!(
            run(
                Transform::Digits,
                "febre de trinta e oito, bebê de quarenta dias, seis anos"
            ),
            "febre de 38, bebê de 40 dias, 6 anos"
        );
        assert_eq!(run(Transform::Digits, "uma dor"), "uma dor");
        assert_eq!(
            run(Transform::NumberWords, "febre de 38 e 2 dias"),
            "febre de trinta e oito e dois dias"
        );
        assert_eq!(
            run(Transform::ChatSpelling, "O que você acha? Também."),
            "O q vc acha? Tb."
        );
        assert_eq!(
            run(Transform::Homophones, "mau jeito há dias"),
            "mal jeito a dias"
        );
    }
}
