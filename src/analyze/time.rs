//! CLF timestamps parsed by hand (no libc time calls per line) into the log's own local time.
//!
//! Every time in a report is in the offset written in the log line (`+0200`): a line stamped
//! `17/May/2015:23:30:00 +0200` falls on 17 May at 23:00–24:00. Times are kept as *local seconds since
//! 1970-01-01T00:00 local* so that days, hours and the midnight cut of visits need no time zone database.

use chrono::{Datelike, NaiveDate};

/// A point in local time: seconds since 1970-01-01 00:00 in the line's own offset.
pub(crate) type LocalSecs = i64;

/// Seconds in a day.
pub(crate) const DAY: i64 = 86_400;

/// Parses `dd/Mon/yyyy:hh:mm:ss +zzzz` into local seconds. `None` when the shape or a value is wrong.
pub(crate) fn parse_clf(t: &[u8]) -> Option<LocalSecs> {
    if t.len() < 20
        || t[2] != b'/'
        || t[6] != b'/'
        || t[11] != b':'
        || t[14] != b':'
        || t[17] != b':'
    {
        return None;
    }
    let d = num(&t[0..2])?;
    let month = month(&t[3..6])?;
    let y = num(&t[7..11])?;
    let (h, mi, s) = (num(&t[12..14])?, num(&t[15..17])?, num(&t[18..20])?);
    if d == 0 || d > 31 || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(y as i64, month, d);
    Some(days * DAY + (h * 3600 + mi * 60 + s) as i64)
}

/// [`parse_clf`] with the date part (`dd/Mon/yyyy`) of the previous line remembered: consecutive lines
/// nearly always share it, so the calendar arithmetic runs once per day and per worker.
#[derive(Debug, Default)]
pub(crate) struct DateCache {
    last: Option<([u8; 11], i64)>,
}

impl DateCache {
    /// Parses like [`parse_clf`].
    #[inline]
    pub(crate) fn parse(&mut self, t: &[u8]) -> Option<LocalSecs> {
        if t.len() < 20 || t[11] != b':' || t[14] != b':' || t[17] != b':' {
            return None;
        }
        let days = match self.last {
            Some((date, days)) if date == t[..11] => days,
            _ => {
                let days = day_of(parse_clf(t)?);
                let mut date = [0u8; 11];
                date.copy_from_slice(&t[..11]);
                self.last = Some((date, days));
                days
            }
        };
        let (h, mi, s) = (num(&t[12..14])?, num(&t[15..17])?, num(&t[18..20])?);
        if h > 23 || mi > 59 || s > 60 {
            return None;
        }
        Some(days * DAY + i64::from(h * 3600 + mi * 60 + s))
    }
}

/// The offset (seconds east of UTC) of a CLF timestamp's `+zzzz`; `None` when there is none.
pub(crate) fn offset_of(t: &[u8]) -> Option<i64> {
    let z = t.get(21..26)?;
    let sign = match z[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, m) = (num(&z[1..3])?, num(&z[3..5])?);
    Some(sign * i64::from(h * 3600 + m * 60))
}

/// Parses ISO 8601 `yyyy-mm-ddTHH:MM:SS` (or a space for `T`; fraction and offset ignored) into local
/// seconds: the time as written, like a CLF time in its own offset.
pub(crate) fn parse_iso(t: &[u8]) -> Option<LocalSecs> {
    if t.len() < 19 || t[4] != b'-' || t[7] != b'-' || !matches!(t[10], b'T' | b' ') {
        return None;
    }
    let days = parse_ymd(&t[..10])?;
    Some(days * DAY + clock(&t[11..19])?)
}

/// Parses W3C `date` (`yyyy-mm-dd`) and `time` (`HH:MM:SS[.fff]`), in UTC, into seconds.
pub(crate) fn parse_w3c(date: &[u8], time: &[u8]) -> Option<LocalSecs> {
    if time.len() < 8 {
        return None;
    }
    Some(parse_ymd(date)? * DAY + clock(&time[..8])?)
}

/// Parses epoch seconds (`1703373474.8155608`; the fraction is dropped) into UTC seconds.
pub(crate) fn parse_epoch(t: &[u8]) -> Option<LocalSecs> {
    let n = t.iter().take_while(|b| b.is_ascii_digit()).count();
    if n == 0 || n > 12 || (n < t.len() && t[n] != b'.') {
        return None;
    }
    t[..n]
        .iter()
        .try_fold(0i64, |a, &b| Some(a * 10 + i64::from(b - b'0')))
}

/// Parses an integer count of `per_second` units since the epoch (`%{msec}t`, `%{usec}t`) into UTC
/// seconds.
pub(crate) fn parse_epoch_scaled(t: &[u8], per_second: i64) -> Option<LocalSecs> {
    if t.is_empty() || t.len() > 19 || !t.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = t.iter().try_fold(0i64, |a, &b| {
        a.checked_mul(10)?.checked_add(i64::from(b - b'0'))
    })?;
    Some(n / per_second)
}

