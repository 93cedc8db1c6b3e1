//! Secrets by shape: JSON Web Tokens, payment-card numbers (Luhn and an issuer prefix), long hex or base64
//! tokens, and device names (UUIDs, MAC addresses) outside URL paths.

use std::sync::LazyLock;

use memchr::memmem::Finder;

use super::{Hit, Kind};

/// The start of a JWT's header (`{"`), built once.
static JWT_START: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"eyJ"));

static B64URL: [bool; 256] = byte_table!(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-');

pub(super) fn scan_jwts(line: &[u8], hits: &mut Vec<Hit>) {
    let mut from = 0;
    while let Some(off) = JWT_START.find(&line[from..]) {
        let s = from + off;
        from = s + 3;
        if s > 0 && B64URL[line[s - 1] as usize] {
            continue;
        }
        let seg = |p: usize| {
            p + line[p..]
                .iter()
                .take_while(|&&b| B64URL[b as usize])
                .count()
        };
        let h_end = seg(s);
        if h_end - s < 10 || line.get(h_end) != Some(&b'.') {
            continue;
        }
        let p_end = seg(h_end + 1);
        if p_end - (h_end + 1) < 10 || line.get(p_end) != Some(&b'.') {
            continue;
        }
        let end = seg(p_end + 1);
        hits.push(Hit {
            kind: Kind::Jwt,
            start: s,
            end,
        });
        from = end;
    }
}

pub(super) fn scan_cards(line: &[u8], hits: &mut Vec<Hit>) {
    let n = line.len();
    let mut i = 0;
    while i < n {
        if !line[i].is_ascii_digit()
            || (i > 0 && (line[i - 1].is_ascii_alphanumeric() || line[i - 1] == b'.'))
        {
            i += 1;
            continue;
        }
        let s = i;
        let mut digits = [0u8; 19];
        let mut count = 0;
        let mut e = s;
        let mut groups = 0;
        let mut sep: Option<u8> = None;
        let mut glens = [0usize; 6];
        loop {
            let g = e;
            while e < n && line[e].is_ascii_digit() {
                if count < digits.len() {
                    digits[count] = line[e] - b'0';
                }
                count += 1;
                e += 1;
            }
            let glen = e - g;
            groups += 1;
            // Grouped numbers: `4111 1111 1111 1111`, `4111-1111-1111-1111`, `4111+1111+…`, `4111.1111.…`,
            // `3782 822463 10005`.
            let next_sep = line
                .get(e)
                .copied()
                .filter(|&c| matches!(c, b' ' | b'-' | b'+' | b'.'));
            let continues = next_sep.is_some()
                && line.get(e + 1).is_some_and(u8::is_ascii_digit)
                && (sep.is_none() || sep == next_sep)
                && ((groups == 1 && glen == 4) || (groups > 1 && (4..=6).contains(&glen)));
            if groups <= glens.len() {
                glens[groups - 1] = glen;
            }
            if !continues {
                break;
            }
            sep = next_sep;
            e += 1;
        }
        i = e.max(s + 1);
        let followed = line.get(e).is_some_and(|&b| b.is_ascii_alphanumeric())
            || (line.get(e) == Some(&b'.') && line.get(e + 1).is_some_and(u8::is_ascii_digit));
        // Written groups: 4-4-4-4(-3), 4-4-4-1 (Visa 13), 4-6-5 (Amex), or one run.
        let grouping = match &glens[..groups.min(glens.len())] {
            _ if groups > glens.len() => false,
            [_] => true,
            [4, 6, 5] => true,
            [4, 4, 4, last] | [4, 4, 4, 4, last] => (1..=4).contains(last),
            _ => false,
        };
        if !grouping || followed || !(13..=19).contains(&count) {
            continue;
        }
        let d = &digits[..count];
        if card_prefix(d) && luhn(d) {
            hits.push(Hit {
                kind: Kind::Card,
                start: s,
                end: e,
            });
        }
    }
}

/// Issuer prefixes and lengths of the major networks: Visa 4 (13, 16, 19 digits), Mastercard 51-55 and
/// 2221-2720 (16), Amex 34/37 (15), Discover 6011/644-649/65 (16-19), JCB 35 (16-19). Diners Club
/// (300-305, 36, 38) is left out: its 14-digit numbers collide with ordinary IDs in real logs.
fn card_prefix(d: &[u8]) -> bool {
    let n2 = u32::from(d[0]) * 10 + u32::from(d[1]);
    let n3 = n2 * 10 + u32::from(d[2]);
    let n4 = n3 * 10 + u32::from(d[3]);
    let len = d.len();
    (d[0] == 4 && matches!(len, 13 | 16 | 19))
        || (((51..=55).contains(&n2) || (2221..=2720).contains(&n4)) && len == 16)
        || (matches!(n2, 34 | 37) && len == 15)
        || ((n4 == 6011 || (644..=649).contains(&n3) || n2 == 65 || n2 == 35) && len >= 16)
}

/// The Luhn checksum over decimal digits.
pub fn luhn(d: &[u8]) -> bool {
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(k, &x)| {
            let x = u32::from(x);
            if k % 2 == 1 {
                let y = x * 2;
                if y > 9 { y - 9 } else { y }
            } else {
                x
            }
        })
        .sum();
    sum % 10 == 0
}

/// Shortest hex or base64 run reported as a token.
pub(crate) const TOKEN_MIN_LEN: usize = 32;

