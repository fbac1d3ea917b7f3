//! The wire protocol of PROTOCOL.md: messages counters send and receive, with their exact
//! Portuguese field names, and the parsing rules for client text frames.

use crate::advice::Confidence;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// WebSocket close code for authentication failures (wrong key, deadline, audio before auth).
pub const CLOSE_AUTH_FAILED: u16 = 4001;
/// WebSocket close code for a server shutting down (RFC 6455 "going away").
pub const CLOSE_GOING_AWAY: u16 = 1001;
/// WebSocket close code for a connection closed by a policy limit (RFC 6455).
pub const CLOSE_POLICY: u16 = 1008;
/// The server could not do what the socket needs (e.g. its key store is unreachable during
/// `auth`): not the client's fault; reconnect later with the same key.
pub const CLOSE_INTERNAL_ERROR: u16 = 1011;
/// The `mensagem` of the `erro_interno` sent before [`CLOSE_INTERNAL_ERROR`] during `auth`.
pub const AUTH_UNAVAILABLE_MESSAGE: &str =
    "não foi possível verificar a chave agora; tente novamente em instantes";
/// The only segment audio format of Part 2.
pub const SEGMENT_FORMAT: &str = "pcm_s16le_16k";

/// Every `codigo` an `erro` message may carry. The spelling is the wire value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Wrong, revoked or missing key; malformed first message; auth deadline; audio before auth.
    AuthInvalida,
    /// A second `auth` on an authenticated socket.
    JaAutenticado,
    /// A text frame that is not a JSON object.
    JsonInvalido,
    /// A required field (such as `comando`) is missing or has the wrong type.
    CampoAusente,
    /// A `comando` the server does not know.
    ComandoDesconhecido,
    /// A Part 1 binary frame larger than the frame limit.
    FrameGrande,
    /// A `segmento` header or its audio frame is malformed.
    SegmentoInvalido,
    /// A segment's audio frame is longer than 30 s.
    SegmentoGrande,
    /// The server could not store or process something; the client may retry.
    ErroInterno,
    /// The connection sends so much faster than its byte or message rate allows that slowing it
    /// down is not enough: the socket is closed with 1008 (re-send unacknowledged segments).
    LimiteExcedido,
    /// Too many connections (for this key, or for the server): the socket is closed with 1008.
    MuitasConexoes,
}

impl ErrorCode {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::AuthInvalida => "auth_invalida",
            ErrorCode::JaAutenticado => "ja_autenticado",
            ErrorCode::JsonInvalido => "json_invalido",
            ErrorCode::CampoAusente => "campo_ausente",
            ErrorCode::ComandoDesconhecido => "comando_desconhecido",
            ErrorCode::FrameGrande => "frame_grande",
            ErrorCode::SegmentoInvalido => "segmento_invalido",
            ErrorCode::SegmentoGrande => "segmento_grande",
            ErrorCode::ErroInterno => "erro_interno",
            ErrorCode::LimiteExcedido => "limite_excedido",
            ErrorCode::MuitasConexoes => "muitas_conexoes",
        }
    }

    /// Every code, for documentation checks.
    pub const ALL: [ErrorCode; 11] = [
        ErrorCode::AuthInvalida,
        ErrorCode::JaAutenticado,
        ErrorCode::JsonInvalido,
        ErrorCode::CampoAusente,
        ErrorCode::ComandoDesconhecido,
        ErrorCode::FrameGrande,
        ErrorCode::SegmentoInvalido,
        ErrorCode::SegmentoGrande,
        ErrorCode::ErroInterno,
        ErrorCode::LimiteExcedido,
        ErrorCode::MuitasConexoes,
    ];
}

/// A message the server sends to a counter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "comando", rename_all = "snake_case")]
pub enum ServerMessage {
    /// `{"comando":"auth_ok","sessao":"…"}`
    AuthOk {
        #[serde(rename = "sessao")]
        session: String,
    },
    /// `{"comando":"erro","codigo":"…","mensagem":"…"}`
    Erro {
        #[serde(rename = "codigo")]
        code: ErrorCode,
        #[serde(rename = "mensagem")]
        message: String,
    },
    /// `{"comando":"recomendar","produto","explicacao","transcricao_base","confianca"}`
    Recomendar {
        #[serde(rename = "produto")]
        product: String,
        #[serde(rename = "explicacao")]
        explanation: String,
        #[serde(rename = "transcricao_base")]
        base_transcript: String,
        #[serde(rename = "confianca")]
        confidence: Confidence,
    },
    /// `{"comando":"segmento_ok","id":"…"}` (Part 2)
    SegmentoOk { id: String },
    /// `{"comando":"transcricao","id":"…","texto":"…"}` (Part 2, optional live feedback)
    Transcricao {
        id: String,
        #[serde(rename = "texto")]
        text: String,
    },
}

