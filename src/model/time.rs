//! Calendar dates and booking times as compact integers.
//!
//! A [`Date`] is days since 1970-01-01 (`i32`, 4 bytes) and a [`DateTime`] is seconds since
//! 1970-01-01T00:00:00 in the case's local time (`i64`, 8 bytes). Times carry no zone: ingest
//! converts times written with an offset, and sources stamped in another zone, to the case's
//! zone (`timezone` in case.toml, see docs/data-model.md), so every stored time is comparable.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Days since 1970-01-01 (proleptic Gregorian).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date(pub i32);

/// Seconds since 1970-01-01T00:00:00, the case's local time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DateTime(pub i64);

const SECS_PER_DAY: i64 = 86_400;

/// Days from 1970-01-01 to the given civil date (Howard Hinnant's `days_from_civil`).
///
/// Exact for every proleptic Gregorian date; O(1). The caller checks that month and day are valid.
fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// Builds a date from year, month and day, or `None` when it does not exist (31.02.2023).
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Date> {
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return None;
        }
        Some(Date(days_from_civil(y, m, d)))
    }

    /// The chrono equivalent, for formatting and calendar arithmetic.
    pub fn to_naive(self) -> NaiveDate {
        // 719_163 days separate 0001-01-01 (CE day 1) from 1970-01-01; every i32 day count
        // fits chrono's range only for |years| < 262,000, which from_ymd/parse guarantee.
        NaiveDate::from_num_days_from_ce_opt(self.0 + 719_163).unwrap_or(NaiveDate::MIN)
    }

    /// From a chrono date.
    pub fn from_naive(d: NaiveDate) -> Date {
        Date(d.num_days_from_ce() - 719_163)
    }

    /// Calendar year.
    pub fn year(self) -> i32 {
        self.to_naive().year()
    }

    /// Midnight at the start of this day.
    pub fn start(self) -> DateTime {
        DateTime(self.0 as i64 * SECS_PER_DAY)
    }

    /// Parses `YYYY-MM-DD` without allocation; `None` when malformed or not a real date.
    pub fn parse_iso(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let y = digits(&b[0..4])? as i32;
        let m = digits(&b[5..7])?;
        let d = digits(&b[8..10])?;
        Date::from_ymd(y, m, d)
    }

    /// Parses with a chrono `strftime` format such as `%d.%m.%Y`.
    pub fn parse_with(s: &str, format: &str) -> Option<Date> {
        NaiveDate::parse_from_str(s, format).ok().map(Date::from_naive)
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    let mut v: u32 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (c - b'0') as u32;
    }
    Some(v)
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_naive().format("%Y-%m-%d"))
    }
}

impl DateTime {
    /// The calendar day of this time.
    pub fn date(self) -> Date {
        Date(self.0.div_euclid(SECS_PER_DAY) as i32)
    }

    /// Parses `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.fff]]` or the same with `T`, without allocation.
    /// Fractions of a second are dropped (bank booking times are to the second).
    pub fn parse_iso(s: &str) -> Option<DateTime> {
        let b = s.as_bytes();
        if b.len() < 10 {
            return None;
        }
        let date = Date::parse_iso(s.get(0..10)?)?;
        if b.len() == 10 {
            return Some(date.start());
        }
        if b[10] != b' ' && b[10] != b'T' {
            return None;
        }
        let t = &b[11..];
        let (hh, mm, ss, rest) = match t.len() {
            5 if t[2] == b':' => (digits(&t[0..2])?, digits(&t[3..5])?, 0, &t[5..]),
            n if n >= 8 && t[2] == b':' && t[5] == b':' => {
                (digits(&t[0..2])?, digits(&t[3..5])?, digits(&t[6..8])?, &t[8..])
            }
            _ => return None,
        };
        if !rest.is_empty() && (rest[0] != b'.' || rest.len() < 2 || digits(&rest[1..]).is_none()) {
            return None;
        }
        if hh > 23 || mm > 59 || ss > 59 {
            return None;
        }
        Some(DateTime(date.start().0 + (hh * 3600 + mm * 60 + ss) as i64))
    }

