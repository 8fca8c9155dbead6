//! Reading a plate from a photo, for the web app's camera button (R3.8).
//!
//! The investigator's photo is read and the candidates go back for them to
//! pick or correct; nothing is queried. The photo is kept for audit only:
//! sealed under the agency's data key, stored as a blob that no read points
//! at, and named by the `ocr.read` entry that records the candidates. It
//! never reaches the read store or the alert matcher. An auditor of the
//! agency can view it through that entry.

use crate::app::AppState;
use crate::auth::ConsentedUser;
use crate::error::ApiError;
use crate::ocr::OcrOutcome;
use axum::Json;
use axum::extract::{DefaultBodyLimit, FromRequest as _, Multipart, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sightline_audit::{EntryDraft, Outcome};
use sightline_core::read::BlobId;
use sightline_core::{Role, TenantScope, Violation};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The largest photo accepted: a full-resolution phone camera JPEG.
pub const MAX_PHOTO_BYTES: usize = 15 * 1024 * 1024;
/// The largest request: a photo at the limit, base64 in JSON.
const MAX_BODY_BYTES: usize = MAX_PHOTO_BYTES / 3 * 4 + 64 * 1024;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(read_plate))
        .routes(routes!(ocr_photo))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

const ACCEPTED: &str = "a JPEG or PNG photo: as the body with its image/* Content-Type, as the `photo` part of multipart/form-data, or as JSON {\"photo\": \"<base64>\"}";

fn unsupported_type(detail: &str) -> ApiError {
    ApiError::field(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        Violation::new("photo_type_unsupported", "photo", detail).accepting(ACCEPTED),
    )
}

fn too_large() -> ApiError {
    ApiError::field(
        StatusCode::PAYLOAD_TOO_LARGE,
        Violation::new(
            "photo_too_large",
            "photo",
            "the photo is larger than Sightline accepts",
        )
        .accepting("a photo of at most 15 MB"),
    )
}

fn unreadable(detail: String) -> ApiError {
    ApiError::field(
        StatusCode::UNPROCESSABLE_ENTITY,
        Violation::new("photo_unreadable", "photo", &detail)
            .accepting("a JPEG or PNG of at most 50 megapixels, 12,000 pixels a side"),
    )
}

fn unavailable() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "ocr_unavailable",
        "Reading plates from photos is not available on this server: type the plate and state.",
    )
}

#[derive(Debug, Deserialize)]
struct JsonPhoto {
    photo: String,
}

/// The photo from whichever of the three forms the request used, with
/// the Content-Type it came as.
async fn photo_of(req: Request) -> Result<(Bytes, String), ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let body_error = |r: axum::extract::rejection::BytesRejection| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            ApiError::field(
                r.status(),
                Violation::new("photo_unreadable", "photo", r.body_text()),
            )
        }
    };
    let (photo, kind) = if essence
        .strip_prefix("image/")
        .is_some_and(|s| !s.is_empty())
    {
        (
            Bytes::from_request(req, &()).await.map_err(body_error)?,
            essence,
        )
    } else if essence == "application/json" {
        let body = Bytes::from_request(req, &()).await.map_err(body_error)?;
        let parsed: JsonPhoto = serde_json::from_slice(&body).map_err(|e| {
            ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                Violation::new(
                    "photo_unreadable",
                    "photo",
                    format!("the JSON body is not {{\"photo\": \"<base64>\"}}: {e}"),
                )
                .accepting(ACCEPTED),
            )
        })?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(parsed.photo.trim())
            .map_err(|e| {
                ApiError::field(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Violation::new(
                        "photo_unreadable",
                        "photo",
                        format!("`photo` is not base64: {e}"),
                    )
                    .accepting("standard base64 with padding"),
                )
            })?;
        (Bytes::from(bytes), "application/json".to_owned())
    } else if essence == "multipart/form-data" {
        let mut form = Multipart::from_request(req, &())
            .await
            .map_err(|e| unsupported_type(&e.body_text()))?;
        let mut found = None;
        loop {
            match form.next_field().await {
                Ok(Some(field)) if field.name() == Some("photo") => {
                    let kind = field
                        .content_type()
                        .unwrap_or("application/octet-stream")
                        .to_owned();
                    let bytes = field.bytes().await.map_err(|e| {
                        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                            too_large()
                        } else {
                            ApiError::field(
                                e.status(),
                                Violation::new("photo_unreadable", "photo", e.body_text()),
                            )
                        }
                    })?;
                    found = Some((bytes, kind));
                    break;
                }
                Ok(Some(_)) => continue,
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
                Err(e) => return Err(unsupported_type(&e.body_text())),
            }
        }
        found.ok_or_else(|| unsupported_type("the form has no `photo` part"))?
    } else {
        return Err(unsupported_type(
            "send the photo as the body with its image Content-Type, as a form's `photo` part, or as JSON",
        ));
    };
    if photo.len() > MAX_PHOTO_BYTES {
        return Err(too_large());
    }
    if photo.is_empty() {
        return Err(unreadable("the photo is empty".into()));
    }
    // Photos straight off an iPhone are HEIC; browsers send them as JPEG.
    if photo
        .get(4..12)
        .is_some_and(|b| b.starts_with(b"ftyphei") || b.starts_with(b"ftypmif1"))
    {
        return Err(unsupported_type(
            "HEIC photos are not read: choose the photo through the browser, which sends it as JPEG, or export it as JPEG",
        ));
    }
    Ok((photo, kind))
}

