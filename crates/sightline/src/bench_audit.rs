//! `sightline bench audit` measures durable audit appends under concurrent appenders
//! (throughput and p99 latency) against a bare durable write transaction,
//! the time to sign one checkpoint over them, and offline verification of a
//! generated export of `--entries` entries against raw SHA-256 throughput.

use crate::settings::Settings;
use anyhow::{Context as _, anyhow};
use clap::Args;
use sha2::{Digest as _, Sha256};
use sightline_audit::{
    Actor, Checkpoint, Entry, EntryDraft, ExportWriter, NoteSigner, Outcome, generate_secret,
    leaf_hash, origin_of,
};
use sightline_core::{AgencyId, SystemClock, TenantScope};
use sightline_store::{Db, Store, StoreConfig};
use std::io::{BufWriter, Write as _};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Args)]
pub struct AuditBench {
    /// Appends to make, in total, across all appenders.
    #[arg(long, default_value_t = 2000)]
    appends: usize,
    /// Concurrent appenders.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Entries in the generated export to verify (the target: 10000000).
    #[arg(long, default_value_t = 100_000)]
    entries: u64,
    /// A signed checkpoint every this many generated entries.
    #[arg(long, default_value_t = 10_000)]
    checkpoint_every: u64,
}

const SCOPE: TenantScope = TenantScope::Agency(AgencyId(1));

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
    sorted.get(rank - 1).copied().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs `total` operations over `concurrency` tasks; returns (elapsed, sorted latencies).
async fn concurrently<F, Fut>(
    total: usize,
    concurrency: usize,
    op: F,
) -> anyhow::Result<(Duration, Vec<Duration>)>
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send,
{
    let start = Instant::now();
    let mut tasks = Vec::new();
    let per = total.div_ceil(concurrency.max(1));
    for t in 0..concurrency.max(1) {
        let op = op.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(per);
            for i in 0..per {
                let began = Instant::now();
                op(t * per + i).await?;
                lat.push(began.elapsed());
            }
            anyhow::Ok(lat)
        }));
    }
    let mut all = Vec::with_capacity(total);
    for t in tasks {
        all.extend(t.await.context("bench task")??);
    }
    let elapsed = start.elapsed();
    all.sort();
    Ok((elapsed, all))
}

fn report(label: &str, elapsed: Duration, lat: &[Duration]) -> f64 {
    let rate = lat.len() as f64 / elapsed.as_secs_f64();
    println!(
        "{label:<44} {rate:>10.0} /s   p50 {:>7.2} ms   p99 {:>7.2} ms   max {:>7.2} ms",
        ms(percentile(lat, 0.50)),
        ms(percentile(lat, 0.99)),
        ms(percentile(lat, 1.0)),
    );
    rate
}

pub async fn audit(settings: &Settings, args: &AuditBench) -> anyhow::Result<()> {
    let dir = tempfile::tempdir().context("creating a scratch directory")?;
    let store = Store::open(
        &StoreConfig {
            data_dir: dir.path().to_owned(),
            database_url: settings.database_url.clone().filter(|u| !u.is_empty()),
            audit_master_key: Some(settings.master_key_or_throwaway()?),
            legacy_master_key: None,
        },
        Arc::new(SystemClock),
    )
    .await?;
    if settings.database_url.is_some() {
        eprintln!("note: benchmarking against the configured PostgreSQL database (log agency:1)");
    }
    println!(
        "sightline bench audit: {:?} backend, {} appenders, {} appends; export of {} entries",
        store.db.backend(),
        args.concurrency,
        args.appends,
        args.entries
    );

    // Baseline: a durable write transaction with one small insert.
    sqlx::raw_sql("CREATE TABLE IF NOT EXISTS bench_baseline (n BIGINT NOT NULL)")
        .execute(store.db.pool())
        .await
        .context("creating the baseline table")?;
    let db: Db = store.db.clone();
    let (elapsed, lat) = concurrently(args.appends, args.concurrency, move |n| {
        let db = db.clone();
        async move {
            let mut tx = db.begin_write().await?;
            sqlx::query("INSERT INTO bench_baseline (n) VALUES ($1)")
                .bind(i64::try_from(n).unwrap_or(0))
                .execute(&mut *tx.tx)
                .await?;
            tx.commit().await
        }
    })
    .await?;
    let base = report("baseline: durable write transaction", elapsed, &lat);

    let ledger = store.ledger();
    let appender = ledger.clone();
    let (elapsed, lat) = concurrently(args.appends, args.concurrency, move |n| {
        let ledger = appender.clone();
        async move {
            ledger
                .append(
                    EntryDraft::new(SCOPE, Actor::System, "bench.append", Outcome::Success)
                        .field("n", n),
                )
                .await
                .map_err(|e| e.0)?;
            Ok(())
        }
    })
    .await?;
    let rate = report("audit: durable append (hash-chained)", elapsed, &lat);
    println!("{:<44} {:>10.2}x baseline", "", rate / base);

    let began = Instant::now();
    let signed = ledger.checkpoint(SCOPE).await?;
    println!(
        "{:<44} {:>10.2} ms  (tree of {} leaves)",
        "audit: sign one checkpoint",
        ms(began.elapsed()),
        signed.map_or(0, |c| c.size)
    );

    verification(dir.path(), args)
}

