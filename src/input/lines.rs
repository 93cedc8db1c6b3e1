//! The one line loop: every command reads the lines of a chunk through [`lines`].
//!
//! A chunk holds whole lines (see [`crate::pipeline::chunks_of`]). A line ends at `\n`; a `\r` before it is
//! not part of the line (Windows logs), and the last line may lack its terminator. A line longer than
//! `--max-line-bytes` is still yielded whole, flagged [`Line::overlong`]: what to do with it (cut and
//! scrub it, count it, check its start) is the caller's policy.

/// One line of a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Line<'a> {
    /// Its number within the chunk, from 1.
    pub no: u64,
    /// Its bytes, without the `\n` or `\r\n` that ended it.
    pub text: &'a [u8],
    /// It ended with `\r\n`.
    pub crlf: bool,
    /// It is longer than the limit given to [`lines`].
    pub overlong: bool,
}

/// The lines of `chunk`, each flagged [`Line::overlong`] when longer than `max_line_bytes`.
pub(crate) fn lines(chunk: &[u8], max_line_bytes: usize) -> Lines<'_> {
    Lines {
        rest: chunk,
        no: 0,
        max_line_bytes,
    }
}

/// The iterator [`lines`] returns.
#[derive(Debug, Clone)]
pub(crate) struct Lines<'a> {
    rest: &'a [u8],
    no: u64,
    max_line_bytes: usize,
}

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;

    #[inline]
    fn next(&mut self) -> Option<Line<'a>> {
        if self.rest.is_empty() {
            return None;
        }
        let (raw, rest) = match memchr::memchr(b'\n', self.rest) {
            Some(i) => (&self.rest[..i], &self.rest[i + 1..]),
            None => (self.rest, &[][..]),
        };
        self.rest = rest;
        self.no += 1;
        let (text, crlf) = match raw.strip_suffix(b"\r") {
            Some(l) => (l, true),
            None => (raw, false),
        };
        Some(Line {
            no: self.no,
            text,
            crlf,
            overlong: text.len() > self.max_line_bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(chunk: &[u8], max: usize) -> Vec<(u64, &[u8], bool, bool)> {
        lines(chunk, max)
            .map(|l| (l.no, l.text, l.crlf, l.overlong))
            .collect()
    }

    #[test]
    fn lf_crlf_blank_and_a_last_line_without_newline() {
        assert_eq!(
            all(b"a\r\n\nbb\r\r\nlast", 10),
            vec![
                (1, &b"a"[..], true, false),
                (2, &b""[..], false, false),
                (3, &b"bb\r"[..], true, false),
                (4, &b"last"[..], false, false),
            ]
        );
        assert!(all(b"", 10).is_empty());
        assert_eq!(all(b"\n", 10), vec![(1, &b""[..], false, false)]);
    }

    #[test]
    fn overlong_is_measured_without_the_line_ending() {
        assert_eq!(
            all(b"abcd\r\nabcde\n", 4),
            vec![
                (1, &b"abcd"[..], true, false),
                (2, &b"abcde"[..], false, true)
            ]
        );
    }
}
