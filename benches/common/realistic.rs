//! A seeded, deterministic generator of realistic combined access logs: every line new, high cardinality,
//! time-ordered, for measuring `anonymize` and `report` on traffic that does not repeat (the repeated
//! `make-bench-log` sample is the cache-friendly upper bound).
//!
//! The same profile, size and seed give the same bytes on every run and machine: one `Pcg64Mcg` stream
//! (rand_pcg, a fixed algorithm) drives the whole log in a fixed order, each visitor's attributes come
//! from a `Pcg64Mcg` seeded with the seed and the visitor's number, and every distribution is from
//! rand/rand_distr at the versions in Cargo.lock (their algorithms are part of their value-stability
//! promise within a release series).
//!
//! # Shape (both profiles)
//!
//! - Format: Apache/nginx `combined`, `HTTP/1.1` or `HTTP/2.0`, time zone `+0000`, lines in time order
//!   (to the second).
//! - Time: the clock advances with the bytes written, through an hourly traffic curve (a trough at 04:00,
//!   about 4.5× the trough from 10:00 to 21:00) and, over a month, lighter weekends (0.8). The log starts
//!   on 2026-03-02 (a Monday) at 00:00:00.
//! - Bots: 25% of lines (fed back: the next session is a bot's whenever bots are under their share).
//!   Search and SEO crawlers (Googlebot, bingbot, YandexBot, AhrefsBot, SemrushBot, DotBot, GPTBot,
//!   Bytespider, Applebot, PetalBot) from their own small address pools, crawling the long tail of pages
//!   plus robots.txt and sitemaps; vulnerability probes (/wp-login.php, /.env, /.git/config, …; mostly 404)
//!   from random addresses; uptime monitors and health checks (UptimeRobot, Pingdom, Uptime-Kuma,
//!   kube-probe from a private address); scripts (curl, python-requests, Go-http-client, Wget, okhttp,
//!   axios, Java) on the API and feeds; feed readers with subscriber counts; link previews
//!   (facebookexternalhit, Twitterbot, Slackbot, Discordbot, WhatsApp, LinkedInBot, TelegramBot).
//! - Visitors: a visitor is one address and one user agent. Addresses are synthetic but public-looking:
//!   IPv4 from 30,000 random public /16s chosen Zipf-wise (s = 0.9, as ISPs concentrate), IPv6 (20% of
//!   visitors) from 2,000 random /32s in real RIR blocks with random /64s and interface ids; 5% of
//!   visitors share a carrier-NAT address with others. The user agent is drawn per visitor from real
//!   browser shapes (Chrome, Edge, Firefox, Safari, mobile Safari, Chrome/WebView on Android with device
//!   models, Samsung Internet, Opera, CriOS, in-app Facebook/Instagram, a little IE 11) with the version
//!   spread of a live site (recent majors most, a long tail of old ones, full build numbers where the
//!   browser still sends them). 0.3% of visitors send an HTTP auth user; 60% speak HTTP/2.
//! - Visits: a landing page drawn Zipf-wise (s = 1.0) over 200,000 paths (the home page and sections
//!   first, then /blog/2024/05/slug, /product/12345-name, /category/x/y/, /tag/x, /docs/v3/section/page.html,
//!   /news/2025-11-03-slug, /author/name, downloads in .pdf/.zip/.tar.gz), then more pages with a think
//!   time (log-normal, median 20 s), searches (/search?q=…), occasional login/cart POSTs. Each page is
//!   followed within two seconds by its assets (css, js, woff2, svg, favicon on the first page; the page's
//!   own images on every page) with the page as referrer; a visitor's second visit gets 304s for cached
//!   assets. Some visitors run the site's tracker (`/api/v1/track?cid=…&sid=…`, 204).
//! - Referrers of landing pages: direct (35%), search engines (35%: Google mostly without a query, with
//!   `q=` sometimes; Bing, DuckDuckGo, Yahoo, Yandex, Ecosia, with their keyword parameters; the Google
//!   app), social (t.co, Facebook including `l.php?u=…&h=…`, Reddit threads, Hacker News, LinkedIn,
//!   Instagram, YouTube), other sites (10%) and campaigns (`utm_source`/`utm_medium`/`utm_campaign`,
//!   `gclid=`, `fbclid=` on the landing URL). Later pages have the previous page as referrer.
//! - Identifiers in URLs: per-visitor and per-visit tokens on well over 10% of lines: the tracker's
//!   `cid`/`sid`, 12% of visitors carry `?sid=` on every page, `gclid`/`fbclid`, `/account/reset/<token>`,
//!   `/verify?token=…&email=…`, `/unsubscribe?email=…`, `/checkout?cart_token=…`.
//! - Statuses and sizes: per path (a page's size is log-normal around 30 kB and stable, varying by a
//!   percent per hit; 0.5% of paths are dead links answering 404, 0.5% redirect with 301); 302 after POSTs
//!   and logins; 304 for cached assets and conditional crawls; 206 on some downloads; 0.2% of pages 500;
//!   probes mostly 404 with 403 and 400.
//!
//! # Profiles
//!
//! | | `day` | `month` |
//! |---|---|---|
//! | days | 1 | 30 |
//! | visitor-days per GB (human; scaled with `--size`) | 300,000 | 2,300,000 |
//! | returning visitors (share of a day's visitors seen on an earlier day) | — | 30% |
//! | single-page visits | 45% | 82% |
//! | pages after the second in a longer visit (geometric mean) | 1.5 | 0.7 |
//! | visits whose assets reach this log (the rest from a CDN or cache) | 100% | 2% |
//! | visitors running the site's tracker | 50% | 0% |
//! | crawler session, pages (mean, before each crawler's weight) | 12 | 4 |
//!
//! `month` is a site whose HTML alone reaches the log (assets and tracker on a CDN): 2 M visitor-days in
//! 1 GB leave about 1.4 lines per human visitor-day.
//!
//! A visitor-day is a visitor seen on a day; the generator keeps the count of new visitor-days on
//! `visitor_days_per_gb × bytes written` (a visit goes to a visitor already seen that day when the count
//! is ahead).

#![allow(dead_code)]

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt::Write as _;
use std::io::{self, Write};

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, LogNormal, Zipf};
use rand_pcg::Pcg64Mcg;

/// Which kind of log to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// One busy day.
    Day,
    /// Thirty days with returning visitors.
    Month,
}

impl Profile {
    /// The profile named `name` (`day` or `month`).
    pub fn from_name(name: &str) -> Option<Profile> {
        match name {
            "day" => Some(Profile::Day),
            "month" => Some(Profile::Month),
            _ => None,
        }
    }

    /// The parameters of the profile (see the module documentation).
    pub fn params(self) -> Params {
        match self {
            Profile::Day => Params {
                days: 1,
                visitor_days_per_gb: 300_000.0,
                returning_share: 0.0,
                bounce_share: 0.45,
                extra_pages_mean: 1.5,
                assets_share: 1.0,
                tracker_share: 0.5,
                crawl_mean: 12.0,
                ..Params::BASE
            },
            Profile::Month => Params {
                days: 30,
                visitor_days_per_gb: 2_300_000.0,
                returning_share: 0.30,
                bounce_share: 0.82,
                extra_pages_mean: 0.7,
                assets_share: 0.02,
                tracker_share: 0.0,
                crawl_mean: 4.0,
                ..Params::BASE
            },
        }
    }
}

/// The generator's parameters (documented on the module).
#[derive(Clone, Debug)]
pub struct Params {
    /// Days the log spans.
    pub days: u32,
    /// New visitor-days per 10⁹ bytes of log.
    pub visitor_days_per_gb: f64,
    /// Share of a day's new visitor-days that are visitors from an earlier day.
    pub returning_share: f64,
    /// Share of lines written by bots.
    pub bot_line_share: f64,
    /// Share of visits with a single page.
    pub bounce_share: f64,
    /// Mean number of pages after the second in a visit that is not a bounce.
    pub extra_pages_mean: f64,
    /// Share of visits whose assets are served by this server (and so logged).
    pub assets_share: f64,
    /// Distinct page paths.
    pub paths: usize,
    /// Zipf exponent of page popularity.
    pub path_zipf: f64,
    /// Share of visitors on IPv6.
    pub ipv6_share: f64,
    /// Share of visitors whose page URLs all carry `?sid=`.
    pub sid_url_share: f64,
    /// Share of visitors running the site's tracker.
    pub tracker_share: f64,
    /// Mean pages of a crawler's session, before the crawler's own weight (Ahrefs and Googlebot crawl
    /// longer, Yandex and Applebot shorter).
    pub crawl_mean: f64,
}

