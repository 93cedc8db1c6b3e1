//! Prefixes that collectors put before a log line: syslog (`Dec  6 23:00:01 web1 nginx[42]: `), Kubernetes
//! CRI (`2026-12-06T23:00:01.123456789Z stdout F `) and Docker's `json-file` driver
//! (`{"log":"<line>\n","stream":"stdout","time":"…"}`).
//!
//! A line that does not parse is tried once more without its prefix: the prefix is kept (syslog's host
//! and tag through the free-text scrubber; CRI's time, stream and flag as they are) and the line after it
//! is rewritten as any line is, so a user name in the `%u` field after a prefix becomes `-` like any other.
//! A Docker line is decoded from its JSON string, rewritten, and encoded back.

//! Prefixes that collectors put before a log line: syslog (`Dec  6 23:00:01 web1 nginx[42]: `, RFC 3164;
//! `<13>1 2026-12-06T23:00:01Z web1 nginx 42 - - `, RFC 5424), Kubernetes CRI
//! (`2026-12-06T23:00:01.123456789Z stdout F `), `docker compose logs` (`caddy  | `) and Docker's
//! `json-file` driver (`{"log":"<line>\n","stream":"stdout","time":"…"}`).
//!
//! Detection ([`super::detect`]) finds the prefix most sampled lines start with; parsers read the line
//! after it ([`super::LineParser::strip`]), and a line of any other input that does not parse is tried
//! once more without whatever prefix it has. The anonymiser keeps a prefix by allow-list
//! ([`Prefix::parts`]): times, the stream, the syslog priority and version, and program names of a safe
//! shape are kept; the syslog host is a field of its own (`syslog-host`), an address reduced, a name `-`
//! unless `--keep-field syslog-host`.

use std::ops::Range;

/// A collector's prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefix {
    /// Kubernetes CRI (containerd, CRI-O): `<RFC 3339 time> stdout|stderr F|P `.
    Cri,
    /// Syslog, RFC 3164 or RFC 5424 (no structured data).
    Syslog,
    /// `docker compose logs`: `<service> | `, the service name padded with spaces, maybe coloured.
    Compose,
    /// Docker's `json-file` driver: the line is a JSON string in a JSON object.
    DockerJson,
}

/// What the anonymiser does with one part of a prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Part {
    /// Kept as written (times, stream, priority, separators).
    Keep(Range<usize>),
    /// The syslog host: an address reduced, a name `-` unless `syslog-host` is allow-listed.
    Host(Range<usize>),
    /// A program name, process id or message id: kept when it has the shape of one, else `-`.
    Name(Range<usize>),
}

impl Part {
    /// The bytes of the line this part covers.
    pub(crate) fn range(&self) -> Range<usize> {
        let (Part::Keep(r) | Part::Host(r) | Part::Name(r)) = self;
        r.clone()
    }
}

impl Prefix {
    /// Every prefix, in the order a line is tested for them.
    pub const ALL: [Prefix; 4] = [
        Prefix::Cri,
        Prefix::Syslog,
        Prefix::Compose,
        Prefix::DockerJson,
    ];

    /// The prefix's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Prefix::Cri => "cri",
            Prefix::Syslog => "syslog",
            Prefix::Compose => "docker-compose",
            Prefix::DockerJson => "docker-json",
        }
    }

    /// The length of this prefix at the start of `line` (for Docker JSON: `None`, its line is decoded
    /// by [`decode_docker`]).
    #[inline]
    pub fn len(self, line: &[u8]) -> Option<usize> {
        match self {
            Prefix::Cri => cri_len(line),
            Prefix::Syslog => syslog_parts(line).map(|(len, _)| len),
            Prefix::Compose => compose_len(line),
            Prefix::DockerJson => None,
        }
    }

    /// True when `line` starts with this prefix.
    pub fn matches(self, line: &[u8]) -> bool {
        match self {
            Prefix::DockerJson => docker_log(line).is_some(),
            p => p.len(line).is_some(),
        }
    }

    /// The prefix at the start of `line`, if it has one.
    pub fn of(line: &[u8]) -> Option<Prefix> {
        Prefix::ALL.into_iter().find(|p| p.matches(line))
    }

    /// The parts of this prefix at the start of `line`, for the anonymiser; `None` for Docker JSON and
    /// a line without it.
    pub(crate) fn parts(self, line: &[u8]) -> Option<Vec<Part>> {
        match self {
            Prefix::Cri => cri_len(line).map(|l| vec![Part::Keep(0..l)]),
            Prefix::Syslog => syslog_parts(line).map(|(_, parts)| parts),
            // The service name is checked for its shape by `compose_len`.
            Prefix::Compose => compose_len(line).map(|l| vec![Part::Keep(0..l)]),
            Prefix::DockerJson => None,
        }
    }
}

