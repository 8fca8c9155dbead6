//! The one source of "now". Production uses [`SystemClock`]; tests share a
//! [`ManualClock`] with the server and move it instead of sleeping.

use std::fmt;
use std::sync::{Arc, Mutex};
use time::{Duration, OffsetDateTime};

/// Anything that can tell the time. Expiry, lockouts, retention and
/// relative time frames all read one of these, never the system clock.
pub trait Clock: Send + Sync + fmt::Debug {
    fn now(&self) -> OffsetDateTime;
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one sanctioned call
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that only moves when told to. Cloning shares the same instant.
#[derive(Debug, Clone)]
pub struct ManualClock {
    // Shared between the test body and every server task; the lock is held
    // only to copy or replace the instant.
    now: Arc<Mutex<OffsetDateTime>>,
}

impl ManualClock {
    pub fn new(start: OffsetDateTime) -> Self {
        Self {
            now: Arc::new(Mutex::new(start)),
        }
    }

    pub fn advance(&self, by: Duration) {
        let mut guard = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *guard += by;
    }

    pub fn set(&self, to: OffsetDateTime) {
        let mut guard = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *guard = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Microseconds since the Unix epoch: the storage form of every instant.
pub fn to_micros(t: OffsetDateTime) -> i64 {
    let nanos = t.unix_timestamp_nanos() / 1_000;
    i64::try_from(nanos).unwrap_or(if nanos < 0 { i64::MIN } else { i64::MAX })
}

/// The inverse of [`to_micros`]; out-of-range values clamp to the epoch.
pub fn from_micros(micros: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(datetime!(2026-01-01 0:00 UTC));
        let shared = clock.clone();
        assert_eq!(shared.now(), datetime!(2026-01-01 0:00 UTC));
        clock.advance(Duration::minutes(30));
        assert_eq!(shared.now(), datetime!(2026-01-01 0:30 UTC));
    }

    #[test]
    fn micros_round_trip() {
        let t = datetime!(2025-06-30 12:34:56.123456 UTC);
        assert_eq!(from_micros(to_micros(t)), t);
    }
}
