//! The free-text scrubber: finds IP addresses and email addresses anywhere in a byte string and reduces or
//! redacts them, and (optionally) empties query values that are not on the allow-list.
//!
//! It is used on fields with no structure of their own (user agents, trailing X-Forwarded-For fields, URL
//! paths) and on whole lines that did not parse. It never fails and is idempotent: scrubbing its own
//! output changes nothing.
//!
//! - IPv4 dotted quads (parts up to 255, leading zeros accepted) are reduced; `1.2.3.4.5` is not an address.
//! - IPv6 addresses (at least two colons, parsed by `std`) are reduced; a zone id (`%eth0`) is dropped.
//! - Email addresses, also with a percent-encoded `%40`, become [`EMAIL`].
//! - In [`Mode::free_text`], every `?query` has the values of non-allow-listed parameters emptied and the
//!   first token of the text, when it is a host name, is reduced to its registrable domain.
//! - In [`Mode::user_agent`], a dotted quad right after `/` is a version number (`Foo/1.2.3.4`), not an IP.

use super::Rules;
use super::host;
use super::ip::{parse_ipv4_prefix, parse_ipv6_prefix};
use super::url::rewrite_query;

/// What an email address is replaced with.
pub const EMAIL: &[u8] = b":email";

/// Which extra rules apply to a piece of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Mode {
    /// Treat `/1.2.3.4` as a version number (user agents).
    pub versions: bool,
    /// Apply the query allow-list to `?…` sequences.
    pub queries: bool,
    /// Reduce a leading host name to its registrable domain.
    pub leading_host: bool,
}

impl Mode {
    /// IPs and emails only (URL paths, fragments, query keys and kept values).
    pub const PLAIN: Mode = Mode {
        versions: false,
        queries: false,
        leading_host: false,
    };

    /// For user agents: IPs and emails, versions left alone.
    pub fn user_agent() -> Mode {
        Mode {
            versions: true,
            ..Mode::PLAIN
        }
    }

    /// For trailing fields and request lines of unknown shape: IPs, emails and queries.
    pub fn free_text_tail() -> Mode {
        Mode {
            queries: true,
            ..Mode::PLAIN
        }
    }

    /// For whole lines of unknown structure: every rule.
    pub fn free_text() -> Mode {
        Mode {
            versions: false,
            queries: true,
            leading_host: true,
        }
    }
}

