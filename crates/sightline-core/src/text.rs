//! Bounded free text: case references, notes, person names.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a piece of free text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("must not be empty")]
    Empty,
    #[error("is {len} characters long; at most {max} are accepted")]
    TooLong { len: usize, max: usize },
    #[error("contains a control character")]
    ControlCharacter,
}

pub(crate) fn bounded(raw: &str, max: usize) -> Result<String, TextError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(TextError::Empty);
    }
    let len = trimmed.chars().count();
    if len > max {
        return Err(TextError::TooLong { len, max });
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(TextError::ControlCharacter);
    }
    Ok(trimmed.to_owned())
}

macro_rules! bounded_text {
    ($(#[$doc:meta])* $name:ident, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn parse(raw: &str) -> Result<Self, TextError> {
                bounded(raw, Self::MAX_CHARS).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = TextError;
            fn try_from(raw: String) -> Result<Self, Self::Error> {
                Self::parse(&raw)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

bounded_text!(
    /// What led to a query: subject name, case number (R3.2).
    CaseReference,
    500
);
bounded_text!(
    /// The name of the person a query is run for, when not the user.
    PersonName,
    200
);
bounded_text!(
    /// A free-text note on an alert-list entry or a misread report.
    Note,
    1000
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_reference_is_trimmed_and_bounded() {
        let ok = CaseReference::parse("  Subject name John Doe, case number 12345678 ").unwrap();
        assert_eq!(ok.as_str(), "Subject name John Doe, case number 12345678");
        assert_eq!(CaseReference::parse("   "), Err(TextError::Empty));
        let long = "x".repeat(501);
        assert_eq!(
            CaseReference::parse(&long),
            Err(TextError::TooLong { len: 501, max: 500 })
        );
        assert_eq!(
            PersonName::parse("a\u{7}b"),
            Err(TextError::ControlCharacter)
        );
    }
}

/// Extra bounded texts that only the read model uses.
pub mod read_text {
    use super::*;

    bounded_text!(
        /// The source's own identifier for a read: the idempotency key.
        SourceReadId,
        128
    );
    bounded_text!(
        /// A street address or an intersection description.
        PlaceText,
        300
    );
}
