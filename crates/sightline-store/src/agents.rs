//! OpenALPR / Rekor agents: the image service the operator registered for a
//! source, the reads waiting for their photos from it (`pending_photos`),
//! and the agents' heartbeats (`source_health`).
//!
//! A pending read is not in the read store: no query and no alert list can
//! see it. It becomes a read through the ordinary read insert (idempotent
//! per source and read id), and its row is deleted afterwards, so a crash
//! between the two only makes the next attempt find a duplicate.

use crate::db::{Backend, Db};
use crate::keyring::Purpose;
use crate::row::{i64_col, opt_i64_col, opt_str_col, str_col};
use anyhow::{Context as _, anyhow};
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};
use sightline_core::agent::{AgentBaseUrl, AgentUuid, CropBox};
use sightline_core::clock::{from_micros, to_micros};
use sightline_core::read::{BlobId, NewRead, VehicleAttributes};
use sightline_core::tenancy::SourceId;
use sightline_core::text::read_text::{PlaceText, SourceReadId};
use sightline_core::{GeoPoint, Jurisdiction, Plate};
use std::collections::HashMap;
use time::{Duration, OffsetDateTime};

/// A source's agent image service, as the operator registered it.
#[derive(Debug, Clone)]
pub struct AgentService {
    pub base_url: AgentBaseUrl,
    /// HTTP Basic credentials the agent's web service asks for, if any.
    pub username: Option<String>,
    pub password: Option<SecretString>,
}

/// What to ask the agent for: the capture's full frame, or a crop of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentFetch {
    pub uuid: AgentUuid,
    /// `None`: the full frame (`/img/{uuid}.jpg`).
    pub crop: Option<CropBox>,
}

/// Everything of a read but the photos still to fetch. Serialized into
/// `pending_photos.body`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingBody {
    pub collected_in: Jurisdiction,
    pub plate: Plate,
    pub jurisdiction: Jurisdiction,
    #[serde(with = "time::serde::rfc3339")]
    pub captured_at: OffsetDateTime,
    pub location: GeoPoint,
    pub nearest_address: PlaceText,
    pub nearest_intersection: PlaceText,
    #[serde(default)]
    pub vehicle: Option<VehicleAttributes>,
    /// The vehicle photo to fetch, when the record carried none.
    pub vehicle_fetch: Option<AgentFetch>,
    /// The plate crop to fetch, when the record carried none.
    pub plate_fetch: Option<AgentFetch>,
}

/// A read waiting for its photos.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingRead {
    pub id: i64,
    pub source_id: SourceId,
    pub source_read_id: SourceReadId,
    pub body: PendingBody,
    /// Photos already stored (carried inline, or fetched by an earlier try).
    pub vehicle_photo: Option<BlobId>,
    pub plate_photo: Option<BlobId>,
    /// Failed fetch attempts so far.
    pub attempts: i64,
    pub created_at: OffsetDateTime,
}

impl PendingRead {
    /// The read, once both photos are stored.
    pub fn to_read(&self) -> Option<NewRead> {
        let b = &self.body;
        Some(NewRead {
            source_id: self.source_id,
            source_read_id: self.source_read_id.clone(),
            collected_in: b.collected_in,
            plate: b.plate.clone(),
            jurisdiction: b.jurisdiction,
            captured_at: b.captured_at,
            location: b.location,
            nearest_address: b.nearest_address.clone(),
            nearest_intersection: b.nearest_intersection.clone(),
            vehicle_photo: self.vehicle_photo.clone()?,
            plate_photo: self.plate_photo.clone()?,
            vehicle: b.vehicle.clone(),
        })
    }
}

/// Which of a pending read's photos.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoSlot {
    Vehicle,
    Plate,
}

/// One camera stream in a heartbeat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamState {
    pub camera_id: String,
    pub camera_name: Option<String>,
    pub is_streaming: bool,
    pub fps: Option<f64>,
}

/// A source's last heartbeat.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceHealth {
    pub source_id: SourceId,
    pub agent_uid: Option<String>,
    pub hostname: Option<String>,
    /// Sightline's time of receipt.
    pub last_seen_at: OffsetDateTime,
    pub streams: Vec<StreamState>,
    /// Set when the silence was noticed; cleared by the next heartbeat.
    pub silent_since: Option<OffsetDateTime>,
}

