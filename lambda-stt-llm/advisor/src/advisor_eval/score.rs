//! Scoring an advisor on the grid: red-flag recall, category accuracy, offers on small talk,
//! per category, per red flag, per layout and per STT-style transform.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use balto_core::advice::{Advice, Conversation, Decision};

use super::grid::{GridCase, Layout};
use super::grid_data::Expected;
use super::stt_style::Transform;

/// An advisor's answer on one window, with the red flag it named (if it says).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    pub advice: Advice,
    pub alerta: Option<String>,
}

/// Cases and how many came out right.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Row {
    pub cases: usize,
    pub right: usize,
    /// Red flags: the intervention named the expected kind.
    pub right_kind: usize,
    /// Everyday complaints and small talk: an intervention was sent instead.
    pub false_alarms: usize,
}

impl Row {
    pub fn rate(&self) -> f64 {
        if self.cases == 0 {
            1.0
        } else {
            self.right as f64 / self.cases as f64
        }
    }

    fn add(&mut self, right: bool, right_kind: bool, false_alarm: bool) {
        self.cases += 1;
        self.right += usize::from(right);
        self.right_kind += usize::from(right_kind);
        self.false_alarms += usize::from(false_alarm);
    }
}

/// One case that came out wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub case: GridCase,
    pub got: Judged,
}

/// Figures of one half.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scores {
    pub half: String,
    pub red_flags: Row,
    pub categories: Row,
    pub small_talk: Row,
    /// Per expected category, red-flag kind, or "conversa".
    pub by_label: BTreeMap<String, Row>,
    pub by_layout: BTreeMap<Layout, Row>,
    pub by_transform: BTreeMap<Transform, Row>,
    /// The labels of `by_label` that are red-flag kinds.
    pub red_flag_kinds: BTreeSet<String>,
    pub failures: Vec<Failure>,
}

impl Scores {
    /// Share of red-flag windows answered with an intervention.
    pub fn red_flag_recall(&self) -> f64 {
        self.red_flags.rate()
    }

    /// Share of everyday complaints and product requests given a product of the right category.
    pub fn category_accuracy(&self) -> f64 {
        self.categories.rate()
    }

    /// Small-talk windows that got anything (a product or an intervention).
    pub fn small_talk_offers(&self) -> usize {
        self.small_talk.cases - self.small_talk.right
    }

    pub fn cases(&self) -> usize {
        self.red_flags.cases + self.categories.cases + self.small_talk.cases
    }

    /// The figures as a plain-text table.
    pub fn table(&self) -> String {
        let mut t = String::new();
        let pct = |r: &Row| 100.0 * r.rate();
        let _ = writeln!(
            t,
            "== {}: {} janelas | alertas {}/{} ({:.1}%) | categoria {}/{} ({:.1}%) | conversa: {} ofertas em {}",
            self.half,
            self.cases(),
            self.red_flags.right,
            self.red_flags.cases,
            pct(&self.red_flags),
            self.categories.right,
            self.categories.cases,
            pct(&self.categories),
            self.small_talk_offers(),
            self.small_talk.cases
        );
        let _ = writeln!(
            t,
            "{:<40} {:>6} {:>6} {:>7} {:>9} {:>8}",
            "esperado", "casos", "certos", "%", "tipo cert", "alarmes"
        );
        for (label, r) in &self.by_label {
            let _ = writeln!(
                t,
                "{:<40} {:>6} {:>6} {:>6.1}% {:>9} {:>8}",
                label,
                r.cases,
                r.right,
                pct(r),
                if self.red_flag_kinds.contains(label) {
                    r.right_kind.to_string()
                } else {
                    "-".to_owned()
                },
                r.false_alarms
            );
        }
        let _ = writeln!(t, "-- por formato");
        for (layout, r) in &self.by_layout {
            let _ = writeln!(
                t,
                "{:<40} {:>6} {:>6} {:>6.1}%",
                layout.label(),
                r.cases,
                r.right,
                pct(r)
            );
        }
        let _ = writeln!(t, "-- por transformação de STT (casos que a receberam)");
        for (tr, r) in &self.by_transform {
            let _ = writeln!(
                t,
                "{:<40} {:>6} {:>6} {:>6.1}%",
                tr.label(),
                r.cases,
                r.right,
                pct(r)
            );
        }
        t
    }
}

/// Scores `judge` on `cases`.
pub fn score(name: &str, cases: &[GridCase], judge: impl Fn(&Conversation) -> Judged) -> Scores {
    let mut s = Scores {
        half: name.to_owned(),
        ..Scores::default()
    };
    for case in cases {
        let got = judge(&case.conversation());
        let d = got.advice.decision;
        let intervention = d == Decision::Intervencao;
        let (right, right_kind, false_alarm) = match &case.expected {
            Expected::Category(c) => (
                d == Decision::Recomendar && got.advice.category == Some(*c),
                false,
                intervention,
            ),
            Expected::RedFlag(kind) => (
                intervention,
                intervention && got.alerta.as_deref() == Some(kind.as_str()),
                false,
            ),
            Expected::Nothing => (d == Decision::Nenhuma, false, intervention),
        };
        match &case.expected {
            Expected::Category(_) => s.categories.add(right, right_kind, false_alarm),
            Expected::RedFlag(_) => s.red_flags.add(right, right_kind, false_alarm),
            Expected::Nothing => s.small_talk.add(right, right_kind, false_alarm),
        }
        if let Expected::RedFlag(kind) = &case.expected {
            s.red_flag_kinds.insert(kind.clone());
        }
        s.by_label
            .entry(case.expected.label().to_owned())
            .or_default()
            .add(right, right_kind, false_alarm);
        s.by_layout
            .entry(case.layout)
            .or_default()
            .add(right, right_kind, false_alarm);
        for t in &case.transforms {
            s.by_transform
                .entry(*t)
                .or_default()
                .add(right, right_kind, false_alarm);
        }
        if !right {
            s.failures.push(Failure {
                case: case.clone(),
                got,
            });
        }
    }
    s
}
