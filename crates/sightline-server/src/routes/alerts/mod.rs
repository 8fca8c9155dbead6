//! Alert lists over HTTP (R4): lists, entries (one, from a query, or a CSV
//! upload), search, deletion, renewal, named groups (case teams), and the
//! notification inbox.

mod access;
mod deconflict;
pub(crate) mod dto;
mod entries;
mod groups;
mod inbox;
mod lists;
mod parse;
mod upload;

use crate::app::AppState;
use axum::extract::DefaultBodyLimit;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(lists::create_list, lists::my_lists))
        .routes(routes!(groups::create_group, groups::my_groups))
        .routes(routes!(entries::add_entry, entries::list_entries))
        .routes(routes!(entries::delete_entry))
        .routes(routes!(entries::renew_entry))
        .routes(routes!(upload::upload))
        .routes(routes!(inbox::inbox))
        .routes(routes!(inbox::unread))
        .routes(routes!(inbox::mark_read))
        .layer(DefaultBodyLimit::max(upload::MAX_UPLOAD_BYTES))
}
