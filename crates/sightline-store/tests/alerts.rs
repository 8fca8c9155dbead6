//! Alert index and outbox conformance, on both backends.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use sightline_core::alert::NotifyScope;
use sightline_core::purpose::ReasonCode;
use sightline_core::text::Note;
use sightline_core::{Clock, Jurisdiction, ManualClock, Plate, Role};
use sightline_store::{
    AlertList, EntryId, NewEntry, NewUser, OutboxMessage, Store, StoreConfig, backoff, enqueue,
};
use std::collections::HashSet;
use std::sync::Arc;
use time::macros::datetime;

async fn open(pg: bool) -> (Store, Store, tempfile::TempDir, ManualClock) {
    let dir = tempfile::tempdir().unwrap();
    let database_url = if pg {
        Some(sightline_testkit::postgres_url().await)
    } else {
        None
    };
    let clock = ManualClock::new(datetime!(2026-11-21 12:00 UTC));
    let config = StoreConfig {
        data_dir: dir.path().to_owned(),
        database_url,
        audit_master_key: Some(sightline_testkit::TEST_MASTER_KEY.into()),
        legacy_master_key: None,
    };
    let a = Store::open(&config, Arc::new(clock.clone())).await.unwrap();
    let b = Store::open(&config, Arc::new(clock.clone())).await.unwrap();
    (a, b, dir, clock)
}

fn entry(plate: &str) -> NewEntry {
    NewEntry {
        plate: Plate::parse(plate).unwrap(),
        jurisdiction: Jurisdiction::parse("PA").unwrap(),
        reason_code: ReasonCode::parse("criminal-investigation").unwrap(),
        note: Note::parse("Case 1").unwrap(),
        notify: NotifyScope::Owner,
        recipients: Vec::new(),
        group: None,
    }
}

async fn list(store: &Store) -> AlertList {
    let now = store.clock.now();
    let agency = store.tenancy().create_agency("A", 5, now).await.unwrap();
    let user = store
        .tenancy()
        .create_user(
            &NewUser {
                agency_id: Some(agency),
                aor_id: None,
                program_id: None,
                username: "owner".into(),
                display_name: "Owner".into(),
                email: "owner@agency.test".into(),
                role: Role::Investigator,
                password_hash: "x".into(),
            },
            now,
        )
        .await
        .unwrap();
    let id = store
        .alerts()
        .create_list(agency, user, "L", now)
        .await
        .unwrap();
    store.alerts().list(agency, id).await.unwrap().unwrap()
}

async fn index_on_another_node_follows_adds_deletes_and_reused_ids(pg: bool) {
    let (a, b, _dir, clock) = open(pg).await;
    let l = list(&a).await;
    let now = clock.now();
    let ids = a
        .alerts()
        .add_entries(&l, &[entry("AAA1"), entry("BBB2")], now)
        .await
        .unwrap();
    b.alert_index.refresh_if_stale(&b.alerts()).await.unwrap();
    assert_eq!(b.alert_index.len(), 2);
    assert_eq!(b.alert_index.matches("BBB2", "PA", now).len(), 1);
    assert!(b.alert_index.matches("BBB2", "WI", now).is_empty());
    // Delete the newest entry; on SQLite the next insert may reuse its id.
    let last: EntryId = *ids.iter().max().unwrap();
    a.alerts().delete_entry(&l, last).await.unwrap().unwrap();
    a.alerts()
        .add_entries(&l, &[entry("CCC3")], now)
        .await
        .unwrap();
    b.alert_index.refresh_if_stale(&b.alerts()).await.unwrap();
    assert_eq!(b.alert_index.len(), 2);
    assert!(b.alert_index.matches("BBB2", "PA", now).is_empty());
    assert_eq!(b.alert_index.matches("CCC3", "PA", now).len(), 1);
    // Expiry needs no reload: matching checks the clock.
    let later = now + sightline_core::alert::VALIDITY;
    assert!(b.alert_index.matches("CCC3", "PA", later).is_empty());
}

fn msg(key: &str) -> OutboxMessage {
    OutboxMessage {
        agency_id: None,
        dedupe_key: key.into(),
        recipient: "x@agency.test".into(),
        subject: "s".into(),
        body: "b".into(),
    }
}

async fn outbox_dedupes_claims_once_and_backs_off(pg: bool) {
    let (a, b, _dir, clock) = open(pg).await;
    let now = clock.now();
    let mut tx = a.db.begin_write().await.unwrap();
    for k in ["k1", "k2", "k3", "k1"] {
        enqueue(&mut tx, &msg(k), now).await.unwrap();
    }
    tx.commit().await.unwrap();
    // A rolled-back transaction leaves no mail behind.
    let mut tx = a.db.begin_write().await.unwrap();
    enqueue(&mut tx, &msg("k4"), now).await.unwrap();
    drop(tx);
    assert_eq!(a.outbox().counts().await.unwrap(), (3, 0));
    // Two nodes claiming at once never get the same message.
    let (oa, ob) = (a.outbox(), b.outbox());
    let (x, y) = tokio::join!(oa.claim(now, 2), ob.claim(now, 2));
    let (x, y) = (x.unwrap(), y.unwrap());
    let keys: HashSet<String> = x.iter().chain(&y).map(|m| m.dedupe_key.clone()).collect();
    assert_eq!(x.len() + y.len(), 3);
    assert_eq!(keys.len(), 3);
    // Leased: nobody else gets them now.
    assert!(a.outbox().claim(now, 10).await.unwrap().is_empty());
    let all: Vec<_> = x.into_iter().chain(y).collect();
    a.outbox().mark_sent(all[0].id, now).await.unwrap();
    a.outbox()
        .mark_failed(&all[1], "smtp down", now)
        .await
        .unwrap();
    // The failed one waits for its backoff; the leased one for its lease.
    clock.advance(backoff(1) - time::Duration::seconds(1));
    assert!(a.outbox().claim(clock.now(), 10).await.unwrap().is_empty());
    clock.advance(time::Duration::seconds(1));
    let retry = a.outbox().claim(clock.now(), 10).await.unwrap();
    assert_eq!(retry.len(), 1);
    assert_eq!(retry[0].dedupe_key, all[1].dedupe_key);
    assert_eq!(retry[0].attempts, 1);
    clock.advance(sightline_store::LEASE);
    let expired_lease = a.outbox().claim(clock.now(), 10).await.unwrap();
    let keys: HashSet<String> = expired_lease.iter().map(|m| m.dedupe_key.clone()).collect();
    assert!(keys.contains(&all[2].dedupe_key));
    assert!(
        !keys.contains(&all[0].dedupe_key),
        "sent mail is never claimed again"
    );
}

macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() { super::$name(false).await })*
        }
        mod postgres {
            $(#[tokio::test] async fn $name() { super::$name(true).await })*
        }
    };
}

both_backends!(
    index_on_another_node_follows_adds_deletes_and_reused_ids,
    outbox_dedupes_claims_once_and_backs_off,
);