/// One reading of the plate.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OcrCandidate {
    /// Letters and digits, as a query would name the plate.
    pub plate: String,
    /// 0 to 1.
    pub confidence: f32,
    /// USPS code, or null when nothing on the photo shows the state.
    pub state: Option<String>,
    pub state_confidence: f32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OcrReading {
    /// The best reading's plate, or null when no plate was found.
    pub plate: Option<String>,
    pub state: Option<String>,
    pub confidence: f32,
    pub state_confidence: f32,
    /// The best reading first, then up to three alternatives. The officer
    /// picks or corrects one; nothing is queried until they run the query.
    pub candidates: Vec<OcrCandidate>,
    /// The `ocr.read` entry of the agency's log that keeps the photo.
    pub audit_seq: i64,
}

#[cfg(feature = "ocr")]
fn candidates(reading: &sightline_ocr::Reading) -> Vec<OcrCandidate> {
    reading
        .best
        .iter()
        .chain(&reading.alternatives)
        .map(|c| OcrCandidate {
            plate: c.plate.clone(),
            confidence: c.confidence,
            state: c.state.map(str::to_owned),
            state_confidence: c.state_confidence,
        })
        .collect()
}

/// Reads the plate and state from a photo and returns the candidates for
/// the officer to confirm. The photo is kept, sealed, for audit only
/// (`ocr.read`); refusals are audited as `ocr.requested`.
#[utoipa::path(post, path = "/api/v1/ocr/plate", tag = "queries",
    security(("session" = [])),
    request_body(content = Vec<u8>, content_type = "image/*",
        description = "the photo itself (JPEG or PNG, at most 15 MB); also accepted as the `photo` part of multipart/form-data or as JSON {\"photo\": \"<base64>\"}"),
    responses(
        (status = 200, body = OcrReading),
        (status = 503, description = "ocr_unavailable: type the plate and state instead", body = crate::error::Problem),
        (status = 413, description = "photo_too_large: over 15 MB", body = crate::error::Problem),
        (status = 415, description = "photo_type_unsupported", body = crate::error::Problem),
        (status = 422, description = "photo_unreadable: not a JPEG or PNG, or too many pixels", body = crate::error::Problem),
        (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem),
    ))]
