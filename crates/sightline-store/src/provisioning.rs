//! Provisioning (R2.2, R2.4, R2.7): access request forms and their
//! decisions, the seat count, single-use registration keys, security
//! answers, and password recovery challenges.

use crate::credentials::sha256_hex;
use crate::db::{Db, WriteTx};
use crate::row::{i64_col, opt_i64_col, str_col};
use anyhow::Context as _;
use sightline_core::clock::{from_micros, to_micros};
use sightline_core::tenancy::{AorId, ProgramId};
use sightline_core::{AgencyId, UserId};
use sqlx::Row as _;
use sqlx::any::AnyRow;
use time::{Duration, OffsetDateTime};

/// A registration key works for 72 hours, once.
pub const REGISTRATION_KEY_LIFETIME: Duration = Duration::hours(72);
/// A temporary password works for 24 hours, once.
pub const TEMP_PASSWORD_LIFETIME: Duration = Duration::hours(24);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRequest {
    pub id: i64,
    pub agency_id: AgencyId,
    pub aor_id: Option<AorId>,
    pub program_id: Option<ProgramId>,
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub requested_role: String,
    pub justification: String,
    pub supervisor: String,
    pub scan_blob: Option<String>,
    pub status: String,
    /// The manager who filed it.
    pub submitted_by: UserId,
    pub submitted_at: OffsetDateTime,
    pub decided_at: Option<OffsetDateTime>,
    pub decision_note: Option<String>,
    pub user_id: Option<UserId>,
}

const REQUEST_COLS: &str = "id, agency_id, aor_id, program_id, username, full_name, email, requested_role, \
     justification, supervisor, scan_blob, status, submitted_by, submitted_at, decided_at, decision_note, user_id";

fn request_from_row(r: &AnyRow) -> anyhow::Result<AccessRequest> {
    Ok(AccessRequest {
        id: i64_col(r, "id")?,
        agency_id: AgencyId(i64_col(r, "agency_id")?),
        aor_id: opt_i64_col(r, "aor_id")?.map(AorId),
        program_id: opt_i64_col(r, "program_id")?.map(ProgramId),
        username: str_col(r, "username")?,
        full_name: str_col(r, "full_name")?,
        email: str_col(r, "email")?,
        requested_role: str_col(r, "requested_role")?,
        justification: str_col(r, "justification")?,
        supervisor: str_col(r, "supervisor")?,
        scan_blob: r
            .try_get::<Option<String>, _>("scan_blob")
            .context("reading scan_blob")?,
        status: str_col(r, "status")?,
        submitted_by: UserId(i64_col(r, "submitted_by")?),
        submitted_at: from_micros(i64_col(r, "submitted_at")?),
        decided_at: opt_i64_col(r, "decided_at")?.map(from_micros),
        decision_note: r
            .try_get::<Option<String>, _>("decision_note")
            .context("reading decision_note")?,
        user_id: opt_i64_col(r, "user_id")?.map(UserId),
    })
}

/// Normalises a security answer: case, spacing and punctuation do not count.
pub fn normalise_answer(answer: &str) -> String {
    answer
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A manager's decision on an access request.
#[derive(Debug, Clone, Copy)]
pub struct RequestDecision<'a> {
    /// `approved` or `rejected`.
    pub status: &'a str,
    pub by: UserId,
    pub note: &'a str,
    /// The account an approval created.
    pub user: Option<UserId>,
}

#[derive(Debug, Clone)]
pub struct ProvisioningStore {
    db: Db,
}

