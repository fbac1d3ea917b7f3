//! The grid's source files (`tests/data/advisor_grid/`): complaint phrasings and small talk per
//! half (`tuning.json`, `heldout.json`) and the wrappers (`wrappers.json`). They are written from
//! outside descriptions by someone who did not read the rules; this module only reads them.

use std::path::{Path, PathBuf};

use balto_core::advice::Category;
use serde::Deserialize;

/// Why the grid's files cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum GridDataError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a valid grid file: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{file}: phrasing {id:?} expects {expected:?}, which is not a category or \"nenhuma\"")]
    UnknownCategory {
        file: String,
        id: String,
        expected: String,
    },
    #[error("{file}: phrasing {id:?} is a red flag ({alert}) but expects {expected:?}")]
    AlertNotIntervention {
        file: String,
        id: String,
        alert: String,
        expected: String,
    },
    #[error("{file}: phrasing {id:?} says nothing about what it expects (\"esperado\")")]
    MissingExpected { file: String, id: String },
    #[error("{file}: phrasing {id:?} appears twice")]
    DuplicateId { file: String, id: String },
    #[error("{file}: no phrasings")]
    Empty { file: String },
}

#[derive(Debug, Clone, Deserialize)]
struct RawPhrasing {
    id: String,
    /// Required for complaints; small talk (`conversa`) may leave it out (then `nenhuma`).
    #[serde(default)]
    esperado: Option<String>,
    #[serde(default)]
    alerta: Option<String>,
    #[serde(default)]
    fonte: Option<String>,
    texto: String,
}

#[derive(Debug, Clone, Deserialize)]
struct RawHalf {
    frases: Vec<RawPhrasing>,
    conversa: Vec<RawPhrasing>,
}

/// What a phrasing should get.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Expected {
    /// A recommendation in this category.
    Category(Category),
    /// An intervention; the red flag's kind as the data names it.
    RedFlag(String),
    /// Nothing (small talk).
    Nothing,
}

impl Expected {
    /// The row label in tables: the category, the red flag's kind, or "conversa".
    pub fn label(&self) -> &str {
        match self {
            Expected::Category(c) => c.as_str(),
            Expected::RedFlag(kind) => kind,
            Expected::Nothing => "conversa",
        }
    }
}

/// One source phrasing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrasing {
    pub id: String,
    pub expected: Expected,
    pub source: Option<String>,
    pub text: String,
}

/// One file of the grid's sources (a half, or one of the files that make up a half).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Half {
    /// The file's name without `.json`: `tuning`, `tuning2`, `tuning3`, `tuning4` or `heldout`.
    pub name: String,
    /// Complaints, product requests and red flags.
    pub phrasings: Vec<Phrasing>,
    /// Small talk (expected: nothing).
    pub small_talk: Vec<Phrasing>,
}

/// Openers, closers and fillers of counter speech.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Wrappers {
    #[serde(rename = "aberturas")]
    pub openers: Vec<String>,
    #[serde(rename = "fechamentos")]
    pub closers: Vec<String>,
    #[serde(rename = "enchimentos")]
    pub fillers: Vec<String>,
}

/// The grid's directory in this repository.
pub fn default_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/advisor_grid")
}

fn read(path: &Path) -> Result<String, GridDataError> {
    std::fs::read_to_string(path).map_err(|source| GridDataError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn parse<T: for<'de> Deserialize<'de>>(path: &Path, json: &str) -> Result<T, GridDataError> {
    serde_json::from_str(json).map_err(|source| GridDataError::Json {
        path: path.to_path_buf(),
        source,
    })
}

/// One phrasing; `small_talk` ones expect `nenhuma` unless they say otherwise.
fn phrasing(file: &str, raw: RawPhrasing, small_talk: bool) -> Result<Phrasing, GridDataError> {
    let esperado = match (&raw.esperado, small_talk) {
        (Some(e), _) => e.clone(),
        (None, true) => "nenhuma".to_owned(),
        (None, false) => {
            return Err(GridDataError::MissingExpected {
                file: file.to_owned(),
                id: raw.id,
            });
        }
    };
    let expected = match (&raw.alerta, esperado.as_str()) {
        (Some(alert), "intervencao") => Expected::RedFlag(alert.clone()),
        (Some(alert), other) => {
            return Err(GridDataError::AlertNotIntervention {
                file: file.to_owned(),
                id: raw.id,
                alert: alert.clone(),
                expected: other.to_owned(),
            });
        }
        (None, "nenhuma") => Expected::Nothing,
        (None, other) => match Category::parse(other) {
            Some(c) if c != Category::Intervencao => Expected::Category(c),
            _ => {
                return Err(GridDataError::UnknownCategory {
                    file: file.to_owned(),
                    id: raw.id,
                    expected: other.to_owned(),
                });
            }
        },
    };
    Ok(Phrasing {
        id: raw.id,
        expected,
        source: raw.fonte,
        text: raw.texto,
    })
}

/// Parses one half from its JSON.
pub fn half_from_json(name: &str, json: &str) -> Result<Half, GridDataError> {
    let path = PathBuf::from(format!("{name}.json"));
    let raw: RawHalf = parse(&path, json)?;
    let file = format!("{name}.json");
    let phrasings = raw
        .frases
        .into_iter()
        .map(|r| phrasing(&file, r, false))
        .collect::<Result<Vec<_>, _>>()?;
    let small_talk = raw
        .conversa
        .into_iter()
        .map(|r| phrasing(&file, r, true))
        .collect::<Result<Vec<_>, _>>()?;
    if phrasings.is_empty() || small_talk.is_empty() {
        return Err(GridDataError::Empty { file });
    }
    let mut ids: Vec<&str> = phrasings
        .iter()
        .chain(&small_talk)
        .map(|p| p.id.as_str())
        .collect();
    ids.sort_unstable();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(GridDataError::DuplicateId {
            file,
            id: w[0].to_owned(),
        });
    }
    Ok(Half {
        name: name.to_owned(),
        phrasings,
        small_talk,
    })
}

/// Reads `<dir>/<name>.json`.
pub fn load_half(dir: &Path, name: &str) -> Result<Half, GridDataError> {
    let path = dir.join(format!("{name}.json"));
    half_from_json(name, &read(&path)?).map_err(|e| match e {
        GridDataError::Json { source, .. } => GridDataError::Json { path, source },
        other => other,
    })
}

/// Reads `<dir>/wrappers.json`.
pub fn load_wrappers(dir: &Path) -> Result<Wrappers, GridDataError> {
    let path = dir.join("wrappers.json");
    parse(&path, &read(&path)?)
}
