//! Oversight (issue 16, docs/oversight.md): the case-reference rule users
//! see before they query, the settings an agency-wide manager sets, and
//! the review queue and report for managers and auditors. The work is in
//! `crate::oversight`, shared with the CLI.

use crate::app::AppState;
use crate::auth::ConsentedUser;
use crate::error::{ApiError, ApiJson};
use crate::oversight::{
    self, OversightSettings, ReviewError, ReviewReport, ReviewView, ReviewerScope, SetError,
};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use sightline_core::{Role, Violation};
use utoipa::{IntoParams, ToSchema};

/// The case-reference rule that applies to you, as the query form shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseReferenceRuleView {
    /// Whether the agency (or your program) sets a rule at all.
    pub active: bool,
    /// `program` (your program's own rule), `agency` or `none`.
    pub source: String,
    pub program: Option<String>,
    /// A case reference the rule accepts.
    pub example: Option<String>,
    pub min_length: usize,
    /// Refused as the whole case reference (compared without case or
    /// surrounding punctuation).
    pub vague_phrases: Vec<String>,
    /// The pattern, for a form's own pre-check; the server decides.
    pub pattern: Option<String>,
    /// What is accepted, in words.
    pub summary: String,
    /// Whether your queries are sampled for supervisor review.
    pub sampled_for_review: bool,
}

