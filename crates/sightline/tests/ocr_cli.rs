//! `sightline ocr`: the real models on rendered plates, tab-separated and
//! as CSV, with a photo it cannot read named and the exit status failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use sightline_core::{Jurisdiction, Plate};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_sightline");

fn sightline(args: &[&std::ffi::OsStr]) -> std::process::Output {
    // Run from the crate directory: the models are found in the checkout's
    // models/ocr, a parent of it.
    Command::new(BIN)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("SIGHTLINE_OCR_MODEL_DIR")
        .output()
        .unwrap()
}

#[test]
fn plates_and_states_are_printed_one_line_per_photo() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (plate, state) in [("7ABC123", "CA"), ("FXT4821", "TX")] {
        let path = dir.path().join(format!("{plate}.png"));
        let png = sightline_demo::render_plate_png(
            &Plate::parse(plate).unwrap(),
            Jurisdiction::parse(state).unwrap(),
        );
        std::fs::write(&path, png).unwrap();
        files.push(path);
    }
    let out = sightline(&["ocr".as_ref(), files[0].as_os_str(), files[1].as_os_str()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(&lines[0][1..3], ["7ABC123", "CA"], "{text}");
    assert_eq!(&lines[1][1..3], ["FXT4821", "TX"], "{text}");
    assert!(lines[0][3].parse::<f32>().unwrap() > 0.5);

    // CSV, and a file that is no photo: its row is empty, the run fails.
    let junk = dir.path().join("junk.jpg");
    std::fs::write(&junk, b"not a photo").unwrap();
    let out = sightline(&[
        "ocr".as_ref(),
        "--csv".as_ref(),
        files[0].as_os_str(),
        junk.as_os_str(),
    ]);
    assert!(!out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows[0], "file,plate,state,confidence");
    assert!(
        rows[1].starts_with(&format!("{},7ABC123,CA,", files[0].display())),
        "{text}"
    );
    assert_eq!(rows[2], format!("{},,,", junk.display()));
    assert!(String::from_utf8_lossy(&out.stderr).contains("junk.jpg"));
}
