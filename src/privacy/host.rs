//! Client host names (Apache `HostnameLookups On`) reduced to their registrable domain.
//!
//! `piweba3y.prodigy.com` → `prodigy.com`, `crawl-66-249-66-1.googlebot.com` → `googlebot.com`, using the
//! public suffix list (`psl` crate), so `a.b.example.co.uk` → `example.co.uk`.

/// True when `b` looks like a DNS host name: labels of letters, digits and `-`, at least one dot, and a
/// last label that is not all digits (so IPv4 addresses are not host names).
pub fn is_hostname(b: &[u8]) -> bool {
    if b.len() < 3 || b.len() > 253 || b[0] == b'.' || b[0] == b'-' || b[b.len() - 1] == b'.' {
        return false;
    }
    if !b
        .iter()
        .all(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.' || c == b'_')
    {
        return false;
    }
    match memchr::memrchr(b'.', b) {
        Some(dot) => b[dot + 1..].iter().any(u8::is_ascii_alphabetic),
        None => false,
    }
}

/// Writes the registrable domain of host name `host` (lower-cased). Returns false, writing nothing, when
/// `host` has no registrable domain (a bare public suffix such as `co.uk`).
pub fn write_registrable_domain(host: &[u8], out: &mut Vec<u8>) -> bool {
    let mut buf = [0u8; 253];
    let Some(lower) = buf.get_mut(..host.len()) else {
        return false;
    };
    lower.copy_from_slice(host);
    lower.make_ascii_lowercase();
    match psl::domain(lower) {
        Some(domain) => {
            out.extend_from_slice(domain.as_bytes());
            true
        }
        None => false,
    }
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
    fn what_is_a_host_name() {
        assert!(is_hostname(b"haraway.ucet.ufl.edu"));
        assert!(!is_hostname(b"1.2.3.4"));
        assert!(!is_hostname(b"localhost"));
        assert!(!is_hostname(b"cilities/mlp.html"));
        assert!(!is_hostname(b"-"));
    }
}
