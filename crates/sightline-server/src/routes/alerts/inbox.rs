//! The in-app notification inbox: every agency user may read their own.

use super::dto::{InboxResponse, NotificationDto};
use crate::app::AppState;
use crate::auth::ConsentedUser;
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;

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
    let items = state
        .store()
        .alerts()
        .inbox(agency, who.user.id, 200)
        .await?;
    Ok(Json(InboxResponse {
        notifications: items.iter().map(NotificationDto::from).collect(),
    }))
}
