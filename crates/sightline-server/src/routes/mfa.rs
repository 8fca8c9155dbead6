//! The second factor (R2.8): TOTP enrolment at first logon, with one-time
//! recovery codes, and verification at every logon.

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiJson};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use sightline_audit::{EntryDraft, Outcome};
use sightline_core::{Violation, totp};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Enrolment {
    /// Base32 secret, for typing into an authenticator app.
    pub secret: String,
    /// `otpauth://` URI, for a QR code.
    pub otpauth_uri: String,
    /// The QR code of `otpauth_uri`, drawn here so the web app needs no
    /// encoder of its own.
    pub qr: QrMatrix,
}

/// A QR code as modules: `size` rows of `size` characters, `1` dark and `0`
/// light, top row first, without the quiet zone (draw four light modules
/// around it).
#[derive(Debug, Serialize, ToSchema)]
pub struct QrMatrix {
    pub size: usize,
    pub rows: Vec<String>,
}

fn qr_matrix(data: &str) -> Result<QrMatrix, ApiError> {
    let code = qrcode::QrCode::new(data.as_bytes())
        .map_err(|e| ApiError::internal(anyhow::anyhow!("drawing the QR code: {e}")))?;
    let size = code.width();
    let rows = code
        .to_colors()
        .chunks(size.max(1))
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    qrcode::Color::Dark => '1',
                    qrcode::Color::Light => '0',
                })
                .collect()
        })
        .collect();
    Ok(QrMatrix { size, rows })
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CodeRequest {
    /// The 6-digit code shown by the authenticator app.
    pub code: Option<String>,
    /// Or one of the one-time recovery codes (verify only).
    pub recovery_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Enrolled {
    /// Ten one-time codes for when the phone is lost. Shown once.
    pub recovery_codes: Vec<String>,
    /// What the session must do next: `affirm_rules`.
    pub next: &'static str,
}

fn random_bytes<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| ApiError::internal(anyhow::anyhow!("randomness: {e}")))?;
    Ok(b)
}

pub(crate) fn locked() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "account_locked",
        "this account is locked after repeated failed logons; try again in 10 minutes or ask your agency manager to unlock it",
    )
}

/// Starts TOTP enrolment: returns a new secret to load into an authenticator app.
#[utoipa::path(post, path = "/api/v1/auth/mfa/enroll", tag = "session",
    security(("session" = [])),
    responses((status = 200, body = Enrolment), (status = 409, description = "mfa_already_enrolled", body = crate::error::Problem)))]
pub async fn enroll(
    State(state): State<AppState>,
    who: CurrentUser,
) -> Result<Json<Enrolment>, ApiError> {
    if who.user.totp_enrolled_at.is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "mfa_already_enrolled",
            "an authenticator is already enrolled; a manager can reset it",
        ));
    }
    let secret = random_bytes::<20>()?;
    state
        .store()
        .identity()
        .set_pending_totp(who.user.id, &totp::encode_secret(&secret))
        .await?;
    state
        .store()
        .ledger()
        .append(
            EntryDraft::new(
                who.scope(),
                who.actor(),
                "mfa.enrollment_started",
                Outcome::Success,
            )
            .session(who.session.id.as_str()),
        )
        .await?;
    let otpauth_uri = totp::otpauth_uri("Sightline", &who.user.username, &secret);
    Ok(Json(Enrolment {
        secret: totp::encode_secret(&secret),
        qr: qr_matrix(&otpauth_uri)?,
        otpauth_uri,
    }))
}

/// The user's TOTP secret, opened (it is sealed at rest).
fn stored_secret(state: &AppState, who: &CurrentUser) -> Result<Vec<u8>, ApiError> {
    state
        .store()
        .identity()
        .open_totp(&who.user)?
        .as_deref()
        .and_then(totp::decode_secret)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::CONFLICT,
                "mfa_not_started",
                "start enrolment first: POST /api/v1/auth/mfa/enroll",
            )
        })
}

/// Counts a wrong code like a wrong password, audits it, and says so.
async fn wrong_code(state: &AppState, who: &CurrentUser) -> ApiError {
    let now = state.now();
    let locked_now = state
        .store()
        .identity()
        .record_failure(who.user.id, now)
        .await;
    let ledger = state.store().ledger();
    let _ = ledger
        .append(
            EntryDraft::new(who.scope(), who.actor(), "mfa.failed", Outcome::Failed)
                .session(who.session.id.as_str()),
        )
        .await;
    if matches!(locked_now, Ok(true)) {
        let _ = crate::incidents::record_lockout(state, who.scope(), who.actor()).await;
        let _ = state.store().sessions().revoke(&who.session.id, now).await;
        return locked();
    }
    ApiError::field(
        StatusCode::UNAUTHORIZED,
        Violation::new("mfa_invalid", "code", "that code is not valid")
            .accepting("the current 6-digit code"),
    )
}

