//! The client-address field (`%h`, `$remote_addr`, `c-ip`): one address or host name, or a list of them.
//!
//! | input | output |
//! | --- | --- |
//! | `192.168.100.50` | `192.168.0.0` |
//! | `1.2.3.4:5678` | `1.2.0.0:5678` (port kept) |
//! | `[2001:db8::1]:443` | `[2001:db8::]:443` (brackets kept) |
//! | `fe80::1%eth0` | `fe80::` (zone id dropped) |
//! | `::ffff:1.2.3.4` | `::ffff:1.2.0.0` |
//! | `piweba3y.prodigy.com` | `prodigy.com` |
//! | `10.0.0.2, 85.181.35.98` | `10.0.0.0, 85.181.0.0` |
//! | `"10.5.102.222, 199.96.1.1" 10.2.1.185` | `"10.5.0.0, 199.96.0.0" 10.2.0.0` |
//! | `-`, `unknown`, `localhost` | unchanged |
//!
//! Anything else goes through the scrubber, so no address survives whatever the field holds, and tokens,
//! JWTs and card-like numbers become placeholders (`:token`, `:card`) wherever they sit in the field.

use super::host;
use super::ip::{parse_ipv4_prefix, parse_ipv6};
use super::secrets::redact_in_place;
use super::text::scrub_plain;
use super::{IpMode, Rules};

/// Writes the reduced form of a client field.
#[inline]
pub fn reduce_client(field: &[u8], rules: &Rules, out: &mut Vec<u8>) {
    // `--ip-mode drop`: the whole client field (address, port, host name) becomes `-`.
    if rules.ip.mode() == IpMode::Drop {
        out.push(b'-');
        return;
    }
    // Fast path: a plain IPv4 address, the overwhelmingly common case.
    if let Some((ip, len)) = parse_ipv4_prefix(field) {
        if len == field.len() {
            rules.ip.write_v4(out, ip);
            return;
        }
    }
    let mark = out.len();
    // A list (`10.0.0.2, 85.181.35.98`, `"10.5.102.222, 199.96.1.1" 10.2.1.185`): separators copied, each
    // item reduced.
    if field.first() != Some(&b'"') && memchr::memchr(b',', field).is_none() {
        let lead = field.iter().take_while(|&&b| b == b' ').count();
        out.extend_from_slice(&field[..lead]);
        reduce_one(&field[lead..], rules, out);
        redact_in_place(out, mark);
        return;
    }
    let separator = |b: &u8| matches!(b, b',' | b' ' | b'"');
    let mut rest = field;
    while !rest.is_empty() {
        let seps = rest.iter().take_while(|b| separator(b)).count();
        out.extend_from_slice(&rest[..seps]);
        rest = &rest[seps..];
        let len = rest.iter().position(separator).unwrap_or(rest.len());
        if len > 0 {
            reduce_one(&rest[..len], rules, out);
        }
        rest = &rest[len..];
    }
    redact_in_place(out, mark);
}

fn reduce_one(item: &[u8], rules: &Rules, out: &mut Vec<u8>) {
    if item.is_empty() || item == b"-" || item.eq_ignore_ascii_case(b"unknown") {
        out.extend_from_slice(item);
        return;
    }
    if let Some(inner) = item.strip_prefix(b"[") {
        if let Some(close) = memchr::memchr(b']', inner) {
            if let Some(ip) = parse_ipv6(without_zone(&inner[..close])) {
                out.push(b'[');
                rules.ip.write_v6(out, ip);
                out.push(b']');
                port_or_scrub(&inner[close + 1..], rules, out);
                return;
            }
        }
    }
    if let Some((ip, len)) = parse_ipv4_prefix(item) {
        // `1.2.3.4@x.org` is an email address with an address for a local part: the scrubber redacts it
        // whole (reducing the address alone would leave `1.2.0.0@x.org`).
        if matches!(item[len..].first(), Some(b'@' | b'%')) {
            scrub_plain(item, rules, out);
            return;
        }
        rules.ip.write_v4(out, ip);
        port_or_scrub(&item[len..], rules, out);
        return;
    }
    if let Some(ip) = parse_ipv6(without_zone(item)) {
        rules.ip.write_v6(out, ip);
        return;
    }
    // With a port (`74.142.227.660:2817`): the address part judged alone, the port kept.
    let (addr, port) = match memchr::memrchr(b':', item) {
        Some(c)
            if memchr::memchr(b':', &item[..c]).is_none()
                && c + 1 < item.len()
                && item[c + 1..].iter().all(u8::is_ascii_digit) =>
        {
            item.split_at(c)
        }
        _ => (item, &b""[..]),
    };
    if write_address_like(addr, out) {
        out.extend_from_slice(port);
        return;
    }
    let (name, port) = match memchr::memrchr(b':', item) {
        Some(c) if item[c + 1..].iter().all(u8::is_ascii_digit) => item.split_at(c),
        _ => (item, &b""[..]),
    };
    if host::is_hostname(name) {
        let mark = out.len();
        if host::write_host(name, rules, out) {
            out.extend_from_slice(port);
            return;
        }
        out.truncate(mark);
    }
    scrub_plain(item, rules, out);
}

