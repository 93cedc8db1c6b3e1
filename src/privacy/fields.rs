//! The field allow-list: which fields of otherwise unknown meaning survive `anonymize`.
//!
//! Fields logveil knows (client, ident, user, time, request, status, bytes, referrer, user agent, host)
//! have rules of their own. Every other field — request and response headers, environment and note
//! variables, trailing fields, JSON members, captured headers, W3C `cs(…)` fields — is named here and
//! becomes `-` unless its name is on the allow-list below. An allow-list fails safe: a header added to a
//! log format tomorrow is dropped until someone says it is harmless.
//!
//! **Names.** A field is named by its header or variable name, ASCII lowercase, `_` written `-`, whatever
//! the syntax that logged it: `%{X-Forwarded-For}i`, `$http_x_forwarded_for`, `cs(X-Forwarded-For)`, the
//! JSON member `request>headers>X-Forwarded-For` and Traefik's `request_X-Forwarded-For` all name
//! `x-forwarded-for` ([`canonical`]). The prefixes `http-`, `sent-http-` and `upstream-http-` are dropped.
//!
//! | default | names |
//! | --- | --- |
//! | reduced item by item ([`write_addresses`]) | [`ADDRESSES`]: `x-forwarded-for`, `forwarded`, `x-real-ip`, … |
//! | kept as they are | [`KEEP`]: `host`, `x-forwarded-proto`, `accept-language`, durations, sizes, statuses, TLS protocol and cipher, upstream status, … |
//! | never kept, even with `--keep-field` | [`is_never_kept`]: cookies, authorization, API keys and tokens, user headers, client certificates, bodies |
//! | anything else | `-` |
//!
//! `--keep-field NAME` adds a name (`name*` a prefix), `--drop-field NAME` takes one off (it wins).
//!
//! Trailing fields that have no name (after an auto-detected combined line; HAProxy's captured headers)
//! are judged by their shape instead ([`judge_unnamed`]): numbers and durations are kept, address lists
//! reduced, anything else becomes `-`.

use foldhash::HashMap;
use std::sync::OnceLock;

use super::Rules;
use super::client::reduce_client;
use super::ip::{parse_ipv4_prefix, parse_ipv6};

/// What becomes of a field of unknown meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Copied as it is.
    Keep,
    /// Every address in it reduced, item by item; any other item becomes `-` ([`write_addresses`]).
    Addresses,
    /// Replaced by `-`.
    Drop,
}

/// Fields holding addresses, reduced item by item.
pub(crate) const ADDRESSES: &[&str] = &[
    "x-forwarded-for",
    "forwarded",
    "x-real-ip",
    "x-client-ip",
    "x-cluster-client-ip",
    "true-client-ip",
    "cf-connecting-ip",
    "fastly-client-ip",
    "x-original-forwarded-for",
    "proxy-add-x-forwarded-for",
    "realip-remote-addr",
    "xff",
    "s-xff",
    "server-addr",
    "s-ip",
    "upstream-addr",
    "clientaddr",
    "serviceaddr",
    "backend-addr",
    "target-addr",
];

