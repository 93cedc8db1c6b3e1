//! Rewrites one log line: the bytes between fields are copied, each field is replaced by its anonymised
//! form. A line that does not parse is scrubbed as free text.

use super::{Policy, TimePrecision, UserAgentMode};
use crate::format::clf::{ClfFields, is_traefik_tail};
use crate::format::prefix::{self, Part};
use crate::format::{ChunkParser, LineParser, Parsed, Prefix};
use crate::privacy::cache::{Lookup, Shelf, cached};
use crate::privacy::client::reduce_client;
use crate::privacy::cut::cut_line;
use crate::privacy::detect::may_hold_secret;
use crate::privacy::fields::{Verdict, judge_unnamed, write_addresses};
use crate::privacy::ip::{parse_ipv4_prefix, parse_ipv6};
use crate::privacy::scrub::{ScrubMode, scrub};
use crate::privacy::secrets::redact_in_place;
use crate::privacy::url::{rewrite_query, rewrite_referrer, rewrite_url};
use crate::record::{Action, Gaps, Layout, Record, Span, TimeKind};

/// What happened to a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Parsed and rewritten field by field.
    Parsed,
    /// Did not parse; scrubbed as free text.
    Scrubbed,
    /// Empty (or whitespace only); written as it was.
    Blank,
    /// A W3C `#` directive: `#Fields:` kept, others scrubbed as free text.
    Directive,
}

/// Rewrites `line` (without its terminator) into `out`, parsing it on its own (no `#Fields:` header state:
/// see [`rewrite_line_in`]).
pub fn rewrite_line(
    line: &[u8],
    parser: &LineParser,
    policy: &Policy,
    out: &mut Vec<u8>,
) -> Outcome {
    rewrite_line_in(line, &mut parser.chunk(None), policy, out)
}

/// Rewrites `line` (without its terminator) into `out`, as the next line of a chunk.
///
/// A line that does not parse is scrubbed until a further pass changes nothing, so that anonymising the
/// output again gives the same bytes: the scrubbers judge text by its shape, and what one pass removes can
/// change how the rest is read (`?.\\,` has a dotted first word, read as a client; without its `.\\`, the
/// rest is free text with a query).
pub fn rewrite_line_in(
    line: &[u8],
    parser: &mut ChunkParser<'_>,
    policy: &Policy,
    out: &mut Vec<u8>,
) -> Outcome {
    let mark = out.len();
    let outcome = rewrite_line_once(line, parser, policy, out);
    if outcome == Outcome::Scrubbed {
        settle(parser, policy, out, mark);
    }
    outcome
}

/// Passes over a scrubbed line's output (`out[mark..]`) until it is a fixed point of [`rewrite_line_once`];
/// a line that does not settle in a few passes keeps only letters, digits, spaces, `/` and `_`, which
/// no scrubber reads as an identifier, and every other byte becomes `_`.
fn settle(parser: &ChunkParser<'_>, policy: &Policy, out: &mut Vec<u8>, mark: usize) {
    const PASSES: usize = 4;
    let mut next = Vec::new();
    for _ in 0..PASSES {
        next.clear();
        // A copy of the parser: a pass over output must not move the chunk's `#Fields:` state.
        rewrite_line_once(&out[mark..], &mut parser.clone(), policy, &mut next);
        if next == out[mark..] {
            return;
        }
        out.truncate(mark);
        out.extend_from_slice(&next);
    }
    for b in &mut out[mark..] {
        if !(b.is_ascii_alphanumeric() || matches!(*b, b' ' | b'/' | b'_')) {
            *b = b'_';
        }
    }
}

