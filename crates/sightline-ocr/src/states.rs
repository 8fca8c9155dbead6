//! US states as a plate shows them: the name, the slogans and web
//! addresses printed on it, and the serial formats of its standard
//! passenger plate.
//!
//! Sources (public facts, written out here by hand): the state names and
//! USPS codes; the slogans and addresses on current standard-issue plates
//! as each state's motor-vehicle agency shows them; the serial formats as
//! listed for each state's current standard passenger series in the
//! Wikipedia articles "Vehicle registration plates of <state>" (read in
//! 2026). A state appears in [`FORMATS`] only where one or two formats cover
//! its standard series; elsewhere no character is ever changed for it.

/// `(code, name, phrases)`: phrases are printed on the state's plates
/// (slogans, web addresses), lower case, letters, digits and spaces only.
pub const STATES: &[(&str, &str, &[&str])] = &[
    ("AL", "alabama", &["sweet home alabama", "heart of dixie"]),
    (
        "AK",
        "alaska",
        &["north to the future", "the last frontier"],
    ),
    ("AZ", "arizona", &["grand canyon state"]),
    ("AR", "arkansas", &["the natural state"]),
    ("CA", "california", &["dmv ca gov", "dmvcagov"]),
    ("CO", "colorado", &["colorful colorado"]),
    ("CT", "connecticut", &["constitution state"]),
    ("DE", "delaware", &["the first state"]),
    (
        "DC",
        "district of columbia",
        &["taxation without representation", "washington dc"],
    ),
    (
        "FL",
        "florida",
        &["sunshine state", "myflorida com", "myfloridacom"],
    ),
    ("GA", "georgia", &["peach state"]),
    ("HI", "hawaii", &["aloha state"]),
    ("ID", "idaho", &["famous potatoes", "scenic idaho"]),
    ("IL", "illinois", &["land of lincoln"]),
    ("IN", "indiana", &["crossroads of america"]),
    ("IA", "iowa", &[]),
    ("KS", "kansas", &[]),
    ("KY", "kentucky", &["unbridled spirit"]),
    ("LA", "louisiana", &["sportsmans paradise"]),
    ("ME", "maine", &["vacationland"]),
    ("MD", "maryland", &[]),
    ("MA", "massachusetts", &["the spirit of america"]),
    (
        "MI",
        "michigan",
        &["pure michigan", "great lakes state", "great lakes"],
    ),
    ("MN", "minnesota", &["10000 lakes", "explore minnesota"]),
    ("MS", "mississippi", &["magnolia state"]),
    ("MO", "missouri", &["show me state"]),
    ("MT", "montana", &["big sky country", "treasure state"]),
    ("NE", "nebraska", &["the good life"]),
    ("NV", "nevada", &["the silver state", "home means nevada"]),
    ("NH", "new hampshire", &["live free or die"]),
    ("NJ", "new jersey", &["garden state"]),
    ("NM", "new mexico", &["land of enchantment"]),
    ("NY", "new york", &["empire state", "excelsior"]),
    (
        "NC",
        "north carolina",
        &["first in flight", "first in freedom"],
    ),
    ("ND", "north dakota", &["peace garden state", "legendary"]),
    ("OH", "ohio", &["birthplace of aviation"]),
    ("OK", "oklahoma", &["native america"]),
    ("OR", "oregon", &["pacific wonderland"]),
    (
        "PA",
        "pennsylvania",
        &["visitpa com", "visitpacom", "keystone state"],
    ),
    ("RI", "rhode island", &["ocean state"]),
    ("SC", "south carolina", &["while i breathe i hope"]),
    (
        "SD",
        "south dakota",
        &["great faces great places", "mount rushmore"],
    ),
    ("TN", "tennessee", &["volunteer state", "tngov"]),
    ("TX", "texas", &["the lone star state", "lone star state"]),
    ("UT", "utah", &["life elevated", "greatest snow on earth"]),
    ("VT", "vermont", &["green mountain state"]),
    ("VA", "virginia", &["virginia is for lovers"]),
    ("WA", "washington", &["evergreen state"]),
    ("WV", "west virginia", &["wild wonderful", "almost heaven"]),
    ("WI", "wisconsin", &["americas dairyland"]),
    ("WY", "wyoming", &["forever west"]),
];

