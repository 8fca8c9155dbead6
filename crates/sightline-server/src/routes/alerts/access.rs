//! Who may touch which list: investigators own lists; a list is visible to
//! its owner and to the case teams named on its entries; only the owner
//! changes it. Lists of another agency do not exist for the caller (404).

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use sightline_audit::{EntryDraft, Outcome};
use sightline_core::Role;
use sightline_store::{AlertEntry, AlertList, ListId};

/// The list, if the caller may read it.
pub(super) async fn visible_list(
    state: &AppState,
    who: &CurrentUser,
    id: i64,
) -> Result<AlertList, ApiError> {
    let agency = who.agency()?;
    state
        .store()
        .alerts()
        .lists_for(agency, who.user.id)
        .await?
        .into_iter()
        .find(|l| l.id == ListId(id))
        .ok_or_else(ApiError::not_found)
}

/// The list, if the caller owns it.
pub(super) async fn owned_list(
    state: &AppState,
    who: &CurrentUser,
    id: i64,
) -> Result<AlertList, ApiError> {
    who.require(&[Role::Investigator])?;
    let list = visible_list(state, who, id).await?;
    if list.owner_id != who.user.id {
        return Err(ApiError::forbidden());
    }
    Ok(list)
}

/// An audit entry about one alert entry, with user, reason code and note.
pub(super) fn entry_audit(who: &CurrentUser, action: &'static str, e: &AlertEntry) -> EntryDraft {
    EntryDraft::new(who.scope(), who.actor(), action, Outcome::Success)
        .session(who.session.id.clone())
        .field("list_id", e.list_id.0)
        .field("entry_id", e.id.0)
        .field("plate", e.entry.plate.as_str())
        .field("state", e.entry.jurisdiction.code())
        .field("reason_code", e.entry.reason_code.as_str())
        .field("note", e.entry.note.as_str())
        .field("notify", e.entry.notify.as_str())
}
