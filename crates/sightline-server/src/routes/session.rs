//! Signing in and out.

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::client_addr::ClientIp;
use crate::dto::{LoginRequest, LoginResponse, Me, ReasonCodeInfo};
use crate::error::{ApiError, ApiJson};
use crate::limits;
use crate::metrics::OutcomeLabel;
use crate::typed_names;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse as _;
use sightline_audit::{Actor, EntryDraft, Outcome};
use sightline_core::{TenantScope, Violation};
use sightline_store::{UserRecord, UserStatus, user_actor, verify_password};
use time::format_description::well_known::Rfc3339;

pub(crate) fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn user_scope(u: &UserRecord) -> TenantScope {
    u.agency_id
        .map_or(TenantScope::Operator, TenantScope::Agency)
}

fn count_login(state: &AppState, outcome: &'static str) {
    state
        .metrics()
        .logins
        .get_or_create(&OutcomeLabel { outcome })
        .inc();
}

pub(crate) async fn me_for(state: &AppState, u: &UserRecord) -> Result<Me, ApiError> {
    let policy = match (u.agency_id, u.program_id) {
        (Some(a), Some(p)) => state.store().tenancy().program_policy(a, p).await?,
        _ => None,
    };
    let zone = match u.agency_id {
        Some(a) => state
            .store()
            .tenancy()
            .agency(a)
            .await?
            .map(|r| r.time_zone),
        None => None,
    };
    Ok(Me {
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role.as_str().to_owned(),
        agency_id: u.agency_id.map(|a| a.0),
        aor_id: u.aor_id.map(|a| a.0),
        agency_time_zone: zone.map(|z| z.name().to_owned()),
        program: policy.as_ref().map(|p| p.program.clone()),
        reason_codes: policy
            .map(|p| {
                p.reasons
                    .into_iter()
                    .map(|r| ReasonCodeInfo {
                        code: r.code.to_string(),
                        label: r.label,
                        max_days: r.max_days,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        next: None,
    })
}

/// The next step a session must take, in the order the extractors check
/// them: second factor, rules of behavior, forced password change, training.
async fn next_step(state: &AppState, who: &CurrentUser) -> Result<&'static str, ApiError> {
    if who.session.mfa_verified_at.is_none() {
        return Ok(if who.user.totp_enrolled_at.is_some() {
            "mfa_verify"
        } else {
            "mfa_enroll"
        });
    }
    let rules = crate::routes::rules_in_force(state, who.user.agency_id).await?;
    if who.session.consented_version != Some(rules.version) {
        return Ok("rules");
    }
    if who.user.must_change_password {
        return Ok("password_change");
    }
    if who.user.agency_id.is_some() {
        let last = state.store().people().last_training(who.user.id).await?;
        if last.is_none_or(|t| state.now() - t > sightline_store::TRAINING_VALIDITY) {
            return Ok("training_required");
        }
    }
    Ok("ready")
}

/// Exchanges a username and password for a session token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "session",
    request_body = LoginRequest,
    responses((status = 200, body = LoginResponse),
              (status = 401, description = "invalid_credentials", body = crate::error::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn login(
    State(state): State<AppState>,
    client: ClientIp,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<axum::response::Response, ApiError> {
    let now = state.now();
    let limiter = state.limiter();
    limiter.check(&client.limit_key(), limits::PER_ADDRESS, now)?;
    limiter.check(
        &format!("user:{}", req.username.trim()),
        limits::PER_ACCOUNT,
        now,
    )?;
    let user = state
        .store()
        .tenancy()
        .user_by_username(req.username.trim())
        .await?;
    let password = req.password;
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    // A recovery's temporary password waits beside the password.
    let temp = user
        .as_ref()
        .and_then(|u| u.pending_temporary_password(now).map(str::to_owned));
    // Argon2 is deliberately slow: keep it off the async workers. Unknown
    // users are checked against a dummy hash so timing reveals nothing.
    let (verified, by_temp) = tokio::task::spawn_blocking(move || {
        if verify_password(&password, hash.as_deref()) {
            (true, false)
        } else {
            let by_temp = temp.is_some_and(|t| verify_password(&password, Some(&t)));
            (by_temp, by_temp)
        }
    })
    .await
    .unwrap_or((false, false));
    let identity = state.store().identity();
    let ledger = state.store().ledger();
    let refuse = |code: &str, detail: &str| {
        ApiError::field(
            StatusCode::UNAUTHORIZED,
            Violation::new(code, "password", detail),
        )
    };
    let user = match user {
        // A name that is no account's fails, counts and locks like one
        // that is, and is logged only as a keyed hash.
        None => {
            let key = typed_names::name_key(&state, "login", &req.username).await?;
            let claimant = Actor::Claimant {
                username: typed_names::claimant_label(&key),
            };
            let locked = identity.unknown_locked(&key, now).await?;
            let outcome = if locked {
                Outcome::Refused
            } else {
                Outcome::Failed
            };
            let mut entry = EntryDraft::new(TenantScope::Operator, claimant, "auth.login", outcome);
            if locked {
                entry = entry.field("reason", "locked");
            }
            ledger.append(entry).await?;
            if locked {
                count_login(&state, "locked");
                return Err(crate::routes::mfa::locked());
            }
            count_login(&state, "failed");
            if identity.record_unknown_failure(&key, now).await? {
                return Err(crate::routes::mfa::locked());
            }
            return Err(refuse(
                "invalid_credentials",
                "the username or password is not correct",
            ));
        }
        Some(u) => u,
    };
    let (scope, actor) = (user_scope(&user), user_actor(user.id, &user.username));
    if user.locked_until.is_some_and(|t| t > now) {
        ledger
            .append(
                EntryDraft::new(scope, actor, "auth.login", Outcome::Refused)
                    .field("reason", "locked"),
            )
            .await?;
        count_login(&state, "locked");
        return Err(crate::routes::mfa::locked());
    }
    // A temporary password already used stands as the password until it is
    // changed; it does not sign in again.
    let temp_expired = !by_temp
        && user.must_change_password
        && user.temp_password_expires_at.is_none_or(|t| t <= now);
    if !verified || user.status != UserStatus::Active || temp_expired {
        let reason = match (verified, temp_expired) {
            (false, _) => "password",
            (true, true) => "temporary_password_expired",
            (true, false) => user.status.as_str(),
        };
        ledger
            .append(
                EntryDraft::new(scope, actor.clone(), "auth.login", Outcome::Failed)
                    .field("reason", reason),
            )
            .await?;
        count_login(&state, "failed");
        if !verified && identity.record_failure(user.id, now).await? {
            crate::incidents::record_lockout(&state, scope, actor).await?;
            return Err(crate::routes::mfa::locked());
        }
        return Err(refuse(
            "invalid_credentials",
            "the username or password is not correct",
        ));
    }
    if by_temp {
        identity.use_temporary_password(user.id, now).await?;
    } else {
        if user.must_change_password {
            identity.consume_temporary_password(user.id, now).await?;
        }
        if user.temp_password_hash.is_some() {
            identity.void_temporary_password(user.id).await?;
        }
    }
    // The password is right; the session can do nothing but the second
    // factor (and read the rules) until `mfa/verify` or `mfa/confirm`.
    let (session, token) = state
        .store()
        .sessions()
        .create(user.id, user.agency_id, now)
        .await?;
    ledger
        .append(
            EntryDraft::new(scope, actor, "auth.login", Outcome::Success)
                .session(session.id.as_str())
                .field("stage", "password"),
        )
        .await?;
    count_login(&state, "password_ok");
    use secrecy::ExposeSecret as _;
    let cookie = req.session.as_deref() == Some("cookie");
    let body = Json(LoginResponse {
        token: (!cookie).then(|| token.expose_secret().to_owned()),
        token_type: "Bearer",
        expires_at: rfc3339(session.expires_at),
        next: if user.totp_enrolled_at.is_some() {
            "mfa_verify"
        } else {
            "mfa_enroll"
        },
        user: me_for(&state, &user).await?,
    });
    let mut resp = body.into_response();
    if cookie {
        let value = format!(
            "{}={}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age={}",
            crate::auth::SESSION_COOKIE,
            token.expose_secret(),
            sightline_store::ABSOLUTE_LIFETIME.whole_seconds()
        );
        if let Ok(v) = axum::http::HeaderValue::from_str(&value) {
            resp.headers_mut().insert(axum::http::header::SET_COOKIE, v);
        }
    }
    Ok(resp)
}

/// Ends the current session at once, and tells the browser to clear the
/// site's cache and storage (`Clear-Site-Data: "cache", "storage"`).
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "session",
    security(("session" = [])),
    responses((status = 204, headers(("Clear-Site-Data" = String, description = "\"cache\", \"storage\""))),
              (status = 401, body = crate::error::Problem)))]
pub async fn logout(
    State(state): State<AppState>,
    who: CurrentUser,
) -> Result<impl axum::response::IntoResponse, ApiError> {
    state
        .store()
        .sessions()
        .revoke(&who.session.id, state.now())
        .await?;
    state
        .store()
        .ledger()
        .append(
            EntryDraft::new(who.scope(), who.actor(), "auth.logout", Outcome::Success)
                .session(who.session.id.as_str()),
        )
        .await?;
    let clear = format!(
        "{}=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0",
        crate::auth::SESSION_COOKIE
    );
    // The browser also drops what the web app cached or kept on the device
    // for this origin (drafts, cached results).
    Ok((
        StatusCode::NO_CONTENT,
        [
            (axum::http::header::SET_COOKIE, clear),
            (
                axum::http::HeaderName::from_static("clear-site-data"),
                "\"cache\", \"storage\"".to_owned(),
            ),
        ],
    ))
}

/// The signed-in user, their program and the reason codes they may use.
#[utoipa::path(get, path = "/api/v1/me", tag = "session",
    security(("session" = [])),
    responses((status = 200, body = Me), (status = 401, body = crate::error::Problem)))]
pub async fn me(State(state): State<AppState>, who: CurrentUser) -> Result<Json<Me>, ApiError> {
    let mut me = me_for(&state, &who.user).await?;
    me.next = Some(next_step(&state, &who).await?);
    Ok(Json(me))
}
