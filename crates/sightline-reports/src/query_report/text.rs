//! The report's three faces (DejaVu Sans, Sans Bold, Sans Mono, embedded)
//! and text measured with their real advances, so lines are cut and
//! wrapped where they would overflow, not by a guess at average widths.

use ab_glyph::{Font as _, FontRef};
use krilla::text::Font;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Face {
    Regular,
    Bold,
    Mono,
}

struct Loaded {
    pdf: Font,
    metrics: FontRef<'static>,
    units: f32,
}

impl std::fmt::Debug for Loaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Loaded")
    }
}

#[derive(Debug)]
pub(crate) struct Fonts {
    regular: Loaded,
    bold: Loaded,
    mono: Loaded,
}

fn load(bytes: &'static [u8]) -> anyhow::Result<Loaded> {
    let pdf = Font::new(bytes.into(), 0)
        .ok_or_else(|| anyhow::anyhow!("an embedded font did not load"))?;
    let metrics = FontRef::try_from_slice(bytes)?;
    let units = metrics.units_per_em().unwrap_or(2048.0);
    Ok(Loaded {
        pdf,
        metrics,
        units,
    })
}

/// Printable text on one line: control characters become spaces.
pub(crate) fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

impl Fonts {
    pub(crate) fn load() -> anyhow::Result<Self> {
        Ok(Self {
            regular: load(dejavu::sans::regular())?,
            bold: load(dejavu::sans::bold())?,
            mono: load(dejavu::sans_mono::regular())?,
        })
    }

    fn get(&self, face: Face) -> &Loaded {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
            Face::Mono => &self.mono,
        }
    }

    pub(crate) fn pdf(&self, face: Face) -> Font {
        self.get(face).pdf.clone()
    }

    /// The advance width of `text` at `size`, in points.
    pub(crate) fn width(&self, face: Face, text: &str, size: f32) -> f32 {
        let f = self.get(face);
        let units: f32 = text
            .chars()
            .map(|c| f.metrics.h_advance_unscaled(f.metrics.glyph_id(c)))
            .sum();
        units * size / f.units
    }

    /// `text` on one line, cut with an ellipsis where it would pass `width`.
    pub(crate) fn fit(&self, face: Face, text: &str, size: f32, width: f32) -> String {
        let line = one_line(text);
        if self.width(face, &line, size) <= width {
            return line;
        }
        let room = width - self.width(face, "…", size);
        let mut out = String::new();
        let mut used = 0.0;
        for c in line.chars() {
            let w = self.width(face, c.encode_utf8(&mut [0; 4]), size);
            if used + w > room {
                break;
            }
            used += w;
            out.push(c);
        }
        out.truncate(out.trim_end().len());
        out.push('…');
        out
    }

    /// `text` wrapped at spaces into lines no wider than `width` (a word
    /// wider than a line is broken), at most `max_lines`, the last cut with
    /// an ellipsis if text remains.
    pub(crate) fn wrap(
        &self,
        face: Face,
        text: &str,
        size: f32,
        width: f32,
        max_lines: usize,
    ) -> Vec<String> {
        let line = one_line(text);
        let mut lines: Vec<String> = Vec::new();
        let mut current = String::new();
        for word in line.split_whitespace() {
            let candidate = if current.is_empty() {
                word.to_owned()
            } else {
                format!("{current} {word}")
            };
            if self.width(face, &candidate, size) <= width {
                current = candidate;
                continue;
            }
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            // A word alone wider than the line: break it by characters.
            let mut piece = String::new();
            for c in word.chars() {
                piece.push(c);
                if self.width(face, &piece, size) > width && piece.chars().count() > 1 {
                    piece.pop();
                    lines.push(std::mem::take(&mut piece));
                    piece.push(c);
                }
            }
            current = piece;
        }
        if !current.is_empty() {
            lines.push(current);
        }
        if lines.len() > max_lines {
            let rest = lines.split_off(max_lines.saturating_sub(1));
            lines.push(self.fit(face, &format!("{} …", rest.join(" ")), size, width));
            if let Some(last) = lines.last_mut()
                && !last.ends_with('…')
            {
                last.push('…');
            }
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_and_wrap_respect_the_width() {
        let fonts = Fonts::load().unwrap();
        let long = "1400 John F Kennedy Blvd, Philadelphia, PA 19107 and a good deal more";
        let cut = fonts.fit(Face::Regular, long, 9.0, 100.0);
        assert!(cut.ends_with('…') && fonts.width(Face::Regular, &cut, 9.0) <= 100.0);
        assert_eq!(fonts.fit(Face::Regular, "short", 9.0, 100.0), "short");
        let lines = fonts.wrap(Face::Regular, long, 9.0, 120.0, 10);
        assert!(lines.len() > 1);
        assert_eq!(lines.join(" "), long);
        for l in &lines {
            assert!(fonts.width(Face::Regular, l, 9.0) <= 120.0, "{l}");
        }
        let two = fonts.wrap(Face::Regular, long, 9.0, 120.0, 2);
        assert_eq!(two.len(), 2);
        assert!(two[1].ends_with('…'));
        let hash = "ab".repeat(40);
        let broken = fonts.wrap(Face::Mono, &hash, 7.0, 100.0, 10);
        assert_eq!(broken.concat(), hash);
    }
}
