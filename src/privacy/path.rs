//! URL paths: identifying segments become placeholders and identifying path parameters are removed.
//!
//! | segment | becomes |
//! | --- | --- |
//! | a UUID (`8f14e45f-ceea-467f-a0e6-6f4a1b2c3d4e`) | [`UUID`] |
//! | only digits, at least `--max-digits` of them (default [`DEFAULT_MAX_DIGITS`]) | [`ID`] |
//! | an email address (also `%40`) | `:email` (the scrubber) |
//! | a long hex or base64 token, a JWT | `:token` ([`secrets`](super::secrets), over the whole URL) |
//! | `;jsessionid=…`, `;sid=…` (identifying path parameters) | removed |
//! | `;name=value` (other path parameters) | the value emptied unless `name` is on the query allow-list |
//! | after `reset`, `verify`, `confirm`, `token`, `invite`, `unsubscribe`, `activate`, `magic`…: 8 or more letters and digits, mixed | [`TOKEN`](super::secrets::TOKEN) |
//! | anything else | scrubbed (IPs reduced, emails redacted) |
//!
//! Short numeric segments (`/2015/05/17/`, `/page/2`, `/product/4711`) are kept: they are rarely personal
//! and page statistics need them.

use super::Rules;
use super::recognise::{is_identifying_param, is_uuid, survey};
pub(crate) use super::rules::{DEFAULT_MAX_DIGITS, MAX_DIGITS_RANGE};
pub(crate) use super::secrets::UUID;
use super::text::scrub_plain;

/// What a long numeric segment becomes.
pub(crate) const ID: &[u8] = b":id";
/// Writes the rewritten `path` (no query, no fragment) to `out`.
///
/// Returns true when the path may hold a secret (a token, JWT or card number), which the caller then
/// redacts ([`secrets`](super::secrets)); ordinary paths are looked at once, in one pass.
pub(crate) fn write_path(path: &[u8], rules: &Rules, out: &mut Vec<u8>) -> bool {
    // A UUID is a run of 36 token bytes, so it is covered by `secret`.
    let (secret, long_digits) = survey(path, rules.paths.max_digits);
    if !secret
        && !long_digits
        && rules.paths.rules.is_empty()
        && memchr::memchr(b';', path).is_none()
        && !has_link_token(path)
    {
        scrub_plain(path, rules, out);
        return false;
    }
    write_segments(path, rules, out);
    secret
}

/// Segments after which a single-use link's token follows (`/reset/Ab3dEf9hXk`, `/verify-email/…`).
const LINK_WORDS: &[&str] = &[
    "reset",
    "password-reset",
    "reset-password",
    "verify",
    "verify-email",
    "verification",
    "confirm",
    "confirmation",
    "confirm-email",
    "token",
    "invite",
    "invitation",
    "unsubscribe",
    "activate",
    "activation",
    "magic",
    "magic-link",
    "login",
    "signin",
    "auth",
    "otp",
];

fn is_link_word(seg: &[u8]) -> bool {
    (3..=16).contains(&seg.len())
        && matches!(
            seg[0].to_ascii_lowercase(),
            b'r' | b'p' | b'v' | b'c' | b't' | b'i' | b'u' | b'a' | b'm' | b'l' | b's' | b'o'
        )
        && LINK_WORDS
            .iter()
            .any(|w| w.as_bytes().eq_ignore_ascii_case(seg))
}

/// A single-use link's token: 8 or more letters, digits, `-` and `_`, with both letters and digits.
fn is_link_token(seg: &[u8]) -> bool {
    seg.len() >= 8
        && seg
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && seg.iter().any(u8::is_ascii_digit)
        && seg.iter().any(u8::is_ascii_alphabetic)
}

