//! Wrapping a log's 32-byte Ed25519 secret under the deployment's master
//! key, so that a copy of the database alone cannot forge checkpoints.
//!
//! Scheme `sha256-xor-v1`: the secret is XORed with
//! `SHA-256("sightline-audit-key-wrap-v1" ‖ len(master) ‖ master ‖ log ‖ salt)`
//! with a fresh random 16-byte salt per key. One 32-byte secret per
//! keystream, never reused, is a one-time pad. Unwrapping is checked by
//! deriving the public key and comparing it with the stored one, which
//! authenticates the result (a wrong master key or an altered ciphertext
//! gives another public key).

use sha2::{Digest as _, Sha256};

fn pad(master: &[u8], log_id: &str, salt: &[u8; 16]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"sightline-audit-key-wrap-v1");
    h.update((master.len() as u64).to_be_bytes());
    h.update(master);
    h.update(log_id.as_bytes());
    h.update(salt);
    h.finalize().into()
}

/// Wraps (or, applied again, unwraps) `secret`.
pub fn xor_wrap(master: &[u8], log_id: &str, salt: &[u8; 16], secret: &[u8; 32]) -> [u8; 32] {
    let p = pad(master, log_id, salt);
    let mut out = [0u8; 32];
    for ((o, s), k) in out.iter_mut().zip(secret).zip(p.iter()) {
        *o = s ^ k;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_round_trips_and_depends_on_every_input() {
        let secret = [5u8; 32];
        let w = xor_wrap(b"master", "agency:1", &[1; 16], &secret);
        assert_ne!(w, secret);
        assert_eq!(xor_wrap(b"master", "agency:1", &[1; 16], &w), secret);
        assert_ne!(xor_wrap(b"other", "agency:1", &[1; 16], &w), secret);
        assert_ne!(xor_wrap(b"master", "agency:2", &[1; 16], &w), secret);
        assert_ne!(xor_wrap(b"master", "agency:1", &[2; 16], &w), secret);
    }
}
