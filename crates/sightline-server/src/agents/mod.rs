//! OpenALPR / Rekor agents that send metadata only (issue 17): their photos
//! are fetched from the image service the operator registered for the
//! source, and the read waits, durably and out of sight, until both are
//! stored (R1.2).
//!
//! ```text
//! ingest ─► pending_photos row (due after the inline try's lease)
//!        └► inline try ─► both photos? ─► read insert (queued for the matcher) ─► row deleted
//!                        └► no: attempts+1, next try after `backoff` (injected clock)
//! worker ─► claim due rows (lease) ─► same try ─► after `max_attempts`: refused,
//!           in the operator's log with the reason
//! worker ─► sources silent longer than `silent_after` ─► `source.silent` notice
//! ```
//!
//! Exactly once: the read insert is idempotent per source and read id and
//! only the reads it inserted are queued for the matcher; the row goes
//! after the insert, so a crash in between only makes the next try meet a duplicate.

mod client;

pub use client::{AgentClient, FetchError, Timeouts};

use crate::alerts::Notifier;
use crate::metrics::{Metrics, OutcomeLabel};
use anyhow::Context as _;
use sightline_audit::{Actor, EntryDraft, Outcome};
use sightline_core::TenantScope;
use sightline_core::read::{BlobId, ReadId};
use sightline_store::{
    AgentFetch, AgentService, InsertOutcome, PendingRead, PhotoSlot, SourceRecord, Store,
    StreamState,
};
use std::sync::Arc;
use std::time::Duration as StdDuration;
use time::{Duration, OffsetDateTime};

/// How the photo fetcher behaves. `sightline serve` takes these from its
/// settings; the defaults suit agents on a LAN.
#[derive(Debug, Clone, Copy)]
pub struct AgentSettings {
    pub timeouts: Timeouts,
    /// Failed tries after which a pending read is refused.
    pub max_attempts: i64,
    /// How long a source whose agent sends heartbeats may stay silent
    /// before the operator is told.
    pub silent_after: Duration,
}

impl Default for AgentSettings {
    fn default() -> Self {
        Self {
            timeouts: Timeouts {
                connect: StdDuration::from_secs(3),
                read: StdDuration::from_secs(5),
            },
            max_attempts: 12,
            silent_after: Duration::minutes(10),
        }
    }
}

/// The fetcher's settings and client, shared by ingest and the worker.
#[derive(Debug, Clone)]
pub struct AgentRuntime(Arc<(AgentSettings, Option<AgentClient>)>);

impl AgentRuntime {
    /// A client that failed to build (it has no TLS to set up, so this is
    /// not expected) leaves every fetch failing, and so retried, not lost.
    pub fn new(settings: AgentSettings) -> Self {
        let client = AgentClient::new(settings.timeouts)
            .inspect_err(|e| tracing::error!(error = ?e, "the agent HTTP client failed to build"))
            .ok();
        Self(Arc::new((settings, client)))
    }

    pub fn settings(&self) -> &AgentSettings {
        &self.0.0
    }

    async fn fetch(
        &self,
        service: &AgentService,
        what: &AgentFetch,
    ) -> Result<Vec<u8>, FetchError> {
        match &self.0.1 {
            Some(c) => c.fetch(service, what).await,
            None => Err(FetchError::Unreachable(
                "the HTTP client is unavailable".to_owned(),
            )),
        }
    }
}

/// How long one try holds a pending read before another node may take it:
/// two fetches at their longest, with room to spare.
pub fn lease(s: &AgentSettings) -> Duration {
    let one = s.timeouts.connect + s.timeouts.read * 4;
    Duration::try_from(one * 3).unwrap_or(Duration::minutes(5))
}

/// What one try made of a pending read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Advance {
    /// Both photos stored; the read is in the store (or already was), and
    /// queued for the matcher if new.
    Stored { outcome: InsertOutcome },
    /// Still waiting; `reason` says why.
    Waiting { reason: String },
    /// Given up after the limit; the read is not stored.
    Refused { reason: String },
}

/// What the worker and ingest need to advance pending reads.
#[derive(Debug, Clone, Copy)]
pub struct Deps<'a> {
    pub store: &'a Store,
    pub metrics: &'a Metrics,
    pub notifier: &'a Notifier,
    pub runtime: &'a AgentRuntime,
}

/// Appends a system entry about `source` to the operator's log: its id and
/// name, then `fields`.
async fn log_source(
    store: &Store,
    action: &'static str,
    outcome: Outcome,
    (id, name): (i64, &str),
    fields: &[(&str, serde_json::Value)],
) -> anyhow::Result<()> {
    let mut d = EntryDraft::new(TenantScope::Operator, Actor::System, action, outcome)
        .field("source_id", id)
        .field("source", name);
    for (k, v) in fields {
        d = d.field(k, v.clone());
    }
    store.ledger().append(d).await.map_err(|e| e.0)?;
    Ok(())
}

