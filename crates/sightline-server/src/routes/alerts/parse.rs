//! From wire fields to a valid [`NewEntry`], collecting every violation
//! with the field it belongs to (a CSV row's fields are prefixed `row N.`).

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use sightline_core::alert::NotifyScope;
use sightline_core::purpose::{ProgramPolicy, ReasonCode};
use sightline_core::text::Note;
use sightline_core::{AgencyId, Jurisdiction, Plate, Violation};
use sightline_store::NewEntry;

/// Raw fields of one entry, as sent.
#[derive(Debug, Default)]
pub(super) struct RawEntry<'a> {
    pub plate: Option<&'a str>,
    pub state: Option<&'a str>,
    pub reason_code: Option<&'a str>,
    pub note: Option<&'a str>,
    pub scope: Option<&'a str>,
    pub users: Vec<String>,
    pub group: Option<&'a str>,
}

/// What every entry is checked against: the adder's reason codes and agency.
#[derive(Debug)]
pub(super) struct EntryRules {
    agency: AgencyId,
    policy: Option<ProgramPolicy>,
    // The agency's oversight settings: their case-reference rule applies
    // to an entry's note, which names the case (issue 16).
    oversight: std::sync::Arc<crate::oversight::Compiled>,
}

impl EntryRules {
    pub(super) async fn for_user(state: &AppState, who: &CurrentUser) -> Result<Self, ApiError> {
        let agency = who.agency()?;
        let policy = match who.user.program_id {
            Some(p) => state.store().tenancy().program_policy(agency, p).await?,
            None => None,
        };
        let oversight =
            crate::oversight::load(state.store(), Some(state.oversight()), agency).await?;
        Ok(Self {
            agency,
            policy,
            oversight,
        })
    }
}

fn present(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

/// Parses one entry; `at` prefixes field names (`""` or `"rows[7]."`) and
/// `say` messages (`""` or `"row 7: "`).
pub(super) async fn parse_entry(
    state: &AppState,
    rules: &EntryRules,
    raw: &RawEntry<'_>,
    at: &str,
    say: &str,
) -> Result<NewEntry, Vec<Violation>> {
    let mut errors = Vec::new();
    let field = |f: &str| format!("{at}{f}");
    let required = |f: &str, what: &str| {
        Violation::new(
            &format!("{f}_required"),
            &field(f),
            format!("{say}{what} is required"),
        )
    };
    let plate = match present(raw.plate) {
        None => {
            errors.push(required("plate", "the plate"));
            None
        }
        Some(p) => match Plate::parse(p) {
            Ok(p) => Some(p),
            Err(e) => {
                errors.push(Violation::new(
                    "plate_invalid",
                    &field("plate"),
                    format!("{say}{e}"),
                ));
                None
            }
        },
    };
    let jurisdiction = match present(raw.state) {
        None => {
            errors.push(required("state", "the state"));
            None
        }
        Some(s) => match Jurisdiction::parse(s) {
            Ok(j) => Some(j),
            Err(e) => {
                errors.push(
                    Violation::new("state_unknown", &field("state"), format!("{say}{e}"))
                        .accepting("a USPS state code such as WI or PA"),
                );
                None
            }
        },
    };
    let reason = match present(raw.reason_code) {
        None => {
            errors.push(required("reason_code", "the reason code"));
            None
        }
        Some(r) => match ReasonCode::parse(r) {
            Ok(code)
                if rules
                    .policy
                    .as_ref()
                    .is_none_or(|p| p.reasons.iter().any(|x| x.code == code)) =>
            {
                Some(code)
            }
            _ => {
                let accepted = rules.policy.as_ref().map(|p| {
                    p.reasons
                        .iter()
                        .map(|x| x.code.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                });
                let mut v = Violation::new(
                    "reason_code_unknown",
                    &field("reason_code"),
                    format!("{say}'{r}' is not a reason code of your program"),
                );
                if let Some(a) = accepted {
                    v = v.accepting(a);
                }
                errors.push(v);
                None
            }
        },
    };
    let note = match present(raw.note) {
        None => {
            errors.push(required("note", "a note naming the case"));
            None
        }
        Some(n) => match Note::parse(n) {
            Ok(n) => {
                let program = rules.policy.as_ref().map(|p| p.program.as_str());
                match rules.oversight.rule_for(program) {
                    Some(rule) => match rule.check_field(n.as_str(), &field("note")) {
                        Ok(()) => Some(n),
                        Err(mut v) => {
                            v.message = format!("{say}{}", v.message);
                            errors.push(v);
                            None
                        }
                    },
                    None => Some(n),
                }
            }
            Err(e) => {
                errors.push(Violation::new(
                    "note_invalid",
                    &field("note"),
                    format!("{say}the note {e}"),
                ));
                None
            }
        },
    };
    let scope = NotifyScope::parse(raw.scope.unwrap_or(""));
    if scope.is_none() {
        errors.push(
            Violation::new(
                "notify_scope_unknown",
                &field("notify"),
                format!("{say}unknown notification scope"),
            )
            .accepting("owner, group, users or agency"),
        );
    }
    let mut recipients = Vec::new();
    if scope == Some(NotifyScope::Users) && raw.users.is_empty() {
        errors.push(Violation::new(
            "notify_users_required",
            &field("notify"),
            format!("{say}name the users of the case team to notify"),
        ));
    }
    for name in &raw.users {
        let user = state
            .store()
            .tenancy()
            .user_by_username(name.trim())
            .await
            .ok()
            .flatten()
            .filter(|u| u.agency_id == Some(rules.agency));
        match user {
            Some(u) => recipients.push(u.id),
            None => errors.push(Violation::new(
                "notify_user_unknown",
                &field("notify"),
                format!("{say}'{name}' is not a user of your agency"),
            )),
        }
    }
    let mut group = None;
    match (scope, present(raw.group)) {
        (Some(NotifyScope::Group), Some(name)) => {
            let found = state
                .store()
                .alerts()
                .group_by_name(rules.agency, name)
                .await
                .ok()
                .flatten();
            match found {
                Some(g) => group = Some(g.id),
                None => errors.push(Violation::new(
                    "notify_group_unknown",
                    &field("notify"),
                    format!("{say}there is no group '{name}' in your agency"),
                )),
            }
        }
        (Some(NotifyScope::Group), None) => errors.push(Violation::new(
            "notify_group_required",
            &field("notify"),
            format!("{say}name the group to notify"),
        )),
        _ => {}
    }
    match (plate, jurisdiction, reason, note, scope) {
        (Some(plate), Some(jurisdiction), Some(reason_code), Some(note), Some(notify))
            if errors.is_empty() =>
        {
            Ok(NewEntry {
                plate,
                jurisdiction,
                reason_code,
                note,
                notify,
                recipients,
                group,
            })
        }
        _ => Err(errors),
    }
}

/// The name of a list or group: 1-200 characters after trimming.
pub(super) fn name<'a>(raw: Option<&'a str>, what: &str) -> Result<&'a str, ApiError> {
    raw.map(str::trim)
        .filter(|n| !n.is_empty() && n.chars().count() <= 200)
        .ok_or_else(|| {
            ApiError::field(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                Violation::new("name_required", "name", format!("a {what} needs a name"))
                    .accepting("1-200 characters"),
            )
        })
}