/// Fields kept as they are: they describe the site, the server or the exchange, not the person.
pub(crate) const KEEP: &[&str] = &[
    // Request headers naming the site or the protocol.
    "host",
    "x-forwarded-host",
    "x-forwarded-proto",
    "x-forwarded-port",
    "x-forwarded-scheme",
    "x-forwarded-ssl",
    "accept-language",
    "accept-encoding",
    "content-type",
    "content-length",
    "content-encoding",
    "upgrade",
    "accept",
    "te",
    "upgrade-insecure-requests",
    "sec-fetch-dest",
    "sec-fetch-mode",
    "sec-fetch-site",
    // Response headers (not `etag`: an entity tag can be set per visitor and used as a cookie).
    "cache-control",
    "vary",
    "date",
    "last-modified",
    "accept-ranges",
    "alt-svc",
    "access-control-allow-methods",
    "access-control-allow-origin",
    "x-content-type-options",
    "x-frame-options",
    "strict-transport-security",
    "referrer-policy",
    "permissions-policy",
    "x-cache",
    "x-cache-status",
    "age",
    "server",
    // Durations.
    "request-time",
    "upstream-response-time",
    "upstream-connect-time",
    "upstream-header-time",
    "time-taken",
    "timetakenms",
    "time-to-first-byte",
    "duration",
    "originduration",
    "overhead",
    "startlocal",
    "generation-time-milli",
    "request-processing-time",
    "target-processing-time",
    "response-processing-time",
    "backend-processing-time",
    "total-time",
    "turn-around-time",
    "tcpinfo-rtt",
    "tcpinfo-rttvar",
    // Sizes and counts.
    "bytes-sent",
    "body-bytes-sent",
    "request-length",
    "bytes-read",
    "received-bytes",
    "sent-bytes",
    "cs-bytes",
    "sc-content-len",
    "sc-range-start",
    "sc-range-end",
    "object-size",
    "upstream-response-length",
    "upstream-bytes-received",
    "upstream-bytes-sent",
    "origincontentsize",
    "requestcontentsize",
    "downstreamcontentsize",
    "requestcount",
    "retryattempts",
    "connection",
    "connection-requests",
    "tcpinfo-snd-cwnd",
    "tcpinfo-rcv-space",
    "gzip-ratio",
    // Statuses and results.
    "upstream-status",
    "upstream-cache-status",
    "target-status-code",
    "elb-status-code",
    "backend-status-code",
    "originstatus",
    "sc-substatus",
    "sc-win32-status",
    "limit-req-status",
    "request-completion",
    "x-edge-result-type",
    "x-edge-response-result-type",
    "x-edge-detailed-result-type",
    "x-edge-location",
    "error-code",
    "error-reason",
    "fle-status",
    "classification",
    "classification-reason",
    "actions-executed",
    "matched-rule-priority",
    // TLS.
    "ssl-protocol",
    "ssl-cipher",
    "ssl-session-reused",
    "ssl-curve",
    "ssl-server-name",
    "cipher-suite",
    "resumed",
    "tls-version",
    "tlsversion",
    "tlscipher",
    // Protocol, server and routing.
    "server-protocol",
    "request-protocol",
    "requestprotocol",
    "requestscheme",
    "requesthost",
    "requestport",
    "requestaddr",
    "cs-protocol",
    "cs-protocol-version",
    "cs-version",
    "proto",
    "version",
    "scheme",
    "https",
    "pipe",
    "pid",
    "server-port",
    "s-port",
    "remote-port",
    "c-port",
    "clientport",
    "server-name",
    "s-sitename",
    "s-computername",
    "hostname",
    "nginx-version",
    "proxy-host",
    "proxy-port",
    "routername",
    "servicename",
    "entrypointname",
    "frontend-name",
    "backend-name",
    "type",
    "elb",
    "request-creation-time",
    "target-status-code-list",
    "bucket",
    "bucket-owner",
    "operation",
    "access-point-arn",
    "acl-required",
    "target-group-arn",
    "chosen-cert-arn",
    "domain-name",
    "sc-content-type",
    "geoip-country-code",
    "level",
    "logger",
    "msg",
];

