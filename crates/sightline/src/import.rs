//! `sightline import`: bulk CSV import for a registered source, with a
//! progress bar. Rows go through the same pipeline as the HTTP API, in
//! batches; bad rows are reported by row number and the rest are kept.

use crate::admin::source_by_name;
use crate::serve::open_store;
use crate::settings::Settings;
use anyhow::Context as _;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use sightline_audit::Actor;
use sightline_ingest::{Parsed, csv_reads};
use sightline_server::metrics::Metrics;
use sightline_server::pipeline::{Origin, PhotoSources, ingest};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The source the reads come from (name or id).
    #[arg(long)]
    pub source: String,
    /// CSV with columns source_read_id, plate, state, captured_at, lat, lon,
    /// nearest_address, nearest_intersection, vehicle_photo, plate_photo
    /// (photo paths relative to the CSV file).
    pub file: PathBuf,
    /// Reads per transaction.
    #[arg(long, default_value_t = 1000)]
    pub batch: usize,
}

pub async fn run(settings: &Settings, args: &ImportArgs) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    // Mail queued by matches is sent by the running server's sender.
    let notifier = sightline_server::alerts::Notifier {
        public_base_url: settings.public_base_url.clone(),
        wake: Default::default(),
        matcher: Default::default(),
    };
    let source = source_by_name(&store, &args.source).await?;
    let file = std::fs::File::open(&args.file)
        .with_context(|| format!("opening {}", args.file.display()))?;
    let now = store.clock.now();
    let rows = csv_reads(std::io::BufReader::new(file), now)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    let photos = PhotoSources {
        parts: Default::default(),
        base_dir: args.file.parent().map(PathBuf::from),
        agents: None,
    };
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} rows {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    // Count rows for the bar without holding them all.
    let total_rows = std::fs::read(&args.file)
        .map(|b| b.iter().filter(|c| **c == b'\n').count().saturating_sub(1))
        .unwrap_or(0);
    bar.set_length(u64::try_from(total_rows).unwrap_or(0));
    let metrics = Metrics::default();
    let (mut accepted, mut duplicates, mut rejected) = (0usize, 0usize, 0usize);
    let mut batch = Parsed {
        records: Vec::new(),
        errors: Vec::new(),
    };
    let mut rows = rows.peekable();
    while rows.peek().is_some() {
        for row in rows.by_ref().take(args.batch.max(1)) {
            match row {
                Ok(r) => batch.records.push(r),
                Err(e) => batch.errors.push(e),
            }
        }
        let n = batch.records.len() + batch.errors.len();
        let parsed = std::mem::replace(
            &mut batch,
            Parsed {
                records: Vec::new(),
                errors: Vec::new(),
            },
        );
        let origin = Origin {
            source: &source,
            actor: Actor::Console,
            format: "csv",
        };
        let report = ingest(
            &store,
            &metrics,
            &notifier,
            origin,
            parsed,
            &photos,
            store.clock.now(),
        )
        .await
        .map_err(|e| anyhow::anyhow!("ingest failed: {e:?}"))?;
        for item in report.results.iter().filter(|i| !i.errors.is_empty()) {
            for v in &item.errors {
                bar.suspend(|| {
                    eprintln!(
                        "row {}: {} ({}): {}",
                        item.index, v.code, v.field, v.message
                    )
                });
            }
        }
        accepted += report.accepted;
        duplicates += report.duplicates;
        rejected += report.rejected;
        bar.inc(u64::try_from(n).unwrap_or(0));
        bar.set_message(format!(
            "{accepted} accepted, {duplicates} duplicate, {rejected} rejected"
        ));
    }
    bar.finish();
    // The server's matcher would match them at its next pass; match them
    // now, so the import's hits are recorded when it returns.
    sightline_server::alerts::Matcher::default()
        .drain(&store, &notifier)
        .await?;
    println!("{accepted} accepted, {duplicates} duplicate, {rejected} rejected");
    Ok(())
}
