//! The limits of `/ws`: connections (server-wide and per counter key), per-connection byte and
//! message rates, failed `auth` attempts per address, and the ping that finds half-open sockets.
//! The counting rules are `balto_core::rate`'s; this module holds the shared state.

use balto_core::rate::{FailureThrottle, ThrottlePolicy, TokenBucket};
use balto_core::settings::{self, Reader, SettingError as ConfigError};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Every limit, from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Open sockets server-wide (`MAX_CONNECTIONS`); more get HTTP 503.
    pub max_connections: usize,
    /// Open sockets per counter key (`MAX_CONNECTIONS_PER_KEY`); more get `muitas_conexoes`.
    pub max_connections_per_key: usize,
    /// Average inbound bytes per second per socket (`RATE_BYTES_PER_S`); raw PCM is 32,000.
    pub bytes_per_s: u64,
    /// Burst of inbound bytes (`RATE_BURST_BYTES`): a queue of segments re-sent after a
    /// reconnect must fit.
    pub burst_bytes: u64,
    /// Average inbound messages per second per socket (`RATE_MESSAGES_PER_S`); raw PCM in
    /// 20 ms frames is 50.
    pub messages_per_s: u64,
    pub burst_messages: u64,
    /// How long a sender may stay over its rate (being slowed down) before it is closed with
    /// `limite_excedido` (`RATE_MAX_THROTTLED_MS`).
    pub max_throttled: Duration,
    /// Failed `auth` per address per minute answered without delay (`AUTH_FAILURES_PER_IP`);
    /// further ones wait 1 s, doubling up to 10 s, before their refusal.
    pub auth_failures_per_ip: u32,
    /// The server pings this often (`PING_INTERVAL_MS`)…
    pub ping_interval: Duration,
    /// …and drops a socket silent (no frame, no pong) this long (`PONG_TIMEOUT_MS`).
    pub silence_timeout: Duration,
}

impl Default for Limits {
    /// The settings table's defaults.
    fn default() -> Self {
        Limits::from_lookup(&|_| None)
            .expect("the settings table's defaults are valid (checked by its tests)")
    }
}

impl Limits {
    /// The limits from the settings table (`balto_core::settings`).
    pub fn from_reader(r: &Reader<'_>) -> Result<Limits, ConfigError> {
        let limits = Limits {
            max_connections: r.number(&settings::MAX_CONNECTIONS)?,
            max_connections_per_key: r.number(&settings::MAX_CONNECTIONS_PER_KEY)?,
            bytes_per_s: r.number(&settings::RATE_BYTES_PER_S)?,
            burst_bytes: r.number(&settings::RATE_BURST_BYTES)?,
            messages_per_s: r.number(&settings::RATE_MESSAGES_PER_S)?,
            burst_messages: r.number(&settings::RATE_BURST_MESSAGES)?,
            max_throttled: r.millis(&settings::RATE_MAX_THROTTLED_MS)?,
            auth_failures_per_ip: r.number(&settings::AUTH_FAILURES_PER_IP)?,
            ping_interval: r.millis(&settings::PING_INTERVAL_MS)?,
            silence_timeout: r.millis(&settings::PONG_TIMEOUT_MS)?,
        };
        if limits.silence_timeout <= limits.ping_interval {
            return Err(ConfigError {
                name: settings::PONG_TIMEOUT_MS.name,
                value: limits.silence_timeout.as_millis().to_string(),
                why: "must be longer than PING_INTERVAL_MS".into(),
            });
        }
        Ok(limits)
    }

    /// The limits read through `lookup`.
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Limits, ConfigError> {
        Limits::from_reader(&Reader::new(lookup))
    }
}

/// The shared counters behind the limits.
pub struct Gatekeeper {
    limits: Limits,
    open: Arc<AtomicUsize>,
    per_key: Arc<Mutex<HashMap<String, usize>>>,
    auth: Mutex<FailureThrottle<IpAddr>>,
    epoch: Instant,
}

/// An open socket's place under `MAX_CONNECTIONS`; released on drop.
#[derive(Debug)]
pub struct ConnectionSlot(Arc<AtomicUsize>);

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// An authenticated socket's place under `MAX_CONNECTIONS_PER_KEY`; released on drop.
#[derive(Debug)]
pub struct KeySlot {
    per_key: Arc<Mutex<HashMap<String, usize>>>,
    key_id: String,
}

impl Drop for KeySlot {
    fn drop(&mut self) {
        let mut map = self.per_key.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = map.get_mut(&self.key_id) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.key_id);
            }
        }
    }
}

