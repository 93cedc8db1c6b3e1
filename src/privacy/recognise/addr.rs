//! IP addresses as the anonymiser reads them: a dotted quad, a dashed quad, IPv6 (parsed by `std`).

use std::net::{Ipv4Addr, Ipv6Addr};

/// Parses a dotted-quad IPv4 address at the start of `b`, returning it and its length in bytes.
///
/// Each part is one to three digits with a value up to 255; leading zeros are accepted (`010` is ten), so an
/// address written with them is still recognised and reduced. A fifth part (`1.2.3.4.5`) or a digit right
/// after the fourth means this is not an address.
// Always inlined (with `parse_quad`): the client rule reads one address per line, and since these moved
// out of `ip` the compiler stopped inlining them there (callgrind on the bench log: 0.9M more
// instructions, 0.6%).
#[inline(always)]
pub(crate) fn parse_ipv4_prefix(b: &[u8]) -> Option<(Ipv4Addr, usize)> {
    let (ip, i) = parse_quad(b, b'.')?;
    match b.get(i) {
        Some(c) if c.is_ascii_digit() => None,
        Some(b'.') if b.get(i + 1).is_some_and(u8::is_ascii_digit) => None,
        _ => Some((ip, i)),
    }
}

/// Four parts of one to three digits up to 255 separated by `sep` (`.` dotted, `-` dashed as in
/// `ec2-203-0-113-9`) at the start of `b`, and their length; what follows is the caller's to judge.
#[inline(always)]
pub(crate) fn parse_quad(b: &[u8], sep: u8) -> Option<(Ipv4Addr, usize)> {
    let mut octets = [0u8; 4];
    let mut i = 0;
    for (n, octet) in octets.iter_mut().enumerate() {
        if n > 0 {
            if b.get(i) != Some(&sep) {
                return None;
            }
            i += 1;
        }
        let start = i;
        let mut v: u32 = 0;
        while i < b.len() && i - start < 3 && b[i].is_ascii_digit() {
            v = v * 10 + u32::from(b[i] - b'0');
            i += 1;
        }
        if i == start || v > 255 {
            return None;
        }
        *octet = v as u8;
    }
    Some((Ipv4Addr::from(octets), i))
}

#[cfg(test)]
/// Parses all of `b` as an IPv4 address.
pub(crate) fn parse_ipv4(b: &[u8]) -> Option<Ipv4Addr> {
    parse_ipv4_prefix(b).and_then(|(ip, n)| (n == b.len()).then_some(ip))
}

/// Parses all of `b` as an IPv6 address (no brackets, no zone).
pub(crate) fn parse_ipv6(b: &[u8]) -> Option<Ipv6Addr> {
    if b.len() < 2 || b.len() > 45 || !b.contains(&b':') {
        return None;
    }
    std::str::from_utf8(b).ok()?.parse().ok()
}

/// The longest IPv6 address at the start of `run` (a run of hex digits, colons and dots), and its length.
///
/// Trailing punctuation is dropped (a sentence's full stop, a port separator), and then whole trailing
/// groups (`2001:db8:1:2:3:4:5:6:443` → the first eight groups; `2001:db8::1:a` → `2001:db8::1`).
pub(crate) fn parse_ipv6_prefix(run: &[u8]) -> Option<(Ipv6Addr, usize)> {
    let mut len = run.len();
    while len >= 2 {
        if let Some(ip) = parse_ipv6(&run[..len]) {
            return Some((ip, len));
        }
        len = match run[len - 1] {
            b'.' | b':' => len - 1,
            _ => memchr::memrchr2(b':', b'.', &run[..len])?,
        };
    }
    None
}
