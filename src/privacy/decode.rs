//! Decoding before detecting: the scrubber looks for addresses, emails and secrets in the *decoded* form of
//! a field, so that `203%2E0%2E113%2E9`, `jo%2540example.com`, `jo&#64;example.com` and `jo\u0040example.com`
//! are found like their plain forms.
//!
//! | encoding | decoded | levels |
//! | --- | --- | --- |
//! | percent (`%2E`, `%40`, `%3A`) | the byte | up to [`MAX_LEVELS`] (`%2540` → `%40` → `@`) |
//! | HTML character references (`&#64;`, `&#x40;`, `&commat;`, `&period;`, `&colon;`, `&sol;`, `&amp;`) | the ASCII character | each level |
//! | JSON / JavaScript escapes (`\u0040`, `\/`) | the ASCII character | each level |
//!
//! Only escapes of ASCII characters are decoded (an escaped UTF-8 byte such as `%C3` is decoded too: it is one
//! byte). A [`View`] keeps, for every decoded byte, where its escape started in the original, so that what is
//! found can be replaced *in the field's own encoding*: the bytes around a finding are copied from the
//! original untouched.

/// How many times percent-encoding is undone (`%252540` is three levels).
pub(crate) const MAX_LEVELS: usize = 3;

/// A decoded field and the way back to the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct View {
    /// The decoded bytes.
    pub text: Vec<u8>,
    /// `starts[i]` is the offset in the original of the escape (or byte) that decoded byte `i` came from;
    /// `starts[text.len()]` is the original's length.
    pub starts: Vec<usize>,
}

impl View {
    /// The original bytes behind decoded bytes `from..to`.
    pub(crate) fn original<'a>(&self, original: &'a [u8], from: usize, to: usize) -> &'a [u8] {
        &original[self.starts[from]..self.starts[to]]
    }
}

/// True when `b` may hold an escape this module decodes: a cheap test (`%`, `&` or `\`).
#[inline]
pub(crate) fn may_be_encoded(b: &[u8]) -> bool {
    memchr::memchr3(b'%', b'&', b'\\', b).is_some()
}

/// The length of the escape at the start of `s` (`%2E`, `&#64;`, `\u0040`), or 1 when it starts with no
/// escape.
#[inline]
pub(crate) fn escape_len(s: &[u8]) -> usize {
    match s.first() {
        Some(b'%') => percent(s).1,
        Some(b'&') => entity(s).1,
        Some(b'\\') => escape(s).1,
        _ => 1,
    }
}

/// The decoded view of `input`, or `None` when nothing in it is an escape.
pub(crate) fn decode(input: &[u8]) -> Option<View> {
    let (mut text, mut starts) = decode_once(input)?;
    for _ in 1..MAX_LEVELS {
        let Some((next, next_starts)) = decode_once(&text) else {
            break;
        };
        // Compose: a byte of the new level starts where the byte of the previous level it came from starts.
        starts = next_starts.iter().map(|&s| starts[s]).collect();
        text = next;
    }
    Some(View { text, starts })
}

/// One level of decoding, with the start offsets in `input` of every decoded byte (plus `input.len()`).
fn decode_once(input: &[u8]) -> Option<(Vec<u8>, Vec<usize>)> {
    if !may_be_encoded(input) {
        return None;
    }
    let mut text = Vec::with_capacity(input.len());
    let mut starts = Vec::with_capacity(input.len() + 1);
    let mut changed = false;
    let mut i = 0;
    while i < input.len() {
        let (byte, len) = match input[i] {
            b'%' => percent(&input[i..]),
            b'&' => entity(&input[i..]),
            b'\\' => escape(&input[i..]),
            b => (b, 1),
        };
        changed |= len > 1;
        text.push(byte);
        starts.push(i);
        i += len;
    }
    starts.push(input.len());
    changed.then_some((text, starts))
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// `%XX`: the byte, 3 bytes long; anything else: `%` itself.
fn percent(s: &[u8]) -> (u8, usize) {
    match (
        s.get(1).copied().and_then(hex),
        s.get(2).copied().and_then(hex),
    ) {
        (Some(h), Some(l)) => (h << 4 | l, 3),
        _ => (b'%', 1),
    }
}

/// Named character references worth decoding: those that spell addresses, emails and URLs.
const ENTITIES: &[(&[u8], u8)] = &[
    (b"amp", b'&'),
    (b"commat", b'@'),
    (b"period", b'.'),
    (b"colon", b':'),
    (b"sol", b'/'),
    (b"quest", b'?'),
    (b"equals", b'='),
    (b"num", b'#'),
    (b"percnt", b'%'),
    (b"plus", b'+'),
    (b"lowbar", b'_'),
    (b"hyphen", b'-'),
    (b"dash", b'-'),
    (b"quot", b'"'),
    (b"apos", b'\''),
    (b"lt", b'<'),
    (b"gt", b'>'),
];

/// `&#64;`, `&#x40;`, `&commat;`: the ASCII character and the reference's length; anything else: `&`.
fn entity(s: &[u8]) -> (u8, usize) {
    let Some(semi) = s.iter().take(12).position(|&b| b == b';') else {
        return (b'&', 1);
    };
    let body = &s[1..semi];
    let value = if let Some(num) = body.strip_prefix(b"#") {
        let (digits, radix) = match num.first() {
            Some(b'x' | b'X') => (&num[1..], 16),
            _ => (num, 10),
        };
        std::str::from_utf8(digits)
            .ok()
            .filter(|d| !d.is_empty() && d.len() <= 6)
            .and_then(|d| u32::from_str_radix(d, radix).ok())
            .filter(|&v| v < 0x80)
            .map(|v| v as u8)
    } else {
        ENTITIES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(body))
            .map(|&(_, b)| b)
    };
    match value {
        Some(b) => (b, semi + 1),
        None => (b'&', 1),
    }
}

