//! Finding personal data in any text: the rules behind `logveil check`, usable by the tests of every
//! other command (`findings(output, &Options::default()).is_empty()`).
//!
//! | kind | what is found |
//! | --- | --- |
//! | `ipv4` | a dotted quad with bits set past `--ipv4-prefix` (`83.149.9.216`; not `83.149.0.0`), also glued to letters (`ip83.149.9.216`, `Foo/83.149.9.216`), dashed or hex in a host name (`ec2-83-149-9-216.compute-1.amazonaws.com`, `5395d8d8.nip.io`), an integer host (`http://1402276312/`), or a standalone dotted number that is not quite an address (`9.88.198.940`, `1.2.3`, `1.2.3.4.5`, as a client field holds them); outside the pseudonym range `240.0.0.0/4` |
//! | `ipv6` | an IPv6 address with bits set past `--ipv6-prefix`, outside the pseudonym range `100::/64`; IPv4-mapped forms judged as IPv4 |
//! | `email` | `local@domain.tld` |
//! | `param` | a non-empty value of an identifying query, path or fragment parameter (`?token=…`, `;jsessionid=…`, `#access_token=…`) |
//! | `cookie` | a session or tracking cookie by name (`PHPSESSID=…`, `_ga=GA1.2.…`, `__utma=…`, `session=…`) |
//! | `auth` | credentials of an `Authorization` header (`Basic dXNlcjpwYXNz`, `Bearer abc123…`) or an API-key header |
//! | `jwt` | a JSON Web Token (`eyJ….eyJ….…`) |
//! | `card` | 13 to 19 digits with a card-issuer prefix that pass the Luhn check, in one run or grouped by spaces, `+`, `-` or `.` |
//! | `phone` | an E.164 number (`+4915112345678`, `+1 555 123 4567`) or a national shape (`0151 1234 5678`, `(555) 123-4567`, `555-123-4567`) |
//! | `apikey` | a vendor key shape: AWS `AKIA…`, Stripe `sk_live_…`, GitHub `ghp_…`/`github_pat_…`, Slack `xoxb-…` and webhook paths, Google `AIza…`, Discord webhook paths |
//! | `token` | a hex run of 32 or more, a base64 run of 32 or more mixing cases and digits, or a path segment of 8 or more letters and digits after `reset`, `verify`, `confirm`, `token`, `invite`, `unsubscribe`, `activate`, `magic` or `login` |
//! | `device` | a UUID or MAC address outside a URL path, or `user@host` (a device or account name, as user agents carry them) |
//! | `user` | the authuser of a Common Log Format line when it is not `-` (`1.2.3.4 - Paul Schmitt [10/Oct/2000:…`) |
//! | `host` | a host name under a dynamic-DNS or tunnel suffix (`paul-home.duckdns.org`, `x.ngrok.io`): one home or device |
//!
//! Every line is read twice: as written, and decoded ([`decode`]: percent-encoding to any depth, `+` as a
//! space, HTML entities, JSON and C escapes), so `jane%2540example.com` and `203%2E0%2E113%2E9` are found.
//! Positions always point into the line as written.
//!
//! What is deliberately *not* found, to keep false positives off ordinary logs: product versions with a
//! part above 255 (`Chrome/32.0.1700.77`) or already reduced (`Chrome/120.0.0.0`), timestamps, asset
//! fingerprints (`app-<64 hex>.css`), retina image names (`logo@2x.png`), logveil's own placeholders
//! (`:email`, `:token`, `:card`, `:phone`, `:uuid`, `:id`) and digit runs without a card prefix or a phone
//! shape (epoch milliseconds, sizes).
//!
//! The rules are written independently of the anonymiser (they call none of its scrubbing or decoding
//! code), so a bug in one is not silently shared by the other. Findings carry a *masked* value only: the
//! raw bytes never leave this module.

use std::fmt;
use std::ops::Range;

use super::IpPolicy;

mod decode;
mod email;
mod keys;
mod mask;
mod names;
mod net;
mod params;
mod phone;
mod secret;
mod survey;

pub use params::{IDENTIFYING_FRAGMENTS, IDENTIFYING_PARAMS, is_identifying_param};
pub use secret::{TOKEN_MIN_LEN, is_token, luhn};
pub use survey::{may_hold_secret, survey};

/// What kind of personal data a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A full IPv4 address (also dashed, hex, integer, glued, or a malformed client address).
    Ipv4,
    /// A full IPv6 address.
    Ipv6,
    /// An email address.
    Email,
    /// The value of an identifying query or path parameter.
    Param,
    /// A session or tracking cookie.
    Cookie,
    /// Credentials of an `Authorization` or API-key header.
    Auth,
    /// A JSON Web Token.
    Jwt,
    /// A payment-card-like number.
    Card,
    /// A phone number.
    Phone,
    /// A vendor API key or webhook secret.
    ApiKey,
    /// A long hex or base64 token, or a token path segment.
    Token,
    /// A UUID, MAC address or `user@host`: names a device or an account.
    Device,
    /// The authuser of a Common Log Format line.
    User,
    /// A host name under a dynamic-DNS suffix.
    Host,
}

