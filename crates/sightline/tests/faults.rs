//! Faults under load, through the real binary: `kill -9` of the server, a
//! full disk, PostgreSQL stopped, SMTP stopped. Query clients and an ingest
//! source run throughout. In every case:
//!
//! - nothing acknowledged is lost (every read an ingest answer accepted is
//!   stored afterwards);
//! - no results are returned without an entry (every answered query's
//!   `query.run` entry exists, and the logs verify);
//! - while the fault lasts, the service says what is wrong (a 503 problem
//!   with `storage_full`, `storage_unavailable` or `audit_unavailable`,
//!   never a 500) or, for SMTP, keeps serving and retries the mail;
//! - once the fault is gone it recovers by itself (only `kill -9` needs a
//!   restart, which is the supervisor's job: the test plays systemd).
//!
//! The load is small by default so the suite stays quick;
//! `SIGHTLINE_FAULT_CLIENTS` and `SIGHTLINE_FAULT_PHASE_SECONDS` scale it
//! (docs/security.md has the figures of a large run). Each test prints its
//! figures (`--nocapture`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use serde_json::Value;
use sightline::load_fixture::{LoadAgency, batch, photo_base64, plate_name, query_body, seed};
use sightline_core::alert::NotifyScope;
use sightline_core::purpose::ReasonCode;
use sightline_core::text::Note;
use sightline_core::{Jurisdiction, Plate, SystemClock, TenantScope};
use sightline_store::{NewEntry, Store};
use sightline_testkit::{PrivateCluster, SmtpServer};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{Deployment, Server, free_port};

/// Plates read before the load starts; the load's reads reuse them.
const PLATES: usize = 200;
/// Reads per ingest batch.
const BATCH: usize = 20;

/// The phases of one run; each request is counted in the phase it started in.
const BEFORE: usize = 0;
const FAULT: usize = 1;
const RECOVERING: usize = 2;
const AFTER: usize = 3;
const PHASES: [&str; 4] = ["before", "fault", "recovering", "after"];

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn clients() -> usize {
    usize::try_from(env_or("SIGHTLINE_FAULT_CLIENTS", 16)).unwrap()
}

fn phase_length() -> Duration {
    Duration::from_secs(env_or("SIGHTLINE_FAULT_PHASE_SECONDS", 3))
}

/// What the clients saw in one phase.
#[derive(Default, Clone)]
struct Seen {
    statuses: BTreeMap<u16, u64>,
    /// The problem `code` of every non-2xx answer.
    codes: BTreeMap<String, u64>,
    connection_errors: u64,
    /// Audit seqs (`query_id`) of answered queries.
    answered: BTreeSet<i64>,
    /// Source read ids an ingest answer accepted (or found a duplicate of).
    acked: Vec<String>,
}

impl std::fmt::Debug for Seen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "statuses {:?}, problem codes {:?}, failed connections {}, {} answered, {} reads acknowledged",
            self.statuses,
            self.codes,
            self.connection_errors,
            self.answered.len(),
            self.acked.len()
        )
    }
}

impl Seen {
    fn failures(&self) -> u64 {
        self.statuses.range(300..).map(|(_, n)| n).sum::<u64>() + self.connection_errors
    }
}