/// One pass of [`rewrite_line_in`].
fn rewrite_line_once(
    line: &[u8],
    parser: &mut ChunkParser<'_>,
    policy: &Policy,
    out: &mut Vec<u8>,
) -> Outcome {
    if line.iter().all(|&b| b == b' ' || b == b'\t') {
        out.extend_from_slice(line);
        return Outcome::Blank;
    }
    // Lines behind a collector's prefix found by detection: the prefix first, by its allow-list.
    if parser.prefix().is_some() {
        if let Some(outcome) = rewrite_prefixed(line, parser, policy, out) {
            return outcome;
        }
    }
    // The CLF family, the common case, without building a general record.
    if let Some(fields) = parser.scan_clf(line) {
        rewrite_clf(line, &fields, policy, out);
        return Outcome::Parsed;
    }
    match parser.parse(line) {
        Parsed::Record(record) => {
            rewrite_record(&record, policy, out);
            Outcome::Parsed
        }
        Parsed::Directive => {
            if crate::format::w3c::FieldsHeader::from_header(line).is_some() {
                out.extend_from_slice(line);
            } else {
                let mark = out.len();
                scrub(line, policy.rules(), ScrubMode::free_text_tail(), out);
                redact_in_place(out, mark);
            }
            Outcome::Directive
        }
        Parsed::Unparsed => {
            if let Some(outcome) = rewrite_prefixed(line, parser, policy, out) {
                return outcome;
            }
            // Secrets go first, so that what remains is judged on its shape: a line broken only by a
            // secret (a card number with spaces in the client field) parses once it is redacted.
            if may_hold_secret(line) {
                let mut redacted = line.to_vec();
                redact_in_place(&mut redacted, 0);
                if let Parsed::Record(record) = parser.parse(&redacted) {
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

/// A line behind a syslog, CRI, compose or Docker prefix ([`prefix`]): the prefix kept by its allow-list
/// ([`write_prefix`]), Docker's attributes scrubbed as free text, the line after it rewritten as any line
/// is. `None` when the line has no such prefix.
fn rewrite_prefixed(
    line: &[u8],
    parser: &mut ChunkParser<'_>,
    policy: &Policy,
    out: &mut Vec<u8>,
) -> Option<Outcome> {
    let parts = [Prefix::Cri, Prefix::Syslog, Prefix::Compose]
        .into_iter()
        .find_map(|p| p.parts(line));
    if let Some(parts) = parts {
        let len = parts.last().map_or(0, |p| p.range().end);
        if len >= line.len() {
            return None;
        }
        write_prefix(line, &parts, policy, out);
        return Some(rewrite_line_in(&line[len..], parser, policy, out));
    }
    let span = prefix::docker_log(line)?;
    let Some(inner) = prefix::unescape(&line[span.clone()]) else {
        // An escape it cannot decode: the log string is dropped rather than passed on.
        out.extend_from_slice(&line[..span.start]);
        out.push(b'-');
        scrub_docker_tail(&line[span.end..], policy, out);
        return Some(Outcome::Scrubbed);
    };
    let body = inner.strip_suffix(b"\n").unwrap_or(&inner);
    let body = body.strip_suffix(b"\r").unwrap_or(body);
    let mut rewritten = Vec::with_capacity(body.len() + 16);
    let outcome = rewrite_line_in(body, parser, policy, &mut rewritten);
    rewritten.extend_from_slice(&inner[body.len()..]);
    out.extend_from_slice(&line[..span.start]);
    prefix::escape(&rewritten, out);
    scrub_docker_tail(&line[span.end..], policy, out);
    Some(outcome)
}

/// Writes a prefix part by part: what it keeps as written (times, stream, priority), the syslog host as the
/// `syslog-host` field (an address reduced as a client's; a name `-` unless allow-listed, then scrubbed as
/// free text), program names and ids when they have a name's shape ([`prefix::is_safe_name`]), else `-`.
fn write_prefix(line: &[u8], parts: &[Part], policy: &Policy, out: &mut Vec<u8>) {
    let rules = policy.rules();
    for part in parts {
        match part {
            Part::Keep(r) => out.extend_from_slice(&line[r.clone()]),
            Part::Host(r) => {
                let host = &line[r.clone()];
                let address = parse_ipv4_prefix(host).is_some_and(|(_, len)| len == host.len())
                    || parse_ipv6(host).is_some();
                if host == b"-" {
                    out.push(b'-');
                } else if address {
                    reduce_client(host, rules, out);
                } else if policy.fields().judge(b"syslog-host") == Verdict::Keep {
                    let mark = out.len();
                    scrub(host, rules, ScrubMode::free_text_tail(), out);
                    redact_in_place(out, mark);
                } else {
                    out.push(b'-');
                }
            }
            Part::Name(r) => {
                let name = &line[r.clone()];
                if prefix::is_safe_name(name) || name == b"-" {
                    out.extend_from_slice(name);
                } else {
                    out.push(b'-');
                }
            }
        }
    }
}

/// The rest of a Docker JSON line after its log string (stream, time), scrubbed as free text.
fn scrub_docker_tail(tail: &[u8], policy: &Policy, out: &mut Vec<u8>) {
    let mark = out.len();
    scrub(tail, policy.rules(), ScrubMode::free_text_tail(), out);
    redact_in_place(out, mark);
}

/// Writes a line longer than `limit` bytes into `out`: cut at a boundary where no value is split
/// ([`cut_line`]), then scrubbed as free text like a line that does not parse (it is never parsed: a cut
/// line has lost its last fields), and [settled](settle) like one, so that anonymising the output again
/// gives the same bytes. The result holds at most `limit` bytes of the line before scrubbing.
pub(crate) fn rewrite_overlong_line(
    line: &[u8],
    limit: usize,
    parser: &ChunkParser<'_>,
    policy: &Policy,
    out: &mut Vec<u8>,
) {
    let mark = out.len();
    scrub_secrets_first(cut_line(line, limit), policy, out);
    settle(parser, policy, out, mark);
}

/// Scrubs a line that is not parsed as free text ([`scrub_unparsed`]), its secrets redacted first.
fn scrub_secrets_first(line: &[u8], policy: &Policy, out: &mut Vec<u8>) {
    if may_hold_secret(line) {
        let mut redacted = line.to_vec();
        redact_in_place(&mut redacted, 0);
        scrub_unparsed(&redacted, policy, out);
    } else {
        scrub_unparsed(line, policy, out);
    }
}

/// Rewrites a parsed record field by field.
pub(crate) fn rewrite_record(record: &Record<'_>, policy: &Policy, out: &mut Vec<u8>) {
    match record.layout {
        Layout::Clf => {
            let fields = ClfFields {
                vhost: record.vhost,
                client: record.client.unwrap_or_default(),
                ident: record.ident.unwrap_or_default(),
                user: record.authuser.unwrap_or_default(),
                time: record.time.unwrap_or_default(),
                request: record.request.unwrap_or_default(),
                status: record.status.unwrap_or_default(),
                bytes: record.bytes.unwrap_or_default(),
                referer_agent: record.referer.zip(record.user_agent),
                extra: record.extra,
            };
            rewrite_clf(record.line, &fields, policy, out)
        }
        Layout::Fields => rewrite_fields(record, policy, out),
    }
}

/// The straight-line rewrite of a CLF-family record (every field in its fixed place).
fn rewrite_clf(line: &[u8], record: &ClfFields, policy: &Policy, out: &mut Vec<u8>) {
    let rules = policy.rules();
    // One cache tag per rewrite: referrer, user agent, keyed client, request line.
    let tag = policy.fingerprint() & !3;
    let keyed = rules.ip.mode().needs_key();
    out.reserve(line.len() + 16);
    // The cache look-ups begun at once, so that their slots load from memory together.
    // (A dropped user agent is looked up for nothing: its lookup is never written.)
    let (referer, agent) = record
        .referer_agent
        .map_or((b"".as_slice(), b"".as_slice()), |(r, a)| {
            (&line[r.range()], &line[a.range()])
        });
    let [request, referer_lookup, agent_lookup] = Lookup::all([
        (Shelf::Mixed, tag ^ 3, &line[record.request.range()]),
        (Shelf::Mixed, tag, referer),
        (Shelf::Agents, tag ^ 1, agent),
    ]);
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
        scrub(value, rules, ScrubMode::PLAIN, out);
    }
    let value = field(record.client, out);
    // Keyed IP modes cost dozens of AES or BLAKE3 rounds per address, and an IPv6 address, a list or a
    // host name many times a dotted quad's few dozen: clients repeat, so cache. (A dotted quad has at
    // most 15 bytes.)
    if keyed || value.len() > 15 {
        cached(Shelf::Mixed, tag ^ 2, value, out, |v, o| {
            reduce_client(v, rules, o)
        });
    } else {
        reduce_client(value, rules, out);
    }
    field(record.ident, out);
    out.push(b'-');
    field(record.user, out);
    out.push(b'-');
    let value = field(record.time, out);
    coarsen_time(value, policy.time_precision(), out);
    let value = field(record.request, out);
    request.write(value, out, |v, o| rewrite_request(v, policy, o));
    if let Some((referer, agent)) = record.referer_agent {
        match field(referer, out) {
            b"-" => out.push(b'-'),
            value => referer_lookup.write(value, out, |v, o| rewrite_referrer(v, rules, o)),
        }
        let value = field(agent, out);
        match policy.user_agent() {
            UserAgentMode::Keep => agent_lookup.write(value, out, |v, o| {
                let mark = o.len();
                scrub(v, rules, ScrubMode::user_agent(), o);
                redact_in_place(o, mark);
            }),
            UserAgentMode::Generalize => agent_lookup.write(value, out, generalize_user_agent),
            UserAgentMode::Drop => out.push(b'-'),
        }
    }
    if !record.extra.is_empty() {
        field(record.extra, out);
        write_tail(line, record.extra, policy, out);
    }
    out.extend_from_slice(&line[copied..]);
}

/// The trailing fields of a CLF-family line (after the user agent, or the byte count of a common line).
///
/// They have no name, so each (a `"quoted"` string or a bare token) is judged by its shape
/// ([`judge_unnamed`]): numbers and durations are kept, address lists reduced, anything else becomes `-`
/// (`"-"` when quoted). Traefik's fields (` <count> "<router>" "<server URL>" <n>ms`) are known: the router
/// name is kept when it is a plain name, the server URL goes through the URL rules.
fn write_tail(line: &[u8], extra: Span, policy: &Policy, out: &mut Vec<u8>) {
    let rules = policy.rules();
    let traefik = is_traefik_tail(line, extra);
    let tail = &line[extra.range()];
    let mut pos = 0;
    let mut n = 0;
    while pos < tail.len() {
        let blanks = tail[pos..]
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
        out.extend_from_slice(&tail[pos..pos + blanks]);
        pos += blanks;
        if pos == tail.len() {
            break;
        }
        let rest = &tail[pos..];
        let quoted = rest[0] == b'"';
        let (value, len) = match quoted.then(|| quoted_len(&rest[1..])) {
            Some(Some(q)) => (&rest[1..1 + q], q + 2),
            Some(None) => {
                // A quote never closed (a line cut short): the rest is one field, and it is dropped.
                out.extend_from_slice(b"\"-");
                return;
            }
            None => {
                let end = rest
                    .iter()
                    .position(|&b| b == b' ' || b == b'\t')
                    .unwrap_or(rest.len());
                (&rest[..end], end)
            }
        };
        let quoted = quoted && len >= 2 && rest.get(len - 1) == Some(&b'"');
        if quoted {
            out.push(b'"');
        }
        match (traefik, n) {
            (true, 1)
                if value
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || b"@._-".contains(b)) =>
            {
                out.extend_from_slice(value)
            }
            (true, 2) => rewrite_url(value, rules, out),
            _ => match judge_unnamed(value) {
                Verdict::Keep => out.extend_from_slice(value),
                Verdict::Addresses => write_addresses(value, rules, out),
                Verdict::Drop => out.push(b'-'),
            },
        }
        if quoted {
            out.push(b'"');
        }
        pos += len;
        n += 1;
    }
}

/// The length of a quoted field's content: up to the first quote not escaped by a backslash.
fn quoted_len(rest: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(off) = memchr::memchr(b'"', &rest[from..]) {
        let at = from + off;
        let backslashes = rest[..at].iter().rev().take_while(|&&b| b == b'\\').count();
        if backslashes % 2 == 0 {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// What a span of a [`Layout::Fields`] record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SpanRole {
    Vhost,
    Client,
    Blank,
    Time,
    Request,
    Target,
    Query,
    Referer,
    Agent,
    Tail,
    Other(Action),
}

/// Most spans of one record: the named fields plus the others.
const MAX_SPANS: usize = 20 + crate::record::MAX_OTHERS;

/// Rewrites a record whose fields come in any order: the spans are sorted, the bytes between them copied
/// (or scrubbed, for [`Gaps::Scrub`]) and each field rewritten by its rule.
fn rewrite_fields(record: &Record<'_>, policy: &Policy, out: &mut Vec<u8>) {
    let line = record.line;
    let rules = policy.rules();
    let tag = policy.fingerprint() & !3;
    let keyed = rules.ip.mode().needs_key();
    let mut spans = [(Span::default(), SpanRole::Tail); MAX_SPANS];
    let mut n = 0;
    let mut add = |span: Option<Span>, f: SpanRole| {
        if let Some(s) = span {
            spans[n] = (s, f);
            n += 1;
        }
    };
    add(record.vhost, SpanRole::Vhost);
    add(record.client, SpanRole::Client);
    add(record.ident, SpanRole::Blank);
    add(record.authuser, SpanRole::Blank);
    add(record.time, SpanRole::Time);
    add(record.request, SpanRole::Request);
    add(record.target, SpanRole::Target);
    add(record.query, SpanRole::Query);
    add(record.referer, SpanRole::Referer);
    add(record.user_agent, SpanRole::Agent);
    if !record.extra.is_empty() {
        add(Some(record.extra), SpanRole::Tail);
    }
    for &(s, a) in record.others.as_slice() {
        add(Some(s), SpanRole::Other(a));
    }
    // Method, status, bytes, date, DNT and Sec-GPC are copied as they are; under scrubbed gaps they must
    // not be scrubbed, so they are spans too.
    for s in [
        record.method,
        record.status,
        record.bytes,
        record.date,
        record.dnt,
        record.sec_gpc,
    ] {
        add(s, SpanRole::Other(Action::Keep));
    }
    let spans = &mut spans[..n];
    spans.sort_unstable_by_key(|(s, _)| s.start);
    out.reserve(line.len() + 16);
    let mut copied = 0usize;
    let mut gaps = record.gaps;
    for &(span, kind) in spans.iter() {
        let range = span.range();
        if range.start < copied || range.end > line.len() {
            // Overlapping spans (a format bug): the rest is scrubbed as free text.
            gaps = Gaps::Scrub;
            break;
        }
        write_gap(&line[copied..range.start], record.gaps, policy, out);
        copied = range.end;
        let value = &line[range];
        match kind {
            SpanRole::Vhost => scrub(value, rules, ScrubMode::PLAIN, out),
            SpanRole::Client if keyed => cached(Shelf::Mixed, tag ^ 2, value, out, |v, o| {
                reduce_client(v, rules, o)
            }),
            SpanRole::Client => reduce_client(value, rules, out),
            SpanRole::Blank => out.push(b'-'),
            SpanRole::Time => match record.time_kind {
                TimeKind::Epoch => coarsen_epoch(value, policy.time_precision(), 1, out),
                TimeKind::EpochMs => coarsen_epoch(value, policy.time_precision(), 1_000, out),
                TimeKind::EpochUs => coarsen_epoch(value, policy.time_precision(), 1_000_000, out),
                TimeKind::Clf => coarsen_time(value, policy.time_precision(), out),
                TimeKind::Iso8601 | TimeKind::W3c | TimeKind::Strftime(_) => {
                    coarsen_clock(value, policy.time_precision(), out)
                }
            },
            SpanRole::Request => cached(Shelf::Mixed, tag ^ 3, value, out, |v, o| {
                rewrite_request(v, policy, o)
            }),
            SpanRole::Target => rewrite_url(value, rules, out),
            SpanRole::Query => {
                let mark = out.len();
                rewrite_query(value, rules, out);
                redact_in_place(out, mark);
                // A query column (W3C `cs-uri-query`) left empty would shift the columns after it.
                if out.len() == mark && !value.is_empty() {
                    out.push(b'-');
                }
            }
            SpanRole::Referer => match value {
                b"-" | b"" => out.extend_from_slice(value),
                _ => cached(Shelf::Mixed, tag, value, out, |v, o| {
                    rewrite_referrer(v, rules, o)
                }),
            },
            SpanRole::Agent => match policy.user_agent() {
                UserAgentMode::Keep => cached(Shelf::Agents, tag ^ 1, value, out, |v, o| {
                    let mark = o.len();
                    scrub(v, rules, ScrubMode::user_agent(), o);
                    redact_in_place(o, mark);
                }),
                UserAgentMode::Generalize => {
                    cached(Shelf::Agents, tag ^ 1, value, out, generalize_user_agent)
                }
                UserAgentMode::Drop => out.push(b'-'),
            },
            SpanRole::Tail => write_tail(line, span, policy, out),
            SpanRole::Other(Action::Scrub) => {
                let mark = out.len();
                scrub(value, rules, ScrubMode::free_text_tail(), out);
                redact_in_place(out, mark);
            }
            SpanRole::Other(Action::Keep) => out.extend_from_slice(value),
            SpanRole::Other(Action::Drop) => out.push(b'-'),
            SpanRole::Other(Action::Null) => out.extend_from_slice(b"null"),
            SpanRole::Other(Action::DashList) => out.extend_from_slice(br#"["-"]"#),
            SpanRole::Other(Action::Remove) => {}
            SpanRole::Other(Action::Ips) => write_addresses(value, rules, out),
            SpanRole::Other(Action::Url) => rewrite_url(value, rules, out),
        }
    }
    write_gap(&line[copied..], gaps, policy, out);
}

/// The bytes between two fields.
fn write_gap(gap: &[u8], gaps: Gaps, policy: &Policy, out: &mut Vec<u8>) {
    if gap.is_empty() {
        return;
    }
    match gaps {
        Gaps::Literal => out.extend_from_slice(gap),
        Gaps::Scrub => {
            let mark = out.len();
            scrub(gap, policy.rules(), ScrubMode::free_text_tail(), out);
            redact_in_place(out, mark);
        }
    }
}

/// A time holding `HH:MM:SS` somewhere (ISO 8601, W3C): the parts finer than `precision` (and any
/// fraction of a second) set to zero.
fn coarsen_clock(time: &[u8], precision: TimePrecision, out: &mut Vec<u8>) {
    let start = out.len();
    out.extend_from_slice(time);
    if precision == TimePrecision::Second {
        return;
    }
    let is_clock = |c: &[u8]| {
        c.len() >= 8
            && c[2] == b':'
            && c[5] == b':'
            && [0, 1, 3, 4, 6, 7].iter().all(|&i| c[i].is_ascii_digit())
    };
    let Some(at) = (0..time.len().saturating_sub(7)).find(|&i| is_clock(&time[i..])) else {
        return;
    };
    let zero_from = match precision {
        TimePrecision::Second => return,
        TimePrecision::Minute => 6,
        TimePrecision::Hour => 3,
        TimePrecision::Day => 0,
    };
    for i in [0, 1, 3, 4, 6, 7] {
        if i >= zero_from {
            out[start + at + i] = b'0';
        }
    }
    let mut i = at + 8;
    if time.get(i) == Some(&b'.') {
        i += 1;
        while i < time.len() && time[i].is_ascii_digit() {
            out[start + i] = b'0';
            i += 1;
        }
    }
}

/// Epoch seconds (`1703373474.8155608`) rounded down to `precision` (UTC), the fraction zeroed, same width.
fn coarsen_epoch(time: &[u8], precision: TimePrecision, per_second: u64, out: &mut Vec<u8>) {
    let unit: u64 = per_second
        * match precision {
            TimePrecision::Second => {
                out.extend_from_slice(time);
                return;
            }
            TimePrecision::Minute => 60,
            TimePrecision::Hour => 3600,
            TimePrecision::Day => 86_400,
        };
    let int_len = time.iter().take_while(|b| b.is_ascii_digit()).count();
    let secs = (int_len > 0 && int_len <= 18).then(|| {
        time[..int_len]
            .iter()
            .fold(0u64, |a, &b| a * 10 + u64::from(b - b'0'))
    });
    let Some(secs) = secs else {
        out.extend_from_slice(time);
        return;
    };
    let start = out.len();
    out.extend_from_slice(format!("{:0width$}", secs / unit * unit, width = int_len).as_bytes());
    out.extend_from_slice(&time[int_len..]);
    for b in &mut out[start + int_len..] {
        if b.is_ascii_digit() {
            *b = b'0';
        }
    }
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
        scrub(req, rules, ScrubMode::free_text_tail(), out);
        return;
    };
    let method = &req[..sp1];
    if method.is_empty()
        || !method
            .iter()
            .all(|b| b.is_ascii_uppercase() || *b == b'-' || *b == b'_')
    {
        scrub(req, rules, ScrubMode::free_text_tail(), out);
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

/// A line that did not parse: when it is a CLF line after all (a line of another layout in the file, one
/// with more trailing fields than the format names), it is rewritten as one, its trailing fields judged by
/// shape; otherwise free-text scrubbing, and when it still looks like `host ident user [`, ident and user
/// are blanked.
fn scrub_unparsed(line: &[u8], policy: &Policy, out: &mut Vec<u8>) {
    for vhost in [false, true] {
        let shape = crate::format::clf::ClfShape {
            vhost,
            combined: false,
        };
        if let Some(fields) = crate::format::clf::scan(line, shape) {
            rewrite_clf(line, &fields, policy, out);
            return;
        }
    }
    let rules = policy.rules();
    // `host ident user [` or `vhost host ident user [`: ident and user blanked, the client reduced.
    let words: Vec<&[u8]> = line.splitn(5, |&b| b == b' ').collect();
    for vhost in [false, true] {
        let n = 3 + usize::from(vhost);
        if words.len() > n && words[n].starts_with(b"[") && words[..n].iter().all(|w| !w.is_empty())
        {
            let rest = &line[words[..n].iter().map(|w| w.len() + 1).sum::<usize>()..];
            if vhost {
                scrub(words[0], rules, ScrubMode::PLAIN, out);
                out.push(b' ');
            }
            reduce_client(words[n - 3], rules, out);
            out.extend_from_slice(b" - - ");
            scrub(rest, rules, ScrubMode::free_text_tail(), out);
            return;
        }
    }
    // Anything else: the first word as a client field (a host name, an address, or junk shaped like one,
    // `4.83.226.437`), the rest as free text.
    // Only a dotted word: `5:00:01:39` (the tail of a wrapped line) is a time, not an address.
    let first = memchr::memchr(b' ', line).unwrap_or(line.len());
    if memchr::memchr(b'.', &line[..first]).is_none() {
        scrub(line, rules, ScrubMode::free_text(), out);
        return;
    }
    reduce_client(&line[..first], rules, out);
    scrub(&line[first..], rules, ScrubMode::free_text_tail(), out);
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
                r#""http://10.9.0.0/ref" "Bot/1.2.0.0 (+http://1.2.0.0/; :email)" "#,
                // Trailing fields have no name: an address list is reduced, anything else is `-`.
                r#""10.0.0.0, 203.0.0.0" "-""#
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
        let (out, _) = anon("4.83.226.437 - - [2016-09-15 15:50:37.2] \"-\" 408 -");
        assert_eq!(out, "4.83.0.0 - - [2016-09-15 15:50:37.2] \"-\" 408 -");
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
