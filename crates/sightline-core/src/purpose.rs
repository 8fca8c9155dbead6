//! The query policy (R3.1–R3.3): every plate query names a known plate and
//! state, a reason code from the user's program, a case reference, on whose
//! behalf it runs, and a time frame no longer than the reason allows.
//!
//! [`check`] is the only way to build a [`CheckedPurpose`], and the audit
//! ledger accepts nothing else for a plate query.

use crate::jurisdiction::Jurisdiction;
use crate::plate::{Plate, PlateError};
use crate::text::{CaseReference, PersonName, TextError};
use crate::timeframe::{Timeframe, TimeframeSpec};
use serde::{Deserialize, Serialize};
use std::fmt;
use time::OffsetDateTime;

/// A reason code: lower-case letters, digits, `-` and `_`, 1–64 characters.
/// Whether it is *allowed* depends on the agency's configured list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReasonCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a reason code is 1-64 characters of a-z, 0-9, '-' and '_'")]
pub struct BadReasonCode;

impl ReasonCode {
    pub fn parse(raw: &str) -> Result<Self, BadReasonCode> {
        let t = raw.trim().to_ascii_lowercase().replace(' ', "-");
        if t.is_empty()
            || t.len() > 64
            || !t
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        {
            return Err(BadReasonCode);
        }
        Ok(Self(t))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ReasonCode {
    type Error = BadReasonCode;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<ReasonCode> for String {
    fn from(r: ReasonCode) -> String {
        r.0
    }
}

impl fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One reason code of a program, with the longest time frame it justifies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonPolicy {
    pub code: ReasonCode,
    pub label: String,
    /// ERO: five years for every reason. HSI: the statute of limitations
    /// of the offence under investigation, configured per reason code.
    pub max_days: u32,
}

/// The reason codes of the program a user works in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramPolicy {
    pub program: String,
    pub reasons: Vec<ReasonPolicy>,
}

impl ProgramPolicy {
    fn reason(&self, code: &ReasonCode) -> Option<&ReasonPolicy> {
        self.reasons.iter().find(|r| &r.code == code)
    }

    fn accepted_codes(&self) -> String {
        self.reasons
            .iter()
            .map(|r| r.code.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// For whom a query runs (R3.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnBehalfOf {
    Myself,
    Person(PersonName),
}

impl OnBehalfOf {
    /// The name recorded in the audit log; `None` for the user themself.
    pub fn person(&self) -> Option<&PersonName> {
        match self {
            OnBehalfOf::Myself => None,
            OnBehalfOf::Person(p) => Some(p),
        }
    }
}

/// A query exactly as submitted: every field optional so that a missing one
/// is reported by name instead of as a parse failure.
#[derive(Debug, Clone, Default)]
pub struct QueryInput {
    pub plate: Option<String>,
    pub state: Option<String>,
    pub reason_code: Option<String>,
    pub timeframe: Option<TimeframeSpec>,
    pub case_reference: Option<String>,
    /// `Some(None)` is "self"; `Some(Some(name))` is on behalf of `name`.
    pub on_behalf_of: Option<Option<String>>,
}

/// One thing wrong with a request, in the shape every API error uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// Stable, machine-readable: clients switch on it.
    pub code: String,
    /// The request field at fault.
    pub field: String,
    /// For a person.
    pub message: String,
    /// What would have been accepted, where that can be said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<String>,
}

impl Violation {
    pub fn new(code: &str, field: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            field: field.to_owned(),
            message: message.into(),
            accepted: None,
        }
    }

    pub fn accepting(mut self, accepted: impl Into<String>) -> Self {
        self.accepted = Some(accepted.into());
        self
    }
}

/// A query whose purpose passed every rule. Only [`check`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedPurpose {
    plate: Plate,
    jurisdiction: Jurisdiction,
    reason: ReasonCode,
    case_reference: CaseReference,
    timeframe: Timeframe,
    on_behalf_of: OnBehalfOf,
    program: String,
}

impl CheckedPurpose {
    pub fn plate(&self) -> &Plate {
        &self.plate
    }
    pub fn jurisdiction(&self) -> Jurisdiction {
        self.jurisdiction
    }
    pub fn reason(&self) -> &ReasonCode {
        &self.reason
    }
    pub fn case_reference(&self) -> &CaseReference {
        &self.case_reference
    }
    pub fn timeframe(&self) -> Timeframe {
        self.timeframe
    }
    pub fn on_behalf_of(&self) -> &OnBehalfOf {
        &self.on_behalf_of
    }
    pub fn program(&self) -> &str {
        &self.program
    }
}

fn text_violation(field: &str, what: &str, e: TextError) -> Violation {
    match e {
        TextError::Empty => Violation::new(
            &format!("{field}_required"),
            field,
            format!("{what} is required"),
        ),
        other => Violation::new(
            &format!("{field}_invalid"),
            field,
            format!("{what} {other}"),
        ),
    }
}

/// Applies the query policy. Every violation is reported, in field order.
pub fn check(
    input: &QueryInput,
    policy: &ProgramPolicy,
    now: OffsetDateTime,
) -> Result<CheckedPurpose, Vec<Violation>> {
    let mut errs = Vec::new();

    let plate = match input.plate.as_deref() {
        None => {
            errs.push(Violation::new(
                "plate_required",
                "plate",
                "a plate number is required",
            ));
            None
        }
        Some(raw) => match Plate::parse(raw) {
            Ok(p) => Some(p),
            Err(PlateError::Empty) => {
                errs.push(Violation::new(
                    "plate_required",
                    "plate",
                    "a plate number is required",
                ));
                None
            }
            Err(e @ PlateError::Wildcard(_)) => {
                errs.push(
                    Violation::new("plate_wildcard", "plate", e.to_string()).accepting(
                        "one complete plate number; wildcards, partial plates and pattern searches are not supported",
                    ),
                );
                None
            }
            Err(e) => {
                errs.push(
                    Violation::new("plate_invalid", "plate", e.to_string())
                        .accepting("1-8 letters A-Z and digits 0-9; spaces and dashes are ignored"),
                );
                None
            }
        },
    };

    let jurisdiction = match input.state.as_deref().map(str::trim) {
        None | Some("") => {
            errs.push(Violation::new(
                "state_required",
                "state",
                "the state (jurisdiction) of registration is required",
            ));
            None
        }
        Some(raw) => match Jurisdiction::parse(raw) {
            Ok(j) => Some(j),
            Err(e) => {
                errs.push(
                    Violation::new("state_unknown", "state", e.to_string())
                        .accepting("a USPS code (e.g. PA, DC, PR) or FED / DIP"),
                );
                None
            }
        },
    };

    let reason = match input.reason_code.as_deref().map(str::trim) {
        None | Some("") => {
            errs.push(
                Violation::new(
                    "reason_code_required",
                    "reason_code",
                    "a reason code is required",
                )
                .accepting(policy.accepted_codes()),
            );
            None
        }
        Some(raw) => match ReasonCode::parse(raw).ok().and_then(|c| policy.reason(&c)) {
            Some(r) => Some(r),
            None => {
                errs.push(
                    Violation::new(
                        "reason_code_unknown",
                        "reason_code",
                        format!(
                            "'{raw}' is not a reason code of the {} program",
                            policy.program
                        ),
                    )
                    .accepting(policy.accepted_codes()),
                );
                None
            }
        },
    };

    let timeframe = match input.timeframe {
        None => {
            errs.push(
                Violation::new(
                    "timeframe_required",
                    "timeframe",
                    "a time frame is required: queries are never open-ended",
                )
                .accepting(r#"{"previous_days": N} or {"start": RFC 3339, "end": RFC 3339}"#),
            );
            None
        }
        Some(spec) => match spec.resolve(now) {
            Ok(tf) => Some(tf),
            Err(e) => {
                errs.push(Violation::new(
                    "timeframe_invalid",
                    "timeframe",
                    e.to_string(),
                ));
                None
            }
        },
    };

    if let (Some(tf), Some(r)) = (timeframe, reason) {
        let max = time::Duration::days(i64::from(r.max_days));
        if tf.length() > max {
            errs.push(
                Violation::new(
                    "timeframe_exceeds_policy",
                    "timeframe",
                    format!(
                        "the {} program allows at most {} days for reason code '{}'; this time frame spans {} days",
                        policy.program,
                        r.max_days,
                        r.code,
                        tf.length().whole_days()
                    ),
                )
                .accepting(format!("at most {} days", r.max_days)),
            );
        }
    }

    let case_reference = match CaseReference::parse(input.case_reference.as_deref().unwrap_or("")) {
        Ok(c) => Some(c),
        Err(e) => {
            errs.push(text_violation("case_reference", "the case reference", e));
            None
        }
    };

    let on_behalf_of = match &input.on_behalf_of {
        None => {
            errs.push(
                Violation::new(
                    "on_behalf_of_required",
                    "on_behalf_of",
                    "say whether the query is for yourself or on behalf of a named person",
                )
                .accepting(r#""self" or {"person": "Full Name"}"#),
            );
            None
        }
        Some(None) => Some(OnBehalfOf::Myself),
        Some(Some(name)) => match PersonName::parse(name) {
            Ok(p) => Some(OnBehalfOf::Person(p)),
            Err(e) => {
                errs.push(text_violation("on_behalf_of", "the person's name", e));
                None
            }
        },
    };

    match (
        plate,
        jurisdiction,
        reason,
        timeframe,
        case_reference,
        on_behalf_of,
    ) {
        (
            Some(plate),
            Some(jurisdiction),
            Some(r),
            Some(timeframe),
            Some(case_reference),
            Some(on_behalf_of),
        ) if errs.is_empty() => Ok(CheckedPurpose {
            plate,
            jurisdiction,
            reason: r.code.clone(),
            case_reference,
            timeframe,
            on_behalf_of,
            program: policy.program.clone(),
        }),
        _ => Err(errs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn hsi() -> ProgramPolicy {
        ProgramPolicy {
            program: "HSI".into(),
            reasons: vec![ReasonPolicy {
                code: ReasonCode::parse("criminal-investigation").unwrap(),
                label: "Criminal investigation".into(),
                max_days: 1826,
            }],
        }
    }

    fn seed_example() -> QueryInput {
        QueryInput {
            plate: Some("ABC123".into()),
            state: Some("Pennsylvania".into()),
            reason_code: Some("criminal-investigation".into()),
            timeframe: Some(TimeframeSpec::PreviousDays { previous_days: 60 }),
            case_reference: Some("Subject name John Doe, case number 12345678".into()),
            on_behalf_of: Some(None),
        }
    }

    const NOW: OffsetDateTime = datetime!(2026-11-21 12:00 UTC);

    #[test]
    fn seed_example_passes() {
        let p = check(&seed_example(), &hsi(), NOW).unwrap();
        assert_eq!(p.plate().as_str(), "ABC123");
        assert_eq!(p.jurisdiction().code(), "PA");
        assert_eq!(p.on_behalf_of(), &OnBehalfOf::Myself);
    }

    #[test]
    fn each_missing_field_has_its_own_code() {
        type Strip = fn(&mut QueryInput);
        let cases: [(&str, Strip); 6] = [
            ("plate_required", |q| q.plate = None),
            ("state_required", |q| q.state = None),
            ("reason_code_required", |q| q.reason_code = None),
            ("timeframe_required", |q| q.timeframe = None),
            ("case_reference_required", |q| q.case_reference = None),
            ("on_behalf_of_required", |q| q.on_behalf_of = None),
        ];
        for (code, strip) in cases {
            let mut q = seed_example();
            strip(&mut q);
            let errs = check(&q, &hsi(), NOW).unwrap_err();
            assert_eq!(errs.len(), 1, "{code}: {errs:?}");
            assert_eq!(errs[0].code, code);
        }
    }

    #[test]
    fn too_long_a_timeframe_names_the_maximum() {
        let mut q = seed_example();
        q.timeframe = Some(TimeframeSpec::PreviousDays {
            previous_days: 6 * 365,
        });
        let errs = check(&q, &hsi(), NOW).unwrap_err();
        assert_eq!(errs[0].code, "timeframe_exceeds_policy");
        assert!(errs[0].message.contains("1826 days"), "{}", errs[0].message);
    }

    #[test]
    fn wildcard_and_unknown_reason_are_refused() {
        let mut q = seed_example();
        q.plate = Some("ABC*".into());
        q.reason_code = Some("curiosity".into());
        let errs = check(&q, &hsi(), NOW).unwrap_err();
        let codes: Vec<_> = errs.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["plate_wildcard", "reason_code_unknown"]);
        assert_eq!(errs[1].accepted.as_deref(), Some("criminal-investigation"));
    }
}
