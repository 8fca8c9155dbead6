//! `sightline admin offboard …`: contract end (R6.1) from the server's
//! console, the same steps as the operator's API: start the 30-day transfer
//! window, see what destroying the agency would remove, destroy it (with
//! the agency's name typed back). Each step is in the operator's log.

use anyhow::{anyhow, bail};
use clap::Subcommand;
use sightline_audit::{Actor, EntryDraft, Outcome};
use sightline_core::{AgencyId, TenantScope};
use sightline_store::{DestroyError, Store, destroy_agency};

#[derive(Debug, Subcommand)]
pub enum OffboardStep {
    /// Open the 30-day window in which the agency exports its alert lists
    /// and audit log.
    Start { agency: String },
    /// The window, the agency's confirmation, and what would be destroyed.
    Status { agency: String },
    /// Destroy every row and file of the agency, its audit log included,
    /// once it confirmed the transfer or the window ended.
    Destroy {
        agency: String,
        /// The agency's exact name, to confirm.
        #[arg(long)]
        confirm_name: String,
    },
}

async fn name_of(store: &Store, agency: AgencyId) -> anyhow::Result<String> {
    store
        .tenancy()
        .agencies()
        .await?
        .into_iter()
        .find(|a| a.id == agency)
        .map(|a| a.name)
        .ok_or_else(|| anyhow!("no agency {agency}"))
}

pub async fn run(store: &Store, step: OffboardStep) -> anyhow::Result<()> {
    let now = store.clock.now();
    match step {
        OffboardStep::Start { agency } => {
            let a = crate::admin::agency_id(store, &agency).await?;
            name_of(store, a).await?;
            if let Some(o) = store.offboarding().get(a).await? {
                println!("already started; window ends {}", o.window_ends_at);
                return Ok(());
            }
            let ends = now + sightline_store::TRANSFER_WINDOW;
            for scope in [TenantScope::Operator, TenantScope::Agency(a)] {
                let d = EntryDraft::new(
                    scope,
                    Actor::Console,
                    "agency.offboarding_started",
                    Outcome::Success,
                )
                .field("agency_id", a.0)
                .field("window_ends_at", ends.to_string());
                store.ledger().append(d).await.map_err(|e| e.0)?;
            }
            let o = store.offboarding().start(a, now).await?;
            println!(
                "agency {a}: transfer window open until {}",
                o.window_ends_at
            );
        }
        OffboardStep::Status { agency } => {
            let a = crate::admin::agency_id(store, &agency).await?;
            let o = store
                .offboarding()
                .get(a)
                .await?
                .ok_or_else(|| anyhow!("agency {a}'s contract end has not been started"))?;
            println!("agency {a}: {}", o.state(now));
            println!("  started        {}", o.started_at);
            println!("  window ends    {}", o.window_ends_at);
            if let Some(c) = o.confirmed_at {
                println!("  confirmed      {c}");
            }
            if let Some(c) = o.completed_at {
                println!("  destroyed      {c}");
                return Ok(());
            }
            let inv = store.offboarding().inventory(a).await?;
            println!("destroying it removes:");
            for (kind, n) in &inv.rows {
                println!("  {n:>8}  {kind}");
            }
            println!("  {:>8}  access-request scans (files)", inv.files);
            println!(
                "confirm with: --confirm-name '{}'",
                name_of(store, a).await?
            );
        }
        OffboardStep::Destroy {
            agency,
            confirm_name,
        } => {
            let a = crate::admin::agency_id(store, &agency).await?;
            let name = name_of(store, a).await?;
            if confirm_name.trim() != name {
                bail!(
                    "--confirm-name does not match the agency's name; see `sightline admin offboard status {a}`"
                );
            }
            let done = destroy_agency(store, a, Actor::Console, None)
                .await
                .map_err(|e| match e {
                    DestroyError::Other(e) => e,
                    e => anyhow!("{e}"),
                })?;
            println!(
                "agency {a} destroyed: {} rows, {} files",
                done.total_rows(),
                done.files
            );
        }
    }
    Ok(())
}
