//! The durable audit ledger: one hash-chained log per agency plus the
//! operator's. Appends are the only write; nothing here updates or deletes.
//!
//! A plate query goes through [`Ledger::record_query`], which returns a
//! [`QueryReceipt`] only once the entry is committed. The read store's lookup
//! takes that receipt, so results cannot be produced for a query that was
//! not logged first (STYLE §5).

use crate::db::{Backend, Db, WriteTx};
use crate::row::{i64_col, str_col};
use anyhow::{Context as _, anyhow};
use sightline_audit::{Actor, Digest, Entry, EntryDraft, GENESIS, Outcome, chain_hash, leaf_hash};
use sightline_core::clock::from_micros;
use sightline_core::purpose::CheckedPurpose;
use sightline_core::{AgencyId, Clock, Jurisdiction, Plate, TenantScope, Timeframe, UserId};
use std::sync::Arc;

/// The ledger could not make an entry durable. Callers must not go on.
#[derive(Debug, thiserror::Error)]
#[error("the audit ledger could not record the action")]
pub struct LedgerError(#[from] pub anyhow::Error);

/// Proof that a plate query was durably logged. Private fields: only the
/// ledger makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryReceipt {
    agency: AgencyId,
    seq: i64,
    at: time::OffsetDateTime,
    user: UserId,
    session: String,
    plate: Plate,
    jurisdiction: Jurisdiction,
    timeframe: Timeframe,
    watermark: i64,
}

impl QueryReceipt {
    pub fn agency(&self) -> AgencyId {
        self.agency
    }
    /// When the query ran: corrections made later do not change its results.
    pub fn at(&self) -> time::OffsetDateTime {
        self.at
    }
    /// The query's position in its agency's log: its public id.
    pub fn seq(&self) -> i64 {
        self.seq
    }
    pub fn user(&self) -> UserId {
        self.user
    }
    pub fn session(&self) -> &str {
        &self.session
    }
    pub fn plate(&self) -> &Plate {
        &self.plate
    }
    pub fn jurisdiction(&self) -> Jurisdiction {
        self.jurisdiction
    }
    pub fn timeframe(&self) -> Timeframe {
        self.timeframe
    }
    /// The highest read id visible when the query ran.
    pub fn watermark(&self) -> i64 {
        self.watermark
    }
}

/// A stored entry with its hashes, as read back.
#[derive(Debug, Clone)]
pub struct AuditEntryRow {
    pub entry: Entry,
    pub canonical: String,
    pub leaf: String,
    pub chain: String,
}

#[derive(Debug, Clone)]
pub struct Ledger {
    pub(crate) db: Db,
    pub(crate) clock: Arc<dyn Clock>,
}

pub(crate) fn digest_from_hex(s: &str) -> anyhow::Result<Digest> {
    let v = hex::decode(s).context("decoding stored hash")?;
    v.try_into()
        .map_err(|_| anyhow!("stored hash is not 32 bytes"))
}

/// The action name of a plate query in the log.
pub const QUERY_ACTION: &str = "query.run";

impl Ledger {
    /// A ledger on `db`, whose keyring wraps the logs' signing keys.
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Self {
        Self { db, clock }
    }

    /// Appends one entry and returns it once committed.
    pub async fn append(&self, draft: EntryDraft) -> Result<Entry, LedgerError> {
        Ok(self.append_inner(draft).await?)
    }

    async fn append_inner(&self, mut draft: EntryDraft) -> anyhow::Result<Entry> {
        let log = draft.scope.log_id();
        // Sealed before the log is locked: making a year's first key writes.
        let now = self.clock.now();
        self.field_keys().seal(&mut draft, now).await?;
        let mut tx = self.begin_log_write(&log).await?;
        let head = sqlx::query(
            "SELECT seq, chain_hash FROM audit_entries WHERE log_id = $1 ORDER BY seq DESC LIMIT 1",
        )
        .bind(log.as_str())
        .fetch_optional(&mut *tx.tx)
        .await
        .context("reading the audit log head")?;
        let (prev_seq, prev_chain) = match head {
            Some(r) => (
                i64_col(&r, "seq")?,
                digest_from_hex(&str_col(&r, "chain_hash")?)?,
            ),
            None => (0, GENESIS),
        };
        let actor_id = draft.actor.user_id().map(|u| u.0);
        let entry = Entry::place(draft, prev_seq + 1, now);
        let canonical = entry.canonical();
        let leaf = leaf_hash(&canonical);
        let chain = chain_hash(&prev_chain, &leaf);
        let text = String::from_utf8(canonical).context("canonical entry is UTF-8")?;
        sqlx::query(
            "INSERT INTO audit_entries (log_id, seq, agency_id, at, actor_id, action, outcome, canonical, leaf_hash, chain_hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(log.as_str())
        .bind(entry.seq)
        .bind(entry.agency)
        .bind(entry.at)
        .bind(actor_id)
        .bind(entry.action.as_str())
        .bind(entry.outcome.as_str())
        .bind(text)
        .bind(hex::encode(leaf))
        .bind(hex::encode(chain))
        .execute(&mut *tx.tx)
        .await
        .context("appending audit entry")?;
        tx.commit().await?;
        Ok(entry)
    }

    /// The data keys that seal and open the log's sensitive fields.
    pub fn field_keys(&self) -> crate::field_keys::FieldKeys {
        crate::field_keys::FieldKeys::new(self.db.clone())
    }

    /// Opens the sealed fields of rows read back (their canonical bytes,
    /// which the hashes cover, keep the ciphertext).
    pub(crate) async fn opened(
        &self,
        mut rows: Vec<AuditEntryRow>,
    ) -> anyhow::Result<Vec<AuditEntryRow>> {
        let keys = self.field_keys();
        for r in &mut rows {
            keys.open(&mut r.entry).await?;
        }
        Ok(rows)
    }

    /// A write transaction holding the log: one appender or checkpointer
    /// per log at a time, across every node.
    pub(crate) async fn begin_log_write(&self, log: &str) -> anyhow::Result<WriteTx> {
        let mut tx = self.db.begin_write().await?;
        if self.db.backend() == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(log)
                .execute(&mut *tx.tx)
                .await
                .context("locking the audit log")?;
        }
        Ok(tx)
    }

