//! Rewrites one log line: the bytes between fields are copied, each field is replaced by its anonymised
//! form. A line that does not parse is scrubbed as free text.

use super::cache::cached;
use super::{Policy, TimePrecision, UserAgentMode};
use crate::format::LineParser;
use crate::privacy::client::reduce_client;
use crate::privacy::detect::may_hold_secret;
use crate::privacy::scrub::{Mode, scrub};
use crate::privacy::secrets::redact_in_place;
use crate::privacy::url::{rewrite_referrer, rewrite_url};
use crate::record::{Record, Span};

/// What happened to a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Parsed and rewritten field by field.
    Parsed,
    /// Did not parse; scrubbed as free text.
    Scrubbed,
    /// Empty (or whitespace only); written as it was.
    Blank,
}

/// Rewrites `line` (without its terminator) into `out`.
pub fn rewrite_line(
    line: &[u8],
    parser: &LineParser,
    policy: &Policy,
    out: &mut Vec<u8>,
) -> Outcome {
    if line.iter().all(|&b| b == b' ' || b == b'\t') {
        out.extend_from_slice(line);
        return Outcome::Blank;
    }
    match parser.parse(line) {
        Some(record) => {
            rewrite_record(&record, policy, out);
            Outcome::Parsed
        }
        None => {
            // Secrets go first, so that what remains is judged on its shape: a line broken only by a
            // secret (a card number with spaces in the client field) parses once it is redacted.
            if may_hold_secret(line) {
                let mut redacted = line.to_vec();
                redact_in_place(&mut redacted, 0);
                if let Some(record) = parser.parse(&redacted) {
                    rewrite_record(&record, policy, out);
                    return Outcome::Parsed;
                }
                scrub_unparsed(&redacted, policy, out);
            } else {
                scrub_unparsed(line, policy, out);
            }
            Outcome::Scrubbed
        }
    }
}

/// Rewrites a parsed record field by field.
pub fn rewrite_record(record: &Record<'_>, policy: &Policy, out: &mut Vec<u8>) {
    let line = record.line;
    let rules = policy.rules();
    // One cache tag per rewrite: referrer, user agent, keyed client, request line.
    let tag = policy.fingerprint() & !3;
    let keyed = rules.ip.mode().needs_key();
    out.reserve(line.len() + 16);
    let mut copied = 0;
    // Copies the bytes before `span` (separators and the fields kept as they are) and returns the field.
    let mut field = |span: Span, out: &mut Vec<u8>| {
        let range = span.range();
        out.extend_from_slice(&line[copied..range.start]);
        copied = range.end;
        &line[range]
    };
    if let Some(vhost) = record.vhost {
        let value = field(vhost, out);
        scrub(value, rules, Mode::PLAIN, out);
    }
    let value = field(record.client, out);
    if keyed {
        // Keyed IP modes cost dozens of AES or BLAKE3 rounds per address: clients repeat, so cache.
        cached(tag ^ 2, value, out, |v, o| rewrite_client(v, rules, o));
    } else {
        rewrite_client(value, rules, out);
    }
    field(record.ident, out);
    out.push(b'-');
    field(record.authuser, out);
    out.push(b'-');
    let value = field(record.time, out);
    coarsen_time(value, policy.time_precision(), out);
    let value = field(record.request, out);
    cached(tag ^ 3, value, out, |v, o| rewrite_request(v, policy, o));
    if let Some(referer) = record.referer {
        match field(referer, out) {
            b"-" => out.push(b'-'),
            value => cached(tag, value, out, |v, o| rewrite_referrer(v, rules, o)),
        }
    }
    if let Some(agent) = record.user_agent {
        let value = field(agent, out);
        match policy.user_agent() {
            UserAgentMode::Keep => cached(tag ^ 1, value, out, |v, o| {
                let mark = o.len();
                scrub(v, rules, Mode::user_agent(), o);
                redact_in_place(o, mark);
            }),
            UserAgentMode::Generalize => cached(tag ^ 1, value, out, generalize_user_agent),
            UserAgentMode::Drop => out.push(b'-'),
        }
    }
    let value = field(record.extra, out);
    if !value.is_empty() {
        let mark = out.len();
        scrub(value, rules, Mode::free_text_tail(), out);
        redact_in_place(out, mark);
    }
    out.extend_from_slice(&line[copied..]);
}

fn rewrite_client(value: &[u8], rules: &crate::privacy::Rules, out: &mut Vec<u8>) {
    let mark = out.len();
    reduce_client(value, rules, out);
    redact_in_place(out, mark);
}

