//! `sightline bench load`: many concurrent query clients plus continuous
//! ingest against one real `sightline serve` process, then an audit check.
//!
//! The bench builds a throwaway deployment (SQLite in a temporary
//! directory, or the empty PostgreSQL database given with
//! `--database-url`): one agency, `--users` trained investigators with a
//! session each past the second factor and the rules (minted through the
//! store, so no Argon2 or TOTP step is timed), one source, and reads for
//! `--plates` plates. It then starts this binary's `serve` on loopback and
//! measures over HTTP only:
//!
//! 1. the baseline: one client, queries one after another;
//! 2. the load: `--clients` clients, each with its own connection, querying
//!    as fast as answers come, while one source ingests batches of reads.
//!
//! It prints throughput, latency percentiles beside the baseline's, every
//! status seen, failed connections, then checks the agency's audit log:
//! every query that was answered has its `query.run` entry, and no entry
//! exists for a query nobody was answered. Never run as a timed test in CI.

use anyhow::{Context as _, bail};
use clap::Args;
use serde_json::Value;
use sightline::load_fixture::{LoadAgency, batch, photo_base64, plate_name, query_body, seed};
use sightline_audit::Entry;
use sightline_core::TenantScope;
use sightline_store::Store;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

#[derive(Debug, Args)]
pub struct LoadBench {
    /// Concurrent query clients, each with its own connection.
    #[arg(long, default_value_t = 1000)]
    pub clients: usize,
    /// How long the load runs, in seconds.
    #[arg(long, default_value_t = 300)]
    pub seconds: u64,
    /// Investigators the clients are spread over.
    #[arg(long, default_value_t = 100)]
    pub users: usize,
    /// Distinct plates read before and during the run (queries ask for them,
    /// and one in ten for a plate never read).
    #[arg(long, default_value_t = 2000)]
    pub plates: usize,
    /// Reads per ingest batch; one batch is sent every 200 ms.
    #[arg(long, default_value_t = 200)]
    pub batch: usize,
    /// Queries in the one-client baseline.
    #[arg(long, default_value_t = 300)]
    pub baseline: usize,
    /// The port `serve` listens on (loopback).
    #[arg(long, default_value_t = 18_471)]
    pub port: u16,
}

/// What one query attempt came to.
#[derive(Debug, Default)]
struct Tally {
    latencies_us: Vec<u64>,
    statuses: BTreeMap<u16, u64>,
    connection_errors: u64,
    answered: BTreeSet<i64>,
    with_results: u64,
}

fn raise_fd_limit(want: u64) {
    // The clients' sockets and the server's share this host.
    #[cfg(unix)]
    {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg("ulimit -Hn")
            .output();
        let hard = out
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse::<u64>().ok())
            .unwrap_or(want);
        if hard < want {
            eprintln!(
                "warning: the open-file limit ({hard}) is below {want}: raise it with ulimit -n"
            );
        }
    }
}

/// One query; its latency, status and, when answered, its audit seq.
async fn query(client: &reqwest::Client, base: &str, token: &str, plate: &str, tally: &mut Tally) {
    let started = Instant::now();
    let resp = client
        .post(format!("{base}/api/v1/queries"))
        .bearer_auth(token)
        .json(&query_body(plate))
        .send()
        .await;
    match resp {
        Err(_) => tally.connection_errors += 1,
        Ok(r) => {
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            let us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
            tally.latencies_us.push(us);
            *tally.statuses.entry(status).or_default() += 1;
            if status == 200
                && let Some(seq) = body.get("query_id").and_then(Value::as_i64)
            {
                tally.answered.insert(seq);
                if body
                    .get("result_count")
                    .and_then(Value::as_u64)
                    .unwrap_or(0)
                    > 0
                {
                    tally.with_results += 1;
                }
            }
        }
    }
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let i = (((sorted.len() - 1) as f64) * p).round() as usize;
    #[allow(clippy::cast_precision_loss)]
    let ms = sorted.get(i).copied().unwrap_or_default() as f64 / 1000.0;
    ms
}

