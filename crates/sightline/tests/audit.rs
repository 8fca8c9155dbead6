//! `sightline audit export` / `verify` end to end, on both backends: an
//! untouched export verifies with only the public key; an attacker with
//! database access (append-only triggers disabled) who edits, deletes,
//! reorders or inserts entries is caught, and the first bad entry named.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use sightline_audit::{Actor, EntryDraft, Outcome, leaf_hash};
use sightline_core::{ManualClock, TenantScope};
use sightline_store::Store;
use std::process::Output;
use std::sync::Arc;
use support::Deployment;
use time::macros::datetime;

const AGENCY: &str = "Tamper County PD";

/// A deployment whose agency log holds six entries, each under its own
/// signed checkpoint, and the log's public key in a file.
async fn setup(postgres: bool) -> (Deployment, Store, String, std::path::PathBuf) {
    let dep = Deployment::new(postgres).await;
    let clock = ManualClock::new(datetime!(2026-11-21 12:00 UTC));
    let store = Store::open(&dep.store_config(), Arc::new(clock.clone()))
        .await
        .unwrap();
    let agency = store
        .tenancy()
        .create_agency(AGENCY, 10, datetime!(2026-11-21 12:00 UTC))
        .await
        .unwrap();
    let scope = TenantScope::Agency(agency);
    let ledger = store.ledger();
    for i in 1..=6 {
        ledger
            .append(
                EntryDraft::new(scope, Actor::System, "test.event", Outcome::Success).field("i", i),
            )
            .await
            .unwrap();
        clock.advance(time::Duration::seconds(5));
        assert_eq!(ledger.checkpoint_due().await.unwrap(), 1);
    }
    let out = dep.run(&["audit", "public-key", "--agency", AGENCY]);
    let vkey = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(
        vkey.starts_with(&format!("sightline/agency/{agency}+")),
        "{vkey}"
    );
    let key_file = dep.dir.path().join("agency.vkey");
    std::fs::write(&key_file, format!("{vkey}\n")).unwrap();
    let log = scope.log_id();
    (dep, store, log, key_file)
}

fn export_and_verify(dep: &Deployment, key: &std::path::Path) -> Output {
    export_and_verify_kept(dep, key, &[])
}

fn export_and_verify_kept(
    dep: &Deployment,
    key: &std::path::Path,
    kept: &[&std::path::Path],
) -> Output {
    let file = dep.dir.path().join("export.jsonl");
    let path = file.to_str().unwrap();
    dep.run(&["audit", "export", "--agency", AGENCY, "--out", path]);
    // Verification needs no database: run the bare binary.
    let mut verify = std::process::Command::new(support::BIN);
    verify
        .args([
            "audit",
            "verify",
            path,
            "--public-key",
            key.to_str().unwrap(),
        ])
        .env_remove("SIGHTLINE_DATABASE_URL");
    for k in kept {
        verify.arg("--trusted-checkpoint").arg(k);
    }
    verify.output().unwrap()
}

async fn sql(store: &Store, statements: &[String]) {
    for s in statements {
        sqlx::raw_sql(sqlx::AssertSqlSafe(s.clone()))
            .execute(store.db.pool())
            .await
            .unwrap_or_else(|e| panic!("{s}: {e}"));
    }
}

/// What an attacker with database access does first.
fn disable_triggers(postgres: bool) -> Vec<String> {
    if postgres {
        vec!["ALTER TABLE audit_entries DISABLE TRIGGER USER".into()]
    } else {
        vec![
            "DROP TRIGGER audit_entries_no_update".into(),
            "DROP TRIGGER audit_entries_no_delete".into(),
        ]
    }
}

fn assert_names(out: &Output, seq: i64) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "verify passed a tampered export: {stderr}"
    );
    assert!(
        stderr.contains(&format!("first bad entry: seq {seq}:")),
        "expected seq {seq} named: {stderr}"
    );
}

