//! The transactional outbox: every email the service sends is first a row
//! here, written in the same transaction as the change that caused it, so
//! a committed alert always has its mail and a rolled-back one never does.
//!
//! A sender (in the server) claims due rows with a lease, sends them, and
//! marks them sent. `dedupe_key` is UNIQUE: enqueuing the same logical
//! message twice (a retried ingest batch, two nodes matching the same read)
//! stores it once. Claiming is one `UPDATE … RETURNING` statement; on
//! PostgreSQL its sub-select takes `FOR UPDATE SKIP LOCKED`, so nodes never
//! claim the same row, and on SQLite the process's write gate serialises it.
//!
//! Delivery is exactly-once per dedupe key except in one window: the SMTP
//! server accepted the message and the process died before `mark_sent`
//! committed. The lease then expires and the message is sent again. The
//! window is kept to one small UPDATE, and every message carries a
//! Message-ID derived from its dedupe key so that mail systems can drop the
//! duplicate.
//!
//! Bodies hold registration keys and temporary passwords, so a row's body is
//! sealed under the master key's outbox purpose key (bound to its dedupe
//! key) from enqueue until it is sent, opened only by the sender, and
//! emptied once sent.

use crate::db::{Backend, Db, WriteTx};
use crate::keyring::Purpose;
use crate::row::{i64_col, opt_i64_col, str_col};
use anyhow::Context as _;
use sightline_core::AgencyId;
use sightline_core::clock::to_micros;
use time::{Duration, OffsetDateTime};

/// One message to enqueue.
#[derive(Debug, Clone)]
pub struct OutboxMessage {
    pub agency_id: Option<AgencyId>,
    /// Names the logical message, e.g. `alert:{read}:{entry}:{user}`.
    pub dedupe_key: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
}

/// A message claimed for sending.
#[derive(Debug, Clone)]
pub struct ClaimedMail {
    pub id: i64,
    pub agency_id: Option<AgencyId>,
    pub dedupe_key: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// Failed attempts before this one.
    pub attempts: i64,
}

/// How long a claimed message is reserved for its sender.
pub const LEASE: Duration = Duration::minutes(2);

/// The wait before attempt `n + 1` after `n` failures: 15 s doubling, at
/// most one hour.
pub fn backoff(failures: i64) -> Duration {
    let exp = u32::try_from(failures.clamp(0, 8)).unwrap_or(8);
    let secs = 15_i64.saturating_mul(2_i64.pow(exp)).min(3_600);
    Duration::seconds(secs)
}

