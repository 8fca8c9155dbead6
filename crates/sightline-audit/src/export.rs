//! The self-contained export of one log, as JSON Lines: a header, every
//! entry's canonical bytes with its stored leaf hash, every signed
//! checkpoint, a consistency proof between each pair of consecutive
//! checkpoints and an inclusion proof of every entry against the latest
//! checkpoint. [`crate::offline`] checks it with nothing but the log's
//! public key.

use crate::checkpoint::Checkpoint;
use crate::hash::Digest;
use crate::merkle::Tree;
use serde::{Deserialize, Serialize};

/// The `format` of the header line.
pub const EXPORT_FORMAT: &str = "sightline-audit-export/1";

/// One line of an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ExportLine {
    Header {
        format: String,
        log: String,
        origin: String,
        /// The log's key as the exporter saw it; verification uses the key
        /// the auditor supplies, never this one.
        vkey: String,
        entries: u64,
        checkpoints: u64,
    },
    Entry {
        seq: i64,
        /// The exact bytes the leaf hash commits to.
        canonical: String,
        leaf_hash: String,
    },
    Checkpoint {
        /// The whole signed note.
        note: String,
    },
    Consistency {
        from: u64,
        to: u64,
        proof: Vec<String>,
    },
    Inclusion {
        seq: i64,
        tree_size: u64,
        proof: Vec<String>,
    },
}

/// The text of a signed note, without its signatures (not checked here).
pub fn note_text(note: &str) -> &str {
    note.rfind("\n\n")
        .and_then(|i| note.get(..=i))
        .unwrap_or(note)
}

fn hexes(proof: &[Digest]) -> Vec<String> {
    proof.iter().map(hex::encode).collect()
}

/// Stored rows, as the exporter read them.
#[derive(Debug, Clone)]
pub struct StoredEntry {
    pub seq: i64,
    pub canonical: String,
    pub leaf: Digest,
}

/// Writes the export of one log through `emit`, line by line.
pub fn write_export<E>(
    log: &str,
    origin: &str,
    vkey: &str,
    entries: &[StoredEntry],
    notes: &[String],
    mut emit: impl FnMut(&ExportLine) -> Result<(), E>,
) -> Result<(), E> {
    emit(&ExportLine::Header {
        format: EXPORT_FORMAT.to_owned(),
        log: log.to_owned(),
        origin: origin.to_owned(),
        vkey: vkey.to_owned(),
        entries: entries.len() as u64,
        checkpoints: notes.len() as u64,
    })?;
    let tree = Tree::from_leaves(entries.iter().map(|e| e.leaf));
    for e in entries {
        emit(&ExportLine::Entry {
            seq: e.seq,
            canonical: e.canonical.clone(),
            leaf_hash: hex::encode(e.leaf),
        })?;
    }
    let sizes: Vec<u64> = notes
        .iter()
        .filter_map(|n| Checkpoint::parse(note_text(n)).ok().map(|c| c.size))
        .collect();
    for note in notes {
        emit(&ExportLine::Checkpoint { note: note.clone() })?;
    }
    for pair in sizes.windows(2) {
        if let [from, to] = *pair
            && let Some(proof) = tree.consistency_proof(from, to)
        {
            emit(&ExportLine::Consistency {
                from,
                to,
                proof: hexes(&proof),
            })?;
        }
    }
    if let Some(&latest) = sizes.last() {
        for (index, e) in entries.iter().enumerate() {
            if let Some(proof) = tree.inclusion_proof(index as u64, latest) {
                emit(&ExportLine::Inclusion {
                    seq: e.seq,
                    tree_size: latest,
                    proof: hexes(&proof),
                })?;
            }
        }
    }
    Ok(())
}
