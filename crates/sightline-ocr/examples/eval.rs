//! Development aid: `cargo run --release -p sightline-ocr --example eval -- DIR [--crops]`
//! prints each photo's truth and reading. The measured benchmark is `sightline bench ocr`.
use sightline_ocr::{PlateReader, Rgb, eval, image::Quad};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let crops = args.iter().any(|a| a == "--crops");
    let reader = PlateReader::load(std::path::Path::new("models/ocr"))?;
    let (mut ok, mut base, mut n) = (0, 0, 0);
    let mut times = Vec::new();
    for dir in args.iter().filter(|a| !a.starts_with("--")) {
        for t in eval::from_openalpr_dir(std::path::Path::new(dir))? {
            let mut img = Rgb::decode(&std::fs::read(&t.file)?)?;
            if crops {
                if let Some((x, y, w, h)) = t.bbox {
                    let q = Quad::from_box(x as f32, y as f32, w as f32, h as f32).grown(0.1, 0.2);
                    let (qw, qh) = q.size();
                    img = img.warp(&q, qw as usize, qh as usize);
                }
            }
            let start = Instant::now();
            let r = reader.read_image(&img)?;
            times.push(start.elapsed().as_secs_f64());
            let b = reader.tallest_line(&img)?;
            let got = r.best.as_ref().map(|c| c.plate.clone()).unwrap_or_default();
            n += 1;
            if got == t.plate {
                ok += 1
            }
            if b.as_deref() == Some(t.plate.as_str()) {
                base += 1
            }
            let alts: Vec<String> = r.alternatives.iter().map(|c| c.plate.clone()).collect();
            println!(
                "{}\t{}\t{}\t{:?}\t{}\t{}",
                if got == t.plate { "OK " } else { "BAD" },
                t.plate,
                got,
                b,
                alts.join(","),
                t.file.display()
            );
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "exact {ok}/{n}  baseline {base}/{n}  p50 {:.0} ms",
        times.get(times.len() / 2).copied().unwrap_or(0.0) * 1000.0
    );
    Ok(())
}
