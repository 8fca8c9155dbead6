//! Purpose-bound plate queries (R3) and the user's recent queries (R3.10).
//!
//! Order matters and the types enforce it: the session is checked by the
//! extractor, the purpose by `purpose::check`, then the ledger records the
//! query and hands back a `QueryReceipt`, and only the receipt can open the
//! read store.

use crate::app::AppState;
use crate::auth::ConsentedUser;
use crate::dto::{
    GeoDto, PhotoLinks, QueryRequest, QueryResponse, ReadResult, RecentQueries, RecentQuery,
    SourceDto, TimeframeDto,
};
use crate::error::{ApiError, ApiJson};
use crate::metrics::OutcomeLabel;
use crate::routes::session::rfc3339;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::Value;
use sightline_audit::{Actor, EntryDraft, Outcome};
use sightline_core::clock::from_micros;
use sightline_core::purpose::{self, QueryInput};
use sightline_core::{Role, TimeframeSpec, UserId, Violation};
use sightline_store::{MAX_RESULTS, QUERY_ACTION};
use std::collections::HashMap;

const FIELD_ORDER: [&str; 6] = [
    "plate",
    "state",
    "reason_code",
    "timeframe",
    "case_reference",
    "on_behalf_of",
];

/// Turns the wire request into policy input; shape errors of the two
/// structured fields are returned beside it.
fn to_input(req: QueryRequest) -> (QueryInput, Vec<Violation>) {
    let mut shape = Vec::new();
    let timeframe = match req.timeframe {
        None | Some(Value::Null) => None,
        Some(v) => match serde_json::from_value::<TimeframeSpec>(v) {
            Ok(t) => Some(t),
            Err(_) => {
                shape.push(
                    Violation::new(
                        "timeframe_invalid",
                        "timeframe",
                        "the time frame is not in a form Sightline accepts",
                    )
                    .accepting(r#"{"previous_days": N} or {"start": RFC 3339, "end": RFC 3339}"#),
                );
                Some(TimeframeSpec::PreviousDays { previous_days: 1 })
            }
        },
    };
    let on_behalf_of = match req.on_behalf_of {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("self") => Some(None),
        Some(Value::Object(o)) if o.len() == 1 && o.get("person").is_some_and(Value::is_string) => {
            Some(o.get("person").and_then(Value::as_str).map(str::to_owned))
        }
        Some(_) => {
            shape.push(
                Violation::new(
                    "on_behalf_of_invalid",
                    "on_behalf_of",
                    "say \"self\", or name the person the query is for",
                )
                .accepting(r#""self" or {"person": "Full Name"}"#),
            );
            Some(None)
        }
    };
    (
        QueryInput {
            plate: req.plate,
            state: req.state,
            reason_code: req.reason_code,
            timeframe,
            case_reference: req.case_reference,
            on_behalf_of,
        },
        shape,
    )
}

fn clip(s: Option<&str>) -> Option<String> {
    s.map(|s| s.chars().take(64).collect())
}

/// Runs a plate query: exact plate and state, stated purpose, bounded time frame.
#[utoipa::path(post, path = "/api/v1/queries", tag = "queries",
    security(("session" = [])),
    request_body = QueryRequest,
    responses(
        (status = 200, body = QueryResponse),
        (status = 422, description = "a mandatory field is missing or breaks policy: plate_required, state_required, reason_code_required, timeframe_required, case_reference_required, on_behalf_of_required, plate_wildcard, plate_invalid, state_unknown, reason_code_unknown, timeframe_invalid, timeframe_exceeds_policy; the agency's case-reference rule (GET /api/v1/case-reference-rule): case_reference_vague, case_reference_too_short, case_reference_format", body = crate::error::Problem),
        (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem),
        (status = 503, description = "audit_unavailable: the query could not be logged, so it did not run", body = crate::error::Problem),
    ))]
