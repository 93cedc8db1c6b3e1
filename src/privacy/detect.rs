//! Finding personal data in any text: the rules behind `logveil check`, usable by the tests of every
//! other command (`findings(output, &Options::default()).is_empty()`).
//!
//! | kind | what is found |
//! | --- | --- |
//! | `ipv4` | a dotted quad with bits set past `--ipv4-prefix` (`83.149.9.216`; not `83.149.0.0`), outside the pseudonym range `240.0.0.0/4` |
//! | `ipv6` | an IPv6 address with bits set past `--ipv6-prefix`, outside the pseudonym range `100::/64`; IPv4-mapped forms judged as IPv4 |
//! | `email` | `local@domain.tld`, also with a percent-encoded `%40` |
//! | `param` | a non-empty value of an identifying query or path parameter (`?token=…`, `;jsessionid=…`) |
//! | `jwt` | a JSON Web Token (`eyJ….eyJ….…`) |
//! | `card` | 13 to 19 digits with a card-issuer prefix that pass the Luhn check |
//! | `token` | a hex run of 32 or more, or a base64 run of 32 or more mixing cases and digits |
//!
//! What is deliberately *not* found, to keep false positives off ordinary logs: product versions in user
//! agents (`Chrome/32.0.1700.77`, `Foo/1.2.3.4`), timestamps, asset fingerprints (`app-<64 hex>.css`),
//! retina image names (`logo@2x.png`) and digit runs without a card prefix (epoch milliseconds).
//!
//! The rules are written independently of the scrubber (they do not call it), so a bug in one is not
//! silently shared by the other. Findings carry a *masked* value only: the raw bytes never leave this
//! module.

use std::fmt;
use std::ops::Range;

use super::IpPolicy;
use super::ip::{parse_ipv4_prefix, parse_ipv6, parse_ipv6_prefix};
use super::pseudonym::{is_v4_pseudonym, is_v6_pseudonym};
use super::scrub::email_domain_len;

/// What kind of personal data a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A full IPv4 address.
    Ipv4,
    /// A full IPv6 address.
    Ipv6,
    /// An email address.
    Email,
    /// The value of an identifying query or path parameter.
    Param,
    /// A JSON Web Token.
    Jwt,
    /// A payment-card-like number.
    Card,
    /// A long hex or base64 token.
    Token,
}

impl Kind {
    /// Every kind, in report order.
    pub const ALL: [Kind; 7] = [
        Kind::Ipv4,
        Kind::Ipv6,
        Kind::Email,
        Kind::Param,
        Kind::Jwt,
        Kind::Card,
        Kind::Token,
    ];