/// `dd/Mon/yyyy:HH:MM:SS +zone` with the parts finer than `precision` set to zero; a time of another
/// shape is copied unchanged.
fn coarsen_time(time: &[u8], precision: TimePrecision, out: &mut Vec<u8>) {
    let start = out.len();
    out.extend_from_slice(time);
    if precision == TimePrecision::Second {
        return;
    }
    let Some(colon) = memchr::memchr(b':', time) else {
        return;
    };
    let clock = &time[colon + 1..];
    let shaped = clock.len() >= 8
        && clock[2] == b':'
        && clock[5] == b':'
        && [0, 1, 3, 4, 6, 7]
            .iter()
            .all(|&i| clock[i].is_ascii_digit());
    if !shaped {
        return;
    }
    let zero_from = match precision {
        TimePrecision::Second => return,
        TimePrecision::Minute => 6,
        TimePrecision::Hour => 3,
        TimePrecision::Day => 0,
    };
    for i in [0, 1, 3, 4, 6, 7] {
        if i >= zero_from {
            out[start + colon + 1 + i] = b'0';
        }
    }
}

/// Browser family, major version and OS of a user agent (`Chrome/32 (Windows 7)`), from `woothee`;
/// `UNKNOWN` when it is not recognised. Nothing of the original string is copied.
fn generalize_user_agent(ua: &[u8], out: &mut Vec<u8>) {
    let parsed = std::str::from_utf8(ua)
        .ok()
        .and_then(|s| woothee::parser::Parser::new().parse(s));
    let Some(r) = parsed else {
        out.extend_from_slice(b"UNKNOWN");
        return;
    };
    out.extend_from_slice(r.name.as_bytes());
    let major = r.version.split('.').next().unwrap_or_default();
    if !major.is_empty() && major.bytes().all(|b| b.is_ascii_digit()) {
        out.push(b'/');
        out.extend_from_slice(major.as_bytes());
    }
    out.extend_from_slice(b" (");
    out.extend_from_slice(r.os.as_bytes());
    out.push(b')');
}

/// `METHOD TARGET PROTOCOL`: the target goes through the URL rules; a request line of any other shape
/// (`-`, binary junk from TLS probes) through the free-text scrubber.
fn rewrite_request(req: &[u8], policy: &Policy, out: &mut Vec<u8>) {
    let rules = policy.rules();
    let Some(sp1) = memchr::memchr(b' ', req) else {
        scrub(req, rules, Mode::free_text_tail(), out);
        return;
    };
    let method = &req[..sp1];
    if method.is_empty()
        || !method
            .iter()
            .all(|b| b.is_ascii_uppercase() || *b == b'-' || *b == b'_')
    {
        scrub(req, rules, Mode::free_text_tail(), out);
        return;
    }
    out.extend_from_slice(&req[..=sp1]);
    let rest = &req[sp1 + 1..];
    let target_end = match memchr::memrchr(b' ', rest) {
        Some(sp2) if rest[sp2 + 1..].starts_with(b"HTTP/") => sp2,
        _ => rest.len(),
    };
    rewrite_url(&rest[..target_end], rules, out);
    out.extend_from_slice(&rest[target_end..]);
}

