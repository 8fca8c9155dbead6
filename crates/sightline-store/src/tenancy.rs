//! Agencies, programs and their reason codes, areas of responsibility, and
//! user accounts.

use crate::db::Db;
use crate::row::{i64_col, opt_i64_col, str_col};
use anyhow::{Context as _, anyhow};
use sightline_core::clock::{from_micros, to_micros};
use sightline_core::purpose::{ProgramPolicy, ReasonCode, ReasonPolicy};
use sightline_core::tenancy::{AorId, ProgramId};
use sightline_core::{AgencyId, AgencyZone, Role, UserId};
use sqlx::Row as _;
use sqlx::any::AnyRow;
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyRecord {
    pub id: AgencyId,
    pub name: String,
    pub seat_cap: i64,
    /// Where its reports reckon quarters and print times.
    pub time_zone: AgencyZone,
}

/// Whether an account may sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserStatus {
    Active,
    Disabled,
    /// Access ended at the agency's request (R2.6); never reopened.
    Terminated,
    /// Approved; waiting for the user to register with their key.
    Pending,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Disabled => "disabled",
            UserStatus::Terminated => "terminated",
            UserStatus::Pending => "pending",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "active" => UserStatus::Active,
            "terminated" => UserStatus::Terminated,
            "pending" => UserStatus::Pending,
            _ => UserStatus::Disabled,
        }
    }
}

#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: UserId,
    pub agency_id: Option<AgencyId>,
    pub aor_id: Option<AorId>,
    pub program_id: Option<ProgramId>,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub password_hash: String,
    pub status: UserStatus,
    /// Consecutive failed logons since the last success or lockout.
    pub failed_logins: i64,
    /// Logons are refused until then.
    pub locked_until: Option<OffsetDateTime>,
    /// Base32 TOTP secret: pending until `totp_enrolled_at` is set.
    pub totp_secret: Option<String>,
    pub totp_enrolled_at: Option<OffsetDateTime>,
    /// Set by a temporary password: nothing but a password change until done.
    pub must_change_password: bool,
    pub temp_password_expires_at: Option<OffsetDateTime>,
    /// A recovery's temporary password, waiting beside the password until
    /// it is used or `temp_password_expires_at` passes.
    pub temp_password_hash: Option<String>,
}

impl UserRecord {
    /// The temporary password that may still sign in at `now`.
    pub fn pending_temporary_password(&self, now: OffsetDateTime) -> Option<&str> {
        self.temp_password_hash
            .as_deref()
            .filter(|_| self.temp_password_expires_at.is_some_and(|t| t > now))
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub agency_id: Option<AgencyId>,
    pub aor_id: Option<AorId>,
    pub program_id: Option<ProgramId>,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub password_hash: String,
}

#[derive(Debug, Clone)]
pub struct TenancyStore {
    db: Db,
}

const USER_COLS: &str = "id, agency_id, aor_id, program_id, username, display_name, email, role, \
     password_hash, status, failed_logins, locked_until, totp_secret, totp_enrolled_at, \
     must_change_password, temp_password_expires_at, temp_password_hash";

pub(crate) fn user_from_row(row: &AnyRow) -> anyhow::Result<UserRecord> {
    let role = str_col(row, "role")?;
    Ok(UserRecord {
        id: UserId(i64_col(row, "id")?),
        agency_id: opt_i64_col(row, "agency_id")?.map(AgencyId),
        aor_id: opt_i64_col(row, "aor_id")?.map(AorId),
        program_id: opt_i64_col(row, "program_id")?.map(ProgramId),
        username: str_col(row, "username")?,
        display_name: str_col(row, "display_name")?,
        email: str_col(row, "email")?,
        role: Role::parse(&role).map_err(|e| anyhow!("{e}"))?,
        password_hash: str_col(row, "password_hash")?,
        status: UserStatus::parse(&str_col(row, "status")?),
        failed_logins: i64_col(row, "failed_logins")?,
        locked_until: opt_i64_col(row, "locked_until")?.map(from_micros),
        totp_secret: row
            .try_get::<Option<String>, _>("totp_secret")
            .context("reading totp_secret")?,
        totp_enrolled_at: opt_i64_col(row, "totp_enrolled_at")?.map(from_micros),
        must_change_password: i64_col(row, "must_change_password")? != 0,
        temp_password_expires_at: opt_i64_col(row, "temp_password_expires_at")?.map(from_micros),
        temp_password_hash: row
            .try_get::<Option<String>, _>("temp_password_hash")
            .context("reading temp_password_hash")?,
    })
}

fn agency_row(r: &AnyRow) -> anyhow::Result<AgencyRecord> {
    let zone = str_col(r, "time_zone")?;
    let id = AgencyId(i64_col(r, "id")?);
    Ok(AgencyRecord {
        id,
        name: str_col(r, "name")?,
        seat_cap: i64_col(r, "seat_cap")?,
        // Only checked names are stored; one the bundled database no
        // longer knows (it keeps old names as links) reads as UTC.
        time_zone: AgencyZone::parse(&zone).unwrap_or_else(|_| {
            tracing::warn!(agency = id.0, zone, "unknown stored time zone; using UTC");
            AgencyZone::utc()
        }),
    })
}

impl TenancyStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// An agency in UTC (tests, benches, `admin create-agency --bare`).
    pub async fn create_agency(
        &self,
        name: &str,
        seat_cap: i64,
        now: OffsetDateTime,
    ) -> anyhow::Result<AgencyId> {
        self.create_agency_in(name, seat_cap, &AgencyZone::utc(), now)
            .await
    }

