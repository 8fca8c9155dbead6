//! At every start: the key check, then the upgrade of whatever an older
//! version left unwrapped, XOR-wrapped or in clear, all in one transaction
//! (so a failure leaves the database as it was).
//!
//! * The key check: the first start with a master key stores its check
//!   value; later starts with another key are refused here, before anything
//!   is opened or written under it.
//! * Audit signing keys (`none`, `sha256-xor-v1`): opened, checked against
//!   their public key, rewrapped.
//! * Audit field keys (`legacy`: the old code wrapped them by XOR when a
//!   master key was set and stored them raw when not, and recorded neither):
//!   each candidate is tried on one of the fields it sealed, and the one
//!   whose AES-GCM tag verifies is rewrapped.
//! * The device secret, TOTP secrets, unsent outbox bodies and agent
//!   passwords in clear: sealed.

use crate::db::{Db, WriteTx};
use crate::device_secret::CONTEXT as DEVICE_CONTEXT;
use crate::field_keys::{label, open_field};
use crate::keyring::{KEY_HELP, Keyring, Purpose, WRAP_MODE, is_sealed};
use crate::ledger_keys::{StoredSigningKey, open_signing_key};
use crate::row::{i64_col, str_col};
use anyhow::{Context as _, anyhow, bail};
use serde_json::Value;
use sightline_audit::{Entry, xor_wrap};
use sightline_core::UserId;
use sightline_core::clock::to_micros;
use sightline_core::tenancy::SourceId;
use time::OffsetDateTime;

pub(crate) async fn run(db: &Db, now: OffsetDateTime) -> anyhow::Result<()> {
    let keyring = db.keyring()?;
    let mut tx = db.begin_write().await?;
    check(&mut tx, keyring, now).await?;
    let n = signing_keys(&mut tx, keyring).await?
        + field_keys(&mut tx, keyring).await?
        + device_secret(&mut tx, keyring).await?
        + clear_texts(&mut tx, keyring).await?;
    tx.commit().await?;
    if n > 0 {
        tracing::info!(
            rewrapped = n,
            "sealed keys and secrets left by an older version"
        );
    }
    Ok(())
}