/// True for a (canonical) name that is never kept, whatever the lists say: cookies, credentials, API
/// keys and tokens, user headers, client certificates, bodies, emails.
pub(crate) fn is_never_kept(name: &[u8]) -> bool {
    const EXACT: &[&[u8]] = &[
        b"cookie",
        b"set-cookie",
        b"authorization",
        b"proxy-authorization",
        b"www-authenticate",
        b"remote-user",
        b"x-forwarded-user",
        b"x-forwarded-email",
        b"x-remote-user",
        b"x-user",
        b"user",
        b"login",
        b"from",
        b"body",
        b"request-body",
        b"response-body",
        b"ssl-client-cert",
        b"ssl-client-serial",
        b"ssl-client-s-dn",
        b"ssl-client-i-dn",
    ];
    const PARTS: &[&[u8]] = &[
        b"cookie",
        b"auth",
        b"token",
        b"session",
        b"sessid",
        b"passw",
        b"secret",
        b"api-key",
        b"apikey",
        b"x-key",
        b"signature",
        b"credential",
        b"user-",
        b"-user",
        b"username",
        b"userid",
        b"email",
        b"ssl-client",
        b"client-cert",
        b"client-s-dn",
        b"client-verify",
        b"jwt",
    ];
    if matches!(name, b"user-agent" | b"ssl-session-reused") {
        return false;
    }
    // Bodies: `request_body`, `resp-body`, … (not `body_bytes_sent`).
    EXACT.contains(&name) || name.ends_with(b"body") || PARTS.iter().any(|p| contains(name, p))
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.len() >= needle.len() && hay.windows(needle.len()).any(|w| w == needle)
}

/// The canonical form of a field name as a user or a format writes it: the syntax around it removed
/// (`%{…}i`, `%{…}o`, `%{…}e`, `%{…}n`, `%{…}x`, `$`, `cs(…)`, `sc(…)`, `s(…)`), ASCII lowercase, `_` as
/// `-`, and the prefixes `http-`, `sent-http-`, `upstream-http-` dropped.
pub(crate) fn canonical(name: &str) -> String {
    let mut n = name.trim();
    if let Some(inner) = n.strip_prefix("%{") {
        if let Some(close) = inner.find('}') {
            n = &inner[..close];
        }
    }
    n = n.strip_prefix('$').unwrap_or(n);
    for open in ["cs(", "sc(", "s(", "rs(", "sr(", "CS(", "SC(", "Cs(", "Sc("] {
        if let Some(inner) = n.strip_prefix(open).and_then(|i| i.strip_suffix(')')) {
            n = inner;
            break;
        }
    }
    let mut folded: Vec<u8> = n.bytes().map(fold).collect();
    let strip = strip_prefixes(&folded).len();
    folded.drain(..folded.len() - strip);
    String::from_utf8(folded).unwrap_or_default()
}

/// A name byte as the lists spell it: ASCII lowercase, `-` for `_`.
#[inline]
fn fold(b: u8) -> u8 {
    match b {
        b'_' => b'-',
        b => b.to_ascii_lowercase(),
    }
}

/// `name` without a leading `http-`, `sent-http-` or `upstream-http-` (a folded name).
fn strip_prefixes(name: &[u8]) -> &[u8] {
    for p in [&b"sent-http-"[..], b"upstream-http-", b"http-"] {
        if let Some(rest) = name.strip_prefix(p) {
            if !rest.is_empty() {
                return rest;
            }
        }
    }
    name
}

/// A name given to `--keep-field` that can never be kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "--keep-field {0}: cookies, authorization, API keys, tokens, user headers, client certificates and \
     bodies are never kept"
)]
pub struct NeverKept(pub String);

/// Which fields of unknown meaning survive: the default lists plus `--keep-field`, minus `--drop-field`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct FieldPolicy {
    keep: Vec<Vec<u8>>,
    keep_prefixes: Vec<Vec<u8>>,
    drop: Vec<Vec<u8>>,
    drop_prefixes: Vec<Vec<u8>>,
}

impl FieldPolicy {
    /// Adds names to the allow-list (`--keep-field`; `name*` is a prefix). A name that is never kept
    /// ([`is_never_kept`]) is refused.
    pub fn with_kept<I: IntoIterator<Item = S>, S: AsRef<str>>(
        mut self,
        names: I,
    ) -> Result<FieldPolicy, NeverKept> {
        for name in names {
            let raw = name.as_ref();
            let (c, prefix) = split_star(raw);
            if c.is_empty() || is_never_kept(c.as_bytes()) {
                return Err(NeverKept(raw.to_string()));
            }
            if prefix {
                self.keep_prefixes.push(c.into_bytes());
            } else {
                self.keep.push(c.into_bytes());
            }
        }
        Ok(self)
    }

