//! Signed checkpoints of the audit logs, and the proofs served over them.
//!
//! [`Ledger::checkpoint`] recomputes the log's Merkle tree from the stored
//! leaf hashes, checks the previous checkpoint's signature and the
//! consistency proof from it to the new head, and only then signs. A log
//! whose stored rows no longer extend what was signed is refused, loudly:
//! the ledger never signs over tampering. [`Ledger::checkpoint_due`] is
//! what the serve loop calls; with a tick of [`CHECKPOINT_GAP`] every new
//! entry is under a signed checkpoint within 10 seconds.

use crate::db::WriteTx;
use crate::ledger::{Ledger, digest_from_hex};
use crate::row::{i64_col, str_col};
use anyhow::{Context as _, anyhow};
use sightline_audit::{
    Checkpoint, Digest, StoredEntry, Tree, note_text, origin_of, verify_consistency,
};
use sightline_core::TenantScope;
use sightline_core::clock::{from_micros, to_micros};
use std::time::Duration;
use time::OffsetDateTime;

/// The least time between two checkpoints of one log; also the serve
/// loop's tick. Half of the 10 s bound, so a tick never misses it.
pub const CHECKPOINT_GAP: Duration = Duration::from_secs(5);

/// A signed checkpoint as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    pub size: u64,
    pub root: Digest,
    pub at: OffsetDateTime,
    /// The whole C2SP signed note.
    pub note: String,
}

/// Why no checkpoint was signed.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// The stored log does not extend the last signed checkpoint.
    #[error("refusing to sign a checkpoint of {log}: {reason}")]
    Inconsistent { log: String, reason: String },
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn row_to_checkpoint(r: &sqlx::any::AnyRow) -> anyhow::Result<StoredCheckpoint> {
    Ok(StoredCheckpoint {
        size: to_u64(i64_col(r, "tree_size")?),
        root: digest_from_hex(&str_col(r, "root_hash")?)?,
        at: from_micros(i64_col(r, "at")?),
        note: str_col(r, "note")?,
    })
}

/// Checkpoint rows, with the rest of the statement as a literal.
macro_rules! select_checkpoints {
    ($rest:literal) => {
        concat!(
            "SELECT tree_size, root_hash, at, note FROM audit_checkpoints ",
            $rest
        )
    };
}

impl Ledger {
    /// The stored leaf hashes of a log, oldest first, up to `upto` entries.
    pub async fn leaves(&self, scope: TenantScope, upto: Option<u64>) -> anyhow::Result<Tree> {
        let rows = sqlx::query(
            "SELECT seq, leaf_hash FROM audit_entries WHERE log_id = $1 AND seq <= $2 ORDER BY seq",
        )
        .bind(scope.log_id())
        .bind(upto.map_or(i64::MAX, |u| i64::try_from(u).unwrap_or(i64::MAX)))
        .fetch_all(self.db.pool())
        .await
        .context("reading leaf hashes")?;
        let mut tree = Tree::new();
        for r in &rows {
            tree.push(digest_from_hex(&str_col(r, "leaf_hash")?)?);
        }
        Ok(tree)
    }

    /// Every stored row of a log with its leaf hash, for export.
    pub async fn stored_entries(&self, scope: TenantScope) -> anyhow::Result<Vec<StoredEntry>> {
        let rows = sqlx::query(
            "SELECT seq, canonical, leaf_hash FROM audit_entries WHERE log_id = $1 ORDER BY seq",
        )
        .bind(scope.log_id())
        .fetch_all(self.db.pool())
        .await
        .context("reading audit log")?;
        rows.iter()
            .map(|r| {
                Ok(StoredEntry {
                    seq: i64_col(r, "seq")?,
                    canonical: str_col(r, "canonical")?,
                    leaf: digest_from_hex(&str_col(r, "leaf_hash")?)?,
                })
            })
            .collect()
    }

    pub async fn latest_checkpoint(
        &self,
        scope: TenantScope,
    ) -> anyhow::Result<Option<StoredCheckpoint>> {
        let row = sqlx::query(select_checkpoints!(
            "WHERE log_id = $1 ORDER BY tree_size DESC LIMIT 1"
        ))
        .bind(scope.log_id())
        .fetch_optional(self.db.pool())
        .await
        .context("reading the latest checkpoint")?;
        row.as_ref().map(row_to_checkpoint).transpose()
    }

