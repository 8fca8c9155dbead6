//! The lifecycle pass (R4.7), called every minute by `sightline serve` and
//! directly by tests after they move the clock.

use super::matching::Notifier;
use sightline_audit::{Actor, EntryDraft, Outcome};
use sightline_core::TenantScope;
use sightline_store::{AlertEntry, LifecycleReport, Store};
use time::OffsetDateTime;

fn audit(action: &'static str, e: &AlertEntry) -> EntryDraft {
    EntryDraft::new(
        TenantScope::Agency(e.agency_id),
        Actor::System,
        action,
        Outcome::Success,
    )
    .field("entry_id", e.id.0)
    .field("list_id", e.list_id.0)
    .field("owner_id", e.owner_id.0)
    .field("plate", e.entry.plate.as_str())
    .field("state", e.entry.jurisdiction.code())
    .field("reason_code", e.entry.reason_code.as_str())
    .field("note", e.entry.note.as_str())
}

/// Prompts, expires and removes entries as of `now`, and audits each step.
pub async fn run_lifecycle(
    store: &Store,
    notifier: &Notifier,
    now: OffsetDateTime,
) -> anyhow::Result<LifecycleReport> {
    let report = store.alerts().run_lifecycle(now).await?;
    for e in &report.prompted {
        store
            .ledger()
            .append(audit("alert.entry.renewal_prompt", e))
            .await?;
    }
    for e in &report.expired {
        store
            .ledger()
            .append(audit("alert.entry.expired", e))
            .await?;
    }
    for e in &report.removed {
        store
            .ledger()
            .append(audit("alert.entry.removed", e))
            .await?;
    }
    if !report.removed.is_empty() || !report.expired.is_empty() {
        store.alert_index.refresh_if_stale(&store.alerts()).await?;
    }
    if !report.prompted.is_empty() {
        notifier.wake.notify_one();
    }
    Ok(report)
}
