//! Schema migrations: numbered SQL files per backend, applied once each,
//! inside a transaction, recorded in `schema_migrations`.

use crate::db::{Backend, Db};
use anyhow::Context as _;
use sqlx::{AssertSqlSafe, Row as _};

/// Which database a migration set belongs to (the embedded backend keeps
/// reads in a file of their own).
#[derive(Debug, Clone, Copy)]
pub enum Set {
    Core,
    Reads,
}

struct Migration {
    version: i64,
    sqlite: &'static str,
    postgres: &'static str,
}

const CORE: &[Migration] = &[
    Migration {
        version: 1,
        sqlite: include_str!("../migrations/sqlite/0001_core.sql"),
        postgres: include_str!("../migrations/postgres/0001_core.sql"),
    },
    Migration {
        version: 2,
        sqlite: include_str!("../migrations/sqlite/0002_audit.sql"),
        postgres: include_str!("../migrations/postgres/0002_audit.sql"),
    },
    Migration {
        version: 3,
        sqlite: include_str!("../migrations/sqlite/0003_alerts.sql"),
        postgres: include_str!("../migrations/postgres/0003_alerts.sql"),
    },
    Migration {
        version: 10,
        sqlite: include_str!("../migrations/sqlite/0010_identity.sql"),
        postgres: include_str!("../migrations/postgres/0010_identity.sql"),
    },
    Migration {
        version: 11,
        sqlite: include_str!("../migrations/sqlite/0011_provisioning.sql"),
        postgres: include_str!("../migrations/postgres/0011_provisioning.sql"),
    },
    Migration {
        version: 12,
        sqlite: include_str!("../migrations/sqlite/0012_misreads.sql"),
        postgres: include_str!("../migrations/postgres/0012_misreads.sql"),
    },
    Migration {
        version: 13,
        sqlite: include_str!("../migrations/sqlite/0013_incidents.sql"),
        postgres: include_str!("../migrations/postgres/0013_incidents.sql"),
    },
    Migration {
        version: 14,
        sqlite: include_str!("../migrations/sqlite/0014_field_keys.sql"),
        postgres: include_str!("../migrations/postgres/0014_field_keys.sql"),
    },
    Migration {
        version: 4,
        sqlite: include_str!("../migrations/sqlite/0003_checkpoints.sql"),
        postgres: include_str!("../migrations/postgres/0003_checkpoints.sql"),
    },
    Migration {
        version: 15,
        sqlite: include_str!("../migrations/sqlite/0015_device_keys.sql"),
        postgres: include_str!("../migrations/postgres/0015_device_keys.sql"),
    },
    Migration {
        version: 16,
        sqlite: include_str!("../migrations/sqlite/0016_notification_entries.sql"),
        postgres: include_str!("../migrations/postgres/0016_notification_entries.sql"),
    },
    Migration {
        version: 17,
        sqlite: include_str!("../migrations/sqlite/0017_offboarding.sql"),
        postgres: include_str!("../migrations/postgres/0017_offboarding.sql"),
    },
    Migration {
        version: 18,
        sqlite: include_str!("../migrations/sqlite/0018_transparency.sql"),
        postgres: include_str!("../migrations/postgres/0018_transparency.sql"),
    },
    Migration {
        version: 19,
        sqlite: include_str!("../migrations/sqlite/0019_agency_time_zone.sql"),
        postgres: include_str!("../migrations/postgres/0019_agency_time_zone.sql"),
    },
    Migration {
        version: 20,
        sqlite: include_str!("../migrations/sqlite/0020_agents.sql"),
        postgres: include_str!("../migrations/postgres/0020_agents.sql"),
    },
    Migration {
        version: 21,
        sqlite: include_str!("../migrations/sqlite/0021_recovery_hardening.sql"),
        postgres: include_str!("../migrations/postgres/0021_recovery_hardening.sql"),
    },
    Migration {
        version: 22,
        sqlite: include_str!("../migrations/sqlite/0022_misread_photo_plate.sql"),
        postgres: include_str!("../migrations/postgres/0022_misread_photo_plate.sql"),
    },
    Migration {
        version: 24,
        sqlite: include_str!("../migrations/sqlite/0024_key_handling.sql"),
        postgres: include_str!("../migrations/postgres/0024_key_handling.sql"),
    },
    Migration {
        version: 25,
        sqlite: include_str!("../migrations/sqlite/0025_oversight.sql"),
        postgres: include_str!("../migrations/postgres/0025_oversight.sql"),
    },
];

const READS: &[Migration] = &[
    Migration {
        version: 1001,
        sqlite: include_str!("../migrations/sqlite/reads_0001.sql"),
        postgres: include_str!("../migrations/postgres/reads_0001.sql"),
    },
    Migration {
        version: 1002,
        sqlite: include_str!("../migrations/sqlite/reads_0002.sql"),
        postgres: include_str!("../migrations/postgres/reads_0002.sql"),
    },
    Migration {
        version: 1020,
        sqlite: include_str!("../migrations/sqlite/reads_0020_vehicle.sql"),
        postgres: include_str!("../migrations/postgres/reads_0020_vehicle.sql"),
    },
    Migration {
        version: 1023,
        sqlite: include_str!("../migrations/sqlite/reads_0023_match_queue.sql"),
        postgres: include_str!("../migrations/postgres/reads_0023_match_queue.sql"),
    },
];

pub async fn run(db: &Db, set: Set) -> anyhow::Result<()> {
    let migrations = match set {
        Set::Core => CORE,
        Set::Reads => READS,
    };
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )
    .execute(db.pool())
    .await
    .context("creating schema_migrations")?;
    for m in migrations {
        let mut tx = db.begin_write().await?;
        if db.backend() == Backend::Postgres {
            // Several nodes may start at once: one migrates, the others wait.
            sqlx::query("SELECT pg_advisory_xact_lock(7431001)")
                .execute(&mut *tx.tx)
                .await
                .context("taking the migration lock")?;
        }
        let done = sqlx::query("SELECT count(*) AS n FROM schema_migrations WHERE version = $1")
            .bind(m.version)
            .fetch_one(&mut *tx.tx)
            .await
            .context("reading schema_migrations")?
            .try_get::<i64, _>("n")?;
        if done > 0 {
            continue;
        }
        let sql = match db.backend() {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        sqlx::raw_sql(AssertSqlSafe(sql))
            .execute(&mut *tx.tx)
            .await
            .with_context(|| format!("applying migration {}", m.version))?;
        sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, 0)")
            .bind(m.version)
            .execute(&mut *tx.tx)
            .await
            .context("recording migration")?;
        tx.commit().await?;
    }
    Ok(())
}
