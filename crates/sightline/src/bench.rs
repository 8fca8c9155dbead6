//! `sightline bench alerts`: what alert matching costs on the ingest path,
//! and how long a hit takes to reach an SMTP server.
//!
//! One run, one throwaway deployment (SQLite in a temporary directory, or
//! the PostgreSQL database given with `--database-url`, which should be
//! empty and disposable):
//!
//! 1. Ingest throughput — read-store commit plus matching, in batches — with
//!    0 active entries (the no-alerts baseline), then with each larger
//!    index size. Reads never hit here, so the figure is the matcher's
//!    overhead, not the cost of notifications.
//! 2. Hit-to-SMTP-acceptance latency: for each non-zero size, single reads
//!    that hit, timed from the start of their ingest to the moment an
//!    in-process SMTP sink accepts the email sent by the real outbox sender.
//!
//! Photo handling (decode, blob write) is the same with or without alerts
//! and is left out. Never run as a timed test in CI.

mod sink;

use anyhow::Context as _;
use clap::Args;
use sightline_core::alert::NotifyScope;
use sightline_core::purpose::{ReasonCode, ReasonPolicy};
use sightline_core::read::NewRead;
use sightline_core::text::Note;
use sightline_core::text::read_text::{PlaceText, SourceReadId};
use sightline_core::{GeoPoint, Jurisdiction, Plate, Role, SourceKind, SystemClock};
use sightline_server::AppState;
use sightline_server::alerts::match_batch;
use sightline_server::notify::MailSettings;
use sightline_store::{AlertList, NewEntry, NewUser, SourceRecord, Store, StoreConfig};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Args)]
pub struct AlertsBenchArgs {
    /// Active entry counts to measure; 0 is the no-alerts baseline.
    #[arg(long, value_delimiter = ',', default_value = "0,100000,1000000")]
    pub sizes: Vec<usize>,
    /// Batches ingested per size.
    #[arg(long, default_value_t = 20)]
    pub batches: usize,
    /// Reads per batch.
    #[arg(long, default_value_t = 1000)]
    pub batch_size: usize,
    /// Hits timed per non-zero size.
    #[arg(long, default_value_t = 200)]
    pub hits: usize,
}

#[derive(Debug, clap::Subcommand)]
pub enum BenchCommand {
    /// Ingest throughput with 0, 100k and 1M active entries, and hit-to-SMTP latency.
    Alerts(AlertsBenchArgs),
    /// The audit ledger: durable appends, checkpoint signing, offline verification.
    Audit(crate::bench_audit::AuditBench),
    /// The printable query report: 200 sightings with photos and maps, against a text-only baseline.
    Report(crate::bench_report::ReportBench),
    /// 1,000 concurrent query clients plus continuous ingest against one `serve`, then the audit check.
    Load(crate::bench_load::LoadBench),
    /// Plate and state accuracy and time per photo against the plain-OCR baseline.
    #[cfg(feature = "ocr")]
    Ocr(crate::bench_ocr::OcrBench),
    /// Query latency with oversight off and with every flag and a 5 % sample on.
    Oversight(crate::bench_oversight::OversightBench),
}

struct World {
    store: Store,
    source: SourceRecord,
    list_owner: (sightline_core::AgencyId, sightline_core::UserId),
    photo: sightline_core::read::BlobId,
    reason: ReasonCode,
    note: Note,
    seq: usize,
    entries: usize,
}

async fn world(
    database_url: Option<String>,
    dir: &std::path::Path,
    key: secrecy::SecretString,
) -> anyhow::Result<World> {
    let store = Store::open(
        &StoreConfig {
            data_dir: dir.to_owned(),
            database_url,
            audit_master_key: Some(key),
            legacy_master_key: None,
        },
        Arc::new(SystemClock),
    )
    .await?;
    let now = store.clock.now();
    let t = store.tenancy();
    let agency = t
        .create_agency(&format!("Bench {}", now.unix_timestamp_nanos()), 10, now)
        .await?;
    let program = t.create_program(agency, "HSI").await?;
    let reason = ReasonCode::parse("criminal-investigation").map_err(|e| anyhow::anyhow!("{e}"))?;
    t.add_reason_code(
        agency,
        program,
        &ReasonPolicy {
            code: reason.clone(),
            label: "Criminal investigation".into(),
            max_days: 1826,
        },
    )
    .await?;
    let user = t
        .create_user(
            &NewUser {
                agency_id: Some(agency),
                aor_id: None,
                program_id: Some(program),
                username: format!("bench{}", now.unix_timestamp_nanos()),
                display_name: "Bench".into(),
                email: "bench@sightline.test".into(),
                role: Role::Investigator,
                password_hash: "x".into(),
            },
            now,
        )
        .await?;
    let pa = Jurisdiction::parse("PA").map_err(|e| anyhow::anyhow!("{e}"))?;
    let source_id = store
        .sources()
        .create(
            &format!("Bench camera {}", now.unix_timestamp_nanos()),
            SourceKind::TollRoad,
            pa,
            "Pennsylvania",
            now,
        )
        .await?;
    let source = store
        .sources()
        .get(source_id)
        .await?
        .context("the bench source")?;
    let png = sightline_demo::render_plate_png(
        &Plate::parse("BENCH1").map_err(|e| anyhow::anyhow!("{e}"))?,
        pa,
    );
    let photo = store.blobs.put(&png)?;
    Ok(World {
        store,
        source,
        list_owner: (agency, user),
        photo,
        reason,
        note: Note::parse("Bench case 1").map_err(|e| anyhow::anyhow!("{e}"))?,
        seq: 0,
        entries: 0,
    })
}

