//! IP addresses in every shape a log shows them: dotted (also glued to a word, `ip203.0.113.9`,
//! `Foo/203.0.113.9`), IPv6, dashed or hex inside a host name (`ec2-203-0-113-9.compute-1.amazonaws.com`,
//! `cb007109.nip.io`), an integer host (`http://3405803785/`), and standalone dotted numbers that are not
//! quite addresses but stand in a client's place (`9.88.198.940`, `1.2.3`, `1.2.3.4.5`).
//!
//! An address counts when the policy would change it (so `203.0.0.0`, `203-0-0-0` and `Chrome/120.0.0.0`
//! are clean) and it is not a pseudonym: the caller's [`FullAddress`] says which.

use std::net::Ipv4Addr;

use super::addr::parse_ipv6_prefix;
use super::{FullAddress, Hit, Kind, is_word};

static HEXISH: [bool; 256] = byte_table!(|c| c.is_ascii_hexdigit() || c == b':' || c == b'.');

/// Appends the addresses in `line` to `hits`.
pub(super) fn scan(line: &[u8], ip: &impl FullAddress, hits: &mut Vec<Hit>) {
    scan_v6(line, ip, hits);
    scan_dotted(line, ip, hits);
    scan_dashed(line, ip, hits);
    scan_hex(line, ip, hits);
    scan_integer_hosts(line, ip, hits);
}

fn scan_v6(line: &[u8], ip: &impl FullAddress, hits: &mut Vec<Hit>) {
    let n = line.len();
    let mut i = 0;
    while i < n {
        if !HEXISH[line[i] as usize] {
            i += 1;
            continue;
        }
        let s = i;
        let mut e = i;
        let mut colons = 0;
        while e < n && HEXISH[line[e] as usize] {
            colons += usize::from(line[e] == b':');
            e += 1;
        }
        i = e;
        if colons < 2 {
            continue;
        }
        // A lone leading colon is punctuation (`x :2001:db8::1`), `::` is part of the address.
        let s6 = if e - s > 1 && line[s] == b':' && line[s + 1] != b':' {
            s + 1
        } else {
            s
        };
        if s6 > 0 && (is_word(line[s6 - 1]) || line[s6 - 1] == b'.') {
            continue;
        }
        if let Some((addr, len)) = parse_ipv6_prefix(&line[s6..e]) {
            if line.get(s6 + len).is_some_and(|&b| is_word(b)) {
                continue;
            }
            if ip.full_v6(addr) {
                hits.push(Hit::new(Kind::Ipv6, s6, s6 + len));
            }
        }
    }
}

/// The numeric groups of a run of digits and one separator: `(start, end, value)` each.
fn groups(line: &[u8], s: usize, e: usize, sep: u8) -> Vec<(usize, usize, u32)> {
    let mut out = Vec::new();
    let mut p = s;
    for part in line[s..e].split(|&b| b == sep) {
        let value = if part.is_empty() || part.len() > 3 {
            u32::MAX
        } else {
            part.iter()
                .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'))
        };
        out.push((p, p + part.len(), value));
        p += part.len() + 1;
    }
    out
}

/// The address of four groups, when each is an octet.
fn quad(g: &[(usize, usize, u32)]) -> Option<Ipv4Addr> {
    let mut o = [0u8; 4];
    for (k, &(_, _, v)) in g.iter().enumerate() {
        o[k] = u8::try_from(v).ok()?;
    }
    Some(Ipv4Addr::from(o))
}

/// Bytes that may stand before a standalone dotted number (a field of its own).
fn opens_field(c: u8) -> bool {
    matches!(
        c,
        b'\t' | b'"' | b'\'' | b',' | b'[' | b'(' | b'=' | b'|' | b'{'
    )
}

/// Bytes that may stand after a standalone dotted number.
fn closes_field(line: &[u8], e: usize) -> bool {
    match line.get(e) {
        None => true,
        Some(b' ' | b'\t' | b'"' | b'\'' | b',' | b']' | b'|' | b'}') => true,
        Some(b':') => line.get(e + 1).is_some_and(u8::is_ascii_digit),
        _ => false,
    }
}

