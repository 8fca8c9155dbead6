//! Audit entries and their hashing: the accountability spine of Sightline.
//!
//! Every action (logon, query, refusal, ingest batch, administration) becomes
//! an [`Entry`] in exactly one log: one log per agency and one for the
//! operator. An entry is encoded to canonical bytes ([`Entry::canonical`]),
//! hashed as an RFC 6962 leaf (`SHA-256(0x00 ‖ bytes)`), and chained to its
//! predecessor (`chain_n = SHA-256(chain_{n-1} ‖ leaf_n)`).
//!
//! The leaf hash is the RFC 6962 leaf so that the Merkle tree, signed
//! checkpoints and proofs of the accountability work slot in over the same
//! leaves without re-encoding a single stored entry. The chain is what lets
//! this first form detect an edited, dropped, inserted or reordered entry.
//!
//! Persistence lives in `sightline-store`; this crate does no I/O.

mod entry;
mod hash;
mod verify;

pub use entry::{Action, Actor, Entry, EntryDraft, Outcome};
pub use hash::{Digest, GENESIS, chain_hash, leaf_hash};
pub use verify::{ChainError, StoredLink, verify_chain};
