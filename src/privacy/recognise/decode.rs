//! `check`'s own decoder: the text a browser, a server or a JSON reader would see, so that data hidden
//! behind an encoding is found. Written for the detector alone (the anonymiser has its own), so one
//! decoder's blind spot is not shared by the other.
//!
//! One pass reads `%XX` (percent-encoding), `+` (a space in a query), `&#64;`, `&#x40;` and named HTML
//! entities (`&commat;`, `&period;`, `&amp;`, …), and `\u0040`, `\x40`, `\/`, `\\` (JSON and C escapes). Passes
//! repeat while they change something, up to [`MAX_PASSES`], so `%2540` (`%` encoded once more) becomes
//! `@`. Every decoded byte remembers the byte of the original line it came from.

/// Most decoding passes: `%252540` (three layers) is the deepest nesting seen in the wild.
const MAX_PASSES: usize = 4;

/// A decoded line and, for each of its bytes, where it came from.
pub(super) struct Decoded {
    /// The decoded text.
    pub bytes: Vec<u8>,
    /// For each byte of `bytes`, the offset in the original line of the escape (or byte) it came from.
    from: Vec<usize>,
    /// Length of the original line.
    len: usize,
}

impl Decoded {
    /// The original offset of decoded byte `i`.
    pub(super) fn origin(&self, i: usize) -> usize {
        self.from.get(i).copied().unwrap_or(self.len)
    }

    /// The original offset just past decoded span `..end`.
    pub(super) fn origin_end(&self, end: usize) -> usize {
        self.from.get(end).copied().unwrap_or(self.len)
    }
}

/// True when `line` holds a byte that starts an escape this decoder reads.
fn has_escape(line: &[u8]) -> bool {
    memchr::memchr3(b'%', b'&', b'\\', line).is_some()
}

/// `line` decoded, or `None` when it holds nothing to decode (then scanning it as written is enough).
pub(super) fn decode(line: &[u8]) -> Option<Decoded> {
    if !has_escape(line) {
        return None;
    }
    let mut bytes = line.to_vec();
    let mut from: Vec<usize> = (0..line.len()).collect();
    let mut changed = false;
    for _ in 0..MAX_PASSES {
        match pass(&bytes, &from) {
            Some((b, f)) => {
                bytes = b;
                from = f;
                changed = true;
            }
            None => break,
        }
        if !has_escape(&bytes) {
            break;
        }
    }
    changed.then_some(Decoded {
        bytes,
        from,
        len: line.len(),
    })
}

/// One decoding pass over `text` (whose bytes came from `from`); `None` when nothing changed.
fn pass(text: &[u8], from: &[usize]) -> Option<(Vec<u8>, Vec<usize>)> {
    let mut out = Vec::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len());
    let mut changed = false;
    let mut i = 0;
    while i < text.len() {
        let origin = from[i];
        let (decoded, used) = match text[i] {
            b'%' => percent(&text[i..]),
            b'+' => (Some(Char::Byte(b' ')), 1),
            b'&' => entity(&text[i..]),
            b'\\' => backslash(&text[i..]),
            _ => (None, 1),
        };
        match decoded {
            Some(c) => {
                changed = true;
                let start = out.len();
                c.push(&mut out);
                map.resize(map.len() + (out.len() - start), origin);
                i += used;
            }
            None => {
                out.push(text[i]);
                map.push(origin);
                i += 1;
            }
        }
    }
    changed.then_some((out, map))
}

/// A decoded character: one byte (percent-encoding may give any byte), or a code point.
enum Char {
    Byte(u8),
    Code(u32),
}

