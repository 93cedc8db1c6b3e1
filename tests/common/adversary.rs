//! A seeded, deterministic generator of adversarial access logs: personal data planted the way real sites
//! leak it, in every field where real logs carry it, for every preset format and two custom format
//! strings.
//!
//! Each planted line carries one [`Class`] of secret and the needles that must never survive
//! anonymisation (the raw value and its decoded forms; every secret that can hold letters also holds a
//! unique `zq7…` marker). Filler lines without secrets sit between them. Extend it by adding a variant to
//! [`plants`] (a new way to hide a value) or a [`Format`] (a new layout); the tests in
//! `tests/adversarial.rs` pick both up.

#![allow(dead_code)]

use std::fmt::Write as _;

/// splitmix64: small, seeded, deterministic.
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    /// `n` bytes from `alphabet`.
    pub fn pick(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| char::from(alphabet[self.range(0, alphabet.len() as u64 - 1) as usize]))
            .collect()
    }

    /// `n` mixed letters and digits, starting and ending with a digit so the mix is certain.
    pub fn alnum(&mut self, n: usize) -> String {
        let mut s = self.pick(b"0123456789", 1);
        s += &self.pick(
            b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789",
            n - 2,
        );
        s += &self.pick(b"0123456789", 1);
        s
    }

    /// `n` digits, the first not zero.
    pub fn digits(&mut self, n: usize) -> String {
        self.pick(b"123456789", 1) + &self.pick(b"0123456789", n - 1)
    }

    /// `n` lowercase hex digits.
    pub fn hex(&mut self, n: usize) -> String {
        self.pick(b"0123456789abcdef", n)
    }
}

/// Every class of secret the generator plants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    Ipv4Plain,
    Ipv4Encoded,
    Ipv4AfterEscape,
    Ipv4Glued,
    Ipv4HostName,
    Ipv6,
    EmailPlain,
    EmailEncoded,
    TokenQuery,
    TokenFragment,
    TokenSemicolon,
    TokenNestedUrl,
    ResetSegment,
    ApiKey,
    Phone,
    Card,
    Jwt,
    CookieField,
    AuthField,
    UaDevice,
    AuthUser,
    ClientInvalid,
    ClientHostName,
}

impl Class {
    /// Every class.
    pub const ALL: [Class; 23] = [
        Class::Ipv4Plain,
        Class::Ipv4Encoded,
        Class::Ipv4AfterEscape,
        Class::Ipv4Glued,
        Class::Ipv4HostName,
        Class::Ipv6,
        Class::EmailPlain,
        Class::EmailEncoded,
        Class::TokenQuery,
        Class::TokenFragment,
        Class::TokenSemicolon,
        Class::TokenNestedUrl,
        Class::ResetSegment,
        Class::ApiKey,
        Class::Phone,
        Class::Card,
        Class::Jwt,
        Class::CookieField,
        Class::AuthField,
        Class::UaDevice,
        Class::AuthUser,
        Class::ClientInvalid,
        Class::ClientHostName,
    ];
}

/// The fields of one request, before a format lays them out.
#[derive(Debug, Clone)]
pub struct Fields {
    pub client: String,
    pub user: String,
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub status: u16,
    pub bytes: u64,
    pub referrer: String,
    pub ua: String,
    pub host: String,
    pub xff: String,
    pub cookie: String,
    pub auth: String,
}

impl Fields {
    /// An ordinary request, different on each call.
    pub fn filler(rng: &mut Rng) -> Fields {
        let pages = [
            "/",
            "/index.html",
            "/blog/post-12",
            "/shop/boots?page=2",
            "/about",
        ];
        Fields {
            client: format!("198.51.{}.{}", rng.range(1, 254), rng.range(1, 254)),
            user: "-".into(),
            method: "GET".into(),
            target: pages[rng.range(0, 4) as usize].into(),
            status: 200,
            bytes: rng.range(100, 90_000),
            referrer: "https://www.example.org/".into(),
            ua: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36".into(),
            host: "www.example.com".into(),
            xff: "-".into(),
            cookie: "-".into(),
            auth: "-".into(),
        }
    }
}

/// Where in a request a secret is planted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Client,
    User,
    /// Appended to the path.
    Path,
    /// Appended to the query.
    Query,
    Referrer,
    Ua,
    Host,
    Xff,
    Cookie,
    Auth,
}

/// One planted secret: where it goes, what is written, and what must never come out.
#[derive(Debug, Clone)]
pub struct Plant {
    pub class: Class,
    pub slot: Slot,
    /// What is written into the slot.
    pub value: String,
    /// Substrings that must not appear in any output (compared case-insensitively).
    pub needles: Vec<String>,
}

fn plant(class: Class, slot: Slot, value: impl Into<String>, needles: &[&str]) -> Plant {
    Plant {
        class,
        slot,
        value: value.into(),
        needles: needles.iter().map(|s| s.to_string()).collect(),
    }
}

