//! Lists and entries: add (one or a batch, all-or-nothing), search, delete,
//! renew; de-confliction look-ups.

use crate::db::{Db, WriteTx};
use crate::row::{i64_col, opt_i64_col, str_col};
use anyhow::{Context as _, anyhow};
use sightline_core::alert::{MAX_LIST_ENTRIES, NotifyScope, expiry, is_renewable};
use sightline_core::clock::{from_micros, to_micros};
use sightline_core::purpose::ReasonCode;
use sightline_core::text::Note;
use sightline_core::{AgencyId, Jurisdiction, Plate, UserId};
use sqlx::any::AnyRow;
use time::OffsetDateTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ListId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryId(pub i64);

/// A named group of users (a case team).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupId(pub i64);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertList {
    pub id: ListId,
    pub agency_id: AgencyId,
    pub owner_id: UserId,
    pub owner_username: String,
    pub name: String,
    pub entries: i64,
}

/// An entry as the caller parsed it: every field already valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub plate: Plate,
    pub jurisdiction: Jurisdiction,
    pub reason_code: ReasonCode,
    pub note: Note,
    pub notify: NotifyScope,
    /// The users named when `notify` is `Users` (same agency, checked by the caller).
    pub recipients: Vec<UserId>,
    /// The group notified when `notify` is `Group` (same agency, checked by the caller).
    pub group: Option<GroupId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertEntry {
    pub id: EntryId,
    pub list_id: ListId,
    pub agency_id: AgencyId,
    pub owner_id: UserId,
    pub entry: NewEntry,
    pub valid_from: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// An active entry on another user's list with the same plate, state and
/// reason code (R4.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub entry_id: EntryId,
    pub owner_id: UserId,
    pub owner_username: String,
    pub owner_display_name: String,
    pub owner_email: String,
    pub list_name: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AddError {
    #[error("the list would hold {would_hold} entries; at most {MAX_LIST_ENTRIES} are allowed")]
    ListFull { would_hold: usize },
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

#[derive(Debug, Clone)]
pub struct AlertStore {
    db: Db,
}

/// An entry `e` notifies user `$2`: named on it, or in its group.
const SHARED_WITH_2: &str = "(e.id IN (SELECT r.entry_id FROM alert_entry_recipients r WHERE r.user_id = $2) \
     OR e.group_id IN (SELECT m.group_id FROM alert_group_members m WHERE m.user_id = $2))";

pub(super) const ENTRY_COLS: &str = "id, list_id, agency_id, owner_id, plate, jurisdiction, reason_code, note, notify, group_id, valid_from, expires_at";

fn bad<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> anyhow::Error + '_ {
    move |e| anyhow!("stored {what} is invalid: {e}")
}

pub(super) fn entry_from_row(r: &AnyRow, recipients: Vec<UserId>) -> anyhow::Result<AlertEntry> {
    let notify = str_col(r, "notify")?;
    Ok(AlertEntry {
        id: EntryId(i64_col(r, "id")?),
        list_id: ListId(i64_col(r, "list_id")?),
        agency_id: AgencyId(i64_col(r, "agency_id")?),
        owner_id: UserId(i64_col(r, "owner_id")?),
        entry: NewEntry {
            plate: Plate::parse(&str_col(r, "plate")?).map_err(bad("plate"))?,
            jurisdiction: Jurisdiction::parse(&str_col(r, "jurisdiction")?)
                .map_err(bad("state"))?,
            reason_code: ReasonCode::parse(&str_col(r, "reason_code")?)
                .map_err(bad("reason code"))?,
            note: Note::parse(&str_col(r, "note")?).map_err(bad("note"))?,
            notify: NotifyScope::parse(&notify).ok_or_else(|| anyhow!("stored scope {notify}"))?,
            recipients,
            group: opt_i64_col(r, "group_id")?.map(GroupId),
        },
        valid_from: from_micros(i64_col(r, "valid_from")?),
        expires_at: from_micros(i64_col(r, "expires_at")?),
    })
}

/// Takes the next index version. Call it first in a transaction that
/// changes entries: its row lock orders those transactions by version.
pub(crate) async fn bump_version(tx: &mut WriteTx) -> anyhow::Result<i64> {
    let row = sqlx::query(
        "UPDATE alert_index_version SET version = version + 1 WHERE id = 1 RETURNING version",
    )
    .fetch_one(&mut *tx.tx)
    .await
    .context("bumping the alert index version")?;
    i64_col(&row, "version")
}

impl AlertStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    pub(crate) fn db(&self) -> &Db {
        &self.db
    }

    /// Entries of the agency that match reads now (R5.5 alert-list size).
    pub async fn active_entry_count(
        &self,
        agency: AgencyId,
        now: OffsetDateTime,
    ) -> anyhow::Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM alert_entries WHERE agency_id = $1 AND expires_at > $2",
        )
        .bind(agency.0)
        .bind(to_micros(now))
        .fetch_one(self.db.pool())
        .await
        .context("counting alert entries")?;
        i64_col(&row, "n")
    }

    pub async fn create_list(
        &self,
        agency: AgencyId,
        owner: UserId,
        name: &str,
        now: OffsetDateTime,
    ) -> anyhow::Result<ListId> {
        let mut tx = self.db.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO alert_lists (agency_id, owner_id, name, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(agency.0)
        .bind(owner.0)
        .bind(name)
        .bind(to_micros(now))
        .fetch_one(&mut *tx.tx)
        .await
        .context("creating an alert list")?;
        tx.commit().await?;
        Ok(ListId(i64_col(&row, "id")?))
    }

    async fn lists_where(&self, cond: &str, a: i64, b: i64) -> anyhow::Result<Vec<AlertList>> {
        let sql = format!(
            "SELECT l.id, l.agency_id, l.owner_id, u.username, l.name, \
             (SELECT COUNT(*) FROM alert_entries e WHERE e.list_id = l.id) AS n \
             FROM alert_lists l JOIN users u ON u.id = l.owner_id WHERE {cond} ORDER BY l.id"
        );
        self.lists_sql(sql, a, b).await
    }

    async fn lists_sql(&self, sql: String, a: i64, b: i64) -> anyhow::Result<Vec<AlertList>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(a)
            .bind(b)
            .fetch_all(self.db.pool())
            .await
            .context("reading alert lists")?;
        rows.iter()
            .map(|r| {
                Ok(AlertList {
                    id: ListId(i64_col(r, "id")?),
                    agency_id: AgencyId(i64_col(r, "agency_id")?),
                    owner_id: UserId(i64_col(r, "owner_id")?),
                    owner_username: str_col(r, "username")?,
                    name: str_col(r, "name")?,
                    entries: i64_col(r, "n")?,
                })
            })
            .collect()
    }

    /// One list, if it belongs to `agency`.
    pub async fn list(&self, agency: AgencyId, id: ListId) -> anyhow::Result<Option<AlertList>> {
        Ok(self
            .lists_where("l.agency_id = $1 AND l.id = $2", agency.0, id.0)
            .await?
            .into_iter()
            .next())
    }

    /// Every list of the agency (the transfer at contract end). Ids start
    /// at 1, so `l.id > 0` holds for each.
    pub async fn agency_lists(&self, agency: AgencyId) -> anyhow::Result<Vec<AlertList>> {
        self.lists_where("l.agency_id = $1 AND l.id > $2", agency.0, 0)
            .await
    }

    /// The user's own lists and the lists with an entry that notifies them,
    /// by name or through a group they belong to (R3.10). A list shared
    /// through some of its entries counts only those (see `entries_seen_by`).
    pub async fn lists_for(
        &self,
        agency: AgencyId,
        user: UserId,
    ) -> anyhow::Result<Vec<AlertList>> {
        let sql = format!(
            "SELECT l.id, l.agency_id, l.owner_id, u.username, l.name, \
             (SELECT COUNT(*) FROM alert_entries e WHERE e.list_id = l.id AND (l.owner_id = $2 OR {SHARED_WITH_2})) AS n \
             FROM alert_lists l JOIN users u ON u.id = l.owner_id \
             WHERE l.agency_id = $1 AND (l.owner_id = $2 OR EXISTS \
             (SELECT 1 FROM alert_entries e WHERE e.list_id = l.id AND {SHARED_WITH_2})) ORDER BY l.id"
        );
        self.lists_sql(sql, agency.0, user.0).await
    }

    /// Adds every entry or none (R4.2). Entries already on the list with the
    /// same plate, state and reason code are renewed instead of duplicated.
    pub async fn add_entries(
        &self,
        list: &AlertList,
        entries: &[NewEntry],
        now: OffsetDateTime,
    ) -> Result<Vec<EntryId>, AddError> {
        let mut tx = self.db.begin_write().await?;
        let version = bump_version(&mut tx).await?;
        let held = sqlx::query("SELECT COUNT(*) AS n FROM alert_entries WHERE list_id = $1")
            .bind(list.id.0)
            .fetch_one(&mut *tx.tx)
            .await
            .context("counting list entries")?;
        let held = usize::try_from(i64_col(&held, "n")?).unwrap_or(usize::MAX);
        let would_hold = held.saturating_add(entries.len());
        if would_hold > MAX_LIST_ENTRIES {
            return Err(AddError::ListFull { would_hold });
        }
        let mut ids = Vec::with_capacity(entries.len());
        for e in entries {
            let row = sqlx::query(
                "INSERT INTO alert_entries (list_id, agency_id, owner_id, plate, jurisdiction, reason_code, note, notify, valid_from, expires_at, changed_version, group_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                 ON CONFLICT (list_id, plate, jurisdiction, reason_code) DO UPDATE SET note = excluded.note, \
                 notify = excluded.notify, group_id = excluded.group_id, valid_from = excluded.valid_from, expires_at = excluded.expires_at, prompted_at = NULL, expired_at = NULL, \
                 changed_version = excluded.changed_version RETURNING id",
            )
            .bind(list.id.0)
            .bind(list.agency_id.0)
            .bind(list.owner_id.0)
            .bind(e.plate.as_str())
            .bind(e.jurisdiction.code())
            .bind(e.reason_code.as_str())
            .bind(e.note.as_str())
            .bind(e.notify.as_str())
            .bind(to_micros(now))
            .bind(to_micros(expiry(now)))
            .bind(version)
            .bind(e.group.map(|g| g.0))
            .fetch_one(&mut *tx.tx)
            .await
            .context("adding an alert entry")?;
            let id = i64_col(&row, "id")?;
            sqlx::query("DELETE FROM alert_entry_recipients WHERE entry_id = $1")
                .bind(id)
                .execute(&mut *tx.tx)
                .await
                .context("replacing an entry's case team")?;
            for u in &e.recipients {
                sqlx::query(
                    "INSERT INTO alert_entry_recipients (entry_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                )
                .bind(id)
                .bind(u.0)
                .execute(&mut *tx.tx)
                .await
                .context("adding to an entry's case team")?;
            }
            ids.push(EntryId(id));
        }
        tx.commit().await?;
        Ok(ids)
    }

    async fn recipients(&self, id: EntryId) -> anyhow::Result<Vec<UserId>> {
        let rows = sqlx::query(
            "SELECT user_id FROM alert_entry_recipients WHERE entry_id = $1 ORDER BY user_id",
        )
        .bind(id.0)
        .fetch_all(self.db.pool())
        .await
        .context("reading an entry's case team")?;
        rows.iter()
            .map(|r| Ok(UserId(i64_col(r, "user_id")?)))
            .collect()
    }

    async fn entries_where(
        &self,
        cond: &str,
        binds: &[&str],
        ints: &[i64],
    ) -> anyhow::Result<Vec<AlertEntry>> {
        let sql = format!("SELECT {ENTRY_COLS} FROM alert_entries e WHERE {cond} ORDER BY id");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for i in ints {
            q = q.bind(*i);
        }
        for s in binds {
            q = q.bind(*s);
        }
        let rows = q
            .fetch_all(self.db.pool())
            .await
            .context("reading alert entries")?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id = EntryId(i64_col(r, "id")?);
            out.push(entry_from_row(r, self.recipients(id).await?)?);
        }
        Ok(out)
    }

    /// A list's entries, optionally only those of one plate (R4.3).
    pub async fn entries(
        &self,
        list: &AlertList,
        plate: Option<&Plate>,
    ) -> anyhow::Result<Vec<AlertEntry>> {
        match plate {
            Some(p) => {
                self.entries_where("list_id = $1 AND plate = $2", &[p.as_str()], &[list.id.0])
                    .await
            }
            None => self.entries_where("list_id = $1", &[], &[list.id.0]).await,
        }
    }

    /// The entries of `list` that `viewer` may see: all of them for its
    /// owner; for anyone else only the entries that notify them, by name or
    /// through their group. One shared entry does not open the list.
    pub async fn entries_seen_by(
        &self,
        list: &AlertList,
        viewer: UserId,
        plate: Option<&Plate>,
    ) -> anyhow::Result<Vec<AlertEntry>> {
        if list.owner_id == viewer {
            return self.entries(list, plate).await;
        }
        let ints = [list.id.0, viewer.0];
        match plate {
            Some(p) => {
                let cond = format!("list_id = $1 AND {SHARED_WITH_2} AND plate = $3");
                self.entries_where(&cond, &[p.as_str()], &ints).await
            }
            None => {
                let cond = format!("list_id = $1 AND {SHARED_WITH_2}");
                self.entries_where(&cond, &[], &ints).await
            }
        }
    }

    /// One entry of `agency`.
    pub async fn entry(&self, agency: AgencyId, id: EntryId) -> anyhow::Result<Option<AlertEntry>> {
        Ok(self
            .entries_where("agency_id = $1 AND id = $2", &[], &[agency.0, id.0])
            .await?
            .into_iter()
            .next())
    }

    /// Active entries with this plate, state and reason code on lists of
    /// other users of the same agency (R4.6).
    pub async fn conflicts(
        &self,
        agency: AgencyId,
        adder: UserId,
        e: &NewEntry,
        now: OffsetDateTime,
    ) -> anyhow::Result<Vec<Conflict>> {
        let rows = sqlx::query(
            "SELECT e.id, e.owner_id, u.username, u.display_name, u.email, l.name \
             FROM alert_entries e JOIN alert_lists l ON l.id = e.list_id JOIN users u ON u.id = e.owner_id \
             WHERE e.agency_id = $1 AND e.owner_id <> $2 AND e.plate = $3 AND e.jurisdiction = $4 \
             AND e.reason_code = $5 AND e.expires_at > $6 ORDER BY e.id",
        )
        .bind(agency.0)
        .bind(adder.0)
        .bind(e.plate.as_str())
        .bind(e.jurisdiction.code())
        .bind(e.reason_code.as_str())
        .bind(to_micros(now))
        .fetch_all(self.db.pool())
        .await
        .context("looking for de-confliction matches")?;
        rows.iter()
            .map(|r| {
                Ok(Conflict {
                    entry_id: EntryId(i64_col(r, "id")?),
                    owner_id: UserId(i64_col(r, "owner_id")?),
                    owner_username: str_col(r, "username")?,
                    owner_display_name: str_col(r, "display_name")?,
                    owner_email: str_col(r, "email")?,
                    list_name: str_col(r, "name")?,
                })
            })
            .collect()
    }

    /// Deletes an entry of `list`; returns what it was, for the audit log.
    pub async fn delete_entry(
        &self,
        list: &AlertList,
        id: EntryId,
    ) -> anyhow::Result<Option<AlertEntry>> {
        let Some(entry) = self
            .entries_where("list_id = $1 AND id = $2", &[], &[list.id.0, id.0])
            .await?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let mut tx = self.db.begin_write().await?;
        let version = bump_version(&mut tx).await?;
        delete_in(&mut tx, id, version).await?;
        tx.commit().await?;
        Ok(Some(entry))
    }

    /// Renews an entry for another year, if it is still renewable (R4.7).
    pub async fn renew(
        &self,
        list: &AlertList,
        id: EntryId,
        now: OffsetDateTime,
    ) -> anyhow::Result<Option<AlertEntry>> {
        let Some(entry) = self
            .entries_where("list_id = $1 AND id = $2", &[], &[list.id.0, id.0])
            .await?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        if !is_renewable(entry.expires_at, now) {
            return Ok(None);
        }
        let mut tx = self.db.begin_write().await?;
        let version = bump_version(&mut tx).await?;
        sqlx::query(
            "UPDATE alert_entries SET valid_from = $2, expires_at = $3, prompted_at = NULL, expired_at = NULL, \
             changed_version = $4 WHERE id = $1",
        )
        .bind(id.0)
        .bind(to_micros(now))
        .bind(to_micros(expiry(now)))
        .bind(version)
        .execute(&mut *tx.tx)
        .await
        .context("renewing an alert entry")?;
        tx.commit().await?;
        Ok(Some(AlertEntry {
            valid_from: now,
            expires_at: expiry(now),
            ..entry
        }))
    }

    pub async fn index_version(&self) -> anyhow::Result<i64> {
        let row = sqlx::query("SELECT version FROM alert_index_version WHERE id = 1")
            .fetch_one(self.db.pool())
            .await
            .context("reading the alert index version")?;
        i64_col(&row, "version")
    }
}

pub(super) async fn delete_in(tx: &mut WriteTx, id: EntryId, version: i64) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO alert_entry_removals (entry_id, version) VALUES ($1, $2) \
         ON CONFLICT (entry_id) DO UPDATE SET version = excluded.version",
    )
    .bind(id.0)
    .bind(version)
    .execute(&mut *tx.tx)
    .await
    .context("recording an entry's removal")?;
    // Nothing of a removed entry outlives it outside the audit log (R4.7):
    // its hits, prompts and de-confliction notices leave the inbox too.
    sqlx::query("DELETE FROM notifications WHERE entry_id = $1")
        .bind(id.0)
        .execute(&mut *tx.tx)
        .await
        .context("deleting an entry's notifications")?;
    sqlx::query("DELETE FROM alert_entry_recipients WHERE entry_id = $1")
        .bind(id.0)
        .execute(&mut *tx.tx)
        .await
        .context("deleting an entry's case team")?;
    sqlx::query("DELETE FROM alert_entries WHERE id = $1")
        .bind(id.0)
        .execute(&mut *tx.tx)
        .await
        .context("deleting an alert entry")?;
    Ok(())
}
