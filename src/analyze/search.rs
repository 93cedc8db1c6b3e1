//! Referrers, search-engine keywords, site-search terms and campaign values: parsed from URLs, normalised
//! and scrubbed before they are counted.

use crate::privacy::Rules;
use crate::privacy::search::scrub_search_term;
use crate::privacy::url::rewrite_url;

use super::lists;

/// The keyword row of a search engine that hides its keywords (or sent none).
pub(crate) const NOT_PROVIDED: &str = "(not provided)";

/// An external referrer, reduced to what reports show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referrer {
    /// The referring site: its host, lower-cased, without port (an IP host is reduced).
    pub site: String,
    /// The referring page: the URL without query and fragment, rewritten by the privacy rules.
    pub page: String,
    /// The search engine, when the host is a known one, with its keyword (or [`NOT_PROVIDED`]).
    pub search: Option<(&'static str, String)>,
}

/// The host of a URL (lower case, no port, no credentials), if it has a `scheme://` authority.
pub(crate) fn url_host(url: &[u8]) -> Option<&[u8]> {
    let sep = memchr::memmem::find(url, b"://")?;
    let rest = &url[sep + 3..];
    let auth = &rest[..rest
        .iter()
        .position(|&b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len())];
    let auth = match memchr::memrchr(b'@', auth) {
        Some(at) => &auth[at + 1..],
        None => auth,
    };
    let host = if auth.starts_with(b"[") {
        auth
    } else {
        &auth[..memchr::memrchr(b':', auth).unwrap_or(auth.len())]
    };
    (!host.is_empty()).then_some(host)
}

/// Strips a `:port` from a host header value.
pub(crate) fn host_without_port(host: &[u8]) -> &[u8] {
    if host.starts_with(b"[") {
        return host;
    }
    &host[..memchr::memrchr(b':', host).unwrap_or(host.len())]
}

/// Parses a referrer field. `None` for `-`, empty, or an internal referrer (`is_internal(host)`). What
/// `report` does in two steps, [`referrer_base`] (memoised) and [`search_keyword`].
#[cfg(test)]
pub(crate) fn parse_referrer(
    field: &[u8],
    is_internal: impl Fn(&[u8]) -> bool,
    rules: &Rules,
) -> Option<Referrer> {
    let base = referrer_base(field, is_internal, rules)?;
    let search = base
        .engine
        .map(|engine| (engine.name, search_keyword(field, engine, rules)));
    Some(Referrer {
        site: base.site,
        page: base.page,
        search,
    })
}

/// What an external referrer gives whatever its query: the site, the page and the search engine.
#[derive(Debug, Clone)]
pub(crate) struct ReferrerBase {
    /// As [`Referrer::site`].
    pub(crate) site: String,
    /// As [`Referrer::page`].
    pub(crate) page: String,
    /// The search engine of the host, if it is a known one.
    pub(crate) engine: Option<&'static lists::SearchEngine>,
}

/// The [`ReferrerBase`] of a referrer field (its query, if any, is not read: referrers that differ only
/// in their query have the same base), or `None` when there is no external referrer.
pub(crate) fn referrer_base(
    field: &[u8],
    is_internal: impl Fn(&[u8]) -> bool,
    rules: &Rules,
) -> Option<ReferrerBase> {
    if field.is_empty() || field == b"-" {
        return None;
    }
    let host = url_host(field)?;
    if is_internal(host) {
        return None;
    }
    let without_query = without_query(field);
    let mut page = Vec::with_capacity(without_query.len());
    rewrite_url(without_query, rules, &mut page);
    // Scheme and host compare case-insensitively: lower-case them so one site gives one row.
    if let Some(sep) = memchr::memmem::find(&page, b"://") {
        let end = memchr::memchr(b'/', &page[sep + 3..]).map_or(page.len(), |i| sep + 3 + i);
        page[..end].make_ascii_lowercase();
    }
    let site = url_host(&page).unwrap_or(b"").to_ascii_lowercase();
    Some(ReferrerBase {
        site: String::from_utf8_lossy(&site).into_owned(),
        page: String::from_utf8_lossy(&page).into_owned(),
        engine: engine_of(&host.to_ascii_lowercase()),
    })
}

/// A URL up to its query or fragment.
pub(crate) fn without_query(url: &[u8]) -> &[u8] {
    &url[..url
        .iter()
        .position(|&b| b == b'?' || b == b'#')
        .unwrap_or(url.len())]
}

/// The keyword a search engine's referrer carries (normalised and scrubbed), or [`NOT_PROVIDED`].
pub(crate) fn search_keyword(field: &[u8], engine: &lists::SearchEngine, rules: &Rules) -> String {
    let query = field
        .iter()
        .position(|&b| b == b'?')
        .map_or(&b""[..], |q| &field[q + 1..]);
    let query = &query[..memchr::memchr(b'#', query).unwrap_or(query.len())];
    engine
        .params
        .iter()
        .find_map(|p| param_value(query, p.as_bytes(), false))
        .and_then(|v| normalise_term(v, rules))
        .unwrap_or_else(|| NOT_PROVIDED.to_string())
}

