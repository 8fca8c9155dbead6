//! Registering with a key and recovering a forgotten password (R2.2).
//!
//! Registration: the emailed single-use key, a password that passes the
//! policy, and three security questions chosen from a fixed list with their
//! answers (normalised, then hashed with Argon2id like passwords).
//! Recovery: the user names their account and is asked one of their
//! questions; a right answer emails a random temporary password that works
//! once, for 24 hours, and must be changed at first use. Unknown accounts get
//! a decoy question, so the endpoint does not reveal who has an account.

use crate::app::AppState;
use crate::client_addr::ClientIp;
use crate::error::{ApiError, ApiJson};
use crate::limits;
use crate::typed_names;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};
use sightline_audit::{Actor, EntryDraft, Outcome};
use sightline_core::{TenantScope, Violation, password};
use sightline_store::{
    OutboxMessage, UserStatus, enqueue, hash_password, new_secret_token, normalise_answer,
    user_actor, verify_password,
};
use utoipa::ToSchema;

/// The questions a user may choose from.
pub const SECURITY_QUESTIONS: &[&str] = &[
    "What was the name of your first school?",
    "In what city did your parents meet?",
    "What was the make and model of your first car?",
    "What is the name of the street you grew up on?",
    "What was the name of your childhood best friend?",
    "What was your first job?",
    "In what city was your first full-time job?",
    "What is the middle name of your oldest sibling?",
];

#[derive(Debug, Serialize, ToSchema)]
pub struct SecurityQuestions {
    pub questions: Vec<&'static str>,
}

/// The security questions to choose three from at registration.
#[utoipa::path(get, path = "/api/v1/auth/security-questions", tag = "session",
    responses((status = 200, body = SecurityQuestions)))]