impl Params {
    const BASE: Params = Params {
        days: 1,
        visitor_days_per_gb: 300_000.0,
        returning_share: 0.0,
        bot_line_share: 0.25,
        bounce_share: 0.35,
        extra_pages_mean: 3.5,
        assets_share: 1.0,
        paths: 200_000,
        path_zipf: 1.0,
        ipv6_share: 0.20,
        sid_url_share: 0.12,
        tracker_share: 0.4,
        crawl_mean: 12.0,
    };
}

/// Parses a size such as `1G`, `20M`, `500k`, `1GiB` or `123456` (decimal units unless `i` is given).
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let unit = unit.trim().to_ascii_lowercase();
    let unit = unit.strip_suffix('b').unwrap_or(&unit);
    let factor: f64 = match unit {
        "" => 1.0,
        "k" => 1e3,
        "m" => 1e6,
        "g" => 1e9,
        "t" => 1e12,
        "ki" => 1024.0,
        "mi" => 1024.0 * 1024.0,
        "gi" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    Some((number * factor) as u64)
}

/// Generates about `size` bytes of `profile` log with `seed` into `out` (the last visit may run a few
/// lines past `size`). Returns the bytes written.
pub fn generate(profile: Profile, size: u64, seed: u64, out: &mut dyn Write) -> io::Result<u64> {
    Generator::new(profile.params(), size, seed).run(out)
}

/// [`generate`] into memory.
pub fn generate_vec(profile: Profile, size: u64, seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(size as usize + (1 << 16));
    generate(profile, size, seed, &mut out).expect("writing to memory");
    out
}

const HOST: &str = "https://www.example.com";
/// 2026-03-02, a Monday, in days since 1970-01-01.
const START_DAY: i64 = 20_514;
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
/// Relative traffic per hour of the day (UTC).
const HOURLY: [f64; 24] = [
    0.45, 0.35, 0.28, 0.24, 0.22, 0.25, 0.35, 0.55, 0.80, 0.95, 1.00, 1.02, 1.00, 1.00, 1.02, 1.00,
    0.98, 0.95, 0.95, 1.00, 1.05, 1.00, 0.85, 0.65,
];

const WORDS: &[&str] = &[
    "red",
    "blue",
    "green",
    "black",
    "white",
    "small",
    "large",
    "quick",
    "simple",
    "modern",
    "classic",
    "organic",
    "wireless",
    "portable",
    "smart",
    "vintage",
    "compact",
    "premium",
    "budget",
    "ultimate",
    "guide",
    "review",
    "tips",
    "how",
    "why",
    "best",
    "top",
    "new",
    "old",
    "free",
    "easy",
    "fast",
    "cheap",
    "running",
    "shoes",
    "jacket",
    "coffee",
    "kitchen",
    "garden",
    "camera",
    "laptop",
    "phone",
    "watch",
    "bag",
    "backpack",
    "tent",
    "bike",
    "helmet",
    "lamp",
    "chair",
    "desk",
    "table",
    "sofa",
    "bed",
    "pillow",
    "blanket",
    "mug",
    "bottle",
    "knife",
    "pan",
    "grill",
    "oven",
    "speaker",
    "headphones",
    "keyboard",
    "mouse",
    "monitor",
    "cable",
    "charger",
    "battery",
    "drone",
    "printer",
    "router",
    "server",
    "linux",
    "rust",
    "python",
    "docker",
    "nginx",
    "apache",
    "database",
    "backup",
    "security",
    "privacy",
    "cloud",
    "network",
    "storage",
    "update",
    "release",
    "install",
    "setup",
    "config",
    "tutorial",
    "beginners",
    "advanced",
    "2023",
    "2024",
    "2025",
    "winter",
    "summer",
    "spring",
    "autumn",
    "holiday",
    "travel",
    "recipe",
    "bread",
    "pasta",
    "salad",
    "soup",
    "cake",
    "vegan",
    "healthy",
    "fitness",
    "yoga",
    "hiking",
    "climbing",
    "fishing",
    "camping",
    "music",
    "guitar",
    "piano",
    "vinyl",
    "movie",
    "books",
    "reading",
    "writing",
    "design",
    "photo",
    "video",
    "editing",
    "marketing",
    "seo",
    "sales",
    "startup",
    "business",
    "finance",
    "tax",
    "budgeting",
    "home",
    "office",
    "remote",
    "work",
    "career",
    "school",
    "kids",
    "baby",
    "dog",
    "cat",
    "pet",
    "food",
    "wine",
    "beer",
    "tea",
    "chocolate",
    "cheese",
    "pizza",
    "burger",
    "city",
    "berlin",
    "paris",
    "london",
    "tokyo",
    "york",
    "lisbon",
    "rome",
    "vienna",
    "oslo",
    "madrid",
    "wood",
    "steel",
    "cotton",
    "wool",
    "leather",
    "glass",
    "ceramic",
    "solar",
    "electric",
    "hybrid",
    "mini",
    "pro",
    "max",
    "plus",
    "lite",
    "edition",
    "pack",
    "set",
    "kit",
    "bundle",
    "repair",
    "clean",
    "fix",
    "build",
    "make",
    "compare",
    "versus",
    "alternative",
    "history",
    "future",
    "science",
    "space",
    "ocean",
    "mountain",
    "river",
    "forest",
    "desert",
    "island",
    "bridge",
    "tower",
    "castle",
    "museum",
    "market",
    "festival",
    "concert",
    "league",
    "team",
    "game",
    "puzzle",
    "chess",
    "cards",
    "board",
    "retro",
    "arcade",
    "console",
    "pixel",
    "sound",
    "light",
    "dark",
    "theme",
    "font",
    "color",
    "paper",
    "pen",
    "notebook",
    "planner",
    "calendar",
    "clock",
    "timer",
    "sensor",
    "robot",
    "arduino",
    "raspberry",
];
const FIRST_NAMES: &[&str] = &[
    "anna", "ben", "carla", "david", "emma", "felix", "grace", "hugo", "ines", "jonas", "kate",
    "lucas", "maria", "noah", "olga", "paul", "rosa", "sam", "tina", "victor", "wei", "yuki",
    "zoe", "ahmed", "fatima", "lars", "mia", "omar", "priya", "raj", "sofia", "tom",
];
const LAST_NAMES: &[&str] = &[
    "smith", "mueller", "garcia", "rossi", "dubois", "jansen", "nowak", "silva", "kim", "tanaka",
    "brown", "schmidt", "lopez", "martin", "novak", "berg", "costa", "wong", "patel", "khan",
    "olsen", "weber",
];
const MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "hotmail.com",
    "gmx.de",
    "web.de",
    "icloud.com",
    "proton.me",
    "orange.fr",
    "libero.it",
    "mail.ru",
    "example.org",
];
const ANDROID_MODELS: &[&str] = &[
    "SM-S911B",
    "SM-S918B",
    "SM-S921B",
    "SM-A546B",
    "SM-A536B",
    "SM-A336B",
    "SM-A155F",
    "SM-A256B",
    "SM-G991B",
    "SM-G998B",
    "SM-G781B",
    "SM-N986B",
    "SM-A525F",
    "SM-M336B",
    "SM-F946B",
    "SM-X710",
    "Pixel 6",
    "Pixel 6a",
    "Pixel 7",
    "Pixel 7 Pro",
    "Pixel 7a",
    "Pixel 8",
    "Pixel 8 Pro",
    "Pixel 9",
    "M2101K6G",
    "2201117TY",
    "22101316G",
    "23021RAA2Y",
    "2312DRA50G",
    "M2012K11AG",
    "Redmi Note 8 Pro",
    "CPH2343",
    "CPH2451",
    "CPH2581",
    "RMX3363",
    "RMX3710",
    "ONEPLUS A6013",
    "LE2123",
    "NE2213",
    "moto g(30)",
    "moto g(60)",
    "moto g84 5G",
    "motorola edge 40",
    "VOG-L29",
    "ELE-L29",
    "JNY-LX1",
    "ANE-LX1",
    "LM-Q630",
    "V2130",
    "V2207",
    "I2202",
    "TECNO KI5q",
    "Infinix X6833B",
    "Nokia G21",
    "Nokia 5.4",
    "XQ-CT54",
    "XQ-BC52",
    "A142",
    "FP4",
    "KB2003",
    "IN2023",
    "Mi 9T",
    "POCO F5",
];
const ANDROID_BUILDS: &[&str] = &[
    "TP1A.220624.014",
    "UP1A.231005.007",
    "AP1A.240405.002",
    "SP1A.210812.016",
    "RKQ1.211119.001",
    "QKQ1.190910.002",
    "TKQ1.221114.001",
    "UKQ1.230917.001",
];

