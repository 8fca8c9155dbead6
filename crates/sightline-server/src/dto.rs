//! Wire types of the API: what clients send and receive. Domain types stay
//! in `sightline-core`; these only carry them across HTTP.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    #[schema(value_type = String, format = Password)]
    pub password: secrecy::SecretString,
    /// `cookie` for the web app: the token goes into an HttpOnly,
    /// SameSite=Strict cookie instead of the response body.
    #[serde(default)]
    pub session: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`. Shown once; absent for
    /// cookie sessions.
    pub token: Option<String>,
    pub token_type: &'static str,
    /// The latest the session can last; 30 idle minutes end it sooner.
    #[schema(format = DateTime)]
    pub expires_at: String,
    /// The next step of the logon: `mfa_enroll` or `mfa_verify`, then
    /// `POST /api/v1/rules/affirm`. Until then only those endpoints answer.
    pub next: &'static str,
    pub user: Me,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonCodeInfo {
    pub code: String,
    pub label: String,
    /// The longest time frame, in days, this reason justifies.
    pub max_days: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub agency_id: Option<i64>,
    /// The user's area of responsibility; `null` for agency-wide managers
    /// and auditors (and the operator).
    pub aor_id: Option<i64>,
    /// The agency's IANA time zone, in which its reports are reckoned;
    /// `null` for the operator.
    pub agency_time_zone: Option<String>,
    pub program: Option<String>,
    /// The reason codes this user may query under.
    pub reason_codes: Vec<ReasonCodeInfo>,
    /// From `GET /api/v1/me` only: what this session must do next before
    /// it may use the service: `mfa_enroll`, `mfa_verify`,
    /// `password_change`, `rules`, `training_required`, or `ready`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<&'static str>,
}

/// A plate query (R3.2). Every field is mandatory; they are optional here
/// only so that a missing one is reported by name.
#[derive(Debug, Deserialize, ToSchema)]
pub struct QueryRequest {
    /// One exact plate number; no wildcards or partial plates.
    pub plate: Option<String>,
    /// The state (jurisdiction) of registration: USPS code or name.
    pub state: Option<String>,
    /// One of the reason codes of your program (see `GET /api/v1/me`).
    pub reason_code: Option<String>,
    /// `{"previous_days": N}` or `{"start": RFC 3339, "end": RFC 3339}`.
    #[schema(value_type = Object)]
    pub timeframe: Option<Value>,
    /// What led to the query: subject name, case number.
    pub case_reference: Option<String>,
    /// `"self"` or `{"person": "Full Name"}`.
    #[schema(value_type = Object)]
    pub on_behalf_of: Option<Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GeoDto {
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SourceDto {
    pub name: String,
    /// toll_road, parking_lot, repossession or law_enforcement.
    pub kind: String,
    /// e.g. "toll road camera".
    pub kind_label: String,
    pub jurisdiction: String,
    pub place: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PhotoLinks {
    /// The vehicle photograph; served only to this session while it lasts.
    pub vehicle: String,
    /// The plate close-up.
    pub plate: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadResult {
    pub read_id: i64,
    pub plate: String,
    pub state: String,
    #[schema(format = DateTime)]
    pub captured_at: String,
    pub location: GeoDto,
    pub nearest_address: String,
    pub nearest_intersection: String,
    pub source: SourceDto,
    pub photos: PhotoLinks,
    /// The camera's own vehicle analysis, where it sent one: `make`,
    /// `model`, `color`, `body_type`, `year`, each `{name, confidence}`
    /// (percent). A help to confirm the read; no query can search by it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub vehicle: Option<sightline_core::read::VehicleAttributes>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimeframeDto {
    #[schema(format = DateTime)]
    pub start: String,
    #[schema(format = DateTime)]
    pub end: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueryResponse {
    /// The query's sequence number in the agency's audit log.
    pub query_id: i64,
    pub plate: String,
    pub state: String,
    pub reason_code: String,
    pub case_reference: String,
    /// `null` when the query was for the user themself.
    pub on_behalf_of: Option<String>,
    pub timeframe: TimeframeDto,
    pub result_count: usize,
    /// True when more reads matched than one query returns.
    pub truncated: bool,
    pub results: Vec<ReadResult>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecentQuery {
    pub query_id: i64,
    /// Who ran it (the caller, or a member of one of the caller's alert
    /// groups with `include=groups`).
    pub username: String,
    pub display_name: String,
    #[schema(format = DateTime)]
    pub at: String,
    pub plate: String,
    pub state: String,
    pub reason_code: String,
    pub case_reference: String,
    pub on_behalf_of: Option<String>,
    pub timeframe: TimeframeDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecentQueries {
    pub queries: Vec<RecentQuery>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IngestStatus {
    Accepted,
    Duplicate,
    Rejected,
    /// Acknowledged and kept, but not yet a read: its photos are being
    /// fetched from the source's agent. It is out of every query and alert
    /// match until both are stored.
    PendingPhotos,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IngestItem {
    /// Position in the batch: array index, NDJSON line index, CSV row.
    pub index: usize,
    pub status: IngestStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_read_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_id: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<sightline_core::purpose::Violation>,
    /// For `pending_photos`: why the photos are not there yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_reason: Option<String>,
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct IngestReport {
    pub accepted: usize,
    pub duplicates: usize,
    pub rejected: usize,
    /// Records acknowledged but waiting for their photos from the agent.
    pub pending_photos: usize,
    pub results: Vec<IngestItem>,
    /// For an OpenALPR `heartbeat`: what was recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heartbeat: Option<HeartbeatAck>,
}

/// A heartbeat recorded as the source's health.
#[derive(Debug, Serialize, ToSchema)]
pub struct HeartbeatAck {
    /// The cameras the heartbeat reported.
    pub cameras: usize,
    /// How many of them were streaming.
    pub streaming: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub backend: &'static str,
}