async fn untouched_export_verifies(postgres: bool) {
    let (dep, _store, _log, key) = setup(postgres).await;
    let out = export_and_verify(&dep, &key);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Six entries plus the export's own record, all under a checkpoint.
    assert!(
        stdout.contains("verified: 7 entries, 7 signed checkpoints, tree size 7"),
        "{stdout}"
    );
    // Another key does not vouch for it.
    let other = "sightline/agency/1+00000000+AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let file = dep.dir.path().join("export.jsonl");
    let out = std::process::Command::new(support::BIN)
        .args([
            "audit",
            "verify",
            file.to_str().unwrap(),
            "--public-key",
            other,
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

async fn edited_entry_is_named(postgres: bool) {
    let (dep, store, log, key) = setup(postgres).await;
    // Rewrite entry 3 and recompute its leaf hash, as a careful attacker would.
    let row = store
        .ledger()
        .entry(sightline_store::scope_of(&log).unwrap(), 3)
        .await
        .unwrap()
        .unwrap();
    let forged = row.canonical.replace("\"i\":3", "\"i\":33");
    assert_ne!(forged, row.canonical);
    let mut stmts = disable_triggers(postgres);
    stmts.push(format!(
        "UPDATE audit_entries SET canonical = '{forged}', leaf_hash = '{}' WHERE log_id = '{log}' AND seq = 3",
        hex::encode(leaf_hash(forged.as_bytes()))
    ));
    sql(&store, &stmts).await;
    assert_names(&export_and_verify(&dep, &key), 3);
}

async fn deleted_entry_is_named(postgres: bool) {
    let (dep, store, log, key) = setup(postgres).await;
    let mut stmts = disable_triggers(postgres);
    stmts.push(format!(
        "DELETE FROM audit_entries WHERE log_id = '{log}' AND seq = 4"
    ));
    sql(&store, &stmts).await;
    assert_names(&export_and_verify(&dep, &key), 4);
}

async fn reordered_entries_are_named(postgres: bool) {
    let (dep, store, log, key) = setup(postgres).await;
    let mut stmts = disable_triggers(postgres);
    for (from, to) in [(2, 1000), (5, 2), (1000, 5)] {
        stmts.push(format!(
            "UPDATE audit_entries SET seq = {to} WHERE log_id = '{log}' AND seq = {from}"
        ));
    }
    sql(&store, &stmts).await;
    assert_names(&export_and_verify(&dep, &key), 2);
}

async fn inserted_entry_is_named(postgres: bool) {
    let (dep, store, log, key) = setup(postgres).await;
    // Make room after entry 3 and slip in a well-formed forged entry 4.
    let row = store
        .ledger()
        .entry(sightline_store::scope_of(&log).unwrap(), 3)
        .await
        .unwrap()
        .unwrap();
    let forged = row
        .canonical
        .replace("\"seq\":3", "\"seq\":4")
        .replace("\"i\":3", "\"i\":0");
    let mut stmts = disable_triggers(postgres);
    stmts.push(format!(
        "UPDATE audit_entries SET seq = seq + 1000 WHERE log_id = '{log}' AND seq >= 4"
    ));
    stmts.push(format!(
        "UPDATE audit_entries SET seq = seq - 999 WHERE log_id = '{log}' AND seq > 1000"
    ));
    stmts.push(format!(
        "INSERT INTO audit_entries (log_id, seq, agency_id, at, actor_id, action, outcome, canonical, leaf_hash, chain_hash) \
         SELECT log_id, 4, agency_id, at, actor_id, action, outcome, '{forged}', '{}', chain_hash \
         FROM audit_entries WHERE log_id = '{log}' AND seq = 3",
        hex::encode(leaf_hash(forged.as_bytes()))
    ));
    sql(&store, &stmts).await;
    assert_names(&export_and_verify(&dep, &key), 4);
}

async fn rewrite_with_replaced_checkpoints_is_caught_by_a_kept_checkpoint(postgres: bool) {
    let (dep, store, log, key) = setup(postgres).await;
    // The auditor kept the latest checkpoint (from the API or an export).
    let scope = sightline_store::scope_of(&log).unwrap();
    let kept = store
        .ledger()
        .latest_checkpoint(scope)
        .await
        .unwrap()
        .unwrap();
    let kept_file = dep.dir.path().join("kept.note");
    std::fs::write(&kept_file, &kept.note).unwrap();
    // The attacker rewrites entry 2 with its leaf, and deletes every stored
    // checkpoint so the ledger signs the rewrite as a fresh log.
    let row = store.ledger().entry(scope, 2).await.unwrap().unwrap();
    let forged = row.canonical.replace("\"i\":2", "\"i\":22");
    let mut stmts = disable_triggers(postgres);
    stmts.push(if postgres {
        "ALTER TABLE audit_checkpoints DISABLE TRIGGER USER".into()
    } else {
        "DROP TRIGGER audit_checkpoints_no_delete".into()
    });
    stmts.push(format!(
        "UPDATE audit_entries SET canonical = '{forged}', leaf_hash = '{}' WHERE log_id = '{log}' AND seq = 2",
        hex::encode(leaf_hash(forged.as_bytes()))
    ));
    stmts.push(format!(
        "DELETE FROM audit_checkpoints WHERE log_id = '{log}'"
    ));
    sql(&store, &stmts).await;
    // The export alone cannot tell (documented limit)...
    assert!(export_and_verify(&dep, &key).status.success());
    // ...the kept checkpoint can.
    let out = export_and_verify_kept(&dep, &key, &[&kept_file]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("checkpoint you kept (size 6)"), "{stderr}");
}

/// `bench audit` runs end to end (a smoke test: no timing is asserted).
#[test]
fn bench_audit_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(support::BIN)
        .args(["--data-dir", dir.path().to_str().unwrap()])
        .args(["bench", "audit", "--appends", "8", "--concurrency", "2"])
        .args(["--entries", "50", "--checkpoint-every", "10"])
        .env_remove("SIGHTLINE_DATABASE_URL")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("verified: 50 entries, 5 signed checkpoints"),
        "{stdout}"
    );
    assert!(
        stdout.contains("baseline: durable write transaction"),
        "{stdout}"
    );
}

macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
              async fn $name() { super::$name(false).await })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
              async fn $name() { super::$name(true).await })*
        }
    };
}

both_backends!(
    untouched_export_verifies,
    edited_entry_is_named,
    deleted_entry_is_named,
    reordered_entries_are_named,
    inserted_entry_is_named,
    rewrite_with_replaced_checkpoints_is_caught_by_a_kept_checkpoint,
);
