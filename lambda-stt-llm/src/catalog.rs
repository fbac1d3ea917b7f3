//! The product catalog (ADVISOR.md): data file, loading and lookup.
