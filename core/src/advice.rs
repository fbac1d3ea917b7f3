//! What the advisor decides (ADVISOR.md): the decision, its category and confidence, and the
//! conversation window it decides on.

use serde::{Deserialize, Serialize};

/// The prefix of `produto` that marks an intervention on the wire (ADVISOR.md).
pub const INTERVENTION_PREFIX: &str = "Intervenção:";

/// The advisor's verdict on a conversation window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// No opportunity: greetings, prices, payment, small talk.
    Nenhuma,
    /// One prescription-free product from the catalog.
    Recomendar,
    /// The pharmacist must act (red flag or a request that must not be served over the counter).
    Intervencao,
}

impl Decision {
    /// The wire/storage spelling (`nenhuma`, `recomendar`, `intervencao`).
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Nenhuma => "nenhuma",
            Decision::Recomendar => "recomendar",
            Decision::Intervencao => "intervencao",
        }
    }
}

/// How sure the advisor is; the wire values of `confianca`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    Baixa,
    Media,
    Alta,
}

impl Confidence {
    /// The wire spelling (`alta`, `media`, `baixa`).
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Alta => "alta",
            Confidence::Media => "media",
            Confidence::Baixa => "baixa",
        }
    }
}

/// The fixed category vocabulary of ADVISOR.md, shared by catalog entries and advisor output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    DorFebre,
    GripeResfriado,
    Tosse,
    Garganta,
    NarizCongestao,
    Alergia,
    AziaMaDigestao,
    Gases,
    DiarreiaHidratacao,
    PrisaoDeVentre,
    NauseaEnjoo,
    DorMuscularContusao,
    PeleAssadura,
    FerimentoCurativo,
    Olhos,
    ProtetorSolar,
    Repelente,
    VitaminasSuplementos,
    HigieneBucal,
    Intervencao,
}

impl Category {
    /// Every category, in ADVISOR.md order.
    pub const ALL: [Category; 20] = [
        Category::DorFebre,
        Category::GripeResfriado,
        Category::Tosse,
        Category::Garganta,
        Category::NarizCongestao,
        Category::Alergia,
        Category::AziaMaDigestao,
        Category::Gases,
        Category::DiarreiaHidratacao,
        Category::PrisaoDeVentre,
        Category::NauseaEnjoo,
        Category::DorMuscularContusao,
        Category::PeleAssadura,
        Category::FerimentoCurativo,
        Category::Olhos,
        Category::ProtetorSolar,
        Category::Repelente,
        Category::VitaminasSuplementos,
        Category::HigieneBucal,
        Category::Intervencao,
    ];

    /// The snake_case spelling used in data files, JSON and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::DorFebre => "dor_febre",
            Category::GripeResfriado => "gripe_resfriado",
            Category::Tosse => "tosse",
            Category::Garganta => "garganta",
            Category::NarizCongestao => "nariz_congestao",
            Category::Alergia => "alergia",
            Category::AziaMaDigestao => "azia_ma_digestao",
            Category::Gases => "gases",
            Category::DiarreiaHidratacao => "diarreia_hidratacao",
            Category::PrisaoDeVentre => "prisao_de_ventre",
            Category::NauseaEnjoo => "nausea_enjoo",
            Category::DorMuscularContusao => "dor_muscular_contusao",
            Category::PeleAssadura => "pele_assadura",
            Category::FerimentoCurativo => "ferimento_curativo",
            Category::Olhos => "olhos",
            Category::ProtetorSolar => "protetor_solar",
            Category::Repelente => "repelente",
            Category::VitaminasSuplementos => "vitaminas_suplementos",
            Category::HigieneBucal => "higiene_bucal",
            Category::Intervencao => "intervencao",
        }
    }

    /// Parses the snake_case spelling.
    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// The advisor's machine-readable answer. Serialized exactly as `balto advise --json` prints it:
/// `{"decisao", "categoria", "produto", "explicacao", "confianca"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Advice {
    #[serde(rename = "decisao")]
    pub decision: Decision,
    #[serde(rename = "categoria")]
    pub category: Option<Category>,
    /// Product name as shown to the pharmacist; for interventions it starts with
    /// [`INTERVENTION_PREFIX`].
    #[serde(rename = "produto")]
    pub product: Option<String>,
    #[serde(rename = "explicacao")]
    pub explanation: String,
    #[serde(rename = "confianca")]
    pub confidence: Confidence,
}

impl Advice {
    /// "Nothing to say", with the reason.
    pub fn nothing(explanation: impl Into<String>) -> Advice {
        Advice {
            decision: Decision::Nenhuma,
            category: None,
            product: None,
            explanation: explanation.into(),
            confidence: Confidence::Alta,
        }
    }

    /// The product to push to the counter, if this advice pushes anything.
    pub fn pushed_product(&self) -> Option<&str> {
        match self.decision {
            Decision::Nenhuma => None,
            Decision::Recomendar | Decision::Intervencao => self.product.as_deref(),
        }
    }
}

/// One transcribed utterance of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Utterance {
    /// When it started, in ms since the conversation (socket) began.
    pub at_ms: u64,
    pub text: String,
}

/// The recent window of one counter's conversation, newest last, that the advisor decides on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    pub utterances: Vec<Utterance>,
    /// The product most recently pushed in this conversation: it must not be pushed again
    /// right after itself.
    pub last_product: Option<String>,
}

