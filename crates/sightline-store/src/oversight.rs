//! Oversight storage (issue 16): the agency's oversight settings (one JSON
//! document the server validates), its professional-responsibility
//! contacts, the index of its own query log that the misuse flags count
//! over, and the review queue.
//!
//! The index holds no plate or case reference in clear: only keyed digests
//! (`Keyring::digest`), so "the same plate" and "the same case" can be
//! counted and nothing can be read back. Every lookback is bounded by time
//! and served by an index that starts with the agency.

use crate::db::Db;
use crate::row::{i64_col, opt_i64_col, str_col};
use anyhow::Context as _;
use sightline_core::clock::{from_micros, to_micros};
use sightline_core::tenancy::AorId;
use sightline_core::{AgencyId, TenantScope, UserId};
use time::OffsetDateTime;

#[derive(Debug, Clone)]
pub struct OversightStore {
    db: Db,
}

/// One logged query, as the flags count it.
#[derive(Debug, Clone)]
pub struct QueryFact {
    pub agency: AgencyId,
    pub seq: i64,
    pub user: UserId,
    pub at: OffsetDateTime,
    pub plate_digest: String,
    pub case_digest: String,
    pub result_count: i64,
}

/// What [`OversightStore::flag_figures`] counts.
#[derive(Debug, Clone, Default)]
pub struct FlagFigures {
    pub distinct_plates_for_case: i64,
    pub plate_queries: i64,
    pub plate_hits: i64,
    pub plate_first: Option<OffsetDateTime>,
    pub failed_logins: i64,
}

/// A query waiting for (or given) review.
#[derive(Debug, Clone)]
pub struct ReviewItem {
    pub id: i64,
    pub agency: AgencyId,
    pub query_seq: i64,
    pub user: UserId,
    pub aor: Option<AorId>,
    pub queued_at: OffsetDateTime,
    pub sampled: bool,
    /// JSON array of `{"rule": …, "explanation": …}`.
    pub flags: String,
    /// `pending`, `justified` or `questioned`.
    pub status: String,
    pub reviewer: Option<UserId>,
    pub reviewed_at: Option<OffsetDateTime>,
    /// The `review.decided` entry, where the (sealed) note lives.
    pub review_seq: Option<i64>,
    pub incident_id: Option<i64>,
}

/// What is queued for a query.
#[derive(Debug, Clone)]
pub struct NewReviewItem {
    pub agency: AgencyId,
    pub query_seq: i64,
    pub user: UserId,
    pub aor: Option<AorId>,
    pub queued_at: OffsetDateTime,
    pub sampled: bool,
    pub flags: String,
}

const ITEM_COLS: &str = "id, agency_id, query_seq, user_id, aor_id, queued_at, sampled, flags, status, \
                         reviewer_id, reviewed_at, review_seq, incident_id";

fn item_from(r: &sqlx::any::AnyRow) -> anyhow::Result<ReviewItem> {
    Ok(ReviewItem {
        id: i64_col(r, "id")?,
        agency: AgencyId(i64_col(r, "agency_id")?),
        query_seq: i64_col(r, "query_seq")?,
        user: UserId(i64_col(r, "user_id")?),
        aor: opt_i64_col(r, "aor_id")?.map(AorId),
        queued_at: from_micros(i64_col(r, "queued_at")?),
        sampled: i64_col(r, "sampled")? != 0,
        flags: str_col(r, "flags")?,
        status: str_col(r, "status")?,
        reviewer: opt_i64_col(r, "reviewer_id")?.map(UserId),
        reviewed_at: opt_i64_col(r, "reviewed_at")?.map(from_micros),
        review_seq: opt_i64_col(r, "review_seq")?,
        incident_id: opt_i64_col(r, "incident_id")?,
    })
}

