//! Misread reports (R3.9) and the operator's queue (R6.2).

use crate::db::{Db, WriteTx};
use crate::row::{i64_col, opt_i64_col, str_col};
use anyhow::Context as _;
use sightline_core::clock::{from_micros, to_micros};
use sightline_core::{AgencyId, ReadId, UserId};
use sqlx::any::AnyRow;
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MisreadReport {
    pub id: i64,
    pub agency_id: AgencyId,
    pub reporter_id: UserId,
    pub read_id: ReadId,
    /// `plate_mismatch`, `make_model_mismatch` or `other`.
    pub kind: String,
    /// For a plate read wrongly: the plate as the reporter reads it in the
    /// photo. The only words of the reporter's the operator gets.
    pub photo_plate: Option<String>,
    /// `open`, `confirmed` or `not_misread`.
    pub status: String,
    pub created_at: OffsetDateTime,
    pub resolved_at: Option<OffsetDateTime>,
    pub resolution_note: Option<String>,
}

const COLS: &str = "id, agency_id, reporter_id, read_id, kind, photo_plate, status, created_at, resolved_at, resolution_note";

fn from_row(r: &AnyRow) -> anyhow::Result<MisreadReport> {
    use sqlx::Row as _;
    Ok(MisreadReport {
        id: i64_col(r, "id")?,
        agency_id: AgencyId(i64_col(r, "agency_id")?),
        reporter_id: UserId(i64_col(r, "reporter_id")?),
        read_id: ReadId(i64_col(r, "read_id")?),
        kind: str_col(r, "kind")?,
        photo_plate: r
            .try_get::<Option<String>, _>("photo_plate")
            .context("reading photo_plate")?,
        status: str_col(r, "status")?,
        created_at: from_micros(i64_col(r, "created_at")?),
        resolved_at: opt_i64_col(r, "resolved_at")?.map(from_micros),
        resolution_note: r
            .try_get::<Option<String>, _>("resolution_note")
            .context("reading resolution_note")?,
    })
}

#[derive(Debug, Clone)]
pub struct MisreadStore {
    db: Db,
}

impl MisreadStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Files a report. The reporter's note is not kept here: it belongs
    /// in the agency's own audit log, which the operator cannot read.
    pub async fn report(
        &self,
        agency: AgencyId,
        reporter: UserId,
        read: ReadId,
        kind: &str,
        photo_plate: Option<&str>,
        now: OffsetDateTime,
    ) -> anyhow::Result<i64> {
        let mut tx = self.db.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO misread_reports (agency_id, reporter_id, read_id, kind, note, photo_plate, status, created_at) \
             VALUES ($1, $2, $3, $4, '', $5, 'open', $6) RETURNING id",
        )
        .bind(agency.0)
        .bind(reporter.0)
        .bind(read.0)
        .bind(kind)
        .bind(photo_plate)
        .bind(to_micros(now))
        .fetch_one(&mut *tx.tx)
        .await
        .context("saving misread report")?;
        let id = i64_col(&row, "id")?;
        tx.commit().await?;
        Ok(id)
    }

    /// The queue: open reports first, oldest first.
    pub async fn queue(&self, include_resolved: bool) -> anyhow::Result<Vec<MisreadReport>> {
        let sql = format!(
            "SELECT {COLS} FROM misread_reports WHERE ($1 = 1 OR status = 'open') ORDER BY status = 'open' DESC, created_at"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(i64::from(include_resolved))
            .fetch_all(self.db.pool())
            .await
            .context("reading the misread queue")?;
        rows.iter().map(from_row).collect()
    }

    pub async fn get(&self, id: i64) -> anyhow::Result<Option<MisreadReport>> {
        let sql = format!("SELECT {COLS} FROM misread_reports WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.db.pool())
            .await
            .context("reading misread report")?;
        row.as_ref().map(from_row).transpose()
    }

    /// Puts a notice in the reporter's inbox inside `tx` (kind `misread`).
    pub async fn notify_reporter(
        &self,
        tx: &mut WriteTx,
        report: &MisreadReport,
        subject: &str,
        body: &str,
        now: OffsetDateTime,
    ) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO notifications (agency_id, ref_id, entry_id, recipient_id, kind, subject, body, created_at) \
             VALUES ($1, $2, 0, $3, 'misread', $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(report.agency_id.0)
        .bind(report.id)
        .bind(report.reporter_id.0)
        .bind(subject)
        .bind(body)
        .bind(to_micros(now))
        .execute(&mut *tx.tx)
        .await
        .context("notifying the reporter")?;
        Ok(())
    }

    /// Resolves an open report inside `tx`; `false` if it was not open.
    pub async fn resolve(
        &self,
        tx: &mut WriteTx,
        id: i64,
        status: &str,
        by: UserId,
        note: &str,
        now: OffsetDateTime,
    ) -> anyhow::Result<bool> {
        let done = sqlx::query(
            "UPDATE misread_reports SET status = $1, resolved_by = $2, resolved_at = $3, resolution_note = $4 \
             WHERE id = $5 AND status = 'open'",
        )
        .bind(status)
        .bind(by.0)
        .bind(to_micros(now))
        .bind(note)
        .bind(id)
        .execute(&mut *tx.tx)
        .await
        .context("resolving misread report")?;
        Ok(done.rows_affected() == 1)
    }
}
