//! The rules advisor (with the red-flag screen) on the generated evaluation grid
//! (`tests/data/advisor_grid/`, see `balto_advisor::advisor_eval`).
//!
//! The tuning half is a regression bar: the rules were changed while looking at its failures.
//! The held-out half is the measure: it was only ever scored. Issue 16's targets for it are red-flag
//! recall 1.0, category accuracy ≥ 0.95 and no offer on small talk; they are not all met yet
//! (docs/benchmarks.md), so `heldout_meets_the_issue_targets` is ignored and the held-out half is
//! held to the figures reached, which it must never fall below.

use balto_advisor::advisor_eval::{
    Expected, GridConfig, Grids, HELDOUT, Layout, Scores, TUNING, TUNING_FILES, TUNING2, TUNING3,
    TUNING4, TUNING5, TUNING6, TUNING7, TUNING8, TUNING9, TUNING10, TUNING11, TUNING12, TUNING13,
    TUNING14, TUNING15, TUNING16, TUNING17, TUNING18, TUNING19, TUNING20, TUNING21, TUNING22,
    TUNING23, TUNING24, TUNING25, TUNING26, TUNING27, TUNING28, TUNING29, TUNING30, TUNING31,
    TUNING32, Transform, generate, grid_data, judge_rules, score,
};
use balto_advisor::rules::RulesAdvisor;

fn grids() -> Grids {
    Grids::load(&grid_data::default_dir(), &GridConfig::default()).expect("grid files load")
}

fn scores(name: &str, cases: &[balto_advisor::advisor_eval::GridCase]) -> Scores {
    let advisor = RulesAdvisor::with_embedded_catalog();
    let s = score(name, cases, |c| judge_rules(&advisor, c));
    println!("{}", s.table());
    s
}

#[test]
fn the_grid_is_large_deterministic_and_uses_every_wrapper() {
    let dir = grid_data::default_dir();
    let wrappers = grid_data::load_wrappers(&dir).expect("wrappers");
    let tuning = grid_data::load_half(&dir, TUNING).expect("tuning");
    let config = GridConfig::default();
    let a = generate(&tuning, &wrappers, &config);
    let b = generate(&tuning, &wrappers, &config);
    assert_eq!(a, b, "same seed, same grid");
    let other = generate(
        &tuning,
        &wrappers,
        &GridConfig {
            seed: config.seed + 1,
            ..config
        },
    );
    assert_ne!(a, other, "another seed, another grid");
    assert!(a.len() >= 3_000, "{} windows", a.len());
    let g = grids();
    assert!(g.tuning.len() + g.heldout.len() >= 7_000);
    // The tuning half is every tuning file's grid, each window tagged with its file.
    for name in TUNING_FILES {
        assert!(!g.tuning_file(name).is_empty(), "{name}");
    }
    assert_eq!(
        TUNING_FILES
            .iter()
            .map(|name| g.tuning_file(name).len())
            .sum::<usize>(),
        g.tuning.len()
    );
    assert_eq!(g.tuning_file(TUNING), a);
    assert!(g.heldout.iter().all(|c| c.source == HELDOUT));

    // Every non-empty opener and closer, every layout and every transform appears.
    let all_text: String = a
        .iter()
        .flat_map(|c| c.utterances.iter())
        .map(|u| u.to_lowercase())
        .collect::<Vec<_>>()
        .join("\n");
    let plain = |s: &str| balto_advisor::spoken::canonical_words(s).join(" ");
    let all_plain = plain(&all_text);
    for w in wrappers.openers.iter().chain(&wrappers.closers) {
        let p = plain(w);
        assert!(p.is_empty() || all_plain.contains(&p), "never used: {w:?}");
    }
    for layout in Layout::ALL {
        assert!(a.iter().any(|c| c.layout == layout), "{layout:?}");
    }
    for t in Transform::ALL {
        assert!(a.iter().any(|c| c.transforms.contains(&t)), "{t:?}");
    }
    // Every phrasing keeps its expectation, and its plain variant is the text as written.
    for p in tuning.phrasings.iter().chain(&tuning.small_talk) {
        let plain_case = a
            .iter()
            .find(|c| c.phrasing == p.id && c.layout == Layout::Plain)
            .expect("plain variant");
        assert_eq!(plain_case.utterances, vec![p.text.clone()]);
        assert!(
            a.iter()
                .filter(|c| c.phrasing == p.id)
                .all(|c| c.expected == p.expected)
        );
    }
    assert!(a.iter().any(|c| matches!(c.expected, Expected::RedFlag(_))));
}

