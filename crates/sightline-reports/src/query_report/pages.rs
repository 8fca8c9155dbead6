//! The document: page 1 (the query and all sightings), the table pages,
//! one page per sighting, and the footer every page carries. Everything
//! here is already decoded and compressed; this only lays it out.

use super::ReportHeader;
use super::ReportRead;
use super::layout::{FOOTER_Y, MARGIN, PAGE_W, TABLE_ROWS, page_count, table_pages};
use super::paint::{MUTED, Painter, RULE, Style, a4_page, pdf_date, utc};
use super::text::{Face, Fonts};
use krilla::Document;
use krilla::image::Image;
use krilla::metadata::Metadata;

pub(crate) struct Doc {
    pub header: ReportHeader,
    pub reads: Vec<ReportRead>,
    pub summary: Option<Image>,
    /// Per read: (close-up, overview).
    pub maps: Vec<(Option<Image>, Option<Image>)>,
    /// Per read: (vehicle, plate).
    pub photos: Vec<(Option<Image>, Option<Image>)>,
    /// The base map's credit; `None` when there is no base map.
    pub attribution: Option<String>,
    /// Whether maps were asked for (false: a text-only report).
    pub maps_wanted: bool,
}

impl Doc {
    /// Why a map frame is empty.
    pub(crate) fn map_note(&self) -> &'static str {
        if !self.maps_wanted && self.attribution.is_some() {
            "Map left out of this text-only rendering."
        } else if self.attribution.is_none() {
            "No base map is configured, so no map is drawn."
        } else {
            "Map not available: the base map's tiles could not be read."
        }
    }

    /// The line under every map.
    pub(crate) fn credit(&self) -> String {
        match &self.attribution {
            Some(a) => format!("Base map: {a}"),
            None => "No base map".to_owned(),
        }
    }

    pub(crate) fn render(self) -> anyhow::Result<(Vec<u8>, usize)> {
        let fonts = Fonts::load()?;
        let n = self.reads.len();
        let total = page_count(n);
        let mut doc = Document::new();
        let g = self.header.generated_at.to_offset(time::UtcOffset::UTC);
        let stamp = pdf_date(time::PrimitiveDateTime::new(g.date(), g.time()));
        doc.set_metadata(
            Metadata::new()
                .title(format!(
                    "Sightline query {} ({}): {} ({})",
                    self.header.seq, self.header.log, self.header.plate, self.header.state
                ))
                .creator("Sightline".to_owned())
                .creation_date(stamp),
        );
        let mut number = 0;
        let mut page = |doc: &mut Document, draw: &mut dyn FnMut(&mut Painter)| {
            number += 1;
            a4_page(doc, &fonts, |p| {
                draw(p);
                self.footer(p, number, total);
            })
        };
        page(&mut doc, &mut |p| self.cover(p))?;
        for t in 0..table_pages(n) {
            let from = t * TABLE_ROWS;
            page(&mut doc, &mut |p| self.table(p, from))?;
        }
        for i in 0..n {
            page(&mut doc, &mut |p| self.sighting(p, i))?;
        }
        let pdf = doc
            .finish()
            .map_err(|e| anyhow::anyhow!("rendering the PDF: {e:?}"))?;
        Ok((pdf, total))
    }

    fn footer(&self, p: &mut Painter, number: usize, total: usize) {
        let h = &self.header;
        p.hline(MARGIN, PAGE_W - MARGIN, FOOTER_Y - 10.0, RULE);
        let left = format!(
            "Generated {} UTC · Sightline query report · {} ({}) · audit log {} entry {}",
            utc(h.generated_at),
            h.plate,
            h.state,
            h.log,
            h.seq
        );
        p.text_in(
            MARGIN,
            FOOTER_Y,
            PAGE_W - 2.0 * MARGIN - 70.0,
            Style::new(Face::Regular, 7.0, MUTED),
            &left,
        );
        p.text_right(
            PAGE_W - MARGIN,
            FOOTER_Y,
            Style::new(Face::Regular, 8.0, MUTED),
            &format!("Page {number} of {total}"),
        );
    }
}
