//! Photos of query results, served only to the session that ran the query.

use crate::app::AppState;
use crate::auth::ConsentedUser;
use crate::error::ApiError;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use sightline_audit::{EntryDraft, Outcome};
use sightline_core::ReadId;

/// A stored blob's bytes, read on the blocking pool; 404 when it is gone.
pub(crate) async fn stored_blob(
    state: &AppState,
    blob: sightline_core::read::BlobId,
) -> Result<Vec<u8>, ApiError> {
    let blobs = state.store().blobs.clone();
    tokio::task::spawn_blocking(move || blobs.get(&blob))
        .await
        .map_err(|e| ApiError::internal(e.into()))??
        .ok_or_else(ApiError::not_found)
}

/// One photograph of one result of one of your queries in this session.
#[utoipa::path(get, path = "/api/v1/queries/{query_id}/reads/{read_id}/photos/{kind}", tag = "queries",
    security(("session" = [])),
    params(("query_id" = i64, Path, description = "the query id from POST /api/v1/queries"),
           ("read_id" = i64, Path, description = "a read in that query's results"),
           ("kind" = String, Path, description = "vehicle or plate")),
    responses((status = 200, description = "the image (PNG, JPEG or WebP)", content_type = "image/*"),
              (status = 404, description = "no such photo for this session", body = crate::error::Problem)))]
pub async fn photo(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path((query_id, read_id, kind)): Path<(i64, i64, String)>,
) -> Result<Response, ApiError> {
    let agency = who.agency().map_err(|_| ApiError::not_found())?;
    if kind != "vehicle" && kind != "plate" {
        return Err(ApiError::not_found());
    }
    let receipt = state
        .store()
        .ledger()
        .query_receipt(agency, query_id, who.user.id, &who.session.id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let read = state
        .store()
        .reads
        .find_one(&receipt, ReadId(read_id))
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
                who.scope(),
                who.actor(),
                "query.photo_viewed",
                Outcome::Success,
            )
            .session(who.session.id.as_str())
            .field("query_seq", query_id)
            .field("read_id", read_id)
            .field("kind", kind),
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
