//! `--since` / `--until`: which records a report keeps, by their timestamp.
//!
//! A bound is a calendar date (`2026-11-22`, `today`, `yesterday`), meaning that day's midnight in each line's
//! own offset (so `--since 2026-11-22 --until 2026-11-23` keeps exactly the lines stamped 22 November,
//! whatever their offset), or an RFC 3339 time (`2026-11-22T06:25:00+01:00`), an instant compared with each
//! line's own time and offset. `today` and `yesterday` are the machine's local date when the run starts
//! (the `TZ` environment variable is honoured). `--since` keeps records at or after its bound, `--until`
//! records strictly before its bound.

use super::time::{self, DAY, LocalSecs};

/// One end of the range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// Midnight starting this day number, in each line's own offset.
    Day(i64),
    /// An instant (seconds since 1970 UTC), and the offset it was written with (for its date label).
    Instant {
        /// Seconds since 1970-01-01T00:00Z.
        utc: i64,
        /// The offset of the written time, in seconds east of UTC.
        offset: i64,
    },
}

impl Bound {
    /// Parses a bound: `today`, `yesterday`, `YYYY-MM-DD` or an RFC 3339 time. `today` is the day number of
    /// the machine's local date.
    pub fn parse(s: &str, today: i64) -> Result<Bound, String> {
        match s {
            "today" => return Ok(Bound::Day(today)),
            "yesterday" => return Ok(Bound::Day(today - 1)),
            _ => {}
        }
        if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            use chrono::Datelike;
            return Ok(Bound::Day(time::days_from_civil(
                i64::from(d.year()),
                d.month(),
                d.day(),
            )));
        }
        match chrono::DateTime::parse_from_rfc3339(s) {
            Ok(t) => Ok(Bound::Instant {
                utc: t.timestamp(),
                offset: i64::from(t.offset().local_minus_utc()),
            }),
            Err(_) => Err(format!(
                "'{s}' is not a date (2026-11-22), an RFC 3339 time (2026-11-22T06:25:00+01:00), \
                 'today' or 'yesterday'"
            )),
        }
    }

    /// The day number of the bound's date (an instant's date in its own offset).
    pub fn day(&self) -> i64 {
        match *self {
            Bound::Day(d) => d,
            Bound::Instant { utc, offset } => time::day_of(utc + offset),
        }
    }

    /// The bound as a date (`2026-11-22`) or an RFC 3339 time in its own offset.
    pub fn label(&self) -> String {
        match *self {
            Bound::Day(d) => time::labels(d).date,
            Bound::Instant { utc, offset } => local_label(utc + offset, Some(offset)),
        }
    }

    /// True when a line at local time `local` with offset `offset` (seconds east of UTC) is before the bound.
    fn line_is_before(&self, local: LocalSecs, offset: i64) -> bool {
        match *self {
            Bound::Day(d) => local < d * DAY,
            Bound::Instant { utc, .. } => local - offset < utc,
        }
    }
}

/// Where a record falls relative to the range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Inside: counted.
    Inside,
    /// Before `--since`: excluded.
    Before,
    /// At or after `--until`: excluded.
    After,
}

/// The `--since` / `--until` range; the default keeps everything.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeRange {
    /// Keep records at or after this.
    pub since: Option<Bound>,
    /// Keep records strictly before this.
    pub until: Option<Bound>,
}

impl TimeRange {
    /// An error when `--since` is not before `--until` (a range that can hold no line).
    pub fn check(&self) -> Result<(), String> {
        let (Some(since), Some(until)) = (self.since, self.until) else {
            return Ok(());
        };
        let ordered = match (since, until) {
            (Bound::Day(a), Bound::Day(b)) => a < b,
            (Bound::Instant { utc: a, .. }, Bound::Instant { utc: b, .. }) => a < b,
            // A day bound is midnight in each line's own offset: compare dates.
            (Bound::Day(a), Bound::Instant { .. }) => a <= until.day(),
            (Bound::Instant { .. }, Bound::Day(b)) => since.day() < b,
        };
        match ordered {
            true => Ok(()),
            false => Err(format!(
                "--since {} is not before --until {}: no line could be kept",
                since.label(),
                until.label()
            )),
        }
    }

    /// The range as the options wrote it (`--since 2026-11-22 --until 2026-11-23`).
    pub fn label(&self) -> String {
        let mut parts = Vec::new();
        if let Some(b) = self.since {
            parts.push(format!("--since {}", b.label()));
        }
        if let Some(b) = self.until {
            parts.push(format!("--until {}", b.label()));
        }
        parts.join(" ")
    }

