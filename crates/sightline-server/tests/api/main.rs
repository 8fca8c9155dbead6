//! Black-box integration tests: the real server over HTTP, once per backend.

mod helpers;

mod access;
mod ingest;
mod query;
