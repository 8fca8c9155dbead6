//! Black-box integration tests: the real server over HTTP, once per backend.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod helpers;

mod access;
mod agents;
mod alert_delivery;
mod alert_lifecycle;
mod alert_sharing;
mod alerts;
mod audit;
mod auditor;
mod authz;
mod background;
mod device_keys;
mod export_proofs;
mod exports;
mod identity;
mod inbox;
mod incidents;
mod ingest;
mod ingest_limits;
mod ingest_privacy;
mod keys;
mod manager;
mod maps;
mod misreads;
mod ocr;
mod offboarding;
mod operator;
mod operator_console;
mod oversight;
mod provisioning;
mod quarterly;
mod query;
mod report;
mod serving;
mod transparency;
