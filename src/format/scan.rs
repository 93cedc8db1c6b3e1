//! Byte searches shared by the parsers, tuned for the short fields of log lines.
//!
//! Most fields of a log line (addresses, status codes, sizes, JSON keys) are a few bytes long: a
//! vectorised search spends more setting up than it saves on them. These look at the first
//! [`SHORT`] bytes eight at a time in a plain `u64` and hand only a longer field to `memchr`.

/// How many bytes are searched word by word before `memchr` takes over.
const SHORT: usize = 32;

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// A word with the high bit set in (at least) the lowest byte of `word` equal to `byte`; the lowest set
/// bit is always exact.
#[inline]
fn matches(word: u64, byte: u8) -> u64 {
    let x = word ^ (ONES * u64::from(byte));
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// The first offset in `hay` where `hit` finds a byte, searching up to [`SHORT`] bytes word by word.
/// `Err(n)`: none in the first `n` bytes.
#[inline]
fn short_search(
    hay: &[u8],
    hit: impl Fn(u64) -> u64,
    is: impl Fn(u8) -> bool,
) -> Result<usize, usize> {
    let short = hay.len().min(SHORT);
    let mut at = 0;
    while at + 8 <= short {
        let word = u64::from_le_bytes(hay[at..at + 8].try_into().expect("eight bytes"));
        let m = hit(word);
        if m != 0 {
            return Ok(at + (m.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    while at < short {
        if is(hay[at]) {
            return Ok(at);
        }
        at += 1;
    }
    Err(short)
}

/// Offset of the first `byte` in `hay`.
#[inline]
pub(super) fn find_byte(hay: &[u8], byte: u8) -> Option<usize> {
    match short_search(hay, |w| matches(w, byte), |c| c == byte) {
        Ok(at) => Some(at),
        Err(n) => memchr::memchr(byte, &hay[n..]).map(|off| n + off),
    }
}

/// Offset of the first `a` or `b` in `hay`.
#[inline]
pub(super) fn find_byte2(hay: &[u8], a: u8, b: u8) -> Option<usize> {
    match short_search(hay, |w| matches(w, a) | matches(w, b), |c| c == a || c == b) {
        Ok(at) => Some(at),
        Err(n) => memchr::memchr2(a, b, &hay[n..]).map(|off| n + off),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain answer, to check the word-by-word search against.
    fn naive(hay: &[u8], a: u8, b: u8) -> Option<usize> {
        hay.iter().position(|&c| c == a || c == b)
    }

    #[test]
    fn finds_the_first_byte_in_short_and_long_fields() {
        assert_eq!(find_byte(b"", b' '), None);
        assert_eq!(find_byte(b"1.2.3.4 -", b' '), Some(7));
        assert_eq!(find_byte(b"abc", b' '), None);
        let long = [vec![b'a'; 31], vec![b' '], vec![b'b'; 40], vec![b' ']].concat();
        assert_eq!(find_byte(&long, b' '), Some(31));
        assert_eq!(find_byte(&long[32..], b' '), Some(40));
        let longer = [vec![b'a'; 100], vec![b' ']].concat();
        assert_eq!(find_byte(&longer, b' '), Some(100));
        assert_eq!(find_byte(&longer[..100], b' '), None);
    }

    #[test]
    fn finds_the_first_of_two_bytes() {
        assert_eq!(find_byte2(br#"ab\"c""#, b'"', b'\\'), Some(2));
        assert_eq!(find_byte2(b"abc", b'"', b'\\'), None);
        let long = [vec![b'a'; 50], br#""x\"#.to_vec()].concat();
        assert_eq!(find_byte2(&long, b'\\', b'"'), Some(50));
        assert_eq!(find_byte2(&long[51..], b'\\', b'"'), Some(1));
    }

    #[test]
    fn agrees_with_a_plain_search_at_every_offset_and_byte_value() {
        // Bytes next to the searched ones (and 0x80 and up) are where a word trick goes wrong.
        let fill = [
            0x00, 0x01, b'!', b'#', b'[', b']', 0x7f, 0x80, 0xa2, 0xdc, 0xff,
        ];
        for len in 0..45 {
            for at in 0..=len {
                for &f in &fill {
                    let mut hay = vec![f; len];
                    if at < len {
                        hay[at] = b'"';
                    }
                    assert_eq!(find_byte(&hay, b'"'), naive(&hay, b'"', b'"'), "{hay:?}");
                    if at + 1 < len {
                        hay[at + 1] = b'\\';
                    }
                    assert_eq!(
                        find_byte2(&hay, b'\\', b'"'),
                        naive(&hay, b'"', b'\\'),
                        "{hay:?}"
                    );
                }
            }
        }
    }
}
