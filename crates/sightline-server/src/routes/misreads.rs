//! Misread reports (R3.9, R6.2): a user flags a read from one of their
//! query results; the operator's queue shows the read (never the agency's
//! query, reason or case); the operator confirms it (the read leaves the
//! results of later queries; replays of earlier ones still show it) or finds
//! it is not a misread; the reporter is told in the inbox and by email.

use crate::app::AppState;
use crate::auth::ConsentedUser;
use crate::error::{ApiError, ApiJson};
use crate::routes::session::rfc3339;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sightline_audit::{Actor, EntryDraft, Outcome};
use sightline_core::text::Note;
use sightline_core::{Plate, ReadId, Role, TenantScope, Violation};
use sightline_store::{OutboxMessage, enqueue, user_actor};
use utoipa::{IntoParams, ToSchema};

const KINDS: [&str; 3] = ["plate_mismatch", "make_model_mismatch", "other"];

#[derive(Debug, Deserialize, ToSchema)]
pub struct MisreadRequest {
    /// plate_mismatch, make_model_mismatch or other.
    pub kind: Option<String>,
    /// With plate_mismatch: the plate as the photo shows it. The operator
    /// sees it beside the photos.
    pub photo_plate: Option<String>,
    /// Anything more, for the agency's own audit log only: the operator
    /// never sees it.
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MisreadFiled {
    pub report_id: i64,
    pub status: String,
}

/// Reports a read in one of your query results as a misread.
#[utoipa::path(post, path = "/api/v1/queries/{query_id}/reads/{read_id}/misread", tag = "queries",
    security(("session" = [])),
    params(("query_id" = i64, Path), ("read_id" = i64, Path)),
    request_body = MisreadRequest,
    responses((status = 201, body = MisreadFiled), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn report(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path((query_id, read_id)): Path<(i64, i64)>,
    ApiJson(req): ApiJson<MisreadRequest>,
) -> Result<(StatusCode, Json<MisreadFiled>), ApiError> {
    who.require(&[Role::Investigator])?;
    let agency = who.agency()?;
    let receipt = state
        .store()
        .ledger()
        .replay_receipt(agency, query_id)
        .await?
        .filter(|r| r.user() == who.user.id)
        .ok_or_else(ApiError::not_found)?;
    state
        .store()
        .reads
        .find_one(&receipt, ReadId(read_id))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mut errors = Vec::new();
    let kind = req
        .kind
        .as_deref()
        .map(str::trim)
        .filter(|k| KINDS.contains(k));
    if kind.is_none() {
        errors.push(
            Violation::new("kind_invalid", "kind", "say what kind of misread it is")
                .accepting(KINDS.join(", ")),
        );
    }
    let note = match req.note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        Some(text) => Note::parse(text).map(Some),
        None => Ok(None),
    };
    if let Err(e) = &note {
        errors.push(
            Violation::new("note_invalid", "note", format!("the note {e}"))
                .accepting("up to 1000 characters, or none"),
        );
    }
    let photo_plate = match req
        .photo_plate
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(raw) => match Plate::parse(raw) {
            Ok(p) if kind == Some("plate_mismatch") => Some(p.as_str().to_owned()),
            Ok(_) => {
                errors.push(
                    Violation::new(
                        "photo_plate_unexpected",
                        "photo_plate",
                        "a plate as the photo shows it goes with a plate read wrongly",
                    )
                    .accepting("kind plate_mismatch, or no photo_plate"),
                );
                None
            }
            Err(e) => {
                errors.push(
                    Violation::new("photo_plate_invalid", "photo_plate", e.to_string())
                        .accepting("the whole plate as the photo shows it, e.g. ABC128"),
                );
                None
            }
        },
        None => None,
    };
    let (Some(kind), Ok(note), true) = (kind, note, errors.is_empty()) else {
        return Err(ApiError::violations(
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
        ));
    };
    let id = state
        .store()
        .misreads()
        .report(
            agency,
            who.user.id,
            ReadId(read_id),
            kind,
            photo_plate.as_deref(),
            state.now(),
        )
        .await?;
    state
        .store()
        .ledger()
        .append(
            EntryDraft::new(
                who.scope(),
                who.actor(),
                "misread.reported",
                Outcome::Success,
            )
            .session(who.session.id.as_str())
            .field("report_id", id)
            .field("query_seq", query_id)
            .field("read_id", read_id)
            .field("kind", kind)
            .field("photo_plate", photo_plate.as_deref())
            .field("note", note.as_ref().map(Note::as_str)),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(MisreadFiled {
            report_id: id,
            status: "open".into(),
        }),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueuedRead {
    pub read_id: i64,
    pub plate: String,
    pub state: String,
    #[schema(format = DateTime)]
    pub captured_at: String,
    pub source: String,
    pub nearest_address: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueuedReport {
    pub id: i64,
    pub kind: String,
    /// With plate_mismatch, the plate as the reporter reads the photo; the
    /// reporter's note is not here (it stays in the agency's log).
    pub photo_plate: Option<String>,
    pub status: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub resolved_at: Option<String>,
    /// The read as stored; absent if retention has already removed it.
    pub read: Option<QueuedRead>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MisreadQueue {
    pub reports: Vec<QueuedReport>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct QueueParams {
    /// Include resolved reports too.
    pub all: Option<bool>,
}

/// The operator's misread queue: the reads, without any agency's query context.
#[utoipa::path(get, path = "/api/v1/admin/misreads", tag = "operator",
    security(("session" = [])),
    params(QueueParams),
    responses((status = 200, body = MisreadQueue), (status = 403, body = crate::error::Problem)))]
pub async fn queue(
    State(state): State<AppState>,
    who: ConsentedUser,
    Query(p): Query<QueueParams>,
) -> Result<Json<MisreadQueue>, ApiError> {
    who.require(&[Role::OperatorAdmin])?;
    let sources = state.store().sources().by_ids().await?;
    let mut reports = Vec::new();
    for r in state
        .store()
        .misreads()
        .queue(p.all.unwrap_or(false))
        .await?
    {
        let read = state
            .store()
            .reads
            .get(r.read_id)
            .await?
            .map(|read| QueuedRead {
                read_id: read.id.0,
                plate: read.read.plate.as_str().to_owned(),
                state: read.read.jurisdiction.code().to_owned(),
                captured_at: rfc3339(read.read.captured_at),
                source: sources
                    .get(&read.read.source_id)
                    .map(|s| s.name.clone())
                    .unwrap_or_default(),
                nearest_address: read.read.nearest_address.as_str().to_owned(),
            });
        reports.push(QueuedReport {
            id: r.id,
            kind: r.kind,
            photo_plate: r.photo_plate,
            status: r.status,
            created_at: rfc3339(r.created_at),
            resolved_at: r.resolved_at.map(rfc3339),
            read,
        });
    }
    Ok(Json(MisreadQueue { reports }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Resolution {
    /// confirmed or not_misread.
    pub outcome: Option<String>,
    pub note: Option<String>,
}

/// Resolves a report: a confirmed misread leaves later query results; the
/// reporter is notified either way.
#[utoipa::path(post, path = "/api/v1/admin/misreads/{report_id}/resolve", tag = "operator",
    security(("session" = [])),
    params(("report_id" = i64, Path)),
    request_body = Resolution,
    responses((status = 204), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn resolve(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(report_id): Path<i64>,
    ApiJson(req): ApiJson<Resolution>,
) -> Result<StatusCode, ApiError> {
    who.require(&[Role::OperatorAdmin])?;
    let outcome = match req.outcome.as_deref().map(str::trim) {
        Some(o @ ("confirmed" | "not_misread")) => o.to_owned(),
        _ => {
            return Err(ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                Violation::new("outcome_invalid", "outcome", "say whether it was a misread")
                    .accepting("confirmed, not_misread"),
            ));
        }
    };
    let note = req
        .note
        .unwrap_or_default()
        .trim()
        .chars()
        .take(1000)
        .collect::<String>();
    let misreads = state.store().misreads();
    let report = misreads
        .get(report_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if report.status != "open" {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "report_resolved",
            format!("already resolved: {}", report.status),
        ));
    }
    let now = state.now();
    if outcome == "confirmed" {
        // Idempotent, so it goes first: a crash before the resolution
        // commits leaves the report open and the read already out.
        state
            .store()
            .reads
            .suppress(report.read_id, &format!("misread report {report_id}"), now)
            .await?;
    }
    let reporter = state
        .store()
        .tenancy()
        .user(report.reporter_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let (subject, body) = if outcome == "confirmed" {
        (
            "Your misread report was confirmed".to_owned(),
            format!(
                "The read you reported (read {}) was a misread. It no longer appears in new query results.\n\n{note}\n",
                report.read_id
            ),
        )
    } else {
        (
            "Your misread report was reviewed".to_owned(),
            format!(
                "The read you reported (read {}) was checked and is correct as recorded.\n\n{note}\n",
                report.read_id
            ),
        )
    };
    let mut tx = state.store().db.begin_write().await?;
    if !misreads
        .resolve(&mut tx, report_id, &outcome, who.user.id, &note, now)
        .await?
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "report_resolved",
            "already resolved",
        ));
    }
    misreads
        .notify_reporter(&mut tx, &report, &subject, &body, now)
        .await?;
    enqueue(
        &mut tx,
        &OutboxMessage {
            agency_id: Some(report.agency_id),
            dedupe_key: format!("misread:{report_id}"),
            recipient: reporter.email.clone(),
            subject,
            body,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    state.notifier().wake.notify_one();
    let ledger = state.store().ledger();
    ledger
        .append(
            EntryDraft::new(
                TenantScope::Operator,
                who.actor(),
                "misread.resolved",
                Outcome::Success,
            )
            .session(who.session.id.as_str())
            .field("report_id", report_id)
            .field("read_id", report.read_id.0)
            .field("outcome", outcome.as_str()),
        )
        .await?;
    ledger
        .append(
            EntryDraft::new(
                TenantScope::Agency(report.agency_id),
                Actor::System,
                "misread.reporter_notified",
                Outcome::Success,
            )
            .field("report_id", report_id)
            .field("outcome", outcome.as_str())
            .field(
                "reporter",
                serde_json::to_value(user_actor(reporter.id, &reporter.username))
                    .unwrap_or_default(),
            ),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One photo (vehicle or plate) of the read a misread report names, for the
/// operator checking the report. Only reads named by a report, and every
/// view in the operator's log before the bytes leave.
#[utoipa::path(get, path = "/api/v1/admin/misreads/{report_id}/photos/{kind}", tag = "operator",
    security(("session" = [])),
    params(("report_id" = i64, Path), ("kind" = String, Path, description = "vehicle or plate")),
    responses((status = 200, description = "the image (PNG, JPEG or WebP)", content_type = "image/*"),
              (status = 403, body = crate::error::Problem),
              (status = 404, description = "no such report, photo, or the read is gone", body = crate::error::Problem)))]
pub async fn photo(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path((report_id, kind)): Path<(i64, String)>,
) -> Result<Response, ApiError> {
    who.require(&[Role::OperatorAdmin])?;
    if kind != "vehicle" && kind != "plate" {
        return Err(ApiError::not_found());
    }
    let report = state
        .store()
        .misreads()
        .get(report_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let read = state
        .store()
        .reads
        .get(report.read_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let blob = if kind == "vehicle" {
        read.read.vehicle_photo
    } else {
        read.read.plate_photo
    };
    let bytes = crate::routes::photos::stored_blob(&state, blob).await?;
    state
        .store()
        .ledger()
        .append(
            EntryDraft::new(
                TenantScope::Operator,
                who.actor(),
                "misread.photo_viewed",
                Outcome::Success,
            )
            .session(who.session.id.as_str())
            .field("report_id", report_id)
            .field("read_id", report.read_id.0)
            .field("kind", kind.as_str()),
        )
        .await?;
    let mime = sightline_ingest::check_photo("photo", &bytes).unwrap_or("application/octet-stream");
    Ok((
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        bytes,
    )
        .into_response())
}
