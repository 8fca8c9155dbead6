//! Text recognition: each detected line, straightened to 48 px high, goes
//! through the PP-OCR recogniser, whose output is one distribution over its
//! alphabet per column step, decoded greedily (CTC: repeats merged, blanks
//! dropped).
//!
//! Two readings come out of each line. The *text* is what the model read,
//! for state names and slogans. The *plate* reading keeps only plate
//! characters: at each step it takes the likeliest of A–Z and 0–9 (a lower
//! case letter counts for its capital), so a plate's "0" is not lost to a
//! "o" or a symbol the model finds a little likelier; separators (spaces,
//! dashes, dots) end up as blanks.

use crate::OcrError;
use crate::detect::to_tensor;
use crate::image::{Quad, Rgb};
use rten::Model;
use rten_tensor::NdTensor;
use rten_tensor::prelude::*;

const HEIGHT: usize = 48;
const MAX_WIDTH: usize = HEIGHT * 16;
const BATCH: usize = 8;

/// The recogniser's alphabet: class 0 is the CTC blank, then the model's
/// own characters, then a space.
#[derive(Debug)]
pub struct Alphabet {
    chars: Vec<char>,
    /// For each class, the plate character it stands for (A–Z, 0–9).
    plate: Vec<Option<u8>>,
}

impl Alphabet {
    /// From the model's `character` metadata, one character per line.
    pub fn from_metadata(text: &str) -> Alphabet {
        let mut chars = vec!['\0'];
        chars.extend(text.split('\n').map(|l| l.chars().next().unwrap_or(' ')));
        chars.push(' ');
        let plate = chars
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let up = c.to_ascii_uppercase();
                (i > 0 && up.is_ascii_alphanumeric()).then_some(up as u8)
            })
            .collect();
        Alphabet { chars, plate }
    }

    pub fn len(&self) -> usize {
        self.chars.len()
    }

    pub fn is_empty(&self) -> bool {
        self.chars.len() <= 1
    }
}

/// One plate character read and how sure the model was, with the runner-up
/// plate character where there was one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlateChar {
    pub ch: u8,
    pub prob: f32,
    pub second: Option<(u8, f32)>,
    /// The output step (column) where it was read.
    pub step: usize,
}

/// What one line of text read as.
#[derive(Debug, Clone)]
pub struct Line {
    pub quad: Quad,
    /// The text as the model read it.
    pub text: String,
    /// Mean probability of the text's characters.
    pub text_conf: f32,
    /// The plate characters, separators dropped.
    pub plate: Vec<PlateChar>,
}

impl Line {
    pub fn plate_string(&self) -> String {
        self.plate.iter().map(|c| c.ch as char).collect()
    }

    pub fn plate_conf(&self) -> f32 {
        if self.plate.is_empty() {
            return 0.0;
        }
        self.plate.iter().map(|c| c.prob).sum::<f32>() / self.plate.len() as f32
    }
}

/// Reads each quad of `img`.
pub fn recognize(
    model: &Model,
    alphabet: &Alphabet,
    img: &Rgb,
    quads: &[Quad],
) -> Result<Vec<Line>, OcrError> {
    let crops: Vec<(usize, Rgb)> = quads
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let (w, h) = q.size();
            let width =
                ((HEIGHT as f32 * w / h.max(1.0)).ceil() as usize).clamp(HEIGHT / 3, MAX_WIDTH);
            (i, img.warp(q, width, HEIGHT))
        })
        .collect();
    let mut order: Vec<usize> = (0..crops.len()).collect();
    order.sort_by_key(|&i| crops.get(i).map_or(0, |c| c.1.width()));
    let mut lines: Vec<Option<Line>> = vec![None; quads.len()];
    for batch in order.chunks(BATCH) {
        let members: Vec<&(usize, Rgb)> = batch.iter().filter_map(|&i| crops.get(i)).collect();
        let width = members.iter().map(|c| c.1.width()).max().unwrap_or(HEIGHT);
        let mut input = NdTensor::<f32, 4>::zeros([members.len(), 3, HEIGHT, width]);
        for (n, (_, crop)) in members.iter().enumerate() {
            let one = to_tensor(crop);
            input
                .slice_mut((n, .., .., ..crop.width()))
                .copy_from(&one.slice(0));
        }
        let out = model
            .run_one(input.into(), None)
            .map_err(|e| OcrError::Model(e.to_string()))?;
        let probs: NdTensor<f32, 3> = out
            .try_into()
            .map_err(|_| OcrError::Model("the recogniser gave an unexpected output".into()))?;
        for (n, (i, crop)) in members.iter().enumerate() {
            // Steps past the crop's own width saw only padding.
            let steps = probs.size(1);
            let used = (steps * crop.width()).div_ceil(width).min(steps);
            let rows: Vec<&[f32]> = (0..used)
                .filter_map(|t| probs.slice((n, t)).data())
                .collect();
            if let (Some(slot), Some(q)) = (lines.get_mut(*i), quads.get(*i)) {
                *slot = Some(decode(alphabet, &rows, *q));
            }
        }
    }
    Ok(lines.into_iter().flatten().collect())
}

