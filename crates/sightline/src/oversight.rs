//! `sightline oversight`: an agency's case-reference rule, review sample
//! and misuse flags, its review queue and report, from the server's
//! command line (docs/oversight.md). The same service code as the API
//! (`sightline_server::oversight`): the same validation, the same audit
//! entry (`oversight.settings_changed`, by the console).

use crate::serve::open_store;
use crate::settings::Settings;
use anyhow::{Context as _, anyhow, bail};
use clap::Subcommand;
use sightline_audit::Actor;
use sightline_server::oversight::{self, OversightSettings, ReviewerScope, SetError};
use sightline_store::Store;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum OversightCommand {
    /// Print the agency's oversight settings as JSON.
    Show {
        #[arg(long)]
        agency: String,
    },
    /// Replace the agency's settings with a JSON file (the body of PUT
    /// /api/v1/oversight/settings).
    Set {
        #[arg(long)]
        agency: String,
        /// The settings as JSON; `-` reads standard input.
        #[arg(long)]
        file: PathBuf,
    },
    /// Set the agency-wide case-reference rule, keeping the other settings.
    Policy {
        #[arg(long)]
        agency: String,
        /// The case-number pattern (a regular expression).
        #[arg(long)]
        pattern: Option<String>,
        /// The example users are shown.
        #[arg(long)]
        example: Option<String>,
        #[arg(long, default_value_t = 0)]
        min_length: usize,
        /// Remove the agency-wide rule instead.
        #[arg(long)]
        off: bool,
    },
    /// Switch review sampling on (with a share in percent) or off.
    Sampling {
        #[arg(long)]
        agency: String,
        /// The share of queries drawn, in percent.
        #[arg(long)]
        share: Option<f64>,
        #[arg(long)]
        off: bool,
    },
    /// List the review queue (pending items by default).
    Queue {
        #[arg(long)]
        agency: String,
        /// pending, justified, questioned or all.
        #[arg(long, default_value = "pending")]
        status: String,
    },
    /// Print the review report (ages, coverage per AOR, outcomes) as JSON.
    Report {
        #[arg(long)]
        agency: String,
    },
}

async fn agency(store: &Store, name: &str) -> anyhow::Result<sightline_core::AgencyId> {
    Ok(store
        .tenancy()
        .agency_by_name(name)
        .await?
        .ok_or_else(|| anyhow!("no agency named '{name}'"))?
        .id)
}

async fn save(
    store: &Store,
    agency: sightline_core::AgencyId,
    settings: &OversightSettings,
) -> anyhow::Result<()> {
    let version = oversight::set_settings(
        store,
        agency,
        Actor::Console,
        None,
        settings,
        store.clock.now(),
    )
    .await
    .map_err(|e| match e {
        SetError::Invalid(v) => anyhow!(
            "the settings were refused:\n{}",
            v.iter()
                .map(|v| format!(
                    "  {}: {} ({}){}",
                    v.field,
                    v.message,
                    v.code,
                    v.accepted
                        .as_ref()
                        .map(|a| format!("; accepted: {a}"))
                        .unwrap_or_default()
                ))
                .collect::<Vec<_>>()
                .join("\n")
        ),
        SetError::Unexpected(e) => e,
    })?;
    println!("saved oversight settings, version {version}");
    Ok(())
}

pub async fn run(settings: &Settings, cmd: OversightCommand) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    match cmd {
        OversightCommand::Show { agency: name } => {
            let a = agency(&store, &name).await?;
            let c = oversight::load(&store, None, a).await?;
            println!("{}", serde_json::to_string_pretty(&c.settings)?);
        }
        OversightCommand::Set { agency: name, file } => {
            let a = agency(&store, &name).await?;
            let text = if file.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin()).context("reading standard input")?
            } else {
                std::fs::read_to_string(&file)
                    .with_context(|| format!("reading {}", file.display()))?
            };
            let s: OversightSettings =
                serde_json::from_str(&text).context("the settings are not valid JSON for them")?;
            save(&store, a, &s).await?;
        }
        OversightCommand::Policy {
            agency: name,
            pattern,
            example,
            min_length,
            off,
        } => {
            let a = agency(&store, &name).await?;
            let mut s = oversight::load(&store, None, a).await?.settings.clone();
            s.case_reference.agency = if off {
                None
            } else {
                Some(oversight::CaseReferencePolicy {
                    pattern,
                    example,
                    min_length,
                    vague_phrases: None,
                })
            };
            save(&store, a, &s).await?;
        }
        OversightCommand::Sampling {
            agency: name,
            share,
            off,
        } => {
            let a = agency(&store, &name).await?;
            let mut s = oversight::load(&store, None, a).await?.settings.clone();
            if off {
                s.sampling.enabled = false;
            } else {
                s.sampling.enabled = true;
                if let Some(p) = share {
                    s.sampling.share_percent = p;
                }
            }
            save(&store, a, &s).await?;
        }
        OversightCommand::Queue {
            agency: name,
            status,
        } => {
            let a = agency(&store, &name).await?;
            let status = match status.as_str() {
                "all" => None,
                "pending" | "justified" | "questioned" => Some(status.as_str()),
                other => bail!("--status {other}: use pending, justified, questioned or all"),
            };
            let scope = ReviewerScope {
                agency: a,
                aor: None,
            };
            let items = oversight::queue(&store, scope, status, 500).await?;
            println!("{}", serde_json::to_string_pretty(&items)?);
        }
        OversightCommand::Report { agency: name } => {
            let a = agency(&store, &name).await?;
            let scope = ReviewerScope {
                agency: a,
                aor: None,
            };
            let r = oversight::report(&store, scope, store.clock.now()).await?;
            println!("{}", serde_json::to_string_pretty(&r)?);
        }
    }
    Ok(())
}
