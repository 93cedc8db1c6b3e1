//! IP addresses as the anonymiser reads them: a dotted quad, a dashed quad, IPv6 (read as `std` reads it).

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

/// Parses all of `b` as an IPv6 address (no brackets, no zone): exactly the addresses `std`'s
/// `Ipv6Addr::from_str` accepts (a test compares the two on random and structured input), without its
/// UTF-8 check and character decoding, which cost a fifth of `anonymize`'s time on an IPv6 client.
pub(crate) fn parse_ipv6(b: &[u8]) -> Option<Ipv6Addr> {
    if b.len() < 2 || b.len() > 45 {
        return None;
    }
    // As `std`: the groups before `::` (or all eight), then `::` and the groups after it.
    // An embedded IPv4 address needs a dot: without one, no group is tried as one.
    let v4 = memchr::memchr(b'.', b).is_some();
    let mut head = [0u16; 8];
    let (head_len, mut p, head_v4) = read_groups(b, 0, &mut head, v4);
    if head_len == 8 {
        return (p == b.len()).then(|| Ipv6Addr::from(head));
    }
    if head_v4 || b.get(p..p + 2) != Some(b"::") {
        return None;
    }
    p += 2;
    let mut tail = [0u16; 7];
    let limit = 7 - head_len;
    let (tail_len, end, _) = read_groups(b, p, &mut tail[..limit], v4);
    if end != b.len() {
        return None;
    }
    head[8 - tail_len..].copy_from_slice(&tail[..tail_len]);
    Some(Ipv6Addr::from(head))
}

/// Reads up to `groups.len()` colon-separated groups of one to four hex digits from `b[p..]`, the last two
/// possibly an embedded IPv4 address (then the third value is true), as `std`'s parser does: returns how
/// many were read and where reading stopped (before a `:` that no group follows). `v4`: `b` has a dot.
#[inline]
fn read_groups(b: &[u8], mut p: usize, groups: &mut [u16], v4: bool) -> (usize, usize, bool) {
    let limit = groups.len();
    for i in 0..limit {
        let at = if i > 0 {
            if b.get(p) != Some(&b':') {
                return (i, p, false);
            }
            p + 1
        } else {
            p
        };
        if v4 && i + 1 < limit {
            if let Some((v4, len)) = std_ipv4(&b[at..]) {
                let [one, two, three, four] = v4.octets();
                groups[i] = u16::from_be_bytes([one, two]);
                groups[i + 1] = u16::from_be_bytes([three, four]);
                return (i + 2, at + len, true);
            }
        }
        let (mut value, mut digits) = (0u16, 0);
        while let Some(&d) = b.get(at + digits).map(|&c| &HEX[c as usize]) {
            if d > 15 {
                break;
            }
            if digits == 4 {
                // A fifth hex digit: `std` gives up the group (and the address).
                return (i, p, false);
            }
            value = value << 4 | u16::from(d);
            digits += 1;
        }
        if digits == 0 {
            return (i, p, false);
        }
        groups[i] = value;
        p = at + digits;
    }
    (limit, p, false)
}

/// The value of each hex digit (either case), 255 for any other byte.
static HEX: [u8; 256] = {
    let mut t = [255u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => 255,
        };
        i += 1;
    }
    t
};

/// An IPv4 address at the start of `b` as `std` reads one inside IPv6: four parts of one to three digits
/// up to 255, no leading zero but a lone `0`; what follows is not looked at.
#[inline]
fn std_ipv4(b: &[u8]) -> Option<(Ipv4Addr, usize)> {
    let mut octets = [0u8; 4];
    let mut i = 0;
    for (n, octet) in octets.iter_mut().enumerate() {
        if n > 0 {
            if b.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
        let start = i;
        let mut v: u32 = 0;
        while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            if i - start == 3 {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
            i += 1;
        }
        if i == start || v > 255 || (b[start] == b'0' && i - start > 1) {
            return None;
        }
        *octet = v as u8;
    }
    Some((Ipv4Addr::from(octets), i))
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

#[cfg(test)]
mod tests {
    use super::parse_ipv6;
    use std::net::Ipv6Addr;

    fn std_v6(s: &str) -> Option<Ipv6Addr> {
        s.parse().ok()
    }

    #[test]
    fn ipv6_as_std_reads_it() {
        for s in [
            "::",
            "::1",
            "1::",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7::",
            "::2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6::7:8",
            "2001:db8::1",
            "2001:DB8::A:b",
            "::ffff:192.0.2.128",
            "::192.0.2.128",
            "1:2:3:4:5:6:1.2.3.4",
            "1:2:3:4:5:6:7:1.2.3.4",
            "1::1.2.3.4",
            "1.2.3.4::",
            "::1.2.3.4:5",
            "::01.2.3.4",
            "::1.2.3.256",
            "::1.2.3.04",
            "::0.0.0.0",
            "12345::1",
            "::12345",
            "1:::2",
            ":1",
            "1:",
            "::1:",
            ":::",
            "1::2::3",
            "fe80::1%eth0",
            "0:0:0:0:0:0:0:0",
            "00000::",
            "0000::",
            "::ffff:1.2.3",
            "1:2",
            "a:b:c:d:e:f:0:1",
            "::1.2.3.4.5",
            "::1.2.3.4a",
            "g::1",
            "1: :2",
            "",
        ] {
            assert_eq!(parse_ipv6(s.as_bytes()), std_v6(s), "{s:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]
        /// Random strings of the bytes an address is made of: the same verdict and value as `std`.
        #[test]
        fn random_text_is_read_as_std_reads_it(s in "[0-9a-fA-F:.g ]{0,46}") {
            proptest::prop_assert_eq!(parse_ipv6(s.as_bytes()), std_v6(&s), "{:?}", s);
        }

        /// Near-addresses: groups of 0 to 5 hex digits, `::` anywhere, an IPv4 end.
        #[test]
        fn near_addresses_are_read_as_std_reads_them(
            groups in proptest::collection::vec("[0-9a-fA-F]{0,5}", 0..10),
            gap in proptest::option::of(0usize..10),
            v4 in proptest::option::of("(0|[1-9][0-9]{0,3}|0[0-9])\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,4}"),
        ) {
            let mut s = String::new();
            for (k, g) in groups.iter().enumerate() {
                if k > 0 {
                    s.push(':');
                }
                if gap == Some(k) {
                    s.push(':');
                }
                s.push_str(g);
            }
            if gap.is_some_and(|g| g >= groups.len()) {
                s.push_str("::");
            }
            if let Some(v4) = v4 {
                s.push(':');
                s.push_str(&v4);
            }
            proptest::prop_assert_eq!(parse_ipv6(s.as_bytes()), std_v6(&s), "{:?}", s);
        }
    }
}