/// What a path is, for its assets and sizes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Section,
    Blog,
    Product,
    Category,
    Tag,
    Docs,
    News,
    Author,
    Download,
}

struct Page {
    path: Box<str>,
    kind: Kind,
    size: u32,
    status: u16,
}

/// A pending line: written once its second comes.
struct Pending {
    time: u32,
    seq: u64,
    line: Vec<u8>,
    /// Where the 26 bytes of the timestamp go.
    at: u16,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.seq) == (other.time, other.seq)
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.time, self.seq).cmp(&(other.time, other.seq))
    }
}

/// One client: an address, a user agent and what else it sends.
struct Client {
    ip: String,
    ua: String,
    user: &'static str,
    proto: &'static str,
    client_id: u64,
    sid_urls: bool,
    tracker: bool,
}

/// The fields of one request.
struct Hit<'a> {
    time: u32,
    method: &'a str,
    target: &'a str,
    status: u16,
    size: u64,
    referrer: &'a str,
}

struct Clock {
    /// Cumulative traffic weight at the end of each minute, normalised to 1.
    cumulative: Vec<f64>,
    /// "02/Mar/2026" for each day (and one more for spill-over).
    dates: Vec<String>,
    end: u32,
}

impl Clock {
    fn new(days: u32) -> Clock {
        let minutes = days as usize * 1440;
        let mut cumulative = Vec::with_capacity(minutes);
        let mut total = 0.0;
        for minute in 0..minutes {
            let day = minute / 1440;
            let hour = (minute % 1440) / 60;
            let next = (hour + 1) % 24;
            let frac = (minute % 60) as f64 / 60.0;
            let mut weight = HOURLY[hour] * (1.0 - frac) + HOURLY[next] * frac;
            // 2026-03-02 is a Monday: days 5 and 6 of each week are the weekend.
            if days > 1 && day % 7 >= 5 {
                weight *= 0.8;
            }
            total += weight;
            cumulative.push(total);
        }
        for c in &mut cumulative {
            *c /= total;
        }
        let dates = (0..=days as i64)
            .map(|d| {
                let (y, m, day) = civil_from_days(START_DAY + d);
                format!("{day:02}/{}/{y}", MONTHS[m as usize - 1])
            })
            .collect();
        Clock {
            cumulative,
            dates,
            end: days * 86_400,
        }
    }

    /// The second (since the start) at which `progress` (0..1) of the traffic has gone by.
    fn at(&self, progress: f64) -> u32 {
        let progress = progress.clamp(0.0, 1.0);
        let minute = self
            .cumulative
            .partition_point(|&c| c < progress)
            .min(self.cumulative.len() - 1);
        let before = if minute == 0 {
            0.0
        } else {
            self.cumulative[minute - 1]
        };
        let width = self.cumulative[minute] - before;
        let frac = if width > 0.0 {
            ((progress - before) / width).clamp(0.0, 0.999)
        } else {
            0.0
        };
        minute as u32 * 60 + (frac * 60.0) as u32
    }

    /// `[02/Mar/2026:13:05:09 +0000]`: 28 bytes.
    fn stamp(&self, second: u32, out: &mut [u8; 28]) {
        let day = (second / 86_400) as usize;
        let s = second % 86_400;
        let (h, m, sec) = (s / 3600, (s / 60) % 60, s % 60);
        out[0] = b'[';
        out[1..12].copy_from_slice(self.dates[day.min(self.dates.len() - 1)].as_bytes());
        out[12] = b':';
        two(&mut out[13..15], h);
        out[15] = b':';
        two(&mut out[16..18], m);
        out[18] = b':';
        two(&mut out[19..21], sec);
        out[21..28].copy_from_slice(b" +0000]");
    }
}

fn two(out: &mut [u8], n: u32) {
    out[0] = b'0' + (n / 10) as u8;
    out[1] = b'0' + (n % 10) as u8;
}

/// Year, month, day of a day number since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

struct Generator {
    p: Params,
    size: u64,
    seed: u64,
    rng: Pcg64Mcg,
    clock: Clock,
    pages: Vec<Page>,
    page_zipf: Zipf<f64>,
    v4_nets: Vec<(u8, u8)>,
    v4_zipf: Zipf<f64>,
    v6_nets: Vec<(u16, u16)>,
    v6_zipf: Zipf<f64>,
    think: LogNormal<f64>,
    nat_pool: Vec<String>,
    /// Per visitor: the last day seen (u16::MAX: never).
    last_day: Vec<u16>,
    today: Vec<u32>,
    day: u32,
    visitor_days: u64,
    scheduled: u64,
    lines: u64,
    bot_lines: u64,
    seq: u64,
    heap: BinaryHeap<Reverse<Pending>>,
    spare: Vec<Vec<u8>>,
    out: Vec<u8>,
    written: u64,
    stamp: [u8; 28],
    stamp_second: u32,
}

impl Generator {
    fn new(p: Params, size: u64, seed: u64) -> Generator {
        let mut rng = Pcg64Mcg::seed_from_u64(seed);
        let pages = build_pages(p.paths, &mut rng);
        let mut v4_nets = Vec::with_capacity(30_000);
        let mut taken = vec![false; 65_536];
        while v4_nets.len() < 30_000 {
            let a: u8 = rng.random_range(1..=223);
            let b: u8 = rng.random();
            if public_v4(a, b) && !taken[usize::from(a) << 8 | usize::from(b)] {
                taken[usize::from(a) << 8 | usize::from(b)] = true;
                v4_nets.push((a, b));
            }
        }
        const V6_BLOCKS: &[u16] = &[
            0x2001, 0x2003, 0x2400, 0x2401, 0x2402, 0x2403, 0x2405, 0x2406, 0x2408, 0x2409, 0x2600,
            0x2601, 0x2602, 0x2603, 0x2604, 0x2605, 0x2606, 0x2607, 0x2800, 0x2801, 0x2804, 0x2806,
            0x2a00, 0x2a01, 0x2a02, 0x2a03, 0x2a04, 0x2a05, 0x2a06, 0x2a0a, 0x2a0e, 0x2c0f,
        ];
        let v6_nets = (0..2000)
            .map(|_| {
                let a = *V6_BLOCKS.choose(&mut rng).expect("blocks");
                let mut b: u16 = rng.random();
                if a == 0x2001 && b == 0x0db8 {
                    b = 0x0db9;
                }
                (a, b)
            })
            .collect::<Vec<_>>();
        let nat_pool = (0..((size as f64 / 1e9 * 4_000.0) as usize).max(20))
            .map(|_| {
                let (a, b) = v4_nets[rng.random_range(0..v4_nets.len())];
                format!(
                    "{a}.{b}.{}.{}",
                    rng.random::<u8>(),
                    rng.random_range(1..255)
                )
            })
            .collect();
        Generator {
            page_zipf: Zipf::new(p.paths as f64, p.path_zipf).expect("zipf"),
            v4_zipf: Zipf::new(v4_nets.len() as f64, 0.9).expect("zipf"),
            v6_zipf: Zipf::new(v6_nets.len() as f64, 0.9).expect("zipf"),
            think: LogNormal::new(20f64.ln(), 1.1).expect("lognormal"),
            clock: Clock::new(p.days),
            p,
            size,
            seed,
            rng,
            pages,
            v4_nets,
            v6_nets,
            nat_pool,
            last_day: Vec::new(),
            today: Vec::new(),
            day: 0,
            visitor_days: 0,
            scheduled: 0,
            lines: 0,
            bot_lines: 0,
            seq: 0,
            heap: BinaryHeap::new(),
            spare: Vec::new(),
            out: Vec::with_capacity(1 << 20),
            written: 0,
            stamp: [0; 28],
            stamp_second: u32::MAX,
        }
    }

    fn run(mut self, sink: &mut dyn Write) -> io::Result<u64> {
        while self.scheduled < self.size {
            let progress = self.scheduled as f64 / self.size as f64;
            let start = self.clock.at(progress);
            self.flush_until(start, sink)?;
            let day = start / 86_400;
            if day != self.day {
                self.day = day;
                self.today.clear();
            }
            let bots_behind = (self.bot_lines as f64) < self.p.bot_line_share * self.lines as f64;
            let before = self.lines;
            if bots_behind {
                self.bot_session(start);
                self.bot_lines += self.lines - before;
            } else {
                self.visit(start, progress);
            }
        }
        if std::env::var_os("GENLOG_STATS").is_some() {
            eprintln!(
                "lines {} bot lines {} visitor-days {} visitors {}",
                self.lines,
                self.bot_lines,
                self.visitor_days,
                self.last_day.len()
            );
        }
        self.flush_until(u32::MAX, sink)?;
        sink.write_all(&self.out)?;
        self.written += self.out.len() as u64;
        sink.flush()?;
        Ok(self.written)
    }

