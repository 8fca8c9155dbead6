//! The real models on real photos: the demo's rendered plates, and the
//! development set of real vehicle scenes in `../shared/ocr-dev` (read in
//! place, never copied; see its README).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sightline_core::{Jurisdiction, Plate};
use sightline_ocr::{PlateReader, Rgb, eval};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn reader() -> &'static PlateReader {
    static READER: OnceLock<PlateReader> = OnceLock::new();
    READER.get_or_init(|| {
        PlateReader::load(&root().join("models/ocr"))
            .expect("the OCR models (run scripts/fetch-ocr-models.sh)")
    })
}

#[test]
fn the_demos_rendered_plates_read_back_with_their_state() {
    for (plate, state) in [
        ("7ABC123", "CA"),
        ("ABC1234", "NY"),
        ("FXT4821", "TX"),
        ("KLM2290", "PA"),
        ("AB12345", "IL"),
    ] {
        let png = sightline_demo::render_plate_png(
            &Plate::parse(plate).unwrap(),
            Jurisdiction::parse(state).unwrap(),
        );
        let r = reader().read(&png).unwrap();
        eprintln!("{plate} {state}: {r:?}");
        let best = r.best.unwrap_or_else(|| panic!("{plate}: nothing read"));
        assert_eq!(best.plate, plate, "{state}");
        assert_eq!(best.state, Some(state), "{plate}: {best:?}");
        assert!(
            best.confidence > 0.5 && best.state_confidence > 0.5,
            "{best:?}"
        );
    }
}

#[test]
fn a_photo_with_no_plate_reads_as_nothing_and_junk_is_refused() {
    let grey = Rgb::from_raw(320, 240, vec![128; 320 * 240 * 3]).unwrap();
    let r = reader().read_image(&grey).unwrap();
    assert_eq!(r.best, None);
    assert!(r.alternatives.is_empty());
    assert!(
        reader()
            .read(b"\xff\xd8\xff\xe0 not really a jpeg")
            .is_err()
    );
}

#[test]
fn real_vehicle_scenes_read_better_than_plain_ocr() {
    let dev = root().join("../shared/ocr-dev");
    if !dev.is_dir() {
        eprintln!(
            "{} is not here; the development set is not part of the repository",
            dev.display()
        );
        return;
    }
    // Every third scene of both sets keeps the test to a minute.
    let mut truths = eval::from_openalpr_dir(&dev.join("eu")).unwrap();
    truths.extend(eval::from_openalpr_dir(&dev.join("br")).unwrap());
    let sample: Vec<_> = truths.iter().step_by(3).collect();
    let (mut ours, mut plain) = (0, 0);
    for t in &sample {
        let img = Rgb::decode(&std::fs::read(&t.file).unwrap()).unwrap();
        let r = reader().read_image(&img).unwrap();
        ours += usize::from(r.best.is_some_and(|c| c.plate == t.plate));
        plain +=
            usize::from(reader().tallest_line(&img).unwrap().as_deref() == Some(t.plate.as_str()));
    }
    let n = sample.len();
    eprintln!("exact plate on {n} scenes: {ours} (plain OCR: {plain})");
    assert!(ours * 100 >= n * 75, "{ours}/{n}");
    assert!(ours > plain, "{ours} vs {plain}");
}
