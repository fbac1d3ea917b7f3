//! Word and character error rates (WER, CER) and agreement between two transcripts.
//!
//! Both texts are first normalized with [`crate::text::normalize`] (lowercase, punctuation to
//! spaces, accents stripped or kept). WER is the Levenshtein distance between the word sequences
//! (substitutions + deletions + insertions) divided by the number of reference words; CER is the
//! same on the characters of the normalized text (single spaces between words count as
//! characters). [`agreement`] compares two hypotheses symmetrically: 1 − distance / longer length.

use crate::text::{NormalizeOptions, normalize, words_with};

/// Edit distance between `reference` and `hypothesis` and the rate it gives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErrorRate {
    /// Substitutions + deletions + insertions.
    pub edits: usize,
    /// Tokens (words or characters) in the normalized reference.
    pub reference_len: usize,
    /// `edits / reference_len`; with an empty reference, 0 when the hypothesis is empty too and
    /// 1 otherwise. May exceed 1 (many insertions).
    pub rate: f64,
}

impl ErrorRate {
    fn new(edits: usize, reference_len: usize) -> ErrorRate {
        let rate = if reference_len == 0 {
            if edits == 0 { 0.0 } else { 1.0 }
        } else {
            edits as f64 / reference_len as f64
        };
        ErrorRate {
            edits,
            reference_len,
            rate,
        }
    }
}

/// Levenshtein distance between two token sequences (unit costs), in O(len(b)) memory.
pub fn levenshtein<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, x) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, y) in b.iter().enumerate() {
            let substitution = prev[j] + usize::from(x != y);
            cur[j + 1] = substitution.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Word error rate of `hypothesis` against `reference`, after normalization.
pub fn wer(reference: &str, hypothesis: &str, options: NormalizeOptions) -> ErrorRate {
    let r = words_with(reference, options);
    let h = words_with(hypothesis, options);
    ErrorRate::new(levenshtein(&r, &h), r.len())
}

/// Character error rate of `hypothesis` against `reference`, after normalization.
pub fn cer(reference: &str, hypothesis: &str, options: NormalizeOptions) -> ErrorRate {
    let r: Vec<char> = normalize(reference, options).chars().collect();
    let h: Vec<char> = normalize(hypothesis, options).chars().collect();
    ErrorRate::new(levenshtein(&r, &h), r.len())
}

/// Word-level agreement of two transcripts in [0, 1]: 1 − distance / max(len a, len b) after
/// normalization; 1 when both are empty. Symmetric, unlike WER.
pub fn agreement(a: &str, b: &str, options: NormalizeOptions) -> f64 {
    let a = words_with(a, options);
    let b = words_with(b, options);
    let longer = a.len().max(b.len());
    if longer == 0 {
        return 1.0;
    }
    1.0 - levenshtein(&a, &b) as f64 / longer as f64
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

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn levenshtein_by_hand() {
        let k: Vec<char> = "kitten".chars().collect();
        let s: Vec<char> = "sitting".chars().collect();
        // k→s, e→i, +g
        assert_eq!(levenshtein(&k, &s), 3);
        assert_eq!(levenshtein::<char>(&[], &[]), 0);
        assert_eq!(levenshtein(&['a', 'b'], &[]), 2);
        assert_eq!(levenshtein(&[], &['a', 'b', 'c']), 3);
    }

    #[test]
    fn identical_after_normalization_is_zero() {
        let r = wer("Olá, mundo!", "ola mundo", STRIP);
        assert_eq!((r.edits, r.reference_len), (0, 2));
        assert!(close(r.rate, 0.0));
    }

    #[test]
    fn substitution_and_deletion() {
        // reference (9 words): a rapida raposa marrom salta sobre o cachorro preguicoso
        // hypothesis:          a rapida raposa marrom pula  sobre o cachorro
        // salta→pula (1 substitution) + preguicoso deleted (1) = 2 / 9
        let r = wer(
            "A rápida raposa marrom salta sobre o cachorro preguiçoso.",
            "a rapida raposa marrom pula sobre o cachorro",
            STRIP,
        );
        assert_eq!((r.edits, r.reference_len), (2, 9));
        assert!(close(r.rate, 2.0 / 9.0));
    }

    #[test]
    fn insertions_can_exceed_one() {
        // "olá mundo" vs 4 words: ola→bom, mundo→dia, +tudo, +bem = 4 / 2
        let r = wer("Olá mundo.", "bom dia tudo bem", STRIP);
        assert_eq!((r.edits, r.reference_len), (4, 2));
        assert!(close(r.rate, 2.0));
    }

    #[test]
    fn accents_count_only_when_kept() {
        // "três" vs "tres": equal when stripped, one substitution of 3 when kept.
        assert!(close(wer("um dois três", "um dois tres", STRIP).rate, 0.0));
        assert!(close(
            wer("um dois três", "um dois tres", KEEP).rate,
            1.0 / 3.0
        ));
    }

    #[test]
    fn character_error_rate() {
        // "ola mundo" (9 chars) vs "ola mando": u→a = 1 / 9
        let r = cer("Olá, mundo", "ola mando", STRIP);
        assert_eq!((r.edits, r.reference_len), (1, 9));
        assert!(close(r.rate, 1.0 / 9.0));
        // "dez" vs "des": 1 / 3
        assert!(close(cer("Dez.", "des", STRIP).rate, 1.0 / 3.0));
    }

    #[test]
    fn empty_reference() {
        assert!(close(wer("", "", STRIP).rate, 0.0));
        assert!(close(wer("...", "algo", STRIP).rate, 1.0));
        let r = wer("um dois", "", STRIP);
        assert_eq!((r.edits, r.reference_len), (2, 2));
        assert!(close(r.rate, 1.0));
    }

    #[test]
    fn agreement_is_symmetric() {
        // 4 vs 3 words, one deletion: 1 - 1/4
        let a = "dor de cabeça forte";
        let b = "dor de cabeca";
        assert!(close(agreement(a, b, STRIP), 0.75));
        assert!(close(agreement(b, a, STRIP), 0.75));
        assert!(close(agreement("", "", STRIP), 1.0));
        assert!(close(agreement("sim", "", STRIP), 0.0));
        assert!(close(agreement("um dois", "tres quatro", STRIP), 0.0));
    }
}
