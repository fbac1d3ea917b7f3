//! Spoken Brazilian Portuguese as the advisors read it: the one normalisation every advisor
//! stage shares (the red-flag screen, the rules advisor, the evaluation), so a word means the
//! same thing wherever it is matched.
//!
//! [`balto_core::text::normalize`] handles case, accents and punctuation; [`canonical`] folds what
//! speech and speech-to-text add on top (contractions, chat spellings, fillers, diminutives,
//! numbers, split prefixes); [`clauses`] splits an utterance into sentences and clauses and finds
//! the pharmacist's probing questions; [`figurative`] blanks figures of speech and told
//! history ("morrendo de calor", "teve AVC faz cinco anos"); [`pattern`] matches word patterns written in the same
//! Portuguese, with negation.

mod canonical;
mod clauses;
mod figurative;
mod pattern;
mod spanish;

pub use canonical::canonical_words;
pub use pattern::PatternError;

pub(crate) use clauses::{Sentence, Utterance};
pub(crate) use figurative::BLANK;
pub(crate) use pattern::{
    POSSESSOR_PEOPLE, Pattern, Span, WordIndex, has_negation, is_denied_after, is_negated, is_soft,
    is_waved_away_after,
};

/// The words of one transcript as every advisor stage reads them: canonical, sentence by
/// sentence, with figures of speech and told history blanked (`·`). For showing an engineer or
/// an admin why a window was or was not flagged.
pub fn read_words(text: &str) -> Vec<String> {
    Utterance::parse(text).all_tokens()
}