/// The length of a syslog, CRI or compose prefix at the start of `line`, if it has one.
pub(crate) fn prefix_len(line: &[u8]) -> Option<usize> {
    [Prefix::Cri, Prefix::Syslog, Prefix::Compose]
        .into_iter()
        .find_map(|p| p.len(line))
}

/// True for a program, process or message name of a safe shape: 1 to 48 bytes of letters, digits and
/// `._/-`, with at most 6 digits in a row (a process id; longer runs may be a number that names someone).
pub(crate) fn is_safe_name(s: &[u8]) -> bool {
    let mut digits = 0;
    (1..=48).contains(&s.len())
        && s.iter().all(|&b| {
            digits = if b.is_ascii_digit() { digits + 1 } else { 0 };
            digits <= 6 && (b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'/' | b'-'))
        })
}

/// `<RFC 3339 time> stdout|stderr F|P `.
fn cri_len(line: &[u8]) -> Option<usize> {
    let sp = memchr::memchr(b' ', &line[..line.len().min(40)])?;
    let time = &line[..sp];
    if time.len() < 20
        || time[4] != b'-'
        || time[10] != b'T'
        || !time[..4].iter().all(u8::is_ascii_digit)
        || !time
            .iter()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b':' | b'T' | b'Z' | b'.' | b'+'))
    {
        return None;
    }
    let rest = &line[sp + 1..];
    let stream = [&b"stdout "[..], b"stderr "]
        .into_iter()
        .find(|s| rest.starts_with(s))?;
    let flag = &rest[stream.len()..];
    (flag.len() >= 2 && matches!(flag[0], b'F' | b'P') && flag[1] == b' ')
        .then_some(sp + 1 + stream.len() + 2)
}

