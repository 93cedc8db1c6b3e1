//! The NCSA family: Common Log Format, Combined, their `vhost_` variants, and nginx's default (= combined).
//!
//! ```text
//! %h %l %u %t "%r" %>s %b                                  common
//! %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"   combined (nginx default)
//! %v[:%p] <common or combined>                             vhost_common, vhost_combined
//! ```
//! Anything after the last field (nginx `"$http_x_forwarded_for"`, Traefik's extra fields) is kept as
//! `extra`. The client field may be an X-Forwarded-For style list (`10.0.0.2, 10.0.0.1`).

use nom::bytes::complete::{tag, take_while1};
use nom::{IResult, Parser};

use crate::record::{Record, Span};

type Res<'a, T> = IResult<&'a [u8], T, ()>;

/// Which fields a line of this family starts with and must end with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClfShape {
    /// A `%v` (or `%v:%p`) field comes before the client.
    pub vhost: bool,
    /// Referrer and user agent are required (combined) rather than optional (common).
    pub combined: bool,
}

/// Parses one line (without its terminator) of the given shape.
pub fn parse(line: &[u8], shape: ClfShape) -> Option<Record<'_>> {
    parse_inner(line, shape).ok().map(|(_, r)| r)
}

fn parse_inner(line: &[u8], shape: ClfShape) -> Res<'_, Record<'_>> {
    let span = |field: &[u8]| span_in(line, field);
    let mut i = line;
    let mut vhost = None;
    if shape.vhost {
        let (r, v) = token(i)?;
        let (r, _) = space(r)?;
        vhost = Some(span(v));
        i = r;
    }
    let (r, client) = client_list(i)?;
    let (r, _) = space(r)?;
    let (r, ident) = token(r)?;
    let (r, _) = space(r)?;
    let (r, user) = token(r)?;
    let (r, _) = space(r)?;
    let (r, time) = clf_time(r)?;
    let (r, _) = space(r)?;
    let (r, request) = quoted(r)?;
    let (r, _) = space(r)?;
    let (r, status) = status_code(r)?;
    let (r, _) = space(r)?;
    let (mut rest, bytes) = byte_count(r)?;

    let mut referer = None;
    let mut user_agent = None;
    if let Ok((r, (rf, ua))) = referer_and_agent(rest) {
        referer = Some(span(rf));
        user_agent = Some(span(ua));
        rest = r;
    } else if shape.combined {
        return Err(nom::Err::Error(()));
    }
    // Trailing fields must be separated from what came before.
    if !rest.is_empty() && rest[0] != b' ' && rest[0] != b'\t' {
        return Err(nom::Err::Error(()));
    }
    let record = Record {
        line,
        vhost,
        client: Some(span(client)),
        ident: Some(span(ident)),
        authuser: Some(span(user)),
        time: Some(span(time)),
        request: Some(span(request)),
        status: Some(span(status)),
        bytes: Some(span(bytes)),
        referer,
        user_agent,
        extra: span(rest),
        ..Record::default()
    };
    Ok((&[][..], record))
}

/// True when a combined record's trailing fields are Traefik's: ` <count> "<router>" "<url>" <n>ms`.
pub fn is_traefik_tail(r: &Record<'_>) -> bool {
    let Some(t) = r.get(r.extra).strip_prefix(b" ") else {
        return false;
    };
    let n = t.iter().take_while(|b| b.is_ascii_digit()).count();
    n > 0 && t[n..].starts_with(b" \"") && t.ends_with(b"ms")
}

/// The span of `field`, a sub-slice of `line`.
pub fn span_in(line: &[u8], field: &[u8]) -> Span {
    let start = field.as_ptr() as usize - line.as_ptr() as usize;
    Span::new(start, start + field.len())
}

fn space(i: &[u8]) -> Res<'_, &[u8]> {
    tag(&b" "[..]).parse(i)
}

fn token(i: &[u8]) -> Res<'_, &[u8]> {
    take_while1(|c: u8| c != b' ' && c != b'\t').parse(i)
}