    /// Writes every pending line before second `until`.
    fn flush_until(&mut self, until: u32, sink: &mut dyn Write) -> io::Result<()> {
        while let Some(Reverse(top)) = self.heap.peek() {
            if top.time >= until {
                break;
            }
            let Reverse(mut pending) = self.heap.pop().expect("peeked");
            if pending.time != self.stamp_second {
                self.stamp_second = pending.time;
                self.clock.stamp(pending.time, &mut self.stamp);
            }
            let at = usize::from(pending.at);
            pending.line[at..at + 28].copy_from_slice(&self.stamp);
            self.out.extend_from_slice(&pending.line);
            pending.line.clear();
            self.spare.push(pending.line);
            if self.out.len() >= 1 << 20 {
                sink.write_all(&self.out)?;
                self.written += self.out.len() as u64;
                self.out.clear();
            }
        }
        Ok(())
    }

    /// Queues one line.
    fn emit(&mut self, client: &Client, hit: &Hit) {
        let mut line = self.spare.pop().unwrap_or_default();
        line.extend_from_slice(client.ip.as_bytes());
        line.extend_from_slice(b" - ");
        line.extend_from_slice(client.user.as_bytes());
        line.push(b' ');
        let at = line.len() as u16;
        line.extend_from_slice(&[b'.'; 28]);
        let _ = writeln!(
            Adapter(&mut line),
            " \"{} {} {}\" {} {} \"{}\" \"{}\"",
            hit.method,
            hit.target,
            client.proto,
            hit.status,
            hit.size,
            hit.referrer,
            client.ua
        );
        self.scheduled += line.len() as u64;
        self.lines += 1;
        self.seq += 1;
        let time = hit.time.min(self.clock.end - 1);
        self.heap.push(Reverse(Pending {
            time,
            seq: self.seq,
            line,
            at,
        }));
    }

    fn zipf_page(&mut self) -> usize {
        self.page_zipf.sample(&mut self.rng) as usize - 1
    }

    // ---------------------------------------------------------------- humans

    /// Chooses the visitor of a new visit: a new visitor-day while their count is behind the target,
    /// else someone already seen today.
    fn visitor(&mut self, progress: f64) -> (u32, bool) {
        let target = self.p.visitor_days_per_gb * self.size as f64 / 1e9 * progress;
        let day = self.day as u16;
        if (self.visitor_days as f64) < target || self.today.is_empty() {
            self.visitor_days += 1;
            let known = self.last_day.len() as u32;
            if known > 0 && self.rng.random_bool(self.p.returning_share) {
                for _ in 0..4 {
                    let id = self.rng.random_range(0..known);
                    if self.last_day[id as usize] != day {
                        self.last_day[id as usize] = day;
                        self.today.push(id);
                        return (id, true);
                    }
                }
            }
            self.last_day.push(day);
            self.today.push(known);
            (known, false)
        } else {
            (*self.today.choose(&mut self.rng).expect("not empty"), true)
        }
    }

    /// A visitor's attributes, the same every time the visitor comes back.
    fn client(&self, id: u32) -> Client {
        let mut rng = Pcg64Mcg::seed_from_u64(
            self.seed
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .wrapping_add(u64::from(id) + 1),
        );
        let ip = if rng.random_bool(0.05) {
            self.nat_pool[rng.random_range(0..self.nat_pool.len())].clone()
        } else if rng.random_bool(self.p.ipv6_share) {
            let (a, b) = self.v6_nets[self.v6_zipf.sample(&mut rng) as usize - 1];
            let g: [u16; 6] = rng.random();
            format!(
                "{a:x}:{b:x}:{:x}:{:x}:{:x}:{:x}:{:x}:{:x}",
                g[0], g[1], g[2], g[3], g[4], g[5]
            )
        } else {
            let (a, b) = self.v4_nets[self.v4_zipf.sample(&mut rng) as usize - 1];
            format!(
                "{a}.{b}.{}.{}",
                rng.random::<u8>(),
                rng.random_range(1..255)
            )
        };
        let ua = browser_ua(&mut rng);
        let user = if rng.random_bool(0.003) {
            *["editor", "admin", "jdoe", "m.schmidt", "ops", "staging"]
                .choose(&mut rng)
                .expect("names")
        } else {
            "-"
        };
        Client {
            ip,
            ua,
            user,
            proto: if rng.random_bool(0.6) {
                "HTTP/2.0"
            } else {
                "HTTP/1.1"
            },
            client_id: rng.random(),
            sid_urls: rng.random_bool(self.p.sid_url_share),
            tracker: rng.random_bool(self.p.tracker_share),
        }
    }

    fn visit(&mut self, start: u32, progress: f64) {
        let (id, seen_before) = self.visitor(progress);
        let client = self.client(id);
        let visit_sid = hex(&mut self.rng, 26);
        let pages = if self.rng.random_bool(self.p.bounce_share) {
            1
        } else {
            2 + geometric(&mut self.rng, self.p.extra_pages_mean)
        };
        let assets = self.rng.random_bool(self.p.assets_share);
        let cached = seen_before && self.rng.random_bool(0.7);
        let (mut referrer, landing_query) = self.landing_source();
        let mut time = start;
        let mut target = String::new();
        for n in 0..pages {
            target.clear();
            let (method, status, size, page) = self.next_page(n, &mut target);
            if n == 0 && !landing_query.is_empty() {
                target.push(if target.contains('?') { '&' } else { '?' });
                target.push_str(&landing_query);
            }
            if client.sid_urls && page.is_some() {
                target.push(if target.contains('?') { '&' } else { '?' });
                let _ = write!(target, "sid={visit_sid}");
            }
            self.emit(
                &client,
                &Hit {
                    time,
                    method,
                    target: &target,
                    status,
                    size,
                    referrer: &referrer,
                },
            );
            let page_url = format!("{HOST}{target}");
            if status == 200 {
                if assets {
                    self.assets(&client, page, n == 0, cached, time, &page_url);
                }
                if client.tracker {
                    let t = time + self.rng.random_range(1..4);
                    let track = format!(
                        "/api/v1/track?cid={:016x}&sid={visit_sid}&e=pv",
                        client.client_id
                    );
                    self.emit(
                        &client,
                        &Hit {
                            time: t,
                            method: "GET",
                            target: &track,
                            status: 204,
                            size: 0,
                            referrer: &page_url,
                        },
                    );
                }
            }
            referrer = page_url;
            time += (self.think.sample(&mut self.rng) as u32).clamp(1, 1200);
        }
    }