pub async fn run_query(
    State(state): State<AppState>,
    who: ConsentedUser,
    ApiJson(req): ApiJson<QueryRequest>,
) -> Result<Json<QueryResponse>, ApiError> {
    who.require(&[Role::Investigator])?;
    let agency = who.agency()?;
    crate::routes::offboarding::refuse_after_contract_end(&state, agency).await?;
    let program = who.user.program_id.ok_or_else(|| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "no_program",
            "your account is not assigned to a program, so no reason codes apply to you",
        )
    })?;
    let policy = state
        .store()
        .tenancy()
        .program_policy(agency, program)
        .await?
        .ok_or_else(ApiError::forbidden)?;
    let now = state.now();
    let submitted = (
        req.plate.clone(),
        req.state.clone(),
        req.reason_code.clone(),
    );
    let oversight = crate::oversight::load(state.store(), Some(state.oversight()), agency).await?;
    let (input, mut errors) = to_input(req);
    let checked = purpose::check(&input, &policy, now);
    // The agency's case-reference rule, on a reference the purpose check
    // accepted (a missing or malformed one has its own code already).
    if let (Ok(p), Some(rule)) = (&checked, oversight.rule_for(Some(&policy.program)))
        && let Err(v) = rule.check(p.case_reference().as_str())
    {
        errors.push(v);
    }
    let purpose = match checked {
        Ok(p) if errors.is_empty() => p,
        other => {
            errors.extend(other.err().unwrap_or_default());
            errors.sort_by_key(|v| FIELD_ORDER.iter().position(|f| *f == v.field));
            errors.dedup_by(|a, b| a.field == b.field && a.code == b.code);
            let codes: Vec<Value> = errors.iter().map(|v| Value::from(v.code.clone())).collect();
            state
                .store()
                .ledger()
                .append(
                    EntryDraft::new(who.scope(), who.actor(), "query.refused", Outcome::Refused)
                        .session(who.session.id.as_str())
                        .field("plate", clip(submitted.0.as_deref()))
                        .field("state", clip(submitted.1.as_deref()))
                        .field("reason_code", clip(submitted.2.as_deref()))
                        .field("codes", codes),
                )
                .await?;
            state
                .metrics()
                .queries
                .get_or_create(&OutcomeLabel { outcome: "refused" })
                .inc();
            return Err(ApiError::violations(
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
            ));
        }
    };

    let watermark = state.store().reads.watermark().await?;
    let receipt = state
        .store()
        .ledger()
        .record_query(agency, who.actor(), &who.session.id, &purpose, watermark)
        .await?;
    let reads = state.store().reads.find(&receipt).await?;
    state
        .store()
        .ledger()
        .append(
            EntryDraft::new(who.scope(), who.actor(), "query.results", Outcome::Success)
                .session(who.session.id.as_str())
                .field("query_seq", receipt.seq())
                .field("result_count", reads.len()),
        )
        .await?;
    // Oversight never refuses an answer: a failure is logged, the user
    // gets their results (the query is in the log either way).
    if let Err(e) = crate::oversight::after_query(
        state.store(),
        &oversight,
        agency,
        &who.user,
        &who.session.id,
        receipt.seq(),
        &purpose,
        reads.len(),
        receipt.at(),
    )
    .await
    {
        tracing::error!(error = ?e, "routing a query to review failed");
    }
    state
        .metrics()
        .queries
        .get_or_create(&OutcomeLabel { outcome: "success" })
        .inc();

    let sources = state.store().sources().by_ids().await?;
    let seq = receipt.seq();
    let results = read_results(&reads, &sources, seq);
    let tf = purpose.timeframe();
    Ok(Json(QueryResponse {
        query_id: seq,
        plate: purpose.plate().as_str().to_owned(),
        state: purpose.jurisdiction().code().to_owned(),
        reason_code: purpose.reason().to_string(),
        case_reference: purpose.case_reference().to_string(),
        on_behalf_of: purpose.on_behalf_of().person().map(|p| p.to_string()),
        timeframe: TimeframeDto {
            start: rfc3339(tf.start()),
            end: rfc3339(tf.end()),
        },
        result_count: results.len(),
        truncated: i64::try_from(results.len()).unwrap_or(i64::MAX) >= MAX_RESULTS,
        results,
    }))
}

