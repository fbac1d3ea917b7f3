//! Token patterns over canonical words, and negation.
//!
//! A [`Pattern`] is written in plain Portuguese and compiled through the same normalisation as
//! the text ([`super::canonical`]), so "tô" in a pattern means what "tô", "to" and "estou" mean in
//! speech. Syntax, space-separated: a plain word matches itself, `abc*` matches any word starting
//! with `abc`, `a|b*` is an alternative, `a_b` is a run of words, `#lo-hi` a number in that range,
//! `~` skips zero to two words and `~~` zero to six ("dor ~ peito" matches "dor forte no peito").
//! `a <~> b` (once per pattern, through [`Pattern::parse_orders`]) is `a ~~ b` or `b ~~ a`: a
//! body part and what is wrong with it are said in either order ("a perna ficou dormente",
//! "dormência na perna").
//! *Soft* words — hesitations and intensifiers ("é", "então", "muito") — are not counted by a gap,
//! and up to two may stand unasked between two words of a pattern, also inside a run ("dor, é, de
//! cabeça", "nariz muito entupido", "me, é, então, matar", "água, então, sanitária").
//!
//! A match is *negated* when a negation cue ("não", "nem", "nunca"…) comes before it in the same
//! clause with only linking words in between ("não tenho febre", "nem dor", "não estou com nenhuma
//! dor"). "sem", "nenhum" and "nada" negate only the noun they govern ("sem tosse", "nada de
//! febre"), not what follows it ("falando coisa sem sentido, a boca entortou"); and "e" followed by
//! a verb starts a new statement the negation does not reach ("não aceita nada e está largado").

use super::canonical::{canonicalize, spoken_variants};

/// Words that negate what follows.
const NEGATION_CUES: &[&str] = &[
    "nao", "sem", "nem", "nunca", "nenhum", "nenhuma", "jamais", "nada", "ninguem",
];

/// Cues that negate only the noun they govern ("sem tosse", "nada de febre").
const NOUN_CUES: &[&str] = &["sem", "nenhum", "nenhuma", "nada"];

/// Words that may sit between a noun cue and its noun ("sem nenhuma dor", "nada de febre").
const NOUN_BRIDGES: &[&str] = &[
    "a", "o", "as", "os", "um", "uma", "de", "da", "do", "das", "dos", "com", "muito", "muita",
    "mais", "nenhum", "nenhuma", "tanta", "tanto", "sinal", "sinais", "sintoma", "sintomas",
];

/// Verbs that, after "e", start a new statement ("… e está largado").
const NEW_STATEMENT_VERBS: &[&str] = &[
    "tenho",
    "tem",
    "tive",
    "teve",
    "tinha",
    "estou",
    "esta",
    "estava",
    "sinto",
    "sente",
    "senti",
    "sentiu",
    "ficou",
    "fiquei",
    "fica",
    "apresentou",
    "apresenta",
    "deu",
    "apareceu",
    "aparece",
];

/// Words that may sit between a negation cue and what it negates.
const BRIDGE_WORDS: &[&str] = &[
    "tenho",
    "tem",
    "tive",
    "teve",
    "tinha",
    "estou",
    "esta",
    "estava",
    "sinto",
    "senti",
    "sente",
    "sentiu",
    "sentindo",
    "com",
    "de",
    "da",
    "do",
    "das",
    "dos",
    "a",
    "o",
    "as",
    "os",
    "um",
    "uma",
    "e",
    "mais",
    "muito",
    "muita",
    "tanta",
    "tanto",
    "nenhum",
    "nenhuma",
    "nada",
    "sinal",
    "sinais",
    "sintoma",
    "sintomas",
    "ele",
    "ela",
    "eu",
    "ficou",
    "fiquei",
    "apresentou",
    "apresenta",
    "deu",
    "houve",
    "precisa",
    "preciso",
    "mesmo",
    "nunca",
    "tido",
    "sentido",
    "aparece",
    "apareceu",
    "no",
    "na",
    "nos",
    "nas",
    "em",
    "ainda",
    // "ninguém se machucou", "não se cortou".
    "se",
];

/// Words that may stand inside a pattern without being asked for (at most one between two
/// pattern words): hesitations that survive as words, and intensifiers.
const SOFT_WORDS: &[&str] = &[
    "e", "ai", "dai", "assim", "entao", "meio", "bem", "muito", "muita", "bastante", "tao",
    "mesmo", "demais", "esta", "olha", "nossa", "um", "uma",
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Alt {
    Exact(String),
    Prefix(String),
    /// A number written in digits (numbers said in words are digits by then), `lo..=hi`.
    Range(u32, u32),
}

impl Alt {
    /// The starts ([`Signature`]) of the words this alternative matches.
    fn first_bytes(&self) -> Signature {
        match self {
            Alt::Exact(s) => Signature::of_word(s),
            Alt::Prefix(p) => match p.as_bytes() {
                [] => Signature::ALL,
                [b0] => Signature::any_second(*b0),
                [b0, b1, ..] => Signature::pair(Some(*b0), Some(*b1)),
            },
            Alt::Range(..) => {
                (b'0'..=b'9').fold(Signature::EMPTY, |m, d| m.union(Signature::any_second(d)))
            }
        }
    }

    fn matches(&self, token: &str) -> bool {
        match self {
            Alt::Exact(s) => token == s,
            Alt::Prefix(p) => token.starts_with(p.as_str()),
            Alt::Range(lo, hi) => token.parse::<u32>().is_ok_and(|n| (*lo..=*hi).contains(&n)),
        }
    }
}

/// `#lo-hi` → the range.
fn range(alt: &str) -> Option<Result<Alt, ()>> {
    let body = alt.strip_prefix('#')?;
    let parsed = body
        .split_once('-')
        .and_then(|(lo, hi)| Some((lo.parse::<u32>().ok()?, hi.parse::<u32>().ok()?)))
        .filter(|(lo, hi)| lo <= hi);
    Some(parsed.map(|(lo, hi)| Alt::Range(lo, hi)).ok_or(()))
}

/// One-word alternatives, looked up rather than scanned (a step may list a hundred drug names):
/// exact words found by their hash, prefixes, number ranges, and the signatures of the
/// words any of them can match, so most words are turned away at once.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct WordSet {
    /// Exact words with their [`word_hash`], sorted by hash: a word is looked up by its hash
    /// (computed once per sentence, [`WordIndex`]) and confirmed by one comparison, not by a
    /// binary search of string comparisons.
    exact: Vec<(u64, String)>,
    prefixes: Vec<String>,
    ranges: Vec<(u32, u32)>,
    /// The starts ([`Signature`]) a matching word can have.
    first_bytes: Signature,
}

