//! The RFC 6962 / RFC 9162 Merkle tree over a log's leaf hashes: tree heads
//! (MTH), inclusion proofs (audit paths) and consistency proofs, plus the
//! verifiers of RFC 9162 §2.1.3.2 and §2.1.4.2.
//!
//! [`Tree`] keeps every complete (power-of-two, aligned) subtree hash, level
//! by level, so appending is amortised O(1) and any head or proof over a
//! prefix of the leaves takes O(log² n) lookups, never a rehash of the log.

use crate::hash::Digest;
use sha2::{Digest as _, Sha256};

/// RFC 6962 §2.1 interior node: `SHA-256(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Digest, right: &Digest) -> Digest {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The head of the empty tree: `SHA-256("")`.
pub fn empty_root() -> Digest {
    Sha256::digest([]).into()
}

/// The largest power of two strictly smaller than `n` (`n >= 2`).
fn split(n: u64) -> u64 {
    let mut k = 1u64;
    while k << 1 < n {
        k <<= 1;
    }
    k
}

/// A Merkle tree built incrementally from leaf hashes.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    /// `levels[h][j]` is the hash of leaves `j·2^h .. (j+1)·2^h`; only
    /// complete subtrees are kept.
    levels: Vec<Vec<Digest>>,
}

impl Tree {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn from_leaves(leaves: impl IntoIterator<Item = Digest>) -> Self {
        let mut t = Self::new();
        for l in leaves {
            t.push(l);
        }
        t
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    /// The leaf hash at `index`, if there is one.
    pub fn leaf(&self, index: u64) -> Option<Digest> {
        self.complete(0, index)
    }

    /// Appends one leaf hash.
    pub fn push(&mut self, leaf: Digest) {
        let mut carry = leaf;
        let mut h = 0;
        loop {
            if self.levels.len() <= h {
                self.levels.push(Vec::new());
            }
            let Some(level) = self.levels.get_mut(h) else {
                return;
            };
            level.push(carry);
            if level.len() % 2 == 1 {
                return;
            }
            let n = level.len();
            match (level.get(n - 2), level.get(n - 1)) {
                (Some(l), Some(r)) => carry = node_hash(l, r),
                _ => return,
            }
            h += 1;
        }
    }

    fn complete(&self, height: usize, index: u64) -> Option<Digest> {
        let i = usize::try_from(index).ok()?;
        self.levels.get(height)?.get(i).copied()
    }

    /// MTH of leaves `lo..hi` (`hi <= size`); `None` out of range.
    fn subtree(&self, lo: u64, hi: u64) -> Option<Digest> {
        let n = hi.checked_sub(lo)?;
        if n == 0 || hi > self.size() {
            return None;
        }
        if n.is_power_of_two() && lo.is_multiple_of(n) {
            return self.complete(n.trailing_zeros() as usize, lo / n);
        }
        let k = split(n);
        Some(node_hash(
            &self.subtree(lo, lo + k)?,
            &self.subtree(lo + k, hi)?,
        ))
    }

    /// The tree head over the first `size` leaves (RFC 6962 §2.1 MTH).
    pub fn root(&self, size: u64) -> Option<Digest> {
        if size == 0 {
            return Some(empty_root());
        }
        self.subtree(0, size)
    }

    /// The audit path of leaf `index` in the tree of the first `size`
    /// leaves (RFC 6962 §2.1.1).
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Option<Vec<Digest>> {
        if index >= size || size > self.size() {
            return None;
        }
        let mut proof = Vec::new();
        self.path(index, 0, size, &mut proof)?;
        Some(proof)
    }

    fn path(&self, m: u64, lo: u64, hi: u64, out: &mut Vec<Digest>) -> Option<()> {
        let n = hi - lo;
        if n <= 1 {
            return Some(());
        }
        let k = split(n);
        if m - lo < k {
            self.path(m, lo, lo + k, out)?;
            out.push(self.subtree(lo + k, hi)?);
        } else {
            self.path(m, lo + k, hi, out)?;
            out.push(self.subtree(lo, lo + k)?);
        }
        Some(())
    }

    /// The proof that the tree of `old` leaves is a prefix of the tree of
    /// `new` leaves (RFC 6962 §2.1.2).
    pub fn consistency_proof(&self, old: u64, new: u64) -> Option<Vec<Digest>> {
        if old > new || new > self.size() {
            return None;
        }
        let mut proof = Vec::new();
        if old > 0 && old < new {
            self.subproof(old, 0, new, true, &mut proof)?;
        }
        Some(proof)
    }

    fn subproof(&self, m: u64, lo: u64, hi: u64, whole: bool, out: &mut Vec<Digest>) -> Option<()> {
        let n = hi - lo;
        if m == n {
            if !whole {
                out.push(self.subtree(lo, hi)?);
            }
            return Some(());
        }
        let k = split(n);
        if m <= k {
            self.subproof(m, lo, lo + k, whole, out)?;
            out.push(self.subtree(lo + k, hi)?);
        } else {
            self.subproof(m - k, lo + k, hi, false, out)?;
            out.push(self.subtree(lo, lo + k)?);
        }
        Some(())
    }
}

/// RFC 9162 §2.1.3.2: does `proof` place `leaf` at `index` in the tree of
/// `size` leaves whose head is `root`?
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Digest,
    proof: &[Digest],
    root: &Digest,
) -> bool {
    if index >= size {
        return false;
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    snode == 0 && &r == root
}

/// RFC 9162 §2.1.4.2: does `proof` show that the tree of `old` leaves with
/// head `old_root` is a prefix of the tree of `new` leaves with head
/// `new_root`? The empty tree is a prefix of every tree.
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Digest,
    new_root: &Digest,
    proof: &[Digest],
) -> bool {
    if old > new {
        return false;
    }
    if old == new {
        return proof.is_empty() && old_root == new_root;
    }
    if old == 0 {
        return proof.is_empty() && old_root == &empty_root();
    }
    let mut path: Vec<Digest> = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    let (mut fnode, mut snode) = (old - 1, new - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    snode == 0 && &fr == old_root && &sr == new_root
}

#[cfg(test)]
#[path = "merkle_tests.rs"]
mod tests;
