//! Contract end (R6.1): the operator starts an agency's offboarding, which
//! opens a transfer window (30 days on the injected clock) for the agency
//! to export its alert lists and audit log. Once the agency confirms the
//! transfer, or the window has run out, the operator destroys the agency:
//! every row that belongs to it goes in one transaction, its audit log
//! included (the one sanctioned delete: the log is first recorded in
//! `audit_log_destructions`, which the append-only triggers consult), its
//! field keys are destroyed, the embedded database is vacuumed so no freed
//! page keeps a copy, and its access-request scans leave the blob store.
//! What survives is the `agency_offboarding` row: numbers and times only.

use crate::alerts::bump_version;
use crate::db::{Backend, Db, WriteTx};
use crate::row::{i64_col, opt_i64_col};
use anyhow::Context as _;
use sightline_core::clock::{from_micros, to_micros};
use sightline_core::read::BlobId;
use sightline_core::{AgencyId, TenantScope};
use sqlx::Row as _;
use time::{Duration, OffsetDateTime};

/// How long the agency has to take its data after offboarding starts.
pub const TRANSFER_WINDOW: Duration = Duration::days(30);

/// An agency's offboarding as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offboarding {
    pub agency: AgencyId,
    pub started_at: OffsetDateTime,
    pub window_ends_at: OffsetDateTime,
    /// When an agency-wide manager confirmed the agency has its data.
    pub confirmed_at: Option<OffsetDateTime>,
    /// When the agency was destroyed.
    pub completed_at: Option<OffsetDateTime>,
}

impl Offboarding {
    /// The agency's data may be destroyed: it confirmed the transfer, or the
    /// window is over.
    pub fn may_destroy(&self, now: OffsetDateTime) -> bool {
        self.completed_at.is_none() && (self.confirmed_at.is_some() || now >= self.window_ends_at)
    }

    /// `transfer_window`, `ready_to_destroy` or `destroyed`.
    pub fn state(&self, now: OffsetDateTime) -> &'static str {
        if self.completed_at.is_some() {
            "destroyed"
        } else if self.may_destroy(now) {
            "ready_to_destroy"
        } else {
            "transfer_window"
        }
    }
}

/// One kind of row an agency owns: what to call it, how to count it and
/// how to delete it. `$1` is the agency id, or the log id for audit rows.
struct Rows {
    label: &'static str,
    by_log: bool,
    count: &'static str,
    delete: &'static str,
}

macro_rules! rows {
    ($( $label:literal, $by_log:literal, $table:literal, $cond:literal; )*) => {
        &[ $( Rows {
            label: $label,
            by_log: $by_log,
            count: concat!("SELECT count(*) AS n FROM ", $table, " WHERE ", $cond),
            delete: concat!("DELETE FROM ", $table, " WHERE ", $cond),
        } ),* ]
    };
}

