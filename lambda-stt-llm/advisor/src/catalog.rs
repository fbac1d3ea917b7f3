//! The product catalog (ADVISOR.md): data file, loading and lookup.
//!
//! The catalog is data, not code: `data/catalog.json` (a `versao` and a list of `produtos`) is
//! embedded at build time ([`Catalog::embedded`]) and admins may replace it with their own file
//! ([`Catalog::from_path`]; the caller decides where from, e.g. `CATALOG_FILE`). Every load is
//! validated: unique names, every category but `intervencao` covered, only prescription-free
//! products.
//!
//! Invariant: a [`Catalog`] value always passed [`Catalog::validate`]; nothing here panics on a
//! user-supplied file.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use balto_core::advice::Category;
use serde::{Deserialize, Serialize};

use balto_core::text::{NormalizeOptions, normalize};

/// The catalog shipped with Balto.
const EMBEDDED_JSON: &str = include_str!("../data/catalog.json");

/// Whether a product may be used in pregnancy, as its leaflet says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PregnancyUse {
    /// Contraindicated or to be avoided.
    Evitar,
    /// Only with the doctor's advice.
    Consultar,
    /// The leaflet allows it.
    Permitido,
}

/// A condition or concurrent medicine the advisor can recognise in the conversation and that
/// rules a product out (`evitar_se` in the data file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Takes an anticoagulant or antiplatelet (varfarina, rivaroxabana, clopidogrel…).
    Anticoagulante,
    /// High blood pressure or takes antihypertensives.
    Hipertensao,
    /// Suspected or confirmed dengue (no AAS or NSAIDs).
    Dengue,
    /// Gastritis or peptic ulcer.
    GastriteUlcera,
    Asma,
    Diabetes,
    Glaucoma,
    DoencaRenal,
    DoencaHepatica,
}

impl Condition {
    /// The snake_case spelling used in the data file.
    pub fn as_str(self) -> &'static str {
        match self {
            Condition::Anticoagulante => "anticoagulante",
            Condition::Hipertensao => "hipertensao",
            Condition::Dengue => "dengue",
            Condition::GastriteUlcera => "gastrite_ulcera",
            Condition::Asma => "asma",
            Condition::Diabetes => "diabetes",
            Condition::Glaucoma => "glaucoma",
            Condition::DoencaRenal => "doenca_renal",
            Condition::DoencaHepatica => "doenca_hepatica",
        }
    }

    /// How the condition reads in an explanation for the pharmacist.
    pub fn label(self) -> &'static str {
        match self {
            Condition::Anticoagulante => "uso de anticoagulante",
            Condition::Hipertensao => "pressão alta",
            Condition::Dengue => "suspeita de dengue",
            Condition::GastriteUlcera => "gastrite/úlcera",
            Condition::Asma => "asma",
            Condition::Diabetes => "diabetes",
            Condition::Glaucoma => "glaucoma",
            Condition::DoencaRenal => "doença renal",
            Condition::DoencaHepatica => "doença do fígado",
        }
    }
}

/// One catalog entry. Field names are the data file's (Portuguese).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product {
    /// Name as shown to the pharmacist, e.g. "Dipirona 500 mg comprimidos".
    pub nome: String,
    pub principio_ativo: String,
    pub concentracao: String,
    pub forma: String,
    pub categoria: Category,
    pub indicacoes: Vec<String>,
    /// Cautions and contraindications from the leaflet.
    pub cautelas: Vec<String>,
    /// Minimum age in years (0.25 = 3 months).
    pub idade_minima_anos: f64,
    pub gestante: PregnancyUse,
    /// Prescription-free (medicamento isento de prescrição). Must be true.
    pub mip: bool,
    /// Words and phrases customers use for what the product is for.
    pub palavras_chave: Vec<String>,
    /// Conditions that rule the product out.
    #[serde(default)]
    pub evitar_se: Vec<Condition>,
}

