//! Portuguese labels of the API's domain values (decisions, categories, statuses, verdicts...)
//! and the parsing of `<select>` values back into them. Values travel in their wire spelling,
//! parsed with the core types' own serde so the two never drift apart.

use balto_core::admin::{ConnectionState, ReviewFilter};
use balto_core::advice::{Category, Confidence, Decision};
use balto_core::records::{SegmentStatus, SuggestionVerdict};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The wire spelling of a unit-like enum value (`dor_febre`, `transcript_reviewed`, ...).
pub fn wire<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// Parses a wire spelling; blank or unknown → `None` (the "any" option of a filter).
pub fn parse_wire<T: DeserializeOwned>(value: &str) -> Option<T> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    serde_json::from_value(serde_json::Value::String(value.to_string())).ok()
}

pub const DECISIONS: [Decision; 3] = [
    Decision::Nenhuma,
    Decision::Recomendar,
    Decision::Intervencao,
];
pub const CONFIDENCES: [Confidence; 3] = [Confidence::Alta, Confidence::Media, Confidence::Baixa];
pub const STATUSES: [SegmentStatus; 3] = [
    SegmentStatus::Stored,
    SegmentStatus::Processed,
    SegmentStatus::Failed,
];
pub const REVIEW_FILTERS: [ReviewFilter; 4] = [
    ReviewFilter::Unreviewed,
    ReviewFilter::Reviewed,
    ReviewFilter::TranscriptReviewed,
    ReviewFilter::SuggestionReviewed,
];
pub const VERDICTS: [SuggestionVerdict; 3] = [
    SuggestionVerdict::Certa,
    SuggestionVerdict::Errada,
    SuggestionVerdict::Perigosa,
];

pub fn decision(d: Decision) -> &'static str {
    match d {
        Decision::Nenhuma => "Nenhuma",
        Decision::Recomendar => "Recomendar",
        Decision::Intervencao => "Intervenção",
    }
}

pub fn confidence(c: Confidence) -> &'static str {
    match c {
        Confidence::Alta => "Alta",
        Confidence::Media => "Média",
        Confidence::Baixa => "Baixa",
    }
}

pub fn category(c: Category) -> &'static str {
    match c {
        Category::DorFebre => "Dor e febre",
        Category::GripeResfriado => "Gripe e resfriado",
        Category::Tosse => "Tosse",
        Category::Garganta => "Garganta",
        Category::NarizCongestao => "Nariz e congestão",
        Category::Alergia => "Alergia",
        Category::AziaMaDigestao => "Azia e má digestão",
        Category::Gases => "Gases",
        Category::DiarreiaHidratacao => "Diarreia e hidratação",
        Category::PrisaoDeVentre => "Prisão de ventre",
        Category::NauseaEnjoo => "Náusea e enjoo",
        Category::DorMuscularContusao => "Dor muscular e contusão",
        Category::PeleAssadura => "Pele e assadura",
        Category::FerimentoCurativo => "Ferimento e curativo",
        Category::Olhos => "Olhos",
        Category::ProtetorSolar => "Protetor solar",
        Category::Repelente => "Repelente",
        Category::VitaminasSuplementos => "Vitaminas e suplementos",
        Category::HigieneBucal => "Higiene bucal",
        Category::Intervencao => "Intervenção",
    }
}

/// A category or "sem categoria".
pub fn opt_category(c: Option<Category>) -> &'static str {
    c.map_or("Sem categoria", category)
}

pub fn status(s: SegmentStatus) -> &'static str {
    match s {
        SegmentStatus::Stored => "Aguardando",
        SegmentStatus::Processed => "Processado",
        SegmentStatus::Failed => "Falhou",
    }
}

pub fn review_filter(r: ReviewFilter) -> &'static str {
    match r {
        ReviewFilter::Unreviewed => "Não revisados",
        ReviewFilter::Reviewed => "Revisados",
        ReviewFilter::TranscriptReviewed => "Transcrição revisada",
        ReviewFilter::SuggestionReviewed => "Sugestão revisada",
    }
}

pub fn verdict(v: SuggestionVerdict) -> &'static str {
    match v {
        SuggestionVerdict::Certa => "Certa",
        SuggestionVerdict::Errada => "Errada",
        SuggestionVerdict::Perigosa => "Perigosa",
    }
}

pub fn connection_state(s: ConnectionState) -> &'static str {
    match s {
        ConnectionState::Authenticating => "Autenticando",
        ConnectionState::Listening => "Ouvindo",
        ConnectionState::Processing => "Processando",
    }
}

/// `stt` / `advisor` stage names.
pub fn stage(stage: &str) -> &str {
    match stage {
        "stt" => "Transcrição",
        "advisor" => "Sugestão",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_spellings_round_trip_through_the_core_serde() {
        for c in Category::ALL {
            assert_eq!(wire(&c), c.as_str());
            assert_eq!(parse_wire::<Category>(c.as_str()), Some(c));
        }
        assert_eq!(
            wire(&ReviewFilter::TranscriptReviewed),
            "transcript_reviewed"
        );
        assert_eq!(
            parse_wire::<SuggestionVerdict>("perigosa"),
            Some(SuggestionVerdict::Perigosa)
        );
        assert_eq!(parse_wire::<Decision>(""), None);
        assert_eq!(parse_wire::<Decision>("talvez"), None);
    }
}
