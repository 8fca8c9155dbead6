//! The entry lifecycle, run every minute by the server and directly by
//! tests after moving the clock (R4.7): prompt 14 days before expiry,
//! stop matching at expiry (the index checks that per lookup; here it is
//! only recorded), and remove 7 days after expiry.

use super::entries::{AlertEntry, AlertStore, ENTRY_COLS, bump_version, delete_in, entry_from_row};
use super::notify::{Draft, notify_in};
use crate::row::str_col;
use anyhow::Context as _;
use sightline_core::alert::{GRACE, PROMPT_BEFORE};
use sightline_core::clock::to_micros;
use time::OffsetDateTime;

/// What one run did, for the audit log.
#[derive(Debug, Default, Clone)]
pub struct LifecycleReport {
    /// Owners prompted to affirm or delete.
    pub prompted: Vec<AlertEntry>,
    /// Entries that reached expiry and stopped matching.
    pub expired: Vec<AlertEntry>,
    /// Entries removed after the grace week.
    pub removed: Vec<AlertEntry>,
}

impl AlertStore {
    async fn due(
        &self,
        cond: &str,
        at: OffsetDateTime,
    ) -> anyhow::Result<Vec<(AlertEntry, String)>> {
        let sql = format!(
            "SELECT {ENTRY_COLS}, (SELECT email FROM users u WHERE u.id = owner_id) AS owner_email \
             FROM alert_entries WHERE {cond} ORDER BY id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(to_micros(at))
            .fetch_all(self.db().pool())
            .await
            .context("finding entries due in their lifecycle")?;
        rows.iter()
            .map(|r| Ok((entry_from_row(r, Vec::new())?, str_col(r, "owner_email")?)))
            .collect()
    }

    /// One pass of the lifecycle at `now`.
    pub async fn run_lifecycle(&self, now: OffsetDateTime) -> anyhow::Result<LifecycleReport> {
        let mut report = LifecycleReport::default();
        let removable = self.due("expires_at <= $1", now - GRACE).await?;
        let expiring = self
            .due("expires_at <= $1 AND expired_at IS NULL", now)
            .await?;
        let promptable = self
            .due(
                "expires_at <= $1 AND prompted_at IS NULL",
                now + PROMPT_BEFORE,
            )
            .await?;
        let mut tx = self.db().begin_write().await?;
        let version = if removable.is_empty() {
            None
        } else {
            Some(bump_version(&mut tx).await?)
        };
        for (e, email) in promptable {
            if e.expires_at <= now {
                continue;
            }
            let subject = format!(
                "Sightline: alert entry {} ({}) expires on {}",
                e.entry.plate.as_str(),
                e.entry.jurisdiction.code(),
                e.expires_at.date()
            );
            let body = format!(
                "Your alert entry for {} ({}), reason code {}, note \"{}\", expires on {}.\r\n\r\n\
                 If there is a continued operational need, affirm it to renew the entry for one year;\r\n\
                 otherwise delete it. After expiry it stops matching, and 7 days later it is removed.\r\n",
                e.entry.plate.as_str(),
                e.entry.jurisdiction.code(),
                e.entry.reason_code.as_str(),
                e.entry.note.as_str(),
                e.expires_at.date()
            );
            notify_in(
                &mut tx,
                &Draft {
                    agency: e.agency_id,
                    kind: "expiry_prompt",
                    ref_id: to_micros(e.valid_from),
                    entry: e.id,
                    recipient: e.owner_id,
                    email: &email,
                    subject: &subject,
                    body: &body,
                },
                now,
            )
            .await?;
            sqlx::query("UPDATE alert_entries SET prompted_at = $2 WHERE id = $1")
                .bind(e.id.0)
                .bind(to_micros(now))
                .execute(&mut *tx.tx)
                .await
                .context("recording an expiry prompt")?;
            report.prompted.push(e);
        }
        for (e, _) in expiring {
            sqlx::query("UPDATE alert_entries SET expired_at = $2 WHERE id = $1")
                .bind(e.id.0)
                .bind(to_micros(now))
                .execute(&mut *tx.tx)
                .await
                .context("recording an expiry")?;
            report.expired.push(e);
        }
        for (e, _) in removable {
            delete_in(&mut tx, e.id, version.unwrap_or_default()).await?;
            report.removed.push(e);
        }
        tx.commit().await?;
        Ok(report)
    }
}
