//! Choosing the plate among everything the photo says.
//!
//! A vehicle photo carries many texts: the plate, its state name and
//! slogan, a dealer frame, stickers, badges, signs. Each line is scored as a
//! plate by what a plate looks like: 4 to 8 letters and digits, mostly both,
//! in capitals, on a line a few times wider than high, and the tallest
//! characters near it. The best few regions are then cut out of the photo at
//! full resolution, a little wider than the line, and read again: a plate
//! that is 80 pixels wide in a phone photo reads far better on its own than
//! as part of the whole image scaled down.

use crate::detect::DetectOptions;
use crate::image::{Quad, Rgb};
use crate::recognize::Line;
use crate::states::{self, StateMatch};
use crate::{Candidate, OcrError, PlateReader, Reading};

/// How many regions are read again on their own.
const REREAD: usize = 3;
/// Plate candidates shorter or longer than this are not plates.
const MIN_LEN: usize = 2;
const MAX_LEN: usize = 9;

/// How much a line looks like a plate's serial, 0 to 1, not counting the
/// recogniser's confidence.
pub fn plate_likeness(line: &Line, tallest: f32) -> f32 {
    let s = line.plate_string();
    let n = s.len();
    if !(MIN_LEN..=MAX_LEN).contains(&n) {
        return 0.0;
    }
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    let letters = n - digits;
    let mut score = match n {
        5..=8 => 1.0,
        4 | 9 => 0.6,
        _ => 0.25,
    };
    if digits == 0 {
        // Vanity plates exist, but most words in a photo are not plates.
        score *= 0.55;
    }
    if letters == 0 && n < 5 {
        score *= 0.6;
    }
    // The model read lower case: a word, not a serial.
    let lower = line.text.chars().filter(char::is_ascii_lowercase).count();
    let alpha = line.text.chars().filter(char::is_ascii_alphabetic).count();
    if alpha > 0 && lower * 2 > alpha {
        score *= 0.3;
    }
    // Text that names a state is the state, not the serial.
    if states::state_in(&line.text).is_some_and(|m| m.score > 0.7) {
        score *= 0.15;
    }
    // Much that is not a plate character (a sentence, a phone number's
    // punctuation is fine): more than a third of the text.
    let other = line
        .text
        .chars()
        .filter(|c| !c.is_ascii_alphanumeric() && !matches!(c, ' ' | '-' | '.' | '·' | '•'))
        .count();
    if other * 3 > line.text.chars().count() {
        score *= 0.5;
    }
    let (w, h) = line.quad.size();
    let aspect = w / h.max(1.0);
    score *= match aspect {
        a if (1.8..=9.0).contains(&a) => 1.0,
        a if (1.2..=12.0).contains(&a) => 0.6,
        _ => 0.3,
    };
    // Per character, a serial is about as wide as high.
    let per_char = aspect / n as f32;
    if !(0.3..=1.6).contains(&per_char) {
        score *= 0.6;
    }
    score * (h / tallest.max(1.0)).clamp(0.05, 1.0).sqrt()
}

fn tallest(lines: &[Line]) -> f32 {
    lines
        .iter()
        .filter(|l| l.plate.len() >= MIN_LEN)
        .map(|l| l.quad.size().1)
        .fold(1.0, f32::max)
}

/// A plate read, before the state is settled.
#[derive(Debug, Clone)]
struct Found {
    plate: String,
    score: f32,
    conf: f32,
    quad: Quad,
    /// Second-best plate characters, for look-alike repairs.
    line: Line,
}

/// Lines side by side at one height, joined: a serial the detector split
/// at a dash, a space or an emblem ("ABC-1234" as "ABC" and "1234"). The
/// joined lines are added; the parts stay candidates too.
pub fn with_joined_neighbours(mut lines: Vec<Line>) -> Vec<Line> {
    let mut joined = Vec::new();
    for a in &lines {
        for b in &lines {
            let (ax0, ay0, ax1, ay1) = a.quad.bounds();
            let (bx0, by0, bx1, by1) = b.quad.bounds();
            let (ha, hb) = (ay1 - ay0, by1 - by0);
            let same_height = ha > 0.0 && (0.75..=1.33).contains(&(hb / ha));
            let aligned = ((ay0 + ay1) / 2.0 - (by0 + by1) / 2.0).abs() < 0.3 * ha;
            let gap = bx0 - ax1;
            let beside = gap > -0.3 * ha && gap < 1.2 * ha;
            if !(same_height && aligned && beside) || a.plate.is_empty() || b.plate.is_empty() {
                continue;
            }
            let mut line = a.clone();
            line.quad = Quad::from_box(
                ax0,
                ay0.min(by0),
                bx1.max(ax1) - ax0,
                ay1.max(by1) - ay0.min(by0),
            );
            line.text = format!("{} {}", a.text, b.text);
            line.plate.extend(b.plate.iter().copied());
            joined.push(line);
        }
    }
    lines.extend(joined);
    lines
}

