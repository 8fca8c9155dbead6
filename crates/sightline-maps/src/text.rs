//! Labels drawn as glyph outlines (DejaVu Sans through `ab_glyph`) filled
//! by tiny-skia, so they rotate along streets and stay anti-aliased.

use ab_glyph::{Font, FontRef, OutlineCurve};
use std::sync::OnceLock;
use tiny_skia::{
    Color, FillRule, LineCap, LineJoin, Paint, Path, PathBuilder, Pixmap, Stroke, Transform,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

fn font(weight: Weight) -> Option<&'static FontRef<'static>> {
    static REGULAR: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    static BOLD: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    match weight {
        Weight::Regular => {
            REGULAR.get_or_init(|| FontRef::try_from_slice(dejavu::sans::regular()).ok())
        }
        Weight::Bold => BOLD.get_or_init(|| FontRef::try_from_slice(dejavu::sans::bold()).ok()),
    }
    .as_ref()
}

/// A run of text laid out on one line, origin at the left end of the
/// baseline, y down, in pixels.
#[derive(Debug)]
pub(crate) struct Shaped {
    path: Option<Path>,
    pub width: f32,
    /// Cap height, for centring the run on a line.
    pub cap: f32,
}

pub(crate) fn shape(text: &str, size: f32, weight: Weight) -> Shaped {
    let Some(font) = font(weight) else {
        return Shaped {
            path: None,
            width: 0.0,
            cap: 0.0,
        };
    };
    let scale = size / font.units_per_em().unwrap_or(2048.0);
    let mut pb = PathBuilder::new();
    let mut pen = 0.0f32;
    let mut prev = None;
    for ch in text.chars() {
        let id = font.glyph_id(ch);
        if let Some(p) = prev {
            pen += font.kern_unscaled(p, id) * scale;
        }
        if let Some(outline) = font.outline(id) {
            let mut at: Option<(f32, f32)> = None;
            let map = |p: ab_glyph::Point| (pen + p.x * scale, -p.y * scale);
            for curve in &outline.curves {
                let (start, end) = match curve {
                    OutlineCurve::Line(a, b) => (map(*a), map(*b)),
                    OutlineCurve::Quad(a, _, c) => (map(*a), map(*c)),
                    OutlineCurve::Cubic(a, _, _, d) => (map(*a), map(*d)),
                };
                if at != Some(start) {
                    if at.is_some() {
                        pb.close();
                    }
                    pb.move_to(start.0, start.1);
                }
                match curve {
                    OutlineCurve::Line(..) => pb.line_to(end.0, end.1),
                    OutlineCurve::Quad(_, b, _) => {
                        let b = map(*b);
                        pb.quad_to(b.0, b.1, end.0, end.1);
                    }
                    OutlineCurve::Cubic(_, b, c, _) => {
                        let (b, c) = (map(*b), map(*c));
                        pb.cubic_to(b.0, b.1, c.0, c.1, end.0, end.1);
                    }
                }
                at = Some(end);
            }
            if at.is_some() {
                pb.close();
            }
        }
        pen += font.h_advance_unscaled(id) * scale;
        prev = Some(id);
    }
    Shaped {
        path: pb.finish(),
        width: pen,
        cap: size * 0.73,
    }
}

/// How a label is painted.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LabelStyle {
    pub size: f32,
    pub weight: Weight,
    pub fill: Color,
    /// Halo colour and width, for legibility over lines.
    pub halo: Option<(Color, f32)>,
}

/// Draws `text` centred on `(cx, cy)`, turned by `angle` radians.
pub(crate) fn draw_centred(
    pixmap: &mut Pixmap,
    text: &str,
    cx: f32,
    cy: f32,
    angle: f32,
    style: &LabelStyle,
) {
    let shaped = shape(text, style.size, style.weight);
    draw_shaped(pixmap, &shaped, cx, cy, angle, style);
}

pub(crate) fn draw_shaped(
    pixmap: &mut Pixmap,
    shaped: &Shaped,
    cx: f32,
    cy: f32,
    angle: f32,
    style: &LabelStyle,
) {
    let Some(path) = &shaped.path else { return };
    let t = Transform::from_translate(cx, cy)
        .pre_concat(Transform::from_rotate(angle.to_degrees()))
        .pre_translate(-shaped.width / 2.0, shaped.cap / 2.0);
    if let Some((color, width)) = style.halo {
        let mut paint = Paint::default();
        paint.set_color(color);
        paint.anti_alias = true;
        let stroke = Stroke {
            width,
            line_cap: LineCap::Round,
            line_join: LineJoin::Round,
            ..Stroke::default()
        };
        pixmap.stroke_path(path, &paint, &stroke, t, None);
    }
    let mut paint = Paint::default();
    paint.set_color(style.fill);
    paint.anti_alias = true;
    pixmap.fill_path(path, &paint, FillRule::Winding, t, None);
}
