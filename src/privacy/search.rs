//! Search terms (site search, search-engine keywords, campaign values) as they may appear in a report:
//! decoded, normalised, and scrubbed of what could identify the person who typed them.
//!
//! `scrub_search_term(b"Mail+Jane.Doe%40example.com+order+123456789", &rules)` → `mail :email order :num`.
//!
//! | in the term | becomes |
//! | --- | --- |
//! | an email address | `:email` |
//! | an IP address | reduced as by `--ip-mode` |
//! | a card-like number (Luhn) | `:card` |
//! | a phone number in a shape [`recognise`](super::recognise) knows (`0176-1234567`, `06 12 34 56 78`) | `:phone` |
//! | a long hex or base64 token, a JWT | `:token` |
//! | a run of 6 or more digits, also with single spaces or dashes between groups (phone, customer or order numbers) | `:num` |
//!
//! Normalisation: percent-escapes and `+` are decoded, the text is lower-cased, runs of white space become
//! one space, and the result is cut to [`MAX_TERM`] bytes. Invalid UTF-8 is replaced with U+FFFD.

use super::Rules;
use super::secrets::redact_in_place;
use super::text::scrub_plain;

/// What a long digit run becomes.
pub(crate) const NUM: &str = ":num";
/// Digit runs with at least this many digits become [`NUM`].
pub(crate) const MIN_DIGITS: usize = 6;
/// Longest term kept, in bytes (cut at a character boundary).
pub(crate) const MAX_TERM: usize = 100;

/// The normalised, scrubbed form of a raw (URL-encoded) search term; `None` when nothing is left.
pub(crate) fn scrub_search_term(raw: &[u8], rules: &Rules) -> Option<String> {
    let decoded = percent_decode(raw);
    let text = String::from_utf8_lossy(&decoded).to_lowercase();
    let normal = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if normal.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(normal.len());
    scrub_plain(normal.as_bytes(), rules, &mut out);
    redact_in_place(&mut out, 0);
    let mut out = String::from_utf8_lossy(&replace_digit_runs(&out)).into_owned();
    if out.len() > MAX_TERM {
        let mut cut = MAX_TERM;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
    }
    let out = out.trim();
    (!out.is_empty()).then(|| out.to_string())
}

/// Decodes `%XX` escapes and `+` (a space); a malformed escape is kept as it is.
pub(crate) fn percent_decode(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = raw
                    .get(i + 1..i + 3)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                    .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
                if let Some(b) = hex {
                    out.push(b);
                    i += 3;
                    continue;
                }
                out.push(b'%');
            }
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// Replaces every run of at least [`MIN_DIGITS`] digits, single spaces or dashes allowed between digit
/// groups (`0176-1234567`, `06 12 34 56 78`), with [`NUM`].
fn replace_digit_runs(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if !text[i].is_ascii_digit() {
            out.push(text[i]);
            i += 1;
            continue;
        }
        let (mut end, mut j, mut digits) = (i, i, 0);
        while j < text.len() {
            if text[j].is_ascii_digit() {
                digits += 1;
                j += 1;
                end = j;
            } else if matches!(text[j], b' ' | b'-')
                && text.get(j + 1).is_some_and(u8::is_ascii_digit)
            {
                j += 1;
            } else {
                break;
            }
        }
        if digits >= MIN_DIGITS {
            out.extend_from_slice(NUM.as_bytes());
        } else {
            out.extend_from_slice(&text[i..end]);
        }
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::privacy::detect::{Options, findings};

    fn s(raw: &str) -> Option<String> {
        scrub_search_term(raw.as_bytes(), &Rules::default())
    }

    #[test]
    fn normalised() {
        assert_eq!(s("Red+Shoes").as_deref(), Some("red shoes"));
        assert_eq!(
            s("%20%20caf%C3%A9%09au+lait ").as_deref(),
            Some("café au lait")
        );
        assert_eq!(s("100%+cotton").as_deref(), Some("100% cotton"));
        assert_eq!(s("iphone 15 pro").as_deref(), Some("iphone 15 pro"));
        assert_eq!(s("+%20+"), None);
        assert_eq!(s(&"ab ".repeat(60)).map(|t| t.len()), Some(MAX_TERM));
        assert_eq!(percent_decode(b"%4"), b"%4");
    }

    #[test]
    fn identifying_parts_are_scrubbed() {
        assert_eq!(
            s("Mail+Jane.Doe%40example.com+order+123456789").as_deref(),
            Some("mail :email order :num")
        );
        assert_eq!(s("call 0612345678").as_deref(), Some("call :num"));
        assert_eq!(s("call 0176-1234567").as_deref(), Some("call :phone"));
        assert_eq!(s("06 12 34 56 78 now").as_deref(), Some(":phone now"));
        assert_eq!(
            s("iphone 15 and 2024").as_deref(),
            Some("iphone 15 and 2024")
        );
        assert_eq!(
            s("reset d41d8cd98f00b204e9800998ecf8427e/item?q=x").as_deref(),
            Some("reset :token/item?q=x")
        );
        assert_eq!(
            s("4111 1111 1111 1111 expiry").as_deref(),
            Some(":card expiry")
        );
        assert_eq!(s("from 83.149.9.216").as_deref(), Some("from 83.149.0.0"));
        assert_eq!(
            s("reset d41d8cd98f00b204e9800998ecf8427e").as_deref(),
            Some("reset :token")
        );
    }

    #[test]
    fn output_passes_check() {
        for raw in [
            "jane%40example.com 4111111111111111 2001:db8::1 eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.x",
            "MRVMF7KydIvxMWfJIglgwHQwZsbG2IhRJ07sn9AkKUFSHS9EXAMPLE",
        ] {
            let out = s(raw).unwrap();
            assert!(
                findings(out.as_bytes(), &Options::default()).is_empty(),
                "{out}"
            );
        }
    }
}