pub(crate) fn read(reader: &PlateReader, img: &Rgb) -> Result<Reading, OcrError> {
    let lines = with_joined_neighbours(reader.lines(img, &reader.detect)?);
    let top = tallest(&lines);
    let mut ranked: Vec<(f32, &Line)> = lines
        .iter()
        .map(|l| (plate_likeness(l, top) * (0.3 + 0.7 * l.plate_conf()), l))
        .filter(|(s, _)| *s > 0.02)
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut found: Vec<Found> = Vec::new();
    let mut state_lines: Vec<(Quad, String)> =
        lines.iter().map(|l| (l.quad, l.text.clone())).collect();
    for (_, line) in ranked.iter().take(REREAD) {
        let (region, crop) = region_around(img, &line.quad);
        let sub_opts = DetectOptions {
            max_side: 640,
            min_side: 96,
            ..reader.detect
        };
        let sub = with_joined_neighbours(reader.lines(&crop, &sub_opts)?);
        let sub_top = tallest(&sub);
        for l in &sub {
            let quad = l
                .quad
                .through(&region, crop.width() as f32, crop.height() as f32);
            state_lines.push((quad, l.text.clone()));
        }
        let best = sub
            .iter()
            .map(|l| (plate_likeness(l, sub_top), l))
            .filter(|(s, _)| *s > 0.02)
            .max_by(|a, b| (a.0 * a.1.plate_conf()).total_cmp(&(b.0 * b.1.plate_conf())));
        if let Some((likeness, l)) = best {
            let quad = l
                .quad
                .through(&region, crop.width() as f32, crop.height() as f32);
            found.push(Found {
                plate: l.plate_string(),
                score: likeness * l.plate_conf(),
                conf: l.plate_conf(),
                quad,
                line: l.clone(),
            });
        }
        // The first reading stands too: a re-read can lose a character.
        found.push(Found {
            plate: line.plate_string(),
            score: plate_likeness(line, top) * line.plate_conf() * 0.9,
            conf: line.plate_conf(),
            quad: line.quad,
            line: (*line).clone(),
        });
    }
    Ok(settle(found, &state_lines))
}

/// The plate's surroundings: the line grown to take in a state name above
/// and a slogan below, cut out and scaled so the serial is about 64 px high.
fn region_around(img: &Rgb, quad: &Quad) -> (Quad, Rgb) {
    let region = quad.grown(0.25, 1.1);
    let (w, h) = region.size();
    let scale = (64.0 * 3.2 / h.max(1.0)).clamp(0.25, 4.0);
    let (cw, ch) = (
        ((w * scale) as usize).clamp(32, 1600),
        ((h * scale) as usize).clamp(32, 800),
    );
    (region, img.warp(&region, cw, ch))
}