impl Product {
    /// True when the normalized name or active ingredient contains the normalized `term`
    /// as whole words ("dipirona", "acido acetilsalicilico").
    pub fn mentions_ingredient(&self, term: &str) -> bool {
        let term = normalize(term, NormalizeOptions::default());
        if term.is_empty() {
            return false;
        }
        let padded = |s: &str| format!(" {} ", normalize(s, NormalizeOptions::default()));
        let needle = format!(" {term} ");
        padded(&self.principio_ativo).contains(&needle) || padded(&self.nome).contains(&needle)
    }
}

/// The whole catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    /// Version of the data, e.g. "2025.1".
    pub versao: String,
    /// Free text describing the file.
    #[serde(default)]
    pub descricao: String,
    pub produtos: Vec<Product>,
}

/// Why a catalog could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read catalog file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("catalog {origin} is not valid JSON for the catalog format: {source}")]
    Parse {
        origin: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("catalog has an empty \"versao\"")]
    MissingVersion,
    #[error("catalog product #{index} has an empty name")]
    EmptyName { index: usize },
    #[error("catalog lists \"{0}\" twice (names are compared ignoring case and accents)")]
    DuplicateName(String),
    #[error("catalog product \"{0}\" is not prescription-free (mip must be true)")]
    NotMip(String),
    #[error("catalog product \"{0}\" has category intervencao, which is for advice only")]
    InterventionProduct(String),
    #[error("catalog product \"{nome}\" has an invalid minimum age {value}")]
    InvalidAge { nome: String, value: f64 },
    #[error("catalog product \"{0}\" has no palavras_chave")]
    NoKeywords(String),
    #[error("catalog has no product in category {}", .0.as_str())]
    MissingCategory(Category),
}

impl Catalog {
    /// The catalog shipped in `data/catalog.json`. Its validity is checked by this crate's
    /// tests, so this cannot fail in a released build.
    pub fn embedded() -> Catalog {
        match Catalog::from_json_str(EMBEDDED_JSON, "embutido") {
            Ok(c) => c,
            // Covered by `embedded_catalog_is_valid`; reaching this is a build defect.
            Err(e) => panic!("embedded catalog is invalid: {e}"),
        }
    }

