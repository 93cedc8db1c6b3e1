//! Cutting a line longer than `--max-line-bytes` so that no piece of personal data is left half cut.
//!
//! A line is cut *before* it is scrubbed (the reader never holds more than the limit of one line, so memory
//! stays bounded). A plain cut at the limit could split an address or an email (`…from 10.20.3`), leaving
//! a fragment the scrubber no longer recognises but that still tells most of the value. So the cut moves
//! back to the last space, tab or double quote at or before the limit (whatever followed it, up to the end
//! of the line, is dropped whole), and then drops trailing words made only of digits and dashes, so that
//! a card number written in groups (`4111 1111 1111 1111`) cannot lose only its last group. A line with no
//! such boundary before the limit is cut to nothing. What is kept is then scrubbed like any unparsable
//! line.

/// The part of `line` kept when it is longer than `limit` bytes: at most `limit` bytes, ending at a
/// boundary where no value was split (see the module docs). A line within the limit is returned whole.
pub(crate) fn cut_line(line: &[u8], limit: usize) -> &[u8] {
    if line.len() <= limit {
        return line;
    }
    // The byte at `limit` is the first one dropped: when it is itself a boundary, nothing is split.
    let end = if matches!(line[limit], b' ' | b'\t' | b'"') {
        limit
    } else {
        line[..limit]
            .iter()
            .rposition(|&b| matches!(b, b' ' | b'\t' | b'"'))
            .map_or(0, |i| i + 1)
    };
    let mut kept = &line[..end];
    // Drop trailing words made only of digits and dashes (a card number's groups, a phone number).
    loop {
        kept = kept.trim_ascii_end();
        let word = kept
            .iter()
            .rposition(|&b| matches!(b, b' ' | b'\t' | b'"'))
            .map_or(0, |i| i + 1);
        let last = &kept[word..];
        if last.is_empty() || !last.iter().all(|&b| b.is_ascii_digit() || b == b'-') {
            return kept;
        }
        kept = &kept[..word];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_within_the_limit_is_whole() {
        assert_eq!(cut_line(b"abc def", 7), b"abc def");
    }

    #[test]
    fn never_splits_an_address_or_an_email() {
        let line = b"GET /x from 10.20.30.40 by jo@example.org";
        for limit in 0..line.len() {
            let kept = cut_line(line, limit);
            assert!(kept.len() <= limit);
            let text = String::from_utf8_lossy(kept);
            assert!(
                !text.contains("10.") || text.contains("10.20.30.40"),
                "{text}"
            );
            assert!(
                !text.contains("jo") || text.contains("jo@example.org"),
                "{text}"
            );
        }
    }

    #[test]
    fn a_grouped_card_number_is_dropped_whole() {
        let line = b"pay 4111 1111 1111 1111 now";
        for limit in [10, 19, 23, 24] {
            assert_eq!(cut_line(line, limit), b"pay", "{limit}");
        }
        assert_eq!(cut_line(line, 27), line);
        assert_eq!(cut_line(b"a 10.20.30.40 b", 13), b"a 10.20.30.40");
    }

    #[test]
    fn no_boundary_means_nothing_kept() {
        assert_eq!(cut_line(&[b'x'; 100], 50), b"");
    }
}