/// A client field: one token, or a comma-separated list (`a, b, c`).
fn client_list(i: &[u8]) -> Res<'_, &[u8]> {
    let mut end = 0;
    loop {
        let (r, t) = token(&i[end..])?;
        end = i.len() - r.len();
        if t.ends_with(b",") && r.first() == Some(&b' ') {
            end += 1;
            continue;
        }
        return Ok((r, &i[..end]));
    }
}

/// `[dd/Mon/yyyy:hh:mm:ss +zzzz]`; returns the text between the brackets.
fn clf_time(i: &[u8]) -> Res<'_, &[u8]> {
    match i {
        [b'[', rest @ ..] if rest.len() > 26 && rest[26] == b']' && is_clf_time(&rest[..26]) => {
            Ok((&rest[27..], &rest[..26]))
        }
        _ => Err(nom::Err::Error(())),
    }
}

/// True for `dd/Mon/yyyy:hh:mm:ss +zzzz`.
#[inline]
pub fn is_clf_time(t: &[u8]) -> bool {
    const DIGITS: [usize; 16] = [0, 1, 7, 8, 9, 10, 12, 13, 15, 16, 18, 19, 22, 23, 24, 25];
    t.len() == 26
        && t[2] == b'/'
        && t[6] == b'/'
        && t[11] == b':'
        && t[14] == b':'
        && t[17] == b':'
        && t[20] == b' '
        && (t[21] == b'+' || t[21] == b'-')
        && t[3..6].iter().all(u8::is_ascii_alphabetic)
        && DIGITS
            .iter()
            .fold(true, |ok, &i| ok & t[i].is_ascii_digit())
}

/// A double-quoted string with backslash escapes (`\"` does not end it); returns the content.
#[inline]
pub fn quoted(i: &[u8]) -> Res<'_, &[u8]> {
    let [b'"', r @ ..] = i else {
        return Err(nom::Err::Error(()));
    };
    let mut pos = 0;
    while let Some(off) = memchr::memchr(b'"', &r[pos..]) {
        let at = pos + off;
        let backslashes = r[..at].iter().rev().take_while(|&&b| b == b'\\').count();
        if backslashes % 2 == 0 {
            return Ok((&r[at + 1..], &r[..at]));
        }
        pos = at + 1;
    }
    Err(nom::Err::Error(()))
}

/// Three digits.
fn status_code(i: &[u8]) -> Res<'_, &[u8]> {
    match i {
        [a, b, c, ..] if a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit() => {
            Ok((&i[3..], &i[..3]))
        }
        _ => Err(nom::Err::Error(())),
    }
}

/// A byte count: up to 20 digits, or `-`.
fn byte_count(i: &[u8]) -> Res<'_, &[u8]> {
    if i.first() == Some(&b'-') && !i.get(1).is_some_and(u8::is_ascii_digit) {
        return Ok((&i[1..], &i[..1]));
    }
    let n = i.iter().take(21).take_while(|c| c.is_ascii_digit()).count();
    if n == 0 || n > 20 {
        return Err(nom::Err::Error(()));
    }
    Ok((&i[n..], &i[..n]))
}

