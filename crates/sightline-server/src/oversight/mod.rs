//! Oversight of the agency's own users (issue 16, docs/oversight.md): the
//! case-reference rule, the review sample and the misuse flags on every
//! query, and the review queue with its report. The routes
//! (`routes/oversight.rs`) and the CLI (`sightline oversight`) both call
//! these functions; nothing here reads read data, only the agency's own
//! audit log and the index written beside it.

mod settings;

pub use settings::{
    AfterLoginStorm, CaseReferencePolicies, CaseReferencePolicy, CaseSpread, Compiled, DailyVolume,
    Flags, OffHours, OversightSettings, PolicyCache, RepeatNoHit, Sampling, compile, load,
    program_names,
};

use serde::Serialize;
use serde_json::{Value, json};
use sightline_audit::{Actor, EntryDraft, Outcome};
use sightline_core::clock::from_micros;
use sightline_core::oversight as rules;
use sightline_core::purpose::CheckedPurpose;
use sightline_core::tenancy::AorId;
use sightline_core::{AgencyId, TenantScope, UserId};
use sightline_store::{NewReviewItem, Purpose, QueryFact, ReviewItem, Store, UserRecord};
use time::{Duration, OffsetDateTime};
use utoipa::ToSchema;

/// One flag that fired, with its reason in words.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema, PartialEq)]
pub struct FlagHit {
    /// `daily_volume`, `case_spread`, `off_hours`, `repeat_no_hit` or `after_login_storm`.
    pub rule: String,
    pub explanation: String,
}

/// What the oversight step did with one query.
#[derive(Debug, Clone, Default)]
pub struct Routed {
    pub sampled: bool,
    pub flags: Vec<FlagHit>,
    pub review_id: Option<i64>,
}

/// The most query times the volume and hours rules read for one user
/// (newest first): far above any person's 90 days.
const MAX_TIMES: i64 = 20_000;

/// The agency's UTC offset now, in seconds (days and hours are the agency's).
async fn offset_s(store: &Store, agency: AgencyId, now: OffsetDateTime) -> anyhow::Result<i64> {
    Ok(match store.tenancy().agency(agency).await? {
        Some(a) => i64::from(a.time_zone.local(now).offset.whole_seconds()),
        None => 0,
    })
}

fn digest(store: &Store, agency: AgencyId, kind: &str, value: &str) -> anyhow::Result<String> {
    store.keyring().digest(
        Purpose::OversightDigest,
        &format!("agency:{}:{kind}", agency.0),
        value,
    )
}

