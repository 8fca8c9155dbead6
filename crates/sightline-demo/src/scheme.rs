//! Plate colour schemes, loosely after each state's standard plate.

use sightline_core::Jurisdiction;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Scheme {
    pub background: [u8; 3],
    pub text: [u8; 3],
    /// Band behind the state name, if the plate has one.
    pub header_band: Option<[u8; 3]>,
    pub header_text: [u8; 3],
    pub footer_band: Option<[u8; 3]>,
    pub footer_text: [u8; 3],
    pub slogan: &'static str,
}

const WHITE: [u8; 3] = [248, 248, 244];
const NAVY: [u8; 3] = [22, 44, 112];
const BLACK: [u8; 3] = [24, 24, 28];
const RED: [u8; 3] = [186, 32, 40];
const MAROON: [u8; 3] = [122, 24, 34];
const GREEN: [u8; 3] = [22, 104, 58];
const GOLD: [u8; 3] = [236, 188, 64];

const fn plain(text: [u8; 3], header: [u8; 3], slogan: &'static str) -> Scheme {
    Scheme {
        background: WHITE,
        text,
        header_band: None,
        header_text: header,
        footer_band: None,
        footer_text: text,
        slogan,
    }
}

pub fn scheme_for(j: Jurisdiction) -> Scheme {
    match j.code() {
        "PA" => Scheme {
            header_band: Some(NAVY),
            header_text: WHITE,
            footer_band: Some(GOLD),
            footer_text: NAVY,
            ..plain(NAVY, WHITE, "VISITPA.COM")
        },
        "NY" => Scheme {
            background: [240, 200, 84],
            ..plain(NAVY, NAVY, "EMPIRE STATE")
        },
        "NJ" => Scheme {
            background: [240, 228, 166],
            ..plain(BLACK, BLACK, "GARDEN STATE")
        },
        "DE" => Scheme {
            background: [28, 46, 96],
            ..plain(GOLD, GOLD, "THE FIRST STATE")
        },
        "CA" => plain(NAVY, RED, "DMV.CA.GOV"),
        "TX" => plain(BLACK, BLACK, "THE LONE STAR STATE"),
        "FL" => Scheme {
            footer_text: [222, 110, 30],
            ..plain(GREEN, GREEN, "SUNSHINE STATE")
        },
        "WI" => plain(NAVY, RED, "AMERICA'S DAIRYLAND"),
        "MN" => plain(NAVY, NAVY, "10,000 LAKES"),
        "IL" => plain(MAROON, NAVY, "LAND OF LINCOLN"),
        "MD" => plain(BLACK, RED, "MARYLAND"),
        "DC" => plain(RED, RED, "TAXATION W/O REPRESENTATION"),
        "VA" => plain(NAVY, NAVY, "VIRGINIA IS FOR LOVERS"),
        "MA" => plain(MAROON, MAROON, "THE SPIRIT OF AMERICA"),
        "NH" => plain(GREEN, GREEN, "LIVE FREE OR DIE"),
        "AZ" => Scheme {
            background: [240, 226, 200],
            ..plain(MAROON, MAROON, "GRAND CANYON STATE")
        },
        "GA" => plain(BLACK, BLACK, "PEACH STATE"),
        "MI" => Scheme {
            background: [30, 30, 36],
            ..plain(WHITE, WHITE, "PURE MICHIGAN")
        },
        "OH" => plain(NAVY, RED, "BIRTHPLACE OF AVIATION"),
        "CO" => Scheme {
            background: [232, 240, 236],
            ..plain(GREEN, GREEN, "")
        },
        "WA" => plain(NAVY, NAVY, "EVERGREEN STATE"),
        "NC" => plain(NAVY, RED, "FIRST IN FLIGHT"),
        "TN" => Scheme {
            background: [220, 232, 244],
            ..plain(NAVY, NAVY, "TNVACATION.COM")
        },
        "LA" => plain(NAVY, RED, "SPORTSMAN'S PARADISE"),
        "KY" => plain(NAVY, NAVY, "KENTUCKY"),
        code => {
            let h = code.bytes().fold(0u32, |a, b| a * 31 + u32::from(b));
            let (text, header) = match h % 4 {
                0 => (NAVY, NAVY),
                1 => (BLACK, RED),
                2 => (GREEN, GREEN),
                _ => (MAROON, NAVY),
            };
            plain(text, header, "")
        }
    }
}
