//! Time zones at ingest: every booking time is kept as the case's local time (`timezone` in
//! case.toml, default `Europe/Tirane`), read from the IANA database through chrono-tz.
//!
//! * A time written with an offset or `Z` (`2024-03-05T08:15:00Z`, `...+02:00`) is an
//!   instant: converted exactly to the case's local time.
//! * A source with its own `timezone` (UTC-stamped card or SWIFT data) has its zone-less
//!   times read in that zone, then converted.
//! * A time written as local time stays as written. When it does not exist (the hour skipped
//!   when clocks go forward) or is ambiguous (the hour repeated when they go back) in its
//!   zone, it loads with a note naming the hour; where a conversion must choose, it takes the
//!   earlier reading (the offset before the change) and says so.

use crate::model::DateTime;
use chrono::{LocalResult, NaiveDateTime, Offset, TimeZone};
use chrono_tz::{GapInfo, Tz};

/// The case's zone when case.toml names none.
pub const DEFAULT_ZONE: Tz = chrono_tz::Europe::Tirane;

/// Parses an IANA zone name, with a suggestion when it is misspelt.
pub fn parse_zone(name: &str) -> Result<Tz, String> {
    name.trim().parse::<Tz>().map_err(|_| {
        let near = chrono_tz::TZ_VARIANTS
            .iter()
            .map(|z| (strsim::jaro_winkler(&name.to_lowercase(), &z.name().to_lowercase()), z.name()))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .filter(|(s, _)| *s > 0.85)
            .map(|(_, n)| format!(" (did you mean {n}?)"))
            .unwrap_or_default();
        format!("unknown time zone '{name}'{near}: use an IANA name such as Europe/Tirane, Europe/Rome or UTC")
    })
}

/// The zones a source's times are read in.
#[derive(Clone, Copy, Debug)]
pub struct Zones {
    /// The case's zone: every stored time is local time here.
    pub case: Tz,
    /// The source's own zone for zone-less times, when it differs from the case's.
    pub source: Option<Tz>,
}

impl Default for Zones {
    fn default() -> Zones {
        Zones { case: DEFAULT_ZONE, source: None }
    }
}

fn naive(t: DateTime) -> NaiveDateTime {
    t.to_naive()
}

impl Zones {
    /// The zones of a source with the given `timezone` setting (the case zone is set later,
    /// by [`Zones::with_case`]).
    pub fn for_source(setting: Option<&str>) -> Result<Zones, String> {
        Ok(Zones { case: DEFAULT_ZONE, source: setting.map(parse_zone).transpose()? })
    }

    /// The same, in the case's zone `case` (a source zone equal to it is no conversion).
    pub fn with_case(self, case: Tz) -> Zones {
        Zones { case, source: self.source.filter(|s| *s != case) }
    }

    /// The source zone's name (for provenance text).
    pub fn source_name(&self) -> &'static str {
        self.source.map_or(self.case.name(), |z| z.name())
    }

    /// An instant given in UTC, as case-local time.
    pub fn instant(&self, utc: NaiveDateTime) -> DateTime {
        DateTime::from_naive(self.case.from_utc_datetime(&utc).naive_local())
    }

    /// A time written with an offset of `offset` seconds east of UTC, as case-local time.
    pub fn offset(&self, written: DateTime, offset: i32) -> DateTime {
        self.instant(naive(DateTime(written.0 - offset as i64)))
    }

    /// A zone-less time of the source, as case-local time, with a note when it is missing or
    /// ambiguous in its zone.
    pub fn local_noted(&self, t: DateTime) -> (DateTime, Option<String>) {
        let Some(src) = self.source else {
            return (t, dst_note(self.case, t, false));
        };
        let n = naive(t);
        match src.from_local_datetime(&n) {
            LocalResult::Single(d) => (self.instant(d.naive_utc()), None),
            LocalResult::Ambiguous(a, _) => (self.instant(a.naive_utc()), dst_note(src, t, true)),
            LocalResult::None => {
                // Read with the offset in force before the change.
                let before = GapInfo::new(&n, &src)
                    .and_then(|g| g.begin)
                    .map(|(_, off)| off.fix().local_minus_utc())
                    .unwrap_or(0);
                (self.offset(t, before), dst_note(src, t, true))
            }
        }
    }
}

