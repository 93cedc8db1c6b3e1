//! Unit tests of the detector: what each recogniser finds, and what it leaves alone.

use super::*;
use crate::privacy::IpPolicy;
use crate::privacy::recognise::secret_spans;

fn kinds(text: &str) -> Vec<(Kind, String)> {
    findings(text.as_bytes(), &Options::default())
        .into_iter()
        .map(|f| (f.kind, f.masked))
        .collect()
}

fn none(text: &str) {
    assert_eq!(kinds(text), vec![], "{text}");
}

fn one(text: &str, kind: Kind, masked: &str) {
    assert_eq!(kinds(text), vec![(kind, masked.to_string())], "{text}");
}

#[test]
fn full_ipv4_is_found_and_masked() {
    one("83.149.9.216 - - [17/May", Kind::Ipv4, "83.149.x.x");
    one("x=10.1.2.3:80", Kind::Ipv4, "10.1.x.x");
    one("client:1.2.3.4", Kind::Ipv4, "1.2.x.x");
    one("GET /ip/1.2.3.4 HTTP/1.1", Kind::Ipv4, "1.2.x.x");
    one("http://9.8.7.6/bot", Kind::Ipv4, "9.8.x.x");
    one("192.168.001.001", Kind::Ipv4, "192.168.x.x");
    one("83.149.0.1", Kind::Ipv4, "83.149.x.x");
}

#[test]
fn reduced_ipv4_is_clean() {
    none("83.149.0.0 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 5");
    // Pseudonyms from `--ip-mode pseudonymize` (reserved ranges, see `pseudonym`).
    none("241.18.200.7 ::ffff:250.1.2.3 100::1234:5678:9abc:def0");
    none("10.0.0.0, 203.0.0.0");
}

#[test]
fn the_prefix_decides_what_is_full() {
    let opts = Options {
        ip: IpPolicy::new(24, 48).unwrap(),
    };
    assert!(findings(b"1.2.3.0 2001:db8:1::", &opts).is_empty());
    assert_eq!(findings(b"1.2.3.4", &opts).len(), 1);
    assert_eq!(findings(b"1.2.3.0", &Options::default()).len(), 1);
}

#[test]
fn user_agents_and_versions_are_not_addresses() {
    none(
        "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) \
         Chrome/32.0.1700.77 Safari/537.36",
    );
    none("Foo/1.2.0.0 (compatible; Bar/10.20.0.0; +http://example.com/bot)");
    none("Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91");
    none("Mozilla/5.0 (X11; Linux x86_64; rv:49.0) Gecko/20100101 Firefox/49.0");
    none("version=1.2.3.4.5; v1.2.0.0, 256.1.1.1, 1.2.3.1234");
    none("[17/May/2015:10:05:03 +0000] 2015-05-17 10:05:03 10:42:51");
    none("std::vec http://example.com:8080/a 00:00:00:00:00:00");
    none("Dalvik/2.1.0 (Linux; U; Android 9; SM-G960F Build/PPR1.180610.011)");
    none("MSIE 9.0; Windows NT 6.1; Trident/5.0; .NET CLR 2.0.50727; .NET4.0C");
}

#[test]
fn ipv6_and_mapped_forms() {
    one(
        "from 2001:db8:85a3::8a2e:370:7334 ok",
        Kind::Ipv6,
        "2001:db8:x::x",
    );
    one("[2001:DB8::1]:443", Kind::Ipv6, "2001:db8:x::x");
    one("fe80::1%eth0", Kind::Ipv6, "fe80:0:x::x");
    one("x :2001:db8:1:2:3:4:5:6 y", Kind::Ipv6, "2001:db8:x::x");
    one("::ffff:192.168.100.50", Kind::Ipv6, "::ffff:192.168.x.x");
    none("2001:db8:: ::ffff:192.168.0.0 [2001:db8::]:443 ::");
}

#[test]
fn emails_also_percent_encoded() {
    one("/u/john.doe+x@example.com/p", Kind::Email, "j***@***.com");
    one("mail%40example.org", Kind::Email, "m***@***.org");
    one("?q=jane%40mail.example.org", Kind::Email, "j***@***.org");
    none("a@b @home logo@2x.png icon@3x.JPG /u/:email/p");
    // As the scrubber reads them: the domain ends where a top-level domain can end.
    one("x jo@mail.example.org.x9k2 y", Kind::Email, "j***@***.org");
    one("x g@1.KK-4 y", Kind::Email, "g***@***.KK");
}