    /// Parses an ISO date-time followed by a time-zone offset (`Z`, `+02:00`, `+0200`, `+02`,
    /// optionally after a space): the time as written and the offset in seconds east of UTC.
    pub fn parse_iso_offset(s: &str) -> Option<(DateTime, i32)> {
        let s = s.trim();
        if let Some(rest) = s.strip_suffix(['Z', 'z']) {
            return DateTime::parse_iso(rest.trim_end()).filter(|_| rest.len() > 10).map(|t| (t, 0));
        }
        let cut = s.get(11..)?.rfind(['+', '-'])? + 11;
        let (time, off) = s.split_at(cut);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let digits: String = off[1..].chars().filter(|c| *c != ':').collect();
        let (h, m) = match digits.len() {
            2 => (digits.parse::<i32>().ok()?, 0),
            4 => (digits[..2].parse::<i32>().ok()?, digits[2..].parse::<i32>().ok()?),
            _ => return None,
        };
        if h > 14 || m > 59 || !off[1..].chars().all(|c| c.is_ascii_digit() || c == ':') {
            return None;
        }
        let t = DateTime::parse_iso(time.trim_end())?;
        (time.trim_end().len() > 10).then_some((t, sign * (h * 3600 + m * 60)))
    }

    /// An Excel serial date-time (days since Excel's epoch with the time as a day fraction),
    /// rounded to the second. The 1900 system counts 1900-01-01 as day 1 and, as Lotus 1-2-3
    /// did, a 29 February 1900 that never was (day 60); days from 61 on are one too many. The
    /// 1904 system counts from 1904-01-01 as day 0.
    pub fn from_excel_serial(v: f64, is_1904: bool) -> Result<DateTime, &'static str> {
        if !v.is_finite() || !(0.0..2_958_466.0).contains(&v) {
            return Err("not an Excel date serial (0 to 2958465)");
        }
        let secs = (v * SECS_PER_DAY as f64).round() as i64;
        let (days, tod) = (secs.div_euclid(SECS_PER_DAY), secs.rem_euclid(SECS_PER_DAY));
        let epoch = |y, m, d| Date::from_ymd(y, m, d).map(|e| e.0 as i64).unwrap_or(0);
        let day = if is_1904 {
            epoch(1904, 1, 1) + days
        } else if days == 0 {
            return Err("Excel serial 0 is a time of day without a date");
        } else if days == 60 {
            return Err("Excel serial 60 is 29 February 1900, a day that did not exist (Excel's 1900 leap-year bug)");
        } else if days < 60 {
            epoch(1899, 12, 31) + days
        } else {
            epoch(1899, 12, 30) + days
        };
        Ok(DateTime(day * SECS_PER_DAY + tod))
    }

    /// Parses with a chrono format; a format without a time part gives midnight.
    pub fn parse_with(s: &str, format: &str) -> Option<DateTime> {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, format) {
            return Some(DateTime::from_naive(dt));
        }
        NaiveDate::parse_from_str(s, format).ok().map(|d| Date::from_naive(d).start())
    }

    /// From a chrono date-time.
    pub fn from_naive(dt: NaiveDateTime) -> DateTime {
        let d = Date::from_naive(dt.date());
        DateTime(d.start().0 + dt.time().num_seconds_from_midnight() as i64)
    }

    /// The chrono equivalent.
    pub fn to_naive(self) -> NaiveDateTime {
        let secs = self.0.rem_euclid(SECS_PER_DAY) as u32;
        let time = NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).unwrap_or(NaiveTime::MIN);
        self.date().to_naive().and_time(time)
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_naive().format("%Y-%m-%d %H:%M:%S"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_round_trip_and_reject_impossible_days() {
        let d = Date::parse_iso("2023-02-28").unwrap();
        assert_eq!(d.to_string(), "2023-02-28");
        assert_eq!(Date::parse_iso("1970-01-01"), Some(Date(0)));
        assert_eq!(Date::parse_iso("2023-02-31"), None);
        assert_eq!(Date::parse_iso("2024-02-29").map(|d| d.to_string()).as_deref(), Some("2024-02-29"));
        assert_eq!(Date::parse_iso("2023-2-01"), None);
        assert_eq!(Date::parse_with("31.02.2023", "%d.%m.%Y"), None);
        assert_eq!(Date::parse_with("28.02.2023", "%d.%m.%Y"), Date::parse_iso("2023-02-28"));
        let before = Date::parse_iso("1969-12-31").unwrap();
        assert_eq!(before, Date(-1));
        assert_eq!(Date::from_naive(before.to_naive()), before);
    }

    #[test]
    fn offsets_parse_in_every_iso_spelling() {
        let t = DateTime::parse_iso("2024-03-05 08:15:30").unwrap();
        assert_eq!(DateTime::parse_iso_offset("2024-03-05T08:15:30Z"), Some((t, 0)));
        assert_eq!(DateTime::parse_iso_offset("2024-03-05T08:15:30+02:00"), Some((t, 7200)));
        assert_eq!(DateTime::parse_iso_offset("2024-03-05 08:15:30.250-0130"), Some((t, -5400)));
        assert_eq!(DateTime::parse_iso_offset("2024-03-05T08:15:30 +02"), Some((t, 7200)));
        assert_eq!(DateTime::parse_iso_offset("2024-03-05"), None);
        assert_eq!(DateTime::parse_iso_offset("2024-03-05T08:15:30+25:00"), None);
    }

    #[test]
    fn excel_serials_convert_exactly() {
        let s = |v, b| DateTime::from_excel_serial(v, b).map(|t| t.to_string());
        assert_eq!(s(45000.0, false).as_deref(), Ok("2023-03-15 00:00:00"));
        // 10:15:30 is not a binary fraction; rounding to the second gives it back.
        assert_eq!(
            s(45000.0 + (10.0 * 3600.0 + 15.0 * 60.0 + 30.0) / 86400.0, false).as_deref(),
            Ok("2023-03-15 10:15:30")
        );
        assert_eq!(s(1.0, false).as_deref(), Ok("1900-01-01 00:00:00"));
        assert_eq!(s(59.0, false).as_deref(), Ok("1900-02-28 00:00:00"));
        assert_eq!(s(61.0, false).as_deref(), Ok("1900-03-01 00:00:00"));
        assert!(s(60.0, false).is_err());
        assert_eq!(s(0.0, true).as_deref(), Ok("1904-01-01 00:00:00"));
        assert_eq!(s(43538.0, true).as_deref(), Ok("2023-03-15 00:00:00"));
    }

    #[test]
    fn iso_datetimes_parse_with_space_t_and_fractions() {
        let a = DateTime::parse_iso("2023-05-01 10:15:30").unwrap();
        assert_eq!(a.to_string(), "2023-05-01 10:15:30");
        assert_eq!(DateTime::parse_iso("2023-05-01T10:15:30.125"), Some(a));
        assert_eq!(DateTime::parse_iso("2023-05-01 10:15").unwrap().to_string(), "2023-05-01 10:15:00");
        assert_eq!(DateTime::parse_iso("2023-05-01").unwrap().to_string(), "2023-05-01 00:00:00");
        assert_eq!(DateTime::parse_iso("2023-05-01 24:00:00"), None);
        assert_eq!(DateTime::parse_iso("2023-05-01 10:15:30+02:00"), None, "offsets are read by parse_iso_offset");
        assert_eq!(a.date().to_string(), "2023-05-01");
        let p = DateTime::parse_with("01/05/2023 10:15", "%d/%m/%Y %H:%M").unwrap();
        assert_eq!(p.to_string(), "2023-05-01 10:15:00");
    }
}
