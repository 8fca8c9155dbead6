//! Jurisdictions of registration and of collection: the 50 states, the
//! District of Columbia, the U.S. territories, and federal and diplomatic
//! plates, which are issued outside any state.

use serde::{Deserialize, Serialize};
use std::fmt;

/// `(code, name)` of every jurisdiction Sightline knows. Codes are the USPS
/// abbreviations; `FED` is U.S. Government plates and `DIP` diplomatic plates.
const TABLE: &[(&str, &str)] = &[
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("HI", "Hawaii"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("ME", "Maine"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", "West Virginia"),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
    ("DC", "District of Columbia"),
    ("PR", "Puerto Rico"),
    ("GU", "Guam"),
    ("VI", "U.S. Virgin Islands"),
    ("AS", "American Samoa"),
    ("MP", "Northern Mariana Islands"),
    ("FED", "U.S. Government (federal)"),
    ("DIP", "Diplomatic (U.S. Department of State)"),
];

/// A jurisdiction that issues plates. Only the ones in the table can exist.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Jurisdiction(u8);

/// The jurisdiction text matched nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a known jurisdiction: use a USPS code such as PA, DC or PR, or FED / DIP")]
pub struct UnknownJurisdiction(pub String);

impl Jurisdiction {
    /// Parses a code (`pa`, `PA`), a full name (`Pennsylvania`), or an
    /// OpenALPR-style region (`us-pa`).
    pub fn parse(raw: &str) -> Result<Self, UnknownJurisdiction> {
        let t = raw.trim();
        let t = t
            .strip_prefix("us-")
            .or_else(|| t.strip_prefix("US-"))
            .unwrap_or(t);
        TABLE
            .iter()
            .position(|(code, name)| code.eq_ignore_ascii_case(t) || name.eq_ignore_ascii_case(t))
            .and_then(|i| u8::try_from(i).ok())
            .map(Self)
            .ok_or_else(|| UnknownJurisdiction(raw.to_owned()))
    }

    pub fn code(self) -> &'static str {
        TABLE.get(usize::from(self.0)).map_or("??", |(c, _)| c)
    }

    pub fn name(self) -> &'static str {
        TABLE.get(usize::from(self.0)).map_or("unknown", |(_, n)| n)
    }

    /// Every jurisdiction, in table order.
    pub fn all() -> impl Iterator<Item = Jurisdiction> {
        (0..TABLE.len()).filter_map(|i| u8::try_from(i).ok().map(Self))
    }
}

impl TryFrom<String> for Jurisdiction {
    type Error = UnknownJurisdiction;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<Jurisdiction> for String {
    fn from(j: Jurisdiction) -> String {
        j.code().to_owned()
    }
}

impl fmt::Display for Jurisdiction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Jurisdiction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Jurisdiction({})", self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_names_and_regions() {
        let pa = Jurisdiction::parse("PA").unwrap();
        assert_eq!(Jurisdiction::parse("pennsylvania").unwrap(), pa);
        assert_eq!(Jurisdiction::parse("us-pa").unwrap(), pa);
        assert_eq!(pa.name(), "Pennsylvania");
        assert_eq!(Jurisdiction::parse("dc").unwrap().code(), "DC");
        assert_eq!(Jurisdiction::parse("FED").unwrap().code(), "FED");
        assert!(Jurisdiction::parse("ZZ").is_err());
        assert!(Jurisdiction::parse("").is_err());
    }

    #[test]
    fn covers_states_dc_territories_federal_and_diplomatic() {
        assert_eq!(Jurisdiction::all().count(), 50 + 1 + 5 + 2);
        for j in Jurisdiction::all() {
            assert_eq!(Jurisdiction::parse(j.code()).unwrap(), j);
        }
    }
}
