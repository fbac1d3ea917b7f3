//! No input text makes the advisor's reading panic: random strings (any Unicode, combining
//! marks, digits, punctuation, fillers, number words, huge numbers) through the normalisation, the
//! red-flag screen and the rules advisor, alone and as windows. And whatever is said, the answer is
//! well formed: an intervention's `produto` starts with `Intervenção:`, a recommendation names a
//! catalog product, the same window always gets the same answer.

use balto_advisor::red_flags::RedFlagScreen;
use balto_advisor::rules::RulesAdvisor;
use balto_core::advice::{Conversation, Decision, INTERVENTION_PREFIX, Utterance};
use proptest::prelude::*;
use std::sync::OnceLock;

fn advisor() -> &'static RulesAdvisor {
    static A: OnceLock<RulesAdvisor> = OnceLock::new();
    A.get_or_init(RulesAdvisor::with_embedded_catalog)
}

fn screen() -> &'static RedFlagScreen {
    static S: OnceLock<RedFlagScreen> = OnceLock::new();
    S.get_or_init(RedFlagScreen::embedded)
}

/// Speech-like text: counter words, fillers, number words, digits, punctuation, accents and
/// combining marks mixed at random, or any string at all.
fn speechy() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "tô",
        "to",
        "num",
        "um",
        "uma",
        "de",
        "e",
        "mês",
        "meses",
        "dias",
        "trinta",
        "oito",
        "99999999999999999999",
        "38",
        "não",
        "sem",
        "dor",
        "no",
        "peito",
        "febre",
        "bebê",
        "grávida",
        "sangue",
        "cocô",
        "tipo",
        "né",
        "sei",
        "lá",
        "anti",
        "band",
        "aid",
        "?",
        ",",
        ".",
        "…",
        "!",
        "quanto",
        "custa",
        "o",
        "que",
        "você",
        "recomenda",
        "nao",
        "tem",
        "receita",
        "amoxicilina",
        "dorzinha",
        "inho",
        "zinho",
        "pra",
        "pro",
        "a\u{301}",
        "ç",
        "ß",
        "İ",
        "😀",
        "#1-3",
        "~",
        "~~",
        "*",
        "|",
        "mas",
        "já",
        "passou",
        "esse",
        "xarope",
        "-",
        "\n",
        "\u{0}",
    ]);
    prop_oneof![
        prop::collection::vec(words, 0..40).prop_map(|w| w.join(" ")),
        ".{0,200}",
        prop::collection::vec(any::<char>(), 0..120).prop_map(|c| c.into_iter().collect()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_text_reads_without_panicking(text in speechy()) {
        let _ = balto_advisor::spoken::canonical_words(&text);
        let _ = screen().verdict(&Conversation::single(text.clone()));
        let a = advisor().decide_explained(&Conversation::single(text.clone()));
        match a.advice.decision {
            Decision::Intervencao => {
                let p = a.advice.product.as_deref().unwrap_or("");
                prop_assert!(p.starts_with(INTERVENTION_PREFIX), "{p}");
                prop_assert!(a.alerta.is_some());
            }
            Decision::Recomendar => {
                let p = a.advice.product.as_deref().unwrap_or("");
                prop_assert!(advisor().catalog().get(p).is_some(), "{p}");
            }
            Decision::Nenhuma => prop_assert!(a.advice.product.is_none()),
        }
    }

    #[test]
    fn any_window_is_decided_the_same_way_twice(
        texts in prop::collection::vec(speechy(), 0..7),
        last in prop::option::of(speechy()),
    ) {
        let c = Conversation {
            utterances: texts
                .into_iter()
                .enumerate()
                .map(|(i, text)| Utterance { at_ms: i as u64 * 1_000, text })
                .collect(),
            last_product: last,
        };
        let a = advisor().decide(&c);
        prop_assert_eq!(&a, &advisor().decide(&c));
        if let Some(pushed) = a.pushed_product() {
            prop_assert_ne!(Some(pushed), c.last_product.as_deref());
        }
    }
}