/// Confirms enrolment with a first code; returns the recovery codes.
#[utoipa::path(post, path = "/api/v1/auth/mfa/confirm", tag = "session",
    security(("session" = [])),
    request_body = CodeRequest,
    responses((status = 200, body = Enrolled), (status = 401, description = "mfa_invalid", body = crate::error::Problem)))]
pub async fn confirm(
    State(state): State<AppState>,
    who: CurrentUser,
    ApiJson(req): ApiJson<CodeRequest>,
) -> Result<Json<Enrolled>, ApiError> {
    if who.user.totp_enrolled_at.is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "mfa_already_enrolled",
            "already enrolled",
        ));
    }
    let secret = stored_secret(&state, &who)?;
    let now = state.now();
    let step = req
        .code
        .as_deref()
        .and_then(|c| totp::verify(&secret, c, now));
    let Some(step) = step else {
        return Err(wrong_code(&state, &who).await);
    };
    let identity = state.store().identity();
    // A step already used (a code seen over a shoulder) confirms nothing.
    if !identity.claim_totp_step(who.user.id, step).await? {
        return Err(wrong_code(&state, &who).await);
    }
    let codes = (0..10)
        .map(|_| random_bytes::<5>().map(|b| hex_code(&b)))
        .collect::<Result<Vec<_>, _>>()?;
    identity.confirm_totp(who.user.id, &codes, now).await?;
    identity.record_success(who.user.id).await?;
    state
        .store()
        .sessions()
        .mark_mfa_verified(&who.session.id, now)
        .await?;
    state
        .store()
        .ledger()
        .append(
            EntryDraft::new(who.scope(), who.actor(), "mfa.enrolled", Outcome::Success)
                .session(who.session.id.as_str()),
        )
        .await?;
    Ok(Json(Enrolled {
        recovery_codes: codes,
        next: "affirm_rules",
    }))
}

fn hex_code(b: &[u8]) -> String {
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}", h.get(0..5).unwrap_or(""), h.get(5..).unwrap_or(""))
}

/// Checks the second factor for this session: a TOTP code or a recovery code.
#[utoipa::path(post, path = "/api/v1/auth/mfa/verify", tag = "session",
    security(("session" = [])),
    request_body = CodeRequest,
    responses((status = 204), (status = 401, description = "mfa_invalid", body = crate::error::Problem),
              (status = 403, description = "account_locked", body = crate::error::Problem)))]
pub async fn verify(
    State(state): State<AppState>,
    who: CurrentUser,
    ApiJson(req): ApiJson<CodeRequest>,
) -> Result<StatusCode, ApiError> {
    let now = state.now();
    state.limiter().check(
        &format!("mfa:{}", who.user.id),
        crate::limits::PER_ACCOUNT,
        now,
    )?;
    if who.user.locked_until.is_some_and(|t| t > now) {
        return Err(locked());
    }
    if who.user.totp_enrolled_at.is_none() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "mfa_enrollment_required",
            "set up your authenticator app first: POST /api/v1/auth/mfa/enroll",
        ));
    }
    let identity = state.store().identity();
    let ok = match (&req.code, &req.recovery_code) {
        (Some(code), _) => {
            let secret = stored_secret(&state, &who)?;
            match totp::verify(&secret, code, now) {
                Some(step) => identity.claim_totp_step(who.user.id, step).await?,
                None => false,
            }
        }
        (None, Some(rc)) => identity.use_recovery_code(who.user.id, rc, now).await?,
        (None, None) => false,
    };
    if !ok {
        return Err(wrong_code(&state, &who).await);
    }
    identity.record_success(who.user.id).await?;
    state
        .store()
        .sessions()
        .mark_mfa_verified(&who.session.id, now)
        .await?;
    state
        .store()
        .ledger()
        .append(
            EntryDraft::new(who.scope(), who.actor(), "mfa.verified", Outcome::Success)
                .session(who.session.id.as_str())
                .field(
                    "method",
                    if req.code.is_some() {
                        "totp"
                    } else {
                        "recovery_code"
                    },
                ),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
