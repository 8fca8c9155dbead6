//! Plate numbers as states issue them: one format per jurisdiction, and the
//! national mix of registration states used for out-of-area vehicles.

use crate::prng::Rng;

/// `(code, format, relative registrations)`. In a format `L` is a letter
/// (I, O and Q excluded, as most states do), `D` a digit, `N` a digit 1-9;
/// a space or dash is kept for display and dropped by `Plate::parse`.
/// The weights are roughly registered vehicles in millions.
const FORMATS: &[(&str, &str, f64)] = &[
    ("AL", "DDL DDDD", 5.1),
    ("AK", "LLL DDD", 0.7),
    ("AZ", "LLL DDDD", 7.4),
    ("AR", "DDD LLL", 3.0),
    ("CA", "NLLLDDD", 39.0),
    ("CO", "LLL-DDD", 5.8),
    ("CT", "LL-DDDDD", 3.6),
    ("DE", "NDDDDD", 1.0),
    ("FL", "LLLL DD", 22.0),
    ("GA", "LLL DDDD", 11.0),
    ("HI", "LLL DDD", 1.4),
    ("ID", "NL DDDDD", 1.9),
    ("IL", "LL DDDDD", 12.5),
    ("IN", "DDDLLL", 6.8),
    ("IA", "LLL DDD", 3.2),
    ("KS", "DDD LLL", 2.9),
    ("KY", "DDD LLL", 4.5),
    ("LA", "DDD LLL", 4.6),
    ("ME", "DDDD LL", 1.4),
    ("MD", "NLL DDDD", 6.2),
    ("MA", "NLLL DD", 7.0),
    ("MI", "LLL DDDD", 10.0),
    ("MN", "LLL-DDD", 5.7),
    ("MS", "LLL DDDD", 2.9),
    ("MO", "LLD LDL", 6.2),
    ("MT", "N-DDDDDL", 1.1),
    ("NE", "LLL DDD", 2.0),
    ("NV", "DDD LDD", 3.2),
    ("NH", "DDD DDDD", 1.4),
    ("NJ", "LDDLLL", 9.3),
    ("NM", "LLL DDD", 2.1),
    ("NY", "LLL-DDDD", 20.0),
    ("NC", "LLL-DDDD", 10.7),
    ("ND", "DDD LLL", 0.8),
    ("OH", "LLL DDDD", 11.8),
    ("OK", "LLL-DDD", 4.0),
    ("OR", "DDD LLL", 4.2),
    ("PA", "LLL-DDDD", 13.0),
    ("RI", "NDDDDD", 1.1),
    ("SC", "LLL DDD", 5.3),
    ("SD", "NLL DDD", 0.9),
    ("TN", "LLL-DDDD", 7.0),
    ("TX", "LLL-DDDD", 30.0),
    ("UT", "LDDD LL", 3.4),
    ("VT", "LLL DDD", 0.6),
    ("VA", "LLL-DDDD", 8.7),
    ("WA", "LLL DDDD", 7.8),
    ("WV", "NLL DDD", 1.8),
    ("WI", "LLL-DDDD", 5.9),
    ("WY", "N-DDDDD", 0.6),
    ("DC", "LL-DDDD", 0.7),
];

/// Letters used on plates: no I, O or Q, which read as 1 and 0.
const LETTERS: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ";

/// The display format of a jurisdiction's standard passenger plate.
pub fn format_for(code: &str) -> &'static str {
    FORMATS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map_or("LLL DDDD", |(_, f, _)| f)
}

/// Every jurisdiction with a format and its national weight.
pub(crate) fn national() -> impl Iterator<Item = (&'static str, f64)> {
    FORMATS.iter().map(|(c, _, w)| (*c, *w))
}

/// A plate number in `code`'s format, as it would be written on the plate
/// (with its space or dash).
pub fn random_plate(code: &str, rng: &mut Rng) -> String {
    format_for(code)
        .bytes()
        .map(|f| match f {
            b'L' => char::from(
                LETTERS
                    .get(rng.below(LETTERS.len()))
                    .copied()
                    .unwrap_or(b'A'),
            ),
            b'D' => char::from(b'0' + (rng.below(10) as u8)),
            b'N' => char::from(b'1' + (rng.below(9) as u8)),
            other => char::from(other),
        })
        .collect()
}

/// Whether a generated plate could be mistaken for a story plate or one of
/// its near misses: those are placed on purpose only (see `story`).
pub(crate) fn reserved(normalized: &str) -> bool {
    normalized.starts_with("ABC") || normalized.contains("XYZ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use sightline_core::{Jurisdiction, Plate};

    #[test]
    fn every_format_parses_and_names_a_real_jurisdiction() {
        let mut rng = Rng::new(9);
        for (code, _, _) in FORMATS {
            assert!(Jurisdiction::parse(code).is_ok(), "{code}");
            for _ in 0..200 {
                let raw = random_plate(code, &mut rng);
                let p = Plate::parse(&raw).unwrap();
                assert!(p.as_str().len() >= 5, "{raw}");
            }
        }
        assert!(FORMATS.len() >= 51);
    }

    #[test]
    fn formats_look_like_the_state() {
        let mut rng = Rng::new(1);
        let ca = random_plate("CA", &mut rng);
        assert!(ca.chars().next().unwrap().is_ascii_digit());
        assert_eq!(ca.len(), 7);
        let pa = random_plate("PA", &mut rng);
        assert_eq!(pa.len(), 8);
        assert_eq!(pa.chars().nth(3), Some('-'));
        assert!(reserved("XYZ1235") && reserved("ABC1234") && !reserved("ABD1234"));
    }
}
