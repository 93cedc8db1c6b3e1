//! Picks a format for an input from its first lines.

use super::{Format, LineParser, Parsed, Prefix, w3c};

/// How many non-empty lines (W3C `#` directives aside) detection looks at.
pub(crate) const SAMPLE_LINES: usize = 50;

/// The outcome of detection: the preset, the collector's prefix before it, and how many sampled lines
/// they parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detection {
    /// The best preset.
    pub format: Format,
    /// The prefix before each line (syslog, CRI, `docker compose`, Docker JSON), when one was found.
    pub prefix: Option<Prefix>,
    /// Sampled lines it parsed.
    pub parsed: usize,
    /// Non-empty lines sampled (W3C `#` directives not counted).
    pub sampled: usize,
}

/// Detects the format of `head` (the first bytes of an input; a last partial line is ignored, unless no
/// other line is a record: a file whose only record has no final newline).
///
/// Each preset is tried on up to `SAMPLE_LINES` non-empty lines, W3C presets following the `#Fields:`
/// headers among them; the one that parses the most wins, ties going to the earlier preset in
/// [`Format::ALL`] (the stricter first). When most sampled lines start with one collector's prefix, the
/// presets are tried on the lines without it too, and the prefix is kept only when it parses more lines
/// (HAProxy reads its own syslog prefix). With nothing parsed, combined is used.
pub fn detect(head: &[u8]) -> Detection {
    let complete = complete_lines(head);
    let d = detect_lines(complete);
    if d.sampled == 0 && complete.len() < head.len() {
        return detect_lines(head);
    }
    d
}

/// [`detect`] on whole lines.
fn detect_lines(complete: &[u8]) -> Detection {
    let mut best = best_preset(&sample(complete), None);
    if let Some(prefix) = common_prefix(complete) {
        let stripped = strip_all(complete, prefix);
        let behind = best_preset(&sample(&stripped), Some(prefix));
        if behind.parsed > best.parsed {
            best = behind;
        }
    }
    best
}

/// The prefix of `head`'s lines a parser forced by the user reads them behind: the one most lines start
/// with, when `parser` parses more of the sampled lines without it than with it.
pub(crate) fn detect_prefix(head: &[u8], parser: &LineParser) -> Option<Prefix> {
    let complete = complete_lines(head);
    let prefix = common_prefix(complete)?;
    let stripped = strip_all(complete, prefix);
    (parsed_by(parser, &sample(&stripped)) > parsed_by(parser, &sample(complete))).then_some(prefix)
}

/// For a format string that parses none of the first `SAMPLE_LINES` non-empty lines of `head`: the first
/// of them and where it stops matching, in words that quote nothing of it (`%D does not have the shape
/// of a number`). `None` for a preset, or when a line parses.
pub(crate) fn no_line_parses(head: &[u8], parser: &LineParser) -> Option<Mismatch> {
    let spec = parser.format_string()?;
    let complete = complete_lines(head);
    let decoded;
    let text = if parser.prefix() == Some(Prefix::DockerJson) {
        decoded = super::prefix::decode_docker_chunk(complete);
        &decoded[..]
    } else {
        complete
    };
    let mut first = None;
    let mut sampled = 0;
    for (n, l) in text.split(|&b| b == b'\n').enumerate() {
        let l = l.strip_suffix(b"\r").unwrap_or(l);
        if l.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let l = parser.strip(l);
        let why = spec.mismatch(l)?;
        first.get_or_insert((n + 1, why));
        sampled += 1;
        if sampled == SAMPLE_LINES {
            break;
        }
    }
    let (line, why) = first?;
    let others = match sampled {
        1 => String::new(),
        n => format!("; none of the first {n} lines matches"),
    };
    Some(Mismatch {
        line: line as u64,
        reason: format!("line does not match the log format: {why}{others}"),
    })
}

/// A format string that matches no line of an input ([`no_line_parses`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub(crate) struct Mismatch {
    /// The 1-based number of the first non-empty line.
    pub(crate) line: u64,
    /// Where it stops matching, quoting nothing of it.
    pub(crate) reason: String,
}