pub(crate) async fn put_blob(
    store: &Store,
    bytes: impl AsRef<[u8]> + Send + 'static,
) -> anyhow::Result<BlobId> {
    let blobs = store.blobs.clone();
    tokio::task::spawn_blocking(move || -> anyhow::Result<BlobId> {
        let id = blobs.put_unsynced(bytes.as_ref())?;
        blobs.flush()?;
        Ok(id)
    })
    .await
    .context("storing a fetched photo")?
}

/// Fetches what `p` still lacks, stores it, and when both photos are there
/// stores the read (queued for the matcher). On failure the
/// next try is scheduled with backoff; after `max_attempts` failed tries the
/// read is refused and the refusal logged in the operator's log.
pub async fn advance(
    d: Deps<'_>,
    source: &SourceRecord,
    service: Option<&AgentService>,
    mut p: PendingRead,
    now: OffsetDateTime,
) -> anyhow::Result<Advance> {
    // A read may not outlive its jurisdiction's retention (New Hampshire:
    // 3 minutes), nor be matched against alert lists after it, however long
    // its photos took.
    let policy = d.store.policies().get(p.body.collected_in).await?;
    if !policy.collection_allowed || p.body.captured_at < now - policy.retention() {
        let reason = format!(
            "retention_expired: {} allows keeping it for {} s, and it waited longer for its photos",
            p.body.collected_in.name(),
            policy.retention_secs
        );
        let attempts = p.attempts;
        return refuse(d, source, &p, attempts, reason).await;
    }
    let mut reason = None;
    let wanted: [(PhotoSlot, Option<AgentFetch>); 2] = [
        (PhotoSlot::Vehicle, p.body.vehicle_fetch.clone()),
        (PhotoSlot::Plate, p.body.plate_fetch.clone()),
    ];
    for (slot, fetch) in wanted {
        let have = match slot {
            PhotoSlot::Vehicle => &mut p.vehicle_photo,
            PhotoSlot::Plate => &mut p.plate_photo,
        };
        if have.is_some() {
            continue;
        }
        let (Some(service), Some(fetch)) = (service, fetch) else {
            reason = Some("no agent image service is registered for the source".to_owned());
            continue;
        };
        match d.runtime.fetch(service, &fetch).await {
            Ok(bytes) => {
                let blob = put_blob(d.store, bytes).await?;
                d.store.agents().save_photo(p.id, slot, &blob).await?;
                *have = Some(blob);
            }
            Err(e) => {
                let what = match slot {
                    PhotoSlot::Vehicle => "vehicle photo",
                    PhotoSlot::Plate => "plate crop",
                };
                tracing::info!(source = source.id.0, read = p.source_read_id.as_str(), error = %e, "agent photo not fetched");
                reason.get_or_insert(format!("{what}: {e}"));
                if matches!(e, FetchError::Unreachable(_)) {
                    // The agent is down or hanging: the other photo would
                    // only wait out the same timeout.
                    break;
                }
            }
        }
    }
    if let Some(read) = p.to_read() {
        let reads = [read];
        let outcomes = d.store.reads.insert_batch(&reads, now).await?;
        d.store.agents().remove(p.id).await?;
        d.notifier.matcher.notify_one();
        let outcome = outcomes
            .first()
            .copied()
            .unwrap_or(InsertOutcome::Duplicate(ReadId(0)));
        return Ok(Advance::Stored { outcome });
    }
    let reason = reason.unwrap_or_else(|| "a photo is missing".to_owned());
    let attempts = p.attempts + 1;
    if attempts >= d.runtime.settings().max_attempts {
        return refuse(d, source, &p, attempts, reason).await;
    }
    let next = now + sightline_store::backoff(attempts - 1);
    d.store.agents().failed(p.id, &reason, next).await?;
    Ok(Advance::Waiting { reason })
}

/// Gives a pending read up: logged in the operator's log with the reason,
/// its row deleted, counted as `refused`.
async fn refuse(
    d: Deps<'_>,
    source: &SourceRecord,
    p: &PendingRead,
    attempts: i64,
    reason: String,
) -> anyhow::Result<Advance> {
    log_source(
        d.store,
        "ingest.read_refused",
        Outcome::Refused,
        (source.id.0, &source.name),
        &[
            ("source_read_id", p.source_read_id.as_str().into()),
            ("attempts", attempts.into()),
            ("reason", reason.as_str().into()),
        ],
    )
    .await?;
    d.store.agents().remove(p.id).await?;
    d.metrics
        .reads_ingested
        .get_or_create(&OutcomeLabel { outcome: "refused" })
        .inc();
    Ok(Advance::Refused { reason })
}

/// How many pending reads one pass claims at a time.
const BATCH: i64 = 16;

