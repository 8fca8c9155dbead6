//! The jurisdictions Sightline knows, for the web app's state picker.

use crate::auth::CurrentUser;
use axum::Json;
use serde::Serialize;
use sightline_core::Jurisdiction;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct JurisdictionDto {
    /// What the API accepts and returns as `state`: a USPS code, `FED` or `DIP`.
    pub code: &'static str,
    pub name: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Jurisdictions {
    /// Every jurisdiction, sorted by name.
    pub jurisdictions: Vec<JurisdictionDto>,
}

/// Every jurisdiction a plate query or alert entry may name, sorted by name.
#[utoipa::path(get, path = "/api/v1/jurisdictions", tag = "session",
    security(("session" = [])),
    responses((status = 200, body = Jurisdictions), (status = 401, body = crate::error::Problem)))]
pub async fn list(_who: CurrentUser) -> Json<Jurisdictions> {
    let mut jurisdictions: Vec<JurisdictionDto> = Jurisdiction::all()
        .map(|j| JurisdictionDto {
            code: j.code(),
            name: j.name(),
        })
        .collect();
    jurisdictions.sort_by(|a, b| a.name.cmp(b.name).then(a.code.cmp(b.code)));
    Json(Jurisdictions { jurisdictions })
}
