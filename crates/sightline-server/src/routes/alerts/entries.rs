//! One entry at a time: add (directly or from a query), list and search,
//! delete, renew.

use super::access::{entry_audit, owned_list, visible_list};
use super::deconflict::deconflict;
use super::dto::{
    DeconflictionDto, EntriesResponse, EntryAdded, EntryDto, NewEntryRequest, RenewalRequest,
};
use super::parse::{EntryRules, RawEntry, parse_entry};
use crate::app::AppState;
use crate::auth::{ConsentedUser, CurrentUser};
use crate::error::{ApiError, ApiJson};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use sightline_audit::Outcome;
use sightline_core::{Plate, TenantScope, Violation};
use sightline_store::{AddError, EntryId, QUERY_ACTION};
use utoipa::IntoParams;

/// The plate, state, reason code and case reference of a query the caller ran.
async fn from_query(
    state: &AppState,
    who: &CurrentUser,
    seq: i64,
) -> Result<(String, String, String, String), ApiError> {
    let agency = who.agency()?;
    let row = state
        .store()
        .ledger()
        .entry(TenantScope::Agency(agency), seq)
        .await?;
    let e = row.map(|r| r.entry).filter(|e| {
        e.action == QUERY_ACTION
            && e.outcome == Outcome::Success
            && e.actor.user_id() == Some(who.user.id)
    });
    let fields = e.as_ref().and_then(|e| {
        Some((
            e.field_str("plate")?.to_owned(),
            e.field_str("state")?.to_owned(),
            e.field_str("reason_code")?.to_owned(),
            e.field_str("case_reference")?.to_owned(),
        ))
    });
    fields.ok_or_else(|| {
        ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            Violation::new(
                "query_unknown",
                "from_query",
                "no query of yours has this id",
            )
            .accepting("the query_id of a query you ran"),
        )
    })
}

/// Adds one plate to a list you own. The response names anyone else in
/// your agency watching the same plate and state for the same reason.
#[utoipa::path(post, path = "/api/v1/alert-lists/{list_id}/entries", tag = "alerts",
    security(("session" = [])),
    params(("list_id" = i64, Path, description = "the list")),
    request_body = NewEntryRequest,
    responses(
        (status = 201, body = EntryAdded),
        (status = 422, description = "plate_required, state_required, reason_code_required, note_required, plate_invalid, state_unknown, reason_code_unknown, notify_scope_unknown, notify_user_unknown, notify_group_unknown, notify_group_required, query_unknown, list_full; the note under the agency's case-reference rule: case_reference_vague, case_reference_too_short, case_reference_format", body = crate::error::Problem),
        (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem),
    ))]
pub async fn add_entry(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(list_id): Path<i64>,
    ApiJson(req): ApiJson<NewEntryRequest>,
) -> Result<(StatusCode, Json<EntryAdded>), ApiError> {
    let list = owned_list(&state, &who, list_id).await?;
    crate::routes::offboarding::refuse_after_contract_end(&state, list.agency_id).await?;
    let carried = match req.from_query {
        Some(seq) => Some(from_query(&state, &who, seq).await?),
        None => None,
    };
    let notify = req.notify.unwrap_or_default();
    let raw = match &carried {
        Some((plate, st, reason, case)) => RawEntry {
            plate: Some(plate),
            state: Some(st),
            reason_code: Some(reason),
            note: req.note.as_deref().or(Some(case)),
            scope: notify.scope.as_deref(),
            users: notify.users,
            group: notify.group.as_deref(),
        },
        None => RawEntry {
            plate: req.plate.as_deref(),
            state: req.state.as_deref(),
            reason_code: req.reason_code.as_deref(),
            note: req.note.as_deref(),
            scope: notify.scope.as_deref(),
            users: notify.users,
            group: notify.group.as_deref(),
        },
    };
    let rules = EntryRules::for_user(&state, &who).await?;
    let entry = parse_entry(&state, &rules, &raw, "", "")
        .await
        .map_err(|errors| ApiError::violations(StatusCode::UNPROCESSABLE_ENTITY, errors))?;
    let alerts = state.store().alerts();
    let ids = alerts
        .add_entries(&list, std::slice::from_ref(&entry), state.now())
        .await
        .map_err(add_error)?;
    state.store().alert_index.refresh_if_stale(&alerts).await?;
    let agency = who.agency()?;
    let mut added = Vec::new();
    for id in ids {
        if let Some(e) = alerts.entry(agency, id).await? {
            state
                .store()
                .ledger()
                .append(
                    entry_audit(&who, "alert.entry.added", &e).field("from_query", req.from_query),
                )
                .await?;
            added.push(e);
        }
    }
    let conflicts = deconflict(&state, &who, &added).await?;
    let entry = added
        .first()
        .map(EntryDto::from)
        .ok_or_else(ApiError::not_found)?;
    Ok((
        StatusCode::CREATED,
        Json(EntryAdded {
            entry,
            deconfliction: conflicts.iter().map(DeconflictionDto::from).collect(),
        }),
    ))
}

