//! Alert-list rules (R4) with no I/O: who is notified, how long an entry
//! lives, and what a hit email says. Callers pass "now"; nothing here reads
//! a clock.

use crate::text::Note;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// The most entries one list holds, and the most rows one upload carries (R4.2).
pub const MAX_LIST_ENTRIES: usize = 2_500;
/// An entry is valid this long from its addition or last renewal (R4.7).
pub const VALIDITY: Duration = Duration::days(365);
/// The owner is prompted this long before expiry.
pub const PROMPT_BEFORE: Duration = Duration::days(14);
/// After expiry the owner may still renew for this long; then it is removed.
pub const GRACE: Duration = Duration::days(7);

/// Who hears of a hit on an entry (R4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifyScope {
    /// The list's owner alone.
    #[default]
    Owner,
    /// The owner and the users named on the entry.
    Users,
    /// The owner and the members of a named group (a case team).
    Group,
    /// Every active user of the owner's agency.
    Agency,
}

impl NotifyScope {
    pub fn as_str(self) -> &'static str {
        match self {
            NotifyScope::Owner => "owner",
            NotifyScope::Users => "users",
            NotifyScope::Group => "group",
            NotifyScope::Agency => "agency",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "" | "owner" => Some(NotifyScope::Owner),
            "users" => Some(NotifyScope::Users),
            "group" | "team" => Some(NotifyScope::Group),
            "agency" => Some(NotifyScope::Agency),
            _ => None,
        }
    }
}

/// Where an entry stands in its life at a given instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Matching; no prompt due yet.
    Active,
    /// Matching; the owner must affirm or delete before expiry.
    PromptDue,
    /// No longer matching; still renewable.
    Grace,
    /// To be removed.
    Removable,
}

/// When an entry added or renewed at `valid_from` expires.
pub fn expiry(valid_from: OffsetDateTime) -> OffsetDateTime {
    valid_from + VALIDITY
}

pub fn stage(expires_at: OffsetDateTime, now: OffsetDateTime) -> Stage {
    if now >= expires_at + GRACE {
        Stage::Removable
    } else if now >= expires_at {
        Stage::Grace
    } else if now >= expires_at - PROMPT_BEFORE {
        Stage::PromptDue
    } else {
        Stage::Active
    }
}

/// Whether an entry matches reads at `now`.
pub fn is_active(expires_at: OffsetDateTime, now: OffsetDateTime) -> bool {
    now < expires_at
}

/// Whether an entry may be renewed at `now`.
pub fn is_renewable(expires_at: OffsetDateTime, now: OffsetDateTime) -> bool {
    now < expires_at + GRACE
}

/// What a hit email and inbox item say. Photos are never included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HitFacts<'a> {
    pub plate: &'a str,
    pub state: &'a str,
    pub captured_at: OffsetDateTime,
    pub place: &'a str,
    pub source: &'a str,
    pub read_link: &'a str,
    pub reason_code: &'a str,
    pub note: &'a Note,
    pub list_name: &'a str,
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// (subject, plain-text body) of a hit notification.
pub fn hit_message(f: &HitFacts<'_>) -> (String, String) {
    let subject = format!("Sightline alert: {} ({}) was read", f.plate, f.state);
    let body = format!(
        "A plate on the alert list \"{list}\" was read.\r\n\r\n\
         Plate: {plate}\r\nState: {state}\r\nTime: {time}\r\nPlace: {place}\r\n\
         Source: {source}\r\nReason code: {reason}\r\nNote: {note}\r\n\r\n\
         Read: {link}\r\n\r\n\
         Photos are not sent by email; open the read in Sightline.\r\n",
        list = f.list_name,
        plate = f.plate,
        state = f.state,
        time = rfc3339(f.captured_at),
        place = f.place,
        source = f.source,
        reason = f.reason_code,
        note = f.note.as_str(),
        link = f.read_link,
    );
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn an_entry_lives_a_year_is_prompted_two_weeks_before_and_renewable_a_week_after() {
        let added = datetime!(2026-01-01 0:00 UTC);
        let exp = expiry(added);
        let day = |n: i64| added + Duration::days(n);
        assert_eq!(stage(exp, day(350)), Stage::Active);
        assert_eq!(stage(exp, day(351)), Stage::PromptDue);
        assert!(is_active(exp, day(364)));
        assert!(!is_active(exp, day(365)));
        assert_eq!(stage(exp, day(365)), Stage::Grace);
        assert!(is_renewable(exp, day(371)));
        assert_eq!(stage(exp, day(371)), Stage::Grace);
        assert!(!is_renewable(exp, day(372)));
        assert_eq!(stage(exp, day(373)), Stage::Removable);
    }

    #[test]
    fn notify_scopes_parse_with_owner_as_default() {
        assert_eq!(NotifyScope::parse(""), Some(NotifyScope::Owner));
        assert_eq!(NotifyScope::parse("Agency"), Some(NotifyScope::Agency));
        assert_eq!(NotifyScope::parse("group"), Some(NotifyScope::Group));
        assert_eq!(NotifyScope::parse("users"), Some(NotifyScope::Users));
        assert_eq!(NotifyScope::parse("world"), None);
    }
}
