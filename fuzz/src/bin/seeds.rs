//! Writes the signed seeds of the audit targets (a verifying export and
//! signed checkpoint notes) under fuzz/corpus/; the other targets' seeds are
//! plain files. `cargo run --bin seeds` from fuzz/.

use sightline_audit::{
    Actor, Checkpoint, Entry, EntryDraft, Outcome, StoredEntry, Tree, leaf_hash, origin_of,
    write_export,
};
use sightline_core::{AgencyId, TenantScope};
use sightline_fuzz::audit::{LOG, signer};
use std::fmt::Write as _;

fn entries(n: i64) -> Vec<StoredEntry> {
    (1..=n)
        .map(|seq| {
            let draft = EntryDraft::new(
                TenantScope::Agency(AgencyId(1)),
                Actor::System,
                "query.run",
                Outcome::Success,
            )
            .field("n", seq);
            let at = time::OffsetDateTime::from_unix_timestamp(1_795_000_000 + seq)
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
            let e = Entry::place(draft, seq, at);
            let canonical = String::from_utf8(e.canonical()).unwrap_or_default();
            StoredEntry {
                seq,
                leaf: leaf_hash(canonical.as_bytes()),
                canonical,
            }
        })
        .collect()
}

fn notes(rows: &[StoredEntry], sizes: &[u64]) -> Vec<String> {
    let tree = Tree::from_leaves(rows.iter().map(|e| e.leaf));
    sizes
        .iter()
        .filter_map(|&size| {
            let c = Checkpoint {
                origin: origin_of(LOG),
                size,
                root: tree.root(size)?,
            };
            signer().sign(&c.body()).ok()
        })
        .collect()
}

fn export(n: i64, sizes: &[u64]) -> String {
    let rows = entries(n);
    let notes = notes(&rows, sizes);
    let vkey = signer().verifier().vkey();
    let mut out = String::new();
    let _ = write_export(LOG, &origin_of(LOG), &vkey, &rows, &notes, |line| {
        serde_json::to_string(line).map(|l| {
            let _ = writeln!(out, "{l}");
        })
    });
    out
}

fn main() -> std::io::Result<()> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let put = |target: &str, name: &str, body: &str| {
        let dir = root.join(target);
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join(name), body)
    };
    put("audit_export", "three-entries.jsonl", &export(3, &[1, 3]))?;
    put("audit_export", "one-entry.jsonl", &export(1, &[1]))?;
    put("audit_export", "five-entries.jsonl", &export(5, &[2, 4, 5]))?;
    let rows = entries(3);
    let note = notes(&rows, &[3]).concat();
    put("signed_note", "checkpoint-note.txt", &note)?;
    put("signed_note", "vkey.txt", &signer().verifier().vkey())?;
    let body = Checkpoint {
        origin: origin_of(LOG),
        size: 3,
        root: Tree::from_leaves(rows.iter().map(|e| e.leaf))
            .root(3)
            .unwrap_or_default(),
    }
    .body();
    put("signed_note", "checkpoint-body.txt", &body)?;
    Ok(())
}
