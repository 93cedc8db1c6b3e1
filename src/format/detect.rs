//! Picks a format for an input from its first lines.

use super::{Format, LineParser, Parsed, w3c};

/// How many non-empty lines (W3C `#` directives aside) detection looks at.
pub(crate) const SAMPLE_LINES: usize = 50;

/// The outcome of detection: the preset and how many sampled lines it parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detection {
    /// The best preset.
    pub format: Format,
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
/// [`Format::ALL`] (the stricter first). With nothing parsed, combined is used.
pub fn detect(head: &[u8]) -> Detection {
    let complete = match memchr::memrchr(b'\n', head) {
        Some(end) => &head[..end],
        None => head,
    };
    let d = detect_lines(complete);
    if d.sampled == 0 && complete.len() < head.len() {
        return detect_lines(head);
    }
    d
}

/// [`detect`] on whole lines.
fn detect_lines(complete: &[u8]) -> Detection {
    // Each sampled line, and whether it is a record (not a W3C `#` directive).
    let mut sample: Vec<(&[u8], bool)> = Vec::new();
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
    let mut best = Detection {
        format: Format::Combined,
        parsed: 0,
        sampled: records,
    };
    for format in Format::ALL {
        let parser = LineParser::forced(format);
        let mut chunk = parser.chunk(None);
        let parsed = sample
            .iter()
            // Directives are parsed too (they set the W3C header), but a preset that takes one for a
            // record does not score by it (found by fuzzing: `#Fields1 - - [...` parsed as common).
            .filter(|(l, record)| matches!(chunk.parse(l), Parsed::Record(_)) && *record)
            .count();
        if parsed > best.parsed {
            best.format = format;
            best.parsed = parsed;
        }
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
    fn garbage_detects_nothing() {
        let d = detect(b"hello world\nnot a log\n");
        assert_eq!((d.parsed, d.sampled), (0, 2));
    }
}
