//! Bearer sessions. The token itself is never stored, only its SHA-256; a
//! session also has a public id that the audit log may name.

use crate::credentials::{new_public_id, new_secret_token, sha256_hex};
use crate::db::{Db, WriteTx};
use crate::row::{i64_col, opt_i64_col, str_col};
use anyhow::Context as _;
use secrecy::{ExposeSecret as _, SecretString};
use sightline_core::clock::{from_micros, to_micros};
use sightline_core::{AgencyId, UserId};
use time::{Duration, OffsetDateTime};

/// A live session as the store knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub id: String,
    pub user_id: UserId,
    pub agency_id: Option<AgencyId>,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    /// When the second factor was checked in this session.
    pub mfa_verified_at: Option<OffsetDateTime>,
    /// The rules-of-behavior version affirmed in this session.
    pub consented_version: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct SessionStore {
    db: Db,
}

/// Idle sessions end after 30 minutes (R2.8, CJIS session lock).
pub const IDLE_TIMEOUT: Duration = Duration::minutes(30);
/// No session outlives 12 hours, however busy.
pub const ABSOLUTE_LIFETIME: Duration = Duration::hours(12);

impl SessionStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Opens a session and returns its one-time bearer token.
    pub async fn create(
        &self,
        user: UserId,
        agency: Option<AgencyId>,
        now: OffsetDateTime,
    ) -> anyhow::Result<(SessionRecord, SecretString)> {
        let token = new_secret_token("slt_")?;
        let id = new_public_id()?;
        let record = SessionRecord {
            id: id.clone(),
            user_id: user,
            agency_id: agency,
            created_at: now,
            last_seen_at: now,
            expires_at: now + ABSOLUTE_LIFETIME,
            mfa_verified_at: None,
            consented_version: None,
        };
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "INSERT INTO sessions (id, token_hash, user_id, agency_id, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id.as_str())
        .bind(sha256_hex(token.expose_secret().as_bytes()))
        .bind(user.0)
        .bind(agency.map(|a| a.0))
        .bind(to_micros(now))
        .bind(to_micros(now))
        .bind(to_micros(record.expires_at))
        .execute(&mut *tx.tx)
        .await
        .context("creating session")?;
        tx.commit().await?;
        Ok((record, token))
    }

    /// Finds the live session for `token` and marks it used at `now`.
    /// Revoked, expired and idle sessions are not found.
    pub async fn touch(
        &self,
        token: &SecretString,
        now: OffsetDateTime,
    ) -> anyhow::Result<Option<SessionRecord>> {
        self.find(token, now, true).await
    }

    /// Finds the live session for `token` without counting this as use: a
    /// page's background poll must not hold the 30-minute idle lock open.
    pub async fn peek(
        &self,
        token: &SecretString,
        now: OffsetDateTime,
    ) -> anyhow::Result<Option<SessionRecord>> {
        self.find(token, now, false).await
    }

    async fn find(
        &self,
        token: &SecretString,
        now: OffsetDateTime,
        touch: bool,
    ) -> anyhow::Result<Option<SessionRecord>> {
        let hash = sha256_hex(token.expose_secret().as_bytes());
        let Some(row) = sqlx::query(
            "SELECT id, user_id, agency_id, created_at, last_seen_at, expires_at, revoked_at, \
             mfa_verified_at, consented_version FROM sessions WHERE token_hash = $1",
        )
        .bind(hash.as_str())
        .fetch_optional(self.db.pool())
        .await
        .context("looking up session")?
        else {
            return Ok(None);
        };
        let record = SessionRecord {
            id: str_col(&row, "id")?,
            user_id: UserId(i64_col(&row, "user_id")?),
            agency_id: opt_i64_col(&row, "agency_id")?.map(AgencyId),
            created_at: from_micros(i64_col(&row, "created_at")?),
            last_seen_at: from_micros(i64_col(&row, "last_seen_at")?),
            expires_at: from_micros(i64_col(&row, "expires_at")?),
            mfa_verified_at: opt_i64_col(&row, "mfa_verified_at")?.map(from_micros),
            consented_version: opt_i64_col(&row, "consented_version")?,
        };
        let revoked = opt_i64_col(&row, "revoked_at")?.is_some();
        if revoked || now >= record.expires_at || now - record.last_seen_at >= IDLE_TIMEOUT {
            return Ok(None);
        }
        if !touch {
            return Ok(Some(record));
        }
        let mut tx = self.db.begin_write().await?;
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $1")
            .bind(to_micros(now))
            .bind(record.id.as_str())
            .execute(&mut *tx.tx)
            .await
            .context("touching session")?;
        tx.commit().await?;
        Ok(Some(SessionRecord {
            last_seen_at: now,
            ..record
        }))
    }

    /// When each user of `agency` last signed in: the latest session that
    /// passed the second factor (a password alone is not a sign-in).
    pub async fn last_sign_ins(
        &self,
        agency: AgencyId,
    ) -> anyhow::Result<std::collections::HashMap<UserId, OffsetDateTime>> {
        let rows = sqlx::query(
            "SELECT user_id, MAX(mfa_verified_at) AS at FROM sessions \
             WHERE agency_id = $1 AND mfa_verified_at IS NOT NULL GROUP BY user_id",
        )
        .bind(agency.0)
        .fetch_all(self.db.pool())
        .await
        .context("reading last sign-ins")?;
        rows.iter()
            .map(|r| {
                Ok((
                    UserId(i64_col(r, "user_id")?),
                    from_micros(i64_col(r, "at")?),
                ))
            })
            .collect()
    }

    /// The user a token was ever issued to, live or not (incident signals).
    pub async fn owner_of(&self, token: &SecretString) -> anyhow::Result<Option<UserId>> {
        let row = sqlx::query("SELECT user_id FROM sessions WHERE token_hash = $1")
            .bind(sha256_hex(token.expose_secret().as_bytes()))
            .fetch_optional(self.db.pool())
            .await
            .context("looking up token owner")?;
        row.map(|r| i64_col(&r, "user_id").map(UserId)).transpose()
    }

    /// Records that the second factor was checked in this session.
    pub async fn mark_mfa_verified(&self, id: &str, now: OffsetDateTime) -> anyhow::Result<()> {
        self.set_col(
            "UPDATE sessions SET mfa_verified_at = $1 WHERE id = $2",
            to_micros(now),
            id,
        )
        .await
    }

    /// Records the rules-of-behavior version affirmed in this session.
    pub async fn set_consent(&self, id: &str, version: i64) -> anyhow::Result<()> {
        self.set_col(
            "UPDATE sessions SET consented_version = $1 WHERE id = $2",
            version,
            id,
        )
        .await
    }

    async fn set_col(&self, sql: &'static str, value: i64, id: &str) -> anyhow::Result<()> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query(sql)
            .bind(value)
            .bind(id)
            .execute(&mut *tx.tx)
            .await
            .context("updating session")?;
        tx.commit().await
    }

    /// Ends every other session of `user` (after a password change).
    pub async fn revoke_others(
        &self,
        user: UserId,
        keep: &str,
        now: OffsetDateTime,
    ) -> anyhow::Result<u64> {
        let mut tx = self.db.begin_write().await?;
        let done = sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND id <> $3 AND revoked_at IS NULL",
        )
        .bind(to_micros(now))
        .bind(user.0)
        .bind(keep)
        .execute(&mut *tx.tx)
        .await
        .context("revoking sessions")?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    /// Ends a session at once.
    pub async fn revoke(&self, id: &str, now: OffsetDateTime) -> anyhow::Result<()> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(to_micros(now))
            .bind(id)
            .execute(&mut *tx.tx)
            .await
            .context("revoking session")?;
        tx.commit().await
    }
}

/// Ends every open session of `user` inside `tx`: the account was disabled,
/// terminated, or signed in with a temporary password.
pub(crate) async fn end_all(
    tx: &mut WriteTx,
    user: UserId,
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(to_micros(now))
        .bind(user.0)
        .execute(&mut *tx.tx)
        .await
        .context("ending sessions")?;
    Ok(())
}
