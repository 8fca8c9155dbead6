//! The agency's security contacts (R5.7): who is told, within the minute,
//! when Sightline suspects unauthorized use of the agency's account.

use crate::app::AppState;
use crate::auth::ConsentedUser;
use crate::error::{ApiError, ApiJson};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use sightline_audit::{EntryDraft, Outcome};
use sightline_core::{Role, Violation};
use utoipa::ToSchema;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SecurityContacts {
    pub emails: Vec<String>,
    /// The professional-responsibility office's contacts: told, with the
    /// security contacts, when a reviewer questions a query (issue 16).
    /// Left as they are when absent from a PUT.
    #[serde(default)]
    pub professional_responsibility: Option<Vec<String>>,
}

fn check_emails(emails: &[String], field: &str, errors: &mut Vec<Violation>) {
    for (i, e) in emails.iter().enumerate() {
        if !e.contains('@') || e.len() > 254 || e.chars().any(char::is_whitespace) {
            errors.push(Violation::new(
                "email_invalid",
                &format!("{field}[{i}]"),
                "not an email address",
            ));
        }
    }
}

/// The agency's security contacts.
#[utoipa::path(get, path = "/api/v1/security-contacts", tag = "administration",
    security(("session" = [])),
    responses((status = 200, body = SecurityContacts), (status = 403, body = crate::error::Problem)))]
pub async fn get_contacts(
    State(state): State<AppState>,
    who: ConsentedUser,
) -> Result<Json<SecurityContacts>, ApiError> {
    who.require(&[Role::AgencyManager, Role::Auditor])?;
    let agency = who.agency()?;
    let emails = state.store().incidents().contacts(agency).await?;
    let pr = state.store().oversight().pr_contacts(agency).await?;
    Ok(Json(SecurityContacts {
        emails,
        professional_responsibility: Some(pr),
    }))
}

/// Replaces the agency's security contacts.
#[utoipa::path(put, path = "/api/v1/security-contacts", tag = "administration",
    security(("session" = [])),
    request_body = SecurityContacts,
    responses((status = 200, body = SecurityContacts), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn set_contacts(
    State(state): State<AppState>,
    who: ConsentedUser,
    ApiJson(req): ApiJson<SecurityContacts>,
) -> Result<Json<SecurityContacts>, ApiError> {
    let agency = who.agency_wide_manager("name the agency's security contacts")?;
    let emails: Vec<String> = req.emails.iter().map(|e| e.trim().to_owned()).collect();
    let pr: Option<Vec<String>> = req
        .professional_responsibility
        .as_ref()
        .map(|v| v.iter().map(|e| e.trim().to_owned()).collect());
    let mut errors = Vec::new();
    check_emails(&emails, "emails", &mut errors);
    if let Some(pr) = &pr {
        check_emails(pr, "professional_responsibility", &mut errors);
        if pr.len() > 20 {
            errors.push(
                Violation::new(
                    "emails_count",
                    "professional_responsibility",
                    "name at most 20 contacts",
                )
                .accepting("0-20 addresses"),
            );
        }
    }
    if emails.is_empty() || emails.len() > 20 || !errors.is_empty() {
        let mut errors = errors;
        if emails.is_empty() || emails.len() > 20 {
            errors.push(
                Violation::new("emails_count", "emails", "name 1 to 20 contacts")
                    .accepting("1-20 addresses"),
            );
        }
        return Err(ApiError::violations(
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
        ));
    }
    state
        .store()
        .incidents()
        .set_contacts(agency, &emails)
        .await?;
    if let Some(pr) = &pr {
        state
            .store()
            .oversight()
            .set_pr_contacts(agency, pr)
            .await?;
    }
    let pr = state.store().oversight().pr_contacts(agency).await?;
    state
        .store()
        .ledger()
        .append(
            EntryDraft::new(
                who.scope(),
                who.actor(),
                "security_contacts.changed",
                Outcome::Success,
            )
            .session(who.session.id.as_str())
            .field("emails", emails.clone())
            .field("professional_responsibility", pr.clone()),
        )
        .await?;
    Ok(Json(SecurityContacts {
        emails,
        professional_responsibility: Some(pr),
    }))
}