    /// True when no bound is set.
    pub fn is_all(&self) -> bool {
        self.since.is_none() && self.until.is_none()
    }

    /// Where a line at local time `local`, with raw timestamp `raw` (for its offset), falls.
    #[inline]
    pub fn place(&self, local: LocalSecs, raw: &[u8]) -> Placement {
        if self.is_all() {
            return Placement::Inside;
        }
        let offset = time::offset_of(raw).unwrap_or(0);
        if self.since.is_some_and(|b| b.line_is_before(local, offset)) {
            Placement::Before
        } else if self.until.is_some_and(|b| !b.line_is_before(local, offset)) {
            Placement::After
        } else {
            Placement::Inside
        }
    }
}

/// Local seconds as `2026-11-22 06:25`, with the offset when known (`+01:00`).
pub(crate) fn local_label(local: LocalSecs, offset: Option<i64>) -> String {
    let day = time::day_of(local);
    let secs = local - day * DAY;
    let mut text = format!(
        "{} {:02}:{:02}",
        time::labels(day).date,
        secs / 3600,
        secs % 3600 / 60
    );
    if let Some(o) = offset {
        let sign = if o < 0 { '-' } else { '+' };
        text.push_str(&format!(
            " {sign}{:02}:{:02}",
            o.abs() / 3600,
            o.abs() % 3600 / 60
        ));
    }
    text
}

/// The machine's local date as a day number (the `TZ` environment variable is honoured), read once.
pub(crate) fn local_today() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    time::day_of(now + local_offset(now))
}

/// The local offset from UTC at `utc` (seconds east), from the C library's time-zone rules; 0 when unknown.
#[cfg(unix)]
fn local_offset(utc: i64) -> i64 {
    let t = utc as libc::time_t;
    // SAFETY: `tm` is plain old data, fully written by `localtime_r` when it succeeds; both pointers are
    // valid for the call and `localtime_r` is the thread-safe variant.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            0
        } else {
            tm.tm_gmtoff
        }
    }
}

#[cfg(not(unix))]
fn local_offset(_utc: i64) -> i64 {
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dates_times_and_words() {
        let d = time::days_from_civil(2026, 11, 22);
        assert_eq!(Bound::parse("2026-11-22", 0), Ok(Bound::Day(d)));
        assert_eq!(Bound::parse("today", d), Ok(Bound::Day(d)));
        assert_eq!(Bound::parse("yesterday", d + 1), Ok(Bound::Day(d)));
        let t = Bound::parse("2026-11-22T23:30:00-01:00", 0).unwrap();
        assert_eq!(
            t,
            Bound::Instant {
                utc: (d + 1) * DAY + 1800,
                offset: -3600
            }
        );
        assert_eq!(t.day(), d);
        assert!(Bound::parse("22/11/2026", 0).is_err());
        assert!(Bound::parse("2026-13-01", 0).is_err());
    }

    #[test]
    fn days_use_the_lines_offset_and_instants_the_absolute_time() {
        let d = time::days_from_civil(2015, 5, 18);
        let range = TimeRange {
            since: Some(Bound::Day(d)),
            until: Some(Bound::Day(d + 1)),
        };
        let at = |raw: &[u8]| range.place(time::parse_clf(raw).unwrap(), raw);
        assert_eq!(at(b"17/May/2015:23:59:59 +0200"), Placement::Before);
        assert_eq!(at(b"18/May/2015:00:00:00 +0200"), Placement::Inside);
        assert_eq!(at(b"18/May/2015:23:59:59 -0500"), Placement::Inside);
        assert_eq!(at(b"19/May/2015:00:00:00 +0000"), Placement::After);
        let noon = TimeRange {
            since: Bound::parse("2015-05-18T12:00:00Z", 0).ok(),
            until: None,
        };
        let at = |raw: &[u8]| noon.place(time::parse_clf(raw).unwrap(), raw);
        assert_eq!(at(b"18/May/2015:13:59:59 +0200"), Placement::Before);
        assert_eq!(at(b"18/May/2015:14:00:00 +0200"), Placement::Inside);
        assert_eq!(at(b"18/May/2015:11:00:00 -0100"), Placement::Inside);
        assert_eq!(TimeRange::default().place(0, b""), Placement::Inside);
    }
}
