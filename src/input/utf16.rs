//! UTF-16 input transcoded to UTF-8 as it is read (Windows tools write UTF-16: PowerShell's `>`, some IIS
//! exports), so the lines reach the parser and the scrubber as text. An unpaired surrogate or a last odd
//! byte becomes U+FFFD.

use std::io::{self, Read};

/// Bytes of UTF-16 read at a time (each gives at most one and a half times as many bytes of UTF-8).
const READ_BYTES: usize = 64 << 10;

/// `bytes` of UTF-16 as UTF-8 (a last odd byte or an unpaired surrogate as U+FFFD).
pub(super) fn transcode(bytes: &[u8], big_endian: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() * 3 / 2);
    push_units(bytes, big_endian, &mut out);
    if bytes.len() % 2 == 1 {
        push_char(char::REPLACEMENT_CHARACTER, &mut out);
    }
    out
}

fn push_char(c: char, out: &mut Vec<u8>) {
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

/// Appends the whole units of `bytes` as UTF-8.
fn push_units(bytes: &[u8], big_endian: bool, out: &mut Vec<u8>) {
    let units = bytes.chunks_exact(2).map(|p| match big_endian {
        true => u16::from_be_bytes([p[0], p[1]]),
        false => u16::from_le_bytes([p[0], p[1]]),
    });
    for c in char::decode_utf16(units) {
        push_char(c.unwrap_or(char::REPLACEMENT_CHARACTER), out);
    }
}

/// A reader of UTF-16 giving UTF-8.
pub(super) struct Utf16Reader<R> {
    inner: R,
    big_endian: bool,
    /// UTF-16 bytes read but not yet transcoded (an odd byte, or a high surrogate waiting for its pair).
    raw: Vec<u8>,
    /// UTF-8 not yet returned, from `out[pos..]`.
    out: Vec<u8>,
    pos: usize,
    eof: bool,
}

impl<R: Read> Utf16Reader<R> {
    /// Transcodes `inner`, which must start after any byte order mark.
    pub(super) fn new(inner: R, big_endian: bool) -> Utf16Reader<R> {
        Utf16Reader {
            inner,
            big_endian,
            raw: Vec::with_capacity(READ_BYTES + 2),
            out: Vec::new(),
            pos: 0,
            eof: false,
        }
    }

    /// Reads more UTF-16 and transcodes what is complete of it into `out`.
    fn fill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.pos = 0;
        let kept = self.raw.len();
        self.raw.resize(kept + READ_BYTES, 0);
        let n = loop {
            match self.inner.read(&mut self.raw[kept..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.raw.truncate(kept);
                    return Err(e);
                }
            }
        };
        self.raw.truncate(kept + n);
        if n == 0 {
            self.eof = true;
            self.out = transcode(&self.raw, self.big_endian);
            self.raw.clear();
            return Ok(());
        }
        // Whole units only; a high surrogate at the end waits for the low one that follows it.
        let mut end = self.raw.len() & !1;
        if end >= 2 {
            let last = [self.raw[end - 2], self.raw[end - 1]];
            let last = match self.big_endian {
                true => u16::from_be_bytes(last),
                false => u16::from_le_bytes(last),
            };
            if (0xd800..0xdc00).contains(&last) {
                end -= 2;
            }
        }
        push_units(&self.raw[..end], self.big_endian, &mut self.out);
        self.raw.drain(..end);
        Ok(())
    }
}

impl<R: Read> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.out.len() {
            if self.eof {
                return Ok(0);
            }
            self.fill()?;
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader giving one byte at a time, so every unit and surrogate pair is split across reads.
    struct Bytewise<'a>(&'a [u8]);

    impl Read for Bytewise<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match (self.0.split_first(), buf.is_empty()) {
                (Some((&b, rest)), false) => {
                    buf[0] = b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    #[test]
    fn both_byte_orders_and_pairs_split_across_reads() {
        let text = "10.1.2.3 caf\u{e9} \u{1F600} \u{4e2d}\r\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        for (bytes, big_endian) in [(&le, false), (&be, true)] {
            assert_eq!(transcode(bytes, big_endian), text.as_bytes());
            let mut out = Vec::new();
            Utf16Reader::new(Bytewise(bytes), big_endian)
                .read_to_end(&mut out)
                .unwrap();
            assert_eq!(out, text.as_bytes());
        }
    }

    #[test]
    fn broken_units_become_replacement_characters() {
        // A lone high surrogate before `a`, a lone low surrogate, and an odd last byte.
        let bytes = [0x3d, 0xd8, b'a', 0, 0x00, 0xdc, b'b', 0, b'c'];
        let mut out = Vec::new();
        Utf16Reader::new(&bytes[..], false)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\u{fffd}a\u{fffd}b\u{fffd}"
        );
    }
}