/// What one worker pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassReport {
    pub stored: usize,
    pub waiting: usize,
    pub refused: usize,
}

/// One pass over the pending reads due now.
pub async fn retry_due(d: Deps<'_>) -> anyhow::Result<PassReport> {
    let mut report = PassReport::default();
    let sources = d.store.sources().by_ids().await?;
    loop {
        let now = d.store.clock.now();
        let batch = d
            .store
            .agents()
            .claim_due(now, lease(d.runtime.settings()), BATCH)
            .await?;
        let n = batch.len();
        for p in batch {
            let Some(source) = sources.get(&p.source_id) else {
                continue;
            };
            let service = d.store.agents().service(source.id).await?;
            match advance(d, source, service.as_ref(), p, now).await? {
                Advance::Stored { outcome } => {
                    report.stored += 1;
                    log_stored(d.store, source, outcome).await?;
                }
                Advance::Waiting { .. } => report.waiting += 1,
                Advance::Refused { .. } => report.refused += 1,
            }
        }
        if n < usize::try_from(BATCH).unwrap_or(usize::MAX) {
            return Ok(report);
        }
    }
}

/// A read the worker completed is logged like an ingest batch of one.
async fn log_stored(
    store: &Store,
    source: &SourceRecord,
    outcome: InsertOutcome,
) -> anyhow::Result<()> {
    let (accepted, duplicates) = match outcome {
        InsertOutcome::Inserted(_) => (1, 0),
        InsertOutcome::Duplicate(_) => (0, 1),
    };
    log_source(
        store,
        "ingest.batch",
        Outcome::Success,
        (source.id.0, &source.name),
        &[
            ("format", "agent_photos".into()),
            ("accepted", accepted.into()),
            ("duplicates", duplicates.into()),
            ("rejected", 0.into()),
        ],
    )
    .await
}

/// Tells the operator of every source whose agent has sent no heartbeat for
/// longer than `silent_after`, once per silence (`source.silent` in the
/// operator's log; the console shows it on the source). Returns how many.
pub async fn notice_silent(store: &Store, settings: &AgentSettings) -> anyhow::Result<usize> {
    let now = store.clock.now();
    let silent = store
        .agents()
        .mark_silent(now - settings.silent_after, now)
        .await?;
    let sources = store.sources().by_ids().await?;
    for h in &silent {
        let name = sources.get(&h.source_id).map_or("", |s| s.name.as_str());
        let last_seen = h
            .last_seen_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        log_source(
            store,
            "source.silent",
            Outcome::Failed,
            (h.source_id.0, name),
            &[
                ("last_seen_at", last_seen.into()),
                (
                    "silent_minutes",
                    settings.silent_after.whole_minutes().into(),
                ),
            ],
        )
        .await?;
        tracing::warn!(source = h.source_id.0, "source silent");
    }
    Ok(silent.len())
}

/// Records an agent's heartbeat as its source's health. A source that had
/// been noticed silent is logged as heard again.
pub async fn record_heartbeat(
    store: &Store,
    source: &SourceRecord,
    hb: &sightline_ingest::Heartbeat,
    now: OffsetDateTime,
) -> anyhow::Result<crate::dto::HeartbeatAck> {
    let streams: Vec<StreamState> = hb
        .streams
        .iter()
        .map(|s| StreamState {
            camera_id: s.camera_id.clone(),
            camera_name: s.camera_name.clone(),
            is_streaming: s.is_streaming,
            fps: s.fps,
        })
        .collect();
    let was_silent = store
        .agents()
        .record_heartbeat(
            source.id,
            hb.agent_uid.as_deref(),
            hb.hostname.as_deref(),
            &streams,
            now,
        )
        .await?;
    if was_silent.is_some() {
        log_source(
            store,
            "source.heard_again",
            Outcome::Success,
            (source.id.0, &source.name),
            &[],
        )
        .await?;
    }
    Ok(crate::dto::HeartbeatAck {
        cameras: streams.len(),
        streaming: streams.iter().filter(|s| s.is_streaming).count(),
    })
}

/// How often the worker looks for due reads and silent sources (wall
/// clock; what is due reads the injected clock).
const POLL: StdDuration = StdDuration::from_secs(5);

/// Runs forever: retries due pending reads and notices silent sources.
pub async fn run_worker(store: Store, metrics: Metrics, notifier: Notifier, runtime: AgentRuntime) {
    loop {
        let d = Deps {
            store: &store,
            metrics: &metrics,
            notifier: &notifier,
            runtime: &runtime,
        };
        if let Err(e) = retry_due(d).await {
            tracing::error!(error = ?e, "retrying agent photos failed");
        }
        if let Err(e) = notice_silent(&store, runtime.settings()).await {
            tracing::error!(error = ?e, "checking source heartbeats failed");
        }
        tokio::time::sleep(POLL).await;
    }
}
