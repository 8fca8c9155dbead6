//! The log key the audit targets verify against, and what the seed
//! generator signs with: fixed, so seeded exports and notes verify and the
//! fuzzer starts from the accepting paths.

use sightline_audit::{NoteSigner, origin_of};

/// The log the seeded export is of.
pub const LOG: &str = "agency:1";

/// The log's signing key (a fixed test secret).
pub fn signer() -> NoteSigner {
    match NoteSigner::new(&origin_of(LOG), &[3u8; 32]) {
        Ok(s) => s,
        Err(e) => panic!("the fixed key name is valid: {e}"),
    }
}