/// Dotted quads, glued or not, and standalone dotted numbers of three to six groups.
fn scan_dotted(line: &[u8], ip: &impl FullAddress, hits: &mut Vec<Hit>) {
    let n = line.len();
    let mut i = 0;
    while i < n {
        if !line[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let s = i;
        let mut e = i;
        while e < n && (line[e].is_ascii_digit() || line[e] == b'.') {
            e += 1;
        }
        i = e;
        // `UP.Browser/6.2.3.3.c.1.101`: a dotted name goes on past the digits.
        if line[e - 1] == b'.' && line.get(e).is_some_and(u8::is_ascii_alphanumeric) {
            continue;
        }
        // A sentence's full stop is not a group.
        while e > s && line[e - 1] == b'.' {
            e -= 1;
        }
        if s >= e {
            continue;
        }
        let g = groups(line, s, e, b'.');
        // Product versions (`Firefox/2.0.0.4`, `rv:1.8.1.1`, `v1.2.3.4`) start with a small number; an
        // address glued to a word or a product name (`ip203.0.113.9`, `Foo/203.0.113.9`) rarely does.
        if is_version_context(line, s) && g[0].2 < 10 {
            continue;
        }
        if g.len() == 4 {
            if let Some(addr) = quad(&g) {
                // `Chrome/32.0.1700.77` has a group above 255 and never gets here; a reduced version
                // (`Chrome/120.0.0.0`) is clean like any reduced address.
                if ip.full_v4(addr) {
                    hits.push(Hit::new(Kind::Ipv4, s, e));
                }
                continue;
            }
        }
        if !(3..=6).contains(&g.len()) || g.iter().any(|&(a, b, _)| b == a || b - a > 3) {
            continue;
        }
        // Not an address, but in an address's place: a field of its own, its first two groups octets.
        let with_port = line.get(e) == Some(&b':');
        let standalone = (s == 0
            || opens_field(line[s - 1])
            || (line[s - 1] == b' ' && (with_port || !after_word(line, s - 1))))
            && closes_field(line, e);
        let octets = g[0].2 <= 255 && g[1].2 <= 255;
        let reduced = g[2..].iter().all(|&(_, _, v)| v == 0);
        let pseudonym = g[0].2 >= 240;
        if standalone && octets && !reduced && !pseudonym {
            hits.push(Hit::new(Kind::Ipv4, s, e));
        }
    }
}

/// True when `p` follows a letter (`v1.2.3.4`), `rv:` or `Product/` at the start of a token (as in a user
/// agent: `Chrome/32.0.1700.77`, `(compatible; Foo/1.2.3.4)`); `/ip/1.2.3.4` and `//1.2.3.4` are not.
fn is_version_context(line: &[u8], p: usize) -> bool {
    if p == 0 {
        return false;
    }
    if line[p - 1].is_ascii_alphabetic() || line[..p].ends_with(b"rv:") {
        return true;
    }
    if p < 2 || line[p - 1] != b'/' {
        return false;
    }
    let slash = p - 1;
    let mut t = slash;
    while t > 0 && (is_word(line[t - 1]) || matches!(line[t - 1], b'.' | b'-')) {
        t -= 1;
    }
    t < slash
        && line[t].is_ascii_alphabetic()
        && (t == 0
            || matches!(
                line[t - 1],
                b' ' | b'(' | b'"' | b';' | b',' | b'[' | b'+' | b'\t'
            ))
}

/// True when the token before the space at `sp` is a plain word (`Instagram 3.0.4`, a product and its
/// version), not a host name, a time or a field value.
fn after_word(line: &[u8], sp: usize) -> bool {
    let start = line[..sp]
        .iter()
        .rposition(|b| !b.is_ascii_alphabetic())
        .map_or(0, |p| p + 1);
    start < sp && (start == 0 || matches!(line[start - 1], b' ' | b'"' | b'(' | b';' | b','))
}

/// `203-0-113-9` inside a host name: four dashed octets followed by `.label.tld` or `-label.tld`.
fn scan_dashed(line: &[u8], ip: &impl FullAddress, hits: &mut Vec<Hit>) {
    let n = line.len();
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'-', &line[i..]) {
        // The run of digits and dashes around this dash.
        let mut s = i + off;
        while s > i && (line[s - 1].is_ascii_digit() || line[s - 1] == b'-') {
            s -= 1;
        }
        let mut e = i + off;
        while e < n && (line[e].is_ascii_digit() || line[e] == b'-') {
            e += 1;
        }
        i = e;
        let g: Vec<_> = groups(line, s, e, b'-')
            .into_iter()
            .filter(|&(a, b, _)| b > a)
            .collect();
        for w in g.windows(4) {
            let (start, end) = (w[0].0, w[3].1);
            let adjacent = w.windows(2).all(|p| p[1].0 == p[0].1 + 1);
            let next_is_label = match line.get(end) {
                Some(b'.') => true,
                Some(b'-') => line.get(end + 1).is_some_and(u8::is_ascii_alphabetic),
                _ => false,
            };
            if !adjacent || !next_is_label || !host_follows(line, end) {
                continue;
            }
            if let Some(addr) = quad(w) {
                if ip.full_v4(addr) {
                    hits.push(Hit::new(Kind::Ipv4, start, end));
                }
            }
        }
    }
}