impl OversightStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// The agency's settings document and its version, if ever set.
    pub async fn settings(&self, agency: AgencyId) -> anyhow::Result<Option<(String, i64)>> {
        let row =
            sqlx::query("SELECT settings, version FROM oversight_settings WHERE agency_id = $1")
                .bind(agency.0)
                .fetch_optional(self.db.pool())
                .await
                .context("reading oversight settings")?;
        row.map(|r| Ok((str_col(&r, "settings")?, i64_col(&r, "version")?)))
            .transpose()
    }

    /// Replaces the settings document; returns its new version.
    pub async fn set_settings(
        &self,
        agency: AgencyId,
        settings: &str,
        now: OffsetDateTime,
    ) -> anyhow::Result<i64> {
        let mut tx = self.db.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO oversight_settings (agency_id, settings, version, updated_at) VALUES ($1, $2, 1, $3) \
             ON CONFLICT (agency_id) DO UPDATE SET settings = excluded.settings, \
             version = oversight_settings.version + 1, updated_at = excluded.updated_at RETURNING version",
        )
        .bind(agency.0)
        .bind(settings)
        .bind(to_micros(now))
        .fetch_one(&mut *tx.tx)
        .await
        .context("saving oversight settings")?;
        let v = i64_col(&row, "version")?;
        tx.commit().await?;
        Ok(v)
    }

    pub async fn pr_contacts(&self, agency: AgencyId) -> anyhow::Result<Vec<String>> {
        let rows = sqlx::query("SELECT email FROM pr_contacts WHERE agency_id = $1 ORDER BY email")
            .bind(agency.0)
            .fetch_all(self.db.pool())
            .await
            .context("reading professional-responsibility contacts")?;
        rows.iter().map(|r| str_col(r, "email")).collect()
    }

    pub async fn set_pr_contacts(&self, agency: AgencyId, emails: &[String]) -> anyhow::Result<()> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query("DELETE FROM pr_contacts WHERE agency_id = $1")
            .bind(agency.0)
            .execute(&mut *tx.tx)
            .await
            .context("clearing professional-responsibility contacts")?;
        for e in emails {
            sqlx::query(
                "INSERT INTO pr_contacts (agency_id, email) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(agency.0)
            .bind(e.as_str())
            .execute(&mut *tx.tx)
            .await
            .context("saving a professional-responsibility contact")?;
        }
        tx.commit().await
    }

    /// Indexes one logged query.
    pub async fn record_query(&self, f: &QueryFact) -> anyhow::Result<()> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "INSERT INTO oversight_queries (agency_id, seq, user_id, at, plate_digest, case_digest, result_count) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        )
        .bind(f.agency.0)
        .bind(f.seq)
        .bind(f.user.0)
        .bind(to_micros(f.at))
        .bind(f.plate_digest.as_str())
        .bind(f.case_digest.as_str())
        .bind(f.result_count)
        .execute(&mut *tx.tx)
        .await
        .context("indexing a query for oversight")?;
        tx.commit().await
    }

    /// When the user's queries since `since` ran (micros), newest first,
    /// at most `limit`: the daily-volume and usual-hours rules count them.
    pub async fn query_times(
        &self,
        agency: AgencyId,
        user: UserId,
        since: OffsetDateTime,
        limit: i64,
    ) -> anyhow::Result<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT at FROM oversight_queries WHERE agency_id = $1 AND user_id = $2 AND at >= $3 \
             ORDER BY at DESC LIMIT $4",
        )
        .bind(agency.0)
        .bind(user.0)
        .bind(to_micros(since))
        .bind(limit)
        .fetch_all(self.db.pool())
        .await
        .context("reading when a user's queries ran")?;
        rows.iter().map(|r| i64_col(r, "at")).collect()
    }

    /// The figures of the "same case", "same plate" and "failed logons"
    /// rules, in one round trip: distinct plates queried in the agency
    /// under `case_digest` since `case_since`; the user's queries of
    /// `plate_digest` since `plate_since` (how many, how many found a
    /// read, when the first ran); failed logons on the account since
    /// `login_since`, among its newest 100 logon entries in the audit log.
    #[allow(clippy::too_many_arguments)]
    pub async fn flag_figures(
        &self,
        agency: AgencyId,
        user: UserId,
        case_digest: &str,
        case_since: OffsetDateTime,
        plate_digest: &str,
        plate_since: OffsetDateTime,
        login_since: OffsetDateTime,
    ) -> anyhow::Result<FlagFigures> {
        let row = sqlx::query(
            "SELECT \
             (SELECT COUNT(DISTINCT plate_digest) FROM oversight_queries \
                WHERE case_digest = $3 AND agency_id = $1 AND at >= $4) AS spread, \
             (SELECT COUNT(*) FROM oversight_queries \
                WHERE plate_digest = $5 AND user_id = $2 AND agency_id = $1 AND at >= $6) AS plate_n, \
             (SELECT COALESCE(SUM(CASE WHEN result_count > 0 THEN 1 ELSE 0 END), 0) FROM oversight_queries \
                WHERE plate_digest = $5 AND user_id = $2 AND agency_id = $1 AND at >= $6) AS plate_hits, \
             (SELECT MIN(at) FROM oversight_queries \
                WHERE plate_digest = $5 AND user_id = $2 AND agency_id = $1 AND at >= $6) AS plate_first, \
             (SELECT COUNT(*) FROM (SELECT outcome, at FROM audit_entries \
                WHERE log_id = $7 AND actor_id = $2 AND action = 'auth.login' ORDER BY seq DESC LIMIT 100) l \
                WHERE l.outcome = 'failed' AND l.at >= $8) AS failures",
        )
        .bind(agency.0)
        .bind(user.0)
        .bind(case_digest)
        .bind(to_micros(case_since))
        .bind(plate_digest)
        .bind(to_micros(plate_since))
        .bind(TenantScope::Agency(agency).log_id())
        .bind(to_micros(login_since))
        .fetch_one(self.db.pool())
        .await
        .context("reading the misuse flags' figures")?;
        Ok(FlagFigures {
            distinct_plates_for_case: i64_col(&row, "spread")?,
            plate_queries: i64_col(&row, "plate_n")?,
            plate_hits: i64_col(&row, "plate_hits")?,
            plate_first: opt_i64_col(&row, "plate_first")?.map(from_micros),
            failed_logins: i64_col(&row, "failures")?,
        })
    }

    /// Queues a query for review (once per query).
    pub async fn queue(&self, item: &NewReviewItem) -> anyhow::Result<Option<i64>> {
        let mut tx = self.db.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO review_items (agency_id, query_seq, user_id, aor_id, queued_at, sampled, flags, status) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending') ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(item.agency.0)
        .bind(item.query_seq)
        .bind(item.user.0)
        .bind(item.aor.map(|a| a.0))
        .bind(to_micros(item.queued_at))
        .bind(i64::from(item.sampled))
        .bind(item.flags.as_str())
        .fetch_optional(&mut *tx.tx)
        .await
        .context("queueing a query for review")?;
        tx.commit().await?;
        row.map(|r| i64_col(&r, "id")).transpose()
    }

    /// Review items of the agency, newest first; only one AOR's where
    /// `aor` is given, only one status where `status` is.
    pub async fn items(
        &self,
        agency: AgencyId,
        aor: Option<AorId>,
        status: Option<&str>,
        limit: i64,
    ) -> anyhow::Result<Vec<ReviewItem>> {
        let sql = format!(
            "SELECT {ITEM_COLS} FROM review_items WHERE agency_id = $1 AND ($2 IS NULL OR aor_id = $2) \
             AND ($3 IS NULL OR status = $3) ORDER BY queued_at DESC, id DESC LIMIT $4"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(agency.0)
            .bind(aor.map(|a| a.0))
            .bind(status)
            .bind(limit)
            .fetch_all(self.db.pool())
            .await
            .context("listing review items")?;
        rows.iter().map(item_from).collect()
    }

    pub async fn item(&self, agency: AgencyId, id: i64) -> anyhow::Result<Option<ReviewItem>> {
        let sql = format!("SELECT {ITEM_COLS} FROM review_items WHERE agency_id = $1 AND id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(agency.0)
            .bind(id)
            .fetch_optional(self.db.pool())
            .await
            .context("reading a review item")?;
        row.as_ref().map(item_from).transpose()
    }

    /// Records a decision on a pending item; `false` if it was decided
    /// already (by someone else, meanwhile).
    pub async fn decide(
        &self,
        agency: AgencyId,
        id: i64,
        reviewer: UserId,
        outcome: &str,
        review_seq: i64,
        now: OffsetDateTime,
    ) -> anyhow::Result<bool> {
        let mut tx = self.db.begin_write().await?;
        let done = sqlx::query(
            "UPDATE review_items SET status = $1, reviewer_id = $2, reviewed_at = $3, review_seq = $4 \
             WHERE agency_id = $5 AND id = $6 AND status = 'pending'",
        )
        .bind(outcome)
        .bind(reviewer.0)
        .bind(to_micros(now))
        .bind(review_seq)
        .bind(agency.0)
        .bind(id)
        .execute(&mut *tx.tx)
        .await
        .context("recording a review")?
        .rows_affected();
        tx.commit().await?;
        Ok(done == 1)
    }

    pub async fn set_incident(
        &self,
        agency: AgencyId,
        id: i64,
        incident: i64,
    ) -> anyhow::Result<()> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query("UPDATE review_items SET incident_id = $1 WHERE agency_id = $2 AND id = $3")
            .bind(incident)
            .bind(agency.0)
            .bind(id)
            .execute(&mut *tx.tx)
            .await
            .context("linking a review to its incident")?;
        tx.commit().await
    }

    /// Every item of the agency (or of one AOR), for the report: small
    /// rows, the share of queries sampled is a few percent.
    pub async fn all_items(
        &self,
        agency: AgencyId,
        aor: Option<AorId>,
    ) -> anyhow::Result<Vec<ReviewItem>> {
        self.items(agency, aor, None, i64::MAX).await
    }
}