/// How many classes a byte of a word's start falls in: none (a one-letter word's second), `a`–`z`,
/// `0`–`9`, anything else.
const BYTE_CLASSES: usize = 38;

/// The class of one byte ([`BYTE_CLASSES`]).
fn byte_class(b: Option<u8>) -> usize {
    match b {
        None => 0,
        Some(c @ b'a'..=b'z') => 1 + usize::from(c - b'a'),
        Some(c @ b'0'..=b'9') => 27 + usize::from(c - b'0'),
        Some(_) => 37,
    }
}

/// A set of word starts (a word's first two bytes, one bit per pair of [`byte_class`]es): what
/// a sentence holds, or what a pattern's word step can match. Exact, so a step whose words are
/// all absent is ruled out without looking at the words; with a folded copy in 128 bits that
/// rules most patterns out in one comparison (a pattern's folded needs sit together in memory).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Signature {
    folded: u128,
    exact: [u64; SIGNATURE_WORDS],
}

const SIGNATURE_WORDS: usize = (BYTE_CLASSES * BYTE_CLASSES).div_ceil(64);

impl Signature {
    /// No word.
    pub const EMPTY: Signature = Signature {
        folded: 0,
        exact: [0; SIGNATURE_WORDS],
    };
    /// Every word.
    const ALL: Signature = Signature {
        folded: u128::MAX,
        exact: [u64::MAX; SIGNATURE_WORDS],
    };

    /// The start of a word whose first two bytes are `b0`, `b1`.
    fn pair(b0: Option<u8>, b1: Option<u8>) -> Signature {
        let mut s = Signature::EMPTY;
        s.insert(byte_class(b0) * BYTE_CLASSES + byte_class(b1));
        s
    }

    /// The start of `word` (no bit for an empty word).
    fn of_word(word: &str) -> Signature {
        let mut b = word.bytes();
        match b.next() {
            Some(b0) => Signature::pair(Some(b0), b.next()),
            None => Signature::EMPTY,
        }
    }

    /// Every start of a word whose first byte is `b0`.
    fn any_second(b0: u8) -> Signature {
        let mut s = Signature::EMPTY;
        let row = byte_class(Some(b0)) * BYTE_CLASSES;
        for bit in row..row + BYTE_CLASSES {
            s.insert(bit);
        }
        s
    }

    fn insert(&mut self, bit: usize) {
        self.exact[bit / 64] |= 1 << (bit % 64);
        self.folded |= 1 << (bit % 128);
    }

    fn union(mut self, other: Signature) -> Signature {
        for (a, b) in self.exact.iter_mut().zip(other.exact) {
            *a |= b;
        }
        self.folded |= other.folded;
        self
    }

    /// True when the two sets share a word start.
    fn meets(&self, other: &Signature) -> bool {
        self.exact.iter().zip(&other.exact).any(|(a, b)| a & b != 0)
    }

    /// The bit of `word`'s start (0, in no set but [`Signature::ALL`], for an empty word).
    fn start_of(word: &str) -> u16 {
        let mut b = word.bytes();
        let Some(b0) = b.next() else {
            return 0;
        };
        // At most 38 × 38 − 1: fits.
        (byte_class(Some(b0)) * BYTE_CLASSES + byte_class(b.next())) as u16
    }

    /// True when the start with bit `bit` ([`Signature::start_of`]) is in the set.
    fn has(&self, bit: u16) -> bool {
        let bit = usize::from(bit);
        self.exact[bit / 64] & (1 << (bit % 64)) != 0
    }

    /// True when `word`'s start is in the set.
    fn admits(&self, word: &str) -> bool {
        !word.is_empty() && self.has(Signature::start_of(word))
    }
}

impl Default for Signature {
    fn default() -> Self {
        Signature::EMPTY
    }
}

/// A run of words' starts, as a set ([`Signature`]) and word by word: a pattern is ruled out, and
/// the places its first word could stand are found, without reading the words.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct WordIndex {
    set: Signature,
    starts: Vec<u16>,
    /// Words a gap does not count: soft words ([`is_soft`]) and the words of a possessor phrase
    /// ([`possessor_words`]).
    free: Vec<bool>,
    /// Soft words, looked up once per sentence rather than at every step of every pattern.
    soft: Vec<bool>,
    /// Every word's [`word_hash`].
    hashes: Vec<u64>,
}