    /// The raw JSON of the embedded catalog (for admins who want a starting file).
    pub fn embedded_json() -> &'static str {
        EMBEDDED_JSON
    }

    /// Loads and validates a catalog file (e.g. the one `CATALOG_FILE` points at).
    pub fn from_path(path: impl AsRef<Path>) -> Result<Catalog, CatalogError> {
        let path = path.as_ref();
        let json = std::fs::read_to_string(path).map_err(|source| CatalogError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Catalog::from_json_str(&json, &path.display().to_string())
    }

    /// Parses and validates catalog JSON; `origin` names it in errors.
    pub fn from_json_str(json: &str, origin: &str) -> Result<Catalog, CatalogError> {
        let catalog: Catalog =
            serde_json::from_str(json).map_err(|source| CatalogError::Parse {
                origin: origin.to_owned(),
                source,
            })?;
        catalog.validate()?;
        Ok(catalog)
    }

    /// Checks the invariants: a version, unique non-empty names, only MIP products, none in
    /// `intervencao`, sane ages, keywords present, and every other category covered.
    pub fn validate(&self) -> Result<(), CatalogError> {
        if self.versao.trim().is_empty() {
            return Err(CatalogError::MissingVersion);
        }
        let mut seen = HashSet::new();
        for (index, p) in self.produtos.iter().enumerate() {
            let key = name_key(&p.nome);
            if key.is_empty() {
                return Err(CatalogError::EmptyName { index });
            }
            if !seen.insert(key) {
                return Err(CatalogError::DuplicateName(p.nome.clone()));
            }
            if !p.mip {
                return Err(CatalogError::NotMip(p.nome.clone()));
            }
            if p.categoria == Category::Intervencao {
                return Err(CatalogError::InterventionProduct(p.nome.clone()));
            }
            if !p.idade_minima_anos.is_finite() || !(0.0..=120.0).contains(&p.idade_minima_anos) {
                return Err(CatalogError::InvalidAge {
                    nome: p.nome.clone(),
                    value: p.idade_minima_anos,
                });
            }
            if p.palavras_chave.iter().all(|k| k.trim().is_empty()) {
                return Err(CatalogError::NoKeywords(p.nome.clone()));
            }
        }
        for c in Category::ALL {
            if c != Category::Intervencao && self.by_category(c).next().is_none() {
                return Err(CatalogError::MissingCategory(c));
            }
        }
        Ok(())
    }

    /// The data version (`versao`).
    pub fn version(&self) -> &str {
        &self.versao
    }

    /// Every product, in file order.
    pub fn products(&self) -> &[Product] {
        &self.produtos
    }

    /// The product with this name, ignoring case, accents and punctuation.
    pub fn get(&self, nome: &str) -> Option<&Product> {
        if let Some(p) = self.produtos.iter().find(|p| p.nome == nome) {
            return Some(p);
        }
        let key = name_key(nome);
        self.produtos.iter().find(|p| name_key(&p.nome) == key)
    }

    /// True when `nome` names a catalog product (see [`Catalog::get`]).
    pub fn contains(&self, nome: &str) -> bool {
        self.get(nome).is_some()
    }

    /// The products of one category, in file order.
    pub fn by_category(&self, category: Category) -> impl Iterator<Item = &Product> {
        self.produtos
            .iter()
            .filter(move |p| p.categoria == category)
    }

    /// Up to `limit` products whose keywords, name or ingredient appear in `text`, best first
    /// (more and longer matches first, then file order). Useful to put the relevant entries in
    /// an LLM prompt.
    pub fn search(&self, text: &str, limit: usize) -> Vec<&Product> {
        let hay = format!(" {} ", normalize(text, NormalizeOptions::default()));
        let mut scored: Vec<(usize, usize, &Product)> = self
            .produtos
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let score: usize = p
                    .palavras_chave
                    .iter()
                    .chain(std::iter::once(&p.principio_ativo))
                    .map(|k| normalize(k, NormalizeOptions::default()))
                    .filter(|k| !k.is_empty() && hay.contains(&format!(" {k} ")))
                    .map(|k| k.split(' ').count())
                    .sum();
                (score > 0).then_some((score, i, p))
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.into_iter().take(limit).map(|(_, _, p)| p).collect()
    }
}