fn luhn_complete(prefix: &str, len: usize, rng: &mut Rng) -> String {
    let mut d = prefix.to_string();
    while d.len() < len - 1 {
        d += &rng.pick(b"0123456789", 1);
    }
    let digits: Vec<u32> = d.bytes().map(|b| u32::from(b - b'0')).collect();
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(k, &x)| {
            if k % 2 == 0 {
                let y = x * 2;
                if y > 9 { y - 9 } else { y }
            } else {
                x
            }
        })
        .sum();
    let check = (10 - sum % 10) % 10;
    let _ = write!(d, "{check}");
    d
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(char::from(A[((n >> (18 - 6 * k)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A full IPv4 address in 203.0.113.0/24-like space, both low octets non-zero, different each call.
fn ipv4(rng: &mut Rng) -> (u64, u64, u64, u64) {
    (
        rng.range(11, 223),
        rng.range(1, 254),
        rng.range(1, 254),
        rng.range(1, 254),
    )
}

/// Every variant of `class`, with fresh values from `rng`; `m` is a unique marker (`zq7…`).
pub fn plants(class: Class, rng: &mut Rng, m: &str) -> Vec<Plant> {
    use Class as C;
    use Slot as S;
    let (a, b, c, d) = ipv4(rng);
    let ip = format!("{a}.{b}.{c}.{d}");
    let dashed = format!("{a}-{b}-{c}-{d}");
    match class {
        C::Ipv4Plain => vec![
            plant(class, S::Client, ip.clone(), &[&ip]),
            plant(class, S::Path, format!("/ip/{ip}"), &[&ip]),
            plant(class, S::Xff, format!("{ip}, 10.0.0.0"), &[&ip]),
            plant(class, S::Referrer, format!("http://{ip}/admin"), &[&ip]),
            // Forwarded lists in the client field, as nginx and Elastic's fixtures write them.
            plant(class, S::Client, format!("10.0.0.2, {ip}"), &[&ip]),
            plant(
                class,
                S::Client,
                format!("\"10.5.102.222, {ip}\" 10.2.1.185"),
                &[&ip, "10.5.102.222", "10.2.1.185"],
            ),
            plant(
                class,
                S::Client,
                format!("{ip}, 10.225.192.17 10.2.2.121"),
                &[&ip, "10.225.192.17", "10.2.2.121"],
            ),
        ],
        C::Ipv4Encoded => vec![
            plant(
                class,
                S::Query,
                format!("q={a}%2E{b}%2E{c}%2E{d}"),
                &[&format!("{a}%2E{b}%2E{c}%2E{d}"), &ip],
            ),
            plant(
                class,
                S::Path,
                format!("/lookup/{a}%252E{b}%252E{c}%252E{d}"),
                &[&format!("{c}%252E{d}"), &ip],
            ),
        ],
        C::Ipv4AfterEscape => vec![
            plant(class, S::Path, format!("/go%2F{ip}"), &[&ip]),
            plant(class, S::Query, format!("q=from%20{ip}"), &[&ip]),
            plant(class, S::Query, format!("q=host%3A{ip}"), &[&ip]),
        ],
        C::Ipv4Glued => vec![
            plant(class, S::Path, format!("/debug/ip{ip}"), &[&ip]),
            plant(
                class,
                S::Ua,
                format!("Mozilla/5.0 (compatible; Foo/{ip})"),
                &[&ip],
            ),
        ],
        C::Ipv4HostName => vec![
            plant(
                class,
                S::Referrer,
                format!("http://ec2-{dashed}.compute-1.amazonaws.com/x"),
                &[&dashed],
            ),
            plant(class, S::Host, format!("{dashed}.nip.io"), &[&dashed]),
            plant(
                class,
                S::Client,
                format!("ip-{dashed}.ec2.internal"),
                &[&dashed],
            ),
        ],
        C::Ipv6 => {
            let v6 = format!(
                "2001:db8:{:x}:{:x}::{:x}",
                rng.range(1, 0xfffe),
                rng.range(1, 0xfffe),
                rng.range(1, 0xfffe)
            );
            let enc = v6.replace(':', "%3A");
            vec![
                plant(class, S::Client, v6.clone(), &[&v6]),
                plant(class, S::Xff, v6.clone(), &[&v6]),
                plant(class, S::Query, format!("peer={enc}"), &[&enc, &v6]),
                plant(class, S::Path, format!("/peer/[{v6}]"), &[&v6]),
            ]
        }
        C::EmailPlain => vec![
            plant(
                class,
                S::Path,
                format!("/u/{m}a.doe@example.com/profile"),
                &[&format!("{m}a")],
            ),
            plant(
                class,
                S::Query,
                format!("q={m}b.doe@example.com"),
                &[&format!("{m}b")],
            ),
            plant(
                class,
                S::Ua,
                format!("Mozilla/5.0 (compatible; bot; contact {m}c@example.org)"),
                &[&format!("{m}c")],
            ),
            plant(
                class,
                S::Referrer,
                format!("https://mail.example.net/read/{m}d@example.net"),
                &[&format!("{m}d")],
            ),
        ],
        C::EmailEncoded => vec![
            plant(
                class,
                S::Path,
                format!("/u/{m}a%40example.com"),
                &[&format!("{m}a")],
            ),
            plant(
                class,
                S::Path,
                format!("/u/{m}b%2540example.com"),
                &[&format!("{m}b")],
            ),
            plant(
                class,
                S::Query,
                format!("q={m}c&#64;example.com"),
                &[&format!("{m}c")],
            ),
            plant(
                class,
                S::Query,
                format!("q={m}d\\u0040example.com"),
                &[&format!("{m}d")],
            ),
            plant(
                class,
                S::Query,
                format!("q=jane%2B{m}e%40example.com"),
                &[&format!("{m}e")],
            ),
            plant(
                class,
                S::Path,
                format!("/u/jane+{m}f@example.com"),
                &[&format!("{m}f")],
            ),
        ],
        C::TokenQuery => vec![
            plant(
                class,
                S::Query,
                format!("access_token={m}{}", rng.alnum(20)),
                &[m],
            ),
            plant(class, S::Query, format!("code={m}{}", rng.alnum(12)), &[m]),
            plant(
                class,
                S::Referrer,
                format!(
                    "https://idp.example.net/cb?state=x&id_token_hint={m}{}",
                    rng.alnum(12)
                ),
                &[m],
            ),
        ],
        C::TokenFragment => vec![
            plant(
                class,
                S::Path,
                format!("/cb#access_token={m}{}&token_type=bearer", rng.alnum(16)),
                &[m],
            ),
            plant(
                class,
                S::Referrer,
                format!("https://app.example.com/cb#id_token={m}{}", rng.alnum(16)),
                &[m],
            ),
        ],
        C::TokenSemicolon => vec![
            plant(
                class,
                S::Path,
                format!("/cart;jsessionid={m}{}", rng.alnum(16)),
                &[m],
            ),
            plant(
                class,
                S::Path,
                format!("/a;sessionid={m}{}", rng.alnum(12)),
                &[m],
            ),
            plant(
                class,
                S::Query,
                format!("q=boots;sid={m}{}", rng.alnum(12)),
                &[m],
            ),
        ],
        C::TokenNestedUrl => vec![plant(
            class,
            S::Path,
            format!(
                "/go/http%3A%2F%2Fx.example.com%2Fcb%3Fcode%3D{m}{}",
                rng.alnum(12)
            ),
            &[m],
        )],
        C::ResetSegment => vec![
            plant(
                class,
                S::Path,
                format!("/password/reset/{m}{}", rng.alnum(9)),
                &[m],
            ),
            plant(
                class,
                S::Path,
                format!("/verify-email/{m}{}/done", rng.alnum(8)),
                &[m],
            ),
            plant(
                class,
                S::Path,
                format!("/unsubscribe/{m}{}", rng.alnum(10)),
                &[m],
            ),
            plant(
                class,
                S::Path,
                format!("/invite/{m}{}", rng.alnum(10)),
                &[m],
            ),
        ],
        C::ApiKey => {
            let up = m.to_ascii_uppercase();
            let aws = format!(
                "AKIA{up}{}",
                rng.pick(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16 - up.len())
            );
            let stripe = format!("sk_live_{m}{}", rng.alnum(20));
            let gh = format!("ghp_{m}{}", rng.alnum(36 - m.len()));
            let slack = format!(
                "xoxb-{}-{}-{m}{}",
                rng.digits(11),
                rng.digits(12),
                rng.alnum(16)
            );
            let google = format!("AIza{m}{}", rng.alnum(35 - m.len()));
            let hook = format!(
                "/services/T{}/B{}/{m}{}",
                rng.digits(8),
                rng.digits(8),
                rng.alnum(18)
            );
            let discord = format!("/api/webhooks/{}/{m}{}", rng.digits(18), rng.alnum(60));
            vec![
                plant(class, S::Query, format!("q={aws}"), &[&aws]),
                plant(class, S::Path, format!("/hook/{stripe}"), &[m]),
                plant(class, S::Ua, format!("deploy-bot/1.0 ({gh})"), &[m]),
                plant(class, S::Path, format!("/slack/{slack}"), &[m]),
                plant(
                    class,
                    S::Referrer,
                    format!("https://maps.example.com/js?lang=en&q={google}"),
                    &[m],
                ),
                plant(class, S::Path, hook, &[m]),
                plant(class, S::Path, discord, &[m]),
            ]
        }
        C::Phone => {
            let e164 = format!("+49151{}", rng.digits(8));
            let national = format!("0151 {} {}", rng.digits(4), rng.digits(4));
            let nanp = format!(
                "({}) {}-{}",
                rng.range(201, 989),
                rng.digits(3),
                rng.digits(4)
            );
            let dashed = format!(
                "{}-{}-{}",
                rng.range(201, 989),
                rng.digits(3),
                rng.digits(4)
            );
            vec![
                plant(class, S::Path, format!("/call/{e164}"), &[&e164[1..]]),
                plant(
                    class,
                    S::Query,
                    format!("q={}", national.replace(' ', "%20")),
                    &[&national.replace(' ', "%20"), &national],
                ),
                plant(
                    class,
                    S::Query,
                    format!("q={}", national.replace(' ', "+")),
                    &[&national.replace(' ', "+"), &national],
                ),
                plant(
                    class,
                    S::Ua,
                    format!("Mozilla/5.0 (compatible; support {nanp})"),
                    &[&nanp],
                ),
                plant(class, S::Path, format!("/contact/{dashed}"), &[&dashed]),
            ]
        }
        C::Card => {
            let visa = luhn_complete("4", 16, rng);
            let mc = luhn_complete(&format!("5{}", rng.range(1, 5)), 16, rng);
            let grouped = |sep: &str, n: &str| {
                n.as_bytes()
                    .chunks(4)
                    .map(|c| std::str::from_utf8(c).unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join(sep)
            };
            let mut out = vec![plant(class, S::Query, format!("q={visa}"), &[&visa])];
            for sep in [" ", "+", "%20", "-", "."] {
                let v = grouped(sep, &mc);
                let slot = if sep == " " { S::Ua } else { S::Query };
                let value = if sep == " " {
                    format!("Mozilla/5.0 (card {v})")
                } else {
                    format!("q={v}")
                };
                out.push(plant(class, slot, value, &[&v, &mc]));
            }
            out
        }
        C::Jwt => {
            let sig = format!("{m}{}", rng.alnum(30));
            let jwt =
                format!("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJqYW5lIiwiaWF0IjoxNTE2MjM5MDIyfQ.{sig}");
            vec![
                plant(class, S::Path, format!("/sso/{jwt}"), &[&sig]),
                plant(
                    class,
                    S::Referrer,
                    format!("https://app.example.com/?jwt={jwt}"),
                    &[&sig],
                ),
                plant(class, S::Auth, format!("Bearer {jwt}"), &[&sig]),
            ]
        }
        C::CookieField => {
            let ga = format!("GA1.2.{}.{}", rng.digits(10), rng.digits(10));
            vec![
                plant(
                    class,
                    S::Cookie,
                    format!("PHPSESSID={m}{}; _ga={ga}", rng.alnum(20)),
                    &[m, &ga],
                ),
                plant(
                    class,
                    S::Cookie,
                    format!("JSESSIONID={m}{}", rng.alnum(24)),
                    &[m],
                ),
                plant(
                    class,
                    S::Cookie,
                    format!(
                        "session={m}{}; __utma=1.{}.1.2.3.4",
                        rng.alnum(16),
                        rng.digits(9)
                    ),
                    &[m],
                ),
            ]
        }
        C::AuthField => {
            let basic = base64(format!("{m}user:{}", rng.alnum(10)).as_bytes());
            let bearer = format!("{m}{}", rng.alnum(24));
            vec![
                plant(class, S::Auth, format!("Basic {basic}"), &[&basic]),
                plant(class, S::Auth, format!("Bearer {bearer}"), &[&bearer]),
            ]
        }
        C::UaDevice => {
            let uuid = format!(
                "{}-{}-4{}-a{}-{}",
                rng.hex(8),
                rng.hex(4),
                rng.hex(3),
                rng.hex(3),
                rng.hex(12)
            );
            let mac = (0..6).map(|_| rng.hex(2)).collect::<Vec<_>>().join(":");
            vec![
                plant(
                    class,
                    S::Ua,
                    format!("MyApp/3.1 (Android 12; device {uuid})"),
                    &[&uuid],
                ),
                plant(class, S::Ua, format!("Thermostat/2.0 (MAC {mac})"), &[&mac]),
                plant(class, S::Ua, format!("Wget/1.21 ({m}jdoe@laptop)"), &[m]),
            ]
        }
        C::AuthUser => vec![
            plant(class, S::User, format!("Paul {m}schmitt"), &[m]),
            plant(class, S::User, format!("{m}p.schmitt@example.com"), &[m]),
        ],
        C::ClientInvalid => {
            let (x, y) = (rng.range(1, 99), rng.range(100, 199));
            let bad = format!("{x}.{y}.{}.{}", rng.range(100, 255), rng.range(300, 999));
            let short = format!("{x}.{y}.{}", rng.range(1, 254));
            let long = format!(
                "{x}.{y}.{}.{}.{}",
                rng.range(1, 254),
                rng.range(1, 254),
                rng.range(1, 254)
            );
            vec![
                plant(class, S::Client, bad.clone(), &[&bad]),
                plant(class, S::Client, short.clone(), &[&short]),
                plant(class, S::Client, long.clone(), &[&long]),
            ]
        }
        C::ClientHostName => vec![
            plant(class, S::Client, format!("{m}home.duckdns.org"), &[m]),
            plant(class, S::Client, format!("{dashed}.nip.io"), &[&dashed]),
        ],
    }
}

/// Writes `plant` into `f`.
pub fn apply(f: &mut Fields, p: &Plant) {
    match p.slot {
        Slot::Client => f.client = p.value.clone(),
        Slot::User => f.user = p.value.clone(),
        Slot::Path => {
            let (path, query) = f.target.split_once('?').unwrap_or((&f.target, ""));
            let path = if path == "/" { "" } else { path };
            f.target = if query.is_empty() {
                format!("{path}{}", p.value)
            } else {
                format!("{path}{}?{query}", p.value)
            };
        }
        Slot::Query => {
            let sep = if f.target.contains('?') { '&' } else { '?' };
            f.target = format!("{}{sep}{}", f.target, p.value);
        }
        Slot::Referrer => f.referrer = p.value.clone(),
        Slot::Ua => f.ua = p.value.clone(),
        Slot::Host => f.host = p.value.clone(),
        Slot::Xff => f.xff = p.value.clone(),
        Slot::Cookie => f.cookie = p.value.clone(),
        Slot::Auth => f.auth = p.value.clone(),
    }
}

/// A log layout: how `logveil` is told about it, and how a request is written in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Common,
    Combined,
    VhostCombined,
    VhostCommon,
    Nginx,
    NginxXff,
    Traefik,
    W3c,
    Cloudfront,
    Alb,
    Elb,
    S3,
    Haproxy,
    Caddy,
    TraefikJson,
    NginxJson,
    ApacheCustom,
    NginxCustom,
    /// Combined behind a syslog prefix whose host field carries the planted host.
    SyslogCombined,
}

/// The custom Apache `LogFormat` string.
pub const APACHE_CUSTOM: &str =
    r#"%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" "%{Cookie}i" "%{Authorization}i""#;
/// The custom nginx `log_format` body.
pub const NGINX_CUSTOM: &str = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for" "$http_cookie""#;

impl Format {
    /// Every layout.
    pub const ALL: [Format; 19] = [
        Format::Common,
        Format::Combined,
        Format::VhostCombined,
        Format::VhostCommon,
        Format::Nginx,
        Format::NginxXff,
        Format::Traefik,
        Format::W3c,
        Format::Cloudfront,
        Format::Alb,
        Format::Elb,
        Format::S3,
        Format::Haproxy,
        Format::Caddy,
        Format::TraefikJson,
        Format::NginxJson,
        Format::ApacheCustom,
        Format::NginxCustom,
        Format::SyslogCombined,
    ];

    /// A short name for messages and file names.
    pub fn name(self) -> &'static str {
        match self {
            Format::Common => "common",
            Format::Combined => "combined",
            Format::VhostCombined => "vhost_combined",
            Format::VhostCommon => "vhost_common",
            Format::Nginx => "nginx",
            Format::NginxXff => "nginx-xff",
            Format::Traefik => "traefik",
            Format::W3c => "w3c",
            Format::Cloudfront => "cloudfront",
            Format::Alb => "alb",
            Format::Elb => "elb",
            Format::S3 => "s3",
            Format::Haproxy => "haproxy",
            Format::Caddy => "caddy",
            Format::TraefikJson => "traefik-json",
            Format::NginxJson => "nginx-json",
            Format::ApacheCustom => "apache-custom",
            Format::NginxCustom => "nginx-custom",
            Format::SyslogCombined => "syslog-combined",
        }
    }

    /// The `logveil` options that name this layout.
    pub fn args(self) -> Vec<String> {
        match self {
            Format::ApacheCustom => vec!["--log-format".into(), APACHE_CUSTOM.into()],
            Format::NginxCustom => vec!["--nginx-format".into(), NGINX_CUSTOM.into()],
            // The prefix is found by detection, also under a forced format.
            Format::SyslogCombined => vec!["--format".into(), "combined".into()],
            f => vec!["--format".into(), f.name().into()],
        }
    }

    /// Lines before the first request.
    pub fn header(self) -> Vec<String> {
        match self {
            Format::W3c => vec![
                "#Software: Microsoft Internet Information Services 10.0".into(),
                "#Version: 1.0".into(),
                "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Cookie) cs(Referer) cs-host sc-status sc-substatus sc-win32-status time-taken".into(),
            ],
            Format::Cloudfront => vec![
                "#Version: 1.0".into(),
                "#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields".into(),
            ],
            _ => Vec::new(),
        }
    }

    /// Whether the layout has a field for `slot` (others carry it as a trailing field, or not at all).
    pub fn has(self, slot: Slot) -> bool {
        use Format as F;
        match slot {
            Slot::Client | Slot::Path | Slot::Query => true,
            Slot::User => !matches!(self, F::Alb | F::Elb | F::Haproxy | F::Cloudfront),
            Slot::Referrer => !matches!(
                self,
                F::Common | F::VhostCommon | F::Haproxy | F::Alb | F::Elb
            ),
            Slot::Ua => !matches!(self, F::Common | F::VhostCommon | F::Haproxy),
            Slot::Host => matches!(
                self,
                F::SyslogCombined
                    | F::VhostCombined
                    | F::VhostCommon
                    | F::W3c
                    | F::Cloudfront
                    | F::Alb
                    | F::Caddy
                    | F::TraefikJson
                    | F::S3
            ),
            Slot::Xff => matches!(
                self,
                F::NginxXff | F::Cloudfront | F::NginxJson | F::NginxCustom | F::Caddy
            ),
            Slot::Cookie => matches!(
                self,
                F::W3c
                    | F::Cloudfront
                    | F::Haproxy
                    | F::Caddy
                    | F::TraefikJson
                    | F::NginxJson
                    | F::ApacheCustom
                    | F::NginxCustom
            ),
            Slot::Auth => matches!(
                self,
                F::Caddy | F::TraefikJson | F::NginxJson | F::ApacheCustom
            ),
        }
    }

    /// Whether a value the layout has no field for is appended as a trailing field (CLF family).
    pub fn trails(self) -> bool {
        use Format as F;
        matches!(
            self,
            F::Common | F::Combined | F::VhostCombined | F::VhostCommon | F::Nginx | F::NginxXff
        )
    }

    /// One line for `f`; `trailing` holds the values the layout has no field for.
    pub fn render(self, f: &Fields, trailing: &[String], n: usize) -> String {
        use Format as F;
        let sec = n % 60;
        let clf_time = format!("[10/Oct/2026:13:55:{sec:02} +0000]");
        let request = format!("{} {} HTTP/1.1", f.method, f.target);
        let (path, query) = f.target.split_once('?').unwrap_or((&f.target, "-"));
        let mut line = match self {
            F::Common | F::Nginx | F::Combined | F::NginxXff | F::Traefik | F::SyslogCombined => {
                let mut l = if self == F::SyslogCombined {
                    format!("Oct 10 13:55:{sec:02} {} nginx[42]: ", f.host)
                } else {
                    String::new()
                };
                let _ = write!(
                    l,
                    "{} - {} {clf_time} \"{request}\" {} {}",
                    f.client, f.user, f.status, f.bytes
                );
                if self != F::Common {
                    let _ = write!(l, " \"{}\" \"{}\"", f.referrer, f.ua);
                }
                if self == F::NginxXff {
                    let _ = write!(l, " \"{}\"", f.xff);
                }
                if self == F::Traefik {
                    let _ = write!(l, " {n} \"web@docker\" \"http://10.0.0.0:80\" 3ms");
                }
                l
            }
            F::VhostCombined => format!(
                "{}:443 {} - {} {clf_time} \"{request}\" {} {} \"{}\" \"{}\"",
                f.host, f.client, f.user, f.status, f.bytes, f.referrer, f.ua
            ),
            F::VhostCommon => format!(
                "{} {} - {} {clf_time} \"{request}\" {} {}",
                f.host, f.client, f.user, f.status, f.bytes
            ),
            F::ApacheCustom => format!(
                "{} - {} {clf_time} \"{request}\" {} {} \"{}\" \"{}\" \"{}\" \"{}\"",
                f.client, f.user, f.status, f.bytes, f.referrer, f.ua, f.cookie, f.auth
            ),
            F::NginxCustom => format!(
                "{} - {} {clf_time} \"{request}\" {} {} \"{}\" \"{}\" \"{}\" \"{}\"",
                f.client, f.user, f.status, f.bytes, f.referrer, f.ua, f.xff, f.cookie
            ),
            F::W3c => {
                let sp = |s: &str| {
                    if s.is_empty() {
                        "-".to_string()
                    } else {
                        s.replace(' ', "+")
                    }
                };
                format!(
                    "2026-10-10 13:55:{sec:02} 10.0.0.0 {} {} {} 443 {} {} {} {} {} {} {} 0 0 15",
                    f.method,
                    sp(path),
                    sp(query),
                    sp(&f.user),
                    f.client,
                    sp(&f.ua),
                    sp(&f.cookie),
                    sp(&f.referrer),
                    sp(&f.host),
                    f.status
                )
            }
            F::Cloudfront => {
                let enc = |s: &str| s.replace(' ', "%20");
                format!(
                    "2026-10-10\t13:55:{sec:02}\tFRA2\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\tMiss\tMRVMF7KydIvxMWfJIglgwHQwZsbG2IhRJ07sn9AkKUFSHS9EXAMPLE==\t{}\thttps\t217\t0.001\t{}\tTLSv1.2\tECDHE-RSA-AES128-GCM-SHA256\tMiss\tHTTP/1.1\t-\t-",
                    f.bytes,
                    f.client,
                    f.method,
                    f.host,
                    path,
                    f.status,
                    enc(&f.referrer),
                    enc(&f.ua),
                    query,
                    enc(&f.cookie),
                    f.host,
                    enc(&f.xff)
                )
            }
            F::Alb => format!(
                "https 2026-10-10T13:55:{sec:02}.127531Z app/my-alb/abcdef {}:2817 10.0.0.0:80 0.001 0.102 0.000 {} {} 225 {} \"GET https://{}:443{} HTTP/1.1\" \"{}\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:123456789123:targetgroup/tg/abcdef12345 \"Root=1-abcdef12-abcdef123\" \"{}\" \"-\" 0 2026-10-10T13:55:{sec:02}.023000Z \"forward\" \"-\" \"-\" \"10.1.0.0:80\" \"200\"",
                f.client, f.status, f.status, f.bytes, f.host, f.target, f.ua, f.host
            ),
            F::Elb => format!(
                "2026-10-10T13:55:{sec:02}.945958Z my-loadbalancer {}:2817 10.0.0.0:80 0.000086 0.001048 0.001337 {} {} 0 {} \"GET https://www.example.com:443{} HTTP/1.1\" \"{}\" DHE-RSA-AES128-SHA TLSv1.2",
                f.client, f.status, f.status, f.bytes, f.target, f.ua
            ),
            F::S3 => {
                let user = if f.user == "-" {
                    "-".to_string()
                } else {
                    format!("arn:aws:iam::123456789012:user/{}", f.user.replace(' ', ""))
                };
                format!(
                    "b659b576cff1e15e4c0313ff8930fba9f53e6794567f5c60dab3abf2f8dfb6cc {} {clf_time} {} {user} EB3502676500C6BE WEBSITE.GET.OBJECT index \"{request}\" {} - {} {} 10 9 \"{}\" \"{}\" -",
                    f.host, f.client, f.status, f.bytes, f.bytes, f.referrer, f.ua
                )
            }
            F::Haproxy => format!(
                "Oct 10 13:55:{sec:02} lb haproxy[6801]: {}:55008 [10/Oct/2026:13:55:{sec:02}.584] ft_https~ bk_https/srv 0/0/0/72/72 {} {} {} - ---- 5/4/0/1/0 0/0 \"{request}\"",
                f.client,
                f.status,
                f.bytes,
                if f.cookie == "-" {
                    "-".to_string()
                } else {
                    f.cookie.replace(' ', "")
                }
            ),
            F::Caddy => {
                let (ua, referrer, cookie, auth, xff) = (
                    j(&f.ua),
                    j(&f.referrer),
                    j(&f.cookie),
                    j(&f.auth),
                    j(&f.xff),
                );
                // Every other line opens its headers with the removed ones side by side: a removed first
                // member once swallowed the edits of the members after it.
                let headers = if sec % 2 == 1 {
                    format!(
                        "\"Cookie\":[\"{cookie}\"],\"Authorization\":[\"{auth}\"],\"User-Agent\":[\"{ua}\"],\"Referer\":[\"{referrer}\"],\"X-Forwarded-For\":[\"{xff}\"]"
                    )
                } else {
                    format!(
                        "\"User-Agent\":[\"{ua}\"],\"Referer\":[\"{referrer}\"],\"Cookie\":[\"{cookie}\"],\"Authorization\":[\"{auth}\"],\"X-Forwarded-For\":[\"{xff}\"]"
                    )
                };
                format!(
                    "{{\"level\":\"info\",\"ts\":1791640500.{sec},\"logger\":\"http.log.access\",\"msg\":\"handled request\",\"request\":{{\"remote_ip\":\"{}\",\"remote_port\":\"64985\",\"client_ip\":\"{}\",\"proto\":\"HTTP/1.1\",\"method\":\"{}\",\"host\":\"{}\",\"uri\":\"{}\",\"headers\":{{{headers}}}}},\"bytes_read\":0,\"user_id\":\"{}\",\"duration\":0.0013,\"size\":{},\"status\":{}}}",
                    j(&f.client),
                    j(&f.client),
                    f.method,
                    j(&f.host),
                    j(&f.target),
                    j(if f.user == "-" { "" } else { &f.user }),
                    f.bytes,
                    f.status
                )
            }
            F::TraefikJson => format!(
                "{{\"ClientAddr\":\"{}:52458\",\"ClientHost\":\"{}\",\"ClientPort\":\"52458\",\"ClientUsername\":\"{}\",\"request_User-Agent\":\"{}\",\"request_Referer\":\"{}\",\"request_Cookie\":\"{}\",\"request_Authorization\":\"{}\",\"DownstreamContentSize\":{},\"DownstreamStatus\":{},\"RequestHost\":\"{}\",\"RequestMethod\":\"{}\",\"RequestPath\":\"{}\",\"RequestProtocol\":\"HTTP/1.1\",\"RouterName\":\"web@docker\",\"StartUTC\":\"2026-10-10T13:55:{sec:02}.773360139Z\",\"level\":\"info\"}}",
                j(&f.client),
                j(&f.client),
                j(&f.user),
                j(&f.ua),
                j(&f.referrer),
                j(&f.cookie),
                j(&f.auth),
                f.bytes,
                f.status,
                j(&f.host),
                f.method,
                j(&f.target)
            ),
            F::NginxJson => format!(
                "{{\"remote_addr\":\"{}\",\"remote_user\":\"{}\",\"time_local\":\"10/Oct/2026:13:55:{sec:02} +0000\",\"request\":\"{}\",\"status\":{},\"body_bytes_sent\":{},\"http_referer\":\"{}\",\"http_user_agent\":\"{}\",\"http_x_forwarded_for\":\"{}\",\"http_cookie\":\"{}\",\"http_authorization\":\"{}\"}}",
                j(&f.client),
                j(&f.user),
                j(&request),
                f.status,
                f.bytes,
                j(&f.referrer),
                j(&f.ua),
                j(&f.xff),
                j(&f.cookie),
                j(&f.auth)
            ),
        };
        for t in trailing {
            let _ = write!(line, " \"{t}\"");
        }
        line
    }
}

/// `s` escaped for a JSON string.
fn j(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// One line of a generated log: its 1-based number and what was planted in it (nothing for filler).
#[derive(Debug, Clone)]
pub struct Planted {
    pub line: usize,
    pub plant: Plant,
    /// The same line without the plant: what `check` finds there is not evidence of finding the plant.
    pub control: String,
}

/// A generated log.
#[derive(Debug, Clone)]
pub struct Log {
    pub format: Format,
    pub text: String,
    pub planted: Vec<Planted>,
}

impl Log {
    /// The log with every planted line replaced by its control (line numbers unchanged).
    pub fn control_text(&self) -> String {
        let mut lines: Vec<&str> = self.text.lines().collect();
        for p in &self.planted {
            lines[p.line - 1] = &p.control;
        }
        let mut text = lines.join("\n");
        text.push('\n');
        text
    }
}

/// The log of `format` for `seed`: a filler line, then for each class and variant one planted line and one
/// filler line.
pub fn generate(format: Format, seed: u64) -> Log {
    let mut rng = Rng::new(seed ^ (format as u64).wrapping_mul(0x1000_0000_01b3));
    let mut lines = format.header();
    let mut planted = Vec::new();
    let mut n = 0;
    let push_filler = |rng: &mut Rng, lines: &mut Vec<String>, n: &mut usize| {
        *n += 1;
        lines.push(format.render(&Fields::filler(rng), &[], *n));
    };
    push_filler(&mut rng, &mut lines, &mut n);
    for (ci, class) in Class::ALL.into_iter().enumerate() {
        let marker = format!("zq7{}{ci:02}", rng.pick(b"abcdefghjkmnpqrstuvwxyz", 2));
        for p in plants(class, &mut rng, &marker) {
            let mut f = Fields::filler(&mut rng);
            let mut trailing = Vec::new();
            let p = if format.has(p.slot) {
                p
            } else if p.slot == Slot::User {
                // No user field in this layout: nothing to plant.
                continue;
            } else if format.trails() {
                trailing.push(p.value.clone());
                p
            } else {
                // No such field and no trailing fields: the value rides in the query instead.
                let value = format!("x={}", p.value.replace(' ', "%20"));
                Plant {
                    slot: Slot::Query,
                    value,
                    ..p
                }
            };
            n += 1;
            let control = format.render(&f, &[], n);
            if format.has(p.slot) {
                apply(&mut f, &p);
            }
            lines.push(format.render(&f, &trailing, n));
            planted.push(Planted {
                line: lines.len(),
                plant: p,
                control,
            });
            push_filler(&mut rng, &mut lines, &mut n);
        }
    }
    let mut text = lines.join("\n");
    text.push('\n');
    Log {
        format,
        text,
        planted,
    }
}