/// Enqueues `msg` inside the caller's transaction. Returns false when a
/// message with the same dedupe key already exists.
pub async fn enqueue(
    tx: &mut WriteTx,
    msg: &OutboxMessage,
    now: OffsetDateTime,
) -> anyhow::Result<bool> {
    let body = tx.keyring()?.seal(
        Purpose::Outbox,
        &outbox_context(&msg.dedupe_key),
        msg.body.as_bytes(),
    )?;
    let done = sqlx::query(
        "INSERT INTO outbox (agency_id, dedupe_key, recipient, subject, body, created_at, attempts, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, $6) ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(msg.agency_id.map(|a| a.0))
    .bind(msg.dedupe_key.as_str())
    .bind(msg.recipient.as_str())
    .bind(msg.subject.as_str())
    .bind(body)
    .bind(to_micros(now))
    .execute(&mut *tx.tx)
    .await
    .context("enqueuing an email")?;
    Ok(done.rows_affected() > 0)
}

/// The associated data a message's body is sealed with.
pub(crate) fn outbox_context(dedupe_key: &str) -> String {
    format!("outbox:{dedupe_key}")
}

/// The sender's side of the outbox.
#[derive(Debug, Clone)]
pub struct Outbox {
    db: Db,
}

impl Outbox {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Claims up to `limit` due, unsent, unleased messages, oldest first.
    pub async fn claim(&self, now: OffsetDateTime, limit: i64) -> anyhow::Result<Vec<ClaimedMail>> {
        let lock = match self.db.backend() {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE outbox SET lease_until = $2 WHERE id IN (\
               SELECT id FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= $1 \
               AND (lease_until IS NULL OR lease_until <= $1) ORDER BY id LIMIT $3{lock}) \
             AND sent_at IS NULL AND (lease_until IS NULL OR lease_until <= $1) \
             RETURNING id, agency_id, dedupe_key, recipient, subject, body, attempts"
        );
        let mut tx = self.db.begin_write().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(to_micros(now))
            .bind(to_micros(now + LEASE))
            .bind(limit)
            .fetch_all(&mut *tx.tx)
            .await
            .context("claiming outbox messages")?;
        tx.commit().await?;
        let keyring = self.db.keyring()?;
        // A body that does not open (altered) is logged and left leased, so
        // it neither blocks the others nor goes out.
        let mut out: Vec<ClaimedMail> = rows
            .iter()
            .map(|r| -> anyhow::Result<ClaimedMail> {
                let dedupe_key = str_col(r, "dedupe_key")?;
                let body = keyring.open_text(
                    Purpose::Outbox,
                    &outbox_context(&dedupe_key),
                    &str_col(r, "body")?,
                )?;
                Ok(ClaimedMail {
                    id: i64_col(r, "id")?,
                    agency_id: opt_i64_col(r, "agency_id")?.map(AgencyId),
                    dedupe_key,
                    recipient: str_col(r, "recipient")?,
                    subject: str_col(r, "subject")?,
                    body,
                    attempts: i64_col(r, "attempts")?,
                })
            })
            .filter_map(|m| {
                m.inspect_err(|e| tracing::error!(error = %e, "an outbox message does not open"))
                    .ok()
            })
            .collect();
        out.sort_by_key(|m| m.id);
        Ok(out)
    }

    /// Marks a message sent and drops its body: a sent message keeps only
    /// its key, recipient, subject and times (the audit log has the rest).
    pub async fn mark_sent(&self, id: i64, now: OffsetDateTime) -> anyhow::Result<()> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "UPDATE outbox SET sent_at = $2, lease_until = NULL, last_error = NULL, body = '' WHERE id = $1",
        )
        .bind(id)
        .bind(to_micros(now))
        .execute(&mut *tx.tx)
        .await
        .context("marking an email sent")?;
        tx.commit().await
    }

    /// Records a failed attempt and schedules the next one.
    pub async fn mark_failed(
        &self,
        mail: &ClaimedMail,
        error: &str,
        now: OffsetDateTime,
    ) -> anyhow::Result<()> {
        let failures = mail.attempts.saturating_add(1);
        let next = now + backoff(failures);
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "UPDATE outbox SET attempts = $2, next_attempt_at = $3, lease_until = NULL, last_error = $4 WHERE id = $1",
        )
        .bind(mail.id)
        .bind(failures)
        .bind(to_micros(next))
        .bind(error.chars().take(500).collect::<String>())
        .execute(&mut *tx.tx)
        .await
        .context("recording a failed email")?;
        tx.commit().await
    }

    /// (unsent, sent) counts, for health and tests.
    pub async fn counts(&self) -> anyhow::Result<(i64, i64)> {
        let mut out = [0_i64; 2];
        for (slot, cond) in out
            .iter_mut()
            .zip(["sent_at IS NULL", "sent_at IS NOT NULL"])
        {
            let sql = format!("SELECT COUNT(*) AS n FROM outbox WHERE {cond}");
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_one(self.db.pool())
                .await
                .context("counting outbox messages")?;
            *slot = i64_col(&row, "n")?;
        }
        let [unsent, sent] = out;
        Ok((unsent, sent))
    }

    /// Unsent messages that have failed at least once, for `/metrics`.
    pub async fn retrying(&self) -> anyhow::Result<i64> {
        let row =
            sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL AND attempts > 0")
                .fetch_one(self.db.pool())
                .await
                .context("reading the outbox")?;
        i64_col(&row, "n")
    }

    /// The most failed attempts of any message, for health and tests.
    pub async fn max_attempts(&self) -> anyhow::Result<i64> {
        let row = sqlx::query("SELECT COALESCE(MAX(attempts), 0) AS n FROM outbox")
            .fetch_one(self.db.pool())
            .await
            .context("reading the outbox")?;
        i64_col(&row, "n")
    }

    /// When the next unsent message falls due, if any.
    pub async fn next_due(&self) -> anyhow::Result<Option<i64>> {
        let row =
            sqlx::query("SELECT MIN(next_attempt_at) AS due FROM outbox WHERE sent_at IS NULL")
                .fetch_one(self.db.pool())
                .await
                .context("reading the outbox")?;
        opt_i64_col(&row, "due")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_fifteen_seconds_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(30), Duration::hours(1));
        assert_eq!(backoff(-3), Duration::seconds(15));
    }
}
