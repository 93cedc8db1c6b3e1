//! W3C extended logs (IIS, Incapsula, NetScaler) and CloudFront: the `#Fields:` header names the fields of
//! the lines below it, and a file may change it any number of times.
//!
//! Fields are separated by tabs when the line has a tab (CloudFront), else by runs of spaces (IIS); a field
//! in double quotes may hold spaces. Known fields go to the [`Record`]'s named fields; cookies, session and
//! visitor ids, user names and locations are dropped; every other field is judged by the field allow-list
//! ([`FieldPolicy`], `cs(NAME)` and `sc(NAME)` by `NAME`): kept, reduced item by item, or written `-`. The
//! separators and kept fields go through the free-text scrubber ([`Gaps::Scrub`]).
//!
//! **Headers across chunks.** The parallel pipeline cuts the input into chunks; the thread that cuts them
//! scans each chunk for its last `#Fields:` line (one `memmem` pass, in input order) and hands every chunk
//! the header in force where it starts. A chunk's parser starts from that header and follows any new one
//! inside the chunk. With no header at all, the preset's default fields apply.

use std::borrow::Cow;
use std::sync::OnceLock;

use super::Format;
use crate::privacy::fields::{FieldPolicy, Verdict, canonical};
use crate::record::{Action, Encoding, Gaps, Others, Record, Span, TimeKind};

/// What one W3C field is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum W3cField {
    Date,
    Time,
    Client,
    User,
    Method,
    Stem,
    Query,
    Uri,
    Agent,
    Referer,
    Host,
    /// CloudFront's `x-host-header`: the `Host` the viewer sent (the site's name, where `cs(Host)` is the
    /// distribution's); it wins over any other host column.
    ViewerHost,
    Status,
    Bytes,
    Dnt,
    Gpc,
    Drop,
    Addresses,
    Other,
}

/// What a field is, fields of unknown meaning judged by `fields`.
fn judged_field(name: &[u8], fields: &FieldPolicy) -> W3cField {
    match field_of(name) {
        W3cField::Other => match fields.judge(canonical(&String::from_utf8_lossy(name)).as_bytes())
        {
            Verdict::Keep => W3cField::Other,
            Verdict::Addresses => W3cField::Addresses,
            Verdict::Drop => W3cField::Drop,
        },
        f => f,
    }
}

fn field_of(name: &[u8]) -> W3cField {
    // Lowered on the stack: a file may repeat its header every few lines.
    let mut lower = [0u8; 64];
    let long;
    let buf: &[u8] = match lower.get_mut(..name.len()) {
        Some(buf) => {
            buf.copy_from_slice(name);
            buf.make_ascii_lowercase();
            buf
        }
        None => {
            long = name.to_ascii_lowercase();
            &long
        }
    };
    let contains = |part: &[u8]| buf.windows(part.len()).any(|w| w == part);
    match buf {
        b"date" | b"date-local" => W3cField::Date,
        b"time" | b"time-local" => W3cField::Time,
        b"c-ip" => W3cField::Client,
        b"cs-username" => W3cField::User,
        b"cs-method" => W3cField::Method,
        b"cs-uri-stem" => W3cField::Stem,
        b"cs-uri-query" => W3cField::Query,
        b"cs-uri" => W3cField::Uri,
        // `c-user-agent`, `c-referrer`: CloudFront RTMP.
        b"cs(user-agent)" | b"c-user-agent" => W3cField::Agent,
        b"cs(referer)" | b"cs(referrer)" | b"c-referrer" => W3cField::Referer,
        b"cs-host" | b"cs(host)" => W3cField::Host,
        b"x-host-header" => W3cField::ViewerHost,
        // `c-status`: SHOUTcast.
        b"sc-status" | b"c-status" => W3cField::Status,
        b"sc-bytes" => W3cField::Bytes,
        b"cs(dnt)" => W3cField::Dnt,
        b"cs(sec-gpc)" => W3cField::Gpc,
        _ if [
            &b"cookie"[..],
            b"session",
            b"username",
            b"-vid",
            b"authorization",
            b"-lat",
            b"-long",
            b"clappsig",
        ]
        .into_iter()
        .any(contains) =>
        {
            W3cField::Drop
        }
        _ => W3cField::Other,
    }
}

/// The fields named by one `#Fields:` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldsHeader {
    fields: Vec<W3cField>,
    /// Encoding of text fields when the line is tab separated (CloudFront: percent) or not (IIS: `+`).
    tabbed: Encoding,
    spaced: Encoding,
}