/// True when `run` (a maximal run of letters, digits, `-`, `_` and `+`) looks like a secret: at least
/// `TOKEN_MIN_LEN` bytes, and either all hex with letters and digits, or mixed-case base64 with digits
/// and few separators (slugs such as `How-To-Install-Apache2` have many).
pub fn is_token(run: &[u8]) -> bool {
    if run.len() < TOKEN_MIN_LEN {
        return false;
    }
    let (mut upper, mut lower, mut digit, mut other, mut hex) = (0, 0, 0, 0, 0);
    for &b in run {
        match b {
            b'A'..=b'Z' => upper += 1,
            b'a'..=b'z' => lower += 1,
            b'0'..=b'9' => digit += 1,
            _ => other += 1,
        }
        if b.is_ascii_hexdigit() {
            hex += 1;
        }
    }
    if hex == run.len() {
        return digit > 0 && digit < run.len();
    }
    // The counts first: the class changes are walked only for a run that passes them (slugs do not).
    if !(upper >= 2 && lower >= 2 && digit >= 2 && other * 8 <= run.len()) {
        return false;
    }
    // Random base64 switches between upper, lower and digit at most positions; words and slugs rarely.
    let class = |b: u8| match b {
        b'A'..=b'Z' => 0,
        b'a'..=b'z' => 1,
        b'0'..=b'9' => 2,
        _ => 3,
    };
    let changes = run
        .windows(2)
        .filter(|w| class(w[0]) != 3 && class(w[1]) != 3 && class(w[0]) != class(w[1]))
        .count();
    changes * 4 >= run.len()
}

pub(super) fn scan_tokens(line: &[u8], hits: &mut Vec<Hit>) {
    let n = line.len();
    let mut i = 0;
    while i < n {
        if !line[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let s = i;
        // A hex run ends at any non-alphanumeric byte; a base64 run goes on over `-`, `_` and `+`.
        let mut e = s;
        while e < n && (B64URL[line[e] as usize] || line[e] == b'+') {
            e += 1;
        }
        i = e;
        let mut end = e;
        while line.get(end) == Some(&b'=') && end - e < 2 {
            end += 1;
        }
        if is_token(&line[s..e]) && !is_fingerprint(line, e) {
            hits.push(Hit {
                kind: Kind::Token,
                start: s,
                end,
            });
            continue;
        }
        // Hex pieces of the run, split at `-`, `_` and `+` (a 40-hex commit id inside `v-<sha>`): none in a
        // run shorter than a token.
        if e - s < TOKEN_MIN_LEN {
            continue;
        }
        let mut p = s;
        for piece in line[s..e].split(|&b| !b.is_ascii_alphanumeric()) {
            let q = p + piece.len();
            if piece.len() >= TOKEN_MIN_LEN
                && piece.iter().all(u8::is_ascii_hexdigit)
                && is_token(piece)
            {
                let asset = q == e && is_fingerprint(line, e);
                if !asset {
                    hits.push(Hit {
                        kind: Kind::Token,
                        start: p,
                        end: q,
                    });
                }
            }
            p = q + 1;
        }
    }
}

/// True when the run ending at `e` is followed by a file extension (`app-<hash>.css`): an asset
/// fingerprint, not a secret.
fn is_fingerprint(line: &[u8], e: usize) -> bool {
    line.get(e) == Some(&b'.')
        && line.get(e + 1).is_some_and(u8::is_ascii_alphabetic)
        && line[e + 1..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count()
            <= 5
}

/// UUIDs (`8f14e45f-ceea-467f-a0e6-6f4a1b2c3d4e`) and MAC addresses (`00:1a:2b:3c:4d:5e`,
/// `00-1A-2B-3C-4D-5E`) that stand alone, except a UUID that is a whole path segment (`anonymize` turns
/// those into `:uuid`, and they name a resource more often than a device).
pub(super) fn scan_devices(line: &[u8], hits: &mut Vec<Hit>) {
    let n = line.len();
    let mut i = 0;
    while i < n {
        if !line[i].is_ascii_hexdigit() || (i > 0 && line[i - 1].is_ascii_alphanumeric()) {
            i += 1;
            continue;
        }
        if let Some(e) = uuid_at(line, i) {
            if i == 0 || line[i - 1] != b'/' {
                hits.push(Hit::new(Kind::Device, i, e));
            }
            i = e;
        } else if let Some(e) = mac_at(line, i) {
            hits.push(Hit::new(Kind::Device, i, e));
            i = e;
        } else {
            i += 1;
        }
    }
}

/// The end of a UUID starting at `s`.
fn uuid_at(line: &[u8], s: usize) -> Option<usize> {
    let mut p = s;
    for (k, len) in [8, 4, 4, 4, 12].into_iter().enumerate() {
        if k > 0 {
            if line.get(p) != Some(&b'-') {
                return None;
            }
            p += 1;
        }
        let run = line.get(p..p + len)?;
        if !run.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        p += len;
    }
    (!line
        .get(p)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'-'))
    .then_some(p)
}

/// The end of a MAC address starting at `s` (six pairs of hex digits, one separator throughout).
fn mac_at(line: &[u8], s: usize) -> Option<usize> {
    let sep = *line.get(s + 2)?;
    if !matches!(sep, b':' | b'-') {
        return None;
    }
    let mut value = 0u64;
    for k in 0..6 {
        let p = s + k * 3;
        let pair = line.get(p..p + 2)?;
        for &c in pair {
            value = value * 16 + u64::from(char::from(c).to_digit(16)?);
        }
        if k < 5 && line.get(p + 2) != Some(&sep) {
            return None;
        }
    }
    let e = s + 17;
    let more = line.get(e) == Some(&sep) || line.get(e).is_some_and(u8::is_ascii_alphanumeric);
    (!more && value != 0 && value != 0xffff_ffff_ffff).then_some(e)
}
