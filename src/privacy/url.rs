//! URLs (request targets and referrers): the host is reduced if it is an IP, credentials are dropped, the
//! path and fragment are scrubbed, and query values not on the allow-list are emptied.
//!
//! `http://user:pw@1.2.3.4:8080/u/a@b.com?token=x&q=shoes#top` →
//! `http://1.2.0.0:8080/u/:email?token=&q=shoes#top`

use super::Rules;
use super::ip::{parse_ipv4_prefix, parse_ipv6};
use super::path::write_path;
use super::scrub::{Mode, scrub};
use super::secrets::redact_in_place;

/// Rewrites one URL (absolute, or a path with a query) into `out`.
pub fn rewrite_url(url: &[u8], rules: &Rules, out: &mut Vec<u8>) {
    let mark = out.len();
    write_url(url, rules, out);
    redact_in_place(out, mark);
}

fn write_url(url: &[u8], rules: &Rules, out: &mut Vec<u8>) {
    let mut rest = url;
    if let Some(after_scheme) = scheme_end(url) {
        out.extend_from_slice(&url[..after_scheme]);
        let tail = &url[after_scheme..];
        let auth_len = tail
            .iter()
            .position(|&b| matches!(b, b'/' | b'?' | b'#'))
            .unwrap_or(tail.len());
        write_authority(&tail[..auth_len], rules, out);
        rest = &tail[auth_len..];
    }
    let path_len = rest
        .iter()
        .position(|&b| b == b'?' || b == b'#')
        .unwrap_or(rest.len());
    write_path(&rest[..path_len], rules, out);
    let rest = &rest[path_len..];
    if rest.first() == Some(&b'?') {
        let q_len = memchr::memchr(b'#', rest).unwrap_or(rest.len());
        out.push(b'?');
        rewrite_query(&rest[1..q_len], rules, out);
        scrub(&rest[q_len..], rules, Mode::PLAIN, out);
    } else {
        scrub(rest, rules, Mode::PLAIN, out);
    }
}

/// The length of `scheme://` at the start of `url`, if there is one.
fn scheme_end(url: &[u8]) -> Option<usize> {
    let colon = url.iter().take(32).position(|&b| b == b':')?;
    let scheme = &url[..colon];
    let valid = !scheme.is_empty()
        && scheme[0].is_ascii_alphabetic()
        && scheme
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    (valid && url[colon..].starts_with(b"://")).then_some(colon + 3)
}

/// `[userinfo@]host[:port]`: userinfo dropped, an IP host reduced, a host name kept (it names a site).
fn write_authority(auth: &[u8], rules: &Rules, out: &mut Vec<u8>) {
    let host_port = match memchr::memrchr(b'@', auth) {
        Some(at) => &auth[at + 1..],
        None => auth,
    };
    if let Some(inner) = host_port.strip_prefix(b"[") {
        if let Some(close) = memchr::memchr(b']', inner) {
            let addr = &inner[..close];
            let addr = &addr[..memchr::memchr(b'%', addr).unwrap_or(addr.len())];
            if let Some(ip) = parse_ipv6(addr) {
                out.push(b'[');
                rules.ip.write_v6(out, ip);
                scrub(&inner[close..], rules, Mode::PLAIN, out);
                return;
            }
        }
    } else if let Some((ip, len)) = parse_ipv4_prefix(host_port) {
        rules.ip.write_v4(out, ip);
        scrub(&host_port[len..], rules, Mode::PLAIN, out);
        return;
    }
    scrub(host_port, rules, Mode::PLAIN, out);
}

/// Rewrites a query string (without its `?`): values of parameters not on the allow-list are emptied,
/// keys and kept values are scrubbed.
pub fn rewrite_query(query: &[u8], rules: &Rules, out: &mut Vec<u8>) {
    for (n, param) in query.split(|&b| b == b'&').enumerate() {
        if n > 0 {
            out.push(b'&');
        }
        match memchr::memchr(b'=', param) {
            Some(eq) => {
                let key = &param[..eq];
                scrub(key, rules, Mode::PLAIN, out);
                out.push(b'=');
                if rules.params.keeps(key) {
                    scrub(&param[eq + 1..], rules, Mode::PLAIN, out);
                }
            }
            None => scrub(param, rules, Mode::PLAIN, out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(url: &str) -> String {
        let mut out = Vec::new();
        rewrite_url(url.as_bytes(), &Rules::default(), &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn query_values_outside_the_allow_list_are_emptied() {
        assert_eq!(r("/a?token=abc&q=shoes&page=2"), "/a?token=&q=shoes&page=2");
        assert_eq!(
            r("/a?utm_source=news&sid=1&lang=de"),
            "/a?utm_source=news&sid=&lang=de"
        );
        // `+` may be part of an address, so the whole run goes: over-redaction is the safe side.
        assert_eq!(r("/search?q=mail+me+at+a@b.com"), "/search?q=:email");
        assert_eq!(r("/search?q=mail%20me%20a@b.com"), "/search?q=:email");
        assert_eq!(r("/a?flag&x="), "/a?flag&x=");
    }

    #[test]
    fn hosts_credentials_paths_fragments() {
        assert_eq!(
            r("http://user:pw@1.2.3.4:8080/u/a@b.com?token=x&q=shoes#top"),
            "http://1.2.0.0:8080/u/:email?token=&q=shoes#top"
        );
        assert_eq!(
            r("https://[2001:db8::1]:8443/x"),
            "https://[2001:db8::]:8443/x"
        );
        assert_eq!(r("https://www.example.com/p"), "https://www.example.com/p");
        assert_eq!(r("/users/jane%40example.org/edit"), "/users/:email/edit");
        assert_eq!(r("/ip/10.20.30.40"), "/ip/10.20.0.0");
        assert_eq!(r("-"), "-");
        assert_eq!(r(""), "");
    }

    #[test]
    fn identifying_path_parameters_are_removed() {
        assert_eq!(r("/shop/cart;jsessionid=0A1B2C3D4E5F?x=1"), "/shop/cart?x=");
        assert_eq!(r("/a;JSESSIONID=abc/b;v=2;sid=9"), "/a/b;v=2");
        assert_eq!(r("/a;b"), "/a;b");
    }

    #[test]
    fn secrets_in_paths_and_kept_values_become_placeholders() {
        assert_eq!(
            r("/reset/d41d8cd98f00b204e9800998ecf8427e"),
            "/reset/:token"
        );
        assert_eq!(
            r("/k?page=eyJzZWFyY2giOiIiLCJmaWVsZHMiOltdLCJvZmZzZXQiOjAsInRpbWVmcmFtZSI6IjE1&_="),
            "/k?page=:token&_="
        );
        // Base64 padding goes with the token.
        assert_eq!(
            r("/n?aHR0cHM6Ly93d3cubmV0bmVhLmNvbS9jbXMvcmVtby1h="),
            "/n?:token"
        );
    }

    #[test]
    fn rewriting_twice_changes_nothing() {
        for u in [
            "http://a:b@1.2.3.4/x?token=1&q=a@b.com#c",
            "/a?b=c&utm_x=1.2.3.4",
        ] {
            let once = r(u);
            assert_eq!(r(&once), once);
        }
    }
}