const IIS_DEFAULT: &[u8] = b"#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken";
const CLOUDFRONT_DEFAULT: &[u8] = b"#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end";

/// The `#` directive a line holds (leading blanks allowed), if it is one.
pub(crate) fn directive(line: &[u8]) -> Option<&[u8]> {
    let start = line.iter().position(|b| *b != b' ' && *b != b'\t')?;
    (line[start] == b'#').then_some(&line[start..])
}

impl FieldsHeader {
    /// The default fields of a preset, fields of unknown meaning judged by `fields`.
    pub(crate) fn preset_with(format: Format, fields: &FieldPolicy) -> Cow<'static, FieldsHeader> {
        if *fields == FieldPolicy::default() {
            return Cow::Borrowed(FieldsHeader::preset(format));
        }
        let header = match format {
            Format::Cloudfront => CLOUDFRONT_DEFAULT,
            _ => IIS_DEFAULT,
        };
        let mut l = FieldsHeader::from_header_with(header, fields)
            .unwrap_or_else(|| FieldsHeader::preset(format).clone());
        if format == Format::Cloudfront {
            l.tabbed = Encoding::Percent;
            l.spaced = Encoding::Percent;
        }
        Cow::Owned(l)
    }

    /// The default fields of a preset (IIS's default, or CloudFront's standard log).
    pub(crate) fn preset(format: Format) -> &'static FieldsHeader {
        static IIS: OnceLock<FieldsHeader> = OnceLock::new();
        static CLOUDFRONT: OnceLock<FieldsHeader> = OnceLock::new();
        match format {
            Format::Cloudfront => CLOUDFRONT.get_or_init(|| {
                let mut l = FieldsHeader::from_header(CLOUDFRONT_DEFAULT).expect("default header");
                l.tabbed = Encoding::Percent;
                l.spaced = Encoding::Percent;
                l
            }),
            _ => {
                IIS.get_or_init(|| FieldsHeader::from_header(IIS_DEFAULT).expect("default header"))
            }
        }
    }

    /// The layout a `#Fields:` line declares (leading blanks allowed), under the default field
    /// allow-list; `None` for any other line.
    pub(crate) fn from_header(line: &[u8]) -> Option<FieldsHeader> {
        FieldsHeader::from_header_with(line, &FieldPolicy::default())
    }

    /// The layout a `#Fields:` line declares, fields of unknown meaning judged by `policy`.
    pub(crate) fn from_header_with(line: &[u8], policy: &FieldPolicy) -> Option<FieldsHeader> {
        let d = directive(line)?;
        let rest = d.strip_prefix(b"#Fields:")?;
        let fields: Vec<W3cField> = rest
            .split(|b| *b == b' ' || *b == b'\t')
            .filter(|n| !n.is_empty())
            .map(|n| judged_field(n, policy))
            .collect();
        (!fields.is_empty()).then_some(FieldsHeader {
            fields,
            tabbed: Encoding::Percent,
            spaced: Encoding::Plus,
        })
    }

    /// The number of fields a line must have.
    pub(crate) fn len(&self) -> usize {
        self.fields.len()
    }

    /// Parses one data line (without its terminator).
    pub(crate) fn parse<'a>(&self, line: &'a [u8]) -> Option<Record<'a>> {
        let tabbed = memchr::memchr(b'\t', line).is_some();
        let sep = if tabbed { b'\t' } else { b' ' };
        let mut r = Record::fields(line);
        r.gaps = Gaps::Scrub;
        r.time_kind = TimeKind::W3c;
        r.encoding = if tabbed { self.tabbed } else { self.spaced };
        let mut others = Others::default();
        let mut uri = None;
        let mut pos = 0;
        for (i, &field) in self.fields.iter().enumerate() {
            // Separators: one tab, or a run of spaces.
            if i > 0 {
                if line.get(pos) != Some(&sep) {
                    return None;
                }
                pos += 1;
                if !tabbed {
                    while line.get(pos) == Some(&b' ') {
                        pos += 1;
                    }
                }
            } else if !tabbed {
                while line.get(pos) == Some(&b' ') {
                    pos += 1;
                }
            }
            let rest = &line[pos..];
            let (span, next) = if rest.first() == Some(&b'"') {
                let close = closing_quote(&rest[1..], sep)?;
                (Span::new(pos + 1, pos + 1 + close), pos + close + 2)
            } else {
                let len = super::scan::find_byte(rest, sep).unwrap_or(rest.len());
                (Span::new(pos, pos + len), pos + len)
            };
            let value = &line[span.range()];
            match field {
                // A date, or date and time in one column (`2015-12-07 10:37:05`, `…T…`).
                W3cField::Date => match date_time(span, value) {
                    Some((date, time)) => {
                        r.date = Some(date);
                        r.time = r.time.or(time);
                    }
                    None => return None,
                },
                W3cField::Time => match date_time(span, value) {
                    Some((date, Some(time))) => {
                        r.date = r.date.or(Some(date));
                        r.time = Some(time);
                    }
                    _ if is_clock(value) => r.time = Some(span),
                    _ => return None,
                },
                W3cField::Client => r.client = Some(span),
                W3cField::User => r.authuser = Some(span),
                W3cField::Method => r.method = Some(span),
                W3cField::Stem => r.target = Some(span),
                W3cField::Query => r.query = Some(span),
                W3cField::Uri => uri = Some(span),
                W3cField::Agent => r.user_agent = Some(span),
                W3cField::Referer => r.referer = Some(span),
                // A host column that is not the request's host is still scrubbed (addresses reduced).
                W3cField::Host => {
                    if r.vhost.is_none() {
                        r.vhost = Some(span);
                    } else if !others.push(span, Action::Ips) {
                        return None;
                    }
                }
                W3cField::ViewerHost if value != b"-" && !value.is_empty() => {
                    if let Some(old) = r.vhost.replace(span)
                        && !others.push(old, Action::Ips)
                    {
                        return None;
                    }
                }
                W3cField::ViewerHost => {}
                // Empty or `-`: no status (the report counts the hit under status `-`).
                W3cField::Status => {
                    if value != b"-" && !value.iter().all(u8::is_ascii_digit) {
                        return None;
                    }
                    // CloudFront's `000`: the viewer left before a response; no request was served.
                    r.non_http = value == b"000";
                    r.status = Some(span);
                }
                W3cField::Bytes => r.bytes = Some(span),
                W3cField::Dnt => r.dnt = Some(span),
                W3cField::Gpc => r.sec_gpc = Some(span),
                W3cField::Drop => {
                    if value != b"-" && !value.is_empty() && !others.push(span, Action::Drop) {
                        return None;
                    }
                }
                W3cField::Addresses => {
                    if value != b"-" && !value.is_empty() && !others.push(span, Action::Ips) {
                        return None;
                    }
                }
                W3cField::Other => {}
            }
            pos = next;
        }
        // Trailing blanks are tolerated; anything else means the line has more fields than the header.
        if !line[pos..].iter().all(|b| *b == b' ' || *b == b'\t') {
            return None;
        }
        if let Some(span) = uri {
            if r.target.is_some() {
                // `cs-uri` beside `cs-uri-stem`: the stem is the page, the URI is rewritten as a URL.
                if !others.push(span, Action::Url) {
                    return None;
                }
            } else {
                uri_target(&mut r, span);
            }
        }
        r.others = others;
        Some(r)
    }
}

