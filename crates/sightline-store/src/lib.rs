//! Persistence for Sightline, behind one API for both backends.
//!
//! * The embedded default keeps everything under one data directory:
//!   `sightline.db` (tenancy, identity, sources, audit ledger), `reads.db`
//!   (the read store, in its own file so bulk ingest never blocks audit
//!   appends) and `blobs/` (photos, content-addressed).
//! * The scale-out backend keeps the same tables in one PostgreSQL database;
//!   photos stay in a blob directory until object storage arrives.
//!
//! All SQL goes through sqlx's `Any` driver with runtime-bound parameters
//! (`$1`, `$2`, … work on both engines), so one implementation serves both
//! and the integration suite proves it twice. Only the DDL differs per
//! backend (`migrations/sqlite`, `migrations/postgres`).
//!
//! Every call on agency-owned data takes a [`sightline_core::TenantScope`]
//! or an id already bound to one.

mod agents;
mod alerts;
mod audit_search;
mod blobs;
mod checkpoints;
mod credentials;
mod db;
mod device_secret;
mod fault;
mod field_keys;
mod identity;
mod incidents;
mod keyring;
mod ledger;
mod ledger_keys;
mod migrate;
mod misreads;
mod offboarding;
mod outbox;
mod oversight;
mod policy;
mod provisioning;
mod reads;
mod rekey;
mod row;
mod rules;
mod sessions;
mod settings;
mod sources;
mod tenancy;
mod training;
mod transparency;

pub use agents::{
    AgentFetch, AgentService, AgentStore, PendingBody, PendingRead, PhotoSlot, SourceHealth,
    StreamState,
};
pub use alerts::{
    AddError, AlertEntry, AlertGroup, AlertIndex, AlertList, AlertStore, Conflict, EntryId,
    GroupId, Hit, HitRead, LifecycleReport, ListId, NewEntry, Notification,
};
pub use audit_search::{AuditFilter, AuditSearch};
pub use blobs::{BlobStore, LocalBlobStore};
pub use checkpoints::{CHECKPOINT_GAP, CheckpointError, StoredCheckpoint, scope_of};
pub use credentials::{PasswordHash, hash_password, new_secret_token, sha256_hex, verify_password};
pub use db::{Backend, Db, WriteTx};
pub use device_secret::DeviceSecretStore;
pub use fault::{StorageFault, storage_fault};
pub use field_keys::{FieldKeys, SENSITIVE_FIELDS, key_period};
pub use identity::{IdentityStore, LOCKOUT_DURATION, LOCKOUT_THRESHOLD};
pub use incidents::IncidentStore;
pub use keyring::{
    KEY_HELP, Keyring, LEGACY_XOR, Purpose, UNWRAPPED, WRAP_MODE, generate_master_key, is_sealed,
    parse_master_key,
};
pub use ledger::{AuditEntryRow, Ledger, LedgerError, QUERY_ACTION, QueryReceipt, user_actor};
pub use misreads::{MisreadReport, MisreadStore};
pub use offboarding::{
    DestroyError, Inventory, Offboarding, OffboardingStore, TRANSFER_WINDOW, destroy_agency,
};
pub use outbox::{ClaimedMail, LEASE, Outbox, OutboxMessage, backoff, enqueue};
pub use oversight::{FlagFigures, NewReviewItem, OversightStore, QueryFact, ReviewItem};
pub use policy::PolicyStore;
pub use provisioning::{
    AccessRequest, ProvisioningStore, REGISTRATION_KEY_LIFETIME, RequestDecision,
    TEMP_PASSWORD_LIFETIME, normalise_answer,
};
pub use reads::{InsertOutcome, MAX_RESULTS, ReadStore, SqlReadStore};
pub use rules::{DEFAULT_RULES, RulesStore, RulesVersion};
pub use sessions::{ABSOLUTE_LIFETIME, IDLE_TIMEOUT, SessionRecord, SessionStore};
pub use settings::SettingsStore;
pub use sources::{Camera, SourceRecord, SourceStore};
pub use tenancy::{AgencyRecord, NewUser, TenancyStore, UserRecord, UserStatus};
pub use training::{PeopleStore, TRAINING_VALIDITY, Termination, TrainingRecord};
pub use transparency::TransparencyStore;

use anyhow::Context as _;
use secrecy::SecretString;
use sightline_core::Clock;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where a deployment keeps its data.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// Holds the embedded databases (when no `database_url`) and the photo blobs.
    pub data_dir: PathBuf,
    /// A `postgres://` URL selects the PostgreSQL backend.
    pub database_url: Option<String>,
    /// The deployment's master key (32+ random bytes, hex or base64; see
    /// `keyring`): every key and secret at rest is sealed under keys derived
    /// from it. Required: `Store::open` refuses to run without it.
    pub audit_master_key: Option<SecretString>,
    /// The key text old `sha256-xor-v1` wrapped keys were made under, when
    /// it was not the current master key; used once, to rewrap them.
    pub legacy_master_key: Option<SecretString>,
}

