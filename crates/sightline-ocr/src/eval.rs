//! Ground truth for measuring the reader: a CSV (`file,plate[,state]`), or
//! a directory in the OpenALPR benchmark layout, where each `NAME.jpg` has a
//! `NAME.txt` beside it holding `file<TAB>x<TAB>y<TAB>w<TAB>h<TAB>plate`.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
pub struct Truth {
    pub file: PathBuf,
    /// Letters and digits, upper case.
    pub plate: String,
    pub state: Option<String>,
    /// The plate's box in the photo (x, y, width, height), where known.
    pub bbox: Option<(usize, usize, usize, usize)>,
}

/// Letters and digits only, upper case: how plates are compared.
pub fn normalise(plate: &str) -> String {
    plate
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Reads a truth CSV with a header naming at least `file` and `plate`
/// (optionally `state`, `x`, `y`, `w`, `h`); files are relative to `dir`.
pub fn from_csv(dir: &Path, text: &str) -> Result<Vec<Truth>, String> {
    let mut rows = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<String> = rows
        .next()
        .ok_or("the truth file is empty")?
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(file), Some(plate)) = (col("file"), col("plate")) else {
        return Err("the truth file's header must name `file` and `plate`".into());
    };
    let state = col("state");
    let boxes = [col("x"), col("y"), col("w"), col("h")];
    rows.enumerate()
        .map(|(n, row)| {
            let cells: Vec<&str> = row.split(',').map(str::trim).collect();
            let cell = |i: usize| cells.get(i).copied().unwrap_or_default();
            let name = cell(file);
            if name.is_empty() {
                return Err(format!("row {}: no file", n + 2));
            }
            let bbox = match boxes {
                [Some(x), Some(y), Some(w), Some(h)] => {
                    let v: Option<Vec<usize>> =
                        [x, y, w, h].iter().map(|&i| cell(i).parse().ok()).collect();
                    v.and_then(|v| match v.as_slice() {
                        &[x, y, w, h] => Some((x, y, w, h)),
                        _ => None,
                    })
                }
                _ => None,
            };
            Ok(Truth {
                file: dir.join(name),
                plate: normalise(cell(plate)),
                state: state
                    .map(|i| cell(i).to_ascii_uppercase())
                    .filter(|s| !s.is_empty()),
                bbox,
            })
        })
        .collect()
}

/// Reads every `NAME.txt` in `dir` (OpenALPR benchmark layout), sorted by name.
pub fn from_openalpr_dir(dir: &Path) -> Result<Vec<Truth>, String> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    for path in paths {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let cells: Vec<&str> = line.split('\t').collect();
            let [file, x, y, w, h, plate, ..] = cells.as_slice() else {
                return Err(format!(
                    "{}: expected six tab-separated fields",
                    path.display()
                ));
            };
            let n = |s: &str| {
                s.trim()
                    .parse::<usize>()
                    .map_err(|e| format!("{}: {e}", path.display()))
            };
            out.push(Truth {
                file: dir.join(file.trim()),
                plate: normalise(plate),
                state: None,
                bbox: Some((n(x)?, n(y)?, n(w)?, n(h)?)),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_truth_reads_optional_state_and_box_and_numbers_bad_rows() {
        let t = from_csv(
            Path::new("/d"),
            "file,plate,state\na.jpg,7abc-123,ca\nb.jpg,XYZ 1,\n",
        )
        .unwrap();
        assert_eq!(t[0].plate, "7ABC123");
        assert_eq!(t[0].state.as_deref(), Some("CA"));
        assert_eq!(t[1].state, None);
        assert_eq!(t[0].file, Path::new("/d/a.jpg"));
        let err = from_csv(Path::new("/d"), "file,plate\n,ABC\n").unwrap_err();
        assert!(err.contains("row 2"), "{err}");
        assert!(from_csv(Path::new("/d"), "name,text\n").is_err());
    }

    #[test]
    fn openalpr_layout_is_read_with_boxes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x1.txt"), "x1.jpg\t10\t20\t30\t8\tAB-123\n").unwrap();
        let t = from_openalpr_dir(dir.path()).unwrap();
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].plate, "AB123");
        assert_eq!(t[0].bbox, Some((10, 20, 30, 8)));
    }
}
