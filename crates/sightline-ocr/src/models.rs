//! The two model files and where they come from.
//!
//! They are not in the repository: `scripts/fetch-ocr-models.sh` takes them
//! out of the `rapidocr` wheel on PyPI (version and checksum pinned there)
//! into `models/ocr/`. Each file's SHA-256 is checked here before it is
//! loaded, so a different or damaged model is refused, not run.

use crate::OcrError;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub const DETECTOR: ModelFile = ModelFile {
    name: "PP-OCRv6_det_small.onnx",
    sha256: "090f04abcd9d9a7498bc4ebf677e4cb9bdce1fe4197ddb7e529f1ef44e1ff94f",
};

pub const RECOGNISER: ModelFile = ModelFile {
    name: "PP-OCRv6_rec_small.onnx",
    sha256: "6f327246b50388f3c176ae304bd95767ea6dc0c9ae92153ef8cbe210b3c14884",
};

/// Where the models are looked for when nothing is configured: relative to
/// the working directory, where the fetch script puts them.
pub const DEFAULT_DIR: &str = "models/ocr";

/// The command that fetches the models, for error messages.
pub const FETCH_COMMAND: &str = "scripts/fetch-ocr-models.sh";

#[derive(Debug, Clone, Copy)]
pub struct ModelFile {
    pub name: &'static str,
    pub sha256: &'static str,
}

impl ModelFile {
    /// Reads the file from `dir` and checks its SHA-256.
    pub fn read(&self, dir: &Path) -> Result<Vec<u8>, OcrError> {
        let path = dir.join(self.name);
        let bytes = std::fs::read(&path).map_err(|e| OcrError::ModelsMissing {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        let got = hex::encode(Sha256::digest(&bytes));
        if got != self.sha256 {
            return Err(OcrError::ModelMismatch {
                path,
                expected: self.sha256,
                got,
            });
        }
        Ok(bytes)
    }
}

/// The model directory: `configured` if given, else [`DEFAULT_DIR`].
pub fn model_dir(configured: Option<&Path>) -> PathBuf {
    configured.map_or_else(|| PathBuf::from(DEFAULT_DIR), Path::to_path_buf)
}
