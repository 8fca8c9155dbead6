//! The audit export reader and offline verifier (`sightline audit verify`),
//! and the stored-chain check (`verify_chain`) over the same entries.
//!
//! Input: an export (JSON Lines). A verdict of "verified" must agree with
//! the tree recomputed here from the entry lines: a fuzzer cannot forge the
//! log key's signatures, so an accepted export is one whose every entry the
//! signed checkpoints cover.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sightline_audit::{
    Digest, ExportLine, GENESIS, Tree, Verifier, chain_hash, leaf_hash, read_export, verify_chain,
};
use sightline_fuzz::audit::signer;

fuzz_target!(|data: &[u8]| {
    let key = signer().verifier();
    let mut verifier = Verifier::new(&key);
    if read_export(&mut verifier, data).is_err() {
        return;
    }
    let verdict = verifier.finish();

    // The entry lines, as the reader saw them.
    let mut entries: Vec<(String, String)> = Vec::new();
    let mut lines = 0usize;
    for line in std::str::from_utf8(data).unwrap_or_default().lines() {
        lines += 1;
        if let Ok(ExportLine::Entry {
            canonical,
            leaf_hash,
            ..
        }) = serde_json::from_str(line)
        {
            entries.push((canonical, leaf_hash));
        }
    }
    if let Ok(v) = &verdict {
        assert!(v.checkpoints >= 1 && v.checkpoints as usize <= lines);
        assert_eq!(
            v.entries,
            entries.len() as u64,
            "verified a count it did not read"
        );
        assert_eq!(
            v.tree_size, v.entries,
            "verified entries no checkpoint covers"
        );
        let tree = Tree::from_leaves(entries.iter().map(|(c, _)| leaf_hash(c.as_bytes())));
        assert_eq!(
            tree.root(v.tree_size),
            Some(v.root),
            "verified a root it did not compute"
        );
    }

    // The same entries as stored rows: leaf as stated, chain recomputed.
    let mut prev = GENESIS;
    let rows: Vec<(&[u8], Digest, Digest)> = entries
        .iter()
        .map(|(canonical, stated)| {
            let leaf: Digest = hex_digest(stated).unwrap_or([0u8; 32]);
            prev = chain_hash(&prev, &leaf);
            (canonical.as_bytes(), leaf, prev)
        })
        .collect();
    if let Ok(last) = verify_chain(rows.iter().copied()) {
        assert_eq!(last, prev, "the chain check ended on another value");
        for (canonical, leaf, _) in &rows {
            assert_eq!(
                leaf_hash(canonical),
                *leaf,
                "a leaf that does not hash passed"
            );
        }
    }
    if verdict.is_ok() {
        assert!(
            verify_chain(rows.iter().copied()).is_ok(),
            "verified export, broken chain"
        );
    }
});

fn hex_digest(text: &str) -> Option<Digest> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}
