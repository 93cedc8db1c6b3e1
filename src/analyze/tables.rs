//! Partial tables: what one chunk (or file, or day, or machine) contributes to a report, and their
//! [`Tables::merge`], which is associative and commutative, so chunks can be merged in any grouping.
//!
//! Hit-level counts are summed. Page views and downloads are kept as compact [`Event`]s (visitor key, time,
//! page, referrer) and sessionised only after the merge, so a visitor whose hits fall in different chunks,
//! or a log that is out of order, gives the same visits. Strings are interned by a 64-bit hash that is the
//! same in every thread ([`super::classify::stable_hash`]); the dictionaries map the hashes back.
//! Nothing here holds a full IP: client addresses are reduced before they are stored, and visitor keys
//! are keyed hashes.

use std::collections::BTreeMap;

use foldhash::HashMap;

use super::classify::BotReason;
use super::search::Referrer;
use crate::geo::Place;

/// Line counts of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Lines read.
    pub lines: u64,
    /// Lines that parsed (hits before exclusions).
    pub parsed: u64,
    /// Non-empty lines that did not parse (or had an impossible timestamp).
    pub unparsed: u64,
    /// Empty lines.
    pub blank: u64,
    /// Lines longer than `--max-line-bytes`, left out.
    pub too_long: u64,
    /// Hits excluded because they carried `DNT: 1` or `Sec-GPC: 1`.
    pub opted_out: u64,
    /// Parsed lines before `--since`.
    pub excluded_before: u64,
    /// Parsed lines at or after `--until`.
    pub excluded_after: u64,
    /// Parsed lines whose time is not on the hour: none (of two or more) means the log was anonymised with
    /// `--time-precision hour` or `day`, and durations cannot be measured (`analyze::coarse`).
    pub off_the_hour: u64,
    /// The earliest and latest local time (seconds) of the lines `--since`/`--until` excluded, to say
    /// which range the input covers when none was kept.
    pub excluded_span: Option<(i64, i64)>,
    /// Parsed lines that record no HTTP request (TCP and TLS connections): not hits.
    pub non_http: u64,
    /// Hits counted (parsed and not opted out).
    pub hits: u64,
    /// Hits from bots recognised by their user agent.
    pub bot_hits: u64,
    /// Response bytes of counted hits.
    pub bytes: u64,
    /// Parsed lines excluded by the filters, by reason (see `crate::filter::Reason::ALL`).
    pub excluded: [u64; crate::filter::Reason::ALL.len()],
}

impl Counts {
    /// Notes a line at local time `time` left out by `--since`/`--until`.
    pub(crate) fn exclude_at(&mut self, time: i64) {
        self.excluded_span = Some(match self.excluded_span {
            Some((first, last)) => (first.min(time), last.max(time)),
            None => (time, time),
        });
    }

    fn add(&mut self, o: &Counts) {
        self.lines += o.lines;
        self.parsed += o.parsed;
        self.unparsed += o.unparsed;
        self.blank += o.blank;
        self.too_long += o.too_long;
        self.opted_out += o.opted_out;
        self.excluded_before += o.excluded_before;
        self.excluded_after += o.excluded_after;
        self.off_the_hour += o.off_the_hour;
        self.excluded_span = match (self.excluded_span, o.excluded_span) {
            (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
            (a, b) => a.or(b),
        };
        self.non_http += o.non_http;
        self.hits += o.hits;
        self.bot_hits += o.bot_hits;
        self.bytes += o.bytes;
        for (a, b) in self.excluded.iter_mut().zip(o.excluded) {
            *a += b;
        }
    }
}

/// Lines and hits of one day (all hits, bots included).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayHits {
    /// Lines of the day that parsed (inside `--since`/`--until`).
    pub parsed: u64,
    /// Of them, opted out.
    pub opted_out: u64,
    /// Hits.
    pub hits: u64,
    /// Response bytes.
    pub bytes: u64,
    /// Hits per hour of day.
    pub hours: [u64; 24],
}

impl DayHits {
    /// Adds `o`.
    pub fn add(&mut self, o: &DayHits) {
        self.parsed += o.parsed;
        self.opted_out += o.opted_out;
        self.hits += o.hits;
        self.bytes += o.bytes;
        for (a, b) in self.hours.iter_mut().zip(o.hours) {
            *a += b;
        }
    }
}

