//! The operator's console over HTTP: onboard agencies and their first
//! manager, and manage data sources' ingest keys. Operators see agency
//! names and seat counts, never an agency's queries, lists or audit log.

use crate::app::AppState;
use crate::auth::ConsentedUser;
use crate::error::{ApiError, ApiJson};
use crate::routes::access_requests::send_registration_key;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use secrecy::ExposeSecret as _;
use serde::{Deserialize, Serialize};
use sightline_audit::{EntryDraft, Outcome};
use sightline_core::tenancy::SourceId;
use sightline_core::{AgencyId, AgencyZone, Role, TenantScope, Violation};
use sightline_store::{NewUser, UserStatus};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct AgencySummary {
    pub id: i64,
    pub name: String,
    pub seat_cap: i64,
    pub seats_used: i64,
    /// The IANA time zone its reports use, e.g. `America/New_York`.
    pub time_zone: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Agencies {
    pub agencies: Vec<AgencySummary>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewAgency {
    pub name: String,
    pub seat_cap: i64,
    /// An IANA time zone name, e.g. `America/Chicago`; default `UTC`.
    /// Quarterly reports are reckoned and printed in it.
    pub time_zone: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct FirstManager {
    pub username: String,
    pub full_name: String,
    pub email: String,
    /// The manager's area of responsibility, created if new; absent or
    /// empty: an agency-wide manager, who alone can set the agency's rules
    /// and contacts and approve other managers and auditors.
    #[serde(default)]
    pub aor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ManagerInvited {
    pub user_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SourceSummary {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub jurisdiction: String,
    pub place: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Sources {
    pub sources: Vec<SourceSummary>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewKey {
    /// The new ingest key. Shown once.
    pub key: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Revoked {
    pub revoked: u64,
}

fn operator(who: &ConsentedUser) -> Result<(), ApiError> {
    who.require(&[Role::OperatorAdmin])
}

/// Appends an operator staff action to the operator log.
pub(crate) async fn operator_log(
    state: &AppState,
    who: &ConsentedUser,
    action: &'static str,
    fields: &[(&str, serde_json::Value)],
) -> Result<(), ApiError> {
    let mut d = EntryDraft::new(who.scope(), who.actor(), action, Outcome::Success)
        .session(who.session.id.as_str());
    for (k, v) in fields {
        d = d.field(k, v.clone());
    }
    state.store().ledger().append(d).await?;
    Ok(())
}

/// Every agency with its seat cap and seats in use.
#[utoipa::path(get, path = "/api/v1/admin/agencies", tag = "operator",
    security(("session" = [])),
    responses((status = 200, body = Agencies), (status = 403, body = crate::error::Problem)))]
pub async fn list_agencies(
    State(state): State<AppState>,
    who: ConsentedUser,
) -> Result<Json<Agencies>, ApiError> {
    operator(&who)?;
    let mut agencies = Vec::new();
    for a in state.store().tenancy().agencies().await? {
        agencies.push(AgencySummary {
            seats_used: state.store().provisioning().seats_used(a.id).await?,
            id: a.id.0,
            name: a.name,
            seat_cap: a.seat_cap,
            time_zone: a.time_zone.name().to_owned(),
        });
    }
    Ok(Json(Agencies { agencies }))
}

/// Onboards an agency with the ERO and HSI programs and their reason codes.
#[utoipa::path(post, path = "/api/v1/admin/agencies", tag = "operator",
    security(("session" = [])),
    request_body = NewAgency,
    responses((status = 201, body = AgencySummary), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create_agency(
    State(state): State<AppState>,
    who: ConsentedUser,
    ApiJson(req): ApiJson<NewAgency>,
) -> Result<(StatusCode, Json<AgencySummary>), ApiError> {
    operator(&who)?;
    let name = req.name.trim();
    let mut errors = Vec::new();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(
            Violation::new("name_required", "name", "the agency needs a name")
                .accepting("1-200 characters"),
        );
    }
    if !(1..=100_000).contains(&req.seat_cap) {
        errors.push(
            Violation::new(
                "seat_cap_invalid",
                "seat_cap",
                "the seat cap must be positive",
            )
            .accepting("1-100000"),
        );
    }
    // Absent: UTC, as every agency was before it had a zone.
    let zone = match req.time_zone.as_deref().map(AgencyZone::parse) {
        None => AgencyZone::utc(),
        Some(Ok(zone)) => zone,
        Some(Err(v)) => {
            errors.push(v);
            AgencyZone::utc()
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::violations(
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
        ));
    }
    if state
        .store()
        .tenancy()
        .agency_by_name(name)
        .await?
        .is_some()
    {
        return Err(ApiError::field(
            StatusCode::CONFLICT,
            Violation::new("agency_exists", "name", "an agency of that name exists"),
        ));
    }
    let id = state
        .store()
        .tenancy()
        .create_agency_with_federal_programs(name, req.seat_cap, &zone, state.now())
        .await?;
    operator_log(
        &state,
        &who,
        "admin.agency_created",
        &[
            ("agency_id", id.0.into()),
            ("name", name.into()),
            ("seat_cap", req.seat_cap.into()),
            ("time_zone", zone.name().into()),
        ],
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(AgencySummary {
            id: id.0,
            name: name.to_owned(),
            seat_cap: req.seat_cap,
            seats_used: 0,
            time_zone: zone.name().to_owned(),
        }),
    ))
}

/// Invites an agency's first manager: the account waits for registration
/// with a key sent by email.
#[utoipa::path(post, path = "/api/v1/admin/agencies/{agency_id}/managers", tag = "operator",
    security(("session" = [])),
    params(("agency_id" = i64, Path)),
    request_body = FirstManager,
    responses((status = 201, body = ManagerInvited), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn invite_manager(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(agency_id): Path<i64>,
    ApiJson(req): ApiJson<FirstManager>,
) -> Result<(StatusCode, Json<ManagerInvited>), ApiError> {
    operator(&who)?;
    let agency = AgencyId(agency_id);
    let tenancy = state.store().tenancy();
    let record = tenancy
        .agencies()
        .await?
        .into_iter()
        .find(|a| a.id == agency)
        .ok_or_else(ApiError::not_found)?;
    if state.store().provisioning().seats_used(agency).await? >= record.seat_cap {
        return Err(ApiError::field(
            StatusCode::CONFLICT,
            Violation::new(
                "seat_cap_reached",
                "agency_id",
                "the agency has no free seat",
            ),
        ));
    }
    let aor = match req.aor.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        Some(name) => Some(match tenancy.aor_id(agency, name).await? {
            Some(a) => a,
            None => tenancy.create_aor(agency, name).await?,
        }),
        None => None,
    };
    let now = state.now();
    let user_id = tenancy
        .create_user_with_status(
            &NewUser {
                agency_id: Some(agency),
                aor_id: aor,
                program_id: None,
                username: req.username.trim().to_owned(),
                display_name: req.full_name.trim().to_owned(),
                email: req.email.trim().to_owned(),
                role: Role::AgencyManager,
                password_hash: "!".into(),
            },
            UserStatus::Pending,
            now,
        )
        .await
        .map_err(|e| {
            ApiError::field(
                StatusCode::CONFLICT,
                Violation::new("username_unavailable", "username", format!("{e:#}")),
            )
        })?;
    let user = tenancy
        .user(user_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mut tx = state.store().db.begin_write().await?;
    send_registration_key(&state, &mut tx, &user, now).await?;
    tx.commit().await?;
    state.notifier().wake.notify_one();
    operator_log(
        &state,
        &who,
        "admin.manager_invited",
        &[
            ("agency_id", agency_id.into()),
            ("user_id", user_id.0.into()),
            ("username", user.username.as_str().into()),
        ],
    )
    .await?;
    // The agency's own log records who the operator let in.
    state
        .store()
        .ledger()
        .append(
            EntryDraft::new(
                TenantScope::Agency(agency),
                who.actor(),
                "operator.manager_invited",
                Outcome::Success,
            )
            .field("user_id", user_id.0)
            .field("username", user.username.as_str())
            .field("agency_wide", aor.is_none()),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ManagerInvited { user_id: user_id.0 }),
    ))
}

/// The registered data sources.
#[utoipa::path(get, path = "/api/v1/admin/sources", tag = "operator",
    security(("session" = [])),
    responses((status = 200, body = Sources), (status = 403, body = crate::error::Problem)))]
pub async fn list_sources(
    State(state): State<AppState>,
    who: ConsentedUser,
) -> Result<Json<Sources>, ApiError> {
    operator(&who)?;
    let sources = state
        .store()
        .sources()
        .all()
        .await?
        .into_iter()
        .map(|s| SourceSummary {
            id: s.id.0,
            name: s.name,
            kind: s.kind.as_str().to_owned(),
            jurisdiction: s.jurisdiction.code().to_owned(),
            place: s.place,
        })
        .collect();
    Ok(Json(Sources { sources }))
}

async fn source_exists(state: &AppState, id: i64) -> Result<SourceId, ApiError> {
    state
        .store()
        .sources()
        .get(SourceId(id))
        .await?
        .map(|s| s.id)
        .ok_or_else(ApiError::not_found)
}

/// Rotates a source's ingest key: a new key now, every older key revoked.
#[utoipa::path(post, path = "/api/v1/admin/sources/{source_id}/keys/rotate", tag = "operator",
    security(("session" = [])),
    params(("source_id" = i64, Path)),
    responses((status = 201, body = NewKey), (status = 404, body = crate::error::Problem)))]
