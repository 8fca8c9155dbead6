//! Matching on ingest (R4.1, R4.5).
//!
//! Runs after the batch's reads commit, before the ingest response is sent:
//! the index names the matching entries, and the hits' inbox rows and
//! outbox emails commit in one transaction. Crash safety: if the process
//! dies between the two commits, the batch was never acknowledged, so the
//! source sends it again; the reads come back as duplicates, which are
//! matched too, and the UNIQUE keys on notifications and outbox rows make
//! the second pass add exactly what the first one lost.

use sightline_audit::{Actor, EntryDraft, Outcome};
use sightline_core::{AgencyId, NewRead, TenantScope};
use sightline_store::{Hit, HitRead, InsertOutcome, Notification, SourceRecord, Store};
use std::collections::BTreeMap;
use std::sync::Arc;
use time::OffsetDateTime;
use tokio::sync::Notify;

/// What matching needs besides the store: where links point, and whom to
/// wake when mail is queued.
#[derive(Debug, Clone, Default)]
pub struct Notifier {
    pub public_base_url: String,
    pub wake: Arc<Notify>,
}

/// Matches a stored batch and records its hits. Returns the notifications
/// created (none for a batch already matched).
pub async fn match_batch(
    store: &Store,
    notifier: &Notifier,
    source: &SourceRecord,
    reads: &[NewRead],
    outcomes: &[InsertOutcome],
    now: OffsetDateTime,
) -> anyhow::Result<Vec<Notification>> {
    let alerts = store.alerts();
    store.alert_index.refresh_if_stale(&alerts).await?;
    if store.alert_index.is_empty() {
        return Ok(Vec::new());
    }
    let mut hits = Vec::new();
    for (read, outcome) in reads.iter().zip(outcomes) {
        let (InsertOutcome::Inserted(id) | InsertOutcome::Duplicate(id)) = *outcome;
        for (entry, _agency) in
            store
                .alert_index
                .matches(read.plate.as_str(), read.jurisdiction.code(), now)
        {
            hits.push(Hit {
                entry,
                read: HitRead {
                    id,
                    plate: read.plate.as_str().to_owned(),
                    state: read.jurisdiction.code().to_owned(),
                    captured_at: read.captured_at,
                    place: format!(
                        "{} ({}), {:.5}, {:.5}",
                        read.nearest_address.as_str(),
                        read.nearest_intersection.as_str(),
                        read.location.lat(),
                        read.location.lon()
                    ),
                    source: source.name.clone(),
                },
            });
        }
    }
    if hits.is_empty() {
        return Ok(Vec::new());
    }
    let created = alerts
        .record_hits(&hits, &notifier.public_base_url, now)
        .await?;
    if !created.is_empty() {
        notifier.wake.notify_one();
    }
    // One audit entry per (read, entry), naming every recipient.
    let mut groups: BTreeMap<(i64, i64, i64), Vec<i64>> = BTreeMap::new();
    for n in &created {
        groups
            .entry((n.agency_id.0, n.ref_id, n.entry_id))
            .or_default()
            .push(n.recipient_id.0);
    }
    for ((agency, read_id, entry_id), recipients) in groups {
        store
            .ledger()
            .append(
                EntryDraft::new(
                    TenantScope::Agency(AgencyId(agency)),
                    Actor::System,
                    "alert.hit",
                    Outcome::Success,
                )
                .field("entry_id", entry_id)
                .field("read_id", read_id)
                .field("recipient_ids", recipients),
            )
            .await?;
    }
    Ok(created)
}