/// The comparison key of a product name: normalized, accents stripped.
pub fn name_key(nome: &str) -> String {
    normalize(nome, NormalizeOptions::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal_json(extra: &str) -> String {
        let mut products: Vec<String> = Category::ALL
            .iter()
            .filter(|c| **c != Category::Intervencao)
            .map(|c| {
                format!(
                    r#"{{"nome":"Produto {c}","principio_ativo":"x","concentracao":"1","forma":"f",
                    "categoria":"{c}","indicacoes":[],"cautelas":[],"idade_minima_anos":0,
                    "gestante":"permitido","mip":true,"palavras_chave":["k"]}}"#,
                    c = c.as_str()
                )
            })
            .collect();
        if !extra.is_empty() {
            products.push(extra.to_owned());
        }
        format!(r#"{{"versao":"t1","produtos":[{}]}}"#, products.join(","))
    }

    #[test]
    fn embedded_catalog_is_valid_and_large_enough() {
        let c = Catalog::from_json_str(EMBEDDED_JSON, "embutido").expect("valid");
        assert!(c.products().len() >= 80, "{} products", c.products().len());
        assert!(!c.version().is_empty());
        for cat in Category::ALL {
            let n = c.by_category(cat).count();
            if cat == Category::Intervencao {
                assert_eq!(n, 0);
            } else {
                assert!(n >= 3, "category {} has only {n} products", cat.as_str());
            }
        }
        assert_eq!(Catalog::embedded(), c);
    }

    #[test]
    fn lookup_ignores_case_and_accents() {
        let c = Catalog::embedded();
        let p = c.get("dipirona 500 MG comprimidos").expect("found");
        assert_eq!(p.nome, "Dipirona 500 mg comprimidos");
        assert!(c.get("Acido acetilsalicilico 500 mg comprimidos").is_some());
        assert!(c.get("Amoxicilina 500 mg").is_none());
        assert!(p.mentions_ingredient("Dipirona"));
        assert!(!p.mentions_ingredient("paracetamol"));
    }

    #[test]
    fn search_finds_relevant_products() {
        let c = Catalog::embedded();
        let found = c.search("estou com azia e queimação", 3);
        assert!(!found.is_empty());
        assert!(
            found
                .iter()
                .all(|p| p.categoria == Category::AziaMaDigestao)
        );
        assert!(c.search("bom dia", 5).is_empty());
    }

    #[test]
    fn minimal_catalog_is_valid() {
        Catalog::from_json_str(&minimal_json(""), "t").expect("valid");
    }

    #[test]
    fn rejects_invalid_catalogs_with_typed_errors() {
        let dup = r#"{"nome":"PRODUTO dor_febre","principio_ativo":"x","concentracao":"1","forma":"f",
            "categoria":"tosse","indicacoes":[],"cautelas":[],"idade_minima_anos":0,
            "gestante":"permitido","mip":true,"palavras_chave":["k"]}"#;
        assert!(matches!(
            Catalog::from_json_str(&minimal_json(dup), "t"),
            Err(CatalogError::DuplicateName(_))
        ));
        let rx = dup
            .replace("PRODUTO dor_febre", "Amoxicilina")
            .replace("\"mip\":true", "\"mip\":false");
        assert!(matches!(
            Catalog::from_json_str(&minimal_json(&rx), "t"),
            Err(CatalogError::NotMip(_))
        ));
        let inter = dup
            .replace("PRODUTO dor_febre", "Encaminhar")
            .replace("\"tosse\"", "\"intervencao\"");
        assert!(matches!(
            Catalog::from_json_str(&minimal_json(&inter), "t"),
            Err(CatalogError::InterventionProduct(_))
        ));
        let age = dup
            .replace("PRODUTO dor_febre", "Velho")
            .replace("\"idade_minima_anos\":0", "\"idade_minima_anos\":-1");
        assert!(matches!(
            Catalog::from_json_str(&minimal_json(&age), "t"),
            Err(CatalogError::InvalidAge { .. })
        ));
        let missing = r#"{"versao":"1","produtos":[]}"#;
        assert!(matches!(
            Catalog::from_json_str(missing, "t"),
            Err(CatalogError::MissingCategory(Category::DorFebre))
        ));
        assert!(matches!(
            Catalog::from_json_str(r#"{"versao":" ","produtos":[]}"#, "t"),
            Err(CatalogError::MissingVersion)
        ));
        assert!(matches!(
            Catalog::from_json_str("{not json", "t"),
            Err(CatalogError::Parse { .. })
        ));
        let bad_cat = minimal_json("").replace("\"olhos\"", "\"antibioticos\"");
        assert!(matches!(
            Catalog::from_json_str(&bad_cat, "t"),
            Err(CatalogError::Parse { .. })
        ));
        let bad_condition = dup
            .replace("PRODUTO dor_febre", "Outro")
            .replace("\"mip\":true", "\"mip\":true,\"evitar_se\":[\"gripe\"]");
        assert!(matches!(
            Catalog::from_json_str(&minimal_json(&bad_condition), "t"),
            Err(CatalogError::Parse { .. })
        ));
        assert!(matches!(
            Catalog::from_path("/nonexistent/catalog.json"),
            Err(CatalogError::Io { .. })
        ));
    }
}