fn complete_lines(head: &[u8]) -> &[u8] {
    match memchr::memrchr(b'\n', head) {
        Some(end) => &head[..end],
        None => head,
    }
}

/// Each sampled line, and whether it is a record (not a W3C `#` directive).
fn sample(complete: &[u8]) -> Vec<(&[u8], bool)> {
    let mut sample = Vec::new();
    let mut records = 0;
    for l in complete.split(|&b| b == b'\n') {
        let l = l.strip_suffix(b"\r").unwrap_or(l);
        if l.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let record = w3c::directive(l).is_none();
        if record {
            if records == SAMPLE_LINES {
                break;
            }
            records += 1;
        }
        sample.push((l, record));
    }
    sample
}

/// The prefix more than half of the first `SAMPLE_LINES` non-empty lines start with.
fn common_prefix(complete: &[u8]) -> Option<Prefix> {
    let lines: Vec<&[u8]> = sample(complete).into_iter().map(|(l, _)| l).collect();
    Prefix::ALL
        .into_iter()
        .find(|p| 2 * lines.iter().filter(|l| p.matches(l)).count() > lines.len())
}

/// `complete` with `prefix` taken off every line that has it.
fn strip_all(complete: &[u8], prefix: Prefix) -> Vec<u8> {
    if prefix == Prefix::DockerJson {
        return super::prefix::decode_docker_chunk(complete);
    }
    let mut out = Vec::with_capacity(complete.len());
    for l in complete.split(|&b| b == b'\n') {
        out.extend_from_slice(prefix.len(l).map_or(l, |len| &l[len..]));
        out.push(b'\n');
    }
    out
}

/// How many sampled records `parser` parses. Directives are parsed too (they set the W3C header), but a
/// preset that takes one for a record does not score by it (found by fuzzing: `#Fields1 - - [...` parsed
/// as common).
fn parsed_by(parser: &LineParser, sample: &[(&[u8], bool)]) -> usize {
    let mut chunk = parser.chunk(None);
    sample
        .iter()
        .filter(|(l, record)| matches!(chunk.parse(l), Parsed::Record(_)) && *record)
        .count()
}