/// Evaluates every enabled flag for a query just indexed.
async fn evaluate(store: &Store, c: &Compiled, fact: &QueryFact) -> anyhow::Result<Vec<FlagHit>> {
    let f = &c.settings.flags;
    let o = store.oversight();
    let now = fact.at;
    let mut hits = Vec::new();
    let mut hit = |rule: &str, e: Option<String>| {
        if let Some(explanation) = e {
            hits.push(FlagHit {
                rule: rule.to_owned(),
                explanation,
            });
        }
    };
    let needs_offset = f.daily_volume.enabled || f.off_hours.enabled;
    let off = if needs_offset {
        offset_s(store, fact.agency, now).await?
    } else {
        0
    };
    if needs_offset {
        // One read serves both rules: when the user's queries ran, over
        // the longer of their lookbacks (bounded), counted here.
        const DAY: i64 = 86_400_000_000;
        const HOUR: i64 = 3_600_000_000;
        let local = |t: i64| t + off * 1_000_000;
        let now_us = local(sightline_core::clock::to_micros(now));
        let lookback = if f.off_hours.enabled {
            f.off_hours.lookback_days.max(31)
        } else {
            31
        };
        let times = o
            .query_times(
                fact.agency,
                fact.user,
                now - Duration::days(lookback),
                MAX_TIMES,
            )
            .await?;
        if f.daily_volume.enabled {
            let today = now_us.div_euclid(DAY);
            let mut per_day = std::collections::BTreeMap::<i64, i64>::new();
            for t in &times {
                *per_day.entry(local(*t).div_euclid(DAY)).or_default() += 1;
            }
            let today_n = per_day.get(&today).copied().unwrap_or_default();
            let history: Vec<i64> = per_day.range(today - 30..today).map(|(_, n)| *n).collect();
            let d = &f.daily_volume;
            hit(
                "daily_volume",
                rules::daily_volume(
                    today_n,
                    &history,
                    d.multiple,
                    d.min_history_days,
                    d.min_count,
                ),
            );
        }
        if f.off_hours.enabled {
            let oh = &f.off_hours;
            // History before the last 12 hours, so a night of queries
            // cannot make the night usual.
            let until = now_us - 12 * HOUR;
            let from = now_us - oh.lookback_days * DAY;
            let mut hist = [0i64; 24];
            for t in times.iter().map(|t| local(*t)) {
                if t >= from && t < until {
                    let h = usize::try_from(t.div_euclid(HOUR).rem_euclid(24)).unwrap_or_default();
                    if let Some(slot) = hist.get_mut(h) {
                        *slot += 1;
                    }
                }
            }
            let hour = usize::try_from(now_us.div_euclid(HOUR).rem_euclid(24)).unwrap_or_default();
            hit(
                "off_hours",
                rules::off_hours(hour, &hist, oh.min_history, oh.min_share_percent),
            );
        }
    }
    if f.case_spread.enabled || f.repeat_no_hit.enabled || f.after_login_storm.enabled {
        let (cs, rn, ls) = (&f.case_spread, &f.repeat_no_hit, &f.after_login_storm);
        let fig = o
            .flag_figures(
                fact.agency,
                fact.user,
                &fact.case_digest,
                now - Duration::minutes(cs.window_minutes),
                &fact.plate_digest,
                now - Duration::days(rn.lookback_days),
                now - Duration::minutes(ls.window_minutes),
            )
            .await?;
        if cs.enabled {
            hit(
                "case_spread",
                rules::case_spread(fig.distinct_plates_for_case, cs.plates, cs.window_minutes),
            );
        }
        if rn.enabled && fact.result_count == 0 {
            let span = fig.plate_first.map_or(0, |t| (now - t).whole_days());
            hit(
                "repeat_no_hit",
                rules::repeat_no_hit(
                    fig.plate_queries,
                    fig.plate_hits > 0,
                    span,
                    rn.min_queries,
                    rn.min_span_days,
                ),
            );
        }
        if ls.enabled {
            hit(
                "after_login_storm",
                rules::after_login_storm(fig.failed_logins, ls.failures, ls.window_minutes),
            );
        }
    }
    Ok(hits)
}

