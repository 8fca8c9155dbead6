//! Named groups of users (case teams) that entries can notify.

use super::dto::{GroupDto, GroupsResponse, NewGroupRequest};
use crate::app::AppState;
use crate::auth::ConsentedUser;
use crate::error::{ApiError, ApiJson};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sightline_audit::{EntryDraft, Outcome};
use sightline_core::{Role, Violation};

/// Creates a group of users of your agency; you are always a member.
#[utoipa::path(post, path = "/api/v1/alert-groups", tag = "alerts",
    security(("session" = [])),
    request_body = NewGroupRequest,
    responses(
        (status = 201, body = GroupDto),
        (status = 409, description = "group_exists", body = crate::error::Problem),
        (status = 422, description = "name_required, member_unknown", body = crate::error::Problem),
        (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem),
    ))]
pub async fn create_group(
    State(state): State<AppState>,
    who: ConsentedUser,
    ApiJson(req): ApiJson<NewGroupRequest>,
) -> Result<(StatusCode, Json<GroupDto>), ApiError> {
    who.require(&[Role::Investigator])?;
    let agency = who.agency()?;
    let name = super::parse::name(req.name.as_deref(), "group")?;
    let mut members = Vec::new();
    let mut errors = Vec::new();
    for (i, username) in req.members.iter().enumerate() {
        match state
            .store()
            .tenancy()
            .user_by_username(username.trim())
            .await?
            .filter(|u| u.agency_id == Some(agency))
        {
            Some(u) => members.push(u.id),
            None => errors.push(Violation::new(
                "member_unknown",
                &format!("members[{i}]"),
                format!("'{username}' is not a user of your agency"),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::violations(
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
        ));
    }
    let alerts = state.store().alerts();
    if alerts.group_by_name(agency, name).await?.is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "group_exists",
            "your agency already has a group with this name",
        ));
    }
    let id = alerts
        .create_group(agency, who.user.id, name, &members, state.now())
        .await?;
    let group = alerts
        .group_by_name(agency, name)
        .await?
        .filter(|g| g.id == id)
        .ok_or_else(ApiError::not_found)?;
    state
        .store()
        .ledger()
        .append(
            EntryDraft::new(
                who.scope(),
                who.actor(),
                "alert.group.created",
                Outcome::Success,
            )
            .session(who.session.id.clone())
            .field("group_id", id.0)
            .field("name", name)
            .field("members", group.members.clone()),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(GroupDto::from(&group))))
}

/// The groups you belong to.
#[utoipa::path(get, path = "/api/v1/alert-groups", tag = "alerts",
    security(("session" = [])),
    responses(
        (status = 200, body = GroupsResponse),
        (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem),
    ))]
pub async fn my_groups(
    State(state): State<AppState>,
    who: ConsentedUser,
) -> Result<Json<GroupsResponse>, ApiError> {
    let agency = who.agency()?;
    let groups = state
        .store()
        .alerts()
        .groups_for(agency, who.user.id)
        .await?;
    Ok(Json(GroupsResponse {
        groups: groups.iter().map(GroupDto::from).collect(),
    }))
}
