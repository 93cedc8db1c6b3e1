//! URLs (request targets and referrers): the host is reduced if it is an IP, credentials are dropped, the
//! path and fragment are scrubbed, and query values not on the allow-list are emptied.
//!
//! `http://user:pw@1.2.3.4:8080/u/a@b.com?token=x&q=shoes#top` →
//! `http://1.2.0.0:8080/u/:email?token=&q=shoes#top`

use super::Rules;
use super::host::{is_hostname, write_registrable_domain};
use super::ip::{parse_ipv4_prefix, parse_ipv6};
use super::path::write_path;
use super::recognise::may_hold_secret;
use super::secrets::redact_in_place;
pub(crate) use super::text::rewrite_query;
use super::text::scrub_plain;

/// Rewrites one URL (absolute, or a path with a query) into `out`.
pub fn rewrite_url(url: &[u8], rules: &Rules, out: &mut Vec<u8>) {
    let mark = out.len();
    if write_url(url, rules, out) {
        redact_in_place(out, mark);
    }
}

/// A URL cut into its parts.
struct Parts<'a> {
    /// `scheme://`, empty for a path.
    scheme: &'a [u8],
    /// `[userinfo@]host[:port]`, empty for a path.
    authority: &'a [u8],
    /// Up to `?` or `#`.
    path: &'a [u8],
    /// `?query#fragment`, either part optional.
    rest: &'a [u8],
}

fn split(url: &[u8]) -> Parts<'_> {
    let (scheme, tail) = url.split_at(scheme_end(url).unwrap_or(0));
    let auth_len = if scheme.is_empty() {
        0
    } else {
        memchr::memchr3(b'/', b'?', b'#', tail).unwrap_or(tail.len())
    };
    let (authority, tail) = tail.split_at(auth_len);
    let path_len = memchr::memchr(b'?', tail)
        .unwrap_or(tail.len())
        .min(fragment_start(tail));
    let (path, rest) = tail.split_at(path_len);
    Parts {
        scheme,
        authority,
        path,
        rest,
    }
}

/// Writes the URL; returns true when some part of it may hold a secret to redact.
fn write_url(url: &[u8], rules: &Rules, out: &mut Vec<u8>) -> bool {
    let Parts {
        scheme,
        authority,
        path,
        rest,
    } = split(url);
    let mut secret = false;
    if !scheme.is_empty() {
        out.extend_from_slice(scheme);
        write_authority(authority, rules, out);
        // The scheme with the authority: a key written where a scheme goes (`AKIA…://`) is a secret too.
        secret = may_hold_secret(&url[..scheme.len() + authority.len()]);
    }
    secret |= write_path(path, rules, out);
    if rest.is_empty() {
        return secret;
    }
    // Rewriting only empties, shortens or replaces with placeholders, so the input tells. The fragment
    // (`#access_token=…`) is dropped: servers never need it, and it is where client-side tokens live.
    let rest = &rest[..fragment_start(rest)];
    secret |= may_hold_secret(rest);
    if let Some(query) = rest.strip_prefix(b"?") {
        out.push(b'?');
        rewrite_query(query, rules, out);
    }
    secret
}

/// Search engines (registrable domain's first label) and their keyword parameters, from Matomo's
/// `SearchEngines.yml` (the most used engines).
pub(crate) const SEARCH_ENGINES: &[(&str, &[&str])] = &[
    ("google", &["q"]),
    ("bing", &["q"]),
    ("yahoo", &["p", "q"]),
    ("duckduckgo", &["q"]),
    ("yandex", &["text"]),
    ("ya", &["text"]),
    ("baidu", &["wd", "word", "kw"]),
    ("ecosia", &["q"]),
    ("qwant", &["q"]),
    ("startpage", &["query"]),
    ("ixquick", &["query"]),
    ("brave", &["q"]),
    ("kagi", &["q"]),
    ("mojeek", &["q"]),
    ("swisscows", &["query"]),
    ("naver", &["query"]),
    ("daum", &["q"]),
    ("seznam", &["q"]),
    ("sogou", &["query"]),
    ("aol", &["query", "q"]),
    ("ask", &["q"]),
    ("metager", &["eingabe"]),
];

