//! Rate limits on the endpoints that guess at secrets (logon, second
//! factor, password change): per client address and per account, over a
//! sliding window read from the injected clock.
//!
//! Limits are per node. Account lockout (5 consecutive failures, stored in
//! the database) is what holds across nodes; these limits blunt spraying
//! many accounts from one address and hammering one account from many.

use crate::error::ApiError;
use axum::http::StatusCode;
use std::collections::{HashMap, VecDeque};
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

/// Keys above this are pruned of stale entries in one sweep.
const SWEEP_AT: usize = 10_000;

#[derive(Debug, Default)]
pub struct RateLimiter {
    // Shared by every request task; held only to update one key's window.
    hits: Mutex<HashMap<String, VecDeque<OffsetDateTime>>>,
}

impl RateLimiter {
    /// Counts one attempt for `key`; refuses when the window is full.
    pub fn check(&self, key: &str, limit: Limit, now: OffsetDateTime) -> Result<(), ApiError> {
        let mut hits = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        if hits.len() > SWEEP_AT {
            hits.retain(|_, q| q.back().is_some_and(|t| now - *t < limit.window));
        }
        let q = hits.entry(key.to_owned()).or_default();
        while q.front().is_some_and(|t| now - *t >= limit.window) {
            q.pop_front();
        }
        if q.len() >= limit.max {
            let retry = q
                .front()
                .map_or(limit.window, |t| limit.window - (now - *t));
            return Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!(
                    "too many attempts; try again in {} seconds",
                    retry.whole_seconds().max(1)
                ),
            ));
        }
        q.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn window_slides_with_the_clock() {
        let l = RateLimiter::default();
        let t0 = datetime!(2026-11-21 12:00 UTC);
        let limit = Limit {
            max: 3,
            window: Duration::minutes(1),
        };
        for i in 0..3 {
            assert!(l.check("ip:1", limit, t0 + Duration::seconds(i)).is_ok());
        }
        assert_eq!(
            l.check("ip:1", limit, t0 + Duration::seconds(10))
                .unwrap_err()
                .code(),
            "rate_limited"
        );
        assert!(l.check("ip:2", limit, t0 + Duration::seconds(10)).is_ok());
        assert!(l.check("ip:1", limit, t0 + Duration::seconds(61)).is_ok());
    }
}