/// After a query was logged and answered: index it, run the flags, draw
/// the sample, record the draw, queue it for review if drawn or flagged.
/// Never refuses anything; the caller logs an error and answers anyway.
#[allow(clippy::too_many_arguments)]
pub async fn after_query(
    store: &Store,
    c: &Compiled,
    agency: AgencyId,
    user: &UserRecord,
    session: &str,
    seq: i64,
    purpose: &CheckedPurpose,
    result_count: usize,
    at: OffsetDateTime,
) -> anyhow::Result<Routed> {
    let plate_key = format!(
        "{}|{}",
        purpose.plate().as_str(),
        purpose.jurisdiction().code()
    );
    let case_key = rules::normalise_phrase(purpose.case_reference().as_str());
    let fact = QueryFact {
        agency,
        seq,
        user: user.id,
        at,
        plate_digest: digest(store, agency, "plate", &plate_key)?,
        case_digest: digest(store, agency, "case", &case_key)?,
        result_count: i64::try_from(result_count).unwrap_or(i64::MAX),
    };
    store.oversight().record_query(&fact).await?;
    let flags = evaluate(store, c, &fact).await?;
    let share = c.share_ppm();
    let sampling = c.settings.sampling.enabled;
    let sampled = if sampling {
        let mut b = [0u8; 4];
        getrandom::fill(&mut b).map_err(|e| anyhow::anyhow!("drawing the review sample: {e}"))?;
        rules::drawn(share, u32::from_le_bytes(b))
    } else {
        false
    };
    let mut routed = Routed {
        sampled,
        flags,
        review_id: None,
    };
    if !sampling && routed.flags.is_empty() {
        return Ok(routed);
    }
    if sampled || !routed.flags.is_empty() {
        routed.review_id = store
            .oversight()
            .queue(&NewReviewItem {
                agency,
                query_seq: seq,
                user: user.id,
                aor: user.aor_id,
                queued_at: at,
                sampled,
                flags: serde_json::to_string(&routed.flags)?,
            })
            .await?;
    }
    let rules_fired: Vec<Value> = routed.flags.iter().map(|f| json!(f.rule)).collect();
    let actor = sightline_store::user_actor(user.id, &user.username);
    let draft = if sampling {
        EntryDraft::new(
            TenantScope::Agency(agency),
            actor,
            "review.draw",
            Outcome::Success,
        )
        .field("query_seq", seq)
        .field("share_percent", c.settings.sampling.share_percent)
        .field("selected", sampled)
    } else {
        EntryDraft::new(
            TenantScope::Agency(agency),
            actor,
            "review.flagged",
            Outcome::Success,
        )
        .field("query_seq", seq)
    };
    store
        .ledger()
        .append(
            draft
                .session(session)
                .field("flags", rules_fired)
                .field("review_id", routed.review_id),
        )
        .await
        .map_err(|e| e.0)?;
    Ok(routed)
}

/// Who reviews: agency-wide managers and auditors see the agency, those of
/// one AOR see that AOR's users' queries.
#[derive(Debug, Clone, Copy)]
pub struct ReviewerScope {
    pub agency: AgencyId,
    pub aor: Option<AorId>,
}

/// A review item as a reviewer reads it: the query as it was logged.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewView {
    pub id: i64,
    pub query_id: i64,
    pub username: String,
    pub display_name: String,
    pub aor: Option<String>,
    #[schema(format = DateTime)]
    pub queued_at: String,
    /// Drawn by the random sample.
    pub sampled: bool,
    /// Flags that fired, each with its reason.
    pub flags: Vec<FlagHit>,
    /// `pending`, `justified` or `questioned`.
    pub status: String,
    /// The logged query (from its audit entry, never a new search).
    pub query: LoggedQuery,
    pub reviewer: Option<String>,
    #[schema(format = DateTime)]
    pub reviewed_at: Option<String>,
    /// The reviewer's note (sealed in the audit log; opened for reviewers).
    pub note: Option<String>,
    pub incident_id: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct LoggedQuery {
    #[schema(format = DateTime)]
    pub at: String,
    pub plate: String,
    pub state: String,
    pub reason_code: String,
    pub program: String,
    pub case_reference: String,
    pub on_behalf_of: Option<String>,
    #[schema(format = DateTime)]
    pub from: String,
    #[schema(format = DateTime)]
    pub to: String,
}

fn rfc3339(t: OffsetDateTime) -> String {
    crate::routes::session::rfc3339(t)
}

