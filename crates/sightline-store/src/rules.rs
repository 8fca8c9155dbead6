//! Rules of behavior (R2.3): versioned per agency. Version 1 is the default
//! text until a manager publishes another.

use crate::db::Db;
use crate::row::{i64_col, str_col};
use anyhow::Context as _;
use sightline_core::clock::{from_micros, to_micros};
use sightline_core::{AgencyId, UserId};
use time::OffsetDateTime;

/// Our paraphrase of the five rules in the seed PIA.
pub const DEFAULT_RULES: &str = "\
Rules of behavior for Sightline users

1. Search only by a complete license plate number, and give with every query the reason code, \
the case reference and the time frame of the criminal or administrative investigation it serves.
2. Corroborate what Sightline shows you through other means before you take any enforcement action.
3. Put a plate on an alert list only when it belongs to an ongoing criminal or administrative investigation.
4. Take a plate off your alert lists as soon as it no longer relates to such an investigation.
5. Every action you take is recorded. Misuse of Sightline is subject to your agency's discipline, \
up to loss of access and termination of employment.
6. Your queries are sampled for review: a random share of them, and any that your agency's misuse \
checks select, go to your manager or an auditor, who reads the query as it was logged and may \
question its purpose.";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesVersion {
    pub version: i64,
    pub body: String,
    pub published_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone)]
pub struct RulesStore {
    db: Db,
}

impl RulesStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// The rules in force for `agency`.
    pub async fn current(&self, agency: AgencyId) -> anyhow::Result<RulesVersion> {
        let row = sqlx::query(
            "SELECT version, body, published_at FROM rules_of_behavior WHERE agency_id = $1 ORDER BY version DESC LIMIT 1",
        )
        .bind(agency.0)
        .fetch_optional(self.db.pool())
        .await
        .context("reading rules of behavior")?;
        match row {
            Some(r) => Ok(RulesVersion {
                version: i64_col(&r, "version")?,
                body: str_col(&r, "body")?,
                published_at: Some(from_micros(i64_col(&r, "published_at")?)),
            }),
            None => Ok(RulesVersion {
                version: 1,
                body: DEFAULT_RULES.to_owned(),
                published_at: None,
            }),
        }
    }

    /// Publishes a new version; every session must affirm it again.
    pub async fn publish(
        &self,
        agency: AgencyId,
        body: &str,
        by: UserId,
        now: OffsetDateTime,
    ) -> anyhow::Result<i64> {
        let version = self.current(agency).await?.version + 1;
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "INSERT INTO rules_of_behavior (agency_id, version, body, published_at, published_by) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(agency.0)
        .bind(version)
        .bind(body)
        .bind(to_micros(now))
        .bind(by.0)
        .execute(&mut *tx.tx)
        .await
        .context("publishing rules of behavior")?;
        tx.commit().await?;
        Ok(version)
    }
}
