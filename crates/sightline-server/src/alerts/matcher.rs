//! The matcher: matches committed reads against the alert lists after the
//! ingest response, so that no source can time its response to learn
//! whether a plate is listed (issue 15).
//!
//! ```text
//! ingest ─► reads + match_queue rows (one transaction) ─► response ─► wake
//! matcher ─► claim queued reads (lease, injected clock) ─► match_reads
//!         ─► hits, inbox, outbox, alert.hit audit ─► queue rows deleted
//! ```
//!
//! A pass runs when ingest wakes the matcher, every [`POLL`] (for reads
//! another node queued and then crashed, once their claim lapses), and at
//! start (for reads a crash left queued).

use super::matching::{Notifier, match_reads};
use sightline_core::read::ReadId;
use sightline_store::Store;
use std::time::Duration as StdDuration;
use time::Duration;
use tokio::sync::Mutex;

/// Reads one claim takes.
const BATCH: i64 = 256;

/// How long a claim holds reads from other nodes' matchers (and from this
/// node's next life, after a crash mid-pass): far longer than matching 256
/// reads takes, short enough that a crash delays their hits by seconds.
const LEASE: Duration = Duration::seconds(15);

/// How often an idle matcher looks for reads anyway (wall clock).
pub const POLL: StdDuration = StdDuration::from_secs(5);

/// One node's matcher: passes run one at a time, so a caller that waits
/// for a pass of its own (see [`Matcher::drain`]) sees everything queued
/// before it matched.
#[derive(Debug, Default)]
pub struct Matcher {
    pass: Mutex<()>,
}

impl Matcher {
    /// Matches every read queued on this node's store until none is left
    /// unclaimed; waits for a pass already running first. Returns how many
    /// reads it matched. Tests call this where they need the hits of what
    /// they ingested; the CLI importer does before it exits.
    pub async fn drain(&self, store: &Store, notifier: &Notifier) -> anyhow::Result<usize> {
        let _one = self.pass.lock().await;
        match_queued(store, notifier).await
    }

    /// Runs forever: a pass at start, then on every wake and every [`POLL`].
    pub async fn run(&self, store: Store, notifier: Notifier) {
        loop {
            if let Err(e) = self.drain(&store, &notifier).await {
                tracing::error!(error = ?e, "matching reads against the alert lists failed");
            }
            let _ = tokio::time::timeout(POLL, notifier.matcher.notified()).await;
        }
    }
}

/// Claims queued reads, matches them and takes them off the queue, until
/// the queue holds none this node may claim.
async fn match_queued(store: &Store, notifier: &Notifier) -> anyhow::Result<usize> {
    let mut done = 0;
    let mut sources = None;
    loop {
        let now = store.clock.now();
        let reads = store.reads.claim_unmatched(BATCH, now, now + LEASE).await?;
        if reads.is_empty() {
            return Ok(done);
        }
        if sources.is_none() {
            sources = Some(store.sources().by_ids().await?);
        }
        let names = sources.as_ref().map_or_else(Default::default, |s| {
            reads
                .iter()
                .map(|r| {
                    s.get(&r.read.source_id)
                        .map_or_else(String::new, |s| s.name.clone())
                })
                .collect::<Vec<_>>()
        });
        let stored = reads
            .iter()
            .zip(&names)
            .map(|(r, name)| (r.id, &r.read, name.as_str()));
        match_reads(store, notifier, stored, now).await?;
        let ids: Vec<ReadId> = reads.iter().map(|r| r.id).collect();
        store.reads.matched(&ids).await?;
        done += ids.len();
    }
}
