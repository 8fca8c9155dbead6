//! `sightline admin offboard`: the console's contract end. Start, status
//! (what would be destroyed, and the name to confirm with), refusals while
//! the window is open or the name is wrong, then the destruction.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::sync::Arc;
use support::Deployment;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offboarding_from_the_console() {
    let dep = Deployment::new(false).await;
    dep.run(&["admin", "create-agency", "Harbor Police", "--seat-cap", "5"]);
    dep.run(&["admin", "create-aor", "--agency", "Harbor Police", "Docks"]);
    let out = dep.run(&["admin", "offboard", "start", "Harbor Police"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("transfer window open until"));
    let out = dep.run(&["admin", "offboard", "status", "Harbor Police"]);
    let status = String::from_utf8_lossy(&out.stdout);
    assert!(status.contains("transfer_window"), "{status}");
    assert!(status.contains("areas of responsibility"), "{status}");
    assert!(
        status.contains("--confirm-name 'Harbor Police'"),
        "{status}"
    );

    let refused = |args: &[&str]| {
        let out = dep.command().args(args).output().unwrap();
        assert!(!out.status.success(), "{args:?} should fail");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let err = refused(&[
        "admin",
        "offboard",
        "destroy",
        "Harbor Police",
        "--confirm-name",
        "Harbor",
    ]);
    assert!(err.contains("does not match"), "{err}");
    let err = refused(&[
        "admin",
        "offboard",
        "destroy",
        "Harbor Police",
        "--confirm-name",
        "Harbor Police",
    ]);
    assert!(err.contains("has until"), "{err}");

    // The agency confirms it has its data (through the API in production).
    {
        let store = sightline_store::Store::open(
            &dep.store_config(),
            Arc::new(sightline_core::SystemClock),
        )
        .await
        .unwrap();
        let agency = store
            .tenancy()
            .agency_by_name("Harbor Police")
            .await
            .unwrap()
            .unwrap()
            .id;
        let now = store.clock.now();
        store
            .offboarding()
            .confirm(agency, now)
            .await
            .unwrap()
            .unwrap();
    }
    let out = dep.run(&[
        "admin",
        "offboard",
        "destroy",
        "Harbor Police",
        "--confirm-name",
        "Harbor Police",
    ]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("destroyed"));
    let out = dep.run(&["admin", "list"]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Harbor Police"));
    let out = dep.run(&["admin", "offboard", "status", "1"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("destroyed"));
}

/// The console destroying an agency's audit data keys says so in that
/// agency's own log first, where its auditors look (the review's finding),
/// as well as in the operator's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shredding_keys_is_in_the_agencys_own_log() {
    let dep = Deployment::new(false).await;
    dep.run(&["admin", "create-agency", "Harbor Police", "--seat-cap", "5"]);
    dep.run(&[
        "admin",
        "shred-audit-keys",
        "--agency",
        "Harbor Police",
        "--before",
        "202001",
    ]);
    let store =
        sightline_store::Store::open(&dep.store_config(), Arc::new(sightline_core::SystemClock))
            .await
            .unwrap();
    let agency = store
        .tenancy()
        .agency_by_name("Harbor Police")
        .await
        .unwrap()
        .unwrap()
        .id;
    let own = store
        .ledger()
        .all(sightline_core::TenantScope::Agency(agency))
        .await
        .unwrap();
    let entry = own
        .iter()
        .find(|e| e.entry.action == "operator.audit_keys_shredded")
        .expect("the agency's log records the shredding");
    assert_eq!(entry.entry.fields["before_year"], 202_001);
    let operator = store
        .ledger()
        .all(sightline_core::TenantScope::Operator)
        .await
        .unwrap();
    assert!(
        operator
            .iter()
            .any(|e| e.entry.action == "admin.audit_keys_shredded")
    );
}