fn best_preset(sample: &[(&[u8], bool)], prefix: Option<Prefix>) -> Detection {
    let mut best = Detection {
        format: Format::Combined,
        prefix,
        parsed: 0,
        sampled: sample.iter().filter(|(_, record)| *record).count(),
    };
    for format in Format::ALL {
        let parsed = parsed_by(&LineParser::forced(format), sample);
        if parsed > best.parsed {
            best.format = format;
            best.parsed = parsed;
        }
    }
    if best.parsed == 0 {
        best.prefix = None;
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_combined_common_and_vhost() {
        let combined =
            b"1.2.3.4 - - [07/Dec/2016:11:05:07 +0100] \"GET / HTTP/1.1\" 200 5 \"-\" \"UA\"\n";
        assert_eq!(detect(combined).format, Format::Combined);
        let common = b"1.2.3.4 - - [07/Dec/2016:11:05:07 +0100] \"GET / HTTP/1.1\" 200 5\n";
        assert_eq!(detect(common).format, Format::Common);
        let vhost = b"h.example:80 1.2.3.4 - - [07/Dec/2016:11:05:07 +0100] \"GET / HTTP/1.1\" 200 5 \"-\" \"UA\"\n";
        assert_eq!(detect(vhost).format, Format::VhostCombined);
    }

    #[test]
    fn detects_w3c_cloud_and_json() {
        let iis = b"#Software: IIS\n#Fields: date time c-ip cs-method cs-uri-stem sc-status\n2018-01-01 08:09:10 1.2.3.4 GET / 200\n";
        assert_eq!(detect(iis).format, Format::W3c);
        let cf = b"#Fields: date time c-ip cs-method cs-uri-stem sc-status\n2018-01-01\t08:09:10\t1.2.3.4\tGET\t/\t200\n";
        assert_eq!(detect(cf).format, Format::Cloudfront);
        let caddy = br#"{"ts":1.5,"request":{"remote_ip":"1.2.3.4","uri":"/"},"status":200}"#;
        assert_eq!(detect(&[&caddy[..], b"\n"].concat()).format, Format::Caddy);
        let xff = b"1.2.3.4 - - [07/Dec/2016:11:05:07 +0100] \"GET / HTTP/1.1\" 200 5 \"-\" \"UA\" \"5.6.7.8\"\n";
        assert_eq!(detect(xff).format, Format::NginxXff);
    }

    #[test]
    fn a_directive_is_never_counted_as_parsed() {
        // The fuzzer's input: one directive that the common preset took for a record, then a
        // partial line (sampled: no other line is a record).
        let head = b"\n#Fields1 - - [29/May/2017:19:02:48 +0000] \"GET /stringpatch H\x00\x0012071.1\" 404 612 \"-\"2\":a\x93\x91e2mo .\n 384.12";
        let d = detect(head);
        assert_eq!((d.parsed, d.sampled), (0, 1), "{d:?}");
        let d = detect(&head[..head.len() - 7]);
        assert_eq!((d.parsed, d.sampled), (0, 0), "{d:?}");
    }

    #[test]
    fn a_lone_record_without_final_newline_is_sampled() {
        let iis = b"#Fields: date time c-ip cs-method cs-uri-stem sc-status\n2018-01-01 08:09:10 1.2.3.4 GET / 200";
        assert_eq!(detect(iis).format, Format::W3c);
        assert_eq!((detect(iis).parsed, detect(iis).sampled), (1, 1));
    }

    #[test]
    fn formats_behind_a_prefix_are_detected() {
        let line = r#"1.2.3.4 - - [07/Dec/2016:11:05:07 +0100] "GET / HTTP/1.1" 200 5 "-" "UA""#;
        for (head, prefix) in [
            (
                format!("Dec  7 11:05:07 web1 nginx[42]: {line}\n"),
                Prefix::Syslog,
            ),
            (
                format!("2016-12-07T11:05:07.1Z stdout F {line}\n"),
                Prefix::Cri,
            ),
            (format!("web  | {line}\n"), Prefix::Compose),
            (
                format!(
                    "{{\"log\":\"{}\\n\",\"stream\":\"stdout\"}}\n",
                    line.replace('"', "\\\"")
                ),
                Prefix::DockerJson,
            ),
        ] {
            let d = detect(head.as_bytes());
            assert_eq!(
                (d.format, d.prefix, d.parsed),
                (Format::Combined, Some(prefix), 1),
                "{head}"
            );
        }
        // HAProxy reads its own syslog prefix: no prefix is taken off.
        let haproxy = b"Feb  6 12:14:14 localhost haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} \"GET /index.html HTTP/1.1\"\n";
        let d = detect(haproxy);
        assert_eq!((d.format, d.prefix), (Format::Haproxy, None));
    }

    #[test]
    fn ovh_is_told_apart_by_a_host_in_the_ident_slot() {
        let ovh = b"1.2.3.4 www.example.com theuser [10/Feb/2012:16:42:07 -0500] \"GET / HTTP/1.1\" 301 368 \"-\" \"UA\"\n";
        assert_eq!(detect(ovh).format, Format::Ovh);
        let combined = b"1.2.3.4 - theuser [10/Feb/2012:16:42:07 -0500] \"GET / HTTP/1.1\" 301 368 \"-\" \"UA\"\n";
        assert_eq!(detect(combined).format, Format::Combined);
        let ident = b"1.2.3.4 alice theuser [10/Feb/2012:16:42:07 -0500] \"GET / HTTP/1.1\" 301 368 \"-\" \"UA\"\n";
        assert_eq!(detect(ident).format, Format::Combined);
    }

    #[test]
    fn garbage_detects_nothing() {
        let d = detect(b"hello world\nnot a log\n");
        assert_eq!((d.parsed, d.sampled), (0, 2));
    }
}
