//! The vehicle photo: 320x200, the car from behind in its colour and body
//! style, the plate (state colours, too small to read) on the bumper, in a
//! scene for the source kind: a toll gantry, a parking lot, a residential
//! street at night for repossession crews, a city street for patrols.
//!
//! A pure function of the vehicle's look, its registration state's plate
//! colours, the source kind and one of four scene variants picked by the
//! camera id; never of the time or plate number. So repeated sightings give
//! byte-identical photos, which the content-addressed store keeps once.

use crate::canvas::Canvas;
use crate::font::text_width;
use crate::prng::hash_str;
use crate::reads::DemoRead;
use crate::scheme::scheme_for;
use crate::vehicle::{BodyStyle, VehicleLook};
use sightline_core::{Jurisdiction, SourceKind};

pub const SCENE_W: u16 = 320;
pub const SCENE_H: u16 = 200;
const HORIZON: i32 = 92;

// Palette indices.
const SKY_TOP: u8 = 0;
const SKY_LOW: u8 = 1;
const FAR_A: u8 = 2;
const FAR_B: u8 = 3;
const VERGE: u8 = 4;
const ROAD: u8 = 5;
const MARK: u8 = 6;
const SHADOW: u8 = 7;
const BODY: u8 = 8;
const BODY_DARK: u8 = 9;
const BODY_LIGHT: u8 = 10;
const GLASS: u8 = 11;
const TAIL: u8 = 12;
const BUMPER: u8 = 13;
const TIRE: u8 = 14;
const CHROME: u8 = 15;
const PLATE_BG: u8 = 16;
const PLATE_TEXT: u8 = 17;
const STEEL: u8 = 18;
const SIGN: u8 = 19;
const LIT: u8 = 20;

/// The vehicle photo of a read: depends only on the read's vehicle look,
/// registration state, source kind and camera.
pub fn render_vehicle_png(read: &DemoRead) -> Vec<u8> {
    let variant = (hash_str(&read.camera_id) % 4) as u8;
    render_vehicle_scene(&read.vehicle, read.jurisdiction, read.source_kind, variant)
}