/// A note when local time `t` is missing or ambiguous in `tz`; `converted` says the time was
/// converted to another zone (with the earlier reading) rather than kept as written.
pub fn dst_note(tz: Tz, t: DateTime, converted: bool) -> Option<String> {
    let n = naive(t);
    let hm = |d: NaiveDateTime| d.format("%H:%M").to_string();
    match tz.offset_from_local_datetime(&n) {
        LocalResult::Single(_) => None,
        LocalResult::None => {
            let gap = GapInfo::new(&n, &tz)?;
            let from = gap.begin.map(|(d, _)| hm(d)).unwrap_or_else(|| "?".into());
            let to = gap.end.map(|d| hm(d.naive_local())).unwrap_or_else(|| "?".into());
            let kept = if converted { "read with the offset before the change" } else { "kept as written" };
            Some(format!(
                "this local time does not exist: {} in {tz} falls in the hour skipped on {} (clocks went forward from {from} to {to}); {kept}: check the time zone of the export",
                n.format("%H:%M:%S"),
                n.format("%Y-%m-%d"),
            ))
        }
        LocalResult::Ambiguous(a, b) => {
            let (oa, ob) = (a.fix().local_minus_utc(), b.fix().local_minus_utc());
            let (hi, lo) = (oa.max(ob), oa.min(ob));
            // The repeated hour: local times from (change + new offset) to (change + old offset).
            let start = n.and_utc().timestamp() - hi as i64;
            let (mut l, mut r) = (start - 2 * 86_400, start + 2 * 86_400);
            let off_at = |s: i64| {
                chrono::DateTime::from_timestamp(s, 0)
                    .map(|d| tz.offset_from_utc_datetime(&d.naive_utc()).fix().local_minus_utc())
            };
            while r - l > 1 {
                let m = l + (r - l) / 2;
                if off_at(m) == Some(hi) {
                    l = m;
                } else {
                    r = m;
                }
            }
            let at = |o: i32| {
                chrono::DateTime::from_timestamp(r + o as i64, 0).map(|d| hm(d.naive_utc())).unwrap_or_default()
            };
            let kept = if converted {
                "read as the first of the two"
            } else {
                "kept as written; which of the two is not known"
            };
            Some(format!(
                "this local time is ambiguous: {} in {tz} on {} occurred twice (clocks went back from {} to {}); {kept}",
                n.format("%H:%M:%S"),
                n.format("%Y-%m-%d"),
                at(hi),
                at(lo),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime {
        DateTime::parse_iso(s).unwrap()
    }

    #[test]
    fn offsets_and_utc_convert_to_tirana_time() {
        let z = Zones::default();
        // Summer: UTC+2.
        assert_eq!(z.offset(t("2024-07-01 08:15:00"), 0).to_string(), "2024-07-01 10:15:00");
        // Winter: UTC+1; an offset of +02:00 (Athens) is one hour ahead of Tirana.
        assert_eq!(z.offset(t("2024-01-10 12:00:00"), 7200).to_string(), "2024-01-10 11:00:00");
        let utc = Zones::for_source(Some("UTC")).unwrap().with_case(DEFAULT_ZONE);
        assert_eq!(utc.local_noted(t("2024-01-10 23:30:00")).0.to_string(), "2024-01-11 00:30:00");
    }

    #[test]
    fn dst_changes_are_named_by_the_hour() {
        let gap = dst_note(DEFAULT_ZONE, t("2024-03-31 02:30:00"), false).unwrap();
        assert!(gap.contains("does not exist") && gap.contains("from 02:00 to 03:00"), "{gap}");
        let twice = dst_note(DEFAULT_ZONE, t("2024-10-27 02:30:00"), false).unwrap();
        assert!(twice.contains("occurred twice") && twice.contains("from 03:00 to 02:00"), "{twice}");
        assert!(dst_note(DEFAULT_ZONE, t("2024-10-27 03:30:00"), false).is_none());
        assert!(dst_note(chrono_tz::UTC, t("2024-03-31 02:30:00"), false).is_none());
    }

    #[test]
    fn misspelt_zones_get_a_suggestion() {
        let e = parse_zone("Europe/Tirana").unwrap_err();
        assert!(e.contains("did you mean Europe/Tirane"), "{e}");
    }
}
