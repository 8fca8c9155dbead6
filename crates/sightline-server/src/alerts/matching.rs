//! Matching on ingest (R4.1, R4.5).
//!
//! Runs after the ingest response, never before it (issue 15: how long the
//! response takes must not tell a source whether a plate is listed). Each
//! inserted read is queued for matching in its insert's own transaction
//! (`match_queue`); the matcher ([`super::matcher`]) claims queued reads,
//! the index names the matching entries, and the hits' inbox rows and
//! outbox emails commit in one transaction before the reads leave the
//! queue. Crash safety: a crash before that leaves the reads queued, and the
//! next pass (at start, or on any node once the claim lapses) matches them
//! again; the UNIQUE keys on notifications and outbox rows make the second
//! pass add exactly what the first one lost.

use sightline_audit::{Actor, EntryDraft, Outcome};
use sightline_core::read::ReadId;
use sightline_core::{AgencyId, NewRead, TenantScope};
use sightline_store::{Hit, HitRead, InsertOutcome, Notification, SourceRecord, Store};
use std::collections::BTreeMap;
use std::sync::Arc;
use time::OffsetDateTime;
use tokio::sync::Notify;

/// What matching needs besides the store: where links point, whom to wake
/// when mail is queued, and the matcher to wake when reads are queued.
#[derive(Debug, Clone, Default)]
pub struct Notifier {
    pub public_base_url: String,
    pub wake: Arc<Notify>,
    /// Woken by ingest once a batch's reads are committed.
    pub matcher: Arc<Notify>,
}

/// Matches a stored batch from one source and records its hits. Returns
/// the notifications created (none for a batch already matched). The
/// matcher and the benchmark call this; ingest only queues.
pub async fn match_batch(
    store: &Store,
    notifier: &Notifier,
    source: &SourceRecord,
    reads: &[NewRead],
    outcomes: &[InsertOutcome],
    now: OffsetDateTime,
) -> anyhow::Result<Vec<Notification>> {
    let stored = reads.iter().zip(outcomes).map(|(read, outcome)| {
        let (InsertOutcome::Inserted(id) | InsertOutcome::Duplicate(id)) = *outcome;
        (id, read, source.name.as_str())
    });
    match_reads(store, notifier, stored, now).await
}

/// Matches stored reads, each with its id and its source's name, and
/// records their hits.
pub async fn match_reads<'a>(
    store: &Store,
    notifier: &Notifier,
    reads: impl Iterator<Item = (ReadId, &'a NewRead, &'a str)>,
    now: OffsetDateTime,
) -> anyhow::Result<Vec<Notification>> {
    let alerts = store.alerts();
    store.alert_index.refresh_if_stale(&alerts).await?;
    if store.alert_index.is_empty() {
        return Ok(Vec::new());
    }
    let mut hits = Vec::new();
    for (id, read, source) in reads {
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
                    source: source.to_owned(),
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
