//! The one place where failures become HTTP responses: RFC 9457 problem
//! details with a stable `code`, the field at fault and what is accepted.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sightline_core::purpose::Violation;
use sightline_store::{StorageFault, storage_fault};

/// An API failure. Handlers return `Result<_, ApiError>`; nothing else
/// writes an error body.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: String,
    detail: String,
    errors: Vec<Violation>,
    /// Logged, never sent: the cause of a 5xx.
    cause: Option<anyhow::Error>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the problem type: `/problems/{code}`.
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    /// Stable machine-readable code.
    pub code: String,
    pub detail: String,
    /// The request field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What would have been accepted, when that can be said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<String>,
    /// Every violation, when there are several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<Violation>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_owned(),
            detail: detail.into(),
            errors: Vec::new(),
            cause: None,
        }
    }

    /// A request that broke one or more rules; the first names the code.
    pub fn violations(status: StatusCode, errors: Vec<Violation>) -> Self {
        let (code, detail) = errors
            .first()
            .map(|v| (v.code.clone(), v.message.clone()))
            .unwrap_or_else(|| ("invalid_request".into(), "the request is invalid".into()));
        Self {
            status,
            code,
            detail,
            errors,
            cause: None,
        }
    }

    pub fn field(status: StatusCode, v: Violation) -> Self {
        Self::violations(status, vec![v])
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "sign in first: send 'Authorization: Bearer <token>' from POST /api/v1/auth/login",
        )
    }

    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "your role does not allow this action",
        )
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "no such resource")
    }

    /// The audit append failed, so the action did not happen. The detail
    /// says why when the storage underneath is at fault.
    pub fn audit_unavailable(cause: anyhow::Error) -> Self {
        let why = match storage_fault(&cause) {
            Some(StorageFault::Full) => " (the server's storage is full)",
            Some(StorageFault::Unreachable) => " (the database cannot be reached)",
            None => "",
        };
        Self {
            cause: Some(cause),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "audit_unavailable",
                format!(
                    "the audit log could not record this action{why}, so it was not carried out; try again later"
                ),
            )
        }
    }

    /// A failure of the storage itself, as [`ApiError::internal`] tells it,
    /// and `storage_unavailable` where the error does not say (503 either
    /// way: for `/healthz`, where a failure is never a 500).
    pub fn storage(cause: anyhow::Error) -> Self {
        let mut e = Self::internal(cause);
        if e.status == StatusCode::INTERNAL_SERVER_ERROR {
            e.status = StatusCode::SERVICE_UNAVAILABLE;
            e.code = "storage_unavailable".into();
            e.detail = "the service cannot use its storage now; see the server log".into();
        }
        e
    }

    /// A failure nobody asked for: a storage outage when the error says so
    /// (503 `storage_full` or `storage_unavailable`), else 500.
    pub fn internal(cause: anyhow::Error) -> Self {
        let (status, code, detail) = match storage_fault(&cause) {
            Some(StorageFault::Full) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "storage_full",
                "the server's storage is full, so nothing was stored or changed; try again once the operator has freed space",
            ),
            Some(StorageFault::Unreachable) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "storage_unavailable",
                "the database cannot be reached, so nothing was stored or changed; try again later",
            ),
            None => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "the service failed to handle this request",
            ),
        };
        Self {
            cause: Some(cause),
            ..Self::new(status, code, detail)
        }
    }

    pub fn code(&self) -> &str {
        &self.code
    }
}

impl From<sightline_maps::TileError> for ApiError {
    fn from(e: sightline_maps::TileError) -> Self {
        Self {
            cause: Some(anyhow::Error::new(e)),
            ..Self::new(
                StatusCode::BAD_GATEWAY,
                "tile_source_unavailable",
                "the map's tile source did not answer; try again later",
            )
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        Self::internal(e)
    }
}

impl From<sightline_store::LedgerError> for ApiError {
    fn from(e: sightline_store::LedgerError) -> Self {
        Self::audit_unavailable(e.0)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Some(cause) = &self.cause {
            tracing::error!(code = %self.code, error = ?cause, "request failed");
        }
        let first = self.errors.first();
        let problem = Problem {
            type_uri: format!("/problems/{}", self.code),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            code: self.code.clone(),
            detail: self.detail.clone(),
            field: first.map(|v| v.field.clone()),
            accepted: first.and_then(|v| v.accepted.clone()),
            errors: self.errors,
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut resp = (self.status, body).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        resp
    }
}

/// JSON bodies whose parse failures are problem+json, not axum's plain text.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Self(v)),
            Err(rejection) => Err(ApiError::field(
                rejection.status(),
                Violation::new("malformed_body", "body", rejection.body_text())
                    .accepting("a JSON object, sent with Content-Type: application/json"),
            )),
        }
    }
}
