//! Offline verification of an export (`sightline audit verify`), given only
//! the export and the log's public key. Nothing in the export is trusted
//! but what the key signed: the tree is recomputed from the entries'
//! canonical bytes, every checkpoint signature is checked, every signed
//! tree head is compared with the recomputed one, and every consistency
//! and inclusion proof is checked against the signed heads.
//!
//! The verdict names the first bad entry. Entry-level faults (bytes that do
//! not hash to their leaf, a missing or moved seq) name the entry exactly;
//! a rewrite that also recomputed the leaf hash is caught by the first
//! signed checkpoint it breaks, and named as the first entry after the last
//! checkpoint that still matches (exact when checkpoints are frequent).

use crate::checkpoint::Checkpoint;
use crate::entry::Entry;
use crate::export::ExportLine;
use crate::hash::{Digest, leaf_hash};
use crate::merkle::{Tree, verify_consistency, verify_inclusion};
use crate::note::NoteVerifier;
use std::collections::BTreeMap;

/// What a clean export proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub entries: u64,
    pub checkpoints: u64,
    pub tree_size: u64,
    pub root: Digest,
}

/// Why an export fails verification; `seq` is the first bad entry when the
/// fault lies in an entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", seq.map(|s| format!("first bad entry: seq {s}: ")).unwrap_or_default())]
pub struct Failure {
    pub seq: Option<i64>,
    pub message: String,
}

impl Failure {
    /// A failure at entry `seq` (or of the export as a whole).
    pub fn at(seq: Option<i64>, message: impl Into<String>) -> Self {
        fail(seq, message)
    }
}

fn fail(seq: Option<i64>, message: impl Into<String>) -> Failure {
    Failure {
        seq,
        message: message.into(),
    }
}

fn digests(hexes: &[String]) -> Option<Vec<Digest>> {
    hexes
        .iter()
        .map(|h| hex::decode(h).ok().and_then(|v| Digest::try_from(v).ok()))
        .collect()
}

/// Findings ranked: forged signatures first, then entry and tree-head faults
/// (earliest seq first), then failing proofs (earliest seq first).
#[derive(Debug, Default)]
struct Findings {
    first: Option<(u8, i64, Failure)>,
    /// The earliest entry found bad by itself (exactly named).
    first_exact: Option<i64>,
}

impl Findings {
    fn add(&mut self, rank: u8, f: Failure) {
        if rank == 1 {
            self.first_exact = self.first_exact.min(f.seq).or(f.seq);
        }
        let key = (rank, f.seq.unwrap_or(0));
        if self.first.as_ref().is_none_or(|(r, s, _)| key < (*r, *s)) {
            self.first = Some((key.0, key.1, f));
        }
    }
}

/// Streaming verifier: feed it every line, then [`Verifier::finish`].
#[derive(Debug)]
pub struct Verifier<'k> {
    key: &'k NoteVerifier,
    tree: Tree,
    checkpoints: Vec<Checkpoint>,
    heads: BTreeMap<u64, Digest>,
    consistency: Vec<(u64, u64, Vec<Digest>)>,
    /// Checkpoints the auditor kept from before (a previous export, the API).
    trusted: Vec<Checkpoint>,
    /// Inclusion proofs are checked as they stream past (they follow every
    /// entry and checkpoint in an export); only the count is kept.
    proven: u64,
    findings: Findings,
}

impl<'k> Verifier<'k> {
    pub fn new(key: &'k NoteVerifier) -> Self {
        Self {
            key,
            tree: Tree::new(),
            checkpoints: Vec::new(),
            heads: BTreeMap::new(),
            consistency: Vec::new(),
            trusted: Vec::new(),
            proven: 0,
            findings: Findings::default(),
        }
    }

    fn next_seq(&self) -> i64 {
        i64::try_from(self.tree.size())
            .unwrap_or(i64::MAX)
            .saturating_add(1)
    }

