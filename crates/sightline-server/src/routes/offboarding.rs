//! Contract end (R6.1) over HTTP. The operator starts an agency's
//! offboarding, which opens a 30-day transfer window; the agency's
//! agency-wide managers export its alert lists (JSON or CSV; the audit log
//! through the usual export) and confirm they have them; then the operator,
//! naming the agency to confirm, destroys it. The operator sees counts of
//! what will go, never its contents. Every step is in the operator's log,
//! which keeps the destruction record (numbers only, no agency plaintext);
//! the agency's own log records each step until it is destroyed with the
//! rest.

use crate::app::AppState;
use crate::auth::ConsentedUser;
use crate::error::{ApiError, ApiJson};
use crate::routes::alerts::dto::EntryDto;
use crate::routes::session::rfc3339;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sightline_audit::{Actor, EntryDraft, Outcome};
use sightline_core::{AgencyId, Role, TenantScope, Violation};
use sightline_reports::inert;
use sightline_store::{DestroyError, Inventory, Offboarding, destroy_agency};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct InventoryRow {
    pub kind: String,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OffboardingDto {
    pub agency_id: i64,
    /// `transfer_window`, `ready_to_destroy` or `destroyed`.
    pub state: String,
    pub started_at: String,
    pub window_ends_at: String,
    pub confirmed_at: Option<String>,
    pub completed_at: Option<String>,
    /// What destroying the agency removes (the operator's view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub will_destroy: Option<Vec<InventoryRow>>,
    /// The agency's name, to be typed back to confirm the destruction
    /// (the operator's view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirm_with: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DestroyRequest {
    /// The agency's exact name: the confirmation step.
    pub confirm_name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Destroyed {
    pub agency_id: i64,
    pub destroyed: Vec<InventoryRow>,
    pub rows: i64,
    pub files: i64,
}

fn rows(inv: &Inventory) -> Vec<InventoryRow> {
    let mut out: Vec<InventoryRow> = inv
        .rows
        .iter()
        .map(|(k, n)| InventoryRow {
            kind: (*k).to_owned(),
            count: *n,
        })
        .collect();
    out.push(InventoryRow {
        kind: "access-request scans (files)".to_owned(),
        count: inv.files,
    });
    out
}

fn dto(o: &Offboarding, now: time::OffsetDateTime) -> OffboardingDto {
    OffboardingDto {
        agency_id: o.agency.0,
        state: o.state(now).to_owned(),
        started_at: rfc3339(o.started_at),
        window_ends_at: rfc3339(o.window_ends_at),
        confirmed_at: o.confirmed_at.map(rfc3339),
        completed_at: o.completed_at.map(rfc3339),
        will_destroy: None,
        confirm_with: None,
    }
}

fn no_offboarding() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no_offboarding",
        "this agency's contract end has not been started",
    )
}

/// Refuses new searches and new alert entries once the agency's contract
/// has ended (its offboarding started): the window is for taking data out.
pub(crate) async fn refuse_after_contract_end(
    state: &AppState,
    agency: AgencyId,
) -> Result<(), ApiError> {
    match state.store().offboarding().get(agency).await? {
        None => Ok(()),
        Some(o) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "contract_ended",
            format!(
                "your agency's contract has ended: searches and new alert entries are closed; \
                 its managers can export its data until {}",
                rfc3339(o.window_ends_at)
            ),
        )),
    }
}

fn already_destroyed() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "already_destroyed",
        "this agency's data was already destroyed",
    )
}

/// Appends one entry to `scope`'s log for the caller.
async fn log(
    state: &AppState,
    who: &ConsentedUser,
    scope: TenantScope,
    action: &'static str,
    fields: &[(&str, serde_json::Value)],
) -> Result<(), ApiError> {
    let mut d = EntryDraft::new(scope, who.actor(), action, Outcome::Success)
        .session(who.session.id.as_str());
    for (k, v) in fields {
        d = d.field(k, v.clone());
    }
    state.store().ledger().append(d).await?;
    Ok(())
}