async fn check(tx: &mut WriteTx, keyring: &Keyring, now: OffsetDateTime) -> anyhow::Result<()> {
    let value = keyring.check_value()?;
    sqlx::query(
        "INSERT INTO key_check (id, check_value, created_at) VALUES (1, $1, $2) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(value.as_str())
    .bind(to_micros(now))
    .execute(&mut *tx.tx)
    .await
    .context("storing the key check")?;
    let row = sqlx::query("SELECT check_value FROM key_check WHERE id = 1")
        .fetch_one(&mut *tx.tx)
        .await
        .context("reading the key check")?;
    if str_col(&row, "check_value")? != value {
        bail!(
            "the master key is not the one this deployment's data was sealed under (key check \
             failed): start with the original key; a new key would leave every wrapped key and \
             sealed secret unreadable ({KEY_HELP})"
        );
    }
    Ok(())
}

async fn signing_keys(tx: &mut WriteTx, keyring: &Keyring) -> anyhow::Result<usize> {
    let rows = sqlx::query(
        "SELECT log_id, key_name, public_key, wrapping, salt, secret FROM audit_keys WHERE wrapping <> $1",
    )
    .bind(WRAP_MODE)
    .fetch_all(&mut *tx.tx)
    .await
    .context("reading the audit logs' keys")?;
    for r in &rows {
        let log = str_col(r, "log_id")?;
        let (name, public) = (str_col(r, "key_name")?, str_col(r, "public_key")?);
        let (wrapping, salt, secret) = (
            str_col(r, "wrapping")?,
            str_col(r, "salt")?,
            str_col(r, "secret")?,
        );
        let signer = open_signing_key(
            keyring,
            &StoredSigningKey {
                log: &log,
                name: &name,
                public: &public,
                wrapping: &wrapping,
                salt: &salt,
                secret: &secret,
            },
        )?;
        let wrapped = keyring.wrap_key(Purpose::AuditSigningKey, &log, &signer.secret_bytes())?;
        sqlx::query(
            "UPDATE audit_keys SET wrapping = $1, salt = '', secret = $2 WHERE log_id = $3",
        )
        .bind(WRAP_MODE)
        .bind(wrapped)
        .bind(log.as_str())
        .execute(&mut *tx.tx)
        .await
        .context("rewrapping an audit log's key")?;
    }
    Ok(rows.len())
}

/// The microsecond bounds of a `YYYYMM` key period.
fn period_bounds(period: i64) -> anyhow::Result<(i64, i64)> {
    let start = |y: i64, m: i64| -> anyhow::Result<i64> {
        let month = time::Month::try_from(u8::try_from(m)?)?;
        let date = time::Date::from_calendar_date(i32::try_from(y)?, month, 1)?;
        Ok(to_micros(date.midnight().assume_utc()))
    };
    let (y, m) = (period / 100, period % 100);
    let next = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    Ok((start(y, m)?, start(next.0, next.1)?))
}

/// One field sealed under the key of `(agency, period)`, if any was.
async fn sealed_sample(
    tx: &mut WriteTx,
    agency: i64,
    period: i64,
) -> anyhow::Result<Option<Value>> {
    let (from, to) = period_bounds(period)?;
    let rows = sqlx::query(
        "SELECT canonical FROM audit_entries WHERE agency_id = $1 AND at >= $2 AND at < $3 \
         AND canonical LIKE '%\"sealed\"%' ORDER BY seq LIMIT 20",
    )
    .bind(agency)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *tx.tx)
    .await
    .context("reading a sealed audit field")?;
    for r in &rows {
        let Some(entry) = Entry::from_canonical(str_col(r, "canonical")?.as_bytes()) else {
            continue;
        };
        let found = entry.fields.values().find(|v| {
            v.get("sealed").is_some() && v.get("key").and_then(Value::as_i64) == Some(period)
        });
        if let Some(v) = found {
            return Ok(Some(v.clone()));
        }
    }
    Ok(None)
}

async fn field_keys(tx: &mut WriteTx, keyring: &Keyring) -> anyhow::Result<usize> {
    let rows = sqlx::query(
        "SELECT agency_id, year, wrapped, salt FROM audit_field_keys \
         WHERE wrapping <> $1 AND destroyed_at IS NULL",
    )
    .bind(WRAP_MODE)
    .fetch_all(&mut *tx.tx)
    .await
    .context("reading the audit field keys")?;
    for r in &rows {
        let (agency, period) = (i64_col(r, "agency_id")?, i64_col(r, "year")?);
        let what = label(agency, period);
        let stored: [u8; 32] = hex::decode(str_col(r, "wrapped")?)
            .ok()
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| anyhow!("{what}: the stored key is not 32 bytes of hex"))?;
        let salt: [u8; 16] = hex::decode(str_col(r, "salt")?)
            .ok()
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| anyhow!("{what}: the stored salt is not 16 bytes of hex"))?;
        // XOR under each key text the old code may have used, then raw.
        let mut candidates: Vec<[u8; 32]> = keyring
            .legacy_texts()
            .into_iter()
            .map(|t| xor_wrap(t, &what, &salt, &stored))
            .collect();
        candidates.push(stored);
        let key = match sealed_sample(tx, agency, period).await? {
            Some(sample) => candidates
                .into_iter()
                .find(|k| open_field(k, &sample).is_ok())
                .ok_or_else(|| {
                    anyhow!(
                        "{what}: neither the stored key nor its unwrapping under the master key \
                         opens the fields it sealed (set legacy_master_key to the key it was \
                         wrapped under)"
                    )
                })?,
            // It sealed nothing yet: any candidate serves, as long as it is
            // the one kept from now on.
            None => stored,
        };
        sqlx::query(
            "UPDATE audit_field_keys SET wrapped = $1, salt = '', wrapping = $2 \
             WHERE agency_id = $3 AND year = $4",
        )
        .bind(keyring.wrap_key(Purpose::FieldKey, &what, &key)?)
        .bind(WRAP_MODE)
        .bind(agency)
        .bind(period)
        .execute(&mut *tx.tx)
        .await
        .context("rewrapping an audit field key")?;
    }
    Ok(rows.len())
}