impl Char {
    fn push(self, out: &mut Vec<u8>) {
        match self {
            Char::Byte(b) => out.push(b),
            Char::Code(c) => {
                let c = char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER);
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

fn hex(c: u8) -> Option<u32> {
    char::from(c).to_digit(16)
}

/// `%XX` at the start of `s`.
fn percent(s: &[u8]) -> (Option<Char>, usize) {
    match (
        s.get(1).and_then(|&c| hex(c)),
        s.get(2).and_then(|&c| hex(c)),
    ) {
        (Some(h), Some(l)) => (Some(Char::Byte((h * 16 + l) as u8)), 3),
        _ => (None, 1),
    }
}

/// `\uXXXX`, `\xXX` or `\/` at the start of `s`.
fn backslash(s: &[u8]) -> (Option<Char>, usize) {
    match s.get(1) {
        Some(b'u') | Some(b'U') if s.len() >= 6 => {
            let v = s[2..6]
                .iter()
                .try_fold(0u32, |acc, &c| hex(c).map(|d| acc * 16 + d));
            match v {
                Some(v) => (Some(Char::Code(v)), 6),
                None => (None, 1),
            }
        }
        Some(b'x') | Some(b'X') => match (
            s.get(2).and_then(|&c| hex(c)),
            s.get(3).and_then(|&c| hex(c)),
        ) {
            (Some(h), Some(l)) => (Some(Char::Byte((h * 16 + l) as u8)), 4),
            _ => (None, 1),
        },
        Some(b'/') => (Some(Char::Byte(b'/')), 2),
        // An escaped backslash: the next pass reads what it escaped (`\\u0040` in a JSON string).
        Some(b'\\') => (Some(Char::Byte(b'\\')), 2),
        _ => (None, 1),
    }
}

/// Named HTML entities that can hide the parts of an address, a URL or a number.
const NAMED: &[(&[u8], u8)] = &[
    (b"commat", b'@'),
    (b"period", b'.'),
    (b"colon", b':'),
    (b"sol", b'/'),
    (b"amp", b'&'),
    (b"quot", b'"'),
    (b"apos", b'\''),
    (b"lt", b'<'),
    (b"gt", b'>'),
    (b"percnt", b'%'),
    (b"plus", b'+'),
    (b"num", b'#'),
    (b"quest", b'?'),
    (b"equals", b'='),
    (b"lowbar", b'_'),
    (b"hyphen", b'-'),
    (b"dash", b'-'),
    (b"semi", b';'),
    (b"nbsp", b' '),
];

/// `&#64;`, `&#x40;` or `&name;` at the start of `s`.
fn entity(s: &[u8]) -> (Option<Char>, usize) {
    if s.get(1) == Some(&b'#') {
        let (radix, digits_at) = match s.get(2) {
            Some(b'x') | Some(b'X') => (16, 3),
            _ => (10, 2),
        };
        let digits = s[digits_at..]
            .iter()
            .take(7)
            .take_while(|&&c| char::from(c).is_digit(radix))
            .count();
        if digits == 0 {
            return (None, 1);
        }
        let mut v: u32 = 0;
        for &c in &s[digits_at..digits_at + digits] {
            v = v * radix + char::from(c).to_digit(radix).unwrap_or(0);
        }
        let mut used = digits_at + digits;
        if s.get(used) == Some(&b';') {
            used += 1;
        }
        return (Some(Char::Code(v)), used);
    }
    let name_len = s[1..]
        .iter()
        .take(8)
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    if s.get(1 + name_len) != Some(&b';') {
        return (None, 1);
    }
    let name = &s[1..1 + name_len];
    match NAMED.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
        Some(&(_, b)) => (Some(Char::Byte(b)), name_len + 2),
        None => (None, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> String {
        decode(s.as_bytes())
            .map(|d| String::from_utf8_lossy(&d.bytes).into_owned())
            .unwrap_or_else(|| s.to_string())
    }

    #[test]
    fn every_encoding_and_nesting() {
        assert_eq!(d("jo%40x.org"), "jo@x.org");
        assert_eq!(d("jo%2540x.org"), "jo@x.org");
        assert_eq!(d("jo%252540x.org"), "jo@x.org");
        assert_eq!(d("jo&#64;x&#x2E;org"), "jo@x.org");
        assert_eq!(d("jo&commat;x&period;org"), "jo@x.org");
        assert_eq!(d("jo\\u0040x.org"), "jo@x.org");
        assert_eq!(d("jo\\x40x.org"), "jo@x.org");
        assert_eq!(d("jo\\\\u0040x.org"), "jo@x.org");
        assert_eq!(d("203%2E0%252E113%2E9"), "203.0.113.9");
        assert_eq!(d("a+b%20c &amp;x"), "a b c &x");
        assert_eq!(d("100% &unknown; \\q"), "100% &unknown; \\q");
        assert!(decode(b"plain + text").is_none());
    }

    #[test]
    fn offsets_point_into_the_original() {
        let dec = decode(b"ab%2540cd").expect("decoded");
        assert_eq!(dec.bytes, b"ab@cd");
        assert_eq!(dec.origin(2), 2);
        assert_eq!(dec.origin(3), 7);
        assert_eq!(dec.origin_end(5), 9);
    }
}