/// The operator's record of something an agency user did: no username
/// (agency plaintext must not outlive the agency), only ids.
async fn log_for_operator(
    state: &AppState,
    who: &ConsentedUser,
    action: &'static str,
    agency: AgencyId,
) -> Result<(), ApiError> {
    let d = EntryDraft::new(
        TenantScope::Operator,
        Actor::System,
        action,
        Outcome::Success,
    )
    .field("agency_id", agency.0)
    .field("user_id", who.user.id.0);
    state.store().ledger().append(d).await?;
    Ok(())
}

async fn agency_name(state: &AppState, agency: AgencyId) -> Result<String, ApiError> {
    state
        .store()
        .tenancy()
        .agencies()
        .await?
        .into_iter()
        .find(|a| a.id == agency)
        .map(|a| a.name)
        .ok_or_else(ApiError::not_found)
}

/// Starts an agency's contract end: a 30-day window to take its data.
#[utoipa::path(post, path = "/api/v1/admin/agencies/{agency_id}/offboarding", tag = "operator",
    security(("session" = [])),
    params(("agency_id" = i64, Path, description = "the agency")),
    responses((status = 201, body = OffboardingDto), (status = 200, description = "already started", body = OffboardingDto),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn start(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(agency_id): Path<i64>,
) -> Result<(StatusCode, Json<OffboardingDto>), ApiError> {
    who.require(&[Role::OperatorAdmin])?;
    let agency = AgencyId(agency_id);
    agency_name(&state, agency).await?;
    let store = state.store().offboarding();
    let now = state.now();
    if let Some(open) = store.get(agency).await? {
        return Ok((StatusCode::OK, Json(dto(&open, now))));
    }
    let window_ends = rfc3339(now + sightline_store::TRANSFER_WINDOW);
    let fields = [
        ("agency_id", agency_id.into()),
        ("window_ends_at", window_ends.into()),
    ];
    log(
        &state,
        &who,
        TenantScope::Operator,
        "agency.offboarding_started",
        &fields,
    )
    .await?;
    log(
        &state,
        &who,
        TenantScope::Agency(agency),
        "agency.offboarding_started",
        &fields,
    )
    .await?;
    let o = store.start(agency, now).await?;
    Ok((StatusCode::CREATED, Json(dto(&o, now))))
}

/// The offboarding's state and what destroying the agency would remove.
#[utoipa::path(get, path = "/api/v1/admin/agencies/{agency_id}/offboarding", tag = "operator",
    security(("session" = [])),
    params(("agency_id" = i64, Path, description = "the agency")),
    responses((status = 200, body = OffboardingDto), (status = 403, body = crate::error::Problem),
              (status = 404, description = "no_offboarding", body = crate::error::Problem)))]
pub async fn status(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(agency_id): Path<i64>,
) -> Result<Json<OffboardingDto>, ApiError> {
    who.require(&[Role::OperatorAdmin])?;
    let agency = AgencyId(agency_id);
    let store = state.store().offboarding();
    let o = store.get(agency).await?.ok_or_else(no_offboarding)?;
    let mut out = dto(&o, state.now());
    if o.completed_at.is_none() {
        out.will_destroy = Some(rows(&store.inventory(agency).await?));
        out.confirm_with = Some(agency_name(&state, agency).await?);
    }
    Ok(Json(out))
}

/// Destroys the agency: every row, its audit log and keys, its stored
/// scans. Only once the agency confirmed the transfer or the window ended,
/// and only with the agency's name typed back.
#[utoipa::path(post, path = "/api/v1/admin/agencies/{agency_id}/offboarding/destroy", tag = "operator",
    security(("session" = [])),
    params(("agency_id" = i64, Path, description = "the agency")),
    request_body = DestroyRequest,
    responses((status = 200, body = Destroyed), (status = 403, body = crate::error::Problem),
              (status = 404, description = "no_offboarding", body = crate::error::Problem),
              (status = 409, description = "transfer_window_open or already_destroyed", body = crate::error::Problem),
              (status = 422, description = "confirm_name_mismatch", body = crate::error::Problem)))]
