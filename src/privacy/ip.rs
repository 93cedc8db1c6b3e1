//! Reducing IP addresses to a network prefix.
//!
//! IPv4 keeps its first `ipv4_prefix` bits (default 16: `192.168.100.50` → `192.168.0.0`), IPv6 its first
//! `ipv6_prefix` bits (default 32: `2001:db8:85a3::7334` → `2001:db8::`). An IPv4-mapped IPv6 address is
//! reduced as IPv4 and keeps its form (`::ffff:1.2.3.4` → `::ffff:1.2.0.0`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

use ipnet::Ipv6Net;

use super::cryptopan::CryptoPan;
use super::key::{Key, KeyError, MissingKey};
use super::pseudonym::Pseudonymizer;
pub(crate) use super::recognise::{parse_ipv4_prefix, parse_ipv6};

/// Allowed values of `--ipv4-prefix`.
pub(crate) const IPV4_PREFIX_RANGE: std::ops::RangeInclusive<u8> = 8..=24;
/// Allowed values of `--ipv6-prefix`.
pub(crate) const IPV6_PREFIX_RANGE: std::ops::RangeInclusive<u8> = 16..=64;

/// What becomes of an IP address (`--ip-mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum IpMode {
    /// Keep the network prefix (`192.168.100.50` → `192.168.0.0`).
    #[default]
    Truncate,
    /// Replace with a keyed pseudonym in a reserved range (`pseudonym`).
    Pseudonymize,
    /// Prefix-preserving keyed pseudonymisation (`cryptopan`).
    CryptoPan,
    /// Replace with `-`.
    Drop,
}

impl IpMode {
    /// The mode's name as given to `--ip-mode`.
    pub fn name(self) -> &'static str {
        match self {
            IpMode::Truncate => "truncate",
            IpMode::Pseudonymize => "pseudonymize",
            IpMode::CryptoPan => "crypto-pan",
            IpMode::Drop => "drop",
        }
    }

    /// True when the mode needs a key.
    pub fn needs_key(self) -> bool {
        matches!(self, IpMode::Pseudonymize | IpMode::CryptoPan)
    }
}

/// The keyed state of a mode, set up once.
#[derive(Debug, Clone)]
enum Mapper {
    Truncate,
    Pseudonymize(Pseudonymizer),
    CryptoPan(Box<CryptoPan>),
    Drop,
}

/// How IP addresses are rewritten: the mode, and how many leading bits survive truncation (also what
/// `check` calls a full address).
#[derive(Debug, Clone)]
pub struct IpPolicy {
    v4_prefix: u8,
    v6_prefix: u8,
    mapper: Mapper,
    /// Public fingerprint of the key (0 without one): policies with different keys differ.
    key_id: u64,
}

impl Default for IpPolicy {
    fn default() -> IpPolicy {
        IpPolicy {
            v4_prefix: 16,
            v6_prefix: 32,
            mapper: Mapper::Truncate,
            key_id: 0,
        }
    }
}

impl PartialEq for IpPolicy {
    fn eq(&self, other: &IpPolicy) -> bool {
        (self.v4_prefix, self.v6_prefix, self.mode(), self.key_id)
            == (other.v4_prefix, other.v6_prefix, other.mode(), other.key_id)
    }
}

impl Eq for IpPolicy {}

impl std::hash::Hash for IpPolicy {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.v4_prefix, self.v6_prefix, self.mode(), self.key_id).hash(state);
    }
}

/// A prefix length outside the allowed range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--{family}-prefix must be between {min} and {max}, not {given}")]
pub struct PrefixError {
    family: &'static str,
    min: u8,
    max: u8,
    given: u8,
}

impl IpPolicy {
    /// A policy keeping `v4_prefix` bits of IPv4 (8..=24) and `v6_prefix` bits of IPv6 (16..=64).
    pub fn new(v4_prefix: u8, v6_prefix: u8) -> Result<IpPolicy, PrefixError> {
        for (family, range, given) in [
            ("ipv4", IPV4_PREFIX_RANGE, v4_prefix),
            ("ipv6", IPV6_PREFIX_RANGE, v6_prefix),
        ] {
            if !range.contains(&given) {
                return Err(PrefixError {
                    family,
                    min: *range.start(),
                    max: *range.end(),
                    given,
                });
            }
        }
        Ok(IpPolicy {
            v4_prefix,
            v6_prefix,
            ..IpPolicy::default()
        })
    }