impl ServerMessage {
    /// An `erro` with its code and a Portuguese message for a person.
    pub fn error(code: ErrorCode, message: impl Into<String>) -> ServerMessage {
        ServerMessage::Erro {
            code,
            message: message.into(),
        }
    }

    /// The compact JSON text of the message.
    pub fn to_json(&self) -> String {
        // Serializing these plain structs cannot fail: no maps with non-string keys, no floats.
        serde_json::to_string(self).unwrap_or_else(|_| {
            r#"{"comando":"erro","codigo":"erro_interno","mensagem":"falha interna"}"#.to_string()
        })
    }
}

/// A `segmento` header (Part 2), validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentHeader {
    /// Client-chosen id, scoped to the counter key.
    pub id: String,
    /// Start, in ms since the client's session start.
    #[serde(rename = "inicio_ms")]
    pub start_ms: u64,
    /// Declared length in ms (1..=30,000).
    #[serde(rename = "duracao_ms")]
    pub duration_ms: u64,
}

/// The longest segment a client may send, in ms.
pub const MAX_SEGMENT_MS: u64 = 30_000;
/// The longest segment id accepted, in bytes.
pub const MAX_SEGMENT_ID_LEN: usize = 128;

/// A parsed client text frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientMessage {
    /// `{"comando":"auth","api_key":"…"}`
    Auth { api_key: String },
    /// `{"comando":"segmento",…}` with a valid header.
    Segment(SegmentHeader),
}

/// Why a client text frame was not accepted; maps to an `erro` code and message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("mensagem não é um objeto JSON válido")]
    InvalidJson,
    #[error("campo obrigatório ausente ou inválido: {0}")]
    MissingField(&'static str),
    #[error("comando desconhecido: {0}")]
    UnknownCommand(String),
    #[error("auth sem api_key em texto")]
    AuthMalformed,
    #[error("segmento inválido: {0}")]
    InvalidSegment(String),
}

impl ParseError {
    /// The `erro` code the client gets for this failure.
    pub fn code(&self) -> ErrorCode {
        match self {
            ParseError::InvalidJson => ErrorCode::JsonInvalido,
            ParseError::MissingField(_) => ErrorCode::CampoAusente,
            ParseError::UnknownCommand(_) => ErrorCode::ComandoDesconhecido,
            ParseError::AuthMalformed => ErrorCode::AuthInvalida,
            ParseError::InvalidSegment(_) => ErrorCode::SegmentoInvalido,
        }
    }

    /// The `erro` message for this failure.
    pub fn to_message(&self) -> ServerMessage {
        ServerMessage::error(self.code(), self.to_string())
    }
}

/// Parses one client text frame according to PROTOCOL.md.
pub fn parse_client_text(text: &str) -> Result<ClientMessage, ParseError> {
    let value: Value = serde_json::from_str(text).map_err(|_| ParseError::InvalidJson)?;
    let Value::Object(obj) = value else {
        return Err(ParseError::InvalidJson);
    };
    let command = match obj.get("comando") {
        Some(Value::String(c)) => c.as_str(),
        Some(_) | None => return Err(ParseError::MissingField("comando")),
    };
    match command {
        "auth" => match obj.get("api_key") {
            Some(Value::String(k)) => Ok(ClientMessage::Auth { api_key: k.clone() }),
            _ => Err(ParseError::AuthMalformed),
        },
        "segmento" => parse_segment_header(&obj).map(ClientMessage::Segment),
        other => {
            let mut shown: String = other.chars().take(40).collect();
            if shown.len() < other.len() {
                shown.push('…');
            }
            Err(ParseError::UnknownCommand(shown))
        }
    }
}

