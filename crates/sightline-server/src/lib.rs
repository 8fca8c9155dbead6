//! The Sightline HTTP API.
//!
//! Requests arrive through axum routes under `/api/v1`; the extractors in
//! [`auth`] turn a bearer token into a [`auth::CurrentUser`] (or an ingest key
//! into a [`auth::IngestSource`]) before any handler runs, and every error
//! leaves through [`error::ApiError`] as `application/problem+json` with a
//! stable code. The plate-query handler follows the purpose-before-data
//! order of DESIGN.md: session → purpose check → durable audit append →
//! read lookup (which needs the append's receipt).

pub mod agents;
pub mod alerts;
pub mod app;
pub mod auth;
pub mod client_addr;
pub mod dto;
pub mod error;
pub mod http_limits;
pub mod incidents;
pub mod ingest_limits;
pub mod limits;
pub mod metrics;
pub mod notify;
pub mod ocr;
pub mod oversight;
pub mod pipeline;
pub mod quarterly;
pub mod routes;
pub mod serving;
pub mod typed_names;
pub mod web;

pub use app::{AppState, router};
pub use serving::serve;
