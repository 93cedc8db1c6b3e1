//! Search terms (site search and search-engine keywords) as they may appear in a report: decoded,
//! normalised, and scrubbed of what could identify the person who typed them.
//!
//! `scrub_search_term(b"Mail+Jane.Doe%40example.com+order+123456789", &rules)` → `mail :email order :id`.
//!
//! | in the term | becomes |
//! | --- | --- |
//! | an email address | `:email` |
//! | an IP address | reduced as by `--ip-mode` |
//! | a card-like number (Luhn) | `:card` |
//! | a long hex or base64 token, a JWT | `:token` |
//! | a digit run of `--max-digits` or more (phone, customer or order numbers) | `:id` |
//!
//! Normalisation: percent-escapes and `+` are decoded, the text is lower-cased, and runs of white space
//! become one space. Invalid UTF-8 is replaced with U+FFFD.

use super::Rules;
use super::scrub::{Mode, scrub};
use super::secrets::redact_in_place;

/// What a long digit run becomes.
pub const ID: &str = ":id";

/// The normalised, scrubbed form of a raw (URL-encoded) search term; `None` when nothing is left.
pub fn scrub_search_term(raw: &[u8], rules: &Rules) -> Option<String> {
    let decoded = percent_decode(raw);
    let text = String::from_utf8_lossy(&decoded).to_lowercase();
    let normal = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if normal.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(normal.len());
    scrub(normal.as_bytes(), rules, Mode::PLAIN, &mut out);
    redact_in_place(&mut out, 0);
    let out = replace_digit_runs(&out, rules.paths.max_digits);
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// Decodes `%XX` escapes and `+`; a malformed escape is kept as it is.
fn percent_decode(raw: &[u8]) -> Vec<u8> {
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

/// Replaces every run of at least `min` ASCII digits with [`ID`].
fn replace_digit_runs(text: &[u8], min: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let run = text[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if run >= min {
            out.extend_from_slice(ID.as_bytes());
            i += run;
        } else if run > 0 {
            out.extend_from_slice(&text[i..i + run]);
            i += run;
        } else {
            out.push(text[i]);
            i += 1;
        }
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
    }

    #[test]
    fn identifying_parts_are_scrubbed() {
        assert_eq!(
            s("Mail+Jane.Doe%40example.com+order+123456789").as_deref(),
            Some("mail :email order :id")
        );
        assert_eq!(s("call 0612345678").as_deref(), Some("call :id"));
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
