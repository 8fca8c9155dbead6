//! Creating and listing alert lists (R3.10: a user's own lists and those of
//! the case teams they are on).

use super::dto::{ListDto, ListsResponse, NewListRequest};
use crate::app::AppState;
use crate::auth::ConsentedUser;
use crate::error::{ApiError, ApiJson};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sightline_audit::{EntryDraft, Outcome};
use sightline_core::Role;
use sightline_store::ListId;

/// Creates an alert list owned by the caller.
#[utoipa::path(post, path = "/api/v1/alert-lists", tag = "alerts",
    security(("session" = [])),
    request_body = NewListRequest,
    responses(
        (status = 201, body = ListDto),
        (status = 422, description = "name_required", body = crate::error::Problem),
        (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem),
    ))]
pub async fn create_list(
    State(state): State<AppState>,
    who: ConsentedUser,
    ApiJson(req): ApiJson<NewListRequest>,
) -> Result<(StatusCode, Json<ListDto>), ApiError> {
    who.require(&[Role::Investigator])?;
    let agency = who.agency()?;
    let name = super::parse::name(req.name.as_deref(), "list")?;
    let alerts = state.store().alerts();
    let id = alerts
        .create_list(agency, who.user.id, name, state.now())
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::CONFLICT,
                "list_exists",
                "you already have a list with this name",
            )
        })?;
    state
        .store()
        .ledger()
        .append(
            EntryDraft::new(
                who.scope(),
                who.actor(),
                "alert.list.created",
                Outcome::Success,
            )
            .session(who.session.id.clone())
            .field("list_id", id.0)
            .field("name", name),
        )
        .await?;
    let list = alerts
        .list(agency, ListId(id.0))
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok((StatusCode::CREATED, Json(ListDto::from(&list))))
}

/// The caller's lists and their case teams' lists.
#[utoipa::path(get, path = "/api/v1/alert-lists", tag = "alerts",
    security(("session" = [])),
    responses(
        (status = 200, body = ListsResponse),
        (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem),
    ))]
pub async fn my_lists(
    State(state): State<AppState>,
    who: ConsentedUser,
) -> Result<Json<ListsResponse>, ApiError> {
    let agency = who.agency()?;
    let lists = state
        .store()
        .alerts()
        .lists_for(agency, who.user.id)
        .await?;
    Ok(Json(ListsResponse {
        lists: lists.iter().map(ListDto::from).collect(),
    }))
}