/// `[ESC[…]]service[ESC[…]]  | ` (`docker compose logs`; the name padded to the longest service's).
fn compose_len(line: &[u8]) -> Option<usize> {
    let mut pos = ansi_len(line);
    let name = line[pos..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        .count();
    if name == 0 || name > 64 || !is_safe_name(&line[pos..pos + name]) {
        return None;
    }
    pos += name;
    pos += ansi_len(&line[pos..]);
    let pad = line[pos..].iter().take_while(|&&b| b == b' ').count();
    if pad == 0 {
        return None;
    }
    pos += pad;
    pos += ansi_len(&line[pos..]);
    if line.get(pos) != Some(&b'|') {
        return None;
    }
    pos += 1;
    pos += ansi_len(&line[pos..]);
    (line.get(pos) == Some(&b' ')).then_some(pos + 1)
}

/// The length of the ANSI escape sequences (`ESC [ params letter`) at the start of `s`.
fn ansi_len(s: &[u8]) -> usize {
    let mut pos = 0;
    while s.get(pos) == Some(&0x1b) && s.get(pos + 1) == Some(&b'[') {
        let params = s[pos + 2..]
            .iter()
            .take_while(|b| b.is_ascii_digit() || **b == b';')
            .count();
        match s.get(pos + 2 + params) {
            Some(b) if b.is_ascii_alphabetic() && params <= 16 => pos += 3 + params,
            _ => break,
        }
    }
    pos
}

/// A syslog prefix's length and parts: `[<PRI>]Mmm dd hh:mm:ss host tag[pid]: ` (RFC 3164) or
/// `<PRI>1 time host app procid msgid - ` (RFC 5424, no structured data).
fn syslog_parts(line: &[u8]) -> Option<(usize, Vec<Part>)> {
    let mut at = 0;
    if line.first() == Some(&b'<') {
        let close = memchr::memchr(b'>', &line[..line.len().min(6)])?;
        if close < 2 || !line[1..close].iter().all(u8::is_ascii_digit) {
            return None;
        }
        at = close + 1;
    }
    let rest = &line[at..];
    if rest.starts_with(b"1 ") && at > 0 {
        // RFC 5424: version, time, host, app, procid, msgid, then `-` for no structured data.
        let mut fields = Vec::with_capacity(5);
        let mut pos = at + 2;
        for _ in 0..5 {
            let len = memchr::memchr(b' ', &line[pos..])?;
            if len == 0 {
                return None;
            }
            fields.push(pos..pos + len);
            pos += len + 1;
        }
        if !line[pos..].starts_with(b"- ") {
            return None;
        }
        let time = &line[fields[0].clone()];
        if !(time == b"-"
            || time.first().is_some_and(u8::is_ascii_digit)
                && time.iter().all(|b| {
                    b.is_ascii_digit() || matches!(b, b'-' | b':' | b'T' | b'Z' | b'.' | b'+')
                }))
        {
            return None;
        }
        let mut parts = vec![Part::Keep(0..fields[1].start)];
        parts.push(Part::Host(fields[1].clone()));
        for f in &fields[2..] {
            parts.push(Part::Keep(f.start - 1..f.start));
            parts.push(Part::Name(f.clone()));
        }
        parts.push(Part::Keep(fields[4].end..pos + 2));
        return Some((pos + 2, parts));
    }
    // RFC 3164: `Mmm dd hh:mm:ss ` (the day may be space-padded).
    let month = rest.get(..4)?;
    if !month[..3].iter().all(u8::is_ascii_alphabetic) || month[3] != b' ' {
        return None;
    }
    let mut pos = 4 + usize::from(rest.get(4) == Some(&b' '));
    let day = rest[pos..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if !(1..=2).contains(&day) {
        return None;
    }
    pos += day;
    let clock = rest.get(pos..pos + 10)?;
    if clock[0] != b' '
        || clock[3] != b':'
        || clock[6] != b':'
        || clock[9] != b' '
        || ![1, 2, 4, 5, 7, 8]
            .iter()
            .all(|&i| clock[i].is_ascii_digit())
    {
        return None;
    }
    pos += 10;
    // Host, then the tag ending in `:`.
    let host = memchr::memchr(b' ', &rest[pos..])?;
    if host == 0 {
        return None;
    }
    let host_at = at + pos;
    pos += host + 1;
    let tag = memchr::memchr(b' ', &rest[pos..])?;
    if tag == 0 || rest[pos + tag - 1] != b':' {
        return None;
    }
    let tag_at = at + pos;
    let tag_end = tag_at + tag - 1;
    let mut parts = vec![
        Part::Keep(0..host_at),
        Part::Host(host_at..host_at + host),
        Part::Keep(host_at + host..tag_at),
    ];
    // `name[pid]`: the name and the pid judged apart, the brackets kept.
    let tag_text = &line[tag_at..tag_end];
    match (memchr::memchr(b'[', tag_text), tag_text.last()) {
        (Some(open), Some(b']')) if open > 0 => {
            parts.push(Part::Name(tag_at..tag_at + open));
            parts.push(Part::Keep(tag_at + open..tag_at + open + 1));
            parts.push(Part::Name(tag_at + open + 1..tag_end - 1));
            parts.push(Part::Keep(tag_end - 1..tag_end + 2));
        }
        _ => {
            parts.push(Part::Name(tag_at..tag_end));
            parts.push(Part::Keep(tag_end..tag_end + 2));
        }
    }
    Some((tag_end + 2, parts))
}

/// For a Docker `json-file` line, the span of the `log` string's content (still escaped).
pub(crate) fn docker_log(line: &[u8]) -> Option<std::ops::Range<usize>> {
    const OPEN: &[u8] = br#"{"log":""#;
    if !line.starts_with(OPEN) {
        return None;
    }
    let start = OPEN.len();
    let mut pos = start;
    loop {
        let at = pos + memchr::memchr2(b'"', b'\\', &line[pos..])?;
        if line[at] == b'\\' {
            pos = at + 2;
            continue;
        }
        return Some(start..at);
    }
}

/// Decodes a JSON string's content; `None` for an escape it does not know or a non-ASCII `\u`.
pub(crate) fn unescape(s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] != b'\\' {
            out.push(s[i]);
            i += 1;
            continue;
        }
        let c = *s.get(i + 1)?;
        i += 2;
        out.push(match c {
            b'"' | b'\\' | b'/' => c,
            b'n' => b'\n',
            b't' => b'\t',
            b'r' => b'\r',
            b'u' => {
                let hex = std::str::from_utf8(s.get(i..i + 4)?).ok()?;
                let v = u8::try_from(u16::from_str_radix(hex, 16).ok()?).ok()?;
                i += 4;
                if v >= 0x80 {
                    return None;
                }
                v
            }
            _ => return None,
        });
    }
    Some(out)
}