    pub async fn create_agency_in(
        &self,
        name: &str,
        seat_cap: i64,
        zone: &AgencyZone,
        now: OffsetDateTime,
    ) -> anyhow::Result<AgencyId> {
        let mut tx = self.db.begin_write().await?;
        let id = sqlx::query(
            "INSERT INTO agencies (name, seat_cap, time_zone, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(name)
        .bind(seat_cap)
        .bind(zone.name())
        .bind(to_micros(now))
        .fetch_one(&mut *tx.tx)
        .await
        .with_context(|| format!("creating agency {name}"))?;
        let id = i64_col(&id, "id")?;
        tx.commit().await?;
        Ok(AgencyId(id))
    }

    /// Moves an agency to another time zone (its later reports use it).
    pub async fn set_time_zone(&self, agency: AgencyId, zone: &AgencyZone) -> anyhow::Result<()> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query("UPDATE agencies SET time_zone = $1 WHERE id = $2")
            .bind(zone.name())
            .bind(agency.0)
            .execute(&mut *tx.tx)
            .await
            .context("setting an agency's time zone")?;
        tx.commit().await?;
        Ok(())
    }

    /// Onboards an agency with the federal programs (ERO, HSI) and their
    /// reason codes (`sightline_core::presets`).
    pub async fn create_agency_with_federal_programs(
        &self,
        name: &str,
        seat_cap: i64,
        zone: &AgencyZone,
        now: OffsetDateTime,
    ) -> anyhow::Result<AgencyId> {
        let id = self.create_agency_in(name, seat_cap, zone, now).await?;
        for (program, reasons) in sightline_core::presets::federal_programs() {
            let pid = self.create_program(id, program).await?;
            for r in &reasons {
                self.add_reason_code(id, pid, r).await?;
            }
        }
        Ok(id)
    }

    pub async fn agencies(&self) -> anyhow::Result<Vec<AgencyRecord>> {
        let rows = sqlx::query("SELECT id, name, seat_cap, time_zone FROM agencies ORDER BY id")
            .fetch_all(self.db.pool())
            .await
            .context("listing agencies")?;
        rows.iter().map(agency_row).collect()
    }

    pub async fn agency(&self, id: AgencyId) -> anyhow::Result<Option<AgencyRecord>> {
        let row = sqlx::query("SELECT id, name, seat_cap, time_zone FROM agencies WHERE id = $1")
            .bind(id.0)
            .fetch_optional(self.db.pool())
            .await
            .context("reading an agency")?;
        row.as_ref().map(agency_row).transpose()
    }

    pub async fn agency_by_name(&self, name: &str) -> anyhow::Result<Option<AgencyRecord>> {
        Ok(self.agencies().await?.into_iter().find(|a| a.name == name))
    }

