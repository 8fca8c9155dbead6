//! The store's own conformance suite, run against both backends.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use sightline_audit::{Actor, EntryDraft, Outcome};
use sightline_core::purpose::{self, ProgramPolicy, QueryInput, ReasonCode, ReasonPolicy};
use sightline_core::read::NewRead;
use sightline_core::tenancy::SourceId;
use sightline_core::text::read_text::{PlaceText, SourceReadId};
use sightline_core::{
    AgencyId, GeoPoint, Jurisdiction, ManualClock, Plate, SourceKind, TenantScope, TimeframeSpec,
    UserId,
};
use sightline_store::{InsertOutcome, Store, StoreConfig};
use std::sync::Arc;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-11-21 12:00 UTC);

async fn open(pg: bool) -> (Store, tempfile::TempDir, ManualClock) {
    let dir = tempfile::tempdir().unwrap();
    let database_url = if pg {
        Some(sightline_testkit::postgres_url().await)
    } else {
        None
    };
    let clock = ManualClock::new(NOW);
    let store = Store::open(
        &StoreConfig {
            data_dir: dir.path().to_owned(),
            database_url,
            audit_master_key: Some(sightline_testkit::TEST_MASTER_KEY.into()),
            legacy_master_key: None,
        },
        Arc::new(clock.clone()),
    )
    .await
    .unwrap();
    (store, dir, clock)
}

fn read(source: SourceId, id: &str, plate: &str, state: &str, at: OffsetDateTime) -> NewRead {
    NewRead {
        source_id: source,
        source_read_id: SourceReadId::parse(id).unwrap(),
        collected_in: Jurisdiction::parse("PA").unwrap(),
        plate: Plate::parse(plate).unwrap(),
        jurisdiction: Jurisdiction::parse(state).unwrap(),
        captured_at: at,
        location: GeoPoint::new(39.95, -75.16).unwrap(),
        nearest_address: PlaceText::parse("1500 Market St").unwrap(),
        nearest_intersection: PlaceText::parse("Market St & 15th St").unwrap(),
        vehicle_photo: sightline_core::read::BlobId::from_digest([1; 32]),
        plate_photo: sightline_core::read::BlobId::from_digest([2; 32]),
        vehicle: None,
    }
}