/// True when a host name's remaining labels follow `e` (`.compute-1.amazonaws.com`, `.nip.io`,
/// `-static.isp.net`): two or more labels, the last alphabetic.
fn host_follows(line: &[u8], e: usize) -> bool {
    if !matches!(line.get(e), Some(b'.' | b'-')) {
        return false;
    }
    let rest = &line[e + 1..];
    let len = rest
        .iter()
        .take_while(|&&c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-')
        .count();
    let host = rest[..len].strip_suffix(b".").unwrap_or(&rest[..len]);
    match memchr::memrchr(b'.', host) {
        Some(dot) => {
            let tld = &host[dot + 1..];
            dot > 0 && tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic)
        }
        None => false,
    }
}

/// Eight hex digits as a host label (`cb007109.nip.io`) or `0x` and eight hex digits anywhere.
fn scan_hex(line: &[u8], ip: &impl FullAddress, hits: &mut Vec<Hit>) {
    let n = line.len();
    let mut i = 0;
    while i < n {
        if !line[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let s = i;
        while i < n && line[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let run = &line[s..i];
        let digits = match run {
            [b'0', b'x' | b'X', rest @ ..] if rest.len() == 8 => rest,
            _ if run.len() == 8
                && (s == 0 || matches!(line[s - 1], b'.' | b'/' | b'-' | b'@' | b' ' | b'"'))
                && line.get(i) == Some(&b'.')
                && host_follows(line, i)
                && run.iter().any(u8::is_ascii_digit)
                && run.iter().any(u8::is_ascii_alphabetic) =>
            {
                run
            }
            _ => continue,
        };
        let Some(v) = digits.iter().try_fold(0u32, |acc, &c| {
            char::from(c).to_digit(16).map(|d| acc * 16 + d)
        }) else {
            continue;
        };
        if ip.full_v4(Ipv4Addr::from(v)) {
            hits.push(Hit::new(Kind::Ipv4, s, i));
        }
    }
}

/// An integer host right after `//` (`http://3405803785/x`).
fn scan_integer_hosts(line: &[u8], ip: &impl FullAddress, hits: &mut Vec<Hit>) {
    let finder = memchr::memmem::Finder::new(b"//");
    for at in finder.find_iter(line) {
        let s = at + 2;
        let len = line[s..].iter().take_while(|c| c.is_ascii_digit()).count();
        let e = s + len;
        if !(8..=10).contains(&len)
            || !matches!(
                line.get(e),
                None | Some(b'/' | b':' | b' ' | b'"' | b'?' | b'#')
            )
        {
            continue;
        }
        let v = line[s..e]
            .iter()
            .fold(0u64, |acc, &d| acc * 10 + u64::from(d - b'0'));
        if let Ok(v) = u32::try_from(v) {
            if ip.full_v4(Ipv4Addr::from(v)) {
                hits.push(Hit::new(Kind::Ipv4, s, e));
            }
        }
    }
}