/// FNV-1a of a word: how a word step finds it among its exact words ([`WordSet`]).
fn word_hash(word: &str) -> u64 {
    word.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl WordIndex {
    /// The index of `tokens`.
    pub fn of(tokens: &[String]) -> WordIndex {
        let starts: Vec<u16> = tokens.iter().map(|t| Signature::start_of(t)).collect();
        let mut set = Signature::EMPTY;
        for &bit in &starts {
            if bit != 0 {
                set.insert(usize::from(bit));
            }
        }
        let soft: Vec<bool> = tokens.iter().map(|t| is_soft(t)).collect();
        let free = possessor_words(tokens)
            .into_iter()
            .zip(&soft)
            .map(|(possessor, &soft)| possessor || soft)
            .collect();
        WordIndex {
            set,
            starts,
            free,
            soft,
            hashes: tokens.iter().map(|t| word_hash(t)).collect(),
        }
    }

    /// True when a gap need not count the word at `at` (soft, or inside a possessor phrase).
    fn is_free(&self, at: usize) -> bool {
        self.free.get(at).copied().unwrap_or(false)
    }

    /// The [`word_hash`] of the word at `at`.
    fn hash_at(&self, at: usize) -> u64 {
        self.hashes.get(at).copied().unwrap_or(0)
    }

    /// True when the word at `at` is soft ([`is_soft`]).
    fn is_soft_at(&self, at: usize) -> bool {
        self.soft.get(at).copied().unwrap_or(false)
    }
}

/// Words that start a possessor phrase.
const POSSESSOR_OF: &[&str] = &["do", "da", "dos", "das"];
/// Words that may stand between "do/da" and the person.
const POSSESSOR_DETERMINERS: &[&str] = &[
    "meu", "minha", "meus", "minhas", "seu", "sua", "seus", "suas", "nosso", "nossa", "teu", "tua",
    "o", "a", "esse", "essa", "aquele", "aquela",
];
/// The person a body part or a sign belongs to.
pub(crate) const POSSESSOR_PEOPLE: &[&str] = &[
    "pai",
    "mae",
    "filho",
    "filha",
    "filhos",
    "filhas",
    "avo",
    "avos",
    "vo",
    "marido",
    "esposa",
    "esposo",
    "mulher",
    "irmao",
    "irma",
    "tio",
    "tia",
    "sogro",
    "sogra",
    "sobrinho",
    "sobrinha",
    "neto",
    "neta",
    "primo",
    "prima",
    "cunhado",
    "cunhada",
    "nora",
    "genro",
    "bebe",
    "bebes",
    "menino",
    "menina",
    "crianca",
    "garoto",
    "garota",
    "vizinho",
    "vizinha",
    "amigo",
    "amiga",
    "namorado",
    "namorada",
    "enteado",
    "enteada",
    "afilhado",
    "afilhada",
    "padrasto",
    "madrasta",
    "companheiro",
    "companheira",
    "senhor",
    "senhora",
    "paciente",
    "idoso",
    "idosa",
    "rapaz",
    "moca",
    "colega",
    "patrao",
    "patroa",
    "chefe",
    "cacula",
];

/// Marks the words of possessor phrases — "do meu pai", "da minha filha", "da menina", "dele" —
/// which stand between a body part and what is wrong with it when the part is said first ("os
/// olhos do meu filho afundaram", "a boca dele ficou torta"): a gap does not count them.
fn possessor_words(tokens: &[String]) -> Vec<bool> {
    let mut free = vec![false; tokens.len()];
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i].as_str();
        if matches!(t, "dele" | "dela" | "deles" | "delas") {
            free[i] = true;
        } else if POSSESSOR_OF.contains(&t) {
            let mut j = i + 1;
            if tokens
                .get(j)
                .is_some_and(|w| POSSESSOR_DETERMINERS.contains(&w.as_str()))
            {
                j += 1;
            }
            if tokens
                .get(j)
                .is_some_and(|w| POSSESSOR_PEOPLE.contains(&w.as_str()))
            {
                free[i..=j].iter_mut().for_each(|f| *f = true);
                i = j;
            }
        }
        i += 1;
    }
    free
}

impl WordSet {
    fn add(&mut self, alt: Alt) {
        self.first_bytes = self.first_bytes.union(alt.first_bytes());
        match alt {
            Alt::Exact(s) => {
                let entry = (word_hash(&s), s);
                if let Err(at) = self.exact.binary_search(&entry) {
                    self.exact.insert(at, entry);
                }
            }
            Alt::Prefix(p) => self.prefixes.push(p),
            Alt::Range(lo, hi) => self.ranges.push((lo, hi)),
        }
    }

    fn matches(&self, token: &str, hash: u64) -> bool {
        if !self.first_bytes.admits(token) {
            return false;
        }
        let from = self.exact.partition_point(|(h, _)| *h < hash);
        self.exact[from..]
            .iter()
            .take_while(|(h, _)| *h == hash)
            .any(|(_, w)| w == token)
            || self.prefixes.iter().any(|p| token.starts_with(p.as_str()))
            || (!self.ranges.is_empty()
                && token
                    .parse::<u32>()
                    .is_ok_and(|n| self.ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&n))))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// One word, any of the alternatives.
    Word(WordSet),
    /// Alternatives of which at least one is a run of canonical words (a contraction in the
    /// pattern: "pro" → "para o"; "água_sanitária"): the runs are tried first, then the
    /// one-word alternatives.
    Runs { runs: Vec<Vec<Alt>>, words: WordSet },
    /// Skip 0..=n arbitrary words.
    Gap(usize),
}

/// A compiled token pattern (syntax in the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pattern {
    steps: Vec<Step>,
    /// The pattern itself says a negation ("não consigo respirar").
    negative: bool,
    /// Per word step, the starts ([`Signature`]) of the words it can match: a sentence
    /// without one for every step cannot hold the pattern (checked before matching; most
    /// patterns stop there).
    needs: Vec<Signature>,
    /// `needs` folded ([`Signature`]), checked first.
    folded_needs: Vec<u128>,
}

