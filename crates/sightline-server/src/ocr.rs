//! The plate reader behind `POST /api/v1/ocr/plate`: loaded on first use
//! from the model directory, run on the blocking pool, at most two photos
//! at a time (each read uses every core already).

use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::{OnceCell, Semaphore};

/// Where the models are: `None` looks in `models/ocr` under the working
/// directory and its parents (the fetch script's place in a checkout).
#[derive(Debug, Clone, Default)]
pub struct OcrSettings {
    pub model_dir: Option<PathBuf>,
}

#[derive(Debug)]
pub struct OcrRuntime {
    settings: OcrSettings,
    #[cfg(feature = "ocr")]
    reader: OnceCell<Result<Arc<sightline_ocr::PlateReader>, String>>,
    #[cfg(not(feature = "ocr"))]
    reader: OnceCell<()>,
    permits: Semaphore,
}

/// The photo's candidates, or why there are none.
#[derive(Debug)]
pub enum OcrOutcome {
    #[cfg(feature = "ocr")]
    Read(sightline_ocr::Reading),
    /// The photo is not an image this server can decode, or is too big.
    Unreadable(String),
    /// No reader: built without OCR, or the models are missing.
    Unavailable(String),
}

impl OcrRuntime {
    pub fn new(settings: OcrSettings) -> Self {
        Self {
            settings,
            reader: OnceCell::new(),
            permits: Semaphore::new(2),
        }
    }

    /// The configured directory, or the nearest `models/ocr` found from the
    /// working directory up.
    pub fn model_dir(&self) -> PathBuf {
        if let Some(dir) = &self.settings.model_dir {
            return dir.clone();
        }
        let here = std::env::current_dir().unwrap_or_default();
        here.ancestors()
            .map(|d| d.join("models").join("ocr"))
            .find(|d| d.is_dir())
            .unwrap_or_else(|| PathBuf::from("models/ocr"))
    }

    #[cfg(feature = "ocr")]
    async fn reader(&self) -> Result<Arc<sightline_ocr::PlateReader>, String> {
        self.reader
            .get_or_init(|| async {
                let dir = self.model_dir();
                let loaded =
                    tokio::task::spawn_blocking(move || sightline_ocr::PlateReader::load(&dir))
                        .await
                        .map_err(|e| e.to_string())
                        .and_then(|r| r.map_err(|e| e.to_string()));
                match &loaded {
                    Ok(_) => tracing::info!("OCR models loaded"),
                    Err(e) => tracing::error!(error = %e, "OCR models could not be loaded"),
                }
                loaded.map(Arc::new)
            })
            .await
            .clone()
    }

    /// Reads `photo`.
    pub async fn read(&self, photo: bytes::Bytes) -> OcrOutcome {
        #[cfg(feature = "ocr")]
        {
            let reader = match self.reader().await {
                Ok(r) => r,
                Err(e) => return OcrOutcome::Unavailable(e),
            };
            let Ok(_permit) = self.permits.acquire().await else {
                return OcrOutcome::Unavailable("the OCR reader is shutting down".into());
            };
            let done = tokio::task::spawn_blocking(move || reader.read(&photo)).await;
            match done {
                Ok(Ok(reading)) => OcrOutcome::Read(reading),
                Ok(Err(
                    e @ (sightline_ocr::OcrError::UnsupportedFormat
                    | sightline_ocr::OcrError::Undecodable(_)
                    | sightline_ocr::OcrError::TooManyPixels { .. }),
                )) => OcrOutcome::Unreadable(e.to_string()),
                Ok(Err(e)) => OcrOutcome::Unavailable(e.to_string()),
                Err(e) => OcrOutcome::Unavailable(e.to_string()),
            }
        }
        #[cfg(not(feature = "ocr"))]
        {
            let _ = (&self.permits, &self.reader, photo);
            OcrOutcome::Unavailable("this server was built without OCR".into())
        }
    }
}
