//! One Ed25519 signing key per audit log, made on first use and kept in
//! `audit_keys` (append-only). With a master key configured the secret is
//! wrapped (`sha256-xor-v1`, see `sightline_audit::xor_wrap`); unwrapping is
//! checked against the stored public key, so a wrong master key or an
//! altered row is refused rather than used.

use crate::db::WriteTx;
use crate::ledger::Ledger;
use crate::row::str_col;
use anyhow::{Context as _, anyhow, bail};
use secrecy::ExposeSecret as _;
use sightline_audit::{NoteSigner, NoteVerifier, generate_secret, origin_of, xor_wrap};
use sightline_core::TenantScope;
use sightline_core::clock::to_micros;

const WRAPPED: &str = "sha256-xor-v1";
const UNWRAPPED: &str = "none";

fn bytes32(hex_text: &str, what: &str) -> anyhow::Result<[u8; 32]> {
    hex::decode(hex_text)
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| anyhow!("stored {what} is not 32 bytes of hex"))
}

impl Ledger {
    /// The log's public key, making the key pair if the log has none yet.
    pub async fn public_key(&self, scope: TenantScope) -> anyhow::Result<NoteVerifier> {
        let log = scope.log_id();
        // The common case reads without taking the log's write lock.
        let row = sqlx::query("SELECT key_name, public_key FROM audit_keys WHERE log_id = $1")
            .bind(log.as_str())
            .fetch_optional(self.db.pool())
            .await
            .context("reading the audit log's key")?;
        if let Some(r) = row {
            let public = bytes32(&str_col(&r, "public_key")?, "public key")?;
            return Ok(NoteVerifier::from_public(
                &str_col(&r, "key_name")?,
                &public,
            )?);
        }
        let mut tx = self.begin_log_write(&log).await?;
        let signer = self.signer(&mut tx, &log).await?;
        tx.commit().await?;
        Ok(signer.verifier())
    }

    /// The log's signer, inside a transaction that holds the log.
    pub(crate) async fn signer(&self, tx: &mut WriteTx, log: &str) -> anyhow::Result<NoteSigner> {
        let row = sqlx::query(
            "SELECT key_name, public_key, wrapping, salt, secret FROM audit_keys WHERE log_id = $1",
        )
        .bind(log)
        .fetch_optional(&mut *tx.tx)
        .await
        .context("reading the audit log's key")?;
        if let Some(r) = row {
            return self.unwrap_key(
                log,
                &str_col(&r, "key_name")?,
                &str_col(&r, "public_key")?,
                &str_col(&r, "wrapping")?,
                &str_col(&r, "salt")?,
                &str_col(&r, "secret")?,
            );
        }
        let secret = generate_secret().map_err(|e| anyhow!("gathering randomness: {e}"))?;
        let signer = NoteSigner::new(&origin_of(log), &secret)?;
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| anyhow!("gathering randomness: {e}"))?;
        let (wrapping, stored) = match &self.master_key {
            Some(m) => (
                WRAPPED,
                xor_wrap(m.expose_secret().as_bytes(), log, &salt, &secret),
            ),
            None => (UNWRAPPED, secret),
        };
        sqlx::query(
            "INSERT INTO audit_keys (log_id, key_name, public_key, wrapping, salt, secret, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(log)
        .bind(signer.verifier().name())
        .bind(hex::encode(signer.verifier().public_key()))
        .bind(wrapping)
        .bind(hex::encode(salt))
        .bind(hex::encode(stored))
        .bind(to_micros(self.clock.now()))
        .execute(&mut *tx.tx)
        .await
        .context("storing the audit log's key")?;
        tracing::info!(log, wrapping, "made the audit log's signing key");
        Ok(signer)
    }

    fn unwrap_key(
        &self,
        log: &str,
        name: &str,
        public: &str,
        wrapping: &str,
        salt: &str,
        secret: &str,
    ) -> anyhow::Result<NoteSigner> {
        let stored = bytes32(secret, "signing key")?;
        let secret = match (wrapping, &self.master_key) {
            (UNWRAPPED, _) => stored,
            (WRAPPED, Some(m)) => {
                let salt: [u8; 16] = hex::decode(salt)
                    .ok()
                    .and_then(|v| v.try_into().ok())
                    .ok_or_else(|| anyhow!("stored key salt is not 16 bytes of hex"))?;
                xor_wrap(m.expose_secret().as_bytes(), log, &salt, &stored)
            }
            (WRAPPED, None) => {
                bail!("the signing key of {log} is wrapped: configure audit_master_key")
            }
            (other, _) => bail!("unknown key wrapping {other}"),
        };
        let signer = NoteSigner::new(name, &secret)?;
        if signer.verifier().public_key() != bytes32(public, "public key")? {
            bail!("the signing key of {log} does not match its public key (wrong master key?)");
        }
        Ok(signer)
    }
}
