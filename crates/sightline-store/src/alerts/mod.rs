//! Alert lists (R4): lists and entries, the in-memory match index that
//! ingest consults, notifications (inbox + outbox) for hits, and the
//! entry lifecycle.
//!
//! * [`AlertStore`] owns the tables; every change bumps
//!   `alert_index_version` in the same transaction.
//! * [`AlertIndex`] holds every entry's (plate, state) → entry ids in memory.
//!   It reloads when the version moves (checked before every ingest batch),
//!   so a change on any node matches from that node's next batch on.

mod entries;
pub(crate) use entries::bump_version;
mod groups;
mod index;
mod lifecycle;
mod notify;

pub use entries::{
    AddError, AlertEntry, AlertList, AlertStore, Conflict, EntryId, GroupId, ListId, NewEntry,
};
pub use groups::AlertGroup;
pub use index::AlertIndex;
pub use lifecycle::LifecycleReport;
pub use notify::{Hit, HitRead, Notification};
