//! What the agency manager's console downloads (R2.4, R2.5, R5.5): the
//! scanned access request form as it was filed, the training-versus-users
//! report, and usage statistics for the manager's AOR as Excel or PDF. Each
//! download is recorded in the audit log before its bytes are sent.

use crate::app::AppState;
use crate::auth::ConsentedUser;
use crate::error::ApiError;
use crate::routes::audit_search::{StatsParams, audit_scope, compute_statistics, time_param};
use crate::routes::session::rfc3339;
use crate::routes::{Counts, Statistics};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sightline_audit::{EntryDraft, Outcome};
use sightline_core::clock::from_micros;
use sightline_core::read::BlobId;
use sightline_core::{Role, Violation};
use sightline_reports::{Cell, Report};
use sightline_store::TRAINING_VALIDITY;
use time::Duration;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
pub struct FormatParam {
    /// xlsx or pdf (statistics); xlsx or csv (training).
    pub format: Option<String>,
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn format_of(raw: Option<&str>, allowed: &[&str]) -> Result<String, ApiError> {
    let f = raw.unwrap_or("xlsx").trim().to_ascii_lowercase();
    if allowed.contains(&f.as_str()) {
        return Ok(f);
    }
    Err(ApiError::field(
        StatusCode::UNPROCESSABLE_ENTITY,
        Violation::new(
            "format_invalid",
            "format",
            format!("'{f}' is not a format of this report"),
        )
        .accepting(allowed.join(", ")),
    ))
}

fn file(body: Vec<u8>, content_type: &str, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

async fn agency_name(state: &AppState, who: &ConsentedUser) -> Result<String, ApiError> {
    let agency = who.agency()?;
    Ok(state
        .store()
        .tenancy()
        .agencies()
        .await?
        .into_iter()
        .find(|a| a.id == agency)
        .map_or_else(|| agency.to_string(), |a| a.name))
}

pub(crate) async fn scope_label(state: &AppState, who: &ConsentedUser) -> Result<String, ApiError> {
    let Some(aor) = who
        .user
        .aor_id
        .filter(|_| who.user.role == Role::AgencyManager)
    else {
        return Ok("the whole agency".into());
    };
    let aors = state.store().tenancy().aors(who.agency()?).await?;
    Ok(aors
        .into_iter()
        .find(|(id, _)| *id == aor)
        .map_or_else(|| "your AOR".into(), |(_, n)| format!("AOR {n}")))
}

/// The scanned form filed with an access request, as it was uploaded.
#[utoipa::path(get, path = "/api/v1/access-requests/{request_id}/scan", tag = "administration",
    security(("session" = [])),
    params(("request_id" = i64, Path)),
    responses((status = 200, description = "the PDF or image", content_type = "application/octet-stream"),
              (status = 404, body = crate::error::Problem)))]
pub async fn scan(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(request_id): Path<i64>,
) -> Result<Response, ApiError> {
    who.require(&[Role::AgencyManager])?;
    let req = state
        .store()
        .provisioning()
        .request(who.agency()?, request_id)
        .await?
        .filter(|r| who.user.aor_id.is_none() || r.aor_id == who.user.aor_id)
        .ok_or_else(ApiError::not_found)?;
    let blob = req
        .scan_blob
        .as_deref()
        .and_then(|b| BlobId::parse(b).ok())
        .ok_or_else(ApiError::not_found)?;
    let bytes = crate::routes::photos::stored_blob(&state, blob).await?;
    state
        .store()
        .ledger()
        .append(
            EntryDraft::new(
                who.scope(),
                who.actor(),
                "access_request.scan_viewed",
                Outcome::Success,
            )
            .session(who.session.id.as_str())
            .field("request_id", request_id),
        )
        .await?;
    let (mime, ext) = if bytes.starts_with(b"%PDF") {
        ("application/pdf", "pdf")
    } else {
        match sightline_ingest::check_photo("scan", &bytes).unwrap_or("application/octet-stream") {
            "image/png" => ("image/png", "png"),
            "image/jpeg" => ("image/jpeg", "jpg"),
            "image/webp" => ("image/webp", "webp"),
            other => (other, "bin"),
        }
    };
    // Images show in the page (img-src 'self'); a PDF is saved and opened.
    let disposition = if ext == "pdf" { "attachment" } else { "inline" };
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "{disposition}; filename=\"access-request-{request_id}-{}.{ext}\"",
                    req.username
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}

