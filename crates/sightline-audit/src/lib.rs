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
//! Over the same leaves, [`Tree`] is the RFC 6962 / 9162 Merkle tree: tree
//! heads, inclusion and consistency proofs. A tree head becomes a C2SP
//! `tlog-checkpoint` ([`Checkpoint`]) signed as a C2SP signed note with the
//! log's Ed25519 key ([`NoteSigner`]). [`write_export`] and [`Verifier`]
//! are the two ends of offline verification: anyone with the export and the
//! log's public key can recheck everything.
//!
//! Persistence lives in `sightline-store`; this crate does no I/O.

mod checkpoint;
pub mod commitment;
mod entry;
mod export;
mod hash;
mod keywrap;
mod merkle;
mod note;
mod offline;
mod reader;
mod search_export;
mod verify;

pub use checkpoint::{Checkpoint, CheckpointError, origin_of};
pub use entry::{Action, Actor, Entry, EntryDraft, Outcome};
pub use export::{EXPORT_FORMAT, ExportLine, ExportWriter, StoredEntry, note_text, write_export};
pub use hash::{Digest, GENESIS, chain_hash, leaf_hash};
pub use keywrap::xor_wrap;
pub use merkle::{Tree, empty_root, node_hash, verify_consistency, verify_inclusion};
pub use note::{NoteError, NoteSigner, NoteVerifier, generate_secret};
pub use offline::{Failure, Verified, Verifier};
pub use reader::{ReadError, read_export};
pub use search_export::{
    CANONICAL_COLUMN, Column, ExportedEntry, LEAF_COLUMN, NOTE_HEADER, OPENINGS_COLUMN,
    PROOF_COLUMN, Printed, READABLE_COLUMNS, SearchExport, SearchVerified, actor_name, from_table,
    note_from_base64, parse_csv, parse_jsonl, parse_sheet, readable, time_text,
    verify_search_export,
};
pub use verify::{ChainError, StoredLink, verify_chain};