async fn ledger_chains_and_refuses_rewrites(pg: bool) {
    let (store, _dir, _clock) = open(pg).await;
    let ledger = store.ledger();
    let scope = TenantScope::Agency(AgencyId(1));
    for n in 0..3 {
        let e = ledger
            .append(
                EntryDraft::new(scope, Actor::System, "test.event", Outcome::Success).field("n", n),
            )
            .await
            .unwrap();
        assert_eq!(e.seq, n + 1);
    }
    // Another log starts its own sequence.
    let op = ledger
        .append(EntryDraft::new(
            TenantScope::Operator,
            Actor::System,
            "test.event",
            Outcome::Success,
        ))
        .await
        .unwrap();
    assert_eq!(op.seq, 1);
    assert!(ledger.verify(scope).await.unwrap().is_ok());

    for sql in [
        "UPDATE audit_entries SET action = 'forged'",
        "DELETE FROM audit_entries",
    ] {
        let err = sqlx::query(sql).execute(store.db.pool()).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(ledger.all(scope).await.unwrap().len(), 3);

    // Only a log whose destruction is recorded (contract end) loses its
    // rows, and the record of that stays.
    sqlx::query("INSERT INTO audit_log_destructions (log_id, at) VALUES ('operator', 0)")
        .execute(store.db.pool())
        .await
        .unwrap();
    sqlx::query("DELETE FROM audit_entries WHERE log_id = 'operator'")
        .execute(store.db.pool())
        .await
        .unwrap();
    assert!(ledger.all(TenantScope::Operator).await.unwrap().is_empty());
    for sql in [
        "DELETE FROM audit_entries",
        "UPDATE audit_entries SET action = 'forged'",
        "DELETE FROM audit_log_destructions",
        "UPDATE audit_log_destructions SET log_id = 'agency:1'",
    ] {
        let err = sqlx::query(sql).execute(store.db.pool()).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(ledger.all(scope).await.unwrap().len(), 3);
}

async fn append_n(ledger: &sightline_store::Ledger, scope: TenantScope, n: usize) {
    for i in 0..n {
        ledger
            .append(
                EntryDraft::new(scope, Actor::System, "test.event", Outcome::Success).field("i", i),
            )
            .await
            .unwrap();
    }
}

async fn checkpoints_sign_prove_and_refuse_tampering(pg: bool) {
    let (store, _dir, clock) = open(pg).await;
    let ledger = store.ledger();
    let scope = TenantScope::Agency(AgencyId(1));
    assert_eq!(ledger.checkpoint_due().await.unwrap(), 0, "nothing to sign");
    append_n(&ledger, scope, 3).await;
    assert_eq!(ledger.checkpoint_due().await.unwrap(), 1);
    let key = ledger.public_key(scope).await.unwrap();
    assert!(key.vkey().starts_with("sightline/agency/1+"));
    let first = ledger.latest_checkpoint(scope).await.unwrap().unwrap();
    assert_eq!(first.size, 3);
    let text = key.open(&first.note).unwrap();
    assert_eq!(
        sightline_audit::Checkpoint::parse(text).unwrap().root,
        first.root
    );

    // New entries are signed once the gap has passed, not before.
    append_n(&ledger, scope, 2).await;
    assert_eq!(ledger.checkpoint_due().await.unwrap(), 0);
    clock.advance(Duration::seconds(5));
    assert_eq!(ledger.checkpoint_due().await.unwrap(), 1);
    assert!(
        ledger.checkpoint(scope).await.unwrap().is_none(),
        "no new entries"
    );
    let second = ledger.latest_checkpoint(scope).await.unwrap().unwrap();
    assert_eq!(second.size, 5);
    let tree = ledger.leaves(scope, None).await.unwrap();
    let proof = tree.consistency_proof(3, 5).unwrap();
    assert!(sightline_audit::verify_consistency(
        3,
        5,
        &first.root,
        &second.root,
        &proof
    ));
    let incl = tree.inclusion_proof(1, 5).unwrap();
    assert!(sightline_audit::verify_inclusion(
        1,
        5,
        &tree.leaf(1).unwrap(),
        &incl,
        &second.root
    ));
    assert_eq!(ledger.checkpoints(scope).await.unwrap().len(), 2);
    assert_eq!(ledger.checkpoint_at(scope, 3).await.unwrap(), Some(first));

    // Checkpoints and keys are append-only too.
    for sql in [
        "UPDATE audit_checkpoints SET at = 0",
        "DELETE FROM audit_keys",
    ] {
        let err = sqlx::query(sql).execute(store.db.pool()).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }

    // The key is wrapped: another master key cannot sign with it.
    let row: (String,) =
        sqlx::query_as("SELECT wrapping FROM audit_keys WHERE log_id = 'agency:1'")
            .fetch_one(store.db.pool())
            .await
            .unwrap();
    assert_eq!(row.0, sightline_store::WRAP_MODE);
    let other = secrecy::SecretString::from(sightline_store::generate_master_key().unwrap());
    let wrong = sightline_store::Ledger::new(
        store.db.clone().with_keyring(Arc::new(
            sightline_store::Keyring::new(Some(&other), None).unwrap(),
        )),
        store.clock.clone(),
    );
    assert_eq!(
        wrong.public_key(scope).await.unwrap(),
        key,
        "public, no unwrap"
    );
    append_n(&ledger, scope, 1).await;
    let err = wrong.checkpoint(scope).await.unwrap_err();
    assert!(format!("{err:#}").contains("another master key"), "{err:#}");
    ledger.checkpoint(scope).await.unwrap().unwrap();

    // An attacker rewrites entry 2 (and its leaf hash): the ledger refuses
    // to sign over it.
    let disable = if pg {
        "ALTER TABLE audit_entries DISABLE TRIGGER USER"
    } else {
        "DROP TRIGGER audit_entries_no_update"
    };
    sqlx::raw_sql(sqlx::AssertSqlSafe(disable))
        .execute(store.db.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE audit_entries SET leaf_hash = $1 WHERE log_id = 'agency:1' AND seq = 2")
        .bind(hex::encode([7u8; 32]))
        .execute(store.db.pool())
        .await
        .unwrap();
    append_n(&ledger, scope, 1).await;
    clock.advance(Duration::seconds(5));
    assert_eq!(ledger.checkpoint_due().await.unwrap(), 0);
    let err = ledger.checkpoint(scope).await.unwrap_err();
    assert!(
        matches!(err, sightline_store::CheckpointError::Inconsistent { .. }),
        "{err}"
    );
    assert_eq!(
        ledger.latest_checkpoint(scope).await.unwrap().unwrap().size,
        6
    );
}

async fn reads_are_idempotent_exact_and_receipt_bound(pg: bool) {
    let (store, _dir, _clock) = open(pg).await;
    let src = SourceId(1);
    let batch = vec![
        read(src, "a", "XYZ1234", "WI", NOW - Duration::days(1)),
        read(src, "b", "XYZ123", "WI", NOW - Duration::days(1)),
        read(src, "c", "XYZ1234", "MN", NOW - Duration::days(1)),
        read(src, "d", "XYZ1234", "WI", NOW - Duration::days(90)),
    ];
    let first = store.reads.insert_batch(&batch, NOW).await.unwrap();
    assert!(
        first
            .iter()
            .all(|o| matches!(o, InsertOutcome::Inserted(_)))
    );
    let again = store.reads.insert_batch(&batch, NOW).await.unwrap();
    assert!(
        again
            .iter()
            .all(|o| matches!(o, InsertOutcome::Duplicate(_)))
    );
    assert_eq!(store.reads.count().await.unwrap(), 4);

    let policy = ProgramPolicy {
        program: "HSI".into(),
        reasons: vec![ReasonPolicy {
            code: ReasonCode::parse("criminal-investigation").unwrap(),
            label: "Criminal investigation".into(),
            max_days: 1826,
        }],
    };
    let purpose = purpose::check(
        &QueryInput {
            plate: Some("xyz-1234".into()),
            state: Some("WI".into()),
            reason_code: Some("criminal-investigation".into()),
            timeframe: Some(TimeframeSpec::PreviousDays { previous_days: 60 }),
            case_reference: Some("case 1".into()),
            on_behalf_of: Some(None),
        },
        &policy,
        NOW,
    )
    .unwrap();
    let watermark = store.reads.watermark().await.unwrap();
    let receipt = store
        .ledger()
        .record_query(
            AgencyId(1),
            Actor::User {
                id: 5,
                username: "smith".into(),
            },
            "sess1",
            &purpose,
            watermark,
        )
        .await
        .unwrap();
    let found = store.reads.find(&receipt).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].read.source_read_id.as_str(), "a");

    // Reads that arrive later are beyond the receipt's watermark.
    store
        .reads
        .insert_batch(
            &[read(src, "e", "XYZ1234", "WI", NOW - Duration::hours(1))],
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(store.reads.find(&receipt).await.unwrap().len(), 1);

    // The receipt can be rebuilt only by the same user and session.
    let ledger = store.ledger();
    assert!(
        ledger
            .query_receipt(AgencyId(1), receipt.seq(), UserId(5), "sess1")
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        ledger
            .query_receipt(AgencyId(1), receipt.seq(), UserId(5), "other")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        ledger
            .query_receipt(AgencyId(2), receipt.seq(), UserId(5), "sess1")
            .await
            .unwrap()
            .is_none()
    );
}

async fn retention_purges_by_collection_jurisdiction(pg: bool) {
    let (store, _dir, _clock) = open(pg).await;
    let mut me = read(
        SourceId(1),
        "old-me",
        "AAA111",
        "ME",
        NOW - Duration::days(22),
    );
    me.collected_in = Jurisdiction::parse("ME").unwrap();
    let mut me_recent = read(
        SourceId(1),
        "new-me",
        "AAA111",
        "ME",
        NOW - Duration::days(20),
    );
    me_recent.collected_in = Jurisdiction::parse("ME").unwrap();
    let pa_old = read(
        SourceId(1),
        "old-pa",
        "AAA111",
        "ME",
        NOW - Duration::days(400),
    );
    store
        .reads
        .insert_batch(&[me, me_recent, pa_old], NOW)
        .await
        .unwrap();
    let policies = store.policies().all().await.unwrap();
    let purged = store.reads.purge_expired(&policies, NOW).await.unwrap();
    assert_eq!(purged, 1);
    assert!(!store.reads.contains(SourceId(1), "old-me").await.unwrap());
    assert!(store.reads.contains(SourceId(1), "new-me").await.unwrap());
    assert!(store.reads.contains(SourceId(1), "old-pa").await.unwrap());
}

async fn sources_keys_and_sessions(pg: bool) {
    let (store, _dir, clock) = open(pg).await;
    let sources = store.sources();
    let id = sources
        .create(
            "Delaware toll road camera",
            SourceKind::TollRoad,
            Jurisdiction::parse("DE").unwrap(),
            "Delaware",
            NOW,
        )
        .await
        .unwrap();
    let key = sources.issue_key(id, NOW).await.unwrap();
    assert_eq!(sources.authenticate(&key).await.unwrap().unwrap().id, id);
    sources.revoke_keys(id, NOW).await.unwrap();
    assert!(sources.authenticate(&key).await.unwrap().is_none());

    let agency = store
        .tenancy()
        .create_agency("Agency", 10, NOW)
        .await
        .unwrap();
    let user = store
        .tenancy()
        .create_user(
            &sightline_store::NewUser {
                agency_id: Some(agency),
                aor_id: None,
                program_id: None,
                username: "jdoe".into(),
                display_name: "J Doe".into(),
                email: "jdoe@example.test".into(),
                role: sightline_core::Role::Investigator,
                password_hash: "x".into(),
            },
            NOW,
        )
        .await
        .unwrap();
    let sessions = store.sessions();
    let (_rec, token) = sessions
        .create(user, Some(agency), clock.now_for_test())
        .await
        .unwrap();
    clock.advance(Duration::minutes(29));
    assert!(
        sessions
            .touch(&token, clock.now_for_test())
            .await
            .unwrap()
            .is_some()
    );
    clock.advance(Duration::minutes(30));
    assert!(
        sessions
            .touch(&token, clock.now_for_test())
            .await
            .unwrap()
            .is_none(),
        "idle session must lock"
    );
}

trait NowForTest {
    fn now_for_test(&self) -> OffsetDateTime;
}
impl NowForTest for ManualClock {
    fn now_for_test(&self) -> OffsetDateTime {
        sightline_core::Clock::now(self)
    }
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
    ledger_chains_and_refuses_rewrites,
    checkpoints_sign_prove_and_refuse_tampering,
    reads_are_idempotent_exact_and_receipt_bound,
    retention_purges_by_collection_jurisdiction,
    sources_keys_and_sessions,
    index_columns_are_checked_against_the_hashed_bytes,
    sensitive_fields_are_sealed_and_shredding_keeps_the_log_verifiable,
);

async fn index_columns_are_checked_against_the_hashed_bytes(pg: bool) {
    let (store, _dir, _clock) = open(pg).await;
    let scope = TenantScope::Agency(AgencyId(1));
    for action in ["query.run", "auth.login"] {
        store
            .ledger()
            .append(EntryDraft::new(
                scope,
                Actor::System,
                action,
                Outcome::Success,
            ))
            .await
            .unwrap();
    }
    assert_eq!(
        store.audit_search().index_mismatch(scope).await.unwrap(),
        None
    );
    let unguard = if pg {
        "ALTER TABLE audit_entries DISABLE TRIGGER USER"
    } else {
        "DROP TRIGGER audit_entries_no_update"
    };
    sqlx::raw_sql(sqlx::AssertSqlSafe(unguard))
        .execute(store.db.pool())
        .await
        .unwrap();
    // Hide the query from action-filtered searches without touching the bytes.
    sqlx::query("UPDATE audit_entries SET action = 'auth.login' WHERE action = 'query.run'")
        .execute(store.db.pool())
        .await
        .unwrap();
    assert!(
        store.ledger().verify(scope).await.unwrap().is_ok(),
        "the hashes alone do not see it"
    );
    assert_eq!(
        store.audit_search().index_mismatch(scope).await.unwrap(),
        Some(1)
    );
}

async fn sensitive_fields_are_sealed_and_shredding_keeps_the_log_verifiable(pg: bool) {
    let (store, _dir, clock) = open(pg).await;
    let scope = TenantScope::Agency(AgencyId(1));
    let ledger = store.ledger();
    let draft = |plate: &str| {
        EntryDraft::new(scope, Actor::System, "query.run", Outcome::Success)
            .field("plate", plate)
            .field(
                "case_reference",
                "Subject name John Doe, case number 12345678",
            )
            .field("reason_code", "criminal-investigation")
    };
    ledger.append(draft("OLD111")).await.unwrap();
    clock.advance(Duration::days(366));
    ledger.append(draft("NEW222")).await.unwrap();
    // At rest, the plate and case are ciphertext; read back, they open.
    let rows = ledger.all(scope).await.unwrap();
    assert!(
        rows.iter()
            .all(|r| !r.canonical.contains("OLD111") && !r.canonical.contains("John Doe"))
    );
    assert_eq!(rows[0].entry.field_str("plate"), Some("OLD111"));
    assert_eq!(
        rows[1].entry.field_str("case_reference"),
        Some("Subject name John Doe, case number 12345678")
    );
    assert_eq!(
        rows[0].entry.field_str("reason_code"),
        Some("criminal-investigation"),
        "not sensitive, not sealed"
    );
    // Retention destroys the older month's key: its fields are gone, the
    // newer month's still open, and the whole log still verifies.
    let old = sightline_store::key_period(clock.now_for_test() - Duration::days(366));
    let n = ledger
        .field_keys()
        .shred(AgencyId(1), Some(old + 1), clock.now_for_test())
        .await
        .unwrap();
    assert_eq!(n, 1);
    let rows = ledger.all(scope).await.unwrap();
    assert_eq!(
        rows[0].entry.fields["plate"],
        serde_json::json!({"shredded": true})
    );
    assert_eq!(rows[1].entry.field_str("plate"), Some("NEW222"));
    assert!(ledger.verify(scope).await.unwrap().is_ok());
    // Contract end: every key goes.
    ledger
        .field_keys()
        .shred(AgencyId(1), None, clock.now_for_test())
        .await
        .unwrap();
    let rows = ledger.all(scope).await.unwrap();
    assert_eq!(
        rows[1].entry.fields["case_reference"],
        serde_json::json!({"shredded": true})
    );
    assert!(ledger.verify(scope).await.unwrap().is_ok());
}