/// Where the segment or path parameter at the start of `rest` ends: at `/` or `;`, but not at the `;` of
/// an HTML character reference (`jo&commat;x.org`), which is decoded with the rest of the segment.
fn segment_end(rest: &[u8]) -> usize {
    let mut from = 0;
    loop {
        let Some(off) = memchr::memchr2(b'/', b';', &rest[from..]) else {
            return rest.len();
        };
        let end = from + off;
        let in_entity = rest[end] == b';'
            && memchr::memrchr(b'&', &rest[from..end]).is_some_and(|amp| {
                super::decode::escape_len(&rest[from + amp..]) == end + 1 - from - amp
            });
        if !in_entity {
            return end;
        }
        from = end + 1;
    }
}

/// True when some segment of `path` is a link token after a [link word](LINK_WORDS).
fn has_link_token(path: &[u8]) -> bool {
    // Segment ends found by memchr; only a segment of 8 bytes or more after a link word is looked at.
    let (mut prev, mut start) = (0, 0);
    for slash in memchr::memchr_iter(b'/', path).chain(std::iter::once(path.len())) {
        if slash - start >= 8
            && start > 0
            && is_link_word(&path[prev..start - 1])
            && is_link_token(&path[start..slash])
        {
            return true;
        }
        prev = start;
        start = slash + 1;
    }
    false
}

fn write_segments(path: &[u8], rules: &Rules, out: &mut Vec<u8>) {
    // The path's segments without their parameters, for the site's rules.
    let plain: Vec<&[u8]> = if rules.paths.rules.is_empty() {
        Vec::new()
    } else {
        path.split(|&b| b == b'/')
            .map(|seg| &seg[..memchr::memchr(b';', seg).unwrap_or(seg.len())])
            .collect()
    };
    let mut index = 0;
    let mut rest = path;
    let mut sep = None;
    let mut prev: &[u8] = b"";
    loop {
        let end = segment_end(rest);
        let token = &rest[..end];
        match sep {
            // A path parameter `name=value`: removed whole, with its `;`, when identifying.
            Some(b';') => {
                let name = &token[..memchr::memchr(b'=', token).unwrap_or(token.len())];
                if name.len() == token.len() {
                    out.push(b';');
                    scrub_plain(token, rules, out);
                } else if !is_identifying_param(name) {
                    out.push(b';');
                    scrub_plain(name, rules, out);
                    out.push(b'=');
                    if rules.params.keeps(name) {
                        scrub_plain(&token[name.len() + 1..], rules, out);
                    }
                }
            }
            Some(s) => {
                out.push(s);
                index += 1;
                match site_placeholder(rules, &plain, index) {
                    Some(p) => out.extend_from_slice(p),
                    None => write_segment(token, prev, rules, out),
                }
                prev = token;
            }
            None => {
                write_segment(token, prev, rules, out);
                prev = token;
            }
        }
        let Some(&next) = rest.get(end) else {
            return;
        };
        sep = Some(next);
        rest = &rest[end + 1..];
    }
}

/// The placeholder the first matching `--path-rule` gives segment `index`, if any.
fn site_placeholder<'a>(rules: &'a Rules, plain: &[&[u8]], index: usize) -> Option<&'a [u8]> {
    rules
        .paths
        .rules
        .iter()
        .find_map(|rule| rule.placeholder_for(plain, index))
}