/// The case-reference rule for your queries and alert entries.
#[utoipa::path(get, path = "/api/v1/case-reference-rule", tag = "oversight",
    security(("session" = [])),
    responses((status = 200, body = CaseReferenceRuleView), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn case_reference_rule(
    State(state): State<AppState>,
    who: ConsentedUser,
) -> Result<Json<CaseReferenceRuleView>, ApiError> {
    who.require(&[Role::Investigator, Role::AgencyManager, Role::Auditor])?;
    let agency = who.agency()?;
    let compiled = oversight::load(state.store(), Some(state.oversight()), agency).await?;
    let program = match who.user.program_id {
        Some(p) => state
            .store()
            .tenancy()
            .programs(agency)
            .await?
            .into_iter()
            .find(|(id, _)| *id == p)
            .map(|(_, n)| n),
        None => None,
    };
    let own = program
        .as_deref()
        .is_some_and(|p| compiled.settings.case_reference.programs.contains_key(p));
    let rule = compiled.rule_for(program.as_deref());
    Ok(Json(CaseReferenceRuleView {
        active: rule.is_some(),
        source: match (rule.is_some(), own) {
            (false, _) => "none",
            (true, true) => "program",
            (true, false) => "agency",
        }
        .to_owned(),
        program,
        example: rule.and_then(|r| r.example().map(str::to_owned)),
        min_length: rule.map_or(0, |r| r.min_length()),
        vague_phrases: rule.map(|r| r.vague_phrases().to_vec()).unwrap_or_default(),
        pattern: rule.and_then(|r| r.pattern().map(str::to_owned)),
        summary: rule.map_or_else(
            || "Your agency sets no rule beyond the required case reference.".to_owned(),
            |r| format!("Your agency requires {}.", r.accepted()),
        ),
        sampled_for_review: compiled.settings.sampling.enabled,
    }))
}

/// The agency's oversight settings: case-reference rules, sampling, flags.
#[utoipa::path(get, path = "/api/v1/oversight/settings", tag = "oversight",
    security(("session" = [])),
    responses((status = 200, body = OversightSettings), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn get_settings(
    State(state): State<AppState>,
    who: ConsentedUser,
) -> Result<Json<OversightSettings>, ApiError> {
    who.require(&[Role::AgencyManager, Role::Auditor])?;
    let c = oversight::load(state.store(), Some(state.oversight()), who.agency()?).await?;
    Ok(Json(c.settings.clone()))
}

/// Replaces the agency's oversight settings (agency-wide managers; audited
/// as `oversight.settings_changed`).
#[utoipa::path(put, path = "/api/v1/oversight/settings", tag = "oversight",
    security(("session" = [])),
    request_body = OversightSettings,
    responses((status = 200, body = OversightSettings),
              (status = 422, description = "pattern_invalid, example_required, example_refused, min_length_invalid, program_unknown, threshold_invalid", body = crate::error::Problem),
              (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn set_settings(
    State(state): State<AppState>,
    who: ConsentedUser,
    ApiJson(req): ApiJson<OversightSettings>,
) -> Result<Json<OversightSettings>, ApiError> {
    let agency = who.agency_wide_manager("set the agency's oversight rules")?;
    oversight::set_settings(
        state.store(),
        agency,
        who.actor(),
        Some(who.session.id.as_str()),
        &req,
        state.now(),
    )
    .await
    .map_err(|e| match e {
        SetError::Invalid(v) => ApiError::violations(StatusCode::UNPROCESSABLE_ENTITY, v),
        SetError::Unexpected(e) => ApiError::from(e),
    })?;
    Ok(Json(req))
}

fn scope_of(who: &ConsentedUser) -> Result<ReviewerScope, ApiError> {
    who.require(&[Role::AgencyManager, Role::Auditor])?;
    oversight::reviewer_scope(&who.user).ok_or_else(ApiError::forbidden)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct QueueParams {
    /// `pending` (the default), `justified`, `questioned` or `all`.
    pub status: Option<String>,
    /// At most this many (1-500, default 100).
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewQueue {
    pub items: Vec<ReviewView>,
}

/// The review queue: sampled and flagged queries of your scope (your AOR's
/// users, or the agency's for agency-wide managers and auditors).
#[utoipa::path(get, path = "/api/v1/reviews", tag = "oversight",
    security(("session" = [])),
    params(QueueParams),
    responses((status = 200, body = ReviewQueue),
              (status = 422, description = "status_invalid", body = crate::error::Problem),
              (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    who: ConsentedUser,
    Query(p): Query<QueueParams>,
) -> Result<Json<ReviewQueue>, ApiError> {
    let scope = scope_of(&who)?;
    let status = match p.status.as_deref().map(str::trim) {
        None | Some("") | Some("pending") => Some("pending"),
        Some("all") => None,
        Some(s @ ("justified" | "questioned")) => Some(s),
        Some(_) => {
            return Err(ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                Violation::new("status_invalid", "status", "no such review status")
                    .accepting("pending, justified, questioned or all"),
            ));
        }
    };
    let limit = p.limit.unwrap_or(100).clamp(1, 500);
    let items = oversight::queue(state.store(), scope, status, limit).await?;
    Ok(Json(ReviewQueue { items }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewDecision {
    /// `justified` or `questioned`.
    pub outcome: Option<String>,
    /// Why (1-2000 characters): sealed in the audit log.
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewDecided {
    pub id: i64,
    pub outcome: String,
    /// The `review.decided` audit entry.
    pub audit_seq: i64,
    /// The incident a questioned query opened.
    pub incident_id: Option<i64>,
    /// Who was sent the unauthorized-use notice.
    pub notified: Vec<String>,
}

/// Marks a queued query `justified` or `questioned`, with a note. A
/// questioned query opens an `unauthorized_use_suspected` incident and its
/// notice goes to the professional-responsibility and security contacts.
#[utoipa::path(post, path = "/api/v1/reviews/{review_id}", tag = "oversight",
    security(("session" = [])),
    params(("review_id" = i64, Path, description = "the review item")),
    request_body = ReviewDecision,
    responses((status = 200, body = ReviewDecided),
              (status = 422, description = "outcome_invalid, note_required, note_too_long", body = crate::error::Problem),
              (status = 409, description = "review_already_decided, review_own_query", body = crate::error::Problem),
              (status = 404, body = crate::error::Problem),
              (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn decide(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<ReviewDecision>,
) -> Result<Json<ReviewDecided>, ApiError> {
    let scope = scope_of(&who)?;
    let mut errors = Vec::new();
    let questioned = match req.outcome.as_deref().map(str::trim) {
        Some("justified") => false,
        Some("questioned") => true,
        _ => {
            errors.push(
                Violation::new(
                    "outcome_invalid",
                    "outcome",
                    "say whether the query was justified or is questioned",
                )
                .accepting("justified or questioned"),
            );
            false
        }
    };
    let note = req.note.as_deref().map(str::trim).unwrap_or_default();
    if note.is_empty() {
        errors.push(
            Violation::new(
                "note_required",
                "note",
                "say why: the note is kept, sealed, in the audit log",
            )
            .accepting("1 to 2000 characters"),
        );
    } else if note.chars().count() > 2000 {
        errors.push(
            Violation::new("note_too_long", "note", "the note is too long")
                .accepting("1 to 2000 characters"),
        );
    }
    if !errors.is_empty() {
        return Err(ApiError::violations(
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
        ));
    }
    let decided = oversight::decide(
        state.store(),
        scope,
        &who.user,
        Some(who.session.id.as_str()),
        &oversight::Finding {
            id,
            questioned,
            note,
        },
        state.now(),
    )
    .await
    .map_err(|e| match e {
        ReviewError::NotFound => ApiError::not_found(),
        ReviewError::OwnQuery => ApiError::new(
            StatusCode::CONFLICT,
            "review_own_query",
            "you cannot review your own query: another reviewer must",
        ),
        ReviewError::AlreadyDecided => ApiError::new(
            StatusCode::CONFLICT,
            "review_already_decided",
            "this query was reviewed already",
        ),
        ReviewError::Unexpected(e) => ApiError::from(e),
    })?;
    if decided.incident_id.is_some() {
        state.notifier().wake.notify_one();
    }
    Ok(Json(ReviewDecided {
        id,
        outcome: if questioned {
            "questioned"
        } else {
            "justified"
        }
        .to_owned(),
        audit_seq: decided.review_seq,
        incident_id: decided.incident_id,
        notified: decided.notified,
    }))
}

/// Unreviewed items by age, review coverage per AOR, and outcomes, for your scope.
#[utoipa::path(get, path = "/api/v1/reviews/report", tag = "oversight",
    security(("session" = [])),
    responses((status = 200, body = ReviewReport), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn report(
    State(state): State<AppState>,
    who: ConsentedUser,
) -> Result<Json<ReviewReport>, ApiError> {
    let scope = scope_of(&who)?;
    Ok(Json(
        oversight::report(state.store(), scope, state.now()).await?,
    ))
}