    pub async fn checkpoint_at(
        &self,
        scope: TenantScope,
        size: u64,
    ) -> anyhow::Result<Option<StoredCheckpoint>> {
        let row = sqlx::query(select_checkpoints!("WHERE log_id = $1 AND tree_size = $2"))
            .bind(scope.log_id())
            .bind(i64::try_from(size).unwrap_or(i64::MAX))
            .fetch_optional(self.db.pool())
            .await
            .context("reading a checkpoint")?;
        row.as_ref().map(row_to_checkpoint).transpose()
    }

    /// The first signed checkpoint whose tree holds at least `size`
    /// entries: the earliest signature over entries 1 to `size`.
    pub async fn first_checkpoint_covering(
        &self,
        scope: TenantScope,
        size: u64,
    ) -> anyhow::Result<Option<StoredCheckpoint>> {
        let row = sqlx::query(select_checkpoints!(
            "WHERE log_id = $1 AND tree_size >= $2 ORDER BY tree_size LIMIT 1"
        ))
        .bind(scope.log_id())
        .bind(i64::try_from(size).unwrap_or(i64::MAX))
        .fetch_optional(self.db.pool())
        .await
        .context("reading the checkpoint covering an entry")?;
        row.as_ref().map(row_to_checkpoint).transpose()
    }

    /// The sequence number of the log's last entry written before `before`
    /// (microseconds), by the entries' indexed time; 0 when there is none.
    /// Entries are appended in time order, so entries 1 to this one are
    /// exactly those of any period ending at `before`.
    pub async fn last_seq_before(&self, scope: TenantScope, before: i64) -> anyhow::Result<u64> {
        let row = sqlx::query(
            "SELECT COALESCE(MAX(seq), 0) AS seq FROM audit_entries WHERE log_id = $1 AND at < $2",
        )
        .bind(scope.log_id())
        .bind(before)
        .fetch_one(self.db.pool())
        .await
        .context("finding a period's last audit entry")?;
        Ok(to_u64(i64_col(&row, "seq")?))
    }

    /// Every checkpoint of a log, oldest first.
    pub async fn checkpoints(&self, scope: TenantScope) -> anyhow::Result<Vec<StoredCheckpoint>> {
        let rows = sqlx::query(select_checkpoints!("WHERE log_id = $1 ORDER BY tree_size"))
            .bind(scope.log_id())
            .fetch_all(self.db.pool())
            .await
            .context("reading checkpoints")?;
        rows.iter().map(row_to_checkpoint).collect()
    }

    /// Signs a checkpoint of the log's current head, if it has entries the
    /// latest checkpoint does not cover. Refuses when the stored log does
    /// not extend the latest checkpoint.
    pub async fn checkpoint(
        &self,
        scope: TenantScope,
    ) -> Result<Option<StoredCheckpoint>, CheckpointError> {
        let log = scope.log_id();
        let mut tx = self.begin_log_write(&log).await?;
        let signed = self.sign_in(&mut tx, &log).await?;
        tx.commit().await?;
        if let Some(c) = &signed {
            tracing::debug!(log, size = c.size, "signed audit checkpoint");
        }
        Ok(signed)
    }

