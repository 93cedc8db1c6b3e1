//! Countries, first-level regions and networks (ASN) of client addresses, from MaxMind DB (`.mmdb`) files:
//! GeoLite2 / GeoIP2 Country, City and ASN, DB-IP Lite, or any database with the same schema.
//!
//! The lookup takes the **full** address, in memory, before any reduction, and gives back only a
//! [`Place`]: a country code and its English name, the first subdivision (never the city: too fine for a
//! privacy-first report, see `docs/REPORTS.md`), and an autonomous system number with its organisation.
//! Nothing else of the database's answer (coordinates, postal code, city, accuracy radius) leaves this
//! module, and the address itself is never stored.
//!
//! Lookups are cached per worker thread in a [`DirectMapped`] table keyed by the address's /24 (IPv4) or /48
//! (IPv6). The databases answer per network, and maxminddb returns the prefix length of each answer: an
//! answer is cached only when *every* database answered for a network at least as wide as the cache's
//! prefix, so every address of the /24 (or /48) has that same answer and a cache hit cannot differ from a
//! lookup. Finer networks (a /31 of the test databases, a /28 of a hosting provider) are looked up each
//! time.

use std::net::IpAddr;
#[cfg(test)]
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use maxminddb::{Mmap, Reader, geoip2};

use crate::privacy::cache::DirectMapped;

/// The label of an unknown or private address in the country and ASN tables.
pub(crate) const UNKNOWN: &str = "--";

/// What kind of answers a database gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Country (`country.iso_code`, `country.names.en`).
    Country,
    /// Country and subdivisions (`subdivisions[0].iso_code`, `.names.en`).
    City,
    /// `autonomous_system_number`, `autonomous_system_organization`.
    Asn,
}

/// Why a database cannot be used. The message names the file, never an address.
#[derive(Debug, thiserror::Error)]
pub enum GeoError {
    /// The file could not be opened or mapped (exit 74).
    #[error("{}: cannot read GeoIP database: {source}", .path.display())]
    Read {
        /// The database file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is not a MaxMind DB, or not one of the kinds logveil reads, or one kind was given twice
    /// (exit 2).
    #[error("{}: {reason}", .path.display())]
    Kind {
        /// The database file.
        path: PathBuf,
        /// What is wrong and what to do.
        reason: String,
    },
    /// The database was built longer ago than `--geoip-max-age` allows (exit 2).
    #[error(
        "{}: GeoIP database is {age_days} days old, older than --geoip-max-age {max_days} days: update it (geoipupdate, or a new DB-IP Lite file)",
        .path.display()
    )]
    TooOld {
        /// The database file.
        path: PathBuf,
        /// Its age in whole days.
        age_days: u64,
        /// The limit in days.
        max_days: u64,
    },
}

impl GeoError {
    /// True for the errors of the system (the file could not be read) rather than of the user's choice.
    pub(crate) fn is_io(&self) -> bool {
        matches!(self, GeoError::Read { .. })
    }
}

/// One database, memory-mapped.
struct Db {
    reader: Reader<Mmap>,
    kind: Kind,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("kind", &self.kind)
            .field("type", &self.reader.metadata().database_type)
            .finish()
    }
}

/// What a lookup gives: the only data of the databases that reaches the report or the anonymised log.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Place {
    /// ISO 3166-1 alpha-2 code, or [`UNKNOWN`].
    pub country: String,
    /// The country's English name (empty when unknown).
    pub country_name: String,
    /// ISO 3166-2 code of the first subdivision (without the country), empty when unknown or without a
    /// City database.
    pub region: String,
    /// The subdivision's English name.
    pub region_name: String,
    /// Autonomous system number, 0 when unknown or without an ASN database.
    pub asn: u32,
    /// The autonomous system's organisation.
    pub org: String,
}

impl Place {
    /// The place of an address no database knows (or of a client that is no address).
    pub(crate) fn unknown() -> Place {
        Place {
            country: UNKNOWN.to_string(),
            ..Place::default()
        }
    }

    /// The ASN as text, or [`UNKNOWN`].
    pub fn asn_label(&self) -> String {
        if self.asn == 0 {
            UNKNOWN.to_string()
        } else {
            self.asn.to_string()
        }
    }
}

/// The GeoIP databases of a run (`--geoip`, repeatable): at most one country-or-city database and one ASN
/// database.
#[derive(Debug, Clone)]
pub struct GeoIp {
    country: Option<Arc<Db>>,
    asn: Option<Arc<Db>>,
    /// Names these databases in the per-thread cache.
    tag: u64,
}