    /// The referrer of a landing page and what the landing URL carries.
    fn landing_source(&mut self) -> (String, String) {
        let r: f64 = self.rng.random();
        let rng = &mut self.rng;
        if r < 0.35 {
            ("-".into(), String::new())
        } else if r < 0.70 {
            let q = words(rng, 1..=4, "+");
            let x: f64 = rng.random();
            let referrer = if x < 0.45 {
                let tld = *[
                    "com", "de", "co.uk", "fr", "es", "it", "nl", "com.br", "ca", "pl",
                ]
                .choose(rng)
                .expect("tlds");
                format!("https://www.google.{tld}/")
            } else if x < 0.55 {
                format!("https://www.google.com/search?q={q}")
            } else if x < 0.62 {
                "android-app://com.google.android.googlequicksearchbox/".into()
            } else if x < 0.75 {
                format!("https://www.bing.com/search?q={q}&form=QBLH")
            } else if x < 0.83 {
                if rng.random_bool(0.7) {
                    "https://duckduckgo.com/".into()
                } else {
                    format!("https://duckduckgo.com/?q={q}&t=h_")
                }
            } else if x < 0.88 {
                format!("https://search.yahoo.com/search?p={q}")
            } else if x < 0.94 {
                format!(
                    "https://yandex.ru/search/?text={q}&lr={}",
                    rng.random_range(1..300)
                )
            } else {
                format!("https://www.ecosia.org/search?q={q}")
            };
            let query = if rng.random_bool(0.08) {
                format!("gclid={}", base64ish(rng, 88))
            } else {
                String::new()
            };
            (referrer, query)
        } else if r < 0.80 {
            let x: f64 = rng.random();
            let referrer = if x < 0.25 {
                format!("https://t.co/{}", alnum(rng, 10))
            } else if x < 0.35 {
                "https://www.facebook.com/".into()
            } else if x < 0.45 {
                format!(
                    "https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.example.com%2F&h=AT{}",
                    base64ish(rng, 40)
                )
            } else if x < 0.65 {
                format!(
                    "https://www.reddit.com/r/{}/comments/{}/{}/",
                    words(rng, 1..=1, ""),
                    alnum(rng, 6).to_ascii_lowercase(),
                    words(rng, 3..=6, "_")
                )
            } else if x < 0.75 {
                format!(
                    "https://news.ycombinator.com/item?id={}",
                    rng.random_range(38_000_000..42_000_000)
                )
            } else if x < 0.85 {
                "https://www.linkedin.com/".into()
            } else if x < 0.93 {
                "https://www.instagram.com/".into()
            } else {
                "https://www.youtube.com/".into()
            };
            let query = if referrer.contains("facebook") || rng.random_bool(0.1) {
                format!("fbclid=IwAR{}", base64ish(rng, 58))
            } else {
                String::new()
            };
            (referrer, query)
        } else if r < 0.90 {
            let tld = *["com", "net", "org", "de", "io", "blog", "co.uk", "fr"]
                .choose(rng)
                .expect("tlds");
            (
                format!(
                    "https://{}.{tld}/{}/",
                    words(rng, 2..=2, ""),
                    words(rng, 2..=5, "-")
                ),
                String::new(),
            )
        } else {
            let source = *[
                "newsletter",
                "facebook",
                "google",
                "twitter",
                "partner",
                "instagram",
            ]
            .choose(rng)
            .expect("sources");
            let medium = match source {
                "newsletter" => "email",
                "google" => "cpc",
                "partner" => "referral",
                _ => "social",
            };
            let referrer = if medium == "email" {
                "-".into()
            } else {
                format!("https://www.{source}.com/")
            };
            let season = *[
                "spring",
                "summer",
                "autumn",
                "winter",
                "black-friday",
                "launch",
            ]
            .choose(rng)
            .expect("seasons");
            let mut query = format!(
                "utm_source={source}&utm_medium={medium}&utm_campaign={season}-{}-{}",
                words(rng, 1..=1, ""),
                rng.random_range(2024..=2026)
            );
            if medium == "email" && rng.random_bool(0.5) {
                let _ = write!(query, "&mc_eid={}", hex(rng, 10));
            }
            (referrer, query)
        }
    }

    /// Writes the target of a visit's `n`th request into `target`: method, status, size and the page
    /// (for its assets), if it is a page.
    fn next_page(
        &mut self,
        n: u32,
        target: &mut String,
    ) -> (&'static str, u16, u64, Option<usize>) {
        let x: f64 = self.rng.random();
        if n > 0 && x < 0.08 {
            let _ = write!(target, "/search?q={}", words(&mut self.rng, 1..=4, "+"));
            if self.rng.random_bool(0.2) {
                let _ = write!(target, "&page={}", self.rng.random_range(2..6));
            }
            let size = self.rng.random_range(9_000..60_000);
            return ("GET", 200, size, None);
        }
        if n > 0 && x < 0.11 {
            let (method, path, status, size) = match self.rng.random_range(0..5) {
                0 => ("POST", "/login".to_string(), 302, 0),
                1 => ("POST", "/cart/add".to_string(), 302, 0),
                2 => ("GET", "/cart".to_string(), 200, 18_422),
                3 => (
                    "GET",
                    format!("/checkout?cart_token={}", hex(&mut self.rng, 32)),
                    200,
                    24_310,
                ),
                _ => ("GET", "/account/orders".to_string(), 200, 15_870),
            };
            target.push_str(&path);
            return (method, status, size + self.rng.random_range(0..400), None);
        }
        if n == 0 && x < 0.006 {
            let email = self.email();
            match self.rng.random_range(0..3) {
                0 => {
                    let _ = write!(target, "/account/reset/{}", base64ish(&mut self.rng, 40));
                }
                1 => {
                    let _ = write!(
                        target,
                        "/verify?token={}&email={email}",
                        hex(&mut self.rng, 32)
                    );
                }
                _ => {
                    let _ = write!(
                        target,
                        "/unsubscribe?email={email}&list={}",
                        self.rng.random_range(1..9)
                    );
                }
            }
            return ("GET", 200, self.rng.random_range(6_000..9_000), None);
        }
        let page = self.zipf_page();
        let p = &self.pages[page];
        target.push_str(&p.path);
        if p.kind == Kind::Category && self.rng.random_bool(0.3) {
            let _ = write!(target, "?page={}", self.rng.random_range(2..20));
        }
        let mut status = p.status;
        if status == 200 && self.rng.random_bool(0.002) {
            status = 500;
        }
        let size = match status {
            200 if p.kind == Kind::Download && self.rng.random_bool(0.15) => {
                status = 206;
                u64::from(p.size) / self.rng.random_range(2..20)
            }
            200 => u64::from(p.size) + self.rng.random_range(0..=u64::from(p.size / 100)),
            301 => 162,
            404 => 9_214,
            _ => 531,
        };
        let is_page = (status == 200 && p.kind != Kind::Download).then_some(page);
        ("GET", status, size, is_page)
    }

    fn email(&mut self) -> String {
        let rng = &mut self.rng;
        format!(
            "{}.{}{}{}{}",
            FIRST_NAMES.choose(rng).expect("names"),
            LAST_NAMES.choose(rng).expect("names"),
            rng.random_range(1..99),
            if rng.random_bool(0.6) { "%40" } else { "@" },
            MAIL_DOMAINS.choose(rng).expect("domains")
        )
    }

    /// The requests a page makes for its assets, within two seconds of it.
    fn assets(
        &mut self,
        client: &Client,
        page: Option<usize>,
        first: bool,
        cached: bool,
        time: u32,
        page_url: &str,
    ) {
        const SITE: &[(&str, u64)] = &[
            ("/static/css/app.3f9a1c2e.css", 48_211),
            ("/static/js/vendor.8b1d4e07.js", 181_934),
            ("/static/js/app.c4e2f9a1.js", 62_507),
            ("/static/fonts/inter-latin-400.woff2", 23_660),
        ];
        let mut target = String::new();
        if first {
            for &(path, size) in SITE {
                if path.ends_with("woff2") && self.rng.random_bool(0.5) {
                    continue;
                }
                self.asset(client, path, size, cached, time, page_url);
            }
            if self.rng.random_bool(0.3) {
                self.asset(client, "/favicon.ico", 15_086, cached, time, "-");
            }
            if self.rng.random_bool(0.05) {
                self.asset(client, "/apple-touch-icon.png", 9_813, cached, time, "-");
            }
        }
        let Some(page) = page else { return };
        let kind = self.pages[page].kind;
        let images = match kind {
            Kind::Product => self.rng.random_range(1..=3),
            Kind::Blog | Kind::News => self.rng.random_range(0..=2),
            Kind::Section | Kind::Category | Kind::Tag => self.rng.random_range(0..=1),
            _ => 0,
        };
        for i in 0..images {
            target.clear();
            let ext = if kind == Kind::Product { "webp" } else { "jpg" };
            let path = self.pages[page].path.trim_end_matches('/');
            let _ = write!(target, "/images{path}-{}.{ext}", i + 1);
            let size = 20_000 + u64::from(self.pages[page].size % 180_000) + 7_919 * i;
            let target = std::mem::take(&mut target);
            self.asset(client, &target, size, cached, time, page_url);
        }
    }

    fn asset(
        &mut self,
        client: &Client,
        path: &str,
        size: u64,
        cached: bool,
        time: u32,
        referrer: &str,
    ) {
        let (status, size) = if cached { (304, 0) } else { (200, size) };
        let time = time + self.rng.random_range(0..=2);
        self.emit(
            client,
            &Hit {
                time,
                method: "GET",
                target: path,
                status,
                size,
                referrer,
            },
        );
    }

    // ------------------------------------------------------------------ bots

    fn bot_session(&mut self, start: u32) {
        let x: f64 = self.rng.random();
        if x < 0.55 {
            self.crawler(start);
        } else if x < 0.72 {
            self.probe(start);
        } else if x < 0.84 {
            self.monitor(start);
        } else if x < 0.92 {
            self.script(start);
        } else if x < 0.96 {
            self.feed_reader(start);
        } else {
            self.preview(start);
        }
    }

