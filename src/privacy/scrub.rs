//! The free-text scrubber: finds IP addresses and email addresses anywhere in a byte string and reduces or
//! redacts them, and (optionally) empties query values that are not on the allow-list.
//!
//! It is used on fields with no structure of their own (user agents, trailing X-Forwarded-For fields, URL
//! paths) and on whole lines that did not parse. It never fails and is idempotent: scrubbing its own
//! output changes nothing.
//!
//! - IPv4 dotted quads (parts up to 255, leading zeros accepted) are reduced; `1.2.3.4.5` is not an address.
//! - IPv6 addresses (at least two colons, read as `std` reads them) are reduced; a zone id (`%eth0`) is
//!   dropped.
//! - Email addresses, also with a percent-encoded `%40`, become [`EMAIL`].
//! - In [`ScrubMode::free_text`], every `?query` has the values of non-allow-listed parameters emptied and the
//!   first token of the text, when it is a host name, is reduced to its registrable domain.
//! - In [`ScrubMode::user_agent`], a dotted quad right after `/` is a version number (`Foo/1.2.3.4`), not an IP.
//!
//! The scrubber itself is in [`text`](super::text), below the URL, path and host rules that call it on
//! their parts; this module, the field-level driver on top, hands it the host rule for leading host names.

use super::Rules;
use super::host::write_host;
use super::text::scrub_text;

pub(crate) use super::text::ScrubMode;

/// Scrubs `input` into `out` under `mode`.
///
/// Text holding an escape (`%2E`, `&#64;`, `\\u0040`) is decoded first ([`decode`](super::decode)) and
/// scrubbed in its decoded form, with queries treated as queries wherever they appear; what is found is
/// replaced in the input's own encoding (the bytes around it are copied untouched), and secrets (tokens,
/// card numbers) found in the decoded form become placeholders too.
pub(crate) fn scrub(input: &[u8], rules: &Rules, mode: ScrubMode, out: &mut Vec<u8>) {
    scrub_text(input, rules, mode, out, Some(write_host));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(input: &str, mode: ScrubMode) -> String {
        let mut out = Vec::new();
        scrub(input.as_bytes(), &Rules::default(), mode, &mut out);
        String::from_utf8(out).unwrap()
    }

    fn plain(input: &str) -> String {
        s(input, ScrubMode::PLAIN)
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
            "256.1.1.1",
            "Chrome/32.0.1700.77 Safari/537.36",
            "[17/May/2015:10:05:03 +0000]",
            "rv:49.0",
            "std::vec",
            "http://example.com:8080/a",
            "10:42:51",
        ] {
            assert_eq!(plain(text), text);
        }
    }

    #[test]
    fn addresses_glued_to_words_are_addresses() {
        // A version that is a valid address is reduced like one: an auditor plants `Foo/203.0.113.9`.
        let ua = "Foo/1.2.3.4 (contact 5.6.7.8; +http://9.8.7.6/bot) ip203.0.113.9 v1.2.3.4x";
        let want = "Foo/1.2.0.0 (contact 5.6.0.0; +http://9.8.0.0/bot) ip203.0.0.0 v1.2.0.0x";
        assert_eq!(s(ua, ScrubMode::user_agent()), want);
        assert_eq!(plain(ua), want);
        // Real versions are not addresses (a part over 255, or more digits after the fourth part).
        for ua in [
            "Chrome/32.0.1700.77 Safari/537.36",
            "YaBrowser/23.11.0.2419",
            "Chrome/120.0.0.0",
        ] {
            assert_eq!(s(ua, ScrubMode::user_agent()), ua);
        }
    }

    #[test]
    fn dashed_addresses_are_reduced() {
        assert_eq!(
            plain("/h/ec2-203-0-113-9.compute"),
            "/h/ec2-203-0-0-0.compute"
        );
        assert_eq!(plain("203-0-113-9.nip.io"), "203-0-0-0.nip.io");
        assert_eq!(plain("ip-2-203-0-113-9"), "ip-2-203-0-0-0");
        assert_eq!(plain("version 203.0.113.9.5"), "version 203.0.0.0.0");
        for text in [
            "2015-05-17-10",
            "how-to-1-2-3",
            "1-2-3-4567",
            "a-b-c",
            "1.2.3.4567",
        ] {
            assert_eq!(plain(text), text);
        }
    }

    #[test]
    fn device_ids_in_user_agents_become_placeholders() {
        let ua = "App/2.1 (idfa 6D92078A-8246-4BA4-AE5B-76104861E7DC; mac 00:1A:2b:3c:4D:5e; \
                  dev 9f86d081884c7d65; root@buildbox)";
        assert_eq!(
            s(ua, ScrubMode::user_agent()),
            "App/2.1 (idfa :uuid; mac :mac; dev :token; :email)"
        );
        assert_eq!(
            s("Mozilla%20jo%40mybox", ScrubMode::user_agent()),
            "Mozilla%20:email"
        );
    }

    #[test]
    fn escaped_text_is_decoded_before_detection() {
        assert_eq!(plain("Mozilla%20203.0.113.9"), "Mozilla%20203.0.0.0");
        assert_eq!(plain("a%2F203%2E0%2E113%2E9%2Fb"), "a%2F203.0.0.0%2Fb");
        assert_eq!(plain("jo%252540example.com x"), ":email x");
        assert_eq!(
            plain("{\"u\":\"jo\\u0040example.com\"}"),
            "{\"u\":\":email\"}"
        );
        assert_eq!(plain("100% sure"), "100% sure");
        assert_eq!(plain("caf%C3%A9"), "caf%C3%A9");
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
        let m = ScrubMode::free_text();
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
            let once = s(text, ScrubMode::free_text());
            assert_eq!(s(&once, ScrubMode::free_text()), once);
        }
    }
}