    /// Takes names off the allow-list (`--drop-field`, which wins over `--keep-field`; `name*` is a prefix).
    pub fn with_dropped<I: IntoIterator<Item = S>, S: AsRef<str>>(
        mut self,
        names: I,
    ) -> FieldPolicy {
        for name in names {
            let (c, prefix) = split_star(name.as_ref());
            if prefix {
                self.drop_prefixes.push(c.into_bytes());
            } else {
                self.drop.push(c.into_bytes());
            }
        }
        self
    }

    /// What becomes of the field `name`, written in any case, with `_` or `-`, with or without an
    /// `http_` prefix (no other syntax: see [`canonical`] for that). No allocation.
    pub fn judge(&self, name: &[u8]) -> Verdict {
        let mut buf = [0u8; 64];
        let Some(folded) = buf.get_mut(..name.len()) else {
            return Verdict::Drop;
        };
        for (f, &b) in folded.iter_mut().zip(name) {
            *f = fold(b);
        }
        let n = strip_prefixes(folded);
        if self.is_default() {
            // Every record of a cloud or W3C format judges each of its columns: one look-up, not a pass
            // over the lists (which made those formats parse 17–40× slower than combined).
            return default_verdicts().get(n).copied().unwrap_or(Verdict::Drop);
        }
        self.judge_folded(n)
    }

    /// Whether no `--keep-field` or `--drop-field` was given.
    pub(crate) fn is_default(&self) -> bool {
        self.keep.is_empty()
            && self.keep_prefixes.is_empty()
            && self.drop.is_empty()
            && self.drop_prefixes.is_empty()
    }

    /// [`FieldPolicy::judge`] of a name already folded and stripped of its prefixes.
    fn judge_folded(&self, n: &[u8]) -> Verdict {
        if is_never_kept(n) || self.drops(n) {
            return Verdict::Drop;
        }
        if ADDRESSES.iter().any(|a| a.as_bytes() == n) {
            return Verdict::Addresses;
        }
        let user_kept =
            self.keep.iter().any(|k| k == n) || self.keep_prefixes.iter().any(|p| n.starts_with(p));
        if user_kept || KEEP.iter().any(|k| k.as_bytes() == n) {
            Verdict::Keep
        } else {
            Verdict::Drop
        }
    }

    fn drops(&self, n: &[u8]) -> bool {
        self.drop.iter().any(|d| d == n) || self.drop_prefixes.iter().any(|p| n.starts_with(p))
    }
}

/// The verdict of the default policy on every name it does not drop (`KEEP` and `ADDRESSES`, less those
/// [`is_never_kept`] takes), computed once; any other name is dropped.
fn default_verdicts() -> &'static HashMap<&'static [u8], Verdict> {
    static VERDICTS: OnceLock<HashMap<&'static [u8], Verdict>> = OnceLock::new();
    VERDICTS.get_or_init(|| {
        let plain = FieldPolicy::default();
        KEEP.iter()
            .chain(ADDRESSES)
            .map(|name| name.as_bytes())
            .map(|n| (n, plain.judge_folded(n)))
            .filter(|(_, v)| *v != Verdict::Drop)
            .collect()
    })
}

/// The canonical name of a list argument, and whether it ended in `*`.
fn split_star(raw: &str) -> (String, bool) {
    match raw.trim().strip_suffix('*') {
        Some(p) => (canonical(p), true),
        None => (canonical(raw), false),
    }
}

