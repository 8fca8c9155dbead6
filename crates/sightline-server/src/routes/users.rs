//! Agency managers' work on the users of their area of responsibility
//! (R2.4–R2.6): list, unlock, record training, terminate; and the reports
//! that go with it. A manager with an AOR sees only that AOR's users; other
//! users are "not found", never "forbidden", so nothing leaks.

use crate::app::AppState;
use crate::auth::ConsentedUser;
use crate::error::{ApiError, ApiJson};
use crate::routes::session::rfc3339;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use sightline_audit::{EntryDraft, Outcome};
use sightline_core::{Role, UserId, Violation};
use sightline_store::{TRAINING_VALIDITY, TrainingRecord, UserRecord};
use time::{Date, Duration, OffsetDateTime, Time, Weekday};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct UserSummary {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub status: String,
    pub locked: bool,
    pub mfa_enrolled: bool,
    pub email: String,
    /// The user's area of responsibility, if any.
    pub aor: Option<String>,
    /// The latest sign-in that passed the second factor.
    #[schema(format = DateTime)]
    pub last_sign_in_at: Option<String>,
    /// The latest recorded training course.
    #[schema(format = DateTime)]
    pub last_training_at: Option<String>,
    /// When that training stops counting (12 months after it).
    #[schema(format = DateTime)]
    pub training_expires_at: Option<String>,
    /// Training is recorded and less than 12 months old.
    pub training_current: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub users: Vec<UserSummary>,
    /// Active and pending accounts of the whole agency: what the cap counts.
    pub seats_used: i64,
    pub seat_cap: i64,
    /// Programs and AORs an access request may name (a manager with an AOR: only theirs).
    pub programs: Vec<String>,
    pub aors: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TrainingRequest {
    pub course: String,
    /// The day the course was completed, `YYYY-MM-DD`.
    pub completed_on: String,
    /// Where the certificate is kept, or a reference to it.
    pub evidence: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TerminationRequest {
    pub reason: String,
    /// When access was asked to end (e.g. the HR notice), RFC 3339; not in
    /// the future. Defaults to now. The 24-business-hour clock runs from it.
    pub requested_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TerminationDone {
    #[schema(format = DateTime)]
    pub requested_at: String,
    #[schema(format = DateTime)]
    pub completed_at: String,
    /// Weekday hours from request to completion (R2.6 allows 24).
    pub elapsed_business_hours: f64,
    pub within_24_business_hours: bool,
}

fn manager(who: &ConsentedUser) -> Result<(), ApiError> {
    who.require(&[Role::AgencyManager])
}

pub(crate) async fn managed_user(
    state: &AppState,
    who: &ConsentedUser,
    id: i64,
) -> Result<UserRecord, ApiError> {
    manager(who)?;
    let agency = who.agency()?;
    state
        .store()
        .tenancy()
        .user(UserId(id))
        .await?
        .filter(|u| u.agency_id == Some(agency))
        .filter(|u| who.user.aor_id.is_none() || u.aor_id == who.user.aor_id)
        .ok_or_else(ApiError::not_found)
}

async fn audit(
    state: &AppState,
    who: &ConsentedUser,
    action: &'static str,
    target: &UserRecord,
) -> Result<(), ApiError> {
    state
        .store()
        .ledger()
        .append(
            EntryDraft::new(who.scope(), who.actor(), action, Outcome::Success)
                .session(who.session.id.as_str())
                .field("user_id", target.id.0)
                .field("username", target.username.as_str()),
        )
        .await?;
    Ok(())
}

/// The users of your area of responsibility.
#[utoipa::path(get, path = "/api/v1/users", tag = "administration",
    security(("session" = [])),
    responses((status = 200, body = UserList), (status = 403, body = crate::error::Problem)))]
pub async fn list_users(
    State(state): State<AppState>,
    who: ConsentedUser,
) -> Result<Json<UserList>, ApiError> {
    manager(&who)?;
    let now = state.now();
    let agency = who.agency()?;
    let store = state.store();
    let tenancy = store.tenancy();
    let signed_in = store.sessions().last_sign_ins(agency).await?;
    let aors: std::collections::HashMap<_, _> = tenancy.aors(agency).await?.into_iter().collect();
    let mut users = Vec::new();
    for u in tenancy.users_in(agency, who.user.aor_id).await? {
        let last = store.people().last_training(u.id).await?;
        let expires = last.map(|t| t + TRAINING_VALIDITY);
        users.push(UserSummary {
            id: u.id.0,
            role: u.role.as_str().to_owned(),
            status: u.status.as_str().to_owned(),
            locked: u.locked_until.is_some_and(|t| t > now),
            mfa_enrolled: u.totp_enrolled_at.is_some(),
            aor: u.aor_id.and_then(|a| aors.get(&a).cloned()),
            last_sign_in_at: signed_in.get(&u.id).copied().map(rfc3339),
            last_training_at: last.map(rfc3339),
            training_expires_at: expires.map(rfc3339),
            training_current: expires.is_some_and(|e| e > now),
            username: u.username,
            display_name: u.display_name,
            email: u.email,
        });
    }
    let seat_cap = tenancy
        .agencies()
        .await?
        .into_iter()
        .find(|a| a.id == agency)
        .map_or(0, |a| a.seat_cap);
    let seats_used = store.provisioning().seats_used(agency).await?;
    let programs = tenancy
        .programs(agency)
        .await?
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    let aors = aors
        .into_iter()
        .filter(|(id, _)| who.user.aor_id.is_none_or(|mine| mine == *id))
        .map(|(_, n)| n)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    Ok(Json(UserList {
        users,
        seats_used,
        seat_cap,
        programs,
        aors,
    }))
}

/// Lifts a lockout at once.
#[utoipa::path(post, path = "/api/v1/users/{user_id}/unlock", tag = "administration",
    security(("session" = [])),
    params(("user_id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::error::Problem)))]
pub async fn unlock(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(user_id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let target = managed_user(&state, &who, user_id).await?;
    state.store().identity().unlock(target.id).await?;
    audit(&state, &who, "user.unlocked", &target).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn set_enabled(
    state: &AppState,
    who: &ConsentedUser,
    user_id: i64,
    enabled: bool,
) -> Result<StatusCode, ApiError> {
    let target = managed_user(state, who, user_id).await?;
    if target.id == who.user.id {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "cannot_disable_self",
            "another manager must do this",
        ));
    }
    if !state
        .store()
        .tenancy()
        .set_enabled(target.id, enabled, state.now())
        .await?
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "status_unchanged",
            format!("the account is {}", target.status.as_str()),
        ));
    }
    audit(
        state,
        who,
        if enabled {
            "user.enabled"
        } else {
            "user.disabled"
        },
        &target,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Suspends an account at once (sessions end); `enable` restores it.
#[utoipa::path(post, path = "/api/v1/users/{user_id}/disable", tag = "administration",
    security(("session" = [])),
    params(("user_id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn disable(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(user_id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    set_enabled(&state, &who, user_id, false).await
}

/// Restores a disabled account.
#[utoipa::path(post, path = "/api/v1/users/{user_id}/enable", tag = "administration",
    security(("session" = [])),
    params(("user_id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn enable(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(user_id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    set_enabled(&state, &who, user_id, true).await
}

/// Records a completed training course (R2.5).
#[utoipa::path(post, path = "/api/v1/users/{user_id}/training", tag = "administration",
    security(("session" = [])),
    params(("user_id" = i64, Path)),
    request_body = TrainingRequest,
    responses((status = 201), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn record_training(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(user_id): Path<i64>,
    ApiJson(req): ApiJson<TrainingRequest>,
) -> Result<StatusCode, ApiError> {
    let target = managed_user(&state, &who, user_id).await?;
    // Training is someone else's word: a manager's own completion is
    // recorded by another manager (or, for the first one, the operator).
    if target.id == who.user.id {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "own_training_refused",
            "nobody records their own training: another manager of the agency records it",
        ));
    }
    let now = state.now();
    let mut errors = Vec::new();
    let day = Date::parse(
        req.completed_on.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
    .map(|d| d.with_time(Time::MIDNIGHT).assume_utc());
    if day.is_none_or(|d| d > now) {
        errors.push(
            Violation::new("completed_on_invalid", "completed_on", "not a past date")
                .accepting("YYYY-MM-DD, not in the future"),
        );
    }
    for (field, value) in [("course", &req.course), ("evidence", &req.evidence)] {
        let n = value.trim().chars().count();
        if n == 0 || n > 300 {
            errors.push(
                Violation::new(
                    &format!("{field}_required"),
                    field,
                    format!("the {field} is required"),
                )
                .accepting("1-300 characters"),
            );
        }
    }
    let Some(completed_at) = day.filter(|_| errors.is_empty()) else {
        return Err(ApiError::violations(
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
        ));
    };
    let record = TrainingRecord {
        user_id: target.id,
        course: req.course.trim().to_owned(),
        completed_at,
        evidence: req.evidence.trim().to_owned(),
    };
    state
        .store()
        .people()
        .add_training(who.agency()?, &record, who.user.id, now)
        .await?;
    state
        .store()
        .ledger()
        .append(
            EntryDraft::new(
                who.scope(),
                who.actor(),
                "training.recorded",
                Outcome::Success,
            )
            .session(who.session.id.as_str())
            .field("user_id", target.id.0)
            .field("course", record.course.as_str())
            .field("completed_on", req.completed_on.trim()),
        )
        .await?;
    Ok(StatusCode::CREATED)
}

/// Terminates a user's access at once (R2.6): every session and token is
/// revoked in the same transaction that records the request.
#[utoipa::path(post, path = "/api/v1/users/{user_id}/terminate", tag = "administration",
    security(("session" = [])),
    params(("user_id" = i64, Path)),
    request_body = TerminationRequest,
    responses((status = 200, body = TerminationDone), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn terminate(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(user_id): Path<i64>,
    ApiJson(req): ApiJson<TerminationRequest>,
) -> Result<Json<TerminationDone>, ApiError> {
    let target = managed_user(&state, &who, user_id).await?;
    if target.id == who.user.id {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "cannot_terminate_self",
            "another manager must terminate your access",
        ));
    }
    let reason = req.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            Violation::new("reason_required", "reason", "say why access ends")
                .accepting("1-500 characters"),
        ));
    }
    let now = state.now();
    let requested_at = match req.requested_at.as_deref().map(str::trim) {
        None | Some("") => now,
        Some(raw) => OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339)
            .ok()
            .filter(|t| *t <= now && now - *t <= Duration::days(366))
            .ok_or_else(|| {
                ApiError::field(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Violation::new(
                        "requested_at_invalid",
                        "requested_at",
                        "not a time in the past year",
                    )
                    .accepting("RFC 3339, not in the future, e.g. 2026-11-20T09:00:00-05:00"),
                )
            })?,
    };
    if !state
        .store()
        .people()
        .terminate(
            who.agency()?,
            target.id,
            who.user.id,
            reason,
            requested_at,
            now,
        )
        .await?
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "status_unchanged",
            "the account is already terminated",
        ));
    }
    audit(&state, &who, "user.terminated", &target).await?;
    let hours = business_hours(requested_at, now);
    Ok(Json(TerminationDone {
        requested_at: rfc3339(requested_at),
        completed_at: rfc3339(now),
        elapsed_business_hours: hours,
        within_24_business_hours: hours <= 24.0,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingRow {
    pub username: String,
    #[schema(format = DateTime)]
    pub last_training: Option<String>,
    #[schema(format = DateTime)]
    pub expires_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingReport {
    /// Active users with no training record, or one over 12 months old.
    pub missing: Vec<TrainingRow>,
    /// Active users whose training lapses within 30 days.
    pub expiring_within_30_days: Vec<TrainingRow>,
    pub current: Vec<TrainingRow>,
}

/// Compares the AOR's user list against training records (R2.5).
#[utoipa::path(get, path = "/api/v1/reports/training", tag = "administration",
    security(("session" = [])),
    responses((status = 200, body = TrainingReport), (status = 403, body = crate::error::Problem)))]
pub async fn training_report(
    State(state): State<AppState>,
    who: ConsentedUser,
) -> Result<Json<TrainingReport>, ApiError> {
    manager(&who)?;
    let now = state.now();
    let mut report = TrainingReport {
        missing: Vec::new(),
        expiring_within_30_days: Vec::new(),
        current: Vec::new(),
    };
    for u in state
        .store()
        .tenancy()
        .users_in(who.agency()?, who.user.aor_id)
        .await?
    {
        if u.status != sightline_store::UserStatus::Active {
            continue;
        }
        let last = state.store().people().last_training(u.id).await?;
        let expires = last.map(|t| t + TRAINING_VALIDITY);
        let row = TrainingRow {
            username: u.username,
            last_training: last.map(rfc3339),
            expires_at: expires.map(rfc3339),
        };
        match expires {
            Some(e) if e <= now => report.missing.push(row),
            None => report.missing.push(row),
            Some(e) if e - now <= Duration::days(30) => report.expiring_within_30_days.push(row),
            Some(_) => report.current.push(row),
        }
    }
    Ok(Json(report))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TerminationRow {
    pub username: String,
    pub reason: String,
    #[schema(format = DateTime)]
    pub requested_at: String,
    #[schema(format = DateTime)]
    pub completed_at: String,
    /// Weekday hours between request and completion (must be ≤ 24).
    pub elapsed_business_hours: f64,
    pub within_24_business_hours: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TerminationReport {
    pub terminations: Vec<TerminationRow>,
}

/// Hours between `from` and `to` that fall on weekdays (Monday to Friday,
/// UTC): the clock R2.6's "24 business hours" runs on.
pub fn business_hours(from: OffsetDateTime, to: OffsetDateTime) -> f64 {
    let mut total = Duration::ZERO;
    let mut t = from;
    while t < to {
        let next_midnight = (t.date().next_day().unwrap_or(t.date()))
            .with_time(Time::MIDNIGHT)
            .assume_utc();
        let end = next_midnight.min(to);
        if !matches!(t.weekday(), Weekday::Saturday | Weekday::Sunday) {
            total += end - t;
        }
        if end <= t {
            break;
        }
        t = end;
    }
    total.as_seconds_f64() / 3600.0
}

/// Every termination of the agency with its elapsed business hours (R2.6).
#[utoipa::path(get, path = "/api/v1/reports/terminations", tag = "administration",
    security(("session" = [])),
    responses((status = 200, body = TerminationReport), (status = 403, body = crate::error::Problem)))]
pub async fn termination_report(
    State(state): State<AppState>,
    who: ConsentedUser,
) -> Result<Json<TerminationReport>, ApiError> {
    who.require(&[Role::AgencyManager, Role::Auditor])?;
    let agency = who.agency()?;
    // A manager of one AOR sees the terminations of that AOR's users only.
    let visible: Option<std::collections::HashSet<_>> = match (who.user.role, who.user.aor_id) {
        (Role::AgencyManager, Some(aor)) => Some(
            state
                .store()
                .tenancy()
                .users_in(agency, Some(aor))
                .await?
                .into_iter()
                .map(|u| u.id)
                .collect(),
        ),
        _ => None,
    };
    let terminations = state
        .store()
        .people()
        .terminations(agency)
        .await?
        .into_iter()
        .filter(|t| visible.as_ref().is_none_or(|v| v.contains(&t.user_id)))
        .map(|t| {
            let hours = business_hours(t.requested_at, t.completed_at);
            TerminationRow {
                username: t.username,
                reason: t.reason,
                requested_at: rfc3339(t.requested_at),
                completed_at: rfc3339(t.completed_at),
                elapsed_business_hours: hours,
                within_24_business_hours: hours <= 24.0,
            }
        })
        .collect();
    Ok(Json(TerminationReport { terminations }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn business_hours_skip_weekends() {
        // Friday 12:00 to Monday 12:00: 12 h Friday + 12 h Monday.
        let h = business_hours(
            datetime!(2026-11-20 12:00 UTC),
            datetime!(2026-11-23 12:00 UTC),
        );
        assert!((h - 24.0).abs() < 1e-9, "{h}");
        assert_eq!(
            business_hours(
                datetime!(2026-11-21 0:00 UTC),
                datetime!(2026-11-22 0:00 UTC)
            ),
            0.0
        );
        assert_eq!(
            business_hours(
                datetime!(2026-11-23 9:00 UTC),
                datetime!(2026-11-23 9:00 UTC)
            ),
            0.0
        );
    }
}
