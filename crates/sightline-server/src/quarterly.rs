//! The quarterly report's one builder (R5.5), shared by
//! `GET /api/v1/reports/quarterly` and `sightline report quarterly`: the
//! quarter's bounds on the agency's clocks, its statistics (the quarter and
//! each month, counted from the audit log by [`compute_statistics`]), and
//! the signed checkpoint that covers it, as plain data for
//! `sightline_reports::quarterly` to draw.
//!
//! The covering checkpoint is the first signed one whose tree holds every
//! entry written before the period's end. If none does yet, one is signed
//! over the log's head now (`Ledger::checkpoint`, which refuses to sign
//! over tampering); while the quarter runs, the head is signed and the
//! latest checkpoint printed. Callers record `report.quarterly` after
//! rendering and before a byte leaves.

use crate::routes::{Counts, Statistics, compute_statistics};
use sha2::{Digest as _, Sha256};
use sightline_core::clock::to_micros;
use sightline_core::{AgencyId, Quarter, TenantScope, UserId};
use sightline_reports::quarterly::{Breakdown, CheckpointFacts, QuarterlyReport, Tally};
use sightline_store::{CheckpointError, Ledger, Store, StoredCheckpoint};
use std::collections::{BTreeMap, HashSet};
use time::OffsetDateTime;

/// Whose actions a report counts, and who asked for it.
#[derive(Debug, Clone)]
pub struct QuarterlyRequest {
    pub agency: AgencyId,
    pub quarter: Quarter,
    /// `None`: everyone's; otherwise only these users' (an AOR's manager).
    pub actors: Option<HashSet<UserId>>,
    /// In words, for the cover: "The whole agency".
    pub scope: String,
    /// For the cover: "Dana Reyes (a.auditor, auditor), Sightline API".
    pub generated_by: String,
}

#[derive(Debug, thiserror::Error)]
pub enum QuarterlyError {
    /// The quarter has not begun on the agency's clocks.
    #[error("{quarter} has not begun in {zone}: it starts {starts}")]
    NotStarted {
        quarter: Quarter,
        zone: String,
        starts: String,
    },
    #[error("no agency {0}")]
    NoAgency(AgencyId),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// One of the report's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuarterlyFormat {
    Pdf,
    Xlsx,
}

