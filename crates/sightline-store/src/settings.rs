//! A small key-value table for deployment facts (e.g. when demo data was made).

use crate::db::Db;
use crate::row::str_col;
use anyhow::Context as _;

#[derive(Debug, Clone)]
pub struct SettingsStore {
    db: Db,
}

impl SettingsStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    pub async fn get(&self, key: &str) -> anyhow::Result<Option<String>> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(self.db.pool())
            .await
            .context("reading setting")?;
        row.map(|r| str_col(&r, "value")).transpose()
    }

    pub async fn put(&self, key: &str, value: &str) -> anyhow::Result<()> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&mut *tx.tx)
        .await
        .context("writing setting")?;
        tx.commit().await
    }
}