#[test]
fn identifying_parameters() {
    one("GET /a?token=s3cr3t&q=boots", Kind::Param, "token=***");
    one("/x;jsessionid=0123ABCD?x=1", Kind::Param, "jsessionid=***");
    one("/a?b=1&Access_Token=xyz", Kind::Param, "Access_Token=***");
    one("Cookie: a=1; PHPSESSID=abc", Kind::Param, "PHPSESSID=***");
    none("GET /a?token=&q=boots&page=2&utm_source=mail&session=-");
    none("/a?keyword=x&code_view=1&sort=asc");
}

#[test]
fn jwts() {
    let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    one(
        &format!("Authorization: Bearer {jwt}"),
        Kind::Auth,
        "Bearer ***",
    );
    one(&format!("/cb?x=1 {jwt}"), Kind::Jwt, "eyJ***.***.***");
    none("eyJhbGciOi only a header");
}

#[test]
fn cards_need_a_prefix_and_luhn() {
    one("pay 4111111111111111 now", Kind::Card, "4*** (16 digits)");
    one("4111 1111 1111 1111", Kind::Card, "4*** (16 digits)");
    one("5555-5555-5555-4444", Kind::Card, "5*** (16 digits)");
    one("378282246310005", Kind::Card, "3*** (15 digits)");
    none("4111111111111112"); // fails Luhn
    none("1431857103000 1234567890123456"); // epoch ms, no issuer prefix
    none("304 0 0 1234 5678 9012"); // status and sizes, not a grouped number
    none("4111111111111111.5 x4111111111111111");
    none("-% 4357 1043 2711 87 0 0"); // netnea timings, a 4-4-4-2 grouping
    none("\"3004162128217401\""); // Diners-like session id
    none("5555555555554444555"); // Mastercard has 16 digits
}

#[test]
fn long_tokens() {
    one(
        "/reset/d41d8cd98f00b204e9800998ecf8427e/x",
        Kind::Token,
        "*** (32 chars)",
    );
    one(
        "id=AbCdEfGh12345678IjKlMnOp90QrStUvWx",
        Kind::Token,
        "*** (34 chars)",
    );
    one(
        "/commit/da39a3ee5e6b4b0d3255bfef95601890afd80709",
        Kind::Token,
        "*** (40 chars)",
    );
    none(
        "/assets/application-4b6c3df2e1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4.css",
    );
    none("/how-to-install-apache2-on-ubuntu-1404-server-with-php7");
    none("/How-To-Install-Apache2-On-Ubuntu-1404-Server");
    none("%88-Front-Control-Countertop-Dishwasher-DTP-80960");
    none("/o/8f14e45f-ceea-467f-a0e6-6f4a1b2c3d4e");
    none("AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36");
}

#[test]
fn positions_are_one_based_and_per_line() {
    let f = findings(b"ok\nxx 1.2.3.4 a@b.com\n", &Options::default());
    let at: Vec<_> = f.iter().map(|f| (f.line, f.column, f.kind)).collect();
    assert_eq!(at, vec![(2, 4, Kind::Ipv4), (2, 12, Kind::Email)]);
}

proptest::proptest! {
    /// The cheap pre-test never hides a secret the full scan would find.
    #[test]
    fn the_pre_test_is_a_superset(text in "([A-Za-z0-9+_ -]{0,40}[./?&=;:]?){0,6}") {
        if !may_hold_secret(text.as_bytes()) {
            proptest::prop_assert!(secret_spans(text.as_bytes()).is_empty(), "{}", text);
        }
    }
}

#[test]
fn masks_never_hold_the_raw_value() {
    let raw = "83.149.9.216 jane.doe@example.com ?token=s3cr3t 4111111111111111 \
               d41d8cd98f00b204e9800998ecf8427e 2001:db8:85a3::8a2e:370:7334";
    let f = findings(raw.as_bytes(), &Options::default());
    assert_eq!(f.len(), 6);
    for secret in [
        "9.216", "jane.doe", "example", "s3cr3t", "1111", "d41d8", "8a2e", "7334",
    ] {
        assert!(
            f.iter().all(|f| !f.masked.contains(secret)),
            "{secret} leaked: {f:?}"
        );
    }
}

fn found(text: &str) -> Vec<Kind> {
    kinds(text).into_iter().map(|(k, _)| k).collect()
}

