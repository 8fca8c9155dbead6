//! The read store: the hot path of ingest and lookup, behind its own trait so
//! that a specialised engine can replace the SQL one without touching the
//! rest (DESIGN.md, "Reads").

use crate::db::Db;
use crate::ledger::QueryReceipt;
use crate::row::{f64_col, i64_col, opt_str_col, str_col};
use anyhow::{Context as _, anyhow};
use sightline_core::clock::{from_micros, to_micros};
use sightline_core::collection::CollectionPolicy;
use sightline_core::read::{BlobId, NewRead, Read, ReadId};
use sightline_core::tenancy::SourceId;
use sightline_core::text::read_text::{PlaceText, SourceReadId};
use sightline_core::{GeoPoint, Jurisdiction, Plate};
use sqlx::any::AnyRow;
use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use time::OffsetDateTime;

pub type BoxFut<'a, T> = Pin<Box<dyn Future<Output = anyhow::Result<T>> + Send + 'a>>;

/// What became of one read offered to the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertOutcome {
    Inserted(ReadId),
    /// The source had already sent this read id; nothing was written.
    Duplicate(ReadId),
}

/// The most reads one query returns. Deterministic, so replay agrees.
pub const MAX_RESULTS: i64 = 5_000;

pub trait ReadStore: Send + Sync + Debug {
    /// Stores a batch atomically and durably; idempotent per
    /// (source, source read id).
    fn insert_batch<'a>(
        &'a self,
        reads: &'a [NewRead],
        now: OffsetDateTime,
    ) -> BoxFut<'a, Vec<InsertOutcome>>;

    /// The reads of exactly the receipt's plate and state, in its time frame,
    /// as of its watermark, oldest first.
    fn find<'a>(&'a self, receipt: &'a QueryReceipt) -> BoxFut<'a, Vec<Read>>;

    /// One read, if it belongs to the receipt's results.
    fn find_one<'a>(&'a self, receipt: &'a QueryReceipt, id: ReadId) -> BoxFut<'a, Option<Read>>;

    /// One read by id, whatever query it belongs to: for the operator's
    /// misread queue only, never for an agency.
    fn get(&self, id: ReadId) -> BoxFut<'_, Option<Read>>;

    /// Takes a confirmed misread out of the results of every query run from
    /// `at` on. `false` if it was already suppressed.
    fn suppress<'a>(&'a self, id: ReadId, reason: &'a str, at: OffsetDateTime) -> BoxFut<'a, bool>;

    /// Claims up to `limit` reads waiting to be matched against the alert
    /// lists (every inserted read waits, from its insert's transaction on)
    /// that no matcher holds, holding them until `until`; oldest first.
    /// Queued reads already purged are dropped from the queue.
    fn claim_unmatched(
        &self,
        limit: i64,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> BoxFut<'_, Vec<Read>>;

    /// Takes matched reads off the queue.
    fn matched<'a>(&'a self, ids: &'a [ReadId]) -> BoxFut<'a, ()>;

    /// How many reads wait to be matched.
    fn unmatched(&self) -> BoxFut<'_, i64>;

    /// The highest read id committed so far.
    fn watermark(&self) -> BoxFut<'_, i64>;

    /// Deletes reads kept longer than their collection policy allows.
    fn purge_expired<'a>(
        &'a self,
        policies: &'a [CollectionPolicy],
        now: OffsetDateTime,
    ) -> BoxFut<'a, u64>;

    fn count(&self) -> BoxFut<'_, i64>;

    /// Whether a source's read id is stored (crash-recovery checks).
    fn contains<'a>(&'a self, source: SourceId, source_read_id: &'a str) -> BoxFut<'a, bool>;

    /// The id of a source's read id, if stored (a resent read whose photos
    /// had to be fetched is reported as the duplicate it is).
    fn id_of<'a>(&'a self, source: SourceId, source_read_id: &'a str)
    -> BoxFut<'a, Option<ReadId>>;
}

/// The read store over SQL (SQLite file or PostgreSQL table).
#[derive(Debug, Clone)]
pub struct SqlReadStore {
    db: Db,
}

impl SqlReadStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