/// Where a pattern matched inside a clause: words `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
}

/// Why a pattern does not compile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("empty pattern")]
    Empty,
    #[error("pattern {0:?} starts or ends with a gap")]
    GapAtEdge(String),
    #[error("pattern {0:?} has an empty alternative")]
    EmptyAlternative(String),
    #[error("pattern {0:?} has a number range that is not #low-high")]
    BadRange(String),
    #[error("pattern {0:?}: `<~>` joins exactly two non-empty halves, once")]
    EitherOrder(String),
}

/// Canonical form of one alternative: a run of words ("pro" → ["para", "o"]).
fn canonical_alt(alt: &str) -> Vec<String> {
    let words = balto_core::text::words(alt);
    canonicalize(&words, &words)
        .into_iter()
        .map(|w| w.canon)
        .collect()
}

/// The separator of a pattern whose two halves may come in either order.
const EITHER_ORDER: &str = " <~> ";

impl Pattern {
    /// Compiles a pattern that may say `a <~> b` (both orders, six words apart at most) into the
    /// patterns it stands for: one, or two for `a ~~ b` and `b ~~ a`.
    pub fn parse_orders(source: &str) -> Result<Vec<Pattern>, PatternError> {
        match source.split_once(EITHER_ORDER) {
            None => Ok(vec![Pattern::parse(source)?]),
            Some((a, b)) => {
                if b.contains(EITHER_ORDER.trim()) || a.trim().is_empty() || b.trim().is_empty() {
                    return Err(PatternError::EitherOrder(source.to_owned()));
                }
                Ok(vec![
                    Pattern::parse(&format!("{a} ~~ {b}"))?,
                    Pattern::parse(&format!("{b} ~~ {a}"))?,
                ])
            }
        }
    }