impl ProvisioningStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    pub async fn submit(&self, req: &AccessRequest) -> anyhow::Result<i64> {
        let mut tx = self.db.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO access_requests (agency_id, aor_id, program_id, username, full_name, email, requested_role, \
             justification, supervisor, scan_blob, status, submitted_by, submitted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', $11, $12) RETURNING id",
        )
        .bind(req.agency_id.0)
        .bind(req.aor_id.map(|a| a.0))
        .bind(req.program_id.map(|p| p.0))
        .bind(req.username.as_str())
        .bind(req.full_name.as_str())
        .bind(req.email.as_str())
        .bind(req.requested_role.as_str())
        .bind(req.justification.as_str())
        .bind(req.supervisor.as_str())
        .bind(req.scan_blob.as_deref())
        .bind(req.submitted_by.0)
        .bind(to_micros(req.submitted_at))
        .fetch_one(&mut *tx.tx)
        .await
        .context("saving access request")?;
        let id = i64_col(&row, "id")?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn requests(
        &self,
        agency: AgencyId,
        aor: Option<AorId>,
    ) -> anyhow::Result<Vec<AccessRequest>> {
        let sql = format!(
            "SELECT {REQUEST_COLS} FROM access_requests WHERE agency_id = $1 AND ($2 IS NULL OR aor_id = $2) ORDER BY id DESC"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(agency.0)
            .bind(aor.map(|a| a.0))
            .fetch_all(self.db.pool())
            .await
            .context("listing access requests")?;
        rows.iter().map(request_from_row).collect()
    }

    pub async fn request(
        &self,
        agency: AgencyId,
        id: i64,
    ) -> anyhow::Result<Option<AccessRequest>> {
        let sql =
            format!("SELECT {REQUEST_COLS} FROM access_requests WHERE agency_id = $1 AND id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(agency.0)
            .bind(id)
            .fetch_optional(self.db.pool())
            .await
            .context("reading access request")?;
        row.as_ref().map(request_from_row).transpose()
    }

    /// Records a decision on a pending request; `false` if it was not pending.
    pub async fn decide(
        &self,
        tx: &mut WriteTx,
        id: i64,
        decision: &RequestDecision<'_>,
        now: OffsetDateTime,
    ) -> anyhow::Result<bool> {
        let done = sqlx::query(
            "UPDATE access_requests SET status = $1, decided_by = $2, decided_at = $3, decision_note = $4, user_id = $5 \
             WHERE id = $6 AND status = 'pending'",
        )
        .bind(decision.status)
        .bind(decision.by.0)
        .bind(to_micros(now))
        .bind(decision.note)
        .bind(decision.user.map(|u| u.0))
        .bind(id)
        .execute(&mut *tx.tx)
        .await
        .context("deciding access request")?;
        Ok(done.rows_affected() == 1)
    }

    /// Users holding or awaiting access: what the seat cap counts.
    pub async fn seats_used(&self, agency: AgencyId) -> anyhow::Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM users WHERE agency_id = $1 AND status IN ('active', 'pending')",
        )
        .bind(agency.0)
        .fetch_one(self.db.pool())
        .await
        .context("counting seats")?;
        i64_col(&row, "n")
    }

