//! Auditors' and managers' tools over the agency's audit log (R5.3, R5.5,
//! R5.6): search by user, on-behalf-of person, plate, reason code, action and
//! time; statistics for any period; and exact replay of a logged query.
//! Auditors see the whole agency; managers the users of their AOR; the
//! operator nothing of it, only a search of the operator's own log.

use crate::app::AppState;
use crate::auth::ConsentedUser;
use crate::dto::ReadResult;
use crate::error::ApiError;
use crate::routes::queries::read_results;
use crate::routes::session::rfc3339;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sightline_audit::{Entry, EntryDraft, Outcome};
use sightline_core::clock::{from_micros, to_micros};
use sightline_core::{Jurisdiction, Plate, Role, TenantScope, UserId, Violation};
use sightline_store::{AuditFilter, QUERY_ACTION};
use std::collections::{BTreeMap, HashMap, HashSet};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
pub struct SearchParams {
    /// Username of the person who acted.
    pub user: Option<String>,
    /// Part of the name a query was run on behalf of.
    pub on_behalf_of: Option<String>,
    pub plate: Option<String>,
    /// The plate's state or jurisdiction: a code (`PA`) or name.
    pub state: Option<String>,
    pub reason_code: Option<String>,
    /// `success`, `refused` or `failed`.
    pub outcome: Option<String>,
    /// e.g. `query.run`, `auth.login`, `alert.entry.added`.
    pub action: Option<String>,
    /// RFC 3339, inclusive.
    pub from: Option<String>,
    /// RFC 3339, exclusive.
    pub to: Option<String>,
    /// Only entries older than this sequence number (the `next_before` of the previous page).
    pub before: Option<i64>,
    /// 1-500, default 100.
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryDto {
    pub seq: i64,
    #[schema(format = DateTime)]
    pub at: String,
    /// Who acted: `{kind, id, username}`.
    #[schema(value_type = Object)]
    pub actor: Value,
    pub action: String,
    pub outcome: String,
    #[schema(value_type = Object)]
    pub fields: Value,
    /// The leaf hash (RFC 6962) that proofs refer to.
    pub leaf_hash: String,
    /// The exact bytes the leaf hash covers (sensitive fields sealed), so a
    /// client can hash them itself and check an inclusion proof.
    pub canonical: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub entries: Vec<AuditEntryDto>,
    /// Pass as `before` for the next page; absent on the last.
    pub next_before: Option<i64>,
}

pub(crate) fn time_param(field: &str, raw: Option<&str>) -> Result<Option<i64>, ApiError> {
    raw.map(|r| {
        OffsetDateTime::parse(r.trim(), &Rfc3339)
            .map(to_micros)
            .map_err(|_| {
                ApiError::field(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Violation::new(&format!("{field}_invalid"), field, "not an RFC 3339 time")
                        .accepting("e.g. 2026-07-01T00:00:00Z"),
                )
            })
    })
    .transpose()
}

/// The agency, and the users whose actions the caller may see (`None`: all).
pub(crate) async fn audit_scope(
    state: &AppState,
    who: &ConsentedUser,
) -> Result<(sightline_core::AgencyId, Option<HashSet<UserId>>), ApiError> {
    who.require(&[Role::Auditor, Role::AgencyManager])?;
    let agency = who.agency()?;
    if who.user.role == Role::Auditor || who.user.aor_id.is_none() {
        return Ok((agency, None));
    }
    let users = state
        .store()
        .tenancy()
        .users_in(agency, who.user.aor_id)
        .await?;
    Ok((agency, Some(users.into_iter().map(|u| u.id).collect())))
}

fn dto(row: sightline_store::AuditEntryRow) -> AuditEntryDto {
    let e = row.entry;
    AuditEntryDto {
        seq: e.seq,
        at: rfc3339(from_micros(e.at)),
        actor: serde_json::to_value(&e.actor).unwrap_or(Value::Null),
        action: e.action,
        outcome: e.outcome.as_str().to_owned(),
        fields: Value::Object(e.fields),
        leaf_hash: row.leaf,
        canonical: row.canonical,
    }
}

/// Turns search parameters into a filter within the caller's reach:
/// `agency` is whose users `user` may name (`None`: operator staff), and
/// `actors` the users whose actions the caller may see (`None`: all).
pub(crate) async fn filter_from(
    state: &AppState,
    agency: Option<sightline_core::AgencyId>,
    mut actors: Option<HashSet<UserId>>,
    p: &SearchParams,
) -> Result<AuditFilter, ApiError> {
    if let Some(name) = p.user.as_deref() {
        let user = state
            .store()
            .tenancy()
            .user_by_username(name.trim())
            .await?
            .filter(|u| u.agency_id == agency);
        let id = user.map(|u| u.id);
        actors = Some(match (actors, id) {
            (Some(set), Some(id)) if set.contains(&id) => HashSet::from([id]),
            (None, Some(id)) => HashSet::from([id]),
            _ => HashSet::new(),
        });
    }
    let plate = match p.plate.as_deref() {
        Some(raw) => Some(
            Plate::parse(raw)
                .map_err(|e| {
                    ApiError::field(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        Violation::new("plate_invalid", "plate", e.to_string()),
                    )
                })?
                .as_str()
                .to_owned(),
        ),
        None => None,
    };
    let state_code = match p.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => Some(
            Jurisdiction::parse(raw)
                .map_err(|e| {
                    ApiError::field(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        Violation::new("state_invalid", "state", e.to_string())
                            .accepting("a two-letter code or a name, e.g. PA or Pennsylvania"),
                    )
                })?
                .code()
                .to_owned(),
        ),
        None => None,
    };
    let outcome = match p
        .outcome
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(o) if ["success", "refused", "failed"].contains(&o) => Some(o.to_owned()),
        Some(o) => {
            return Err(ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                Violation::new(
                    "outcome_invalid",
                    "outcome",
                    format!("'{o}' is not an outcome"),
                )
                .accepting("success, refused or failed"),
            ));
        }
        None => None,
    };
    Ok(AuditFilter {
        actors,
        action: p.action.clone(),
        from: time_param("from", p.from.as_deref())?,
        to: time_param("to", p.to.as_deref())?,
        plate,
        state: state_code,
        outcome,
        reason_code: p.reason_code.clone(),
        on_behalf_of: p.on_behalf_of.clone(),
        before_seq: p.before,
    })
}