    /// Adds a checkpoint the auditor kept from earlier: the export must
    /// extend it. This is what catches a log rewritten wholesale after its
    /// stored checkpoints were deleted (the ledger would then sign the
    /// rewrite as a fresh log).
    pub fn trust(&mut self, note: &str) -> Result<(), Failure> {
        let text = self
            .key
            .open(note)
            .map_err(|e| fail(None, format!("the kept checkpoint: {e}")))?;
        let c =
            Checkpoint::parse(text).map_err(|e| fail(None, format!("the kept checkpoint: {e}")))?;
        self.trusted.push(c);
        Ok(())
    }

    pub fn line(&mut self, line: ExportLine) {
        match line {
            ExportLine::Header { .. } => {}
            ExportLine::Entry {
                seq,
                canonical,
                leaf_hash: stated,
            } => self.entry(seq, &canonical, &stated),
            ExportLine::Checkpoint { note } => self.checkpoint(&note),
            ExportLine::Consistency { from, to, proof } => match digests(&proof) {
                Some(p) => self.consistency.push((from, to, p)),
                None => self
                    .findings
                    .add(2, fail(None, "malformed consistency proof")),
            },
            ExportLine::Inclusion {
                seq,
                tree_size,
                proof,
            } => self.inclusion(seq, tree_size, &proof),
        }
    }

    fn entry(&mut self, line_seq: i64, canonical: &str, stated: &str) {
        let expected = self.next_seq();
        let leaf = leaf_hash(canonical.as_bytes());
        self.tree.push(leaf);
        let Some(entry) = Entry::from_canonical(canonical.as_bytes()) else {
            self.findings.add(
                1,
                fail(Some(expected), "its bytes are not a canonical audit entry"),
            );
            return;
        };
        if entry.seq != expected || line_seq != expected {
            self.findings.add(
                1,
                fail(
                    Some(expected),
                    format!(
                        "expected entry {expected} here, found entry {} (entries were removed, inserted or reordered)",
                        entry.seq
                    ),
                ),
            );
        } else if hex::encode(leaf) != stated {
            self.findings.add(
                1,
                fail(
                    Some(expected),
                    "its bytes do not hash to its stored leaf hash (the entry was edited)",
                ),
            );
        } else if crate::checkpoint::origin_of(&entry.log) != self.key.name() {
            self.findings
                .add(1, fail(Some(expected), "it belongs to another log"));
        }
    }

    fn inclusion(&mut self, seq: i64, size: u64, proof: &[String]) {
        let latest = self.checkpoints.last().map(|c| (c.size, c.root));
        let index = u64::try_from(seq.saturating_sub(1)).unwrap_or(u64::MAX);
        let ok = match (latest, digests(proof), self.tree.leaf(index)) {
            (Some((latest, root)), Some(p), Some(leaf)) => {
                size == latest && verify_inclusion(index, latest, &leaf, &p, &root)
            }
            _ => false,
        };
        if ok {
            self.proven += 1;
        } else {
            self.findings.add(
                2,
                fail(
                    Some(seq),
                    "its inclusion proof does not verify against the latest checkpoint",
                ),
            );
        }
    }

    fn checkpoint(&mut self, note: &str) {
        if self.proven > 0 {
            self.findings.add(
                0,
                fail(
                    None,
                    "a checkpoint follows the inclusion proofs; proofs must come last",
                ),
            );
        }
        let n = self.checkpoints.len() + 1;
        let text = match self.key.open(note) {
            Ok(t) => t,
            Err(e) => {
                self.findings
                    .add(0, fail(None, format!("checkpoint #{n}: {e}")));
                return;
            }
        };
        match Checkpoint::parse(text) {
            Ok(c) if c.origin == self.key.name() => {
                if self.checkpoints.last().is_some_and(|p| p.size > c.size) {
                    self.findings.add(
                        0,
                        fail(None, format!("checkpoint #{n}: tree size went backwards")),
                    );
                }
                if self.heads.get(&c.size).is_some_and(|r| *r != c.root) {
                    self.findings.add(
                        0,
                        fail(
                            None,
                            format!("two signed checkpoints of size {} disagree", c.size),
                        ),
                    );
                }
                self.heads.insert(c.size, c.root);
                self.checkpoints.push(c);
            }
            Ok(c) => self.findings.add(
                0,
                fail(
                    None,
                    format!("checkpoint #{n} is for another log ({})", c.origin),
                ),
            ),
            Err(e) => self
                .findings
                .add(0, fail(None, format!("checkpoint #{n}: {e}"))),
        }
    }