pub async fn security_questions() -> Json<SecurityQuestions> {
    Json(SecurityQuestions {
        questions: SECURITY_QUESTIONS.to_vec(),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SecurityAnswer {
    pub question: String,
    pub answer: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Registration {
    pub registration_key: String,
    #[schema(value_type = String, format = Password)]
    pub password: SecretString,
    /// Exactly three different questions from the list, with answers.
    pub security_answers: Vec<SecurityAnswer>,
}

fn bad_key() -> ApiError {
    ApiError::field(
        StatusCode::UNAUTHORIZED,
        Violation::new(
            "registration_key_invalid",
            "registration_key",
            "this registration key is unknown, used or expired; ask your agency manager for a new one",
        ),
    )
}

/// Completes registration: password and security questions. Then sign in
/// and set up the authenticator.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "session",
    request_body = Registration,
    responses((status = 204), (status = 401, description = "registration_key_invalid", body = crate::error::Problem),
              (status = 422, body = crate::error::Problem), (status = 429, body = crate::error::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn register(
    State(state): State<AppState>,
    client: ClientIp,
    ApiJson(req): ApiJson<Registration>,
) -> Result<StatusCode, ApiError> {
    let now = state.now();
    state
        .limiter()
        .check(&client.limit_key(), limits::PER_ADDRESS, now)?;
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, a) in req.security_answers.iter().enumerate() {
        if !SECURITY_QUESTIONS.contains(&a.question.as_str()) || !seen.insert(a.question.as_str()) {
            errors.push(
                Violation::new(
                    "security_question_invalid",
                    &format!("security_answers[{i}].question"),
                    "choose different questions from the list",
                )
                .accepting("GET /api/v1/auth/security-questions"),
            );
        }
        if normalise_answer(&a.answer).chars().count() < 2 {
            errors.push(Violation::new(
                "security_answer_required",
                &format!("security_answers[{i}].answer"),
                "answer the question",
            ));
        }
    }
    if req.security_answers.len() != 3 {
        errors.push(
            Violation::new(
                "security_answers_count",
                "security_answers",
                "choose exactly three questions",
            )
            .accepting("3"),
        );
    }
    // The key must be checked before the password can be judged against
    // the username it belongs to; peek without spending it.
    let provisioning = state.store().provisioning();
    let mut tx = state.store().db.begin_write().await?;
    let user_id = provisioning
        .spend_registration_key(&mut tx, req.registration_key.trim(), now)
        .await?
        .ok_or_else(bad_key)?;
    let user = state
        .store()
        .tenancy()
        .user(user_id)
        .await?
        .filter(|u| u.status == UserStatus::Pending)
        .ok_or_else(bad_key)?;
    if let Err(p) = password::check(req.password.expose_secret(), &user.username) {
        errors.push(
            Violation::new(p.code(), "password", p.to_string()).accepting(format!(
                "{}-{} characters, not a common or breached password, without your username",
                password::MIN_CHARS,
                password::MAX_CHARS
            )),
        );
    }
    if !errors.is_empty() {
        // Dropping the transaction rolls the key back: it is not spent.
        drop(tx);
        return Err(ApiError::violations(
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
        ));
    }
    let pw = req.password;
    let answers: Vec<(String, String)> = req
        .security_answers
        .iter()
        .map(|a| (a.question.clone(), normalise_answer(&a.answer)))
        .collect();
    let hashed =
        tokio::task::spawn_blocking(move || -> anyhow::Result<(String, Vec<(String, String)>)> {
            let answers = answers
                .into_iter()
                .map(|(q, a)| Ok((q, hash_password(&SecretString::from(a))?)))
                .collect::<anyhow::Result<Vec<_>>>()?;
            Ok((hash_password(&pw)?, answers))
        })
        .await
        .map_err(|e| ApiError::internal(e.into()))??;
    if !provisioning
        .complete_registration(&mut tx, user_id, &hashed.0, &hashed.1)
        .await?
    {
        return Err(bad_key());
    }
    tx.commit().await?;
    let scope = user
        .agency_id
        .map_or(TenantScope::Operator, TenantScope::Agency);
    state
        .store()
        .ledger()
        .append(EntryDraft::new(
            scope,
            user_actor(user.id, &user.username),
            "user.registered",
            Outcome::Success,
        ))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RecoveryStart {
    pub username: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryChallenge {
    pub challenge_id: String,
    pub question: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RecoveryAnswer {
    pub challenge_id: String,
    pub answer: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryAccepted {
    pub detail: &'static str,
}

/// Starts recovery of a forgotten password: asks one of the account's questions.
#[utoipa::path(post, path = "/api/v1/auth/recovery", tag = "session",
    request_body = RecoveryStart,
    responses((status = 200, body = RecoveryChallenge), (status = 429, body = crate::error::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn start_recovery(
    State(state): State<AppState>,
    client: ClientIp,
    ApiJson(req): ApiJson<RecoveryStart>,
) -> Result<Json<RecoveryChallenge>, ApiError> {
    let now = state.now();
    let username = req.username.trim().to_owned();
    let limiter = state.limiter();
    limiter.check(&client.limit_key(), limits::PER_ADDRESS, now)?;
    limiter.check(&format!("recover:{username}"), limits::PER_ACCOUNT, now)?;
    let user = state
        .store()
        .tenancy()
        .user_by_username(&username)
        .await?
        .filter(|u| u.status == UserStatus::Active);
    let answers = match &user {
        Some(u) => state.store().provisioning().security_answers(u.id).await?,
        None => Vec::new(),
    };
    let mut nonce = [0u8; 16];
    getrandom::fill(&mut nonce)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("randomness: {e}")))?;
    let challenge_id = nonce.iter().map(|b| format!("{b:02x}")).collect::<String>();
    // One question per name, always the same: an account's is one of its
    // own, a decoy's one of the list, both picked by a keyed hash, so
    // asking again, or recomputing, tells nothing about which it is.
    let key = typed_names::name_key(&state, "recovery-question", &username).await?;
    let login_key = typed_names::name_key(&state, "login", &username).await?;
    let (user_id, question) = match (&user, answers.is_empty()) {
        (Some(u), false) => (
            Some(u.id),
            answers
                .get(typed_names::pick(&key, answers.len()))
                .map(|(q, _)| q.clone())
                .unwrap_or_default(),
        ),
        _ => (
            None,
            SECURITY_QUESTIONS
                .get(typed_names::pick(&key, SECURITY_QUESTIONS.len()))
                .copied()
                .unwrap_or_default()
                .to_owned(),
        ),
    };
    state
        .store()
        .provisioning()
        .create_challenge(&challenge_id, user_id, &question, &login_key, now)
        .await?;
    let (scope, actor) = match &user {
        Some(u) => (
            u.agency_id
                .map_or(TenantScope::Operator, TenantScope::Agency),
            user_actor(u.id, &u.username),
        ),
        None => (
            TenantScope::Operator,
            Actor::Claimant {
                username: typed_names::claimant_label(&login_key),
            },
        ),
    };
    state
        .store()
        .ledger()
        .append(
            EntryDraft::new(scope, actor, "recovery.started", Outcome::Success)
                .field("account_known", user_id.is_some()),
        )
        .await?;
    Ok(Json(RecoveryChallenge {
        challenge_id,
        question,
    }))
}

/// Answers the recovery question. A right answer emails a temporary
/// password; the response is the same either way.
#[utoipa::path(post, path = "/api/v1/auth/recovery/answer", tag = "session",
    request_body = RecoveryAnswer,
    responses((status = 202, body = RecoveryAccepted), (status = 404, description = "challenge_unknown", body = crate::error::Problem), (status = 429, body = crate::error::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn answer_recovery(
    State(state): State<AppState>,
    client: ClientIp,
    ApiJson(req): ApiJson<RecoveryAnswer>,
) -> Result<(StatusCode, Json<RecoveryAccepted>), ApiError> {
    let now = state.now();
    state
        .limiter()
        .check(&client.limit_key(), limits::PER_ADDRESS, now)?;
    let accepted = (
        StatusCode::ACCEPTED,
        Json(RecoveryAccepted {
            detail: "if the answer is right, a temporary password is on its way to the account's email address",
        }),
    );
    let (user_id, question, name_key) = state
        .store()
        .provisioning()
        .spend_challenge(req.challenge_id.trim(), now)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "challenge_unknown",
                "start again: the question expired or was answered",
            )
        })?;
    let stored = match user_id {
        Some(u) => state
            .store()
            .provisioning()
            .security_answers(u)
            .await?
            .into_iter()
            .find(|(q, _)| *q == question)
            .map(|(_, h)| h),
        None => None,
    };
    let user = match user_id {
        Some(u) => state.store().tenancy().user(u).await?,
        None => None,
    };
    let identity = state.store().identity();
    // A locked account's answer, or a locked name's, is not even checked;
    // the reply is the same as ever.
    let locked = match (&user, &name_key) {
        (Some(u), _) => u.locked_until.is_some_and(|t| t > now),
        (None, Some(key)) => identity.unknown_locked(key, now).await?,
        (None, None) => false,
    };
    let answer = SecretString::from(normalise_answer(&req.answer));
    let right = !locked
        && tokio::task::spawn_blocking(move || verify_password(&answer, stored.as_deref()))
            .await
            .unwrap_or(false);
    let Some(user) = user else {
        // A decoy's answer is always wrong, and counts like an account's.
        if let (false, Some(key)) = (locked, &name_key) {
            identity.record_unknown_failure(key, now).await?;
        }
        return Ok(accepted);
    };
    let scope = user
        .agency_id
        .map_or(TenantScope::Operator, TenantScope::Agency);
    let actor = user_actor(user.id, &user.username);
    let ledger = state.store().ledger();
    if locked {
        ledger
            .append(
                EntryDraft::new(scope, actor, "recovery.answer", Outcome::Refused)
                    .field("reason", "locked"),
            )
            .await?;
        return Ok(accepted);
    }
    if !right {
        ledger
            .append(EntryDraft::new(
                scope,
                actor.clone(),
                "recovery.answer",
                Outcome::Failed,
            ))
            .await?;
        if identity.record_failure(user.id, now).await? {
            crate::incidents::record_lockout(&state, scope, actor).await?;
        }
        return Ok(accepted);
    }
    let temp = new_secret_token("")?;
    let temp_text = temp
        .expose_secret()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(20)
        .collect::<String>();
    let temp_secret = SecretString::from(temp_text.clone());
    let hash = tokio::task::spawn_blocking(move || hash_password(&temp_secret))
        .await
        .map_err(|e| ApiError::internal(e.into()))??;
    let mut tx = state.store().db.begin_write().await?;
    state
        .store()
        .provisioning()
        .set_temporary_password(&mut tx, user.id, &hash, now)
        .await?;
    let msg = OutboxMessage {
        agency_id: user.agency_id,
        dedupe_key: format!("recovery:{}:{}", user.id.0, req.challenge_id.trim()),
        recipient: user.email.clone(),
        subject: "Your temporary Sightline password".into(),
        body: format!(
            "Hello {},\n\nYou answered your security question. Your temporary password is:\n\n    {temp_text}\n\n\
             It works once, until {}, and you must choose a new password when you sign in with it. \
             Your old password keeps working until then; signing in with it cancels this one. \
             If you did not ask for this, tell your agency manager at once.\n",
            user.display_name,
            crate::routes::session::rfc3339(now + sightline_store::TEMP_PASSWORD_LIFETIME)
        ),
    };
    enqueue(&mut tx, &msg, now).await?;
    tx.commit().await?;
    state.notifier().wake.notify_one();
    ledger
        .append(EntryDraft::new(
            scope,
            actor,
            "recovery.temporary_password_sent",
            Outcome::Success,
        ))
        .await?;
    Ok(accepted)
}
