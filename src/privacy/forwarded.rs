//! Which address of a client field is the visitor: the port left off, and in a forwarded list the
//! rightmost address that is not a trusted proxy.
//!
//! | client field | the visitor's address |
//! | --- | --- |
//! | `1.2.3.4` | `1.2.3.4` |
//! | `4.3.2.1:55008` (ALB, ELB, HAProxy) | `4.3.2.1` |
//! | `[2001:db8::1]:443` | `2001:db8::1` |
//! | `www.example.com:8080` | `www.example.com` |
//! | `10.0.0.2, 10.0.0.1, 85.181.35.98` | `85.181.35.98` |
//! | `"10.5.102.222, 199.96.1.1, 204.246.1.1" 10.2.1.185` | `204.246.1.1` |
//! | `10.0.0.2, 10.0.0.1, 127.0.0.1` (every item trusted) | `10.0.0.2` |
//!
//! A list is read as proxies append to it: the client first, then each hop. Walking from the right, the
//! first item that is not a trusted proxy (`--trusted-proxy`, by default the private, loopback,
//! link-local and shared ranges) is the visitor; an item that is not an address is never trusted. The
//! report keys visitors and the `networks` table by this address alone; the anonymised log keeps the field
//! as the format has it (every item reduced, the port kept).

use std::net::IpAddr;

use ipnet::IpNet;

use super::recognise::{parse_ipv4_prefix, parse_ipv6};

/// The networks whose addresses in a forwarded list are proxies, not visitors (`--trusted-proxy`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

/// The default trusted proxies: private (RFC 1918, unique-local), loopback, link-local and shared
/// (CGNAT) ranges, which a public visitor's address never is.
const PRIVATE: [&str; 9] = [
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "100.64.0.0/10",
    "::1/128",
    "fc00::/7",
    "fe80::/10",
];

impl Default for TrustedProxies {
    fn default() -> TrustedProxies {
        TrustedProxies(PRIVATE.iter().filter_map(|n| n.parse().ok()).collect())
    }
}

impl TrustedProxies {
    /// The networks of `--trusted-proxy` values (an address or a CIDR network each); none given: the
    /// default private ranges. The error names the flag and the value (the user's own argument).
    pub fn new(values: &[String]) -> Result<TrustedProxies, String> {
        if values.is_empty() {
            return Ok(TrustedProxies::default());
        }
        networks("--trusted-proxy", values).map(TrustedProxies)
    }

    fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(&ip))
    }
}

/// The networks of a flag's values (an address or a CIDR network each, host bits cleared); the error names
/// the flag and the value (the user's own argument, not log data).
pub(crate) fn networks(flag: &str, values: &[String]) -> Result<Vec<IpNet>, String> {
    values
        .iter()
        .map(|s| {
            let s = s.trim();
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map(|n| n.trunc())
                .map_err(|_| format!("{flag}: '{s}' is not an address or CIDR network"))
        })
        .collect()
}

/// The visitor's address in a client field (see the module docs): a slice of `field`, without port,
/// brackets or list. A plain address comes back whole.
#[inline]
pub(crate) fn visitor_address<'a>(field: &'a [u8], trusted: &TrustedProxies) -> &'a [u8] {
    if memchr::memchr3(b',', b' ', b'"', field).is_none() {
        return without_port(field);
    }
    let items = || {
        field
            .split(|&b| matches!(b, b',' | b' ' | b'"' | b'\t'))
            .filter(|item| !item.is_empty())
            .map(without_port)
    };
    for item in items().rev() {
        match parse_address(item) {
            Some(ip) if trusted.contains(ip) => continue,
            _ => return item,
        }
    }
    items().next().unwrap_or(field)
}

/// One item without its port: `1.2.3.4:80` → `1.2.3.4`, `[2001:db8::1]:443` → `2001:db8::1`,
/// `host:8080` → `host`; an IPv6 address without brackets is left whole.
fn without_port(item: &[u8]) -> &[u8] {
    if let Some(inner) = item.strip_prefix(b"[") {
        if let Some(close) = memchr::memchr(b']', inner) {
            return &inner[..close];
        }
        return item;
    }
    match memchr::memchr(b':', item) {
        Some(c) if c > 0 && c + 1 < item.len() && item[c + 1..].iter().all(u8::is_ascii_digit) => {
            &item[..c]
        }
        _ => item,
    }
}

/// One address, with an optional port, brackets or zone id (an IPv4-mapped IPv6 address as IPv4).
pub(crate) fn parse_address(item: &[u8]) -> Option<IpAddr> {
    if let Some((ip, len)) = parse_ipv4_prefix(item) {
        let rest = &item[len..];
        if rest.is_empty() || (rest[0] == b':' && rest[1..].iter().all(u8::is_ascii_digit)) {
            return Some(IpAddr::V4(ip));
        }
        return None;
    }
    let inner = match item.strip_prefix(b"[") {
        Some(inner) => &inner[..memchr::memchr(b']', inner)?],
        None => item,
    };
    let inner = &inner[..memchr::memchr(b'%', inner).unwrap_or(inner.len())];
    parse_ipv6(inner).map(|v6| v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(field: &str) -> String {
        String::from_utf8(visitor_address(field.as_bytes(), &TrustedProxies::default()).to_vec())
            .unwrap()
    }

    #[test]
    fn the_table_in_the_module_docs() {
        let cases = [
            ("1.2.3.4", "1.2.3.4"),
            ("4.3.2.1:55008", "4.3.2.1"),
            ("[2001:db8::1]:443", "2001:db8::1"),
            ("[2001:db8::1]", "2001:db8::1"),
            ("2001:db8::1", "2001:db8::1"),
            ("::1", "::1"),
            ("www.example.com:8080", "www.example.com"),
            ("10.0.0.2, 10.0.0.1, 85.181.35.98", "85.181.35.98"),
            (
                "\"10.5.102.222, 199.96.1.1, 204.246.1.1\" 10.2.1.185",
                "204.246.1.1",
            ),
            ("10.0.0.2, 10.0.0.1, 127.0.0.1", "10.0.0.2"),
            (
                "2a03:0000:10ff:f00f:0000:0000:0:8000, 10.225.192.17 10.2.2.121",
                "2a03:0000:10ff:f00f:0000:0000:0:8000",
            ),
            ("localhost, localhost", "localhost"),
            ("85.181.35.98, unknown", "unknown"),
            ("-", "-"),
            ("unix:", "unix:"),
        ];
        for (input, want) in cases {
            assert_eq!(v(input), want, "{input}");
        }
    }

    #[test]
    fn trusted_proxies_replace_the_private_ranges() {
        let t = TrustedProxies::new(&["204.246.0.0/16".into(), "10.2.1.185".into()]).unwrap();
        let field = b"\"10.5.102.222, 199.96.1.1, 204.246.1.1\" 10.2.1.185";
        assert_eq!(visitor_address(field, &t), b"199.96.1.1");
        let err = TrustedProxies::new(&["nope".into()]).unwrap_err();
        assert!(
            err.contains("--trusted-proxy") && err.contains("nope"),
            "{err}"
        );
    }

    #[test]
    fn one_person_on_three_ports_is_one_address() {
        let t = TrustedProxies::default();
        let a = visitor_address(b"4.3.2.1:55008", &t);
        let b = visitor_address(b"4.3.2.1:55009", &t);
        let c = visitor_address(b"4.3.2.1", &t);
        assert!(a == b && b == c);
    }
}