/// The tuning half, file by file: the rules were changed looking at these failures, so this is a
/// regression bar, not an accuracy figure. Each file is held to what it reached (2026-12-07):
/// `tuning3.json` to `tuning16.json` were scored untouched first (the honest estimates: recall
/// 0.903, 0.881, 0.888, 0.870, 0.844, 0.915, 0.837, 0.932, 0.927, 0.925, 0.927, 0.878 and, on
/// `tuning15.json`'s every official sign said three ways, 0.749; `tuning16.json`, categories
/// only, accuracy 0.895; `tuning17.json`'s signs as a relative saw them, 0.870; `tuning18.json`'s
/// signs inside the customer's questions, 0.929 and accuracy 0.957; `tuning19.json`'s signs in
/// people's own words, 0.911 and 0.962; `tuning20.json`'s hard small talk and grave halves, 0.950,
/// 0.964 and 779 of 2,560 small-talk windows answered; `tuning21.json`'s signs buried in long
/// turns, 0.9996, 0.958 and 207 of 960; `tuning22.json`'s five weakest flags sign by sign, 0.869;
/// `tuning23.json`'s other eleven flags sign by sign, 0.912; `tuning24.json`'s five weakest flags
/// in regional and generational speech, 0.941), then used for tuning.
#[test]
fn tuning_half_regression_bar() {
    let g = grids();
    // (file, least red-flag recall, least category accuracy, most small-talk offers)
    let bars = [
        (TUNING, 1.0, 0.995, 0),
        // A beach trip with "tem alguma coisa boa pra isso aí?" reads as a sunscreen request.
        (TUNING2, 0.999, 0.995, 2),
        // Sneezing set off by dust or cleaning reads as an allergy (tuning16's placement); two of
        // its runny noses that also sneeze wanted nariz_congestao.
        (TUNING3, 0.999, 0.935, 0),
        // Red flags only; its small talk names prescription medicines in passing ("o
        // anticoncepcional de sempre"), which the screen answers with "exige receita" (recall
        // before precision).
        (TUNING4, 0.997, 0.97, 19),
        // Two small-talk turns name prescription medicines being collected or given free
        // ("a receita azul do meu marido… o remédio controlado", "a insulina de graça"), which the
        // screen answers with "exige receita" (recall before precision).
        (TUNING5, 0.999, 0.984, 20),
        // Its small talk tells recoveries ("bateu a cabeça mês passado… não deu nada, já tá
        // dançando"), a grandmother's home-made syrup and a pet's vomiting; what is left answers
        // with a product or an intervention (recall first).
        (TUNING6, 0.999, 0.955, 61),
        // Written as a new user would try it, every red flag (fainting and bleeding that will
        // not stop for the first time) and category. Left: two itchy-patch allergies read as
        // nothing, a mid-story sign in a two-sentence window.
        (TUNING7, 0.997, 0.965, 5),
        // Worded as speech-to-text returns counter speech. Left: "não consigo nem engolir a
        // saliva" with a sore throat is a red flag here (NHS), the file says a sore throat; a
        // nurse who "vive cansada" gets vitamins.
        (TUNING8, 1.0, 0.965, 10),
        // Red flags told inside ordinary shopping. Left: a child's bottle of nasal drops found
        // empty, a seizure told as "ansiedade da prova"; its small talk names the flags' topics
        // as over, as someone's job or as a fear, and 96 of 960 windows still get something.
        (TUNING9, 0.995, 0.95, 78),
        // Pairs across each flag's line. Left: its harmless halves told as cleared ("era só
        // gases", "disseram que não era nada") mostly still answer, as the screen keeps recall
        // first; a rhinitis that blocks the nose reads as an allergy.
        (TUNING10, 0.999, 0.93, 189),
        // Older people and their carers. Left: a nose blocked at night read as nothing in two
        // phrasings; small talk about an old shingles or a cataract operation gets a product.
        (TUNING11, 0.998, 0.895, 95),
        // Children and parents. Left: babies under the catalogue's minimum ages (a cough syrup
        // at 10 months, a suppository at 7 months) get "the pharmacist should advise".
        (TUNING12, 0.993, 0.855, 35),
        // Popular and regional words. Left: folk names nobody wrote a rule for ("estalecido",
        // "gurguminho"), "leite de magnésia" for a constipation read as heartburn.
        (TUNING13, 0.996, 0.94, 94),
        // Counter exchanges without speaker labels. Left: in transcripts without punctuation the
        // pharmacist's screening questions ("vômito ou fezes escuras") cannot be told from the
        // customer's words, so their denials are read only when worded "…nada" or "não…nada".
        // A short answer now reads with its question ("E a moleira? Tá afundada.", round 21:
        // 0.936 → 0.949); a long answer's opening reply too ("Não tenho não, é que…", round
        // 22: 0.961).
        (TUNING14, 0.955, 0.775, 110),
        // Every sign on the official lists said three ways (part first, another tense or person,
        // what someone noticed). Left: a baby's low temperature, a prescription "de vinte dias
        // atrás", an exhausted "tô... sem... ar" cut by pauses; its small talk with a sign told
        // by a campaign or explained by a doctor mostly stays silent now.
        (TUNING15, 0.98, 1.0, 115),
        // Every leaflet indication said three ways. Left: a small oven burn with no burn word,
        // an outing's diarrhoea told as over, a dentist mother's advice.
        (TUNING16, 1.0, 0.97, 25),
        // Every official sign told as a relative saw it, without the clinical word. Left: a
        // fainting during sport with a racing heart, a skin pinch told step by step; its small
        // talk with a residual sign ("hoje só a boca fica um pouquinho torta quando ele ri"), a
        // stranger on a bus, a child's own long-past story still answers.
        (TUNING17, 0.99, 1.0, 201),
        // Signs inside the customer's own questions and conditionals, compound and reported
        // forms. Left: a question about a sign with no illness named ("se ele continuar sem
        // fazer xixi e com os olhos fundos, o soro dá conta?"), a waters-breaking question.
        (TUNING18, 0.985, 0.99, 6),
        // Signs in people's own words as they post them (survivors' and relatives' testimonies,
        // hedged and minimised). Left: a nosebleed with no illness named after "voltar se tivesse
        // sangramento"; small talk with a lasting after-effect ("ficou com a boca meio torta até
        // hoje").
        (TUNING19, 0.99, 0.98, 107),
        // The counter's hard negatives in thirteen kinds and the grave half of each. Left: a
        // heartburn "de domingo" that passed, an adrenaline pen never used, pets' complaints told
        // by the vet, a prescription that names a diagnosis: 234 of 2,560 windows still answer
        // (recall first).
        (TUNING20, 0.995, 0.985, 234),
        // The grave sign buried in a long, busy turn. Left: long small talk about a
        // prescription being filled, a pregnancy going well with the vitamins ordered, a
        // stroke a nurse aunt attended: 166 of 960 windows still answer.
        (TUNING21, 0.999, 0.965, 166),
        // The five flags the held-out half still misses, sign by sign, source by source,
        // speaker by speaker. Left: a dengue warning told only by the UPA's instructions.
        (TUNING22, 0.999, 1.0, 89),
        // The other eleven flags sign by sign. Left: an antibiotic asked for a relative who
        // "não vai no médico" in four windows; small talk of health workers and prescriptions.
        (TUNING23, 0.995, 1.0, 166),
        // The five weakest flags in regional and generational speech. Left: spellings as
        // pronounced ("falano", "qué morrê") the normalisation does not fold.
        (TUNING24, 0.997, 1.0, 73),
        // Speech spelled as it is pronounced. Left: unaccented spoken verbs ("tomo", "fica",
        // "paro") that are also other forms, and signs the rules lack in any spelling.
        (TUNING25, 0.975, 0.96, 61),
        // Hurried fragments. Left: a few fragments that name the sign with no person or
        // complaint around it.
        (TUNING26, 0.985, 0.97, 31),
        // The counter's hard negatives, second series, and their grave halves. Left: small talk
        // about a relative in hospital being cared for, a vet's antibiotic for a dog, a
        // prescription for a named antibiotic: 245 of 1,920 windows still answer.
        (TUNING27, 0.998, 0.875, 245),
        // Signs relayed as they happen (a call, a voice note, a message read aloud).
        (TUNING28, 1.0, 0.98, 56),
        // Clinical and half-learned words. Left: "ideação com plano" after a psychiatrist's
        // lesson, small talk about a course's exam still partly answered. Round 22 (warning
        // behaviour with a risk said alongside, capillary refill): 0.942 → 0.980.
        (TUNING29, 0.975, 0.95, 122),
        // Customers whose first language is not Portuguese. Left: Spanish verbs in the past
        // ("se tomó", "se golpeó"), European Portuguese words, learners' infinitives outside a
        // child's ingestion: 0.872 is a floor, not an accuracy. One small talk more since round
        // 22 (an exception speaks of its own mention): the news' dengue cases, then a son "já
        // bom da dengue" whose recovery no longer cancels the news' mention.
        (TUNING30, 0.87, 0.80, 67),
        // The five weakest flags from the kinds of page the grid's first authors read, each
        // sign said plainly, by a relative and as a question.
        (TUNING31, 0.985, 1.0, 61),
        // Two customers co-narrating in one transcript (one minimises, the other gives the
        // grave sign, corrects a detail or answers for the other). Scored untouched first (round
        // 22's rules: recall 0.956, accuracy 0.873, 205 of 800 small-talk windows answered).
        // Left: its small talk that buys a named product in passing ("só vim repor a caixa do
        // antialérgico", "a pomada de assadura é a mesma?") reads as a request, and a known
        // allergy with an adrenaline pen as anaphylaxis.
        (TUNING32, 0.995, 0.87, 184),
    ];
    assert_eq!(bars.len(), TUNING_FILES.len());
    for (name, recall, accuracy, offers) in bars {
        let s = scores(&format!("ajuste: {name}.json"), &g.tuning_file(name));
        assert!(
            s.red_flag_recall() >= recall,
            "red flags missed on {name}.json: {:.4}",
            s.red_flag_recall()
        );
        assert!(
            s.small_talk_offers() <= offers,
            "{name}.json: {}",
            s.small_talk_offers()
        );
        assert!(
            s.category_accuracy() >= accuracy,
            "{name}.json category accuracy fell to {:.4}",
            s.category_accuracy()
        );
    }
}

