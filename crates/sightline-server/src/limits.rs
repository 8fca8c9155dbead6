//! Rate limits on the endpoints that guess at secrets (logon, second
//! factor, password change, recovery): per client address and per
//! account, over a sliding window read from the injected clock.
//!
//! Limits are per node. Account lockout (5 consecutive failures, stored in
//! the database) is what holds across nodes; these limits blunt spraying
//! many accounts from one address and hammering one account from many.
//!
//! The key store is bounded: at most `capacity` keys, split over shards so
//! one lock is not shared by every request. Keys are hashed with a
//! per-process random key, so an attacker can neither pick a shard nor
//! make keys collide, and a key costs the same memory however long the
//! name it came from. Each shard keeps its counted attempts in one queue,
//! oldest first; every check pops what has left its window (each attempt is
//! popped once, so the sweep is amortised O(1)) and forgets keys whose
//! window has emptied. A full shard never evicts a key that still holds
//! attempts: that would let whoever fills the store reset someone else's
//! bucket. It refuses new keys instead (429 `rate_limited`) until the
//! oldest attempt leaves its window, at most one window later.

use crate::error::ApiError;
use axum::http::StatusCode;
use std::collections::hash_map::RandomState;
use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher as _;
use std::sync::Mutex;
use time::{Duration, OffsetDateTime};

/// Attempts allowed per window.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max: usize,
    pub window: Duration,
}

pub const PER_ADDRESS: Limit = Limit {
    max: 30,
    window: Duration::minutes(1),
};
pub const PER_ACCOUNT: Limit = Limit {
    max: 10,
    window: Duration::minutes(1),
};

/// Keys kept at most, unless configured otherwise.
pub const DEFAULT_CAPACITY: usize = 65_536;

const SHARDS: usize = 16;

#[derive(Debug, Default)]
struct Shard {
    /// Per key, when each counted attempt leaves its window, oldest first.
    buckets: HashMap<u64, VecDeque<OffsetDateTime>>,
    /// Every counted attempt of the shard, in the order counted.
    expiry: VecDeque<(u64, OffsetDateTime)>,
}

impl Shard {
    fn sweep(&mut self, now: OffsetDateTime) {
        while let Some(&(key, until)) = self.expiry.front() {
            if until > now {
                break;
            }
            self.expiry.pop_front();
            if let Some(q) = self.buckets.get_mut(&key) {
                while q.front().is_some_and(|t| *t <= now) {
                    q.pop_front();
                }
                if q.is_empty() {
                    self.buckets.remove(&key);
                }
            }
        }
    }
}

#[derive(Debug)]
pub struct RateLimiter {
    shards: Box<[Mutex<Shard>]>,
    per_shard: usize,
    hasher: RandomState,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }
}

fn refused(retry: Duration, detail: &str) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        format!(
            "{detail}; try again in {} seconds",
            retry.whole_seconds().max(1)
        ),
    )
}

impl RateLimiter {
    /// A limiter that keeps at most `capacity` keys (rounded up to a
    /// multiple of the shard count).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            per_shard: capacity.div_ceil(SHARDS).max(1),
            hasher: RandomState::new(),
        }
    }

    /// Keys held now.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(|e| e.into_inner()).buckets.len())
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most keys held at once.
    pub fn capacity(&self) -> usize {
        self.per_shard * SHARDS
    }

    /// Counts one attempt for `key`; refuses when the window is full, or
    /// when `key` is new and its shard is full.
    pub fn check(&self, key: &str, limit: Limit, now: OffsetDateTime) -> Result<(), ApiError> {
        let hash = self.hasher.hash_one(key);
        let index = usize::try_from(hash % SHARDS as u64).unwrap_or(0);
        let Some(shard) = self.shards.get(index) else {
            return Err(refused(limit.window, "too many attempts"));
        };
        let mut shard = shard.lock().unwrap_or_else(|e| e.into_inner());
        shard.sweep(now);
        if !shard.buckets.contains_key(&hash) && shard.buckets.len() >= self.per_shard {
            let retry = shard
                .expiry
                .front()
                .map_or(limit.window, |(_, until)| *until - now);
            tracing::warn!("rate-limit key store full: a new client was refused");
            return Err(refused(retry, "too many clients are signing in at once"));
        }
        let q = shard.buckets.entry(hash).or_default();
        while q.front().is_some_and(|t| *t <= now) {
            q.pop_front();
        }
        if q.len() >= limit.max {
            let retry = q.front().map_or(limit.window, |until| *until - now);
            return Err(refused(retry, "too many attempts"));
        }
        let until = now + limit.window;
        q.push_back(until);
        shard.expiry.push_back((hash, until));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-11-21 12:00 UTC);

    #[test]
    fn window_slides_with_the_clock() {
        let l = RateLimiter::default();
        let limit = Limit {
            max: 3,
            window: Duration::minutes(1),
        };
        for i in 0..3 {
            assert!(l.check("ip:1", limit, T0 + Duration::seconds(i)).is_ok());
        }
        assert_eq!(
            l.check("ip:1", limit, T0 + Duration::seconds(10))
                .unwrap_err()
                .code(),
            "rate_limited"
        );
        assert!(l.check("ip:2", limit, T0 + Duration::seconds(10)).is_ok());
        assert!(l.check("ip:1", limit, T0 + Duration::seconds(61)).is_ok());
    }

    #[test]
    fn the_key_store_stays_at_capacity_and_never_resets_a_live_bucket() {
        let l = RateLimiter::with_capacity(64);
        let limit = Limit {
            max: 2,
            window: Duration::minutes(1),
        };
        // The victim's bucket is full before the flood.
        l.check("login:victim", limit, T0).unwrap();
        l.check("login:victim", limit, T0).unwrap();
        let mut refused = 0;
        for i in 0..10_000 {
            if l.check(&format!("login:flood{i}"), limit, T0).is_err() {
                refused += 1;
            }
            assert!(l.len() <= l.capacity());
        }
        assert_eq!(l.capacity(), 64);
        assert_eq!(l.len(), 64, "every shard filled, none grew past its share");
        assert_eq!(refused, 10_000 - 63);
        // The flood did not push the victim's bucket out.
        assert!(l.check("login:victim", limit, T0).is_err());
        // Once the window has passed, each shard forgets its stale keys
        // when next used, and takes new ones.
        let later = T0 + Duration::minutes(1);
        let accepted = (0..10_000)
            .filter(|i| l.check(&format!("login:later{i}"), limit, later).is_ok())
            .count();
        assert_eq!(accepted, 64, "every stale key was forgotten");
        assert_eq!(l.len(), 64);
    }
}
