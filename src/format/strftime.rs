//! Apache's `%{format}t` times in strftime notation (`%{%Y-%m-%d %H:%M:%S}t`), read with chrono's
//! strftime parser: [`len`] finds where such a time ends in a line (the parser does not know the field's
//! width), [`local_secs`] reads it.
//!
//! A format is interned once per distinct string (a run compiles a handful), so a record's
//! [`TimeKind::Strftime`](crate::record::TimeKind::Strftime) can name it without a copy per line.

use std::sync::{Mutex, OnceLock};

use chrono::format::{Fixed, Item, Numeric, Pad, Parsed, StrftimeItems};

/// A format's compiled items, stored once per distinct format.
pub(crate) type Items = &'static [Item<'static>];

/// `f` as a `&'static str` with its compiled items, stored once per distinct format.
pub(crate) fn intern(f: &str) -> (&'static str, Items) {
    static FORMATS: OnceLock<Mutex<Vec<(&'static str, Items)>>> = OnceLock::new();
    let mut formats = FORMATS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(known) = formats.iter().find(|k| k.0 == f) {
        return *known;
    }
    let text: &'static str = Box::leak(f.to_owned().into_boxed_str());
    let items: Items = Box::leak(
        StrftimeItems::new(text)
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    );
    formats.push((text, items));
    (text, items)
}

/// True when chrono reads every directive of `f`, and `f` has one.
pub(crate) fn is_valid(f: &str) -> bool {
    f.contains('%') && !StrftimeItems::new(f).any(|i| matches!(i, Item::Error))
}

/// The length of the time written in the format of `items` at the start of `rest`, or `None` when it is
/// not there.
pub(crate) fn len(items: &[Item<'_>], rest: &[u8]) -> Option<usize> {
    let mut pos = 0;
    for item in items {
        match item {
            Item::Literal(l) => {
                if !rest[pos..].starts_with(l.as_bytes()) {
                    return None;
                }
                pos += l.len();
            }
            Item::OwnedLiteral(l) => {
                if !rest[pos..].starts_with(l.as_bytes()) {
                    return None;
                }
                pos += l.len();
            }
            Item::Space(_) | Item::OwnedSpace(_) => {
                pos += rest[pos..]
                    .iter()
                    .take_while(|b| b.is_ascii_whitespace())
                    .count();
            }
            Item::Numeric(n, pad) => {
                if *pad == Pad::Space {
                    pos += rest[pos..].iter().take_while(|&&b| b == b' ').count();
                }
                if matches!(n, Numeric::Year | Numeric::IsoYear | Numeric::Timestamp)
                    && matches!(rest.get(pos), Some(b'-' | b'+'))
                {
                    pos += 1;
                }
                pos += digits(&rest[pos..], numeric_width(n))?;
            }
            Item::Fixed(f) => pos += fixed_len(f, &rest[pos..])?,
            Item::Error => return None,
        }
    }
    Some(pos)
}

/// The widest a numeric field is written.
fn numeric_width(n: &Numeric) -> usize {
    match n {
        Numeric::Year | Numeric::IsoYear => 4,
        Numeric::Ordinal => 3,
        Numeric::WeekdayFromMon | Numeric::NumDaysFromSun => 1,
        Numeric::Nanosecond => 9,
        Numeric::Timestamp => 20,
        _ => 2,
    }
}

/// At least one and at most `max` digits at the start of `s`: how many.
fn digits(s: &[u8], max: usize) -> Option<usize> {
    let n = s
        .iter()
        .take(max)
        .take_while(|b| b.is_ascii_digit())
        .count();
    (n > 0).then_some(n)
}

fn letters(s: &[u8]) -> usize {
    s.iter().take_while(|b| b.is_ascii_alphabetic()).count()
}

/// The length of a fixed item (names, offsets, fractions) at the start of `s`.
fn fixed_len(f: &Fixed, s: &[u8]) -> Option<usize> {
    let n = match f {
        Fixed::ShortMonthName | Fixed::ShortWeekdayName => (letters(s) >= 3).then_some(3)?,
        Fixed::LongMonthName | Fixed::LongWeekdayName => letters(s),
        Fixed::LowerAmPm | Fixed::UpperAmPm => (letters(s) >= 2).then_some(2)?,
        Fixed::TimezoneName => s
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'_' | b'/'))
            .count(),
        Fixed::Nanosecond => match s.first() {
            Some(b'.') => 1 + digits(&s[1..], 9)?,
            _ => 0,
        },
        Fixed::Nanosecond3 | Fixed::Nanosecond6 | Fixed::Nanosecond9 => {
            if s.first() != Some(&b'.') {
                return None;
            }
            1 + digits(&s[1..], 9)?
        }
        // Offsets: `Z`, `+0100`, `+01:00`, `-05`.
        _ => {
            if s.first() == Some(&b'Z') {
                1
            } else if matches!(s.first(), Some(b'+' | b'-')) {
                1 + s[1..]
                    .iter()
                    .take(5)
                    .take_while(|b| b.is_ascii_digit() || **b == b':')
                    .count()
            } else {
                return None;
            }
        }
    };
    (n > 0).then_some(n)
}