pub async fn run(args: &LoadBench, database_url: Option<String>) -> anyhow::Result<()> {
    raise_fd_limit(u64::try_from(args.clients).unwrap_or(u64::MAX) * 2 + 256);
    let dir = tempfile::tempdir()?;
    let master_key = sightline_store::generate_master_key()?;
    let config = sightline_store::StoreConfig {
        data_dir: dir.path().to_owned(),
        database_url: database_url.clone(),
        audit_master_key: Some(master_key.clone().into()),
        legacy_master_key: None,
    };
    let store = Store::open(&config, Arc::new(sightline_core::SystemClock)).await?;
    let LoadAgency {
        agency,
        tokens,
        source_key: key,
        ..
    } = seed(&store, args.users.max(1)).await?;
    let base = format!("http://127.0.0.1:{}", args.port);
    let mut cmd = tokio::process::Command::new(std::env::current_exe()?);
    cmd.arg("serve")
        .env("SIGHTLINE_DATA_DIR", dir.path())
        .env("SIGHTLINE_LISTEN", format!("127.0.0.1:{}", args.port))
        .env("SIGHTLINE_AUDIT_MASTER_KEY", &master_key)
        .env("SIGHTLINE_LOG", "warn")
        .kill_on_drop(true);
    match &database_url {
        Some(u) => cmd.env("SIGHTLINE_DATABASE_URL", u),
        None => cmd.env_remove("SIGHTLINE_DATABASE_URL"),
    };
    let mut server = cmd.spawn().context("starting sightline serve")?;
    let plain = reqwest::Client::new();
    let up = Instant::now();
    while plain.get(format!("{base}/healthz")).send().await.is_err() {
        if up.elapsed() > Duration::from_secs(60) {
            bail!("serve did not answer /healthz within 60 s");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let photo = photo_base64()?;
    // Every plate read once before the clock starts.
    let mut next = 0;
    while next < args.plates {
        let n = args.batch.min(args.plates - next);
        let r = plain
            .post(format!("{base}/api/v1/ingest/reads"))
            .bearer_auth(&key)
            .json(&batch(next, n, args.plates, &photo))
            .send()
            .await?;
        if !r.status().is_success() {
            bail!("preloading reads: {}", r.status());
        }
        next += n;
    }
    let pick = |i: usize| {
        // One query in ten is for a plate never read.
        if i % 10 == 9 {
            format!("NR{:05}", i % 100_000)
        } else {
            plate_name((i * 7919) % args.plates)
        }
    };

    // 1. The baseline: one client, one query at a time.
    let mut baseline = Tally::default();
    let first_token = tokens.first().context("no users")?;
    for i in 0..args.baseline {
        query(&plain, &base, first_token, &pick(i), &mut baseline).await;
    }
    baseline.latencies_us.sort_unstable();

    // 2. The load.
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let ingest = {
        let (base, key, photo) = (base.clone(), key.clone(), photo.clone());
        let (per, plates) = (args.batch, args.plates);
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let (mut sent, mut failed, mut first) = (0u64, 0u64, plates);
            let mut tick = tokio::time::interval(Duration::from_millis(200));
            while Instant::now() < deadline {
                tick.tick().await;
                match client
                    .post(format!("{base}/api/v1/ingest/reads"))
                    .bearer_auth(&key)
                    .json(&batch(first, per, plates, &photo))
                    .send()
                    .await
                {
                    Ok(r) if r.status().is_success() => sent += per as u64,
                    _ => failed += 1,
                }
                first += per;
            }
            (sent, failed)
        })
    };
    let total = Arc::new(Mutex::new(Tally::default()));
    let started = Instant::now();
    let mut clients = Vec::with_capacity(args.clients);
    for c in 0..args.clients {
        let token = tokens.get(c % tokens.len()).cloned().unwrap_or_default();
        let (base, total) = (base.clone(), total.clone());
        let plates = (0..).map(move |i: usize| i * args.clients + c);
        let names: Vec<String> = plates.take(64).map(pick).collect();
        clients.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .build()
                .unwrap_or_default();
            let mut mine = Tally::default();
            let mut i = 0;
            while Instant::now() < deadline {
                let plate = names.get(i % names.len()).map_or("LD00000", String::as_str);
                query(&client, &base, &token, plate, &mut mine).await;
                i += 1;
            }
            let mut t = total.lock().await;
            t.latencies_us.extend(mine.latencies_us);
            for (s, n) in mine.statuses {
                *t.statuses.entry(s).or_default() += n;
            }
            t.connection_errors += mine.connection_errors;
            t.answered.extend(mine.answered);
            t.with_results += mine.with_results;
        }));
    }
    for c in clients {
        c.await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (ingested, ingest_failures) = ingest.await?;
    let mut load = Arc::try_unwrap(total)
        .map_err(|_| anyhow::anyhow!("a client outlived the run"))?
        .into_inner();
    load.latencies_us.sort_unstable();

    // 3. The audit log: answered queries and query.run entries are one set.
    let entries = store.ledger().all(TenantScope::Agency(agency)).await?;
    let logged: BTreeSet<i64> = entries
        .iter()
        .map(|r| &r.entry)
        .filter(|e: &&Entry| e.action == "query.run")
        .map(|e| e.seq)
        .collect();
    let answered: BTreeSet<i64> = load.answered.union(&baseline.answered).copied().collect();
    let unlogged = answered.difference(&logged).count();
    let unanswered = logged.difference(&answered).count();
    server.kill().await.ok();

    let n = load.latencies_us.len();
    #[allow(clippy::cast_precision_loss)]
    let qps = n as f64 / elapsed.max(f64::EPSILON);
    let (b50, b99) = (
        percentile(&baseline.latencies_us, 0.5),
        percentile(&baseline.latencies_us, 0.99),
    );
    let (l50, l95, l99) = (
        percentile(&load.latencies_us, 0.5),
        percentile(&load.latencies_us, 0.95),
        percentile(&load.latencies_us, 0.99),
    );
    #[allow(clippy::cast_precision_loss)]
    let ingest_rate = ingested as f64 / elapsed.max(f64::EPSILON);
    let server_errors: u64 = load.statuses.range(500..).map(|(_, n)| n).sum();
    println!(
        "backend: {}",
        if database_url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    println!(
        "baseline (1 client, {} queries): p50 {b50:.1} ms, p99 {b99:.1} ms",
        baseline.latencies_us.len()
    );
    println!(
        "load ({} clients, {elapsed:.0} s, ingest {:.0} reads/s): {n} queries, {qps:.0} queries/s; \
         p50 {l50:.1} ms ({:.1}x baseline), p95 {l95:.1} ms, p99 {l99:.1} ms ({:.1}x baseline p99)",
        args.clients,
        ingest_rate,
        l50 / b50,
        l99 / b99
    );
    println!(
        "statuses: {:?}; 5xx: {server_errors}; failed connections: {}",
        load.statuses, load.connection_errors
    );
    println!(
        "queries with results: {}; ingest batches failed: {ingest_failures}",
        load.with_results
    );
    println!(
        "audit: {} answered queries, {} query.run entries; answered without an entry: {unlogged}; entries nobody was answered for: {unanswered}",
        answered.len(),
        logged.len()
    );
    if server_errors > 0 || load.connection_errors > 0 || unlogged > 0 || unanswered > 0 {
        bail!("the load run lost or failed something (see above)");
    }
    Ok(())
}