/// `\u0040` (ASCII only), `\/`, `\\`, `\x40`: the character and the escape's length; anything else: `\`.
fn escape(s: &[u8]) -> (u8, usize) {
    match s.get(1) {
        Some(b'u') => {
            let v = s.get(2..6).and_then(|h| {
                h.iter()
                    .try_fold(0u32, |acc, &c| hex(c).map(|d| acc << 4 | u32::from(d)))
            });
            match v {
                Some(v) if v < 0x80 => (v as u8, 6),
                _ => (b'\\', 1),
            }
        }
        Some(b'x') => match (
            s.get(2).copied().and_then(hex),
            s.get(3).copied().and_then(hex),
        ) {
            (Some(h), Some(l)) if h < 8 => (h << 4 | l, 4),
            _ => (b'\\', 1),
        },
        Some(b'/') => (b'/', 2),
        // An escaped backslash (`\\u0040` in a JSON string is `\u0040`, decoded at the next level).
        Some(b'\\') => (b'\\', 2),
        _ => (b'\\', 1),
    }
}

/// Percent-encodes the bytes of decoded text that would change the shape of a log line or URL if written
/// plain (space, quotes, `%`, `\`, `#`, `?`, controls and non-ASCII), so that text taken from a decoded
/// view can be written back into an encoded field.
///
/// `&` is written plain: the scrubber's replacements hold it only as the separator of a query rewritten
/// from the decoded text (which was split at every `&`, encoded or not). Encoding it would turn a separator
/// into data, which the next pass over the output reads differently (`?&%01.x` gave `?%26`, then `?`).
pub(crate) fn write_encoded(text: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in text {
        if b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'%' | b'\\' | b'#' | b'?') {
            out.push(b);
        } else {
            out.extend_from_slice(&[b'%', HEX[(b >> 4) as usize], HEX[(b & 15) as usize]]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<String> {
        decode(s.as_bytes()).map(|v| String::from_utf8_lossy(&v.text).into_owned())
    }

    #[test]
    fn decodes_every_encoding() {
        assert_eq!(d("203%2E0%2E113%2E9").as_deref(), Some("203.0.113.9"));
        assert_eq!(d("jo%2540example.com").as_deref(), Some("jo@example.com"));
        assert_eq!(d("jo%252540example.com").as_deref(), Some("jo@example.com"));
        assert_eq!(d("jo&#64;example.com").as_deref(), Some("jo@example.com"));
        assert_eq!(
            d("jo&#x40;example&period;com").as_deref(),
            Some("jo@example.com")
        );
        assert_eq!(d("jo\\u0040example.com").as_deref(), Some("jo@example.com"));
        assert_eq!(d("2001%3Adb8%3A%3A1").as_deref(), Some("2001:db8::1"));
        assert_eq!(d("a&amp;#64;b").as_deref(), Some("a@b"));
        assert_eq!(
            d("jo\\\\u0040example.com").as_deref(),
            Some("jo@example.com")
        );
    }

    #[test]
    fn leaves_what_is_not_an_escape() {
        assert_eq!(d("/plain/path"), None);
        assert_eq!(d("100% sure & done \\n"), None);
        assert_eq!(d("%zz&nope;\\u12"), None);
        assert_eq!(d("&#x1F600;"), None);
    }

    #[test]
    fn maps_back_to_the_original() {
        let input = b"a%2540b%2Ec";
        let v = decode(input).unwrap();
        assert_eq!(v.text, b"a@b.c");
        assert_eq!(v.original(input, 1, 2), b"%2540");
        assert_eq!(v.original(input, 2, 3), b"b");
        assert_eq!(v.original(input, 3, 5), b"%2Ec");
        assert_eq!(v.original(input, 0, 5), input);
    }

    #[test]
    fn writes_unsafe_bytes_encoded() {
        let mut out = Vec::new();
        write_encoded(b"a b\"c%d?x=1", &mut out);
        assert_eq!(out, b"a%20b%22c%25d%3Fx=1");
    }
}