/// Builds the reviewer's view of items.
pub async fn views(store: &Store, items: Vec<ReviewItem>) -> anyhow::Result<Vec<ReviewView>> {
    let mut out = Vec::with_capacity(items.len());
    let mut aors = std::collections::HashMap::new();
    for item in items {
        let scope = TenantScope::Agency(item.agency);
        let q = store.ledger().entry(scope, item.query_seq).await?;
        let query = q
            .map(|r| {
                let e = r.entry;
                let s = |k: &str| e.field_str(k).unwrap_or_default().to_owned();
                let t = |k: &str| rfc3339(from_micros(e.field_i64(k).unwrap_or_default()));
                LoggedQuery {
                    at: rfc3339(from_micros(e.at)),
                    plate: s("plate"),
                    state: s("state"),
                    reason_code: s("reason_code"),
                    program: s("program"),
                    case_reference: s("case_reference"),
                    on_behalf_of: e.field_str("on_behalf_of").map(str::to_owned),
                    from: t("from"),
                    to: t("to"),
                }
            })
            .unwrap_or_default();
        let note = match item.review_seq {
            Some(seq) => store
                .ledger()
                .entry(scope, seq)
                .await?
                .and_then(|r| r.entry.field_str("note").map(str::to_owned)),
            None => None,
        };
        let user = store.tenancy().user(item.user).await?;
        let reviewer = match item.reviewer {
            Some(id) => store.tenancy().user(id).await?.map(|u| u.username),
            None => None,
        };
        if aors.is_empty() {
            aors = store
                .tenancy()
                .aors(item.agency)
                .await?
                .into_iter()
                .collect::<std::collections::HashMap<_, _>>();
        }
        out.push(ReviewView {
            id: item.id,
            query_id: item.query_seq,
            username: user
                .as_ref()
                .map(|u| u.username.clone())
                .unwrap_or_default(),
            display_name: user.map(|u| u.display_name).unwrap_or_default(),
            aor: item.aor.and_then(|a| aors.get(&a).cloned()),
            queued_at: rfc3339(item.queued_at),
            sampled: item.sampled,
            flags: serde_json::from_str(&item.flags).unwrap_or_default(),
            status: item.status,
            query,
            reviewer,
            reviewed_at: item.reviewed_at.map(rfc3339),
            note,
            incident_id: item.incident_id,
        });
    }
    Ok(out)
}

