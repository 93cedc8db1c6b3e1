//! Picks a format for an input from its first lines.

use super::Format;

/// How many non-empty lines detection looks at.
pub const SAMPLE_LINES: usize = 50;

/// The outcome of detection: the preset and how many sampled lines it parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detection {
    /// The best preset.
    pub format: Format,
    /// Sampled lines it parsed.
    pub parsed: usize,
    /// Non-empty lines sampled.
    pub sampled: usize,
}

/// Detects the format of `head` (the first bytes of an input; a last partial line is ignored).
///
/// Each preset is tried on up to [`SAMPLE_LINES`] non-empty lines; the one that parses the most wins, ties
/// going to the earlier preset in [`Format::ALL`] (combined first). With nothing parsed, combined is used.
pub fn detect(head: &[u8]) -> Detection {
    let complete = match memchr::memrchr(b'\n', head) {
        Some(end) => &head[..end],
        None => head,
    };
    let sample: Vec<&[u8]> = complete
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.is_empty() && !l.starts_with(b"#"))
        .take(SAMPLE_LINES)
        .collect();
    let mut best = Detection {
        format: Format::Combined,
        parsed: 0,
        sampled: sample.len(),
    };
    for format in Format::ALL {
        let parsed = sample.iter().filter(|l| format.parse(l).is_some()).count();
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
    fn garbage_detects_nothing() {
        let d = detect(b"hello world\nnot a log\n");
        assert_eq!((d.parsed, d.sampled), (0, 2));
    }
}