    /// The kind's name as printed by `check`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Ipv4 => "ipv4",
            Kind::Ipv6 => "ipv6",
            Kind::Email => "email",
            Kind::Param => "param",
            Kind::Jwt => "jwt",
            Kind::Card => "card",
            Kind::Token => "token",
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
    /// 1-based byte column of the first byte.
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
pub fn line_findings(line: &[u8], line_no: u64, opts: &Options, out: &mut Vec<Finding>) {
    let mut hits = Vec::new();
    scan_ips(line, &opts.ip, &mut hits);
    scan_emails(line, &mut hits);
    scan_params(line, &mut hits);
    if may_hold_secret(line) {
        scan_secrets(line, &mut hits);
    }
    for h in without_overlaps(hits) {
        out.push(Finding {
            kind: h.kind,
            line: line_no,
            column: h.start as u64 + 1,
            masked: mask(h.kind, &line[h.start..h.end]),
        });
    }
}

/// The spans of secrets (JWTs, card numbers, long tokens) in `text`, in order, not overlapping: what
/// `anonymize` replaces with placeholders so that `check` finds none of them in its output.
pub fn secret_spans(text: &[u8]) -> Vec<(Kind, Range<usize>)> {
    let mut hits = Vec::new();
    scan_secrets(text, &mut hits);
    without_overlaps(hits)
        .map(|h| (h.kind, h.start..h.end))
        .collect()
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

/// True when `text` may hold a secret: a run of [`TOKEN_MIN_LEN`] letters, digits, `-`, `_` or `+` (a
/// token), 13 digits in a run of digits, spaces and dashes (a card number), or `eyJ` (a JWT). A cheap test
/// that lets ordinary URLs skip [`secret_spans`].
#[inline]
pub fn may_hold_secret(text: &[u8]) -> bool {
    survey(text, usize::MAX).0
}

/// One pass over `text`: whether it [may hold a secret](may_hold_secret), and whether it has a run of at
/// least `min_digits` digits (a path segment that may become `:id`).
///
/// It walks runs of token bytes (letters, digits, `-`, `_`, `+`) with a tight loop and looks closer only
/// at runs long enough to matter, so ordinary URLs cost a few instructions per byte.
#[inline]
pub fn survey(text: &[u8], min_digits: usize) -> (bool, bool) {
    let n = text.len();
    let mut long_digits = false;
    // Digits in consecutive all-digit runs separated by single spaces (`4111 1111 1111 1111`).
    let mut grouped = 0;
    let mut prev_end = usize::MAX;
    let mut i = 0;
    while i < n {
        if SECRET_CLASS[text[i] as usize] & TOKEN_BYTE == 0 {
            i += 1;
            continue;
        }
        let start = i;
        let mut seen = 0;
        let len = text[start..]
            .iter()
            .take_while(|&&b| {
                let class = SECRET_CLASS[b as usize];
                seen |= class;
                class & TOKEN_BYTE != 0
            })
            .count();
        i = start + len;
        let run = &text[start..i];
        if run.len() >= TOKEN_MIN_LEN {
            return (true, true);
        }
        let after_space = start >= 1 && text[start - 1] == b' ';
        let spaced = after_space || text.get(i) == Some(&b' ');
        let digit_look = seen & DIGIT != 0 && (run.len() >= min_digits.min(13) || spaced);
        let jwt_look = seen & CAPITAL_J != 0 && run.len() >= 10;
        if !digit_look && !jwt_look {
            grouped = 0;
            prev_end = i;
            continue;
        }
        let (mut digits, mut longest, mut current) = (0, 0, 0);
        for &b in run {
            if b.is_ascii_digit() {
                digits += 1;
                current += 1;
                longest = longest.max(current);
            } else {
                current = 0;
            }
        }
        long_digits |= longest >= min_digits;
        if digits >= 13 || (run.len() >= 10 && has_jwt_start(run)) {
            return (true, true);
        }
        grouped = if digits == run.len() {
            let continues = after_space && prev_end.checked_add(1) == Some(start);
            if continues { grouped + digits } else { digits }
        } else {
            0
        };
        if grouped >= 13 {
            return (true, true);
        }
        prev_end = i;
    }
    (false, long_digits)
}

/// True when `run` contains `eyJ`, the start of a JWT.
#[inline]
fn has_jwt_start(run: &[u8]) -> bool {
    memchr::memchr_iter(b'J', run).any(|j| j >= 2 && &run[j - 2..j] == b"ey")
}

fn scan_secrets(line: &[u8], hits: &mut Vec<Hit>) {
    scan_jwts(line, hits);
    scan_cards(line, hits);
    scan_tokens(line, hits);
}

/// A span of a line and what it holds.
struct Hit {
    kind: Kind,
    start: usize,
    end: usize,
}

static HEXISH: [bool; 256] = byte_table!(|c| c.is_ascii_hexdigit() || c == b':' || c == b'.');
static LOCAL: [bool; 256] =
    byte_table!(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-'));
static DOMAIN: [bool; 256] = byte_table!(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-');
static B64URL: [bool; 256] = byte_table!(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-');
/// [`SECRET_CLASS`] bits: a byte of a token run, a digit, a `J` (as in `eyJ`, a JWT).
const TOKEN_BYTE: u8 = 1;
const DIGIT: u8 = 2;
const CAPITAL_J: u8 = 4;
static SECRET_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'+' {
            t[i] |= TOKEN_BYTE;
        }
        if c.is_ascii_digit() {
            t[i] |= DIGIT;
        }
        if c == b'J' {
            t[i] |= CAPITAL_J;
        }
        i += 1;
    }
    t
};
static PARAM_NAME: [bool; 256] =
    byte_table!(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'[' | b']'));

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

// ---------------------------------------------------------------------------------------------------------
// IP addresses

fn scan_ips(line: &[u8], ip: &IpPolicy, hits: &mut Vec<Hit>) {
    let n = line.len();
    let mut i = 0;
    while i < n {
        if !HEXISH[line[i] as usize] {
            i += 1;
            continue;
        }
        let s = i;
        let mut e = i;
        while e < n && HEXISH[line[e] as usize] {
            e += 1;
        }
        i = e;
        let run = &line[s..e];
        let colons = run.iter().filter(|&&b| b == b':').count();
        // A lone leading colon is punctuation (`x :2001:db8::1`), `::` is part of the address.
        let s6 = if run.len() > 1 && run[0] == b':' && run[1] != b':' {
            s + 1
        } else {
            s
        };
        // Where IPv4 may still start: after an IPv6 address found at the start of the run.
        let mut v4_from = s;
        if colons >= 2 && boundary(line, s6) {
            if let Some((addr, len)) = parse_ipv6_prefix(&line[s6..e]) {
                if !line.get(s6 + len).is_some_and(|&b| is_word(b)) {
                    if ip.reduce_v6(addr) != addr && !is_v6_pseudonym(addr) {
                        hits.push(Hit {
                            kind: Kind::Ipv6,
                            start: s6,
                            end: s6 + len,
                        });
                    }
                    v4_from = s6 + len;
                }
            }
        }
        // IPv4 may start the run or follow one of its colons (`client:1.2.3.4`).
        let starts = std::iter::once(s).chain(
            run.iter()
                .enumerate()
                .filter(|&(_, &b)| b == b':')
                .map(|(k, _)| s + k + 1),
        );
        for p in starts {
            if p >= e
                || p < v4_from
                || !line[p].is_ascii_digit()
                || !boundary(line, p)
                || is_product_version(line, p)
            {
                continue;
            }
            if let Some((addr, len)) = parse_ipv4_prefix(&line[p..]) {
                if line.get(p + len).is_some_and(|&b| is_word(b)) {
                    continue;
                }
                if ip.reduce_v4(addr) != addr && !is_v4_pseudonym(addr) {
                    hits.push(Hit {
                        kind: Kind::Ipv4,
                        start: p,
                        end: p + len,
                    });
                }
            }
        }
    }
}

/// True when an address may start at `p`: not in the middle of a word or a dotted number.
fn boundary(line: &[u8], p: usize) -> bool {
    p == 0 || !(is_word(line[p - 1]) || line[p - 1] == b'.')
}

/// True when `p` follows `Product/` at the start of a token, as in a user agent (`Chrome/32.0.1700.77`,
/// `(compatible; Foo/1.2.3.4)`): a version number, not an address. `/ip/1.2.3.4` and `//1.2.3.4` are not.
fn is_product_version(line: &[u8], p: usize) -> bool {
    if p < 2 || line[p - 1] != b'/' {
        return false;
    }
    let slash = p - 1;
    let mut t = slash;
    while t > 0 && (is_word(line[t - 1]) || matches!(line[t - 1], b'.' | b'-')) {
        t -= 1;
    }
    t < slash
        && line[t].is_ascii_alphabetic()
        && (t == 0
            || matches!(
                line[t - 1],
                b' ' | b'(' | b'"' | b';' | b',' | b'[' | b'+' | b'\t'
            ))
}

// ---------------------------------------------------------------------------------------------------------
// Email addresses

/// File extensions that look like a top-level domain in `logo@2x.png`.
const NOT_TLDS: &[&[u8]] = &[
    b"png", b"jpg", b"jpeg", b"gif", b"svg", b"webp", b"ico", b"css", b"js", b"html", b"htm",
    b"php",
];

fn scan_emails(line: &[u8], hits: &mut Vec<Hit>) {
    let mut i = 0;
    while let Some(off) = memchr::memchr2(b'@', b'%', &line[i..]) {
        let at = i + off;
        let sep = if line[at] == b'@' {
            1
        } else if line.get(at + 1..at + 3) == Some(b"40") {
            3
        } else {
            i = at + 1;
            continue;
        };
        i = at + sep;
        let mut start = at;
        while start > 0 && LOCAL[line[start - 1] as usize] {
            start -= 1;
        }
        let dstart = at + sep;
        let mut end = dstart;
        while end < line.len() && DOMAIN[line[end] as usize] {
            end += 1;
        }
        // The domain as the scrubber reads it (`jo@example.org.x9k2` holds `jo@example.org`).
        let domain = if start < at {
            email_domain_len(&line[dstart..end], |tld| {
                !NOT_TLDS.iter().any(|x| x.eq_ignore_ascii_case(tld))
            })
        } else {
            None
        };
        if let Some(len) = domain {
            let end = dstart + len;
            hits.push(Hit {
                kind: Kind::Email,
                start,
                end,
            });
            i = end;
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Identifying parameters

/// Parameter names whose values identify a person or a session (compared ASCII case-insensitively).
pub const IDENTIFYING_PARAMS: &[&str] = &[
    "sid",
    "ssid",
    "sess",
    "session",
    "sessid",
    "sessionid",
    "session_id",
    "phpsessid",
    "jsessionid",
    "aspsessionid",
    "cfid",
    "cftoken",
    "token",
    "auth",
    "authorization",
    "key",
    "apikey",
    "api_key",
    "api-key",
    "access_key",
    "password",
    "passwd",
    "pwd",
    "pass",
    "secret",
    "client_secret",
    "code",
    "nonce",
    "state",
    "signature",
    "sig",
    "otp",
    "ticket",
    "email",
    "mail",
    "e-mail",
    "user",
    "username",
    "login",
    "userid",
    "user_id",
    "uid",
    "login_hint",
    "id_token_hint",
];

/// Name fragments that make any parameter identifying (`access_token`, `x-amz-security-token`,
/// `new_password`, `aspsessionidqqgq`).
pub const IDENTIFYING_FRAGMENTS: &[&str] =
    &["token", "passw", "secret", "sessionid", "apikey", "api_key"];

/// True when parameter `name` holds identifying values.
pub fn is_identifying_param(name: &[u8]) -> bool {
    IDENTIFYING_PARAMS
        .iter()
        .any(|p| p.as_bytes().eq_ignore_ascii_case(name))
        || IDENTIFYING_FRAGMENTS.iter().any(|f| {
            let f = f.as_bytes();
            name.len() >= f.len() && name.windows(f.len()).any(|w| w.eq_ignore_ascii_case(f))
        })
}

fn scan_params(line: &[u8], hits: &mut Vec<Hit>) {
    let mut i = 0;
    while let Some(off) = memchr::memchr3(b'?', b'&', b';', &line[i..]) {
        let sep = i + off;
        i = sep + 1;
        let mut name_start = sep + 1;
        if line[sep] == b';' {
            // Cookie headers put a space after `;`.
            while line.get(name_start) == Some(&b' ') {
                name_start += 1;
            }
        }
        let mut eq = name_start;
        while eq < line.len() && PARAM_NAME[line[eq] as usize] {
            eq += 1;
        }
        if eq == name_start || line.get(eq) != Some(&b'=') {
            continue;
        }
        let vstart = eq + 1;
        let vend = vstart
            + line[vstart..]
                .iter()
                .position(|&b| {
                    matches!(
                        b,
                        b'&' | b';' | b'#' | b' ' | b'"' | b'\'' | b'\t' | b',' | b'\\'
                    )
                })
                .unwrap_or(line.len() - vstart);
        let value = &line[vstart..vend];
        if value.is_empty() || value == b"-" || !is_identifying_param(&line[name_start..eq]) {
            continue;
        }
        hits.push(Hit {
            kind: Kind::Param,
            start: name_start,
            end: vend,
        });
        i = vend;
    }
}

// ---------------------------------------------------------------------------------------------------------
// JWTs, card numbers, tokens

fn scan_jwts(line: &[u8], hits: &mut Vec<Hit>) {
    let finder = memchr::memmem::Finder::new(b"eyJ");
    let mut from = 0;
    while let Some(off) = finder.find(&line[from..]) {
        let s = from + off;
        from = s + 3;
        if s > 0 && B64URL[line[s - 1] as usize] {
            continue;
        }
        let seg = |p: usize| {
            p + line[p..]
                .iter()
                .take_while(|&&b| B64URL[b as usize])
                .count()
        };
        let h_end = seg(s);
        if h_end - s < 10 || line.get(h_end) != Some(&b'.') {
            continue;
        }
        let p_end = seg(h_end + 1);
        if p_end - (h_end + 1) < 10 || line.get(p_end) != Some(&b'.') {
            continue;
        }
        let end = seg(p_end + 1);
        hits.push(Hit {
            kind: Kind::Jwt,
            start: s,
            end,
        });
        from = end;
    }
}

fn scan_cards(line: &[u8], hits: &mut Vec<Hit>) {
    let n = line.len();
    let mut i = 0;
    while i < n {
        if !line[i].is_ascii_digit()
            || (i > 0 && (line[i - 1].is_ascii_alphanumeric() || line[i - 1] == b'.'))
        {
            i += 1;
            continue;
        }
        let s = i;
        let mut digits = [0u8; 19];
        let mut count = 0;
        let mut e = s;
        let mut groups = 0;
        let mut sep: Option<u8> = None;
        let mut glens = [0usize; 6];
        loop {
            let g = e;
            while e < n && line[e].is_ascii_digit() {
                if count < digits.len() {
                    digits[count] = line[e] - b'0';
                }
                count += 1;
                e += 1;
            }
            let glen = e - g;
            groups += 1;
            // Grouped numbers: `4111 1111 1111 1111`, `4111-1111-1111-1111`, `3782 822463 10005`.
            let next_sep = line.get(e).copied().filter(|&c| c == b' ' || c == b'-');
            let continues = next_sep.is_some()
                && line.get(e + 1).is_some_and(u8::is_ascii_digit)
                && (sep.is_none() || sep == next_sep)
                && ((groups == 1 && glen == 4) || (groups > 1 && (4..=6).contains(&glen)));
            if groups <= glens.len() {
                glens[groups - 1] = glen;
            }
            if !continues {
                break;
            }
            sep = next_sep;
            e += 1;
        }
        i = e.max(s + 1);
        let followed = line.get(e).is_some_and(|&b| b.is_ascii_alphanumeric())
            || (line.get(e) == Some(&b'.') && line.get(e + 1).is_some_and(u8::is_ascii_digit));
        // Written groups: 4-4-4-4(-3), 4-4-4-1 (Visa 13), 4-6-5 (Amex), or one run.
        let grouping = match &glens[..groups.min(glens.len())] {
            _ if groups > glens.len() => false,
            [_] => true,
            [4, 6, 5] => true,
            [4, 4, 4, last] | [4, 4, 4, 4, last] => (1..=4).contains(last),
            _ => false,
        };
        if !grouping || followed || !(13..=19).contains(&count) {
            continue;
        }
        let d = &digits[..count];
        if card_prefix(d) && luhn(d) {
            hits.push(Hit {
                kind: Kind::Card,
                start: s,
                end: e,
            });
        }
    }
}

/// Issuer prefixes and lengths of the major networks: Visa 4 (13, 16, 19 digits), Mastercard 51-55 and
/// 2221-2720 (16), Amex 34/37 (15), Discover 6011/644-649/65 (16-19), JCB 35 (16-19). Diners Club
/// (300-305, 36, 38) is left out: its 14-digit numbers collide with ordinary IDs in real logs.
fn card_prefix(d: &[u8]) -> bool {
    let n2 = u32::from(d[0]) * 10 + u32::from(d[1]);
    let n3 = n2 * 10 + u32::from(d[2]);
    let n4 = n3 * 10 + u32::from(d[3]);
    let len = d.len();
    (d[0] == 4 && matches!(len, 13 | 16 | 19))
        || (((51..=55).contains(&n2) || (2221..=2720).contains(&n4)) && len == 16)
        || (matches!(n2, 34 | 37) && len == 15)
        || ((n4 == 6011 || (644..=649).contains(&n3) || n2 == 65 || n2 == 35) && len >= 16)
}

/// The Luhn checksum over decimal digits.
pub fn luhn(d: &[u8]) -> bool {
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(k, &x)| {
            let x = u32::from(x);
            if k % 2 == 1 {
                let y = x * 2;
                if y > 9 { y - 9 } else { y }
            } else {
                x
            }
        })
        .sum();
    sum % 10 == 0
}

/// Shortest hex or base64 run reported as a token.
pub const TOKEN_MIN_LEN: usize = 32;

/// True when `run` (a maximal run of letters, digits, `-`, `_` and `+`) looks like a secret: at least
/// [`TOKEN_MIN_LEN`] bytes, and either all hex with letters and digits, or mixed-case base64 with digits
/// and few separators (slugs such as `How-To-Install-Apache2` have many).
pub fn is_token(run: &[u8]) -> bool {
    if run.len() < TOKEN_MIN_LEN {
        return false;
    }
    let (mut upper, mut lower, mut digit, mut other, mut hex) = (0, 0, 0, 0, 0);
    for &b in run {
        match b {
            b'A'..=b'Z' => upper += 1,
            b'a'..=b'z' => lower += 1,
            b'0'..=b'9' => digit += 1,
            _ => other += 1,
        }
        if b.is_ascii_hexdigit() {
            hex += 1;
        }
    }
    if hex == run.len() {
        return digit > 0 && digit < run.len();
    }
    // Random base64 switches between upper, lower and digit at most positions; words and slugs rarely.
    let class = |b: u8| match b {
        b'A'..=b'Z' => 0,
        b'a'..=b'z' => 1,
        b'0'..=b'9' => 2,
        _ => 3,
    };
    let changes = run
        .windows(2)
        .filter(|w| class(w[0]) != 3 && class(w[1]) != 3 && class(w[0]) != class(w[1]))
        .count();
    upper >= 2 && lower >= 2 && digit >= 2 && other * 8 <= run.len() && changes * 4 >= run.len()
}

fn scan_tokens(line: &[u8], hits: &mut Vec<Hit>) {
    let n = line.len();
    let mut i = 0;
    while i < n {
        if !line[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let s = i;
        // A hex run ends at any non-alphanumeric byte; a base64 run goes on over `-`, `_` and `+`.
        let mut e = s;
        while e < n && (B64URL[line[e] as usize] || line[e] == b'+') {
            e += 1;
        }
        i = e;
        let mut end = e;
        while line.get(end) == Some(&b'=') && end - e < 2 {
            end += 1;
        }
        if is_token(&line[s..e]) && !is_fingerprint(line, e) {
            hits.push(Hit {
                kind: Kind::Token,
                start: s,
                end,
            });
            continue;
        }
        // Hex pieces of the run, split at `-`, `_` and `+` (a 40-hex commit id inside `v-<sha>`).
        let mut p = s;
        for piece in line[s..e].split(|&b| !b.is_ascii_alphanumeric()) {
            let q = p + piece.len();
            if piece.len() >= TOKEN_MIN_LEN
                && piece.iter().all(u8::is_ascii_hexdigit)
                && is_token(piece)
            {
                let asset = q == e && is_fingerprint(line, e);
                if !asset {
                    hits.push(Hit {
                        kind: Kind::Token,
                        start: p,
                        end: q,
                    });
                }
            }
            p = q + 1;
        }
    }
}

/// True when the run ending at `e` is followed by a file extension (`app-<hash>.css`): an asset
/// fingerprint, not a secret.
fn is_fingerprint(line: &[u8], e: usize) -> bool {
    line.get(e) == Some(&b'.')
        && line.get(e + 1).is_some_and(u8::is_ascii_alphabetic)
        && line[e + 1..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count()
            <= 5
}

// ---------------------------------------------------------------------------------------------------------
// Masking

/// The printable, masked form of a value of kind `kind`.
fn mask(kind: Kind, v: &[u8]) -> String {
    match kind {
        Kind::Ipv4 => {
            let mut parts = v.split(|&b| b == b'.');
            let a = parts.next().unwrap_or_default();
            let b = parts.next().unwrap_or_default();
            format!("{}.{}.x.x", ascii(a), ascii(b))
        }
        Kind::Ipv6 => match parse_ipv6(v) {
            Some(ip) => match ip.to_ipv4_mapped() {
                Some(v4) => {
                    let o = v4.octets();
                    format!("::ffff:{}.{}.x.x", o[0], o[1])
                }
                None => {
                    let s = ip.segments();
                    format!("{:x}:{:x}:x::x", s[0], s[1])
                }
            },
            None => "x::x".to_string(),
        },
        Kind::Email => {
            let at = memchr::memchr(b'@', v)
                .or_else(|| memchr::memmem::find(v, b"%40"))
                .unwrap_or(0);
            let first = v.first().filter(|b| b.is_ascii_alphanumeric() && at > 0);
            let tld = memchr::memrchr(b'.', v).map_or(&b""[..], |d| &v[d + 1..]);
            format!(
                "{}***@***.{}",
                first.map_or(String::new(), |&b| char::from(b).to_string()),
                ascii(tld)
            )
        }
        Kind::Param => {
            let eq = memchr::memchr(b'=', v).unwrap_or(v.len());
            format!("{}=***", ascii(&v[..eq]))
        }
        Kind::Jwt => "eyJ***.***.***".to_string(),
        Kind::Card => {
            let digits = v.iter().filter(|b| b.is_ascii_digit()).count();
            format!("{}*** ({digits} digits)", char::from(v[0]))
        }
        Kind::Token => format!("*** ({} chars)", v.len()),
    }
}

/// Bytes that are known to be ASCII digits/letters, as a string.
fn ascii(b: &[u8]) -> String {
    b.iter()
        .filter(|c| c.is_ascii_graphic())
        .map(|&c| char::from(c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, String)> {
        findings(text.as_bytes(), &Options::default())
            .into_iter()
            .map(|f| (f.kind, f.masked))
            .collect()
    }

    fn none(text: &str) {
        assert_eq!(kinds(text), vec![], "{text}");
    }

    fn one(text: &str, kind: Kind, masked: &str) {
        assert_eq!(kinds(text), vec![(kind, masked.to_string())], "{text}");
    }

    #[test]
    fn full_ipv4_is_found_and_masked() {
        one("83.149.9.216 - - [17/May", Kind::Ipv4, "83.149.x.x");
        one("x=10.1.2.3:80", Kind::Ipv4, "10.1.x.x");
        one("client:1.2.3.4", Kind::Ipv4, "1.2.x.x");
        one("GET /ip/1.2.3.4 HTTP/1.1", Kind::Ipv4, "1.2.x.x");
        one("http://9.8.7.6/bot", Kind::Ipv4, "9.8.x.x");
        one("192.168.001.001", Kind::Ipv4, "192.168.x.x");
        one("83.149.0.1", Kind::Ipv4, "83.149.x.x");
    }

    #[test]
    fn reduced_ipv4_is_clean() {
        none("83.149.0.0 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 5");
        // Pseudonyms from `--ip-mode pseudonymize` (reserved ranges, see `pseudonym`).
        none("241.18.200.7 ::ffff:250.1.2.3 100::1234:5678:9abc:def0");
        none("10.0.0.0, 203.0.0.0");
    }

    #[test]
    fn the_prefix_decides_what_is_full() {
        let opts = Options {
            ip: IpPolicy::new(24, 48).unwrap(),
        };
        assert!(findings(b"1.2.3.0 2001:db8:1::", &opts).is_empty());
        assert_eq!(findings(b"1.2.3.4", &opts).len(), 1);
        assert_eq!(findings(b"1.2.3.0", &Options::default()).len(), 1);
    }

    #[test]
    fn user_agents_and_versions_are_not_addresses() {
        none(
            "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) \
             Chrome/32.0.1700.77 Safari/537.36",
        );
        none("Foo/1.2.3.4 (compatible; Bar/10.20.30.40; +http://example.com/bot)");
        none("Mozilla/5.0 (X11; Linux x86_64; rv:49.0) Gecko/20100101 Firefox/49.0");
        none("version 1.2.3.4.5, v1.2.3.4, 256.1.1.1, 1.2.3.1234");
        none("[17/May/2015:10:05:03 +0000] 2015-05-17 10:05:03 10:42:51");
        none("std::vec http://example.com:8080/a 00:1a:2b:3c:4d:5e");
        none("Dalvik/2.1.0 (Linux; U; Android 9; SM-G960F Build/PPR1.180610.011)");
        none("MSIE 9.0; Windows NT 6.1; Trident/5.0; .NET CLR 2.0.50727; .NET4.0C");
    }

    #[test]
    fn ipv6_and_mapped_forms() {
        one(
            "from 2001:db8:85a3::8a2e:370:7334 ok",
            Kind::Ipv6,
            "2001:db8:x::x",
        );
        one("[2001:DB8::1]:443", Kind::Ipv6, "2001:db8:x::x");
        one("fe80::1%eth0", Kind::Ipv6, "fe80:0:x::x");
        one("x :2001:db8:1:2:3:4:5:6 y", Kind::Ipv6, "2001:db8:x::x");
        one("::ffff:192.168.100.50", Kind::Ipv6, "::ffff:192.168.x.x");
        none("2001:db8:: ::ffff:192.168.0.0 [2001:db8::]:443 ::");
    }

    #[test]
    fn emails_also_percent_encoded() {
        one("/u/john.doe+x@example.com/p", Kind::Email, "j***@***.com");
        one("mail%40example.org", Kind::Email, "m***@***.org");
        one("?q=jane%40mail.example.org", Kind::Email, "j***@***.org");
        none("a@b @home logo@2x.png icon@3x.JPG /u/:email/p");
        // As the scrubber reads them: the domain ends where a top-level domain can end.
        one("x jo@mail.example.org.x9k2 y", Kind::Email, "j***@***.org");
        one("x g@1.KK-4 y", Kind::Email, "g***@***.KK");
    }

    #[test]
    fn identifying_parameters() {
        one("GET /a?token=s3cr3t&q=boots", Kind::Param, "token=***");
        one("/x;jsessionid=0123ABCD?x=1", Kind::Param, "jsessionid=***");
        one("/a?b=1&Access_Token=xyz", Kind::Param, "Access_Token=***");
        one("Cookie: a=1; PHPSESSID=abc", Kind::Param, "PHPSESSID=***");
        none("GET /a?token=&q=boots&page=2&utm_source=mail&session=-");
        none("/a?keyword=x&code_view=1&sort=asc");
    }

    #[test]
    fn jwts() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        one(
            &format!("Authorization: Bearer {jwt}"),
            Kind::Jwt,
            "eyJ***.***.***",
        );
        none("eyJhbGciOi only a header");
    }

    #[test]
    fn cards_need_a_prefix_and_luhn() {
        one("pay 4111111111111111 now", Kind::Card, "4*** (16 digits)");
        one("4111 1111 1111 1111", Kind::Card, "4*** (16 digits)");
        one("5555-5555-5555-4444", Kind::Card, "5*** (16 digits)");
        one("378282246310005", Kind::Card, "3*** (15 digits)");
        none("4111111111111112"); // fails Luhn
        none("1431857103000 1234567890123456"); // epoch ms, no issuer prefix
        none("304 0 0 1234 5678 9012"); // status and sizes, not a grouped number
        none("4111111111111111.5 x4111111111111111");
        none("-% 4357 1043 2711 87 0 0"); // netnea timings, a 4-4-4-2 grouping
        none("\"3004162128217401\""); // Diners-like session id
        none("5555555555554444555"); // Mastercard has 16 digits
    }

    #[test]
    fn long_tokens() {
        one(
            "/reset/d41d8cd98f00b204e9800998ecf8427e/x",
            Kind::Token,
            "*** (32 chars)",
        );
        one(
            "id=AbCdEfGh12345678IjKlMnOp90QrStUvWx",
            Kind::Token,
            "*** (34 chars)",
        );
        one(
            "/commit/da39a3ee5e6b4b0d3255bfef95601890afd80709",
            Kind::Token,
            "*** (40 chars)",
        );
        none(
            "/assets/application-4b6c3df2e1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4.css",
        );
        none("/how-to-install-apache2-on-ubuntu-1404-server-with-php7");
        none("/How-To-Install-Apache2-On-Ubuntu-1404-Server");
        none("%88-Front-Control-Countertop-Dishwasher-DTP-80960");
        none("8f14e45f-ceea-467f-a0e6-6f4a1b2c3d4e");
        none("AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36");
    }

    #[test]
    fn positions_are_one_based_and_per_line() {
        let f = findings(b"ok\nxx 1.2.3.4 a@b.com\n", &Options::default());
        let at: Vec<_> = f.iter().map(|f| (f.line, f.column, f.kind)).collect();
        assert_eq!(at, vec![(2, 4, Kind::Ipv4), (2, 12, Kind::Email)]);
    }

    proptest::proptest! {
        /// The cheap pre-test never hides a secret the full scan would find.
        #[test]
        fn the_pre_test_is_a_superset(text in "([A-Za-z0-9+_ -]{0,40}[./?&=;:]?){0,6}") {
            if !may_hold_secret(text.as_bytes()) {
                proptest::prop_assert!(secret_spans(text.as_bytes()).is_empty(), "{}", text);
            }
        }
    }

    #[test]
    fn masks_never_hold_the_raw_value() {
        let raw = "83.149.9.216 jane.doe@example.com ?token=s3cr3t 4111111111111111 \
                   d41d8cd98f00b204e9800998ecf8427e 2001:db8:85a3::8a2e:370:7334";
        let f = findings(raw.as_bytes(), &Options::default());
        assert_eq!(f.len(), 6);
        for secret in [
            "9.216", "jane.doe", "example", "s3cr3t", "1111", "d41d8", "8a2e", "7334",
        ] {
            assert!(
                f.iter().all(|f| !f.masked.contains(secret)),
                "{secret} leaked: {f:?}"
            );
        }
    }
}
