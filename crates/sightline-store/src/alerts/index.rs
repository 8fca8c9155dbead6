//! The in-memory match index: (plate, state) → the entries that watch it.
//!
//! Concurrency: one `RwLock` over the whole map. Ingest takes the read lock
//! for a lookup per read; a reload builds the new map outside the lock and
//! swaps it in, so a reload of a million entries blocks ingest only for the
//! swap. Every ingest batch first reads `alert_index_version` (one
//! single-row SELECT) and reloads if it moved, so a change committed on any
//! node matches from the next batch on, well inside the one-second target.
//! Expiry is judged per lookup against the injected clock's "now", so an
//! entry stops matching the instant it expires without any reload.

use super::entries::AlertStore;
use crate::row::{i64_col, str_col};
use anyhow::Context as _;
use sightline_core::AgencyId;
use sightline_core::alert::is_active;
use sightline_core::clock::from_micros;
use std::collections::HashMap;
use std::sync::RwLock;
use time::OffsetDateTime;

use super::entries::EntryId;

#[derive(Debug, Clone, Copy)]
struct Watch {
    entry: EntryId,
    agency: AgencyId,
    expires_at: OffsetDateTime,
}

#[derive(Debug, Default)]
struct Snapshot {
    version: i64,
    by_plate: HashMap<(String, String), Vec<Watch>>,
    entries: usize,
}

#[derive(Debug, Default)]
pub struct AlertIndex {
    snapshot: RwLock<Snapshot>,
    // Serialises reloads so two callers never both scan the table.
    reloading: tokio::sync::Mutex<()>,
}

impl AlertIndex {
    /// The number of entries indexed (active or in grace).
    pub fn len(&self) -> usize {
        self.snapshot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .entries
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entries, of any agency, that match a read of `plate` in `state` at `now`.
    pub fn matches(
        &self,
        plate: &str,
        state: &str,
        now: OffsetDateTime,
    ) -> Vec<(EntryId, AgencyId)> {
        let snap = self.snapshot.read().unwrap_or_else(|e| e.into_inner());
        snap.by_plate
            .get(&(plate.to_owned(), state.to_owned()))
            .map(|ws| {
                ws.iter()
                    .filter(|w| is_active(w.expires_at, now))
                    .map(|w| (w.entry, w.agency))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Reloads if any writer, on any node, changed the entries since the
    /// last load.
    pub async fn refresh_if_stale(&self, store: &AlertStore) -> anyhow::Result<()> {
        let current = store.index_version().await?;
        let loaded = self
            .snapshot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .version;
        if current != loaded {
            self.reload(store).await?;
        }
        Ok(())
    }

    /// Loads every entry afresh.
    pub async fn reload(&self, store: &AlertStore) -> anyhow::Result<()> {
        let _one = self.reloading.lock().await;
        let version = store.index_version().await?;
        let rows =
            sqlx::query("SELECT id, agency_id, plate, jurisdiction, expires_at FROM alert_entries")
                .fetch_all(store.db().pool())
                .await
                .context("loading the alert index")?;
        let mut by_plate: HashMap<(String, String), Vec<Watch>> = HashMap::new();
        for r in &rows {
            by_plate
                .entry((str_col(r, "plate")?, str_col(r, "jurisdiction")?))
                .or_default()
                .push(Watch {
                    entry: EntryId(i64_col(r, "id")?),
                    agency: AgencyId(i64_col(r, "agency_id")?),
                    expires_at: from_micros(i64_col(r, "expires_at")?),
                });
        }
        let fresh = Snapshot {
            version,
            by_plate,
            entries: rows.len(),
        };
        *self.snapshot.write().unwrap_or_else(|e| e.into_inner()) = fresh;
        Ok(())
    }
}
