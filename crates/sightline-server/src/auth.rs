//! Who is calling: users by bearer session token, data sources by ingest key.
//! Both extractors run before any handler body, so a handler that takes one
//! cannot be reached unauthenticated.

use crate::app::AppState;
use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use secrecy::SecretString;
use sightline_audit::Actor;
use sightline_core::{AgencyId, Role, TenantScope};
use sightline_store::{SessionRecord, SourceRecord, UserRecord, UserStatus, user_actor};

/// An authenticated user with a live session.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: UserRecord,
    pub session: SessionRecord,
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts)
            .filter(|t| t.starts_with("slt_"))
            .ok_or_else(ApiError::unauthenticated)?;
        let token = SecretString::from(token.to_owned());
        let now = state.now();
        let session = state
            .store()
            .sessions()
            .touch(&token, now)
            .await?
            .ok_or_else(ApiError::unauthenticated)?;
        let user = state
            .store()
            .tenancy()
            .user(session.user_id)
            .await?
            .filter(|u| u.status == UserStatus::Active)
            .ok_or_else(ApiError::unauthenticated)?;
        Ok(Self { user, session })
    }
}

impl CurrentUser {
    /// Refuses unless the user holds one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.user.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    /// The user's agency; operator staff have none and are refused.
    pub fn agency(&self) -> Result<AgencyId, ApiError> {
        self.user.agency_id.ok_or_else(ApiError::forbidden)
    }

    pub fn scope(&self) -> TenantScope {
        self.user
            .agency_id
            .map_or(TenantScope::Operator, TenantScope::Agency)
    }

    pub fn actor(&self) -> Actor {
        user_actor(self.user.id, &self.user.username)
    }
}

/// A data source authenticated by its ingest key. Ingest keys open only the
/// ingest endpoints; user tokens never do.
#[derive(Debug, Clone)]
pub struct IngestSource(pub SourceRecord);

impl FromRequestParts<AppState> for IngestSource {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let key = bearer(parts)
            .or_else(|| parts.headers.get("x-api-key").and_then(|v| v.to_str().ok()))
            .filter(|k| k.starts_with("sk_"))
            .ok_or_else(|| {
                ApiError::new(
                    axum::http::StatusCode::UNAUTHORIZED,
                    "unauthenticated",
                    "send the source's ingest key as 'Authorization: Bearer sk_…' or 'X-Api-Key'",
                )
            })?;
        let source = state
            .store()
            .sources()
            .authenticate(&SecretString::from(key.to_owned()))
            .await?
            .ok_or_else(ApiError::unauthenticated)?;
        Ok(Self(source))
    }
}
