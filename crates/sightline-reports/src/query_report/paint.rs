//! Drawing primitives over a krilla surface, in the layout's points (y
//! down): text on a baseline, rectangles, images fitted into a frame, and
//! the formats every page shares (UTC times, coordinates). The quarterly
//! report draws with the same primitives.

use super::layout::{PAGE_H, PAGE_W, PtRect};
use super::text::{Face, Fonts};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::TextDirection;
use time::{OffsetDateTime, UtcOffset};

/// An sRGB colour.
pub(crate) type Rgb = [u8; 3];

pub(crate) const INK: Rgb = [0x11, 0x18, 0x27];
pub(crate) const MUTED: Rgb = [0x4b, 0x55, 0x63];
pub(crate) const RULE: Rgb = [0x9c, 0xa3, 0xaf];
pub(crate) const SHADE: Rgb = [0xf1, 0xf3, 0xf5];
pub(crate) const NOTE_BG: Rgb = [0xe5, 0xe7, 0xeb];

fn to_krilla([r, g, b]: Rgb) -> rgb::Color {
    rgb::Color::new(r, g, b)
}

/// `2026-11-21 12:00:00`, in UTC whatever the offset given.
pub(crate) fn utc(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `39.952600, -75.165200`: latitude, longitude, six decimals (~0.1 m).
pub(crate) fn coords(lat: f64, lon: f64) -> String {
    format!("{lat:.6}, {lon:.6}")
}

/// A document's creation time for its metadata, from a wall-clock time.
pub(crate) fn pdf_date(t: time::PrimitiveDateTime) -> krilla::metadata::DateTime {
    krilla::metadata::DateTime::new(u16::try_from(t.year()).unwrap_or(1970))
        .month(u8::from(t.month()))
        .day(t.day())
        .hour(t.hour())
        .minute(t.minute())
        .second(t.second())
}

/// Adds an A4 portrait page to `doc` and lets `draw` paint it.
pub(crate) fn a4_page(
    doc: &mut krilla::Document,
    fonts: &Fonts,
    draw: impl FnOnce(&mut Painter),
) -> anyhow::Result<()> {
    let settings = krilla::page::PageSettings::from_wh(PAGE_W, PAGE_H)
        .ok_or_else(|| anyhow::anyhow!("page size"))?;
    let mut page = doc.start_page_with(settings);
    let mut surface = page.surface();
    draw(&mut Painter {
        s: &mut surface,
        fonts,
    });
    surface.finish();
    page.finish();
    Ok(())
}

/// How a run of text looks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    pub face: Face,
    pub size: f32,
    pub color: Rgb,
}

impl Style {
    pub(crate) const fn new(face: Face, size: f32, color: Rgb) -> Self {
        Self { face, size, color }
    }
}

pub(crate) struct Painter<'a, 'b> {
    pub s: &'a mut Surface<'b>,
    pub fonts: &'a Fonts,
}

impl Painter<'_, '_> {
    fn fill_with(&mut self, c: Rgb) {
        self.s.set_fill(Some(Fill {
            paint: to_krilla(c).into(),
            ..Fill::default()
        }));
    }

    /// `text` with its baseline's left end at `(x, y)`, cut to `width`.
    pub(crate) fn text_in(&mut self, x: f32, y: f32, width: f32, style: Style, text: &str) {
        let Style { face, size, color } = style;
        let line = self.fonts.fit(face, text, size, width);
        if line.is_empty() {
            return;
        }
        self.fill_with(color);
        self.s.draw_text(
            Point::from_xy(x, y),
            self.fonts.pdf(face),
            size,
            &line,
            false,
            TextDirection::Auto,
        );
    }

    /// `text` ending at `right`.
    pub(crate) fn text_right(&mut self, right: f32, y: f32, style: Style, text: &str) {
        let w = self.fonts.width(style.face, text, style.size);
        self.text_in(right - w, y, w + 1.0, style, text);
    }