/// Reads `t`, written in format `f`, as seconds since the epoch in the time's own offset (its clock
/// read as if it were UTC, as logveil counts every time); `None` when it does not read or has no date.
pub(crate) fn local_secs(f: &str, t: &[u8]) -> Option<i64> {
    let t = std::str::from_utf8(t).ok()?;
    let mut parsed = Parsed::new();
    chrono::format::parse(&mut parsed, t, StrftimeItems::new(f)).ok()?;
    if let Some(ts) = parsed.timestamp {
        let offset = i64::from(parsed.offset.unwrap_or(0));
        return Some(ts + offset);
    }
    let date = parsed.to_naive_date().ok()?;
    let time = parsed.to_naive_time().ok()?;
    Some(date.and_time(time).and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_measured_in_the_line() {
        for (f, line, want) in [
            ("%Y-%m-%d %H:%M:%S", "2024-01-02 03:04:05 rest", Some(19)),
            (
                "%d/%b/%Y:%H:%M:%S %z",
                "02/Jan/2024:03:04:05 +0100] x",
                Some(26),
            ),
            (
                "%a, %d %b %Y %T %Z",
                "Tue, 02 Jan 2024 03:04:05 GMT x",
                Some(29),
            ),
            ("%e %B %y %I:%M %p", " 2 January 24 03:04 PM|", Some(22)),
            ("%F %T%.f", "2024-01-02 03:04:05.123456 x", Some(26)),
            ("%D %R", "01/02/24 03:04 x", Some(14)),
            ("%s", "1704164645 x", Some(10)),
            ("%j/%Y", "002/2024", Some(8)),
            ("%Y-%m-%d %H:%M:%S", "- - -", None),
            ("%d/%b/%Y", "02/J4n/2024", None),
        ] {
            assert_eq!(len(intern(f).1, line.as_bytes()), want, "{f} on {line}");
        }
    }

    #[test]
    fn times_are_read_in_their_own_offset() {
        let base = 1_704_164_645; // 2024-01-02T03:04:05Z
        assert_eq!(
            local_secs("%Y-%m-%d %H:%M:%S", b"2024-01-02 03:04:05"),
            Some(base)
        );
        assert_eq!(
            local_secs("%d/%b/%Y:%H:%M:%S %z", b"02/Jan/2024:03:04:05 +0100"),
            Some(base)
        );
        assert_eq!(local_secs("%j %Y %T", b"002 2024 03:04:05"), Some(base));
        assert_eq!(local_secs("%s", b"1704164645"), Some(base));
        assert_eq!(local_secs("%H:%M:%S", b"03:04:05"), None);
        assert!(!is_valid("%Y %Q") && is_valid("%Y-%m-%d"));
    }

    #[test]
    fn a_format_is_interned_once() {
        assert!(std::ptr::eq(
            intern("%Y %j").0,
            intern(&String::from("%Y %j")).0
        ));
    }
}
