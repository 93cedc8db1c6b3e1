//! Numbers in human units for the pages people read (`--html`, `--text`): locale-neutral (SI digit groups
//! with a thin space, a point for decimals), bytes in decimal units, rates in per cent, durations in
//! minutes and seconds; and long text shortened in the middle. CSV and JSON keep raw numbers.

/// The narrow no-break space between digit groups (SI/ISO 80000: locale-neutral).
const GROUP: char = '\u{202f}';

/// `1234567` → `1 234 567` (narrow no-break spaces).
pub(crate) fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(GROUP);
        }
        out.push(c);
    }
    out
}

/// `2747282740` → `2.7 GB` (decimal units; bytes below 1 kB as they are).
pub(crate) fn bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["kB", "MB", "GB", "TB", "PB", "EB"];
    if n < 1000 {
        return format!("{n} B");
    }
    let mut v = n as f64;
    let mut unit = 0;
    v /= 1000.0;
    while v >= 999.95 && unit + 1 < UNITS.len() {
        v /= 1000.0;
        unit += 1;
    }
    if v >= 100.0 {
        format!("{v:.0} {}", UNITS[unit])
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// A ratio as per cent: `0.7712` → `77 %`; below 10 % with one decimal (`0.034` → `3.4 %`).
pub(crate) fn percent(ratio: f64) -> String {
    let p = ratio * 100.0;
    if p != 0.0 && p.abs() < 9.95 {
        format!("{p:.1} %")
    } else {
        format!("{p:.0} %")
    }
}

/// Seconds as `3 min 12 s`, `1 h 5 min`, `42 s` (rounded to the second).
pub(crate) fn duration(secs: f64) -> String {
    let s = secs.max(0.0).round() as u64;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => match s % 60 {
            0 => format!("{} min", s / 60),
            r => format!("{} min {r} s", s / 60),
        },
        _ => match (s % 3600) / 60 {
            0 => format!("{} h", s / 3600),
            m => format!("{} h {m} min", s / 3600),
        },
    }
}

/// The columns `s` takes on a terminal.
pub(crate) fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

fn char_width(c: char) -> usize {
    unicode_width::UnicodeWidthChar::width(c).unwrap_or(0)
}

/// The longest start of `s` that takes at most `max` columns.
fn head(s: &str, max: usize) -> &str {
    let mut used = 0;
    for (i, c) in s.char_indices() {
        used += char_width(c);
        if used > max {
            return &s[..i];
        }
    }
    s
}

/// The longest end of `s` that takes at most `max` columns.
fn tail(s: &str, max: usize) -> &str {
    let mut used = 0;
    for (i, c) in s.char_indices().rev() {
        used += char_width(c);
        if used > max {
            return &s[i + c.len_utf8()..];
        }
    }
    s
}

/// `s` cut to at most `max` columns with `…` in the middle (the start and the end of a path say most),
/// unchanged when it fits.
pub(crate) fn shorten_middle(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let keep = max - 1;
    let front = head(s, keep.div_ceil(2));
    let back = tail(s, keep - width(front));
    format!("{front}…{back}")
}

/// `s` cut to at most `max` columns, `…` at the end.
pub(crate) fn shorten_end(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    format!("{}…", head(s, max - 1))
}

/// `text` broken into lines of at most `max` columns at spaces (a longer word is cut).
pub(crate) fn wrap(text: &str, max: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let word = shorten_end(word, max);
        if !line.is_empty() && width(&line) + 1 + width(&word) > max {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_group_digits_by_three() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1\u{202f}000");
        assert_eq!(count(1234567), "1\u{202f}234\u{202f}567");
    }

    #[test]
    fn bytes_in_decimal_units() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(1000), "1.0 kB");
        assert_eq!(bytes(1_234_567), "1.2 MB");
        assert_eq!(bytes(2_747_282_740), "2.7 GB");
        assert_eq!(bytes(999_960), "1.0 MB");
        assert_eq!(bytes(512_000_000), "512 MB");
    }

    #[test]
    fn percents_and_durations() {
        assert_eq!(percent(0.77), "77 %");
        assert_eq!(percent(0.0), "0 %");
        assert_eq!(percent(0.034), "3.4 %");
        assert_eq!(percent(1.0), "100 %");
        assert_eq!(duration(0.4), "0 s");
        assert_eq!(duration(42.0), "42 s");
        assert_eq!(duration(192.0), "3 min 12 s");
        assert_eq!(duration(120.0), "2 min");
        assert_eq!(duration(3900.0), "1 h 5 min");
        assert_eq!(duration(-3.0), "0 s");
    }

    #[test]
    fn long_text_is_cut_in_the_middle() {
        assert_eq!(shorten_middle("/short", 10), "/short");
        assert_eq!(
            shorten_middle("/a/very/long/path/page.html", 11),
            "/a/ve….html"
        );
        assert_eq!(
            width(&shorten_middle("/a/very/long/path/page.html", 11)),
            11
        );
        assert_eq!(shorten_middle("ééééééé", 4), "éé…é");
        assert_eq!(shorten_end("Mozilla/5.0", 5), "Mozi…");
        assert_eq!(shorten_middle("/日本語のページ", 7), "/日…ジ");
        assert!(width(&shorten_middle("/日本語のページ", 7)) <= 7);
        assert_eq!(wrap("one two three four", 9), ["one two", "three", "four"]);
    }
}
