//! What an input is, from its first bytes: compressed (and how), UTF-16, text, or something that cannot be
//! read as a log (an archive, an unknown compression, binary data), which is refused rather than scrubbed
//! byte for byte as if it were text (the privacy contract, rule 6).
//!
//! Only the first block is looked at ([`SNIFF_BYTES`]): a control byte further on, in a file that starts as
//! text, is read as part of a line and scrubbed with it.

use std::fmt;
use std::io;

/// Bytes looked at to tell what an input is: its first 8 KiB (as `grep` and `git` do to tell binary files).
pub(crate) const SNIFF_BYTES: usize = 8 << 10;

/// Bytes enough for every magic number of a compression logveil reads (bzip2's, the longest, is 10).
pub(crate) const MAGIC_BYTES: usize = 16;

/// A compression format, recognised by its magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// gzip (`1f 8b`).
    Gzip,
    /// Zstandard (`28 b5 2f fd`).
    Zstd,
    /// bzip2 (`BZh1`..`BZh9`, then a block or end-of-stream magic).
    Bzip2,
    /// xz (`fd 37 7a 58 5a 00`).
    Xz,
}

impl Compression {
    /// The format's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
            Compression::Bzip2 => "bzip2",
            Compression::Xz => "xz",
        }
    }
}

/// What the first bytes of an input say it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Sniffed {
    /// Text (UTF-8, ASCII, or another 8-bit encoding) without a byte order mark.
    Text,
    /// UTF-8 text starting with a byte order mark (`ef bb bf`), which is skipped.
    Utf8Bom,
    /// UTF-16 text, to transcode to UTF-8.
    Utf16 {
        /// Big-endian (`fe ff`) rather than little-endian (`ff fe`, Windows' default).
        big_endian: bool,
        /// Bytes of byte order mark to skip (2, or 0 when recognised by its zero bytes).
        bom: usize,
    },
    /// Compressed data, to decompress.
    Compressed(Compression),
    /// Cannot be read as a log.
    NotText(NotText),
}

/// Why an input cannot be read as a log. The message names what the input is and what to do; it never
/// quotes the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotText {
    what: String,
    advice: &'static str,
}

impl NotText {
    fn new(what: impl Into<String>, advice: &'static str) -> NotText {
        NotText {
            what: what.into(),
            advice,
        }
    }

    /// Compressed data found inside compressed data, which is decompressed once only.
    pub fn compressed(c: Compression) -> NotText {
        NotText::new(format!("{} data", c.name()), UNPACK)
    }

    /// The same reason, found inside `outer` (`gzip data`, `UTF-16 text`).
    pub fn inside(self, outer: &str) -> NotText {
        NotText {
            what: format!("{} inside {outer}", self.what),
            advice: self.advice,
        }
    }

    /// As an I/O error of kind `InvalidData`, to travel through the readers' `io::Result`s; the command
    /// turns it back into [`crate::error::Error::NotText`].
    pub fn into_io(self) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, self)
    }

    /// The reason carried by `e`, when `e` was made by [`NotText::into_io`].
    pub fn from_io(e: &io::Error) -> Option<&NotText> {
        e.get_ref()
            .and_then(|inner| inner.downcast_ref::<NotText>())
    }
}

impl fmt::Display for NotText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: cannot be read as a log; {}", self.what, self.advice)
    }
}

impl std::error::Error for NotText {}

const UNPACK: &str = "unpack it first";
const DECOMPRESS: &str = "decompress it first (logveil reads gzip, zstd, bzip2 and xz itself)";
const NOT_A_LOG: &str = "logveil reads text logs only";
const TO_UTF8: &str = "convert it to UTF-8 first";

/// The compression whose magic number `head` starts with.
pub(crate) fn compression(head: &[u8]) -> Option<Compression> {
    if head.starts_with(&[0x1f, 0x8b]) {
        Some(Compression::Gzip)
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Some(Compression::Zstd)
    } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
        Some(Compression::Xz)
    } else if is_bzip2(head) {
        Some(Compression::Bzip2)
    } else {
        None
    }
}

/// `BZh` and a block size digit, then the first block's magic (the digits of pi) or, for an empty stream,
/// the end-of-stream magic (those of the square root of pi): ten bytes, so that a text line starting `BZh9`
/// is not taken for bzip2.
fn is_bzip2(head: &[u8]) -> bool {
    const BLOCK: [u8; 6] = [0x31, 0x41, 0x59, 0x26, 0x53, 0x59];
    const END: [u8; 6] = [0x17, 0x72, 0x45, 0x38, 0x50, 0x90];
    head.len() >= 10
        && head.starts_with(b"BZh")
        && (b'1'..=b'9').contains(&head[3])
        && (head[4..10] == BLOCK || head[4..10] == END)
}