/// The verdict on a field that has no name (a trailing field of an auto-detected line, a HAProxy captured
/// header), from its shape: numbers and durations are kept, address lists reduced, anything else dropped.
pub(crate) fn judge_unnamed(value: &[u8]) -> Verdict {
    if is_address_list(value) {
        Verdict::Addresses
    } else if is_number_list(value) {
        Verdict::Keep
    } else {
        Verdict::Drop
    }
}

/// True for `-`, a number (at most 12 digits before an optional fraction: longer runs may be card or
/// account numbers) or a duration (`12ms`, `0.5s`, `1m2.5s`), or a list of them separated by `,`, ` : `
/// or spaces (nginx's upstream lists).
pub(crate) fn is_number_list(value: &[u8]) -> bool {
    let mut any = false;
    for item in value.split(|&b| b == b',' || b == b' ') {
        match item {
            b"" | b":" => {}
            _ if is_number_or_duration(item) => any = true,
            _ => return false,
        }
    }
    any
}

fn is_number_or_duration(item: &[u8]) -> bool {
    if item == b"-" {
        return true;
    }
    let mut rest = item;
    let mut parts = 0;
    while !rest.is_empty() {
        let int = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if int == 0 || int > 12 {
            return false;
        }
        rest = &rest[int..];
        if let Some(frac) = rest.strip_prefix(b".") {
            let n = frac.iter().take_while(|b| b.is_ascii_digit()).count();
            if n == 0 || n > 9 {
                return false;
            }
            rest = &frac[n..];
        }
        let unit = ["ns", "us", "µs", "ms", "s", "m", "h"]
            .iter()
            .find(|u| rest.starts_with(u.as_bytes()));
        match unit {
            Some(u) => rest = &rest[u.len()..],
            // A bare number ends the item.
            None => return rest.is_empty() && parts == 0,
        }
        parts += 1;
    }
    true
}

/// True when `item` is one address (IPv4 or IPv6, with a port, brackets or a zone id), `unknown` or `-`,
/// possibly in double quotes.
pub(crate) fn is_address(item: &[u8]) -> bool {
    let item = item
        .strip_prefix(b"\"")
        .and_then(|i| i.strip_suffix(b"\""))
        .unwrap_or(item);
    if item == b"-" || item.eq_ignore_ascii_case(b"unknown") {
        return true;
    }
    if let Some(inner) = item.strip_prefix(b"[") {
        let Some(close) = memchr::memchr(b']', inner) else {
            return false;
        };
        let port = &inner[close + 1..];
        return parse_ipv6(no_zone(&inner[..close])).is_some() && is_port(port);
    }
    if let Some((_, len)) = parse_ipv4_prefix(item) {
        return is_port(&item[len..]);
    }
    parse_ipv6(no_zone(item)).is_some()
}

fn no_zone(a: &[u8]) -> &[u8] {
    &a[..memchr::memchr(b'%', a).unwrap_or(a.len())]
}

fn is_port(rest: &[u8]) -> bool {
    rest.is_empty()
        || (rest.len() > 1 && rest[0] == b':' && rest[1..].iter().all(u8::is_ascii_digit))
}

/// True when every comma-separated item of `value` is an address ([`is_address`]) and at least one is a
/// real one.
pub(crate) fn is_address_list(value: &[u8]) -> bool {
    let mut real = false;
    for item in value.split(|&b| b == b',') {
        let item = item.trim_ascii();
        if !is_address(item) {
            return false;
        }
        real |= item != b"-" && !item.eq_ignore_ascii_case(b"unknown");
    }
    real
}