#[derive(Debug, Clone)]
pub struct AgentStore {
    db: Db,
}

fn pending_from_row(r: &sqlx::any::AnyRow) -> anyhow::Result<PendingRead> {
    let blob = |col: &str| -> anyhow::Result<Option<BlobId>> {
        opt_str_col(r, col)?
            .map(|s| BlobId::parse(&s).map_err(|e| anyhow!("stored {col}: {e}")))
            .transpose()
    };
    Ok(PendingRead {
        id: i64_col(r, "id")?,
        source_id: SourceId(i64_col(r, "source_id")?),
        source_read_id: SourceReadId::parse(&str_col(r, "source_read_id")?)
            .map_err(|e| anyhow!("stored read id: {e}"))?,
        body: serde_json::from_str(&str_col(r, "body")?).context("a pending read's body")?,
        vehicle_photo: blob("vehicle_photo")?,
        plate_photo: blob("plate_photo")?,
        attempts: i64_col(r, "attempts")?,
        created_at: from_micros(i64_col(r, "created_at")?),
    })
}

const PENDING_COLS: &str =
    "id, source_id, source_read_id, body, vehicle_photo, plate_photo, attempts, created_at";

impl AgentStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Registers (or replaces) a source's agent image service.
    pub async fn set_service(
        &self,
        source: SourceId,
        service: &AgentService,
        now: OffsetDateTime,
    ) -> anyhow::Result<()> {
        let password = service
            .password
            .as_ref()
            .map(|p| {
                self.db.keyring()?.seal(
                    Purpose::AgentCredential,
                    &agent_context(source),
                    p.expose_secret().as_bytes(),
                )
            })
            .transpose()?;
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "INSERT INTO source_agents (source_id, base_url, username, password, updated_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (source_id) DO UPDATE SET \
             base_url = excluded.base_url, username = excluded.username, \
             password = excluded.password, updated_at = excluded.updated_at",
        )
        .bind(source.0)
        .bind(service.base_url.to_string())
        .bind(service.username.as_deref())
        .bind(password)
        .bind(to_micros(now))
        .execute(&mut *tx.tx)
        .await
        .context("saving an agent image service")?;
        tx.commit().await
    }

    /// Removes a source's agent image service; true if there was one.
    pub async fn remove_service(&self, source: SourceId) -> anyhow::Result<bool> {
        let mut tx = self.db.begin_write().await?;
        let done = sqlx::query("DELETE FROM source_agents WHERE source_id = $1")
            .bind(source.0)
            .execute(&mut *tx.tx)
            .await
            .context("removing an agent image service")?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn service(&self, source: SourceId) -> anyhow::Result<Option<AgentService>> {
        let row = sqlx::query(
            "SELECT base_url, username, password FROM source_agents WHERE source_id = $1",
        )
        .bind(source.0)
        .fetch_optional(self.db.pool())
        .await
        .context("reading an agent image service")?;
        row.map(|r| {
            Ok(AgentService {
                base_url: AgentBaseUrl::parse(&str_col(&r, "base_url")?)
                    .map_err(|e| anyhow!("stored agent URL: {e}"))?,
                username: opt_str_col(&r, "username")?,
                password: opt_str_col(&r, "password")?
                    .map(|p| {
                        self.db.keyring()?.open_text(
                            Purpose::AgentCredential,
                            &agent_context(source),
                            &p,
                        )
                    })
                    .transpose()?
                    .map(SecretString::from),
            })
        })
        .transpose()
    }

    /// Records a pending read, first due for the worker at `due_at` (after
    /// the caller's own first try). Idempotent per source and read id: a
    /// resent record returns the existing row's id and `false`.
    pub async fn enqueue(
        &self,
        source: SourceId,
        source_read_id: &SourceReadId,
        body: &PendingBody,
        photos: (Option<&BlobId>, Option<&BlobId>),
        now: OffsetDateTime,
        due_at: OffsetDateTime,
    ) -> anyhow::Result<(i64, bool)> {
        let mut tx = self.db.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO pending_photos (source_id, source_read_id, body, vehicle_photo, plate_photo, \
             attempts, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, 0, $7, $6) \
             ON CONFLICT (source_id, source_read_id) DO NOTHING RETURNING id",
        )
        .bind(source.0)
        .bind(source_read_id.as_str())
        .bind(serde_json::to_string(body).context("encoding a pending read")?)
        .bind(photos.0.map(BlobId::as_str))
        .bind(photos.1.map(BlobId::as_str))
        .bind(to_micros(now))
        .bind(to_micros(due_at))
        .fetch_optional(&mut *tx.tx)
        .await
        .context("recording a pending read")?;
        let out = match inserted {
            Some(r) => (i64_col(&r, "id")?, true),
            None => {
                let r = sqlx::query(
                    "SELECT id FROM pending_photos WHERE source_id = $1 AND source_read_id = $2",
                )
                .bind(source.0)
                .bind(source_read_id.as_str())
                .fetch_one(&mut *tx.tx)
                .await
                .context("finding a pending read")?;
                (i64_col(&r, "id")?, false)
            }
        };
        tx.commit().await?;
        Ok(out)
    }

    /// One pending read by id.
    pub async fn get(&self, id: i64) -> anyhow::Result<Option<PendingRead>> {
        let sql = format!("SELECT {PENDING_COLS} FROM pending_photos WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.db.pool())
            .await
            .context("reading a pending read")?;
        row.as_ref().map(pending_from_row).transpose()
    }

    /// Claims up to `limit` pending reads due at `now`, leasing each for
    /// `lease` so another node's worker leaves it alone meanwhile.
    pub async fn claim_due(
        &self,
        now: OffsetDateTime,
        lease: Duration,
        limit: i64,
    ) -> anyhow::Result<Vec<PendingRead>> {
        let lock = match self.db.backend() {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE pending_photos SET next_attempt_at = $2 WHERE id IN (\
               SELECT id FROM pending_photos WHERE next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $3{lock}) \
             AND next_attempt_at <= $1 RETURNING {PENDING_COLS}"
        );
        let mut tx = self.db.begin_write().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(to_micros(now))
            .bind(to_micros(now + lease))
            .bind(limit)
            .fetch_all(&mut *tx.tx)
            .await
            .context("claiming pending reads")?;
        tx.commit().await?;
        let mut out = rows
            .iter()
            .map(pending_from_row)
            .collect::<anyhow::Result<Vec<_>>>()?;
        out.sort_by_key(|p| p.id);
        Ok(out)
    }

    /// Records a photo fetched for a pending read.
    pub async fn save_photo(&self, id: i64, slot: PhotoSlot, blob: &BlobId) -> anyhow::Result<()> {
        let sql = match slot {
            PhotoSlot::Vehicle => "UPDATE pending_photos SET vehicle_photo = $1 WHERE id = $2",
            PhotoSlot::Plate => "UPDATE pending_photos SET plate_photo = $1 WHERE id = $2",
        };
        let mut tx = self.db.begin_write().await?;
        sqlx::query(sql)
            .bind(blob.as_str())
            .bind(id)
            .execute(&mut *tx.tx)
            .await
            .context("saving a fetched photo")?;
        tx.commit().await
    }

    /// Records a failed attempt; the next one is due at `next_at`.
    pub async fn failed(
        &self,
        id: i64,
        error: &str,
        next_at: OffsetDateTime,
    ) -> anyhow::Result<i64> {
        let mut tx = self.db.begin_write().await?;
        let row = sqlx::query(
            "UPDATE pending_photos SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 \
             WHERE id = $3 RETURNING attempts",
        )
        .bind(error)
        .bind(to_micros(next_at))
        .bind(id)
        .fetch_optional(&mut *tx.tx)
        .await
        .context("recording a failed photo fetch")?;
        tx.commit().await?;
        row.map_or(Ok(0), |r| i64_col(&r, "attempts"))
    }

    /// Deletes a pending read (stored as a read, or refused); true if it was
    /// still there.
    pub async fn remove(&self, id: i64) -> anyhow::Result<bool> {
        let mut tx = self.db.begin_write().await?;
        let done = sqlx::query("DELETE FROM pending_photos WHERE id = $1")
            .bind(id)
            .execute(&mut *tx.tx)
            .await
            .context("removing a pending read")?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    /// How many reads wait for photos, per source.
    pub async fn pending_counts(&self) -> anyhow::Result<HashMap<SourceId, i64>> {
        let rows =
            sqlx::query("SELECT source_id, COUNT(*) AS n FROM pending_photos GROUP BY source_id")
                .fetch_all(self.db.pool())
                .await
                .context("counting pending reads")?;
        rows.iter()
            .map(|r| Ok((SourceId(i64_col(r, "source_id")?), i64_col(r, "n")?)))
            .collect()
    }

    /// Records a heartbeat. Returns when the source had been noticed silent,
    /// if it had (the notice is now over).
    pub async fn record_heartbeat(
        &self,
        source: SourceId,
        agent_uid: Option<&str>,
        hostname: Option<&str>,
        streams: &[StreamState],
        now: OffsetDateTime,
    ) -> anyhow::Result<Option<OffsetDateTime>> {
        let mut tx = self.db.begin_write().await?;
        let before = sqlx::query("SELECT silent_since FROM source_health WHERE source_id = $1")
            .bind(source.0)
            .fetch_optional(&mut *tx.tx)
            .await
            .context("reading source health")?;
        let was_silent = match before {
            Some(r) => opt_i64_col(&r, "silent_since")?.map(from_micros),
            None => None,
        };
        sqlx::query(
            "INSERT INTO source_health (source_id, agent_uid, hostname, last_seen_at, streams, silent_since) \
             VALUES ($1, $2, $3, $4, $5, NULL) ON CONFLICT (source_id) DO UPDATE SET \
             agent_uid = excluded.agent_uid, hostname = excluded.hostname, \
             last_seen_at = excluded.last_seen_at, streams = excluded.streams, silent_since = NULL",
        )
        .bind(source.0)
        .bind(agent_uid)
        .bind(hostname)
        .bind(to_micros(now))
        .bind(serde_json::to_string(streams).context("encoding streams")?)
        .execute(&mut *tx.tx)
        .await
        .context("recording a heartbeat")?;
        tx.commit().await?;
        Ok(was_silent)
    }

    fn health_from_row(r: &sqlx::any::AnyRow) -> anyhow::Result<SourceHealth> {
        Ok(SourceHealth {
            source_id: SourceId(i64_col(r, "source_id")?),
            agent_uid: opt_str_col(r, "agent_uid")?,
            hostname: opt_str_col(r, "hostname")?,
            last_seen_at: from_micros(i64_col(r, "last_seen_at")?),
            streams: serde_json::from_str(&str_col(r, "streams")?).context("stored streams")?,
            silent_since: opt_i64_col(r, "silent_since")?.map(from_micros),
        })
    }

    /// Every source's last heartbeat.
    pub async fn health(&self) -> anyhow::Result<HashMap<SourceId, SourceHealth>> {
        let rows = sqlx::query(
            "SELECT source_id, agent_uid, hostname, last_seen_at, streams, silent_since FROM source_health",
        )
        .fetch_all(self.db.pool())
        .await
        .context("reading source health")?;
        rows.iter()
            .map(|r| Self::health_from_row(r).map(|h| (h.source_id, h)))
            .collect()
    }

    /// Marks every source last heard from before `cutoff`, and not yet
    /// noticed, as silent since `now`. Returns them, for the notice.
    pub async fn mark_silent(
        &self,
        cutoff: OffsetDateTime,
        now: OffsetDateTime,
    ) -> anyhow::Result<Vec<SourceHealth>> {
        let mut tx = self.db.begin_write().await?;
        let rows = sqlx::query(
            "UPDATE source_health SET silent_since = $2 WHERE last_seen_at < $1 AND silent_since IS NULL \
             RETURNING source_id, agent_uid, hostname, last_seen_at, streams, silent_since",
        )
        .bind(to_micros(cutoff))
        .bind(to_micros(now))
        .fetch_all(&mut *tx.tx)
        .await
        .context("noticing silent sources")?;
        tx.commit().await?;
        rows.iter().map(Self::health_from_row).collect()
    }
}

/// The associated data a source's agent password is sealed with.
pub(crate) fn agent_context(source: SourceId) -> String {
    format!("source:{}", source.0)
}
