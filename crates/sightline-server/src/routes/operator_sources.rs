//! The operator's sources, cameras and collection policies over HTTP (the
//! operator console; the CLI has the same through `sightline admin`).
//! Every change is in the operator's log, appended before the change: if
//! it cannot be logged, it is not made.

use crate::app::AppState;
use crate::auth::ConsentedUser;
use crate::error::{ApiError, ApiJson};
use crate::routes::operator::operator_log;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use secrecy::ExposeSecret as _;
use serde::{Deserialize, Serialize};
use sightline_core::collection::{CollectionPolicy, MAX_RETENTION_SECS};
use sightline_core::tenancy::SourceId;
use sightline_core::{GeoPoint, Jurisdiction, Role, SourceKind, Violation};
use sightline_store::Camera;
use utoipa::ToSchema;

/// The shortest retention the API accepts: a minute.
const MIN_RETENTION_SECS: i64 = 60;

fn text(
    errors: &mut Vec<Violation>,
    field: &'static str,
    value: Option<&str>,
    max: usize,
) -> String {
    let v = value.map(str::trim).unwrap_or_default();
    if v.is_empty() || v.chars().count() > max || v.chars().any(char::is_control) {
        errors.push(
            Violation::new(
                &format!("{field}_invalid"),
                field,
                "required, on one line, of reasonable length",
            )
            .accepting(format!("1 to {max} characters")),
        );
    }
    v.to_owned()
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewSource {
    pub name: Option<String>,
    /// toll_road, parking_lot, repossession or law_enforcement.
    pub kind: Option<String>,
    /// Where it collects (USPS code); that state's collection policy applies.
    pub jurisdiction: Option<String>,
    /// A place description, e.g. "Delaware".
    pub place: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SourceCreated {
    pub id: i64,
    pub name: String,
    /// The ingest key. Shown once; only its hash is kept.
    pub key: String,
}

/// Registers a data source and issues its first ingest key.
#[utoipa::path(post, path = "/api/v1/admin/sources", tag = "operator",
    security(("session" = [])),
    request_body = NewSource,
    responses((status = 201, body = SourceCreated), (status = 403, body = crate::error::Problem),
              (status = 422, description = "name_invalid, kind_unknown, jurisdiction_unknown, place_invalid", body = crate::error::Problem)))]