const READ_COLS: &str = "id, source_id, source_read_id, plate, jurisdiction, collected_in, captured_at, lat, lon, \
     nearest_address, nearest_intersection, vehicle_photo, plate_photo, ingested_at, vehicle";

fn parse<T, E: std::fmt::Display>(r: Result<T, E>, what: &str) -> anyhow::Result<T> {
    r.map_err(|e| anyhow!("stored {what} is invalid: {e}"))
}

fn read_from_row(r: &AnyRow) -> anyhow::Result<Read> {
    Ok(Read {
        id: ReadId(i64_col(r, "id")?),
        ingested_at: from_micros(i64_col(r, "ingested_at")?),
        read: NewRead {
            source_id: SourceId(i64_col(r, "source_id")?),
            source_read_id: parse(
                SourceReadId::parse(&str_col(r, "source_read_id")?),
                "read id",
            )?,
            collected_in: parse(
                Jurisdiction::parse(&str_col(r, "collected_in")?),
                "jurisdiction",
            )?,
            plate: parse(Plate::parse(&str_col(r, "plate")?), "plate")?,
            jurisdiction: parse(
                Jurisdiction::parse(&str_col(r, "jurisdiction")?),
                "jurisdiction",
            )?,
            captured_at: from_micros(i64_col(r, "captured_at")?),
            location: parse(
                GeoPoint::new(f64_col(r, "lat")?, f64_col(r, "lon")?),
                "location",
            )?,
            nearest_address: parse(PlaceText::parse(&str_col(r, "nearest_address")?), "address")?,
            nearest_intersection: parse(
                PlaceText::parse(&str_col(r, "nearest_intersection")?),
                "intersection",
            )?,
            vehicle_photo: parse(BlobId::parse(&str_col(r, "vehicle_photo")?), "photo")?,
            plate_photo: parse(BlobId::parse(&str_col(r, "plate_photo")?), "photo")?,
            vehicle: opt_str_col(r, "vehicle")?
                .map(|v| serde_json::from_str(&v))
                .transpose()
                .context("stored vehicle attributes are invalid")?,
        },
    })
}

fn vehicle_json(r: &NewRead) -> anyhow::Result<Option<String>> {
    r.vehicle
        .as_ref()
        .filter(|v| !v.is_empty())
        .map(serde_json::to_string)
        .transpose()
        .context("encoding vehicle attributes")
}