/// The queue as a reviewer sees it.
pub async fn queue(
    store: &Store,
    scope: ReviewerScope,
    status: Option<&str>,
    limit: i64,
) -> anyhow::Result<Vec<ReviewView>> {
    let items = store
        .oversight()
        .items(scope.agency, scope.aor, status, limit)
        .await?;
    views(store, items).await
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgeBucket {
    /// `under_1_day`, `1_to_7_days`, `7_to_30_days`, `over_30_days`.
    pub bucket: String,
    pub label: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AorCoverage {
    pub aor_id: Option<i64>,
    pub aor: String,
    pub queued: i64,
    pub reviewed: i64,
    /// Reviewed of queued, in percent (100 when none is queued).
    pub percent: f64,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Outcomes {
    pub pending: i64,
    pub justified: i64,
    pub questioned: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewReport {
    /// `agency` or the AOR's name.
    pub scope: String,
    pub unreviewed_by_age: Vec<AgeBucket>,
    pub coverage: Vec<AorCoverage>,
    pub outcomes: Outcomes,
    /// Items drawn by the sample, and items with at least one flag.
    pub sampled: i64,
    pub flagged: i64,
    /// Items per flag rule.
    pub by_rule: std::collections::BTreeMap<String, i64>,
}

/// Unreviewed items by age, coverage per AOR, outcomes.
pub async fn report(
    store: &Store,
    scope: ReviewerScope,
    now: OffsetDateTime,
) -> anyhow::Result<ReviewReport> {
    let items = store.oversight().all_items(scope.agency, scope.aor).await?;
    let aors: std::collections::HashMap<AorId, String> = store
        .tenancy()
        .aors(scope.agency)
        .await?
        .into_iter()
        .collect();
    let buckets = [
        ("under_1_day", "Under a day", 0, 1),
        ("1_to_7_days", "1 to 7 days", 1, 7),
        ("7_to_30_days", "7 to 30 days", 7, 30),
        ("over_30_days", "Over 30 days", 30, i64::MAX),
    ];
    let mut ages = [0i64; 4];
    let mut outcomes = Outcomes::default();
    let mut per_aor: std::collections::BTreeMap<Option<i64>, (i64, i64)> = Default::default();
    let (mut sampled, mut flagged) = (0, 0);
    let mut by_rule = std::collections::BTreeMap::new();
    for i in &items {
        let slot = per_aor.entry(i.aor.map(|a| a.0)).or_default();
        slot.0 += 1;
        match i.status.as_str() {
            "pending" => {
                outcomes.pending += 1;
                let days = (now - i.queued_at).whole_days();
                if let Some(n) = buckets
                    .iter()
                    .position(|(_, _, lo, hi)| days >= *lo && days < *hi)
                    .and_then(|p| ages.get_mut(p))
                {
                    *n += 1;
                }
            }
            s => {
                slot.1 += 1;
                if s == "questioned" {
                    outcomes.questioned += 1;
                } else {
                    outcomes.justified += 1;
                }
            }
        }
        sampled += i64::from(i.sampled);
        let flags: Vec<FlagHit> = serde_json::from_str(&i.flags).unwrap_or_default();
        flagged += i64::from(!flags.is_empty());
        for f in flags {
            *by_rule.entry(f.rule).or_insert(0) += 1;
        }
    }
    let coverage = per_aor
        .into_iter()
        .map(|(aor, (queued, reviewed))| AorCoverage {
            aor_id: aor,
            aor: aor
                .and_then(|a| aors.get(&AorId(a)).cloned())
                .unwrap_or_else(|| "No AOR (agency-wide)".to_owned()),
            queued,
            reviewed,
            percent: if queued == 0 {
                100.0
            } else {
                (reviewed as f64 * 1000.0 / queued as f64).round() / 10.0
            },
        })
        .collect();
    Ok(ReviewReport {
        scope: scope
            .aor
            .and_then(|a| aors.get(&a).cloned())
            .unwrap_or_else(|| "agency".to_owned()),
        unreviewed_by_age: buckets
            .iter()
            .zip(ages)
            .map(|((b, l, _, _), count)| AgeBucket {
                bucket: (*b).to_owned(),
                label: (*l).to_owned(),
                count,
            })
            .collect(),
        coverage,
        outcomes,
        sampled,
        flagged,
        by_rule,
    })
}

/// Why a review was refused.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("no such review item in your scope")]
    NotFound,
    #[error("you cannot review your own query")]
    OwnQuery,
    #[error("this query was reviewed already")]
    AlreadyDecided,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// A reviewer's finding on one item.
#[derive(Debug, Clone, Copy)]
pub struct Finding<'a> {
    pub id: i64,
    pub questioned: bool,
    pub note: &'a str,
}

/// The outcome of a review, with the incident a questioned one opened.
#[derive(Debug, Clone)]
pub struct Decided {
    pub review_seq: i64,
    pub incident_id: Option<i64>,
    pub notified: Vec<String>,
}

/// Records a reviewer's decision (audited, the note sealed there); a
/// questioned query opens an `unauthorized_use_suspected` incident whose
/// notice goes through the outbox to the professional-responsibility and
/// security contacts at once.
pub async fn decide(
    store: &Store,
    scope: ReviewerScope,
    reviewer: &UserRecord,
    session: Option<&str>,
    finding: &Finding<'_>,
    now: OffsetDateTime,
) -> Result<Decided, ReviewError> {
    let Finding {
        id,
        questioned,
        note,
    } = *finding;
    let item = store
        .oversight()
        .item(scope.agency, id)
        .await?
        .filter(|i| scope.aor.is_none() || i.aor == scope.aor)
        .ok_or(ReviewError::NotFound)?;
    if item.user == reviewer.id {
        return Err(ReviewError::OwnQuery);
    }
    if item.status != "pending" {
        return Err(ReviewError::AlreadyDecided);
    }
    let outcome = if questioned {
        "questioned"
    } else {
        "justified"
    };
    let mut draft = EntryDraft::new(
        TenantScope::Agency(scope.agency),
        sightline_store::user_actor(reviewer.id, &reviewer.username),
        "review.decided",
        Outcome::Success,
    )
    .field("review_id", id)
    .field("query_seq", item.query_seq)
    .field("query_user", item.user.0)
    .field("outcome", outcome)
    .field("note", note);
    if let Some(s) = session {
        draft = draft.session(s);
    }
    let entry = store.ledger().append(draft).await.map_err(|e| e.0)?;
    if !store
        .oversight()
        .decide(scope.agency, id, reviewer.id, outcome, entry.seq, now)
        .await?
    {
        // Another reviewer decided in between: say in the log that this
        // entry's decision did not take effect.
        store
            .ledger()
            .append(
                EntryDraft::new(
                    TenantScope::Agency(scope.agency),
                    sightline_store::user_actor(reviewer.id, &reviewer.username),
                    "review.discarded",
                    Outcome::Refused,
                )
                .field("review_id", id)
                .field("review_seq", entry.seq),
            )
            .await
            .map_err(|e| e.0)?;
        return Err(ReviewError::AlreadyDecided);
    }
    let mut decided = Decided {
        review_seq: entry.seq,
        incident_id: None,
        notified: Vec::new(),
    };
    if questioned {
        let mut to = store.oversight().pr_contacts(scope.agency).await?;
        for c in store.incidents().contacts(scope.agency).await? {
            if !to.contains(&c) {
                to.push(c);
            }
        }
        let subject = store.tenancy().user(item.user).await?;
        let detail = format!(
            "A reviewer questioned the purpose of a plate query and Sightline treats it as suspected \
             unauthorized use.\n\nQuery: entry {} of the agency's audit log, run {} by user '{}'.\n\
             Reviewer: '{}', review {} (audit log entry {}, which holds the reviewer's note).",
            item.query_seq,
            rfc3339(item.queued_at),
            subject.map(|u| u.username).unwrap_or_default(),
            reviewer.username,
            id,
            entry.seq,
        );
        let incident = store
            .incidents()
            .raise_to(
                scope.agency,
                "unauthorized_use_suspected",
                &format!("review:{}:{id}", scope.agency.0),
                &detail,
                now,
                &to,
            )
            .await?;
        if let Some(incident) = incident {
            store
                .oversight()
                .set_incident(scope.agency, id, incident)
                .await?;
            store
                .ledger()
                .append(
                    EntryDraft::new(
                        TenantScope::Agency(scope.agency),
                        Actor::System,
                        "incident.raised",
                        Outcome::Success,
                    )
                    .field("kind", "unauthorized_use_suspected")
                    .field("detail", detail.as_str())
                    .field("incident_id", incident)
                    .field("recipients", to.clone()),
                )
                .await
                .map_err(|e| e.0)?;
        }
        decided.incident_id = incident;
        decided.notified = to;
    }
    Ok(decided)
}

/// The scope of a reviewer, by role and AOR.
pub fn reviewer_scope(user: &UserRecord) -> Option<ReviewerScope> {
    use sightline_core::Role;
    match (user.role, user.agency_id) {
        (Role::AgencyManager | Role::Auditor, Some(agency)) => Some(ReviewerScope {
            agency,
            aor: user.aor_id,
        }),
        _ => None,
    }
}

/// Replaces the agency's settings (checked first); audited by the caller's actor.
pub async fn set_settings(
    store: &Store,
    agency: AgencyId,
    actor: Actor,
    session: Option<&str>,
    settings: &OversightSettings,
    now: OffsetDateTime,
) -> Result<i64, SetError> {
    let programs = program_names(store, agency).await?;
    compile(settings, &programs, 0).map_err(SetError::Invalid)?;
    let text = serde_json::to_string(settings).map_err(anyhow::Error::from)?;
    let version = store.oversight().set_settings(agency, &text, now).await?;
    let mut draft = EntryDraft::new(
        TenantScope::Agency(agency),
        actor,
        "oversight.settings_changed",
        Outcome::Success,
    )
    .field("version", version)
    .field(
        "settings",
        serde_json::to_value(settings).map_err(anyhow::Error::from)?,
    );
    if let Some(s) = session {
        draft = draft.session(s);
    }
    store.ledger().append(draft).await.map_err(|e| e.0)?;
    Ok(version)
}

#[derive(Debug, thiserror::Error)]
pub enum SetError {
    #[error("the settings break {} rule(s)", .0.len())]
    Invalid(Vec<sightline_core::Violation>),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// The user that ran a query, for a route that has only its id.
pub async fn user(store: &Store, id: UserId) -> anyhow::Result<Option<UserRecord>> {
    store.tenancy().user(id).await
}