/// The vehicle photo from its parts; `variant` (0-3) picks the light and
/// the background arrangement.
pub fn render_vehicle_scene(
    look: &VehicleLook,
    jurisdiction: Jurisdiction,
    kind: SourceKind,
    variant: u8,
) -> Vec<u8> {
    // Repossession crews work at dusk and night.
    let light = match (kind, variant % 4) {
        (SourceKind::Repossession, v) => Light::from(2 + v % 2),
        (_, v) => Light::from(v),
    };
    let palette = palette(look, jurisdiction, light);
    let mut c = Canvas::new(SCENE_W, SCENE_H, SKY_TOP);
    c.rect(0, HORIZON / 2, i32::from(SCENE_W), HORIZON / 2, SKY_LOW);
    c.rect(
        0,
        HORIZON,
        i32::from(SCENE_W),
        i32::from(SCENE_H) - HORIZON,
        VERGE,
    );
    match kind {
        SourceKind::TollRoad => toll_scene(&mut c, variant),
        SourceKind::ParkingLot => parking_scene(&mut c, variant),
        SourceKind::Repossession => street_scene(&mut c, variant),
        SourceKind::LawEnforcement => city_scene(&mut c, variant),
    }
    car(&mut c, look);
    c.to_png(&palette)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Light {
    Day,
    Overcast,
    Dusk,
    Night,
}

impl Light {
    fn from(v: u8) -> Self {
        match v {
            0 => Self::Day,
            1 => Self::Overcast,
            2 => Self::Dusk,
            _ => Self::Night,
        }
    }

    fn factor(self) -> f32 {
        match self {
            Self::Day => 1.0,
            Self::Overcast => 0.85,
            Self::Dusk => 0.7,
            Self::Night => 0.5,
        }
    }
}

fn palette(look: &VehicleLook, j: Jurisdiction, light: Light) -> Vec<[u8; 3]> {
    let f = light.factor();
    let dim = |rgb: [u8; 3]| rgb.map(|v| (f32::from(v) * f) as u8);
    let tone = |rgb: [u8; 3], k: f32| rgb.map(|v| (f32::from(v) * k).min(255.0) as u8);
    let (sky_top, sky_low) = match light {
        Light::Day => ([96, 150, 214], [170, 204, 236]),
        Light::Overcast => ([146, 154, 164], [188, 192, 198]),
        Light::Dusk => ([58, 66, 118], [226, 146, 96]),
        Light::Night => ([10, 14, 32], [28, 34, 58]),
    };
    let paint = look.color.rgb();
    let plate = scheme_for(j);
    let tail = if matches!(light, Light::Dusk | Light::Night) {
        [255, 60, 50]
    } else {
        [196, 30, 36]
    };
    let lit = if matches!(light, Light::Dusk | Light::Night) {
        [240, 206, 120]
    } else {
        [120, 140, 160]
    };
    vec![
        sky_top,
        sky_low,
        dim([96, 104, 112]),
        dim([64, 92, 64]),
        dim([104, 116, 92]),
        dim([78, 80, 84]),
        dim([226, 222, 206]),
        dim([44, 45, 48]),
        dim(paint),
        dim(tone(paint, 0.7)),
        dim(tone(paint, 1.25)),
        dim([40, 52, 64]),
        tail,
        dim([34, 34, 38]),
        [18, 18, 20],
        dim([200, 204, 210]),
        dim(plate.background),
        dim(plate.text),
        dim([136, 140, 146]),
        dim([20, 110, 60]),
        lit,
    ]
}

/// The road: a trapezoid to the horizon with dashed lane lines.
fn road(c: &mut Canvas, top: (i32, i32), lanes: i32) {
    let bottom = (-120, 440);
    c.trapezoid(HORIZON, i32::from(SCENE_H), top, bottom, ROAD);
    let h = i32::from(SCENE_H) - HORIZON;
    for lane in 1..lanes {
        let xt = top.0 + (top.1 - top.0) * lane / lanes;
        let xb = bottom.0 + (bottom.1 - bottom.0) * lane / lanes;
        let mut y = HORIZON + 4;
        let mut dash = 3;
        while y < i32::from(SCENE_H) {
            let x = |yy: i32| xt + (xb - xt) * (yy - HORIZON) / h;
            let w = 1 + (y - HORIZON) / 30;
            for yy in y..(y + dash).min(i32::from(SCENE_H)) {
                c.hline(x(yy) - w / 2, x(yy) + w - w / 2, yy, MARK);
            }
            y += dash * 2;
            dash += 2;
        }
    }
}

fn toll_scene(c: &mut Canvas, variant: u8) {
    // Distant tree line, then the highway and the gantry over it.
    for i in 0..9 {
        let x = i * 40 + i32::from(variant) * 7;
        c.circle(x, HORIZON - 4, 14 + (i * 5) % 9, FAR_B);
    }
    c.rect(0, HORIZON - 6, i32::from(SCENE_W), 6, FAR_B);
    road(c, (120, 200), 3);
    c.rect(14, 8, 8, 120, STEEL);
    c.rect(298, 8, 8, 120, STEEL);
    c.rect(10, 12, 300, 6, STEEL);
    c.rect(10, 28, 300, 4, STEEL);
    for i in 0..12 {
        c.rect(14 + i * 25, 18, 2, 10, STEEL);
    }
    // A green sign and the toll readers.
    c.rect(40, 34, 70, 26, SIGN);
    c.rect(43, 37, 64, 20, MARK);
    c.rect(45, 39, 60, 16, SIGN);
    c.text(50, 43, "E-TOLL", 1, 1, MARK);
    for x in [140, 190, 240] {
        c.rect(x, 32, 10, 8, BUMPER);
        c.rect(x + 3, 40, 4, 3, GLASS);
    }
}

fn parking_scene(c: &mut Canvas, variant: u8) {
    // A garage or store front behind the lot.
    c.rect(0, 34, i32::from(SCENE_W), HORIZON - 34, FAR_A);
    for row in 0..3 {
        for col in 0..10 {
            let lit = (col + row + i32::from(variant)) % 3 == 0;
            c.rect(
                10 + col * 31,
                42 + row * 16,
                18,
                9,
                if lit { LIT } else { GLASS },
            );
        }
    }
    c.rect(0, HORIZON - 4, i32::from(SCENE_W), 4, STEEL);
    c.rect(
        0,
        HORIZON,
        i32::from(SCENE_W),
        i32::from(SCENE_H) - HORIZON,
        ROAD,
    );
    // Stall lines, converging.
    for i in -6..=6 {
        let xt = 160 + i * 22;
        let xb = 160 + i * 70;
        c.trapezoid(
            HORIZON + 6,
            i32::from(SCENE_H),
            (xt, xt + 2),
            (xb, xb + 4),
            MARK,
        );
    }
    c.rect(0, HORIZON + 4, i32::from(SCENE_W), 2, MARK);
    // Lamp posts.
    for x in [30, 290] {
        c.rect(x, 20, 4, HORIZON + 20 - 20, STEEL);
        c.rect(x - 8, 18, 20, 4, STEEL);
        c.rect(x - 6, 22, 16, 2, LIT);
    }
}

fn street_scene(c: &mut Canvas, variant: u8) {
    // Houses with pitched roofs and trees, a two-lane street.
    for i in 0..5 {
        let x = i * 70 - 10 + i32::from(variant) * 5;
        let w = 52;
        let top = 56 + (i * 7) % 12;
        c.rect(x, top, w, HORIZON - top, FAR_A);
        c.trapezoid(
            top - 18,
            top,
            (x + w / 2, x + w / 2 + 1),
            (x - 4, x + w + 4),
            BUMPER,
        );
        c.rect(
            x + 8,
            top + 8,
            10,
            8,
            if (i + i32::from(variant)) % 2 == 0 {
                LIT
            } else {
                GLASS
            },
        );
        c.rect(x + 32, top + 8, 10, 8, GLASS);
        c.rect(x + 22, HORIZON - 16, 8, 16, BUMPER);
    }
    for x in [60, 200] {
        c.circle(x + i32::from(variant) * 3, 58, 16, FAR_B);
        c.rect(x + i32::from(variant) * 3 - 2, 70, 4, 22, BUMPER);
    }
    road(c, (110, 210), 2);
    c.rect(0, HORIZON, i32::from(SCENE_W), 3, MARK);
}

fn city_scene(c: &mut Canvas, variant: u8) {
    // A skyline of blocks with windows, a four-lane avenue.
    let mut x = -6 + i32::from(variant) * 4;
    let mut i = 0;
    while x < i32::from(SCENE_W) {
        let w = 34 + (i * 13) % 22;
        let top = 14 + (i * 29 + i32::from(variant) * 11) % 50;
        c.rect(
            x,
            top,
            w - 3,
            HORIZON - top,
            if i % 2 == 0 { FAR_A } else { STEEL },
        );
        let mut wy = top + 6;
        while wy < HORIZON - 8 {
            let mut wx = x + 4;
            while wx < x + w - 9 {
                c.rect(wx, wy, 4, 5, if (wx + wy) % 5 == 0 { LIT } else { GLASS });
                wx += 8;
            }
            wy += 10;
        }
        x += w;
        i += 1;
    }
    road(c, (100, 220), 4);
    c.rect(0, HORIZON, i32::from(SCENE_W), 2, STEEL);
}

/// Rear-view proportions: (width, body height, cabin height, cabin top
/// width, cabin bottom width, ground clearance).
fn proportions(body: BodyStyle) -> (i32, i32, i32, i32, i32, i32) {
    match body {
        BodyStyle::Sedan => (150, 44, 34, 96, 132, 12),
        BodyStyle::Suv => (160, 58, 42, 132, 150, 18),
        BodyStyle::Pickup => (164, 52, 34, 112, 124, 22),
        BodyStyle::Minivan => (158, 52, 52, 134, 150, 14),
        BodyStyle::Hatchback => (140, 44, 40, 100, 128, 12),
        BodyStyle::Coupe => (146, 38, 28, 86, 124, 10),
    }
}

fn car(c: &mut Canvas, look: &VehicleLook) {
    let (w, hb, hc, wt, wb, clearance) = proportions(look.body);
    let cx = 160;
    let bottom = 190;
    let left = cx - w / 2;
    let body_bottom = bottom - clearance;
    let body_top = body_bottom - hb;
    // Shadow and tyres.
    c.trapezoid(
        bottom - 6,
        bottom + 4,
        (left + 4, left + w - 4),
        (left - 8, left + w + 8),
        SHADOW,
    );
    for x in [left + 6, left + w - 28] {
        c.rect(x, body_bottom - 6, 22, bottom - body_bottom + 6, TIRE);
    }
    // Cabin: pillars in body colour, the rear window inside.
    let cab_top = body_top - hc;
    let pickup = look.body == BodyStyle::Pickup;
    let cab_bottom = if pickup { body_top - 4 } else { body_top };
    c.trapezoid(
        cab_top,
        cab_bottom + 1,
        (cx - wt / 2, cx + wt / 2),
        (cx - wb / 2, cx + wb / 2),
        BODY,
    );
    c.rect(cx - wt / 2 + 4, cab_top, wt - 8, 2, BODY_LIGHT);
    let glass_bottom = if pickup {
        cab_top + hc / 2 + 4
    } else {
        cab_bottom - 3
    };
    let inset_top = if pickup { 10 } else { 7 };
    c.trapezoid(
        cab_top + 5,
        glass_bottom,
        (cx - wt / 2 + inset_top, cx + wt / 2 - inset_top),
        (cx - wb / 2 + 8, cx + wb / 2 - 8),
        GLASS,
    );
    if !pickup {
        c.rect(cx - 12, cab_top + 6, 24, 2, TAIL);
    }
    // Body, with rounded shoulders and a lower bumper.
    c.trapezoid(
        body_top,
        body_top + 5,
        (left + 6, left + w - 6),
        (left, left + w),
        BODY,
    );
    c.rect(left, body_top + 5, w, hb - 5, BODY);
    c.rect(left, body_top + 5, w, 2, BODY_LIGHT);
    if pickup {
        // The bed between cab and tailgate, and the tailgate's top rail.
        c.rect(left + 4, body_top - 5, w - 8, 6, BUMPER);
        c.rect(left, body_top, w, 3, BODY_DARK);
    }
    c.rect(left + 2, body_bottom - 12, w - 4, 12, BUMPER);
    c.rect(left + 2, body_bottom - 14, w - 4, 2, BODY_DARK);
    // Tail lights: tall and narrow on trucks and vans, wide on cars.
    let (light_w, light_h) = match look.body {
        BodyStyle::Pickup => (14, 26),
        BodyStyle::Suv | BodyStyle::Minivan => (26, 22),
        _ => (26, 12),
    };
    for x in [left + 4, left + w - 4 - light_w] {
        c.rect(x, body_top + 8, light_w, light_h, TAIL);
        c.rect(x, body_top + 8 + light_h, light_w, 2, BODY_DARK);
    }
    // Make badge on the trunk.
    let badge = look.make.to_ascii_uppercase();
    let bw = text_width(&badge, 1);
    if bw < w - 64 {
        c.text(cx - bw / 2, body_top + 10, &badge, 1, 1, CHROME);
    }
    // The plate: state colours, its characters a blur at this distance.
    let (pw, ph) = (34, 17);
    let (px, py) = (cx - pw / 2, body_bottom - ph - 3);
    c.rect(px - 1, py - 1, pw + 2, ph + 2, BODY_DARK);
    c.rect(px, py, pw, ph, PLATE_BG);
    c.rect(px + 3, py + 2, pw - 6, 2, PLATE_TEXT);
    for i in 0..6 {
        c.rect(px + 4 + i * 5, py + 7, 3, 6, PLATE_TEXT);
    }
}
