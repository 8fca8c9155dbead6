//! Security contacts and incident notices (R5.7): suspected unauthorized use
//! is written down once per signal and window, and its emails are queued in
//! the same transaction, so a raised incident always reaches the contacts.

use crate::db::Db;
use crate::outbox::{OutboxMessage, enqueue};
use crate::row::{i64_col, str_col};
use anyhow::Context as _;
use sightline_core::AgencyId;
use sightline_core::clock::to_micros;
use time::OffsetDateTime;

#[derive(Debug, Clone)]
pub struct IncidentStore {
    db: Db,
}

impl IncidentStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    pub async fn contacts(&self, agency: AgencyId) -> anyhow::Result<Vec<String>> {
        let rows =
            sqlx::query("SELECT email FROM security_contacts WHERE agency_id = $1 ORDER BY email")
                .bind(agency.0)
                .fetch_all(self.db.pool())
                .await
                .context("reading security contacts")?;
        rows.iter().map(|r| str_col(r, "email")).collect()
    }

    pub async fn set_contacts(&self, agency: AgencyId, emails: &[String]) -> anyhow::Result<()> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query("DELETE FROM security_contacts WHERE agency_id = $1")
            .bind(agency.0)
            .execute(&mut *tx.tx)
            .await
            .context("clearing security contacts")?;
        for e in emails {
            sqlx::query("INSERT INTO security_contacts (agency_id, email) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(agency.0)
                .bind(e.as_str())
                .execute(&mut *tx.tx)
                .await
                .context("saving security contact")?;
        }
        tx.commit().await
    }

    /// Records an incident and queues its notice to every contact. `false`
    /// when the same signal was already raised (same `dedupe_key`).
    pub async fn raise(
        &self,
        agency: AgencyId,
        kind: &str,
        dedupe_key: &str,
        detail: &str,
        now: OffsetDateTime,
    ) -> anyhow::Result<bool> {
        let contacts = self.contacts(agency).await?;
        Ok(self
            .raise_to(agency, kind, dedupe_key, detail, now, &contacts)
            .await?
            .is_some())
    }

    /// Like [`raise`](Self::raise), to the given recipients; the incident's
    /// id, or `None` when the same signal was already raised.
    pub async fn raise_to(
        &self,
        agency: AgencyId,
        kind: &str,
        dedupe_key: &str,
        detail: &str,
        now: OffsetDateTime,
        recipients: &[String],
    ) -> anyhow::Result<Option<i64>> {
        let mut tx = self.db.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO incidents (agency_id, kind, dedupe_key, detail, raised_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
        )
        .bind(agency.0)
        .bind(kind)
        .bind(dedupe_key)
        .bind(detail)
        .bind(to_micros(now))
        .fetch_optional(&mut *tx.tx)
        .await
        .context("recording incident")?;
        let Some(row) = row else { return Ok(None) };
        let id = i64_col(&row, "id")?;
        for to in recipients {
            let msg = OutboxMessage {
                agency_id: Some(agency),
                dedupe_key: format!("incident:{id}:{to}"),
                recipient: to.clone(),
                subject: format!("Sightline security notice: {kind}"),
                body: format!(
                    "Sightline detected possible unauthorized use of your agency's account.\n\n{detail}\n\n\
                     Incident {id}, raised {now}. Review your agency's audit log and respond under your \
                     incident procedures.\n"
                ),
            };
            enqueue(&mut tx, &msg, now).await?;
        }
        tx.commit().await?;
        Ok(Some(id))
    }

    /// How many times `action` was logged in the agency's log since `since`.
    pub async fn count_actions(
        &self,
        agency: AgencyId,
        action: &str,
        since: OffsetDateTime,
    ) -> anyhow::Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM audit_entries WHERE log_id = $1 AND action = $2 AND at >= $3")
            .bind(sightline_core::TenantScope::Agency(agency).log_id())
            .bind(action)
            .bind(to_micros(since))
            .fetch_one(self.db.pool())
            .await
            .context("counting audit actions")?;
        i64_col(&row, "n")
    }
}
