//! The generated grid: every source phrasing × openers × closers × fillers × STT-style damage ×
//! layouts (one segment, the closer or the opener in a segment of its own, two sentences in one
//! segment), deterministic for a seed.

use balto_core::advice::Conversation;

use super::grid_data::{Expected, Half, Phrasing, Wrappers};
use super::rng::SplitMix64;
use super::stt_style::{self, Transform};

/// How many variants per phrasing and from which seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GridConfig {
    pub seed: u64,
    /// Variants per phrasing; the first is always the phrasing as written.
    pub variants: usize,
}

impl Default for GridConfig {
    /// Seed 16 (the issue), 16 variants per phrasing: about 4,000 utterances per half.
    fn default() -> Self {
        GridConfig {
            seed: 16,
            variants: 16,
        }
    }
}

/// How the words are cut into segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layout {
    /// The phrasing as written, alone.
    Plain,
    /// Opener + phrasing + closer, one segment.
    Wrapped,
    /// Opener + phrasing, then the closer (a question) as the next segment.
    CloserApart,
    /// The opener as a segment, then phrasing + closer.
    OpenerApart,
    /// Two sentences in one segment: the phrasing and another (small talk, or for a red flag
    /// possibly an everyday complaint), in either order.
    Joined,
}

impl Layout {
    pub const ALL: [Layout; 5] = [
        Layout::Plain,
        Layout::Wrapped,
        Layout::CloserApart,
        Layout::OpenerApart,
        Layout::Joined,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Layout::Plain => "frase sozinha",
            Layout::Wrapped => "abertura + frase + fechamento",
            Layout::CloserApart => "fechamento (pergunta) em outro segmento",
            Layout::OpenerApart => "abertura em outro segmento",
            Layout::Joined => "duas frases num segmento",
        }
    }
}

/// One generated utterance window with what it should get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridCase {
    /// `<phrasing id>#<variant>`.
    pub id: String,
    /// The source file it came from (`tuning`, `tuning2`, `tuning3`, `tuning4`, `heldout`).
    pub source: String,
    pub phrasing: String,
    pub expected: Expected,
    pub layout: Layout,
    pub transforms: Vec<Transform>,
    pub fillers: usize,
    /// The segments, oldest first.
    pub utterances: Vec<String>,
}

impl GridCase {
    /// The window the advisor sees (4 s between segments, nothing pushed yet).
    pub fn conversation(&self) -> Conversation {
        Conversation::spaced(self.utterances.iter().cloned(), 4_000)
    }
}

/// FNV-1a of a phrasing id: a stable number per phrasing, whatever the file order.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn is_question(s: &str) -> bool {
    s.trim_end().ends_with('?')
}

/// Joins non-empty parts with a separator drawn per joint: ", " or ". ".
fn join(parts: &[&str], rng: &mut SplitMix64) -> String {
    let mut out = String::new();
    for p in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        if !out.is_empty() {
            let ends_sentence = out.ends_with(['?', '!', '.']);
            out.push_str(if ends_sentence || !rng.chance(0.6) {
                if ends_sentence { " " } else { ". " }
            } else {
                ", "
            });
        }
        out.push_str(p);
    }
    out
}

/// Inserts `n` fillers at word boundaries, with commas around them half of the time.
fn with_fillers(text: &str, fillers: &[String], n: usize, rng: &mut SplitMix64) -> String {
    let mut words: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
    if words.len() < 2 || fillers.is_empty() {
        return text.to_owned();
    }
    for _ in 0..n {
        let at = 1 + rng.below(words.len() - 1);
        let filler = rng.pick(fillers).clone();
        let piece = if rng.chance(0.5) {
            format!("{filler},")
        } else {
            filler
        };
        words.insert(at, piece);
    }
    words.join(" ")
}

/// Which transforms a variant gets.
fn draw_transforms(rng: &mut SplitMix64) -> Vec<Transform> {
    let mut t = Vec::new();
    // Word-level first, then case, accents, punctuation (as an engine's output would be).
    if rng.chance(0.45) {
        t.push(Transform::Contractions);
    }
    if rng.chance(0.25) {
        t.push(Transform::Digits);
    } else if rng.chance(0.1) {
        t.push(Transform::NumberWords);
    }
    if rng.chance(0.08) {
        t.push(Transform::ChatSpelling);
    }
    if rng.chance(0.15) {
        t.push(Transform::Homophones);
    }
    if rng.chance(0.6) {
        t.push(Transform::Lowercase);
    }
    if rng.chance(0.45) {
        t.push(Transform::NoAccents);
    }
    if rng.chance(0.45) {
        t.push(Transform::NoPunctuation);
    }
    t
}

