//! Encryption of the audit log's sensitive fields under per-agency, per-year
//! data keys (AES-256-GCM), and crypto-shredding by destroying those keys.
//!
//! `seal` runs before an entry is placed, so the canonical bytes, the leaf
//! hash and every proof commit to the ciphertext; `open` runs when entries
//! are read back. A field whose key was destroyed reads as
//! `{"shredded": true}` and the log still verifies. Beside each ciphertext
//! is a commitment to the value (`sightline_audit::commitment`), whose
//! opening is sealed with it, so an export can prove what it prints.

use crate::db::Db;
use crate::keyring::{Purpose, WRAP_MODE};
use crate::row::{opt_i64_col, str_col};
use aes_gcm::aead::{Aead as _, KeyInit as _};
use aes_gcm::{Aes256Gcm, Nonce};
use anyhow::{Context as _, anyhow};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};
use sightline_audit::{Entry, EntryDraft, commitment};
use sightline_core::clock::to_micros;
use sightline_core::{AgencyId, TenantScope};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

/// The fields that never reach the database in clear.
/// `candidates` are the plates an OCR photo read as (`ocr.read`).
pub const SENSITIVE_FIELDS: [&str; 5] = [
    "plate",
    "case_reference",
    "note",
    "on_behalf_of",
    "candidates",
];

/// A sealed field opened: its value and, if sealed with one, its opening.
struct Opened {
    value: Value,
    opening: Option<String>,
}

/// `(agency, period)` → key; `None` marks a destroyed key.
type KeyCache = HashMap<(i64, i64), Option<[u8; 32]>>;

/// Opens one sealed field value (`{"sealed": …, "key": period}`) with `key`.
pub(crate) fn open_field(key: &[u8; 32], v: &Value) -> anyhow::Result<Value> {
    let blob = base64::engine::general_purpose::STANDARD
        .decode(v.get("sealed").and_then(Value::as_str).unwrap_or_default())
        .context("decoding a sealed field")?;
    let (nonce, ct) = blob
        .split_at_checked(12)
        .ok_or_else(|| anyhow!("a sealed field is too short"))?;
    let nonce: [u8; 12] = nonce.try_into().map_err(|_| anyhow!("bad nonce"))?;
    let c = Aes256Gcm::new_from_slice(key).map_err(|e| anyhow!("{e}"))?;
    let plain = c
        .decrypt(&Nonce::from(nonce), ct)
        .map_err(|_| anyhow!("the field's tag does not verify"))?;
    Ok(serde_json::from_slice(&plain)?)
}

/// Keys of one agency's log, cached for the life of one ledger call.
#[derive(Debug, Clone)]
pub struct FieldKeys {
    db: Db,
    // Keys looked up by this instance.
    cache: Arc<Mutex<KeyCache>>,
}

use crate::keyring::random;

/// The key period of an instant: `YYYYMM`. One key per agency and month, so
/// retention can shred each month as it passes seven years.
pub fn key_period(at: OffsetDateTime) -> i64 {
    i64::from(at.year()) * 100 + i64::from(u8::from(at.month()))
}

pub(crate) fn label(agency: i64, year: i64) -> String {
    format!("fieldkey:agency:{agency}:{year}")
}

impl FieldKeys {
    /// The field keys of `db`, wrapped under its keyring.
    pub fn new(db: Db) -> Self {
        Self {
            db,
            cache: Arc::default(),
        }
    }

    async fn load(&self, agency: i64, year: i64) -> anyhow::Result<Option<Option<[u8; 32]>>> {
        let row = sqlx::query(
            "SELECT wrapped, wrapping, destroyed_at FROM audit_field_keys WHERE agency_id = $1 AND year = $2",
        )
        .bind(agency)
        .bind(year)
        .fetch_optional(self.db.pool())
        .await
        .context("reading a field key")?;
        let Some(r) = row else { return Ok(None) };
        if opt_i64_col(&r, "destroyed_at")?.is_some() {
            return Ok(Some(None));
        }
        let wrapping = str_col(&r, "wrapping")?;
        anyhow::ensure!(
            wrapping == WRAP_MODE,
            "the field key {} is still in the {wrapping} wrapping (restart to rewrap it)",
            label(agency, year)
        );
        let key = self.db.keyring()?.unwrap_key(
            Purpose::FieldKey,
            &label(agency, year),
            &str_col(&r, "wrapped")?,
        )?;
        Ok(Some(Some(key)))
    }

