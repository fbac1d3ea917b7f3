//! The advisor's evaluation: a generated grid it cannot be tuned to.
//!
//! Complaint phrasings written from outside descriptions (leaflet indications, public symptom
//! and red-flag lists) by someone who did not read the rules, in two halves split by phrasing
//! (`tests/data/advisor_grid/`: `tuning.json`, `heldout.json`, `wrappers.json`), are combined with
//! openers, closers, fillers, layouts and speech-to-text damage ([`grid`], [`stt_style`]) into
//! thousands of windows, and an advisor is scored on each half ([`score`]). Rules are changed
//! only while looking at the tuning half's failures; the held-out half is only scored.
//! `cargo run -p lambda-stt-llm --bin advisor-eval` prints both halves' tables.

pub mod grid;
pub mod grid_data;
pub mod rng;
pub mod score;
pub mod stt_style;

use std::path::Path;

pub use grid::{GridCase, GridConfig, Layout, generate};
pub use grid_data::{Expected, GridDataError, Half, Phrasing, Wrappers};
pub use score::{Failure, Judged, Row, Scores, score};
pub use stt_style::Transform;

use crate::rules::RulesAdvisor;

/// The tuning half's name.
pub const TUNING: &str = "tuning";
/// The held-out half's name.
pub const HELDOUT: &str = "heldout";

/// Both halves' grids.
#[derive(Debug, Clone)]
pub struct Grids {
    pub tuning: Vec<GridCase>,
    pub heldout: Vec<GridCase>,
}

impl Grids {
    /// Reads the sources in `dir` and generates both grids.
    pub fn load(dir: &Path, config: &GridConfig) -> Result<Grids, GridDataError> {
        let wrappers = grid_data::load_wrappers(dir)?;
        let tuning = grid_data::load_half(dir, TUNING)?;
        let heldout = grid_data::load_half(dir, HELDOUT)?;
        Ok(Grids {
            tuning: generate(&tuning, &wrappers, config),
            heldout: generate(&heldout, &wrappers, config),
        })
    }
}

/// The rules advisor as the grid scores it: its advice and the red flag it named.
pub fn judge_rules(
    advisor: &RulesAdvisor,
    conversation: &balto_core::advice::Conversation,
) -> Judged {
    let e = advisor.decide_explained(conversation);
    Judged {
        advice: e.advice,
        alerta: e.alerta,
    }
}