#[test]
fn glued_dashed_hex_and_integer_addresses() {
    one("ip203.0.113.9", Kind::Ipv4, "203.0.x.x");
    one("Foo/203.0.113.9 (x)", Kind::Ipv4, "203.0.x.x");
    one(
        "ec2-203-0-113-9.compute-1.amazonaws.com",
        Kind::Ipv4,
        "203.0.x.x",
    );
    one("http://203-0-113-9.nip.io/", Kind::Ipv4, "203.0.x.x");
    one("x cb007109.nip.io y", Kind::Ipv4, "x.x.x.x (8 chars)");
    one("to 0xcb007109 y", Kind::Ipv4, "x.x.x.x (10 chars)");
    one("http://3405803785/a", Kind::Ipv4, "x.x.x.x (10 chars)");
    none("ec2-203-0-0-0.compute-1.amazonaws.com 203-0-0-0.nip.io 203.0.0.0");
    none("2015-05-17-10.log /a-1-2-3-4");
}

#[test]
fn malformed_client_addresses() {
    one("9.88.198.940 - - [x]", Kind::Ipv4, "9.88.x.x");
    one("1.2.3 - - [x]", Kind::Ipv4, "1.2.x.x");
    one("\"1.2.3.4.5\"", Kind::Ipv4, "1.2.x.x");
    none("1.2.0 - 1.2.0.0.0 HTTP/1.1 Firefox/3.6.13 0.123 10.5");
    none("\"-\" \"Instagram 3.0.4 Android (8/2.2.1; 240dpi)\" UP.Browser/6.2.3.3.c.1.101");
    one(
        "www.example.com 35.142.238.820 - -",
        Kind::Ipv4,
        "35.142.x.x",
    );
    one(
        "app/my-alb/abcdef 74.142.227.660:2817 x",
        Kind::Ipv4,
        "74.142.x.x",
    );
}

#[test]
fn encoded_forms_are_decoded_and_placed_in_the_original() {
    one("/u/jane%40example.com", Kind::Email, "j***@***.com");
    one("/u/jane%2540example.com", Kind::Email, "j***@***.com");
    one("a=jane&#64;example.com", Kind::Email, "j***@***.com");
    one(
        "a=jane&#x40;example&period;com",
        Kind::Email,
        "j***@***.com",
    );
    one(
        "{\"u\":\"jane\\u0040example.com\"}",
        Kind::Email,
        "j***@***.com",
    );
    one("/ip/203%2E0%2E113%2E9", Kind::Ipv4, "203.0.x.x");
    one("/go%2F203.0.113.9%2F", Kind::Ipv4, "203.0.x.x");
    one("[2001%3Adb8%3A%3A1]", Kind::Ipv6, "2001:db8:x::x");
    one(
        "q=4111%201111%201111%201111",
        Kind::Card,
        "4*** (16 digits)",
    );
    let f = findings(b"xx /a%2540b.org", &Options::default());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].column, 5);
}

#[test]
fn cookies_and_credentials() {
    one("\"PHPSESSID=abc123\"", Kind::Cookie, "PHPSESSID=***");
    one("x JSESSIONID=0123ABCD y", Kind::Cookie, "JSESSIONID=***");
    one("c: _ga=GA1.2.1234.5678", Kind::Cookie, "_ga=***");
    one("c: __utma=1.2.3", Kind::Cookie, "__utma=***");
    one("Authorization: Basic dXNlcjpwYXNz", Kind::Auth, "Basic ***");
    one("h=Bearer+abc123def456", Kind::Auth, "Bearer ***");
    one("/a#access_token=xyz", Kind::Param, "access_token=***");
    one("/a;sessionid=xyz", Kind::Param, "sessionid=***");
    one("/a?q=a;sid=xyz", Kind::Param, "sid=***");
    one(
        "GET /a access_token=xyz 443",
        Kind::Param,
        "access_token=***",
    );
    none("my_session=1 Bearer realm basic auth session=- PHPSESSID= email=&x=1");
}

#[test]
fn phones() {
    one("tel=+4915112345678 x", Kind::Phone, "+*** (13 digits)");
    one("call +49 151 12345678 now", Kind::Phone, "+*** (13 digits)");
    one("call 0151 1234 5678 now", Kind::Phone, "*** (12 digits)");
    one("call (555) 123-4567 now", Kind::Phone, "*** (10 digits)");
    one("/c/555-123-4567", Kind::Phone, "*** (10 digits)");
    one("x 01 23 45 67 89 y", Kind::Phone, "*** (10 digits)");
    one(
        "Mozilla/5.0+(support+(555)+123-4567)",
        Kind::Phone,
        "*** (10 digits)",
    );
    none("[17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 2326 0.123 1431857103000");
    none("-% 4357 1043 2711 87 0 0 2015-05-17 10:05:03 01.05.2015 05/17/2015 10:05");
    none("+0100 +0000 200 512 1234 0 0 0.000021 v1.2.3-4567");
}

