//! The signed-note parser: `vkey`s, signed notes (`NoteVerifier::open`) and
//! the checkpoint bodies inside them. What parses re-serialises to the same
//! bytes, and what is signed opens to exactly its text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sightline_audit::{Checkpoint, NoteVerifier};
use sightline_fuzz::audit::signer;

/// A checkpoint body that parsed and has no extension lines is exactly
/// what [`Checkpoint::body`] writes.
fn check_checkpoint(text: &str) {
    if let Ok(c) = Checkpoint::parse(text)
        && text.split('\n').count() == 4
    {
        assert_eq!(c.body(), text, "a checkpoint that does not re-serialise");
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(v) = NoteVerifier::from_vkey(text) {
        assert_eq!(v.vkey(), text.trim(), "a vkey that does not re-serialise");
        assert_eq!(NoteVerifier::from_vkey(&v.vkey()).as_ref(), Ok(&v));
    }
    check_checkpoint(text);
    let signer = signer();
    let key = signer.verifier();
    if let Ok(opened) = key.open(text) {
        assert!(
            text.starts_with(opened),
            "opened text is not the note's start"
        );
        assert!(opened.ends_with('\n'));
        check_checkpoint(opened);
    }
    // Signing any text that ends in a newline opens back to that text.
    if !text.is_empty() && text.ends_with('\n') && text.len() <= 4096 {
        let note = match signer.sign(text) {
            Ok(n) => n,
            Err(e) => panic!("signing refused a text ending in a newline: {e}"),
        };
        assert_eq!(
            key.open(&note),
            Ok(text),
            "a signed note that does not open"
        );
    }
});