/// Bytes that reveal something: `.` (inside an IPv4 address), `:` (inside an IPv6 address), `@` and `%`
/// (emails), `?` (queries). Addresses are found at their first separator and read from the digits before
/// it, so the common bytes (letters, digits, `/`) cost one table look-up each.
static TRIGGER: [bool; 256] = byte_table!(|c| matches!(c, b'.' | b':' | b'@' | b'%' | b'?'));
static HEXISH: [bool; 256] = byte_table!(|c| c.is_ascii_hexdigit() || c == b':' || c == b'.');
static LOCAL: [bool; 256] =
    byte_table!(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-'));
static DOMAIN: [bool; 256] = byte_table!(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-');

/// Scrubs `input` into `out` under `mode`.
pub fn scrub(input: &[u8], rules: &Rules, mode: Mode, out: &mut Vec<u8>) {
    let n = input.len();
    let mut pending = 0; // input[pending..i] is still to be copied
    let mut i = 0;
    if mode.leading_host {
        let end = memchr::memchr(b' ', input).unwrap_or(n);
        let first = &input[..end];
        if host::is_hostname(first) {
            let mark = out.len();
            if !host::write_registrable_domain(first, out) {
                out.truncate(mark);
                out.extend_from_slice(first);
            }
            pending = end;
            i = end;
        }
    }
    while i < n {
        let c = input[i];
        if !TRIGGER[c as usize] {
            i += 1;
            continue;
        }
        match c {
            b'@' => i = email(input, i, 1, &mut pending, out).unwrap_or(i + 1),
            b'%' if input.get(i + 1..i + 3).is_some_and(|h| h == b"40") => {
                i = email(input, i, 3, &mut pending, out).unwrap_or(i + 3)
            }
            b'?' if mode.queries => {
                let end = input[i + 1..]
                    .iter()
                    .position(|&b| matches!(b, b' ' | b'"' | b'\t' | b'#'))
                    .map_or(n, |p| i + 1 + p);
                out.extend_from_slice(&input[pending..=i]);
                rewrite_query(&input[i + 1..end], rules, out);
                pending = end;
                i = end;
            }
            b'.' | b':' => i = address(input, i, rules, mode, &mut pending, out),
            _ => i += 1,
        }
    }
    out.extend_from_slice(&input[pending..]);
}

/// Letters and digits: an address glued to them is part of a longer word (`v1.2.3.4`), not an address.
/// `_` and `-` are separators, so `ip_1.2.3.4` is still reduced (failing closed).
fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

/// Tries to read an IP address around position `i` (a digit or a colon). Returns where to continue.
fn address(
    input: &[u8],
    i: usize,
    rules: &Rules,
    mode: Mode,
    pending: &mut usize,
    out: &mut Vec<u8>,
) -> usize {
    // The address starts at most three digits before its first `.`, or four hex digits before its
    // first `:`, and never before what is already written.
    let (max_back, is_part): (usize, fn(&u8) -> bool) = if input[i] == b'.' {
        (3, u8::is_ascii_digit)
    } else {
        (4, u8::is_ascii_hexdigit)
    };
    let mut start = i;
    while start > *pending && i - start < max_back && is_part(&input[start - 1]) {
        start -= 1;
    }
    if start == i && input[i] == b'.' {
        return i + 1;
    }
    // A lone colon before an address is punctuation (`x :2001:db8::1`): the address starts after it.
    if start == i && input[i] == b':' && input.get(i + 1).is_some_and(|&b| b != b':') {
        return i + 1;
    }
    let boundary = match start.checked_sub(1).map(|p| input[p]) {
        None => true,
        // `Name/1.2.3.4` in a user agent is a version; `//1.2.3.4` is still a URL host.
        Some(b'/') => !(mode.versions && start >= 2 && is_word(input[start - 2])),
        Some(p) => !(is_word(p) || p == b'.'),
    };
    if !boundary {
        return i + 1;
    }
    let run_end = start
        + input[start..]
            .iter()
            .take_while(|&&b| HEXISH[b as usize])
            .count();
    let run = &input[start..run_end];
    let colons = run.iter().filter(|&&b| b == b':').count();
    if colons >= 2 {
        if let Some((ip, len)) = parse_ipv6_prefix(run) {
            let mut end = start + len;
            if input.get(end).is_some_and(|&b| is_word(b)) {
                return run_end.max(i + 1);
            }
            out.extend_from_slice(&input[*pending..start]);
            rules.ip.write_v6(out, ip);
            // Drop a zone id: `fe80::1%eth0`.
            if input.get(end) == Some(&b'%') && !input[end + 1..].starts_with(b"40") {
                end += 1 + input[end + 1..]
                    .iter()
                    .take_while(|&&b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'~' | b'-')
                    })
                    .count();
            }
            *pending = end;
            return end;
        }
        // Not an IPv6 address: an IPv4 address may still start here (`1.2.3.4::`); otherwise resume
        // right after this byte, so an address later in the run (`a:b:1.2.3.4`) is still tried.
        if input[i] != b'.' {
            return i + 1;
        }
    }
    if input[start].is_ascii_digit() {
        if let Some((ip, len)) = parse_ipv4_prefix(&input[start..]) {
            let end = start + len;
            // An address that ends a local part (`1.2.3.4@x.org`, `jo_1.2.3.4%40x.org`, found by
            // fuzzing) belongs to the email: reducing it alone would leave `1.2.0.0@x.org`, still an
            // address, and hide its start from the email rule.
            if let Some(sep) = at_sign(&input[end..]) {
                if let Some(next) = email(input, end, sep, pending, out) {
                    return next;
                }
            }
            if !input.get(end).is_some_and(|&b| is_word(b)) {
                out.extend_from_slice(&input[*pending..start]);
                rules.ip.write_v4(out, ip);
                *pending = end;
                return end;
            }
        }
    }
    i + 1
}

