//! The recognisers: pure functions that say whether a piece of personal data is here and where it ends,
//! shared by the anonymiser (the rewriting side) and `detect` (the finder behind
//! `logveil check`). This module depends on nothing else in `privacy`; whatever needs a policy (which
//! addresses are full precision, which are pseudonyms) is passed in ([`FullAddress`]).
//!
//! For `check`, [`find_in_line`] runs every recogniser of the table in `detect` over a
//! line.
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
//! The rules of the finder (the `scan` functions and their [`decode`]) are written independently of the
//! anonymiser (they call none of its scrubbing or decoding code), so a bug in one is not silently shared
//! by the other; the anonymiser uses the secret spans, the pre-tests and the plain parsers (addresses,
//! host names, UUIDs). Findings carry a *masked* value only: the raw bytes never leave this module.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::ops::Range;

mod addr;
mod decode;
mod email;
mod keys;
mod mask;
mod names;
mod net;
mod params;
mod phone;
mod secret;
mod shapes;
mod survey;

#[cfg(test)]
pub(crate) use addr::parse_ipv4;
pub(crate) use addr::{parse_ipv4_prefix, parse_ipv6, parse_ipv6_prefix, parse_quad};
pub(crate) use params::is_identifying_param;
pub use secret::{is_token, luhn};
pub(crate) use shapes::{is_hostname, is_uuid};
pub(crate) use survey::{may_hold_secret, survey};

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

/// Which addresses count as personal data: the caller's policy (`check` reports what `anonymize` would
/// change, and leaves its pseudonyms alone).
pub(crate) trait FullAddress {
    /// True when `addr` is a full-precision IPv4 address.
    fn full_v4(&self, addr: Ipv4Addr) -> bool;
    /// True when `addr` is a full-precision IPv6 address.
    fn full_v6(&self, addr: Ipv6Addr) -> bool;
}

/// One piece of personal data in a line.
pub(crate) struct Found {
    /// What was found.
    pub(crate) kind: Kind,
    /// Where its first byte is, in the line as written (before decoding).
    pub(crate) start: usize,
    /// The value, masked so that printing it leaks nothing.
    pub(crate) masked: String,
}

/// Appends what is found in one line (without its terminator) to `out`, in order, not overlapping.
///
/// The line is scanned as written and, when it holds escapes, once more decoded; a finding in the
/// decoded text is placed at the byte of the line its first decoded byte came from.
pub(crate) fn find_in_line(line: &[u8], full: &impl FullAddress, out: &mut Vec<Found>) {
    let mut located: Vec<(Hit, String)> = scan_all(line, full)
        .into_iter()
        .map(|h| {
            let masked = mask::mask(h.kind, &line[h.start..h.end]);
            (h, masked)
        })
        .collect();
    if let Some(decoded) = decode::decode(line) {
        for h in scan_all(&decoded.bytes, full) {
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
        out.push(Found {
            kind: h.kind,
            start: h.start,
            masked,
        });
    }
}

/// Every recogniser over one text (a line as written, or decoded), overlaps removed.
fn scan_all(text: &[u8], full: &impl FullAddress) -> Vec<Hit> {
    let mut hits = Vec::new();
    net::scan(text, full, &mut hits);
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
