//! Account safety state (R2.2, R2.8): consecutive failures and lockout,
//! TOTP enrolment and one-time recovery codes.

use crate::credentials::sha256_hex;
use crate::db::Db;
use crate::keyring::Purpose;
use crate::row::{i64_col, opt_i64_col};
use crate::tenancy::UserRecord;
use anyhow::Context as _;
use sightline_core::UserId;
use sightline_core::clock::to_micros;
use time::{Duration, OffsetDateTime};

/// Consecutive failed logons that lock an account (CJIS).
pub const LOCKOUT_THRESHOLD: i64 = 5;
/// How long a lockout lasts unless a manager unlocks sooner.
pub const LOCKOUT_DURATION: Duration = Duration::minutes(10);
/// How long the failures of a name that is no account's are remembered.
pub const UNKNOWN_NAME_MEMORY: Duration = Duration::days(30);

#[derive(Debug, Clone)]
pub struct IdentityStore {
    db: Db,
}

impl IdentityStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Counts a failed logon. Returns `true` when this failure locked the
    /// account.
    pub async fn record_failure(&self, user: UserId, now: OffsetDateTime) -> anyhow::Result<bool> {
        let mut tx = self.db.begin_write().await?;
        let row = sqlx::query(
            "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins",
        )
        .bind(user.0)
        .fetch_one(&mut *tx.tx)
        .await
        .context("counting failed logon")?;
        let locked = i64_col(&row, "failed_logins")? >= LOCKOUT_THRESHOLD;
        if locked {
            sqlx::query("UPDATE users SET failed_logins = 0, locked_until = $1 WHERE id = $2")
                .bind(to_micros(now + LOCKOUT_DURATION))
                .bind(user.0)
                .execute(&mut *tx.tx)
                .await
                .context("locking account")?;
        }
        tx.commit().await?;
        Ok(locked)
    }

    /// Counts a failed logon under a name that is no account's (`key`: a
    /// keyed hash of it), exactly as [`Self::record_failure`] counts one of
    /// an account, so that the count of failures before a lockout does not
    /// tell whether the account exists. Returns `true` when this failure
    /// locked the name. Rows untouched for 30 days are dropped.
    pub async fn record_unknown_failure(
        &self,
        key: &str,
        now: OffsetDateTime,
    ) -> anyhow::Result<bool> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query("DELETE FROM unknown_login_failures WHERE updated_at < $1")
            .bind(to_micros(now - UNKNOWN_NAME_MEMORY))
            .execute(&mut *tx.tx)
            .await
            .context("forgetting old unknown names")?;
        let row = sqlx::query(
            "INSERT INTO unknown_login_failures (name_key, failed_logins, updated_at) VALUES ($1, 1, $2) \
             ON CONFLICT (name_key) DO UPDATE SET failed_logins = unknown_login_failures.failed_logins + 1, \
             updated_at = $2 RETURNING failed_logins",
        )
        .bind(key)
        .bind(to_micros(now))
        .fetch_one(&mut *tx.tx)
        .await
        .context("counting a failed logon of an unknown name")?;
        let locked = i64_col(&row, "failed_logins")? >= LOCKOUT_THRESHOLD;
        if locked {
            sqlx::query(
                "UPDATE unknown_login_failures SET failed_logins = 0, locked_until = $1 WHERE name_key = $2",
            )
            .bind(to_micros(now + LOCKOUT_DURATION))
            .bind(key)
            .execute(&mut *tx.tx)
            .await
            .context("locking an unknown name")?;
        }
        tx.commit().await?;
        Ok(locked)
    }

    /// Whether a name that is no account's is locked at `now`.
    pub async fn unknown_locked(&self, key: &str, now: OffsetDateTime) -> anyhow::Result<bool> {
        let row =
            sqlx::query("SELECT locked_until FROM unknown_login_failures WHERE name_key = $1")
                .bind(key)
                .fetch_optional(self.db.pool())
                .await
                .context("reading an unknown name's lockout")?;
        Ok(match row {
            Some(r) => opt_i64_col(&r, "locked_until")?.is_some_and(|t| t > to_micros(now)),
            None => false,
        })
    }

    /// The pending temporary password signed in: it becomes the password,
    /// which must be changed before anything else, every other session
    /// ends, and it cannot sign in again.
    pub async fn use_temporary_password(
        &self,
        user: UserId,
        now: OffsetDateTime,
    ) -> anyhow::Result<()> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "UPDATE users SET password_hash = temp_password_hash, temp_password_hash = NULL, \
             must_change_password = 1, temp_password_expires_at = $1 \
             WHERE id = $2 AND temp_password_hash IS NOT NULL",
        )
        .bind(to_micros(now))
        .bind(user.0)
        .execute(&mut *tx.tx)
        .await
        .context("using the temporary password")?;
        crate::sessions::end_all(&mut tx, user, now).await?;
        tx.commit().await
    }

    /// The account's own password signed in while a temporary one waited:
    /// whoever asked for it, the recovery is void.
    pub async fn void_temporary_password(&self, user: UserId) -> anyhow::Result<()> {
        self.exec(
            "UPDATE users SET temp_password_hash = NULL, temp_password_expires_at = NULL \
             WHERE id = $1 AND temp_password_hash IS NOT NULL",
            user,
        )
        .await
    }

    /// A successful logon (password and second factor) clears the count.
    pub async fn record_success(&self, user: UserId) -> anyhow::Result<()> {
        self.exec("UPDATE users SET failed_logins = 0 WHERE id = $1", user)
            .await
    }

    /// A temporary password works for one logon: consume it.
    pub async fn consume_temporary_password(
        &self,
        user: UserId,
        now: OffsetDateTime,
    ) -> anyhow::Result<()> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "UPDATE users SET temp_password_expires_at = $1 WHERE id = $2 AND must_change_password = 1",
        )
        .bind(to_micros(now))
        .bind(user.0)
        .execute(&mut *tx.tx)
        .await
        .context("consuming temporary password")?;
        tx.commit().await
    }

    /// Lifts a lockout at once.
    pub async fn unlock(&self, user: UserId) -> anyhow::Result<()> {
        self.exec(
            "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1",
            user,
        )
        .await
    }

    async fn exec(&self, sql: &'static str, user: UserId) -> anyhow::Result<()> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query(sql)
            .bind(user.0)
            .execute(&mut *tx.tx)
            .await
            .context("updating account state")?;
        tx.commit().await
    }

    /// Stores a TOTP secret awaiting confirmation (replacing any pending
    /// one), sealed under the master key's TOTP purpose key.
    pub async fn set_pending_totp(&self, user: UserId, secret_b32: &str) -> anyhow::Result<()> {
        let sealed =
            self.db
                .keyring()?
                .seal(Purpose::Totp, &totp_context(user), secret_b32.as_bytes())?;
        let mut tx = self.db.begin_write().await?;
        sqlx::query("UPDATE users SET totp_secret = $1 WHERE id = $2 AND totp_enrolled_at IS NULL")
            .bind(sealed)
            .bind(user.0)
            .execute(&mut *tx.tx)
            .await
            .context("saving pending TOTP secret")?;
        tx.commit().await
    }

    /// The user's TOTP secret (base32), opened; `None` when there is none.
    pub fn open_totp(&self, user: &UserRecord) -> anyhow::Result<Option<String>> {
        user.totp_secret
            .as_deref()
            .map(|s| {
                self.db
                    .keyring()?
                    .open_text(Purpose::Totp, &totp_context(user.id), s)
            })
            .transpose()
    }

    /// Confirms enrolment and replaces the recovery codes, in one transaction.
    pub async fn confirm_totp(
        &self,
        user: UserId,
        recovery_codes: &[String],
        now: OffsetDateTime,
    ) -> anyhow::Result<()> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query("UPDATE users SET totp_enrolled_at = $1 WHERE id = $2")
            .bind(to_micros(now))
            .bind(user.0)
            .execute(&mut *tx.tx)
            .await
            .context("confirming TOTP")?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut *tx.tx)
            .await
            .context("clearing recovery codes")?;
        for code in recovery_codes {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(user.0)
                .bind(sha256_hex(normalise_code(code).as_bytes()))
                .execute(&mut *tx.tx)
                .await
                .context("saving recovery code")?;
        }
        tx.commit().await
    }

    /// Claims a TOTP time step, so one code is never accepted twice
    /// (RFC 6238 §5.2). `false` if that step or a later one was used.
    pub async fn claim_totp_step(&self, user: UserId, step: i64) -> anyhow::Result<bool> {
        let mut tx = self.db.begin_write().await?;
        let done = sqlx::query(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(user.0)
        .execute(&mut *tx.tx)
        .await
        .context("claiming TOTP step")?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Spends a recovery code; `false` if it is unknown or already used.
    pub async fn use_recovery_code(
        &self,
        user: UserId,
        code: &str,
        now: OffsetDateTime,
    ) -> anyhow::Result<bool> {
        let mut tx = self.db.begin_write().await?;
        let done = sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(to_micros(now))
        .bind(user.0)
        .bind(sha256_hex(normalise_code(code).as_bytes()))
        .execute(&mut *tx.tx)
        .await
        .context("spending recovery code")?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }
}

fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The associated data a user's TOTP secret is sealed with.
pub(crate) fn totp_context(user: UserId) -> String {
    format!("user:{}", user.0)
}
