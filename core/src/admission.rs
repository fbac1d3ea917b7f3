//! Admission of a counter socket: what a checked `auth` comes to — accepted, or refused with
//! which `erro`, which close code, and whether the address is charged a failed attempt — and
//! the refusals at the door (an upgrade answered over HTTP) and on the way (a sender over its
//! rate). Drivers report what they looked up ([`KeyLookup`]); the verdicts and every
//! Portuguese refusal text live here, once, for local-dev and the Worker alike.
//!
//! A valid key is never refused for its address's history: the counters of one store share one
//! public address, and one counter with a stale key must not lock out the others. Failed
//! attempts are charged to the address and throttled by delaying the refusal
//! ([`crate::rate::FailureThrottle`]); keys are 256-bit secrets, so guessing is not the threat
//! a lockout would defend against.

use crate::protocol::{
    AUTH_UNAVAILABLE_MESSAGE, CLOSE_AUTH_FAILED, CLOSE_INTERNAL_ERROR, CLOSE_POLICY, ErrorCode,
    ServerMessage,
};

/// What the driver found when it checked the key of an `auth`, in the order it checks: the
/// key itself, then (for a valid key) a place under the key's connection limit, then the
/// session record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyLookup {
    /// A valid, unrevoked key; the driver holds its place under the key's limit and recorded
    /// the session under this id.
    Admitted { session_id: String },
    /// The key is malformed, unknown, or its secret does not match.
    NotFound,
    /// The key was revoked.
    Revoked,
    /// The key is valid but already has its maximum of open sockets
    /// (`MAX_CONNECTIONS_PER_KEY`).
    KeyAtLimit,
    /// The key store could not answer, its record is unreadable, or the session could not be
    /// recorded: not the client's fault.
    StoreUnavailable,
}

/// How a refused `auth` (or a socket closed by a limit) ends: the `erro` to send, then the
/// close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub code: ErrorCode,
    /// The `mensagem`, for a person.
    pub message: &'static str,
    /// The WebSocket close code.
    pub close_code: u16,
    /// Charged to the client's address as a failed `auth` (and answered after the throttle's
    /// delay).
    pub charge_address: bool,
}

impl Refusal {
    /// A wrong, unknown or revoked key: `auth_invalida`, close 4001, charged.
    pub const WRONG_KEY: Refusal = Refusal {
        code: ErrorCode::AuthInvalida,
        message: "chave inválida ou revogada",
        close_code: CLOSE_AUTH_FAILED,
        charge_address: true,
    };
    /// The key has all its sockets open: `muitas_conexoes`, close 1008.
    pub const KEY_AT_LIMIT: Refusal = Refusal {
        code: ErrorCode::MuitasConexoes,
        message: "muitas conexões abertas com esta chave",
        close_code: CLOSE_POLICY,
        charge_address: false,
    };
    /// The key could not be checked now: `erro_interno`, close 1011 (reconnect later, same key).
    pub const STORE_UNAVAILABLE: Refusal = Refusal {
        code: ErrorCode::ErroInterno,
        message: AUTH_UNAVAILABLE_MESSAGE,
        close_code: CLOSE_INTERNAL_ERROR,
        charge_address: false,
    };
    /// The server cannot serve at all (its settings are unusable): `erro_interno`, close 1011.
    pub const MISCONFIGURED: Refusal = Refusal {
        code: ErrorCode::ErroInterno,
        message: "servidor mal configurado",
        close_code: CLOSE_INTERNAL_ERROR,
        charge_address: false,
    };
    /// A sender over its byte or message rate for longer than allowed: `limite_excedido`,
    /// close 1008.
    pub const RATE_EXCEEDED: Refusal = Refusal {
        code: ErrorCode::LimiteExcedido,
        message: "envio acima do limite de taxa desta conexão",
        close_code: CLOSE_POLICY,
        charge_address: false,
    };

    /// The `erro` message of this refusal.
    pub fn message(&self) -> ServerMessage {
        ServerMessage::error(self.code, self.message)
    }

    /// The close frame's reason: the `erro` code's spelling.
    pub fn close_reason(&self) -> &'static str {
        self.code.as_str()
    }
}

