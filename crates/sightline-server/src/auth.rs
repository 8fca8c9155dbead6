//! Who is calling: users by bearer session token, data sources by ingest key.
//! Both extractors run before any handler body, so a handler that takes one
//! cannot be reached unauthenticated.

use crate::app::AppState;
use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
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

/// Sent by the web app on its background polls: `Sightline-Background: 1`.
pub const BACKGROUND_HEADER: &str = "sightline-background";

/// The name of the web app's session cookie. The `__Host-` prefix makes
/// browsers refuse it unless it is Secure, has Path=/ and no Domain, so no
/// sibling subdomain or plain-HTTP page can plant or shadow it.
pub const SESSION_COOKIE: &str = "__Host-sightline_session";

fn cookie_token(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value)
}

/// Cookies ride along on requests other sites make, so a state-changing
/// request authenticated by cookie must come from our own pages: the
/// browser says so with `Sec-Fetch-Site`, or failing that with an `Origin`
/// that matches the `Host` it was sent to.
fn same_origin(parts: &Parts) -> bool {
    let h = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    match h("sec-fetch-site") {
        Some(site) => site == "same-origin" || site == "none",
        None => match (h("origin"), h("host")) {
            (Some(origin), Some(host)) => {
                origin
                    .strip_prefix("https://")
                    .or_else(|| origin.strip_prefix("http://"))
                    == Some(host)
            }
            // No browser metadata at all: not a browser, so no ambient cookie risk.
            (None, _) => h("referer").is_none(),
            _ => false,
        },
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let (token, by_cookie) = match bearer(parts) {
            Some(t) => (t, false),
            None => (
                cookie_token(parts).ok_or_else(ApiError::unauthenticated)?,
                true,
            ),
        };
        if !token.starts_with("slt_") {
            return Err(ApiError::unauthenticated());
        }
        if by_cookie && !parts.method.is_safe() && !same_origin(parts) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "csrf_rejected",
                "a cookie-authenticated change must come from Sightline's own pages",
            ));
        }
        let token = SecretString::from(token.to_owned());
        let now = state.now();
        // A page's own polling (the unread badge) says so; it reads the
        // session without counting as activity, so an unattended screen
        // still locks after 30 idle minutes.
        let background = parts.method == axum::http::Method::GET
            && parts
                .headers
                .get(BACKGROUND_HEADER)
                .is_some_and(|v| v == "1");
        let sessions = state.store().sessions();
        let found = if background {
            sessions.peek(&token, now).await?
        } else {
            sessions.touch(&token, now).await?
        };
        let Some(session) = found else {
            crate::incidents::after_refused_token(state, &token).await;
            return Err(ApiError::unauthenticated());
        };
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
    /// The user's agency, when they are one of its agency-wide managers: a
    /// manager of one AOR is refused what reaches the whole agency (its
    /// rules, security contacts, published figures, contract end). `what`
    /// ends "only an agency-wide manager can …".
    pub fn agency_wide_manager(&self, what: &str) -> Result<AgencyId, ApiError> {
        self.require(&[Role::AgencyManager])?;
        if self.user.aor_id.is_some() {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "agency_wide_manager_required",
                format!("only an agency-wide manager can {what}"),
            ));
        }
        self.agency()
    }

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
                    StatusCode::UNAUTHORIZED,
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

/// A user whose session has passed the second factor (R2.8).
#[derive(Debug, Clone)]
pub struct VerifiedUser(pub CurrentUser);

impl FromRequestParts<AppState> for VerifiedUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let who = CurrentUser::from_request_parts(parts, state).await?;
        if who.session.mfa_verified_at.is_some() {
            return Ok(Self(who));
        }
        Err(if who.user.totp_enrolled_at.is_some() {
            ApiError::new(
                StatusCode::FORBIDDEN,
                "mfa_required",
                "enter the code from your authenticator app: POST /api/v1/auth/mfa/verify",
            )
        } else {
            ApiError::new(
                StatusCode::FORBIDDEN,
                "mfa_enrollment_required",
                "set up your authenticator app first: POST /api/v1/auth/mfa/enroll, then /confirm",
            )
        })
    }
}

/// A verified user who has affirmed the rules of behavior in force in this
/// session (R2.3) and whose training is current (R2.5). Every endpoint that
/// touches agency data takes one, so none can be reached before the splash.
#[derive(Debug, Clone)]
pub struct ConsentedUser(pub CurrentUser);

impl std::ops::Deref for ConsentedUser {
    type Target = CurrentUser;
    fn deref(&self) -> &CurrentUser {
        &self.0
    }
}

impl FromRequestParts<AppState> for ConsentedUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let VerifiedUser(who) = VerifiedUser::from_request_parts(parts, state).await?;
        let rules = crate::routes::rules_in_force(state, who.user.agency_id).await?;
        if who.session.consented_version != Some(rules.version) {
            return Err(ApiError::field(
                StatusCode::FORBIDDEN,
                sightline_core::Violation::new(
                    "consent_required",
                    "rules_of_behavior",
                    "read and affirm the rules of behavior before any other action",
                )
                .accepting(format!(
                    "POST /api/v1/rules/affirm with {{\"version\": {}}}",
                    rules.version
                )),
            ));
        }
        if who.user.must_change_password {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "password_change_required",
                "you signed in with a temporary password: choose a new one at POST /api/v1/auth/password",
            ));
        }
        if who.user.agency_id.is_some() {
            let last = state.store().people().last_training(who.user.id).await?;
            let current =
                last.is_some_and(|t| state.now() - t <= sightline_store::TRAINING_VALIDITY);
            if !current {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "training_required",
                    "your Sightline training is missing or more than 12 months old; ask your agency manager to record it",
                ));
            }
        }
        Ok(Self(who))
    }
}