    /// Compiles a pattern; its words go through the same normalisation as the text.
    pub fn parse(source: &str) -> Result<Pattern, PatternError> {
        let mut steps = Vec::new();
        for word in source.split_whitespace() {
            match word {
                "~" => steps.push(Step::Gap(2)),
                "~~" => steps.push(Step::Gap(6)),
                _ => {
                    // Alternatives may expand to different lengths ("pra|para" is one word,
                    // "pro" is two): each alternative is a run; runs are matched as a unit.
                    let mut runs: Vec<(Vec<String>, bool)> = Vec::new();
                    let mut ranges: Vec<Alt> = Vec::new();
                    for alt in word.split('|') {
                        match range(alt) {
                            Some(Ok(r)) => {
                                ranges.push(r);
                                continue;
                            }
                            Some(Err(())) => return Err(PatternError::BadRange(source.to_owned())),
                            None => {}
                        }
                        let prefix = alt.ends_with('*');
                        let body = canonical_alt(alt.trim_end_matches('*'));
                        if body.is_empty() {
                            return Err(PatternError::EmptyAlternative(source.to_owned()));
                        }
                        runs.push((body, prefix));
                    }
                    let mut words = WordSet::default();
                    let mut multi: Vec<Vec<Alt>> = Vec::new();
                    for (r, prefix) in &runs {
                        if r.len() == 1 {
                            words.add(alt_of(&r[0], *prefix));
                            if !*prefix {
                                for v in spoken_variants(&r[0]) {
                                    words.add(Alt::Exact(v));
                                }
                            }
                        } else {
                            let last = r.len() - 1;
                            multi.push(
                                r.iter()
                                    .enumerate()
                                    .map(|(i, w)| alt_of(w, *prefix && i == last))
                                    .collect(),
                            );
                        }
                    }
                    for r in ranges {
                        words.add(r);
                    }
                    if multi.is_empty() {
                        steps.push(Step::Word(words));
                    } else {
                        // Longer runs first: "água_sanitária" before "água".
                        multi.sort_by_key(|r| std::cmp::Reverse(r.len()));
                        steps.push(Step::Runs { runs: multi, words });
                    }
                }
            }
        }
        if steps.is_empty() {
            return Err(PatternError::Empty);
        }
        if matches!(steps.first(), Some(Step::Gap(_))) || matches!(steps.last(), Some(Step::Gap(_)))
        {
            return Err(PatternError::GapAtEdge(source.to_owned()));
        }
        let negative = source
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| NEGATION_CUES.contains(&w));
        let needs: Vec<Signature> = steps
            .iter()
            .filter_map(|step| match step {
                Step::Word(words) => Some(words.first_bytes),
                Step::Runs { runs, words } => {
                    Some(runs.iter().fold(words.first_bytes, |m, run| {
                        m.union(run.first().map_or(Signature::ALL, Alt::first_bytes))
                    }))
                }
                Step::Gap(_) => None,
            })
            .collect();
        let folded_needs = needs.iter().map(|n| n.folded).collect();
        Ok(Pattern {
            steps,
            negative,
            needs,
            folded_needs,
        })
    }

    /// False when some word step cannot match a word of a sentence with index `have`
    /// ([`WordIndex`]).
    fn may_match(&self, have: &WordIndex) -> bool {
        let have = &have.set;
        self.folded_needs.iter().all(|need| need & have.folded != 0)
            && self.needs.iter().all(|need| need.meets(have))
    }

    /// True when the pattern itself contains a negation word.
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// Every non-overlapping match in `tokens`, left to right (the shortest at each start).
    #[cfg(test)]
    pub fn find_all(&self, tokens: &[String]) -> Vec<Span> {
        self.find_all_signed(tokens, &WordIndex::of(tokens))
    }

    /// [`Pattern::find_all`] with the words' [`WordIndex`] already computed.
    pub fn find_all_signed(&self, tokens: &[String], index: &WordIndex) -> Vec<Span> {
        let mut out = Vec::new();
        if !self.may_match(index) {
            return out;
        }
        let mut i = 0;
        while i < tokens.len() {
            if self.may_start(index, i)
                && let Some(end) = self.match_at(tokens, index, i, 0, false)
            {
                out.push(Span { start: i, end });
                i = end.max(i + 1);
            } else {
                i += 1;
            }
        }
        out
    }

    /// The shortest match at every start, overlapping ones included: for a reader that takes
    /// the first match it accepts (a longer reach may cross a negation a later start avoids:
    /// "caiu da mão dela do nada, a mão ficou mole").
    pub fn find_every_start_signed(&self, tokens: &[String], index: &WordIndex) -> Vec<Span> {
        if !self.may_match(index) {
            return Vec::new();
        }
        (0..tokens.len())
            .filter(|&i| self.may_start(index, i))
            .filter_map(|i| {
                self.match_at(tokens, index, i, 0, false)
                    .map(|end| Span { start: i, end })
            })
            .collect()
    }

    /// True when the pattern matches anywhere in `tokens`.
    #[cfg(test)]
    pub fn is_in(&self, tokens: &[String]) -> bool {
        self.is_in_signed(tokens, &WordIndex::of(tokens))
    }

    /// [`Pattern::is_in`] with the words' [`WordIndex`] already computed.
    pub fn is_in_signed(&self, tokens: &[String], index: &WordIndex) -> bool {
        self.may_match(index)
            && (0..tokens.len()).any(|i| {
                self.may_start(index, i) && self.match_at(tokens, index, i, 0, false).is_some()
            })
    }

    /// False when the word at `at` cannot be the pattern's first (its start is not among the
    /// first step's): most places are passed over without reading the word.
    fn may_start(&self, index: &WordIndex, at: usize) -> bool {
        match (self.needs.first(), index.starts.get(at)) {
            (Some(first), Some(&bit)) => first.has(bit),
            _ => true,
        }
    }

    /// Matches steps `step..` at `pos`; `inside` once the first word matched (soft words may
    /// then be skipped).
    fn match_at(
        &self,
        tokens: &[String],
        index: &WordIndex,
        pos: usize,
        step: usize,
        inside: bool,
    ) -> Option<usize> {
        let Some(s) = self.steps.get(step) else {
            return Some(pos);
        };
        match s {
            Step::Word(_) | Step::Runs { .. } => {
                if let Some(next) = Self::match_words(s, tokens, index, pos)
                    && let Some(end) = self.match_at(tokens, index, next, step + 1, true)
                {
                    return Some(end);
                }
                // Up to two soft words may stand before this word (not before the first).
                if !inside {
                    return None;
                }
                let mut at = pos;
                while at < pos + MAX_SOFT && index.is_soft_at(at) {
                    at += 1;
                    if let Some(next) = Self::match_words(s, tokens, index, at)
                        && let Some(end) = self.match_at(tokens, index, next, step + 1, true)
                    {
                        return Some(end);
                    }
                }
                None
            }
            // A gap counts only words that are not soft nor a possessor's: "acabar com, assim,
            // a minha vida", "os olhos do meu filho afundaram".
            Step::Gap(n) => {
                let mut at = pos;
                let mut counted = 0;
                loop {
                    if let Some(end) = self.match_at(tokens, index, at, step + 1, true) {
                        return Some(end);
                    }
                    tokens.get(at)?;
                    if !index.is_free(at) {
                        counted += 1;
                        if counted > *n {
                            return None;
                        }
                    }
                    at += 1;
                }
            }
        }
    }

    /// Where a word step ends when it matches at `pos`.
    fn match_words(step: &Step, tokens: &[String], index: &WordIndex, pos: usize) -> Option<usize> {
        match step {
            Step::Word(words) => words
                .matches(tokens.get(pos)?, index.hash_at(pos))
                .then_some(pos + 1),
            Step::Runs { runs, words } => runs
                .iter()
                .find_map(|run| match_run(run, tokens, index, pos))
                .or_else(|| {
                    words
                        .matches(tokens.get(pos)?, index.hash_at(pos))
                        .then_some(pos + 1)
                }),
            Step::Gap(_) => None,
        }
    }
}

/// How many soft words may stand together inside a pattern ("me, é, então, matar").
const MAX_SOFT: usize = 2;

/// True for a hesitation or intensifier that may stand anywhere ("é", "então", "muito").
pub(crate) fn is_soft(token: &str) -> bool {
    SOFT_WORDS.contains(&token)
}

/// Where a run of words ("água sanitária") ends when it matches at `pos`; soft words may stand
/// between its words as between a pattern's.
fn match_run(run: &[Alt], tokens: &[String], index: &WordIndex, pos: usize) -> Option<usize> {
    let mut at = pos;
    for (k, alt) in run.iter().enumerate() {
        if k > 0 {
            let mut skipped = 0;
            while skipped < MAX_SOFT
                && index.is_soft_at(at)
                && tokens.get(at).is_some_and(|t| !alt.matches(t))
            {
                at += 1;
                skipped += 1;
            }
        }
        if !tokens.get(at).is_some_and(|t| alt.matches(t)) {
            return None;
        }
        at += 1;
    }
    Some(at)
}

fn alt_of(word: &str, prefix: bool) -> Alt {
    if prefix {
        Alt::Prefix(word.to_owned())
    } else {
        Alt::Exact(word.to_owned())
    }
}