fn parse_segment_header(obj: &Map<String, Value>) -> Result<SegmentHeader, ParseError> {
    let invalid = |why: &str| ParseError::InvalidSegment(why.to_string());
    let id = match obj.get("id") {
        Some(Value::String(id)) if !id.is_empty() && id.len() <= MAX_SEGMENT_ID_LEN => id.clone(),
        Some(Value::String(_)) => {
            return Err(invalid("id vazio ou com mais de 128 bytes"));
        }
        _ => return Err(invalid("id ausente ou não é texto")),
    };
    let start_ms = milliseconds(obj.get("inicio_ms"))
        .ok_or_else(|| invalid("inicio_ms ausente ou inválido"))?;
    let duration_ms = milliseconds(obj.get("duracao_ms"))
        .ok_or_else(|| invalid("duracao_ms ausente ou inválido"))?;
    if !(1..=MAX_SEGMENT_MS).contains(&duration_ms) {
        return Err(invalid("duracao_ms fora de 1–30000"));
    }
    match obj.get("formato") {
        Some(Value::String(f)) if f == SEGMENT_FORMAT => {}
        _ => return Err(invalid("formato deve ser pcm_s16le_16k")),
    }
    Ok(SegmentHeader {
        id,
        start_ms,
        duration_ms,
    })
}

/// Largest accepted `inicio_ms` / `duracao_ms` (exclusive): about 31,700 years, far beyond any
/// capture clock, and small enough that sums of two and the stores' `i64` columns never overflow.
pub const MAX_MILLISECONDS: u64 = 1_000_000_000_000_000;