/// The grid of one half.
pub fn generate(half: &Half, wrappers: &Wrappers, config: &GridConfig) -> Vec<GridCase> {
    let everyday: Vec<&Phrasing> = half
        .phrasings
        .iter()
        .filter(|p| matches!(p.expected, Expected::Category(_)))
        .collect();
    let question_closers: Vec<&String> =
        wrappers.closers.iter().filter(|c| is_question(c)).collect();
    let openers: Vec<&String> = wrappers
        .openers
        .iter()
        .filter(|o| !o.trim().is_empty())
        .collect();
    let mut out =
        Vec::with_capacity((half.phrasings.len() + half.small_talk.len()) * config.variants);
    for p in half.phrasings.iter().chain(&half.small_talk) {
        for v in 0..config.variants {
            let mut rng = SplitMix64::for_item(config.seed, fnv(&p.id), v as u64);
            let id = format!("{}#{v:02}", p.id);
            if v == 0 {
                out.push(GridCase {
                    id,
                    source: half.name.clone(),
                    phrasing: p.id.clone(),
                    expected: p.expected.clone(),
                    layout: Layout::Plain,
                    transforms: Vec::new(),
                    fillers: 0,
                    utterances: vec![p.text.clone()],
                });
                continue;
            }
            let roll = rng.below(100);
            let mut layout = match roll {
                0..=54 => Layout::Wrapped,
                55..=69 => Layout::CloserApart,
                70..=79 => Layout::OpenerApart,
                _ => Layout::Joined,
            };
            let mut opener = if rng.chance(0.7) {
                rng.pick(&wrappers.openers).as_str()
            } else {
                ""
            };
            let mut closer = if rng.chance(0.75) {
                rng.pick(&wrappers.closers).as_str()
            } else {
                ""
            };
            match layout {
                Layout::CloserApart if question_closers.is_empty() => layout = Layout::Wrapped,
                Layout::CloserApart if !is_question(closer) => {
                    closer = rng.pick(&question_closers).as_str();
                }
                Layout::OpenerApart if openers.is_empty() => layout = Layout::Wrapped,
                Layout::OpenerApart if opener.trim().is_empty() => {
                    opener = rng.pick(&openers).as_str();
                }
                _ => {}
            }
            let fillers = match rng.below(100) {
                0..=49 => 0,
                50..=84 => 1,
                _ => 2,
            };
            let body = with_fillers(&p.text, &wrappers.fillers, fillers, &mut rng);
            let body = if layout == Layout::Joined {
                let partner = match &p.expected {
                    Expected::RedFlag(_) if !everyday.is_empty() && rng.chance(0.5) => {
                        rng.pick(&everyday).text.as_str()
                    }
                    _ => {
                        // Another small talk line (not the phrasing itself).
                        let others: Vec<&Phrasing> =
                            half.small_talk.iter().filter(|s| s.id != p.id).collect();
                        match others.is_empty() {
                            true => "",
                            false => rng.pick(&others).text.as_str(),
                        }
                    }
                };
                if rng.chance(0.5) {
                    join(&[&body, partner], &mut rng)
                } else {
                    join(&[partner, &body], &mut rng)
                }
            } else {
                body
            };
            let segments: Vec<String> = match layout {
                Layout::CloserApart => vec![join(&[opener, &body], &mut rng), closer.to_owned()],
                Layout::OpenerApart => vec![opener.to_owned(), join(&[&body, closer], &mut rng)],
                _ => vec![join(&[opener, &body, closer], &mut rng)],
            };
            let transforms = draw_transforms(&mut rng);
            let utterances = segments
                .into_iter()
                .filter(|s| !s.trim().is_empty())
                .map(|s| {
                    transforms
                        .iter()
                        .fold(s, |acc, t| stt_style::apply(*t, &acc, &mut rng))
                })
                .collect();
            out.push(GridCase {
                id,
                source: half.name.clone(),
                phrasing: p.id.clone(),
                expected: p.expected.clone(),
                layout,
                transforms,
                fillers,
                utterances,
            });
        }
    }
    out
}