impl Gatekeeper {
    pub fn new(limits: Limits) -> Gatekeeper {
        let auth = FailureThrottle::new(ThrottlePolicy {
            max_failures: limits.auth_failures_per_ip,
            ..ThrottlePolicy::default()
        });
        Gatekeeper {
            limits,
            open: Arc::new(AtomicUsize::new(0)),
            per_key: Arc::default(),
            auth: Mutex::new(auth),
            epoch: Instant::now(),
        }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    /// A place for one more socket, or `None` at `MAX_CONNECTIONS`.
    pub fn admit_connection(&self) -> Option<ConnectionSlot> {
        let max = self.limits.max_connections;
        self.open
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()
            .map(|_| ConnectionSlot(Arc::clone(&self.open)))
    }

    /// A place for one more socket of `key_id`, or `None` at `MAX_CONNECTIONS_PER_KEY`.
    pub fn admit_key(&self, key_id: &str) -> Option<KeySlot> {
        let mut map = self.per_key.lock().unwrap_or_else(PoisonError::into_inner);
        let n = map.entry(key_id.to_string()).or_insert(0);
        if *n >= self.limits.max_connections_per_key {
            return None;
        }
        *n += 1;
        Some(KeySlot {
            per_key: Arc::clone(&self.per_key),
            key_id: key_id.to_string(),
        })
    }

    /// Records a failed `auth` from `ip`; returns how long to wait before answering it (zero
    /// while the address is within its free failures). A valid key is never delayed.
    pub fn auth_failed(&self, ip: IpAddr) -> Duration {
        let now = self.now_ms();
        let delay = self
            .auth
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .record_failure(&ip, now);
        Duration::from_millis(delay)
    }

    /// The inbound rate meter for a new socket.
    pub fn rate_meter(&self) -> RateMeter {
        let l = &self.limits;
        RateMeter {
            bytes: TokenBucket::new(l.burst_bytes, l.bytes_per_s, 0),
            messages: TokenBucket::new(l.burst_messages, l.messages_per_s, 0),
            max_throttled: l.max_throttled.as_millis() as u64,
            throttled_since: None,
        }
    }
}

/// What to do with an inbound frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateVerdict {
    /// Handle it after this pause (zero within the rate): reading stops meanwhile, so a fast
    /// sender is slowed by TCP back-pressure and nothing it sent is lost.
    Accept { delay: Duration },
    /// Over the rate for longer than allowed (or one frame beyond the whole burst): tell the
    /// client and close.
    Close,
}

/// One socket's inbound byte and message rates.
#[derive(Debug, Clone)]
pub struct RateMeter {
    bytes: TokenBucket,
    messages: TokenBucket,
    max_throttled: u64,
    /// Since when every frame has had to wait (ms since the socket opened).
    throttled_since: Option<u64>,
}

impl RateMeter {
    /// Meters a frame of `len` bytes arriving `now_ms` after the socket opened.
    pub fn admit(&mut self, len: usize, now_ms: u64) -> RateVerdict {
        let (Some(a), Some(b)) = (
            self.messages.reserve(1, now_ms),
            self.bytes.reserve(len as u64, now_ms),
        ) else {
            return RateVerdict::Close;
        };
        let delay = a.max(b);
        if delay == 0 {
            self.throttled_since = None;
        } else {
            let since = *self.throttled_since.get_or_insert(now_ms);
            if now_ms + delay - since > self.max_throttled {
                return RateVerdict::Close;
            }
        }
        RateVerdict::Accept {
            delay: Duration::from_millis(delay),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Result<Limits, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Limits::from_lookup(&move |k| map.get(k).cloned())
    }

    #[test]
    fn limits_come_from_the_environment_and_zero_is_refused() {
        assert_eq!(from(&[]).unwrap(), Limits::default());
        let l = from(&[
            ("MAX_CONNECTIONS_PER_KEY", "2"),
            ("PING_INTERVAL_MS", "500"),
        ])
        .unwrap();
        assert_eq!(l.max_connections_per_key, 2);
        assert_eq!(l.ping_interval, Duration::from_millis(500));
        let e = from(&[("RATE_BYTES_PER_S", "0")]).unwrap_err();
        assert!(e.to_string().contains("RATE_BYTES_PER_S"), "{e}");
        assert!(from(&[("PONG_TIMEOUT_MS", "1000")]).is_err());
        assert!(from(&[("MAX_CONNECTIONS", "lots")]).is_err());
    }

    #[test]
    fn slots_are_counted_and_released() {
        let gate = Gatekeeper::new(Limits {
            max_connections: 2,
            max_connections_per_key: 1,
            ..Limits::default()
        });
        let a = gate.admit_connection().unwrap();
        let _b = gate.admit_connection().unwrap();
        assert!(gate.admit_connection().is_none());
        drop(a);
        assert!(gate.admit_connection().is_some());
        let k = gate.admit_key("k1").unwrap();
        assert!(gate.admit_key("k1").is_none());
        assert!(gate.admit_key("k2").is_some());
        drop(k);
        assert!(gate.admit_key("k1").is_some());
    }

    #[test]
    fn a_meter_slows_a_fast_sender_then_closes_it() {
        let gate = Gatekeeper::new(Limits {
            bytes_per_s: 1000,
            burst_bytes: 2000,
            messages_per_s: 10,
            burst_messages: 5,
            max_throttled: Duration::from_secs(1),
            ..Limits::default()
        });
        let ms = Duration::from_millis;
        let mut m = gate.rate_meter();
        assert_eq!(m.admit(2000, 0), RateVerdict::Accept { delay: ms(0) });
        assert_eq!(m.admit(500, 0), RateVerdict::Accept { delay: ms(500) });
        assert_eq!(m.admit(400, 500), RateVerdict::Accept { delay: ms(400) });
        assert_eq!(
            m.admit(2001, 10_000),
            RateVerdict::Close,
            "beyond the burst"
        );
        // A sender paced by back-pressure: each frame arrives when the last one's wait ends.
        let mut m = gate.rate_meter();
        let (mut t, mut accepted) = (0u64, 0);
        while let RateVerdict::Accept { delay } = m.admit(0, t) {
            accepted += 1;
            t += delay.as_millis() as u64;
            assert!(accepted < 100);
        }
        assert_eq!(
            (accepted, t),
            (15, 1000),
            "5 burst + 10 slowed, then closed"
        );
        // Dropping back under the rate forgives the past.
        let mut m = gate.rate_meter();
        for t in [0, 0, 0, 0, 0, 0, 900, 1800, 2700] {
            assert!(matches!(m.admit(0, t), RateVerdict::Accept { .. }), "{t}");
        }
    }
}
