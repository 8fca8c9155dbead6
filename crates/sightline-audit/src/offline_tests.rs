//! An honest export verifies; each kind of tampering is caught and named.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use super::*;
use crate::checkpoint::origin_of;
use crate::entry::{Actor, EntryDraft, Outcome};
use crate::export::{StoredEntry, write_export};
use crate::note::NoteSigner;
use sightline_core::{AgencyId, TenantScope};
use time::macros::datetime;

const LOG: &str = "agency:1";

fn signer() -> NoteSigner {
    NoteSigner::new(&origin_of(LOG), &[3u8; 32]).unwrap()
}

fn entries(n: i64) -> Vec<StoredEntry> {
    (1..=n)
        .map(|seq| {
            let e = Entry::place(
                EntryDraft::new(
                    TenantScope::Agency(AgencyId(1)),
                    Actor::System,
                    "test",
                    Outcome::Success,
                )
                .field("n", seq),
                seq,
                datetime!(2026-11-21 12:00 UTC),
            );
            let canonical = String::from_utf8(e.canonical()).unwrap();
            StoredEntry {
                seq,
                leaf: leaf_hash(canonical.as_bytes()),
                canonical,
            }
        })
        .collect()
}

/// Signed checkpoints at every size in `sizes`, over the honest entries.
fn notes(rows: &[StoredEntry], sizes: &[u64]) -> Vec<String> {
    let tree = Tree::from_leaves(rows.iter().map(|e| e.leaf));
    sizes
        .iter()
        .map(|&size| {
            let c = Checkpoint {
                origin: origin_of(LOG),
                size,
                root: tree.root(size).unwrap(),
            };
            signer().sign(&c.body()).unwrap()
        })
        .collect()
}

fn verify(rows: &[StoredEntry], notes: &[String]) -> Result<Verified, Failure> {
    verify_kept(rows, notes, &[])
}

fn verify_kept(
    rows: &[StoredEntry],
    notes: &[String],
    kept: &[String],
) -> Result<Verified, Failure> {
    let key = signer().verifier();
    let mut v = Verifier::new(&key);
    for k in kept {
        v.trust(k).unwrap();
    }
    write_export::<()>(LOG, &origin_of(LOG), &key.vkey(), rows, notes, |l| {
        // Through JSON, as the file goes.
        let text = serde_json::to_string(l).unwrap();
        v.line(serde_json::from_str(&text).unwrap());
        Ok(())
    })
    .unwrap();
    v.finish()
}

fn edit(row: &mut StoredEntry, from: &str, to: &str) {
    row.canonical = row.canonical.replace(from, to);
}

#[test]
fn honest_export_verifies() {
    let rows = entries(9);
    let cps = notes(&rows, &[2, 5, 9]);
    let v = verify(&rows, &cps).unwrap();
    assert_eq!((v.entries, v.checkpoints, v.tree_size), (9, 3, 9));
}

#[test]
fn edited_entry_is_named() {
    let honest = entries(9);
    let cps = notes(&honest, &[2, 5, 9]);
    let mut rows = honest.clone();
    edit(&mut rows[3], "\"n\":4", "\"n\":40");
    assert_eq!(verify(&rows, &cps).unwrap_err().seq, Some(4));
    // Recomputing the stored leaf hash too: the signed head of size 5 names
    // the first entry after the last matching checkpoint.
    rows[3].leaf = leaf_hash(rows[3].canonical.as_bytes());
    let err = verify(&rows, &cps).unwrap_err();
    assert_eq!(err.seq, Some(3), "{err}");
    // With a checkpoint after every entry, the very entry.
    let every: Vec<u64> = (1..=9).collect();
    let cps = notes(&honest, &every);
    let err = verify(&rows, &cps).unwrap_err();
    assert_eq!(err.seq, Some(4), "{err}");
}

#[test]
fn deleted_reordered_and_inserted_entries_are_named() {
    let honest = entries(9);
    let cps = notes(&honest, &[2, 5, 9]);

    let mut deleted = honest.clone();
    deleted.remove(5);
    assert_eq!(verify(&deleted, &cps).unwrap_err().seq, Some(6));

    let mut swapped = honest.clone();
    swapped.swap(6, 7);
    let err = verify(&swapped, &cps).unwrap_err();
    assert_eq!(err.seq, Some(7), "{err}");

    let mut inserted = honest.clone();
    let mut forged = honest[4].clone();
    edit(&mut forged, "\"n\":5", "\"n\":55");
    forged.leaf = leaf_hash(forged.canonical.as_bytes());
    inserted.insert(5, forged);
    assert_eq!(verify(&inserted, &cps).unwrap_err().seq, Some(6));

    let mut truncated = honest.clone();
    truncated.truncate(7);
    assert_eq!(verify(&truncated, &cps).unwrap_err().seq, Some(8));
}

#[test]
fn forged_checkpoints_and_missing_coverage_fail() {
    let rows = entries(5);
    let other = NoteSigner::new(&origin_of(LOG), &[4u8; 32]).unwrap();
    let tree = Tree::from_leaves(rows.iter().map(|e| e.leaf));
    let forged = other
        .sign(
            &Checkpoint {
                origin: origin_of(LOG),
                size: 5,
                root: tree.root(5).unwrap(),
            }
            .body(),
        )
        .unwrap();
    let err = verify(&rows, &[forged]).unwrap_err();
    assert_eq!(err.seq, None);
    assert!(err.message.contains("no valid signature"), "{err}");

    let err = verify(&rows, &notes(&rows, &[3])).unwrap_err();
    assert_eq!(err.seq, Some(4), "{err}");
    assert!(verify(&rows, &[]).is_err());
}

#[test]
fn a_kept_checkpoint_catches_a_rewrite_with_replaced_checkpoints() {
    let honest = entries(6);
    let kept = notes(&honest, &[4]);
    // Entry 2 rewritten, old checkpoints deleted, a fresh one signed over
    // the rewrite: only a checkpoint kept from before can tell.
    let mut rows = honest.clone();
    edit(&mut rows[1], "\"n\":2", "\"n\":22");
    rows[1].leaf = leaf_hash(rows[1].canonical.as_bytes());
    let fresh = notes(&rows, &[6]);
    assert!(verify(&rows, &fresh).is_ok());
    let err = verify_kept(&rows, &fresh, &kept).unwrap_err();
    assert!(
        err.message.contains("checkpoint you kept (size 4)"),
        "{err}"
    );
    assert!(verify_kept(&honest, &notes(&honest, &[6]), &kept).is_ok());
}
