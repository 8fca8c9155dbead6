//! The programs and reason codes a new federal agency starts with, from the
//! seed PIA: ERO (administrative enforcement, five years for every reason)
//! and HSI (criminal investigations, limited by the statute of limitations
//! of the offence). Managers can add or change reason codes later.

use crate::purpose::{ReasonCode, ReasonPolicy};

const FIVE_YEARS: u32 = 1826;

fn reason(code: &str, label: &str, max_days: u32) -> Option<ReasonPolicy> {
    Some(ReasonPolicy {
        code: ReasonCode::parse(code).ok()?,
        label: label.to_owned(),
        max_days,
    })
}

/// `(program, reasons)` pairs.
pub fn federal_programs() -> Vec<(&'static str, Vec<ReasonPolicy>)> {
    vec![
        (
            "ERO",
            [
                reason(
                    "immigration-enforcement",
                    "Administrative immigration enforcement",
                    FIVE_YEARS,
                ),
                reason(
                    "fugitive-operations",
                    "Fugitive operations: locating a removable alien",
                    FIVE_YEARS,
                ),
                reason("criminal-alien", "Criminal alien program", FIVE_YEARS),
            ]
            .into_iter()
            .flatten()
            .collect(),
        ),
        (
            "HSI",
            [
                // 18 U.S.C. 3282: the general five-year federal limitation.
                reason(
                    "criminal-investigation",
                    "Criminal investigation (general federal offence)",
                    FIVE_YEARS,
                ),
                reason("narcotics", "Narcotics trafficking", FIVE_YEARS),
                // 18 U.S.C. 3286: eight years for listed terrorism offences.
                reason("terrorism", "Terrorism offences", 8 * 365 + 2),
                // 18 U.S.C. 3293: ten years for bank and financial fraud.
                reason(
                    "financial-fraud",
                    "Bank and financial institution fraud",
                    10 * 365 + 2,
                ),
                // 18 U.S.C. 3298: ten years for trafficking offences.
                reason(
                    "human-trafficking",
                    "Human trafficking and smuggling",
                    10 * 365 + 2,
                ),
            ]
            .into_iter()
            .flatten()
            .collect(),
        ),
    ]
}
