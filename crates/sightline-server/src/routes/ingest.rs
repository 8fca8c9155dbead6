//! Ingest endpoints for data sources: the native format (JSON array, NDJSON,
//! or multipart with photo parts) and the JSON OpenALPR/Rekor agents POST.

use crate::app::AppState;
use crate::auth::IngestSource;
use crate::dto::IngestReport;
use crate::error::ApiError;
use crate::ingest_limits::{check_part_refs, check_records, too_many_records};
use crate::pipeline::{Origin, PhotoSources, ingest};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use sightline_audit::Actor;
use sightline_core::Violation;
use sightline_ingest::{
    BodyError, OpenAlprMessage, Parsed, is_ndjson_media, parse_json_array_max, parse_ndjson_max,
    parse_openalpr_message, reads_part_is_ndjson,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The largest ingest request accepted: a batch of reads with their photos.
pub const MAX_INGEST_BYTES: usize = 64 * 1024 * 1024;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(ingest_reads))
        .routes(routes!(ingest_openalpr))
        .layer(DefaultBodyLimit::max(MAX_INGEST_BYTES))
}

fn body_error(e: BodyError) -> ApiError {
    let accepted = match e.code() {
        "data_type_unknown" | "data_type_not_reads" => {
            "an OpenALPR alpr_group or alpr_results message"
        }
        _ => {
            "a JSON array of reads, NDJSON (one read per line), or multipart/form-data with a 'reads' part"
        }
    };
    ApiError::field(
        StatusCode::BAD_REQUEST,
        Violation::new(e.code(), "body", e.to_string()).accepting(accepted),
    )
}

fn media_type(req: &Request) -> String {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

fn parse_native(
    body: &[u8],
    ndjson: bool,
    now: time::OffsetDateTime,
    max_records: usize,
) -> Result<Parsed, ApiError> {
    let parsed = if ndjson {
        parse_ndjson_max(body, now, max_records)
    } else {
        parse_json_array_max(body, now, max_records)
    };
    parsed.map_err(|e| match e {
        BodyError::TooManyRecords { limit } => too_many_records(limit),
        e => body_error(e),
    })
}

async fn read_body(req: Request, state: &AppState) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|e| {
        ApiError::field(
            e.status(),
            Violation::new("body_unreadable", "body", e.body_text()).accepting(format!(
                "a request body of at most {MAX_INGEST_BYTES} bytes"
            )),
        )
    })
}

fn unsupported(media: &str) -> ApiError {
    ApiError::field(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        Violation::new(
            "unsupported_media_type",
            "content-type",
            format!("'{media}' is not an ingest format"),
        )
        .accepting("application/json, application/x-ndjson, multipart/form-data"),
    )
}

/// Ingests a batch of reads in the native format. Valid records are stored
/// even when others in the batch are rejected; every record is reported.
#[utoipa::path(post, path = "/api/v1/ingest/reads", tag = "ingest",
    security(("ingest_key" = [])),
    request_body(
        description = "An array of reads (application/json), one read per line (application/x-ndjson), or multipart/form-data with a 'reads' part (JSON array or NDJSON) plus photo parts referenced as {\"part\": name}.",
        content(
            (Object = "application/json"),
            (String = "application/x-ndjson"),
            (Object = "multipart/form-data"),
        )
    ),
    responses((status = 200, body = IngestReport),
              (status = 400, description = "the body as a whole is unreadable", body = crate::error::Problem),
              (status = 401, body = crate::error::Problem),
              (status = 413, description = "the body is too large, or holds more records than one batch may", body = crate::error::Problem),
              (status = 415, body = crate::error::Problem),
              (status = 422, description = "one photo part is named by too many records", body = crate::error::Problem),
              (status = 503, description = "the node is handling as many ingest requests as it takes at once; see Retry-After", body = crate::error::Problem)))]
pub async fn ingest_reads(
    State(state): State<AppState>,
    IngestSource(source): IngestSource,
    req: Request,
) -> Response {
    // Before the body is read: the permit bounds what ingest holds.
    let _permit = match state.ingest_gate().enter() {
        Ok(p) => p,
        Err(busy) => return busy.into_response(),
    };
    native_reads(state, source, req).await.into_response()
}

