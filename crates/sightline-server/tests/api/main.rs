//! Black-box integration tests: the real server over HTTP, once per backend.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod helpers;

mod access;
mod audit;
mod ingest;
mod query;
