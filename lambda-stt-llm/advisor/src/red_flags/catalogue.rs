//! The red-flag catalogue file (`data/red_flags.json`): its shape, its validation and its
//! compiled form. The file is data, not code: admins and reviewers read it, its sources are cited
//! in it, and a bad file is a clear error, never a panic.

use std::collections::BTreeMap;

use balto_core::advice::INTERVENTION_PREFIX;
use serde::Deserialize;

use crate::spoken::{Pattern, PatternError};

/// Why a red-flag catalogue cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("red-flag catalogue is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("red flag {id:?}: pattern {pattern:?}: {source}")]
    Pattern {
        id: String,
        pattern: String,
        source: PatternError,
    },
    #[error("red flag {0:?} appears twice")]
    DuplicateId(String),
    #[error("red flag {id:?}: produto {produto:?} does not start with {INTERVENTION_PREFIX:?}")]
    Product { id: String, produto: String },
    #[error("red flag {id:?} names source {source_id:?}, which the catalogue does not list")]
    UnknownSource { id: String, source_id: String },
    #[error("red flag {0:?} cites no source")]
    NoSource(String),
    #[error("red flag {id:?} combines concept {concept:?}, which the catalogue does not define")]
    UnknownConcept { id: String, concept: String },
    #[error("red flag {0:?} has neither triggers nor combinations")]
    NeverFires(String),
    #[error("red flag {0:?}: an empty combination")]
    EmptyCombination(String),
    #[error("the catalogue has no red flags")]
    Empty,
}

/// A public source a red flag is taken from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Source {
    pub id: String,
    pub titulo: String,
    pub url: String,
}

/// A trigger: a pattern, or a pattern with its own exceptions (in the same utterance).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum RawTrigger {
    Plain(String),
    Guarded {
        padrao: String,
        #[serde(default)]
        exceto_se: Vec<String>,
    },
}

