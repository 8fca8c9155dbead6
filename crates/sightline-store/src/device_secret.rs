//! The per-deployment secret behind the web app's on-device storage keys
//! (see `sightline_core::device_key`). 32 random bytes, made on first use
//! and kept in the database, wrapped under the master key (`keyring`), so
//! every node derives the same keys and a copy of the database alone does
//! not.

use crate::db::Db;
use crate::keyring::{Purpose, WRAP_MODE};
use crate::row::str_col;
use anyhow::Context as _;
use sightline_core::clock::to_micros;
use time::OffsetDateTime;

/// The associated data the secret is wrapped with.
pub(crate) const CONTEXT: &str = "device-key-secret";

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
        let fresh = crate::keyring::random::<32>()?;
        let wrapped = self
            .db
            .keyring()?
            .wrap_key(Purpose::DeviceSecret, CONTEXT, &fresh)?;
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "INSERT INTO device_key_secret (id, secret, wrapping, created_at) VALUES (1, $1, $2, $3) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(wrapped)
        .bind(WRAP_MODE)
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
        let row = sqlx::query("SELECT secret, wrapping FROM device_key_secret WHERE id = 1")
            .fetch_optional(self.db.pool())
            .await
            .context("reading the device key secret")?;
        let Some(row) = row else {
            return Ok(None);
        };
        let wrapping = str_col(&row, "wrapping")?;
        anyhow::ensure!(
            wrapping == WRAP_MODE,
            "the device key secret is still in the {wrapping} wrapping (restart to rewrap it)"
        );
        let secret = self.db.keyring()?.unwrap_key(
            Purpose::DeviceSecret,
            CONTEXT,
            &str_col(&row, "secret")?,
        )?;
        Ok(Some(secret))
    }
}
