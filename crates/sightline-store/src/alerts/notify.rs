//! Notifications: the in-app inbox row and its email, written together in
//! one transaction. A hit on (read, entry) reaches each recipient once: the
//! inbox row is UNIQUE on (kind, ref, entry, recipient) and the email's
//! outbox dedupe key names the same four, so a retried batch or a second
//! node matching the same read adds nothing.

use super::entries::{AlertStore, ENTRY_COLS, EntryId, entry_from_row};
use crate::db::WriteTx;
use crate::outbox::{OutboxMessage, enqueue};
use crate::row::{i64_col, opt_i64_col, opt_str_col, str_col};
use anyhow::Context as _;
use sightline_core::alert::{HitFacts, NotifyScope, hit_message};
use sightline_core::clock::{from_micros, to_micros};
use sightline_core::{AgencyId, ReadId, UserId};
use time::OffsetDateTime;

/// What a hit email needs to know about the read.
#[derive(Debug, Clone)]
pub struct HitRead {
    pub id: ReadId,
    pub plate: String,
    pub state: String,
    pub captured_at: OffsetDateTime,
    pub place: String,
    pub source: String,
}

/// One (read, entry) match found by the index.
#[derive(Debug, Clone)]
pub struct Hit {
    pub entry: EntryId,
    pub read: HitRead,
}

/// An inbox item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: i64,
    pub agency_id: AgencyId,
    pub kind: String,
    pub ref_id: i64,
    pub entry_id: i64,
    pub recipient_id: UserId,
    pub subject: String,
    pub body: String,
    pub created_at: OffsetDateTime,
    pub read_at: Option<OffsetDateTime>,
    /// The entry's plate, state and reason code, copied when the row was
    /// written (`None` on rows from before that copy was made).
    pub plate: Option<String>,
    pub state: Option<String>,
    pub reason_code: Option<String>,
}

/// An inbox item plus its email, to write.
#[derive(Debug, Clone)]
pub(crate) struct Draft<'a> {
    pub agency: AgencyId,
    pub kind: &'a str,
    pub ref_id: i64,
    pub entry: EntryId,
    pub recipient: UserId,
    pub email: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

/// Writes the inbox row (with a copy of the entry's plate, state and reason
/// code) and enqueues its email; `None` if it existed.
pub(crate) async fn notify_in(
    tx: &mut WriteTx,
    d: &Draft<'_>,
    now: OffsetDateTime,
) -> anyhow::Result<Option<i64>> {
    let row = sqlx::query(
        "INSERT INTO notifications (agency_id, ref_id, entry_id, recipient_id, kind, subject, body, created_at, \
         plate, state, reason_code) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
         (SELECT plate FROM alert_entries WHERE id = $3 AND agency_id = $1), \
         (SELECT jurisdiction FROM alert_entries WHERE id = $3 AND agency_id = $1), \
         (SELECT reason_code FROM alert_entries WHERE id = $3 AND agency_id = $1)) \
         ON CONFLICT (kind, ref_id, entry_id, recipient_id) DO NOTHING RETURNING id",
    )
    .bind(d.agency.0)
    .bind(d.ref_id)
    .bind(d.entry.0)
    .bind(d.recipient.0)
    .bind(d.kind)
    .bind(d.subject)
    .bind(d.body)
    .bind(to_micros(now))
    .fetch_optional(&mut *tx.tx)
    .await
    .context("writing a notification")?;
    let Some(row) = row else {
        return Ok(None);
    };
    enqueue(
        tx,
        &OutboxMessage {
            agency_id: Some(d.agency),
            dedupe_key: format!("{}:{}:{}:{}", d.kind, d.ref_id, d.entry.0, d.recipient.0),
            recipient: d.email.to_owned(),
            subject: d.subject.to_owned(),
            body: d.body.to_owned(),
        },
        now,
    )
    .await?;
    Ok(Some(i64_col(&row, "id")?))
}

