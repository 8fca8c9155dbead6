//! An agency's time zone and the calendar quarters reckoned in it (R5.5).
//!
//! [`AgencyZone`] is an IANA zone name checked against the time zone
//! database compiled into the binary (jiff's bundled tzdb), so a report
//! reads the same on every host whatever `/usr/share/zoneinfo` holds or
//! lacks. [`Quarter`] is `2026Q3`; its bounds are local midnights in the
//! agency's zone. Nothing here reads the clock.

use crate::purpose::Violation;
use std::fmt;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// What the `time_zone` field accepts, for error messages.
pub const ZONE_ACCEPTED: &str = "an IANA time zone name, e.g. America/New_York, America/Chicago, America/Denver, \
     America/Los_Angeles or UTC";

/// The zones the operator's onboarding form offers: the United States'
/// and UTC. Any other IANA name is accepted too.
pub const US_ZONES: [(&str, &str); 13] = [
    ("America/New_York", "Eastern"),
    ("America/Chicago", "Central"),
    ("America/Denver", "Mountain"),
    ("America/Phoenix", "Mountain, no daylight saving (Arizona)"),
    ("America/Los_Angeles", "Pacific"),
    ("America/Anchorage", "Alaska"),
    ("Pacific/Honolulu", "Hawaii"),
    (
        "America/Puerto_Rico",
        "Atlantic (Puerto Rico, US Virgin Islands)",
    ),
    ("Pacific/Guam", "Chamorro (Guam, Northern Mariana Islands)"),
    ("Pacific/Pago_Pago", "Samoa (American Samoa)"),
    ("America/Indiana/Indianapolis", "Eastern (Indiana)"),
    ("America/Detroit", "Eastern (Michigan)"),
    ("UTC", "Coordinated Universal Time"),
];

/// An IANA time zone that the bundled database knows. Only [`parse`]
/// makes one, so a stored or configured zone name is always usable.
///
/// [`parse`]: AgencyZone::parse
#[derive(Clone)]
pub struct AgencyZone {
    /// The database's own spelling of the name.
    name: String,
    tz: jiff::tz::TimeZone,
}

impl fmt::Debug for AgencyZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AgencyZone").field(&self.name).finish()
    }
}

impl PartialEq for AgencyZone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for AgencyZone {}

fn zone_violation(code: &str, message: String) -> Violation {
    Violation::new(code, "time_zone", message).accepting(ZONE_ACCEPTED)
}

impl AgencyZone {
    /// UTC, the zone of agencies that never chose one.
    pub fn utc() -> Self {
        Self {
            name: "UTC".to_owned(),
            tz: jiff::tz::TimeZone::UTC,
        }
    }

    /// An IANA name (`America/New_York`; the case is forgiven). Fixed
    /// offsets and POSIX rules are refused: a zone follows its region's
    /// daylight-saving changes, an offset does not.
    pub fn parse(raw: &str) -> Result<Self, Violation> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(zone_violation(
                "time_zone_required",
                "the agency needs a time zone".into(),
            ));
        }
        let unknown = || {
            zone_violation(
                "time_zone_unknown",
                format!(
                    "'{}' is not a time zone Sightline knows",
                    name.chars().take(64).collect::<String>()
                ),
            )
        };
        if name.len() > 64 || name.eq_ignore_ascii_case("etc/unknown") {
            return Err(unknown());
        }
        let tz = jiff::tz::TimeZone::get(name).map_err(|_| unknown())?;
        let canonical = tz.iana_name().ok_or_else(unknown)?.to_owned();
        Ok(Self {
            name: canonical,
            tz,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    fn stamp(t: OffsetDateTime) -> jiff::Timestamp {
        // Whole seconds are all a report shows; the range of `time` fits
        // jiff's for every instant Sightline stores.
        jiff::Timestamp::from_second(t.unix_timestamp()).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
    }

    /// `t` on the agency's clocks, to the second.
    pub fn local(&self, t: OffsetDateTime) -> LocalTime {
        let info = self.tz.to_offset_info(Self::stamp(t));
        let offset =
            UtcOffset::from_whole_seconds(info.offset().seconds()).unwrap_or(UtcOffset::UTC);
        let at = t.to_offset(offset);
        let at = at.replace_nanosecond(0).unwrap_or(at);
        LocalTime {
            at: PrimitiveDateTime::new(at.date(), at.time()),
            offset,
            abbreviation: info.abbreviation().to_owned(),
        }
    }

    /// The instant the agency's clocks first show `date` (local midnight;
    /// where a zone skips midnight, the first moment after the gap).
    pub fn start_of(&self, date: Date) -> OffsetDateTime {
        let civil = i16::try_from(date.year())
            .ok()
            .and_then(|y| {
                jiff::civil::Date::new(
                    y,
                    i8::try_from(u8::from(date.month())).ok()?,
                    i8::try_from(date.day()).ok()?,
                )
                .ok()
            })
            .map(|d| d.to_datetime(jiff::civil::Time::midnight()));
        civil
            .and_then(|dt| self.tz.to_timestamp(dt).ok())
            .and_then(|ts| OffsetDateTime::from_unix_timestamp(ts.as_second()).ok())
            .unwrap_or_else(|| date.midnight().assume_utc())
    }

    /// The quarter's bounds as instants: `[start, end)`.
    pub fn bounds(&self, q: Quarter) -> (OffsetDateTime, OffsetDateTime) {
        (self.start_of(q.first_day()), self.start_of(q.end_day()))
    }

    /// The quarter that `t` falls in on the agency's clocks.
    pub fn quarter_of(&self, t: OffsetDateTime) -> Quarter {
        Quarter::containing(self.local(t).at.date())
    }
}

/// A moment as the agency's clocks show it, to the second.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalTime {
    /// The wall-clock date and time.
    pub at: PrimitiveDateTime,
    pub offset: UtcOffset,
    /// `EDT`, `CST`, `UTC`; some zones have only a number (`+03`).
    pub abbreviation: String,
}

