//! The printable report of a query (issue 9), for the user and session that
//! ran it, like its photo links. Built only from what the query logged: its
//! `query.run` entry (who, why, for what, when) and the results its receipt
//! opens, never a new search. The download is itself audited, with the
//! PDF's SHA-256, before a byte of it is sent: no audit entry, no PDF.

use crate::app::AppState;
use crate::auth::ConsentedUser;
use crate::error::ApiError;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use sha2::{Digest as _, Sha256};
use sightline_audit::{EntryDraft, Outcome};
use sightline_core::clock::from_micros;
use sightline_core::{AgencyId, TenantScope};
use sightline_reports::{
    CheckpointRef, QueryReport, RenderOptions, ReportHeader, ReportRead, render_query_report,
};
use sightline_store::{Ledger, StoredCheckpoint};

/// The audit action of a report download.
pub const REPORT_ACTION: &str = "query.report_downloaded";

/// Reports rendered at once in this process: each already uses every core
/// for its maps, so more would only make them all slower.
static RENDERS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// The signed checkpoint that covers entry `seq`: the latest, or, if that
/// is older than the entry, one signed now. `None` if none can be had yet
/// (the report then says how to verify later).
async fn covering(ledger: &Ledger, scope: TenantScope, seq: i64) -> Option<StoredCheckpoint> {
    let need = u64::try_from(seq).ok()?;
    let covers = |c: &StoredCheckpoint| c.size >= need;
    match ledger.latest_checkpoint(scope).await {
        Ok(Some(c)) if covers(&c) => return Some(c),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = ?e, "reading the latest checkpoint for a report"),
    }
    match ledger.checkpoint(scope).await {
        Ok(signed) => signed.filter(covers),
        Err(e) => {
            tracing::error!(error = %e, "no checkpoint could be signed for a report");
            None
        }
    }
}

async fn agency_name(state: &AppState, agency: AgencyId) -> Result<String, ApiError> {
    Ok(state
        .store()
        .tenancy()
        .agencies()
        .await?
        .into_iter()
        .find(|a| a.id == agency)
        .map_or_else(|| format!("agency {}", agency.0), |a| a.name))
}

/// A PDF report of one of your queries in this session: the query, its
/// audit reference, and every result with both photos and two maps.
#[utoipa::path(get, path = "/api/v1/queries/{query_id}/report.pdf", tag = "queries",
    security(("session" = [])),
    params(("query_id" = i64, Path, description = "the query id from POST /api/v1/queries")),
    responses(
        (status = 200, description = "the report, as an attachment named sightline-query-<id>.pdf; its download is in the audit log (query.report_downloaded)", content_type = "application/pdf", body = Vec<u8>),
        (status = 404, description = "no such query of yours in this session", body = crate::error::Problem),
        (status = 503, description = "audit_unavailable: the download could not be logged, so no report was sent", body = crate::error::Problem),
    ))]
pub async fn report(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(query_id): Path<i64>,
) -> Result<Response, ApiError> {
    let agency = who.agency().map_err(|_| ApiError::not_found())?;
    let ledger = state.store().ledger();
    let receipt = ledger
        .query_receipt(agency, query_id, who.user.id, &who.session.id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let scope = TenantScope::Agency(agency);
    let logged = ledger
        .entry(scope, query_id)
        .await?
        .ok_or_else(ApiError::not_found)?
        .entry;
    let reads = state.store().reads.find(&receipt).await?;
    let sources = state.store().sources().by_ids().await?;
    let blobs = state.store().blobs.clone();
    let wanted: Vec<_> = reads
        .iter()
        .map(|r| (r.read.vehicle_photo.clone(), r.read.plate_photo.clone()))
        .collect();
    let photos = tokio::task::spawn_blocking(move || {
        let get = |id| {
            blobs.get(id).unwrap_or_else(|e| {
                tracing::warn!(error = ?e, "a photo for a report could not be read");
                None
            })
        };
        wanted
            .iter()
            .map(|(v, p)| (get(v), get(p)))
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| ApiError::internal(e.into()))?;

    let text = |k: &str| logged.field_str(k).unwrap_or_default().to_owned();
    let tf = receipt.timeframe();
    let checkpoint = covering(&ledger, scope, query_id).await;
    let header = ReportHeader {
        agency: agency_name(&state, agency).await?,
        user: format!("{} ({})", who.user.display_name, who.user.username),
        on_behalf_of: logged.field_str("on_behalf_of").map(str::to_owned),
        reason_code: text("reason_code"),
        program: logged.field_str("program").map(str::to_owned),
        case_reference: text("case_reference"),
        plate: receipt.plate().as_str().to_owned(),
        state: receipt.jurisdiction().code().to_owned(),
        timeframe_start: logged
            .field_i64("from")
            .map_or_else(|| tf.start(), from_micros),
        timeframe_end: logged.field_i64("to").map_or_else(|| tf.end(), from_micros),
        ran_at: from_micros(logged.at),
        log: scope.log_id(),
        seq: query_id,
        checkpoint: checkpoint.as_ref().map(|c| CheckpointRef {
            tree_size: c.size,
            root_hash: c.root,
            signed_at: c.at,
        }),
        generated_at: state.now(),
    };
    let read_count = reads.len();
    let report = QueryReport {
        header,
        reads: reads
            .into_iter()
            .zip(photos)
            .map(|(r, (vehicle, plate))| {
                let src = sources.get(&r.read.source_id);
                ReportRead {
                    read_id: r.id.0,
                    captured_at: r.read.captured_at,
                    source_name: src.map(|s| s.name.clone()).unwrap_or_default(),
                    source_kind: src.map(|s| s.kind.label().to_owned()).unwrap_or_default(),
                    nearest_address: r.read.nearest_address.as_str().to_owned(),
                    nearest_intersection: r.read.nearest_intersection.as_str().to_owned(),
                    lat: r.read.location.lat(),
                    lon: r.read.location.lon(),
                    vehicle_photo: vehicle,
                    plate_photo: plate,
                }
            })
            .collect(),
    };
    let rendered = {
        let _permit = RENDERS
            .acquire()
            .await
            .map_err(|e| ApiError::internal(e.into()))?;
        let layer = state.maps().and_then(|m| m.street());
        render_query_report(report, layer, RenderOptions::default())
            .await
            .map_err(|e| ApiError::internal(e.into()))?
    };
    if rendered.maps_missing > 0 {
        tracing::warn!(
            missing = rendered.maps_missing,
            "a report's maps could not all be drawn"
        );
    }
    let digest = hex::encode(Sha256::digest(&rendered.pdf));
    ledger
        .append(
            EntryDraft::new(who.scope(), who.actor(), REPORT_ACTION, Outcome::Success)
                .session(who.session.id.as_str())
                .field("query_seq", query_id)
                .field("read_count", read_count)
                .field("pages", rendered.pages)
                .field("checkpoint_size", checkpoint.map(|c| c.size))
                .field("sha256", digest),
        )
        .await?;
    let disposition = format!("attachment; filename=\"sightline-query-{query_id}.pdf\"");
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        rendered.pdf,
    )
        .into_response())
}
