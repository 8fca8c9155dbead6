//! The outbox sender: claims due messages, sends them, marks them sent or
//! schedules a retry with exponential backoff. Due-ness and backoff read
//! the injected clock; only the idle poll interval is wall-clock.

use super::mailer::Mailer;
use sightline_audit::{Actor, EntryDraft, Outcome};
use sightline_core::TenantScope;
use sightline_store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// How many messages one claim takes. They are sent one after another, so
/// `BATCH` × the SMTP timeout must stay well inside the claim's lease, or
/// another node could re-claim a message still waiting its turn here.
const BATCH: i64 = 8;
/// How often an idle sender looks for due messages (new mail wakes it at once).
const IDLE_POLL: Duration = Duration::from_millis(200);

/// One pass: sends every due message. Returns how many were accepted.
pub async fn deliver_due(store: &Store, mailer: &Mailer, domain: &str) -> anyhow::Result<usize> {
    let outbox = store.outbox();
    let mut sent = 0;
    loop {
        let batch = outbox.claim(store.clock.now(), BATCH).await?;
        if batch.is_empty() {
            return Ok(sent);
        }
        for mail in &batch {
            match mailer.send(mail, domain).await {
                Ok(()) => {
                    // The at-least-once window: keep it to this one UPDATE.
                    outbox.mark_sent(mail.id, store.clock.now()).await?;
                    sent += 1;
                    let scope = mail
                        .agency_id
                        .map_or(TenantScope::Operator, TenantScope::Agency);
                    store
                        .ledger()
                        .append(
                            EntryDraft::new(
                                scope,
                                Actor::System,
                                "notification.sent",
                                Outcome::Success,
                            )
                            .field("recipient", mail.recipient.as_str())
                            .field("key", mail.dedupe_key.as_str())
                            .field("subject", mail.subject.as_str()),
                        )
                        .await?;
                }
                Err(e) => {
                    tracing::warn!(key = %mail.dedupe_key, error = %format!("{e:#}"), "email not sent; will retry");
                    outbox
                        .mark_failed(mail, &format!("{e:#}"), store.clock.now())
                        .await?;
                }
            }
        }
        if batch.len() < usize::try_from(BATCH).unwrap_or(usize::MAX) {
            return Ok(sent);
        }
    }
}

/// Runs forever: delivers due mail whenever woken or every [`IDLE_POLL`].
pub async fn run_sender(store: Store, mailer: Mailer, domain: String, wake: Arc<Notify>) {
    loop {
        if let Err(e) = deliver_due(&store, &mailer, &domain).await {
            tracing::error!(error = ?e, "outbox sender failed");
        }
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(IDLE_POLL) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claimed_batch_is_sent_well_within_its_lease() {
        let worst =
            BATCH * i64::try_from(super::super::mailer::SMTP_TIMEOUT.as_secs()).unwrap_or(i64::MAX);
        assert!(
            worst * 2 <= sightline_store::LEASE.whole_seconds(),
            "{worst}"
        );
    }
}
