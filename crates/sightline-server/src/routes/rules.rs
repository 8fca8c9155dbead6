//! The rules of behavior (R2.3): read at a stable link, affirmed at every
//! logon (audited with the version), published by agency managers.

use crate::app::AppState;
use crate::auth::{ConsentedUser, CurrentUser, VerifiedUser};
use crate::error::{ApiError, ApiJson};
use crate::routes::session::rfc3339;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use sightline_audit::{EntryDraft, Outcome};
use sightline_core::{AgencyId, Violation};
use sightline_store::{DEFAULT_RULES, RulesVersion};
use utoipa::ToSchema;

/// The rules for an agency; operator staff read the default text.
pub async fn rules_in_force(
    state: &AppState,
    agency: Option<AgencyId>,
) -> Result<RulesVersion, ApiError> {
    Ok(match agency {
        Some(a) => state.store().rules().current(a).await?,
        None => RulesVersion {
            version: 1,
            body: DEFAULT_RULES.to_owned(),
            published_at: None,
        },
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Rules {
    pub version: i64,
    pub text: String,
    #[schema(format = DateTime)]
    pub published_at: Option<String>,
    /// Whether this session has affirmed this version.
    pub affirmed: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Affirmation {
    /// The version being affirmed: the one `GET /api/v1/rules` showed.
    pub version: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewRules {
    pub text: String,
}

/// The rules of behavior in force for your agency. Always reachable once signed in.
#[utoipa::path(get, path = "/api/v1/rules", tag = "session",
    security(("session" = [])),
    responses((status = 200, body = Rules), (status = 401, body = crate::error::Problem)))]
pub async fn get_rules(
    State(state): State<AppState>,
    who: CurrentUser,
) -> Result<Json<Rules>, ApiError> {
    let r = rules_in_force(&state, who.user.agency_id).await?;
    Ok(Json(Rules {
        affirmed: who.session.consented_version == Some(r.version),
        version: r.version,
        text: r.body,
        published_at: r.published_at.map(rfc3339),
    }))
}

/// Affirms the rules of behavior for this session (required before any query).
#[utoipa::path(post, path = "/api/v1/rules/affirm", tag = "session",
    security(("session" = [])),
    request_body = Affirmation,
    responses((status = 204), (status = 409, description = "rules_version_stale", body = crate::error::Problem),
              (status = 403, description = "mfa_required / mfa_enrollment_required", body = crate::error::Problem)))]
pub async fn affirm(
    State(state): State<AppState>,
    VerifiedUser(who): VerifiedUser,
    ApiJson(req): ApiJson<Affirmation>,
) -> Result<StatusCode, ApiError> {
    let r = rules_in_force(&state, who.user.agency_id).await?;
    if req.version != r.version {
        return Err(ApiError::field(
            StatusCode::CONFLICT,
            Violation::new(
                "rules_version_stale",
                "version",
                format!("version {} is not the rules in force", req.version),
            )
            .accepting(format!("{}", r.version)),
        ));
    }
    state
        .store()
        .ledger()
        .append(
            EntryDraft::new(
                who.scope(),
                who.actor(),
                "consent.affirmed",
                Outcome::Success,
            )
            .session(who.session.id.as_str())
            .field("version", r.version),
        )
        .await?;
    state
        .store()
        .sessions()
        .set_consent(&who.session.id, r.version)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Publishes a new version of the agency's rules; every user affirms it again.
#[utoipa::path(post, path = "/api/v1/rules", tag = "administration",
    security(("session" = [])),
    request_body = NewRules,
    responses((status = 201, body = Rules), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn publish(
    State(state): State<AppState>,
    who: ConsentedUser,
    ApiJson(req): ApiJson<NewRules>,
) -> Result<(StatusCode, Json<Rules>), ApiError> {
    let agency = who.agency_wide_manager("publish the agency's rules of behavior")?;
    let text = req.text.trim();
    if text.len() < 20 || text.len() > 20_000 {
        return Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            Violation::new(
                "rules_text_invalid",
                "text",
                "the rules must be 20 to 20,000 characters",
            )
            .accepting("20 to 20,000 characters"),
        ));
    }
    let now = state.now();
    let version = state
        .store()
        .rules()
        .publish(agency, text, who.user.id, now)
        .await?;
    state
        .store()
        .ledger()
        .append(
            EntryDraft::new(
                who.scope(),
                who.actor(),
                "rules.published",
                Outcome::Success,
            )
            .session(who.session.id.as_str())
            .field("version", version),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Rules {
            version,
            text: text.to_owned(),
            published_at: Some(rfc3339(now)),
            affirmed: false,
        }),
    ))
}
