//! Reading a plate from a photo, for the web app's camera button. A
//! placeholder until the OCR engine lands: it takes the photo, records the
//! request in the agency's audit log (the photo's SHA-256 and size, never
//! the photo: nothing of it reaches the read store), and answers that the
//! feature is not available yet, so the web app falls back to typing.

use crate::app::AppState;
use crate::auth::ConsentedUser;
use crate::error::ApiError;
use axum::extract::{DefaultBodyLimit, FromRequest as _, Request, State};
use axum::http::{StatusCode, header};
use bytes::Bytes;
use serde_json::Value;
use sightline_audit::{EntryDraft, Outcome};
use sightline_core::{Role, Violation};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The largest photo accepted: a full-resolution phone camera JPEG.
pub const MAX_PHOTO_BYTES: usize = 15 * 1024 * 1024;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(read_plate))
        .layer(DefaultBodyLimit::max(MAX_PHOTO_BYTES))
}

fn unsupported_type() -> ApiError {
    ApiError::field(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        Violation::new(
            "photo_type_unsupported",
            "body",
            "send the photo itself as the request body, with its image Content-Type",
        )
        .accepting("image/* (e.g. image/jpeg, image/png, image/heic)"),
    )
}

fn too_large() -> ApiError {
    ApiError::field(
        StatusCode::PAYLOAD_TOO_LARGE,
        Violation::new(
            "photo_too_large",
            "body",
            "the photo is larger than Sightline accepts",
        )
        .accepting("a photo of at most 15 MB"),
    )
}

fn unavailable() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "ocr_unavailable",
        "Reading plates from photos is not available on this server yet: type the plate and state.",
    )
}

/// Reads the plate and state from a photo (not available yet: always 503
/// `ocr_unavailable`). Every call is audited as `ocr.requested`.
#[utoipa::path(post, path = "/api/v1/ocr/plate", tag = "queries",
    security(("session" = [])),
    request_body(content = Vec<u8>, content_type = "image/*",
        description = "the photo itself, at most 15 MB"),
    responses(
        (status = 503, description = "ocr_unavailable: type the plate and state instead", body = crate::error::Problem),
        (status = 413, description = "photo_too_large: over 15 MB", body = crate::error::Problem),
        (status = 415, description = "photo_type_unsupported: not an image/* Content-Type", body = crate::error::Problem),
        (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem),
    ))]
pub async fn read_plate(
    State(state): State<AppState>,
    who: ConsentedUser,
    req: Request,
) -> Result<StatusCode, ApiError> {
    who.require(&[Role::Investigator])?;
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let is_image = content_type
        .strip_prefix("image/")
        .is_some_and(|sub| !sub.is_empty());
    let (answer, photo) = if !is_image {
        (unsupported_type(), None)
    } else {
        match Bytes::from_request(req, &()).await {
            Ok(photo) => (unavailable(), Some(photo)),
            Err(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => (too_large(), None),
            Err(r) => (
                ApiError::field(
                    r.status(),
                    Violation::new("photo_unreadable", "body", r.body_text()),
                ),
                None,
            ),
        }
    };
    let clipped: String = content_type.chars().take(64).collect();
    state
        .store()
        .ledger()
        .append(
            EntryDraft::new(who.scope(), who.actor(), "ocr.requested", Outcome::Failed)
                .session(who.session.id.as_str())
                .field("content_type", clipped)
                .field("code", answer.code())
                .field(
                    "photo_sha256",
                    photo
                        .as_deref()
                        .map_or(Value::Null, |p| sightline_store::sha256_hex(p).into()),
                )
                .field(
                    "photo_bytes",
                    photo.as_ref().map_or(Value::Null, |p| p.len().into()),
                ),
        )
        .await?;
    Err(answer)
}