impl KeyLookup {
    /// The verdict: the session id to announce in `auth_ok`, or the refusal.
    pub fn verdict(&self) -> Result<&str, Refusal> {
        match self {
            KeyLookup::Admitted { session_id } => Ok(session_id),
            KeyLookup::NotFound | KeyLookup::Revoked => Err(Refusal::WRONG_KEY),
            KeyLookup::KeyAtLimit => Err(Refusal::KEY_AT_LIMIT),
            KeyLookup::StoreUnavailable => Err(Refusal::STORE_UNAVAILABLE),
        }
    }
}

/// An upgrade refused before any WebSocket exists: answered over HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DoorRefusal {
    /// The server already holds `MAX_CONNECTIONS` sockets: HTTP 503.
    ServerFull,
    /// Too many upgrades from this address in the last minute (`CONNECTS_PER_IP_PER_MIN`, at
    /// the edge): HTTP 429.
    TooManyConnects { retry_after_ms: u64 },
}

impl DoorRefusal {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            DoorRefusal::ServerFull => 503,
            DoorRefusal::TooManyConnects { .. } => 429,
        }
    }

    /// The `Retry-After` value, in whole seconds (at least 1).
    pub fn retry_after_s(&self) -> u64 {
        match self {
            DoorRefusal::ServerFull => 5,
            DoorRefusal::TooManyConnects { retry_after_ms } => retry_after_ms.div_ceil(1000).max(1),
        }
    }

    /// The plain-text body, for a person, ending with a newline.
    pub fn body(&self) -> &'static str {
        match self {
            DoorRefusal::ServerFull => "servidor no limite de conexões; tente novamente\n",
            DoorRefusal::TooManyConnects { .. } => {
                "muitas conexões novas deste endereço; tente mais tarde\n"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lookup_has_one_verdict() {
        let admitted = KeyLookup::Admitted {
            session_id: "s1".into(),
        };
        let table: [(KeyLookup, Result<&str, Refusal>); 5] = [
            (admitted.clone(), Ok("s1")),
            (KeyLookup::NotFound, Err(Refusal::WRONG_KEY)),
            (KeyLookup::Revoked, Err(Refusal::WRONG_KEY)),
            (KeyLookup::KeyAtLimit, Err(Refusal::KEY_AT_LIMIT)),
            (KeyLookup::StoreUnavailable, Err(Refusal::STORE_UNAVAILABLE)),
        ];
        for (lookup, expected) in &table {
            assert_eq!(&lookup.verdict(), expected, "{lookup:?}");
        }
    }

    #[test]
    fn only_a_wrong_key_is_charged_to_the_address() {
        let charged: Vec<Refusal> = [
            Refusal::WRONG_KEY,
            Refusal::KEY_AT_LIMIT,
            Refusal::STORE_UNAVAILABLE,
            Refusal::RATE_EXCEEDED,
            Refusal::MISCONFIGURED,
        ]
        .into_iter()
        .filter(|r| r.charge_address)
        .collect();
        assert_eq!(charged, vec![Refusal::WRONG_KEY]);
    }

    #[test]
    fn refusals_carry_their_codes_and_close_codes() {
        assert_eq!(
            (
                Refusal::WRONG_KEY.close_code,
                Refusal::WRONG_KEY.close_reason()
            ),
            (4001, "auth_invalida")
        );
        assert_eq!(Refusal::KEY_AT_LIMIT.close_code, 1008);
        assert_eq!(Refusal::STORE_UNAVAILABLE.close_code, 1011);
        assert_eq!(Refusal::RATE_EXCEEDED.close_reason(), "limite_excedido");
        let json = Refusal::KEY_AT_LIMIT.message().to_json();
        assert_eq!(
            json,
            r#"{"comando":"erro","codigo":"muitas_conexoes","mensagem":"muitas conexões abertas com esta chave"}"#
        );
    }

    #[test]
    fn door_refusals_round_retry_after_up() {
        let r = DoorRefusal::TooManyConnects {
            retry_after_ms: 1_001,
        };
        assert_eq!((r.status(), r.retry_after_s()), (429, 2));
        assert_eq!(
            DoorRefusal::TooManyConnects { retry_after_ms: 0 }.retry_after_s(),
            1
        );
        assert_eq!(DoorRefusal::ServerFull.status(), 503);
        assert!(DoorRefusal::ServerFull.body().ends_with('\n'));
    }
}
