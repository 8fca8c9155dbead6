//! The audit entry and its canonical encoding.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sightline_core::clock::to_micros;
use sightline_core::{TenantScope, UserId};
use time::OffsetDateTime;

/// Who acted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    /// An authenticated user.
    User { id: i64, username: String },
    /// Someone who claimed a username but has not authenticated.
    Claimant { username: String },
    /// A data source, by its ingest key.
    Source { id: i64, name: String },
    /// An operator command run on the server's own console (CLI).
    Console,
    /// The service itself: scheduled jobs.
    System,
}

impl Actor {
    pub fn user_id(&self) -> Option<UserId> {
        match self {
            Actor::User { id, .. } => Some(UserId(*id)),
            _ => None,
        }
    }
}

/// Whether the action happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    Refused,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
        }
    }
}

/// A dotted action name, e.g. `auth.login` or `query.run`.
pub type Action = &'static str;

/// An entry before the ledger gives it a place in a log.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryDraft {
    pub scope: TenantScope,
    pub actor: Actor,
    pub action: String,
    pub outcome: Outcome,
    /// The non-secret id of the session the action came from, if any.
    pub session: Option<String>,
    /// Action-specific fields (R5.2 for queries).
    pub fields: Map<String, Value>,
}

impl EntryDraft {
    pub fn new(scope: TenantScope, actor: Actor, action: Action, outcome: Outcome) -> Self {
        Self {
            scope,
            actor,
            action: action.to_owned(),
            outcome,
            session: None,
            fields: Map::new(),
        }
    }

    pub fn session(mut self, id: impl Into<String>) -> Self {
        self.session = Some(id.into());
        self
    }

    pub fn field(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.fields.insert(key.to_owned(), value.into());
        self
    }
}

/// An entry with its place in its log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub log: String,
    pub seq: i64,
    /// Microseconds since the Unix epoch.
    pub at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agency: Option<i64>,
    pub actor: Actor,
    pub action: String,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    pub fields: Map<String, Value>,
}

impl Entry {
    pub fn place(draft: EntryDraft, seq: i64, at: OffsetDateTime) -> Self {
        Self {
            log: draft.scope.log_id(),
            seq,
            at: to_micros(at),
            agency: draft.scope.agency().map(|a| a.0),
            actor: draft.actor,
            action: draft.action,
            outcome: draft.outcome,
            session: draft.session,
            fields: draft.fields,
        }
    }

    /// Canonical bytes: JSON with object keys sorted at every depth, no
    /// insignificant whitespace. The hashes commit to exactly these bytes, and
    /// the ledger stores them verbatim so verification never re-encodes.
    pub fn canonical(&self) -> Vec<u8> {
        // serde_json's `Map` is a BTreeMap (the `preserve_order` feature is
        // off in this workspace), so going through `Value` sorts every key.
        let value = serde_json::to_value(self).unwrap_or(Value::Null);
        serde_json::to_vec(&value).unwrap_or_default()
    }

    /// Parses canonical bytes back; `None` when they are not an entry or not
    /// canonical (re-encoding would give other bytes).
    pub fn from_canonical(bytes: &[u8]) -> Option<Self> {
        let entry: Entry = serde_json::from_slice(bytes).ok()?;
        (entry.canonical() == bytes).then_some(entry)
    }

    pub fn field_str(&self, key: &str) -> Option<&str> {
        self.fields.get(key).and_then(Value::as_str)
    }

    pub fn field_i64(&self, key: &str) -> Option<i64> {
        self.fields.get(key).and_then(Value::as_i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sightline_core::AgencyId;
    use time::macros::datetime;

    #[test]
    fn canonical_bytes_sort_keys_and_round_trip() {
        let draft = EntryDraft::new(
            TenantScope::Agency(AgencyId(3)),
            Actor::User {
                id: 9,
                username: "jsmith".into(),
            },
            "query.run",
            Outcome::Success,
        )
        .field("zeta", 1)
        .field("alpha", "x");
        let e = Entry::place(draft, 1, datetime!(2026-11-21 12:00 UTC));
        let bytes = e.canonical();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.find("\"alpha\"").unwrap() < text.find("\"zeta\"").unwrap());
        assert!(text.starts_with("{\"action\":\"query.run\""), "{text}");
        assert_eq!(Entry::from_canonical(&bytes), Some(e));
        // Whitespace makes bytes non-canonical.
        assert_eq!(
            Entry::from_canonical(text.replace(',', ", ").as_bytes()),
            None
        );
    }
}