pub(super) fn add_error(e: AddError) -> ApiError {
    match e {
        AddError::ListFull { would_hold } => ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            Violation::new(
                "list_full",
                "entries",
                format!("the list would hold {would_hold} entries; a list holds at most 2,500"),
            ),
        ),
        AddError::Other(e) => ApiError::internal(e),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct EntriesQuery {
    /// Only entries of this plate (R4.3).
    pub plate: Option<String>,
}

/// A list's entries, or only those of one plate.
#[utoipa::path(get, path = "/api/v1/alert-lists/{list_id}/entries", tag = "alerts",
    security(("session" = [])),
    params(("list_id" = i64, Path, description = "the list"), EntriesQuery),
    responses(
        (status = 200, body = EntriesResponse),
        (status = 422, description = "plate_invalid", body = crate::error::Problem),
        (status = 401, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem),
    ))]
pub async fn list_entries(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(list_id): Path<i64>,
    Query(q): Query<EntriesQuery>,
) -> Result<Json<EntriesResponse>, ApiError> {
    let list = visible_list(&state, &who, list_id).await?;
    let plate = match q.plate.as_deref() {
        Some(p) => Some(Plate::parse(p).map_err(|e| {
            ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                Violation::new("plate_invalid", "plate", e.to_string()),
            )
        })?),
        None => None,
    };
    let entries = state
        .store()
        .alerts()
        .entries_seen_by(&list, who.user.id, plate.as_ref())
        .await?;
    Ok(Json(EntriesResponse {
        entries: entries.iter().map(EntryDto::from).collect(),
    }))
}

/// Removes an entry from a list you own.
#[utoipa::path(delete, path = "/api/v1/alert-lists/{list_id}/entries/{entry_id}", tag = "alerts",
    security(("session" = [])),
    params(("list_id" = i64, Path, description = "the list"),
           ("entry_id" = i64, Path, description = "the entry")),
    responses(
        (status = 204),
        (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem),
    ))]
pub async fn delete_entry(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path((list_id, entry_id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    let list = owned_list(&state, &who, list_id).await?;
    let alerts = state.store().alerts();
    let gone = alerts
        .delete_entry(&list, EntryId(entry_id))
        .await?
        .ok_or_else(ApiError::not_found)?;
    state.store().alert_index.refresh_if_stale(&alerts).await?;
    state
        .store()
        .ledger()
        .append(entry_audit(&who, "alert.entry.deleted", &gone))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Renews an entry for a year, affirming a continued operational need
/// (possible until 7 days after expiry).
#[utoipa::path(post, path = "/api/v1/alert-lists/{list_id}/entries/{entry_id}/renewal", tag = "alerts",
    security(("session" = [])),
    params(("list_id" = i64, Path, description = "the list"),
           ("entry_id" = i64, Path, description = "the entry")),
    request_body = RenewalRequest,
    responses(
        (status = 200, body = EntryDto),
        (status = 422, description = "affirmation_required", body = crate::error::Problem),
        (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem),
        (status = 404, description = "not_found: no such entry, or it is past its renewal week", body = crate::error::Problem),
    ))]
pub async fn renew_entry(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path((list_id, entry_id)): Path<(i64, i64)>,
    ApiJson(req): ApiJson<RenewalRequest>,
) -> Result<Json<EntryDto>, ApiError> {
    let list = owned_list(&state, &who, list_id).await?;
    if req.affirm_operational_need != Some(true) {
        return Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            Violation::new(
                "affirmation_required",
                "affirm_operational_need",
                "renewing requires affirming a continued operational need",
            )
            .accepting("true"),
        ));
    }
    let alerts = state.store().alerts();
    let renewed = alerts
        .renew(&list, EntryId(entry_id), state.now())
        .await?
        .ok_or_else(ApiError::not_found)?;
    state.store().alert_index.refresh_if_stale(&alerts).await?;
    state
        .store()
        .ledger()
        .append(
            entry_audit(&who, "alert.entry.renewed", &renewed)
                .field("affirmed_operational_need", true),
        )
        .await?;
    Ok(Json(EntryDto::from(&renewed)))
}
