//! The offline rules advisor: Portuguese matching with negation, red flags and cautions.