#[test]
fn api_keys_and_webhooks() {
    one("k=AKIAIOSFODNN7EXAMPLE", Kind::ApiKey, "AKIA*** (20 chars)");
    one(
        "sk_live_4eC39HqLyjWDarjt",
        Kind::ApiKey,
        "sk_*** (24 chars)",
    );
    one(
        "t ghp_abcdefghijklmnopqrstuvwxyz0123456789 x",
        Kind::ApiKey,
        "ghp_*** (40 chars)",
    );
    one(
        "xoxb-1234-5678-abcdefgh",
        Kind::ApiKey,
        "xoxb-*** (23 chars)",
    );
    one(
        "/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
        Kind::ApiKey,
        "*** (44 chars)",
    );
    one(
        "/api/webhooks/123456789012345678/abcdefghijklmnopqrstuvwxyz_ABC",
        Kind::ApiKey,
        "*** (49 chars)",
    );
    assert_eq!(
        found("AIzaSyA1234567890abcdefghijklmnopqrstuv"),
        vec![Kind::ApiKey]
    );
}

#[test]
fn token_segments_after_keywords() {
    one("/password/reset/Ab3dE6gh9/x", Kind::Token, "*** (9 chars)");
    one("/verify-email/u1/k2x9p4q7r1", Kind::Token, "*** (10 chars)");
    none("/reset/:token /login/callback /invite/friends /confirm/12345678");
}

#[test]
fn devices_in_user_agents() {
    one(
        "Foo/1 (device 8f14e45f-ceea-467f-a0e6-6f4a1b2c3d4e)",
        Kind::Device,
        "uuid ***",
    );
    one("App (MAC 00:1a:2b:3c:4d:5e)", Kind::Device, "mac ***");
    one("Wget (jdoe@laptop)", Kind::Device, "user@host ***");
    none("/o/:uuid a@b logo@2x.png");
}

#[test]
fn logveils_own_placeholders_are_clean() {
    none(
        "203.0.0.0 - - [17/May/2015:10:05:03 +0000] \"GET /u/:email/:token/:card/:phone/:uuid/:id?email=&token= \
         HTTP/1.1\" 200 5 \"-\" \"Mozilla/5.0 Chrome/120.0.0.0\" 203-0-0-0.nip.io",
    );
}

#[test]
fn secret_spans_cover_the_new_shapes() {
    for (text, kind) in [
        ("k AKIAIOSFODNN7EXAMPLE k", Kind::ApiKey),
        ("tel=+4915112345678&", Kind::Phone),
        ("c=4111.1111.1111.1111&", Kind::Card),
        ("c=4111+1111+1111+1111&", Kind::Card),
        ("x (555) 123-4567 x", Kind::Phone),
    ] {
        assert!(may_hold_secret(text.as_bytes()), "{text}");
        let spans = secret_spans(text.as_bytes());
        assert_eq!(spans.len(), 1, "{text}");
        assert_eq!(spans[0].0, kind, "{text}");
    }
}

proptest::proptest! {
    /// The cheap pre-test never hides a secret the full scan would find, phones and keys included.
    #[test]
    fn the_pre_test_is_a_superset_with_phones(text in "([A-Za-z0-9+_() .-]{0,24}[/?&=;:]?){0,6}") {
        if !may_hold_secret(text.as_bytes()) {
            proptest::prop_assert!(secret_spans(text.as_bytes()).is_empty(), "{}", text);
        }
    }
}

#[test]
fn clf_users_and_personal_hosts() {
    one(
        "1.2.0.0 - Paul Schmitt [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 5",
        Kind::User,
        "user *** (12 chars)",
    );
    one(
        "www.example.com:80 1.2.0.0 - jdoe [10/Oct/2000:13:55:36 -0700] \"GET /\"",
        Kind::User,
        "user *** (4 chars)",
    );
    one("x paul-home.duckdns.org y", Kind::Host, "***.duckdns.org");
    none("1.2.0.0 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 5 duckdns.org");
    none("Sep 25 06:05:27 host haproxy[6801]: 4.3.0.0:55008 [25/Sep/2018:06:05:27.584] ft");
    // Behind a collector's prefix.
    one(
        "Oct 10 13:55:36 web1 nginx[42]: 1.2.0.0 - jdoe [10/Oct/2000:13:55:36 -0700] \"GET /\"",
        Kind::User,
        "user *** (4 chars)",
    );
    none("Oct 10 13:55:36 web1 nginx[42]: 1.2.0.0 - - [10/Oct/2000:13:55:36 -0700] \"GET /\"");
}
