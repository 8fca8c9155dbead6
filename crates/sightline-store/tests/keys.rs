//! Key handling (issue 15) on both backends: old-format rows open and are
//! rewrapped at start, a wrong master key is refused by the key check, and
//! an altered wrapped key is refused by its AEAD tag.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use base64::Engine as _;
use secrecy::{ExposeSecret as _, SecretString};
use sightline_audit::{Actor, EntryDraft, Outcome, xor_wrap};
use sightline_core::{AgencyId, Jurisdiction, ManualClock, SourceKind, TenantScope};
use sightline_store::{AgentService, Purpose, Store, StoreConfig, WRAP_MODE, key_period};
use std::sync::Arc;
use time::OffsetDateTime;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-11-21 12:00 UTC);
const TOTP: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const AGENT_PASSWORD: &str = "agent-basic-pass-9";
const REG_KEY: &str = "reg_oldclearkey123";

struct Place {
    dir: tempfile::TempDir,
    url: Option<String>,
}

impl Place {
    async fn new(pg: bool) -> Self {
        let url = if pg {
            Some(sightline_testkit::postgres_url().await)
        } else {
            None
        };
        Self {
            dir: tempfile::tempdir().unwrap(),
            url,
        }
    }

    async fn open_with(&self, key: &str) -> anyhow::Result<Store> {
        Store::open(
            &StoreConfig {
                data_dir: self.dir.path().to_owned(),
                database_url: self.url.clone(),
                audit_master_key: Some(SecretString::from(key)),
                legacy_master_key: None,
            },
            Arc::new(ManualClock::new(NOW)),
        )
        .await
    }

    async fn open(&self) -> Store {
        self.open_with(sightline_testkit::TEST_MASTER_KEY)
            .await
            .unwrap()
    }
}

async fn exec(store: &Store, sql: &str, binds: &[&str]) {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
    for b in binds {
        q = q.bind(b.to_string());
    }
    q.execute(store.db.pool()).await.unwrap();
}

