//! The cheap pre-test that lets ordinary URLs skip the secret scan: `anonymize` runs it on every URL,
//! client field and user agent, so it must cost a few instructions per byte.

use super::secret::TOKEN_MIN_LEN;

/// Byte class bits: a byte of a token run, a digit, a `J` (as in `eyJ`, a JWT), a letter or `_`.
const TOKEN_BYTE: u8 = 1;
const DIGIT: u8 = 2;
const CAPITAL_J: u8 = 4;
const LETTER: u8 = 8;
static SECRET_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'+' {
            t[i] |= TOKEN_BYTE;
        }
        if c.is_ascii_digit() {
            t[i] |= DIGIT;
        }
        if c == b'J' {
            t[i] |= CAPITAL_J;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            t[i] |= LETTER;
        }
        i += 1;
    }
    t
};

/// Fewest digits of a phone number, the shortest secret made of digits.
const MIN_SECRET_DIGITS: usize = 10;

/// True when `text` may hold a secret: a run of [`TOKEN_MIN_LEN`] letters, digits, `-`, `_` or `+` (a
/// token), a vendor key prefix, 10 digits in runs of digits, `-` and `+` separated by at most two spaces,
/// dots or parentheses (a card or phone number), or `eyJ` (a JWT). A cheap test that lets ordinary URLs
/// skip [`secret_spans`](super::secret_spans).
#[inline]
pub(crate) fn may_hold_secret(text: &[u8]) -> bool {
    survey(text, usize::MAX).0
}

/// One pass over `text`: whether it [may hold a secret](may_hold_secret), and whether it has a run of at
/// least `min_digits` digits (a path segment that may become `:id`).
///
/// It walks runs of token bytes (letters, digits, `-`, `_`, `+`) with a tight loop and looks closer only
/// at runs long enough to matter, so ordinary URLs cost a few instructions per byte.
#[inline]
pub(crate) fn survey(text: &[u8], min_digits: usize) -> (bool, bool) {
    let n = text.len();
    let mut long_digits = false;
    // Digits in consecutive digit runs separated by short punctuation (`4111 1111 1111 1111`,
    // `(555) 123-4567`, `0151 1234 5678`).
    let mut grouped = 0;
    let (mut dotted_only, mut wide) = (true, false);
    let mut prev_end = usize::MAX;
    let mut i = 0;
    while i < n {
        if SECRET_CLASS[text[i] as usize] & TOKEN_BYTE == 0 {
            i += 1;
            continue;
        }
        let start = i;
        let mut seen = 0;
        let mut digits = 0;
        let len = text[start..]
            .iter()
            .take_while(|&&b| {
                let class = SECRET_CLASS[b as usize];
                seen |= class;
                digits += usize::from(class & DIGIT != 0);
                class & TOKEN_BYTE != 0
            })
            .count();
        i = start + len;
        let run = &text[start..i];
        if run.len() >= TOKEN_MIN_LEN || digits >= MIN_SECRET_DIGITS {
            return (true, true);
        }
        if run.len() >= 9 && has_key_start(text, start, run) {
            return (true, true);
        }
        if seen & CAPITAL_J != 0 && run.len() >= 10 && has_jwt_start(run) {
            return (true, true);
        }
        if digits >= min_digits {
            let (mut longest, mut current) = (0, 0);
            for &b in run {
                current = if b.is_ascii_digit() { current + 1 } else { 0 };
                longest = longest.max(current);
            }
            long_digits |= longest >= min_digits;
        }
        if seen & LETTER == 0 {
            let gap = start.wrapping_sub(prev_end);
            let joined = prev_end != usize::MAX
                && (1..=2).contains(&gap)
                && text[prev_end..start]
                    .iter()
                    .all(|&b| matches!(b, b' ' | b'.' | b'(' | b')'));
            if joined {
                grouped += digits;
                // Dotted groups are a card or phone number only with a group of four (`555.123.4567`);
                // an address (`192.168.100.200`) never has one.
                dotted_only &= text[prev_end..start].iter().all(|&b| b == b'.');
                wide |= digits >= 4;
            } else {
                grouped = digits;
                dotted_only = true;
                wide = digits >= 4;
            }
        } else {
            grouped = 0;
        }
        if grouped >= MIN_SECRET_DIGITS && (wide || !dotted_only) {
            return (true, true);
        }
        prev_end = i;
    }
    (false, long_digits)
}

/// True when `run` contains `eyJ`, the start of a JWT.
#[inline]
fn has_jwt_start(run: &[u8]) -> bool {
    memchr::memchr_iter(b'J', run).any(|j| j >= 2 && &run[j - 2..j] == b"ey")
}

/// True when `run` (at `start` of `text`) starts like a vendor key (`AKIA`, `sk_live_`, `ghp_`, `xoxb-`,
/// `AIza`, …) or a Slack webhook's team id after `/services/`.
#[inline]
fn has_key_start(text: &[u8], start: usize, run: &[u8]) -> bool {
    match run[0] {
        b'A' => run.starts_with(b"AKIA") || run.starts_with(b"ASIA") || run.starts_with(b"AIza"),
        b's' | b'r' => run[1..].starts_with(b"k_"),
        b'g' => run.starts_with(b"gh") || run.starts_with(b"github_pat_"),
        b'x' => run.starts_with(b"xox"),
        b'T' => text[..start].ends_with(b"/services/"),
        _ => false,
    }
}