/// The held-out figures reached (docs/benchmarks.md); a change that lowers them is a regression.
#[test]
fn heldout_half_does_not_regress() {
    let s = scores("reservada (heldout)", &grids().heldout);
    println!(
        "held-out: red-flag recall {:.4}, category accuracy {:.4}, small-talk offers {}",
        s.red_flag_recall(),
        s.category_accuracy(),
        s.small_talk_offers()
    );
    // Reached 2026-12-08 (round 22; round 13 to 21: 0.9404): recall 1311/1360 = 0.9640, accuracy
    // 0.9832, 17 small-talk windows alarmed (all red-flag interventions, none a product: the
    // screen favours recall).
    assert!(s.red_flag_recall() >= 0.9639, "{:.4}", s.red_flag_recall());
    assert!(
        s.category_accuracy() >= 0.983,
        "{:.4}",
        s.category_accuracy()
    );
    assert!(s.small_talk_offers() <= 17, "{}", s.small_talk_offers());
}

/// Issue 16's targets on the held-out half. Not met yet: run with `--ignored` to see the gap.
#[test]
#[ignore = "issue 16's held-out targets are not met yet (docs/benchmarks.md)"]
fn heldout_meets_the_issue_targets() {
    let s = scores("reservada (heldout)", &grids().heldout);
    assert_eq!(s.red_flag_recall(), 1.0);
    assert!(s.category_accuracy() >= 0.95);
    assert_eq!(s.small_talk_offers(), 0);
}

