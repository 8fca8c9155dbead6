//! Oversight of the agency's own users (issue 16), as rules with no I/O:
//!
//! * the case-reference rule an agency (or one of its programs) sets: a
//!   case-number pattern shown to users by an example, a minimum length,
//!   and phrases too vague to audit ("investigation", "test", "n/a");
//! * the review sample: whether a query is drawn, from a random number the
//!   caller takes from the operating system;
//! * the misuse flags: deterministic tests over figures taken from the
//!   agency's own audit log (never from read data), each saying in words
//!   why it fired.
//!
//! None of these refuses a query except the case-reference rule; the flags
//! only route a query to a reviewer.

use crate::purpose::Violation;
use regex_automata::meta::Regex;

/// The phrases refused as a whole case reference unless an agency lists
/// its own: each names no case, so an auditor cannot tell one query's
/// purpose from another's.
pub const DEFAULT_VAGUE_PHRASES: &[&str] = &[
    "investigation",
    "investigations",
    "ongoing investigation",
    "criminal investigation",
    "active investigation",
    "ongoing",
    "test",
    "testing",
    "n/a",
    "na",
    "none",
    "nothing",
    "see case",
    "see case file",
    "see file",
    "see notes",
    "case",
    "lookup",
    "query",
    "check",
    "inquiry",
    "routine",
    "official business",
    "work",
    "per supervisor",
    "unknown",
    "tbd",
];

/// The longest pattern a manager may set: patterns name a case number's
/// shape, not a language.
pub const MAX_PATTERN_LEN: usize = 200;

/// A vague phrase as compared: lower case, single spaces, no punctuation
/// at either end ("N/A." and "  n/a" are "n/a").
pub fn normalise_phrase(s: &str) -> String {
    let words: Vec<&str> = s.split_whitespace().collect();
    let joined = words.join(" ").to_lowercase();
    joined
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_owned()
}

/// A case-reference rule, compiled once (the pattern) and checked per
/// query or alert entry.
#[derive(Debug, Clone)]
pub struct CaseReferenceRule {
    pattern: Option<(String, Regex)>,
    example: Option<String>,
    min_length: usize,
    vague: Vec<String>,
}

impl CaseReferenceRule {
    /// Compiles a rule. `field` prefixes the fields named in violations
    /// (`case_reference.agency`, `case_reference.programs.HSI`).
    pub fn new(
        pattern: Option<&str>,
        example: Option<&str>,
        min_length: usize,
        vague: &[String],
        field: &str,
    ) -> Result<Self, Vec<Violation>> {
        let mut errors = Vec::new();
        let pattern = pattern.map(str::trim).filter(|p| !p.is_empty());
        let example = example.map(str::trim).filter(|e| !e.is_empty());
        let compiled = match pattern {
            None => None,
            Some(p) if p.chars().count() > MAX_PATTERN_LEN => {
                errors.push(
                    Violation::new(
                        "pattern_invalid",
                        &format!("{field}.pattern"),
                        "the pattern is too long",
                    )
                    .accepting(format!("a pattern of at most {MAX_PATTERN_LEN} characters")),
                );
                None
            }
            Some(p) => match Regex::builder()
                .syntax(regex_automata::util::syntax::Config::new().case_insensitive(false))
                .configure(Regex::config().nfa_size_limit(Some(1 << 20)))
                .build(p)
            {
                Ok(r) => Some((p.to_owned(), r)),
                Err(e) => {
                    errors.push(
                        Violation::new(
                            "pattern_invalid",
                            &format!("{field}.pattern"),
                            format!(
                                "the pattern is not a regular expression Sightline can use: {e}"
                            ),
                        )
                        .accepting(r"a regular expression such as ^(HSI|ERO)-\d{4}-\d{6}$"),
                    );
                    None
                }
            },
        };
        if compiled.is_some() && example.is_none() {
            errors.push(
                Violation::new(
                    "example_required",
                    &format!("{field}.example"),
                    "users are shown an example, not the pattern: give one",
                )
                .accepting("a case reference the pattern accepts, e.g. HSI-2026-000123"),
            );
        }
        if min_length > 200 {
            errors.push(
                Violation::new(
                    "min_length_invalid",
                    &format!("{field}.min_length"),
                    "a minimum length above the field's own maximum can never be met",
                )
                .accepting("0 to 200"),
            );
        }
        let vague: Vec<String> = vague
            .iter()
            .map(|v| normalise_phrase(v))
            .filter(|v| !v.is_empty())
            .collect();
        let rule = Self {
            pattern: compiled,
            example: example.map(str::to_owned),
            min_length,
            vague,
        };
        if let (Some(ex), true) = (example, errors.is_empty())
            && let Err(v) = rule.check(ex)
        {
            errors.push(
                Violation::new(
                    "example_refused",
                    &format!("{field}.example"),
                    format!("the example breaks the rule itself: {}", v.message),
                )
                .accepting("an example the pattern, the minimum length and the phrases accept"),
            );
        }
        if errors.is_empty() {
            Ok(rule)
        } else {
            Err(errors)
        }
    }

