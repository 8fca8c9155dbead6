//! Real components for the test suites, started on demand and stopped when
//! the test process exits.
//!
//! * [`postgres_url`] gives each caller a fresh, empty database on a
//!   PostgreSQL 15 cluster that the harness starts once per test process
//!   (or on the server named by `SIGHTLINE_TEST_PG_URL`, if set).
//! * [`PrivateCluster`] is a cluster of one test's own, which it may stop
//!   and start again.
//! * [`SmtpServer`] runs a real SMTP server process (Python `aiosmtpd`) on
//!   loopback and reads back what it received.
//!
//! The cluster runs as the `postgres` user (PostgreSQL refuses root) in a
//! temporary directory. A small supervising shell holds its stdin open to the
//! test process: when the test process ends, however it ends, the pipe closes
//! and the shell stops the cluster and deletes its directory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod pg;
mod pg_private;
mod smtp;

pub use pg::{pg_tool, postgres_admin_url, postgres_url};
pub use pg_private::PrivateCluster;
pub use smtp::{ReceivedMail, SmtpServer};

/// The master key every test deployment uses (32 random bytes as hex).
/// A fixed value, so a data directory reopened by a test opens.
pub const TEST_MASTER_KEY: &str =
    "43c323e8aa38e677bf740cff84751c0f04e3509057be0299250ffeb9fa563e60";

/// A random lower-case hex suffix for names that must not collide.
pub fn unique_suffix() -> String {
    let mut b = [0u8; 6];
    getrandom::fill(&mut b).expect("randomness");
    hex::encode(b)
}
