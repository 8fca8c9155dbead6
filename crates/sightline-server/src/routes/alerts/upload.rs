//! Batch upload (R4.2): a CSV of `plate,state,reason_code,note[,notify]`,
//! at most 2,500 rows, all-or-nothing. A file with more lines than that is
//! refused before it is parsed; one bad row rejects the upload, and every
//! bad row is reported by its row number (1 = the first data row) and field.

use super::access::{entry_audit, owned_list};
use super::deconflict::deconflict;
use super::dto::{DeconflictionDto, EntryDto, UploadResponse};
use super::entries::add_error;
use super::parse::{EntryRules, RawEntry, parse_entry};
use crate::app::AppState;
use crate::auth::ConsentedUser;
use crate::error::ApiError;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::json;
use sightline_audit::{EntryDraft, Outcome};
use sightline_core::Violation;
use sightline_core::alert::MAX_LIST_ENTRIES;
use sightline_ingest::alert_csv_rows;

/// The largest upload body: 2,500 rows of generous notes.
pub const MAX_UPLOAD_BYTES: usize = 4 * 1024 * 1024;

fn too_large(rows: usize) -> ApiError {
    ApiError::field(
        StatusCode::PAYLOAD_TOO_LARGE,
        Violation::new(
            "upload_too_large",
            "body",
            format!("the file has {rows} rows; an upload holds at most {MAX_LIST_ENTRIES}"),
        )
        .accepting("at most 2,500 data rows, plus an optional header"),
    )
}

/// Adds every row of a CSV to a list you own, or none of them.
#[utoipa::path(post, path = "/api/v1/alert-lists/{list_id}/uploads", tag = "alerts",
    security(("session" = [])),
    params(("list_id" = i64, Path, description = "the list")),
    request_body(content = String, content_type = "text/csv",
        description = "plate,state,reason_code,note[,notify] with an optional header row; notify is owner, agency, group:NAME or users:alice;bob"),
    responses(
        (status = 201, body = UploadResponse),
        (status = 413, description = "upload_too_large: more than 2,500 rows", body = crate::error::Problem),
        (status = 422, description = "every bad row's violations, fields named rows[N].field; or list_full", body = crate::error::Problem),
        (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem),
    ))]
pub async fn upload(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(list_id): Path<i64>,
    body: Bytes,
) -> Result<(StatusCode, Json<UploadResponse>), ApiError> {
    let list = owned_list(&state, &who, list_id).await?;
    crate::routes::offboarding::refuse_after_contract_end(&state, list.agency_id).await?;
    // Refused before parsing when the file has more lines than a list
    // holds; the pure reading lives in sightline-ingest (and is fuzzed).
    let rows = alert_csv_rows(&body, MAX_LIST_ENTRIES).map_err(|t| too_large(t.rows))?;
    let rules = EntryRules::for_user(&state, &who).await?;
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    let row = rows.len();
    for parsed in &rows {
        let r = match parsed {
            Ok(r) => r,
            Err(v) => {
                errors.push(v.clone());
                continue;
            }
        };
        let raw = RawEntry {
            plate: r.plate.as_deref(),
            state: r.state.as_deref(),
            reason_code: r.reason_code.as_deref(),
            note: r.note.as_deref(),
            scope: Some(&r.scope),
            users: r.users.clone(),
            group: r.group.as_deref(),
        };
        match parse_entry(
            &state,
            &rules,
            &raw,
            &format!("rows[{}].", r.row),
            &format!("row {}: ", r.row),
        )
        .await
        {
            Ok(e) => entries.push(e),
            Err(v) => errors.extend(v),
        }
    }
    if !errors.is_empty() {
        state
            .store()
            .ledger()
            .append(
                EntryDraft::new(who.scope(), who.actor(), "alert.upload", Outcome::Refused)
                    .session(who.session.id.clone())
                    .field("list_id", list.id.0)
                    .field("rows", row)
                    .field("errors", errors.len()),
            )
            .await?;
        return Err(ApiError::violations(
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
        ));
    }
    if entries.is_empty() {
        return Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            Violation::new("upload_empty", "body", "the file holds no rows")
                .accepting("plate,state,reason_code,note[,notify] rows"),
        ));
    }
    let alerts = state.store().alerts();
    let ids = alerts
        .add_entries(&list, &entries, state.now())
        .await
        .map_err(add_error)?;
    state.store().alert_index.refresh_if_stale(&alerts).await?;
    let agency = who.agency()?;
    let mut added = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(e) = alerts.entry(agency, id).await? {
            added.push(e);
        }
    }
    // One audit entry for the upload, holding every row's plate, state,
    // reason code and note.
    let rows: Vec<_> = added
        .iter()
        .map(|e| {
            json!({
                "entry_id": e.id.0,
                "plate": e.entry.plate.as_str(),
                "state": e.entry.jurisdiction.code(),
                "reason_code": e.entry.reason_code.as_str(),
                "note": e.entry.note.as_str(),
                "notify": e.entry.notify.as_str(),
            })
        })
        .collect();
    let summary = added.first().map(|e| entry_audit(&who, "alert.upload", e));
    if let Some(draft) = summary {
        state
            .store()
            .ledger()
            .append(draft.field("added", added.len()).field("entries", rows))
            .await?;
    }
    let conflicts = deconflict(&state, &who, &added).await?;
    Ok((
        StatusCode::CREATED,
        Json(UploadResponse {
            added: added.len(),
            entries: added.iter().map(EntryDto::from).collect(),
            deconfliction: conflicts.iter().map(DeconflictionDto::from).collect(),
        }),
    ))
}