/// Writes an address field item by item: each comma-separated item that is an address is reduced (as the
/// client field is), `-` and `unknown` are kept, and anything else becomes `-`. `Forwarded` pairs
/// (`for=…;proto=…;by=…;host=…`) keep their keys; `for` and `by` values are reduced like items, `proto`
/// and `host` values are kept, any other value becomes `-`. Separators and spacing are kept.
pub(crate) fn write_addresses(value: &[u8], rules: &Rules, out: &mut Vec<u8>) {
    for (n, item) in value.split(|&b| b == b',').enumerate() {
        if n > 0 {
            out.push(b',');
        }
        for (m, part) in item.split(|&b| b == b';').enumerate() {
            if m > 0 {
                out.push(b';');
            }
            let lead = part.len() - part.trim_ascii_start().len();
            let trail = part.len() - part.trim_ascii_end().len();
            if lead == part.len() {
                out.extend_from_slice(part);
                continue;
            }
            out.extend_from_slice(&part[..lead]);
            let body = &part[lead..part.len() - trail];
            match memchr::memchr(b'=', body) {
                Some(eq) => {
                    let (key, v) = (&body[..eq], &body[eq + 1..]);
                    out.extend_from_slice(&body[..=eq]);
                    if key.eq_ignore_ascii_case(b"proto") || key.eq_ignore_ascii_case(b"host") {
                        out.extend_from_slice(v);
                    } else if key.eq_ignore_ascii_case(b"for") || key.eq_ignore_ascii_case(b"by") {
                        write_item(v, rules, out);
                    } else {
                        out.push(b'-');
                    }
                }
                None => write_item(body, rules, out),
            }
            out.extend_from_slice(&part[part.len() - trail..]);
        }
    }
}