/// Query clients plus one ingest source, against `base`, until stopped.
struct Load {
    phase: Arc<AtomicUsize>,
    /// Requests sent and not yet answered, by the phase they started in.
    in_flight: Arc<[AtomicUsize; 4]>,
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<[Seen; 4]>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

async fn record(
    seen: &Mutex<[Seen; 4]>,
    in_flight: &[AtomicUsize; 4],
    phase: usize,
    resp: reqwest::Result<reqwest::Response>,
) {
    count(seen, phase, resp).await;
    in_flight[phase].fetch_sub(1, Ordering::SeqCst);
}

async fn count(seen: &Mutex<[Seen; 4]>, phase: usize, resp: reqwest::Result<reqwest::Response>) {
    let resp = match resp {
        Ok(r) => r,
        Err(_) => {
            seen.lock().unwrap()[phase].connection_errors += 1;
            return;
        }
    };
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    let mut seen = seen.lock().unwrap();
    let s = &mut seen[phase];
    *s.statuses.entry(status).or_default() += 1;
    if status >= 300 {
        let code = body["code"].as_str().unwrap_or("(no problem body)");
        *s.codes.entry(code.to_owned()).or_default() += 1;
        return;
    }
    if let Some(seq) = body["query_id"].as_i64() {
        s.answered.insert(seq);
    }
    for r in body["results"].as_array().into_iter().flatten() {
        if r["status"] == "accepted" || r["status"] == "duplicate" {
            s.acked
                .push(r["source_read_id"].as_str().unwrap_or_default().to_owned());
        }
    }
}

/// Marks a request as started in the current phase; returns the phase.
fn started(phase: &AtomicUsize, in_flight: &[AtomicUsize; 4]) -> usize {
    loop {
        let p = phase.load(Ordering::SeqCst);
        in_flight[p].fetch_add(1, Ordering::SeqCst);
        // The phase may have moved on between the two; count it there.
        if phase.load(Ordering::SeqCst) == p {
            return p;
        }
        in_flight[p].fetch_sub(1, Ordering::SeqCst);
    }
}

impl Load {
    fn start(base: &str, fixture: &LoadAgency, photo: &str) -> Self {
        let phase = Arc::new(AtomicUsize::new(BEFORE));
        let in_flight: Arc<[AtomicUsize; 4]> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let seen: Arc<Mutex<[Seen; 4]>> = Arc::default();
        let mut tasks = Vec::new();
        for c in 0..clients() {
            let token = fixture.tokens[c % fixture.tokens.len()].clone();
            let (base, phase, stop, seen, in_flight) = (
                base.to_owned(),
                phase.clone(),
                stop.clone(),
                seen.clone(),
                in_flight.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .timeout(Duration::from_secs(30))
                    .build()
                    .unwrap();
                let mut i = c;
                while !stop.load(Ordering::Relaxed) {
                    let p = started(&phase, &in_flight);
                    let resp = client
                        .post(format!("{base}/api/v1/queries"))
                        .bearer_auth(&token)
                        .json(&query_body(&plate_name((i * 7919) % PLATES)))
                        .send()
                        .await;
                    let failed = resp.is_err();
                    record(&seen, &in_flight, p, resp).await;
                    if failed {
                        // A refused connection returns at once; do not spin.
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    i += clients();
                }
            }));
        }
        let (base, key, photo) = (
            base.to_owned(),
            fixture.source_key.clone(),
            photo.to_owned(),
        );
        let (phase2, stop2, seen2, in_flight2) =
            (phase.clone(), stop.clone(), seen.clone(), in_flight.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap();
            let mut first = PLATES;
            while !stop2.load(Ordering::Relaxed) {
                let p = started(&phase2, &in_flight2);
                let resp = client
                    .post(format!("{base}/api/v1/ingest/reads"))
                    .bearer_auth(&key)
                    .json(&batch(first, BATCH, PLATES, &photo))
                    .send()
                    .await;
                record(&seen2, &in_flight2, p, resp).await;
                first += BATCH;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }));
        Self {
            phase,
            in_flight,
            stop,
            seen,
            tasks,
        }
    }

    /// Moves to `phase` once every request of the phase before it has its
    /// answer, so that a phase's figures are its own (a request cut off by
    /// the fault counts in the fault's phase).
    async fn enter(&self, phase: usize) {
        let before = self.phase.swap(phase, Ordering::SeqCst);
        while self.in_flight[before].load(Ordering::SeqCst) > 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Waits (wall clock: real processes) for `d`.
    async fn run_for(&self, d: Duration) {
        tokio::time::sleep(d).await;
    }

    async fn finish(self) -> [Seen; 4] {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.tasks {
            t.await.unwrap();
        }
        self.seen.lock().unwrap().clone()
    }
}

/// A deployment seeded for the load, with one alert entry on a plate the
/// load reads, whose owner is the first investigator.
struct Rig {
    dep: Deployment,
    fixture: LoadAgency,
    photo: String,
    port: u16,
}