    /// Wrapped lines from baseline `y`, `leading` apart; returns the
    /// baseline after the last.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn paragraph(
        &mut self,
        x: f32,
        y: f32,
        width: f32,
        face: Face,
        size: f32,
        leading: f32,
        max_lines: usize,
        text: &str,
    ) -> f32 {
        self.lines(
            x,
            y,
            width,
            Style::new(face, size, INK),
            leading,
            max_lines,
            text,
        )
    }

    /// Like [`Painter::paragraph`], in any style.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn lines(
        &mut self,
        x: f32,
        y: f32,
        width: f32,
        style: Style,
        leading: f32,
        max_lines: usize,
        text: &str,
    ) -> f32 {
        let mut y = y;
        for line in self
            .fonts
            .wrap(style.face, text, style.size, width, max_lines)
        {
            self.text_in(x, y, width, style, &line);
            y += leading;
        }
        y
    }

    pub(crate) fn fill_rect(&mut self, r: PtRect, color: Rgb) {
        let Some(rect) = Rect::from_xywh(r.x, r.y, r.w, r.h) else {
            return;
        };
        let mut pb = PathBuilder::new();
        pb.push_rect(rect);
        if let Some(path) = pb.finish() {
            self.fill_with(color);
            self.s.draw_path(&path);
        }
    }

    pub(crate) fn stroke_rect(&mut self, r: PtRect, color: Rgb, width: f32) {
        let Some(rect) = Rect::from_xywh(r.x, r.y, r.w, r.h) else {
            return;
        };
        let mut pb = PathBuilder::new();
        pb.push_rect(rect);
        if let Some(path) = pb.finish() {
            self.s.set_fill(None);
            self.s.set_stroke(Some(Stroke {
                paint: to_krilla(color).into(),
                width,
                ..Stroke::default()
            }));
            self.s.draw_path(&path);
            self.s.set_stroke(None);
        }
    }

    pub(crate) fn hline(&mut self, x0: f32, x1: f32, y: f32, color: Rgb) {
        self.fill_rect(
            PtRect {
                x: x0,
                y,
                w: x1 - x0,
                h: 0.5,
            },
            color,
        );
    }

    /// `image` fitted inside `frame`, centred, keeping its shape; a thin
    /// rule around the frame.
    pub(crate) fn image(&mut self, frame: PtRect, image: &Image) {
        let (w, h) = image.size();
        let (w, h) = (w.max(1) as f32, h.max(1) as f32);
        let scale = (frame.w / w).min(frame.h / h);
        let (dw, dh) = (w * scale, h * scale);
        let (x, y) = (
            frame.x + (frame.w - dw) / 2.0,
            frame.y + (frame.h - dh) / 2.0,
        );
        if let Some(size) = Size::from_wh(dw, dh) {
            self.s.push_transform(&Transform::from_translate(x, y));
            self.s.draw_image(image.clone(), size);
            self.s.pop();
        }
        self.stroke_rect(frame, RULE, 0.5);
    }

    /// A grey frame that says why it is empty.
    pub(crate) fn note_frame(&mut self, frame: PtRect, note: &str) {
        self.fill_rect(frame, NOTE_BG);
        self.stroke_rect(frame, RULE, 0.5);
        let lines = self.fonts.wrap(Face::Regular, note, 8.5, frame.w - 24.0, 4);
        let mut y = frame.y + frame.h / 2.0 - (lines.len() as f32 - 1.0) * 6.0 + 3.0;
        for line in lines {
            let w = self.fonts.width(Face::Regular, &line, 8.5);
            self.text_in(
                frame.x + (frame.w - w) / 2.0,
                y,
                frame.w,
                Style::new(Face::Regular, 8.5, MUTED),
                &line,
            );
            y += 12.0;
        }
    }

    /// A row's bold label, cut to its column of `label_w`.
    pub(crate) fn label(&mut self, x: f32, y: f32, label_w: f32, size: f32, label: &str) {
        self.text_in(
            x,
            y,
            label_w - 6.0,
            Style::new(Face::Bold, size, MUTED),
            label,
        );
    }

    /// A bold label in the left column and a monospaced value (a hash) on
    /// one line beside it; returns the next row's baseline.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn mono_row(
        &mut self,
        x: f32,
        y: f32,
        label_w: f32,
        width: f32,
        size: f32,
        mono: f32,
        leading: f32,
        label: &str,
        value: &str,
    ) -> f32 {
        self.label(x, y, label_w, size, label);
        self.text_in(
            x + label_w,
            y,
            width - label_w,
            Style::new(Face::Mono, mono, INK),
            value,
        );
        y + leading
    }

    /// A bold label in the left column and its (wrapped) value beside it;
    /// returns the next row's baseline.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn row(
        &mut self,
        x: f32,
        y: f32,
        label_w: f32,
        width: f32,
        size: f32,
        leading: f32,
        max_lines: usize,
        label: &str,
        value: &str,
    ) -> f32 {
        self.label(x, y, label_w, size, label);
        self.paragraph(
            x + label_w,
            y,
            width - label_w,
            Face::Regular,
            size,
            leading,
            max_lines,
            value,
        )
    }
}