impl GeoIp {
    /// Opens (memory-maps) `paths`, checking each is a MaxMind DB of a kind logveil reads and, with
    /// `max_age`, that it was built no longer ago than that.
    pub fn open(paths: &[PathBuf], max_age: Option<Duration>) -> Result<GeoIp, GeoError> {
        let mut geo = GeoIp {
            country: None,
            asn: None,
            tag: 0,
        };
        let mut tag_parts = Vec::new();
        for path in paths {
            let db = open_one(path, max_age)?;
            tag_parts.push((path.clone(), db.reader.metadata().build_epoch));
            let slot = match db.kind {
                Kind::Country | Kind::City => &mut geo.country,
                Kind::Asn => &mut geo.asn,
            };
            if slot.is_some() {
                return Err(GeoError::Kind {
                    path: path.clone(),
                    reason: format!(
                        "a second {} database: give at most one country (or city) and one ASN database",
                        if db.kind == Kind::Asn {
                            "ASN"
                        } else {
                            "country"
                        }
                    ),
                });
            }
            *slot = Some(Arc::new(db));
        }
        use std::hash::BuildHasher;
        geo.tag = foldhash::fast::FixedState::with_seed(3).hash_one(&tag_parts);
        Ok(geo)
    }

    /// Whether a City database is among them (then `regions` is counted).
    pub(crate) fn has_regions(&self) -> bool {
        self.country.as_ref().is_some_and(|d| d.kind == Kind::City)
    }

    /// Whether a country (or city) database is among them.
    pub(crate) fn has_countries(&self) -> bool {
        self.country.is_some()
    }

    /// Whether an ASN database is among them.
    pub(crate) fn has_asn(&self) -> bool {
        self.asn.is_some()
    }

    /// The place of a full address (cached per thread; see the module doc). An address the databases do
    /// not know (a private one, a miss) gives [`UNKNOWN`]s.
    pub(crate) fn place(&self, ip: IpAddr) -> Arc<Place> {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        let (key, cache_bits) = match ip {
            IpAddr::V4(v4) => (u128::from(u32::from(v4) & 0xffff_ff00), CACHE_V4_BITS),
            IpAddr::V6(v6) => (u128::from(v6) & !((1u128 << 80) - 1), CACHE_V6_BITS),
        };
        let v6 = ip.is_ipv6();
        CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            let slot = cache.entry((self.tag, key, v6));
            if let Some(e) = slot.as_ref() {
                if e.tag == self.tag && e.key == key && e.v6 == v6 {
                    return e.place.clone();
                }
            }
            let (place, widest) = self.look_up(ip);
            let place = Arc::new(place);
            if widest <= cache_bits {
                *slot = Some(Cached {
                    tag: self.tag,
                    key,
                    v6,
                    place: place.clone(),
                });
            }
            place
        })
    }

    /// The place of `ip`, and the longest prefix among the answers (the finest network answered for).
    fn look_up(&self, ip: IpAddr) -> (Place, u8) {
        let mut place = Place::unknown();
        let mut finest = 0u8;
        if let Some(db) = &self.country {
            if let Ok(found) = db.reader.lookup(ip) {
                finest = finest.max(prefix_of(&found, ip));
                if let Ok(Some(city)) = found.decode::<geoip2::City<'_>>() {
                    if let Some(code) = city.country.iso_code.filter(|c| is_code(c)) {
                        place.country = code.to_string();
                        place.country_name = city.country.names.english.unwrap_or("").to_string();
                        if db.kind == Kind::City {
                            if let Some(sub) = city.subdivisions.first() {
                                if let Some(r) = sub.iso_code.filter(|c| is_code(c)) {
                                    place.region = r.to_string();
                                    place.region_name = sub.names.english.unwrap_or("").to_string();
                                }
                            }
                        }
                    }
                }
            } else {
                finest = u8::MAX;
            }
        }
        if let Some(db) = &self.asn {
            if let Ok(found) = db.reader.lookup(ip) {
                finest = finest.max(prefix_of(&found, ip));
                if let Ok(Some(asn)) = found.decode::<geoip2::Asn<'_>>() {
                    place.asn = asn.autonomous_system_number.unwrap_or(0);
                    if place.asn != 0 {
                        place.org = asn.autonomous_system_organization.unwrap_or("").to_string();
                    }
                }
            } else {
                finest = u8::MAX;
            }
        }
        (place, finest)
    }
}

/// The prefix length, in the address's own family, of the network a database answered for (`u8::MAX`,
/// never cached, when it cannot be told).
fn prefix_of<S: AsRef<[u8]>>(found: &maxminddb::LookupResult<'_, S>, ip: IpAddr) -> u8 {
    match (found.network(), ip) {
        (Ok(net), IpAddr::V4(_)) if net.is_ipv4() => net.prefix(),
        (Ok(net), IpAddr::V6(_)) if net.is_ipv6() => net.prefix(),
        _ => u8::MAX,
    }
}