pub async fn rotate_key(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(source_id): Path<i64>,
) -> Result<(StatusCode, Json<NewKey>), ApiError> {
    operator(&who)?;
    let id = source_exists(&state, source_id).await?;
    let key = state.store().sources().rotate_key(id, state.now()).await?;
    operator_log(
        &state,
        &who,
        "admin.source_key_rotated",
        &[("source_id", source_id.into())],
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(NewKey {
            key: key.expose_secret().to_owned(),
        }),
    ))
}

/// Revokes every ingest key of a source (a compromised key, a source leaving).
#[utoipa::path(post, path = "/api/v1/admin/sources/{source_id}/keys/revoke", tag = "operator",
    security(("session" = [])),
    params(("source_id" = i64, Path)),
    responses((status = 200, body = Revoked), (status = 404, body = crate::error::Problem)))]
pub async fn revoke_keys(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(source_id): Path<i64>,
) -> Result<Json<Revoked>, ApiError> {
    operator(&who)?;
    let id = source_exists(&state, source_id).await?;
    let revoked = state.store().sources().revoke_keys(id, state.now()).await?;
    operator_log(
        &state,
        &who,
        "admin.source_keys_revoked",
        &[("source_id", source_id.into()), ("revoked", revoked.into())],
    )
    .await?;
    Ok(Json(Revoked { revoked }))
}
