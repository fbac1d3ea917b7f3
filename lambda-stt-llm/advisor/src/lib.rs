//! Balto's offline advisor, pure logic with no I/O: the spoken pt-BR normalisation every advisor
//! stage shares ([`spoken`]), the red-flag screen run first on every window ([`red_flags`]), the
//! rules advisor ([`rules`]) grounded in the product [`catalog`], and the generated evaluation
//! grid that scores them ([`advisor_eval`]).

pub mod advisor_eval;
pub mod catalog;
pub mod red_flags;
pub mod rules;
pub mod spoken;