fn parse_ymd(d: &[u8]) -> Option<i64> {
    if d.len() != 10 || d[4] != b'-' || d[7] != b'-' {
        return None;
    }
    let (y, m, day) = (num(&d[..4])?, num(&d[5..7])?, num(&d[8..10])?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    Some(days_from_civil(i64::from(y), m, day))
}

fn clock(c: &[u8]) -> Option<i64> {
    if c.len() != 8 || c[2] != b':' || c[5] != b':' {
        return None;
    }
    let (h, mi, s) = (num(&c[..2])?, num(&c[3..5])?, num(&c[6..8])?);
    if h > 23 || mi > 59 || s > 60 {
        return None;
    }
    Some(i64::from(h * 3600 + mi * 60 + s))
}

fn num(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

fn month(m: &[u8]) -> Option<u32> {
    const NAMES: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    NAMES
        .iter()
        .position(|n| n.eq_ignore_ascii_case(m))
        .map(|i| i as u32 + 1)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The day number (days since 1970-01-01) of a local time.
pub(crate) fn day_of(t: LocalSecs) -> i64 {
    t.div_euclid(DAY)
}

/// The hour of day (0–23) of a local time.
pub(crate) fn hour_of(t: LocalSecs) -> usize {
    (t.rem_euclid(DAY) / 3600) as usize
}

/// Calendar labels of a day number, computed once per distinct day when a report is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DayLabels {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// ISO 8601 week, `YYYY-Www`.
    pub week: String,
    /// `YYYY-MM`.
    pub month: String,
}

/// The labels of day number `day`.
pub(crate) fn labels(day: i64) -> DayLabels {
    let date = NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|e| e.checked_add_signed(chrono::TimeDelta::days(day)))
        .unwrap_or(NaiveDate::MIN);
    let w = date.iso_week();
    DayLabels {
        date: date.format("%Y-%m-%d").to_string(),
        week: format!("{:04}-W{:02}", w.year(), w.week()),
        month: format!("{:04}-{:02}", date.year(), date.month()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_in_the_lines_own_offset() {
        let t = parse_clf(b"17/May/2015:23:30:05 +0200").unwrap();
        assert_eq!(labels(day_of(t)).date, "2015-05-17");
        assert_eq!(hour_of(t), 23);
        assert_eq!(t.rem_euclid(DAY), 23 * 3600 + 30 * 60 + 5);
        assert_eq!(parse_clf(b"01/Jan/1970:00:00:00 +0000"), Some(0));
        assert_eq!(parse_clf(b"32/Jan/1970:00:00:00 +0000"), None);
        assert_eq!(parse_clf(b"01/Foo/1970:00:00:00 +0000"), None);
        let mut c = DateCache::default();
        for t in [
            &b"17/May/2015:23:30:05 +0200"[..],
            b"17/May/2015:01:02:03 +0200",
            b"18/May/2015:00:00:00 +0200",
        ] {
            assert_eq!(c.parse(t), parse_clf(t));
        }
        assert_eq!(c.parse(b"18/May/2015:24:00:00 +0200"), None);
        assert_eq!(offset_of(b"17/May/2015:23:30:05 +0200"), Some(7200));
        assert_eq!(offset_of(b"17/May/2015:23:30:05 -0130"), Some(-5400));
        assert_eq!(offset_of(b"17/May/2015:23:30:05"), None);
        assert_eq!(c.parse(b"32/May/2015:00:00:00 +0200"), None);
    }

    #[test]
    fn iso_w3c_and_epoch_times() {
        let want = parse_clf(b"02/Jul/2018:22:23:00 +0000");
        assert_eq!(parse_iso(b"2018-07-02T22:23:00.186641Z"), want);
        assert_eq!(parse_iso(b"2018-07-02 22:23:00"), want);
        assert_eq!(parse_w3c(b"2018-07-02", b"22:23:00.363"), want);
        assert_eq!(parse_epoch(b"1530570180.5"), want);
        assert_eq!(parse_epoch(b"1530570180"), want);
        assert_eq!(parse_iso(b"2018-13-02T22:23:00Z"), None);
        assert_eq!(parse_w3c(b"02/07/2018", b"22:23:00"), None);
        assert_eq!(parse_epoch(b"15x"), None);
    }

    #[test]
    fn days_match_chrono_and_iso_weeks() {
        for (y, m, d) in [(2015, 5, 17), (2000, 2, 29), (1999, 12, 31), (2026, 1, 1)] {
            let want = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            let l = labels(days_from_civil(i64::from(y), m, d));
            assert_eq!(l.date, want.format("%Y-%m-%d").to_string());
        }
        // 2021-01-03 is a Sunday in ISO week 2020-W53; 2026-11-23 is a Monday of W48.
        assert_eq!(labels(days_from_civil(2021, 1, 3)).week, "2020-W53");
        assert_eq!(labels(days_from_civil(2026, 11, 23)).week, "2026-W48");
        assert_eq!(labels(days_from_civil(2026, 11, 23)).month, "2026-11");
    }
}