/// A short code of letters and digits (ISO 3166): anything else a database might hold is not shown.
fn is_code(c: &str) -> bool {
    (1..=3).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The cache's prefix for IPv4 (a /24).
const CACHE_V4_BITS: u8 = 24;
/// The cache's prefix for IPv6 (a /48).
const CACHE_V6_BITS: u8 = 48;
/// Cache slots per thread: 4096 /24 networks (a few hundred KiB).
const SLOTS: usize = 4096;

struct Cached {
    tag: u64,
    key: u128,
    v6: bool,
    place: Arc<Place>,
}

thread_local! {
    static CACHE: std::cell::RefCell<DirectMapped<Cached, SLOTS>> =
        std::cell::RefCell::new(DirectMapped::new(4));
}

fn open_one(path: &Path, max_age: Option<Duration>) -> Result<Db, GeoError> {
    let read = |source| GeoError::Read {
        path: path.to_path_buf(),
        source,
    };
    let kind_error = |reason: String| GeoError::Kind {
        path: path.to_path_buf(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(read)?;
    if !meta.is_file() {
        return Err(kind_error(
            "not a file: --geoip takes a MaxMind DB file (.mmdb)".into(),
        ));
    }
    // Open it ourselves first, so a permission error is told as one.
    std::fs::File::open(path).map_err(read)?;
    // SAFETY: the map is read only. geoipupdate (and any careful updater) writes a new file and renames it
    // over the old one, which leaves this mapping on the old inode, intact. A file truncated in place while
    // mapped would fault on access, as any mapped file does; databases are not updated that way.
    let reader = match unsafe { Reader::open_mmap(path) } {
        Ok(r) => r,
        Err(maxminddb::MaxMindDbError::Io(e)) | Err(maxminddb::MaxMindDbError::Mmap(e)) => {
            return Err(read(e));
        }
        Err(_) => {
            return Err(kind_error(
                "not a MaxMind DB file (.mmdb): --geoip takes a GeoLite2/GeoIP2 or DB-IP Lite country, city or ASN database".into(),
            ));
        }
    };
    let kind = kind_of(&reader.metadata().database_type).ok_or_else(|| {
        kind_error(format!(
            "a {} database: --geoip takes a country, city or ASN database",
            printable(&reader.metadata().database_type)
        ))
    })?;
    if let Some(max) = max_age {
        let built = std::time::UNIX_EPOCH + Duration::from_secs(reader.metadata().build_epoch);
        let age = SystemTime::now()
            .duration_since(built)
            .unwrap_or(Duration::ZERO);
        if age > max {
            return Err(GeoError::TooOld {
                path: path.to_path_buf(),
                age_days: age.as_secs() / 86_400,
                max_days: max.as_secs() / 86_400,
            });
        }
    }
    Ok(Db { reader, kind })
}

/// The kind of a database by its `database_type` (`GeoLite2-City`, `DBIP-Country-Lite`,
/// `DBIP-ASN-Lite (compat=GeoLite2-ASN)`, `GeoIP2-ISP`, …).
fn kind_of(database_type: &str) -> Option<Kind> {
    let t = database_type.to_ascii_lowercase();
    if t.contains("asn") || t.contains("isp") {
        Some(Kind::Asn)
    } else if t.contains("city") || t.contains("enterprise") {
        Some(Kind::City)
    } else if t.contains("country") {
        Some(Kind::Country)
    } else {
        None
    }
}

/// A database type for a message: letters, digits and `-` only, at most 40 of them.
fn printable(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ' '))
        .take(40)
        .collect()
}

/// Parses `--geoip-max-age`: a number of days (`30`, `30d`) or weeks (`5w`).
pub(crate) fn parse_max_age(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.strip_suffix('w') {
        Some(n) => (n, 7),
        None => (s.strip_suffix('d').unwrap_or(s), 1),
    };
    match num.parse::<u64>() {
        Ok(n) if n > 0 => Ok(Duration::from_secs(n * unit * 86_400)),
        _ => Err(format!(
            "'{s}' is not a number of days (30, 30d) or weeks (5w)"
        )),
    }
}

/// The client's address in a client field (`1.2.3.4`, `1.2.3.4:80`, `[2001:db8::1]:443`, `fe80::1%eth0`), or
/// `None` for a host name, `-` or anything else. In a list (`10.0.0.2, 85.181.35.98`, a forwarded chain)
/// the visitor is the rightmost address outside the private ranges; a list of private addresses gives its
/// first ([`visitor_address`](crate::privacy::forwarded::visitor_address)).
pub(crate) fn client_address(field: &[u8]) -> Option<IpAddr> {
    use crate::privacy::forwarded::{TrustedProxies, parse_address, visitor_address};
    thread_local! {
        static PRIVATE: TrustedProxies = TrustedProxies::default();
    }
    PRIVATE.with(|t| parse_address(visitor_address(field, t)))
}

/// An address with nothing in the test databases, for tests.
#[cfg(test)]
pub(crate) const NOWHERE: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));