impl Conversation {
    /// The product `advice` pushes to the counter in this conversation: none when it pushes
    /// nothing, or when it is the product pushed last (never the same product twice in a row).
    pub fn push_of<'a>(&self, advice: &'a Advice) -> Option<&'a str> {
        advice
            .pushed_product()
            .filter(|p| self.last_product.as_deref() != Some(*p))
    }

    /// A one-utterance conversation (CLI, tests).
    pub fn single(text: impl Into<String>) -> Conversation {
        Conversation {
            utterances: vec![Utterance {
                at_ms: 0,
                text: text.into(),
            }],
            last_product: None,
        }
    }

    /// Utterances said `gap_ms` apart, oldest first, nothing pushed yet (tests, evaluations, the
    /// CLI).
    pub fn spaced<S: Into<String>>(
        texts: impl IntoIterator<Item = S>,
        gap_ms: u64,
    ) -> Conversation {
        Conversation {
            utterances: texts
                .into_iter()
                .enumerate()
                .map(|(i, text)| Utterance {
                    at_ms: i as u64 * gap_ms,
                    text: text.into(),
                })
                .collect(),
            last_product: None,
        }
    }

    /// The newest utterance's text, or "" when empty.
    pub fn latest_text(&self) -> &str {
        self.utterances
            .last()
            .map(|u| u.text.as_str())
            .unwrap_or("")
    }

    /// Adds an utterance in time order and drops what fell out of the window: utterances more
    /// than `window_ms` older than the newest, then the oldest beyond `max_utterances`. The one
    /// window rule, used by the session and by the `stt-llm` Lambda.
    ///
    /// Times are the client's capture clock, which restarts (a reloaded page, the microphone
    /// turned off and on). An utterance more than `window_ms` behind the newest one is taken as
    /// such a restart: what came before is moved back so that its newest utterance sits at
    /// `at_ms` (spacing kept), so the new utterance is the newest and is never cut, and the
    /// recent part of the conversation stays in the window.
    pub fn remember(&mut self, at_ms: u64, text: String, window_ms: u64, max_utterances: usize) {
        let utterances = &mut self.utterances;
        let newest = utterances.last().map_or(at_ms, |u| u.at_ms);
        if newest > at_ms.saturating_add(window_ms) {
            let shift = newest - at_ms;
            for u in utterances.iter_mut() {
                u.at_ms = u.at_ms.saturating_sub(shift);
            }
        }
        let pos = utterances.partition_point(|u| u.at_ms <= at_ms);
        utterances.insert(pos, Utterance { at_ms, text });
        let newest = utterances.last().map(|u| u.at_ms).unwrap_or(0);
        let horizon = newest.saturating_sub(window_ms);
        utterances.retain(|u| u.at_ms >= horizon);
        let excess = utterances.len().saturating_sub(max_utterances);
        utterances.drain(..excess);
    }

    /// Every utterance's text joined by spaces, oldest first.
    pub fn joined_text(&self) -> String {
        let mut out = String::new();
        for u in &self.utterances {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&u.text);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advice_serializes_with_portuguese_field_names() {
        let a = Advice {
            decision: Decision::Recomendar,
            category: Some(Category::GripeResfriado),
            product: Some("Vitamina C 1g".into()),
            explanation: "Cliente relatou sintomas de gripe.".into(),
            confidence: Confidence::Alta,
        };
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(
            json,
            r#"{"decisao":"recomendar","categoria":"gripe_resfriado","produto":"Vitamina C 1g","explicacao":"Cliente relatou sintomas de gripe.","confianca":"alta"}"#
        );
        let back: Advice = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
    }

    #[test]
    fn every_category_round_trips_through_its_spelling() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(c));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
        }
        assert_eq!(Category::parse("antibioticos"), None);
    }

    fn texts(c: &Conversation) -> Vec<&str> {
        c.utterances.iter().map(|u| u.text.as_str()).collect()
    }

    #[test]
    fn the_window_keeps_utterances_in_time_order_within_its_span() {
        let mut c = Conversation::default();
        c.remember(10_000, "b".into(), 60_000, 8);
        c.remember(5_000, "a".into(), 60_000, 8); // transcribed late, said earlier
        c.remember(80_000, "c".into(), 60_000, 8); // "a" and "b" are now over a minute old
        assert_eq!(texts(&c), ["c"]);
        c.remember(90_000, "d".into(), 60_000, 2);
        c.remember(95_000, "e".into(), 60_000, 2);
        assert_eq!(texts(&c), ["d", "e"]);
    }

    #[test]
    fn a_restarted_capture_clock_keeps_the_new_utterance_and_the_recent_conversation() {
        // A page reload restarts capture times at 0 while the session remembers 20 minutes in.
        let mut c = Conversation::default();
        c.remember(1_190_000, "tenho dor de cabeça".into(), 60_000, 8);
        c.remember(1_200_000, "desde ontem".into(), 60_000, 8);
        c.remember(3_000, "e febre também".into(), 60_000, 8);
        assert_eq!(
            texts(&c),
            ["tenho dor de cabeça", "desde ontem", "e febre também"]
        );
        assert_eq!(c.latest_text(), "e febre também");
        // The old clock's utterances then age out on the new clock.
        c.remember(70_000, "obrigado".into(), 60_000, 8);
        assert_eq!(texts(&c), ["obrigado"]);
    }

    #[test]
    fn nothing_pushes_no_product() {
        assert_eq!(Advice::nothing("saudação").pushed_product(), None);
    }
}