    fn bot_client(&mut self, ip: String, ua: String) -> Client {
        Client {
            ip,
            ua,
            user: "-",
            proto: "HTTP/1.1",
            client_id: 0,
            sid_urls: false,
            tracker: false,
        }
    }

    fn random_v4(&mut self) -> String {
        let (a, b) = self.v4_nets[self.rng.random_range(0..self.v4_nets.len())];
        format!(
            "{a}.{b}.{}.{}",
            self.rng.random::<u8>(),
            self.rng.random_range(1..255)
        )
    }

    fn crawler(&mut self, start: u32) {
        let rng = &mut self.rng;
        let chrome = rng.random_range(120..=131);
        let (ip, ua, weight_pages) = match rng.random_range(0..100) {
            0..=29 => (
                if rng.random_bool(0.15) {
                    format!("2001:4860:4801:{:x}::{:x}", rng.random_range(0x10..0x80), rng.random_range(1..0x40))
                } else {
                    format!("66.249.{}.{}", rng.random_range(64..80), rng.random_range(1..255))
                },
                if rng.random_bool(0.6) {
                    format!("Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{chrome}.0.{}.{} Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 6099 + (chrome - 120) * 60, rng.random_range(50..200))
                } else {
                    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)".into()
                },
                30,
            ),
            30..=49 => (
                format!(
                    "{}.{}",
                    ["40.77.167", "157.55.39", "207.46.13", "52.167.144"]
                        .choose(rng)
                        .expect("nets"),
                    rng.random_range(1..255)
                ),
                if rng.random_bool(0.7) {
                    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)".into()
                } else {
                    format!("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/{chrome}.0.0.0 Safari/537.36")
                },
                20,
            ),
            50..=61 => (
                format!("54.36.{}.{}", rng.random_range(148..150), rng.random_range(1..255)),
                "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)".into(),
                40,
            ),
            62..=71 => (
                format!("185.191.171.{}", rng.random_range(1..255)),
                "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)".into(),
                30,
            ),
            72..=77 => (
                format!("5.255.253.{}", rng.random_range(1..255)),
                "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)".into(),
                15,
            ),
            78..=82 => (
                format!("20.171.207.{}", rng.random_range(1..255)),
                "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)".into(),
                25,
            ),
            83..=87 => (
                format!("110.249.{}.{}", rng.random_range(200..210), rng.random_range(1..255)),
                "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)".into(),
                20,
            ),
            88..=91 => (
                format!("216.244.66.{}", rng.random_range(1..255)),
                "Mozilla/5.0 (compatible; DotBot/1.2; +https://opensiteexplorer.org/dotbot; help@moz.com)".into(),
                10,
            ),
            92..=95 => (
                format!("17.241.{}.{}", rng.random_range(0..255), rng.random_range(1..255)),
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)".into(),
                10,
            ),
            _ => (
                format!("114.119.{}.{}", rng.random_range(128..160), rng.random_range(1..255)),
                "Mozilla/5.0 (Linux; Android 7.0;) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)".into(),
                10,
            ),
        };
        let client = self.bot_client(ip, ua);
        let hits = 1 + geometric(
            &mut self.rng,
            self.p.crawl_mean * weight_pages as f64 / 24.0,
        );
        let mut time = start;
        let mut target = String::new();
        for _ in 0..hits {
            target.clear();
            let x: f64 = self.rng.random();
            let (status, size) = if x < 0.03 {
                target.push_str("/robots.txt");
                (200, 412)
            } else if x < 0.05 {
                let _ = write!(target, "/sitemap-{}.xml", self.rng.random_range(1..40));
                (200, self.rng.random_range(40_000..90_000))
            } else {
                // Crawlers reach the long tail: half their pages are uniform over all paths.
                let page = if self.rng.random_bool(0.5) {
                    self.rng.random_range(0..self.pages.len())
                } else {
                    self.zipf_page()
                };
                let p = &self.pages[page];
                target.push_str(&p.path);
                match p.status {
                    200 if self.rng.random_bool(0.1) => (304, 0),
                    200 => (200, u64::from(p.size)),
                    301 => (301, 162),
                    _ => (404, 9_214),
                }
            };
            self.emit(
                &client,
                &Hit {
                    time,
                    method: "GET",
                    target: &target,
                    status,
                    size,
                    referrer: "-",
                },
            );
            time += self.rng.random_range(1..40);
        }
    }

    fn probe(&mut self, start: u32) {
        const PROBES: &[&str] = &[
            "/wp-login.php",
            "/xmlrpc.php",
            "/.env",
            "/.git/config",
            "/wp-admin/setup-config.php",
            "/wp-includes/wlwmanifest.xml",
            "/phpmyadmin/index.php",
            "/pma/index.php",
            "/admin.php",
            "/administrator/index.php",
            "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
            "/cgi-bin/luci/;stok=/locale",
            "/boaform/admin/formLogin",
            "/actuator/health",
            "/actuator/env",
            "/config.json",
            "/.aws/credentials",
            "/server-status",
            "/.DS_Store",
            "/backup.zip",
            "/db.sql",
            "/wp-content/plugins/wp-file-manager/readme.txt",
            "/owa/auth/logon.aspx",
            "/remote/login",
            "/api/jsonws/invoke",
            "/solr/admin/info/system",
            "/.well-known/security.txt",
            "/HNAP1/",
            "/shell.php",
            "/info.php",
            "/phpinfo.php",
            "/.vscode/sftp.json",
            "/_ignition/execute-solution",
            "/console/",
            "/manager/html",
            "/sitemap.xml",
            "/login.action",
            "/wp-content/uploads/2024/01/x.php",
            "/index.php?s=/index/\\think\\app/invokefunction&function=call_user_func_array&vars[0]=md5&vars[1][]=1",
        ];
        let ip = self.random_v4();
        let ua = match self.rng.random_range(0..8) {
            0 => "Mozilla/5.0 zgrab/0.x".to_string(),
            1 => "Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)".into(),
            2 => "-".into(),
            3 => "Expanse, a Palo Alto Networks company, searches across the global IPv4 space multiple times per day to identify customers&#39; presences on the Internet. If you would like to be excluded from our scans, please send IP addresses/domains to: scaninfo@paloaltonetworks.com".into(),
            4 => format!("python-requests/2.{}.{}", self.rng.random_range(25..33), self.rng.random_range(0..4)),
            5 => "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36".into(),
            6 => "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.129 Safari/537.36".into(),
            _ => "Go-http-client/1.1".to_string(),
        };
        let client = self.bot_client(ip, ua);
        let hits = 1 + geometric(&mut self.rng, 5.0);
        let mut time = start;
        for _ in 0..hits {
            let path = *PROBES.choose(&mut self.rng).expect("probes");
            let method = if path.contains("eval-stdin") || path.contains("invoke") {
                "POST"
            } else {
                "GET"
            };
            let (status, size) = match self.rng.random_range(0..20) {
                0 => (403, 199),
                1 => (400, 226),
                2 if path == "/sitemap.xml" || path.starts_with("/.well") => (200, 1_204),
                _ => (404, 9_214),
            };
            self.emit(
                &client,
                &Hit {
                    time,
                    method,
                    target: path,
                    status,
                    size,
                    referrer: "-",
                },
            );
            time += self.rng.random_range(0..3);
        }
    }

    fn monitor(&mut self, start: u32) {
        let rng = &mut self.rng;
        let (ip, ua, method, path, size) = match rng.random_range(0..6) {
            0 => (
                format!("69.162.124.{}", rng.random_range(224..240)),
                "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)".to_string(),
                "HEAD",
                "/",
                0,
            ),
            1 => (
                format!("178.255.{}.{}", rng.random_range(152..156), rng.random_range(1..255)),
                "Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)".into(),
                "GET",
                "/",
                31_877,
            ),
            2 => (
                "203.0.113.7".into(),
                format!("Uptime-Kuma/1.23.{}", rng.random_range(11..17)),
                "GET",
                "/health",
                15,
            ),
            3 => (
                format!("10.42.0.{}", rng.random_range(1..4)),
                format!("kube-probe/1.{}", rng.random_range(28..31)),
                "GET",
                "/healthz",
                2,
            ),
            4 => (
                format!("3.{}.{}.{}", rng.random_range(80..100), rng.random_range(0..255), rng.random_range(1..255)),
                "Mozilla/5.0 (compatible; StatusCake)".into(),
                "GET",
                "/",
                31_877,
            ),
            _ => (
                format!("2a01:4f8:c0c:{:x}::1", rng.random_range(0x1000..0xffff)),
                "Better Uptime Bot Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36".into(),
                "HEAD",
                "/",
                0,
            ),
        };
        let client = self.bot_client(ip, ua);
        self.emit(
            &client,
            &Hit {
                time: start,
                method,
                target: path,
                status: 200,
                size,
                referrer: "-",
            },
        );
    }

    fn script(&mut self, start: u32) {
        let ip = if self.rng.random_bool(0.2) {
            let (a, b) = self.v6_nets[self.rng.random_range(0..self.v6_nets.len())];
            format!("{a:x}:{b:x}::{:x}", self.rng.random::<u16>())
        } else {
            self.random_v4()
        };
        let rng = &mut self.rng;
        let ua = match rng.random_range(0..10) {
            0 | 1 => format!(
                "curl/{}",
                [
                    "7.68.0", "7.81.0", "7.88.1", "8.4.0", "8.5.0", "8.7.1", "8.9.1", "8.11.1"
                ]
                .choose(rng)
                .expect("curls")
            ),
            2 | 3 => format!(
                "python-requests/2.{}.{}",
                rng.random_range(25..33),
                rng.random_range(0..4)
            ),
            4 => "Go-http-client/2.0".into(),
            5 => format!("Wget/1.21.{}", rng.random_range(1..5)),
            6 => format!(
                "okhttp/4.{}.{}",
                rng.random_range(9..13),
                rng.random_range(0..4)
            ),
            7 => format!(
                "axios/1.{}.{}",
                rng.random_range(4..8),
                rng.random_range(0..9)
            ),
            8 => format!(
                "Apache-HttpClient/4.5.{} (Java/17.0.{})",
                rng.random_range(10..15),
                rng.random_range(2..12)
            ),
            _ => format!(
                "Java/{}.0.{}",
                [11, 17, 21].choose(rng).expect("javas"),
                rng.random_range(1..12)
            ),
        };
        let client = self.bot_client(ip, ua);
        let hits = 1 + geometric(&mut self.rng, 3.0);
        let mut time = start;
        let mut target = String::new();
        for _ in 0..hits {
            target.clear();
            let (status, size) = match self.rng.random_range(0..5) {
                0 => {
                    let _ = write!(
                        target,
                        "/api/v1/products?page={}&per_page=100",
                        self.rng.random_range(1..400)
                    );
                    (200, self.rng.random_range(30_000..120_000))
                }
                1 => {
                    target.push_str("/feed.xml");
                    (200, 64_210)
                }
                2 => {
                    let _ = write!(
                        target,
                        "/api/v1/orders?token={}",
                        base64ish(&mut self.rng, 32)
                    );
                    (if self.rng.random_bool(0.2) { 401 } else { 200 }, 1_822)
                }
                3 => {
                    target.push_str("/api/v1/status");
                    (200, 48)
                }
                _ => {
                    let page = self.zipf_page();
                    target.push_str(&self.pages[page].path);
                    (200, u64::from(self.pages[page].size))
                }
            };
            self.emit(
                &client,
                &Hit {
                    time,
                    method: "GET",
                    target: &target,
                    status,
                    size,
                    referrer: "-",
                },
            );
            time += self.rng.random_range(0..10);
        }
    }

    fn feed_reader(&mut self, start: u32) {
        let rng = &mut self.rng;
        let subscribers = 1 + geometric(rng, 40.0);
        let (ip, ua) = match rng.random_range(0..3) {
            0 => (
                format!(
                    "52.{}.{}.{}",
                    rng.random_range(0..100),
                    rng.random_range(0..255),
                    rng.random_range(1..255)
                ),
                format!(
                    "Feedly/1.0 (+http://www.feedly.com/fetcher.html; {subscribers} subscribers; )"
                ),
            ),
            1 => (
                format!(
                    "173.255.{}.{}",
                    rng.random_range(192..255),
                    rng.random_range(1..255)
                ),
                format!("Mozilla/5.0 (compatible; inoreader.com; {subscribers} subscribers)"),
            ),
            _ => (
                format!(
                    "45.79.{}.{}",
                    rng.random_range(0..255),
                    rng.random_range(1..255)
                ),
                format!(
                    "NewsBlur Feed Fetcher - {subscribers} subscribers - https://www.newsblur.com/site/{} (Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15)",
                    rng.random_range(1000..9_000_000)
                ),
            ),
        };
        let (status, size) = if rng.random_bool(0.7) {
            (304, 0)
        } else {
            (200, 64_210)
        };
        let path = *["/feed.xml", "/blog/feed/", "/news/rss.xml"]
            .choose(rng)
            .expect("feeds");
        let client = self.bot_client(ip, ua);
        self.emit(
            &client,
            &Hit {
                time: start,
                method: "GET",
                target: path,
                status,
                size,
                referrer: "-",
            },
        );
    }

    fn preview(&mut self, start: u32) {
        let ip = self.random_v4();
        let ua = match self.rng.random_range(0..7) {
            0 => "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
            1 => "Twitterbot/1.0",
            2 => "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
            3 => "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
            4 => "WhatsApp/2.23.20.0",
            5 => "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
            _ => "TelegramBot (like TwitterBot)",
        }
        .to_string();
        let client = self.bot_client(ip, ua);
        let page = self.zipf_page();
        let path = self.pages[page].path.clone();
        let size = u64::from(self.pages[page].size);
        self.emit(
            &client,
            &Hit {
                time: start,
                method: "GET",
                target: &path,
                status: 200,
                size,
                referrer: "-",
            },
        );
    }
}