impl LocalTime {
    /// `EDT`, or `UTC-03:00` where the zone has no letters for itself.
    pub fn zone_label(&self) -> String {
        if self.abbreviation.chars().all(|c| c.is_ascii_alphabetic())
            && !self.abbreviation.is_empty()
        {
            return self.abbreviation.clone();
        }
        let (h, m, _) = self.offset.as_hms();
        let sign = if self.offset.is_negative() { '-' } else { '+' };
        format!("UTC{sign}{:02}:{:02}", h.unsigned_abs(), m.unsigned_abs())
    }
}

impl fmt::Display for LocalTime {
    /// `2026-10-01 00:00:00 EDT`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = self.at;
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} {}",
            a.year(),
            u8::from(a.month()),
            a.day(),
            a.hour(),
            a.minute(),
            a.second(),
            self.zone_label()
        )
    }
}

/// A calendar quarter: `2026Q3` is July to September 2026.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    year: i32,
    /// 1 to 4.
    n: u8,
}

/// What the `quarter` field accepts, for error messages.
pub const QUARTER_ACCEPTED: &str = "a year and quarter, e.g. 2026Q3 (Q1 to Q4)";

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn month_name(m: Month) -> &'static str {
    MONTH_NAMES
        .get(usize::from(u8::from(m)) - 1)
        .copied()
        .unwrap_or("")
}

fn month(n: u8) -> Month {
    Month::try_from(n).unwrap_or(Month::January)
}

