//! `sightline bench oversight`: what the oversight step (issue 16) adds to
//! a plate query. One in-process server over a throwaway store (SQLite in
//! a temporary directory, or the PostgreSQL database given with
//! `--database-url`, which should be empty and disposable), two agencies
//! seeded alike, each investigator with `--history-days` of `--per-day`
//! queries in the oversight index:
//!
//! * "off": the agency has no oversight settings: the query path reads
//!   them (one row) and indexes the query (one insert), nothing more;
//! * "on": all five flags and a 5 % sample: the same, plus every flag's
//!   lookups, the draw, its audit entry and, when drawn or flagged, the
//!   queue row.
//!
//! Queries alternate between the agencies, one at a time over HTTP, so
//! both see the same machine; plates are never read, so `repeat_no_hit`
//! runs on every query (its worst case). The index is analyzed after it
//! is filled, as autovacuum would have done in a deployment that grew it.
//! Never run as a timed test in CI.

use anyhow::Context as _;
use clap::Args;
use sightline_core::{SystemClock, UserId};
use sightline_server::AppState;
use sightline_store::{QueryFact, Store, StoreConfig};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Args)]
pub struct OversightBench {
    /// Queries timed per agency.
    #[arg(long, default_value_t = 500)]
    queries: usize,
    /// Investigators per agency.
    #[arg(long, default_value_t = 20)]
    users: usize,
    /// Days of history per investigator in the oversight index.
    #[arg(long, default_value_t = 60)]
    history_days: i64,
    /// Queries a day in that history.
    #[arg(long, default_value_t = 20)]
    per_day: i64,
    /// Every query under one case reference, so `case_spread` fires on
    /// nearly all of them and each is queued (the worst case); by default
    /// each query names its own case.
    #[arg(long)]
    one_case: bool,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
    sorted
        .get(rank - 1)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn all_on() -> serde_json::Value {
    serde_json::json!({
        "sampling": {"enabled": true, "share_percent": 5.0},
        "flags": {
            "daily_volume": {"enabled": true},
            "case_spread": {"enabled": true},
            "off_hours": {"enabled": true},
            "repeat_no_hit": {"enabled": true},
            "after_login_storm": {"enabled": true}
        }
    })
}

pub async fn run(args: &OversightBench, database_url: Option<String>) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let store = Store::open(
        &StoreConfig {
            data_dir: dir.path().to_owned(),
            database_url,
            audit_master_key: Some(sightline_store::generate_master_key()?.into()),
            legacy_master_key: None,
        },
        Arc::new(SystemClock),
    )
    .await?;
    let off =
        sightline::load_fixture::seed_named(&store, "Oversight Off", "off", args.users.max(1))
            .await?;
    let on = sightline::load_fixture::seed_named(&store, "Oversight On", "on", args.users.max(1))
        .await?;
    sightline_server::oversight::set_settings(
        &store,
        on.agency,
        sightline_audit::Actor::Console,
        None,
        &serde_json::from_value(all_on())?,
        store.clock.now(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    // History in the index: the same for both agencies.
    let now = store.clock.now();
    let mut seq = 10_000_000;
    let mut rows = 0;
    for a in [&off, &on] {
        for u in &a.investigators {
            for d in 1..=args.history_days {
                for k in 0..args.per_day {
                    seq += 1;
                    rows += 1;
                    store
                        .oversight()
                        .record_query(&QueryFact {
                            agency: a.agency,
                            seq,
                            user: UserId(u.0),
                            at: now - time::Duration::days(d) + time::Duration::minutes(k * 20),
                            plate_digest: format!("history-plate-{}", seq % 5000),
                            case_digest: format!("history-case-{}", seq % 300),
                            result_count: seq % 3,
                        })
                        .await?;
                }
            }
        }
    }
    // A steady state has statistics: a table filled a moment ago has none
    // (autovacuum has not run), and PostgreSQL then plans its lookups
    // through the primary key.
    sqlx::query("ANALYZE oversight_queries")
        .execute(store.db.pool())
        .await
        .context("analyzing the oversight index")?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let state = AppState::new(store.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(sightline_server::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    let mut lat_off = Vec::with_capacity(args.queries);
    let mut lat_on = Vec::with_capacity(args.queries);
    for i in 0..args.queries + 20 {
        for (agency, lat) in [(&off, &mut lat_off), (&on, &mut lat_on)] {
            let token = agency
                .tokens
                .get(i % agency.tokens.len())
                .context("no users")?;
            let mut body = sightline::load_fixture::query_body(&format!("NR{:05}", i % 50));
            if !args.one_case
                && let Some(o) = body.as_object_mut()
            {
                o.insert(
                    "case_reference".into(),
                    serde_json::json!(format!("Bench case 2026-{i:06}")),
                );
            }
            let began = Instant::now();
            let r = client
                .post(format!("{base}/api/v1/queries"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await?;
            let status = r.status();
            let _ = r.bytes().await?;
            anyhow::ensure!(status.is_success(), "a query failed: {status}");
            // The first 20 warm the connection, caches and statements.
            if i >= 20 {
                lat.push(began.elapsed());
            }
        }
    }
    let _ = stop.send(());
    let _ = server.await;
    lat_off.sort();
    lat_on.sort();
    let report = sightline_server::oversight::report(
        &store,
        sightline_server::oversight::ReviewerScope {
            agency: on.agency,
            aor: None,
        },
        store.clock.now(),
    )
    .await?;
    let queued = report.outcomes.pending;
    println!(
        "oversight index: {} history rows per agency ({} users x {} days x {} a day), backend {}",
        rows / 2,
        args.users,
        args.history_days,
        args.per_day,
        if store.db.backend() == sightline_store::Backend::Postgres {
            "postgres"
        } else {
            "sqlite"
        }
    );
    for (label, lat) in [
        ("oversight off (settings read + index insert)", &lat_off),
        ("all five flags + 5 % sample", &lat_on),
    ] {
        println!(
            "{label:<46} {} queries: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms",
            lat.len(),
            percentile(lat, 0.5),
            percentile(lat, 0.9),
            percentile(lat, 0.99)
        );
    }
    println!(
        "queued for review with everything on: {queued} of {} queries ({} sampled, {} flagged; by rule {:?})",
        args.queries + 20,
        report.sampled,
        report.flagged,
        report.by_rule
    );
    Ok(())
}