    /// This policy with IP mode `mode`, keyed with `key` when the mode needs one.
    pub fn with_mode(mut self, mode: IpMode, key: Option<&Key>) -> Result<IpPolicy, MissingKey> {
        let (mapper, key_id) = match (mode, key) {
            (IpMode::Truncate, _) => (Mapper::Truncate, 0),
            (IpMode::Drop, _) => (Mapper::Drop, 0),
            (IpMode::Pseudonymize, Some(k)) => {
                (Mapper::Pseudonymize(Pseudonymizer::new(k)), k.fingerprint())
            }
            (IpMode::CryptoPan, Some(k)) => (
                Mapper::CryptoPan(Box::new(CryptoPan::new(k))),
                k.fingerprint(),
            ),
            (mode, None) => return Err(MissingKey(mode.name())),
        };
        self.mapper = mapper;
        self.key_id = key_id;
        Ok(self)
    }

    /// The IP mode.
    pub fn mode(&self) -> IpMode {
        match self.mapper {
            Mapper::Truncate => IpMode::Truncate,
            Mapper::Pseudonymize(_) => IpMode::Pseudonymize,
            Mapper::CryptoPan(_) => IpMode::CryptoPan,
            Mapper::Drop => IpMode::Drop,
        }
    }

    /// Writes what an IPv4 address becomes under this policy's mode.
    #[inline]
    pub fn write_v4(&self, out: &mut Vec<u8>, ip: Ipv4Addr) {
        match &self.mapper {
            Mapper::Truncate => write_ipv4(out, self.reduce_v4(ip)),
            Mapper::Pseudonymize(p) => write_ipv4(out, p.v4(ip)),
            Mapper::CryptoPan(c) => write_ipv4(out, c.anonymize_v4(ip)),
            Mapper::Drop => out.push(b'-'),
        }
    }

    /// Writes what an IPv6 address becomes under this policy's mode (IPv4-mapped ones as IPv4, mapped).
    pub fn write_v6(&self, out: &mut Vec<u8>, ip: Ipv6Addr) {
        match &self.mapper {
            Mapper::Truncate => write_ipv6(out, self.reduce_v6(ip)),
            Mapper::Pseudonymize(p) => write_ipv6(out, p.v6(ip)),
            Mapper::CryptoPan(c) => write_ipv6(out, c.anonymize_v6(ip)),
            Mapper::Drop => out.push(b'-'),
        }
    }

    /// Bits of IPv4 kept.
    pub fn v4_prefix(&self) -> u8 {
        self.v4_prefix
    }

    /// Bits of IPv6 kept.
    pub fn v6_prefix(&self) -> u8 {
        self.v6_prefix
    }

    /// The network address of `ip` under the IPv4 prefix.
    #[inline]
    pub fn reduce_v4(&self, ip: Ipv4Addr) -> Ipv4Addr {
        // The hot path: a plain mask (the prefix is validated to be 8..=24).
        Ipv4Addr::from(u32::from(ip) & (u32::MAX << (32 - u32::from(self.v4_prefix))))
    }

    /// The network address of `ip` under the IPv6 prefix; IPv4-mapped addresses are reduced as IPv4.
    pub fn reduce_v6(&self, ip: Ipv6Addr) -> Ipv6Addr {
        if let Some(v4) = ip.to_ipv4_mapped() {
            return self.reduce_v4(v4).to_ipv6_mapped();
        }
        Ipv6Net::new(ip, self.v6_prefix).map_or(Ipv6Addr::UNSPECIFIED, |n| n.network())
    }

    /// Reduces either family.
    pub fn reduce(&self, ip: IpAddr) -> IpAddr {
        match ip {
            IpAddr::V4(v4) => IpAddr::V4(self.reduce_v4(v4)),
            IpAddr::V6(v6) => IpAddr::V6(self.reduce_v6(v6)),
        }
    }
}

/// Writes an IPv4 address in dotted form without going through `fmt`.
#[inline]
pub(crate) fn write_ipv4(out: &mut Vec<u8>, ip: Ipv4Addr) {
    let mut buf = [0u8; 15];
    let mut n = 0;
    for (i, o) in ip.octets().into_iter().enumerate() {
        if i > 0 {
            buf[n] = b'.';
            n += 1;
        }
        if o >= 100 {
            buf[n] = b'0' + o / 100;
            n += 1;
        }
        if o >= 10 {
            buf[n] = b'0' + (o / 10) % 10;
            n += 1;
        }
        buf[n] = b'0' + o % 10;
        n += 1;
    }
    out.extend_from_slice(&buf[..n]);
}

