//! Alert lists on the server side: matching every ingested read against
//! the in-memory index (after the ingest response, by the matcher), and the
//! lifecycle pass. Storage and the index live in `sightline_store::alerts`;
//! the HTTP surface in `routes::alerts`.

mod lifecycle;
mod matcher;
mod matching;

pub use lifecycle::run_lifecycle;
pub use matcher::Matcher;
pub use matching::{Notifier, match_batch, match_reads};
