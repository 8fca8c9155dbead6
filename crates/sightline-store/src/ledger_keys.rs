//! One Ed25519 signing key per audit log, made on first use and kept in
//! `audit_keys`. The key's identity (log, name, public key) is append-only;
//! its secret is wrapped under the master key's audit-signing purpose key
//! (`aes256gcm-hkdf-v1`, see `keyring`), bound to the log id. Older rows
//! (`none`, `sha256-xor-v1`) are opened once at start and rewrapped (see
//! `rekey`). Unwrapping is also checked against the stored public key.

use crate::db::WriteTx;
use crate::keyring::{Keyring, LEGACY_XOR, Purpose, UNWRAPPED, WRAP_MODE};
use crate::ledger::Ledger;
use crate::row::str_col;
use anyhow::{Context as _, anyhow, bail};
use sightline_audit::{NoteSigner, NoteVerifier, generate_secret, origin_of, xor_wrap};
use sightline_core::TenantScope;
use sightline_core::clock::to_micros;

/// One stored `audit_keys` row's wrapped secret.
pub(crate) struct StoredSigningKey<'a> {
    pub log: &'a str,
    pub name: &'a str,
    pub public: &'a str,
    pub wrapping: &'a str,
    pub salt: &'a str,
    pub secret: &'a str,
}

/// Opens a stored signing key in any wrapping this or an older version made.
pub(crate) fn open_signing_key(
    keyring: &Keyring,
    k: &StoredSigningKey<'_>,
) -> anyhow::Result<NoteSigner> {
    let public = bytes32(k.public, "public key")?;
    let candidates: Vec<[u8; 32]> = match k.wrapping {
        WRAP_MODE => vec![keyring.unwrap_key(Purpose::AuditSigningKey, k.log, k.secret)?],
        UNWRAPPED => vec![bytes32(k.secret, "signing key")?],
        LEGACY_XOR => {
            let stored = bytes32(k.secret, "signing key")?;
            let salt: [u8; 16] = hex::decode(k.salt)
                .ok()
                .and_then(|v| v.try_into().ok())
                .ok_or_else(|| anyhow!("stored key salt is not 16 bytes of hex"))?;
            keyring
                .legacy_texts()
                .into_iter()
                .map(|t| xor_wrap(t, k.log, &salt, &stored))
                .collect()
        }
        other => bail!("unknown key wrapping {other}"),
    };
    for secret in candidates {
        let signer = NoteSigner::new(k.name, &secret)?;
        if signer.verifier().public_key() == public {
            return Ok(signer);
        }
    }
    bail!(
        "the signing key of {} does not match its public key (wrong master key, or set \
         legacy_master_key to the key it was wrapped under)",
        k.log
    )
}

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
            let (name, public) = (str_col(&r, "key_name")?, str_col(&r, "public_key")?);
            let (wrapping, salt) = (str_col(&r, "wrapping")?, str_col(&r, "salt")?);
            let secret = str_col(&r, "secret")?;
            return open_signing_key(
                tx.keyring()?,
                &StoredSigningKey {
                    log,
                    name: &name,
                    public: &public,
                    wrapping: &wrapping,
                    salt: &salt,
                    secret: &secret,
                },
            );
        }
        let secret = generate_secret().map_err(|e| anyhow!("gathering randomness: {e}"))?;
        let signer = NoteSigner::new(&origin_of(log), &secret)?;
        let wrapping = WRAP_MODE;
        let stored = tx
            .keyring()?
            .wrap_key(Purpose::AuditSigningKey, log, &secret)?;
        sqlx::query(
            "INSERT INTO audit_keys (log_id, key_name, public_key, wrapping, salt, secret, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(log)
        .bind(signer.verifier().name())
        .bind(hex::encode(signer.verifier().public_key()))
        .bind(wrapping)
        .bind("")
        .bind(stored)
        .bind(to_micros(self.clock.now()))
        .execute(&mut *tx.tx)
        .await
        .context("storing the audit log's key")?;
        tracing::info!(log, wrapping, "made the audit log's signing key");
        Ok(signer)
    }
}