/// Every store of one deployment, opened and migrated.
#[derive(Debug, Clone)]
pub struct Store {
    pub db: Db,
    pub reads: Arc<dyn ReadStore>,
    pub blobs: Arc<dyn BlobStore>,
    pub clock: Arc<dyn Clock>,
    /// The alert matcher's in-memory index, shared by every ingest path of
    /// this process and kept in step with the database (see `alerts`).
    pub alert_index: Arc<AlertIndex>,
    keyring: Arc<Keyring>,
}

impl Store {
    /// Opens (creating if needed) and migrates the deployment's stores.
    pub async fn open(config: &StoreConfig, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let keyring = Arc::new(Keyring::new(
            config.audit_master_key.as_ref(),
            config.legacy_master_key.as_ref(),
        )?);
        sqlx::any::install_default_drivers();
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating data directory {}", config.data_dir.display()))?;
        let (db, reads_db) = match &config.database_url {
            Some(url) => {
                let db = Db::connect_postgres(url).await?;
                (db.clone(), db)
            }
            None => {
                let db = Db::connect_sqlite(&config.data_dir.join("sightline.db")).await?;
                let reads = Db::connect_sqlite(&config.data_dir.join("reads.db")).await?;
                (db, reads)
            }
        };
        let db = db.with_keyring(keyring.clone());
        migrate::run(&db, migrate::Set::Core).await?;
        migrate::run(&reads_db, migrate::Set::Reads).await?;
        rekey::run(&db, clock.now()).await?;
        PolicyStore::new(db.clone()).seed_defaults().await?;
        let blobs = LocalBlobStore::open(&config.data_dir.join("blobs"))?;
        let alert_index = Arc::new(AlertIndex::default());
        alert_index.reload(&AlertStore::new(db.clone())).await?;
        Ok(Self {
            db,
            reads: Arc::new(SqlReadStore::new(reads_db)),
            blobs: Arc::new(blobs),
            clock,
            alert_index,
            keyring,
        })
    }

    /// Agents' image services, reads waiting for photos, heartbeats.
    pub fn agents(&self) -> AgentStore {
        AgentStore::new(self.db.clone())
    }

    pub fn tenancy(&self) -> TenancyStore {
        TenancyStore::new(self.db.clone())
    }

    pub fn sessions(&self) -> SessionStore {
        SessionStore::new(self.db.clone())
    }

    pub fn sources(&self) -> SourceStore {
        SourceStore::new(self.db.clone())
    }

    pub fn policies(&self) -> PolicyStore {
        PolicyStore::new(self.db.clone())
    }

    pub fn identity(&self) -> IdentityStore {
        IdentityStore::new(self.db.clone())
    }

    pub fn rules(&self) -> RulesStore {
        RulesStore::new(self.db.clone())
    }

    pub fn people(&self) -> PeopleStore {
        PeopleStore::new(self.db.clone())
    }

    pub fn provisioning(&self) -> ProvisioningStore {
        ProvisioningStore::new(self.db.clone())
    }

    pub fn incidents(&self) -> IncidentStore {
        IncidentStore::new(self.db.clone())
    }

    pub fn misreads(&self) -> MisreadStore {
        MisreadStore::new(self.db.clone())
    }

    pub fn audit_search(&self) -> AuditSearch {
        AuditSearch::new(self.db.clone(), self.ledger().field_keys())
    }

    pub fn settings(&self) -> SettingsStore {
        SettingsStore::new(self.db.clone())
    }

    pub fn device_secret(&self) -> DeviceSecretStore {
        DeviceSecretStore::new(self.db.clone())
    }

    pub fn alerts(&self) -> AlertStore {
        AlertStore::new(self.db.clone())
    }

    pub fn offboarding(&self) -> OffboardingStore {
        OffboardingStore::new(self.db.clone())
    }

    pub fn transparency(&self) -> TransparencyStore {
        TransparencyStore::new(self.db.clone())
    }

    pub fn oversight(&self) -> OversightStore {
        OversightStore::new(self.db.clone())
    }

    pub fn outbox(&self) -> Outbox {
        Outbox::new(self.db.clone())
    }

    pub fn ledger(&self) -> Ledger {
        Ledger::new(self.db.clone(), self.clock.clone())
    }

    /// The master key's derived keys, for secrets sealed outside the store.
    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// Where the embedded databases live, for tools that inspect them.
    pub fn sqlite_paths(data_dir: &Path) -> (PathBuf, PathBuf) {
        (data_dir.join("sightline.db"), data_dir.join("reads.db"))
    }
}