/// `std::fmt::Write` into a byte vector.
struct Adapter<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Adapter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

fn public_v4(a: u8, b: u8) -> bool {
    !matches!(
        (a, b),
        (0 | 10 | 127, _)
            | (100, 64..=127)
            | (169, 254)
            | (172, 16..=31)
            | (192, 168)
            | (192, 0)
            | (198, 18..=19)
            | (198, 51)
            | (203, 0)
    )
}

/// A geometric count with the given mean (0, 1, 2, …).
fn geometric(rng: &mut Pcg64Mcg, mean: f64) -> u32 {
    let p = 1.0 / (1.0 + mean);
    let u: f64 = rng.random();
    ((1.0 - u).ln() / (1.0 - p).ln()).floor().min(10_000.0) as u32
}

fn hex(rng: &mut Pcg64Mcg, len: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdef";
    (0..len)
        .map(|_| char::from(DIGITS[rng.random_range(0..16)]))
        .collect()
}

fn alnum(rng: &mut Pcg64Mcg, len: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    (0..len)
        .map(|_| char::from(DIGITS[rng.random_range(0..DIGITS.len())]))
        .collect()
}

fn base64ish(rng: &mut Pcg64Mcg, len: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
    (0..len)
        .map(|_| char::from(DIGITS[rng.random_range(0..64)]))
        .collect()
}

/// A run of `count` random words joined by `sep`.
fn words(rng: &mut Pcg64Mcg, count: std::ops::RangeInclusive<usize>, sep: &str) -> String {
    let n = rng.random_range(count);
    let mut s = String::new();
    for i in 0..n {
        if i > 0 {
            s.push_str(sep);
        }
        s.push_str(WORDS.choose(rng).expect("words"));
    }
    s
}

