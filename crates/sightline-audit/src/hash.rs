//! RFC 6962 leaf hashing and the per-log hash chain.

use sha2::{Digest as _, Sha256};

/// A SHA-256 digest.
pub type Digest = [u8; 32];

/// The chain value before the first entry of a log.
pub const GENESIS: Digest = [0u8; 32];

/// RFC 6962 §2.1 leaf hash: `SHA-256(0x00 ‖ entry)`.
pub fn leaf_hash(canonical: &[u8]) -> Digest {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(canonical);
    h.finalize().into()
}

/// Links a leaf to everything before it: `SHA-256(prev ‖ leaf)`.
pub fn chain_hash(prev: &Digest, leaf: &Digest) -> Digest {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(leaf);
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_leaf_matches_rfc6962_reference() {
        // RFC 6962 test vector: the hash of the empty leaf.
        assert_eq!(
            hex::encode(leaf_hash(b"")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
    }

    #[test]
    fn chain_depends_on_order() {
        let a = leaf_hash(b"a");
        let b = leaf_hash(b"b");
        let ab = chain_hash(&chain_hash(&GENESIS, &a), &b);
        let ba = chain_hash(&chain_hash(&GENESIS, &b), &a);
        assert_ne!(ab, ba);
    }
}
