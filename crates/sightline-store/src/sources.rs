//! Data sources (R1.1), their ingest-only API keys, and the fixed cameras
//! whose position fills in reads that arrive without one (OpenALPR agents).

use crate::credentials::{new_secret_token, sha256_hex};
use crate::db::Db;
use crate::row::{f64_col, i64_col, str_col};
use anyhow::{Context as _, anyhow};
use secrecy::{ExposeSecret as _, SecretString};
use sightline_core::clock::to_micros;
use sightline_core::tenancy::SourceId;
use sightline_core::{GeoPoint, Jurisdiction, SourceKind};
use sqlx::any::AnyRow;
use std::collections::HashMap;
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq)]
pub struct SourceRecord {
    pub id: SourceId,
    pub name: String,
    pub kind: SourceKind,
    /// Where the source collects; its collection policy applies.
    pub jurisdiction: Jurisdiction,
    /// A place description, e.g. "Delaware".
    pub place: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Camera {
    pub camera_id: String,
    pub location: GeoPoint,
    pub nearest_address: String,
    pub nearest_intersection: String,
}

#[derive(Debug, Clone)]
pub struct SourceStore {
    db: Db,
}

fn source_from_row(r: &AnyRow) -> anyhow::Result<SourceRecord> {
    Ok(SourceRecord {
        id: SourceId(i64_col(r, "id")?),
        name: str_col(r, "name")?,
        kind: SourceKind::parse(&str_col(r, "kind")?).map_err(|e| anyhow!("{e}"))?,
        jurisdiction: Jurisdiction::parse(&str_col(r, "jurisdiction")?)
            .map_err(|e| anyhow!("{e}"))?,
        place: str_col(r, "place")?,
    })
}

impl SourceStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    pub async fn create(
        &self,
        name: &str,
        kind: SourceKind,
        jurisdiction: Jurisdiction,
        place: &str,
        now: OffsetDateTime,
    ) -> anyhow::Result<SourceId> {
        let mut tx = self.db.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO sources (name, kind, jurisdiction, place, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(name)
        .bind(kind.as_str())
        .bind(jurisdiction.code())
        .bind(place)
        .bind(to_micros(now))
        .fetch_one(&mut *tx.tx)
        .await
        .with_context(|| format!("creating source {name}"))?;
        let id = i64_col(&row, "id")?;
        tx.commit().await?;
        Ok(SourceId(id))
    }

    pub async fn all(&self) -> anyhow::Result<Vec<SourceRecord>> {
        let rows =
            sqlx::query("SELECT id, name, kind, jurisdiction, place FROM sources ORDER BY id")
                .fetch_all(self.db.pool())
                .await
                .context("listing sources")?;
        rows.iter().map(source_from_row).collect()
    }

    pub async fn by_ids(&self) -> anyhow::Result<HashMap<SourceId, SourceRecord>> {
        Ok(self.all().await?.into_iter().map(|s| (s.id, s)).collect())
    }

    pub async fn get(&self, id: SourceId) -> anyhow::Result<Option<SourceRecord>> {
        let row =
            sqlx::query("SELECT id, name, kind, jurisdiction, place FROM sources WHERE id = $1")
                .bind(id.0)
                .fetch_optional(self.db.pool())
                .await
                .context("reading source")?;
        row.as_ref().map(source_from_row).transpose()
    }

    /// Issues a new ingest key for `source`. The key is shown once.
    pub async fn issue_key(
        &self,
        source: SourceId,
        now: OffsetDateTime,
    ) -> anyhow::Result<SecretString> {
        let key = new_secret_token("sk_")?;
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "INSERT INTO source_keys (source_id, key_hash, created_at) VALUES ($1, $2, $3)",
        )
        .bind(source.0)
        .bind(sha256_hex(key.expose_secret().as_bytes()))
        .bind(to_micros(now))
        .execute(&mut *tx.tx)
        .await
        .context("issuing source key")?;
        tx.commit().await?;
        Ok(key)
    }

    /// Issues a new key and revokes every earlier one, atomically.
    pub async fn rotate_key(
        &self,
        source: SourceId,
        now: OffsetDateTime,
    ) -> anyhow::Result<SecretString> {
        let key = new_secret_token("sk_")?;
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "UPDATE source_keys SET revoked_at = $1 WHERE source_id = $2 AND revoked_at IS NULL",
        )
        .bind(to_micros(now))
        .bind(source.0)
        .execute(&mut *tx.tx)
        .await
        .context("revoking old source keys")?;
        sqlx::query(
            "INSERT INTO source_keys (source_id, key_hash, created_at) VALUES ($1, $2, $3)",
        )
        .bind(source.0)
        .bind(sha256_hex(key.expose_secret().as_bytes()))
        .bind(to_micros(now))
        .execute(&mut *tx.tx)
        .await
        .context("issuing source key")?;
        tx.commit().await?;
        Ok(key)
    }

    /// Revokes every key of `source`.
    pub async fn revoke_keys(&self, source: SourceId, now: OffsetDateTime) -> anyhow::Result<u64> {
        let mut tx = self.db.begin_write().await?;
        let done = sqlx::query(
            "UPDATE source_keys SET revoked_at = $1 WHERE source_id = $2 AND revoked_at IS NULL",
        )
        .bind(to_micros(now))
        .bind(source.0)
        .execute(&mut *tx.tx)
        .await
        .context("revoking source keys")?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    /// The source an unrevoked ingest key belongs to.
    pub async fn authenticate(&self, key: &SecretString) -> anyhow::Result<Option<SourceRecord>> {
        let row = sqlx::query(
            "SELECT s.id, s.name, s.kind, s.jurisdiction, s.place FROM source_keys k \
             JOIN sources s ON s.id = k.source_id WHERE k.key_hash = $1 AND k.revoked_at IS NULL",
        )
        .bind(sha256_hex(key.expose_secret().as_bytes()))
        .fetch_optional(self.db.pool())
        .await
        .context("checking source key")?;
        row.as_ref().map(source_from_row).transpose()
    }

    pub async fn put_camera(&self, source: SourceId, camera: &Camera) -> anyhow::Result<()> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "INSERT INTO cameras (source_id, camera_id, lat, lon, nearest_address, nearest_intersection) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (source_id, camera_id) DO UPDATE SET \
             lat = excluded.lat, lon = excluded.lon, nearest_address = excluded.nearest_address, \
             nearest_intersection = excluded.nearest_intersection",
        )
        .bind(source.0)
        .bind(camera.camera_id.as_str())
        .bind(camera.location.lat())
        .bind(camera.location.lon())
        .bind(camera.nearest_address.as_str())
        .bind(camera.nearest_intersection.as_str())
        .execute(&mut *tx.tx)
        .await
        .context("saving camera")?;
        tx.commit().await
    }

    pub async fn cameras(&self, source: SourceId) -> anyhow::Result<HashMap<String, Camera>> {
        let rows = sqlx::query(
            "SELECT camera_id, lat, lon, nearest_address, nearest_intersection FROM cameras WHERE source_id = $1",
        )
        .bind(source.0)
        .fetch_all(self.db.pool())
        .await
        .context("reading cameras")?;
        rows.iter()
            .map(|r| {
                let cam = Camera {
                    camera_id: str_col(r, "camera_id")?,
                    location: GeoPoint::new(f64_col(r, "lat")?, f64_col(r, "lon")?)
                        .map_err(|e| anyhow!("{e}"))?,
                    nearest_address: str_col(r, "nearest_address")?,
                    nearest_intersection: str_col(r, "nearest_intersection")?,
                };
                Ok((cam.camera_id.clone(), cam))
            })
            .collect()
    }
}
