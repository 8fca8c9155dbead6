//! Named groups of users — case teams — that entries can notify.

use super::entries::{AlertStore, GroupId};
use crate::row::{i64_col, str_col};
use anyhow::Context as _;
use sightline_core::clock::to_micros;
use sightline_core::{AgencyId, UserId};
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertGroup {
    pub id: GroupId,
    pub agency_id: AgencyId,
    pub owner_id: UserId,
    pub name: String,
    /// Usernames, sorted.
    pub members: Vec<String>,
}

fn groups_sql(cond: &str) -> String {
    format!(
        "SELECT g.id, g.agency_id, g.owner_id, g.name, u.username FROM alert_groups g \
         JOIN alert_group_members m ON m.group_id = g.id JOIN users u ON u.id = m.user_id \
         WHERE {cond} ORDER BY g.id, u.username"
    )
}

fn collect(rows: &[sqlx::any::AnyRow]) -> anyhow::Result<Vec<AlertGroup>> {
    let mut out: Vec<AlertGroup> = Vec::new();
    for r in rows {
        let id = GroupId(i64_col(r, "id")?);
        let username = str_col(r, "username")?;
        match out.last_mut() {
            Some(g) if g.id == id => g.members.push(username),
            _ => out.push(AlertGroup {
                id,
                agency_id: AgencyId(i64_col(r, "agency_id")?),
                owner_id: UserId(i64_col(r, "owner_id")?),
                name: str_col(r, "name")?,
                members: vec![username],
            }),
        }
    }
    Ok(out)
}

impl AlertStore {
    /// Creates a group; `members` must be users of `agency` (checked by the caller).
    pub async fn create_group(
        &self,
        agency: AgencyId,
        owner: UserId,
        name: &str,
        members: &[UserId],
        now: OffsetDateTime,
    ) -> anyhow::Result<GroupId> {
        let mut tx = self.db().begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO alert_groups (agency_id, owner_id, name, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(agency.0)
        .bind(owner.0)
        .bind(name)
        .bind(to_micros(now))
        .fetch_one(&mut *tx.tx)
        .await
        .context("creating a group")?;
        let id = i64_col(&row, "id")?;
        for m in members.iter().chain(std::iter::once(&owner)) {
            sqlx::query(
                "INSERT INTO alert_group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(m.0)
            .execute(&mut *tx.tx)
            .await
            .context("adding a group member")?;
        }
        tx.commit().await?;
        Ok(GroupId(id))
    }

    /// A group of `agency` by name.
    pub async fn group_by_name(
        &self,
        agency: AgencyId,
        name: &str,
    ) -> anyhow::Result<Option<AlertGroup>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(groups_sql(
            "g.agency_id = $1 AND g.name = $2",
        )))
        .bind(agency.0)
        .bind(name)
        .fetch_all(self.db().pool())
        .await
        .context("reading a group")?;
        Ok(collect(&rows)?.into_iter().next())
    }

    /// The groups `user` owns or belongs to.
    pub async fn groups_for(
        &self,
        agency: AgencyId,
        user: UserId,
    ) -> anyhow::Result<Vec<AlertGroup>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(groups_sql(
            "g.agency_id = $1 AND g.id IN (SELECT group_id FROM alert_group_members WHERE user_id = $2)",
        )))
        .bind(agency.0)
        .bind(user.0)
        .fetch_all(self.db().pool())
        .await
        .context("reading groups")?;
        collect(&rows)
    }
}