/// Archives and compressions logveil does not read, by magic number.
fn other_container(head: &[u8]) -> Option<NotText> {
    const KNOWN: &[(&[u8], &str, &str)] = &[
        (b"PK\x03\x04", "zip archive", UNPACK),
        (b"PK\x05\x06", "zip archive", UNPACK),
        (b"PK\x07\x08", "zip archive", UNPACK),
        (b"7z\xbc\xaf\x27\x1c", "7z archive", UNPACK),
        (b"Rar!\x1a\x07", "rar archive", UNPACK),
        (b"\x04\x22\x4d\x18", "lz4 data", DECOMPRESS),
        (b"\x02\x21\x4c\x18", "lz4 data", DECOMPRESS),
        (b"LZIP", "lzip data", DECOMPRESS),
        (b"\x1f\x9d", "compress (.Z) data", DECOMPRESS),
        (b"\x1f\xa0", "compress (.Z) data", DECOMPRESS),
        (b"\x89LZO\x00\r\n\x1a\n", "lzop data", DECOMPRESS),
        (b"MSCF", "cab archive", UNPACK),
        (b"!<arch>\n", "ar archive", UNPACK),
        (b"\xff\xfe\x00\x00", "UTF-32 text", TO_UTF8),
        (b"\x00\x00\xfe\xff", "UTF-32 text", TO_UTF8),
    ];
    if let Some((_, what, advice)) = KNOWN.iter().find(|(magic, _, _)| head.starts_with(magic)) {
        return Some(NotText::new(*what, advice));
    }
    // POSIX tar: `ustar` at offset 257 of the first header.
    if head.get(257..262) == Some(b"ustar") {
        return Some(NotText::new("tar archive", UNPACK));
    }
    None
}

/// Bytes that never occur in a text log: C0 controls other than tab, line feed, form feed, carriage return
/// and escape (kept for the colour sequences of application logs), and DEL. Web servers escape control
/// characters in what they log (`\x01`), so a raw one means binary data.
fn is_binary_byte(b: u8) -> bool {
    (b < 0x20 && !matches!(b, b'\t' | b'\n' | 0x0c | b'\r' | 0x1b)) || b == 0x7f
}

/// The first byte of `head` that is not text, as a reason (its value and offset are not personal data).
pub(crate) fn binary(head: &[u8]) -> Option<NotText> {
    let at = head.iter().position(|&b| is_binary_byte(b))?;
    let what = match head[at] {
        0 => format!("binary data (a NUL byte at offset {at})"),
        b => format!("binary data (control byte 0x{b:02x} at offset {at})"),
    };
    Some(NotText::new(what, NOT_A_LOG))
}

/// UTF-16 without a byte order mark, told by its zero bytes: text in Latin script has a zero in every
/// other byte (the high byte of each unit), at odd offsets for little-endian and even ones for big-endian.
/// Nine in ten units must look so, and the other half of the bytes must be almost free of zeros (a run of
/// zeros is binary, not UTF-16). `Some(big_endian)`.
fn utf16_by_zeros(head: &[u8]) -> Option<bool> {
    let units = head.len() / 2;
    if units < 2 {
        return None;
    }
    let (mut even, mut odd) = (0, 0);
    for pair in head.chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    let most = |n: usize| n * 10 >= units * 9;
    let few = |n: usize| n * 10 <= units;
    if most(odd) && few(even) {
        Some(false)
    } else if most(even) && few(odd) {
        Some(true)
    } else {
        None
    }
}

/// What an input whose first bytes are `head` (up to [`SNIFF_BYTES`]) is.
pub(crate) fn sniff(head: &[u8]) -> Sniffed {
    if let Some(c) = compression(head) {
        return Sniffed::Compressed(c);
    }
    if let Some(reason) = other_container(head) {
        return Sniffed::NotText(reason);
    }
    if head.starts_with(b"\xef\xbb\xbf") {
        return match binary(&head[3..]) {
            Some(reason) => Sniffed::NotText(reason),
            None => Sniffed::Utf8Bom,
        };
    }
    if head.starts_with(b"\xff\xfe") || head.starts_with(b"\xfe\xff") {
        let big_endian = head[0] == 0xfe;
        return utf16(head, big_endian, 2);
    }
    if let Some(big_endian) = utf16_by_zeros(head) {
        return utf16(head, big_endian, 0);
    }
    match binary(head) {
        Some(reason) => Sniffed::NotText(reason),
        None => Sniffed::Text,
    }
}