/// ` "referer" "user agent"`.
fn referer_and_agent(i: &[u8]) -> Res<'_, (&[u8], &[u8])> {
    let (r, _) = space(i)?;
    let (r, referer) = quoted(r)?;
    let (r, _) = space(r)?;
    let (r, agent) = quoted(r)?;
    Ok((r, (referer, agent)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMBINED: ClfShape = ClfShape {
        vhost: false,
        combined: true,
    };
    const COMMON: ClfShape = ClfShape {
        vhost: false,
        combined: false,
    };
    const VHOST: ClfShape = ClfShape {
        vhost: true,
        combined: false,
    };

    fn field<'a>(r: &Record<'a>, s: impl Into<Option<Span>>) -> &'a str {
        std::str::from_utf8(r.opt(s.into())).unwrap()
    }

    #[test]
    fn parses_a_combined_line_from_the_elastic_sample() {
        let line = br#"83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36""#;
        let r = parse(line, COMBINED).unwrap();
        assert_eq!(field(&r, r.client), "83.149.9.216");
        assert_eq!(field(&r, r.ident), "-");
        assert_eq!(field(&r, r.time), "17/May/2015:10:05:03 +0000");
        assert_eq!(
            field(&r, r.request),
            "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1"
        );
        assert_eq!(field(&r, r.status), "200");
        assert_eq!(field(&r, r.bytes), "203023");
        assert_eq!(
            field(&r, r.referer),
            "http://semicomplete.com/presentations/logstash-monitorama-2013/"
        );
        assert!(field(&r, r.user_agent).starts_with("Mozilla/5.0 (Macintosh"));
        assert!(r.extra.is_empty());
    }

    #[test]
    fn common_line_has_no_referer_and_fails_as_strict_combined() {
        let line = br#"::1 - - [26/Dec/2016:16:16:29 +0200] "GET /favicon.ico HTTP/1.1" 404 209"#;
        let r = parse(line, COMMON).unwrap();
        assert_eq!(field(&r, r.client), "::1");
        assert!(r.referer.is_none());
        assert!(parse(line, COMBINED).is_none());
    }

    #[test]
    fn dash_request_and_dash_bytes() {
        let line = br#"::1 - - [26/Dec/2016:16:16:48 +0200] "-" 408 -"#;
        let r = parse(line, COMMON).unwrap();
        assert_eq!(field(&r, r.request), "-");
        assert_eq!(field(&r, r.bytes), "-");
    }

    #[test]
    fn trailing_quoted_xff_is_extra() {
        let line = br#"172.17.0.1 - - [29/May/2017:19:02:48 +0000] "GET /s HTTP/1.1" 404 612 "-" "UA" "10.0.0.1, 2.3.4.5""#;
        let r = parse(line, COMBINED).unwrap();
        assert_eq!(field(&r, r.user_agent), "UA");
        assert_eq!(field(&r, r.extra), r#" "10.0.0.1, 2.3.4.5""#);
    }

    #[test]
    fn client_may_be_a_forwarded_list() {
        let line = br#"10.0.0.2, 10.0.0.1, 127.0.0.1 - - [07/Dec/2016:11:05:07 +0100] "GET /ocelot HTTP/1.1" 200 571 "-" "Mozilla/5.0""#;
        let r = parse(line, COMBINED).unwrap();
        assert_eq!(field(&r, r.client), "10.0.0.2, 10.0.0.1, 127.0.0.1");
    }

    #[test]
    fn vhost_prefix() {
        let line = br#"example.com:80 10.0.0.2 - bob [07/Dec/2016:11:05:07 +0100] "GET / HTTP/1.1" 200 571 "-" "UA""#;
        let r = parse(line, VHOST).unwrap();
        assert_eq!(field(&r, r.vhost), "example.com:80");
        assert_eq!(field(&r, r.client), "10.0.0.2");
        assert_eq!(field(&r, r.authuser), "bob");
        assert!(parse(line, COMMON).is_none());
    }

    #[test]
    fn escaped_quotes_inside_the_request() {
        let line =
            br#"1.2.3.4 - - [07/Dec/2016:11:05:07 +0100] "GET /a\"b HTTP/1.1" 200 5 "-" "U\\A""#;
        let r = parse(line, COMBINED).unwrap();
        assert_eq!(field(&r, r.request), r#"GET /a\"b HTTP/1.1"#);
        assert_eq!(field(&r, r.user_agent), r#"U\\A"#);
    }

    #[test]
    fn wrapped_nasa_fragments_do_not_parse() {
        for line in [
            &b"133.43.96.45 - - [01/Aug/199"[..],
            b"5:00:01:39 -0400] \"GET /shuttle/missions/sts-72/mission-sts-72.html HTTP/1.0\" 200 3804",
            b"cilities/mlp.html HTTP/1.0\" 200 2653",
            b"",
        ] {
            assert!(parse(line, COMMON).is_none(), "{line:?}");
        }
    }

    #[test]
    fn garbage_after_the_fields_must_be_separated() {
        let line = br#"1.2.3.4 - - [07/Dec/2016:11:05:07 +0100] "GET / HTTP/1.1" 200 5x"#;
        assert!(parse(line, COMMON).is_none());
    }
}