/// Rewrites a referrer: scheme, host and path only (credentials dropped, an IP host reduced, the path
/// rewritten as a request path); the query and fragment are dropped, except the keyword parameter of a
/// known search engine (`https://www.google.com/search?q=shoes&client=x` →
/// `https://www.google.com/search?q=shoes`), whose value is scrubbed like any kept value.
///
/// Secrets are redacted in what is written when a part written may hold one: each part is pre-tested
/// once, as [`rewrite_url`] does, not the whole again (the path's test is [`write_path`]'s). No secret
/// crosses the `/`, `?` or `=` between the parts, and rewriting only empties, shortens or replaces with
/// placeholders, so the input's parts tell.
pub fn rewrite_referrer(url: &[u8], rules: &Rules, out: &mut Vec<u8>) {
    let mark = out.len();
    let Parts {
        scheme,
        authority,
        path,
        rest,
    } = split(url);
    let mut engine = None;
    let mut secret = false;
    if !scheme.is_empty() {
        out.extend_from_slice(scheme);
        engine = search_engine(authority);
        write_authority(authority, rules, out);
        secret = may_hold_secret(&url[..scheme.len() + authority.len()]);
    }
    secret |= write_path(path, rules, out);
    if let (Some(params), Some(query)) = (engine, rest.strip_prefix(b"?")) {
        let query = &query[..memchr::memchr(b'#', query).unwrap_or(query.len())];
        let keyword = query.split(|&b| b == b'&').find(|p| {
            let name = &p[..memchr::memchr(b'=', p).unwrap_or(p.len())];
            name.len() < p.len()
                && params
                    .iter()
                    .any(|k| k.as_bytes().eq_ignore_ascii_case(name))
        });
        if let Some(kv) = keyword {
            let eq = memchr::memchr(b'=', kv).unwrap_or(kv.len());
            out.push(b'?');
            scrub_plain(&kv[..eq], rules, out);
            out.push(b'=');
            scrub_plain(&kv[eq + 1..], rules, out);
            secret |= may_hold_secret(kv);
        }
    }
    if secret {
        redact_in_place(out, mark);
    }
}

/// The keyword parameters of the search engine at `authority` (`[user@]host[:port]`), if it is one.
fn search_engine(authority: &[u8]) -> Option<&'static [&'static str]> {
    let host = &authority[memchr::memrchr(b'@', authority).map_or(0, |a| a + 1)..];
    let host = &host[..memchr::memchr(b':', host).unwrap_or(host.len())];
    if !is_hostname(host) {
        return None;
    }
    let mut domain = Vec::with_capacity(host.len());
    if !write_registrable_domain(host, &mut domain) {
        return None;
    }
    let label = &domain[..memchr::memchr(b'.', &domain).unwrap_or(domain.len())];
    SEARCH_ENGINES
        .iter()
        .find(|(name, _)| name.as_bytes() == label)
        .map(|(_, params)| *params)
}

/// The length of `scheme://` at the start of `url`, if there is one.
fn scheme_end(url: &[u8]) -> Option<usize> {
    // A path (`/…`), the common case, is told by its first byte.
    if !url.first().is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
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
                scrub_plain(&inner[close..], rules, out);
                return;
            }
        }
    } else if let Some((ip, len)) = parse_ipv4_prefix(host_port) {
        rules.ip.write_v4(out, ip);
        scrub_plain(&host_port[len..], rules, out);
        return;
    }
    scrub_plain(host_port, rules, out);
}

