//! The red-flag screen: one job, run first on every conversation window, on every advisor path
//! (offline rules and LLM), before anything can be recommended.
//!
//! The catalogue is data (`data/red_flags.json`): per red flag a stable id, its public sources
//! (Ministério da Saúde / SAMU, NHS, leaflets), the intervention it sends (`produto` starting with
//! `Intervenção:`, as the wire protocol expects), a one-line rule (also given to the LLM) and its
//! colloquial wordings as patterns over the shared normalisation ([`crate::spoken`]), with
//! negation. Recall comes before precision: a false alarm costs the pharmacist a glance, a miss
//! can cost a life.
//!
//! [`RedFlagScreen::verdict`] reads a window; `balto_providers::ScreenedAdvisor` puts the screen in front of any
//! advisor (the chain that `balto_providers::build_advisor` builds for local-dev and the
//! Lambda). When the screen fires, the intervention is the answer whatever the advisor would have
//! said: by default the advisor is not called at all ([`ScreenPolicy::SkipAdvisor`]: no cost, no
//! latency, nothing to override); with [`ScreenPolicy::ConsultAdvisor`] it is called and its
//! answer recorded as overridden in the provider attempts, so the admin area shows both.
//!
//! Invariant: a window the screen flags never gets a product.

mod catalogue;
mod screen;

pub use catalogue::{CatalogueError, Source};
pub use screen::{Screening, Verdict};

use balto_core::advice::Conversation;

use crate::spoken::Utterance;
use catalogue::Catalogue;

/// The catalogue shipped with the build.
const EMBEDDED_JSON: &str = include_str!("../../data/red_flags.json");

/// The screen's name in provider attempts.
pub const SCREEN_NAME: &str = "triagem";

/// What happens to the advisor behind the screen when a window is flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScreenPolicy {
    /// The intervention goes out at once; the advisor is not called (no cost, no latency, no
    /// product that could slip through). The default.
    #[default]
    SkipAdvisor,
    /// The advisor is called anyway and what it said is recorded (as `overridden` when it
    /// differs); the intervention still goes out. For auditing the screen against an LLM.
    ConsultAdvisor,
}

/// One red flag as the LLM's prompt states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagRule<'a> {
    pub id: &'a str,
    pub titulo: &'a str,
    pub regra: &'a str,
    pub produto: &'a str,
}

/// The compiled red-flag catalogue and its matcher.
#[derive(Debug, Clone)]
pub struct RedFlagScreen {
    catalogue: Catalogue,
}

impl RedFlagScreen {
    /// The embedded catalogue (`data/red_flags.json`).
    pub fn embedded() -> RedFlagScreen {
        match RedFlagScreen::from_json(EMBEDDED_JSON) {
            Ok(s) => s,
            // Covered by `embedded_catalogue_is_valid`; reaching this is a build defect.
            Err(e) => panic!("embedded red-flag catalogue is invalid: {e}"),
        }
    }

    /// The raw JSON of the embedded catalogue.
    pub fn embedded_json() -> &'static str {
        EMBEDDED_JSON
    }

    /// Parses and validates a catalogue.
    pub fn from_json(json: &str) -> Result<RedFlagScreen, CatalogueError> {
        Ok(RedFlagScreen {
            catalogue: Catalogue::from_json(json)?,
        })
    }

    pub fn version(&self) -> &str {
        &self.catalogue.version
    }

    /// The red flags' ids, in priority order.
    pub fn ids(&self) -> Vec<&str> {
        self.catalogue.flags.iter().map(|f| f.id.as_str()).collect()
    }

    /// The sources a red flag cites.
    pub fn sources(&self, id: &str) -> Option<&[Source]> {
        self.catalogue
            .flags
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.sources.as_slice())
    }

    /// Every red flag's rule, in priority order (for the LLM's prompt).
    pub fn rules(&self) -> Vec<FlagRule<'_>> {
        self.catalogue
            .flags
            .iter()
            .map(|f| FlagRule {
                id: &f.id,
                titulo: &f.title,
                regra: &f.rule,
                produto: &f.product,
            })
            .collect()
    }

    /// Every red flag found in the window, in priority order.
    pub fn findings(&self, conversation: &Conversation) -> Vec<Screening> {
        screen::screen_window(&self.catalogue, &screen::parse_window(conversation))
    }

    /// The verdict on a window: clear, an intervention to send, or one already sent.
    pub fn verdict(&self, conversation: &Conversation) -> Verdict {
        screen::verdict(
            self.findings(conversation),
            conversation.last_product.as_deref(),
        )
    }

    /// The verdict on utterances already parsed (the rules advisor parses once for both).
    pub(crate) fn verdict_parsed(
        &self,
        window: &[Utterance],
        last_product: Option<&str>,
    ) -> Verdict {
        screen::verdict(screen::screen_window(&self.catalogue, window), last_product)
    }
}

#[cfg(test)]
mod tests;