    pub fn example(&self) -> Option<&str> {
        self.example.as_deref()
    }

    pub fn min_length(&self) -> usize {
        self.min_length
    }

    pub fn pattern(&self) -> Option<&str> {
        self.pattern.as_ref().map(|(p, _)| p.as_str())
    }

    pub fn vague_phrases(&self) -> &[String] {
        &self.vague
    }

    /// What the rule accepts, in words for a person.
    pub fn accepted(&self) -> String {
        let mut parts = Vec::new();
        if let Some(ex) = &self.example {
            parts.push(format!("a case number like {ex}"));
        }
        if self.min_length > 0 {
            parts.push(format!("at least {} characters", self.min_length));
        }
        parts.push("naming the case, not a word like \"investigation\"".to_owned());
        parts.join(", ")
    }

    /// Checks one case reference (already trimmed and non-empty by the
    /// purpose check). The first rule broken is returned: vague, short,
    /// then format, so a person fixes the most basic thing first.
    pub fn check(&self, text: &str) -> Result<(), Violation> {
        self.check_field(text, "case_reference")
    }

    /// Like [`check`](Self::check), naming another field at fault (an
    /// alert entry's `note`).
    pub fn check_field(&self, text: &str, field: &str) -> Result<(), Violation> {
        let text = text.trim();
        let norm = normalise_phrase(text);
        if self.vague.contains(&norm) {
            return Err(Violation::new(
                "case_reference_vague",
                field,
                format!(
                    "\"{}\" does not say which case: your agency requires the case it belongs to",
                    text.chars().take(40).collect::<String>()
                ),
            )
            .accepting(self.accepted()));
        }
        if text.chars().count() < self.min_length {
            return Err(Violation::new(
                "case_reference_too_short",
                field,
                format!(
                    "your agency requires a case reference of at least {} characters",
                    self.min_length
                ),
            )
            .accepting(self.accepted()));
        }
        if let Some((_, re)) = &self.pattern
            && !re.is_match(text)
        {
            let ex = self
                .example
                .as_deref()
                .unwrap_or("your agency's case number");
            return Err(Violation::new(
                "case_reference_format",
                field,
                format!("your agency requires a case number in the form of {ex}"),
            )
            .accepting(self.accepted()));
        }
        Ok(())
    }
}

/// Whether a query is drawn for review: `roll` is uniform over `u32` (from
/// the operating system's generator), `share_ppm` the share in parts per
/// million. The draw does not depend on the query at all.
pub fn drawn(share_ppm: u32, roll: u32) -> bool {
    let threshold = (u64::from(share_ppm.min(1_000_000)) << 32) / 1_000_000;
    u64::from(roll) < threshold
}

/// The median of daily counts (the mean of the middle two for an even
/// number); 0 for none.
pub fn median(counts: &[i64]) -> f64 {
    let mut v = counts.to_vec();
    v.sort_unstable();
    let n = v.len();
    if n == 0 {
        return 0.0;
    }
    let mid = |i: usize| v.get(i).copied().unwrap_or_default() as f64;
    if n % 2 == 1 {
        mid(n / 2)
    } else {
        (mid(n / 2 - 1) + mid(n / 2)) / 2.0
    }
}

/// `daily_volume`: today's count (this query included) above `multiple` ×
/// the median of the user's active days in the last 30, once they have
/// `min_days` such days and today reaches `min_count`.
pub fn daily_volume(
    today: i64,
    history: &[i64],
    multiple: f64,
    min_days: usize,
    min_count: i64,
) -> Option<String> {
    let active: Vec<i64> = history.iter().copied().filter(|n| *n > 0).collect();
    if active.len() < min_days || today < min_count {
        return None;
    }
    let m = median(&active);
    (today as f64 > multiple * m).then(|| {
        format!(
            "{today} queries today, more than {multiple} times this user's median of {m} a day over their last {} active days in 30",
            active.len()
        )
    })
}