async fn native_reads(
    state: AppState,
    source: sightline_store::SourceRecord,
    req: Request,
) -> Result<Json<IngestReport>, ApiError> {
    let now = state.now();
    let limits = *state.ingest_gate().limits();
    let media = media_type(&req);
    let mut photos = PhotoSources::default();
    let (parsed, format) = if media == "multipart/form-data" {
        let mut multipart = Multipart::from_request(req, &state).await.map_err(|e| {
            ApiError::field(
                e.status(),
                Violation::new("multipart_invalid", "body", e.body_text()),
            )
        })?;
        let mut reads: Option<(Bytes, bool)> = None;
        loop {
            let field = multipart.next_field().await.map_err(|e| {
                ApiError::field(
                    e.status(),
                    Violation::new("multipart_invalid", "body", e.body_text()),
                )
            })?;
            let Some(field) = field else { break };
            let name = field.name().unwrap_or_default().to_owned();
            let content_type = field.content_type().map(str::to_owned);
            let data = field.bytes().await.map_err(|e| {
                ApiError::field(
                    e.status(),
                    Violation::new("multipart_invalid", &name, e.body_text()),
                )
            })?;
            if name == "reads" {
                let ndjson = reads_part_is_ndjson(content_type.as_deref(), &data);
                reads = Some((data, ndjson));
            } else {
                // Shared, not copied: every record naming the part reads
                // these same bytes.
                photos.parts.insert(name, data);
            }
        }
        let (data, ndjson) = reads.ok_or_else(|| {
            ApiError::field(
                StatusCode::BAD_REQUEST,
                Violation::new(
                    "reads_part_missing",
                    "reads",
                    "the multipart request has no 'reads' part",
                )
                .accepting("a part named 'reads' holding a JSON array or NDJSON"),
            )
        })?;
        let parsed = parse_native(&data, ndjson, now, limits.max_records)?;
        check_part_refs(&parsed, limits.max_part_refs)?;
        (parsed, "multipart")
    } else if media == "application/json" || is_ndjson_media(&media) {
        let ndjson = is_ndjson_media(&media);
        let body = read_body(req, &state).await?;
        (
            parse_native(&body, ndjson, now, limits.max_records)?,
            if ndjson { "ndjson" } else { "json" },
        )
    } else {
        return Err(unsupported(&media));
    };
    let actor = Actor::Source {
        id: source.id.0,
        name: source.name.clone(),
    };
    let origin = Origin {
        source: &source,
        actor,
        format,
    };
    let report = ingest(
        state.store(),
        state.metrics(),
        state.notifier(),
        origin,
        parsed,
        &photos,
        now,
    )
    .await?;
    Ok(Json(report))
}

/// Ingests what an OpenALPR / Rekor agent POSTs (`alpr_group`,
/// `alpr_results` or `heartbeat`), so existing cameras plug in unchanged.
/// Position and addresses come from the camera's registration when the
/// message has none. Photos the message lacks are fetched from the agent
/// image service registered for the source; until both are stored the
/// record is `pending_photos`. A heartbeat is recorded as the source's
/// health.
#[utoipa::path(post, path = "/api/v1/ingest/openalpr", tag = "ingest",
    security(("ingest_key" = [])),
    request_body(content = Object, content_type = "application/json", description = "an alpr_group, alpr_results or heartbeat message"),
    responses((status = 200, body = IngestReport),
              (status = 400, body = crate::error::Problem),
              (status = 401, body = crate::error::Problem),
              (status = 413, body = crate::error::Problem),
              (status = 503, description = "the node is handling as many ingest requests as it takes at once; see Retry-After", body = crate::error::Problem)))]
pub async fn ingest_openalpr(
    State(state): State<AppState>,
    IngestSource(source): IngestSource,
    req: Request,
) -> Response {
    let _permit = match state.ingest_gate().enter() {
        Ok(p) => p,
        Err(busy) => return busy.into_response(),
    };
    openalpr(state, source, req).await.into_response()
}

async fn openalpr(
    state: AppState,
    source: sightline_store::SourceRecord,
    req: Request,
) -> Result<Json<IngestReport>, ApiError> {
    let now = state.now();
    let media = media_type(&req);
    if media != "application/json" && !media.is_empty() {
        return Err(unsupported(&media));
    }
    let body = read_body(req, &state).await?;
    let parsed = match parse_openalpr_message(&body, now).map_err(body_error)? {
        OpenAlprMessage::Reads(parsed) => {
            check_records(&parsed, state.ingest_gate().limits().max_records)?;
            parsed
        }
        OpenAlprMessage::Heartbeat(hb) => {
            let ack = crate::agents::record_heartbeat(state.store(), &source, &hb, now).await?;
            return Ok(Json(IngestReport {
                heartbeat: Some(ack),
                ..IngestReport::default()
            }));
        }
    };
    let actor = Actor::Source {
        id: source.id.0,
        name: source.name.clone(),
    };
    let origin = Origin {
        source: &source,
        actor,
        format: "openalpr",
    };
    let report = ingest(
        state.store(),
        state.metrics(),
        state.notifier(),
        origin,
        parsed,
        &PhotoSources {
            agents: Some(state.agents().clone()),
            ..PhotoSources::default()
        },
        now,
    )
    .await?;
    Ok(Json(report))
}