pub async fn create_source(
    State(state): State<AppState>,
    who: ConsentedUser,
    ApiJson(req): ApiJson<NewSource>,
) -> Result<(StatusCode, Json<SourceCreated>), ApiError> {
    who.require(&[Role::OperatorAdmin])?;
    let mut errors = Vec::new();
    let name = text(&mut errors, "name", req.name.as_deref(), 120);
    let place = text(&mut errors, "place", req.place.as_deref(), 120);
    let kind = SourceKind::parse(req.kind.as_deref().unwrap_or_default().trim()).ok();
    if kind.is_none() {
        errors.push(
            Violation::new(
                "kind_unknown",
                "kind",
                "not a kind of source Sightline knows",
            )
            .accepting("toll_road, parking_lot, repossession or law_enforcement"),
        );
    }
    let jurisdiction = Jurisdiction::parse(req.jurisdiction.as_deref().unwrap_or_default()).ok();
    if jurisdiction.is_none() {
        errors.push(
            Violation::new(
                "jurisdiction_unknown",
                "jurisdiction",
                "not a US state or territory",
            )
            .accepting("a USPS code, e.g. PA"),
        );
    }
    let (Some(kind), Some(jurisdiction)) = (kind, jurisdiction) else {
        return Err(ApiError::violations(
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
        ));
    };
    if !errors.is_empty() {
        return Err(ApiError::violations(
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
        ));
    }
    if state
        .store()
        .sources()
        .all()
        .await?
        .iter()
        .any(|s| s.name == name)
    {
        return Err(ApiError::field(
            StatusCode::CONFLICT,
            Violation::new(
                "source_exists",
                "name",
                "a source of that name is registered",
            )
            .accepting("a name no other source has"),
        ));
    }
    operator_log(
        &state,
        &who,
        "admin.source_created",
        &[
            ("name", name.as_str().into()),
            ("kind", kind.as_str().into()),
            ("jurisdiction", jurisdiction.code().into()),
        ],
    )
    .await?;
    let now = state.now();
    let sources = state.store().sources();
    let id = sources
        .create(&name, kind, jurisdiction, &place, now)
        .await?;
    let key = sources.issue_key(id, now).await?;
    Ok((
        StatusCode::CREATED,
        Json(SourceCreated {
            id: id.0,
            name,
            key: key.expose_secret().to_owned(),
        }),
    ))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CameraDto {
    /// The camera's id in the source's own reads (e.g. OpenALPR's camera_id).
    pub camera_id: String,
    pub lat: f64,
    pub lon: f64,
    pub nearest_address: String,
    pub nearest_intersection: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Cameras {
    pub cameras: Vec<CameraDto>,
}

/// The source of a path's id, or 404.
pub(crate) async fn source(state: &AppState, id: i64) -> Result<SourceId, ApiError> {
    state
        .store()
        .sources()
        .get(SourceId(id))
        .await?
        .map(|s| s.id)
        .ok_or_else(ApiError::not_found)
}

/// A source's fixed cameras, where they stand and what is nearest them.
#[utoipa::path(get, path = "/api/v1/admin/sources/{source_id}/cameras", tag = "operator",
    security(("session" = [])),
    params(("source_id" = i64, Path)),
    responses((status = 200, body = Cameras), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn list_cameras(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(source_id): Path<i64>,
) -> Result<Json<Cameras>, ApiError> {
    who.require(&[Role::OperatorAdmin])?;
    let id = source(&state, source_id).await?;
    let mut cameras: Vec<CameraDto> = state
        .store()
        .sources()
        .cameras(id)
        .await?
        .into_values()
        .map(|c| CameraDto {
            camera_id: c.camera_id,
            lat: c.location.lat(),
            lon: c.location.lon(),
            nearest_address: c.nearest_address,
            nearest_intersection: c.nearest_intersection,
        })
        .collect();
    cameras.sort_by(|a, b| a.camera_id.cmp(&b.camera_id));
    Ok(Json(Cameras { cameras }))
}

/// Places a camera (new or moved): its position fills the location and
/// addresses of the source's reads that name it.
#[utoipa::path(post, path = "/api/v1/admin/sources/{source_id}/cameras", tag = "operator",
    security(("session" = [])),
    params(("source_id" = i64, Path)),
    request_body = CameraDto,
    responses((status = 200, body = CameraDto), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, description = "camera_id_invalid, location_invalid, nearest_address_invalid, nearest_intersection_invalid", body = crate::error::Problem)))]