    /// Stores a new registration key for `user` (earlier ones stop working).
    pub async fn put_registration_key(
        &self,
        tx: &mut WriteTx,
        user: UserId,
        key: &str,
        now: OffsetDateTime,
    ) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE registration_keys SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL",
        )
        .bind(to_micros(now))
        .bind(user.0)
        .execute(&mut *tx.tx)
        .await
        .context("retiring old registration keys")?;
        sqlx::query(
            "INSERT INTO registration_keys (key_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(sha256_hex(key.as_bytes()))
        .bind(user.0)
        .bind(to_micros(now))
        .bind(to_micros(now + REGISTRATION_KEY_LIFETIME))
        .execute(&mut *tx.tx)
        .await
        .context("saving registration key")?;
        Ok(())
    }

    /// Spends a registration key; the user it belongs to, if it was valid.
    pub async fn spend_registration_key(
        &self,
        tx: &mut WriteTx,
        key: &str,
        now: OffsetDateTime,
    ) -> anyhow::Result<Option<UserId>> {
        let row = sqlx::query(
            "UPDATE registration_keys SET used_at = $1 WHERE key_hash = $2 AND used_at IS NULL AND expires_at > $1 \
             RETURNING user_id",
        )
        .bind(to_micros(now))
        .bind(sha256_hex(key.as_bytes()))
        .fetch_optional(&mut *tx.tx)
        .await
        .context("spending registration key")?;
        row.map(|r| i64_col(&r, "user_id").map(UserId)).transpose()
    }

    /// Sets the password (hash), the security answers (hashes) and activates
    /// a pending user, inside the caller's transaction.
    pub async fn complete_registration(
        &self,
        tx: &mut WriteTx,
        user: UserId,
        password_hash: &str,
        answers: &[(String, String)],
    ) -> anyhow::Result<bool> {
        let done = sqlx::query(
            "UPDATE users SET password_hash = $1, status = 'active' WHERE id = $2 AND status = 'pending'",
        )
        .bind(password_hash)
        .bind(user.0)
        .execute(&mut *tx.tx)
        .await
        .context("activating user")?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM security_answers WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut *tx.tx)
            .await
            .context("clearing security answers")?;
        for (question, hash) in answers {
            sqlx::query(
                "INSERT INTO security_answers (user_id, question, answer_hash) VALUES ($1, $2, $3)",
            )
            .bind(user.0)
            .bind(question.as_str())
            .bind(hash.as_str())
            .execute(&mut *tx.tx)
            .await
            .context("saving security answer")?;
        }
        Ok(true)
    }

    /// The user's questions and answer hashes.
    pub async fn security_answers(&self, user: UserId) -> anyhow::Result<Vec<(String, String)>> {
        let rows = sqlx::query("SELECT question, answer_hash FROM security_answers WHERE user_id = $1 ORDER BY question")
            .bind(user.0)
            .fetch_all(self.db.pool())
            .await
            .context("reading security answers")?;
        rows.iter()
            .map(|r| Ok((str_col(r, "question")?, str_col(r, "answer_hash")?)))
            .collect()
    }

    /// `name_key` is the keyed hash of the name asked about, kept for a
    /// decoy (no `user`) so its wrong answers count like an account's.
    pub async fn create_challenge(
        &self,
        id: &str,
        user: Option<UserId>,
        question: &str,
        name_key: &str,
        now: OffsetDateTime,
    ) -> anyhow::Result<()> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "INSERT INTO recovery_challenges (id, user_id, question, name_key, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(user.map(|u| u.0))
        .bind(question)
        .bind(name_key)
        .bind(to_micros(now))
        .bind(to_micros(now + Duration::minutes(15)))
        .execute(&mut *tx.tx)
        .await
        .context("saving recovery challenge")?;
        tx.commit().await
    }

    /// Spends a live challenge: its user (None for a decoy), question and
    /// name key.
    pub async fn spend_challenge(
        &self,
        id: &str,
        now: OffsetDateTime,
    ) -> anyhow::Result<Option<(Option<UserId>, String, Option<String>)>> {
        let mut tx = self.db.begin_write().await?;
        let row = sqlx::query(
            "UPDATE recovery_challenges SET used_at = $1 WHERE id = $2 AND used_at IS NULL AND expires_at > $1 \
             RETURNING user_id, question, name_key",
        )
        .bind(to_micros(now))
        .bind(id)
        .fetch_optional(&mut *tx.tx)
        .await
        .context("spending recovery challenge")?;
        tx.commit().await?;
        row.map(|r| {
            Ok((
                opt_i64_col(&r, "user_id")?.map(UserId),
                str_col(&r, "question")?,
                r.try_get::<Option<String>, _>("name_key")
                    .context("reading name_key")?,
            ))
        })
        .transpose()
    }

    /// Sets a temporary password beside the account's own, for 24 hours.
    /// Until it is used nothing changes: the old password still signs in
    /// (and voids it), and no session ends. Its first use makes it the
    /// password, to be changed at once (`IdentityStore::use_temporary_password`).
    pub async fn set_temporary_password(
        &self,
        tx: &mut WriteTx,
        user: UserId,
        hash: &str,
        now: OffsetDateTime,
    ) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE users SET temp_password_hash = $1, temp_password_expires_at = $2 WHERE id = $3",
        )
        .bind(hash)
        .bind(to_micros(now + TEMP_PASSWORD_LIFETIME))
        .bind(user.0)
        .execute(&mut *tx.tx)
        .await
        .context("setting temporary password")?;
        Ok(())
    }
}