/// Standard passenger serial formats: `L` a letter, `D` a digit.
pub const FORMATS: &[(&str, &[&str])] = &[
    ("AK", &["LLLDDD"]),
    ("AZ", &["LLLDDDD"]),
    ("CA", &["DLLLDDD"]),
    ("CT", &["LLDDDDD"]),
    ("DC", &["LLDDDD"]),
    ("DE", &["DDDDDD"]),
    ("FL", &["LLLLDD"]),
    ("GA", &["LLLDDDD"]),
    ("IA", &["LLLDDD"]),
    ("IL", &["LLDDDDD"]),
    ("IN", &["DDDLLL"]),
    ("KS", &["DDDLLL"]),
    ("LA", &["DDDLLL"]),
    ("MA", &["DLLLDD", "DLLDDD"]),
    ("ME", &["DDDDLL"]),
    ("MI", &["LLLDDDD"]),
    ("MN", &["LLLDDD", "DDDLLL"]),
    ("MO", &["LLDLDL"]),
    ("NC", &["LLLDDDD"]),
    ("NH", &["DDDDDDD"]),
    ("NJ", &["LDDLLL"]),
    ("NY", &["LLLDDDD"]),
    ("OH", &["LLLDDDD"]),
    ("OK", &["LLLDDD"]),
    ("PA", &["LLLDDDD"]),
    ("SC", &["LLLDDD"]),
    ("TX", &["LLLDDDD"]),
    ("UT", &["LDDDLL"]),
    ("VA", &["LLLDDDD"]),
    ("VT", &["LLLDDD"]),
    ("WA", &["LLLDDDD"]),
    ("WI", &["LLLDDDD"]),
];

/// The state a line of text names, with how sure the match is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StateMatch {
    pub code: &'static str,
    pub score: f32,
    /// Letters of the line the match used: a longer match wins a tie, so
    /// "West Virginia" is not read as Virginia.
    pub span: usize,
}

/// Letters and digits, lower case, words split by single spaces.
pub fn words(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if c == '\'' {
            // "Sportsman's": the apostrophe joins, it does not split.
        } else if !out.ends_with(' ') && !out.is_empty() {
            out.push(' ');
        }
    }
    out.trim_end().to_string()
}

/// Which state, if any, a line of text printed on a plate names.
pub fn state_in(text: &str) -> Option<StateMatch> {
    let line = words(text);
    if line.len() < 4 {
        return None;
    }
    let mut best: Option<StateMatch> = None;
    for &(code, name, phrases) in STATES {
        let candidates = std::iter::once((name, 1.0f32)).chain(phrases.iter().map(|p| (*p, 0.9)));
        for (phrase, weight) in candidates {
            let Some(quality) = fuzzy_find(&line, phrase) else {
                continue;
            };
            let found = StateMatch {
                code,
                score: weight * quality,
                span: phrase.len(),
            };
            let better = best.is_none_or(|b| {
                (found.span > b.span && found.score >= b.score - 0.15)
                    || found.score > b.score + 0.15
            });
            if better {
                best = Some(found);
            }
        }
    }
    best
}

/// How well `phrase` occurs in `line` at word boundaries: 1 for an exact
/// occurrence, less for one or two edits, `None` for none.
fn fuzzy_find(line: &str, phrase: &str) -> Option<f32> {
    let allowed = match phrase.len() {
        0..=4 => 0,
        5..=7 => 1,
        _ => 2,
    };
    let squeezed_line: String = line.chars().filter(|c| *c != ' ').collect();
    let squeezed_phrase: String = phrase.chars().filter(|c| *c != ' ').collect();
    let words: Vec<&str> = line.split(' ').collect();
    let phrase_words = phrase.split(' ').count();
    let mut best: Option<usize> = None;
    // Windows of as many words as the phrase has, give or take one (OCR
    // joins and splits words).
    for n in phrase_words.saturating_sub(1).max(1)..=phrase_words + 1 {
        for window in words.windows(n.min(words.len()).max(1)) {
            let joined: String = window.concat();
            let d = levenshtein(&joined, &squeezed_phrase);
            best = Some(best.map_or(d, |b| b.min(d)));
        }
    }
    // A long phrase may also run into its neighbours without spaces.
    if squeezed_phrase.len() >= 8 && squeezed_line.contains(&squeezed_phrase) {
        best = Some(0);
    }
    best.filter(|&d| d <= allowed)
        .map(|d| 1.0 - d as f32 / (squeezed_phrase.len() as f32).max(1.0) * 2.0)
}

pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        if let Some(first) = cur.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = sub.min(del).min(ins);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().unwrap_or(0)
}

/// The formats of `state`'s standard plates, empty when not listed.
pub fn formats(state: &str) -> &'static [&'static str] {
    FORMATS
        .iter()
        .find(|(code, _)| *code == state)
        .map_or(&[], |(_, f)| *f)
}

pub fn fits(plate: &str, format: &str) -> bool {
    plate.len() == format.len()
        && plate.bytes().zip(format.bytes()).all(|(c, f)| match f {
            b'L' => c.is_ascii_uppercase(),
            b'D' => c.is_ascii_digit(),
            _ => c == f,
        })
}

/// Look-alike pairs: (letter, digit).
const LOOKALIKES: &[(u8, u8)] = &[
    (b'O', b'0'),
    (b'D', b'0'),
    (b'Q', b'0'),
    (b'I', b'1'),
    (b'B', b'8'),
    (b'S', b'5'),
    (b'Z', b'2'),
    (b'G', b'6'),
];