pub async fn put_camera(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(source_id): Path<i64>,
    ApiJson(req): ApiJson<CameraDto>,
) -> Result<Json<CameraDto>, ApiError> {
    who.require(&[Role::OperatorAdmin])?;
    let id = source(&state, source_id).await?;
    let mut errors = Vec::new();
    let camera_id = text(&mut errors, "camera_id", Some(&req.camera_id), 64);
    let address = text(
        &mut errors,
        "nearest_address",
        Some(&req.nearest_address),
        200,
    );
    let crossing = text(
        &mut errors,
        "nearest_intersection",
        Some(&req.nearest_intersection),
        200,
    );
    let location = GeoPoint::new(req.lat, req.lon).ok();
    if location.is_none() {
        errors.push(
            Violation::new("location_invalid", "lat", "not a position on Earth")
                .accepting("lat -90 to 90, lon -180 to 180"),
        );
    }
    let Some(location) = location.filter(|_| errors.is_empty()) else {
        return Err(ApiError::violations(
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
        ));
    };
    operator_log(
        &state,
        &who,
        "admin.camera_saved",
        &[
            ("source_id", source_id.into()),
            ("camera_id", camera_id.as_str().into()),
            ("lat", location.lat().into()),
            ("lon", location.lon().into()),
        ],
    )
    .await?;
    state
        .store()
        .sources()
        .put_camera(
            id,
            &Camera {
                camera_id: camera_id.clone(),
                location,
                nearest_address: address.clone(),
                nearest_intersection: crossing.clone(),
            },
        )
        .await?;
    Ok(Json(CameraDto {
        camera_id,
        lat: location.lat(),
        lon: location.lon(),
        nearest_address: address,
        nearest_intersection: crossing,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyDto {
    pub state: String,
    pub collection_allowed: bool,
    /// How long a read collected there is kept after capture (New
    /// Hampshire's is 180: three minutes).
    pub retention_seconds: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Policies {
    pub policies: Vec<PolicyDto>,
    /// The longest retention Sightline allows anywhere (five years).
    pub max_retention_seconds: i64,
}

fn dto(p: &CollectionPolicy) -> PolicyDto {
    PolicyDto {
        state: p.jurisdiction.code().to_owned(),
        collection_allowed: p.collection_allowed,
        retention_seconds: p.retention_secs,
    }
}

/// Every state's collection policy: whether reads collected there are
/// accepted, and how long they are kept.
#[utoipa::path(get, path = "/api/v1/admin/collection-policies", tag = "operator",
    security(("session" = [])),
    responses((status = 200, body = Policies), (status = 403, body = crate::error::Problem)))]
pub async fn list_policies(
    State(state): State<AppState>,
    who: ConsentedUser,
) -> Result<Json<Policies>, ApiError> {
    who.require(&[Role::OperatorAdmin])?;
    let policies = state
        .store()
        .policies()
        .all()
        .await?
        .iter()
        .map(dto)
        .collect();
    Ok(Json(Policies {
        policies,
        max_retention_seconds: MAX_RETENTION_SECS,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PolicyChange {
    pub collection_allowed: bool,
    pub retention_seconds: i64,
}

/// Changes one state's policy. Audited with the old and new values; the
/// retention loop applies a shorter retention to stored reads at its next
/// run.
#[utoipa::path(put, path = "/api/v1/admin/collection-policies/{state}", tag = "operator",
    security(("session" = [])),
    params(("state" = String, Path, description = "USPS code")),
    request_body = PolicyChange,
    responses((status = 200, body = PolicyDto), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, description = "retention_seconds_invalid", body = crate::error::Problem)))]
pub async fn set_policy(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<PolicyChange>,
) -> Result<Json<PolicyDto>, ApiError> {
    who.require(&[Role::OperatorAdmin])?;
    let j = Jurisdiction::parse(&code).map_err(|_| ApiError::not_found())?;
    if !(MIN_RETENTION_SECS..=MAX_RETENTION_SECS).contains(&req.retention_seconds) {
        return Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            Violation::new(
                "retention_seconds_invalid",
                "retention_seconds",
                "reads are kept at least a minute and at most five years",
            )
            .accepting(format!("{MIN_RETENTION_SECS} to {MAX_RETENTION_SECS}")),
        ));
    }
    let before = state.store().policies().get(j).await?;
    let after = CollectionPolicy {
        jurisdiction: j,
        collection_allowed: req.collection_allowed,
        retention_secs: req.retention_seconds,
    };
    operator_log(
        &state,
        &who,
        "admin.collection_policy_changed",
        &[
            ("state", j.code().into()),
            (
                "collection_allowed_before",
                before.collection_allowed.into(),
            ),
            ("collection_allowed", after.collection_allowed.into()),
            ("retention_seconds_before", before.retention_secs.into()),
            ("retention_seconds", req.retention_seconds.into()),
        ],
    )
    .await?;
    state.store().policies().set(&after).await?;
    Ok(Json(dto(&after)))
}