/// A line that did not parse: free-text scrubbing, and when it still looks like `host ident user [`,
/// ident and user are blanked.
fn scrub_unparsed(line: &[u8], policy: &Policy, out: &mut Vec<u8>) {
    let mut fields = line.splitn(4, |&b| b == b' ');
    let (Some(host), Some(ident), Some(user), Some(rest)) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        scrub(line, policy.rules(), Mode::free_text(), out);
        return;
    };
    if !rest.starts_with(b"[") || host.is_empty() || ident.is_empty() || user.is_empty() {
        scrub(line, policy.rules(), Mode::free_text(), out);
        return;
    }
    scrub(host, policy.rules(), Mode::free_text(), out);
    out.extend_from_slice(b" - - ");
    scrub(rest, policy.rules(), Mode::free_text_tail(), out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Format;

    fn anon(line: &str) -> (String, Outcome) {
        let mut out = Vec::new();
        let parser = LineParser::detected(Format::Combined);
        let o = rewrite_line(line.as_bytes(), &parser, &Policy::default(), &mut out);
        (String::from_utf8(out).unwrap(), o)
    }

    #[test]
    fn headline_example_in_a_line() {
        let (out, o) = anon(
            r#"192.168.100.50 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 5 "-" "UA""#,
        );
        assert_eq!(o, Outcome::Parsed);
        assert_eq!(
            out,
            r#"192.168.0.0 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 5 "-" "UA""#
        );
    }

    #[test]
    fn every_field_rule() {
        let (out, _) = anon(concat!(
            r#"www.example.com 2001:db8:85a3::8a2e:370:7334 ident jane@example.com [17/May/2015:10:05:03 +0000] "#,
            r#""GET /u/jane%40example.com/x?token=s3cr3t&q=boots&ip=10.1.2.3 HTTP/1.1" 200 5 "#,
            r#""http://bob:pw@10.9.8.7/ref?session=abc&utm_source=mail" "Bot/1.2.3.4 (+http://1.2.3.4/; a@b.org)" "#,
            r#""10.0.0.1, 203.0.113.9" "cookie=abc""#
        ));
        assert_eq!(
            out,
            concat!(
                r#"www.example.com 2001:db8:: - - [17/May/2015:10:05:03 +0000] "#,
                r#""GET /u/:email/x?token=&q=boots&ip= HTTP/1.1" 200 5 "#,
                r#""http://10.9.0.0/ref" "Bot/1.2.3.4 (+http://1.2.0.0/; :email)" "#,
                r#""10.0.0.0, 203.0.0.0" "cookie=abc""#
            )
        );
    }

    #[test]
    fn unparsable_lines_are_scrubbed() {
        let (out, o) = anon("haraway.ucet.ufl.edu joe bob [0");
        assert_eq!((out.as_str(), o), ("ufl.edu - - [0", Outcome::Scrubbed));
        let (out, _) = anon("5:00:01:39 -0400] \"GET /x?id=7&q=a HTTP/1.0\" 200 3804 from 1.2.3.4");
        assert_eq!(
            out,
            "5:00:01:39 -0400] \"GET /x?id=&q=a HTTP/1.0\" 200 3804 from 1.2.0.0"
        );
    }

    #[test]
    fn odd_requests() {
        let line = |req: &str| {
            format!(r#"1.2.3.4 - - [17/May/2015:10:05:03 +0000] "{req}" 400 5 "-" "-""#)
        };
        for (req, want) in [
            ("-", "-"),
            ("", ""),
            (r"\x16\x03\x01 9.8.7.6", r"\x16\x03\x01 9.8.0.0"),
            ("GET /a?sid=1", "GET /a?sid="),
            (
                "CONNECT 10.2.3.4:443 HTTP/1.1",
                "CONNECT 10.2.0.0:443 HTTP/1.1",
            ),
        ] {
            assert_eq!(anon(&line(req)).0, line(want).replace("1.2.3.4", "1.2.0.0"));
        }
    }

    fn anon_with(line: &str, policy: &Policy) -> String {
        let mut out = Vec::new();
        let parser = LineParser::detected(Format::Combined);
        rewrite_line(line.as_bytes(), &parser, policy, &mut out);
        String::from_utf8(out).unwrap()
    }

    const UA_LINE: &str = concat!(
        r#"1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 5 "-" "#,
        r#""Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36""#
    );

    #[test]
    fn time_precision() {
        for (precision, want) in [
            (TimePrecision::Second, "17/May/2015:10:05:03 +0000"),
            (TimePrecision::Minute, "17/May/2015:10:05:00 +0000"),
            (TimePrecision::Hour, "17/May/2015:10:00:00 +0000"),
            (TimePrecision::Day, "17/May/2015:00:00:00 +0000"),
        ] {
            let out = anon_with(UA_LINE, &Policy::default().with_time_precision(precision));
            assert!(out.contains(&format!("[{want}]")), "{precision:?}: {out}");
        }
    }

    #[test]
    fn user_agent_modes() {
        let general = anon_with(
            UA_LINE,
            &Policy::default().with_user_agent(UserAgentMode::Generalize),
        );
        assert!(general.ends_with(r#""Chrome/32 (Windows 7)""#), "{general}");
        let dropped = anon_with(
            UA_LINE,
            &Policy::default().with_user_agent(UserAgentMode::Drop),
        );
        assert!(dropped.ends_with(r#""-""#), "{dropped}");
        let bot = UA_LINE.replace(
            "Mozilla/5.0 (Windows",
            "Googlebot/2.1 (+http://www.google.com/bot.html) (Windows",
        );
        let general = anon_with(
            &bot,
            &Policy::default().with_user_agent(UserAgentMode::Generalize),
        );
        assert!(!general.contains("http"), "{general}");
    }

    #[test]
    fn blank_lines_stay_blank() {
        assert_eq!(anon(""), (String::new(), Outcome::Blank));
        assert_eq!(anon("  "), ("  ".to_string(), Outcome::Blank));
    }
}
