//! The Worker's shared limits as plain state: what one `Limiter` Durable Object holds and how it
//! answers (the object itself, in `limiter_object`, only loads, applies and stores this).
//!
//! One object per name: `ip:<address>` (from `CF-Connecting-IP`) counts upgrades in the last
//! minute and failed `auth` (`balto_core::rate::FailureThrottle`, the same rule as local-dev:
//! past `AUTH_FAILURES_PER_IP` in 60 s each refusal waits 1 s, doubling up to 10 s; a valid key
//! is never refused or delayed for its address's failures);
//! `key:<key id>` holds one slot per open socket of that counter key, at most
//! `MAX_CONNECTIONS_PER_KEY`. A slot is a lease: its session renews it while the socket is open
//! and releases it on close; a session that died without releasing loses it when the lease
//! runs out (`KEY_SLOT_LEASE_MS`).

use balto_core::rate::{FailureThrottle, ThrottlePolicy};
use balto_core::settings::{self, Reader, SettingError};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

/// Upgrades are counted over this rolling window.
pub const CONNECT_WINDOW_MS: u64 = 60_000;
/// The name of the object of a client address.
pub fn ip_name(addr: &str) -> String {
    format!("ip:{}", addr.trim())
}
/// The name of the object of a counter key.
pub fn key_name(key_id: &str) -> String {
    format!("key:{}", key_id.to_ascii_lowercase())
}

/// The limits, from the Worker's vars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitSettings {
    /// Open sockets per counter key (`MAX_CONNECTIONS_PER_KEY`, 4 as in local-dev); more get
    /// `muitas_conexoes` and close 1008.
    pub max_connections_per_key: u32,
    /// WebSocket upgrades per address per rolling minute (`CONNECTS_PER_IP_PER_MIN`); more get
    /// HTTP 429 with `Retry-After`.
    pub connects_per_ip_per_min: u32,
    /// Failed `auth` per address per minute answered without delay (`AUTH_FAILURES_PER_IP`, 10
    /// as in local-dev); further refusals are delayed.
    pub auth_failures_per_ip: u32,
    /// How long a key slot lives without renewal (`KEY_SLOT_LEASE_MS`); sessions renew every
    /// third of it.
    pub key_slot_lease_ms: u64,
}

impl Default for LimitSettings {
    /// The settings table's defaults.
    fn default() -> Self {
        LimitSettings::from_lookup(|_| None)
            .expect("the settings table's defaults are valid (checked by its tests)")
    }
}

/// A limit var that cannot be used (its error names it).
pub type LimitError = SettingError;

impl LimitSettings {
    /// Reads `MAX_CONNECTIONS_PER_KEY`, `CONNECTS_PER_IP_PER_MIN`, `AUTH_FAILURES_PER_IP` and
    /// `KEY_SLOT_LEASE_MS` through `lookup` by the settings table (`balto_core::settings`).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, LimitError> {
        let r = Reader::new(&lookup);
        Ok(LimitSettings {
            max_connections_per_key: r.number(&settings::MAX_CONNECTIONS_PER_KEY)?,
            connects_per_ip_per_min: r.number(&settings::CONNECTS_PER_IP_PER_MIN)?,
            auth_failures_per_ip: r.number(&settings::AUTH_FAILURES_PER_IP)?,
            key_slot_lease_ms: r.number(&settings::KEY_SLOT_LEASE_MS)?,
        })
    }

    /// How often a session renews its key slot.
    pub fn renew_every_ms(&self) -> u64 {
        self.key_slot_lease_ms / 3
    }

    fn auth_policy(&self) -> ThrottlePolicy {
        ThrottlePolicy {
            max_failures: self.auth_failures_per_ip,
            ..ThrottlePolicy::default()
        }
    }
}

/// One question to a limiter object (JSON body of its `fetch`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum LimiterRequest {
    /// `ip:` object: one more WebSocket upgrade from this address.
    Connect,
    /// `ip:` object: an `auth` from this address was refused (answered with the delay).
    AuthFailed,
    /// `key:` object: a place for the socket `slot` (renews it if it has one).
    Acquire { slot: String },
    /// `key:` object: the socket `slot` is still open.
    Renew { slot: String },
    /// `key:` object: the socket `slot` closed.
    Release { slot: String },
}