impl QuarterlyFormat {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Xlsx => "xlsx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// A rendered file: its bytes, name and SHA-256 (hex), for the audit entry.
#[derive(Debug, Clone)]
pub struct QuarterlyFile {
    pub bytes: Vec<u8>,
    pub name: String,
    pub sha256: String,
}

pub fn render(report: &QuarterlyReport, format: QuarterlyFormat) -> anyhow::Result<QuarterlyFile> {
    let bytes = match format {
        QuarterlyFormat::Pdf => sightline_reports::quarterly::to_pdf(report)?,
        QuarterlyFormat::Xlsx => sightline_reports::quarterly::to_xlsx(report)?,
    };
    Ok(QuarterlyFile {
        sha256: hex::encode(Sha256::digest(&bytes)),
        name: format!("{}.{}", report.file_stem(), format.extension()),
        bytes,
    })
}

fn tally(c: &Counts) -> Tally {
    Tally {
        searches: c.searches,
        positive_hits: c.positive_hits,
        alert_hits: c.alert_hits,
        notifications_sent: c.notifications_sent,
        alert_entries_added: c.alert_entries_added,
    }
}

/// Most searches first, then by name.
fn rows(map: &BTreeMap<String, Counts>) -> Vec<(String, Tally)> {
    let mut rows: Vec<(String, Tally)> = map.iter().map(|(k, c)| (k.clone(), tally(c))).collect();
    rows.sort_by(|a, b| b.1.searches.cmp(&a.1.searches).then_with(|| a.0.cmp(&b.0)));
    rows
}

fn breakdowns(stats: &Statistics) -> Vec<Breakdown> {
    [
        ("By area of responsibility", "AOR", &stats.by_aor),
        ("By program", "Program", &stats.by_program),
        ("By reason code", "Reason code", &stats.by_reason_code),
        ("By user", "User", &stats.by_user),
        (
            "By whom the search was for",
            "On behalf of",
            &stats.by_on_behalf_of,
        ),
    ]
    .into_iter()
    .map(|(title, column, map)| Breakdown {
        title: title.to_owned(),
        column: column.to_owned(),
        rows: rows(map),
    })
    .collect()
}

/// Signs the log's head if it has unsigned entries; a refusal (tampering)
/// is logged and the report goes on with what was signed before.
async fn sign_head(ledger: &Ledger, scope: TenantScope) -> anyhow::Result<()> {
    match ledger.checkpoint(scope).await {
        Ok(_) => Ok(()),
        Err(CheckpointError::Inconsistent { log, reason }) => {
            tracing::error!(log, reason, "no checkpoint signed for a quarterly report");
            Ok(())
        }
        Err(CheckpointError::Other(e)) => Err(e),
    }
}

/// The checkpoint to print, and the last entry it must cover.
async fn covering(
    ledger: &Ledger,
    scope: TenantScope,
    end: OffsetDateTime,
    complete: bool,
) -> anyhow::Result<(Option<StoredCheckpoint>, u64)> {
    let last = ledger.last_seq_before(scope, to_micros(end)).await?;
    if !complete {
        sign_head(ledger, scope).await?;
        return Ok((ledger.latest_checkpoint(scope).await?, last));
    }
    if let Some(c) = ledger.first_checkpoint_covering(scope, last).await? {
        return Ok((Some(c), last));
    }
    sign_head(ledger, scope).await?;
    let found = match ledger.first_checkpoint_covering(scope, last).await? {
        Some(c) => Some(c),
        None => ledger.latest_checkpoint(scope).await?,
    };
    Ok((found, last))
}

/// The offline check, as the "Verify this log" page names its files.
fn verify_commands(log: &str, checkpoint: Option<&StoredCheckpoint>) -> Vec<String> {
    let slug = log.replace(':', "-");
    let base = format!(
        "sightline audit verify sightline-audit-log-{slug}.jsonl --public-key sightline-{slug}.vkey"
    );
    match checkpoint {
        Some(c) => vec![format!(
            "{base} --trusted-checkpoint sightline-{slug}-checkpoint-{}.txt",
            c.size
        )],
        None => vec![base],
    }
}

/// Builds the report of `req` as of `now`.
pub async fn build(
    store: &Store,
    now: OffsetDateTime,
    req: QuarterlyRequest,
) -> Result<QuarterlyReport, QuarterlyError> {
    let agency = store
        .tenancy()
        .agency(req.agency)
        .await?
        .ok_or(QuarterlyError::NoAgency(req.agency))?;
    let zone = agency.time_zone;
    let (from, to) = zone.bounds(req.quarter);
    if now < from {
        return Err(QuarterlyError::NotStarted {
            quarter: req.quarter,
            zone: zone.name().to_owned(),
            starts: zone.local(from).to_string(),
        });
    }
    let complete = now >= to;
    let count = |a: OffsetDateTime, b: OffsetDateTime| {
        compute_statistics(
            store,
            now,
            req.agency,
            req.actors.clone(),
            to_micros(a),
            to_micros(b),
        )
    };
    let stats = count(from, to).await?;
    let mut months = Vec::new();
    let mut month_starts = Vec::new();
    for (first, next, name) in req.quarter.months() {
        let a = zone.start_of(first);
        let m = count(a, zone.start_of(next)).await?;
        months.push((format!("{name} {}", first.year()), tally(&m.totals)));
        month_starts.push(zone.local(a));
    }
    let scope = TenantScope::Agency(req.agency);
    let ledger = store.ledger();
    let (checkpoint, last_entry) = covering(&ledger, scope, to, complete).await?;
    let key = ledger.public_key(scope).await?;
    let vkey = key.vkey();
    let key_id = vkey.split('+').nth(1).unwrap_or_default().to_owned();
    let log = scope.log_id();
    Ok(QuarterlyReport {
        agency: agency.name,
        quarter: req.quarter,
        time_zone: zone.name().to_owned(),
        period_start: zone.local(from),
        period_end: zone.local(to),
        generated_at: zone.local(now),
        generated_by: req.generated_by,
        scope: req.scope,
        complete,
        verify_commands: verify_commands(&log, checkpoint.as_ref()),
        checkpoint: checkpoint.map(|c| CheckpointFacts {
            tree_size: c.size,
            root_hash: hex::encode(c.root),
            signed_at: zone.local(c.at),
            key_name: key.name().to_owned(),
            key_id,
            vkey,
            note: c.note,
            covers_period: c.size >= last_entry,
        }),
        log,
        last_entry,
        totals: tally(&stats.totals),
        alert_list_size: stats.alert_list_size,
        months,
        month_starts,
        breakdowns: breakdowns(&stats),
    })
}
