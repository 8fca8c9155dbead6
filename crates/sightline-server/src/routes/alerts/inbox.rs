//! The in-app notification inbox: every agency user may read their own and
//! mark them read; the header badge polls the unread count.

use super::dto::{InboxResponse, NotificationDto, UnreadCount};
use crate::app::AppState;
use crate::auth::ConsentedUser;
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

/// Your notifications, newest first: hits, de-confliction notices and
/// renewal prompts.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "alerts",
    security(("session" = [])),
    responses(
        (status = 200, body = InboxResponse),
        (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem),
    ))]
pub async fn inbox(
    State(state): State<AppState>,
    who: ConsentedUser,
) -> Result<Json<InboxResponse>, ApiError> {
    let agency = who.agency()?;
    let alerts = state.store().alerts();
    let items = alerts.inbox(agency, who.user.id, 200).await?;
    let unread = alerts.unread_count(agency, who.user.id).await?;
    Ok(Json(InboxResponse {
        notifications: items.iter().map(NotificationDto::from).collect(),
        unread,
    }))
}

/// How many of your notifications are unread (cheap: for polling).
#[utoipa::path(get, path = "/api/v1/notifications/unread", tag = "alerts",
    security(("session" = [])),
    responses(
        (status = 200, body = UnreadCount),
        (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem),
    ))]
pub async fn unread(
    State(state): State<AppState>,
    who: ConsentedUser,
) -> Result<Json<UnreadCount>, ApiError> {
    let agency = who.agency()?;
    let unread = state
        .store()
        .alerts()
        .unread_count(agency, who.user.id)
        .await?;
    Ok(Json(UnreadCount { unread }))
}

/// Marks one of your notifications read (again is harmless). Anyone else's
/// is "not found".
#[utoipa::path(post, path = "/api/v1/notifications/{notification_id}/read", tag = "alerts",
    security(("session" = [])),
    params(("notification_id" = i64, Path, description = "the notification")),
    responses(
        (status = 204),
        (status = 404, body = crate::error::Problem),
        (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem),
    ))]
pub async fn mark_read(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(notification_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let agency = who.agency()?;
    let id = notification_id
        .trim()
        .parse::<i64>()
        .map_err(|_| ApiError::not_found())?;
    let found = state
        .store()
        .alerts()
        .mark_read(agency, who.user.id, id, state.now())
        .await?;
    if found {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found())
    }
}
