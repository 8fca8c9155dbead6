//! Keys for the web app's encrypted drafts on the device (R3.8: data saved
//! on the device is deleted after 60 days). The app encrypts what it keeps
//! under the key of the day it wrote it and asks for older days' keys by
//! id; once a day's drafts are past 60 days its key is refused (410), so
//! whatever is left in the browser can no longer be read. Keys are derived,
//! never stored (see `sightline_core::device_key`).

use crate::app::AppState;
use crate::auth::ConsentedUser;
use crate::error::ApiError;
use crate::routes::session::rfc3339;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use base64::Engine as _;
use serde::Serialize;
use sightline_core::Violation;
use sightline_core::device_key::{self, KeyDayError};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceKey {
    /// The day the key belongs to, as a Unix day number (days since
    /// 1970-01-01 UTC).
    pub key_id: i64,
    /// 32 bytes, base64 (standard alphabet, padded): an AES-256 key.
    pub key: String,
    /// The server's now, so the app can date its drafts by the server clock.
    #[schema(format = DateTime)]
    pub server_time: String,
    /// How long drafts may be kept.
    pub max_age_days: i64,
}

async fn key_for(
    state: &AppState,
    who: &ConsentedUser,
    key_id: i64,
) -> Result<Json<DeviceKey>, ApiError> {
    let now = state.now();
    match device_key::check_key_id(key_id, now) {
        Ok(()) => {}
        Err(KeyDayError::Future) => {
            return Err(ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                Violation::new("key_id_invalid", "key_id", "that day has not begun yet").accepting(
                    format!(
                        "a day number no later than today's ({})",
                        device_key::key_id_at(now)
                    ),
                ),
            ));
        }
        Err(KeyDayError::Expired) => {
            return Err(ApiError::field(
                StatusCode::GONE,
                Violation::new(
                    "device_key_expired",
                    "key_id",
                    "drafts saved on this device that day are more than 60 days old; delete them",
                ),
            ));
        }
    }
    let secret = state.store().device_secret().secret(now).await?;
    let key = device_key::derive(&secret, who.user.id, key_id)
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("deriving a device key")))?;
    Ok(Json(DeviceKey {
        key_id,
        key: base64::engine::general_purpose::STANDARD.encode(key),
        server_time: rfc3339(now),
        max_age_days: device_key::MAX_AGE_DAYS,
    }))
}

/// Today's key for what the web app keeps on this device.
#[utoipa::path(get, path = "/api/v1/device-key", tag = "session",
    security(("session" = [])),
    responses((status = 200, body = DeviceKey), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem)))]
pub async fn today(
    State(state): State<AppState>,
    who: ConsentedUser,
) -> Result<Json<DeviceKey>, ApiError> {
    let key_id = device_key::key_id_at(state.now());
    key_for(&state, &who, key_id).await
}

/// An earlier day's key, while that day's drafts are within 60 days.
#[utoipa::path(get, path = "/api/v1/device-key/{key_id}", tag = "session",
    security(("session" = [])),
    params(("key_id" = i64, Path, description = "the day, as a Unix day number")),
    responses((status = 200, body = DeviceKey),
              (status = 410, description = "device_key_expired: that day's drafts are over 60 days old", body = crate::error::Problem),
              (status = 422, description = "key_id_invalid: a day in the future", body = crate::error::Problem),
              (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn by_id(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(key_id): Path<String>,
) -> Result<Json<DeviceKey>, ApiError> {
    let key_id = key_id.trim().parse::<i64>().map_err(|_| {
        ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            Violation::new("key_id_invalid", "key_id", "a key id is a day number")
                .accepting("the key_id of an earlier GET /api/v1/device-key"),
        )
    })?;
    key_for(&state, &who, key_id).await
}