/// The filters of a search as its audit entry records them.
pub(crate) fn filters_json(p: &SearchParams, filter: &AuditFilter) -> Value {
    serde_json::json!({
        "user": p.user, "plate": filter.plate, "state": filter.state, "reason_code": p.reason_code,
        "action": p.action, "outcome": filter.outcome, "on_behalf_of": p.on_behalf_of,
        "from": p.from, "to": p.to,
    })
}

/// The operator's own log holds no plates, reasons or people searched for:
/// a search by them is refused rather than silently finding nothing.
fn operator_log_filters(p: &SearchParams) -> Result<(), ApiError> {
    let agency_only = [
        ("plate", &p.plate),
        ("state", &p.state),
        ("reason_code", &p.reason_code),
        ("on_behalf_of", &p.on_behalf_of),
    ];
    match agency_only
        .into_iter()
        .find(|(_, v)| v.as_deref().is_some_and(|v| !v.trim().is_empty()))
    {
        Some((field, _)) => Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            Violation::new(
                "not_in_operator_log",
                field,
                format!("the operator log has no {field}: it records no agency's queries"),
            )
            .accepting("user, action, outcome, from, to"),
        )),
        None => Ok(()),
    }
}

/// Searches the caller's audit log, newest first: an agency's auditors and
/// managers search their agency's log (managers only their AOR's users),
/// operator staff the operator log. Which log is never a parameter.
#[utoipa::path(get, path = "/api/v1/audit/entries", tag = "audit",
    security(("session" = [])),
    params(SearchParams),
    responses((status = 200, body = AuditPage), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn search(
    State(state): State<AppState>,
    who: ConsentedUser,
    Query(p): Query<SearchParams>,
) -> Result<Json<AuditPage>, ApiError> {
    let (scope, filter) = if who.user.role == Role::OperatorAdmin {
        operator_log_filters(&p)?;
        (
            TenantScope::Operator,
            filter_from(&state, None, None, &p).await?,
        )
    } else {
        let (agency, actors) = audit_scope(&state, &who).await?;
        let filter = filter_from(&state, Some(agency), actors, &p).await?;
        (TenantScope::Agency(agency), filter)
    };
    let limit = p.limit.unwrap_or(100).clamp(1, 500);
    let rows = state
        .store()
        .audit_search()
        .search(scope, &filter, limit)
        .await?;
    let next_before = (rows.len() == limit)
        .then(|| rows.last().map(|r| r.entry.seq))
        .flatten();
    state
        .store()
        .ledger()
        .append(
            EntryDraft::new(who.scope(), who.actor(), "audit.searched", Outcome::Success)
                .session(who.session.id.as_str())
                .field("filters", filters_json(&p, &filter))
                .field("results", rows.len()),
        )
        .await?;
    Ok(Json(AuditPage {
        entries: rows.into_iter().map(dto).collect(),
        next_before,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Replay {
    pub query_id: i64,
    /// Who ran it.
    #[schema(value_type = Object)]
    pub ran_by: Value,
    #[schema(format = DateTime)]
    pub ran_at: String,
    pub plate: String,
    pub state: String,
    pub result_count: usize,
    /// The reads as the user saw them (photo links are the user's, not yours).
    pub results: Vec<ReadResult>,
}

/// Re-runs a logged query exactly as it ran: same plate, state, time frame
/// and the read store as of that moment. The replay is itself audited.
#[utoipa::path(post, path = "/api/v1/audit/entries/{seq}/replay", tag = "audit",
    security(("session" = [])),
    params(("seq" = i64, Path, description = "a query.run entry of your agency's log")),
    responses((status = 200, body = Replay), (status = 404, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn replay(
    State(state): State<AppState>,
    who: ConsentedUser,
    Path(seq): Path<i64>,
) -> Result<Json<Replay>, ApiError> {
    who.require(&[Role::Auditor])?;
    let agency = who.agency()?;
    let ledger = state.store().ledger();
    let entry = ledger
        .entry(TenantScope::Agency(agency), seq)
        .await?
        .ok_or_else(ApiError::not_found)?
        .entry;
    let receipt = ledger
        .replay_receipt(agency, seq)
        .await?
        .ok_or_else(ApiError::not_found)?;
    // Logged before any read leaves the store, like the query itself.
    ledger
        .append(
            EntryDraft::new(who.scope(), who.actor(), "audit.replayed", Outcome::Success)
                .session(who.session.id.as_str())
                .field("query_seq", seq),
        )
        .await?;
    let reads = state.store().reads.find(&receipt).await?;
    let sources = state.store().sources().by_ids().await?;
    let results = read_results(&reads, &sources, seq);
    Ok(Json(Replay {
        query_id: seq,
        ran_by: serde_json::to_value(&entry.actor).unwrap_or(Value::Null),
        ran_at: rfc3339(from_micros(entry.at)),
        plate: receipt.plate().as_str().to_owned(),
        state: receipt.jurisdiction().code().to_owned(),
        result_count: results.len(),
        results,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct StatsParams {
    /// RFC 3339, inclusive. A quarter: `2026-07-01T00:00:00Z`.
    pub from: Option<String>,
    /// RFC 3339, exclusive.
    pub to: Option<String>,
}

#[derive(Debug, Default, Clone, Serialize, ToSchema)]
pub struct Counts {
    pub searches: u64,
    /// Searches that returned at least one read.
    pub positive_hits: u64,
    pub hit_ratio: f64,
    pub alert_hits: u64,
    pub notifications_sent: u64,
    /// Plates added to alert lists.
    pub alert_entries_added: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Statistics {
    #[schema(format = DateTime)]
    pub from: String,
    #[schema(format = DateTime)]
    pub to: String,
    pub totals: Counts,
    /// Active alert-list entries now.
    pub alert_list_size: i64,
    pub by_user: BTreeMap<String, Counts>,
    pub by_aor: BTreeMap<String, Counts>,
    pub by_program: BTreeMap<String, Counts>,
    pub by_reason_code: BTreeMap<String, Counts>,
    /// Searches by whom they were run for: "(self)" or the person named.
    pub by_on_behalf_of: BTreeMap<String, Counts>,
}

fn bump(map: &mut BTreeMap<String, Counts>, key: &str, f: impl Fn(&mut Counts)) {
    f(map.entry(key.to_owned()).or_default());
}

/// Searches, positive hits and their ratio, alert hits and notifications
/// sent, for any period, by user, AOR, program and reason code (R5.5).
#[utoipa::path(get, path = "/api/v1/reports/statistics", tag = "audit",
    security(("session" = [])),
    params(StatsParams),
    responses((status = 200, body = Statistics), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn statistics(
    State(state): State<AppState>,
    who: ConsentedUser,
    Query(p): Query<StatsParams>,
) -> Result<Json<Statistics>, ApiError> {
    let (agency, actors) = audit_scope(&state, &who).await?;
    let required = |f: &str| {
        ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            Violation::new(
                &format!("{f}_required"),
                f,
                "statistics are for a stated period",
            )
            .accepting("RFC 3339, e.g. from=2026-07-01T00:00:00Z&to=2026-10-01T00:00:00Z"),
        )
    };
    let from = time_param("from", p.from.as_deref())?.ok_or_else(|| required("from"))?;
    let to = time_param("to", p.to.as_deref())?.ok_or_else(|| required("to"))?;
    let stats = compute_statistics(state.store(), state.now(), agency, actors, from, to).await?;
    state
        .store()
        .ledger()
        .append(
            EntryDraft::new(
                who.scope(),
                who.actor(),
                "report.statistics",
                Outcome::Success,
            )
            .session(who.session.id.as_str())
            .field("from", from)
            .field("to", to),
        )
        .await?;
    Ok(Json(stats))
}

/// The statistics of one agency's log over `[from, to)` (microseconds),
/// optionally only of `actors`: shared by the API and the quarterly report.
pub async fn compute_statistics(
    store: &sightline_store::Store,
    now: OffsetDateTime,
    agency: sightline_core::AgencyId,
    actors: Option<HashSet<UserId>>,
    from: i64,
    to: i64,
) -> anyhow::Result<Statistics> {
    let filter = AuditFilter {
        actors,
        from: Some(from),
        to: Some(to),
        ..AuditFilter::default()
    };
    let entries: Vec<Entry> = store
        .audit_search()
        .all(TenantScope::Agency(agency), &filter)
        .await?;
    let users = store.tenancy().users_in(agency, None).await?;
    let aors: HashMap<_, _> = store.tenancy().aors(agency).await?.into_iter().collect();
    let aor_names: HashMap<i64, String> = users
        .iter()
        .filter_map(|u| Some((u.id.0, aors.get(&u.aor_id?)?.clone())))
        .collect();
    let mut stats = Statistics {
        from: rfc3339(from_micros(from)),
        to: rfc3339(from_micros(to)),
        totals: Counts::default(),
        alert_list_size: store.alerts().active_entry_count(agency, now).await?,
        by_user: BTreeMap::new(),
        by_aor: BTreeMap::new(),
        by_program: BTreeMap::new(),
        by_reason_code: BTreeMap::new(),
        by_on_behalf_of: BTreeMap::new(),
    };
    // query.results names its query; its reason and program are on query.run.
    let queries: HashMap<i64, &Entry> = entries
        .iter()
        .filter(|e| e.action == QUERY_ACTION)
        .map(|e| (e.seq, e))
        .collect();
    for e in &entries {
        let who_name = match &e.actor {
            sightline_audit::Actor::User { username, .. } => username.clone(),
            _ => "(system)".to_owned(),
        };
        let aor = e
            .actor
            .user_id()
            .and_then(|u| aor_names.get(&u.0))
            .cloned()
            .unwrap_or_else(|| "(none)".into());
        let (program, reason) = match e.action.as_str() {
            QUERY_ACTION => (e.field_str("program"), e.field_str("reason_code")),
            "query.results" => e
                .field_i64("query_seq")
                .and_then(|q| queries.get(&q))
                .map_or((None, None), |q| {
                    (q.field_str("program"), q.field_str("reason_code"))
                }),
            _ => (None, e.field_str("reason_code")),
        };
        let query_of = match e.action.as_str() {
            QUERY_ACTION => Some(e),
            "query.results" => e
                .field_i64("query_seq")
                .and_then(|q| queries.get(&q))
                .copied(),
            _ => None,
        };
        let behalf = query_of.map(|q| q.field_str("on_behalf_of").unwrap_or("(self)").to_owned());
        let apply: Option<fn(&mut Counts)> = match e.action.as_str() {
            QUERY_ACTION if e.outcome == Outcome::Success => Some(|c| c.searches += 1),
            "query.results" if e.field_i64("result_count").unwrap_or(0) > 0 => {
                Some(|c| c.positive_hits += 1)
            }
            "alert.hit" => Some(|c| c.alert_hits += 1),
            "notification.sent" => Some(|c| c.notifications_sent += 1),
            "alert.entry.added" if e.outcome == Outcome::Success => {
                Some(|c| c.alert_entries_added += 1)
            }
            _ => None,
        };
        let Some(apply) = apply else { continue };
        apply(&mut stats.totals);
        bump(&mut stats.by_user, &who_name, apply);
        bump(&mut stats.by_aor, &aor, apply);
        if let Some(p) = program {
            bump(&mut stats.by_program, p, apply);
        }
        if let Some(r) = reason {
            bump(&mut stats.by_reason_code, r, apply);
        }
        if let Some(b) = &behalf {
            bump(&mut stats.by_on_behalf_of, b, apply);
        }
    }
    let ratio = |c: &mut Counts| {
        #[allow(clippy::cast_precision_loss)] // counts far below 2^52
        let r = if c.searches == 0 {
            0.0
        } else {
            c.positive_hits as f64 / c.searches as f64
        };
        c.hit_ratio = r;
    };
    ratio(&mut stats.totals);
    for m in [
        &mut stats.by_user,
        &mut stats.by_aor,
        &mut stats.by_program,
        &mut stats.by_reason_code,
        &mut stats.by_on_behalf_of,
    ] {
        m.values_mut().for_each(ratio);
    }
    Ok(stats)
}
