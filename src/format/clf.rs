//! The NCSA family: Common Log Format, Combined, their `vhost_` variants, and nginx's default (= combined).
//!
//! ```text
//! %h %l %u %t "%r" %>s %b                                  common
//! %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"   combined (nginx default)
//! %v[:%p] <common or combined>                             vhost_common, vhost_combined
//! ```
//! Anything after the last field (nginx `"$http_x_forwarded_for"`, Traefik's extra fields) is kept as
//! `extra`. The client field may be an X-Forwarded-For style list (`10.0.0.2, 10.0.0.1`).

use crate::record::{Record, Span};

/// Which fields a line of this family starts with and must end with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ClfShape {
    /// A `%v` (or `%v:%p`) field comes before the client.
    pub vhost: bool,
    /// Referrer and user agent are required (combined) rather than optional (common).
    pub combined: bool,
}

/// The fields of one line of this family, as spans of the line: what [`scan`] finds.
///
/// Smaller than a [`Record`] and built without its optional fields, so the CLF fast paths of `anonymize`
/// and `report` use it directly; [`ClfFields::record`] gives the general record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClfFields {
    /// `%v` (with `:%p`), when the shape has it.
    pub vhost: Option<Span>,
    /// `%h`: one token or a comma-separated list.
    pub client: Span,
    /// `%l`.
    pub ident: Span,
    /// `%u`.
    pub user: Span,
    /// `%t`, without its brackets.
    pub time: Span,
    /// `%r`, without its quotes.
    pub request: Span,
    /// `%>s`.
    pub status: Span,
    /// `%b`.
    pub bytes: Span,
    /// Referrer and user agent, without their quotes (absent on a common line).
    pub referer_agent: Option<(Span, Span)>,
    /// Whatever follows the last field (empty or starting with a space or tab).
    pub extra: Span,
}

impl ClfFields {
    /// The general [`Record`] of these fields.
    pub fn record(self, line: &[u8]) -> Record<'_> {
        Record {
            line,
            vhost: self.vhost,
            client: Some(self.client),
            ident: Some(self.ident),
            authuser: Some(self.user),
            time: Some(self.time),
            request: Some(self.request),
            status: Some(self.status),
            bytes: Some(self.bytes),
            referer: self.referer_agent.map(|(r, _)| r),
            user_agent: self.referer_agent.map(|(_, a)| a),
            extra: self.extra,
            ..Record::default()
        }
    }
}

#[cfg(test)]
/// Parses one line (without its terminator) of the given shape.
pub(crate) fn parse(line: &[u8], shape: ClfShape) -> Option<Record<'_>> {
    scan(line, shape).map(|f| f.record(line))
}

/// Words an authuser may have (`- Paul Schmitt [`); past them the line is not CLF.
const MAX_USER_WORDS: usize = 8;

/// Finds the fields of one line (without its terminator) of the given shape.
///
/// A hand-written scanner over byte offsets (the hot path of `anonymize` and `report`); the tests check it
/// against a nom grammar of the same format.
#[inline]
pub(crate) fn scan(line: &[u8], shape: ClfShape) -> Option<ClfFields> {
    match scan_with::<false>(line, shape) {
        Some(fields) => Some(fields),
        // Matomo's importer reads fields split by runs of spaces: so does the retry of a line holding one.
        None if memchr::memmem::find(line, b"  ").is_some() => scan_with::<true>(line, shape),
        None => None,
    }
}

/// [`scan`] with single spaces between fields, or (`LENIENT`) runs of spaces.
#[inline]
fn scan_with<const LENIENT: bool>(line: &[u8], shape: ClfShape) -> Option<ClfFields> {
    let mut at = 0;
    let mut vhost = None;
    if shape.vhost {
        let end = token_end(line, 0)?;
        vhost = Some(Span::new(0, end));
        at = space::<LENIENT>(line, end)?;
    }
    let client_start = at;
    let quoted = line.get(at) == Some(&b'"');
    let mut end = match quoted {
        // `"10.5.102.222, 199.96.1.1" 10.2.1.185`: a quoted forwarded list before the peer's address.
        true => quoted_at(line, at)?.1,
        false => list_end(line, at)?,
    };
    if quoted {
        end = list_end(line, space::<LENIENT>(line, end)?)?;
    }
    match after_client::<LENIENT>(line, shape, vhost, Span::new(client_start, end)) {
        Some(fields) => Some(fields),
        // `2a03::8000, 10.225.192.17 10.2.2.121 - - [`: a forwarded list, then the peer's address.
        None if line[client_start..end].contains(&b',') => {
            let next = space::<LENIENT>(line, end)?;
            let next_end = token_end(line, next)?;
            crate::privacy::forwarded::parse_address(&line[next..next_end])?;
            after_client::<LENIENT>(line, shape, vhost, Span::new(client_start, next_end))
        }
        None => None,
    }
}