/// The length of the `@` or `%40` that `rest` starts with, if it starts with one.
fn at_sign(rest: &[u8]) -> Option<usize> {
    if rest.starts_with(b"@") {
        Some(1)
    } else if rest.starts_with(b"%40") {
        Some(3)
    } else {
        None
    }
}

/// The length of the email domain at the start of `run` (letters, digits, `.` and `-` after an `@`), if
/// there is one: it ends at the last `.` or `-` (or at the end of `run`) where what comes before is a
/// domain whose top-level domain is two letters or more and passes `tld_ok`. So in
/// `jo@mail.example.org.x9k2` the domain is `mail.example.org`, in `g@1.KK-4065` it is `1.KK` (found by
/// fuzzing: once `x9k2…` or `4065…`, a token or a number, was redacted, what was left was an address).
/// Shared with `check`'s detector, so that both see the same addresses.
pub(crate) fn email_domain_len(run: &[u8], tld_ok: impl Fn(&[u8]) -> bool) -> Option<usize> {
    let mut end = run.len();
    loop {
        while end > 0 && matches!(run[end - 1], b'.' | b'-') {
            end -= 1;
        }
        let domain = &run[..end];
        let dot = memchr::memrchr(b'.', domain)?;
        let tld = &domain[dot + 1..];
        if dot > 0 && tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic) && tld_ok(tld) {
            return Some(end);
        }
        end = memchr::memrchr2(b'.', b'-', domain)?;
    }
}

