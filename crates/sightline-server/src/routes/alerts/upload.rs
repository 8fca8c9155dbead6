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

/// (notify scope, usernames, group name) from the optional fifth column:
/// `owner`, `agency`, `users:alice;bob` or `group:Case Team`.
fn split_notify(raw: &str) -> (String, Vec<String>, Option<String>) {
    match raw.split_once(':') {
        Some((scope, rest)) if scope.trim().eq_ignore_ascii_case("group") => (
            scope.trim().to_owned(),
            Vec::new(),
            Some(rest.trim().to_owned()),
        ),
        Some((scope, users)) => (
            scope.trim().to_owned(),
            users
                .split([';', ' '])
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(str::to_owned)
                .collect(),
            None,
        ),
        None => (raw.trim().to_owned(), Vec::new(), None),
    }
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
    // Refused before parsing: count non-blank lines (an upper bound on
    // records), less a header line if the file starts with one.
    let mut lines = body
        .split(|b| *b == b'\n')
        .filter(|l| l.iter().any(|b| !b.is_ascii_whitespace()));
    let header = lines.next().is_some_and(|first| {
        let first = String::from_utf8_lossy(first)
            .trim_start()
            .to_ascii_lowercase();
        first.starts_with("plate") || first.starts_with("\"plate")
    });
    let rows = lines.count() + usize::from(!header);
    if rows > MAX_LIST_ENTRIES {
        return Err(too_large(rows));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(body.as_ref());
    let rules = EntryRules::for_user(&state, &who).await?;
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    let mut row = 0_usize;
    for (i, record) in reader.records().enumerate() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                row += 1;
                errors.push(Violation::new(
                    "row_malformed",
                    &format!("rows[{row}]"),
                    format!("row {row}: {e}"),
                ));
                continue;
            }
        };
        if i == 0
            && record
                .get(0)
                .is_some_and(|f| f.eq_ignore_ascii_case("plate"))
        {
            continue;
        }
        if record.iter().all(str::is_empty) {
            continue;
        }
        row += 1;
        if row > MAX_LIST_ENTRIES {
            return Err(too_large(row));
        }
        let (scope, users, group) = split_notify(record.get(4).unwrap_or(""));
        let raw = RawEntry {
            plate: record.get(0),
            state: record.get(1),
            reason_code: record.get(2),
            note: record.get(3),
            scope: Some(&scope),
            users,
            group: group.as_deref(),
        };
        match parse_entry(
            &state,
            &rules,
            &raw,
            &format!("rows[{row}]."),
            &format!("row {row}: "),
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