/// True when `tokens` hold a negation cue ("o médico não passou": the phrase is denied).
pub(crate) fn has_negation(tokens: &[String]) -> bool {
    tokens
        .iter()
        .enumerate()
        .any(|(i, t)| NEGATION_CUES.contains(&t.as_str()) && !is_idiom_at(tokens, i))
}

/// Words after "sem" that make an idiom, not a denial: "tomei sem querer" (by accident),
/// "sem perceber", "sem ver".
const SEM_IDIOMS: &[&str] = &["querer", "perceber", "ver", "saber", "pensar", "notar"];

/// True when the negation cue at `at` is part of an idiom ("sem querer").
fn is_idiom_at(tokens: &[String], at: usize) -> bool {
    tokens[at] == "sem"
        && tokens
            .get(at + 1)
            .is_some_and(|n| SEM_IDIOMS.contains(&n.as_str()))
}

/// Words that address the pharmacist.
const YOU_WORDS: &[&str] = &["voce", "voces", "senhor", "senhora"];

/// Verbs of "você não tem…?", "o senhor não vende…?".
const OFFER_VERBS: &[&str] = &[
    "tem", "teria", "tinha", "vende", "vendem", "venderia", "faz",
];

/// True when the "não" at `at` asks for something rather than denies it: "você não tem um
/// antibiótico aí?", "a senhora não vende…?" — a polite request in Brazilian Portuguese, with or
/// without the question mark a transcript may drop.
fn is_polite_request(tokens: &[String], at: usize) -> bool {
    tokens[at] == "nao"
        && at > 0
        && YOU_WORDS.contains(&tokens[at - 1].as_str())
        && tokens
            .get(at + 1)
            .is_some_and(|v| OFFER_VERBS.contains(&v.as_str()))
}

/// Verbs of a denial said after its object ("dor no peito eu não tenho").
const DENIAL_VERBS: &[&str] = &[
    "tenho",
    "tem",
    "teve",
    "tive",
    "sinto",
    "sente",
    "senti",
    "sentiu",
    "estou",
    "esta",
    "ficou",
    "apresentou",
    "apresenta",
];

/// What may follow such a denial to the clause's end ("…não tenho nenhuma", "…não tenho, não").
const DENIAL_TAILS: &[&str] = &[
    "nao", "nenhuma", "nenhum", "nada", "nunca", "tem", "voce", "qual", "queria", "quero",
];

/// True when what ends at `end` is waved away right after it, as answers to a list of signs
/// are: "vômito ou fezes escuras? nada", "sangue nas fezes não, nada", "dificuldade pra
/// respirar, nada disso".
pub(crate) fn is_waved_away_after(tokens: &[String], end: usize) -> bool {
    let rest = tokens.get(end..).unwrap_or(&[]);
    let tail_ok = |w: Option<&String>| {
        w.is_none_or(|w| {
            matches!(
                w.as_str(),
                "disso" | "so" | "nao" | "mesmo" | "nenhum" | "nenhuma"
            )
        })
    };
    match rest {
        [first, next @ ..] if first == "nada" => tail_ok(next.first()),
        [first, second, next @ ..] if first == "nao" && second == "nada" => tail_ok(next.first()),
        _ => false,
    }
}

/// True when what ends at `end`, named at the start of its clause, is denied right after it:
/// "dor no peito eu não tenho nenhuma", "falta de ar eu não tenho, não", "febre ela não teve".
/// A denial with an object of its own ("dor no peito, não tenho remédio") denies that object.
pub(crate) fn is_denied_after(tokens: &[String], end: usize) -> bool {
    let rest = tokens.get(end..).unwrap_or(&[]);
    let mut i = 0;
    if rest
        .first()
        .is_some_and(|w| matches!(w.as_str(), "eu" | "ele" | "ela" | "eles" | "elas"))
    {
        i = 1;
    }
    rest.get(i).is_some_and(|w| w == "nao")
        && rest
            .get(i + 1)
            .is_some_and(|v| DENIAL_VERBS.contains(&v.as_str()))
        && rest
            .get(i + 2)
            .is_none_or(|w| DENIAL_TAILS.contains(&w.as_str()))
}