#[derive(Debug, Clone, Deserialize)]
struct RawFlag {
    id: String,
    titulo: String,
    regra: String,
    fontes: Vec<String>,
    produto: String,
    explicacao: String,
    #[serde(default)]
    gatilhos: Vec<RawTrigger>,
    #[serde(default)]
    combinacoes: Vec<Vec<String>>,
    #[serde(default)]
    exceto_se: Vec<String>,
    #[serde(default)]
    exceto_antes: Vec<String>,
    #[serde(default)]
    anula_excecao: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct RawCatalogue {
    versao: String,
    fontes: Vec<Source>,
    conceitos: BTreeMap<String, Vec<RawTrigger>>,
    alertas: Vec<RawFlag>,
}

/// One trigger, compiled.
#[derive(Debug, Clone)]
pub(crate) struct Trigger {
    pub pattern: Pattern,
    /// Patterns that cancel this trigger when said (affirmed) in the same utterance.
    pub unless: Vec<Pattern>,
}

/// One red flag, compiled.
#[derive(Debug, Clone)]
pub(crate) struct Flag {
    pub id: String,
    pub title: String,
    pub rule: String,
    pub product: String,
    pub explanation: String,
    pub sources: Vec<Source>,
    pub triggers: Vec<Trigger>,
    /// Each combination: indices into [`Catalogue::concepts`], all needed.
    pub combinations: Vec<Vec<usize>>,
    /// Patterns that cancel the flag when said (affirmed) anywhere in the window.
    pub unless: Vec<Pattern>,
    /// Words that cancel a trigger when they stand up to 3 words before it.
    pub not_after: Vec<String>,
    /// Patterns that, said in the window, void `unless` ("esqueci a receita").
    pub despite: Vec<Pattern>,
}

/// A named concept used by combinations ("febre", "bebe_pequeno"); each wording may carry its
/// own exceptions, said in the same sentence ("dengue" … "mês passado").
#[derive(Debug, Clone)]
pub(crate) struct Concept {
    pub name: String,
    pub patterns: Vec<Trigger>,
}

/// The compiled catalogue.
#[derive(Debug, Clone)]
pub(crate) struct Catalogue {
    pub version: String,
    pub flags: Vec<Flag>,
    pub concepts: Vec<Concept>,
}

/// The patterns `source` stands for (two for `a <~> b`).
fn compile(id: &str, source: &str) -> Result<Vec<Pattern>, CatalogueError> {
    Pattern::parse_orders(source).map_err(|e| CatalogueError::Pattern {
        id: id.to_owned(),
        pattern: source.to_owned(),
        source: e,
    })
}

fn compile_all(id: &str, sources: &[String]) -> Result<Vec<Pattern>, CatalogueError> {
    let mut out = Vec::with_capacity(sources.len());
    for s in sources {
        out.extend(compile(id, s)?);
    }
    Ok(out)
}

fn compile_triggers(id: &str, raw: &[RawTrigger]) -> Result<Vec<Trigger>, CatalogueError> {
    let mut out = Vec::with_capacity(raw.len());
    for t in raw {
        let (source, unless) = match t {
            RawTrigger::Plain(p) => (p, Vec::new()),
            RawTrigger::Guarded { padrao, exceto_se } => (padrao, compile_all(id, exceto_se)?),
        };
        for pattern in compile(id, source)? {
            out.push(Trigger {
                pattern,
                unless: unless.clone(),
            });
        }
    }
    Ok(out)
}

impl Catalogue {
    /// Parses and validates a catalogue.
    pub fn from_json(json: &str) -> Result<Catalogue, CatalogueError> {
        let raw: RawCatalogue = serde_json::from_str(json)?;
        if raw.alertas.is_empty() {
            return Err(CatalogueError::Empty);
        }
        let concepts = raw
            .conceitos
            .iter()
            .map(|(name, patterns)| {
                Ok(Concept {
                    name: name.clone(),
                    patterns: compile_triggers(&format!("conceito {name}"), patterns)?,
                })
            })
            .collect::<Result<Vec<Concept>, CatalogueError>>()?;
        let mut flags: Vec<Flag> = Vec::with_capacity(raw.alertas.len());
        for f in raw.alertas {
            if flags.iter().any(|g| g.id == f.id) {
                return Err(CatalogueError::DuplicateId(f.id));
            }
            if !f.produto.starts_with(INTERVENTION_PREFIX) {
                return Err(CatalogueError::Product {
                    id: f.id,
                    produto: f.produto,
                });
            }
            if f.fontes.is_empty() {
                return Err(CatalogueError::NoSource(f.id));
            }
            let mut sources = Vec::with_capacity(f.fontes.len());
            for s in &f.fontes {
                match raw.fontes.iter().find(|x| &x.id == s) {
                    Some(x) => sources.push(x.clone()),
                    None => {
                        return Err(CatalogueError::UnknownSource {
                            id: f.id.clone(),
                            source_id: s.clone(),
                        });
                    }
                }
            }
            if f.gatilhos.is_empty() && f.combinacoes.is_empty() {
                return Err(CatalogueError::NeverFires(f.id));
            }
            let triggers = compile_triggers(&f.id, &f.gatilhos)?;
            let mut combinations = Vec::with_capacity(f.combinacoes.len());
            for combo in &f.combinacoes {
                if combo.is_empty() {
                    return Err(CatalogueError::EmptyCombination(f.id));
                }
                let mut indices = Vec::with_capacity(combo.len());
                for name in combo {
                    match concepts.iter().position(|c| &c.name == name) {
                        Some(i) => indices.push(i),
                        None => {
                            return Err(CatalogueError::UnknownConcept {
                                id: f.id.clone(),
                                concept: name.clone(),
                            });
                        }
                    }
                }
                combinations.push(indices);
            }
            flags.push(Flag {
                unless: compile_all(&f.id, &f.exceto_se)?,
                despite: compile_all(&f.id, &f.anula_excecao)?,
                not_after: f
                    .exceto_antes
                    .iter()
                    .flat_map(|w| crate::spoken::canonical_words(w))
                    .collect(),
                id: f.id,
                title: f.titulo,
                rule: f.regra,
                product: f.produto,
                explanation: f.explicacao,
                sources,
                triggers,
                combinations,
            });
        }
        Ok(Catalogue {
            version: raw.versao,
            flags,
            concepts,
        })
    }
}
