//! The zero-copy [`Record`] every log format produces.
//!
//! A record borrows the line it was parsed from. Each field is a [`Span`] (byte offsets into that line), so
//! the anonymiser can rewrite a line in place by copying the bytes between fields and replacing the fields.
//!
//! Every format fills the same named fields (client, ident, user, time, request or method/target/query,
//! status, bytes, referrer, user agent, vhost, DNT, Sec-GPC) as far as it carries them, plus a short list
//! of [`Others`]: spans that need a rule of their own (a cookie field to drop, a server address to reduce).
//! How the bytes *between* fields are treated is the record's [`Gaps`]: literal separators are copied;
//! formats with fields of unknown meaning (W3C, JSON, the cloud logs) have them scrubbed.

use std::ops::Range;

/// Byte offsets `start..end` of a field inside its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// Offset of the first byte of the field.
    pub start: u32,
    /// Offset one past the last byte of the field.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end` (byte offsets).
    pub fn new(start: usize, end: usize) -> Span {
        debug_assert!(start <= end);
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    /// The span as a `Range<usize>`.
    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// True when the span covers no bytes.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// How a record's fields are laid out, which decides how it is rewritten.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// The NCSA order (`vhost client ident user [time] "request" status bytes "referer" "agent" extra`),
    /// every field present except vhost, referrer and agent: rewritten by a straight-line fast path.
    #[default]
    Clf,
    /// Fields in any order, some absent: rewritten by sorting the spans.
    Fields,
}

/// What the bytes between the fields of a record are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Gaps {
    /// Literal separators of the format (spaces, quotes, brackets): copied.
    #[default]
    Literal,
    /// Separators and fields of unknown meaning (W3C, JSON, cloud logs): scrubbed as free text.
    Scrub,
}

/// How the time field is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeKind {
    /// `dd/Mon/yyyy:HH:MM:SS[.fff] [+zzzz]` (CLF, S3, HAProxy).
    #[default]
    Clf,
    /// ISO 8601 `yyyy-mm-ddTHH:MM:SS[.f][Z|±hh:mm]` (ALB, ELB, JSON logs, nginx `$time_iso8601`).
    Iso8601,
    /// W3C: `time` holds `HH:MM:SS[.f]` and `date` holds `yyyy-mm-dd`, in UTC.
    W3c,
    /// Seconds since the epoch, possibly with a fraction (`1703373474.8155608`, nginx `$msec`).
    Epoch,
    /// Milliseconds since the epoch (Apache `%{msec}t`).
    EpochMs,
    /// Microseconds since the epoch (Apache `%{usec}t`).
    EpochUs,
    /// Apache `%{format}t` in another strftime format (the format, interned).
    Strftime(&'static str),
}

/// How the text fields of a record are encoded (decoded before user agents are classified).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// As sent.
    #[default]
    Raw,
    /// `+` for spaces (IIS W3C).
    Plus,
    /// Percent-encoded (CloudFront).
    Percent,
}

/// What the anonymiser does with one of a record's [`Others`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Copied unchanged (a duration, a port).
    Keep,
    /// Replaced by `-` (cookies, user ids, fields off the allow-list).
    Drop,
    /// Replaced by `null` (a JSON value off the allow-list that is not a string).
    Null,
    /// Replaced by `["-"]` (a JSON array off the allow-list, such as Caddy's header values).
    DashList,
    /// Removed with the bytes of the span (a JSON member: key, value and one comma).
    Remove,
    /// Reduced item by item (a server address, an X-Forwarded-For list): addresses reduced, any other
    /// item `-` ([`write_addresses`](crate::privacy::fields::write_addresses)).
    Ips,
    /// The free-text scrubber (IPs, emails, queries, tokens).
    Scrub,
    /// A URL: the query allow-list and the path rules.
    Url,
}

/// Most [`Others`] one record holds; a line needing more does not parse (and is scrubbed whole). Every
/// dropped field of a JSON or W3C line is one (an Incapsula line has two dozen).
pub(crate) const MAX_OTHERS: usize = 32;

/// The spans of a record beyond its named fields, each with what to do with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Others {
    len: u8,
    items: [(Span, Action); MAX_OTHERS],
}

impl Default for Others {
    fn default() -> Others {
        Others {
            len: 0,
            items: [(Span::default(), Action::Keep); MAX_OTHERS],
        }
    }
}

impl Others {
    /// Adds a span; `false` when the list is full.
    #[must_use]
    pub fn push(&mut self, span: Span, action: Action) -> bool {
        if usize::from(self.len) == MAX_OTHERS {
            return false;
        }
        self.items[usize::from(self.len)] = (span, action);
        self.len += 1;
        true
    }

