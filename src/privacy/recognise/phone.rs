//! Phone numbers, by shapes that ordinary log fields (statuses, sizes, times, dates) do not take:
//!
//! - E.164: `+` and a country code (`+4915112345678`, `+49 151 12345678`, `+1-555-123-4567`), 10 to 15
//!   digits;
//! - North American: `(555) 123-4567`, `555-123-4567`, `555.123.4567`;
//! - national with a trunk `0`: `0151 1234 5678`, `030-12345678`, `01 23 45 67 89`, or 11 to 12 digits in
//!   one run (`01511234567`), 10 to 12 digits in all.
//!
//! A space, `-` or `.` separates groups (and `+`, a space in a query); a number glued to letters, digits
//! or a dot on either side is something else.

use super::{Hit, Kind};

/// Appends the phone numbers in `line` to `hits`.
pub(super) fn scan(line: &[u8], hits: &mut Vec<Hit>) {
    let n = line.len();
    let mut i = 0;
    while i < n {
        let c = line[i];
        if !(c == b'+' || c == b'(' || c.is_ascii_digit()) || (i > 0 && glued(line[i - 1])) {
            i += 1;
            continue;
        }
        let end = match c {
            b'+' => e164(line, i),
            b'(' => nanp(line, i),
            b'0' => national(line, i),
            _ => nanp(line, i),
        };
        match end {
            Some(e) => {
                hits.push(Hit::new(Kind::Phone, i, e));
                i = e;
            }
            None => {
                i += 1;
                while i < n && line[i].is_ascii_digit() {
                    i += 1;
                }
            }
        }
    }
}

/// A byte that glues a number to the word or number before or after it.
fn glued(c: u8) -> bool {
    // Not `+`: a space in a query or a W3C field (`support+(555)+123-4567`).
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b':' | b'%' | b'-')
}

fn is_sep(c: u8) -> bool {
    matches!(c, b' ' | b'-' | b'.' | b'+')
}

/// Most digit groups of one number.
const MAX_GROUPS: usize = 6;

/// Digit groups found by [`groups`], on the stack (it runs on every digit that may start a number).
struct Groups {
    items: [(usize, usize); MAX_GROUPS],
    len: usize,
}

impl Groups {
    fn push(&mut self, group: (usize, usize)) {
        self.items[self.len] = group;
        self.len += 1;
    }
}

impl std::ops::Deref for Groups {
    type Target = [(usize, usize)];
    fn deref(&self) -> &[(usize, usize)] {
        &self.items[..self.len]
    }
}

/// The digit groups from `s`: `(end, digits)` after each group, groups separated by one separator; at
/// most `limit` (up to [`MAX_GROUPS`]).
fn groups(line: &[u8], s: usize, limit: usize) -> Groups {
    let mut out = Groups {
        items: [(0, 0); MAX_GROUPS],
        len: 0,
    };
    let limit = limit.min(MAX_GROUPS);
    let mut p = s;
    let mut sep = None;
    loop {
        let len = line[p..].iter().take_while(|c| c.is_ascii_digit()).count();
        if len == 0 {
            break;
        }
        p += len;
        out.push((p, len));
        if out.len() >= limit {
            break;
        }
        match line.get(p) {
            Some(&c) if is_sep(c) && line.get(p + 1).is_some_and(u8::is_ascii_digit) => {
                // One kind of separator per number (`0151 1234-5678` is two things).
                if sep.is_some_and(|s| s != c) {
                    break;
                }
                sep = Some(c);
                p += 1;
            }
            _ => break,
        }
    }
    out
}

/// True when the number ending at `e` stands alone.
fn ends_clean(line: &[u8], e: usize) -> bool {
    match line.get(e) {
        None => true,
        Some(&c) if c.is_ascii_alphanumeric() || c == b'_' => false,
        Some(b'.' | b'-' | b'/' | b':') => !line.get(e + 1).is_some_and(u8::is_ascii_alphanumeric),
        _ => true,
    }
}

/// `+` and 10 to 15 digits: in one run, or grouped after a country code of 1 to 3 digits.
fn e164(line: &[u8], plus: usize) -> Option<usize> {
    let s = plus + 1;
    if !matches!(line.get(s), Some(b'1'..=b'9')) {
        return None;
    }
    let g = groups(line, s, MAX_GROUPS);
    let (first_end, first_len) = *g.first()?;
    if (10..=15).contains(&first_len) {
        return ends_clean(line, first_end).then_some(first_end);
    }
    if first_len > 3 {
        return None;
    }
    let mut total = 0;
    let mut best = None;
    for &(end, len) in g.iter() {
        total += len;
        if total > 15 {
            break;
        }
        if total >= 10 && ends_clean(line, end) {
            best = Some(end);
        }
    }
    best
}

/// `(555) 123-4567`, `555-123-4567`, `555.123.4567`.
fn nanp(line: &[u8], s: usize) -> Option<usize> {
    let digits = |p: usize, len: usize| {
        line.get(p..p + len)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
            && !line.get(p + len).is_some_and(u8::is_ascii_digit)
    };
    let (area_end, rest) = if line[s] == b'(' {
        if !digits(s + 1, 3) || line.get(s + 4) != Some(&b')') {
            return None;
        }
        let mut p = s + 5;
        if matches!(line.get(p), Some(b' ' | b'+')) {
            p += 1;
        }
        (s + 4, p)
    } else {
        if !digits(s, 3) || !matches!(line.get(s + 3), Some(b'-' | b'.')) {
            return None;
        }
        (s + 3, s + 4)
    };
    let area_first = line[if line[s] == b'(' { s + 1 } else { s }];
    if !(b'2'..=b'9').contains(&area_first) || area_end <= s {
        return None;
    }
    let sep = if line[s] == b'(' { b'-' } else { line[s + 3] };
    if !digits(rest, 3) || line.get(rest + 3) != Some(&sep) || !digits(rest + 4, 4) {
        return None;
    }
    let e = rest + 8;
    ends_clean(line, e).then_some(e)
}

/// A national number with a trunk `0`.
fn national(line: &[u8], s: usize) -> Option<usize> {
    if !matches!(line.get(s + 1), Some(b'1'..=b'9')) {
        return None;
    }
    let g = groups(line, s, MAX_GROUPS);
    let (first_end, first_len) = *g.first()?;
    if g.len() == 1 || !(2..=5).contains(&first_len) {
        return ((11..=12).contains(&first_len) && ends_clean(line, first_end))
            .then_some(first_end);
    }
    // French pairs: `01 23 45 67 89`.
    if g.len() >= 5 && g[..5].iter().all(|&(_, len)| len == 2) {
        let end = g[4].0;
        return ends_clean(line, end).then_some(end);
    }
    let mut total = first_len;
    let mut best = None;
    for &(end, len) in &g[1..] {
        if !(3..=8).contains(&len) {
            break;
        }
        total += len;
        if total > 12 {
            break;
        }
        if total >= 10 && ends_clean(line, end) {
            best = Some(end);
        }
    }
    best
}
