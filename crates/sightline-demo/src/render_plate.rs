//! The plate close-up photo: 200x100, the plate filling the frame, the
//! jurisdiction's name along the top, the characters in the built-in font.
//! A pure function of the plate text and jurisdiction.

use crate::canvas::Canvas;
use crate::font::text_width;
use crate::scheme::scheme_for;
use sightline_core::{Jurisdiction, Plate};

pub const PLATE_W: u16 = 200;
pub const PLATE_H: u16 = 100;

// Palette indices.
const BUMPER: u8 = 0;
const BG: u8 = 1;
const TEXT: u8 = 2;
const HEADER_BAND: u8 = 3;
const HEADER_TEXT: u8 = 4;
const FOOTER_BAND: u8 = 5;
const FOOTER_TEXT: u8 = 6;
const BOLT: u8 = 7;
const SHADE: u8 = 8;

/// The close-up photo of `plate` as registered in `jurisdiction`, as PNG.
pub fn render_plate_png(plate: &Plate, jurisdiction: Jurisdiction) -> Vec<u8> {
    let s = scheme_for(jurisdiction);
    let palette = [
        [46, 48, 52],
        s.background,
        s.text,
        s.header_band.unwrap_or(s.background),
        s.header_text,
        s.footer_band.unwrap_or(s.background),
        s.footer_text,
        [150, 150, 156],
        shade(s.background),
    ];
    let mut c = Canvas::new(PLATE_W, PLATE_H, BUMPER);
    let (x0, y0, x1, y1) = (4, 3, 196, 97);
    // The plate, corners rounded by two pixels, with an embossed rim.
    c.rect(x0 + 2, y0, x1 - x0 - 4, y1 - y0, BG);
    c.rect(x0, y0 + 2, x1 - x0, y1 - y0 - 4, BG);
    c.rect(x0 + 1, y0 + 1, x1 - x0 - 2, y1 - y0 - 2, BG);
    outline(&mut c, x0 + 3, y0 + 3, x1 - 3, y1 - 3, TEXT);
    c.rect(x0 + 2, y1 - 2, x1 - x0 - 4, 2, SHADE);
    if s.header_band.is_some() {
        c.rect(x0 + 4, y0 + 4, x1 - x0 - 8, 18, HEADER_BAND);
    }
    if s.footer_band.is_some() {
        c.rect(x0 + 4, y1 - 18, x1 - x0 - 8, 14, FOOTER_BAND);
    }
    // The jurisdiction's name along the top.
    let name = header_name(jurisdiction);
    let scale = if text_width(&name, 2) <= 132 { 2 } else { 1 };
    let top = if scale == 2 { y0 + 6 } else { y0 + 9 };
    centered(&mut c, top, &name, scale, 2, HEADER_TEXT);
    // Bolt holes either side of the name.
    for bx in [x0 + 14, x1 - 18] {
        c.rect(bx, y0 + 9, 4, 4, BOLT);
    }
    // The characters, as large as fit.
    let text = plate_text(plate);
    let sx = if text_width(&text, 4) <= 176 { 4 } else { 3 };
    centered(&mut c, 30, &text, sx, 6, TEXT);
    // The slogan along the bottom.
    if !s.slogan.is_empty() && text_width(s.slogan, 1) <= 176 {
        centered(&mut c, y1 - 14, s.slogan, 1, 1, FOOTER_TEXT);
    }
    c.to_png(&palette)
}

/// The name along the top: the full name, without any parenthesis, or the
/// code where even that is too long.
fn header_name(j: Jurisdiction) -> String {
    let full = j.name().to_ascii_uppercase();
    let short = full.split(" (").next().unwrap_or(&full).trim().to_owned();
    if text_width(&short, 1) <= 176 {
        short
    } else {
        j.code().to_owned()
    }
}

/// What is printed: the plate as written (keeping its space or dash),
/// upper-cased, or the normalised form.
fn plate_text(plate: &Plate) -> String {
    let shown: String = plate
        .original()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ' ' || *c == '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let compact: String = shown.chars().filter(char::is_ascii_alphanumeric).collect();
    if compact == plate.as_str() {
        shown
    } else {
        plate.as_str().to_owned()
    }
}

fn centered(c: &mut Canvas, y: i32, text: &str, sx: i32, sy: i32, color: u8) {
    let w = text_width(text, sx);
    c.text((c.width() - w) / 2, y, text, sx, sy, color);
}

fn outline(c: &mut Canvas, x0: i32, y0: i32, x1: i32, y1: i32, color: u8) {
    c.rect(x0, y0, x1 - x0, 1, color);
    c.rect(x0, y1 - 1, x1 - x0, 1, color);
    c.rect(x0, y0, 1, y1 - y0, color);
    c.rect(x1 - 1, y0, 1, y1 - y0, color);
}

fn shade(rgb: [u8; 3]) -> [u8; 3] {
    rgb.map(|v| v / 4 * 3)
}