/// A non-negative, finite JSON number below [`MAX_MILLISECONDS`] as whole milliseconds.
fn milliseconds(value: Option<&Value>) -> Option<u64> {
    let n = value?.as_number()?;
    if let Some(u) = n.as_u64() {
        return (u < MAX_MILLISECONDS).then_some(u);
    }
    let f = n.as_f64()?;
    (f.is_finite() && (0.0..MAX_MILLISECONDS as f64).contains(&f))
        .then(|| f.round() as u64)
        .filter(|&u| u < MAX_MILLISECONDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_json(a: &str, b: &str) {
        let a: Value = serde_json::from_str(a).unwrap();
        let b: Value = serde_json::from_str(b).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn recomendar_matches_the_spec_literal() {
        let spec = r#"{
     "comando": "recomendar",
     "produto": "Vitamina C 1g",
     "explicacao": "Cliente relatou sintomas de gripe e fadiga.",
     "transcricao_base": "Estou me sentindo muito cansado e gripado ultimamente.",
     "confianca": "alta"
   }"#;
        let msg = ServerMessage::Recomendar {
            product: "Vitamina C 1g".into(),
            explanation: "Cliente relatou sintomas de gripe e fadiga.".into(),
            base_transcript: "Estou me sentindo muito cansado e gripado ultimamente.".into(),
            confidence: Confidence::Alta,
        };
        same_json(&msg.to_json(), spec);
        // Field order as in the spec, compact.
        assert_eq!(
            msg.to_json(),
            r#"{"comando":"recomendar","produto":"Vitamina C 1g","explicacao":"Cliente relatou sintomas de gripe e fadiga.","transcricao_base":"Estou me sentindo muito cansado e gripado ultimamente.","confianca":"alta"}"#
        );
        let back: ServerMessage = serde_json::from_str(spec).unwrap();
        assert_eq!(back, msg);
    }

    #[test]
    fn server_messages_match_the_spec_literals() {
        let cases = [
            (
                ServerMessage::AuthOk {
                    session: "abc".into(),
                },
                r#"{"comando": "auth_ok", "sessao": "abc"}"#,
            ),
            (
                ServerMessage::error(ErrorCode::AuthInvalida, "…"),
                r#"{"comando": "erro", "codigo": "auth_invalida", "mensagem": "…"}"#,
            ),
            (
                ServerMessage::SegmentoOk { id: "u1".into() },
                r#"{"comando": "segmento_ok", "id": "u1"}"#,
            ),
            (
                ServerMessage::Transcricao {
                    id: "u1".into(),
                    text: "olá".into(),
                },
                r#"{"comando": "transcricao", "id": "u1", "texto": "olá"}"#,
            ),
        ];
        for (msg, literal) in cases {
            same_json(&msg.to_json(), literal);
            let back: ServerMessage = serde_json::from_str(literal).unwrap();
            assert_eq!(back, msg);
        }
    }

    #[test]
    fn every_error_code_serializes_as_its_snake_case_spelling() {
        for code in ErrorCode::ALL {
            assert_eq!(
                serde_json::to_string(&code).unwrap(),
                format!("\"{}\"", code.as_str())
            );
        }
    }

    #[test]
    fn auth_parses_and_ignores_unknown_fields() {
        assert_eq!(
            parse_client_text(r#"{"comando": "auth", "api_key": "k1", "versao": 3}"#),
            Ok(ClientMessage::Auth {
                api_key: "k1".into()
            })
        );
    }

    #[test]
    fn malformed_client_text_maps_to_codes() {
        let cases: &[(&str, ErrorCode)] = &[
            ("not json", ErrorCode::JsonInvalido),
            ("[1,2]", ErrorCode::JsonInvalido),
            ("\"auth\"", ErrorCode::JsonInvalido),
            (r#"{"api_key":"x"}"#, ErrorCode::CampoAusente),
            (r#"{"comando":7}"#, ErrorCode::CampoAusente),
            (r#"{"comando":"dançar"}"#, ErrorCode::ComandoDesconhecido),
            (r#"{"comando":"auth"}"#, ErrorCode::AuthInvalida),
            (
                r#"{"comando":"auth","api_key":12}"#,
                ErrorCode::AuthInvalida,
            ),
            (
                r#"{"comando":"auth","api_key":null}"#,
                ErrorCode::AuthInvalida,
            ),
        ];
        for (text, code) in cases {
            assert_eq!(parse_client_text(text).unwrap_err().code(), *code, "{text}");
        }
    }

    #[test]
    fn segment_header_rules() {
        let ok = r#"{"comando":"segmento","id":"a","inicio_ms":10,"duracao_ms":1500,"formato":"pcm_s16le_16k"}"#;
        assert_eq!(
            parse_client_text(ok),
            Ok(ClientMessage::Segment(SegmentHeader {
                id: "a".into(),
                start_ms: 10,
                duration_ms: 1500
            }))
        );
        let bad = [
            r#"{"comando":"segmento","inicio_ms":10,"duracao_ms":1500,"formato":"pcm_s16le_16k"}"#,
            r#"{"comando":"segmento","id":5,"inicio_ms":10,"duracao_ms":1500,"formato":"pcm_s16le_16k"}"#,
            r#"{"comando":"segmento","id":"a","duracao_ms":1500,"formato":"pcm_s16le_16k"}"#,
            r#"{"comando":"segmento","id":"a","inicio_ms":10,"formato":"pcm_s16le_16k"}"#,
            r#"{"comando":"segmento","id":"a","inicio_ms":10,"duracao_ms":0,"formato":"pcm_s16le_16k"}"#,
            r#"{"comando":"segmento","id":"a","inicio_ms":10,"duracao_ms":30001,"formato":"pcm_s16le_16k"}"#,
            r#"{"comando":"segmento","id":"a","inicio_ms":-1,"duracao_ms":100,"formato":"pcm_s16le_16k"}"#,
            r#"{"comando":"segmento","id":"a","inicio_ms":10,"duracao_ms":100,"formato":"opus"}"#,
            r#"{"comando":"segmento","id":"a","inicio_ms":10,"duracao_ms":100}"#,
            r#"{"comando":"segmento","id":"","inicio_ms":10,"duracao_ms":100,"formato":"pcm_s16le_16k"}"#,
            // Beyond any clock: would overflow `inicio_ms + duracao_ms` and the stores' i64.
            r#"{"comando":"segmento","id":"a","inicio_ms":18446744073709551615,"duracao_ms":100,"formato":"pcm_s16le_16k"}"#,
            r#"{"comando":"segmento","id":"a","inicio_ms":1000000000000000,"duracao_ms":100,"formato":"pcm_s16le_16k"}"#,
            r#"{"comando":"segmento","id":"a","inicio_ms":1e300,"duracao_ms":100,"formato":"pcm_s16le_16k"}"#,
        ];
        for text in bad {
            assert_eq!(
                parse_client_text(text).unwrap_err().code(),
                ErrorCode::SegmentoInvalido,
                "{text}"
            );
        }
        let edge = r#"{"comando":"segmento","id":"b","inicio_ms":0,"duracao_ms":30000,"formato":"pcm_s16le_16k"}"#;
        assert!(parse_client_text(edge).is_ok());
        let late = r#"{"comando":"segmento","id":"b","inicio_ms":999999999999999,"duracao_ms":100,"formato":"pcm_s16le_16k"}"#;
        assert!(parse_client_text(late).is_ok());
    }
}
