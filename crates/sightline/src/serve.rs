//! `sightline serve`: the API plus the background jobs that read the clock.

use crate::settings::Settings;
use anyhow::Context as _;
use sightline_audit::{Actor, EntryDraft, Outcome};
use sightline_core::{Clock, SystemClock, TenantScope};
use sightline_server::AppState;
use sightline_store::Store;
use std::sync::Arc;
use std::time::Duration;

pub async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    Store::open(&settings.store_config(), clock).await
}

/// Deletes reads past their jurisdiction's retention limit, and logs it.
pub async fn purge_once(store: &Store) -> anyhow::Result<u64> {
    let policies = store.policies().all().await?;
    let purged = store
        .reads
        .purge_expired(&policies, store.clock.now())
        .await?;
    if purged > 0 {
        store
            .ledger()
            .append(
                EntryDraft::new(
                    TenantScope::Operator,
                    Actor::System,
                    "reads.retention_purge",
                    Outcome::Success,
                )
                .field("purged", purged),
            )
            .await?;
    }
    Ok(purged)
}

/// Audit records are kept seven years (R5.6): the data keys of months that
/// ended more than seven years ago are destroyed, which shreds their
/// sensitive fields (so nothing is kept past seven years and a month).
/// Returns the keys destroyed.
pub async fn shred_expired_audit_keys(store: &Store) -> anyhow::Result<u64> {
    let now = store.clock.now();
    let before_year = sightline_store::key_period(now - time::Duration::days(7 * 365 + 2));
    let mut total = 0;
    for agency in store.tenancy().agencies().await? {
        let n = store
            .ledger()
            .field_keys()
            .shred(agency.id, Some(before_year), now)
            .await?;
        if n > 0 {
            store
                .ledger()
                .append(
                    EntryDraft::new(
                        TenantScope::Agency(agency.id),
                        Actor::System,
                        "audit.retention_shred",
                        Outcome::Success,
                    )
                    .field("before_year", before_year)
                    .field("keys", n),
                )
                .await?;
        }
        total += n;
    }
    Ok(total)
}

/// Serves `store` on the configured address until Ctrl-C or SIGTERM.
pub async fn serve_store(settings: &Settings, store: Store) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("listening on {}", settings.listen))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "sightline listening");
    println!(
        "Sightline is listening on http://{addr}/  (web app: /, health: /healthz, API description: /openapi.json)"
    );
    let purge_store = store.clone();
    let shred_store = store.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3_600));
        loop {
            tick.tick().await;
            if let Err(e) = shred_expired_audit_keys(&shred_store).await {
                tracing::error!(error = ?e, "audit retention failed");
            }
        }
    });
    // Retention is enforced every minute: New Hampshire allows 3 minutes.
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            match purge_once(&purge_store).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(purged = n, "retention purge"),
                Err(e) => tracing::error!(error = ?e, "retention purge failed"),
            }
        }
    });
    let ledger = store.ledger();
    // Every log with new entries gets a signed checkpoint within 10 s.
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(sightline_store::CHECKPOINT_GAP);
        loop {
            tick.tick().await;
            if let Err(e) = ledger.checkpoint_due().await {
                tracing::error!(error = ?e, "audit checkpointing failed");
            }
        }
    });
    let maps = sightline_maps::MapLayers::from_config(&settings.map_config())
        .context("configuring the map tiles")?;
    let state = AppState::with_mail(store, settings.mail())
        .with_http(settings.http()?)
        .with_maps(std::sync::Arc::new(maps))
        .with_agents(settings.agents())
        .with_ocr(settings.ocr())
        .with_ingest_limits(settings.ingest_limits());
    // Photos OpenALPR agents did not send are fetched and retried; silent
    // agents are noticed.
    state.spawn_agent_worker();
    // Reads are matched against the alert lists after the ingest response.
    state.spawn_matcher();
    if state.spawn_sender()?.is_none() {
        tracing::warn!("no smtp_url or mail_dir configured: email stays queued in the outbox");
    }
    let life = state.clone();
    // Alert entries are prompted, expired and removed on the minute.
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(e) =
                sightline_server::alerts::run_lifecycle(life.store(), life.notifier(), life.now())
                    .await
            {
                tracing::error!(error = ?e, "alert lifecycle failed");
            }
        }
    });
    let watch = state.clone();
    // Every agency's audit log is re-verified every five minutes; a failure
    // is an incident for its security contacts (R5.7).
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(300));
        loop {
            tick.tick().await;
            match sightline_server::incidents::verify_logs(&watch).await {
                Ok(0) => {}
                Ok(n) => tracing::error!(failures = n, "audit log verification failed"),
                Err(e) => tracing::error!(error = ?e, "audit log verification could not run"),
            }
        }
    });
    sightline_server::serve(listener, state, shutdown_signal())
        .await
        .context("serving HTTP")
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

pub async fn run(settings: &Settings) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    serve_store(settings, store).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use sightline_core::ManualClock;
    use sightline_store::StoreConfig;
    use time::macros::datetime;

    #[tokio::test]
    async fn audit_fields_are_shredded_seven_years_and_a_month_on() {
        let dir = tempfile::tempdir().unwrap();
        let clock = ManualClock::new(datetime!(2026-03-15 12:00 UTC));
        let config = StoreConfig {
            data_dir: dir.path().to_owned(),
            database_url: None,
            audit_master_key: Some(sightline_store::generate_master_key().unwrap().into()),
            legacy_master_key: None,
        };
        let store = Store::open(&config, Arc::new(clock.clone())).await.unwrap();
        let agency = store
            .tenancy()
            .create_agency("A", 5, clock.now())
            .await
            .unwrap();
        let scope = TenantScope::Agency(agency);
        let draft = EntryDraft::new(scope, Actor::System, "query.run", Outcome::Success)
            .field("plate", "RET777");
        store.ledger().append(draft).await.unwrap();
        // Seven years on, the month is not yet past: nothing is shredded.
        clock.set(datetime!(2033-03-20 12:00 UTC));
        assert_eq!(shred_expired_audit_keys(&store).await.unwrap(), 0);
        assert_eq!(
            store.ledger().all(scope).await.unwrap()[0]
                .entry
                .field_str("plate"),
            Some("RET777")
        );
        clock.set(datetime!(2033-04-20 12:00 UTC));
        assert_eq!(shred_expired_audit_keys(&store).await.unwrap(), 1);
        let rows = store.ledger().all(scope).await.unwrap();
        assert_eq!(
            rows[0].entry.fields["plate"],
            serde_json::json!({"shredded": true})
        );
        assert!(store.ledger().verify(scope).await.unwrap().is_ok());
        assert_eq!(rows.last().unwrap().entry.action, "audit.retention_shred");
    }
}