    pub fn finish(mut self) -> Result<Verified, Failure> {
        let n = self.tree.size();
        let seq = |size: u64| i64::try_from(size).unwrap_or(i64::MAX).saturating_add(1);
        let mut good = 0u64;
        for c in &self.checkpoints {
            if c.size > n {
                self.findings.add(
                    1,
                    fail(
                        Some(seq(n)),
                        format!("a signed checkpoint covers {} entries but the export holds {n}: entries are missing", c.size),
                    ),
                );
                break;
            }
            if self.tree.root(c.size) != Some(c.root) {
                // An entry of this range already named exactly is the
                // better answer; otherwise name the range's first entry.
                if self.findings.first_exact.is_some_and(|s| s < seq(c.size)) {
                    break;
                }
                self.findings.add(
                    1,
                    fail(
                        Some(seq(good)),
                        format!(
                            "entries {}..={} do not match the signed checkpoint of size {} (an entry was rewritten)",
                            seq(good),
                            c.size,
                            c.size
                        ),
                    ),
                );
                break;
            }
            good = c.size;
        }
        for t in &self.trusted {
            if self.tree.root(t.size) != Some(t.root) {
                self.findings.add(
                    0,
                    fail(
                        None,
                        format!(
                            "the export does not extend the checkpoint you kept (size {}): entries up to {} were removed or rewritten and its checkpoints replaced",
                            t.size, t.size
                        ),
                    ),
                );
            }
        }
        let Some(latest) = self.checkpoints.last().map(|c| c.size) else {
            return Err(self
                .findings
                .first
                .map(|(_, _, f)| f)
                .unwrap_or_else(|| fail(None, "the export holds no signed checkpoint")));
        };
        if n > latest {
            self.findings.add(
                1,
                fail(
                    Some(seq(latest)),
                    format!(
                        "entries from {} on are not covered by any signed checkpoint",
                        seq(latest)
                    ),
                ),
            );
        }
        self.check_proofs(latest);
        if let Some((_, _, f)) = self.findings.first {
            return Err(f);
        }
        Ok(Verified {
            entries: n,
            checkpoints: self.checkpoints.len() as u64,
            tree_size: latest,
            root: self.heads.get(&latest).copied().unwrap_or_default(),
        })
    }

    fn check_proofs(&mut self, latest: u64) {
        let pairs: Vec<(u64, u64)> = self
            .checkpoints
            .windows(2)
            .filter_map(|w| match w {
                [a, b] => Some((a.size, b.size)),
                _ => None,
            })
            .collect();
        for (from, to) in pairs {
            let found = self
                .consistency
                .iter()
                .find(|(f, t, _)| (*f, *t) == (from, to));
            let ok = match (found, self.heads.get(&from), self.heads.get(&to)) {
                (Some((_, _, p)), Some(a), Some(b)) => verify_consistency(from, to, a, b, p),
                _ => false,
            };
            if !ok {
                let s = i64::try_from(from).unwrap_or(i64::MAX).saturating_add(1);
                self.findings.add(
                    2,
                    fail(
                        Some(s),
                        format!("consistency proof {from} -> {to} is missing or fails"),
                    ),
                );
            }
        }
        if self.proven < latest.min(self.tree.size()) {
            self.findings.add(
                2,
                fail(
                    None,
                    format!(
                        "only {} of {latest} entries have a valid inclusion proof",
                        self.proven
                    ),
                ),
            );
        }
    }
}

#[cfg(test)]
#[path = "offline_tests.rs"]
mod tests;
