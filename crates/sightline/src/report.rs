//! `sightline report quarterly`: an agency's statistics for a calendar
//! quarter (R5.5), written as PDF and Excel for its managers and auditors.
//! The same builder as `GET /api/v1/reports/quarterly`
//! (`sightline_server::quarterly`): the quarter is reckoned in the
//! agency's time zone, and the cover carries the signed checkpoint that
//! covers it. The run is recorded as `report.quarterly`, with both files'
//! digests, before either file is written.

use crate::serve::open_store;
use crate::settings::Settings;
use anyhow::{Context as _, anyhow};
use clap::Subcommand;
use sightline_audit::{Actor, EntryDraft, Outcome};
use sightline_core::{Quarter, TenantScope};
use sightline_server::quarterly::{
    QuarterlyError, QuarterlyFormat, QuarterlyRequest, build, render,
};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Statistics for a calendar quarter, as PDF and Excel.
    Quarterly {
        /// The agency, by name.
        #[arg(long)]
        agency: String,
        /// The quarter, e.g. 2026Q3, in the agency's time zone.
        #[arg(long)]
        quarter: String,
        /// The directory to write into.
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
}

pub async fn run(settings: &Settings, cmd: ReportCommand) -> anyhow::Result<()> {
    let ReportCommand::Quarterly {
        agency,
        quarter,
        out,
    } = cmd;
    let quarter = Quarter::parse(&quarter).map_err(|v| {
        anyhow!(
            "--quarter: {} ({})",
            v.message,
            v.accepted.unwrap_or_default()
        )
    })?;
    let store = open_store(settings).await?;
    let record = store
        .tenancy()
        .agency_by_name(&agency)
        .await?
        .ok_or_else(|| anyhow!("no agency named '{agency}'"))?;
    let now = store.clock.now();
    let request = QuarterlyRequest {
        agency: record.id,
        quarter,
        actors: None,
        scope: "The whole agency".into(),
        generated_by: "sightline report quarterly, on the server's command line".into(),
    };
    let report = build(&store, now, request).await.map_err(|e| match e {
        QuarterlyError::Unexpected(e) => e,
        other => anyhow!("{other}"),
    })?;
    let pdf = render(&report, QuarterlyFormat::Pdf)?;
    let xlsx = render(&report, QuarterlyFormat::Xlsx)?;
    store
        .ledger()
        .append(
            EntryDraft::new(
                TenantScope::Agency(record.id),
                Actor::Console,
                "report.quarterly",
                Outcome::Success,
            )
            .field("quarter", quarter.to_string())
            .field("format", "pdf+xlsx")
            .field(
                "checkpoint_size",
                report.checkpoint.as_ref().map(|c| c.tree_size),
            )
            .field("pdf_sha256", pdf.sha256.as_str())
            .field("xlsx_sha256", xlsx.sha256.as_str()),
        )
        .await
        .map_err(|e| e.0)?;
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let mut written = Vec::new();
    for file in [pdf, xlsx] {
        let path = out.join(&file.name);
        std::fs::write(&path, &file.bytes)
            .with_context(|| format!("writing {}", path.display()))?;
        written.push(path.display().to_string());
    }
    println!("wrote {}", written.join(" and "));
    Ok(())
}
