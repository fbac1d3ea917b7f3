//! The advisor's evaluation: a generated grid it cannot be tuned to.
//!
//! Complaint phrasings written from outside descriptions (leaflet indications, public symptom
//! and red-flag lists) by people who did not read the rules (`tests/data/advisor_grid/`: the
//! tuning half is `tuning.json`, then `tuning2.json`, `tuning3.json` and `tuning4.json`, later
//! sets written independently; the held-out half is `heldout.json`; `wrappers.json`), are combined with
//! openers, closers, fillers, layouts and speech-to-text damage ([`grid`], [`stt_style`]) into
//! thousands of windows, and an advisor is scored on each half ([`score`]). Rules are changed
//! only while looking at the tuning half's failures; the held-out half is only scored.
//! `cargo run -p balto-advisor --bin advisor-eval` prints both halves' tables.

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

/// The tuning half's first file (written with the held-out half, split from it by phrasing).
pub const TUNING: &str = "tuning";
/// The tuning half's second file: written later, independently, from outside descriptions only.
pub const TUNING2: &str = "tuning2";
/// The tuning half's third file: written later still, independently, from outside descriptions
/// only, weighted towards the red flags and categories the earlier rounds covered least.
pub const TUNING3: &str = "tuning3";
/// The tuning half's fourth file: red flags only (and small talk that names their topics
/// harmlessly), written independently from outside descriptions only.
pub const TUNING4: &str = "tuning4";
/// The tuning half's fifth file: every red flag and category (weighted to the weakest), and
/// small talk naming symptoms, drugs and emergencies harmlessly, written independently from
/// outside descriptions only.
pub const TUNING5: &str = "tuning5";
/// The tuning half's sixth file: the six red flags the held-out half still misses once each,
/// the three weakest categories, and hard small talk, written independently from outside
/// descriptions only.
pub const TUNING6: &str = "tuning6";
/// The tuning half's seventh file: every red flag (the two the grid had left out included),
/// every category and small talk, as a new user would try it, written independently from
/// outside descriptions only.
pub const TUNING7: &str = "tuning7";
/// The tuning half's eighth file: the same kinds as `tuning7`, worded as speech-to-text returns
/// real counter speech (disfluencies, run-ons, misheard drug names), written independently.
pub const TUNING8: &str = "tuning8";
/// The tuning half's ninth file: every red flag told inside ordinary shopping (a purchase first,
/// a timeline, a sign minimised or given by what the person cannot do, other signs denied),
/// written independently from outside descriptions only.
pub const TUNING9: &str = "tuning9";
/// The tuning half's tenth file: pairs across the line between each red flag and the everyday
/// complaint it is confused with, written independently from outside descriptions only.
pub const TUNING10: &str = "tuning10";
/// The tuning half's eleventh file: older people and their carers (chronic medicines named in
/// passing, atypical presentations, a change a carer noticed), written independently.
pub const TUNING11: &str = "tuning11";
/// The tuning half's twelfth file: children and parents (ages said every way, what the child
/// does or stops doing), written independently.
pub const TUNING12: &str = "tuning12";
/// The tuning half's thirteenth file: popular and regional words for symptoms and body parts,
/// brand names used as nouns, written independently.
pub const TUNING13: &str = "tuning13";
/// The tuning half's fourteenth file: short counter exchanges without speaker labels, the
/// decisive sign only in an answer to the pharmacist's questions, written independently.
pub const TUNING14: &str = "tuning14";
/// The tuning half's fifteenth file: every sign on the official red-flag lists, each said
/// three ways (body part first, the sign as a verb in another tense or person, what someone
/// noticed), written independently from outside descriptions only.
pub const TUNING15: &str = "tuning15";
/// The tuning half's sixteenth file: every leaflet indication of every category, said the same
/// three ways, and small talk naming symptoms harmlessly, written independently.
pub const TUNING16: &str = "tuning16";
/// The tuning half's seventeenth file: every official red-flag sign told as a relative saw it,
/// without the clinical word, weighted to the flags the held-out half still misses, written
/// independently from outside descriptions only.
pub const TUNING17: &str = "tuning17";
/// The tuning half's eighteenth file: signs inside the customer's own questions, in compound,
/// subjunctive, future and reported forms, written independently from outside descriptions.
pub const TUNING18: &str = "tuning18";
/// The tuning half's nineteenth file: signs in people's own words as they post them (testimonies
/// of survivors and relatives, hedged and minimised), written independently.
pub const TUNING19: &str = "tuning19";
/// The tuning half's twentieth file: the counter's hard negatives (small talk naming red-flag
/// topics harmlessly, in thirteen kinds) and the grave half of each pair, written independently.
pub const TUNING20: &str = "tuning20";
/// The tuning half's twenty-first file: the grave sign buried in a long, busy turn (a shopping
/// list, other complaints, a product the customer believes is the answer), written independently.
pub const TUNING21: &str = "tuning21";
/// The tuning half's twenty-second file: the five flags the held-out half still misses, sign by
/// sign and source by source, each said by a different kind of speaker, written independently.
pub const TUNING22: &str = "tuning22";
/// The tuning half's twenty-third file: the other eleven red flags, sign by sign, source by
/// source, speaker by speaker, written independently.
pub const TUNING23: &str = "tuning23";
/// The tuning half's twenty-fourth file: the five weakest flags in the words of every region and
/// generation (Northeast, South, Minas, elderly rural, youth slang, non-standard grammar).
pub const TUNING24: &str = "tuning24";
/// The tuning half's twenty-fifth file: speech spelled as it is pronounced ("falano", "qué
/// morrê", "os remédio"), as a transcriber writes what it hears.
pub const TUNING25: &str = "tuning25";
/// The tuning half's twenty-sixth file: hurried, panicked, fragmentary turns (no verb, restarts,
/// the sign first and the context after, two to six words).
pub const TUNING26: &str = "tuning26";
/// The tuning half's twenty-seventh file: the counter's hard negatives, second series (paperwork,
/// jobs, prevention, prayer, figures of speech, pets, episodes over) and their grave halves.
pub const TUNING27: &str = "tuning27";
/// The tuning half's twenty-eighth file: signs relayed as they happen (a phone call, a voice note
/// played, a message read aloud, the school or the nanny quoted).
pub const TUNING28: &str = "tuning28";
/// The tuning half's twenty-ninth file: clinical and half-learned vocabulary ("síncope",
/// "melena", "sinal da prega", "ele teve uma síncopa"), as health workers and relatives say it.
pub const TUNING29: &str = "tuning29";
/// The tuning half's thirtieth file: customers whose first language is not Portuguese (portunhol,
/// Haitian and African Portuguese, basic Portuguese, a deaf customer's typed message).
pub const TUNING30: &str = "tuning30";
/// The tuning half's thirty-first file: the five weakest flags, every sign on the kinds of page
/// the grid's first authors read, each said plainly, in a relative's words and as a question.
pub const TUNING31: &str = "tuning31";
/// The tuning half's thirty-second file: two customers co-narrating at the counter in one
/// transcript (one minimises, the other gives the grave sign, corrects a detail or answers for
/// the other), written independently from outside descriptions.
pub const TUNING32: &str = "tuning32";
/// The files that make up the tuning half.
pub const TUNING_FILES: [&str; 32] = [
    TUNING, TUNING2, TUNING3, TUNING4, TUNING5, TUNING6, TUNING7, TUNING8, TUNING9, TUNING10,
    TUNING11, TUNING12, TUNING13, TUNING14, TUNING15, TUNING16, TUNING17, TUNING18, TUNING19,
    TUNING20, TUNING21, TUNING22, TUNING23, TUNING24, TUNING25, TUNING26, TUNING27, TUNING28,
    TUNING29, TUNING30, TUNING31, TUNING32,
];
/// The held-out half's name.
pub const HELDOUT: &str = "heldout";

/// Both halves' grids.
#[derive(Debug, Clone)]
pub struct Grids {
    /// Every tuning file's windows ([`GridCase::source`] says which file).
    pub tuning: Vec<GridCase>,
    pub heldout: Vec<GridCase>,
}

impl Grids {
    /// Reads the sources in `dir` and generates both grids (each file on its own: a joined
    /// sentence's partner comes from the same file).
    pub fn load(dir: &Path, config: &GridConfig) -> Result<Grids, GridDataError> {
        let wrappers = grid_data::load_wrappers(dir)?;
        let mut tuning = Vec::new();
        for name in TUNING_FILES {
            tuning.extend(generate(
                &grid_data::load_half(dir, name)?,
                &wrappers,
                config,
            ));
        }
        let heldout = grid_data::load_half(dir, HELDOUT)?;
        Ok(Grids {
            tuning,
            heldout: generate(&heldout, &wrappers, config),
        })
    }

    /// The tuning windows that came from one file.
    pub fn tuning_file(&self, name: &str) -> Vec<GridCase> {
        self.tuning
            .iter()
            .filter(|c| c.source == name)
            .cloned()
            .collect()
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
