//! Portuguese text normalization (case, accents, punctuation) shared by advisors and WER.
