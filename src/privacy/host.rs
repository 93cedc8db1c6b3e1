//! Client host names (Apache `HostnameLookups On`) reduced to their registrable domain.
//!
//! `piweba3y.prodigy.com` → `prodigy.com`, `crawl-66-249-66-1.googlebot.com` → `googlebot.com`, using the
//! public suffix list (`psl` crate), so `a.b.example.co.uk` → `example.co.uk`.

use super::Rules;
pub(crate) use super::recognise::is_hostname;
use super::text::scrub_plain;

/// Writes the registrable domain of host name `host` (lower-cased) under the ICANN section of the public
/// suffix list. Returns false, writing nothing, when `host` has no registrable domain (a bare public
/// suffix such as `co.uk`).
///
/// The private section is not used: its suffixes are often a person's own (`x.duckdns.org`,
/// `jo.github.io`, `ec2-203-0-113-9.compute-1.amazonaws.com`), so reducing to one label under them would
/// keep a name or an address. Under the ICANN section these become `duckdns.org`, `github.io` and
/// `amazonaws.com`.
pub(crate) fn write_registrable_domain(host: &[u8], out: &mut Vec<u8>) -> bool {
    let mut buf = [0u8; 253];
    let Some(lower) = buf.get_mut(..host.len()) else {
        return false;
    };
    lower.copy_from_slice(host);
    lower.make_ascii_lowercase();
    let lower = &*lower;
    let Some(suffix) = psl::suffix(lower) else {
        return false;
    };
    let mut len = suffix.as_bytes().len();
    if suffix.typ() == Some(psl::Type::Private) {
        // The ICANN suffix: the first tail of the private one that is not itself private.
        let mut tail = suffix.as_bytes();
        len = 0;
        while let Some(dot) = memchr::memchr(b'.', tail) {
            tail = &tail[dot + 1..];
            match psl::suffix(tail) {
                Some(t) if t.typ() != Some(psl::Type::Private) => {
                    len = t.as_bytes().len();
                    break;
                }
                _ => {}
            }
        }
        if len == 0 {
            len = tail.len();
        }
    }
    let n = lower.len() - len;
    if n < 2 || lower[n - 1] != b'.' {
        return false;
    }
    let label = memchr::memrchr(b'.', &lower[..n - 1]).map_or(0, |d| d + 1);
    out.extend_from_slice(&lower[label..]);
    true
}

/// Writes a client host name reduced: its [registrable domain](write_registrable_domain), with any address
/// a label still embeds reduced as that address would be (`203-0-113-9.nip.io` → `203-0-0-0.nip.io`,
/// `cb007109.example.net` → `cb000000.example.net`, `3405803785.example.net` → `3405774848.example.net`).
/// Returns false, writing nothing, when the host has no registrable domain.
pub(crate) fn write_host(host: &[u8], rules: &Rules, out: &mut Vec<u8>) -> bool {
    let mut domain = Vec::with_capacity(host.len());
    if !write_registrable_domain(host, &mut domain) {
        return false;
    }
    for (n, label) in domain.split(|&b| b == b'.').enumerate() {
        if n > 0 {
            out.push(b'.');
        }
        write_label(label, rules, out);
    }
    true
}

/// One label of a host name: a hex (`cb007109`, `0xcb007109`) or integer (`3405803785`) form of an
/// address is reduced in the same form; dashed and dotted forms go to the scrubber.
fn write_label(label: &[u8], rules: &Rules, out: &mut Vec<u8>) {
    let reduce = |v: u32| u32::from(rules.ip.reduce_v4(std::net::Ipv4Addr::from(v)));
    let hex = label
        .strip_prefix(b"0x")
        .filter(|h| h.len() == 8)
        .unwrap_or(label);
    if hex.len() == 8 && hex.iter().all(u8::is_ascii_hexdigit) && hex.iter().any(u8::is_ascii_digit)
    {
        if let Some(v) = std::str::from_utf8(hex)
            .ok()
            .and_then(|h| u32::from_str_radix(h, 16).ok())
        {
            out.extend_from_slice(&label[..label.len() - 8]);
            out.extend_from_slice(format!("{:08x}", reduce(v)).as_bytes());
            return;
        }
    }
    if (8..=10).contains(&label.len()) && label.iter().all(u8::is_ascii_digit) {
        if let Some(v) = std::str::from_utf8(label)
            .ok()
            .and_then(|d| d.parse::<u32>().ok())
            .filter(|&v| v >= 1 << 24)
        {
            out.extend_from_slice(reduce(v).to_string().as_bytes());
            return;
        }
    }
    scrub_plain(label, rules, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reduce(h: &str) -> Option<String> {
        let mut out = Vec::new();
        write_registrable_domain(h.as_bytes(), &mut out).then(|| String::from_utf8(out).unwrap())
    }

    #[test]
    fn host_names_keep_their_registrable_domain() {
        assert_eq!(
            reduce("piweba3y.prodigy.com").as_deref(),
            Some("prodigy.com")
        );
        assert_eq!(
            reduce("crawl-66-249-66-1.googlebot.com").as_deref(),
            Some("googlebot.com")
        );
        assert_eq!(
            reduce("a.b.Example.CO.UK").as_deref(),
            Some("example.co.uk")
        );
        assert_eq!(reduce("prodigy.com").as_deref(), Some("prodigy.com"));
        assert_eq!(reduce("co.uk"), None);
    }

    #[test]
    fn private_suffixes_are_not_registrable_domains() {
        assert_eq!(reduce("x.duckdns.org").as_deref(), Some("duckdns.org"));
        assert_eq!(reduce("jo.github.io").as_deref(), Some("github.io"));
        assert_eq!(
            reduce("ec2-203-0-113-9.compute-1.amazonaws.com").as_deref(),
            Some("amazonaws.com")
        );
        assert_eq!(
            reduce("jo.blogspot.co.uk").as_deref(),
            Some("blogspot.co.uk")
        );
        assert_eq!(reduce("duckdns.org").as_deref(), Some("duckdns.org"));
    }

    fn host(h: &str) -> String {
        let mut out = Vec::new();
        assert!(write_host(
            h.as_bytes(),
            &crate::privacy::Rules::default(),
            &mut out
        ));
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn addresses_embedded_in_host_names_are_reduced() {
        assert_eq!(host("203-0-113-9.net"), "203-0-0-0.net");
        assert_eq!(host("x.203-0-113-9.nip.io"), "nip.io");
        assert_eq!(host("a.cb007109.example.net"), "example.net");
        assert_eq!(host("cb007109.net"), "cb000000.net");
        assert_eq!(host("0xcb007109.net"), "0xcb000000.net");
        assert_eq!(host("3405803785.net"), "3405774848.net");
        assert_eq!(host("ip203.0.113.9.example.org"), "example.org");
        assert_eq!(host("www.example.org"), "example.org");
    }

    #[test]
    fn what_is_a_host_name() {
        assert!(is_hostname(b"haraway.ucet.ufl.edu"));
        assert!(!is_hostname(b"1.2.3.4"));
        assert!(!is_hostname(b"localhost"));
        assert!(!is_hostname(b"cilities/mlp.html"));
        assert!(!is_hostname(b"-"));
    }
}
