//! Liveness, metrics and the API description.

use crate::app::AppState;
use crate::dto::Health;
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use sightline_store::Backend;

/// Liveness: the database answers and a photo could be written now. A
/// failure is a 503 problem saying which (`storage_unavailable`,
/// `storage_full`), for load balancers and the operator.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, body = Health), (status = 503, body = crate::error::Problem)))]
pub async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    let store = state.store();
    // The disk first: when it is full, the database's own errors say less.
    let blobs = store.blobs.clone();
    tokio::task::spawn_blocking(move || blobs.probe())
        .await
        .map_err(|e| ApiError::internal(e.into()))?
        .map_err(ApiError::storage)?;
    store.reads.watermark().await.map_err(ApiError::storage)?;
    Ok(Json(Health {
        status: "ok",
        backend: match store.db.backend() {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        },
    }))
}

/// Prometheus metrics in the text exposition format, for the bearer of
/// the configured `metrics_token`; 404 when none is configured.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    security(("metrics_token" = [])),
    responses((status = 200, content_type = "text/plain", body = String),
              (status = 401, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem)))]
pub async fn metrics(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    let http = state.http();
    if http.settings.metrics_token.is_none() {
        return Err(ApiError::not_found());
    }
    if !http.metrics_token_ok(headers.get(header::AUTHORIZATION)) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "metrics_token_required",
            "send 'Authorization: Bearer <metrics_token>', the token in the service's settings",
        ));
    }
    match state.store().agents().pending_counts().await {
        Ok(counts) => {
            state
                .metrics()
                .pending_photos
                .set(counts.values().sum::<i64>());
        }
        Err(e) => tracing::warn!(error = ?e, "counting pending reads for /metrics"),
    }
    let outbox = state.store().outbox();
    match (outbox.counts().await, outbox.retrying().await) {
        (Ok((unsent, _)), Ok(retrying)) => {
            state.metrics().mail_unsent.set(unsent);
            state.metrics().mail_retrying.set(retrying);
        }
        (Err(e), _) | (_, Err(e)) => tracing::warn!(error = ?e, "counting the outbox for /metrics"),
    }
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics().render(),
    ))
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "operations",
    responses((status = 200, content_type = "application/json", body = Object)))]
pub async fn openapi(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi_json().to_owned(),
    )
}