    /// Logs a plate query with every field of R5.2 and returns the receipt
    /// that unlocks its results.
    pub async fn record_query(
        &self,
        agency: AgencyId,
        actor: Actor,
        session: &str,
        purpose: &CheckedPurpose,
        watermark: i64,
    ) -> Result<QueryReceipt, LedgerError> {
        let user = actor
            .user_id()
            .ok_or_else(|| LedgerError(anyhow!("only users run plate queries")))?;
        let tf = purpose.timeframe();
        let draft = EntryDraft::new(
            TenantScope::Agency(agency),
            actor,
            QUERY_ACTION,
            Outcome::Success,
        )
        .session(session)
        .field("plate", purpose.plate().as_str())
        .field("state", purpose.jurisdiction().code())
        .field("reason_code", purpose.reason().as_str())
        .field("program", purpose.program())
        .field("case_reference", purpose.case_reference().as_str())
        .field(
            "on_behalf_of",
            purpose.on_behalf_of().person().map(|p| p.as_str()),
        )
        .field("from", sightline_core::clock::to_micros(tf.start()))
        .field("to", sightline_core::clock::to_micros(tf.end()))
        .field("geographic_limits", serde_json::Value::Null)
        .field("watermark", watermark);
        let entry = self.append(draft).await?;
        Ok(QueryReceipt {
            agency,
            seq: entry.seq,
            at: from_micros(entry.at),
            user,
            session: session.to_owned(),
            plate: purpose.plate().clone(),
            jurisdiction: purpose.jurisdiction(),
            timeframe: tf,
            watermark,
        })
    }

    /// Rebuilds the receipt of a logged query for the same user and session
    /// (to serve its photos later). `None` if the entry is not such a query.
    pub async fn query_receipt(
        &self,
        agency: AgencyId,
        seq: i64,
        user: UserId,
        session: &str,
    ) -> anyhow::Result<Option<QueryReceipt>> {
        let Some(row) = self.entry(TenantScope::Agency(agency), seq).await? else {
            return Ok(None);
        };
        let e = row.entry;
        if e.actor.user_id() != Some(user) || e.session.as_deref() != Some(session) {
            return Ok(None);
        }
        Ok(receipt_from_entry(agency, &e))
    }

    /// The receipt of a logged query, for an auditor to replay it exactly as
    /// it ran (R5.6): same plate, state, time frame and read watermark.
    pub async fn replay_receipt(
        &self,
        agency: AgencyId,
        seq: i64,
    ) -> anyhow::Result<Option<QueryReceipt>> {
        Ok(self
            .entry(TenantScope::Agency(agency), seq)
            .await?
            .and_then(|row| receipt_from_entry(agency, &row.entry)))
    }

    pub async fn entry(
        &self,
        scope: TenantScope,
        seq: i64,
    ) -> anyhow::Result<Option<AuditEntryRow>> {
        let row = sqlx::query(
            "SELECT canonical, leaf_hash, chain_hash FROM audit_entries WHERE log_id = $1 AND seq = $2",
        )
        .bind(scope.log_id())
        .bind(seq)
        .fetch_optional(self.db.pool())
        .await
        .context("reading audit entry")?;
        let row = row.map(|r| row_to_entry(&r)).transpose()?;
        match row {
            Some(r) => Ok(self.opened(vec![r]).await?.into_iter().next()),
            None => Ok(None),
        }
    }

