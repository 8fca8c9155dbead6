//! Password policy in the NIST SP 800-63B style (R2.8): long enough, not
//! common or breached, not the username; no composition rules and no
//! periodic expiry. The banned list is built by
//! `scripts/build-banned-passwords.py` from a registry package and shipped
//! in the binary.

use std::collections::HashSet;
use std::sync::OnceLock;

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 128;

static BANNED_TEXT: &str = include_str!("../data/banned-passwords.txt");

fn banned() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| BANNED_TEXT.lines().filter(|l| !l.is_empty()).collect())
}

/// Why a new password was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("use at least {MIN_CHARS} characters (a few unrelated words make a good one)")]
    TooShort,
    #[error("use at most {MAX_CHARS} characters")]
    TooLong,
    #[error("this password is on the list of common or breached passwords")]
    Banned,
    #[error("a password must not contain the username")]
    ContainsUsername,
    #[error("a password must not be one character repeated or a simple sequence")]
    Trivial,
}

impl PasswordProblem {
    pub fn code(&self) -> &'static str {
        match self {
            PasswordProblem::TooShort => "password_too_short",
            PasswordProblem::TooLong => "password_too_long",
            PasswordProblem::Banned => "password_banned",
            PasswordProblem::ContainsUsername => "password_contains_username",
            PasswordProblem::Trivial => "password_trivial",
        }
    }
}

fn is_sequence(s: &str) -> bool {
    let b = s.as_bytes();
    let steps: Vec<i16> = b
        .windows(2)
        .filter_map(|w| match w {
            // "…7890" wraps round like a keypad.
            [a, c] if a.is_ascii_digit() && c.is_ascii_digit() => {
                Some(match i16::from(*c) - i16::from(*a) {
                    -9 => 1,
                    9 => -1,
                    d => d,
                })
            }
            [a, c] => Some(i16::from(*c) - i16::from(*a)),
            _ => None,
        })
        .collect();
    steps
        .first()
        .is_some_and(|d| (-1..=1).contains(d) && steps.iter().all(|x| x == d))
}

/// Checks a candidate password for `username`.
pub fn check(candidate: &str, username: &str) -> Result<(), PasswordProblem> {
    let n = candidate.chars().count();
    if n < MIN_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if n > MAX_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    let lower = candidate.to_lowercase();
    if is_sequence(&lower) {
        return Err(PasswordProblem::Trivial);
    }
    let user = username.trim().to_lowercase();
    if user.len() >= 3 && lower.contains(&user) {
        return Err(PasswordProblem::ContainsUsername);
    }
    // A listed password with decoration around it is still that password.
    let core = lower.trim_matches(|c: char| {
        c.is_ascii_digit() || c.is_ascii_punctuation() || c.is_whitespace()
    });
    let list = banned();
    if list.contains(lower.as_str()) || (core.chars().count() >= 4 && list.contains(core)) {
        return Err(PasswordProblem::Banned);
    }
    // The same listed word twice ("dragondragon") is no better.
    if let Some(half) = core.get(..core.len() / 2)
        && core.len() % 2 == 0
        && core.get(core.len() / 2..) == Some(half)
        && list.contains(half)
    {
        return Err(PasswordProblem::Banned);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_unlisted_passphrases_pass() {
        assert_eq!(check("correct horse battery staple", "jdoe"), Ok(()));
        assert_eq!(check("Tangerine-Velvet-Orbit", "jdoe"), Ok(()));
    }

    #[test]
    fn short_common_trivial_and_personal_fail() {
        assert_eq!(check("Tr0ub4dor&3", "jdoe"), Err(PasswordProblem::TooShort));
        assert_eq!(check("password1234!", "jdoe"), Err(PasswordProblem::Banned));
        assert_eq!(
            check("!!Baseball2026!!", "jdoe"),
            Err(PasswordProblem::Banned)
        );
        assert_eq!(check("dragondragon", "jdoe"), Err(PasswordProblem::Banned));
        assert_eq!(
            check("sightline-2026", "jdoe"),
            Err(PasswordProblem::Banned)
        );
        assert_eq!(
            check("aaaaaaaaaaaaaa", "jdoe"),
            Err(PasswordProblem::Trivial)
        );
        assert_eq!(check("123456789012", "jdoe"), Err(PasswordProblem::Trivial));
        assert_eq!(
            check("my name is JDoe, ok?", "jdoe"),
            Err(PasswordProblem::ContainsUsername)
        );
        assert!(banned().len() > 29_000);
    }
}