    /// The key for `(agency, year)`; made on first use when `create`.
    async fn key(&self, agency: i64, year: i64, create: bool) -> anyhow::Result<Option<[u8; 32]>> {
        if let Some(k) = self
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&(agency, year))
        {
            return Ok(*k);
        }
        let mut found = self.load(agency, year).await?;
        if found.is_none() && create {
            let key = random::<32>()?;
            let wrapped =
                self.db
                    .keyring()?
                    .wrap_key(Purpose::FieldKey, &label(agency, year), &key)?;
            let mut tx = self.db.begin_write().await?;
            sqlx::query(
                "INSERT INTO audit_field_keys (agency_id, year, wrapped, salt, wrapping, created_at) \
                 VALUES ($1, $2, $3, '', $4, $5) ON CONFLICT (agency_id, year) DO NOTHING",
            )
            .bind(agency)
            .bind(year)
            .bind(wrapped)
            .bind(WRAP_MODE)
            .bind(0_i64)
            .execute(&mut *tx.tx)
            .await
            .context("saving a field key")?;
            tx.commit().await?;
            found = self.load(agency, year).await?;
        }
        let key = found.flatten();
        if found.is_some() {
            self.cache
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert((agency, year), key);
        }
        Ok(key)
    }

    /// Encrypts the sensitive fields of an agency entry to be placed at `at`.
    pub async fn seal(&self, draft: &mut EntryDraft, at: OffsetDateTime) -> anyhow::Result<()> {
        let TenantScope::Agency(agency) = draft.scope else {
            return Ok(());
        };
        let year = key_period(at);
        let mut cipher = None;
        for name in SENSITIVE_FIELDS {
            let Some(value) = draft.fields.get(name).filter(|v| !v.is_null()).cloned() else {
                continue;
            };
            if cipher.is_none() {
                let key = self.key(agency.0, year, true).await?.ok_or_else(|| {
                    anyhow!("the {year} data key of agency {agency} was destroyed")
                })?;
                cipher = Some(Aes256Gcm::new_from_slice(&key).map_err(|e| anyhow!("{e}"))?);
            }
            let Some(c) = &cipher else { continue };
            let nonce = random::<12>()?;
            // The opening is sealed with the value; the commitment beside
            // the ciphertext lets an export prove the value it prints.
            let opening = random::<{ commitment::OPENING_LEN }>()?;
            let commit = commitment::commit(&opening, &value);
            let plain = serde_json::to_vec(&json!({"v": value, "r": B64.encode(opening)}))?;
            let sealed = c
                .encrypt(&Nonce::from(nonce), plain.as_slice())
                .map_err(|e| anyhow!("sealing a field: {e}"))?;
            let mut blob = nonce.to_vec();
            blob.extend(sealed);
            draft.fields.insert(
                name.to_owned(),
                json!({"sealed": B64.encode(blob), "key": year, "commit": commit}),
            );
        }
        Ok(())
    }

    /// Seals bytes kept for audit (a photo sent for OCR) under the agency's
    /// key for the period of `at`, so destroying that key shreds them with
    /// the log's fields. The result is `period (8 bytes, big-endian) ||
    /// nonce || ciphertext`, bound to the agency.
    pub async fn seal_bytes(
        &self,
        agency: AgencyId,
        at: OffsetDateTime,
        plain: &[u8],
    ) -> anyhow::Result<Vec<u8>> {
        let period = key_period(at);
        let key = self
            .key(agency.0, period, true)
            .await?
            .ok_or_else(|| anyhow!("the {period} data key of agency {agency} was destroyed"))?;
        let c = Aes256Gcm::new_from_slice(&key).map_err(|e| anyhow!("{e}"))?;
        let nonce = random::<12>()?;
        let aad = format!("bytes:agency:{}", agency.0);
        let ct = c
            .encrypt(
                &Nonce::from(nonce),
                aes_gcm::aead::Payload {
                    msg: plain,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|e| anyhow!("sealing bytes: {e}"))?;
        let mut out = period.to_be_bytes().to_vec();
        out.extend(nonce);
        out.extend(ct);
        Ok(out)
    }

    /// Opens what [`FieldKeys::seal_bytes`] sealed; `None` when its key was
    /// destroyed.
    pub async fn open_bytes(
        &self,
        agency: AgencyId,
        sealed: &[u8],
    ) -> anyhow::Result<Option<Vec<u8>>> {
        let (period, rest) = sealed
            .split_at_checked(8)
            .ok_or_else(|| anyhow!("sealed bytes are too short"))?;
        let (nonce, ct) = rest
            .split_at_checked(12)
            .ok_or_else(|| anyhow!("sealed bytes are too short"))?;
        let period = i64::from_be_bytes(period.try_into().map_err(|_| anyhow!("bad period"))?);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| anyhow!("bad nonce"))?;
        let Some(key) = self.key(agency.0, period, false).await? else {
            return Ok(None);
        };
        let c = Aes256Gcm::new_from_slice(&key).map_err(|e| anyhow!("{e}"))?;
        let aad = format!("bytes:agency:{}", agency.0);
        let plain = c
            .decrypt(
                &Nonce::from(nonce),
                aes_gcm::aead::Payload {
                    msg: ct,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| anyhow!("the sealed bytes' tag does not verify"))?;
        Ok(Some(plain))
    }

    /// Decrypts the sealed fields of an entry read back, in place.
    pub async fn open(&self, entry: &mut Entry) -> anyhow::Result<()> {
        for (name, opened) in self.opened_fields(entry).await? {
            entry
                .fields
                .insert(name, opened.map_or(json!({"shredded": true}), |o| o.value));
        }
        Ok(())
    }

    /// The openings of an entry's sealed fields (base64, by field name),
    /// for an export to prove the values it prints; fields sealed before
    /// commitments, or whose key is destroyed, have none. `entry` is as
    /// stored (sealed).
    pub async fn openings(&self, entry: &Entry) -> anyhow::Result<BTreeMap<String, String>> {
        Ok(self
            .opened_fields(entry)
            .await?
            .into_iter()
            .filter_map(|(name, o)| o.and_then(|o| o.opening).map(|r| (name, r)))
            .collect())
    }

    /// Each sealed field of `entry`, opened (`None`: its key is destroyed).
    async fn opened_fields(&self, entry: &Entry) -> anyhow::Result<Vec<(String, Option<Opened>)>> {
        let Some(agency) = entry.agency else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for (name, v) in entry
            .fields
            .iter()
            .filter(|(_, v)| v.get("sealed").is_some())
        {
            let year = v.get("key").and_then(Value::as_i64).unwrap_or_default();
            let opened = match self.key(agency, year, false).await? {
                None => None,
                Some(key) => {
                    let plain = open_field(&key, v).with_context(|| {
                        format!("a sealed field of entry {} does not open", entry.seq)
                    })?;
                    Some(if v.get("commit").is_some() {
                        // Sealed with its opening: {"v": value, "r": opening}.
                        Opened {
                            value: plain.get("v").cloned().unwrap_or(Value::Null),
                            opening: plain.get("r").and_then(Value::as_str).map(str::to_owned),
                        }
                    } else {
                        Opened {
                            value: plain,
                            opening: None,
                        }
                    })
                }
            };
            out.push((name.clone(), opened));
        }
        Ok(out)
    }

    /// Destroys the agency's data keys (all, or those of periods before
    /// `before_year`, a `YYYYMM` from [`key_period`]): their fields are
    /// unreadable from then on, everywhere.
    pub async fn shred(
        &self,
        agency: AgencyId,
        before_year: Option<i64>,
        now: OffsetDateTime,
    ) -> anyhow::Result<u64> {
        let mut tx = self.db.begin_write().await?;
        let done = sqlx::query(
            "UPDATE audit_field_keys SET wrapped = '', salt = '', destroyed_at = $1 \
             WHERE agency_id = $2 AND destroyed_at IS NULL AND ($3 IS NULL OR year < $3)",
        )
        .bind(to_micros(now))
        .bind(agency.0)
        .bind(before_year)
        .execute(&mut *tx.tx)
        .await
        .context("destroying field keys")?;
        tx.commit().await?;
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).clear();
        Ok(done.rows_affected())
    }
}