fn write_segment(seg: &[u8], prev: &[u8], rules: &Rules, out: &mut Vec<u8>) {
    if is_uuid(seg) {
        out.extend_from_slice(UUID);
    } else if is_link_token(seg) && is_link_word(prev) {
        out.extend_from_slice(super::secrets::TOKEN);
    } else if seg.len() >= rules.paths.max_digits && seg.iter().all(u8::is_ascii_digit) {
        out.extend_from_slice(ID);
    } else {
        scrub_plain(seg, rules, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::privacy::{PathPolicy, PathRule};

    fn p(path: &str) -> String {
        let mut out = Vec::new();
        write_path(path.as_bytes(), &Rules::default(), &mut out);
        crate::privacy::secrets::redact_in_place(&mut out, 0);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn placeholders_for_identifying_segments() {
        assert_eq!(
            p("/orders/8f14e45f-ceea-467f-a0e6-6f4a1b2c3d4e/pay"),
            "/orders/:uuid/pay"
        );
        assert_eq!(p("/users/0612345678/profile"), "/users/:id/profile");
        assert_eq!(p("/u/123456789"), "/u/:id");
        assert_eq!(p("/u/jane@example.com/x"), "/u/:email/x");
    }

    #[test]
    fn ordinary_segments_are_kept() {
        for path in [
            "/2015/05/17/post",
            "/product/4711",
            "/page/12345678",
            "/images/launch-logo.gif",
            "/a;b/c",
            "/v1.2.3/x",
            "/8f14e45f-ceea-467f-a0e6-6f4a1b2c3d4e.png",
        ] {
            assert_eq!(p(path), path);
        }
    }

    #[test]
    fn identifying_path_parameters_are_removed() {
        assert_eq!(p("/shop/cart;jsessionid=0A1B2C3D4E5F"), "/shop/cart");
        assert_eq!(p("/a;JSESSIONID=abc/b;v=2;sid=9"), "/a/b;v=");
        assert_eq!(p("/a;jsessionid=x;v=1/b"), "/a;v=/b");
        assert_eq!(p("/a;lang=de/b"), "/a;lang=de/b");
    }

    #[test]
    fn single_use_link_tokens_become_placeholders() {
        assert_eq!(p("/reset/Ab3dEf9hXk"), "/reset/:token");
        assert_eq!(
            p("/account/verify-email/x7k2m9q4/done"),
            "/account/verify-email/:token/done"
        );
        assert_eq!(p("/Unsubscribe/a1b2c3d4e5"), "/Unsubscribe/:token");
        // Words and short or single-kind segments are pages.
        assert_eq!(p("/reset/password"), "/reset/password");
        assert_eq!(p("/login/help2"), "/login/help2");
        assert_eq!(p("/blog/Ab3dEf9hXk"), "/blog/Ab3dEf9hXk");
    }

    #[test]
    fn site_path_rules_replace_personal_segments() {
        let rules = Rules {
            paths: PathPolicy {
                rules: vec![
                    "/users/*=:user".parse().unwrap(),
                    "/t/*/files/*/=:name".parse().unwrap(),
                ],
                ..PathPolicy::default()
            },
            ..Rules::default()
        };
        let w = |path: &str| {
            let mut out = Vec::new();
            write_path(path.as_bytes(), &rules, &mut out);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(w("/users/jo.smith/edit"), "/users/:user/edit");
        assert_eq!(w("/Users/jo.smith;v=1"), "/Users/:user;v=");
        assert_eq!(w("/t/acme/files/cv-jo.pdf"), "/t/:name/files/:name");
        assert_eq!(w("/users/"), "/users/");
        assert_eq!(w("/about/users/jo"), "/about/users/jo");
        assert!("users/*=:u".parse::<PathRule>().is_err());
        assert!("/users/jo=:u".parse::<PathRule>().is_err());
        assert!("/users/*=a b".parse::<PathRule>().is_err());
    }

    #[test]
    fn max_digits_is_configurable() {
        let rules = Rules {
            paths: PathPolicy {
                max_digits: 4,
                ..PathPolicy::default()
            },
            ..Rules::default()
        };
        let mut out = Vec::new();
        write_path(b"/product/4711/2015", &rules, &mut out);
        assert_eq!(out, b"/product/:id/:id");
    }

    #[test]
    fn rewriting_twice_changes_nothing() {
        for path in [
            "/orders/8f14e45f-ceea-467f-a0e6-6f4a1b2c3d4e/123456789;jsessionid=x/a",
            "/u/jane@example.com;v=1;sid=2",
        ] {
            let once = p(path);
            assert_eq!(p(&once), once);
        }
    }
}
