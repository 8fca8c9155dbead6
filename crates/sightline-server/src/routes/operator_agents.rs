//! A source's OpenALPR / Rekor agent, for the operator: the image service
//! Sightline fetches photos from when a message carries none, its
//! heartbeats, and the reads waiting for photos (issue 17).
//!
//! The base URL registered here is the only place Sightline ever fetches
//! from for the source: nothing in a payload can name another. Every change
//! is in the operator's log, appended before the change; the password never
//! is, and no response carries it.

use crate::app::AppState;
use crate::auth::ConsentedUser;
use crate::error::{ApiError, ApiJson};
use crate::routes::operator::operator_log;
use crate::routes::operator_sources::source;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use sightline_core::agent::AgentBaseUrl;
use sightline_core::tenancy::SourceId;
use sightline_core::{Role, Violation};
use sightline_store::{AgentService, SourceHealth};
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
pub struct AgentServiceRequest {
    /// `http://host[:port]`, e.g. `http://10.1.2.3:8355` (port 8355 when
    /// left out). No path, query or user info.
    pub base_url: Option<String>,
    /// HTTP Basic user name, if the agent's web service asks for one.
    pub username: Option<String>,
    /// Its password. Saving replaces the stored credentials: leave both out
    /// for none.
    #[schema(value_type = Option<String>)]
    pub password: Option<SecretString>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgentServiceView {
    pub base_url: String,
    pub username: Option<String>,
    /// Whether a password is stored (it is never returned).
    pub has_password: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StreamView {
    pub camera_id: String,
    pub camera_name: Option<String>,
    pub is_streaming: bool,
    pub fps: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthView {
    pub agent_uid: Option<String>,
    pub hostname: Option<String>,
    /// When the last heartbeat arrived (Sightline's clock).
    #[schema(format = DateTime)]
    pub last_seen_at: String,
    /// When the silence was noticed, if the source is silent now.
    #[schema(format = DateTime)]
    pub silent_since: Option<String>,
    pub streams: Vec<StreamView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgentStatus {
    /// `null` when no image service is registered.
    pub service: Option<AgentServiceView>,
    /// `null` before the first heartbeat.
    pub health: Option<HealthView>,
    /// Reads acknowledged and waiting for their photos.
    pub pending_photos: i64,
    /// Minutes without a heartbeat after which the source is noticed silent.
    pub silent_after_minutes: i64,
}

fn view(s: &AgentService) -> AgentServiceView {
    AgentServiceView {
        base_url: s.base_url.to_string(),
        username: s.username.clone(),
        has_password: s.password.is_some(),
    }
}

fn health_view(h: SourceHealth) -> HealthView {
    let at = |t: time::OffsetDateTime| t.format(&Rfc3339).unwrap_or_default();
    HealthView {
        agent_uid: h.agent_uid,
        hostname: h.hostname,
        last_seen_at: at(h.last_seen_at),
        silent_since: h.silent_since.map(at),
        streams: h
            .streams
            .into_iter()
            .map(|s| StreamView {
                camera_id: s.camera_id,
                camera_name: s.camera_name,
                is_streaming: s.is_streaming,
                fps: s.fps,
            })
            .collect(),
    }
}

async fn status(state: &AppState, id: SourceId) -> Result<AgentStatus, ApiError> {
    let agents = state.store().agents();
    Ok(AgentStatus {
        service: agents.service(id).await?.as_ref().map(view),
        health: agents.health().await?.remove(&id).map(health_view),
        pending_photos: agents
            .pending_counts()
            .await?
            .get(&id)
            .copied()
            .unwrap_or(0),
        silent_after_minutes: state.agents().settings().silent_after.whole_minutes(),
    })
}

/// The source's agent: image service, last heartbeat, reads waiting.
#[utoipa::path(get, path = "/api/v1/admin/sources/{source_id}/agent", tag = "operator",
    security(("session" = [])),
    params(("source_id" = i64, Path)),
    responses((status = 200, body = AgentStatus), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn get_agent(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(source_id): Path<i64>,
) -> Result<Json<AgentStatus>, ApiError> {
    who.require(&[Role::OperatorAdmin])?;
    let id = source(&state, source_id).await?;
    Ok(Json(status(&state, id).await?))
}

fn printable(v: &str, max: usize) -> bool {
    !v.is_empty() && v.chars().count() <= max && !v.chars().any(char::is_control)
}

fn parse_service(req: AgentServiceRequest) -> Result<AgentService, Vec<Violation>> {
    use secrecy::ExposeSecret as _;
    let mut errors = Vec::new();
    let base_url = match AgentBaseUrl::parse(req.base_url.as_deref().unwrap_or_default()) {
        Ok(u) => Some(u),
        Err(e) => {
            errors.push(
                Violation::new("agent_url_invalid", "base_url", e.to_string())
                    .accepting("http://host[:port], e.g. http://10.1.2.3:8355"),
            );
            None
        }
    };
    let username = req
        .username
        .map(|u| u.trim().to_owned())
        .filter(|u| !u.is_empty());
    if let Some(u) = &username
        && (!printable(u, 64) || u.contains(':'))
    {
        errors.push(
            Violation::new(
                "username_invalid",
                "username",
                "a user name is on one line, without ':'",
            )
            .accepting("1 to 64 characters, no ':'"),
        );
    }
    let password = req.password.filter(|p| !p.expose_secret().is_empty());
    if let Some(p) = &password {
        if !printable(p.expose_secret(), 256) {
            errors.push(
                Violation::new(
                    "password_invalid",
                    "password",
                    "the password is too long or holds control characters",
                )
                .accepting("1 to 256 characters"),
            );
        } else if username.is_none() {
            errors.push(
                Violation::new(
                    "password_invalid",
                    "password",
                    "a password needs a user name",
                )
                .accepting("a user name with the password, or neither"),
            );
        }
    }
    match base_url {
        Some(base_url) if errors.is_empty() => Ok(AgentService {
            base_url,
            username,
            password,
        }),
        _ => Err(errors),
    }
}

/// Registers (or replaces) the source's agent image service.
#[utoipa::path(put, path = "/api/v1/admin/sources/{source_id}/agent", tag = "operator",
    security(("session" = [])),
    params(("source_id" = i64, Path)),
    request_body = AgentServiceRequest,
    responses((status = 200, body = AgentStatus), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, description = "agent_url_invalid, username_invalid, password_invalid", body = crate::error::Problem)))]
pub async fn put_agent(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(source_id): Path<i64>,
    ApiJson(req): ApiJson<AgentServiceRequest>,
) -> Result<Json<AgentStatus>, ApiError> {
    who.require(&[Role::OperatorAdmin])?;
    let id = source(&state, source_id).await?;
    let service = parse_service(req)
        .map_err(|errors| ApiError::violations(StatusCode::UNPROCESSABLE_ENTITY, errors))?;
    operator_log(
        &state,
        &who,
        "admin.source_agent_saved",
        &[
            ("source_id", source_id.into()),
            ("base_url", service.base_url.to_string().into()),
            ("username", service.username.clone().into()),
            ("password_set", service.password.is_some().into()),
        ],
    )
    .await?;
    state
        .store()
        .agents()
        .set_service(id, &service, state.now())
        .await?;
    Ok(Json(status(&state, id).await?))
}

/// Removes the source's agent image service: its messages must then carry
/// their photos. Reads already waiting are refused at their next try.
#[utoipa::path(delete, path = "/api/v1/admin/sources/{source_id}/agent", tag = "operator",
    security(("session" = [])),
    params(("source_id" = i64, Path)),
    responses((status = 200, body = AgentStatus), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn delete_agent(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(source_id): Path<i64>,
) -> Result<Json<AgentStatus>, ApiError> {
    who.require(&[Role::OperatorAdmin])?;
    let id = source(&state, source_id).await?;
    operator_log(
        &state,
        &who,
        "admin.source_agent_removed",
        &[("source_id", source_id.into())],
    )
    .await?;
    state.store().agents().remove_service(id).await?;
    Ok(Json(status(&state, id).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(url: &str, user: Option<&str>, pw: Option<&str>) -> AgentServiceRequest {
        AgentServiceRequest {
            base_url: Some(url.to_owned()),
            username: user.map(str::to_owned),
            password: pw.map(|p| SecretString::from(p.to_owned())),
        }
    }

    #[test]
    fn service_requests_are_checked_field_by_field() {
        let s = parse_service(req("http://10.1.2.3", Some(" ops "), Some("pw"))).unwrap();
        assert_eq!(s.base_url.to_string(), "http://10.1.2.3:8355");
        assert_eq!(s.username.as_deref(), Some("ops"));
        let e = parse_service(req("http://a/x", Some("a:b"), Some("pw"))).unwrap_err();
        let got: Vec<_> = e
            .iter()
            .map(|v| (v.code.as_str(), v.field.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("agent_url_invalid", "base_url"),
                ("username_invalid", "username")
            ]
        );
        let e = parse_service(req("http://a", None, Some("pw"))).unwrap_err();
        assert_eq!(e[0].code, "password_invalid");
    }
}