/// Query results as the API shows them, with photo links bound to query `seq`.
pub(crate) fn read_results(
    reads: &[sightline_core::Read],
    sources: &std::collections::HashMap<
        sightline_core::tenancy::SourceId,
        sightline_store::SourceRecord,
    >,
    seq: i64,
) -> Vec<ReadResult> {
    reads
        .iter()
        .map(|r| {
            let src = sources.get(&r.read.source_id);
            let photo = |kind: &str| format!("/api/v1/queries/{seq}/reads/{}/photos/{kind}", r.id);
            ReadResult {
                read_id: r.id.0,
                plate: r.read.plate.as_str().to_owned(),
                state: r.read.jurisdiction.code().to_owned(),
                captured_at: rfc3339(r.read.captured_at),
                location: GeoDto {
                    lat: r.read.location.lat(),
                    lon: r.read.location.lon(),
                },
                nearest_address: r.read.nearest_address.as_str().to_owned(),
                nearest_intersection: r.read.nearest_intersection.as_str().to_owned(),
                source: SourceDto {
                    name: src.map(|s| s.name.clone()).unwrap_or_default(),
                    kind: src.map(|s| s.kind.as_str().to_owned()).unwrap_or_default(),
                    kind_label: src.map(|s| s.kind.label().to_owned()).unwrap_or_default(),
                    jurisdiction: r.read.collected_in.code().to_owned(),
                    place: src.map(|s| s.place.clone()).unwrap_or_default(),
                },
                photos: PhotoLinks {
                    vehicle: photo("vehicle"),
                    plate: photo("plate"),
                },
                vehicle: r.read.vehicle.clone(),
            }
        })
        .collect()
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct RecentParams {
    /// How many to return (1-200, default 20).
    pub limit: Option<i64>,
    /// Only queries older than this query id (for paging).
    pub before: Option<i64>,
    /// `groups`: also the queries of the other members of your alert groups
    /// (case teams), same agency only.
    pub include: Option<String>,
}

/// The signed-in user's recent queries, newest first; with `include=groups`
/// also those of the members of the user's alert groups (R3.10).
#[utoipa::path(get, path = "/api/v1/queries", tag = "queries",
    security(("session" = [])),
    params(RecentParams),
    responses((status = 200, body = RecentQueries),
              (status = 422, description = "include_invalid", body = crate::error::Problem),
              (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn recent_queries(
    State(state): State<AppState>,
    who: ConsentedUser,
    Query(params): Query<RecentParams>,
) -> Result<Json<RecentQueries>, ApiError> {
    who.require(&[Role::Investigator])?;
    let agency = who.agency()?;
    let with_groups = match params.include.as_deref().map(str::trim) {
        None | Some("") => false,
        Some("groups") => true,
        Some(_) => {
            return Err(ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                Violation::new(
                    "include_invalid",
                    "include",
                    "Sightline can add only your groups' queries to the list",
                )
                .accepting("groups"),
            ));
        }
    };
    let limit = params.limit.unwrap_or(20).clamp(1, 200);
    let ledger = state.store().ledger();
    let rows = if with_groups {
        ledger
            .recent_with_group_peers(agency, who.user.id, QUERY_ACTION, params.before, limit)
            .await?
    } else {
        ledger
            .recent(
                who.scope(),
                Some(who.user.id),
                Some(QUERY_ACTION),
                params.before,
                limit,
            )
            .await?
    };
    let mut names: HashMap<UserId, (String, String)> = HashMap::new();
    for r in &rows {
        let Some(id) = r.entry.actor.user_id() else {
            continue;
        };
        if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(id)
            && let Some(u) = state
                .store()
                .tenancy()
                .user(id)
                .await?
                .filter(|u| u.agency_id == Some(agency))
        {
            slot.insert((u.username, u.display_name));
        }
    }
    let queries = rows
        .into_iter()
        .map(|r| {
            let e = r.entry;
            let s = |k: &str| e.field_str(k).unwrap_or_default().to_owned();
            let t = |k: &str| rfc3339(from_micros(e.field_i64(k).unwrap_or_default()));
            let (username, display_name) = e
                .actor
                .user_id()
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_else(|| match &e.actor {
                    Actor::User { username, .. } => (username.clone(), username.clone()),
                    _ => (String::new(), String::new()),
                });
            RecentQuery {
                query_id: e.seq,
                username,
                display_name,
                at: rfc3339(from_micros(e.at)),
                plate: s("plate"),
                state: s("state"),
                reason_code: s("reason_code"),
                case_reference: s("case_reference"),
                on_behalf_of: e.field_str("on_behalf_of").map(str::to_owned),
                timeframe: TimeframeDto {
                    start: t("from"),
                    end: t("to"),
                },
            }
        })
        .collect();
    Ok(Json(RecentQueries { queries }))
}
