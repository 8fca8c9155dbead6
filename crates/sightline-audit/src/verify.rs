//! Re-checking a log's chain from its stored bytes.

use crate::entry::Entry;
use crate::hash::{Digest, GENESIS, chain_hash, leaf_hash};

/// The first place a log stops being what was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("entry at position {position}: its bytes are not a canonical audit entry")]
    NotCanonical { position: usize },
    #[error("entry at position {position}: expected seq {expected}, found {found}")]
    Sequence {
        position: usize,
        expected: i64,
        found: i64,
    },
    #[error("entry seq {seq}: stored leaf hash does not match its bytes")]
    LeafMismatch { seq: i64 },
    #[error("entry seq {seq}: chain hash does not follow from the entry before it")]
    ChainMismatch { seq: i64 },
}

/// One stored row as verification sees it.
#[derive(Debug, Clone)]
pub struct StoredLink<'a> {
    pub canonical: &'a [u8],
    pub leaf: Digest,
    pub chain: Digest,
}

/// Walks a log from its first entry, recomputing every leaf and link.
/// Returns the final chain value.
pub fn verify_chain<'a>(
    rows: impl IntoIterator<Item = (&'a [u8], Digest, Digest)>,
) -> Result<Digest, ChainError> {
    let mut prev = GENESIS;
    for (position, (canonical, leaf, chain)) in rows.into_iter().enumerate() {
        let entry =
            Entry::from_canonical(canonical).ok_or(ChainError::NotCanonical { position })?;
        let expected = i64::try_from(position)
            .unwrap_or(i64::MAX)
            .saturating_add(1);
        if entry.seq != expected {
            return Err(ChainError::Sequence {
                position,
                expected,
                found: entry.seq,
            });
        }
        if leaf_hash(canonical) != leaf {
            return Err(ChainError::LeafMismatch { seq: entry.seq });
        }
        let next = chain_hash(&prev, &leaf);
        if next != chain {
            return Err(ChainError::ChainMismatch { seq: entry.seq });
        }
        prev = next;
    }
    Ok(prev)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::{Actor, EntryDraft, Outcome};
    use sightline_core::TenantScope;
    use time::macros::datetime;

    fn log(n: i64) -> Vec<(Vec<u8>, Digest, Digest)> {
        let mut prev = GENESIS;
        (1..=n)
            .map(|seq| {
                let e = Entry::place(
                    EntryDraft::new(
                        TenantScope::Operator,
                        Actor::System,
                        "test",
                        Outcome::Success,
                    )
                    .field("n", seq),
                    seq,
                    datetime!(2026-11-21 12:00 UTC),
                );
                let bytes = e.canonical();
                let leaf = leaf_hash(&bytes);
                prev = chain_hash(&prev, &leaf);
                (bytes, leaf, prev)
            })
            .collect()
    }

    fn check(rows: &[(Vec<u8>, Digest, Digest)]) -> Result<Digest, ChainError> {
        verify_chain(rows.iter().map(|(b, l, c)| (b.as_slice(), *l, *c)))
    }

    #[test]
    fn intact_log_verifies() {
        assert!(check(&log(5)).is_ok());
    }

    #[test]
    fn every_tamper_kind_is_named() {
        let mut edited = log(5);
        edited[2].0 = String::from_utf8(edited[2].0.clone())
            .unwrap()
            .replace("\"n\":3", "\"n\":4")
            .into_bytes();
        assert_eq!(check(&edited), Err(ChainError::LeafMismatch { seq: 3 }));

        let mut dropped = log(5);
        dropped.remove(1);
        assert!(matches!(
            check(&dropped),
            Err(ChainError::Sequence { position: 1, .. })
        ));

        let mut swapped = log(5);
        swapped.swap(1, 2);
        assert!(matches!(
            check(&swapped),
            Err(ChainError::Sequence { position: 1, .. })
        ));

        // Recomputing the leaf of an edited row still breaks the chain.
        let mut relinked = log(5);
        let forged = String::from_utf8(relinked[2].0.clone())
            .unwrap()
            .replace("\"n\":3", "\"n\":9")
            .into_bytes();
        relinked[2].1 = leaf_hash(&forged);
        relinked[2].0 = forged;
        assert_eq!(check(&relinked), Err(ChainError::ChainMismatch { seq: 3 }));
    }
}
