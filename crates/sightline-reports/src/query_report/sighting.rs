//! A sighting's page: both photos, when and where (UTC time, source,
//! nearest address and intersection, GPS), a street-level close-up and an
//! overview with the other sightings near it.

use super::layout::{
    CLOSE_UP_MAP, CONTENT_W, MARGIN, OVERVIEW_MAP, PAGE_W, PLATE_PHOTO, VEHICLE_PHOTO,
};
use super::pages::Doc;
use super::paint::{INK, MUTED, Painter, Style, coords, utc};
use super::text::Face;
use krilla::image::Image;

const LABEL_W: f32 = 118.0;

impl Doc {
    pub(crate) fn sighting(&self, p: &mut Painter, i: usize) {
        let (Some(r), n) = (self.reads.get(i), self.reads.len()) else {
            return;
        };
        let h = &self.header;
        p.text_in(
            MARGIN,
            52.0,
            CONTENT_W - 170.0,
            Style::new(Face::Bold, 15.0, INK),
            &format!("Sighting {} of {n}", i + 1),
        );
        p.text_right(
            PAGE_W - MARGIN,
            52.0,
            Style::new(Face::Bold, 12.0, INK),
            &format!("{} ({})", h.plate, h.state),
        );
        p.text_in(
            MARGIN,
            69.0,
            CONTENT_W,
            Style::new(Face::Regular, 10.0, INK),
            &format!("{} UTC · {}", utc(r.captured_at), r.source_name),
        );

        let (vehicle, plate) = self
            .photos
            .get(i)
            .map_or((None, None), |(v, p)| (v.as_ref(), p.as_ref()));
        photo(p, VEHICLE_PHOTO, vehicle, "Vehicle photo");
        photo(p, PLATE_PHOTO, plate, "Plate photo");
        // Beside the vehicle, under the plate: the time, large.
        let x = PLATE_PHOTO.x;
        p.text_in(
            x,
            PLATE_PHOTO.bottom() + 30.0,
            PLATE_PHOTO.w,
            Style::new(Face::Bold, 8.0, MUTED),
            "Captured (UTC)",
        );
        p.text_in(
            x,
            PLATE_PHOTO.bottom() + 44.0,
            PLATE_PHOTO.w,
            Style::new(Face::Bold, 11.0, INK),
            &format!("{} UTC", utc(r.captured_at)),
        );
        p.text_in(
            x,
            PLATE_PHOTO.bottom() + 59.0,
            PLATE_PHOTO.w,
            Style::new(Face::Regular, 9.0, INK),
            &r.source_kind,
        );

        let mut y = VEHICLE_PHOTO.bottom() + 30.0;
        let row = |p: &mut Painter, y: f32, label: &str, value: &str, lines: usize| {
            p.row(
                MARGIN, y, LABEL_W, CONTENT_W, 9.2, 12.4, lines, label, value,
            )
        };
        y = row(
            p,
            y,
            "Source",
            &format!("{} ({})", r.source_name, r.source_kind),
            2,
        );
        y = row(p, y, "Nearest address", &r.nearest_address, 2);
        y = row(p, y, "Nearest intersection", &r.nearest_intersection, 1);
        row(
            p,
            y,
            "GPS coordinates",
            &format!("{} (latitude, longitude)", coords(r.lat, r.lon)),
            1,
        );

        let caption = |p: &mut Painter, x: f32, text: &str| {
            p.text_in(
                x,
                CLOSE_UP_MAP.y - 7.0,
                CLOSE_UP_MAP.w,
                Style::new(Face::Bold, 9.0, INK),
                text,
            );
        };
        caption(p, CLOSE_UP_MAP.x, "Street level");
        caption(p, OVERVIEW_MAP.x, "Overview, with the sightings near it");
        let (close, over) = self
            .maps
            .get(i)
            .map_or((None, None), |(c, o)| (c.as_ref(), o.as_ref()));
        for (rect, img) in [(CLOSE_UP_MAP, close), (OVERVIEW_MAP, over)] {
            match img {
                Some(img) => p.image(rect, img),
                None => p.note_frame(rect, self.map_note()),
            }
        }
        p.text_in(MARGIN, CLOSE_UP_MAP.bottom() + 11.0, CONTENT_W, Style::new(Face::Regular, 7.5, MUTED), &format!(
                "The large blue pin {} is this sighting; red pins are the others, numbered as in the table.",
                i + 1
            ));
        p.text_in(
            MARGIN,
            CLOSE_UP_MAP.bottom() + 21.0,
            CONTENT_W,
            Style::new(Face::Regular, 7.0, MUTED),
            &self.credit(),
        );
    }
}

fn photo(p: &mut Painter, frame: super::layout::PtRect, img: Option<&Image>, what: &str) {
    match img {
        Some(img) => p.image(frame, img),
        None => p.note_frame(frame, &format!("{what} not available.")),
    }
    p.text_in(
        frame.x,
        frame.bottom() + 10.0,
        frame.w,
        Style::new(Face::Regular, 7.5, MUTED),
        what,
    );
}
