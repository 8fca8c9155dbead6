//! `sightline ocr IMAGE...`: the plate and state of each photo, one line
//! each, from the same reader the server uses.

use anyhow::Context as _;
use sightline_ocr::PlateReader;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct OcrArgs {
    /// JPEG or PNG photos.
    #[arg(required = true)]
    pub images: Vec<PathBuf>,
    /// Print `file,plate,state,confidence` with a header, for batch evaluation.
    #[arg(long)]
    pub csv: bool,
    /// Also print up to three alternatives per photo (tab-separated output only).
    #[arg(long)]
    pub alternatives: bool,
}

/// Loads the reader from the configured model directory, or `models/ocr`
/// found from the working directory up.
pub fn load_reader(settings: &crate::settings::Settings) -> anyhow::Result<PlateReader> {
    let runtime = sightline_server::ocr::OcrRuntime::new(settings.ocr());
    let dir = runtime.model_dir();
    PlateReader::load(&dir)
        .with_context(|| format!("loading the OCR models from {}", dir.display()))
}

pub fn run(settings: &crate::settings::Settings, args: &OcrArgs) -> anyhow::Result<()> {
    let reader = load_reader(settings)?;
    if args.csv {
        println!("file,plate,state,confidence");
    }
    let mut failed = 0;
    for path in &args.images {
        let reading = std::fs::read(path)
            .map_err(anyhow::Error::from)
            .and_then(|bytes| reader.read(&bytes).map_err(anyhow::Error::from));
        let shown = path.display().to_string();
        match reading {
            Ok(r) => {
                let (plate, state, conf) = r.best.as_ref().map_or(("", "", 0.0), |c| {
                    (c.plate.as_str(), c.state.unwrap_or(""), c.confidence)
                });
                if args.csv {
                    println!("{},{plate},{state},{conf:.2}", csv_cell(&shown));
                } else {
                    let state = if state.is_empty() { "unknown" } else { state };
                    let mut line = format!("{shown}\t{plate}\t{state}\t{conf:.2}");
                    if args.alternatives {
                        for a in &r.alternatives {
                            line.push_str(&format!("\t{}/{}", a.plate, a.state.unwrap_or("?")));
                        }
                    }
                    println!("{line}");
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("{shown}: {e:#}");
                if args.csv {
                    println!("{},,,", csv_cell(&shown));
                }
            }
        }
    }
    anyhow::ensure!(
        failed == 0,
        "{failed} of {} photos could not be read",
        args.images.len()
    );
    Ok(())
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}
