//! Jurisdiction collection policies (R1.3), seeded with the defaults of
//! `sightline_core::collection` and changeable by the operator.

use crate::db::Db;
use crate::row::{i64_col, str_col};
use anyhow::{Context as _, anyhow};
use sightline_core::Jurisdiction;
use sightline_core::collection::CollectionPolicy;

#[derive(Debug, Clone)]
pub struct PolicyStore {
    db: Db,
}

impl PolicyStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Inserts the default policy of every jurisdiction that has none yet.
    pub async fn seed_defaults(&self) -> anyhow::Result<()> {
        let mut tx = self.db.begin_write().await?;
        for p in CollectionPolicy::defaults() {
            sqlx::query(
                "INSERT INTO collection_policies (jurisdiction, collection_allowed, retention_secs) \
                 VALUES ($1, $2, $3) ON CONFLICT (jurisdiction) DO NOTHING",
            )
            .bind(p.jurisdiction.code())
            .bind(i64::from(p.collection_allowed))
            .bind(p.retention_secs)
            .execute(&mut *tx.tx)
            .await
            .context("seeding collection policies")?;
        }
        tx.commit().await
    }

    pub async fn all(&self) -> anyhow::Result<Vec<CollectionPolicy>> {
        let rows = sqlx::query(
            "SELECT jurisdiction, collection_allowed, retention_secs FROM collection_policies ORDER BY jurisdiction",
        )
        .fetch_all(self.db.pool())
        .await
        .context("reading collection policies")?;
        rows.iter()
            .map(|r| {
                Ok(CollectionPolicy {
                    jurisdiction: Jurisdiction::parse(&str_col(r, "jurisdiction")?)
                        .map_err(|e| anyhow!("{e}"))?,
                    collection_allowed: i64_col(r, "collection_allowed")? != 0,
                    retention_secs: i64_col(r, "retention_secs")?,
                })
            })
            .collect()
    }

    pub async fn get(&self, j: Jurisdiction) -> anyhow::Result<CollectionPolicy> {
        Ok(self
            .all()
            .await?
            .into_iter()
            .find(|p| p.jurisdiction == j)
            .unwrap_or_else(|| CollectionPolicy::default_for(j)))
    }

    pub async fn set(&self, p: &CollectionPolicy) -> anyhow::Result<()> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "INSERT INTO collection_policies (jurisdiction, collection_allowed, retention_secs) VALUES ($1, $2, $3) \
             ON CONFLICT (jurisdiction) DO UPDATE SET collection_allowed = excluded.collection_allowed, retention_secs = excluded.retention_secs",
        )
        .bind(p.jurisdiction.code())
        .bind(i64::from(p.collection_allowed))
        .bind(p.retention_secs)
        .execute(&mut *tx.tx)
        .await
        .context("setting collection policy")?;
        tx.commit().await
    }
}