impl Kind {
    /// Every kind, in report order.
    pub const ALL: [Kind; 14] = [
        Kind::Ipv4,
        Kind::Ipv6,
        Kind::Email,
        Kind::Param,
        Kind::Cookie,
        Kind::Auth,
        Kind::Jwt,
        Kind::Card,
        Kind::Phone,
        Kind::ApiKey,
        Kind::Token,
        Kind::Device,
        Kind::User,
        Kind::Host,
    ];

    /// The kind's name as printed by `check`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Ipv4 => "ipv4",
            Kind::Ipv6 => "ipv6",
            Kind::Email => "email",
            Kind::Param => "param",
            Kind::Cookie => "cookie",
            Kind::Auth => "auth",
            Kind::Jwt => "jwt",
            Kind::Card => "card",
            Kind::Phone => "phone",
            Kind::ApiKey => "apikey",
            Kind::Token => "token",
            Kind::Device => "device",
            Kind::User => "user",
            Kind::Host => "host",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One piece of personal data found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What was found.
    pub kind: Kind,
    /// 1-based line number.
    pub line: u64,
    /// 1-based byte column of the first byte, in the line as written (before decoding).
    pub column: u64,
    /// The value, masked so that printing it leaks nothing (`83.149.x.x`, `j***@***.com`).
    pub masked: String,
}

/// What counts as "full" precision: the same prefixes as `anonymize`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Options {
    /// Addresses that this policy would change are reported.
    pub ip: IpPolicy,
}

/// Every finding in `text`, in order of line and column.
pub fn findings(text: &[u8], opts: &Options) -> Vec<Finding> {
    let mut all = Vec::new();
    let mut line_no = 0;
    for line in text.split(|&b| b == b'\n') {
        line_no += 1;
        line_findings(line, line_no, opts, &mut all);
    }
    all
}

/// Appends the findings of one line (without its terminator) to `out`, numbered `line_no`.
///
/// The line is scanned as written and, when it holds escapes, once more decoded; a finding in the
/// decoded text is placed at the byte of the line its first decoded byte came from.
pub fn line_findings(line: &[u8], line_no: u64, opts: &Options, out: &mut Vec<Finding>) {
    let mut located: Vec<(Hit, String)> = scan_all(line, opts)
        .into_iter()
        .map(|h| {
            let masked = mask::mask(h.kind, &line[h.start..h.end]);
            (h, masked)
        })
        .collect();
    if let Some(decoded) = decode::decode(line) {
        for h in scan_all(&decoded.bytes, opts) {
            let masked = mask::mask(h.kind, &decoded.bytes[h.start..h.end]);
            let start = decoded.origin(h.start);
            let end = decoded.origin_end(h.end).max(start + 1);
            located.push((
                Hit {
                    kind: h.kind,
                    start,
                    end,
                },
                masked,
            ));
        }
    }
    located.sort_by_key(|(h, _)| (h.start, std::cmp::Reverse(h.end)));
    let mut covered = 0;
    for (h, masked) in located {
        if h.start < covered {
            continue;
        }
        covered = h.end;
        out.push(Finding {
            kind: h.kind,
            line: line_no,
            column: h.start as u64 + 1,
            masked,
        });
    }
}

/// Every recogniser over one text (a line as written, or decoded), overlaps removed.
fn scan_all(text: &[u8], opts: &Options) -> Vec<Hit> {
    let mut hits = Vec::new();
    net::scan(text, &opts.ip, &mut hits);
    email::scan(text, &mut hits);
    params::scan(text, &mut hits);
    names::scan(text, &mut hits);
    secret::scan_devices(text, &mut hits);
    if may_hold_secret(text) {
        scan_secrets(text, &mut hits);
    }
    phone::scan(text, &mut hits);
    without_overlaps(hits).collect()
}

/// The spans of secrets (JWTs, card numbers, phone numbers, API keys, long tokens) in `text`, in order,
/// not overlapping: what `anonymize` replaces with placeholders so that `check` finds none of them in its
/// output. Read on the text as written (the caller decodes, if it must).
pub fn secret_spans(text: &[u8]) -> Vec<(Kind, Range<usize>)> {
    let mut hits = Vec::new();
    scan_secrets(text, &mut hits);
    phone::scan(text, &mut hits);
    without_overlaps(hits)
        .map(|h| (h.kind, h.start..h.end))
        .collect()
}

fn scan_secrets(text: &[u8], hits: &mut Vec<Hit>) {
    keys::scan(text, hits);
    secret::scan_jwts(text, hits);
    secret::scan_cards(text, hits);
    secret::scan_tokens(text, hits);
}

/// `hits` in order, each stretch of bytes once: the earliest, longest hit wins; hits inside it are
/// dropped.
fn without_overlaps(mut hits: Vec<Hit>) -> impl Iterator<Item = Hit> {
    hits.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
    let mut covered = 0;
    hits.into_iter().filter(move |h| {
        let keep = h.start >= covered;
        if keep {
            covered = h.end;
        }
        keep
    })
}

/// A span of a line and what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Hit {
    kind: Kind,
    start: usize,
    end: usize,
}

impl Hit {
    fn new(kind: Kind, start: usize, end: usize) -> Hit {
        Hit { kind, start, end }
    }
}

/// Letters, digits and `_`.
fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

#[cfg(test)]
mod tests;
