//! Changing one's password (R2.2, R2.8): the current password again, then a
//! new one that passes the policy; every other session ends.

use crate::app::AppState;
use crate::auth::VerifiedUser;
use crate::error::{ApiError, ApiJson};
use axum::extract::State;
use axum::http::StatusCode;
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use sightline_audit::{EntryDraft, Outcome};
use sightline_core::{Violation, password};
use sightline_store::{hash_password, verify_password};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordChange {
    #[schema(value_type = String, format = Password)]
    pub current_password: SecretString,
    #[schema(value_type = String, format = Password)]
    pub new_password: SecretString,
}

/// Changes your password and ends your other sessions.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "session",
    security(("session" = [])),
    request_body = PasswordChange,
    responses((status = 204),
              (status = 401, description = "invalid_credentials", body = crate::error::Problem),
              (status = 422, description = "password_too_short, password_banned, password_contains_username, password_trivial, password_too_long", body = crate::error::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn change_password(
    State(state): State<AppState>,
    VerifiedUser(who): VerifiedUser,
    ApiJson(req): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    let now = state.now();
    let hash = who.user.password_hash.clone();
    let current = req.current_password;
    let ok = tokio::task::spawn_blocking(move || verify_password(&current, Some(&hash)))
        .await
        .unwrap_or(false);
    let ledger = state.store().ledger();
    if !ok {
        ledger
            .append(
                EntryDraft::new(who.scope(), who.actor(), "password.change", Outcome::Failed)
                    .session(who.session.id.as_str())
                    .field("reason", "current_password"),
            )
            .await?;
        if state
            .store()
            .identity()
            .record_failure(who.user.id, now)
            .await?
        {
            crate::incidents::record_lockout(&state, who.scope(), who.actor()).await?;
            state
                .store()
                .sessions()
                .revoke(&who.session.id, now)
                .await?;
            return Err(crate::routes::mfa::locked());
        }
        return Err(ApiError::field(
            StatusCode::UNAUTHORIZED,
            Violation::new(
                "invalid_credentials",
                "current_password",
                "the current password is not correct",
            ),
        ));
    }
    if let Err(p) = password::check(req.new_password.expose_secret(), &who.user.username) {
        ledger
            .append(
                EntryDraft::new(
                    who.scope(),
                    who.actor(),
                    "password.change",
                    Outcome::Refused,
                )
                .session(who.session.id.as_str())
                .field("reason", p.code()),
            )
            .await?;
        return Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            Violation::new(p.code(), "new_password", p.to_string()).accepting(format!(
                "{}-{} characters, not a common or breached password, without your username",
                password::MIN_CHARS,
                password::MAX_CHARS
            )),
        ));
    }
    let new = req.new_password;
    let hash = tokio::task::spawn_blocking(move || hash_password(&new))
        .await
        .map_err(|e| ApiError::internal(e.into()))??;
    state
        .store()
        .tenancy()
        .set_password_hash(who.user.id, &hash)
        .await?;
    let ended = state
        .store()
        .sessions()
        .revoke_others(who.user.id, &who.session.id, now)
        .await?;
    ledger
        .append(
            EntryDraft::new(
                who.scope(),
                who.actor(),
                "password.changed",
                Outcome::Success,
            )
            .session(who.session.id.as_str())
            .field("other_sessions_ended", ended),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