#[cfg(test)]
mod tests {
    use super::*;

    fn db(name: &str) -> PathBuf {
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/reference/geoip/"
        ))
        .join(name)
    }

    fn all() -> GeoIp {
        GeoIp::open(
            &[db("GeoLite2-City-Test.mmdb"), db("GeoLite2-ASN-Test.mmdb")],
            None,
        )
        .unwrap()
    }

    #[test]
    fn the_test_databases_answer_as_their_source_json_says() {
        let g = all();
        let p = g.place("81.2.69.142".parse().unwrap());
        assert_eq!(
            (p.country.as_str(), p.country_name.as_str()),
            ("GB", "United Kingdom")
        );
        assert_eq!(
            (p.region.as_str(), p.region_name.as_str()),
            ("ENG", "England")
        );
        let p = g.place("89.160.20.112".parse().unwrap());
        assert_eq!(p.country, "SE");
        let p = g.place("2001:218::1".parse().unwrap());
        assert_eq!(p.country, "JP");
        let p = g.place("1.128.0.1".parse().unwrap());
        assert_eq!((p.asn, p.org.as_str()), (1221, "Telstra Pty Ltd"));
        let p = g.place(NOWHERE);
        assert_eq!((p.country.as_str(), p.asn), (UNKNOWN, 0));
        assert_eq!(p.asn_label(), UNKNOWN);
        // An IPv4-mapped address is looked up as IPv4.
        let p = g.place("::ffff:81.2.69.142".parse().unwrap());
        assert_eq!(p.country, "GB");
    }

    /// The cache never gives an answer a lookup would not: every address of several /24s, looked up
    /// twice in a shuffled order (so neighbours of a fine network come after a cached wide one), equals a
    /// fresh lookup.
    #[test]
    fn a_cached_answer_equals_a_lookup() {
        let g = all();
        let nets = [
            "81.2.69.0",
            "89.160.20.0",
            "216.160.83.0",
            "67.43.156.0",
            "2.125.160.0",
        ];
        for round in 0..2 {
            for net in nets {
                let base: Ipv4Addr = net.parse().unwrap();
                for i in 0..=255u32 {
                    let last = (i * 97 + round * 13) % 256;
                    let ip = IpAddr::V4(Ipv4Addr::from(u32::from(base) | last));
                    assert_eq!(*g.place(ip), g.look_up(ip).0, "{net} .{last}");
                }
            }
        }
    }

    #[test]
    fn wrong_missing_and_old_databases_are_clear_errors() {
        let e = GeoIp::open(&[db("nope.mmdb")], None).unwrap_err();
        assert!(e.is_io() && e.to_string().contains("nope.mmdb"), "{e}");
        let e = GeoIp::open(&[db("README.md")], None).unwrap_err();
        assert!(
            !e.is_io() && e.to_string().contains("not a MaxMind DB"),
            "{e}"
        );
        let e = GeoIp::open(
            &[
                db("GeoLite2-Country-Test.mmdb"),
                db("GeoLite2-City-Test.mmdb"),
            ],
            None,
        )
        .unwrap_err();
        assert!(e.to_string().contains("second country"), "{e}");
        let e = GeoIp::open(
            &[db("GeoLite2-ASN-Test.mmdb")],
            Some(Duration::from_secs(86_400)),
        )
        .unwrap_err();
        assert!(matches!(e, GeoError::TooOld { .. }), "{e}");
    }

    #[test]
    fn client_fields_give_their_first_address() {
        let ip = |s: &str| client_address(s.as_bytes());
        assert_eq!(ip("1.2.3.4:80"), Some("1.2.3.4".parse().unwrap()));
        assert_eq!(
            ip("[2001:db8::1]:443"),
            Some("2001:db8::1".parse().unwrap())
        );
        assert_eq!(ip("fe80::1%eth0"), Some("fe80::1".parse().unwrap()));
        assert_eq!(
            ip("10.0.0.2, 85.181.35.98"),
            Some("85.181.35.98".parse().unwrap())
        );
        assert_eq!(ip("10.0.0.2, 10.0.0.1"), Some("10.0.0.2".parse().unwrap()));
        assert_eq!(ip("::ffff:1.2.3.4"), Some("1.2.3.4".parse().unwrap()));
        assert_eq!(ip("example.com"), None);
        assert_eq!(ip("-"), None);
        assert_eq!(parse_max_age("30").unwrap().as_secs(), 30 * 86_400);
        assert_eq!(parse_max_age("2w").unwrap().as_secs(), 14 * 86_400);
        assert!(parse_max_age("soon").is_err());
    }
}