    /// The spans, in the order added.
    pub fn as_slice(&self) -> &[(Span, Action)] {
        &self.items[..usize::from(self.len)]
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// One parsed log line: the line itself and the spans of its fields.
///
/// Fields a format does not carry are `None`. `extra` covers whatever follows the last known field of a
/// CLF line (for instance nginx's trailing `"$http_x_forwarded_for"`); its fields have no name, so each
/// is judged by its shape (`judge_unnamed`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Record<'a> {
    /// The whole line, without its line terminator.
    pub line: &'a [u8],
    /// How the fields are laid out.
    pub layout: Layout,
    /// What the bytes between fields are.
    pub gaps: Gaps,
    /// How text fields are encoded.
    pub encoding: Encoding,
    /// `%v`, `cs-host`, `host`: the virtual host, when the format has one.
    pub vhost: Option<Span>,
    /// `%h`, `c-ip`, `remote_ip`: the client address field.
    pub client: Option<Span>,
    /// `%l`: the ident field.
    pub ident: Option<Span>,
    /// `%u`, `cs-username`: the authenticated user.
    pub authuser: Option<Span>,
    /// The timestamp (without brackets), written as [`Record::time_kind`] says.
    pub time: Option<Span>,
    /// The shape of `time`.
    pub time_kind: TimeKind,
    /// W3C `date` (`yyyy-mm-dd`), when the date is a field of its own.
    pub date: Option<Span>,
    /// `%r`: the whole request line, without its quotes.
    pub request: Option<Span>,
    /// The method, when the format gives it apart from a request line.
    pub method: Option<Span>,
    /// The request target (path, with the query when the format joins them), when given apart.
    pub target: Option<Span>,
    /// The query without its `?`, when the format gives it apart (`cs-uri-query`).
    pub query: Option<Span>,
    /// `%>s`: the status code.
    pub status: Option<Span>,
    /// `%b`: the response size or `-`.
    pub bytes: Option<Span>,
    /// The referrer, without its quotes.
    pub referer: Option<Span>,
    /// The user agent, without its quotes.
    pub user_agent: Option<Span>,
    /// Trailing bytes after the last known field of a CLF line (may be empty).
    pub extra: Span,
    /// The `DNT` request header, when the format carries it.
    pub dnt: Option<Span>,
    /// The `Sec-GPC` request header, when the format carries it.
    pub sec_gpc: Option<Span>,
    /// Other spans with a rule of their own.
    pub others: Others,
    /// The W3C `#Date:` header's day (`yyyy-mm-dd`) in force, for lines whose fields carry a time but no
    /// date (IIS FTP logs).
    pub header_date: Option<[u8; 10]>,
    /// True for a line of the format that records no HTTP request (an ELB TCP connection, a CloudFront
    /// status `000`, an NLB TLS or ALB connection log line): rewritten like any record, counted apart
    /// (`non_http`), never a hit.
    pub non_http: bool,
}

impl<'a> Record<'a> {
    /// An empty record of `line` (no field found yet) in the `Layout::Fields` layout.
    pub fn fields(line: &'a [u8]) -> Record<'a> {
        Record {
            line,
            layout: Layout::Fields,
            ..Record::default()
        }
    }

    /// The bytes of a field.
    pub fn get(&self, span: Span) -> &'a [u8] {
        &self.line[span.range()]
    }

    /// The bytes of an optional field (empty when absent).
    pub fn opt(&self, span: Option<Span>) -> &'a [u8] {
        span.map_or(&[][..], |s| self.get(s))
    }

    /// The site's host as the line names it: the virtual-host field, else the authority of a full URL in
    /// the request line ([`origin_form`]); with its port, if any.
    pub fn host(&self) -> Option<&'a [u8]> {
        match self.vhost {
            Some(s) => Some(self.get(s)),
            None => origin_form(self.method_and_target().1).0,
        }
    }

    /// `(method, target)` of the request, from the request line or the separate fields.
    pub fn method_and_target(&self) -> (&'a [u8], &'a [u8]) {
        match self.request {
            Some(r) => split_request(self.get(r)),
            None => (self.opt(self.method), self.opt(self.target)),
        }
    }
}

/// `METHOD TARGET PROTOCOL` → `(METHOD, TARGET)`; without a space, the whole request is the method.
pub(crate) fn split_request(request: &[u8]) -> (&[u8], &[u8]) {
    let Some(sp) = memchr::memchr(b' ', request) else {
        return (request, b"");
    };
    let rest = &request[sp + 1..];
    let end = memchr::memchr(b' ', rest).unwrap_or(rest.len());
    (&request[..sp], &rest[..end])
}

/// A request target in absolute form (`https://www.example.com:443/path?q`, as ALB, ELB and proxies log
/// it): the authority (`www.example.com:443`) and the rest from the path on (empty for `http://host` and
/// `http://host?q`: the caller reads an empty path as `/`). Any other target comes back as it is, with no
/// authority.
pub(crate) fn origin_form(target: &[u8]) -> (Option<&[u8]>, &[u8]) {
    let rest = match target.get(..8) {
        Some(p) if p.eq_ignore_ascii_case(b"https://") => &target[8..],
        _ => match target.get(..7) {
            Some(p) if p.eq_ignore_ascii_case(b"http://") => &target[7..],
            _ => return (None, target),
        },
    };
    let end = rest
        .iter()
        .position(|&b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let authority = &rest[..end];
    // `user:pass@host`: only the host is the site's.
    let authority = &authority[memchr::memrchr(b'@', authority).map_or(0, |a| a + 1)..];
    (Some(authority), &rest[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_targets_are_a_host_and_a_path() {
        type Case = (&'static [u8], Option<&'static [u8]>, &'static [u8]);
        let cases: [Case; 7] = [
            (
                b"https://www.example.com:443/path/index.html",
                Some(b"www.example.com:443"),
                b"/path/index.html",
            ),
            (b"HTTP://a.org/x?q=1", Some(b"a.org"), b"/x?q=1"),
            (b"http://a.org", Some(b"a.org"), b""),
            (b"http://a.org?q", Some(b"a.org"), b"?q"),
            (b"http://u:p@a.org/x", Some(b"a.org"), b"/x"),
            (b"/plain?q", None, b"/plain?q"),
            (b"www.example.com:443", None, b"www.example.com:443"),
        ];
        for (target, host, rest) in cases {
            assert_eq!(
                origin_form(target),
                (host, rest),
                "{:?}",
                String::from_utf8_lossy(target)
            );
        }
    }
}