/// The plate with look-alike characters swapped where `state`'s formats
/// demand a letter or a digit, when exactly one reading of all its formats
/// results. `None` when the plate already fits, the state has no listed
/// format, or the formats do not decide.
pub fn fix_lookalikes(plate: &str, state: &str) -> Option<String> {
    let formats = formats(state);
    if formats.iter().any(|f| fits(plate, f)) {
        return None;
    }
    let mut fixed: Vec<String> = formats
        .iter()
        .filter_map(|f| {
            let bytes: Option<Vec<u8>> = plate
                .bytes()
                .zip(f.bytes())
                .map(|(c, want)| match want {
                    b'L' if c.is_ascii_digit() => {
                        LOOKALIKES.iter().find(|(_, d)| *d == c).map(|(l, _)| *l)
                    }
                    b'D' if c.is_ascii_uppercase() => {
                        // O is 0 before D and Q are.
                        LOOKALIKES.iter().find(|(l, _)| *l == c).map(|(_, d)| *d)
                    }
                    _ => Some(c),
                })
                .collect();
            let s = String::from_utf8(bytes?).ok()?;
            (plate.len() == f.len() && fits(&s, f)).then_some(s)
        })
        .collect();
    fixed.sort();
    fixed.dedup();
    match fixed.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_slogans_and_addresses_name_their_state() {
        assert_eq!(state_in("California").map(|m| m.code), Some("CA"));
        assert_eq!(state_in("dmv.ca.gov").map(|m| m.code), Some("CA"));
        assert_eq!(state_in("Land of Lincoln").map(|m| m.code), Some("IL"));
        assert_eq!(state_in("LIVE FREE OR DIE").map(|m| m.code), Some("NH"));
        assert_eq!(state_in("Sunshine State").map(|m| m.code), Some("FL"));
        assert_eq!(state_in("visitPA.com").map(|m| m.code), Some("PA"));
        assert_eq!(state_in("Sportsman's Paradise").map(|m| m.code), Some("LA"));
    }

    #[test]
    fn a_misread_name_still_matches_but_an_unrelated_word_does_not() {
        assert_eq!(state_in("CALIF0RNIA").map(|m| m.code), Some("CA"));
        assert_eq!(state_in("Pennsylvana").map(|m| m.code), Some("PA"));
        assert_eq!(
            state_in("TEXA5").map(|m| m.code),
            Some("TX"),
            "five letters allow one edit"
        );
        assert_eq!(state_in("Iowa").map(|m| m.code), Some("IA"));
        assert_eq!(
            state_in("Iova").map(|m| m.code),
            None,
            "four letters allow none"
        );
        assert_eq!(state_in("Dealer"), None);
        assert_eq!(state_in("7ABC123"), None);
        assert_eq!(state_in("OK"), None, "a bare code is too short to trust");
    }

    #[test]
    fn the_longer_name_wins_where_one_contains_another() {
        assert_eq!(state_in("West Virginia").map(|m| m.code), Some("WV"));
        assert_eq!(state_in("Virginia").map(|m| m.code), Some("VA"));
        assert_eq!(state_in("Arkansas").map(|m| m.code), Some("AR"));
        assert_eq!(state_in("Kansas").map(|m| m.code), Some("KS"));
    }

    #[test]
    fn lookalikes_are_fixed_only_where_the_state_decides() {
        // California is digit, three letters, three digits.
        assert_eq!(fix_lookalikes("7A8C1Z3", "CA").as_deref(), Some("7ABC123"));
        assert_eq!(fix_lookalikes("IABC123", "CA").as_deref(), Some("1ABC123"));
        // Already fits: nothing to do.
        assert_eq!(fix_lookalikes("7ABC123", "CA"), None);
        // New York is three letters then four digits.
        assert_eq!(fix_lookalikes("A8CI234", "NY").as_deref(), Some("ABC1234"));
        assert_eq!(fix_lookalikes("ABCO234", "NY").as_deref(), Some("ABC0234"));
        // No listed format, or the wrong length: never changed.
        assert_eq!(fix_lookalikes("ABC0234", "ID"), None);
        assert_eq!(fix_lookalikes("A8C12", "NY"), None);
        // A letter with no digit look-alike where a digit is needed: undecided.
        assert_eq!(fix_lookalikes("ABCX234", "NY"), None);
    }

    #[test]
    fn every_format_belongs_to_a_listed_state() {
        for (code, formats) in FORMATS {
            assert!(STATES.iter().any(|(c, _, _)| c == code), "{code}");
            assert!(
                formats
                    .iter()
                    .all(|f| f.bytes().all(|b| b == b'L' || b == b'D'))
            );
        }
    }
}