/// The known search engine of a (lower-case) host.
pub(crate) fn engine_of(host: &[u8]) -> Option<&'static lists::SearchEngine> {
    lists::SEARCH_ENGINES.iter().find(|e| {
        e.hosts.iter().any(|pat| {
            let pat = pat.as_bytes();
            if pat.ends_with(b".") {
                // `google.` at the start of a label.
                memchr::memmem::find_iter(host, pat).any(|i| i == 0 || host[i - 1] == b'.')
            } else {
                host == pat || (host.ends_with(pat) && host[host.len() - pat.len() - 1] == b'.')
            }
        })
    })
}

/// The raw value of the first parameter `name` with a non-empty value in `query`.
pub(crate) fn param_value<'q>(query: &'q [u8], name: &[u8], ignore_case: bool) -> Option<&'q [u8]> {
    query.split(|&b| b == b'&').find_map(|p| {
        let eq = memchr::memchr(b'=', p)?;
        let key = &p[..eq];
        let same = if ignore_case {
            key.eq_ignore_ascii_case(name)
        } else {
            key == name
        };
        (same && eq + 1 < p.len()).then(|| &p[eq + 1..])
    })
}

/// The site-search term of a page-view query: the first site-search parameter present, normalised.
pub(crate) fn site_search_term(query: &[u8], rules: &Rules) -> Option<String> {
    lists::SITE_SEARCH_PARAMS
        .iter()
        .find_map(|p| param_value(query, p.as_bytes(), true))
        .and_then(|v| normalise_term(v, rules))
}

/// A search term or campaign value as reports show it: normalised and scrubbed by
/// [`scrub_search_term`] (emails, IPs, tokens, cards and long digit runs removed), cut at 100 bytes.
pub(crate) fn normalise_term(raw: &[u8], rules: &Rules) -> Option<String> {
    scrub_search_term(raw, rules)
}

/// A campaign value (`utm_*`), normalised like a search term.
pub(crate) fn campaign_value(query: &[u8], name: &str, rules: &Rules) -> Option<String> {
    param_value(query, name.as_bytes(), true).and_then(|v| normalise_term(v, rules))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Rules {
        Rules::default()
    }

    #[test]
    fn terms_are_normalised_and_scrubbed() {
        let r = rules();
        assert_eq!(
            normalise_term(b"  Red%20SHOES++now ", &r).as_deref(),
            Some("red shoes now")
        );
        assert_eq!(
            normalise_term(b"mail+jane%40example.org", &r).as_deref(),
            Some("mail :email")
        );
        assert_eq!(
            normalise_term(b"call+0176-1234567", &r).as_deref(),
            Some("call :phone")
        );
        assert_eq!(
            normalise_term(b"4111+1111+1111+1111", &r).as_deref(),
            Some(":card")
        );
        assert_eq!(
            normalise_term(b"iphone+15", &r).as_deref(),
            Some("iphone 15")
        );
        assert_eq!(
            normalise_term(b"from+10.1.2.3", &r).as_deref(),
            Some("from 10.1.0.0")
        );
        assert_eq!(normalise_term(b"+++", &r), None);
        assert_eq!(
            site_search_term(b"page=2&Q=Shoes", &r).as_deref(),
            Some("shoes")
        );
        assert_eq!(site_search_term(b"q=&s=hats", &r).as_deref(), Some("hats"));
    }

    #[test]
    fn referrers_engines_and_internal_hosts() {
        let r = rules();
        let ext = |f: &str| parse_referrer(f.as_bytes(), |h: &[u8]| h == b"www.example.com", &r);
        assert_eq!(ext("-"), None);
        assert_eq!(ext("https://www.example.com/a?b=c"), None);
        let g = ext("https://www.google.co.uk/search?client=x&q=Blue+Hats").unwrap();
        assert_eq!(g.site, "www.google.co.uk");
        assert_eq!(g.page, "https://www.google.co.uk/search");
        assert_eq!(g.search, Some(("Google", "blue hats".to_string())));
        let hidden = ext("https://www.google.com/").unwrap();
        assert_eq!(hidden.search, Some(("Google", NOT_PROVIDED.to_string())));
        let blog = ext("http://user:pw@Blog.Example.net:8080/post/1?token=abc").unwrap();
        assert_eq!(blog.site, "blog.example.net");
        assert_eq!(blog.page, "http://blog.example.net:8080/post/1");
        assert_eq!(blog.search, None);
        let ip = ext("http://10.20.30.40/x").unwrap();
        assert_eq!(ip.site, "10.20.0.0");
        assert!(engine_of(b"notgoogle.com").is_none());
        assert!(engine_of(b"www.bing.com").is_some());
    }
}
