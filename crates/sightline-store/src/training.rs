//! Training records (R2.5) and terminations (R2.6).

use crate::db::Db;
use crate::row::{i64_col, opt_i64_col, str_col};
use anyhow::Context as _;
use sightline_core::clock::{from_micros, to_micros};
use sightline_core::{AgencyId, UserId};
use time::{Duration, OffsetDateTime};

/// Training older than this no longer counts.
pub const TRAINING_VALIDITY: Duration = Duration::days(365);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingRecord {
    pub user_id: UserId,
    pub course: String,
    pub completed_at: OffsetDateTime,
    pub evidence: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Termination {
    pub user_id: UserId,
    pub username: String,
    pub requested_at: OffsetDateTime,
    pub completed_at: OffsetDateTime,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct PeopleStore {
    db: Db,
}

impl PeopleStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    pub async fn add_training(
        &self,
        agency: AgencyId,
        record: &TrainingRecord,
        by: UserId,
        now: OffsetDateTime,
    ) -> anyhow::Result<()> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "INSERT INTO training_records (agency_id, user_id, course, completed_at, evidence, recorded_by, recorded_at) \
             SELECT $1, id, $3, $4, $5, $6, $7 FROM users WHERE id = $2 AND agency_id = $1",
        )
        .bind(agency.0)
        .bind(record.user_id.0)
        .bind(record.course.as_str())
        .bind(to_micros(record.completed_at))
        .bind(record.evidence.as_str())
        .bind(by.0)
        .bind(to_micros(now))
        .execute(&mut *tx.tx)
        .await
        .context("recording training")?;
        tx.commit().await
    }

    /// When `user` last completed training, if ever.
    pub async fn last_training(&self, user: UserId) -> anyhow::Result<Option<OffsetDateTime>> {
        let row =
            sqlx::query("SELECT MAX(completed_at) AS t FROM training_records WHERE user_id = $1")
                .bind(user.0)
                .fetch_one(self.db.pool())
                .await
                .context("reading training")?;
        Ok(opt_i64_col(&row, "t")?.map(from_micros))
    }

    /// Ends a user's access at once: status, every session, and the record
    /// of when it was asked for (`requested_at`, at or before `now`) and
    /// done (`now`), in one transaction. `false` if already terminated.
    pub async fn terminate(
        &self,
        agency: AgencyId,
        user: UserId,
        by: UserId,
        reason: &str,
        requested_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> anyhow::Result<bool> {
        let mut tx = self.db.begin_write().await?;
        let done = sqlx::query(
            "UPDATE users SET status = 'terminated' WHERE id = $1 AND agency_id = $2 AND status <> 'terminated'",
        )
        .bind(user.0)
        .bind(agency.0)
        .execute(&mut *tx.tx)
        .await
        .context("terminating user")?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        crate::sessions::end_all(&mut tx, user, now).await?;
        sqlx::query(
            "INSERT INTO terminations (agency_id, user_id, requested_by, requested_at, completed_at, reason) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(agency.0)
        .bind(user.0)
        .bind(by.0)
        .bind(to_micros(requested_at.min(now)))
        .bind(to_micros(now))
        .bind(reason)
        .execute(&mut *tx.tx)
        .await
        .context("recording termination")?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn terminations(&self, agency: AgencyId) -> anyhow::Result<Vec<Termination>> {
        let rows = sqlx::query(
            "SELECT t.user_id, u.username, t.requested_at, t.completed_at, t.reason FROM terminations t \
             JOIN users u ON u.id = t.user_id WHERE t.agency_id = $1 ORDER BY t.requested_at",
        )
        .bind(agency.0)
        .fetch_all(self.db.pool())
        .await
        .context("listing terminations")?;
        rows.iter()
            .map(|r| {
                Ok(Termination {
                    user_id: UserId(i64_col(r, "user_id")?),
                    username: str_col(r, "username")?,
                    requested_at: from_micros(i64_col(r, "requested_at")?),
                    completed_at: from_micros(i64_col(r, "completed_at")?),
                    reason: str_col(r, "reason")?,
                })
            })
            .collect()
    }
}