    /// Entries of one log, newest first, optionally only one actor's and
    /// one action's, before `before_seq`.
    pub async fn recent(
        &self,
        scope: TenantScope,
        actor: Option<UserId>,
        action: Option<&str>,
        before_seq: Option<i64>,
        limit: i64,
    ) -> anyhow::Result<Vec<AuditEntryRow>> {
        let rows = sqlx::query(
            "SELECT canonical, leaf_hash, chain_hash FROM audit_entries \
             WHERE log_id = $1 AND ($2 IS NULL OR actor_id = $2) AND ($3 IS NULL OR action = $3) \
             AND seq < $4 ORDER BY seq DESC LIMIT $5",
        )
        .bind(scope.log_id())
        .bind(actor.map(|u| u.0))
        .bind(action)
        .bind(before_seq.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(self.db.pool())
        .await
        .context("listing audit entries")?;
        let rows = rows
            .iter()
            .map(row_to_entry)
            .collect::<anyhow::Result<Vec<_>>>()?;
        self.opened(rows).await
    }

    /// One action's entries in an agency's log, newest first, by `user` or by
    /// any user of the agency who shares an alert group (case team) with
    /// them (R3.10), before `before_seq`.
    pub async fn recent_with_group_peers(
        &self,
        agency: AgencyId,
        user: UserId,
        action: &str,
        before_seq: Option<i64>,
        limit: i64,
    ) -> anyhow::Result<Vec<AuditEntryRow>> {
        let rows = sqlx::query(
            "SELECT canonical, leaf_hash, chain_hash FROM audit_entries \
             WHERE log_id = $1 AND action = $2 AND seq < $3 AND (actor_id = $4 OR actor_id IN ( \
               SELECT peer.user_id FROM alert_group_members mine \
               JOIN alert_group_members peer ON peer.group_id = mine.group_id \
               JOIN alert_groups g ON g.id = mine.group_id \
               JOIN users u ON u.id = peer.user_id \
               WHERE mine.user_id = $4 AND g.agency_id = $5 AND u.agency_id = $5)) \
             ORDER BY seq DESC LIMIT $6",
        )
        .bind(TenantScope::Agency(agency).log_id())
        .bind(action)
        .bind(before_seq.unwrap_or(i64::MAX))
        .bind(user.0)
        .bind(agency.0)
        .bind(limit)
        .fetch_all(self.db.pool())
        .await
        .context("listing group members' audit entries")?;
        let rows = rows
            .iter()
            .map(row_to_entry)
            .collect::<anyhow::Result<Vec<_>>>()?;
        self.opened(rows).await
    }

    /// Every entry of one log, oldest first.
    pub async fn all(&self, scope: TenantScope) -> anyhow::Result<Vec<AuditEntryRow>> {
        let rows = sqlx::query(
            "SELECT canonical, leaf_hash, chain_hash FROM audit_entries WHERE log_id = $1 ORDER BY seq",
        )
        .bind(scope.log_id())
        .fetch_all(self.db.pool())
        .await
        .context("reading audit log")?;
        let rows = rows
            .iter()
            .map(row_to_entry)
            .collect::<anyhow::Result<Vec<_>>>()?;
        self.opened(rows).await
    }

    /// Recomputes one log's chain from the stored bytes.
    pub async fn verify(
        &self,
        scope: TenantScope,
    ) -> anyhow::Result<Result<Digest, sightline_audit::ChainError>> {
        let rows = self.all(scope).await?;
        let links = rows
            .iter()
            .map(|r| {
                Ok((
                    r.canonical.as_bytes(),
                    digest_from_hex(&r.leaf)?,
                    digest_from_hex(&r.chain)?,
                ))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(sightline_audit::verify_chain(links))
    }
}

/// A receipt from a successful `query.run` entry, if it is one.
fn receipt_from_entry(agency: AgencyId, e: &Entry) -> Option<QueryReceipt> {
    if e.action != QUERY_ACTION || e.outcome != Outcome::Success {
        return None;
    }
    Some(QueryReceipt {
        agency,
        seq: e.seq,
        at: from_micros(e.at),
        user: e.actor.user_id()?,
        session: e.session.clone()?,
        plate: Plate::parse(e.field_str("plate")?).ok()?,
        jurisdiction: Jurisdiction::parse(e.field_str("state")?).ok()?,
        timeframe: Timeframe::new(
            from_micros(e.field_i64("from")?),
            from_micros(e.field_i64("to")?),
        )
        .ok()?,
        watermark: e.field_i64("watermark")?,
    })
}

fn row_to_entry(r: &sqlx::any::AnyRow) -> anyhow::Result<AuditEntryRow> {
    let canonical = str_col(r, "canonical")?;
    let entry: Entry = serde_json::from_str(&canonical).context("decoding audit entry")?;
    Ok(AuditEntryRow {
        entry,
        canonical,
        leaf: str_col(r, "leaf_hash")?,
        chain: str_col(r, "chain_hash")?,
    })
}

/// Shorthand for the common case of a user acting in their agency.
pub fn user_actor(id: UserId, username: &str) -> Actor {
    Actor::User {
        id: id.0,
        username: username.to_owned(),
    }
}