pub async fn read_plate(
    State(state): State<AppState>,
    who: ConsentedUser,
    req: Request,
) -> Result<Json<OcrReading>, ApiError> {
    who.require(&[Role::Investigator])?;
    let agency = who.agency()?;
    let ledger = state.store().ledger();
    let refused = |code: &str, kind: &str, photo: Option<&Bytes>| {
        EntryDraft::new(who.scope(), who.actor(), "ocr.requested", Outcome::Failed)
            .session(who.session.id.as_str())
            .field("content_type", kind.chars().take(64).collect::<String>())
            .field("code", code)
            .field(
                "photo_sha256",
                photo.map_or(Value::Null, |p| sightline_store::sha256_hex(p).into()),
            )
            .field("photo_bytes", photo.map_or(Value::Null, |p| p.len().into()))
    };
    let (photo, kind) = match photo_of(req).await {
        Ok(p) => p,
        Err(e) => {
            ledger.append(refused(e.code(), "", None)).await?;
            return Err(e);
        }
    };
    let started = std::time::Instant::now();
    let reading = match state.ocr().read(photo.clone()).await {
        #[cfg(feature = "ocr")]
        OcrOutcome::Read(r) => r,
        OcrOutcome::Unreadable(detail) => {
            let e = unreadable(detail);
            ledger
                .append(refused(e.code(), &kind, Some(&photo)))
                .await?;
            return Err(e);
        }
        OcrOutcome::Unavailable(why) => {
            tracing::error!(error = %why, "plate reading is unavailable");
            let e = unavailable();
            ledger
                .append(refused(e.code(), &kind, Some(&photo)))
                .await?;
            return Err(e);
        }
    };
    #[cfg(feature = "ocr")]
    {
        let elapsed_ms = started.elapsed().as_millis() as i64;
        let found = candidates(&reading);
        // Audit first: the photo is sealed and stored, then the entry naming
        // it and the candidates is appended, then the answer leaves.
        let sealed = ledger
            .field_keys()
            .seal_bytes(agency, state.now(), &photo)
            .await
            .map_err(ApiError::internal)?;
        let blobs = state.store().blobs.clone();
        let blob = tokio::task::spawn_blocking(move || blobs.put(&sealed))
            .await
            .map_err(|e| ApiError::internal(e.into()))?
            .map_err(ApiError::internal)?;
        let best = found.first();
        let entry = ledger
            .append(
                EntryDraft::new(who.scope(), who.actor(), "ocr.read", Outcome::Success)
                    .session(who.session.id.as_str())
                    .field("content_type", kind.chars().take(64).collect::<String>())
                    .field("photo_sha256", sightline_store::sha256_hex(&photo))
                    .field("photo_bytes", photo.len())
                    .field("photo_blob", blob.as_str())
                    .field(
                        "plate",
                        best.map_or(Value::Null, |c| c.plate.clone().into()),
                    )
                    .field("candidates", json!(found))
                    .field("elapsed_ms", elapsed_ms),
            )
            .await?;
        Ok(Json(OcrReading {
            plate: best.map(|c| c.plate.clone()),
            state: best.and_then(|c| c.state.clone()),
            confidence: best.map_or(0.0, |c| c.confidence),
            state_confidence: best.map_or(0.0, |c| c.state_confidence),
            candidates: found,
            audit_seq: entry.seq,
        }))
    }
    #[cfg(not(feature = "ocr"))]
    {
        let _ = (reading, started, agency);
        Err(unavailable())
    }
}

/// The photo an `ocr.read` entry keeps, for the agency's auditors. Viewing
/// it is audited (`ocr.photo_viewed`).
#[utoipa::path(get, path = "/api/v1/audit/entries/{seq}/ocr-photo", tag = "audit",
    security(("session" = [])),
    params(("seq" = i64, Path, description = "an ocr.read entry of your agency's log")),
    responses(
        (status = 200, description = "the photo as it was sent", content_type = "image/jpeg"),
        (status = 404, description = "no such ocr.read entry in your agency's log, or its key was destroyed", body = crate::error::Problem),
        (status = 403, body = crate::error::Problem),
    ))]
pub async fn ocr_photo(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(seq): Path<i64>,
) -> Result<Response, ApiError> {
    who.require(&[Role::Auditor])?;
    let agency = who.agency()?;
    let ledger = state.store().ledger();
    let entry = ledger
        .entry(TenantScope::Agency(agency), seq)
        .await?
        .ok_or_else(ApiError::not_found)?
        .entry;
    if entry.action != "ocr.read" {
        return Err(ApiError::not_found());
    }
    let blob = entry
        .field_str("photo_blob")
        .and_then(|b| BlobId::parse(b).ok())
        .ok_or_else(ApiError::not_found)?;
    let blobs = state.store().blobs.clone();
    let sealed = tokio::task::spawn_blocking(move || blobs.get(&blob))
        .await
        .map_err(|e| ApiError::internal(e.into()))?
        .map_err(ApiError::internal)?
        .ok_or_else(ApiError::not_found)?;
    let photo = ledger
        .field_keys()
        .open_bytes(agency, &sealed)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(ApiError::not_found)?;
    ledger
        .append(
            EntryDraft::new(
                who.scope(),
                who.actor(),
                "ocr.photo_viewed",
                Outcome::Success,
            )
            .session(who.session.id.as_str())
            .field("ocr_seq", seq),
        )
        .await?;
    let kind = if photo.starts_with(b"\x89PNG") {
        "image/png"
    } else {
        "image/jpeg"
    };
    Ok((
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        photo,
    )
        .into_response())
}
