//! Reading a licence plate and its state from a photo.
//!
//! The pipeline:
//! 1. [`detect`]: the PP-OCR detector finds every line of text in the photo.
//! 2. [`recognize`]: the PP-OCR recogniser reads each line, once as text and
//!    once as plate characters.
//! 3. [`plate`]: lines are ranked as plates by geometry and character rules;
//!    the best few regions are cut out at full resolution and read again.
//! 4. [`states`]: the state comes from what is printed around the plate
//!    (names, slogans, web addresses), and a state's serial formats settle
//!    look-alike characters (O/0, I/1, B/8, S/5, Z/2) where they can.
//!
//! Models run with rten, in pure Rust on the CPU; see `docs/ocr.md`.

pub mod detect;
pub mod eval;
pub mod image;
pub mod models;
pub mod plate;
pub mod recognize;
pub mod states;

use detect::DetectOptions;
pub use image::Rgb;
use recognize::{Alphabet, Line};
use rten::Model;
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    #[error("the photo is not a JPEG or PNG")]
    UnsupportedFormat,
    #[error("the photo could not be decoded: {0}")]
    Undecodable(String),
    #[error("the photo is {width}x{height} pixels, past the limit")]
    TooManyPixels { width: usize, height: usize },
    #[error(
        "the OCR model {path} could not be read ({reason}); run {}",
        models::FETCH_COMMAND
    )]
    ModelsMissing { path: PathBuf, reason: String },
    #[error(
        "the OCR model {path} has SHA-256 {got}, not the pinned {expected}; run {}",
        models::FETCH_COMMAND
    )]
    ModelMismatch {
        path: PathBuf,
        expected: &'static str,
        got: String,
    },
    #[error("the OCR model failed: {0}")]
    Model(String),
}

/// A plate as read, with its state where the photo supports one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// Letters and digits only, upper case, as the plate would be queried.
    pub plate: String,
    /// 0 to 1.
    pub confidence: f32,
    /// USPS code, or `None` when nothing on the photo supports a state.
    pub state: Option<&'static str>,
    pub state_confidence: f32,
}

/// What a photo read as: the best candidate and up to three others.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Reading {
    pub best: Option<Candidate>,
    pub alternatives: Vec<Candidate>,
}

/// The loaded models. Loading takes about a second; reading is `&self`, so
/// one reader serves every request.
#[derive(Debug)]
pub struct PlateReader {
    det: Model,
    rec: Model,
    alphabet: Alphabet,
    detect: DetectOptions,
}

impl PlateReader {
    /// Loads and checks the models in `dir` (see [`models`]).
    pub fn load(dir: &Path) -> Result<PlateReader, OcrError> {
        let det =
            Model::load(models::DETECTOR.read(dir)?).map_err(|e| OcrError::Model(e.to_string()))?;
        let rec = Model::load(models::RECOGNISER.read(dir)?)
            .map_err(|e| OcrError::Model(e.to_string()))?;
        let alphabet = rec
            .metadata()
            .get("character")
            .map(Alphabet::from_metadata)
            .filter(|a| !a.is_empty())
            .ok_or_else(|| OcrError::Model("the recogniser carries no alphabet".into()))?;
        Ok(PlateReader {
            det,
            rec,
            alphabet,
            detect: DetectOptions::default(),
        })
    }

    /// Decodes a JPEG or PNG and reads it.
    pub fn read(&self, photo: &[u8]) -> Result<Reading, OcrError> {
        self.read_image(&Rgb::decode(photo)?)
    }

    pub fn read_image(&self, img: &Rgb) -> Result<Reading, OcrError> {
        plate::read(self, img)
    }

    /// Plain OCR: every line of text in the image, read.
    pub fn lines(&self, img: &Rgb, opts: &DetectOptions) -> Result<Vec<Line>, OcrError> {
        let mut boxes = detect::detect(&self.det, img, opts)?;
        // The largest regions first; a photo of a street may hold hundreds.
        boxes.sort_by(|a, b| {
            let area = |q: &image::Quad| q.size().0 * q.size().1;
            area(&b.quad).total_cmp(&area(&a.quad))
        });
        boxes.truncate(48);
        let quads: Vec<_> = boxes.iter().map(|b| b.quad).collect();
        recognize::recognize(&self.rec, &self.alphabet, img, &quads)
    }

    /// The baseline the benchmark compares against: plain OCR, with the
    /// tallest line taken as the plate.
    pub fn tallest_line(&self, img: &Rgb) -> Result<Option<String>, OcrError> {
        let lines = self.lines(img, &self.detect)?;
        Ok(lines
            .iter()
            .filter(|l| !l.plate.is_empty())
            .max_by(|a, b| a.quad.size().1.total_cmp(&b.quad.size().1))
            .map(Line::plate_string))
    }
}