    async fn sign_in(
        &self,
        tx: &mut WriteTx,
        log: &str,
    ) -> Result<Option<StoredCheckpoint>, CheckpointError> {
        let refuse = |reason: String| CheckpointError::Inconsistent {
            log: log.to_owned(),
            reason,
        };
        let rows =
            sqlx::query("SELECT seq, leaf_hash FROM audit_entries WHERE log_id = $1 ORDER BY seq")
                .bind(log)
                .fetch_all(&mut *tx.tx)
                .await
                .context("reading leaf hashes")?;
        let mut tree = Tree::new();
        for r in &rows {
            let seq = i64_col(r, "seq")?;
            if to_u64(seq) != tree.size() + 1 {
                return Err(refuse(format!(
                    "expected entry {} but found {seq}",
                    tree.size() + 1
                )));
            }
            tree.push(digest_from_hex(&str_col(r, "leaf_hash")?)?);
        }
        let size = tree.size();
        let prev = sqlx::query(select_checkpoints!(
            "WHERE log_id = $1 ORDER BY tree_size DESC LIMIT 1"
        ))
        .bind(log)
        .fetch_optional(&mut *tx.tx)
        .await
        .context("reading the latest checkpoint")?;
        let prev = prev.as_ref().map(row_to_checkpoint).transpose()?;
        let (prev_size, prev_root) = match &prev {
            Some(p) => (p.size, p.root),
            None => (0, sightline_audit::empty_root()),
        };
        if size == prev_size && prev.is_some() || size == 0 {
            return Ok(None);
        }
        let signer = self.signer(tx, log).await?;
        if let Some(p) = &prev {
            // Trust only what this log's key signed, not the row's columns.
            let text = signer
                .verifier()
                .open(&p.note)
                .map_err(|e| refuse(format!("the latest checkpoint's signature: {e}")))?;
            let signed = Checkpoint::parse(text).map_err(|e| refuse(e.to_string()))?;
            if (signed.size, signed.root) != (p.size, p.root) {
                return Err(refuse(
                    "the latest checkpoint's row differs from its note".into(),
                ));
            }
        }
        let root = tree
            .root(size)
            .ok_or_else(|| anyhow!("tree head of {size}"))?;
        let proof = tree
            .consistency_proof(prev_size, size)
            .ok_or_else(|| refuse(format!("the log shrank below {prev_size} entries")))?;
        if !verify_consistency(prev_size, size, &prev_root, &root, &proof) {
            tracing::error!(
                log,
                prev_size,
                size,
                "audit log does not extend its last checkpoint"
            );
            return Err(refuse(format!(
                "the stored entries do not extend the signed checkpoint of size {prev_size}"
            )));
        }
        let body = Checkpoint {
            origin: origin_of(log),
            size,
            root,
        }
        .body();
        let note = signer
            .sign(&body)
            .map_err(|e| anyhow!("signing checkpoint: {e}"))?;
        debug_assert_eq!(note_text(&note), body);
        let at = self.clock.now();
        sqlx::query(
            "INSERT INTO audit_checkpoints (log_id, tree_size, root_hash, at, note) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(log)
        .bind(i64::try_from(size).unwrap_or(i64::MAX))
        .bind(hex::encode(root))
        .bind(to_micros(at))
        .bind(note.as_str())
        .execute(&mut *tx.tx)
        .await
        .context("storing checkpoint")?;
        Ok(Some(StoredCheckpoint {
            size,
            root,
            at,
            note,
        }))
    }

    /// Signs a checkpoint of every log with entries its latest checkpoint
    /// does not cover, unless that checkpoint is younger than
    /// [`CHECKPOINT_GAP`]. Returns how many were signed; a refused log is
    /// reported and skipped so the others still get theirs.
    pub async fn checkpoint_due(&self) -> anyhow::Result<usize> {
        let rows = sqlx::query(
            "SELECT e.log_id AS log_id, e.head AS head, c.size AS size, c.at AS at FROM \
             (SELECT log_id, MAX(seq) AS head FROM audit_entries GROUP BY log_id) e \
             LEFT JOIN (SELECT log_id, MAX(tree_size) AS size, MAX(at) AS at FROM audit_checkpoints GROUP BY log_id) c \
             ON c.log_id = e.log_id",
        )
        .fetch_all(self.db.pool())
        .await
        .context("finding logs due a checkpoint")?;
        let now = self.clock.now();
        let mut signed = 0;
        for r in &rows {
            let log = str_col(r, "log_id")?;
            let head = i64_col(r, "head")?;
            let size = crate::row::opt_i64_col(r, "size")?;
            let at = crate::row::opt_i64_col(r, "at")?.map(from_micros);
            let due = size.is_none_or(|s| s < head) && at.is_none_or(|a| now - a >= CHECKPOINT_GAP);
            if !due {
                continue;
            }
            let Some(scope) = scope_of(&log) else {
                continue;
            };
            match self.checkpoint(scope).await {
                Ok(Some(_)) => signed += 1,
                Ok(None) => {}
                Err(e) => tracing::error!(log, error = %e, "audit checkpoint refused"),
            }
        }
        Ok(signed)
    }
}

/// The scope of a log id (`operator`, `agency:<id>`).
pub fn scope_of(log: &str) -> Option<TenantScope> {
    if log == "operator" {
        return Some(TenantScope::Operator);
    }
    let id = log.strip_prefix("agency:")?.parse().ok()?;
    Some(TenantScope::Agency(sightline_core::AgencyId(id)))
}