impl Rig {
    async fn new(dep: Deployment) -> Self {
        let store = Store::open(&dep.store_config(), Arc::new(SystemClock))
            .await
            .unwrap();
        let fixture = seed(&store, 8).await.unwrap();
        let now = store.clock.now();
        let alerts = store.alerts();
        let owner = fixture.investigators[0];
        let list_id = alerts
            .create_list(fixture.agency, owner, "Fault watch", now)
            .await
            .unwrap();
        let list = alerts.list(fixture.agency, list_id).await.unwrap().unwrap();
        alerts
            .add_entries(
                &list,
                &[NewEntry {
                    plate: Plate::parse(&plate_name(7)).unwrap(),
                    jurisdiction: Jurisdiction::parse("PA").unwrap(),
                    reason_code: ReasonCode::parse("criminal-investigation").unwrap(),
                    note: Note::parse("Fault test case 7").unwrap(),
                    notify: NotifyScope::Owner,
                    recipients: Vec::new(),
                    group: None,
                }],
                now,
            )
            .await
            .unwrap();
        drop(store);
        Self {
            dep,
            fixture,
            photo: photo_base64().unwrap(),
            port: free_port(),
        }
    }

    async fn serve(&self, env: &[(&str, &str)]) -> Server {
        let server = self.dep.serve_on(self.port, env).await;
        // Every plate read once before the load, so queries find results.
        let client = reqwest::Client::new();
        let mut next = 0;
        while next < PLATES {
            let r = client
                .post(format!("{}/api/v1/ingest/reads", server.base))
                .bearer_auth(&self.fixture.source_key)
                .json(&batch(next, BATCH, PLATES, &self.photo))
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "preload: {}", r.status());
            next += BATCH;
        }
        server
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Polls until a query and an ingest both succeed again; how long that took.
    async fn wait_until_recovered(&self) -> Duration {
        let started = Instant::now();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let mut n = 0;
        loop {
            let query = client
                .post(format!("{}/api/v1/queries", self.base()))
                .bearer_auth(&self.fixture.tokens[0])
                .json(&query_body(&plate_name(1)))
                .send()
                .await;
            let ingest = client
                .post(format!("{}/api/v1/ingest/reads", self.base()))
                .bearer_auth(&self.fixture.source_key)
                .json(&batch(10_000_000 + n, 1, PLATES, &self.photo))
                .send()
                .await;
            n += 1;
            let (query, ingest) = (answer(query).await, answer(ingest).await);
            if query.0 == 200 && ingest.0 == 200 {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "the service did not recover within 120 s of the fault ending: \
                 query {query:?}, ingest {ingest:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The checks every fault must pass, once the server is stopped.
    async fn check_nothing_lost(&self, seen: &[Seen; 4]) -> (usize, usize) {
        let store = Store::open(&self.dep.store_config(), Arc::new(SystemClock))
            .await
            .unwrap();
        let source = store.sources().all().await.unwrap().remove(0);
        let mut acked = 0;
        for s in seen {
            for id in &s.acked {
                assert!(
                    store.reads.contains(source.id, id).await.unwrap(),
                    "acknowledged read {id} lost"
                );
                acked += 1;
            }
        }
        let scope = TenantScope::Agency(self.fixture.agency);
        let logged: BTreeSet<i64> = store
            .ledger()
            .all(scope)
            .await
            .unwrap()
            .iter()
            .filter(|r| r.entry.action == "query.run")
            .map(|r| r.entry.seq)
            .collect();
        let answered: BTreeSet<i64> = seen.iter().flat_map(|s| s.answered.clone()).collect();
        let unlogged: Vec<_> = answered.difference(&logged).collect();
        assert!(
            unlogged.is_empty(),
            "answered without an entry: {unlogged:?}"
        );
        for scope in [scope, TenantScope::Operator] {
            assert!(store.ledger().verify(scope).await.unwrap().is_ok());
        }
        (acked, answered.len())
    }
}

/// A response's status and body (0 and the error for no response).
async fn answer(resp: reqwest::Result<reqwest::Response>) -> (u16, String) {
    match resp {
        Ok(r) => (r.status().as_u16(), r.text().await.unwrap_or_default()),
        Err(e) => (0, e.to_string()),
    }
}

fn report(name: &str, seen: &[Seen; 4], recovered_in: Duration, acked: usize, answered: usize) {
    println!(
        "fault: {name} ({} clients, {:?} a phase)",
        clients(),
        phase_length()
    );
    for (label, s) in PHASES.iter().zip(seen) {
        println!(
            "  {label:<10} statuses {:?}; problem codes {:?}; failed connections {}",
            s.statuses, s.codes, s.connection_errors
        );
    }
    println!(
        "  recovered {:.1} s after the fault ended; {acked} reads acknowledged, all stored; \
         {answered} queries answered, all with their entry",
        recovered_in.as_secs_f64()
    );
}

/// Healthy phases see no failure; fault phases only the `allowed` codes
/// (and connection errors only where `refused` is true): never a 500.
fn assert_clear(seen: &[Seen; 4], allowed: &[&str], refused: bool) {
    for p in [BEFORE, AFTER] {
        assert_eq!(seen[p].failures(), 0, "{} phase: {:?}", PHASES[p], seen[p]);
        assert!(
            !seen[p].answered.is_empty(),
            "{} phase answered nothing",
            PHASES[p]
        );
    }
    for p in [FAULT, RECOVERING] {
        let s = &seen[p];
        for (status, n) in &s.statuses {
            assert!(
                *status < 300 || *status == 503,
                "{} phase: {n} answers with status {status}: {s:?}",
                PHASES[p]
            );
        }
        for code in s.codes.keys() {
            assert!(
                allowed.contains(&code.as_str()),
                "{} phase: code {code}: {s:?}",
                PHASES[p]
            );
        }
        if !refused {
            assert_eq!(s.connection_errors, 0, "{} phase: {s:?}", PHASES[p]);
        }
    }
}

async fn kill_9(postgres: bool) {
    let rig = Rig::new(Deployment::new(postgres).await).await;
    let mut server = rig.serve(&[]).await;
    let load = Load::start(&rig.base(), &rig.fixture, &rig.photo);
    load.run_for(phase_length()).await;
    load.enter(FAULT).await;
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    drop(server);
    load.run_for(phase_length()).await;
    load.enter(RECOVERING).await;
    let _server = rig.dep.serve_on(rig.port, &[]).await;
    let recovered_in = rig.wait_until_recovered().await;
    load.enter(AFTER).await;
    load.run_for(phase_length()).await;
    let seen = load.finish().await;
    drop(_server);
    // While it was down: refused connections, or requests cut off.
    assert!(seen[FAULT].connection_errors > 0, "{:?}", seen[FAULT]);
    assert_clear(&seen, &[], true);
    let (acked, answered) = rig.check_nothing_lost(&seen).await;
    report(
        &format!(
            "kill -9 ({})",
            if postgres { "PostgreSQL" } else { "SQLite" }
        ),
        &seen,
        recovered_in,
        acked,
        answered,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_kill_9_under_load_loses_nothing() {
    kill_9(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_kill_9_under_load_loses_nothing() {
    kill_9(true).await;
}

/// A tmpfs of `mb` MiB mounted on a new directory, unmounted on drop.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(mb: u64) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let out = std::process::Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={mb}m"),
                "sightline-fault",
            ])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "mounting a {mb} MiB tmpfs needs root (CAP_SYS_ADMIN), as the suite runs: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Self { dir }
    }

    /// Writes a file until the disk is full.
    fn fill(&self) -> std::path::PathBuf {
        use std::io::Write as _;
        let path = self.dir.path().join("filler");
        let mut f = std::fs::File::create(&path).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        while f.write_all(&chunk).is_ok() {}
        let _ = f.flush();
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

/// A storage outage under load: `inject` starts it, `heal` ends it. While
/// it lasts, `/healthz` and every failed request say `code` (or
/// `audit_unavailable`, for queries).
async fn storage_outage<T>(
    name: &str,
    dep: Deployment,
    code: &str,
    inject: impl FnOnce() -> T,
    heal: impl FnOnce(T),
) {
    let rig = Rig::new(dep).await;
    let server = rig.serve(&[]).await;
    let load = Load::start(&rig.base(), &rig.fixture, &rig.photo);
    load.run_for(phase_length()).await;
    load.enter(FAULT).await;
    let fault = inject();
    load.run_for(phase_length()).await;
    let health = reqwest::get(format!("{}/healthz", rig.base()))
        .await
        .unwrap();
    assert_eq!(health.status(), 503);
    let problem: Value = health.json().await.unwrap();
    assert_eq!(problem["code"], code, "{problem}");
    heal(fault);
    load.enter(RECOVERING).await;
    let recovered_in = rig.wait_until_recovered().await;
    load.enter(AFTER).await;
    load.run_for(phase_length()).await;
    let seen = load.finish().await;
    drop(server);
    assert!(
        seen[FAULT].failures() > 0,
        "the fault refused nothing: {:?}",
        seen[FAULT]
    );
    assert_clear(&seen, &[code, "audit_unavailable"], false);
    let (acked, answered) = rig.check_nothing_lost(&seen).await;
    report(name, &seen, recovered_in, acked, answered);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_disk_under_load_is_said_clearly_and_loses_nothing() {
    let disk = SmallDisk::mount(env_or("SIGHTLINE_FAULT_DISK_MB", 256));
    let dep = Deployment {
        dir: tempfile::TempDir::new_in(disk.dir.path()).unwrap(),
        database_url: None,
    };
    storage_outage(
        "full disk (SQLite on tmpfs)",
        dep,
        "storage_full",
        || disk.fill(),
        |filler| std::fs::remove_file(filler).unwrap(),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_stopped_under_load_is_said_clearly_and_loses_nothing() {
    let cluster = PrivateCluster::start();
    let dep = Deployment {
        dir: tempfile::tempdir().unwrap(),
        database_url: Some(cluster.database_url().await),
    };
    storage_outage(
        "PostgreSQL stopped",
        dep,
        "storage_unavailable",
        || cluster.stop(),
        |()| cluster.resume(),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn smtp_stopped_under_load_delays_mail_and_loses_none() {
    let mut smtp = SmtpServer::start();
    let rig = Rig::new(Deployment::new(false).await).await;
    let url = smtp.url();
    let env = [
        ("SIGHTLINE_SMTP_URL", url.as_str()),
        ("SIGHTLINE_MAIL_FROM", "alerts@sightline.test"),
    ];
    let server = rig.serve(&env).await;
    let load = Load::start(&rig.base(), &rig.fixture, &rig.photo);
    load.run_for(phase_length()).await;
    let before = smtp.messages().len();
    load.enter(FAULT).await;
    smtp.stop();
    load.run_for(phase_length()).await;
    smtp.restart();
    load.enter(RECOVERING).await;
    let recovered_in = rig.wait_until_recovered().await;
    load.enter(AFTER).await;
    load.run_for(phase_length()).await;
    let seen = load.finish().await;
    // Every message the outbox holds is delivered, once, within the
    // backoff (15 s, then 30 s, ...).
    let store = Store::open(&rig.dep.store_config(), Arc::new(SystemClock))
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(150);
    let (unsent, sent) = loop {
        let (unsent, sent) = store.outbox().counts().await.unwrap();
        if unsent == 0 {
            break (unsent, sent);
        }
        assert!(Instant::now() < deadline, "{unsent} messages never sent");
        // Waiting on the server's real backoff; no test clock in another process.
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    drop(server);
    let received = smtp.messages();
    let mut keys = BTreeSet::new();
    for m in &received {
        assert!(keys.insert(m.message_id.clone()), "sent twice: {m:?}");
    }
    assert_eq!(
        i64::try_from(received.len()).unwrap(),
        sent,
        "{unsent} unsent"
    );
    assert!(
        received.len() > before,
        "no mail was waiting out the outage"
    );
    let most_attempts = store.outbox().max_attempts().await.unwrap();
    assert!(most_attempts > 0, "no send ever failed");
    drop(store);
    assert_clear(&seen, &[], false);
    for p in [FAULT, RECOVERING] {
        assert_eq!(
            seen[p].failures(),
            0,
            "SMTP down must not fail requests: {:?}",
            seen[p]
        );
    }
    let (acked, answered) = rig.check_nothing_lost(&seen).await;
    report("SMTP stopped", &seen, recovered_in, acked, answered);
    println!(
        "  mail: {before} before the outage, {} in all, each once; the longest wait was {most_attempts} failed attempts",
        received.len()
    );
}