/// True when the words before `start` negate what starts there.
pub(crate) fn is_negated(tokens: &[String], start: usize) -> bool {
    let mut j = start.min(tokens.len());
    let mut steps = 0;
    // Every word crossed so far could stand between a noun cue and its noun.
    let mut noun_phrase = true;
    while j > 0 && steps < 5 {
        j -= 1;
        steps += 1;
        let t = tokens[j].as_str();
        if is_idiom_at(tokens, j) {
            // "tomou sem querer": crossed like a linking word.
            noun_phrase = false;
            continue;
        }
        if NOUN_CUES.contains(&t) {
            // "nada" negates only "nada de febre", not what follows "pra nada".
            let governs = t != "nada"
                || tokens
                    .get(j + 1)
                    .is_some_and(|n| matches!(n.as_str(), "de" | "da" | "do"));
            return noun_phrase && governs;
        }
        if NEGATION_CUES.contains(&t) {
            // "não" stands before the verb, after its subject ("eu não quero"): one before a
            // subject or a call to attention answers on its own ("não é jeito de falar não, eu
            // quero morrer mesmo", "só não, olha os olhinhos dele como tão fundos").
            let reply = t == "nao"
                && tokens[j + 1..start]
                    .iter()
                    .find(|w| !SOFT_WORDS.contains(&w.as_str()))
                    .is_some_and(|w| {
                        matches!(
                            w.as_str(),
                            "eu" | "ele" | "ela" | "olha" | "escuta" | "espera" | "calma"
                        )
                    });
            return !reply && !is_polite_request(tokens, j);
        }
        if !BRIDGE_WORDS.contains(&t) && !SOFT_WORDS.contains(&t) {
            return false;
        }
        // "… e está largado": a new statement.
        if t == "e"
            && tokens
                .get(j + 1)
                .is_some_and(|n| NEW_STATEMENT_VERBS.contains(&n.as_str()))
        {
            return false;
        }
        noun_phrase &= NOUN_BRIDGES.contains(&t);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        super::super::canonical::canonical_words(s)
    }

    fn p(s: &str) -> Pattern {
        Pattern::parse(s).unwrap()
    }

    #[test]
    fn a_no_before_the_subject_answers_on_its_own() {
        let t = toks("não é jeito de falar não, eu quero morrer mesmo");
        let at = t.iter().position(|w| w == "quero").unwrap();
        assert!(!is_negated(&t, at), "{t:?}");
        let t = toks("eu não quero morrer");
        assert!(is_negated(&t, 2), "{t:?}");
    }

    #[test]
    fn a_polite_request_is_not_a_denial() {
        let t = toks("você não tem um antibiótico aí");
        assert!(!is_negated(&t, 4));
        let t = toks("a senhora não vende remédio pra tosse");
        assert!(!is_negated(&t, 4));
        // A statement about someone else stays negated.
        let t = toks("ele não tem febre");
        assert!(is_negated(&t, 3));
    }

    #[test]
    fn a_possessor_between_a_part_and_its_sign_is_not_counted_by_a_gap() {
        let p = p("olho|olhos ~ fundo|afund*");
        assert!(p.is_in(&toks("os olhos do meu filho afundaram")));
        assert!(p.is_in(&toks("os olhos dele afundaram")));
        assert!(p.is_in(&toks("os olhos da menina afundaram")));
        // Anything else still counts.
        assert!(!p.is_in(&toks("os olhos do carro novo dela afundaram")));
    }

    #[test]
    fn either_order_patterns_match_both_orders_and_nothing_else() {
        let ps = Pattern::parse_orders("perna|braco <~> dormente|formig*").unwrap();
        assert_eq!(ps.len(), 2);
        let any = |s: &str| ps.iter().any(|p| p.is_in(&toks(s)));
        assert!(any("a perna esquerda dele ficou dormente"));
        assert!(any("formigamento no braco direito"));
        assert!(!any(
            "a perna doi desde ontem quando acordei cedo para trabalhar e a mao dormente"
        ));
        assert!(!any("dormente"));
        assert_eq!(Pattern::parse_orders("perna ~ dor").unwrap().len(), 1);
        for bad in ["perna <~> ", "a <~> b <~> c", " <~> b"] {
            assert!(Pattern::parse_orders(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn patterns_match_exact_prefix_alternatives_and_gaps() {
        let d = p("dor ~ peito");
        assert_eq!(d.find_all(&toks("dor no peito")).len(), 1);
        assert_eq!(d.find_all(&toks("uma dor forte no peito")).len(), 1);
        assert!(
            d.find_all(&toks("dor de cabeça e depois no peito"))
                .is_empty()
        );
        let q = p("olho|olhos vermelh*|irritad*");
        assert_eq!(q.find_all(&toks("olhos vermelhos")).len(), 1);
        assert_eq!(q.find_all(&toks("olho irritado")).len(), 1);
        assert!(q.find_all(&toks("olho seco")).is_empty());
        let r = p("cabeça");
        assert_eq!(
            r.find_all(&toks("Cabeça, cabeca")),
            vec![Span { start: 0, end: 1 }, Span { start: 1, end: 2 }]
        );
        let far = p("peito ~~ braço");
        assert!(far.is_in(&toks("peito que desce até o meu braço")));
        // A gap does not count hesitations and intensifiers.
        let vida = p("acabar com ~ vida");
        assert!(vida.is_in(&toks("acabar com, assim, a minha vida")));
        assert!(!vida.is_in(&toks("acabar com a tosse da minha vida")));
    }

    #[test]
    fn patterns_are_normalised_like_the_text() {
        let t = p("tô com febre");
        assert!(t.is_in(&toks("to com febre")));
        assert!(t.is_in(&toks("estou com febre")));
        let pro = p("pro braço");
        assert!(pro.is_in(&toks("desce para o braço")));
        assert!(pro.is_in(&toks("desce pro braço")));
        let bebe = p("bebe de #1-89 dias");
        assert!(bebe.is_in(&toks("bebê de quarenta dias")));
        assert!(bebe.is_in(&toks("bebe de 20 dias")));
        assert!(!bebe.is_in(&toks("bebê de 90 dias")));
        let alt = p("vai pro|até braço");
        assert!(alt.is_in(&toks("vai até braço")));
        assert!(alt.is_in(&toks("vai pro braço")));
    }

    #[test]
    fn one_soft_word_may_stand_inside_a_pattern() {
        let d = p("dor de cabeça");
        assert!(d.is_in(&toks("dor, é, de cabeça")));
        assert!(!d.is_in(&toks("dor forte de cabeça")));
        let n = p("nariz entupido");
        assert!(n.is_in(&toks("nariz muito entupido")));
        // Not before the first word: the match starts at the pattern's first word.
        assert_eq!(
            n.find_all(&toks("muito nariz entupido")),
            vec![Span { start: 1, end: 3 }]
        );
    }

    #[test]
    fn two_soft_words_may_stand_together_also_inside_runs() {
        assert!(p("me matar").is_in(&toks("me, é, então, matar")));
        assert!(!p("me matar").is_in(&toks("me é então assim matar")));
        let run = p("bebeu ~~ agua_sanitaria");
        assert!(run.is_in(&toks("a menina bebeu água, então, sanitária")));
        assert!(!run.is_in(&toks("bebeu água da torneira sanitária")));
    }

    #[test]
    fn the_signature_check_never_drops_a_match() {
        // One-letter prefixes, ranges, runs and many alternatives: what the check must allow.
        for (pattern, text) in [
            ("v* ~ sangue", "vomitando sangue"),
            ("febre ~ #38-42", "febre de 39"),
            (
                "bebeu ~~ agua_sanitaria|cloro|veneno",
                "bebeu um gole de água sanitária",
            ),
            ("x|y|z|dor ~ peito", "dor no peito"),
        ] {
            let p = p(pattern);
            let t = toks(text);
            assert!(p.is_in(&t), "{pattern} / {text}");
            assert_eq!(p.find_all(&t).len(), 1, "{pattern} / {text}");
        }
        assert!(!p("dor ~ peito").is_in(&toks("febre alta")));
    }

    #[test]
    fn the_signature_check_rules_out_a_pattern_by_its_words_starts() {
        let dor_peito = p("dor ~ peito");
        // "dente" starts as no word of the step "dor" does: ruled out before matching.
        assert!(!dor_peito.may_match(&WordIndex::of(&toks("dente e perna"))));
        // Same first letter, another second one: still told apart.
        assert!(!dor_peito.may_match(&WordIndex::of(&toks("dia de pera"))));
        assert!(dor_peito.may_match(&WordIndex::of(&toks("doendo o peito"))));
        assert!(p("febr* ~ #38-42").may_match(&WordIndex::of(&toks("febre de 39"))));
        assert!(!p("febr* ~ #38-42").may_match(&WordIndex::of(&toks("febre alta"))));
    }

    #[test]
    fn a_pattern_is_looked_for_only_where_its_first_word_can_stand() {
        let t = toks("ontem dor forte no peito e dor nas costas");
        let index = WordIndex::of(&t);
        let dor_peito = p("dor ~ peito");
        assert!(dor_peito.may_start(&index, 1));
        assert!(!dor_peito.may_start(&index, 0));
        assert!(!dor_peito.may_start(&index, 4));
        let spans = dor_peito.find_all_signed(&t, &index);
        assert_eq!(spans, vec![Span { start: 1, end: 5 }]);
        // A one-letter prefix stands anywhere its letter starts a word.
        assert!(p("p*").may_start(&index, 4));
    }

    #[test]
    fn bad_patterns_are_errors() {
        assert_eq!(Pattern::parse("  "), Err(PatternError::Empty));
        assert!(matches!(
            Pattern::parse("~ dor"),
            Err(PatternError::GapAtEdge(_))
        ));
        assert!(matches!(
            Pattern::parse("dor ~~"),
            Err(PatternError::GapAtEdge(_))
        ));
        assert!(matches!(
            Pattern::parse("dor|,"),
            Err(PatternError::EmptyAlternative(_))
        ));
        assert!(matches!(
            Pattern::parse("#9-2 dias"),
            Err(PatternError::BadRange(_))
        ));
    }

    #[test]
    fn negation_needs_a_cue_and_only_linking_words() {
        assert!(is_negated(&toks("não tenho febre"), 2));
        assert!(is_negated(&toks("estou sem tosse"), 2));
        assert!(is_negated(&toks("nem dor"), 1));
        assert!(is_negated(&toks("não estou com nenhuma dor"), 4));
        assert!(is_negated(&toks("num tô com febre"), 3));
        assert!(!is_negated(&toks("não sei o que tomar pra dor"), 7));
        assert!(!is_negated(&toks("não passa essa dor"), 3));
        assert!(!is_negated(&toks("tenho febre"), 1));
        // "sem", "nenhum", "nada" govern only their noun.
        assert!(is_negated(&toks("sem nenhuma febre"), 2));
        assert!(!is_negated(
            &toks("falando coisa sem sentido a boca entortou"),
            5
        ));
        assert!(!is_negated(&toks("melhor sem ele e tá dando as coisas"), 5));
        assert!(is_negated(&toks("nada de febre"), 2));
        assert!(!is_negated(&toks("não sirvo pra nada melhor eu sumir"), 5));
        // "e" + a verb starts a new statement.
        assert!(!is_negated(&toks("não aceita beber nada e tá largado"), 6));
        assert!(is_negated(&toks("não tenho febre nem tosse"), 4));
        // "ninguém" denies the event, "se" may stand between ("ninguém se machucou").
        assert!(is_negated(&toks("ninguém se machucou"), 2));
        assert!(!is_negated(&toks("ele se machucou"), 2));
        // Denied after being named: "dor no peito eu não tenho nenhuma".
        assert!(is_denied_after(
            &toks("dor no peito eu não tenho nenhuma"),
            3
        ));
        assert!(is_denied_after(&toks("febre ela não teve"), 1));
        assert!(!is_denied_after(&toks("dor no peito não tenho remédio"), 3));
        assert!(!is_denied_after(&toks("dor no peito e falta de ar"), 3));
        assert!(is_waved_away_after(
            &toks("vômito ou fezes escuras nada só pesado"),
            4
        ));
        assert!(is_waved_away_after(&toks("sangue nas fezes não nada"), 3));
        // "sem querer" is an idiom (by accident), not a denial.
        assert!(!has_negation(&toks("tomou sem querer o vidro")));
        assert!(!is_negated(&toks("sem querer engoliu a pilha"), 2));
        assert!(has_negation(&toks("tomou sem água")));
        assert!(!is_waved_away_after(
            &toks("dor de cabeça que nada resolve"),
            3
        ));
        assert!(is_negated(&toks("não tô com febre e nem tenho tosse"), 7));
    }
}
