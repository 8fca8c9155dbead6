//! `sightline bench ocr DIR --truth FILE.csv`: plate and state accuracy and
//! time per photo, beside the plain-OCR baseline (the tallest line of text
//! taken as the plate) measured on the same photos in the same run.

use sightline_ocr::eval::{self, Truth};
use sightline_ocr::image::Quad;
use sightline_ocr::{PlateReader, Rgb};
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Debug, clap::Args)]
pub struct OcrBench {
    /// Directories of photos. Without `--truth`, each holds the OpenALPR
    /// benchmark layout (`NAME.jpg` beside `NAME.txt`).
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// `file,plate[,state][,x,y,w,h]` with a header; files are relative to
    /// the first directory.
    #[arg(long)]
    pub truth: Option<PathBuf>,
    /// Also measure on plate crops cut from the truth's boxes (10 % margin).
    #[arg(long)]
    pub crops: bool,
    /// Print each photo's truth and readings.
    #[arg(long)]
    pub verbose: bool,
}

#[derive(Default)]
struct Tally {
    n: usize,
    exact: usize,
    in_top4: usize,
    state_n: usize,
    state_ok: usize,
    base_exact: usize,
    times: Vec<Duration>,
    base_times: Vec<Duration>,
}

fn percentile(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v.get(i).copied().unwrap_or_default()
}

fn crop(img: &Rgb, (x, y, w, h): (usize, usize, usize, usize)) -> Rgb {
    let q = Quad::from_box(x as f32, y as f32, w as f32, h as f32).grown(0.1, 0.1);
    let (qw, qh) = q.size();
    img.warp(&q, qw.round() as usize, qh.round() as usize)
}

fn measure(
    reader: &PlateReader,
    truths: &[Truth],
    crops: bool,
    verbose: bool,
) -> anyhow::Result<Tally> {
    let mut t = Tally::default();
    for truth in truths {
        let mut img = Rgb::decode(&std::fs::read(&truth.file)?)?;
        if crops {
            let Some(b) = truth.bbox else { continue };
            img = crop(&img, b);
        }
        let start = Instant::now();
        let reading = reader.read_image(&img)?;
        t.times.push(start.elapsed());
        let start = Instant::now();
        let baseline = reader.tallest_line(&img)?;
        t.base_times.push(start.elapsed());
        t.n += 1;
        let best = reading.best.as_ref();
        let got = best.map_or("", |c| c.plate.as_str());
        t.exact += usize::from(got == truth.plate);
        t.in_top4 += usize::from(
            reading
                .best
                .iter()
                .chain(&reading.alternatives)
                .any(|c| c.plate == truth.plate),
        );
        t.base_exact += usize::from(baseline.as_deref() == Some(truth.plate.as_str()));
        if let Some(state) = &truth.state {
            t.state_n += 1;
            t.state_ok += usize::from(best.and_then(|c| c.state) == Some(state.as_str()));
        }
        if verbose {
            println!(
                "{}\t{}\t{got}\t{}\tbaseline {}",
                if got == truth.plate { "ok " } else { "BAD" },
                truth.plate,
                best.and_then(|c| c.state).unwrap_or("-"),
                baseline.as_deref().unwrap_or("-"),
            );
        }
    }
    Ok(t)
}

fn pct(a: usize, n: usize) -> String {
    if n == 0 {
        return "-".into();
    }
    format!("{:.1} % ({a}/{n})", 100.0 * a as f64 / n as f64)
}

fn report(label: &str, mut t: Tally) {
    let (p50, p99) = (
        percentile(&mut t.times, 0.5),
        percentile(&mut t.times, 0.99),
    );
    let (b50, b99) = (
        percentile(&mut t.base_times, 0.5),
        percentile(&mut t.base_times, 0.99),
    );
    println!("\n{label}: {} photos", t.n);
    println!(
        "  {:<34} {:>20} {:>22}",
        "", "Sightline", "baseline (tallest line)"
    );
    println!(
        "  {:<34} {:>20} {:>22}",
        "exact plate",
        pct(t.exact, t.n),
        pct(t.base_exact, t.n)
    );
    println!(
        "  {:<34} {:>20} {:>22}",
        "plate among the 4 candidates",
        pct(t.in_top4, t.n),
        "-"
    );
    println!(
        "  {:<34} {:>20} {:>22}",
        "state (where the truth names one)",
        pct(t.state_ok, t.state_n),
        "-"
    );
    println!(
        "  {:<34} {:>17.0} ms {:>19.0} ms",
        "time per photo, p50",
        p50.as_secs_f64() * 1e3,
        b50.as_secs_f64() * 1e3
    );
    println!(
        "  {:<34} {:>17.0} ms {:>19.0} ms",
        "time per photo, p99",
        p99.as_secs_f64() * 1e3,
        b99.as_secs_f64() * 1e3
    );
    if t.base_exact > 0 {
        println!(
            "  exact-plate ratio to the baseline: {:.2}x",
            t.exact as f64 / t.base_exact as f64
        );
    }
}

pub fn run(settings: &crate::settings::Settings, args: &OcrBench) -> anyhow::Result<()> {
    let reader = crate::ocr::load_reader(settings)?;
    let mut truths = Vec::new();
    match &args.truth {
        Some(file) => {
            let dir = args.dirs.first().cloned().unwrap_or_default();
            truths = eval::from_csv(&dir, &std::fs::read_to_string(file)?)
                .map_err(anyhow::Error::msg)?;
        }
        None => {
            for dir in &args.dirs {
                truths.extend(eval::from_openalpr_dir(dir).map_err(anyhow::Error::msg)?);
            }
        }
    }
    anyhow::ensure!(!truths.is_empty(), "no photos with a truth were found");
    println!(
        "sightline bench ocr: {} photos, {} threads, release build: {}",
        truths.len(),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        !cfg!(debug_assertions)
    );
    report(
        "Whole photos (end to end)",
        measure(&reader, &truths, false, args.verbose)?,
    );
    if args.crops {
        report(
            "Plate crops cut from the truth's boxes",
            measure(&reader, &truths, true, args.verbose)?,
        );
    }
    Ok(())
}