/// `cs-uri` as the request target: a path with its query (`/a?b=c`), a full URL, or Incapsula's
/// `host/path` (the host then goes to `vhost` unless a host field gave one).
fn uri_target(r: &mut Record<'_>, span: Span) {
    let value = r.get(span);
    let slash = memchr::memchr(b'/', value);
    match slash {
        Some(at) if at > 0 && !value[..at].contains(&b':') && value[..at].contains(&b'.') => {
            let split = span.start as usize + at;
            if r.vhost.is_none() {
                r.vhost = Some(Span::new(span.start as usize, split));
            }
            r.target = Some(Span::new(split, span.end as usize));
        }
        _ => r.target = Some(span),
    }
}

/// A W3C `date` column, or a date and time in one column: the date's span and the time's, if any.
fn date_time(span: Span, value: &[u8]) -> Option<(Span, Option<Span>)> {
    let start = span.start as usize;
    let date = value.get(..10).filter(|d| is_date(d))?;
    let date = Span::new(start, start + date.len());
    match value.get(10) {
        None => Some((date, None)),
        Some(b' ' | b'T') if is_clock(&value[11..]) => {
            Some((date, Some(Span::new(start + 11, span.end as usize))))
        }
        Some(_) => None,
    }
}

/// The number a run of digits spells.
fn num(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |a, &c| {
        c.is_ascii_digit().then(|| a * 10 + u32::from(c - b'0'))
    })
}

