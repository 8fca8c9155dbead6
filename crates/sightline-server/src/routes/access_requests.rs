//! Access request forms (R2.4, R2.7): a manager files the form (who,
//! program, AOR, justification, supervisor, optional scan), the manager of
//! that AOR approves or rejects it, and only approval creates the account,
//! within the agency's seat cap. The new user gets a single-use registration
//! key by email (72 hours); a manager can send a fresh one ("re-key").

use crate::app::AppState;
use crate::auth::ConsentedUser;
use crate::error::{ApiError, ApiJson};
use crate::routes::session::rfc3339;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use base64::Engine as _;
use secrecy::ExposeSecret as _;
use serde::{Deserialize, Serialize};
use sightline_audit::{EntryDraft, Outcome};
use sightline_core::tenancy::{AorId, ProgramId};
use sightline_core::{Role, Violation};
use sightline_store::{
    AccessRequest, NewUser, OutboxMessage, REGISTRATION_KEY_LIFETIME, RequestDecision, UserRecord,
    UserStatus, enqueue, new_secret_token,
};
use std::collections::HashMap;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
pub struct AccessRequestForm {
    pub username: Option<String>,
    pub full_name: Option<String>,
    pub email: Option<String>,
    /// investigator, auditor or agency_manager.
    pub role: Option<String>,
    /// The program (e.g. ERO, HSI); required for investigators.
    pub program: Option<String>,
    /// The area of responsibility; defaults to the filing manager's.
    pub aor: Option<String>,
    pub justification: Option<String>,
    pub supervisor: Option<String>,
    /// The signed paper form, scanned (PDF, PNG or JPEG), base64.
    pub scan_base64: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessRequestDto {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub role: String,
    pub program: Option<String>,
    pub aor: Option<String>,
    pub justification: String,
    pub supervisor: String,
    /// A scan was filed: `GET /api/v1/access-requests/{id}/scan`.
    pub has_scan: bool,
    /// pending, approved or rejected.
    pub status: String,
    #[schema(format = DateTime)]
    pub submitted_at: String,
    #[schema(format = DateTime)]
    pub decided_at: Option<String>,
    pub decision_note: Option<String>,
    pub user_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessRequests {
    pub requests: Vec<AccessRequestDto>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Decision {
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Approved {
    pub user_id: i64,
    /// When the emailed registration key stops working.
    #[schema(format = DateTime)]
    pub registration_expires_at: String,
    pub seats_used: i64,
    pub seat_cap: i64,
}

/// The agency's AOR and program names, for showing a request as filed.
struct Names {
    aors: HashMap<AorId, String>,
    programs: HashMap<ProgramId, String>,
}

async fn names(state: &AppState, agency: sightline_core::AgencyId) -> Result<Names, ApiError> {
    let t = state.store().tenancy();
    Ok(Names {
        aors: t.aors(agency).await?.into_iter().collect(),
        programs: t.programs(agency).await?.into_iter().collect(),
    })
}

fn dto(r: AccessRequest, n: &Names) -> AccessRequestDto {
    AccessRequestDto {
        id: r.id,
        program: r.program_id.and_then(|p| n.programs.get(&p).cloned()),
        aor: r.aor_id.and_then(|a| n.aors.get(&a).cloned()),
        username: r.username,
        full_name: r.full_name,
        email: r.email,
        role: r.requested_role,
        justification: r.justification,
        supervisor: r.supervisor,
        has_scan: r.scan_blob.is_some(),
        status: r.status,
        submitted_at: rfc3339(r.submitted_at),
        decided_at: r.decided_at.map(rfc3339),
        decision_note: r.decision_note,
        user_id: r.user_id.map(|u| u.0),
    }
}

fn text(errors: &mut Vec<Violation>, field: &str, value: Option<&str>, max: usize) -> String {
    let v = value.unwrap_or("").trim();
    if v.is_empty() || v.chars().count() > max {
        errors.push(
            Violation::new(
                &format!("{field}_required"),
                field,
                format!("{field} is required"),
            )
            .accepting(format!("1-{max} characters")),
        );
    }
    v.to_owned()
}

/// Files an access request form for someone in your AOR.
#[utoipa::path(post, path = "/api/v1/access-requests", tag = "administration",
    security(("session" = [])),
    request_body = AccessRequestForm,
    responses((status = 201, body = AccessRequestDto), (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn submit(
    State(state): State<AppState>,
    who: ConsentedUser,
    ApiJson(form): ApiJson<AccessRequestForm>,
) -> Result<(StatusCode, Json<AccessRequestDto>), ApiError> {
    who.require(&[Role::AgencyManager])?;
    let agency = who.agency()?;
    let tenancy = state.store().tenancy();
    let mut errors = Vec::new();
    let username = text(&mut errors, "username", form.username.as_deref(), 64);
    if !username.is_empty()
        && (!username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c))
            || tenancy.user_by_username(&username).await?.is_some())
    {
        errors.push(
            Violation::new(
                "username_unavailable",
                "username",
                "that username is taken or not allowed",
            )
            .accepting("a new username of letters, digits, '.', '-' and '_'"),
        );
    }
    let full_name = text(&mut errors, "full_name", form.full_name.as_deref(), 200);
    let email = text(&mut errors, "email", form.email.as_deref(), 254);
    if !email.is_empty() && !email.contains('@') {
        errors.push(Violation::new(
            "email_invalid",
            "email",
            "not an email address",
        ));
    }
    let role = match form.role.as_deref().map(Role::parse) {
        Some(Ok(r)) if r != Role::OperatorAdmin => r,
        _ => {
            errors.push(
                Violation::new("role_invalid", "role", "choose the role the person needs")
                    .accepting("investigator, auditor or agency_manager"),
            );
            Role::Investigator
        }
    };
    let program = match form.program.as_deref() {
        Some(p) => {
            let id = tenancy.program_id(agency, p.trim()).await?;
            if id.is_none() {
                errors.push(Violation::new(
                    "program_unknown",
                    "program",
                    format!("no program named '{p}'"),
                ));
            }
            id
        }
        None if role == Role::Investigator => {
            errors.push(Violation::new(
                "program_required",
                "program",
                "investigators query under a program",
            ));
            None
        }
        None => None,
    };
    let aor = match form.aor.as_deref() {
        Some(a) => {
            let id = tenancy.aor_id(agency, a.trim()).await?;
            if id.is_none() || (who.user.aor_id.is_some() && id != who.user.aor_id) {
                errors.push(Violation::new(
                    "aor_unknown",
                    "aor",
                    "not an AOR you manage",
                ));
            }
            id
        }
        None => who.user.aor_id,
    };
    let justification = text(
        &mut errors,
        "justification",
        form.justification.as_deref(),
        2000,
    );
    let supervisor = text(&mut errors, "supervisor", form.supervisor.as_deref(), 200);
    let scan = match form.scan_base64.as_deref() {
        None => None,
        Some(b64) => match base64::engine::general_purpose::STANDARD.decode(b64.trim()) {
            Ok(bytes)
                if bytes.starts_with(b"%PDF")
                    || sightline_ingest::check_photo("scan", &bytes).is_ok() =>
            {
                Some(bytes)
            }
            _ => {
                errors.push(
                    Violation::new(
                        "scan_invalid",
                        "scan_base64",
                        "the scan must be a PDF, PNG, JPEG or WebP",
                    )
                    .accepting("base64 of a PDF or image up to 5 MiB"),
                );
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(ApiError::violations(
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
        ));
    }
    let scan_blob = match scan {
        Some(bytes) => {
            let blobs = state.store().blobs.clone();
            let id = tokio::task::spawn_blocking(move || blobs.put(&bytes))
                .await
                .map_err(|e| ApiError::internal(e.into()))??;
            Some(id.as_str().to_owned())
        }
        None => None,
    };
    let now = state.now();
    let mut req = AccessRequest {
        id: 0,
        agency_id: agency,
        aor_id: aor,
        program_id: program,
        username,
        full_name,
        email,
        requested_role: role.as_str().to_owned(),
        justification,
        supervisor,
        scan_blob,
        status: "pending".into(),
        submitted_by: who.user.id,
        submitted_at: now,
        decided_at: None,
        decision_note: None,
        user_id: None,
    };
    req.id = state.store().provisioning().submit(&req).await?;
    state
        .store()
        .ledger()
        .append(
            EntryDraft::new(
                who.scope(),
                who.actor(),
                "access_request.submitted",
                Outcome::Success,
            )
            .session(who.session.id.as_str())
            .field("request_id", req.id)
            .field("username", req.username.as_str())
            .field("role", req.requested_role.as_str()),
        )
        .await?;
    let n = names(&state, agency).await?;
    Ok((StatusCode::CREATED, Json(dto(req, &n))))
}

/// The access request forms of your AOR, newest first.
#[utoipa::path(get, path = "/api/v1/access-requests", tag = "administration",
    security(("session" = [])),
    responses((status = 200, body = AccessRequests), (status = 403, body = crate::error::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    who: ConsentedUser,
) -> Result<Json<AccessRequests>, ApiError> {
    who.require(&[Role::AgencyManager])?;
    let n = names(&state, who.agency()?).await?;
    let requests = state
        .store()
        .provisioning()
        .requests(who.agency()?, who.user.aor_id)
        .await?
        .into_iter()
        .map(|r| dto(r, &n))
        .collect();
    Ok(Json(AccessRequests { requests }))
}

async fn pending_request(
    state: &AppState,
    who: &ConsentedUser,
    id: i64,
) -> Result<AccessRequest, ApiError> {
    who.require(&[Role::AgencyManager])?;
    let req = state
        .store()
        .provisioning()
        .request(who.agency()?, id)
        .await?
        .filter(|r| who.user.aor_id.is_none() || r.aor_id == who.user.aor_id)
        .ok_or_else(ApiError::not_found)?;
    if req.status != "pending" {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "request_decided",
            format!("this request was already {}", req.status),
        ));
    }
    Ok(req)
}

/// Emails a fresh registration key to `user` inside `tx`.
pub(crate) async fn send_registration_key(
    state: &AppState,
    tx: &mut sightline_store::WriteTx,
    user: &UserRecord,
    now: time::OffsetDateTime,
) -> Result<(), ApiError> {
    let key = new_secret_token("reg_")?;
    state
        .store()
        .provisioning()
        .put_registration_key(tx, user.id, key.expose_secret(), now)
        .await?;
    let base = state
        .mail()
        .public_base_url
        .trim_end_matches('/')
        .to_owned();
    let body = format!(
        "Hello {},\n\nYour agency approved your access to Sightline. Register within 72 hours, before {}, \
         at {base}/register with this single-use registration key:\n\n    {}\n\n\
         You will choose your password and three security questions, then set up an authenticator app at \
         your first sign-in. If you did not expect this message, tell your agency manager.\n",
        user.display_name,
        rfc3339(now + REGISTRATION_KEY_LIFETIME),
        key.expose_secret()
    );
    let msg = OutboxMessage {
        agency_id: user.agency_id,
        dedupe_key: format!(
            "registration:{}:{}",
            user.id.0,
            sightline_core::clock::to_micros(now)
        ),
        recipient: user.email.clone(),
        subject: "Your Sightline registration key".into(),
        body,
    };
    enqueue(tx, &msg, now).await?;
    Ok(())
}

/// Approves a request: creates the account within the seat cap and emails
/// a registration key.
#[utoipa::path(post, path = "/api/v1/access-requests/{request_id}/approve", tag = "administration",
    security(("session" = [])),
    params(("request_id" = i64, Path)),
    request_body = Decision,
    responses((status = 200, body = Approved),
              (status = 409, description = "seat_cap_reached, request_decided", body = crate::error::Problem),
              (status = 404, body = crate::error::Problem)))]
pub async fn approve(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(request_id): Path<i64>,
    ApiJson(decision): ApiJson<Decision>,
) -> Result<Json<Approved>, ApiError> {
    let req = pending_request(&state, &who, request_id).await?;
    let agency = who.agency()?;
    let role =
        Role::parse(&req.requested_role).map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))?;
    // A manager or auditor account reaches past one AOR: it takes an
    // agency-wide manager, and not the one who filed the request, so that
    // nobody grants such an account to themselves.
    if matches!(role, Role::AgencyManager | Role::Auditor)
        && (who.user.aor_id.is_some() || req.submitted_by == who.user.id)
    {
        return Err(ApiError::field(
            StatusCode::FORBIDDEN,
            Violation::new(
                "second_approver_required",
                "request_id",
                format!(
                    "an {} account is approved by an agency-wide manager other than the one who filed the request",
                    role.as_str()
                ),
            )
            .accepting("approval by another agency-wide manager"),
        ));
    }
    let cap = state
        .store()
        .tenancy()
        .agencies()
        .await?
        .into_iter()
        .find(|a| a.id == agency)
        .map_or(0, |a| a.seat_cap);
    let used = state.store().provisioning().seats_used(agency).await?;
    if used >= cap {
        return Err(ApiError::field(
            StatusCode::CONFLICT,
            Violation::new(
                "seat_cap_reached",
                "request_id",
                format!("the agency may hold {cap} users and {used} seats are taken"),
            )
            .accepting("terminate or disable a user first, or ask the operator to raise the cap"),
        ));
    }
    let now = state.now();
    let user_id = state
        .store()
        .tenancy()
        .create_user_with_status(
            &NewUser {
                agency_id: Some(agency),
                aor_id: req.aor_id,
                program_id: req.program_id,
                username: req.username.clone(),
                display_name: req.full_name.clone(),
                email: req.email.clone(),
                role,
                password_hash: "!".into(),
            },
            UserStatus::Pending,
            now,
        )
        .await
        .map_err(|e| {
            ApiError::field(
                StatusCode::CONFLICT,
                Violation::new("username_unavailable", "username", format!("{e:#}")),
            )
        })?;
    let user = state
        .store()
        .tenancy()
        .user(user_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mut tx = state.store().db.begin_write().await?;
    let note = decision.note.unwrap_or_default();
    state
        .store()
        .provisioning()
        .decide(
            &mut tx,
            request_id,
            &RequestDecision {
                status: "approved",
                by: who.user.id,
                note: &note,
                user: Some(user_id),
            },
            now,
        )
        .await?;
    send_registration_key(&state, &mut tx, &user, now).await?;
    tx.commit().await?;
    state.notifier().wake.notify_one();
    state
        .store()
        .ledger()
        .append(
            EntryDraft::new(
                who.scope(),
                who.actor(),
                "access_request.approved",
                Outcome::Success,
            )
            .session(who.session.id.as_str())
            .field("request_id", request_id)
            .field("user_id", user_id.0)
            .field("username", user.username.as_str())
            .field("role", role.as_str()),
        )
        .await?;
    Ok(Json(Approved {
        user_id: user_id.0,
        registration_expires_at: rfc3339(now + REGISTRATION_KEY_LIFETIME),
        seats_used: used + 1,
        seat_cap: cap,
    }))
}

/// Rejects a request; no account is created.
#[utoipa::path(post, path = "/api/v1/access-requests/{request_id}/reject", tag = "administration",
    security(("session" = [])),
    params(("request_id" = i64, Path)),
    request_body = Decision,
    responses((status = 204), (status = 409, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn reject(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(request_id): Path<i64>,
    ApiJson(decision): ApiJson<Decision>,
) -> Result<StatusCode, ApiError> {
    pending_request(&state, &who, request_id).await?;
    let now = state.now();
    let note = decision.note.unwrap_or_default();
    let mut tx = state.store().db.begin_write().await?;
    state
        .store()
        .provisioning()
        .decide(
            &mut tx,
            request_id,
            &RequestDecision {
                status: "rejected",
                by: who.user.id,
                note: &note,
                user: None,
            },
            now,
        )
        .await?;
    tx.commit().await?;
    state
        .store()
        .ledger()
        .append(
            EntryDraft::new(
                who.scope(),
                who.actor(),
                "access_request.rejected",
                Outcome::Success,
            )
            .session(who.session.id.as_str())
            .field("request_id", request_id)
            .field("note", note.as_str()),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sends a pending user a fresh registration key; earlier keys stop working.
#[utoipa::path(post, path = "/api/v1/users/{user_id}/registration-key", tag = "administration",
    security(("session" = [])),
    params(("user_id" = i64, Path)),
    responses((status = 202), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn rekey(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(user_id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let user = crate::routes::users::managed_user(&state, &who, user_id).await?;
    if user.status != UserStatus::Pending {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "user_registered",
            "this user has already registered",
        ));
    }
    let now = state.now();
    let mut tx = state.store().db.begin_write().await?;
    send_registration_key(&state, &mut tx, &user, now).await?;
    tx.commit().await?;
    state.notifier().wake.notify_one();
    state
        .store()
        .ledger()
        .append(
            EntryDraft::new(who.scope(), who.actor(), "user.rekeyed", Outcome::Success)
                .session(who.session.id.as_str())
                .field("user_id", user.id.0),
        )
        .await?;
    Ok(StatusCode::ACCEPTED)
}