fn counts_row(group: &str, key: &str, c: &Counts) -> Vec<Cell> {
    let n = |v: u64| Cell::Int(i64::try_from(v).unwrap_or(i64::MAX));
    vec![
        Cell::Text(group.to_owned()),
        Cell::Text(key.to_owned()),
        n(c.searches),
        n(c.positive_hits),
        Cell::Text(format!("{:.1} %", c.hit_ratio * 100.0)),
        n(c.alert_hits),
        n(c.alert_entries_added),
    ]
}

fn usage_rows(stats: &Statistics) -> Vec<Vec<Cell>> {
    let mut out = vec![counts_row("total", "", &stats.totals)];
    for (group, map) in [
        ("user", &stats.by_user),
        ("reason code", &stats.by_reason_code),
        ("program", &stats.by_program),
        ("AOR", &stats.by_aor),
        ("on behalf of", &stats.by_on_behalf_of),
    ] {
        out.extend(map.iter().map(|(k, c)| counts_row(group, k, c)));
    }
    out
}

/// The usage statistics of `/api/v1/reports/statistics` as Excel or PDF:
/// searches and alert-list activity per user and per reason code.
#[utoipa::path(get, path = "/api/v1/reports/statistics/export", tag = "audit",
    security(("session" = [])),
    params(FormatParam, StatsParams),
    responses((status = 200, description = "the report file", content_type = "application/octet-stream"),
              (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn statistics_export(
    State(state): State<AppState>,
    who: ConsentedUser,
    Query(f): Query<FormatParam>,
    Query(p): Query<StatsParams>,
) -> Result<Response, ApiError> {
    let (agency, actors) = audit_scope(&state, &who).await?;
    let format = format_of(f.format.as_deref(), &["xlsx", "pdf"])?;
    let required = |field: &str| {
        ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            Violation::new(
                &format!("{field}_required"),
                field,
                "statistics are for a stated period",
            )
            .accepting("RFC 3339, e.g. from=2026-07-01T00:00:00Z&to=2026-10-01T00:00:00Z"),
        )
    };
    let from = time_param("from", p.from.as_deref())?.ok_or_else(|| required("from"))?;
    let to = time_param("to", p.to.as_deref())?.ok_or_else(|| required("to"))?;
    let now = state.now();
    let stats = compute_statistics(state.store(), now, agency, actors, from, to).await?;
    state
        .store()
        .ledger()
        .append(
            EntryDraft::new(
                who.scope(),
                who.actor(),
                "report.statistics",
                Outcome::Success,
            )
            .session(who.session.id.as_str())
            .field("from", from)
            .field("to", to)
            .field("format", format.as_str()),
        )
        .await?;
    let report = Report {
        title: "Sightline usage report".into(),
        header: vec![
            ("Agency".into(), agency_name(&state, &who).await?),
            ("Covers".into(), scope_label(&state, &who).await?),
            (
                "Period".into(),
                format!(
                    "{} to {} (UTC, end exclusive)",
                    rfc3339(from_micros(from)),
                    rfc3339(from_micros(to))
                ),
            ),
            (
                "Active alert-list entries now".into(),
                stats.alert_list_size.to_string(),
            ),
            (
                "Generated by".into(),
                format!("{} at {}", who.user.username, rfc3339(now)),
            ),
        ],
        columns: [
            "breakdown",
            "name",
            "searches",
            "positive hits",
            "hit ratio",
            "alert-list hits",
            "alert entries added",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect(),
        widths: vec![1.0, 2.2, 0.9, 0.9, 0.9, 1.0, 1.1],
        rows: usage_rows(&stats),
        appendix: Vec::new(),
    };
    let day = |m: i64| rfc3339(from_micros(m)).get(..10).unwrap_or("").to_owned();
    let name = format!("sightline-usage-{}-{}.{format}", day(from), day(to));
    Ok(match format.as_str() {
        "pdf" => file(
            sightline_reports::to_pdf(&report)?,
            "application/pdf",
            &name,
        ),
        _ => file(sightline_reports::to_xlsx(&report)?, XLSX, &name),
    })
}

/// The training-versus-users report (R2.5) as Excel or CSV: every user of
/// your AOR with their status, last training, its expiry, and whether they
/// hold access without current training.
#[utoipa::path(get, path = "/api/v1/reports/training/export", tag = "administration",
    security(("session" = [])),
    params(FormatParam),
    responses((status = 200, description = "the report file", content_type = "application/octet-stream"),
              (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn training_export(
    State(state): State<AppState>,
    who: ConsentedUser,
    Query(f): Query<FormatParam>,
) -> Result<Response, ApiError> {
    who.require(&[Role::AgencyManager])?;
    let format = format_of(f.format.as_deref(), &["xlsx", "csv"])?;
    let agency = who.agency()?;
    let now = state.now();
    let mut rows = Vec::new();
    let mut without = 0;
    for u in state
        .store()
        .tenancy()
        .users_in(agency, who.user.aor_id)
        .await?
    {
        let last = state.store().people().last_training(u.id).await?;
        let expires = last.map(|t| t + TRAINING_VALIDITY);
        let active = u.status == sightline_store::UserStatus::Active;
        let finding = match expires {
            Some(e) if e > now && e - now <= Duration::days(30) => "expires within 30 days",
            Some(e) if e > now => "current",
            _ if active => "ACCESS WITHOUT CURRENT TRAINING",
            _ => "no current training (no access)",
        };
        if active && expires.is_none_or(|e| e <= now) {
            without += 1;
        }
        rows.push(vec![
            Cell::Text(u.username),
            Cell::Text(u.display_name),
            Cell::Text(u.role.as_str().to_owned()),
            Cell::Text(u.status.as_str().to_owned()),
            last.map_or(Cell::Text(String::new()), Cell::Time),
            expires.map_or(Cell::Text(String::new()), Cell::Time),
            Cell::Text(finding.to_owned()),
        ]);
    }
    state
        .store()
        .ledger()
        .append(
            EntryDraft::new(
                who.scope(),
                who.actor(),
                "report.training_exported",
                Outcome::Success,
            )
            .session(who.session.id.as_str())
            .field("format", format.as_str())
            .field("without_current_training", without),
        )
        .await?;
    let report = Report {
        title: "Sightline training versus users".into(),
        header: vec![
            ("Agency".into(), agency_name(&state, &who).await?),
            ("Covers".into(), scope_label(&state, &who).await?),
            (
                "Active users without current training".into(),
                without.to_string(),
            ),
            (
                "Generated by".into(),
                format!("{} at {}", who.user.username, rfc3339(now)),
            ),
        ],
        columns: [
            "username",
            "name",
            "role",
            "status",
            "last training",
            "training expires",
            "finding",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect(),
        widths: vec![1.2, 1.5, 1.0, 0.8, 1.4, 1.4, 1.8],
        rows,
        appendix: Vec::new(),
    };
    let name = format!(
        "sightline-training-{}.{format}",
        rfc3339(now).get(..10).unwrap_or("")
    );
    Ok(match format.as_str() {
        "csv" => {
            let mut out = String::new();
            for (k, v) in &report.header {
                out.push_str(&format!("# {k}: {v}\n"));
            }
            let mut bytes = out.into_bytes();
            bytes.extend(sightline_reports::to_csv(&report)?);
            file(bytes, "text/csv", &name)
        }
        _ => file(sightline_reports::to_xlsx(&report)?, XLSX, &name),
    })
}