fn sample_entry(seq: i64) -> Entry {
    Entry::place(
        EntryDraft::new(
            SCOPE,
            Actor::User {
                id: 42,
                username: "hsi.jones".into(),
            },
            "query.run",
            Outcome::Success,
        )
        .session("s_0123456789abcdef")
        .field("plate", "ABC1234")
        .field("state", "PA")
        .field("reason_code", "criminal-investigation")
        .field("case_reference", "HSI-2026-000123")
        .field("watermark", seq),
        seq,
        time::macros::datetime!(2026-11-21 12:00 UTC),
    )
}

fn verification(dir: &std::path::Path, args: &AuditBench) -> anyhow::Result<()> {
    let n = args.entries.max(1);
    let every = args.checkpoint_every.max(1);
    let log = SCOPE.log_id();
    let secret = generate_secret().map_err(|e| anyhow!("randomness: {e}"))?;
    let signer = NoteSigner::new(&origin_of(&log), &secret)?;
    let vkey = signer.verifier().vkey();
    let path = dir.join("bench-export.jsonl");
    let mut out = BufWriter::new(std::fs::File::create(&path).context("creating the export")?);
    let mut emit = |line: &sightline_audit::ExportLine| -> anyhow::Result<()> {
        serde_json::to_writer(&mut out, line)?;
        out.write_all(b"\n")?;
        Ok(())
    };
    let began = Instant::now();
    let checkpoints = n.div_ceil(every);
    let mut w = ExportWriter::start(&log, &origin_of(&log), &vkey, n, checkpoints, &mut emit)?;
    let mut bytes = 0u64;
    let mut notes = Vec::new();
    for seq in 1..=n {
        let canonical = String::from_utf8(sample_entry(i64::try_from(seq)?).canonical())?;
        bytes += canonical.len() as u64;
        w.entry(
            i64::try_from(seq)?,
            &canonical,
            leaf_hash(canonical.as_bytes()),
            &mut emit,
        )?;
        if seq % every == 0 || seq == n {
            let root = w.tree().root(seq).ok_or_else(|| anyhow!("root"))?;
            let body = Checkpoint {
                origin: origin_of(&log),
                size: seq,
                root,
            }
            .body();
            notes.push(signer.sign(&body)?);
        }
    }
    w.finish(&notes, &mut emit)?;
    out.flush()?;
    drop(out);
    let size = std::fs::metadata(&path)?.len();
    println!(
        "{:<44} {:>10.2} s   ({} entries, {} checkpoints, {:.0} MB file)",
        "generate export",
        began.elapsed().as_secs_f64(),
        n,
        notes.len(),
        size as f64 / 1e6
    );

    // Baseline: SHA-256 over messages of the entries' mean size.
    let mean = usize::try_from(bytes / n).unwrap_or(256);
    let msg = vec![0x5au8; mean];
    let began = Instant::now();
    let mut acc = [0u8; 32];
    for i in 0..n {
        let mut h = Sha256::new();
        h.update(i.to_le_bytes());
        h.update(&msg);
        acc = h.finalize().into();
    }
    let sha_elapsed = began.elapsed();
    let sha_rate = n as f64 / sha_elapsed.as_secs_f64();
    println!(
        "{:<44} {:>10.0} /s   ({mean}-byte messages, {:.0} MB/s; {:02x})",
        "baseline: SHA-256",
        sha_rate,
        sha_rate * mean as f64 / 1e6,
        acc.first().copied().unwrap_or(0)
    );

    let began = Instant::now();
    crate::audit::verify(&path, &vkey, &[])?;
    let rate = n as f64 / began.elapsed().as_secs_f64();
    println!(
        "{:<44} {:>10.0} entries/s   ({:.3}x SHA-256 messages/s)",
        "audit: offline verify (everything)",
        rate,
        rate / sha_rate
    );
    Ok(())
}