/// `off_hours`: the hour of this query (in the agency's time zone) and
/// the hours either side together held under `min_share_pct` % of the
/// user's own queries in the lookback, once they have `min_history`.
pub fn off_hours(
    hour: usize,
    histogram: &[i64; 24],
    min_history: i64,
    min_share_pct: f64,
) -> Option<String> {
    let total: i64 = histogram.iter().sum();
    if total < min_history {
        return None;
    }
    let at = |h: usize| histogram.get(h % 24).copied().unwrap_or_default();
    let near = at(hour + 23) + at(hour) + at(hour + 1);
    let share = near as f64 * 100.0 / total as f64;
    (share < min_share_pct).then(|| {
        format!(
            "run at {hour:02}:00-{hour:02}:59 local time, when this user ran {near} of their last {total} queries within an hour of it ({share:.1} %, under {min_share_pct} %)"
        )
    })
}

/// `case_spread`: distinct plates queried under one case reference in the
/// agency within the window (this query included).
pub fn case_spread(distinct_plates: i64, threshold: i64, window_minutes: i64) -> Option<String> {
    (distinct_plates >= threshold).then(|| {
        format!(
            "{distinct_plates} different plates were queried under this case reference within {window_minutes} minutes (the agency's threshold is {threshold})"
        )
    })
}

/// `repeat_no_hit`: the user queried the same plate `count` times (this
/// query included) with no hit, the first of them `span_days` ago.
pub fn repeat_no_hit(
    count: i64,
    any_hit: bool,
    span_days: i64,
    min_queries: i64,
    min_span_days: i64,
) -> Option<String> {
    (!any_hit && count >= min_queries && span_days >= min_span_days).then(|| {
        format!(
            "this user queried the same plate {count} times over {span_days} days and none of the queries found a read"
        )
    })
}

/// `after_login_storm`: failed logons on this account within the window
/// before the query.
pub fn after_login_storm(failures: i64, threshold: i64, window_minutes: i64) -> Option<String> {
    (failures >= threshold).then(|| {
        format!(
            "run {window_minutes} minutes or less after {failures} failed logons on this account"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> CaseReferenceRule {
        let vague: Vec<String> = DEFAULT_VAGUE_PHRASES
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        CaseReferenceRule::new(
            Some(r"^(HSI|ERO)-\d{4}-\d{6}$"),
            Some("HSI-2026-000123"),
            10,
            &vague,
            "case_reference.agency",
        )
        .unwrap()
    }

    #[test]
    fn distinct_codes() {
        let r = rule();
        assert_eq!(
            r.check("Investigation.").unwrap_err().code,
            "case_reference_vague"
        );
        assert_eq!(r.check(" N/A ").unwrap_err().code, "case_reference_vague");
        assert_eq!(
            r.check("HSI-1").unwrap_err().code,
            "case_reference_too_short"
        );
        assert_eq!(
            r.check("HSI-26-0001234").unwrap_err().code,
            "case_reference_format"
        );
        assert!(r.check("HSI-2026-000123").is_ok());
        assert!(r.check("ERO-2025-999999").is_ok());
    }

    #[test]
    fn bad_patterns_and_examples_are_refused() {
        let e = CaseReferenceRule::new(Some("(unclosed"), Some("x"), 0, &[], "p").unwrap_err();
        assert_eq!(e[0].code, "pattern_invalid");
        assert_eq!(e[0].field, "p.pattern");
        let e = CaseReferenceRule::new(Some(r"^\d+$"), Some("abc"), 0, &[], "p").unwrap_err();
        assert_eq!(e[0].code, "example_refused");
        let e = CaseReferenceRule::new(Some(r"^\d+$"), None, 0, &[], "p").unwrap_err();
        assert_eq!(e[0].code, "example_required");
    }

    #[test]
    fn draw_share() {
        assert!(!drawn(0, 0));
        assert!(drawn(1_000_000, u32::MAX));
        assert!(drawn(50_000, 0));
        assert!(!drawn(50_000, u32::MAX / 10));
    }

    #[test]
    fn flags_fire_and_stay_silent() {
        assert!(daily_volume(40, &[5, 6, 4, 5, 7, 5, 6, 4, 5, 6], 3.0, 10, 10).is_some());
        assert!(daily_volume(12, &[5, 6, 4, 5, 7, 5, 6, 4, 5, 6], 3.0, 10, 10).is_none());
        assert!(daily_volume(40, &[5, 6], 3.0, 10, 10).is_none());
        let mut h = [0i64; 24];
        h[9] = 30;
        h[10] = 30;
        h[14] = 20;
        assert!(off_hours(3, &h, 50, 2.0).is_some());
        assert!(off_hours(11, &h, 50, 2.0).is_none());
        assert!(repeat_no_hit(5, false, 20, 4, 14).is_some());
        assert!(repeat_no_hit(5, true, 20, 4, 14).is_none());
        assert!(case_spread(12, 10, 60).is_some());
        assert!(after_login_storm(2, 3, 30).is_none());
    }
}
