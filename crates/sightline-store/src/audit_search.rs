//! Reading an agency's audit log the way auditors and managers do (R5.3,
//! R5.5): filtered searches newest first, and every entry of a period for
//! statistics. Filters on the log's columns run in SQL; filters on an
//! entry's fields (plate, reason code, on-behalf-of) run on the decoded
//! entries, page by page.

use crate::db::Db;
use crate::ledger::AuditEntryRow;
use crate::row::str_col;
use anyhow::Context as _;
use sightline_audit::Entry;
use sightline_core::{TenantScope, UserId};
use std::collections::HashSet;

/// What an auditor searches by. Every part is optional; all given parts
/// must match.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Entries by these users only (a manager's AOR, or one named user).
    pub actors: Option<HashSet<UserId>>,
    pub action: Option<String>,
    /// Microseconds since the epoch, inclusive.
    pub from: Option<i64>,
    /// Microseconds since the epoch, exclusive.
    pub to: Option<i64>,
    /// Normalised plate, as stored.
    pub plate: Option<String>,
    /// Jurisdiction code (`PA`), with `plate` for a plate and state search.
    pub state: Option<String>,
    /// `success`, `refused` or `failed`.
    pub outcome: Option<String>,
    pub reason_code: Option<String>,
    /// Case-insensitive part of the on-behalf-of name.
    pub on_behalf_of: Option<String>,
    /// Only entries older than this sequence number (paging).
    pub before_seq: Option<i64>,
}

impl AuditFilter {
    fn matches(&self, e: &Entry) -> bool {
        let field = |k: &str| e.field_str(k);
        self.actors
            .as_ref()
            .is_none_or(|a| e.actor.user_id().is_some_and(|u| a.contains(&u)))
            && self
                .plate
                .as_deref()
                .is_none_or(|p| field("plate") == Some(p))
            && self
                .state
                .as_deref()
                .is_none_or(|s| field("state") == Some(s))
            && self
                .outcome
                .as_deref()
                .is_none_or(|o| e.outcome.as_str() == o)
            && self
                .reason_code
                .as_deref()
                .is_none_or(|r| field("reason_code") == Some(r))
            && self.on_behalf_of.as_deref().is_none_or(|p| {
                field("on_behalf_of").is_some_and(|n| n.to_lowercase().contains(&p.to_lowercase()))
            })
    }
}

const PAGE: i64 = 500;

#[derive(Debug, Clone)]
pub struct AuditSearch {
    db: Db,
    keys: crate::field_keys::FieldKeys,
}

impl AuditSearch {
    pub fn new(db: Db, keys: crate::field_keys::FieldKeys) -> Self {
        Self { db, keys }
    }

    async fn page(
        &self,
        scope: TenantScope,
        filter: &AuditFilter,
        before: i64,
    ) -> anyhow::Result<Vec<AuditEntryRow>> {
        let rows = sqlx::query(
            "SELECT canonical, leaf_hash, chain_hash FROM audit_entries \
             WHERE log_id = $1 AND ($2 IS NULL OR action = $2) AND at >= $3 AND at < $4 AND seq < $5 \
             ORDER BY seq DESC LIMIT $6",
        )
        .bind(scope.log_id())
        .bind(filter.action.as_deref())
        .bind(filter.from.unwrap_or(i64::MIN))
        .bind(filter.to.unwrap_or(i64::MAX))
        .bind(before)
        .bind(PAGE)
        .fetch_all(self.db.pool())
        .await
        .context("searching the audit log")?;
        let mut out = rows
            .iter()
            .map(|r| {
                let canonical = str_col(r, "canonical")?;
                Ok(AuditEntryRow {
                    entry: serde_json::from_str(&canonical).context("decoding audit entry")?,
                    canonical,
                    leaf: str_col(r, "leaf_hash")?,
                    chain: str_col(r, "chain_hash")?,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        // Field filters (plate, case) see the opened values.
        for row in &mut out {
            self.keys.open(&mut row.entry).await?;
        }
        Ok(out)
    }

    /// Up to `limit` matching entries, newest first.
    pub async fn search(
        &self,
        scope: TenantScope,
        filter: &AuditFilter,
        limit: usize,
    ) -> anyhow::Result<Vec<AuditEntryRow>> {
        let mut out = Vec::new();
        let mut before = filter.before_seq.unwrap_or(i64::MAX);
        loop {
            let page = self.page(scope, filter, before).await?;
            let Some(last) = page.last() else { break };
            before = last.entry.seq;
            let short = i64::try_from(page.len()).unwrap_or(0) < PAGE;
            out.extend(page.into_iter().filter(|r| filter.matches(&r.entry)));
            if out.len() >= limit || short {
                break;
            }
        }
        out.truncate(limit);
        Ok(out)
    }

    /// The first entry whose search columns (action, outcome, actor, time)
    /// disagree with its hashed canonical bytes: those columns are an index,
    /// so tampering with them alone could hide an entry from a search.
    pub async fn index_mismatch(&self, scope: TenantScope) -> anyhow::Result<Option<i64>> {
        let rows = sqlx::query(
            "SELECT seq, action, outcome, actor_id, at, canonical FROM audit_entries WHERE log_id = $1 ORDER BY seq",
        )
        .bind(scope.log_id())
        .fetch_all(self.db.pool())
        .await
        .context("reading the audit index")?;
        for r in &rows {
            use crate::row::{i64_col, opt_i64_col};
            let seq = i64_col(r, "seq")?;
            let Ok(e) = serde_json::from_str::<Entry>(&str_col(r, "canonical")?) else {
                return Ok(Some(seq));
            };
            let same = e.seq == seq
                && e.action == str_col(r, "action")?
                && e.outcome.as_str() == str_col(r, "outcome")?
                && e.actor.user_id().map(|u| u.0) == opt_i64_col(r, "actor_id")?
                && e.at == i64_col(r, "at")?;
            if !same {
                return Ok(Some(seq));
            }
        }
        Ok(None)
    }

    /// Every matching entry, oldest first (statistics, exports).
    pub async fn all(
        &self,
        scope: TenantScope,
        filter: &AuditFilter,
    ) -> anyhow::Result<Vec<Entry>> {
        let mut rows = self.search(scope, filter, usize::MAX).await?;
        rows.reverse();
        Ok(rows.into_iter().map(|r| r.entry).collect())
    }
}