async fn text(store: &Store, sql: &str) -> String {
    let row: (String,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(store.db.pool())
        .await
        .unwrap();
    row.0
}

async fn entry_with_plate(store: &Store, agency: AgencyId, plate: &str) {
    store
        .ledger()
        .append(
            EntryDraft::new(
                TenantScope::Agency(agency),
                Actor::System,
                "query.run",
                Outcome::Success,
            )
            .field("plate", plate),
        )
        .await
        .unwrap();
}

async fn plate_of(store: &Store, agency: AgencyId) -> anyhow::Result<String> {
    let rows = store.ledger().all(TenantScope::Agency(agency)).await?;
    Ok(rows[0]
        .entry
        .field_str("plate")
        .unwrap_or_default()
        .to_owned())
}

fn field_label(agency: AgencyId) -> String {
    format!("fieldkey:agency:{}:{}", agency.0, key_period(NOW))
}

/// The same sealed value with one ciphertext bit flipped.
fn flip(sealed: &str) -> String {
    let b64 = sealed.strip_prefix("aead1:").unwrap();
    let mut blob = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    blob[13] ^= 0x01;
    format!(
        "aead1:{}",
        base64::engine::general_purpose::STANDARD.encode(blob)
    )
}

/// Builds a deployment, then turns its rows back into what the previous
/// version stored: agency A's field key and signing key XOR-wrapped under
/// the master key text, agency B's stored raw (a master key set later),
/// the device secret raw, and the TOTP secret, an unsent mail and the agent
/// password in clear. Reopening must open all of it and rewrap it.
async fn old_format_rows_open_and_are_rewrapped(pg: bool) {
    let place = Place::new(pg).await;
    let store = place.open().await;
    let t = store.tenancy();
    let (a, b) = (
        t.create_agency("A", 5, NOW).await.unwrap(),
        t.create_agency("B", 5, NOW).await.unwrap(),
    );
    entry_with_plate(&store, a, "OLDA111").await;
    entry_with_plate(&store, b, "OLDB222").await;
    let ledger = store.ledger();
    for ag in [a, b] {
        ledger.checkpoint(TenantScope::Agency(ag)).await.unwrap();
    }
    let public_a = ledger.public_key(TenantScope::Agency(a)).await.unwrap();
    let user = t
        .create_user(
            &sightline_store::NewUser {
                agency_id: Some(a),
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
    let source = store
        .sources()
        .create(
            "Gate",
            SourceKind::ParkingLot,
            Jurisdiction::parse("PA").unwrap(),
            "Harrisburg",
            NOW,
        )
        .await
        .unwrap();
    store
        .agents()
        .set_service(
            source,
            &AgentService {
                base_url: sightline_core::agent::AgentBaseUrl::parse("http://127.0.0.1:9").unwrap(),
                username: Some("sightline".into()),
                password: Some(SecretString::from(AGENT_PASSWORD)),
            },
            NOW,
        )
        .await
        .unwrap();
    let device = store.device_secret().secret(NOW).await.unwrap();

    // Back to the old formats.
    let ring = store.keyring();
    let master = sightline_testkit::TEST_MASTER_KEY.as_bytes();
    let salt = [7u8; 16];
    for (ag, xor) in [(a, true), (b, false)] {
        let label = field_label(ag);
        let wrapped = text(
            &store,
            &format!(
                "SELECT wrapped FROM audit_field_keys WHERE agency_id = {}",
                ag.0
            ),
        )
        .await;
        let raw = ring
            .unwrap_key(Purpose::FieldKey, &label, &wrapped)
            .unwrap();
        let old = if xor {
            xor_wrap(master, &label, &salt, &raw)
        } else {
            raw
        };
        exec(
            &store,
            &format!(
                "UPDATE audit_field_keys SET wrapped = $1, salt = $2, wrapping = 'legacy' WHERE agency_id = {}",
                ag.0
            ),
            &[&hex::encode(old), &hex::encode(salt)],
        )
        .await;
        let log = TenantScope::Agency(ag).log_id();
        let secret = text(
            &store,
            &format!("SELECT secret FROM audit_keys WHERE log_id = '{log}'"),
        )
        .await;
        let raw = ring
            .unwrap_key(Purpose::AuditSigningKey, &log, &secret)
            .unwrap();
        let (mode, old) = if xor {
            ("sha256-xor-v1", xor_wrap(master, &log, &salt, &raw))
        } else {
            ("none", raw)
        };
        exec(
            &store,
            &format!(
                "UPDATE audit_keys SET wrapping = $1, salt = $2, secret = $3 WHERE log_id = '{log}'"
            ),
            &[mode, &hex::encode(salt), &hex::encode(old)],
        )
        .await;
    }
    exec(
        &store,
        "UPDATE device_key_secret SET secret = $1, wrapping = 'none'",
        &[&hex::encode(device)],
    )
    .await;
    exec(&store, "UPDATE users SET totp_secret = $1", &[TOTP]).await;
    exec(
        &store,
        "UPDATE source_agents SET password = $1",
        &[AGENT_PASSWORD],
    )
    .await;
    exec(
        &store,
        "INSERT INTO outbox (dedupe_key, recipient, subject, body, created_at, attempts, next_attempt_at) \
         VALUES ('old:1', 'jdoe@example.test', 'Your registration key', $1, 0, 0, 0)",
        &[&format!("Your registration key:\n{REG_KEY}\n")],
    )
    .await;
    drop(store);

    let store = place.open().await;
    // Nothing is left in an old wrapping or in clear.
    for sql in [
        "SELECT MIN(wrapping) FROM audit_field_keys",
        "SELECT MAX(wrapping) FROM audit_field_keys",
        "SELECT MIN(wrapping) FROM audit_keys",
        "SELECT MAX(wrapping) FROM audit_keys",
        "SELECT wrapping FROM device_key_secret",
    ] {
        assert_eq!(text(&store, sql).await, WRAP_MODE, "{sql}");
    }
    for (sql, clear) in [
        ("SELECT totp_secret FROM users", TOTP),
        ("SELECT body FROM outbox", REG_KEY),
        ("SELECT password FROM source_agents", AGENT_PASSWORD),
        ("SELECT secret FROM device_key_secret", &hex::encode(device)),
    ] {
        let v = text(&store, sql).await;
        assert!(v.starts_with("aead1:") && !v.contains(clear), "{sql}: {v}");
    }
    // ...and all of it opens as before.
    assert_eq!(plate_of(&store, a).await.unwrap(), "OLDA111");
    assert_eq!(plate_of(&store, b).await.unwrap(), "OLDB222");
    for ag in [a, b] {
        entry_with_plate(&store, ag, "NEW3333").await;
        store
            .ledger()
            .checkpoint(TenantScope::Agency(ag))
            .await
            .unwrap()
            .unwrap();
        assert!(
            store
                .ledger()
                .verify(TenantScope::Agency(ag))
                .await
                .unwrap()
                .is_ok()
        );
    }
    assert_eq!(
        store
            .ledger()
            .public_key(TenantScope::Agency(a))
            .await
            .unwrap(),
        public_a
    );
    assert_eq!(store.device_secret().secret(NOW).await.unwrap(), device);
    let u = t_user(&store, user).await;
    assert_eq!(store.identity().open_totp(&u).unwrap().unwrap(), TOTP);
    let service = store.agents().service(source).await.unwrap().unwrap();
    assert_eq!(service.password.unwrap().expose_secret(), AGENT_PASSWORD);
    let claimed = store.outbox().claim(NOW, 10).await.unwrap();
    assert!(claimed[0].body.contains(REG_KEY));
    // Starting again changes nothing more.
    drop(store);
    let store = place.open().await;
    assert_eq!(plate_of(&store, a).await.unwrap(), "OLDA111");
}

async fn t_user(store: &Store, id: sightline_core::UserId) -> sightline_store::UserRecord {
    store.tenancy().user(id).await.unwrap().unwrap()
}

async fn a_wrong_master_key_is_refused_by_the_key_check(pg: bool) {
    let place = Place::new(pg).await;
    let store = place.open().await;
    let a = store.tenancy().create_agency("A", 5, NOW).await.unwrap();
    entry_with_plate(&store, a, "KEEP123").await;
    drop(store);
    let other = sightline_store::generate_master_key().unwrap();
    let err = place.open_with(&other).await.unwrap_err();
    assert!(format!("{err:#}").contains("key check failed"), "{err:#}");
    // Refused before anything was written: the right key still opens it.
    let store = place.open().await;
    assert_eq!(plate_of(&store, a).await.unwrap(), "KEEP123");
}

async fn an_altered_wrapped_key_is_refused_by_its_tag(pg: bool) {
    let place = Place::new(pg).await;
    let store = place.open().await;
    let a = store.tenancy().create_agency("A", 5, NOW).await.unwrap();
    entry_with_plate(&store, a, "TAMP123").await;
    let scope = TenantScope::Agency(a);
    store.ledger().checkpoint(scope).await.unwrap();

    let wrapped = text(&store, "SELECT wrapped FROM audit_field_keys").await;
    exec(
        &store,
        "UPDATE audit_field_keys SET wrapped = $1",
        &[&flip(&wrapped)],
    )
    .await;
    let err = plate_of(&store, a).await.unwrap_err();
    assert!(format!("{err:#}").contains("does not open"), "{err:#}");

    let log = scope.log_id();
    let secret = text(&store, "SELECT secret FROM audit_keys").await;
    exec(
        &store,
        &format!("UPDATE audit_keys SET secret = $1 WHERE log_id = '{log}'"),
        &[&flip(&secret)],
    )
    .await;
    store
        .ledger()
        .append(EntryDraft::new(
            scope,
            Actor::System,
            "test.other",
            Outcome::Success,
        ))
        .await
        .unwrap();
    let err = store.ledger().checkpoint(scope).await.unwrap_err();
    assert!(format!("{err:#}").contains("does not open"), "{err:#}");
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
    old_format_rows_open_and_are_rewrapped,
    a_wrong_master_key_is_refused_by_the_key_check,
    an_altered_wrapped_key_is_refused_by_its_tag,
);