/// Writes an IPv6 address in its canonical compressed form (mapped IPv4 in dotted form), byte for byte
/// what `Display` writes (RFC 5952: lowercase hex, the first longest run of two or more zero groups as
/// `::`), without going through `fmt`.
pub(crate) fn write_ipv6(out: &mut Vec<u8>, ip: Ipv6Addr) {
    if let Some(v4) = ip.to_ipv4_mapped() {
        out.extend_from_slice(b"::ffff:");
        write_ipv4(out, v4);
        return;
    }
    let groups = ip.segments();
    let (mut zeros_at, mut zeros) = (0, 0);
    let (mut run_at, mut run) = (0, 0);
    for (i, &g) in groups.iter().enumerate() {
        if g != 0 {
            run = 0;
            continue;
        }
        if run == 0 {
            run_at = i;
        }
        run += 1;
        if run > zeros {
            (zeros_at, zeros) = (run_at, run);
        }
    }
    if zeros > 1 {
        write_groups(&groups[..zeros_at], out);
        out.extend_from_slice(b"::");
        write_groups(&groups[zeros_at + zeros..], out);
    } else {
        write_groups(&groups, out);
    }
}

/// IPv6 groups in lowercase hex without leading zeros, separated by `:`.
fn write_groups(groups: &[u16], out: &mut Vec<u8>) {
    let mut buf = [0u8; 39];
    let mut n = 0;
    for (k, &g) in groups.iter().enumerate() {
        if k > 0 {
            buf[n] = b':';
            n += 1;
        }
        let digits = (4 - g.leading_zeros() as usize / 4).max(1);
        for d in (0..digits).rev() {
            buf[n] = b"0123456789abcdef"[usize::from((g >> (4 * d)) & 0xf)];
            n += 1;
        }
    }
    out.extend_from_slice(&buf[..n]);
}