fn decode(alphabet: &Alphabet, rows: &[&[f32]], quad: Quad) -> Line {
    let mut text = String::new();
    let (mut conf_sum, mut conf_n) = (0f32, 0usize);
    let mut plate = Vec::new();
    let mut last_class = 0usize;
    let mut last_plate: Option<u8> = None;
    for (step, row) in rows.iter().enumerate() {
        let (best, best_p) = argmax(row);
        if best != 0
            && best != last_class
            && let Some(&c) = alphabet.chars.get(best)
        {
            text.push(c);
            conf_sum += best_p;
            conf_n += 1;
        }
        last_class = best;
        // The plate reading: blank or separator, or the likeliest plate character.
        let mut scores = [0f32; 256];
        for (class, &p) in row.iter().enumerate() {
            if let Some(Some(c)) = alphabet.plate.get(class)
                && let Some(s) = scores.get_mut(usize::from(*c))
            {
                *s += p;
            }
        }
        let (ch, p, second) = top_two(&scores);
        let blank = row.first().copied().unwrap_or(0.0);
        let separator =
            best != 0 && alphabet.plate.get(best).copied().flatten().is_none() && best_p > p;
        if p <= blank || separator || p < 0.05 {
            last_plate = None;
            continue;
        }
        if last_plate == Some(ch) {
            continue;
        }
        last_plate = Some(ch);
        plate.push(PlateChar {
            ch,
            prob: p,
            second,
            step,
        });
    }
    Line {
        quad,
        text_conf: if conf_n == 0 {
            0.0
        } else {
            conf_sum / conf_n as f32
        },
        text,
        plate,
    }
}

fn argmax(row: &[f32]) -> (usize, f32) {
    row.iter().enumerate().fold(
        (0, f32::MIN),
        |best, (i, &p)| if p > best.1 { (i, p) } else { best },
    )
}

fn top_two(scores: &[f32; 256]) -> (u8, f32, Option<(u8, f32)>) {
    let mut first = (0u8, 0f32);
    let mut second = (0u8, 0f32);
    for (c, &p) in scores.iter().enumerate() {
        let c = c as u8;
        if p > first.1 {
            second = first;
            first = (c, p);
        } else if p > second.1 {
            second = (c, p);
        }
    }
    (first.0, first.1, (second.1 > 0.01).then_some(second))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctc_merges_repeats_keeps_doubled_letters_across_a_blank_and_drops_separators() {
        let alphabet = Alphabet::from_metadata("A\nB\n0\no\n-");
        // classes: 0 blank, 1 A, 2 B, 3 0, 4 o, 5 -, 6 space
        let step = |class: usize| {
            let mut r = vec![0.01f32; 7];
            r[class] = 0.9;
            r
        };
        let rows: Vec<Vec<f32>> = [1, 1, 0, 1, 5, 2, 2, 4, 0]
            .iter()
            .map(|&c| step(c))
            .collect();
        let rows: Vec<&[f32]> = rows.iter().map(Vec::as_slice).collect();
        let line = decode(&alphabet, &rows, Quad::from_box(0.0, 0.0, 1.0, 1.0));
        assert_eq!(line.text, "AA-Bo");
        assert_eq!(line.plate_string(), "AABO");
        assert!(line.plate_conf() > 0.85);
    }

    #[test]
    fn a_plate_character_slightly_less_likely_than_a_symbol_still_counts() {
        let alphabet = Alphabet::from_metadata("O\n0\n°");
        // classes: 0 blank, 1 O, 2 0, 3 °, 4 space
        let row = vec![0.05, 0.2, 0.3, 0.45, 0.0];
        let line = decode(
            &alphabet,
            &[row.as_slice()],
            Quad::from_box(0.0, 0.0, 1.0, 1.0),
        );
        assert_eq!(line.text, "°");
        // The symbol is likelier than each plate character, so it is a separator.
        assert_eq!(line.plate_string(), "");
        let row = vec![0.05, 0.3, 0.25, 0.4, 0.0];
        let line = decode(
            &alphabet,
            &[row.as_slice()],
            Quad::from_box(0.0, 0.0, 1.0, 1.0),
        );
        assert_eq!(line.plate_string(), "", "{line:?}");
        let row = vec![0.05, 0.5, 0.1, 0.35, 0.0];
        let line = decode(
            &alphabet,
            &[row.as_slice()],
            Quad::from_box(0.0, 0.0, 1.0, 1.0),
        );
        assert_eq!(line.plate_string(), "O");
        assert_eq!(line.plate[0].second, Some((b'0', 0.1)));
    }
}
