//! The per-deployment secret behind the web app's on-device storage keys
//! (see `sightline_core::device_key`). 32 random bytes, made on first use
//! and kept in the database so every node derives the same keys.

use crate::db::Db;
use crate::row::str_col;
use anyhow::Context as _;
use sightline_core::clock::to_micros;
use time::OffsetDateTime;

#[derive(Debug, Clone)]
pub struct DeviceSecretStore {
    db: Db,
}

impl DeviceSecretStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// The deployment's secret, created now if there is none yet. Nodes that
    /// race here each offer their own bytes; the first insert wins and all
    /// read back the same row.
    pub async fn secret(&self, now: OffsetDateTime) -> anyhow::Result<[u8; 32]> {
        if let Some(s) = self.read().await? {
            return Ok(s);
        }
        let mut fresh = [0u8; 32];
        getrandom::fill(&mut fresh).map_err(|e| anyhow::anyhow!("randomness: {e}"))?;
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "INSERT INTO device_key_secret (id, secret, created_at) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(hex::encode(fresh))
        .bind(to_micros(now))
        .execute(&mut *tx.tx)
        .await
        .context("creating the device key secret")?;
        tx.commit().await?;
        self.read()
            .await?
            .context("the device key secret is missing after creating it")
    }

    async fn read(&self) -> anyhow::Result<Option<[u8; 32]>> {
        let row = sqlx::query("SELECT secret FROM device_key_secret WHERE id = 1")
            .fetch_optional(self.db.pool())
            .await
            .context("reading the device key secret")?;
        let Some(row) = row else {
            return Ok(None);
        };
        let bytes =
            hex::decode(str_col(&row, "secret")?).context("decoding the device key secret")?;
        let secret: [u8; 32] = bytes
            .try_into()
            .map_err(|_| anyhow::anyhow!("the device key secret is not 32 bytes"))?;
        Ok(Some(secret))
    }
}
