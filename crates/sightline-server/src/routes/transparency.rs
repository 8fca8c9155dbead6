//! The public transparency page's data (beyond the seed): for each agency
//! whose managers chose to publish, aggregates drawn from its audit log:
//! users with access, searches per month and the share that found
//! something, active alert-list entries, searches by reason code, and the
//! log's latest signed checkpoint with its public key, so that anyone can
//! watch the log only grow. No plates, names or case text; counts of 1 to
//! 4 are withheld (`null`), and so is any share that would let one be
//! worked out. Computed at most every 15 minutes per agency per node.

use crate::app::AppState;
use crate::auth::ConsentedUser;
use crate::error::{ApiError, ApiJson};
use crate::routes::compute_statistics;
use crate::routes::session::rfc3339;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use sightline_audit::{EntryDraft, Outcome};
use sightline_core::clock::to_micros;
use sightline_core::{AgencyId, Role, TenantScope};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use time::{Date, Month, OffsetDateTime, Time};
use utoipa::ToSchema;

/// Counts below this are withheld.
pub const SUPPRESS_BELOW: u64 = 5;
/// How long a computed report is served before it is computed again.
const FRESH_FOR: time::Duration = time::Duration::minutes(15);
/// Months shown, the current one (to date) included.
const MONTHS: usize = 12;

fn shown(n: u64) -> Option<u64> {
    (n == 0 || n >= SUPPRESS_BELOW).then_some(n)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonthFigures {
    /// `YYYY-MM`.
    pub month: String,
    /// The current month, counted to now.
    pub partial: bool,
    /// `null`: fewer than 5.
    pub searches: Option<u64>,
    /// Share of searches that found at least one read, percent, one
    /// decimal; `null` where searches, hits or misses are fewer than 5.
    pub positive_hit_percent: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReasonFigures {
    pub reason_code: String,
    /// Over the months shown; `null`: fewer than 5.
    pub searches: Option<u64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicCheckpoint {
    pub log: String,
    pub tree_size: u64,
    /// Hex.
    pub root_hash: String,
    pub signed_at: String,
    /// The C2SP signed note, signature line included.
    pub note: String,
    /// The note verifier key (`name+hash+key`), to check the signature.
    pub vkey: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyTransparency {
    pub agency: String,
    /// Active and pending accounts; `null`: fewer than 5.
    pub users_with_access: Option<u64>,
    /// Active alert-list entries now; `null`: fewer than 5.
    pub active_alert_entries: Option<u64>,
    pub months: Vec<MonthFigures>,
    pub reason_codes: Vec<ReasonFigures>,
    pub checkpoint: Option<PublicCheckpoint>,
    pub computed_at: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RetentionPolicy {
    pub state: String,
    pub collection_allowed: bool,
    /// How long a read collected there is kept (New Hampshire: 180).
    pub retention_seconds: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransparencyPage {
    pub suppressed_below: u64,
    pub agencies: Vec<AgencyTransparency>,
    /// The collection and retention policy of every state (the operator's).
    pub retention: Vec<RetentionPolicy>,
}

/// Reports by agency, with when each was computed.
#[derive(Debug, Default)]
pub struct ReportCache(Mutex<HashMap<i64, (OffsetDateTime, Arc<AgencyTransparency>)>>);

impl ReportCache {
    fn fresh(&self, agency: AgencyId, now: OffsetDateTime) -> Option<Arc<AgencyTransparency>> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&agency.0)
            .filter(|(at, _)| now - *at < FRESH_FOR)
            .map(|(_, r)| r.clone())
    }

    fn put(&self, agency: AgencyId, now: OffsetDateTime, r: Arc<AgencyTransparency>) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.insert(agency.0, (now, r));
    }

    fn forget(&self, agency: AgencyId) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&agency.0);
    }
}

/// The first instant of the month `back` months before `now`'s.
fn month_start(now: OffsetDateTime, back: usize) -> OffsetDateTime {
    let (mut year, mut month) = (now.year(), now.month());
    for _ in 0..back {
        if month == Month::January {
            year -= 1;
        }
        month = month.previous();
    }
    Date::from_calendar_date(year, month, 1)
        .map_or(now, |d| d.with_time(Time::MIDNIGHT).assume_utc())
}

fn next_month_start(now: OffsetDateTime) -> OffsetDateTime {
    let (year, month) = match now.month() {
        Month::December => (now.year() + 1, Month::January),
        m => (now.year(), m.next()),
    };
    Date::from_calendar_date(year, month, 1)
        .map_or(now, |d| d.with_time(Time::MIDNIGHT).assume_utc())
}

async fn compute(
    state: &AppState,
    agency: AgencyId,
    name: &str,
    now: OffsetDateTime,
) -> anyhow::Result<AgencyTransparency> {
    let store = state.store();
    let mut months = Vec::with_capacity(MONTHS);
    let mut reasons: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for back in (0..MONTHS).rev() {
        let from = month_start(now, back);
        // The current month runs to its end: nothing is logged after now.
        let to = if back == 0 {
            next_month_start(now)
        } else {
            month_start(now, back - 1)
        };
        let s =
            compute_statistics(store, now, agency, None, to_micros(from), to_micros(to)).await?;
        for (code, c) in &s.by_reason_code {
            *reasons.entry(code.clone()).or_default() += c.searches;
        }
        let (n, hits) = (s.totals.searches, s.totals.positive_hits);
        let share = (n >= SUPPRESS_BELOW && hits >= SUPPRESS_BELOW && n - hits >= SUPPRESS_BELOW)
            .then(|| {
                #[allow(clippy::cast_precision_loss)]
                let p = hits as f64 * 100.0 / n as f64;
                (p * 10.0).round() / 10.0
            });
        months.push(MonthFigures {
            month: format!("{:04}-{:02}", from.year(), u8::from(from.month())),
            partial: back == 0,
            searches: shown(n),
            positive_hit_percent: share,
        });
    }
    let scope = TenantScope::Agency(agency);
    let checkpoint = match store.ledger().latest_checkpoint(scope).await? {
        Some(c) => Some(PublicCheckpoint {
            log: scope.log_id(),
            tree_size: c.size,
            root_hash: hex::encode(c.root),
            signed_at: rfc3339(c.at),
            note: c.note,
            vkey: store.ledger().public_key(scope).await?.vkey(),
        }),
        None => None,
    };
    let count = |n: i64| shown(u64::try_from(n).unwrap_or(0));
    Ok(AgencyTransparency {
        agency: name.to_owned(),
        users_with_access: count(store.provisioning().seats_used(agency).await?),
        active_alert_entries: count(store.alerts().active_entry_count(agency, now).await?),
        months,
        reason_codes: reasons
            .into_iter()
            .filter(|(code, _)| !code.is_empty())
            .map(|(reason_code, n)| ReasonFigures {
                reason_code,
                searches: shown(n),
            })
            .collect(),
        checkpoint,
        computed_at: rfc3339(now),
    })
}

async fn report(
    state: &AppState,
    agency: AgencyId,
    name: &str,
) -> anyhow::Result<Arc<AgencyTransparency>> {
    let now = state.now();
    if let Some(r) = state.transparency_cache().fresh(agency, now) {
        return Ok(r);
    }
    let r = Arc::new(compute(state, agency, name, now).await?);
    state.transparency_cache().put(agency, now, r.clone());
    Ok(r)
}

/// The transparency page's data: every publishing agency's aggregates and
/// every state's retention policy. No sign-in.
#[utoipa::path(get, path = "/api/v1/transparency", tag = "transparency",
    responses((status = 200, body = TransparencyPage)))]