/// What is known about one visitor key (one person-ish on one day); only human (non-bot-UA) hits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VisitorDay {
    /// Day number of the key.
    pub day: i64,
    /// Hits.
    pub hits: u64,
    /// Hits with status 200, 206 or 304: a visitor counts as unique visitor only with one of these.
    pub valid_hits: u64,
    /// User-agent class (see [`Tables::uas`]).
    pub ua: u64,
    /// Reduced client network (see [`Tables::networks`]).
    pub network: u64,
    /// The visitor fetched `/robots.txt`: a bot.
    pub robots: bool,
    /// The person's hash (the same on every day), for distinct counts over days: the hash under the sketch
    /// key, or under the job key in a sharded job (`report --emit-events`).
    pub sketch: u64,
    /// Where the person lands in the day sketches (from the hash under the sketch key).
    pub slot: super::partial::Slot,
}

impl VisitorDay {
    /// Adds the counts of `o`, the same key seen elsewhere.
    pub fn add(&mut self, o: &VisitorDay) {
        self.day = o.day;
        self.hits += o.hits;
        self.valid_hits += o.valid_hits;
        self.ua = o.ua;
        self.network = o.network;
        self.robots |= o.robots;
        self.sketch = o.sketch;
        self.slot = o.slot;
    }
}

/// What an event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum EventKind {
    /// A page view.
    PageView = 0,
    /// A download request (status 200).
    Download = 1,
    /// A request to the outlink endpoint (`--outlink-path`): only the clickstream tables read it
    /// ([`super::clicks`]); visits are cut on page views and downloads alone.
    Outlink = 2,
}

/// One page view or download, kept compactly until sessionisation (40 bytes; 33 in a spilled run, see
/// [`super::spill`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Event {
    /// The visitor key.
    pub visitor: u64,
    /// Local time, seconds since 1970 (see [`super::time`]).
    pub time: i64,
    /// What happened.
    pub kind: EventKind,
    /// The page, file or outlink target (see [`Tables::pages`]).
    pub page: u64,
    /// The external referrer (see [`Tables::referrers`]), 0 for none.
    pub referrer: u64,
}

/// The user-agent class of a key: browser, OS, device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UaClass {
    /// Browser family and major version.
    pub browser: String,
    /// Operating system.
    pub os: String,
    /// Device class.
    pub device: String,
}

/// A free-text row: hits per visitor key (so rows of visitors later found to be bots can be dropped, and
/// the distinct visitors of the run counted for `--min-visitors` through each key's
/// [`VisitorDay::sketch`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    /// Hits (or searches, clicks, page views: what the table counts) per visitor key.
    pub visitors: HashMap<u64, u64>,
}

/// Rows keyed by their (already scrubbed) text.
pub(crate) type Rows = HashMap<String, Row>;

fn merge_rows(into: &mut Rows, from: Rows) {
    for (k, r) in from {
        let e = into.entry(k).or_default();
        for (v, n) in r.visitors {
            *e.visitors.entry(v).or_default() += n;
        }
    }
}

