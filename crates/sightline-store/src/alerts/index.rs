//! The in-memory match index: (plate, state) → the entries that watch it.
//!
//! Concurrency: one `RwLock` over the whole map. Ingest takes the read lock
//! for a lookup per read; a reload builds the new map outside the lock and
//! swaps it in, so a reload of a million entries blocks ingest only for the
//! swap. Every ingest batch first reads `alert_index_version` (one
//! single-row SELECT); if it moved, only the entries changed since
//! (`changed_version` > loaded) and the ids removed since
//! (`alert_entry_removals`) are fetched and applied. Versions are handed out
//! in commit order (see the migration), so nothing committed is skipped, and
//! a change committed on any node matches from the next batch on.
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

type Key = (String, String);

#[derive(Debug, Default)]
struct Snapshot {
    version: i64,
    by_plate: HashMap<Key, Vec<Watch>>,
    by_id: HashMap<EntryId, Key>,
}

impl Snapshot {
    fn remove(&mut self, id: EntryId) {
        if let Some(key) = self.by_id.remove(&id)
            && let Some(ws) = self.by_plate.get_mut(&key)
        {
            ws.retain(|w| w.entry != id);
            if ws.is_empty() {
                self.by_plate.remove(&key);
            }
        }
    }

    fn upsert(&mut self, key: Key, w: Watch) {
        self.remove(w.entry);
        self.by_id.insert(w.entry, key.clone());
        self.by_plate.entry(key).or_default().push(w);
    }
}

fn watch_from(r: &sqlx::any::AnyRow) -> anyhow::Result<(Key, Watch)> {
    Ok((
        (str_col(r, "plate")?, str_col(r, "jurisdiction")?),
        Watch {
            entry: EntryId(i64_col(r, "id")?),
            agency: AgencyId(i64_col(r, "agency_id")?),
            expires_at: from_micros(i64_col(r, "expires_at")?),
        },
    ))
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
            .by_id
            .len()
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

    /// Applies every change committed, by any node, since the last load.
    pub async fn refresh_if_stale(&self, store: &AlertStore) -> anyhow::Result<()> {
        let current = store.index_version().await?;
        let loaded = self
            .snapshot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .version;
        if current == loaded {
            return Ok(());
        }
        if current < loaded {
            return self.reload(store).await;
        }
        let _one = self.reloading.lock().await;
        let removed = sqlx::query("SELECT entry_id FROM alert_entry_removals WHERE version > $1")
            .bind(loaded)
            .fetch_all(store.db().pool())
            .await
            .context("reading removed alert entries")?;
        let changed = sqlx::query(
            "SELECT id, agency_id, plate, jurisdiction, expires_at FROM alert_entries WHERE changed_version > $1",
        )
        .bind(loaded)
        .fetch_all(store.db().pool())
        .await
        .context("reading changed alert entries")?;
        let changed = changed
            .iter()
            .map(watch_from)
            .collect::<anyhow::Result<Vec<_>>>()?;
        let mut snap = self.snapshot.write().unwrap_or_else(|e| e.into_inner());
        for r in &removed {
            snap.remove(EntryId(i64_col(r, "entry_id")?));
        }
        for (key, w) in changed {
            snap.upsert(key, w);
        }
        // Rows newer than `current` may have been applied too; fetching
        // them again next time is harmless.
        snap.version = snap.version.max(current);
        Ok(())
    }

    /// Loads every entry afresh (at start-up).
    pub async fn reload(&self, store: &AlertStore) -> anyhow::Result<()> {
        let _one = self.reloading.lock().await;
        let version = store.index_version().await?;
        let rows =
            sqlx::query("SELECT id, agency_id, plate, jurisdiction, expires_at FROM alert_entries")
                .fetch_all(store.db().pool())
                .await
                .context("loading the alert index")?;
        let mut fresh = Snapshot {
            version,
            ..Snapshot::default()
        };
        for r in &rows {
            let (key, w) = watch_from(r)?;
            fresh.upsert(key, w);
        }
        *self.snapshot.write().unwrap_or_else(|e| e.into_inner()) = fresh;
        Ok(())
    }
}