pub async fn destroy(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(agency_id): Path<i64>,
    ApiJson(req): ApiJson<DestroyRequest>,
) -> Result<Json<Destroyed>, ApiError> {
    who.require(&[Role::OperatorAdmin])?;
    let agency = AgencyId(agency_id);
    let o = state
        .store()
        .offboarding()
        .get(agency)
        .await?
        .ok_or_else(no_offboarding)?;
    if o.completed_at.is_some() {
        return Err(already_destroyed());
    }
    let name = agency_name(&state, agency).await?;
    if req.confirm_name.trim() != name {
        return Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            Violation::new(
                "confirm_name_mismatch",
                "confirm_name",
                "type the agency's name exactly to confirm what will be destroyed",
            )
            .accepting("the agency's name, as GET …/offboarding shows it in confirm_with"),
        ));
    }
    let done = destroy_agency(
        state.store(),
        agency,
        who.actor(),
        Some(who.session.id.as_str()),
    )
    .await
    .map_err(|e| match e {
        DestroyError::NoOffboarding => no_offboarding(),
        DestroyError::AlreadyDestroyed => already_destroyed(),
        DestroyError::WindowOpen(until) => ApiError::new(
            StatusCode::CONFLICT,
            "transfer_window_open",
            format!(
                "the agency has until {} to take its data, or can confirm it has it sooner",
                rfc3339(until)
            ),
        ),
        DestroyError::Other(e) => ApiError::internal(e),
    })?;
    Ok(Json(Destroyed {
        agency_id,
        rows: done.total_rows(),
        files: done.files,
        destroyed: rows(&done),
    }))
}

/// The caller's agency's contract end, for its managers and auditors.
#[utoipa::path(get, path = "/api/v1/agency/offboarding", tag = "agency",
    security(("session" = [])),
    responses((status = 200, body = OffboardingDto), (status = 403, body = crate::error::Problem),
              (status = 404, description = "no_offboarding", body = crate::error::Problem)))]
pub async fn agency_status(
    State(state): State<AppState>,
    who: ConsentedUser,
) -> Result<Json<OffboardingDto>, ApiError> {
    who.require(&[Role::AgencyManager, Role::Auditor])?;
    let agency = who.agency()?;
    let o = state
        .store()
        .offboarding()
        .get(agency)
        .await?
        .ok_or_else(no_offboarding)?;
    Ok(Json(dto(&o, state.now())))
}

/// The agency-wide manager confirms the agency has its data: the operator
/// may then destroy it before the window ends.
#[utoipa::path(post, path = "/api/v1/agency/offboarding/confirm", tag = "agency",
    security(("session" = [])),
    responses((status = 200, body = OffboardingDto), (status = 403, body = crate::error::Problem),
              (status = 404, description = "no_offboarding", body = crate::error::Problem)))]