fn err<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

impl World {
    fn read(&mut self, plate: &str, state: &str) -> anyhow::Result<NewRead> {
        self.seq += 1;
        let now = self.store.clock.now();
        Ok(NewRead {
            source_id: self.source.id,
            source_read_id: SourceReadId::parse(&format!("b{}", self.seq)).map_err(err)?,
            collected_in: self.source.jurisdiction,
            plate: Plate::parse(plate).map_err(err)?,
            jurisdiction: Jurisdiction::parse(state).map_err(err)?,
            captured_at: now - time::Duration::minutes(1),
            location: GeoPoint::new(40.2171, -76.8563).map_err(err)?,
            nearest_address: PlaceText::parse("1 Turnpike Rd, Harrisburg, PA").map_err(err)?,
            nearest_intersection: PlaceText::parse("I-76 & PA-283").map_err(err)?,
            vehicle_photo: self.photo.clone(),
            plate_photo: self.photo.clone(),
            vehicle: None,
        })
    }

    /// Grows the active entries to `target`, 2,500 per list.
    async fn grow_to(&mut self, target: usize) -> anyhow::Result<()> {
        let alerts = self.store.alerts();
        let (agency, owner) = self.list_owner;
        while self.entries < target {
            let n = (target - self.entries).min(sightline_core::alert::MAX_LIST_ENTRIES);
            let id = alerts
                .create_list(
                    agency,
                    owner,
                    &format!("bench {}", self.entries),
                    self.store.clock.now(),
                )
                .await?;
            let list = AlertList {
                id,
                agency_id: agency,
                owner_id: owner,
                owner_username: String::new(),
                name: String::new(),
                entries: 0,
            };
            let entries = (self.entries..self.entries + n)
                .map(|i| {
                    Ok(NewEntry {
                        plate: Plate::parse(&format!("E{i:07}")).map_err(err)?,
                        jurisdiction: Jurisdiction::parse("WI").map_err(err)?,
                        reason_code: self.reason.clone(),
                        note: self.note.clone(),
                        notify: NotifyScope::Owner,
                        recipients: Vec::new(),
                        group: None,
                    })
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            alerts
                .add_entries(&list, &entries, self.store.clock.now())
                .await
                .map_err(err)?;
            self.entries += n;
        }
        self.store.alert_index.refresh_if_stale(&alerts).await
    }
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let last = sorted.len() - 1;
    let idx = ((last as f64) * p).round() as usize;
    sorted.get(idx.min(last)).copied().unwrap_or_default()
}

pub async fn run(settings: &crate::settings::Settings, cmd: BenchCommand) -> anyhow::Result<()> {
    let args = match cmd {
        BenchCommand::Alerts(args) => args,
        BenchCommand::Audit(args) => return crate::bench_audit::audit(settings, &args).await,
        BenchCommand::Report(args) => return crate::bench_report::report(settings, &args).await,
        #[cfg(feature = "ocr")]
        BenchCommand::Ocr(args) => return crate::bench_ocr::run(settings, &args),
        BenchCommand::Load(args) => {
            return crate::bench_load::run(&args, settings.database_url.clone()).await;
        }
        BenchCommand::Oversight(args) => {
            return crate::bench_oversight::run(&args, settings.database_url.clone()).await;
        }
    };
    let database_url = settings.database_url.clone();
    let dir = std::env::temp_dir().join(format!("sightline-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let key = settings.master_key_or_throwaway()?;
    let result = bench(database_url, &dir, &args, key).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn bench(
    database_url: Option<String>,
    dir: &std::path::Path,
    args: &AlertsBenchArgs,
    key: secrecy::SecretString,
) -> anyhow::Result<()> {
    let backend = if database_url.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let mut w = world(database_url, dir, key).await?;
    let sink = sink::Sink::start().await?;
    let state = AppState::with_mail(
        w.store.clone(),
        MailSettings {
            smtp_url: Some(sink.url()),
            mail_dir: None,
            mail_from: "bench@sightline.test".into(),
            public_base_url: "http://bench.invalid".into(),
        },
    );
    let _sender = state.spawn_sender()?;
    let mut sizes = args.sizes.clone();
    sizes.sort_unstable();
    sizes.dedup();
    println!(
        "sightline bench alerts: {backend}, {} batches x {} reads per size, {} timed hits",
        args.batches, args.batch_size, args.hits
    );
    println!(
        "{:>10}  {:>14}  {:>14}  {:>8}  {:>12}  {:>9}  {:>10}  {:>10}",
        "entries",
        "reads/s alerts",
        "reads/s base",
        "ratio",
        "match/batch",
        "load (s)",
        "hit p50",
        "hit p99"
    );
    for size in sizes {
        let load_started = Instant::now();
        w.grow_to(size).await?;
        let load = load_started.elapsed();
        anyhow::ensure!(
            w.store.alert_index.len() == size,
            "index holds {} entries, expected {size}",
            w.store.alert_index.len()
        );
        // Throughput: reads of plates that are on no list, in batches that
        // alternate between the no-alerts baseline (read-store commit only)
        // and the same plus matching, so both see the same machine load.
        // The first two rounds warm caches and are not timed.
        let mut with = (Duration::ZERO, 0usize);
        let mut without = (Duration::ZERO, 0usize);
        let mut match_time = Duration::ZERO;
        for round in 0..args.batches + 2 {
            for matching in [round % 2 == 0, round % 2 != 0] {
                let reads = (0..args.batch_size)
                    .map(|i| w.read(&format!("R{:07}", w.seq + i), "PA"))
                    .collect::<anyhow::Result<Vec<_>>>()?;
                let started = Instant::now();
                let now = w.store.clock.now();
                let outcomes = w.store.reads.insert_batch(&reads, now).await?;
                if matching {
                    let match_started = Instant::now();
                    let hits = match_batch(
                        &w.store,
                        state.notifier(),
                        &w.source,
                        &reads,
                        &outcomes,
                        now,
                    )
                    .await?;
                    anyhow::ensure!(hits.is_empty(), "throughput reads must not hit");
                    if round >= 2 {
                        match_time += match_started.elapsed();
                    }
                }
                let took = started.elapsed();
                if round >= 2 {
                    let slot = if matching { &mut with } else { &mut without };
                    slot.0 += took;
                    slot.1 += reads.len();
                }
            }
        }
        let per_sec = |(d, n): (Duration, usize)| n as f64 / d.as_secs_f64().max(1e-9);
        let (rate, base) = (per_sec(with), per_sec(without));
        // Latency: single hitting reads, one at a time.
        let mut lat = Vec::new();
        let hits = if size == 0 { 0 } else { args.hits.min(size) };
        for i in 0..hits {
            let plate = format!("E{:07}", (i * 7919) % size);
            let read = w.read(&plate, "WI")?;
            let subject_key = format!("{plate} (WI)");
            let started = Instant::now();
            let now = w.store.clock.now();
            let reads = [read];
            let outcomes = w.store.reads.insert_batch(&reads, now).await?;
            let made = match_batch(
                &w.store,
                state.notifier(),
                &w.source,
                &reads,
                &outcomes,
                now,
            )
            .await?;
            anyhow::ensure!(made.len() == 1, "a timed read must hit exactly once");
            let accepted = sink
                .wait_for(&subject_key, Duration::from_secs(30))
                .await
                .with_context(|| format!("no email for {plate} within 30 s"))?;
            lat.push(accepted.saturating_duration_since(started));
        }
        lat.sort_unstable();
        let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1e3);
        println!(
            "{:>10}  {:>14.0}  {:>14.0}  {:>7.2}x  {:>9.3} ms  {:>9.1}  {:>10}  {:>10}",
            size,
            rate,
            base,
            rate / base,
            match_time.as_secs_f64() * 1e3 / args.batches.max(1) as f64,
            load.as_secs_f64(),
            if lat.is_empty() {
                "-".into()
            } else {
                ms(pct(&lat, 0.5))
            },
            if lat.is_empty() {
                "-".into()
            } else {
                ms(pct(&lat, 0.99))
            },
        );
    }
    println!(
        "reads/s alerts: read-store commit + matching; reads/s base: commit only (no-alerts \
         baseline), alternating batches in the same run; match/batch: time in the matcher per batch; hit p50/p99: ingest start -> SMTP 250 \
         accepted, via the outbox sender; load: time to add the entries"
    );
    Ok(())
}