/// Deleted in this order: children before what they reference.
const AGENCY_ROWS: &[Rows] = rows![
    "alert entry recipients", false, "alert_entry_recipients", "entry_id IN (SELECT id FROM alert_entries WHERE agency_id = $1)";
    "inbox notifications", false, "notifications", "agency_id = $1 OR recipient_id IN (SELECT id FROM users WHERE agency_id = $1)";
    "alert entries", false, "alert_entries", "agency_id = $1";
    "alert group memberships", false, "alert_group_members", "group_id IN (SELECT id FROM alert_groups WHERE agency_id = $1) OR user_id IN (SELECT id FROM users WHERE agency_id = $1)";
    "alert groups", false, "alert_groups", "agency_id = $1";
    "alert lists", false, "alert_lists", "agency_id = $1";
    "queued and sent mail", false, "outbox", "agency_id = $1 OR recipient IN (SELECT email FROM users WHERE agency_id = $1)";
    "sessions", false, "sessions", "agency_id = $1 OR user_id IN (SELECT id FROM users WHERE agency_id = $1)";
    "recovery codes", false, "recovery_codes", "user_id IN (SELECT id FROM users WHERE agency_id = $1)";
    "registration keys", false, "registration_keys", "user_id IN (SELECT id FROM users WHERE agency_id = $1)";
    "security answers", false, "security_answers", "user_id IN (SELECT id FROM users WHERE agency_id = $1)";
    "recovery challenges", false, "recovery_challenges", "user_id IN (SELECT id FROM users WHERE agency_id = $1)";
    "training records", false, "training_records", "agency_id = $1 OR user_id IN (SELECT id FROM users WHERE agency_id = $1)";
    "terminations", false, "terminations", "agency_id = $1 OR user_id IN (SELECT id FROM users WHERE agency_id = $1)";
    "access requests", false, "access_requests", "agency_id = $1";
    "misread reports", false, "misread_reports", "agency_id = $1 OR reporter_id IN (SELECT id FROM users WHERE agency_id = $1)";
    "security contacts", false, "security_contacts", "agency_id = $1";
    "professional-responsibility contacts", false, "pr_contacts", "agency_id = $1";
    "oversight settings", false, "oversight_settings", "agency_id = $1";
    "oversight query index", false, "oversight_queries", "agency_id = $1";
    "review items", false, "review_items", "agency_id = $1";
    "incidents", false, "incidents", "agency_id = $1";
    "rules of behavior versions", false, "rules_of_behavior", "agency_id = $1";
    "users", false, "users", "agency_id = $1";
    "reason codes", false, "reason_codes", "agency_id = $1";
    "programs", false, "programs", "agency_id = $1";
    "areas of responsibility", false, "aors", "agency_id = $1";
    "audit field keys", false, "audit_field_keys", "agency_id = $1";
    "audit log entries", true, "audit_entries", "log_id = $1";
    "audit checkpoints", true, "audit_checkpoints", "log_id = $1";
    "audit signing keys", true, "audit_keys", "log_id = $1";
    "agency record", false, "agencies", "id = $1";
];

/// What destroying an agency removes (or removed): rows per kind, and the
/// stored files (access-request scans).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Inventory {
    pub rows: Vec<(&'static str, i64)>,
    pub files: i64,
}

impl Inventory {
    pub fn total_rows(&self) -> i64 {
        self.rows.iter().map(|(_, n)| n).sum()
    }
}

#[derive(Debug, Clone)]
pub struct OffboardingStore {
    db: Db,
}

fn from_row(r: &sqlx::any::AnyRow) -> anyhow::Result<Offboarding> {
    Ok(Offboarding {
        agency: AgencyId(i64_col(r, "agency_id")?),
        started_at: from_micros(i64_col(r, "started_at")?),
        window_ends_at: from_micros(i64_col(r, "window_ends_at")?),
        confirmed_at: opt_i64_col(r, "confirmed_at")?.map(from_micros),
        completed_at: opt_i64_col(r, "completed_at")?.map(from_micros),
    })
}

const SELECT: &str = "SELECT agency_id, started_at, window_ends_at, confirmed_at, completed_at \
                      FROM agency_offboarding WHERE agency_id = $1";

