//! Prefixes that collectors put before a log line: syslog (`Dec  6 23:00:01 web1 nginx[42]: `), Kubernetes
//! CRI (`2026-12-06T23:00:01.123456789Z stdout F `) and Docker's `json-file` driver
//! (`{"log":"<line>\n","stream":"stdout","time":"…"}`).
//!
//! A line that does not parse is tried once more without its prefix: the prefix is kept (syslog's host
//! and tag through the free-text scrubber; CRI's time, stream and flag as they are) and the line after it
//! is rewritten as any line is, so a user name in the `%u` field after a prefix becomes `-` like any other.
//! A Docker line is decoded from its JSON string, rewritten, and encoded back.

/// The length of a syslog (RFC 3164 or 5424) or CRI prefix at the start of `line`, if it has one.
pub(crate) fn prefix_len(line: &[u8]) -> Option<usize> {
    cri_len(line).or_else(|| syslog_len(line))
}

/// `<RFC 3339 time> stdout|stderr F|P `.
fn cri_len(line: &[u8]) -> Option<usize> {
    let sp = memchr::memchr(b' ', line)?;
    let time = &line[..sp];
    if time.len() < 20
        || time[4] != b'-'
        || time[10] != b'T'
        || !time[..4].iter().all(u8::is_ascii_digit)
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

/// `[<PRI>]Mmm dd hh:mm:ss host tag[pid]: ` (RFC 3164) or
/// `<PRI>1 time host app procid msgid - ` (RFC 5424, no structured data).
fn syslog_len(line: &[u8]) -> Option<usize> {
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
        // RFC 5424: six header fields, then `-` for no structured data.
        let mut pos = at + 2;
        for _ in 0..5 {
            pos += memchr::memchr(b' ', &line[pos..])? + 1;
        }
        return line[pos..].starts_with(b"- ").then_some(pos + 2);
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
    if clock[0] != b' ' || clock[3] != b':' || clock[6] != b':' || clock[9] != b' ' {
        return None;
    }
    pos += 10;
    // Host, then the tag ending in `:`.
    let host = memchr::memchr(b' ', &rest[pos..])?;
    pos += host + 1;
    let tag = memchr::memchr(b' ', &rest[pos..])?;
    if tag == 0 || rest[pos + tag - 1] != b':' {
        return None;
    }
    Some(at + pos + tag + 1)
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
}