/// A partial report.
#[derive(Debug, Clone, Default)]
pub struct Tables {
    /// Line counts.
    pub counts: Counts,
    /// Hits per (day number, status code).
    pub status: BTreeMap<(i64, u16), u64>,
    /// Lines and hits per day number.
    pub days: BTreeMap<i64, DayHits>,
    /// Human visitor keys.
    pub visitors: HashMap<u64, VisitorDay>,
    /// Page views and downloads, in no particular order: one vector per merged chunk, so a merge moves
    /// vectors instead of copying events. `report` moves them into an
    /// [`EventStore`](super::spill::EventStore) as chunks come back, which bounds their memory.
    pub events: Vec<Vec<Event>>,
    /// Page and file paths (rewritten, without query) and outlink targets by id.
    pub pages: HashMap<u64, String>,
    /// External referrers by id.
    pub referrers: HashMap<u64, Referrer>,
    /// User-agent classes by id.
    pub uas: HashMap<u64, UaClass>,
    /// Reduced client networks by id.
    pub networks: HashMap<u64, String>,
    /// Paths answered with 404 (hits, visitors).
    pub not_found: Rows,
    /// Site-search terms (searches = page views carrying the term).
    pub site_search: Rows,
    /// Outlink targets (clicks).
    pub outlinks: Rows,
    /// Campaigns, keyed `source\tmedium\tcampaign` (page views).
    pub campaigns: Rows,
    /// Bytes sent per (day, download file) (status 200 and 206).
    pub download_bytes: HashMap<(i64, u64), u64>,
    /// Bot hits by (day, name, reason).
    pub bots: BTreeMap<(i64, String, BotReason), u64>,
    /// Every hit by (day, path id), bots and assets included (the `requests` table).
    pub requests: super::requests::Requests,
    /// Which `--geoip` databases the run has (all false without one).
    pub geo: GeoKinds,
    /// The place id (see [`Tables::place_names`]) of each human visitor key, with `--geoip` only: looked
    /// up from the full address, which is then forgotten.
    pub places: HashMap<u64, u64>,
    /// Places by id: country, region, autonomous system (never an address).
    pub place_names: HashMap<u64, Place>,
    /// `--path-depth` and `--goal-path`, for the clickstream tables of the visit walk (`None`: the
    /// defaults, as in tables not made by an [`Analyzer`](super::Analyzer)).
    pub clicks: Option<std::sync::Arc<super::clicks::Clicks>>,
}

/// Which tables the `--geoip` databases of a run fill (in a partial: `"geoip"`, absent without one).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeoKinds {
    /// A country or City database: `countries`.
    pub countries: bool,
    /// A City database: `regions`.
    pub regions: bool,
    /// An ASN database: `asn`.
    pub asn: bool,
}

impl GeoKinds {
    /// True when any database is given.
    pub fn any(self) -> bool {
        self.countries || self.regions || self.asn
    }

    /// True when no database is given.
    pub fn is_none(&self) -> bool {
        !self.any()
    }

    /// Both sets of tables.
    pub fn or(self, o: GeoKinds) -> GeoKinds {
        GeoKinds {
            countries: self.countries || o.countries,
            regions: self.regions || o.regions,
            asn: self.asn || o.asn,
        }
    }
}

impl Tables {
    /// Number of events held.
    pub fn event_count(&self) -> usize {
        self.events.iter().map(Vec::len).sum()
    }

    /// Joins the event vectors into one, freeing each part as it is copied.
    pub fn take_events(&mut self) -> Vec<Event> {
        let mut all = Vec::with_capacity(self.event_count());
        for part in std::mem::take(&mut self.events) {
            all.extend(part);
        }
        all
    }

    /// Adds `other` into `self`. Associative and commutative: any grouping and order of merges gives the
    /// same report.
    pub fn merge(&mut self, mut other: Tables) {
        self.counts.add(&other.counts);
        for (k, v) in std::mem::take(&mut other.status) {
            *self.status.entry(k).or_default() += v;
        }
        for (k, v) in std::mem::take(&mut other.days) {
            self.days.entry(k).or_default().add(&v);
        }
        // Move the smaller of the two big collections into the bigger one.
        if self.visitors.len() < other.visitors.len() {
            std::mem::swap(&mut self.visitors, &mut other.visitors);
        }
        self.merge_rest(other);
    }

    fn merge_rest(&mut self, other: Tables) {
        for (k, v) in other.visitors {
            self.visitors.entry(k).or_default().add(&v);
        }
        self.events
            .extend(other.events.into_iter().filter(|e| !e.is_empty()));
        self.pages.extend(other.pages);
        self.referrers.extend(other.referrers);
        self.uas.extend(other.uas);
        self.networks.extend(other.networks);
        merge_rows(&mut self.not_found, other.not_found);
        merge_rows(&mut self.site_search, other.site_search);
        merge_rows(&mut self.outlinks, other.outlinks);
        merge_rows(&mut self.campaigns, other.campaigns);
        for (k, v) in other.download_bytes {
            *self.download_bytes.entry(k).or_default() += v;
        }
        for (k, v) in other.bots {
            *self.bots.entry(k).or_default() += v;
        }
        self.requests.merge(other.requests);
        self.geo = self.geo.or(other.geo);
        self.places.extend(other.places);
        self.place_names.extend(other.place_names);
        if self.clicks.is_none() {
            self.clicks = other.clicks;
        }
    }
}