/// `yyyy-mm-dd`, month 1–12 and day 1–31 (the report reads the same).
fn is_date(d: &[u8]) -> bool {
    d.len() == 10
        && d[4] == b'-'
        && d[7] == b'-'
        && num(&d[..4]).is_some()
        && num(&d[5..7]).is_some_and(|m| (1..=12).contains(&m))
        && num(&d[8..]).is_some_and(|m| (1..=31).contains(&m))
}

/// `HH:MM:SS`, with anything after it (a fraction, a zone), hours to 23, seconds to 60.
fn is_clock(t: &[u8]) -> bool {
    t.len() >= 8
        && t[2] == b':'
        && t[5] == b':'
        && num(&t[..2]).is_some_and(|h| h <= 23)
        && num(&t[3..5]).is_some_and(|m| m <= 59)
        && num(&t[6..8]).is_some_and(|s| s <= 60)
}

/// The day a `#Date:` directive names (`#Date: 2000-10-09 16:44:49`), if it is in `yyyy-mm-dd` form.
pub(crate) fn header_date(directive: &[u8]) -> Option<[u8; 10]> {
    let rest = directive.strip_prefix(b"#Date:")?.trim_ascii_start();
    let day = rest.get(..10).filter(|d| is_date(d))?;
    day.try_into().ok()
}

/// The offset of the quote closing a quoted field: followed by the separator or the end of the line.
fn closing_quote(rest: &[u8], sep: u8) -> Option<usize> {
    let mut from = 0;
    while let Some(off) = memchr::memchr(b'"', &rest[from..]) {
        let at = from + off;
        if at + 1 == rest.len() || rest[at + 1] == sep {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iis_line_under_its_header() {
        let l = FieldsHeader::from_header(b"#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken").unwrap();
        let line = b"2018-01-01 08:09:10 127.0.0.1 GET / q=100 80 bob 81.2.69.143 Mozilla/5.0+(Windows) - 200 0 0 123";
        let r = l.parse(line).unwrap();
        assert_eq!(r.opt(r.client), b"81.2.69.143");
        assert_eq!(r.opt(r.query), b"q=100");
        assert_eq!(r.opt(r.authuser), b"bob");
        assert_eq!(r.opt(r.status), b"200");
        assert_eq!(r.opt(r.date), b"2018-01-01");
        assert_eq!(r.encoding, Encoding::Plus);
        assert!(l.parse(&line[..line.len() - 4]).is_none());
    }

    #[test]
    fn quoted_fields_with_spaces_and_indented_headers() {
        let l = FieldsHeader::from_header(
            b"   #Fields:   date-local time-local   c-ip cs(User-Agent) sc-substatus",
        )
        .unwrap();
        let r = l.parse(br#"2012-08-15 17:00:00.363 "70.95.0.0" "Mozilla/5.0 (Linux)" " garbage w/ spaces ""#).unwrap();
        assert_eq!(r.opt(r.client), b"70.95.0.0");
        assert_eq!(r.opt(r.user_agent), b"Mozilla/5.0 (Linux)");
    }

    #[test]
    fn field_names_are_matched_without_case_at_any_length() {
        assert_eq!(field_of(b"C-IP"), W3cField::Client);
        assert_eq!(field_of(b"cs(Cookie)"), W3cField::Drop);
        assert_eq!(field_of(b"x-Session-Id"), W3cField::Drop);
        let long = [&b"x-"[..], &[b'a'; 70], b"-COOKIE"].concat();
        assert_eq!(field_of(&long), W3cField::Drop);
        assert_eq!(field_of(&[b'a'; 70]), W3cField::Other);
        assert_eq!(field_of(b"time-taken"), W3cField::Other);
    }

    #[test]
    fn cloudfront_short_line_does_not_parse() {
        let l = FieldsHeader::preset(Format::Cloudfront);
        let mut line = b"2019-12-04\t21:02:31\tLAX1\t392\t89.160.20.112\tGET\td.cloudfront.net\t/index.html\t200\t-\tMozilla/5.0%20(X)\t-\t-\tHit\tSOX4==\td.cloudfront.net\thttps\t23\t0.001\t-\tTLSv1.2\tECDHE\tHit\tHTTP/2.0\t-\t-\t11040\t0.001\tHit\ttext/html\t78\t-".to_vec();
        assert!(l.parse(&line).is_none());
        line.extend_from_slice(b"\t-");
        let r = l.parse(&line).unwrap();
        assert_eq!(r.opt(r.client), b"89.160.20.112");
        assert_eq!(r.encoding, Encoding::Percent);
    }
}