/// `policy` (its prefixes already checked) in `mode`, with the key read from `key_file` when the mode needs
/// one (a file given to a mode without a key is not read). The one place an IP policy's key file is read.
pub(crate) fn ip_policy(
    policy: IpPolicy,
    mode: IpMode,
    key_file: Option<&Path>,
) -> Result<IpPolicy, KeyError> {
    let key = match key_file.filter(|_| mode.needs_key()) {
        Some(path) => Some(Key::read(path)?),
        None => None,
    };
    Ok(policy.with_mode(mode, key.as_ref())?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::privacy::recognise::{parse_ipv4, parse_ipv6_prefix};

    fn v4(s: &str) -> String {
        let p = IpPolicy::default();
        let mut out = Vec::new();
        write_ipv4(&mut out, p.reduce_v4(parse_ipv4(s.as_bytes()).unwrap()));
        String::from_utf8(out).unwrap()
    }

    fn v6(s: &str, prefix: u8) -> String {
        let p = IpPolicy::new(16, prefix).unwrap();
        let mut out = Vec::new();
        write_ipv6(&mut out, p.reduce_v6(parse_ipv6(s.as_bytes()).unwrap()));
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn ipv6_is_written_as_display_writes_it() {
        // Every pattern of zero and non-zero groups, with group values of each width, and the mapped and
        // compatible forms.
        let values = [0x1u16, 0xab, 0xdb8, 0x2001, 0xffff];
        for pattern in 0u32..256 {
            for (v, &value) in values.iter().enumerate() {
                let mut groups = [0u16; 8];
                for (i, g) in groups.iter_mut().enumerate() {
                    if pattern & (1 << i) != 0 {
                        *g = values[(v + i) % values.len()].max(value >> (i % 3));
                    }
                }
                let ip = Ipv6Addr::from(groups);
                let mut out = Vec::new();
                write_ipv6(&mut out, ip);
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    ip.to_string(),
                    "{groups:x?}"
                );
            }
        }
        for s in [
            "::ffff:1.2.3.4",
            "::1.2.3.4",
            "::",
            "::1",
            "::ffff:0.0.0.0",
            "64:ff9b::1.2.3.4",
        ] {
            let ip: Ipv6Addr = s.parse().unwrap();
            let mut out = Vec::new();
            write_ipv6(&mut out, ip);
            assert_eq!(String::from_utf8(out).unwrap(), ip.to_string());
        }
    }

    #[test]
    fn headline_example() {
        assert_eq!(v4("192.168.100.50"), "192.168.0.0");
    }

    #[test]
    fn ipv4_prefixes() {
        let ip = parse_ipv4(b"192.168.100.200").unwrap();
        let cases = [
            (8, "192.0.0.0"),
            (20, "192.168.96.0"),
            (24, "192.168.100.0"),
        ];
        for (prefix, want) in cases {
            let mut out = Vec::new();
            write_ipv4(&mut out, IpPolicy::new(prefix, 32).unwrap().reduce_v4(ip));
            assert_eq!(out, want.as_bytes(), "prefix {prefix}");
        }
    }

    #[test]
    fn ipv6_default_keeps_32_bits() {
        assert_eq!(v6("2001:db8:85a3::8a2e:370:7334", 32), "2001:db8::");
        assert_eq!(
            v6("2001:0db8:85a3:0000:0000:8a2e:0370:7334", 48),
            "2001:db8:85a3::"
        );
        assert_eq!(v6("2001:DB8::1", 32), "2001:db8::");
    }

    #[test]
    fn ipv4_mapped_is_reduced_as_ipv4_and_keeps_its_form() {
        assert_eq!(v6("::ffff:1.2.3.4", 32), "::ffff:1.2.0.0");
        assert_eq!(v6("::ffff:192.168.100.50", 32), "::ffff:192.168.0.0");
    }

    #[test]
    fn prefix_ranges_are_enforced() {
        assert!(IpPolicy::new(7, 32).is_err());
        assert!(IpPolicy::new(25, 32).is_err());
        assert!(IpPolicy::new(16, 15).is_err());
        assert!(IpPolicy::new(16, 65).is_err());
        let e = IpPolicy::new(32, 32).unwrap_err().to_string();
        assert_eq!(e, "--ipv4-prefix must be between 8 and 24, not 32");
    }

    #[test]
    fn modes_write_each_family() {
        let key =
            Key::from_hex(b"1522178d33a4cf80130a5b1649907d10d8988f837979652762574c2d2a842202")
                .unwrap();
        let ip = Ipv4Addr::new(128, 11, 68, 132);
        let v6: Ipv6Addr = "::ffff:128.11.68.132".parse().unwrap();
        let write = |mode, key: Option<&Key>| {
            let p = IpPolicy::default().with_mode(mode, key).unwrap();
            let mut out = Vec::new();
            p.write_v4(&mut out, ip);
            out.push(b' ');
            p.write_v6(&mut out, v6);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(
            write(IpMode::Truncate, None),
            "128.11.0.0 ::ffff:128.11.0.0"
        );
        assert_eq!(write(IpMode::Drop, None), "- -");
        assert_eq!(
            write(IpMode::CryptoPan, Some(&key)),
            "135.242.180.132 ::ffff:135.242.180.132"
        );
        let ps = write(IpMode::Pseudonymize, Some(&key));
        assert!(ps.starts_with("24") || ps.starts_with("25"), "{ps}");
        assert_eq!(
            IpPolicy::default()
                .with_mode(IpMode::CryptoPan, None)
                .unwrap_err()
                .to_string(),
            "--ip-mode crypto-pan needs a key: pass --key-file FILE (make one with `logveil keygen FILE`)"
        );
        let a = IpPolicy::default()
            .with_mode(IpMode::Pseudonymize, Some(&key))
            .unwrap();
        let b = IpPolicy::default()
            .with_mode(IpMode::Pseudonymize, Some(&Key::from_bytes([7; 32])))
            .unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn ipv6_prefixes_of_a_run() {
        let at =
            |run: &str| parse_ipv6_prefix(run.as_bytes()).map(|(ip, len)| (ip.to_string(), len));
        assert_eq!(at("2001:db8::1."), Some(("2001:db8::1".to_string(), 11)));
        assert_eq!(
            at("2001:db8:1:2:3:4:5:6:443"),
            Some(("2001:db8:1:2:3:4:5:6".to_string(), 20))
        );
        assert_eq!(at("2001:db8::1:a"), Some(("2001:db8::1:a".to_string(), 13)));
        assert_eq!(at("0:0:0:0:0:0:0:1:a"), Some(("::1".to_string(), 15)));
        assert_eq!(at("10:42:51"), None);
        assert_eq!(at("00:1a:2b:3c:4d:5e"), None);
    }

    #[test]
    fn ipv4_parsing_edges() {
        assert_eq!(
            parse_ipv4(b"192.168.001.001"),
            Some(Ipv4Addr::new(192, 168, 1, 1))
        );
        assert_eq!(parse_ipv4(b"256.1.1.1"), None);
        assert_eq!(parse_ipv4(b"1.2.3"), None);
        assert_eq!(parse_ipv4_prefix(b"1.2.3.4.5"), None);
        assert_eq!(
            parse_ipv4_prefix(b"1.2.3.45:80"),
            Some((Ipv4Addr::new(1, 2, 3, 45), 8))
        );
        assert_eq!(
            parse_ipv4_prefix(b"1.2.3.4."),
            Some((Ipv4Addr::new(1, 2, 3, 4), 7))
        );
        assert_eq!(parse_ipv4_prefix(b"1.2.3.1234"), None);
    }
}