/// Attaches the state to each candidate, repairs look-alikes where its
/// formats decide, merges duplicates and keeps the best four.
fn settle(found: Vec<Found>, state_lines: &[(Quad, String)]) -> Reading {
    let mut candidates: Vec<(f32, Candidate)> = Vec::new();
    for f in found {
        if f.plate.len() < MIN_LEN {
            continue;
        }
        let state = state_near(&f.quad, state_lines);
        let mut plate = f.plate.clone();
        let mut conf = f.conf;
        let mut score = f.score;
        if let Some(m) = state {
            if let Some(fixed) = repair(&f, m.code) {
                plate = fixed;
                conf *= 0.95;
            }
            if states::formats(m.code)
                .iter()
                .any(|fmt| states::fits(&plate, fmt))
            {
                score *= 1.2;
            }
        }
        let candidate = Candidate {
            plate,
            // Never "certain": the officer checks every reading.
            confidence: round2(conf.clamp(0.0, 0.99)),
            state: state.map(|m| m.code),
            state_confidence: round2(state.map_or(0.0, |m| m.score.clamp(0.0, 0.99))),
        };
        match candidates
            .iter_mut()
            .find(|(_, c)| c.plate == candidate.plate)
        {
            Some((s, c)) => {
                *s += score * 0.5;
                if c.state.is_none() {
                    c.state = candidate.state;
                    c.state_confidence = candidate.state_confidence;
                }
                c.confidence = c.confidence.max(candidate.confidence);
            }
            None => candidates.push((score, candidate)),
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
    // Alternatives worth an officer's look: within a factor of the best.
    let floor = candidates.first().map_or(0.0, |(s, _)| s * 0.25);
    let mut all = candidates
        .into_iter()
        .filter(|(s, _)| *s >= floor)
        .map(|(_, c)| c);
    Reading {
        best: all.next(),
        alternatives: all.take(3).collect(),
    }
}

fn round2(v: f32) -> f32 {
    (v * 100.0).round() / 100.0
}

/// A repair of look-alikes for `state`: first by the recogniser's own
/// runner-up characters, then by the look-alike table.
fn repair(f: &Found, state: &str) -> Option<String> {
    let formats = states::formats(state);
    if formats.is_empty() || formats.iter().any(|fmt| states::fits(&f.plate, fmt)) {
        return None;
    }
    for fmt in formats.iter().filter(|fmt| fmt.len() == f.line.plate.len()) {
        let swapped: String = f
            .line
            .plate
            .iter()
            .zip(fmt.bytes())
            .map(|(c, want)| {
                let ok = |ch: u8| {
                    if want == b'L' {
                        ch.is_ascii_uppercase()
                    } else {
                        ch.is_ascii_digit()
                    }
                };
                match c.second {
                    Some((alt, p)) if !ok(c.ch) && ok(alt) && p > 0.05 => alt as char,
                    _ => c.ch as char,
                }
            })
            .collect();
        if states::fits(&swapped, fmt) && swapped.len() == f.plate.len() {
            return Some(swapped);
        }
    }
    states::fix_lookalikes(&f.plate, state)
}

/// The state named by text on or next to the plate: lines within the plate
/// region, above or below it, or beside it.
fn state_near(plate: &Quad, lines: &[(Quad, String)]) -> Option<StateMatch> {
    let near = plate.grown(0.6, 2.2);
    let (x0, y0, x1, y1) = near.bounds();
    lines
        .iter()
        .filter(|(q, _)| {
            let (cx, cy) = q.centre();
            (x0..=x1).contains(&cx) && (y0..=y1).contains(&cy)
        })
        .filter_map(|(_, text)| states::state_in(text))
        .max_by(|a, b| a.score.total_cmp(&b.score))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recognize::PlateChar;

    fn line(text: &str, w: f32, h: f32) -> Line {
        Line {
            quad: Quad::from_box(0.0, 0.0, w, h),
            text: text.to_string(),
            text_conf: 0.9,
            plate: text
                .bytes()
                .filter(u8::is_ascii_alphanumeric)
                .map(|c| PlateChar {
                    ch: c.to_ascii_uppercase(),
                    prob: 0.9,
                    second: None,
                    step: 0,
                })
                .collect(),
        }
    }

    #[test]
    fn a_serial_outranks_the_state_name_a_dealer_and_a_phone_number() {
        let tallest = 40.0;
        let serial = plate_likeness(&line("7ABC123", 170.0, 40.0), tallest);
        let name = plate_likeness(&line("California", 160.0, 18.0), tallest);
        let dealer = plate_likeness(&line("Smith Motors", 150.0, 12.0), tallest);
        let phone = plate_likeness(&line("(555) 123-4567", 120.0, 10.0), tallest);
        let sticker = plate_likeness(&line("26", 20.0, 10.0), tallest);
        for other in [name, dealer, phone, sticker] {
            assert!(serial > other * 2.0, "{serial} vs {other}");
        }
    }

    #[test]
    fn a_serial_split_at_its_dash_is_joined_but_a_line_above_is_not() {
        let mut left = line("ABC", 60.0, 40.0);
        left.quad = Quad::from_box(100.0, 100.0, 60.0, 40.0);
        let mut right = line("1234", 80.0, 40.0);
        right.quad = Quad::from_box(175.0, 101.0, 80.0, 40.0);
        let mut above = line("NEW YORK", 120.0, 15.0);
        above.quad = Quad::from_box(110.0, 80.0, 120.0, 15.0);
        let all = with_joined_neighbours(vec![left, right, above]);
        let plates: Vec<String> = all.iter().map(Line::plate_string).collect();
        assert_eq!(plates, ["ABC", "1234", "NEWYORK", "ABC1234"]);
    }

    #[test]
    fn the_state_comes_from_text_near_the_plate_only() {
        let plate = Quad::from_box(100.0, 100.0, 120.0, 40.0);
        let above = (
            Quad::from_box(110.0, 70.0, 100.0, 18.0),
            "Texas".to_string(),
        );
        let far = (
            Quad::from_box(600.0, 400.0, 100.0, 18.0),
            "Ohio".to_string(),
        );
        assert_eq!(
            state_near(&plate, &[above.clone(), far.clone()]).map(|m| m.code),
            Some("TX")
        );
        assert_eq!(state_near(&plate, &[far]).map(|m| m.code), None);
    }

    #[test]
    fn the_recognisers_runner_up_repairs_a_character_the_format_rules_out() {
        let mut l = line("7ABC12", 170.0, 40.0);
        // CA: D LLL DDD; read "7ABC12Z" with "2" as the runner-up for the Z.
        l.plate.push(PlateChar {
            ch: b'Z',
            prob: 0.5,
            second: Some((b'2', 0.4)),
            step: 0,
        });
        let f = Found {
            plate: l.plate_string(),
            score: 1.0,
            conf: 0.9,
            quad: l.quad,
            line: l,
        };
        assert_eq!(repair(&f, "CA").as_deref(), Some("7ABC122"));
        assert_eq!(repair(&f, "ID"), None);
    }
}
