//! License plate numbers, normalised for exact matching (R3.1, R3.5).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A plate number as matched: upper-case `A–Z`/`0–9`, 1–8 characters, with
/// spaces and dashes removed. The text as first written is kept for display.
///
/// Wildcards and pattern characters are refused outright: Sightline only
/// answers for a known plate, never a partial one.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Plate {
    normalized: String,
    original: String,
}

/// Why a plate number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlateError {
    #[error("a plate number is required")]
    Empty,
    #[error("a plate number has at most {max} letters and digits; this one has {len}")]
    TooLong { len: usize, max: usize },
    #[error(
        "'{0}' is a wildcard or pattern character: only an exact, complete plate number can be searched"
    )]
    Wildcard(char),
    #[error("'{0}' cannot appear in a plate number: use letters A-Z and digits 0-9")]
    InvalidCharacter(char),
}

/// Characters that signal an attempted pattern search rather than a typo.
const PATTERN_CHARS: &[char] = &['*', '?', '%', '_', '.', '[', ']', '^', '$', '|', '+', '~'];

impl Plate {
    pub const MAX_LEN: usize = 8;

    pub fn parse(raw: &str) -> Result<Self, PlateError> {
        let mut normalized = String::with_capacity(raw.len());
        for c in raw.trim().chars() {
            match c {
                ' ' | '-' => {}
                c if c.is_ascii_alphanumeric() => normalized.push(c.to_ascii_uppercase()),
                c if PATTERN_CHARS.contains(&c) => return Err(PlateError::Wildcard(c)),
                c => return Err(PlateError::InvalidCharacter(c)),
            }
        }
        if normalized.is_empty() {
            return Err(PlateError::Empty);
        }
        if normalized.len() > Self::MAX_LEN {
            return Err(PlateError::TooLong {
                len: normalized.len(),
                max: Self::MAX_LEN,
            });
        }
        Ok(Self {
            normalized,
            original: raw.trim().to_owned(),
        })
    }

    /// The normalised form: the only form that is stored, indexed and matched.
    pub fn as_str(&self) -> &str {
        &self.normalized
    }

    /// The plate as it was written, for display.
    pub fn original(&self) -> &str {
        &self.original
    }
}

impl PartialEq for Plate {
    fn eq(&self, other: &Self) -> bool {
        self.normalized == other.normalized
    }
}
impl Eq for Plate {}

impl std::hash::Hash for Plate {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.normalized.hash(state);
    }
}

impl TryFrom<String> for Plate {
    type Error = PlateError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<Plate> for String {
    fn from(p: Plate) -> String {
        p.normalized
    }
}

impl fmt::Display for Plate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.normalized)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalises_case_spaces_and_dashes() {
        let p = Plate::parse(" abc-12 3 ").unwrap();
        assert_eq!(p.as_str(), "ABC123");
        assert_eq!(p.original(), "abc-12 3");
        assert_eq!(p, Plate::parse("ABC123").unwrap());
    }

    #[test]
    fn refuses_wildcards_by_name() {
        assert_eq!(Plate::parse("XYZ*"), Err(PlateError::Wildcard('*')));
        assert_eq!(Plate::parse("XY%34"), Err(PlateError::Wildcard('%')));
        assert_eq!(Plate::parse("X?Z1234"), Err(PlateError::Wildcard('?')));
    }

    #[test]
    fn refuses_empty_long_and_foreign() {
        assert_eq!(Plate::parse(" - "), Err(PlateError::Empty));
        assert_eq!(
            Plate::parse("ABCDE12345"),
            Err(PlateError::TooLong { len: 10, max: 8 })
        );
        assert_eq!(Plate::parse("ÄBC1"), Err(PlateError::InvalidCharacter('Ä')));
    }

    proptest! {
        #[test]
        fn parsed_plates_are_always_canonical(raw in "\\PC{0,20}") {
            if let Ok(p) = Plate::parse(&raw) {
                prop_assert!(!p.as_str().is_empty() && p.as_str().len() <= Plate::MAX_LEN);
                prop_assert!(p.as_str().chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
                // Normalisation is idempotent.
                let again = Plate::parse(p.as_str()).unwrap();
                prop_assert_eq!(again.as_str(), p.as_str());
            }
        }

        #[test]
        fn separators_never_change_identity(core in "[A-Z0-9]{1,8}", seps in proptest::collection::vec(0usize..3, 0..8)) {
            let mut spaced = String::new();
            for (i, c) in core.chars().enumerate() {
                spaced.push(c.to_ascii_lowercase());
                match seps.get(i) { Some(1) => spaced.push(' '), Some(2) => spaced.push('-'), _ => {} }
            }
            let parsed = Plate::parse(&spaced).unwrap();
            prop_assert_eq!(parsed.as_str(), core.as_str());
        }
    }
}
