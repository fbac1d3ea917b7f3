//! Portuguese text normalization (case, accents, punctuation) shared by advisors and WER.
//!
//! [`normalize`] lowercases, optionally strips accents (NFD, then drops combining marks, so
//! "Ação" becomes "acao" and "ç" becomes "c"), turns every character that is neither a letter nor
//! a digit into a space, and collapses whitespace. [`words`] splits the result into tokens.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// How [`normalize`] treats accents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NormalizeOptions {
    /// Drop diacritics ("não" → "nao"). Matching wants this; a WER that counts accent errors
    /// does not.
    pub strip_accents: bool,
}

impl Default for NormalizeOptions {
    /// Accents stripped.
    fn default() -> Self {
        NormalizeOptions {
            strip_accents: true,
        }
    }
}

/// Lowercases, optionally strips accents (NFKD, so "2ª" also becomes "2a"), maps punctuation and symbols to spaces and collapses
/// whitespace. The result has no leading or trailing space.
pub fn normalize(text: &str, options: NormalizeOptions) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    let mut push = |c: char, out: &mut String| {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        } else if is_combining_mark(c) {
            // Only reached when accents are kept: a mark that did not compose stays on its letter.
            if !pending_space && !out.is_empty() {
                out.push(c);
            }
        } else {
            pending_space = true;
        }
    };
    if options.strip_accents {
        for c in text.chars().flat_map(char::to_lowercase) {
            for d in std::iter::once(c).nfkd() {
                if !is_combining_mark(d) {
                    push(d, &mut out);
                }
            }
        }
    } else {
        // Compose first so "não" typed with a combining tilde equals the precomposed one.
        for c in text.nfc().flat_map(char::to_lowercase) {
            push(c, &mut out);
        }
    }
    out
}

/// The words of `text` after [`normalize`] with accents stripped.
pub fn words(text: &str) -> Vec<String> {
    words_with(text, NormalizeOptions::default())
}

/// The words of `text` after [`normalize`] with the given options.
pub fn words_with(text: &str, options: NormalizeOptions) -> Vec<String> {
    normalize(text, options)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRIP: NormalizeOptions = NormalizeOptions {
        strip_accents: true,
    };
    const KEEP: NormalizeOptions = NormalizeOptions {
        strip_accents: false,
    };

    #[test]
    fn lowercases_and_strips_accents() {
        assert_eq!(
            normalize("Estou com DOR de cabeça, não é?", STRIP),
            "estou com dor de cabeca nao e"
        );
        assert_eq!(
            normalize("Ação, coração; órgão!", STRIP),
            "acao coracao orgao"
        );
        assert_eq!(normalize("ÂNSIA à noite", STRIP), "ansia a noite");
    }

    #[test]
    fn keeps_accents_when_asked() {
        assert_eq!(normalize("Não TÔ bem...", KEEP), "não tô bem");
        // A decomposed "ã" (a + combining tilde) equals the precomposed one.
        assert_eq!(normalize("na\u{303}o", KEEP), "não");
    }

    #[test]
    fn punctuation_becomes_space_and_whitespace_collapses() {
        assert_eq!(
            normalize("  dor-de-cabeça...\n\tfebre (38,5°C)  ", STRIP),
            "dor de cabeca febre 38 5 c"
        );
        assert_eq!(normalize("", STRIP), "");
        assert_eq!(normalize(" ,.;!? ", STRIP), "");
    }

    #[test]
    fn keeps_digits_and_ordinals() {
        assert_eq!(
            normalize("Dipirona 500mg, 2ª dose", STRIP),
            "dipirona 500mg 2a dose"
        );
    }

    #[test]
    fn words_split_normalized_text() {
        assert_eq!(
            words("Meu filho, de 2 anos, está tossindo!"),
            vec!["meu", "filho", "de", "2", "anos", "esta", "tossindo"]
        );
        assert!(words("...").is_empty());
        assert_eq!(words_with("Você", KEEP), vec!["você"]);
    }
}
