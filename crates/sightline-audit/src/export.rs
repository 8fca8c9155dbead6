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

/// Writes an export line by line, keeping only the tree and the seqs, so a
/// log of any length streams through it.
#[derive(Debug)]
pub struct ExportWriter {
    tree: Tree,
    seqs: Vec<i64>,
}

impl ExportWriter {
    /// Emits the header; then call [`ExportWriter::entry`] for each entry
    /// in order and [`ExportWriter::finish`] with the signed notes.
    pub fn start<E>(
        log: &str,
        origin: &str,
        vkey: &str,
        entries: u64,
        checkpoints: u64,
        emit: &mut impl FnMut(&ExportLine) -> Result<(), E>,
    ) -> Result<Self, E> {
        emit(&ExportLine::Header {
            format: EXPORT_FORMAT.to_owned(),
            log: log.to_owned(),
            origin: origin.to_owned(),
            vkey: vkey.to_owned(),
            entries,
            checkpoints,
        })?;
        Ok(Self {
            tree: Tree::new(),
            seqs: Vec::new(),
        })
    }

    /// The tree over the entries written so far.
    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    pub fn entry<E>(
        &mut self,
        seq: i64,
        canonical: &str,
        leaf: Digest,
        emit: &mut impl FnMut(&ExportLine) -> Result<(), E>,
    ) -> Result<(), E> {
        self.tree.push(leaf);
        self.seqs.push(seq);
        emit(&ExportLine::Entry {
            seq,
            canonical: canonical.to_owned(),
            leaf_hash: hex::encode(leaf),
        })
    }

    /// Emits the checkpoints, the consistency proofs between consecutive
    /// ones and every entry's inclusion proof against the latest.
    pub fn finish<E>(
        self,
        notes: &[String],
        emit: &mut impl FnMut(&ExportLine) -> Result<(), E>,
    ) -> Result<(), E> {
        let sizes: Vec<u64> = notes
            .iter()
            .filter_map(|n| Checkpoint::parse(note_text(n)).ok().map(|c| c.size))
            .collect();
        for note in notes {
            emit(&ExportLine::Checkpoint { note: note.clone() })?;
        }
        for pair in sizes.windows(2) {
            if let [from, to] = *pair
                && let Some(proof) = self.tree.consistency_proof(from, to)
            {
                emit(&ExportLine::Consistency {
                    from,
                    to,
                    proof: hexes(&proof),
                })?;
            }
        }
        if let Some(&latest) = sizes.last() {
            for (index, seq) in self.seqs.iter().enumerate() {
                if let Some(proof) = self.tree.inclusion_proof(index as u64, latest) {
                    emit(&ExportLine::Inclusion {
                        seq: *seq,
                        tree_size: latest,
                        proof: hexes(&proof),
                    })?;
                }
            }
        }
        Ok(())
    }
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
    let mut w = ExportWriter::start(
        log,
        origin,
        vkey,
        entries.len() as u64,
        notes.len() as u64,
        &mut emit,
    )?;
    for e in entries {
        w.entry(e.seq, &e.canonical, e.leaf, &mut emit)?;
    }
    w.finish(notes, &mut emit)
}