impl OffboardingStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    pub async fn get(&self, agency: AgencyId) -> anyhow::Result<Option<Offboarding>> {
        let row = sqlx::query(SELECT)
            .bind(agency.0)
            .fetch_optional(self.db.pool())
            .await
            .context("reading an offboarding")?;
        row.as_ref().map(from_row).transpose()
    }

    /// Opens the transfer window; starting again returns the one already open.
    pub async fn start(
        &self,
        agency: AgencyId,
        now: OffsetDateTime,
    ) -> anyhow::Result<Offboarding> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "INSERT INTO agency_offboarding (agency_id, started_at, window_ends_at) \
             VALUES ($1, $2, $3) ON CONFLICT (agency_id) DO NOTHING",
        )
        .bind(agency.0)
        .bind(to_micros(now))
        .bind(to_micros(now + TRANSFER_WINDOW))
        .execute(&mut *tx.tx)
        .await
        .context("starting an offboarding")?;
        let row = sqlx::query(SELECT)
            .bind(agency.0)
            .fetch_one(&mut *tx.tx)
            .await
            .context("reading an offboarding")?;
        tx.commit().await?;
        from_row(&row)
    }

    /// Records the agency's confirmation that it has its data; `None` when
    /// no offboarding is open.
    pub async fn confirm(
        &self,
        agency: AgencyId,
        now: OffsetDateTime,
    ) -> anyhow::Result<Option<Offboarding>> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "UPDATE agency_offboarding SET confirmed_at = $2 \
             WHERE agency_id = $1 AND confirmed_at IS NULL AND completed_at IS NULL",
        )
        .bind(agency.0)
        .bind(to_micros(now))
        .execute(&mut *tx.tx)
        .await
        .context("confirming a transfer")?;
        let row = sqlx::query(SELECT)
            .bind(agency.0)
            .fetch_optional(&mut *tx.tx)
            .await
            .context("reading an offboarding")?;
        tx.commit().await?;
        row.as_ref().map(from_row).transpose()
    }

    /// What destroying the agency would remove, counted now.
    pub async fn inventory(&self, agency: AgencyId) -> anyhow::Result<Inventory> {
        let log = TenantScope::Agency(agency).log_id();
        let mut rows = Vec::with_capacity(AGENCY_ROWS.len());
        for r in AGENCY_ROWS {
            let q = sqlx::query(r.count);
            let q = if r.by_log {
                q.bind(log.clone())
            } else {
                q.bind(agency.0)
            };
            let n = q
                .fetch_one(self.db.pool())
                .await
                .with_context(|| format!("counting {}", r.label))?
                .try_get::<i64, _>("n")?;
            rows.push((r.label, n));
        }
        let files = i64::try_from(scans(&self.db, agency).await?.len()).unwrap_or(i64::MAX);
        Ok(Inventory { rows, files })
    }

    /// Deletes every row of the agency in one transaction and marks the
    /// offboarding done. Returns what went and the scans the caller must
    /// take out of the blob store (no other agency's request names them).
    /// The caller has checked [`Offboarding::may_destroy`].
    pub async fn destroy(
        &self,
        agency: AgencyId,
        now: OffsetDateTime,
    ) -> anyhow::Result<(Inventory, Vec<BlobId>)> {
        let log = TenantScope::Agency(agency).log_id();
        let blobs = scans(&self.db, agency).await?;
        let mut tx = self.db.begin_write().await?;
        // Other nodes' alert indexes drop the entries at their next batch.
        let version = bump_version(&mut tx).await?;
        sqlx::query(
            "INSERT INTO alert_entry_removals (entry_id, version) \
             SELECT id, $2 FROM alert_entries WHERE agency_id = $1 \
             ON CONFLICT (entry_id) DO UPDATE SET version = excluded.version",
        )
        .bind(agency.0)
        .bind(version)
        .execute(&mut *tx.tx)
        .await
        .context("recording the agency's alert entries as removed")?;
        sqlx::query("INSERT INTO audit_log_destructions (log_id, at) VALUES ($1, $2)")
            .bind(log.clone())
            .bind(to_micros(now))
            .execute(&mut *tx.tx)
            .await
            .context("recording the audit log's destruction")?;
        let mut rows = Vec::with_capacity(AGENCY_ROWS.len());
        for r in AGENCY_ROWS {
            let q = sqlx::query(r.delete);
            let q = if r.by_log {
                q.bind(log.clone())
            } else {
                q.bind(agency.0)
            };
            let done = q
                .execute(&mut *tx.tx)
                .await
                .with_context(|| format!("deleting {}", r.label))?;
            rows.push((
                r.label,
                i64::try_from(done.rows_affected()).unwrap_or(i64::MAX),
            ));
        }
        let marked = sqlx::query(
            "UPDATE agency_offboarding SET completed_at = $2 \
             WHERE agency_id = $1 AND completed_at IS NULL",
        )
        .bind(agency.0)
        .bind(to_micros(now))
        .execute(&mut *tx.tx)
        .await
        .context("marking the offboarding done")?;
        anyhow::ensure!(
            marked.rows_affected() == 1,
            "agency {agency} has no open offboarding"
        );
        let shared = still_referenced(&mut tx, &blobs).await?;
        tx.commit().await?;
        let files: Vec<BlobId> = blobs.into_iter().filter(|b| !shared.contains(b)).collect();
        Ok((
            Inventory {
                rows,
                files: i64::try_from(files.len()).unwrap_or(i64::MAX),
            },
            files,
        ))
    }

    /// Rewrites the embedded database so that no freed page, and no page in
    /// the write-ahead log, still holds a deleted row. PostgreSQL reclaims
    /// dead rows with its own VACUUM; nothing to do here for it.
    pub async fn compact(&self) -> anyhow::Result<()> {
        if self.db.backend() == Backend::Sqlite {
            sqlx::raw_sql("VACUUM")
                .execute(self.db.pool())
                .await
                .context("vacuuming the database")?;
            sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(self.db.pool())
                .await
                .context("checkpointing the write-ahead log")?;
        }
        Ok(())
    }
}