    pub async fn create_program(&self, agency: AgencyId, name: &str) -> anyhow::Result<ProgramId> {
        let mut tx = self.db.begin_write().await?;
        let row =
            sqlx::query("INSERT INTO programs (agency_id, name) VALUES ($1, $2) RETURNING id")
                .bind(agency.0)
                .bind(name)
                .fetch_one(&mut *tx.tx)
                .await
                .with_context(|| format!("creating program {name}"))?;
        let id = i64_col(&row, "id")?;
        tx.commit().await?;
        Ok(ProgramId(id))
    }

    pub async fn program_id(
        &self,
        agency: AgencyId,
        name: &str,
    ) -> anyhow::Result<Option<ProgramId>> {
        let row = sqlx::query("SELECT id FROM programs WHERE agency_id = $1 AND name = $2")
            .bind(agency.0)
            .bind(name)
            .fetch_optional(self.db.pool())
            .await
            .context("looking up program")?;
        row.map(|r| i64_col(&r, "id").map(ProgramId)).transpose()
    }

    pub async fn add_reason_code(
        &self,
        agency: AgencyId,
        program: ProgramId,
        reason: &ReasonPolicy,
    ) -> anyhow::Result<()> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "INSERT INTO reason_codes (agency_id, program_id, code, label, max_days) \
             SELECT $1, id, $3, $4, $5 FROM programs WHERE id = $2 AND agency_id = $1",
        )
        .bind(agency.0)
        .bind(program.0)
        .bind(reason.code.as_str())
        .bind(reason.label.as_str())
        .bind(i64::from(reason.max_days))
        .execute(&mut *tx.tx)
        .await
        .with_context(|| format!("adding reason code {}", reason.code))?;
        tx.commit().await
    }

    /// The query policy of one program of one agency.
    pub async fn program_policy(
        &self,
        agency: AgencyId,
        program: ProgramId,
    ) -> anyhow::Result<Option<ProgramPolicy>> {
        let Some(p) = sqlx::query("SELECT name FROM programs WHERE id = $1 AND agency_id = $2")
            .bind(program.0)
            .bind(agency.0)
            .fetch_optional(self.db.pool())
            .await
            .context("reading program")?
        else {
            return Ok(None);
        };
        let rows = sqlx::query(
            "SELECT code, label, max_days FROM reason_codes WHERE program_id = $1 AND agency_id = $2 ORDER BY code",
        )
        .bind(program.0)
        .bind(agency.0)
        .fetch_all(self.db.pool())
        .await
        .context("reading reason codes")?;
        let reasons = rows
            .iter()
            .map(|r| {
                Ok(ReasonPolicy {
                    code: ReasonCode::parse(&str_col(r, "code")?).map_err(|e| anyhow!("{e}"))?,
                    label: str_col(r, "label")?,
                    max_days: u32::try_from(i64_col(r, "max_days")?).unwrap_or(0),
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Some(ProgramPolicy {
            program: str_col(&p, "name")?,
            reasons,
        }))
    }

    pub async fn create_aor(&self, agency: AgencyId, name: &str) -> anyhow::Result<AorId> {
        let mut tx = self.db.begin_write().await?;
        let row = sqlx::query("INSERT INTO aors (agency_id, name) VALUES ($1, $2) RETURNING id")
            .bind(agency.0)
            .bind(name)
            .fetch_one(&mut *tx.tx)
            .await
            .with_context(|| format!("creating AOR {name}"))?;
        let id = i64_col(&row, "id")?;
        tx.commit().await?;
        Ok(AorId(id))
    }

    /// The agency's programs, by name.
    pub async fn programs(&self, agency: AgencyId) -> anyhow::Result<Vec<(ProgramId, String)>> {
        let rows = sqlx::query("SELECT id, name FROM programs WHERE agency_id = $1 ORDER BY name")
            .bind(agency.0)
            .fetch_all(self.db.pool())
            .await
            .context("listing programs")?;
        rows.iter()
            .map(|r| Ok((ProgramId(i64_col(r, "id")?), str_col(r, "name")?)))
            .collect()
    }

    /// The agency's areas of responsibility, by id.
    pub async fn aors(&self, agency: AgencyId) -> anyhow::Result<Vec<(AorId, String)>> {
        let rows = sqlx::query("SELECT id, name FROM aors WHERE agency_id = $1 ORDER BY name")
            .bind(agency.0)
            .fetch_all(self.db.pool())
            .await
            .context("listing AORs")?;
        rows.iter()
            .map(|r| Ok((AorId(i64_col(r, "id")?), str_col(r, "name")?)))
            .collect()
    }

    pub async fn aor_id(&self, agency: AgencyId, name: &str) -> anyhow::Result<Option<AorId>> {
        let row = sqlx::query("SELECT id FROM aors WHERE agency_id = $1 AND name = $2")
            .bind(agency.0)
            .bind(name)
            .fetch_optional(self.db.pool())
            .await
            .context("looking up AOR")?;
        row.map(|r| i64_col(&r, "id").map(AorId)).transpose()
    }

    pub async fn create_user(&self, user: &NewUser, now: OffsetDateTime) -> anyhow::Result<UserId> {
        self.create_user_with_status(user, UserStatus::Active, now)
            .await
    }

    /// Creates a user in `status` (`Pending` for approved access requests).
    pub async fn create_user_with_status(
        &self,
        user: &NewUser,
        status: UserStatus,
        now: OffsetDateTime,
    ) -> anyhow::Result<UserId> {
        if user.role.is_operator() != user.agency_id.is_none() {
            return Err(anyhow!(
                "operator admins belong to no agency; every other role belongs to exactly one"
            ));
        }
        let mut tx = self.db.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO users (agency_id, aor_id, program_id, username, display_name, email, role, password_hash, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(user.agency_id.map(|a| a.0))
        .bind(user.aor_id.map(|a| a.0))
        .bind(user.program_id.map(|p| p.0))
        .bind(user.username.as_str())
        .bind(user.display_name.as_str())
        .bind(user.email.as_str())
        .bind(user.role.as_str())
        .bind(user.password_hash.as_str())
        .bind(status.as_str())
        .bind(to_micros(now))
        .fetch_one(&mut *tx.tx)
        .await
        .with_context(|| format!("creating user {}", user.username))?;
        let id = i64_col(&row, "id")?;
        tx.commit().await?;
        Ok(UserId(id))
    }

    pub async fn user_by_username(&self, username: &str) -> anyhow::Result<Option<UserRecord>> {
        let sql = format!("SELECT {USER_COLS} FROM users WHERE username = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(username)
            .fetch_optional(self.db.pool())
            .await
            .context("looking up user")?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// Disables or re-enables an account. Disabling ends its sessions;
    /// terminated and pending accounts are left alone.
    pub async fn set_enabled(
        &self,
        user: UserId,
        enabled: bool,
        now: OffsetDateTime,
    ) -> anyhow::Result<bool> {
        let (to, from) = if enabled {
            ("active", "disabled")
        } else {
            ("disabled", "active")
        };
        let mut tx = self.db.begin_write().await?;
        let done = sqlx::query("UPDATE users SET status = $1 WHERE id = $2 AND status = $3")
            .bind(to)
            .bind(user.0)
            .bind(from)
            .execute(&mut *tx.tx)
            .await
            .context("changing account status")?;
        if !enabled {
            crate::sessions::end_all(&mut tx, user, now).await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn set_password_hash(&self, user: UserId, hash: &str) -> anyhow::Result<()> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = 0, temp_password_expires_at = NULL, temp_password_hash = NULL WHERE id = $2",
        )
            .bind(hash)
            .bind(user.0)
            .execute(&mut *tx.tx)
            .await
            .context("setting password")?;
        tx.commit().await
    }

    /// Users of one agency, optionally of one AOR only, by username.
    pub async fn users_in(
        &self,
        agency: AgencyId,
        aor: Option<AorId>,
    ) -> anyhow::Result<Vec<UserRecord>> {
        let sql = format!(
            "SELECT {USER_COLS} FROM users WHERE agency_id = $1 AND ($2 IS NULL OR aor_id = $2) ORDER BY username"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(agency.0)
            .bind(aor.map(|a| a.0))
            .fetch_all(self.db.pool())
            .await
            .context("listing users")?;
        rows.iter().map(user_from_row).collect()
    }

    pub async fn user(&self, id: UserId) -> anyhow::Result<Option<UserRecord>> {
        let sql = format!("SELECT {USER_COLS} FROM users WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(self.db.pool())
            .await
            .context("reading user")?;
        row.as_ref().map(user_from_row).transpose()
    }
}