#[test]
fn grid_files_name_known_categories_and_halves() {
    let dir = grid_data::default_dir();
    for half in [
        TUNING, TUNING2, TUNING3, TUNING4, TUNING5, TUNING6, TUNING7, TUNING8, TUNING9, TUNING10,
        TUNING11, TUNING12, TUNING13, TUNING14, TUNING15, TUNING16, TUNING17, TUNING18, TUNING19,
        TUNING20, TUNING21, TUNING22, TUNING23, TUNING24, TUNING25, TUNING26, TUNING27, TUNING28,
        TUNING29, TUNING30, TUNING31, TUNING32, HELDOUT,
    ] {
        let h = grid_data::load_half(&dir, half).expect("half loads");
        assert!(h.phrasings.len() >= 120, "{half}: {}", h.phrasings.len());
        assert!(h.small_talk.len() >= 30, "{half}");
        assert!(h.small_talk.iter().all(|p| p.expected == Expected::Nothing));
    }
    // Small talk may leave "esperado" out (it is "nenhuma"); a complaint may not.
    let ok = grid_data::half_from_json(
        "x",
        r#"{"frases":[{"id":"a","esperado":"tosse","alerta":null,"texto":"t"}],"conversa":[{"id":"b","texto":"oi"}]}"#,
    )
    .expect("small talk without esperado");
    assert_eq!(ok.small_talk[0].expected, Expected::Nothing);
    let bad = grid_data::half_from_json(
        "x",
        r#"{"frases":[{"id":"a","texto":"t"}],"conversa":[{"id":"b","texto":"oi"}]}"#,
    );
    assert!(matches!(
        bad,
        Err(grid_data::GridDataError::MissingExpected { .. })
    ));
    let bad = grid_data::half_from_json(
        "x",
        r#"{"frases":[{"id":"a","esperado":"remedio","alerta":null,"texto":"t"}],"conversa":[{"id":"b","esperado":"nenhuma","alerta":null,"texto":"oi"}]}"#,
    );
    assert!(matches!(
        bad,
        Err(grid_data::GridDataError::UnknownCategory { .. })
    ));
    let bad = grid_data::half_from_json(
        "x",
        r#"{"frases":[{"id":"a","esperado":"tosse","alerta":"avc","texto":"t"}],"conversa":[{"id":"b","esperado":"nenhuma","alerta":null,"texto":"oi"}]}"#,
    );
    assert!(matches!(
        bad,
        Err(grid_data::GridDataError::AlertNotIntervention { .. })
    ));
    assert!(matches!(
        grid_data::load_half(std::path::Path::new("/nonexistent"), TUNING),
        Err(grid_data::GridDataError::Io { .. })
    ));
}
