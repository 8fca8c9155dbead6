//! Wire types of the alert-list endpoints.

use crate::routes::session::rfc3339;
use serde::{Deserialize, Serialize};
use sightline_store::{AlertEntry, AlertList, Conflict, Notification};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewListRequest {
    pub name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListDto {
    pub id: i64,
    pub name: String,
    pub owner: String,
    pub entries: i64,
}

impl From<&AlertList> for ListDto {
    fn from(l: &AlertList) -> Self {
        Self {
            id: l.id.0,
            name: l.name.clone(),
            owner: l.owner_username.clone(),
            entries: l.entries,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListsResponse {
    pub lists: Vec<ListDto>,
}

/// Who is notified of a hit: `owner` (default), `group` (the owner and a
/// named group, i.e. a case team), `users` (the owner and users named here)
/// or `agency`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct NotifyRequest {
    pub scope: Option<String>,
    /// Usernames, for `users`.
    #[serde(default)]
    pub users: Vec<String>,
    /// A group's name, for `group`.
    pub group: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewGroupRequest {
    pub name: Option<String>,
    /// Usernames of the members (same agency); the creator is always one.
    #[serde(default)]
    pub members: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupDto {
    pub id: i64,
    pub name: String,
    pub members: Vec<String>,
}

impl From<&sightline_store::AlertGroup> for GroupDto {
    fn from(g: &sightline_store::AlertGroup) -> Self {
        Self {
            id: g.id.0,
            name: g.name.clone(),
            members: g.members.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupsResponse {
    pub groups: Vec<GroupDto>,
}

/// One plate to add. Either give plate, state, reason code and note, or
/// name a query you ran (`from_query`, its audit sequence number): its
/// plate, state, reason code and case reference are carried over.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct NewEntryRequest {
    pub plate: Option<String>,
    pub state: Option<String>,
    pub reason_code: Option<String>,
    pub note: Option<String>,
    pub from_query: Option<i64>,
    pub notify: Option<NotifyRequest>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EntryDto {
    pub id: i64,
    pub list_id: i64,
    pub plate: String,
    pub state: String,
    pub reason_code: String,
    pub note: String,
    pub notify: String,
    /// The notified group's id, for `group`.
    pub group_id: Option<i64>,
    pub valid_from: String,
    pub expires_at: String,
}

impl From<&AlertEntry> for EntryDto {
    fn from(e: &AlertEntry) -> Self {
        Self {
            id: e.id.0,
            list_id: e.list_id.0,
            plate: e.entry.plate.as_str().to_owned(),
            state: e.entry.jurisdiction.code().to_owned(),
            reason_code: e.entry.reason_code.as_str().to_owned(),
            note: e.entry.note.as_str().to_owned(),
            notify: e.entry.notify.as_str().to_owned(),
            group_id: e.entry.group.map(|g| g.0),
            valid_from: rfc3339(e.valid_from),
            expires_at: rfc3339(e.expires_at),
        }
    }
}

/// Another user's active entry with the same plate, state and reason code.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeconflictionDto {
    pub username: String,
    pub display_name: String,
    pub list: String,
}

impl From<&Conflict> for DeconflictionDto {
    fn from(c: &Conflict) -> Self {
        Self {
            username: c.owner_username.clone(),
            display_name: c.owner_display_name.clone(),
            list: c.list_name.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EntryAdded {
    pub entry: EntryDto,
    /// Non-empty when the plate is already watched by someone else for the
    /// same reason; you have been emailed their names too (R4.6).
    pub deconfliction: Vec<DeconflictionDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EntriesResponse {
    pub entries: Vec<EntryDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UploadResponse {
    pub added: usize,
    pub entries: Vec<EntryDto>,
    pub deconfliction: Vec<DeconflictionDto>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RenewalRequest {
    /// Must be true: the owner affirms a continued operational need.
    pub affirm_operational_need: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationDto {
    pub id: i64,
    /// `hit`, `deconfliction` or `expiry_prompt`.
    pub kind: String,
    pub entry_id: i64,
    /// The read's id for a hit.
    pub read_id: Option<i64>,
    pub subject: String,
    pub body: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// When you marked it read; null while unread.
    #[schema(format = DateTime)]
    pub read_at: Option<String>,
    /// The alert entry's plate, state and reason code; null on
    /// notifications written before Sightline recorded them.
    pub plate: Option<String>,
    pub state: Option<String>,
    pub reason_code: Option<String>,
}

impl From<&Notification> for NotificationDto {
    fn from(n: &Notification) -> Self {
        Self {
            id: n.id,
            kind: n.kind.clone(),
            entry_id: n.entry_id,
            read_id: (n.kind == "hit").then_some(n.ref_id),
            subject: n.subject.clone(),
            body: n.body.clone(),
            created_at: rfc3339(n.created_at),
            read_at: n.read_at.map(rfc3339),
            plate: n.plate.clone(),
            state: n.state.clone(),
            reason_code: n.reason_code.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InboxResponse {
    pub notifications: Vec<NotificationDto>,
    /// How many of all your notifications are unread.
    pub unread: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadCount {
    pub unread: i64,
}