pub async fn confirm(
    State(state): State<AppState>,
    who: ConsentedUser,
) -> Result<Json<OffboardingDto>, ApiError> {
    let agency = who.agency_wide_manager("do this for the agency")?;
    let store = state.store().offboarding();
    let o = store.get(agency).await?.ok_or_else(no_offboarding)?;
    if o.confirmed_at.is_none() {
        let fields = [("agency_id", agency.0.into())];
        log(
            &state,
            &who,
            TenantScope::Agency(agency),
            "agency.transfer_confirmed",
            &fields,
        )
        .await?;
        log_for_operator(&state, &who, "agency.transfer_confirmed", agency).await?;
    }
    let now = state.now();
    let o = store
        .confirm(agency, now)
        .await?
        .ok_or_else(no_offboarding)?;
    Ok(Json(dto(&o, now)))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ExportParams {
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListExport {
    pub id: i64,
    pub name: String,
    pub owner: String,
    pub entries: Vec<EntryDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListsExport {
    pub agency_id: i64,
    pub exported_at: String,
    pub lists: Vec<ListExport>,
}

/// Every alert list of the agency with its entries, machine-readable, for
/// the transfer at contract end. Agency-wide managers, while the agency's
/// offboarding is open; every export is audited.
#[utoipa::path(get, path = "/api/v1/agency/offboarding/alert-lists", tag = "agency",
    security(("session" = [])),
    params(ExportParams),
    responses((status = 200, description = "JSON (ListsExport) or CSV, one row per entry", body = ListsExport),
              (status = 403, body = crate::error::Problem),
              (status = 404, description = "no_offboarding", body = crate::error::Problem),
              (status = 422, description = "format_unknown", body = crate::error::Problem)))]
pub async fn export_lists(
    State(state): State<AppState>,
    who: ConsentedUser,
    Query(params): Query<ExportParams>,
) -> Result<Response, ApiError> {
    let agency = who.agency_wide_manager("do this for the agency")?;
    let csv = match params.format.as_deref().map(str::trim) {
        None | Some("" | "json") => false,
        Some("csv") => true,
        Some(_) => {
            return Err(ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                Violation::new(
                    "format_unknown",
                    "format",
                    "alert lists export as JSON or CSV",
                )
                .accepting("json or csv"),
            ));
        }
    };
    state
        .store()
        .offboarding()
        .get(agency)
        .await?
        .filter(|o| o.completed_at.is_none())
        .ok_or_else(no_offboarding)?;
    let alerts = state.store().alerts();
    let mut lists = Vec::new();
    let mut entries = 0usize;
    for l in alerts.agency_lists(agency).await? {
        let es: Vec<EntryDto> = alerts
            .entries(&l, None)
            .await?
            .iter()
            .map(EntryDto::from)
            .collect();
        entries += es.len();
        lists.push(ListExport {
            id: l.id.0,
            name: l.name,
            owner: l.owner_username,
            entries: es,
        });
    }
    log(
        &state,
        &who,
        TenantScope::Agency(agency),
        "agency.alert_lists_exported",
        &[
            ("format", if csv { "csv" } else { "json" }.into()),
            ("lists", lists.len().into()),
            ("entries", entries.into()),
        ],
    )
    .await?;
    let now = state.now();
    let stamp = now.date();
    if csv {
        let body = lists_csv(&lists).map_err(ApiError::internal)?;
        let disposition = format!("attachment; filename=\"alert-lists-{stamp}.csv\"");
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, disposition),
                (header::CACHE_CONTROL, "private, no-store".to_owned()),
            ],
            body,
        )
            .into_response());
    }
    let disposition = format!("attachment; filename=\"alert-lists-{stamp}.json\"");
    Ok((
        [
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        Json(ListsExport {
            agency_id: agency.0,
            exported_at: rfc3339(now),
            lists,
        }),
    )
        .into_response())
}

fn lists_csv(lists: &[ListExport]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "list_id",
        "list_name",
        "owner",
        "entry_id",
        "plate",
        "state",
        "reason_code",
        "note",
        "notify",
        "group_id",
        "valid_from",
        "expires_at",
    ])?;
    for l in lists {
        for e in &l.entries {
            let (list_id, entry_id) = (l.id.to_string(), e.id.to_string());
            let group = e.group_id.map(|g| g.to_string()).unwrap_or_default();
            // People's text goes through `inert`: never a formula.
            w.write_record([
                list_id.as_str(),
                &inert(&l.name),
                &inert(&l.owner),
                &entry_id,
                &e.plate,
                &e.state,
                &e.reason_code,
                &inert(&e.note),
                &inert(&e.notify),
                &group,
                &e.valid_from,
                &e.expires_at,
            ])?;
        }
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}