/// Encodes bytes as a JSON string's content.
pub(crate) fn escape(s: &[u8], out: &mut Vec<u8>) {
    for &b in s {
        match b {
            b'"' => out.extend_from_slice(br#"\""#),
            b'\\' => out.extend_from_slice(br"\\"),
            b'\n' => out.extend_from_slice(br"\n"),
            b'\t' => out.extend_from_slice(br"\t"),
            b'\r' => out.extend_from_slice(br"\r"),
            c if c < 0x20 => out.extend_from_slice(format!("\\u{c:04x}").as_bytes()),
            c => out.push(c),
        }
    }
}

/// A chunk of Docker `json-file` lines with each line's `log` string decoded in its place (its final
/// newline removed, any other newline or carriage return made a space so line numbers stay those of the
/// file). A line that is not a Docker JSON line, or whose string does not decode, is kept as it is: it
/// will not parse, and is counted so.
pub(crate) fn decode_docker_chunk(chunk: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(chunk.len());
    let mut rest = chunk;
    while !rest.is_empty() {
        let end = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
        let (line, next) = rest.split_at(end);
        rest = next;
        let body = line.strip_suffix(b"\n").unwrap_or(line);
        let body = body.strip_suffix(b"\r").unwrap_or(body);
        let decoded = docker_log(body).and_then(|span| unescape(&body[span]));
        match decoded {
            Some(mut text) => {
                while matches!(text.last(), Some(b'\n' | b'\r')) {
                    text.pop();
                }
                for b in &mut text {
                    if matches!(*b, b'\n' | b'\r') {
                        *b = b' ';
                    }
                }
                out.extend_from_slice(&text);
                if line.ends_with(b"\n") {
                    out.push(b'\n');
                }
            }
            None => out.extend_from_slice(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_measured() {
        for (line, want) in [
            (
                &b"Dec  6 23:00:01 web1 nginx[42]: 1.2.3.4 - bob"[..],
                Some(32),
            ),
            (b"Dec 16 23:00:01 web1 nginx: x", Some(28)),
            (b"<13>Dec 16 23:00:01 web1 nginx: x", Some(32)),
            (b"<13>1 2026-12-06T23:00:01Z web1 nginx 42 - - x", Some(45)),
            (b"2026-12-06T23:00:01.123456789Z stdout F 1.2.3.4", Some(40)),
            (b"2026-12-06T23:00:01.123456789Z stderr P x", Some(40)),
            (b"1.2.3.4 - bob [06/Dec/2026:23:00:01 +0000]", None),
            (b"Dec  6 23:00:01 web1", None),
            (b"", None),
        ] {
            assert_eq!(prefix_len(line), want, "{}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn docker_strings_round_trip() {
        let line = br#"{"log":"1.2.3.4 - bob \"GET / HTTP/1.1\"\n","stream":"stdout"}"#;
        let span = docker_log(line).unwrap();
        let inner = unescape(&line[span.clone()]).unwrap();
        assert_eq!(inner, b"1.2.3.4 - bob \"GET / HTTP/1.1\"\n");
        let mut back = Vec::new();
        escape(&inner, &mut back);
        assert_eq!(back, &line[span]);
        assert_eq!(unescape(br"\u00e9"), None);
        assert_eq!(unescape(br"\q"), None);
    }

    #[test]
    fn compose_prefixes_are_measured() {
        assert_eq!(compose_len(b"caddy  | {\"level\":\"info\"}"), Some(9));
        assert_eq!(compose_len(b"\x1b[2Kweb-1  | x"), Some(13));
        assert_eq!(compose_len(b"\x1b[36mweb-1\x1b[0m  | x"), Some(18));
        assert_eq!(
            compose_len(b"1.2.3.4 - - [06/Dec/2026:23:00:01 +0000]"),
            None
        );
        assert_eq!(compose_len(b"caddy | "), Some(8));
        assert_eq!(compose_len(b"caddy |x"), None);
        assert_eq!(Prefix::of(b"caddy  | x"), Some(Prefix::Compose));
        assert_eq!(
            Prefix::of(br#"{"log":"x\n","stream":"stdout"}"#),
            Some(Prefix::DockerJson)
        );
    }

    #[test]
    fn syslog_parts_put_the_host_and_names_apart() {
        let line = b"<13>Dec  6 23:00:01 10.1.2.3 nginx[42]: x";
        let (len, parts) = syslog_parts(line).unwrap();
        assert_eq!(&line[len..], b"x");
        let text = |r: &Range<usize>| String::from_utf8_lossy(&line[r.clone()]).into_owned();
        let shown: Vec<String> = parts
            .iter()
            .map(|p| match p {
                Part::Keep(r) => format!("K{}", text(r)),
                Part::Host(r) => format!("H{}", text(r)),
                Part::Name(r) => format!("N{}", text(r)),
            })
            .collect();
        assert_eq!(
            shown,
            [
                "K<13>Dec  6 23:00:01 ",
                "H10.1.2.3",
                "K ",
                "Nnginx",
                "K[",
                "N42",
                "K]: "
            ]
        );
        // The parts cover the prefix exactly, in order.
        let mut at = 0;
        for p in &parts {
            let (Part::Keep(r) | Part::Host(r) | Part::Name(r)) = p;
            assert_eq!(r.start, at);
            at = r.end;
        }
        assert_eq!(at, len);
        let rfc5424 = b"<13>1 2026-12-06T23:00:01Z web1 nginx 42 - - x";
        let (len, parts) = syslog_parts(rfc5424).unwrap();
        assert_eq!(len, 45);
        assert_eq!(parts[1], Part::Host(27..31));
        assert!(syslog_parts(b"<13>1 bob@example.com web1 nginx 42 - - x").is_none());
    }

    #[test]
    fn safe_names() {
        assert!(is_safe_name(b"nginx"));
        assert!(is_safe_name(b"419430"));
        assert!(!is_safe_name(b"4194304"));
        assert!(!is_safe_name(b"bob@example.com"));
        assert!(!is_safe_name(b""));
    }

    #[test]
    fn docker_chunks_decode_line_for_line() {
        let chunk = b"{\"log\":\"a \\\"b\\\"\\n\",\"stream\":\"stdout\"}\nnot docker\n{\"log\":\"c\\nd\\n\"}";
        assert_eq!(decode_docker_chunk(chunk), b"a \"b\"\nnot docker\nc d");
    }
}
