//! De-confliction (R4.6): a new entry whose plate, state and reason code
//! equal an active entry on another user's list in the same agency tells
//! the adder, by email and in the response, who else is working it.

use super::access::entry_audit;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use sightline_store::{AlertEntry, Conflict};

/// Finds, notifies and audits the conflicts of freshly added entries.
pub(super) async fn deconflict(
    state: &AppState,
    who: &CurrentUser,
    added: &[AlertEntry],
) -> Result<Vec<Conflict>, ApiError> {
    let agency = who.agency()?;
    let alerts = state.store().alerts();
    let now = state.now();
    let mut all = Vec::new();
    for e in added {
        for c in alerts.conflicts(agency, who.user.id, &e.entry, now).await? {
            let subject = format!(
                "Sightline de-confliction: {} ({}) is also on {}'s alert list",
                e.entry.plate.as_str(),
                e.entry.jurisdiction.code(),
                c.owner_display_name
            );
            let body = format!(
                "You added {plate} ({state}) with reason code {reason}.\r\n\r\n\
                 The same plate, state and reason code are on the alert list \"{list}\"\r\n\
                 of {name} (user {username}, {email}).\r\n\r\n\
                 Please contact them to de-conflict before acting.\r\n",
                plate = e.entry.plate.as_str(),
                state = e.entry.jurisdiction.code(),
                reason = e.entry.reason_code.as_str(),
                list = c.list_name,
                name = c.owner_display_name,
                username = c.owner_username,
                email = c.owner_email,
            );
            alerts
                .notify_user(
                    agency,
                    "deconfliction",
                    e.id.0,
                    c.entry_id,
                    who.user.id,
                    &who.user.email,
                    &subject,
                    &body,
                    now,
                )
                .await?;
            state
                .store()
                .ledger()
                .append(
                    entry_audit(who, "alert.deconfliction", e)
                        .field("other_user", c.owner_username.as_str())
                        .field("other_entry_id", c.entry_id.0)
                        .field("other_list", c.list_name.as_str()),
                )
                .await?;
            all.push(c);
        }
    }
    if !all.is_empty() {
        state.notifier().wake.notify_one();
    }
    Ok(all)
}
