//! `GET /api/v1/reports/quarterly`: the quarterly report (R5.5) as PDF or
//! Excel, for the agency's auditors (the whole agency) and managers (an
//! AOR's manager: that AOR's users only, and the cover says so). Built by
//! [`crate::quarterly`], like `sightline report quarterly`; recorded as
//! `report.quarterly`, with the file's SHA-256, before a byte is sent.

use crate::app::AppState;
use crate::auth::ConsentedUser;
use crate::error::ApiError;
use crate::quarterly::{QuarterlyError, QuarterlyFormat, QuarterlyRequest, build, render};
use crate::routes::audit_search::audit_scope;
use crate::routes::manager_reports::scope_label;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sightline_audit::{EntryDraft, Outcome};
use sightline_core::zone::QUARTER_ACCEPTED;
use sightline_core::{Quarter, Violation};
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
pub struct QuarterlyParams {
    /// The calendar quarter, e.g. `2026Q3`, reckoned in the agency's time zone.
    pub quarter: Option<String>,
    /// `pdf` (default) or `xlsx`.
    pub format: Option<String>,
}

pub(crate) const ACTION: &str = "report.quarterly";

fn format_of(raw: Option<&str>) -> Result<QuarterlyFormat, ApiError> {
    match raw.unwrap_or("pdf").trim().to_ascii_lowercase().as_str() {
        "pdf" => Ok(QuarterlyFormat::Pdf),
        "xlsx" => Ok(QuarterlyFormat::Xlsx),
        other => Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            Violation::new(
                "format_invalid",
                "format",
                format!(
                    "'{}' is not a format of this report",
                    other.chars().take(16).collect::<String>()
                ),
            )
            .accepting("pdf, xlsx"),
        )),
    }
}

/// The quarter's statistics, each breakdown as a chart and a table, and
/// the signed checkpoint that covers the quarter, as PDF or Excel.
#[utoipa::path(get, path = "/api/v1/reports/quarterly", tag = "audit",
    security(("session" = [])),
    params(QuarterlyParams),
    responses((status = 200, description = "the report file", content_type = "application/octet-stream"),
              (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem),
              (status = 503, description = "the audit log could not record the download", body = crate::error::Problem)))]
pub async fn quarterly(
    State(state): State<AppState>,
    who: ConsentedUser,
    Query(p): Query<QuarterlyParams>,
) -> Result<Response, ApiError> {
    let (agency, actors) = audit_scope(&state, &who).await?;
    let quarter = match p.quarter.as_deref() {
        None => Err(Violation::new(
            "quarter_required",
            "quarter",
            "say which quarter the report is for",
        )
        .accepting(QUARTER_ACCEPTED)),
        Some(raw) => Quarter::parse(raw),
    }
    .map_err(|v| ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, v))?;
    let format = format_of(p.format.as_deref())?;
    // Set for an AOR's manager, whose report counts that AOR only.
    let aor = actors.as_ref().and(who.user.aor_id).map(|a| a.0);
    let scope = match &actors {
        None => "The whole agency".to_owned(),
        Some(users) => format!(
            "{} only: the {} user{} of that area of responsibility",
            scope_label(&state, &who).await?,
            users.len(),
            if users.len() == 1 { "" } else { "s" }
        ),
    };
    let generated_by = format!(
        "{} ({}, {}), through the Sightline API",
        who.user.display_name,
        who.user.username,
        who.user.role.as_str()
    );
    let request = QuarterlyRequest {
        agency,
        quarter,
        actors,
        scope,
        generated_by,
    };
    let report = build(state.store(), state.now(), request)
        .await
        .map_err(|e| match e {
            QuarterlyError::NotStarted { .. } => ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                Violation::new("quarter_not_started", "quarter", e.to_string())
                    .accepting("the current quarter or an earlier one"),
            ),
            QuarterlyError::NoAgency(_) => ApiError::not_found(),
            QuarterlyError::Unexpected(e) => ApiError::internal(e),
        })?;
    let checkpoint_size = report.checkpoint.as_ref().map(|c| c.tree_size);
    let file = tokio::task::spawn_blocking(move || render(&report, format))
        .await
        .map_err(|e| ApiError::internal(anyhow::anyhow!("quarterly report render task: {e}")))??;
    state
        .store()
        .ledger()
        .append(
            EntryDraft::new(who.scope(), who.actor(), ACTION, Outcome::Success)
                .session(who.session.id.as_str())
                .field("quarter", quarter.to_string())
                .field("format", format.extension())
                .field("aor_id", aor)
                .field("checkpoint_size", checkpoint_size)
                .field("sha256", file.sha256.as_str()),
        )
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file.name),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        file.bytes,
    )
        .into_response())
}
