//! Which agencies publish their aggregates on the public transparency page.

use crate::db::Db;
use crate::row::{i64_col, str_col};
use anyhow::Context as _;
use sightline_core::AgencyId;

#[derive(Debug, Clone)]
pub struct TransparencyStore {
    db: Db,
}

impl TransparencyStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Whether `agency` publishes; `None` for an unknown agency.
    pub async fn published(&self, agency: AgencyId) -> anyhow::Result<Option<bool>> {
        let row = sqlx::query("SELECT transparency_published FROM agencies WHERE id = $1")
            .bind(agency.0)
            .fetch_optional(self.db.pool())
            .await
            .context("reading an agency's transparency choice")?;
        row.map(|r| i64_col(&r, "transparency_published").map(|v| v != 0))
            .transpose()
    }

    pub async fn set(&self, agency: AgencyId, published: bool) -> anyhow::Result<()> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query("UPDATE agencies SET transparency_published = $2 WHERE id = $1")
            .bind(agency.0)
            .bind(i64::from(published))
            .execute(&mut *tx.tx)
            .await
            .context("setting an agency's transparency choice")?;
        tx.commit().await
    }

    /// The publishing agencies, by name.
    pub async fn published_agencies(&self) -> anyhow::Result<Vec<(AgencyId, String)>> {
        let rows = sqlx::query(
            "SELECT id, name FROM agencies WHERE transparency_published = 1 ORDER BY name",
        )
        .fetch_all(self.db.pool())
        .await
        .context("listing publishing agencies")?;
        rows.iter()
            .map(|r| Ok((AgencyId(i64_col(r, "id")?), str_col(r, "name")?)))
            .collect()
    }
}