impl Quarter {
    /// `2026Q3` (or `2026q3`, `2026-Q3`).
    pub fn parse(raw: &str) -> Result<Self, Violation> {
        let bad = || {
            Violation::new(
                "quarter_invalid",
                "quarter",
                format!(
                    "'{}' is not a quarter",
                    raw.chars().take(32).collect::<String>()
                ),
            )
            .accepting(QUARTER_ACCEPTED)
        };
        let s = raw.trim().to_ascii_uppercase();
        let (y, n) = s.split_once('Q').ok_or_else(bad)?;
        let y = y.strip_suffix('-').unwrap_or(y);
        if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) || n.len() != 1 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let n: u8 = n.parse().map_err(|_| bad())?;
        if !(1..=4).contains(&n) || !(2000..=9998).contains(&year) {
            return Err(bad());
        }
        Ok(Self { year, n })
    }

    pub fn containing(date: Date) -> Self {
        Self {
            year: date.year(),
            n: (u8::from(date.month()) - 1) / 3 + 1,
        }
    }

    pub const fn year(self) -> i32 {
        self.year
    }

    pub const fn number(self) -> u8 {
        self.n
    }

    pub fn previous(self) -> Self {
        if self.n == 1 {
            Self {
                year: self.year - 1,
                n: 4,
            }
        } else {
            Self {
                year: self.year,
                n: self.n - 1,
            }
        }
    }

    pub fn next(self) -> Self {
        if self.n == 4 {
            Self {
                year: self.year + 1,
                n: 1,
            }
        } else {
            Self {
                year: self.year,
                n: self.n + 1,
            }
        }
    }

    /// The first day of the quarter.
    pub fn first_day(self) -> Date {
        Date::from_calendar_date(self.year, month(3 * self.n - 2), 1).unwrap_or(Date::MIN)
    }

    /// The first day of the next quarter (the end, exclusive).
    pub fn end_day(self) -> Date {
        self.next().first_day()
    }

    /// Its three months: (first day, first day of the next month, name).
    pub fn months(self) -> [(Date, Date, &'static str); 3] {
        let first = |i: u8| {
            Date::from_calendar_date(self.year, month(3 * self.n - 2 + i), 1).unwrap_or(Date::MIN)
        };
        let name = |i: u8| month_name(month(3 * self.n - 2 + i));
        [
            (first(0), first(1), name(0)),
            (first(1), first(2), name(1)),
            (first(2), self.end_day(), name(2)),
        ]
    }

    /// "July to September 2026".
    pub fn span(self) -> String {
        let [(a, _, first), _, (_, _, last)] = self.months();
        format!("{first} to {last} {}", a.year())
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Q{}", self.year, self.n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn zones_are_checked_against_the_bundled_database() {
        let ny = AgencyZone::parse(" america/new_york ").unwrap();
        assert_eq!(ny.name(), "America/New_York");
        assert_eq!(AgencyZone::parse("UTC").unwrap(), AgencyZone::utc());
        for bad in [
            "",
            "Mars/Olympus_Mons",
            "EST5EDT,M3.2.0,M11.1.0",
            "+05:00",
            "Etc/Unknown",
        ] {
            let v = AgencyZone::parse(bad).unwrap_err();
            assert_eq!(v.field, "time_zone", "{bad}");
            assert!(v.accepted.is_some());
        }
        for (name, _) in US_ZONES {
            assert_eq!(AgencyZone::parse(name).unwrap().name(), name);
        }
    }

    #[test]
    fn local_times_carry_the_zone_to_the_second() {
        let ny = AgencyZone::parse("America/New_York").unwrap();
        let t = datetime!(2026-10-01 04:00:00.123456789 UTC);
        assert_eq!(ny.local(t).to_string(), "2026-10-01 00:00:00 EDT");
        assert_eq!(
            ny.local(datetime!(2027-01-01 04:59:59 UTC)).to_string(),
            "2026-12-31 23:59:59 EST"
        );
        assert_eq!(
            AgencyZone::utc().local(t).to_string(),
            "2026-10-01 04:00:00 UTC"
        );
        let sp = AgencyZone::parse("America/Sao_Paulo").unwrap();
        assert_eq!(sp.local(t).to_string(), "2026-10-01 01:00:00 UTC-03:00");
    }

    #[test]
    fn quarters_are_bounded_by_local_midnights() {
        let q = Quarter::parse("2026q4").unwrap();
        assert_eq!(q.to_string(), "2026Q4");
        assert_eq!(
            (q.first_day(), q.end_day()),
            (date!(2026 - 10 - 01), date!(2027 - 01 - 01))
        );
        assert_eq!(q.span(), "October to December 2026");
        assert_eq!(q.months()[1].0, date!(2026 - 11 - 01));
        let ny = AgencyZone::parse("America/New_York").unwrap();
        assert_eq!(
            ny.bounds(q),
            (
                datetime!(2026-10-01 04:00 UTC),
                datetime!(2027-01-01 05:00 UTC)
            )
        );
        // 23:30 on New Year's Eve in New York is 04:30 UTC the next year.
        assert_eq!(ny.quarter_of(datetime!(2027-01-01 04:30 UTC)), q);
        assert_eq!(
            AgencyZone::utc().quarter_of(datetime!(2027-01-01 04:30 UTC)),
            q.next()
        );
        assert_eq!(
            Quarter::parse("2026Q1").unwrap().previous().to_string(),
            "2025Q4"
        );
        for bad in [
            "2026Q5", "Q1", "26Q1", "2026", "2026Q", "2026Q11", "x2026Q1",
        ] {
            assert_eq!(Quarter::parse(bad).unwrap_err().field, "quarter", "{bad}");
        }
    }
}
