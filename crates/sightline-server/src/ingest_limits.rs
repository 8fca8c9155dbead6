//! Bounds on what one ingest request may make the server hold in memory:
//! records per batch, references to one multipart photo part, and ingest
//! requests at once across the node (docs/ingest.md, "Limits").

use crate::error::ApiError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sightline_core::Violation;
use sightline_ingest::{Parsed, PhotoData};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The ingest limits of a node. `sightline serve` takes them from its
/// settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngestLimits {
    /// Records (accepted or not) one batch may hold.
    pub max_records: usize,
    /// Records that may name one multipart photo part.
    pub max_part_refs: usize,
    /// Ingest requests handled at once; more are refused with 503.
    pub max_concurrent: usize,
}

impl Default for IngestLimits {
    fn default() -> Self {
        Self {
            max_records: 5_000,
            max_part_refs: 16,
            max_concurrent: 8,
        }
    }
}

/// Seconds a refused source is told to wait before sending again.
pub const RETRY_AFTER_SECS: u64 = 1;

/// The node's ingest permits: one per request in flight.
#[derive(Debug, Clone)]
pub struct IngestGate {
    limits: IngestLimits,
    permits: Arc<Semaphore>,
}

impl IngestGate {
    pub fn new(limits: IngestLimits) -> Self {
        Self {
            limits,
            permits: Arc::new(Semaphore::new(limits.max_concurrent)),
        }
    }

    pub fn limits(&self) -> &IngestLimits {
        &self.limits
    }

    /// A permit for one ingest request, or the 503 to send when all are in
    /// use. Never waits: a source that is refused retries later.
    pub fn enter(&self) -> Result<OwnedSemaphorePermit, Busy> {
        self.permits.clone().try_acquire_owned().map_err(|_| Busy {
            limit: self.limits.max_concurrent,
        })
    }
}

/// Every ingest permit is in use.
#[derive(Debug)]
pub struct Busy {
    limit: usize,
}

impl IntoResponse for Busy {
    fn into_response(self) -> Response {
        let mut resp = ApiError::field(
            StatusCode::SERVICE_UNAVAILABLE,
            Violation::new(
                "ingest_busy",
                "request",
                format!(
                    "this node is already handling {} ingest requests, the most it takes at once; nothing in this one was stored: send it again in {RETRY_AFTER_SECS} s",
                    self.limit
                ),
            )
            .accepting(format!("at most {} ingest requests at once", self.limit)),
        )
        .into_response();
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
        resp
    }
}

/// Refuses a batch with more than `max` records (OpenALPR messages, whose
/// parser does not stream; the native parsers stop at the limit).
pub fn check_records(parsed: &Parsed, max: usize) -> Result<(), ApiError> {
    if parsed.records.len() + parsed.errors.len() > max {
        return Err(too_many_records(max));
    }
    Ok(())
}

/// The refusal of a batch over the record limit.
pub fn too_many_records(max: usize) -> ApiError {
    ApiError::field(
        StatusCode::PAYLOAD_TOO_LARGE,
        Violation::new(
            "batch_too_many_records",
            "body",
            format!(
                "the batch holds more than {max} records, the most one request may carry; nothing in it was stored: send it in batches of at most {max}"
            ),
        )
        .accepting(format!("at most {max} records a request")),
    )
}

/// Refuses a batch in which one multipart part is named by more than `max`
/// records' photos. Checked before anything is stored, so nothing of the
/// batch is.
pub fn check_part_refs(parsed: &Parsed, max: usize) -> Result<(), ApiError> {
    let mut refs: HashMap<&str, usize> = HashMap::new();
    let photos = parsed
        .records
        .iter()
        .flat_map(|(_, r)| [&r.vehicle_photo, &r.plate_photo]);
    for photo in photos {
        if let Some(PhotoData::Part(name)) = photo {
            let n = refs.entry(name.as_str()).or_default();
            *n += 1;
            if *n > max {
                return Err(ApiError::field(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Violation::new(
                        "photo_part_overused",
                        name.as_str(),
                        format!(
                            "more than {max} photos name the part '{name}', the most one part may serve; nothing in the batch was stored"
                        ),
                    )
                    .accepting(format!("a photo part named by at most {max} photos")),
                ));
            }
        }
    }
    Ok(())
}