/// (id, email) of everyone an entry's hit reaches, owner first.
async fn recipients(
    tx: &mut WriteTx,
    agency: AgencyId,
    entry: EntryId,
    owner: UserId,
    scope: NotifyScope,
) -> anyhow::Result<Vec<(UserId, String)>> {
    let q = match scope {
        NotifyScope::Owner => sqlx::query(
            "SELECT id, email FROM users WHERE id = $1 AND agency_id = $2 AND status = 'active'",
        )
        .bind(owner.0)
        .bind(agency.0),
        NotifyScope::Users => sqlx::query(
            "SELECT id, email FROM users WHERE agency_id = $2 AND status = 'active' AND (id = $1 OR id IN \
             (SELECT user_id FROM alert_entry_recipients WHERE entry_id = $3))",
        )
        .bind(owner.0)
        .bind(agency.0)
        .bind(entry.0),
        NotifyScope::Group => sqlx::query(
            "SELECT id, email FROM users WHERE agency_id = $2 AND status = 'active' AND (id = $1 OR id IN \
             (SELECT m.user_id FROM alert_group_members m JOIN alert_entries e ON e.group_id = m.group_id \
              WHERE e.id = $3))",
        )
        .bind(owner.0)
        .bind(agency.0)
        .bind(entry.0),
        NotifyScope::Agency => {
            sqlx::query("SELECT id, email FROM users WHERE agency_id = $1 AND status = 'active'")
                .bind(agency.0)
        }
    };
    let rows = q
        .fetch_all(&mut *tx.tx)
        .await
        .context("resolving alert recipients")?;
    let mut out = rows
        .iter()
        .map(|r| Ok((UserId(i64_col(r, "id")?), str_col(r, "email")?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    out.sort_by_key(|(id, _)| (*id != owner, *id));
    Ok(out)
}

impl AlertStore {
    /// Records every hit of a batch — inbox rows and outbox emails — in one
    /// transaction. Entries deleted since the index saw them are skipped.
    pub async fn record_hits(
        &self,
        hits: &[Hit],
        public_base_url: &str,
        now: OffsetDateTime,
    ) -> anyhow::Result<Vec<Notification>> {
        let mut out = Vec::new();
        if hits.is_empty() {
            return Ok(out);
        }
        let mut tx = self.db().begin_write().await?;
        for hit in hits {
            let sql = format!(
                "SELECT {ENTRY_COLS}, (SELECT name FROM alert_lists l WHERE l.id = list_id) AS list_name \
                 FROM alert_entries WHERE id = $1"
            );
            let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(hit.entry.0)
                .fetch_optional(&mut *tx.tx)
                .await
                .context("reading a matched entry")?
            else {
                continue;
            };
            let entry = entry_from_row(&row, Vec::new())?;
            let list_name = str_col(&row, "list_name")?;
            let link = format!(
                "{}/reads/{}",
                public_base_url.trim_end_matches('/'),
                hit.read.id.0
            );
            let (subject, body) = hit_message(&HitFacts {
                plate: &hit.read.plate,
                state: &hit.read.state,
                captured_at: hit.read.captured_at,
                place: &hit.read.place,
                source: &hit.read.source,
                read_link: &link,
                reason_code: entry.entry.reason_code.as_str(),
                note: &entry.entry.note,
                list_name: &list_name,
            });
            for (user, email) in recipients(
                &mut tx,
                entry.agency_id,
                entry.id,
                entry.owner_id,
                entry.entry.notify,
            )
            .await?
            {
                let draft = Draft {
                    agency: entry.agency_id,
                    kind: "hit",
                    ref_id: hit.read.id.0,
                    entry: entry.id,
                    recipient: user,
                    email: &email,
                    subject: &subject,
                    body: &body,
                };
                if let Some(id) = notify_in(&mut tx, &draft, now).await? {
                    out.push(Notification {
                        id,
                        agency_id: entry.agency_id,
                        kind: "hit".into(),
                        ref_id: hit.read.id.0,
                        entry_id: entry.id.0,
                        recipient_id: user,
                        subject: subject.clone(),
                        body: body.clone(),
                        created_at: now,
                        read_at: None,
                        plate: Some(entry.entry.plate.as_str().to_owned()),
                        state: Some(entry.entry.jurisdiction.code().to_owned()),
                        reason_code: Some(entry.entry.reason_code.as_str().to_owned()),
                    });
                }
            }
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Sends one user one notification (de-confliction notices, prompts).
    #[allow(clippy::too_many_arguments)]
    pub async fn notify_user(
        &self,
        agency: AgencyId,
        kind: &str,
        ref_id: i64,
        entry: EntryId,
        recipient: UserId,
        email: &str,
        subject: &str,
        body: &str,
        now: OffsetDateTime,
    ) -> anyhow::Result<Option<i64>> {
        let mut tx = self.db().begin_write().await?;
        let id = notify_in(
            &mut tx,
            &Draft {
                agency,
                kind,
                ref_id,
                entry,
                recipient,
                email,
                subject,
                body,
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A user's inbox, newest first.
    pub async fn inbox(
        &self,
        agency: AgencyId,
        user: UserId,
        limit: i64,
    ) -> anyhow::Result<Vec<Notification>> {
        let rows = sqlx::query(
            "SELECT id, agency_id, kind, ref_id, entry_id, recipient_id, subject, body, created_at, read_at, \
             plate, state, reason_code \
             FROM notifications WHERE agency_id = $1 AND recipient_id = $2 ORDER BY id DESC LIMIT $3",
        )
        .bind(agency.0)
        .bind(user.0)
        .bind(limit)
        .fetch_all(self.db().pool())
        .await
        .context("reading the inbox")?;
        rows.iter()
            .map(|r| {
                Ok(Notification {
                    id: i64_col(r, "id")?,
                    agency_id: AgencyId(i64_col(r, "agency_id")?),
                    kind: str_col(r, "kind")?,
                    ref_id: i64_col(r, "ref_id")?,
                    entry_id: i64_col(r, "entry_id")?,
                    recipient_id: UserId(i64_col(r, "recipient_id")?),
                    subject: str_col(r, "subject")?,
                    body: str_col(r, "body")?,
                    created_at: from_micros(i64_col(r, "created_at")?),
                    read_at: opt_i64_col(r, "read_at")?.map(from_micros),
                    plate: opt_str_col(r, "plate")?,
                    state: opt_str_col(r, "state")?,
                    reason_code: opt_str_col(r, "reason_code")?,
                })
            })
            .collect()
    }

    /// Marks one of the user's notifications read (the first time only);
    /// `false` if the user has no such notification.
    pub async fn mark_read(
        &self,
        agency: AgencyId,
        user: UserId,
        id: i64,
        now: OffsetDateTime,
    ) -> anyhow::Result<bool> {
        let mut tx = self.db().begin_write().await?;
        let done = sqlx::query(
            "UPDATE notifications SET read_at = COALESCE(read_at, $4) \
             WHERE id = $1 AND agency_id = $2 AND recipient_id = $3",
        )
        .bind(id)
        .bind(agency.0)
        .bind(user.0)
        .bind(to_micros(now))
        .execute(&mut *tx.tx)
        .await
        .context("marking a notification read")?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    /// How many of the user's notifications are unread.
    pub async fn unread_count(&self, agency: AgencyId, user: UserId) -> anyhow::Result<i64> {
        let row = sqlx::query(
            "SELECT count(*) AS n FROM notifications \
             WHERE agency_id = $1 AND recipient_id = $2 AND read_at IS NULL",
        )
        .bind(agency.0)
        .bind(user.0)
        .fetch_one(self.db().pool())
        .await
        .context("counting unread notifications")?;
        i64_col(&row, "n")
    }
}