/// A client field shaped like an address but not a valid one (`9.88.198.940`, `1.2.3`, `1.2.3.4.5`,
/// `2001:db8:85a3:`): it keeps what the prefix rule would keep of an address, its first two numeric
/// groups, and every later group becomes `0`. Returns false, writing nothing, for anything else.
fn write_address_like(item: &[u8], out: &mut Vec<u8>) -> bool {
    let dots = item.iter().filter(|&&b| b == b'.').count();
    let colons = item.iter().filter(|&&b| b == b':').count();
    let shaped = if colons >= 2 {
        item.iter()
            .all(|&b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
    } else {
        dots >= 2 && item.iter().all(|&b| b.is_ascii_digit() || b == b'.')
    };
    if !shaped {
        return false;
    }
    let mut group = 0;
    let mut in_group = false;
    for &b in item {
        if b == b'.' || b == b':' {
            if in_group {
                group += 1;
            }
            in_group = false;
            out.push(b);
        } else if group < 2 {
            in_group = true;
            out.push(b);
        } else if !in_group {
            in_group = true;
            out.push(b'0');
        }
    }
    true
}

fn without_zone(addr: &[u8]) -> &[u8] {
    &addr[..memchr::memchr(b'%', addr).unwrap_or(addr.len())]
}

/// After an address: `:port` is kept, anything else is scrubbed.
fn port_or_scrub(rest: &[u8], rules: &Rules, out: &mut Vec<u8>) {
    if rest.len() > 1 && rest[0] == b':' && rest[1..].iter().all(u8::is_ascii_digit) {
        out.extend_from_slice(rest);
    } else {
        scrub_plain(rest, rules, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(field: &str) -> String {
        let mut out = Vec::new();
        reduce_client(field.as_bytes(), &Rules::default(), &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_table_in_the_module_docs() {
        let cases = [
            ("192.168.100.50", "192.168.0.0"),
            ("1.2.3.4:5678", "1.2.0.0:5678"),
            ("[2001:db8::1]:443", "[2001:db8::]:443"),
            ("[2001:db8::1]", "[2001:db8::]"),
            ("fe80::1%eth0", "fe80::"),
            ("::1%0", "::"),
            ("::ffff:1.2.3.4", "::ffff:1.2.0.0"),
            ("2001:db8:85a3::8a2e:370:7334", "2001:db8::"),
            ("piweba3y.prodigy.com", "prodigy.com"),
            ("d41d8cd98f00b204e9800998ecf8427e", ":token"),
            ("crawl-66-249-66-1.googlebot.com", "googlebot.com"),
            (
                "10.0.0.2, 10.0.0.1, 85.181.35.98",
                "10.0.0.0, 10.0.0.0, 85.181.0.0",
            ),
            ("10.0.0.2,85.181.35.98", "10.0.0.0,85.181.0.0"),
            (
                "\"10.5.102.222, 199.96.1.1\" 10.2.1.185",
                "\"10.5.0.0, 199.96.0.0\" 10.2.0.0",
            ),
            (
                "2a03:0:10ff:f00f::8000, 10.225.192.17 10.2.2.121",
                "2a03::, 10.225.0.0 10.2.0.0",
            ),
            ("-", "-"),
            ("unknown", "unknown"),
            ("localhost", "localhost"),
            ("192.168.001.001", "192.168.0.0"),
            ("www.example.com:8080", "example.com:8080"),
            ("unix:", "unix:"),
            ("9.88.198.940", "9.88.0.0"),
            ("74.142.227.660:2817", "74.142.0.0:2817"),
            ("1.2.3", "1.2.0"),
            ("1.2.3.4.5", "1.2.0.0.0"),
            ("2001:db8:85a3:8d3", "2001:db8:0:0"),
            ("x.duckdns.org", "duckdns.org"),
            ("ec2-203-0-113-9.compute-1.amazonaws.com", "amazonaws.com"),
            ("203-0-113-9.nip.io", "nip.io"),
            ("www.203-0-113-9.net", "203-0-0-0.net"),
        ];
        for (input, want) in cases {
            assert_eq!(c(input), want, "{input}");
        }
    }

    #[test]
    fn drop_mode_blanks_the_whole_field() {
        let rules = Rules {
            ip: crate::privacy::IpPolicy::default()
                .with_mode(IpMode::Drop, None)
                .unwrap(),
            ..Rules::default()
        };
        for field in [
            "1.2.3.4:5678",
            "[2001:db8::1]:443",
            "piweba3y.prodigy.com",
            "-",
        ] {
            let mut out = Vec::new();
            reduce_client(field.as_bytes(), &rules, &mut out);
            assert_eq!(out, b"-", "{field}");
        }
    }

    #[test]
    fn junk_is_still_scrubbed() {
        assert_eq!(c("x1.2.3.4y;5.6.7.8"), "x1.2.0.0y;5.6.0.0");
        assert_eq!(c("joe@example.com"), ":email");
        assert_eq!(c("0.0.0.1@0.com"), ":email");
        assert_eq!(c("1.2.3.4%40example.org:80"), ":email:80");
        assert_eq!(c("1.2.3.4@home"), "1.2.0.0@home");
    }
}