async fn device_secret(tx: &mut WriteTx, keyring: &Keyring) -> anyhow::Result<usize> {
    let row = sqlx::query("SELECT secret FROM device_key_secret WHERE id = 1 AND wrapping <> $1")
        .bind(WRAP_MODE)
        .fetch_optional(&mut *tx.tx)
        .await
        .context("reading the device key secret")?;
    let Some(row) = row else { return Ok(0) };
    let secret: [u8; 32] = hex::decode(str_col(&row, "secret")?)
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| anyhow!("the device key secret is not 32 bytes of hex"))?;
    sqlx::query("UPDATE device_key_secret SET secret = $1, wrapping = $2 WHERE id = 1")
        .bind(keyring.wrap_key(Purpose::DeviceSecret, DEVICE_CONTEXT, &secret)?)
        .bind(WRAP_MODE)
        .execute(&mut *tx.tx)
        .await
        .context("wrapping the device key secret")?;
    Ok(1)
}

/// Seals the TOTP secrets, unsent outbox bodies and agent passwords that
/// an older version kept in clear.
async fn clear_texts(tx: &mut WriteTx, keyring: &Keyring) -> anyhow::Result<usize> {
    let mut n = 0;
    let users = sqlx::query(
        "SELECT id, totp_secret AS v FROM users WHERE totp_secret IS NOT NULL AND totp_secret <> ''",
    )
    .fetch_all(&mut *tx.tx)
    .await
    .context("reading TOTP secrets")?;
    for r in &users {
        let v = str_col(r, "v")?;
        if is_sealed(&v) {
            continue;
        }
        let id = i64_col(r, "id")?;
        let ctx = crate::identity::totp_context(UserId(id));
        sqlx::query("UPDATE users SET totp_secret = $1 WHERE id = $2")
            .bind(keyring.seal(Purpose::Totp, &ctx, v.as_bytes())?)
            .bind(id)
            .execute(&mut *tx.tx)
            .await
            .context("sealing a TOTP secret")?;
        n += 1;
    }
    let mail = sqlx::query(
        "SELECT id, dedupe_key, body AS v FROM outbox WHERE sent_at IS NULL AND body <> ''",
    )
    .fetch_all(&mut *tx.tx)
    .await
    .context("reading the outbox")?;
    for r in &mail {
        let v = str_col(r, "v")?;
        if is_sealed(&v) {
            continue;
        }
        let ctx = crate::outbox::outbox_context(&str_col(r, "dedupe_key")?);
        sqlx::query("UPDATE outbox SET body = $1 WHERE id = $2")
            .bind(keyring.seal(Purpose::Outbox, &ctx, v.as_bytes())?)
            .bind(i64_col(r, "id")?)
            .execute(&mut *tx.tx)
            .await
            .context("sealing an outbox message")?;
        n += 1;
    }
    let agents = sqlx::query(
        "SELECT source_id, password AS v FROM source_agents WHERE password IS NOT NULL",
    )
    .fetch_all(&mut *tx.tx)
    .await
    .context("reading agent credentials")?;
    for r in &agents {
        let v = str_col(r, "v")?;
        if is_sealed(&v) {
            continue;
        }
        let source = i64_col(r, "source_id")?;
        let ctx = crate::agents::agent_context(SourceId(source));
        sqlx::query("UPDATE source_agents SET password = $1 WHERE source_id = $2")
            .bind(keyring.seal(Purpose::AgentCredential, &ctx, v.as_bytes())?)
            .bind(source)
            .execute(&mut *tx.tx)
            .await
            .context("sealing an agent credential")?;
        n += 1;
    }
    Ok(n)
}
