//! Secrets in URLs and free text: JSON Web Tokens, vendor API keys, card-like and phone numbers and long
//! hex or base64 tokens are replaced by placeholders, using exactly the spans
//! [`recognise::secret_spans`](super::recognise::secret_spans) reports, so `check` finds none of them in
//! `anonymize`'s output.
//!
//! | found | placeholder |
//! | --- | --- |
//! | `eyJ….eyJ….sig` | [`TOKEN`] |
//! | `d41d8cd98f00b204e9800998ecf8427e`, `MRVMF7KydIvxMWfJIglgwHQwZsbG2IhRJ07sn9Ak==` | [`TOKEN`] |
//! | `AKIAIOSFODNN7EXAMPLE`, `sk_live_…`, `ghp_…`, `xoxb-…`, `AIza…`, Slack and Discord webhook secrets | [`TOKEN`] |
//! | `4111 1111 1111 1111`, `4111+1111+1111+1111`, `4111.1111.1111.1111` | [`CARD`] |
//! | `+4915112345678`, `0151 1234 5678`, `(555) 123-4567` | [`PHONE`] |

use super::recognise::{Kind, may_hold_secret, secret_spans};

/// What a token or JWT is replaced with.
pub(crate) const TOKEN: &[u8] = b":token";
/// What a card-like number is replaced with.
pub(crate) const CARD: &[u8] = b":card";
/// What a UUID becomes (a URL path segment, a device id in a user agent).
pub(crate) const UUID: &[u8] = b":uuid";
/// What a phone number is replaced with.
pub(crate) const PHONE: &[u8] = b":phone";

/// The shortest secret: a phone number of 10 digits (`555-123-4567` has 12 bytes, `01511234567` 11).
const SHORTEST: usize = 10;

/// Replaces the secrets in `buf[from..]` in place. A placeholder is never longer than what it replaces
/// (tokens have 32 or more bytes, API keys 14 or more, card numbers 13 or more, phone numbers 10 or more),
/// so the buffer only shrinks.
#[inline]
pub(crate) fn redact_in_place(buf: &mut Vec<u8>, from: usize) {
    // No secret is shorter than a phone number: a client address never pays more.
    if buf.len() - from < SHORTEST || !may_hold_secret(&buf[from..]) {
        return;
    }
    let spans = secret_spans(&buf[from..]);
    if spans.is_empty() {
        return;
    }
    let mut write = from;
    let mut read = from;
    for (kind, range) in spans {
        let (start, end) = (from + range.start, from + range.end);
        buf.copy_within(read..start, write);
        write += start - read;
        let placeholder = match kind {
            Kind::Card => CARD,
            Kind::Phone => PHONE,
            _ => TOKEN,
        };
        debug_assert!(placeholder.len() <= end - start);
        buf[write..write + placeholder.len()].copy_from_slice(placeholder);
        write += placeholder.len();
        read = end;
    }
    let len = buf.len();
    buf.copy_within(read..len, write);
    buf.truncate(write + (len - read));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> String {
        let mut buf = b"keep|".to_vec();
        buf.extend_from_slice(s.as_bytes());
        redact_in_place(&mut buf, 5);
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn secrets_become_placeholders() {
        assert_eq!(
            r("/reset/d41d8cd98f00b204e9800998ecf8427e/x"),
            "keep|/reset/:token/x"
        );
        assert_eq!(r("pay 4111 1111 1111 1111 now"), "keep|pay :card now");
        assert_eq!(
            r("a eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmN b"),
            "keep|a :token b"
        );
        assert_eq!(r("k=AKIAIOSFODNN7EXAMPLE&x"), "keep|k=:token&x");
        assert_eq!(r("tel +4915112345678 x"), "keep|tel :phone x");
        assert_eq!(r("(555) 123-4567"), "keep|:phone");
        assert_eq!(r("c=4111.1111.1111.1111&"), "keep|c=:card&");
        assert_eq!(r("c=4111+1111+1111+1111&"), "keep|c=:card&");
        assert_eq!(
            r("Miss\tMRVMF7KydIvxMWfJIglgwHQwZsbG2IhRJ07sn9AkKUFSHS9EXAMPLE==\tx"),
            "keep|Miss\t:token\tx"
        );
    }

    #[test]
    fn ordinary_text_is_untouched() {
        for s in [
            "/images/launch-logo.gif",
            "Mozilla/5.0 (Windows NT 6.1) AppleWebKit/537.36 Chrome/32.0.1700.77",
            "/how-to-install-apache2-on-ubuntu-1404-server",
            "1431857103000",
        ] {
            assert_eq!(r(s), format!("keep|{s}"));
        }
    }

    #[test]
    fn redacting_twice_changes_nothing() {
        let once = r("x d41d8cd98f00b204e9800998ecf8427e 4111111111111111");
        let mut buf = once.clone().into_bytes();
        redact_in_place(&mut buf, 5);
        assert_eq!(String::from_utf8(buf).unwrap(), once);
    }
}