/// A limiter object's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum LimiterReply {
    /// Go on.
    Ok,
    /// Too many upgrades from this address in the last minute.
    TooManyConnects { retry_after_ms: u64 },
    /// Wait this long before answering the failed `auth`.
    AuthDelay { delay_ms: u64 },
    /// The key already has `open` sockets, its maximum.
    KeyFull { open: u32 },
}

/// The one source in an address's failure throttle (the object is the address).
const SOURCE: &str = "";

/// What a limiter object keeps (as JSON in its storage).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LimiterState {
    /// `ip:`: when the upgrades of the last minute happened (at most the limit's worth).
    #[serde(default)]
    connects: VecDeque<u64>,
    /// `ip:`: failed `auth`, with the block they caused.
    #[serde(default)]
    auth: Option<FailureThrottle<String>>,
    /// `ip:`: the last failed `auth` (the throttle is kept while it can still matter).
    #[serde(default)]
    last_failure_ms: Option<u64>,
    /// `key:`: open socket → end of its lease.
    #[serde(default)]
    slots: BTreeMap<String, u64>,
}

impl LimiterState {
    /// Parses stored state; unreadable state starts afresh (limits fail open, never closed).
    pub fn from_json(json: &str) -> LimiterState {
        serde_json::from_str(json).unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Open key slots now.
    pub fn open_slots(&self) -> usize {
        self.slots.len()
    }

    /// Answers `request` at `now_ms` (Unix ms), updating the state.
    pub fn apply(
        &mut self,
        request: &LimiterRequest,
        limits: &LimitSettings,
        now_ms: u64,
    ) -> LimiterReply {
        self.expire(now_ms);
        match request {
            LimiterRequest::Connect => {
                if self.connects.len() >= limits.connects_per_ip_per_min as usize {
                    let oldest = self.connects.front().copied().unwrap_or(now_ms);
                    return LimiterReply::TooManyConnects {
                        retry_after_ms: (oldest + CONNECT_WINDOW_MS).saturating_sub(now_ms).max(1),
                    };
                }
                self.connects.push_back(now_ms);
                LimiterReply::Ok
            }
            LimiterRequest::AuthFailed => {
                let delay_ms = self
                    .auth
                    .get_or_insert_with(|| FailureThrottle::new(limits.auth_policy()))
                    .record_failure(&SOURCE.to_string(), now_ms);
                self.last_failure_ms = Some(now_ms);
                LimiterReply::AuthDelay { delay_ms }
            }
            LimiterRequest::Acquire { slot } | LimiterRequest::Renew { slot } => {
                let until = now_ms + limits.key_slot_lease_ms;
                if let Some(lease) = self.slots.get_mut(slot) {
                    *lease = until;
                    return LimiterReply::Ok;
                }
                if self.slots.len() >= limits.max_connections_per_key as usize {
                    return LimiterReply::KeyFull {
                        open: self.slots.len() as u32,
                    };
                }
                self.slots.insert(slot.clone(), until);
                LimiterReply::Ok
            }
            LimiterRequest::Release { slot } => {
                self.slots.remove(slot);
                LimiterReply::Ok
            }
        }
    }

    /// Drops what no longer counts at `now_ms`: upgrades older than a minute, lapsed leases,
    /// a failure record whose window is over.
    pub fn expire(&mut self, now_ms: u64) {
        while self
            .connects
            .front()
            .is_some_and(|t| t + CONNECT_WINDOW_MS <= now_ms)
        {
            self.connects.pop_front();
        }
        self.slots.retain(|_, until| *until > now_ms);
        if self.auth.is_some() && self.auth_forget_at().is_some_and(|t| t <= now_ms) {
            self.auth = None;
            self.last_failure_ms = None;
        }
    }

    /// When the failure record may be dropped: a window after the last failure, when it can
    /// no longer count.
    fn auth_forget_at(&self) -> Option<u64> {
        self.auth.as_ref()?;
        Some(self.last_failure_ms? + ThrottlePolicy::default().window_ms)
    }

    /// True when nothing is left worth storing.
    pub fn is_empty(&self) -> bool {
        self.connects.is_empty() && self.auth.is_none() && self.slots.is_empty()
    }

    /// When something next expires (the object's alarm), if anything is held.
    pub fn next_expiry_ms(&self) -> Option<u64> {
        let connect = self.connects.front().map(|t| t + CONNECT_WINDOW_MS);
        let slot = self.slots.values().min().copied();
        [connect, slot, self.auth_forget_at()]
            .into_iter()
            .flatten()
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn limits() -> LimitSettings {
        LimitSettings {
            max_connections_per_key: 2,
            connects_per_ip_per_min: 3,
            auth_failures_per_ip: 3,
            key_slot_lease_ms: 30_000,
        }
    }

    fn slot(op: fn(String) -> LimiterRequest, s: &str) -> LimiterRequest {
        op(s.to_string())
    }
    fn acquire(s: String) -> LimiterRequest {
        LimiterRequest::Acquire { slot: s }
    }
    fn renew(s: String) -> LimiterRequest {
        LimiterRequest::Renew { slot: s }
    }
    fn release(s: String) -> LimiterRequest {
        LimiterRequest::Release { slot: s }
    }

    #[test]
    fn settings_from_vars() {
        let from = |pairs: &[(&str, &str)]| {
            let map: HashMap<String, String> = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            LimitSettings::from_lookup(|k| map.get(k).cloned())
        };
        assert_eq!(from(&[]).unwrap(), LimitSettings::default());
        let l = from(&[
            ("MAX_CONNECTIONS_PER_KEY", " 1 "),
            ("CONNECTS_PER_IP_PER_MIN", "20"),
            ("AUTH_FAILURES_PER_IP", "3"),
            ("KEY_SLOT_LEASE_MS", "9000"),
            ("OTHER", "x"),
        ])
        .unwrap();
        assert_eq!(
            l,
            LimitSettings {
                max_connections_per_key: 1,
                connects_per_ip_per_min: 20,
                auth_failures_per_ip: 3,
                key_slot_lease_ms: 9_000,
            }
        );
        assert_eq!(l.renew_every_ms(), 3_000);
        for bad in [
            ("MAX_CONNECTIONS_PER_KEY", "0"),
            ("CONNECTS_PER_IP_PER_MIN", "many"),
            ("AUTH_FAILURES_PER_IP", "-1"),
            ("KEY_SLOT_LEASE_MS", "100"),
            ("MAX_CONNECTIONS_PER_KEY", "99999999999"),
        ] {
            let e = from(&[bad]).unwrap_err();
            assert_eq!(e.name, bad.0, "{e}");
        }
    }

    #[test]
    fn names_per_address_and_key() {
        assert_eq!(ip_name(" 203.0.113.7 "), "ip:203.0.113.7");
        assert_eq!(key_name("AbC123"), "key:abc123");
    }

    #[test]
    fn a_key_holds_at_most_its_slots_and_frees_them_on_release() {
        let (l, mut s) = (limits(), LimiterState::default());
        assert_eq!(s.apply(&slot(acquire, "a"), &l, 0), LimiterReply::Ok);
        assert_eq!(s.apply(&slot(acquire, "b"), &l, 1), LimiterReply::Ok);
        assert_eq!(
            s.apply(&slot(acquire, "c"), &l, 2),
            LimiterReply::KeyFull { open: 2 }
        );
        // The same socket asking again is not a second place.
        assert_eq!(s.apply(&slot(acquire, "a"), &l, 3), LimiterReply::Ok);
        assert_eq!(s.apply(&slot(release, "a"), &l, 4), LimiterReply::Ok);
        assert_eq!(s.open_slots(), 1);
        assert_eq!(s.apply(&slot(acquire, "c"), &l, 5), LimiterReply::Ok);
        // Releasing an unknown slot is harmless.
        assert_eq!(s.apply(&slot(release, "zz"), &l, 6), LimiterReply::Ok);
        assert_eq!(s.open_slots(), 2);
    }

    #[test]
    fn a_slot_not_renewed_lapses_and_a_renewed_one_stays() {
        let (l, mut s) = (limits(), LimiterState::default());
        s.apply(&slot(acquire, "dead"), &l, 0);
        s.apply(&slot(acquire, "live"), &l, 0);
        assert_eq!(s.next_expiry_ms(), Some(30_000));
        assert_eq!(s.apply(&slot(renew, "live"), &l, 20_000), LimiterReply::Ok);
        assert_eq!(s.next_expiry_ms(), Some(30_000), "the dead one's lease");
        // The dead socket's lease ran out: its place is free again.
        assert_eq!(s.apply(&slot(acquire, "new"), &l, 30_000), LimiterReply::Ok);
        assert_eq!(s.open_slots(), 2);
        assert_eq!(s.next_expiry_ms(), Some(50_000));
        // A renewal after a lapse re-admits when there is room, and not when there is none.
        assert_eq!(
            s.apply(&slot(renew, "dead"), &l, 30_001),
            LimiterReply::KeyFull { open: 2 }
        );
        s.expire(60_000);
        assert!(s.is_empty());
        assert_eq!(s.apply(&slot(renew, "dead"), &l, 60_001), LimiterReply::Ok);
    }

    #[test]
    fn upgrades_per_address_per_rolling_minute() {
        let (l, mut s) = (limits(), LimiterState::default());
        for t in [0, 10_000, 20_000] {
            assert_eq!(s.apply(&LimiterRequest::Connect, &l, t), LimiterReply::Ok);
        }
        assert_eq!(
            s.apply(&LimiterRequest::Connect, &l, 30_000),
            LimiterReply::TooManyConnects {
                retry_after_ms: 30_000
            }
        );
        // Refused upgrades are not counted: the first one ages out at 60 s.
        assert_eq!(
            s.apply(&LimiterRequest::Connect, &l, 59_999),
            LimiterReply::TooManyConnects { retry_after_ms: 1 }
        );
        assert_eq!(
            s.apply(&LimiterRequest::Connect, &l, 60_000),
            LimiterReply::Ok
        );
        assert_eq!(s.next_expiry_ms(), Some(70_000));
        s.expire(200_000);
        assert!(s.is_empty());
    }

    #[test]
    fn failed_auth_is_delayed_never_blocked_as_in_local_dev() {
        let (l, mut s) = (limits(), LimiterState::default());
        let delays: Vec<LimiterReply> = (0..6)
            .map(|t| s.apply(&LimiterRequest::AuthFailed, &l, t))
            .collect();
        let delay = |delay_ms| LimiterReply::AuthDelay { delay_ms };
        assert_eq!(
            delays,
            vec![
                delay(0),
                delay(0),
                delay(0),
                delay(1_000),
                delay(2_000),
                delay(4_000)
            ],
            "free failures, then a doubling delay (FailureThrottle's rule)"
        );
        // Upgrades from the address still go through: valid keys are never locked out.
        assert_eq!(s.apply(&LimiterRequest::Connect, &l, 6), LimiterReply::Ok);
        // The state survives storage as JSON.
        let mut back = LimiterState::from_json(&s.to_json());
        assert_eq!(back.apply(&LimiterRequest::AuthFailed, &l, 7), delay(8_000));
        // The upgrade at 6 is the first record to expire; the failures are forgotten a window
        // after the last one (7); then failures start free again.
        assert_eq!(back.next_expiry_ms(), Some(6 + 60_000));
        let forget = 7 + 60_000;
        back.expire(forget);
        assert_eq!(
            back.apply(&LimiterRequest::AuthFailed, &l, forget + 1),
            delay(0)
        );
    }

    #[test]
    fn bad_json_starts_afresh_and_the_wire_shapes_hold() {
        assert!(LimiterState::from_json("{not json").is_empty());
        let wire = serde_json::to_string(&LimiterRequest::Acquire { slot: "x".into() }).unwrap();
        assert_eq!(wire, r#"{"op":"acquire","slot":"x"}"#);
        let reply: LimiterReply =
            serde_json::from_str(r#"{"verdict":"key_full","open":1}"#).unwrap();
        assert_eq!(reply, LimiterReply::KeyFull { open: 1 });
    }
}