/// Why an agency was not destroyed.
#[derive(Debug, thiserror::Error)]
pub enum DestroyError {
    #[error("this agency's contract end has not been started")]
    NoOffboarding,
    #[error("this agency's data was already destroyed")]
    AlreadyDestroyed,
    #[error("the agency has until {0} to take its data, or can confirm it has it sooner")]
    WindowOpen(OffsetDateTime),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Destroys an agency whose offboarding allows it: the operator's log
/// records it first (agency id and counts only; if that fails, nothing is
/// destroyed), then the rows go, then the scans, then the freed pages.
/// Shared by the HTTP API and the CLI; the caller has had the agency's
/// name confirmed.
pub async fn destroy_agency(
    store: &crate::Store,
    agency: AgencyId,
    actor: sightline_audit::Actor,
    session: Option<&str>,
) -> Result<Inventory, DestroyError> {
    let offboarding = store.offboarding();
    let now = store.clock.now();
    let o = offboarding
        .get(agency)
        .await?
        .ok_or(DestroyError::NoOffboarding)?;
    if o.completed_at.is_some() {
        return Err(DestroyError::AlreadyDestroyed);
    }
    if !o.may_destroy(now) {
        return Err(DestroyError::WindowOpen(o.window_ends_at));
    }
    let planned = offboarding.inventory(agency).await?;
    let mut draft = sightline_audit::EntryDraft::new(
        TenantScope::Operator,
        actor,
        "agency.destroyed",
        sightline_audit::Outcome::Success,
    )
    .field("agency_id", agency.0)
    .field("rows", planned.total_rows())
    .field("files", planned.files)
    .field("confirmed_by_agency", o.confirmed_at.is_some());
    if let Some(s) = session {
        draft = draft.session(s);
    }
    store.ledger().append(draft).await.map_err(|e| e.0)?;
    let (done, scans) = offboarding.destroy(agency, now).await?;
    let blobs = store.blobs.clone();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        for b in &scans {
            blobs.remove(b)?;
        }
        Ok(())
    })
    .await
    .context("removing scans")??;
    offboarding.compact().await?;
    Ok(done)
}

/// The agency's access-request scans.
async fn scans(db: &Db, agency: AgencyId) -> anyhow::Result<Vec<BlobId>> {
    let rows = sqlx::query(
        "SELECT DISTINCT scan_blob FROM access_requests WHERE agency_id = $1 AND scan_blob IS NOT NULL",
    )
    .bind(agency.0)
    .fetch_all(db.pool())
    .await
    .context("listing access-request scans")?;
    rows.iter()
        .map(|r| {
            let s: String = r.try_get("scan_blob")?;
            BlobId::parse(&s).with_context(|| format!("stored blob id {s}"))
        })
        .collect()
}

/// Of `blobs`, those another agency's access request still names.
async fn still_referenced(tx: &mut WriteTx, blobs: &[BlobId]) -> anyhow::Result<Vec<BlobId>> {
    let mut shared = Vec::new();
    for b in blobs {
        let n = sqlx::query("SELECT count(*) AS n FROM access_requests WHERE scan_blob = $1")
            .bind(b.as_str().to_owned())
            .fetch_one(&mut *tx.tx)
            .await
            .context("checking a scan's other uses")?
            .try_get::<i64, _>("n")?;
        if n > 0 {
            shared.push(b.clone());
        }
    }
    Ok(shared)
}
