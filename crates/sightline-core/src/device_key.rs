//! Keys for what the web app keeps on the device (encrypted local drafts),
//! so that "data saved on the device is deleted after 60 days" (R3.8) holds
//! even for a browser that is never opened again: the app encrypts each
//! draft under the key of the day it was written, and the server stops
//! handing that key out once the draft's time is up.
//!
//! A key is `HMAC-SHA256(deployment secret, user id ‖ key id)`, with both
//! numbers as 8 big-endian bytes and the key id the Unix day number. It
//! differs per user and per day, and every node derives the same one. Pure:
//! the caller passes the secret and the time.

use crate::UserId;
use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::Sha256;
use time::{Duration, OffsetDateTime};

/// How long data saved on the device may live.
pub const MAX_AGE_DAYS: i64 = 60;

const SECS_PER_DAY: i64 = 86_400;

/// The key id (Unix day number) of the day containing `at`.
pub fn key_id_at(at: OffsetDateTime) -> i64 {
    at.unix_timestamp().div_euclid(SECS_PER_DAY)
}

/// Why a day's key is not served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyDayError {
    /// Its drafts are past the limit: the key is gone for good.
    Expired,
    /// A day that has not begun.
    Future,
}

/// Whether the key of day `key_id` may still be served at `now`. A draft
/// written in the last second of day D must stay readable for 60 days, so
/// the key lives until the start of D plus 61 days.
pub fn check_key_id(key_id: i64, now: OffsetDateTime) -> Result<(), KeyDayError> {
    let today = key_id_at(now);
    if key_id > today {
        return Err(KeyDayError::Future);
    }
    let start = key_id.saturating_mul(SECS_PER_DAY);
    let until = start.saturating_add((MAX_AGE_DAYS + 1) * SECS_PER_DAY);
    if now.unix_timestamp() < until {
        Ok(())
    } else {
        Err(KeyDayError::Expired)
    }
}

/// When the key of `key_id` stops being served.
pub fn expires_at(key_id: i64) -> Option<OffsetDateTime> {
    let start = OffsetDateTime::from_unix_timestamp(key_id.checked_mul(SECS_PER_DAY)?).ok()?;
    start.checked_add(Duration::days(MAX_AGE_DAYS + 1))
}

/// The key of `user` for day `key_id`.
pub fn derive(secret: &[u8], user: UserId, key_id: i64) -> Option<[u8; 32]> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    mac.update(&user.0.to_be_bytes());
    mac.update(&key_id.to_be_bytes());
    mac.finalize().into_bytes().as_slice().try_into().ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_day_is_served_for_sixty_full_days_after_it_ends() {
        let written = datetime!(2026-11-21 23:59:59 UTC);
        let d = key_id_at(written);
        assert_eq!(check_key_id(d, written), Ok(()));
        let last = datetime!(2026-11-21 00:00 UTC) + Duration::days(61) - Duration::seconds(1);
        assert_eq!(check_key_id(d, last), Ok(()));
        assert_eq!(
            check_key_id(d, last + Duration::seconds(1)),
            Err(KeyDayError::Expired)
        );
        assert_eq!(check_key_id(d + 1, written), Err(KeyDayError::Future));
        assert_eq!(expires_at(d), Some(last + Duration::seconds(1)));
    }

    #[test]
    fn keys_differ_per_user_and_day() {
        let s = [7u8; 32];
        let a = derive(&s, UserId(1), 20_000).unwrap();
        assert_eq!(a, derive(&s, UserId(1), 20_000).unwrap());
        assert_ne!(a, derive(&s, UserId(2), 20_000).unwrap());
        assert_ne!(a, derive(&s, UserId(1), 20_001).unwrap());
        assert_ne!(a, derive(&[8u8; 32], UserId(1), 20_000).unwrap());
    }
}