/// One item of an address list: reduced when it is an address (quotes kept), else `-`.
fn write_item(item: &[u8], rules: &Rules, out: &mut Vec<u8>) {
    if !is_address(item) {
        out.push(b'-');
        return;
    }
    match item.strip_prefix(b"\"").and_then(|i| i.strip_suffix(b"\"")) {
        Some(inner) => {
            out.push(b'"');
            reduce_client(inner, rules, out);
            out.push(b'"');
        }
        None => reduce_client(item, rules, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_look_up_judges_as_the_lists_do() {
        let plain = FieldPolicy::default();
        let names = KEEP.iter().chain(ADDRESSES).copied().chain([
            "cookie",
            "Set-Cookie",
            "http_user_agent",
            "X_Forwarded_For",
            "sent_http_x_token",
            "upstream_http_host",
            "request_id",
            "x-amz-cf-id",
            "unknown-thing",
            "",
        ]);
        for name in names {
            let folded: Vec<u8> = name.bytes().map(fold).collect();
            let n = strip_prefixes(&folded);
            assert_eq!(
                plain.judge(name.as_bytes()),
                plain.judge_folded(n),
                "{name}"
            );
        }
    }

    fn addresses(v: &str) -> String {
        let mut out = Vec::new();
        write_addresses(v.as_bytes(), &Rules::default(), &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn names_are_the_same_in_every_syntax() {
        for n in [
            "%{X-Forwarded-For}i",
            "$http_x_forwarded_for",
            "cs(X-Forwarded-For)",
            "X-Forwarded-For",
            "x_forwarded_for",
            "HTTP_X_FORWARDED_FOR",
        ] {
            assert_eq!(canonical(n), "x-forwarded-for", "{n}");
        }
        assert_eq!(canonical("%{SSL_CIPHER}x"), "ssl-cipher");
        assert_eq!(canonical("$sent_http_content_type"), "content-type");
        assert_eq!(canonical("$upstream_http_x_cache"), "x-cache");
    }

    #[test]
    fn the_default_lists() {
        let p = FieldPolicy::default();
        for (name, want) in [
            ("X-Forwarded-For", Verdict::Addresses),
            ("http_x_forwarded_for", Verdict::Addresses),
            ("Forwarded", Verdict::Addresses),
            ("Host", Verdict::Keep),
            ("Accept-Language", Verdict::Keep),
            ("ssl_cipher", Verdict::Keep),
            ("upstream_status", Verdict::Keep),
            ("Cookie", Verdict::Drop),
            ("Authorization", Verdict::Drop),
            ("X-Api-Key", Verdict::Drop),
            ("X-Forwarded-User", Verdict::Drop),
            ("REMOTE_USER", Verdict::Drop),
            ("ssl_client_s_dn", Verdict::Drop),
            ("request_body", Verdict::Drop),
            ("X-Customer-Name", Verdict::Drop),
            ("request_id", Verdict::Drop),
            ("", Verdict::Drop),
        ] {
            assert_eq!(p.judge(name.as_bytes()), want, "{name}");
        }
        assert_eq!(p.judge(&[b'a'; 100]), Verdict::Drop);
        for name in KEEP.iter().chain(ADDRESSES) {
            assert!(!is_never_kept(name.as_bytes()), "{name}");
            assert_eq!(canonical(name), *name);
        }
    }

    #[test]
    fn the_privacy_docs_list_every_name() {
        let docs = include_str!("../../docs/PRIVACY.md");
        for name in KEEP.iter().chain(ADDRESSES) {
            assert!(
                docs.contains(&format!("`{name}`")),
                "{name} is not in docs/PRIVACY.md"
            );
        }
    }

    #[test]
    fn keep_and_drop_field() {
        let p = FieldPolicy::default()
            .with_kept(["%{X-Request-Id}i", "x-trace*"])
            .unwrap()
            .with_dropped(["Accept-Language", "x-trace-b*"]);
        assert_eq!(p.judge(b"X-Request-ID"), Verdict::Keep);
        assert_eq!(p.judge(b"x-trace-a"), Verdict::Keep);
        assert_eq!(p.judge(b"x-trace-b1"), Verdict::Drop);
        assert_eq!(p.judge(b"Accept-Language"), Verdict::Drop);
        for never in [
            "Cookie",
            "%{Authorization}i",
            "$http_x_api_key",
            "x-forwarded-user",
            "REMOTE_USER",
            "$ssl_client_serial",
            "request_body",
            "*",
            "cookie*",
        ] {
            assert!(
                FieldPolicy::default().with_kept([never]).is_err(),
                "{never}"
            );
        }
    }

    #[test]
    fn unnamed_fields_by_shape() {
        for (v, want) in [
            ("0.003", Verdict::Keep),
            ("12ms", Verdict::Keep),
            ("1m2.5s", Verdict::Keep),
            ("0.001, 0.002 : 0.003", Verdict::Keep),
            ("-", Verdict::Keep),
            ("200", Verdict::Keep),
            ("4111111111111111", Verdict::Drop),
            ("10.0.0.1, 2.3.4.5", Verdict::Addresses),
            ("2001:db8::1", Verdict::Addresses),
            ("[2001:db8::1]:443", Verdict::Addresses),
            ("2001:0:0:1::5", Verdict::Addresses),
            ("1.2.3.4", Verdict::Addresses),
            ("PHPSESSID=abcdef123456", Verdict::Drop),
            ("Basic dXNlcjpwYXNz", Verdict::Drop),
            ("jane", Verdict::Drop),
            ("", Verdict::Drop),
            ("1.2.3", Verdict::Drop),
        ] {
            assert_eq!(judge_unnamed(v.as_bytes()), want, "{v}");
        }
    }

    #[test]
    fn addresses_item_by_item() {
        assert_eq!(addresses("10.1.2.3, 203.0.113.9"), "10.1.0.0, 203.0.0.0");
        assert_eq!(addresses("unknown, jane, -"), "unknown, -, -");
        assert_eq!(
            addresses(r#"for="[2001:db8:cafe::17]:4711";proto=https;by=_hidden, for=1.2.3.4;x=y"#),
            r#"for="[2001:db8::]:4711";proto=https;by=-, for=1.2.0.0;x=-"#
        );
        assert_eq!(addresses("1.2.3.4:80"), "1.2.0.0:80");
        assert_eq!(addresses(""), "");
    }
}
