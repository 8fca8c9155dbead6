//! Connections and write transactions for both backends.

use crate::keyring::Keyring;
use anyhow::Context as _;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor as _, Transaction};
use std::path::Path;
use std::str::FromStr as _;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// Which engine is behind a [`Db`]. Only DDL and locking differ by backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool plus what is needed to write safely on its engine.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    // SQLite allows one writer per file. Queuing writers of this process here
    // (instead of letting them race for the file lock) means a transaction
    // never fails with SQLITE_BUSY half-way; other processes (the CLI) still
    // wait on `busy_timeout`. PostgreSQL needs no gate.
    write_gate: Option<Arc<Mutex<()>>>,
    // The master key's derived keys, set by `Store::open`.
    keyring: Option<Arc<Keyring>>,
}

/// A write transaction; on SQLite it also holds this process's write gate.
#[derive(Debug)]
pub struct WriteTx {
    pub tx: Transaction<'static, sqlx::Any>,
    _gate: Option<OwnedMutexGuard<()>>,
    keyring: Option<Arc<Keyring>>,
}

impl WriteTx {
    pub async fn commit(self) -> anyhow::Result<()> {
        self.tx.commit().await.context("committing transaction")
    }

    /// The keyring of the database this transaction writes.
    pub fn keyring(&self) -> anyhow::Result<&Keyring> {
        keyring_of(self.keyring.as_ref())
    }
}

fn keyring_of(k: Option<&Arc<Keyring>>) -> anyhow::Result<&Keyring> {
    k.map(AsRef::as_ref)
        .ok_or_else(|| anyhow::anyhow!("this database was opened without a master key"))
}

/// The driver's count of open transactions and savepoints on `conn`.
fn transaction_depth<DB: sqlx::Database>(conn: &DB::Connection) -> usize {
    use sqlx_core::transaction::TransactionManager as _;
    DB::TransactionManager::get_transaction_depth(conn)
}

impl Db {
    pub async fn connect_sqlite(path: &Path) -> anyhow::Result<Self> {
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let options = AnyConnectOptions::from_str(&url)
            .with_context(|| format!("parsing sqlite path {}", path.display()))?;
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .after_release(|conn, _meta| {
                Box::pin(async move {
                    // When COMMIT fails (SQLITE_FULL on a full disk), SQLite
                    // rolls back by itself, the driver's ROLLBACK then fails,
                    // and the connection keeps a transaction depth of 1:
                    // every later BEGIN on it would fail, long after the
                    // disk has room again. Such a connection is closed, not
                    // pooled. The ping first runs any rollback still queued.
                    sqlx::Connection::ping(conn).await?;
                    Ok(transaction_depth::<sqlx::Any>(conn) == 0)
                })
            })
            .after_connect(|conn, _meta| {
                Box::pin(async move {
                    // WAL lets readers run beside the writer; FULL makes every
                    // acknowledged commit survive a crash or power loss.
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                    )
                    .await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .with_context(|| format!("opening {}", path.display()))?;
        Ok(Self {
            pool,
            backend: Backend::Sqlite,
            write_gate: Some(Arc::new(Mutex::new(()))),
            keyring: None,
        })
    }

    pub async fn connect_postgres(url: &str) -> anyhow::Result<Self> {
        let options = AnyConnectOptions::from_str(url).context("parsing the PostgreSQL URL")?;
        let pool = AnyPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .context("connecting to PostgreSQL")?;
        Ok(Self {
            pool,
            backend: Backend::Postgres,
            write_gate: None,
            keyring: None,
        })
    }

    /// The same database, sealing and opening secrets with `keyring`.
    pub fn with_keyring(mut self, keyring: Arc<Keyring>) -> Self {
        self.keyring = Some(keyring);
        self
    }

    /// The master key's derived keys (set when the store was opened).
    pub fn keyring(&self) -> anyhow::Result<&Keyring> {
        keyring_of(self.keyring.as_ref())
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Begins a transaction that will write. On SQLite it takes the write
    /// lock up front (`BEGIN IMMEDIATE`) so it can never deadlock upgrading.
    pub async fn begin_write(&self) -> anyhow::Result<WriteTx> {
        let gate = match &self.write_gate {
            Some(g) => Some(g.clone().lock_owned().await),
            None => None,
        };
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
        .context("beginning a write transaction")?;
        Ok(WriteTx {
            tx,
            _gate: gate,
            keyring: self.keyring.clone(),
        })
    }
}