/// The end of a client token or an X-Forwarded-For style list (`a, b, c`) starting at `at`.
#[inline]
fn list_end(line: &[u8], at: usize) -> Option<usize> {
    let mut end = token_end(line, at)?;
    while line[end - 1] == b',' && line.get(end) == Some(&b' ') {
        end = token_end(line, end + 1)?;
    }
    Some(end)
}

/// The fields after the client, which ends at `client.end`.
#[inline]
fn after_client<const LENIENT: bool>(
    line: &[u8],
    shape: ClfShape,
    vhost: Option<Span>,
    client: Span,
) -> Option<ClfFields> {
    let mut at = space::<LENIENT>(line, client.end as usize)?;
    let end = token_end(line, at)?;
    let ident = Span::new(at, end);
    at = space::<LENIENT>(line, end)?;
    // An authuser may hold spaces (`- Paul Schmitt [`): it runs to the ` [` that opens the time. Only
    // after an ident of `-`, and with no word `-`, or a vhost line (`host:80 1.2.3.4 - bob [`) would read
    // as a common one.
    let mut end = token_end(line, at)?;
    for _ in 0..MAX_USER_WORDS {
        let word = space::<LENIENT>(line, end);
        if word.and_then(|w| line.get(w)) == Some(&b'[') {
            break;
        }
        let word = word?;
        if &line[at..end] == b"-" || &line[ident.range()] != b"-" {
            return None;
        }
        let next = token_end(line, word)?;
        if &line[word..next] == b"-" {
            return None;
        }
        end = next;
    }
    let user = Span::new(at, end);
    at = space::<LENIENT>(line, end)?;
    // `[dd/Mon/yyyy:hh:mm:ss +zzzz]`
    let time = line.get(at..at + 28)?;
    if time[0] != b'[' || time[27] != b']' || !is_clf_time(&time[1..27]) {
        return None;
    }
    let time = Span::new(at + 1, at + 27);
    at = space::<LENIENT>(line, at + 28)?;
    let (request, end) = quoted_at(line, at)?;
    at = space::<LENIENT>(line, end)?;
    let status = line.get(at..at + 3)?;
    if !status.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let status = Span::new(at, at + 3);
    at = space::<LENIENT>(line, at + 3)?;
    let end = byte_count_end(line, at)?;
    let bytes = Span::new(at, end);
    at = end;
    let referer_agent = referer_and_agent::<LENIENT>(line, at);
    match referer_agent {
        Some((_, agent)) => at = agent.end as usize + 1,
        None if shape.combined => return None,
        None => {}
    }
    // Trailing fields must be separated from what came before.
    if at < line.len() && line[at] != b' ' && line[at] != b'\t' {
        return None;
    }
    Some(ClfFields {
        vhost,
        client,
        ident,
        user,
        time,
        request,
        status,
        bytes,
        referer_agent,
        extra: Span::new(at, line.len()),
    })
}

/// True when a combined record's trailing fields are Traefik's: ` <count> "<router>" "<url>" <n>ms`.
pub(crate) fn is_traefik_tail(line: &[u8], extra: Span) -> bool {
    let Some(t) = line[extra.range()].strip_prefix(b" ") else {
        return false;
    };
    let n = t.iter().take_while(|b| b.is_ascii_digit()).count();
    n > 0 && t[n..].starts_with(b" \"") && t.ends_with(b"ms")
}

/// The offset after the single space at `at` (`LENIENT`: after the run of spaces at `at`).
#[inline]
fn space<const LENIENT: bool>(line: &[u8], at: usize) -> Option<usize> {
    if line.get(at) != Some(&b' ') {
        return None;
    }
    if !LENIENT {
        return Some(at + 1);
    }
    Some(at + 1 + line[at + 1..].iter().take_while(|&&b| b == b' ').count())
}

/// The end of the non-empty run of bytes other than space and tab starting at `at`.
#[inline]
fn token_end(line: &[u8], at: usize) -> Option<usize> {
    let rest = line.get(at..)?;
    let len = super::scan::find_byte2(rest, b' ', b'\t').unwrap_or(rest.len());
    (len > 0).then_some(at + len)
}