/// Tries to read an email address whose `@` (or `%40`, `sep` bytes long) is at `at`. When there is
/// one, it is redacted and the position after it returned; otherwise nothing is written.
fn email(
    input: &[u8],
    at: usize,
    sep: usize,
    pending: &mut usize,
    out: &mut Vec<u8>,
) -> Option<usize> {
    let mut start = at;
    while start > *pending && LOCAL[input[start - 1] as usize] {
        start -= 1;
    }
    let dstart = at + sep;
    let mut end = dstart;
    while end < input.len() && DOMAIN[input[end] as usize] {
        end += 1;
    }
    if start == at {
        return None;
    }
    end = dstart + email_domain_len(&input[dstart..end], |_| true)?;
    // Chained addresses (`a@b.io@c.org`, found by fuzzing): the rest goes too, or what follows the first
    // domain would read as an address of its own once the first is redacted.
    while let Some(next) = at_sign(&input[end..]) {
        end += next;
        while end < input.len() && DOMAIN[input[end] as usize] {
            end += 1;
        }
    }
    out.extend_from_slice(&input[*pending..start]);
    out.extend_from_slice(EMAIL);
    *pending = end;
    Some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(input: &str, mode: Mode) -> String {
        let mut out = Vec::new();
        scrub(input.as_bytes(), &Rules::default(), mode, &mut out);
        String::from_utf8(out).unwrap()
    }

    fn plain(input: &str) -> String {
        s(input, Mode::PLAIN)
    }

    #[test]
    fn reduces_ipv4_anywhere() {
        assert_eq!(
            plain("for 192.168.100.50 and 10.1.2.3:80"),
            "for 192.168.0.0 and 10.1.0.0:80"
        );
        assert_eq!(
            plain("10.0.0.2, 10.0.0.1, 85.181.35.98"),
            "10.0.0.0, 10.0.0.0, 85.181.0.0"
        );
        assert_eq!(plain("x=192.168.001.001;"), "x=192.168.0.0;");
        assert_eq!(plain("/ip/1.2.3.4/x"), "/ip/1.2.0.0/x");
        assert_eq!(plain("client:1.2.3.4"), "client:1.2.0.0");
    }

    #[test]
    fn leaves_things_that_are_not_addresses() {
        for text in [
            "version 1.2.3.4.5",
            "256.1.1.1",
            "Chrome/32.0.1700.77 Safari/537.36",
            "[17/May/2015:10:05:03 +0000]",
            "v1.2.3.4",
            "rv:49.0",
            "std::vec",
            "http://example.com:8080/a",
            "10:42:51",
        ] {
            assert_eq!(plain(text), text);
        }
    }

    #[test]
    fn user_agent_versions_are_not_addresses() {
        let ua = "Foo/1.2.3.4 (contact 5.6.7.8; +http://9.8.7.6/bot)";
        let kept = "Foo/1.2.3.4 (contact 5.6.0.0; +http://9.8.0.0/bot)";
        assert_eq!(s(ua, Mode::user_agent()), kept);
        assert_eq!(
            plain(ua),
            "Foo/1.2.0.0 (contact 5.6.0.0; +http://9.8.0.0/bot)"
        );
    }

    #[test]
    fn reduces_ipv6_anywhere() {
        assert_eq!(
            plain("from 2001:db8:85a3::8a2e:370:7334 ok"),
            "from 2001:db8:: ok"
        );
        assert_eq!(plain("[2001:db8::1]:443"), "[2001:db8::]:443");
        assert_eq!(plain("fe80::1%eth0 x"), "fe80:: x");
        assert_eq!(plain("::ffff:192.168.100.50"), "::ffff:192.168.0.0");
        assert_eq!(plain("a, 2001:DB8:1:2::1."), "a, 2001:db8::.");
        assert_eq!(plain("::1"), "::");
    }

    #[test]
    fn redacts_emails_also_percent_encoded() {
        assert_eq!(plain("/u/john.doe+x@example.com/p"), "/u/:email/p");
        assert_eq!(plain("mail=jane%40mail.example.org&x"), "mail=:email&x");
        assert_eq!(plain("a@b"), "a@b");
        assert_eq!(plain("@home"), "@home");
    }

    #[test]
    fn an_address_ending_a_local_part_goes_with_the_email() {
        // Found by fuzzing (url_rules): the IP was reduced on its own, leaving `10.9.0.0@…` behind.
        assert_eq!(plain("\u{89}@10.9.8.0@10.9.8.080a.jorg"), "\u{89}@:email");
        assert_eq!(plain("x 1.2.3.4@example.com y"), "x :email y");
        assert_eq!(plain("/u/jo_1.2.3.4%40example.com"), "/u/:email");
        // Not an email after all: the address is still reduced.
        assert_eq!(plain("1.2.3.4@home"), "1.2.0.0@home");
        assert_eq!(plain("2001:db8::1@example.com"), "2001:db8::@example.com");
    }

    #[test]
    fn an_email_ends_at_its_last_possible_top_level_domain() {
        // Found by fuzzing (url_rules): `.x9k2…` kept the whole thing from being an address until the
        // token was redacted.
        assert_eq!(plain("jo@mail.example.org.x9k2"), ":email.x9k2");
        assert_eq!(plain("jo@mail.example.org.9.x"), ":email.9.x");
        assert_eq!(plain("jo@1.2"), "jo@1.2");
        assert_eq!(plain("jo@org.x9"), "jo@org.x9");
        assert_eq!(plain("g@1.KK-4065656555165"), ":email-4065656555165");
        assert_eq!(plain("jo@a.example.co-uk"), ":email-uk");
    }

    #[test]
    fn free_text_rules() {
        let m = Mode::free_text();
        assert_eq!(s("haraway.ucet.ufl.edu - - [0", m), "ufl.edu - - [0");
        assert_eq!(
            s("133.43.96.45 - - [01/Aug/199", m),
            "133.43.0.0 - - [01/Aug/199"
        );
        assert_eq!(
            s("GET /a?token=abc&q=shoes HTTP/1.0", m),
            "GET /a?token=&q=shoes HTTP/1.0"
        );
    }

    #[test]
    fn idempotent_on_examples() {
        for text in [
            "haraway.ucet.ufl.edu 1.2.3.4 a@b.co ?x=1&q=2 fe80::1%eth0 ::ffff:1.2.3.4",
            "GET /a%40b.com?token=abc HTTP/1.1",
        ] {
            let once = s(text, Mode::free_text());
            assert_eq!(s(&once, Mode::free_text()), once);
        }
    }
}