/// UTF-16, unless its text holds control characters.
fn utf16(head: &[u8], big_endian: bool, bom: usize) -> Sniffed {
    let text = super::utf16::transcode(&head[bom..], big_endian);
    match binary(&text) {
        Some(reason) => Sniffed::NotText(reason.inside("UTF-16 text")),
        None => Sniffed::Utf16 { big_endian, bom },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &[u8] = b"10.1.2.3 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 5\n";

    fn utf16le(s: &[u8]) -> Vec<u8> {
        s.iter().flat_map(|&b| [b, 0]).collect()
    }

    #[test]
    fn compressions_by_magic() {
        assert_eq!(
            sniff(b"\x1f\x8b\x08\x00"),
            Sniffed::Compressed(Compression::Gzip)
        );
        assert_eq!(
            sniff(b"\x28\xb5\x2f\xfd\x00"),
            Sniffed::Compressed(Compression::Zstd)
        );
        assert_eq!(
            sniff(b"\xfd7zXZ\x00\x00\x04"),
            Sniffed::Compressed(Compression::Xz)
        );
        assert_eq!(
            sniff(b"BZh91AY&SY\x01\x02"),
            Sniffed::Compressed(Compression::Bzip2)
        );
        // An empty bzip2 stream.
        assert_eq!(
            sniff(b"BZh9\x17\x72\x45\x38\x50\x90\x00\x00\x00\x00"),
            Sniffed::Compressed(Compression::Bzip2)
        );
        // A text line that happens to start like bzip2 is text.
        assert_eq!(sniff(b"BZh9 is not a header\n"), Sniffed::Text);
    }

    #[test]
    fn archives_and_other_compressions_are_named() {
        for (head, what) in [
            (&b"PK\x03\x04\x14\x00"[..], "zip archive"),
            (b"7z\xbc\xaf\x27\x1c\x00\x04", "7z archive"),
            (b"\x04\x22\x4d\x18\x64\x40", "lz4 data"),
            (b"LZIP\x01\x0c", "lzip data"),
            (b"Rar!\x1a\x07\x01\x00", "rar archive"),
        ] {
            let Sniffed::NotText(reason) = sniff(head) else {
                panic!("{what} not refused");
            };
            assert!(reason.to_string().starts_with(what), "{reason}");
        }
        let mut tar = vec![b'a'; 600];
        tar[257..262].copy_from_slice(b"ustar");
        assert!(
            matches!(sniff(&tar), Sniffed::NotText(r) if r.to_string().starts_with("tar archive"))
        );
    }

    #[test]
    fn control_bytes_are_binary_but_text_controls_are_not() {
        assert_eq!(sniff(LINE), Sniffed::Text);
        assert_eq!(
            sniff(b"a\tb\r\n\x0cc \x1b[1mbold\x1b[0m \xff\xfe latin-1 \xe9\n"),
            Sniffed::Text
        );
        let mut nul = LINE.to_vec();
        nul.extend_from_slice(b"x\0y\n");
        assert_eq!(
            sniff(&nul),
            Sniffed::NotText(NotText::new(
                format!("binary data (a NUL byte at offset {})", LINE.len() + 1),
                NOT_A_LOG
            ))
        );
        for b in [1u8, 8, 0x0b, 0x1f, 0x7f] {
            assert!(
                matches!(sniff(&[b'a', b, b'\n']), Sniffed::NotText(_)),
                "{b:#x}"
            );
        }
        assert_eq!(sniff(b""), Sniffed::Text);
    }

    #[test]
    fn utf16_with_and_without_byte_order_mark() {
        let le = utf16le(LINE);
        assert_eq!(
            sniff(&[&b"\xff\xfe"[..], &le].concat()),
            Sniffed::Utf16 {
                big_endian: false,
                bom: 2
            }
        );
        assert_eq!(
            sniff(&le),
            Sniffed::Utf16 {
                big_endian: false,
                bom: 0
            }
        );
        let be: Vec<u8> = LINE.iter().flat_map(|&b| [0, b]).collect();
        assert_eq!(
            sniff(&[&b"\xfe\xff"[..], &be].concat()),
            Sniffed::Utf16 {
                big_endian: true,
                bom: 2
            }
        );
        assert_eq!(
            sniff(&be),
            Sniffed::Utf16 {
                big_endian: true,
                bom: 0
            }
        );
        // Zeros all through are binary, not UTF-16; so is UTF-16 of control characters.
        assert!(matches!(sniff(&[0u8; 64]), Sniffed::NotText(_)));
        assert!(matches!(sniff(&utf16le(b"ab\x01cd")), Sniffed::NotText(_)));
        assert_eq!(sniff(b"\xef\xbb\xbfhello\n"), Sniffed::Utf8Bom);
    }
}