/// True for `dd/Mon/yyyy:hh:mm:ss +zzzz`.
#[inline]
pub(crate) fn is_clf_time(t: &[u8]) -> bool {
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

/// A double-quoted string with backslash escapes (`\"` does not end it) starting at `at`: the span of its
/// content and the offset after the closing quote.
#[inline]
fn quoted_at(line: &[u8], at: usize) -> Option<(Span, usize)> {
    if line.get(at) != Some(&b'"') {
        return None;
    }
    let start = at + 1;
    let mut pos = start;
    while let Some(off) = memchr::memchr(b'"', &line[pos..]) {
        let close = pos + off;
        let backslashes = line[start..close]
            .iter()
            .rev()
            .take_while(|&&b| b == b'\\')
            .count();
        if backslashes % 2 == 0 {
            return Some((Span::new(start, close), close + 1));
        }
        pos = close + 1;
    }
    None
}

/// The end of a byte count at `at`: up to 20 digits, or `-`.
#[inline]
fn byte_count_end(line: &[u8], at: usize) -> Option<usize> {
    let rest = line.get(at..)?;
    if rest.first() == Some(&b'-') && !rest.get(1).is_some_and(u8::is_ascii_digit) {
        return Some(at + 1);
    }
    let n = rest
        .iter()
        .take(21)
        .take_while(|c| c.is_ascii_digit())
        .count();
    (n > 0 && n <= 20).then_some(at + n)
}

/// ` "referer" "user agent"` at `at`: the spans of their contents.
#[inline]
fn referer_and_agent<const LENIENT: bool>(line: &[u8], at: usize) -> Option<(Span, Span)> {
    let at = space::<LENIENT>(line, at)?;
    let (referer, end) = quoted_at(line, at)?;
    let at = space::<LENIENT>(line, end)?;
    let (agent, _) = quoted_at(line, at)?;
    Some((referer, agent))
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

    /// The format as a nom grammar: the reference the hand-written scanner is checked against.
    mod grammar {
        use super::super::{ClfShape, is_clf_time};
        use nom::bytes::complete::{tag, take_while1};
        use nom::{IResult, Parser};

        type Res<'a, T> = IResult<&'a [u8], T, ()>;

        /// The fields as `(vhost, client, ident, user, time, request, status, bytes, referer/agent, extra)`.
        pub(crate) type Fields<'a> = (
            Option<&'a [u8]>,
            [&'a [u8]; 7],
            Option<(&'a [u8], &'a [u8])>,
            &'a [u8],
        );

        fn fail<T>() -> Res<'static, T> {
            Err(nom::Err::Error(()))
        }

        /// One space, or (`lenient`) a run of spaces.
        fn space(lenient: bool) -> impl Fn(&[u8]) -> Res<'_, &[u8]> + Copy {
            move |i| {
                if lenient {
                    take_while1(|c: u8| c == b' ').parse(i)
                } else {
                    tag(&b" "[..]).parse(i)
                }
            }
        }

        fn token(i: &[u8]) -> Res<'_, &[u8]> {
            take_while1(|c: u8| c != b' ' && c != b'\t').parse(i)
        }

        /// Words separated by single spaces, up to the ` [` of the time.
        fn user<'a>(i: &'a [u8], ident: &[u8], lenient: bool) -> Res<'a, &'a [u8]> {
            let (mut r, first) = token(i)?;
            for _ in 0..super::super::MAX_USER_WORDS {
                if let Ok((rest, _)) = space(lenient)(r) {
                    if rest.first() == Some(&b'[') {
                        break;
                    }
                }
                let (rest, _) = space(lenient)(r)?;
                let word;
                (r, word) = token(rest)?;
                if first == b"-" || word == b"-" || ident != b"-" {
                    return fail();
                }
            }
            Ok((r, &i[..i.len() - r.len()]))
        }

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

        fn time(i: &[u8]) -> Res<'_, &[u8]> {
            let (r, _) = tag(&b"["[..]).parse(i)?;
            if r.len() > 26 && r[26] == b']' && is_clf_time(&r[..26]) {
                Ok((&r[27..], &r[..26]))
            } else {
                fail()
            }
        }

        fn quoted(i: &[u8]) -> Res<'_, &[u8]> {
            let (r, _) = tag(&b"\""[..]).parse(i)?;
            let mut escaped = false;
            for (n, &c) in r.iter().enumerate() {
                match c {
                    b'"' if !escaped => return Ok((&r[n + 1..], &r[..n])),
                    b'\\' => escaped = !escaped,
                    _ => escaped = false,
                }
            }
            fail()
        }

        fn status(i: &[u8]) -> Res<'_, &[u8]> {
            if i.len() >= 3 && i[..3].iter().all(u8::is_ascii_digit) {
                Ok((&i[3..], &i[..3]))
            } else {
                fail()
            }
        }

        fn bytes(i: &[u8]) -> Res<'_, &[u8]> {
            if let Ok((r, dash)) = tag::<_, _, ()>(&b"-"[..]).parse(i) {
                if !r.first().is_some_and(u8::is_ascii_digit) {
                    return Ok((r, dash));
                }
            }
            let (r, digits) = take_while1(|c: u8| c.is_ascii_digit()).parse(i)?;
            if digits.len() > 20 {
                fail()
            } else {
                Ok((r, digits))
            }
        }

        /// A forwarded list, quoted or not, with the peer's address after a quoted one.
        fn client(lenient: bool) -> impl Fn(&[u8]) -> Res<'_, &[u8]> + Copy {
            move |i| {
                if i.first() != Some(&b'"') {
                    return client_list(i);
                }
                let (r, _) = (quoted, space(lenient), client_list).parse(i)?;
                Ok((r, &i[..i.len() - r.len()]))
            }
        }

        pub(crate) fn parse(line: &[u8], shape: ClfShape) -> Option<Fields<'_>> {
            parse_with(line, shape, false).or_else(|| {
                let doubled = line.windows(2).any(|w| w == b"  ");
                doubled.then(|| parse_with(line, shape, true)).flatten()
            })
        }

        fn parse_with(line: &[u8], shape: ClfShape, lenient: bool) -> Option<Fields<'_>> {
            let (start, vhost) = if shape.vhost {
                let (i, v) = token(line).ok()?;
                let (i, _) = space(lenient)(i).ok()?;
                (line.len() - i.len(), Some(v))
            } else {
                (0, None)
            };
            let (rest, _) = client(lenient)(&line[start..]).ok()?;
            let end = line.len() - rest.len();
            after_client(line, shape, lenient, vhost, end).or_else(|| {
                // A forwarded list, then the peer's address.
                if !line[start..end].contains(&b',') {
                    return None;
                }
                let (r, (_, next)) = (space(lenient), token).parse(rest).ok()?;
                crate::privacy::forwarded::parse_address(next)?;
                after_client(line, shape, lenient, vhost, line.len() - r.len())
            })
        }

        fn after_client<'a>(
            line: &'a [u8],
            shape: ClfShape,
            lenient: bool,
            vhost: Option<&'a [u8]>,
            client_end: usize,
        ) -> Option<Fields<'a>> {
            let space = space(lenient);
            let client_start = match vhost {
                Some(v) => v.len() + line[v.len()..].iter().take_while(|&&b| b == b' ').count(),
                None => 0,
            };
            let c = &line[client_start..client_end];
            let go = |i| -> Res<'_, Fields<'_>> {
                let (i, (_, id, _)) = (space, token, space).parse(i)?;
                let (i, u) = user(i, id, lenient)?;
                let (i, (_, t, _, r, _, s, _, b)) =
                    (space, time, space, quoted, space, status, space, bytes).parse(i)?;
                let (i, ra) = match (space, quoted, space, quoted).parse(i) {
                    Ok((rest, (_, rf, _, ua))) => (rest, Some((rf, ua))),
                    Err(_) if shape.combined => return fail(),
                    Err(_) => (i, None),
                };
                if !i.is_empty() && i[0] != b' ' && i[0] != b'\t' {
                    return fail();
                }
                Ok((&[][..], (vhost, [c, id, u, t, r, s, b], ra, i)))
            };
            go(&line[client_end..]).ok().map(|(_, f)| f)
        }
    }

    fn same_as_grammar(line: &[u8], shape: ClfShape) {
        let fast = scan(line, shape);
        let reference = grammar::parse(line, shape);
        assert_eq!(
            fast.is_some(),
            reference.is_some(),
            "{:?}",
            String::from_utf8_lossy(line)
        );
        let (Some(f), Some((vhost, fixed, ra, extra))) = (fast, reference) else {
            return;
        };
        let get = |s: Span| &line[s.range()];
        assert_eq!(f.vhost.map(get), vhost);
        let spans = [
            f.client, f.ident, f.user, f.time, f.request, f.status, f.bytes,
        ];
        assert_eq!(spans.map(get), fixed);
        assert_eq!(f.referer_agent.map(|(r, a)| (get(r), get(a))), ra);
        assert_eq!(get(f.extra), extra);
    }

    /// Candidates for each field of a line, valid and not.
    const FIELD_CHOICES: [&[&str]; 11] = [
        &["", "www.example.com:80 ", "a\tb "],
        &[
            "1.2.3.4",
            "10.0.0.2, 10.0.0.1",
            "10.0.0.2,",
            "::1",
            "",
            "a, ,b",
        ],
        &["-", "", "x\ty"],
        &["-", "bob", ""],
        &[
            "[07/Dec/2016:11:05:07 +0100]",
            "[07/Dec/2016:11:05:07 +0100",
            "[07/Dec/2016]",
        ],
        &[
            "\"GET / HTTP/1.1\"",
            "\"-\"",
            "\"a\\\"b\"",
            "\"a\\\\\"",
            "\"open",
            "GET",
        ],
        &["200", "2000", "20", "x00"],
        &[
            "5",
            "-",
            "-1",
            "123456789012345678901",
            "12345678901234567890",
            "5x",
            "",
        ],
        &["", " \"-\"", " \"http://a/\"", " \"\\\"", " \"x"],
        &["", " \"Mozilla/5.0\"", " \"U\\\\A\"", " \"un"],
        &["", " \"10.0.0.1\"", "\t7", "x", " 1 \"r\" \"u\" 3ms"],
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn the_scanner_agrees_with_the_grammar(
            // Mostly the first (valid) candidate, so that most lines are one defect away from valid.
            picks in proptest::collection::vec(
                proptest::prop_oneof![3 => proptest::strategy::Just(0usize), 2 => 0usize..8],
                11,
            ),
            seps in proptest::collection::vec(
                proptest::sample::select(vec![" ", " ", " ", " ", " ", "  ", "\t", ""]),
                7,
            ),
            vhost in proptest::bool::ANY,
            combined in proptest::bool::ANY,
        ) {
            let field = |n: usize| FIELD_CHOICES[n][picks[n] % FIELD_CHOICES[n].len()];
            let mut line = String::from(field(0));
            for n in 1..8 {
                line.push_str(field(n));
                if n < 7 {
                    line.push_str(seps[n - 1]);
                }
            }
            line.push_str(field(8));
            line.push_str(field(9));
            line.push_str(field(10));
            same_as_grammar(line.as_bytes(), ClfShape { vhost, combined });
        }
    }

    #[test]
    fn the_scanner_agrees_with_the_grammar_on_real_lines() {
        let samples: [&[u8]; 5] = [
            include_bytes!("../../samples/apache-combined-elastic.log"),
            include_bytes!("../../samples/apache-mixed-ipv6-beats.log"),
            include_bytes!("../../samples/nginx-vhost-xff-beats.log"),
            include_bytes!("../../samples/nginx-xff-ipv6-beats.log"),
            include_bytes!("../../samples/traefik-clf-beats.log"),
        ];
        for line in samples.iter().flat_map(|s| s.split(|&b| b == b'\n')) {
            for vhost in [false, true] {
                for combined in [false, true] {
                    same_as_grammar(line, ClfShape { vhost, combined });
                }
            }
        }
    }

    #[test]
    fn doubled_spaces_and_forwarded_lists_parse() {
        let lines: [&[u8]; 4] = [
            br#"1.2.3.4  -  - [17/May/2015:10:05:03 +0000]  "GET / HTTP/1.1" 200  5 "-"  "UA""#,
            br#""10.5.102.222, 199.96.1.1, 204.246.1.1" 10.2.1.185 - - [22/Jan/2016:13:18:29 +0000] "GET / HTTP/1.1" 200 5 "-" "UA""#,
            br#"2a03::8000, 10.225.192.17 10.2.2.121 - - [30/Dec/2016:06:47:09 +0000] "GET / HTTP/1.1" 404 5 "-" "UA""#,
            br#"1.2.3.4 - Paul  Schmitt [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 5 "-" "UA""#,
        ];
        let clients = [
            "1.2.3.4",
            r#""10.5.102.222, 199.96.1.1, 204.246.1.1" 10.2.1.185"#,
            "2a03::8000, 10.225.192.17 10.2.2.121",
            "1.2.3.4",
        ];
        for (line, client) in lines.iter().zip(clients) {
            let r = parse(line, COMBINED)
                .unwrap_or_else(|| panic!("{}", String::from_utf8_lossy(line)));
            assert_eq!(field(&r, r.client), client);
            assert_eq!(field(&r, r.status).len(), 3);
            same_as_grammar(line, COMBINED);
        }
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
    fn an_authuser_may_hold_spaces() {
        let line = br#"1.2.3.4 - Paul Schmitt [07/Dec/2016:11:05:07 +0100] "GET / HTTP/1.1" 200 571 "-" "UA""#;
        let r = parse(line, COMBINED).unwrap();
        assert_eq!(field(&r, r.authuser), "Paul Schmitt");
        assert_eq!(field(&r, r.user_agent), "UA");
        same_as_grammar(line, COMBINED);
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