/// Where the fragment of `rest` (`?query#fragment`) starts: the first `#` that is not part of an HTML
/// character reference (`&#64;`).
fn fragment_start(rest: &[u8]) -> usize {
    let mut from = 0;
    while let Some(off) = memchr::memchr(b'#', &rest[from..]) {
        let p = from + off;
        if p > 0 && rest[p - 1] == b'&' && super::decode::escape_len(&rest[p - 1..]) > 1 {
            from = p + 1;
            continue;
        }
        return p;
    }
    rest.len()
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
        assert_eq!(
            r("/search?q=mail%20me%20a@b.com"),
            "/search?q=mail%20me%20:email"
        );
        assert_eq!(r("/a?flag&x="), "/a?flag&x=");
    }

    #[test]
    fn hosts_credentials_paths_fragments() {
        assert_eq!(
            r("http://user:pw@1.2.3.4:8080/u/a@b.com?token=x&q=shoes#top"),
            "http://1.2.0.0:8080/u/:email?token=&q=shoes"
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
        assert_eq!(r("/a;JSESSIONID=abc/b;v=2;sid=9"), "/a/b;v=");
        assert_eq!(r("/a;b"), "/a;b");
    }

    #[test]
    fn fragments_go_and_semicolons_separate_parameters() {
        assert_eq!(r("/page#access_token=abcdefgh12345678"), "/page");
        assert_eq!(r("/p?q=a;sid=secret99&page=2#x"), "/p?q=a;sid=&page=2");
        assert_eq!(r("/p;lang=de;x=1"), "/p;lang=de;x=");
        assert_eq!(r("/p?q=jo&#64;example.com&page=2"), "/p?q=:email&page=2");
        assert_eq!(r("/p?x=a;%20device%20b;flag"), "/p?x=;;flag");
    }

    #[test]
    fn encoded_data_is_found_and_redacted_in_its_encoding() {
        assert_eq!(
            r("/go/http%3A%2F%2Fevil.com%2F%3Fcode%3Dabc123def456ghi"),
            "/go/http%3A%2F%2Fevil.com%2F%3Fcode="
        );
        assert_eq!(r("/a%2F203%2E0%2E113%2E9/x"), "/a%2F203.0.0.0/x");
        assert_eq!(r("/u/jo%2540example.com/x"), "/u/:email/x");
        assert_eq!(r("/u/jo&commat;example.com"), "/u/:email");
        assert_eq!(r("/u/jo&#64;example.com#frag"), "/u/:email");
        assert_eq!(r("/u/jo\\u0040example.com"), "/u/:email");
        assert_eq!(r("/x/2001%3Adb8%3A85a3%3A%3A1/y"), "/x/2001:db8::/y");
        assert_eq!(r("/pay/4111%201111%201111%201111"), "/pay/:card");
        assert_eq!(r("/search?q=red%20shoes"), "/search?q=red%20shoes");
        assert_eq!(r("/caf%C3%A9/menu"), "/caf%C3%A9/menu");
        assert_eq!(r("/p?q=jo%40example.com%20hi"), "/p?q=:email%20hi");
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
    fn a_key_written_as_a_scheme_is_redacted() {
        // Before, a request target's scheme was not pre-tested: the key passed.
        assert_eq!(r("AKIAIOSFODNN7EXAMPLE://x.org/a"), ":token://x.org/a");
        assert_eq!(referrer("AKIAIOSFODNN7EXAMPLE://x.org/"), ":token://x.org/");
        assert_eq!(
            referrer("https://AKIAIOSFODNN7EXAMPLE.x.org/a"),
            "https://:token.x.org/a"
        );
    }

    /// Referrers built of parts that each may hold a secret (or not), joined as a URL: the parts' pre-tests
    /// redact exactly what a pre-test of the whole would.
    #[test]
    fn referrer_secrets_are_found_part_by_part() {
        let schemes = [
            "",
            "https://",
            "sk1234567890123://",
            "AKIAIOSFODNN7EXAMPLE://",
        ];
        let hosts = [
            "www.google.com",
            "x.org:5551234567",
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789.x.org",
            "user:d41d8cd98f00b204e9800998ecf8427e@x.org",
        ];
        let paths = [
            "",
            "/",
            "/a/4111.1111.1111.1111",
            "/services/T0000000/B00000000/abcdefghijklmnopqrstuvwxyzabcdefgh",
            "/555",
            "/x.(555)",
            "/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghijklmno",
        ];
        let queries = [
            "",
            "?q=123-4567",
            "?q=d41d8cd98f00b204e9800998ecf8427e",
            "?x=1&q=a b",
        ];
        for scheme in schemes {
            for host in hosts {
                for path in paths {
                    for query in queries {
                        let url = if scheme.is_empty() {
                            format!("{path}{query}")
                        } else {
                            format!("{scheme}{host}{path}{query}")
                        };
                        let got = referrer(&url);
                        let mut whole = got.clone().into_bytes();
                        crate::privacy::secrets::redact_in_place(&mut whole, 0);
                        assert_eq!(got.as_bytes(), whole, "{url}");
                    }
                }
            }
        }
    }

    fn referrer(url: &str) -> String {
        let mut out = Vec::new();
        rewrite_referrer(url.as_bytes(), &Rules::default(), &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn referrers_keep_scheme_host_and_path() {
        assert_eq!(
            referrer("http://bob:pw@10.9.8.7/ref?session=abc&utm_source=mail#top"),
            "http://10.9.0.0/ref"
        );
        assert_eq!(
            referrer("https://blog.example.com/p/123456789/?page=2"),
            "https://blog.example.com/p/:id/"
        );
        assert_eq!(referrer("-"), "-");
        assert_eq!(
            referrer("android-app://com.google.android.gm"),
            "android-app://com.google.android.gm"
        );
    }

    #[test]
    fn search_engine_keywords_are_kept_and_scrubbed() {
        assert_eq!(
            referrer("https://www.google.com/search?client=x&q=red+shoes&oq=red"),
            "https://www.google.com/search?q=red+shoes"
        );
        assert_eq!(
            referrer("https://www.google.co.uk/url?sa=t&q=mail+jane%40example.com"),
            "https://www.google.co.uk/url?q=:email"
        );
        assert_eq!(
            referrer("https://yandex.ru/search/?lr=1&text=logs"),
            "https://yandex.ru/search/?text=logs"
        );
        assert_eq!(
            referrer("https://www.google.com/"),
            "https://www.google.com/"
        );
        assert_eq!(
            referrer("https://example.com/search?q=x"),
            "https://example.com/search"
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