pub async fn page(State(state): State<AppState>) -> Result<Json<TransparencyPage>, ApiError> {
    let mut agencies = Vec::new();
    for (id, name) in state.store().transparency().published_agencies().await? {
        agencies.push((*report(&state, id, &name).await?).clone());
    }
    let retention = state
        .store()
        .policies()
        .all()
        .await?
        .into_iter()
        .map(|p| RetentionPolicy {
            state: p.jurisdiction.code().to_owned(),
            collection_allowed: p.collection_allowed,
            retention_seconds: p.retention_secs,
        })
        .collect();
    Ok(Json(TransparencyPage {
        suppressed_below: SUPPRESS_BELOW,
        agencies,
        retention,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransparencySetting {
    pub published: bool,
    /// What the public page shows (or would show) for the agency.
    pub preview: AgencyTransparency,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PublishRequest {
    pub published: bool,
}

async fn setting(state: &AppState, agency: AgencyId) -> Result<TransparencySetting, ApiError> {
    let published = state
        .store()
        .transparency()
        .published(agency)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let name = state
        .store()
        .tenancy()
        .agencies()
        .await?
        .into_iter()
        .find(|a| a.id == agency)
        .map(|a| a.name)
        .ok_or_else(ApiError::not_found)?;
    Ok(TransparencySetting {
        published,
        preview: (*report(state, agency, &name).await?).clone(),
    })
}

/// Whether the caller's agency publishes, and what the page would show.
#[utoipa::path(get, path = "/api/v1/agency/transparency", tag = "agency",
    security(("session" = [])),
    responses((status = 200, body = TransparencySetting), (status = 403, body = crate::error::Problem)))]
pub async fn get_setting(
    State(state): State<AppState>,
    who: ConsentedUser,
) -> Result<Json<TransparencySetting>, ApiError> {
    who.require(&[Role::AgencyManager, Role::Auditor])?;
    Ok(Json(setting(&state, who.agency()?).await?))
}

/// An agency-wide manager publishes the agency's aggregates, or stops.
#[utoipa::path(put, path = "/api/v1/agency/transparency", tag = "agency",
    security(("session" = [])),
    request_body = PublishRequest,
    responses((status = 200, body = TransparencySetting), (status = 403, body = crate::error::Problem)))]
pub async fn set_setting(
    State(state): State<AppState>,
    who: ConsentedUser,
    ApiJson(req): ApiJson<PublishRequest>,
) -> Result<Json<TransparencySetting>, ApiError> {
    let agency = who.agency_wide_manager("publish the agency's figures")?;
    state
        .store()
        .ledger()
        .append(
            EntryDraft::new(
                who.scope(),
                who.actor(),
                "agency.transparency_changed",
                Outcome::Success,
            )
            .session(who.session.id.as_str())
            .field("published", req.published),
        )
        .await?;
    state
        .store()
        .transparency()
        .set(agency, req.published)
        .await?;
    state.transparency_cache().forget(agency);
    Ok(Json(setting(&state, agency).await?))
}