/// The site's pages: the home page and sections first (the most popular), then every other kind.
fn build_pages(count: usize, rng: &mut Pcg64Mcg) -> Vec<Page> {
    const SECTIONS: &[&str] = &[
        "/",
        "/blog/",
        "/shop/",
        "/products/",
        "/sale",
        "/new-arrivals",
        "/about",
        "/contact",
        "/pricing",
        "/login",
        "/register",
        "/faq",
        "/docs/",
        "/news/",
        "/support/",
        "/careers",
        "/privacy",
        "/terms",
        "/stores",
        "/gift-cards",
        "/blog/page/2",
        "/shop/page/2",
        "/account",
        "/downloads/",
        "/press",
        "/partners",
        "/shipping",
        "/returns",
        "/size-guide",
        "/sitemap",
    ];
    let size = LogNormal::new(30_000f64.ln(), 0.6).expect("lognormal");
    let mut pages = Vec::with_capacity(count);
    for &path in SECTIONS {
        pages.push(Page {
            path: path.into(),
            kind: Kind::Section,
            size: size.sample(rng) as u32,
            status: 200,
        });
    }
    let mut path = String::new();
    while pages.len() < count {
        path.clear();
        let x: f64 = rng.random();
        let kind = if x < 0.28 {
            let _ = write!(
                path,
                "/blog/{}/{:02}/{}",
                rng.random_range(2014..=2026),
                rng.random_range(1..=12),
                words(rng, 3..=6, "-")
            );
            Kind::Blog
        } else if x < 0.58 {
            let _ = write!(
                path,
                "/product/{}-{}",
                rng.random_range(10_000..100_000),
                words(rng, 2..=4, "-")
            );
            Kind::Product
        } else if x < 0.66 {
            let _ = write!(
                path,
                "/category/{}/{}/",
                words(rng, 1..=1, ""),
                words(rng, 1..=2, "-")
            );
            Kind::Category
        } else if x < 0.71 {
            let _ = write!(path, "/tag/{}", words(rng, 1..=3, "-"));
            Kind::Tag
        } else if x < 0.81 {
            let _ = write!(
                path,
                "/docs/v{}/{}/{}.html",
                rng.random_range(1..=4),
                words(rng, 1..=1, ""),
                words(rng, 1..=3, "-")
            );
            Kind::Docs
        } else if x < 0.92 {
            let _ = write!(
                path,
                "/news/{}-{:02}-{:02}-{}",
                rng.random_range(2018..=2026),
                rng.random_range(1..=12),
                rng.random_range(1..=28),
                words(rng, 2..=5, "-")
            );
            Kind::News
        } else if x < 0.96 {
            let _ = write!(
                path,
                "/author/{}-{}",
                FIRST_NAMES.choose(rng).expect("names"),
                LAST_NAMES.choose(rng).expect("names")
            );
            if rng.random_bool(0.5) {
                let _ = write!(path, "/page/{}", rng.random_range(2..30));
            }
            Kind::Author
        } else {
            let ext = *["pdf", "pdf", "zip", "tar.gz"].choose(rng).expect("exts");
            if rng.random_bool(0.5) {
                let _ = write!(
                    path,
                    "/downloads/{}-v{}.{}.{ext}",
                    words(rng, 1..=3, "-"),
                    rng.random_range(1..6),
                    rng.random_range(0..20)
                );
            } else {
                let _ = write!(
                    path,
                    "/files/{}/{}.{ext}",
                    rng.random_range(2015..=2026),
                    words(rng, 2..=4, "_")
                );
            }
            Kind::Download
        };
        let mut page_size = size.sample(rng) as u32;
        if kind == Kind::Download {
            page_size = rng.random_range(200_000..40_000_000);
        }
        let roll: f64 = rng.random();
        let status = if roll < 0.005 {
            404
        } else if roll < 0.01 {
            301
        } else {
            200
        };
        pages.push(Page {
            path: path.as_str().into(),
            kind,
            size: page_size,
            status,
        });
    }
    pages
}

/// A browser's user agent with the version spread of a live site.
fn browser_ua(rng: &mut Pcg64Mcg) -> String {
    // Chrome majors: 131 the newest, older ones less and less likely, a tail back to 80.
    let chrome = 131u32.saturating_sub(geometric(rng, 2.0)).max(80);
    let chrome_build = 3987 + (chrome - 80) * 55;
    let chrome_patch = geometric(rng, 60.0).min(250);
    let chrome_full = format!("{chrome}.0.{chrome_build}.{chrome_patch}");
    let chrome_reduced = format!("{chrome}.0.0.0");
    let firefox = 133u32.saturating_sub(geometric(rng, 2.5)).max(78);
    let ios_major = 18u32.saturating_sub(geometric(rng, 0.8)).max(12);
    let ios_minor = rng.random_range(0..=7);
    let ios_patch = if rng.random_bool(0.5) {
        String::new()
    } else {
        format!("_{}", rng.random_range(1..4))
    };
    let ios = format!("{ios_major}_{ios_minor}{ios_patch}");
    let ios_dotted = ios.replace('_', ".");
    let android = 14u32.saturating_sub(geometric(rng, 1.5)).max(8);
    let model = ANDROID_MODELS[rng.random_range(0..ANDROID_MODELS.len())];
    let mac = *[
        "10_15_7", "10_15_7", "10_15_7", "14_5", "13_6_7", "10_15_6", "11_7_10",
    ]
    .choose(rng)
    .expect("macs");
    let windows = if rng.random_bool(0.95) {
        "Windows NT 10.0; Win64; x64"
    } else {
        *[
            "Windows NT 6.1; Win64; x64",
            "Windows NT 10.0; WOW64",
            "Windows NT 6.3; Win64; x64",
        ]
        .choose(rng)
        .expect("windows")
    };
    let chrome_version = if rng.random_bool(0.6) {
        &chrome_reduced
    } else {
        &chrome_full
    };
    let x = rng.random_range(0..1000);
    match x {
        0..=269 => format!(
            "Mozilla/5.0 ({windows}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{chrome_version} Safari/537.36"
        ),
        270..=329 => format!(
            "Mozilla/5.0 (Macintosh; Intel Mac OS X {mac}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{chrome_version} Safari/537.36"
        ),
        330..=344 => format!(
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{chrome_version} Safari/537.36"
        ),
        345..=434 => format!(
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{chrome_reduced} Mobile Safari/537.36"
        ),
        435..=479 => format!(
            "Mozilla/5.0 (Linux; Android {android}; {model}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{chrome_full} Mobile Safari/537.36"
        ),
        480..=514 => format!(
            "Mozilla/5.0 (Linux; Android {android}; {model} Build/{}; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/{chrome_full} Mobile Safari/537.36",
            ANDROID_BUILDS.choose(rng).expect("builds")
        ),
        515..=554 => format!(
            "Mozilla/5.0 (Linux; Android {android}; SAMSUNG {model}) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/{}.0 Chrome/{chrome_reduced} Mobile Safari/537.36",
            rng.random_range(19..=27)
        ),
        555..=724 => format!(
            "Mozilla/5.0 (iPhone; CPU iPhone OS {ios} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{ios_dotted} Mobile/15E148 Safari/604.1"
        ),
        725..=744 => format!(
            "Mozilla/5.0 (iPad; CPU OS {ios} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{ios_dotted} Mobile/15E148 Safari/604.1"
        ),
        745..=794 => format!(
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{}.{} Safari/605.1.15",
            ios_major.max(15),
            ios_minor
        ),
        795..=834 => {
            format!("Mozilla/5.0 ({windows}; rv:{firefox}.0) Gecko/20100101 Firefox/{firefox}.0")
        }
        835..=844 => format!(
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:{firefox}.0) Gecko/20100101 Firefox/{firefox}.0"
        ),
        845..=859 => format!(
            "Mozilla/5.0 (X11; {}Linux x86_64; rv:{firefox}.0) Gecko/20100101 Firefox/{firefox}.0",
            if rng.random_bool(0.5) { "Ubuntu; " } else { "" }
        ),
        860..=864 => format!(
            "Mozilla/5.0 (Android {android}; Mobile; rv:{firefox}.0) Gecko/{firefox}.0 Firefox/{firefox}.0"
        ),
        865..=924 => format!(
            "Mozilla/5.0 ({windows}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{chrome_reduced} Safari/537.36 Edg/{chrome}.0.{}.{}",
            chrome_build + 40,
            chrome_patch
        ),
        925..=934 => format!(
            "Mozilla/5.0 ({windows}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{chrome_reduced} Safari/537.36 OPR/{}.0.0.0",
            chrome.saturating_sub(15)
        ),
        935..=949 => format!(
            "Mozilla/5.0 (iPhone; CPU iPhone OS {ios} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/{chrome_full} Mobile/15E148 Safari/604.1"
        ),
        950..=969 => format!(
            "Mozilla/5.0 (iPhone; CPU iPhone OS {ios} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/{}.0.0.{}.{};FBBV/{};FBDV/iPhone{},{};FBMD/iPhone;FBSN/iOS;FBSV/{ios_dotted};FBSS/3;FBCR/;FBID/phone;FBLC/en_US;FBOP/5]",
            rng.random_range(440..490),
            rng.random_range(10..60),
            rng.random_range(100..120),
            rng.random_range(500_000_000..650_000_000),
            rng.random_range(12..17),
            rng.random_range(1..9)
        ),
        970..=989 => format!(
            "Mozilla/5.0 (iPhone; CPU iPhone OS {ios} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram {}.0.0.{}.{} (iPhone{},{}; iOS {ios}; en_US; en; scale=3.00; 1170x2532; {})",
            rng.random_range(300..360),
            rng.random_range(10..40),
            rng.random_range(100..120),
            rng.random_range(12..17),
            rng.random_range(1..9),
            rng.random_range(500_000_000..650_000_000)
        ),
        _ => "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko".into(),
    }
}
