//! Keyed pseudonyms for IP addresses: a stable stand-in address derived with keyed BLAKE3, shaped so that
//! log tools still parse the line.
//!
//! | input | pseudonym |
//! | --- | --- |
//! | IPv4 `a.b.c.d` | an address in `240.0.0.0/4` (reserved, never a real client): 28 bits of `BLAKE3(key, a.b.c.d)` |
//! | IPv6 | an address in `100::/64` (the discard prefix, RFC 6666): 64 bits of the keyed hash |
//! | `::ffff:a.b.c.d` | `::ffff:` + the IPv4 pseudonym |
//! | an address in either range | itself: it is a pseudonym already (so the mode is idempotent) |
//!
//! The same address under the same key always gives the same pseudonym, so visits can still be told apart;
//! without the key nothing links a pseudonym back to its address (but anyone holding the key can test
//! guesses). With 28 bits, two IPv4 clients share a pseudonym with probability about n²/2²⁹ among n
//! distinct addresses (one pair per ~23,000 addresses). `check` treats both ranges as pseudonyms, not as
//! personal data.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::key::Key;

/// The IPv4 range pseudonyms are drawn from (`240.0.0.0/4`).
pub(crate) const V4_RANGE: (u32, u32) = (0xF000_0000, 4);
/// The IPv6 range pseudonyms are drawn from (`100::/64`).
pub(crate) const V6_PREFIX: u128 = 0x0100_0000_0000_0000 << 64;

/// Keyed BLAKE3 pseudonymisation.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct Pseudonymizer {
    key: Key,
}

impl std::fmt::Debug for Pseudonymizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pseudonymizer(<secret>)")
    }
}

impl Pseudonymizer {
    /// Pseudonyms under `key`.
    pub(crate) fn new(key: &Key) -> Pseudonymizer {
        Pseudonymizer { key: key.clone() }
    }

    fn hash(&self, domain: u8, bytes: &[u8]) -> [u8; 32] {
        let mut h = blake3::Hasher::new_keyed(self.key.bytes());
        h.update(&[domain]);
        h.update(bytes);
        *h.finalize().as_bytes()
    }

    /// The pseudonym of an IPv4 address: `240.0.0.0/4` plus 28 hash bits. An address already in that range
    /// (reserved, never a real client) is a pseudonym and stays as it is, so pseudonymising a pseudonymised
    /// log changes nothing.
    pub(crate) fn v4(&self, ip: Ipv4Addr) -> Ipv4Addr {
        if is_v4_pseudonym(ip) {
            return ip;
        }
        let h = self.hash(4, &ip.octets());
        let bits = u32::from_le_bytes([h[0], h[1], h[2], h[3]]) >> V4_RANGE.1;
        Ipv4Addr::from(V4_RANGE.0 | bits)
    }

    /// The pseudonym of an IPv6 address: `100::/64` plus 64 hash bits; IPv4-mapped ones as IPv4, mapped.
    pub(crate) fn v6(&self, ip: Ipv6Addr) -> Ipv6Addr {
        if let Some(v4) = ip.to_ipv4_mapped() {
            return self.v4(v4).to_ipv6_mapped();
        }
        if is_v6_pseudonym(ip) {
            return ip;
        }
        let h = self.hash(6, &ip.octets());
        let bits = u64::from_le_bytes([h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]]);
        Ipv6Addr::from(V6_PREFIX | u128::from(bits))
    }
}

/// True when `ip` lies in the IPv4 pseudonym range.
pub(crate) fn is_v4_pseudonym(ip: Ipv4Addr) -> bool {
    u32::from(ip) >> (32 - V4_RANGE.1) == V4_RANGE.0 >> (32 - V4_RANGE.1)
}

/// True when `ip` lies in the IPv6 pseudonym range (or is an IPv4-mapped pseudonym).
pub(crate) fn is_v6_pseudonym(ip: Ipv6Addr) -> bool {
    match ip.to_ipv4_mapped() {
        Some(v4) => is_v4_pseudonym(v4),
        None => u128::from(ip) >> 64 == V6_PREFIX >> 64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(seed: u8) -> Pseudonymizer {
        Pseudonymizer::new(&Key::from_bytes([seed; 32]))
    }

    #[test]
    fn stable_keyed_and_in_range() {
        let ip = Ipv4Addr::new(192, 168, 100, 50);
        assert_eq!(p(1).v4(ip), p(1).v4(ip));
        assert_ne!(p(1).v4(ip), p(2).v4(ip));
        assert_ne!(p(1).v4(ip), p(1).v4(Ipv4Addr::new(192, 168, 100, 51)));
        assert!(is_v4_pseudonym(p(1).v4(ip)));
        assert!(p(1).v4(ip).octets()[0] >= 240);
        let v6: Ipv6Addr = "2001:db8::1".parse().unwrap();
        let ps = p(1).v6(v6);
        assert!(is_v6_pseudonym(ps));
        assert!(ps.to_string().starts_with("100::"));
        let mapped = p(1).v6(ip.to_ipv6_mapped());
        assert_eq!(mapped.to_ipv4_mapped(), Some(p(1).v4(ip)));
    }

    #[test]
    fn a_pseudonym_is_its_own_pseudonym() {
        let once = p(1).v4(Ipv4Addr::new(192, 168, 100, 50));
        assert_eq!(p(1).v4(once), once);
        assert_eq!(p(2).v4(once), once, "whatever the key");
        let once6 = p(1).v6("2001:db8::1".parse().unwrap());
        assert_eq!(p(1).v6(once6), once6);
        let mapped = once.to_ipv6_mapped();
        assert_eq!(p(1).v6(mapped), mapped);
    }

    #[test]
    fn ordinary_addresses_are_not_pseudonyms() {
        assert!(!is_v4_pseudonym(Ipv4Addr::new(83, 149, 9, 216)));
        assert!(!is_v4_pseudonym(Ipv4Addr::new(239, 255, 255, 255)));
        assert!(!is_v6_pseudonym("2001:db8::1".parse().unwrap()));
        assert!(!is_v6_pseudonym("100:0:0:1::1".parse().unwrap()));
    }
}