impl ReadStore for SqlReadStore {
    fn insert_batch<'a>(
        &'a self,
        reads: &'a [NewRead],
        now: OffsetDateTime,
    ) -> BoxFut<'a, Vec<InsertOutcome>> {
        Box::pin(async move {
            let mut out = Vec::with_capacity(reads.len());
            if reads.is_empty() {
                return Ok(out);
            }
            let mut tx = self.db.begin_write().await?;
            for r in reads {
                let inserted = sqlx::query(
                    "INSERT INTO reads (source_id, source_read_id, plate, jurisdiction, collected_in, captured_at, lat, lon, \
                     nearest_address, nearest_intersection, vehicle_photo, plate_photo, ingested_at, vehicle) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
                     ON CONFLICT (source_id, source_read_id) DO NOTHING RETURNING id",
                )
                .bind(r.source_id.0)
                .bind(r.source_read_id.as_str())
                .bind(r.plate.as_str())
                .bind(r.jurisdiction.code())
                .bind(r.collected_in.code())
                .bind(to_micros(r.captured_at))
                .bind(r.location.lat())
                .bind(r.location.lon())
                .bind(r.nearest_address.as_str())
                .bind(r.nearest_intersection.as_str())
                .bind(r.vehicle_photo.as_str())
                .bind(r.plate_photo.as_str())
                .bind(to_micros(now))
                .bind(vehicle_json(r)?)
                .fetch_optional(&mut *tx.tx)
                .await
                .context("inserting read")?;
                let outcome = match inserted {
                    Some(row) => {
                        let id = i64_col(&row, "id")?;
                        sqlx::query("INSERT INTO match_queue (read_id) VALUES ($1)")
                            .bind(id)
                            .execute(&mut *tx.tx)
                            .await
                            .context("queueing a read for matching")?;
                        InsertOutcome::Inserted(ReadId(id))
                    }
                    None => {
                        let row = sqlx::query(
                            "SELECT id FROM reads WHERE source_id = $1 AND source_read_id = $2",
                        )
                        .bind(r.source_id.0)
                        .bind(r.source_read_id.as_str())
                        .fetch_one(&mut *tx.tx)
                        .await
                        .context("finding duplicate read")?;
                        InsertOutcome::Duplicate(ReadId(i64_col(&row, "id")?))
                    }
                };
                out.push(outcome);
            }
            tx.commit().await?;
            Ok(out)
        })
    }

    fn find<'a>(&'a self, receipt: &'a QueryReceipt) -> BoxFut<'a, Vec<Read>> {
        Box::pin(async move {
            let tf = receipt.timeframe();
            let sql = format!(
                "SELECT {READ_COLS} FROM reads WHERE plate = $1 AND jurisdiction = $2 \
                 AND captured_at >= $3 AND captured_at < $4 AND id <= $5 \
                 AND NOT EXISTS (SELECT 1 FROM read_suppressions s WHERE s.read_id = reads.id AND s.suppressed_at < $7) \
                 ORDER BY captured_at, id LIMIT $6"
            );
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(receipt.plate().as_str())
                .bind(receipt.jurisdiction().code())
                .bind(to_micros(tf.start()))
                .bind(to_micros(tf.end()))
                .bind(receipt.watermark())
                .bind(MAX_RESULTS)
                .bind(to_micros(receipt.at()))
                .fetch_all(self.db.pool())
                .await
                .context("looking up reads")?;
            rows.iter().map(read_from_row).collect()
        })
    }

    fn find_one<'a>(&'a self, receipt: &'a QueryReceipt, id: ReadId) -> BoxFut<'a, Option<Read>> {
        Box::pin(async move {
            let tf = receipt.timeframe();
            let sql = format!(
                "SELECT {READ_COLS} FROM reads WHERE id = $1 AND plate = $2 AND jurisdiction = $3 \
                 AND captured_at >= $4 AND captured_at < $5 AND id <= $6 \
                 AND NOT EXISTS (SELECT 1 FROM read_suppressions s WHERE s.read_id = reads.id AND s.suppressed_at < $7)"
            );
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id.0)
                .bind(receipt.plate().as_str())
                .bind(receipt.jurisdiction().code())
                .bind(to_micros(tf.start()))
                .bind(to_micros(tf.end()))
                .bind(receipt.watermark())
                .bind(to_micros(receipt.at()))
                .fetch_optional(self.db.pool())
                .await
                .context("reading one read")?;
            row.as_ref().map(read_from_row).transpose()
        })
    }

    fn get(&self, id: ReadId) -> BoxFut<'_, Option<Read>> {
        Box::pin(async move {
            let sql = format!("SELECT {READ_COLS} FROM reads WHERE id = $1");
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id.0)
                .fetch_optional(self.db.pool())
                .await
                .context("reading a read")?;
            row.as_ref().map(read_from_row).transpose()
        })
    }

    fn suppress<'a>(&'a self, id: ReadId, reason: &'a str, at: OffsetDateTime) -> BoxFut<'a, bool> {
        Box::pin(async move {
            let mut tx = self.db.begin_write().await?;
            let done = sqlx::query(
                "INSERT INTO read_suppressions (read_id, suppressed_at, reason) VALUES ($1, $2, $3) \
                 ON CONFLICT (read_id) DO NOTHING",
            )
            .bind(id.0)
            .bind(to_micros(at))
            .bind(reason)
            .execute(&mut *tx.tx)
            .await
            .context("suppressing a read")?;
            tx.commit().await?;
            Ok(done.rows_affected() == 1)
        })
    }

    fn claim_unmatched(
        &self,
        limit: i64,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> BoxFut<'_, Vec<Read>> {
        Box::pin(async move {
            let mut tx = self.db.begin_write().await?;
            let claimed = sqlx::query(
                "UPDATE match_queue SET claimed_until = $1 WHERE read_id IN \
                 (SELECT read_id FROM match_queue WHERE claimed_until <= $2 ORDER BY read_id LIMIT $3) \
                 RETURNING read_id",
            )
            .bind(to_micros(until))
            .bind(to_micros(now))
            .bind(limit)
            .fetch_all(&mut *tx.tx)
            .await
            .context("claiming reads to match")?;
            let mut reads = Vec::with_capacity(claimed.len());
            for row in &claimed {
                let id = i64_col(row, "read_id")?;
                let sql = format!("SELECT {READ_COLS} FROM reads WHERE id = $1");
                let read = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(id)
                    .fetch_optional(&mut *tx.tx)
                    .await
                    .context("reading a read to match")?;
                match read {
                    Some(r) => reads.push(read_from_row(&r)?),
                    None => {
                        sqlx::query("DELETE FROM match_queue WHERE read_id = $1")
                            .bind(id)
                            .execute(&mut *tx.tx)
                            .await
                            .context("dropping a purged read from the match queue")?;
                    }
                }
            }
            tx.commit().await?;
            reads.sort_by_key(|r| r.id.0);
            Ok(reads)
        })
    }

    fn matched<'a>(&'a self, ids: &'a [ReadId]) -> BoxFut<'a, ()> {
        Box::pin(async move {
            if ids.is_empty() {
                return Ok(());
            }
            let mut tx = self.db.begin_write().await?;
            for id in ids {
                sqlx::query("DELETE FROM match_queue WHERE read_id = $1")
                    .bind(id.0)
                    .execute(&mut *tx.tx)
                    .await
                    .context("taking a matched read off the queue")?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    fn unmatched(&self) -> BoxFut<'_, i64> {
        Box::pin(async move {
            let row = sqlx::query("SELECT COUNT(*) AS n FROM match_queue")
                .fetch_one(self.db.pool())
                .await
                .context("counting reads to match")?;
            i64_col(&row, "n")
        })
    }

    fn watermark(&self) -> BoxFut<'_, i64> {
        Box::pin(async move {
            let row = sqlx::query("SELECT COALESCE(MAX(id), 0) AS w FROM reads")
                .fetch_one(self.db.pool())
                .await
                .context("reading watermark")?;
            i64_col(&row, "w")
        })
    }

    fn purge_expired<'a>(
        &'a self,
        policies: &'a [CollectionPolicy],
        now: OffsetDateTime,
    ) -> BoxFut<'a, u64> {
        Box::pin(async move {
            let mut purged = 0;
            let mut tx = self.db.begin_write().await?;
            for p in policies {
                let cutoff = if p.collection_allowed {
                    to_micros(now - p.retention())
                } else {
                    i64::MAX
                };
                let done =
                    sqlx::query("DELETE FROM reads WHERE collected_in = $1 AND captured_at < $2")
                        .bind(p.jurisdiction.code())
                        .bind(cutoff)
                        .execute(&mut *tx.tx)
                        .await
                        .context("purging expired reads")?;
                purged += done.rows_affected();
            }
            tx.commit().await?;
            Ok(purged)
        })
    }

    fn count(&self) -> BoxFut<'_, i64> {
        Box::pin(async move {
            let row = sqlx::query("SELECT COUNT(*) AS n FROM reads")
                .fetch_one(self.db.pool())
                .await
                .context("counting reads")?;
            i64_col(&row, "n")
        })
    }

    fn contains<'a>(&'a self, source: SourceId, source_read_id: &'a str) -> BoxFut<'a, bool> {
        Box::pin(async move {
            let row = sqlx::query(
                "SELECT COUNT(*) AS n FROM reads WHERE source_id = $1 AND source_read_id = $2",
            )
            .bind(source.0)
            .bind(source_read_id)
            .fetch_one(self.db.pool())
            .await
            .context("checking for read")?;
            Ok(i64_col(&row, "n")? > 0)
        })
    }

    fn id_of<'a>(
        &'a self,
        source: SourceId,
        source_read_id: &'a str,
    ) -> BoxFut<'a, Option<ReadId>> {
        Box::pin(async move {
            let row =
                sqlx::query("SELECT id FROM reads WHERE source_id = $1 AND source_read_id = $2")
                    .bind(source.0)
                    .bind(source_read_id)
                    .fetch_optional(self.db.pool())
                    .await
                    .context("finding a read id")?;
            row.map(|r| i64_col(&r, "id").map(ReadId)).transpose()
        })
    }
}
