//! Partial tables: what one chunk (or file, or day, or machine) contributes to a report, and their
//! [`Tables::merge`], which is associative and commutative, so chunks can be merged in any grouping.
//!
//! Hit-level counts are summed. Page views and downloads are kept as compact [`Event`]s (visitor key, time,
//! page, referrer) and sessionised only after the merge, so a visitor whose hits fall in different chunks,
//! or a log that is out of order, gives the same visits. Strings are interned by a 64-bit hash that is the
//! same in every thread ([`super::classify::stable_hash`]); the dictionaries map the hashes back. A
//! visitor-day, the most numerous entry, refers to its user-agent class and network by a smaller id of
//! its own tables ([`Ids`]), which [`Tables::merge`] renumbers.
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
///
/// 32 bytes, since a month's log holds millions (issue 19): the user-agent class and network are run-local
/// `u32` ids ([`Tables::ua_ids`], [`Tables::network_ids`]), and the day and counts are kept narrow here.
/// A visitor-day whose day or counts do not fit (a day past year 5 million, 2³² − 1 hits or more) keeps
/// them exactly in [`Tables::wide_visitors`] instead; [`Tables::hits_of`] reads either.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VisitorDay {
    /// The person's hash (the same on every day), for distinct counts over days: the hash under the sketch
    /// key, or under the job key in a sharded job (`report --emit-events`).
    pub sketch: u64,
    /// User-agent class: an id of [`Tables::ua_ids`] (its hash names the class in [`Tables::uas`]).
    pub ua: u32,
    /// Reduced client network: an id of [`Tables::network_ids`] (its hash names the network in
    /// [`Tables::networks`]).
    pub network: u32,
    /// The day number, when it fits.
    day: i32,
    /// Hits, or [`WIDE`] when the day and counts are in [`Tables::wide_visitors`].
    hits: u32,
    /// Hits with status 200, 206 or 304.
    valid_hits: u32,
    /// The register of [`Self::slot`].
    slot_index: u16,
    /// The rank of [`Self::slot`].
    slot_rank: u8,
    /// The visitor fetched `/robots.txt`: a bot.
    pub robots: bool,
}

/// [`VisitorDay::hits`] of a visitor-day kept in [`Tables::wide_visitors`].
const WIDE: u32 = u32::MAX;

impl VisitorDay {
    /// Where the person lands in the day sketches (from the hash under the sketch key).
    pub fn slot(&self) -> super::partial::Slot {
        super::partial::Slot {
            index: self.slot_index,
            rank: self.slot_rank,
        }
    }

    /// Sets [`Self::slot`].
    pub fn set_slot(&mut self, slot: super::partial::Slot) {
        (self.slot_index, self.slot_rank) = (slot.index, slot.rank);
    }

    /// The day and counts of this visitor-day of `key`, given the [`Tables::wide_visitors`] it is in.
    pub fn hits(&self, key: u64, wide: &HashMap<u64, VisitorHits>) -> VisitorHits {
        self.narrow()
            .or_else(|| wide.get(&key).copied())
            .unwrap_or_default()
    }

    /// The day and counts held here, `None` when they are in [`Tables::wide_visitors`].
    fn narrow(&self) -> Option<VisitorHits> {
        (self.hits != WIDE).then(|| VisitorHits {
            day: i64::from(self.day),
            hits: u64::from(self.hits),
            valid_hits: u64::from(self.valid_hits),
        })
    }

    /// Holds `h` here when it fits (true), else marks the visitor-day wide (false).
    fn hold(&mut self, h: VisitorHits) -> bool {
        let fits = (
            i32::try_from(h.day),
            u32::try_from(h.hits).ok().filter(|&n| n != WIDE),
            u32::try_from(h.valid_hits),
        );
        match fits {
            (Ok(day), Some(hits), Ok(valid_hits)) => {
                (self.day, self.hits, self.valid_hits) = (day, hits, valid_hits);
                true
            }
            _ => {
                (self.day, self.hits, self.valid_hits) = (0, WIDE, 0);
                false
            }
        }
    }
}

/// The day and counts of a visitor-day, exact (see [`Tables::hits_of`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VisitorHits {
    /// Day number of the key.
    pub day: i64,
    /// Hits.
    pub hits: u64,
    /// Hits with status 200, 206 or 304: a visitor counts as unique visitor only with one of these.
    pub valid_hits: u64,
}

/// Run-local `u32` ids of 64-bit hashes (user-agent classes, networks), so a [`VisitorDay`] holds 4 bytes
/// per dictionary instead of 8. Ids are given in the order hashes are first seen, so they differ from
/// chunk to chunk; [`Tables::merge`] renumbers the merged side's. A run has at most as many ids as
/// visitor-days, and each costs more than 40 bytes of dictionary besides: 2³² of them would need well
/// over 100 GB.
#[derive(Debug, Clone, Default)]
pub struct Ids {
    /// Hash → id.
    ids: HashMap<u64, u32>,
    /// Id → hash.
    hashes: Vec<u64>,
}

impl Ids {
    /// The id of `hash`, given now if it has none.
    pub fn id(&mut self, hash: u64) -> u32 {
        let next = self.hashes.len() as u32;
        let id = *self.ids.entry(hash).or_insert(next);
        if id == next {
            self.hashes.push(hash);
        }
        id
    }

    /// The hash of `id` (0, the hash of nothing, for an id not given here).
    pub fn hash(&self, id: u32) -> u64 {
        self.hashes.get(id as usize).copied().unwrap_or(0)
    }

    /// The ids here of the ids of `other`, by `other`'s id (given now when new).
    fn renumber(&mut self, other: &Ids) -> Vec<u32> {
        other.hashes.iter().map(|&h| self.id(h)).collect()
    }
}

/// Adds a visitor-day seen elsewhere to `visitors` (and `wide`, its wide counts): counts add, the
/// robots.txt mark sticks, the rest is the same for one key and taken from `v`.
fn add_visitor(
    visitors: &mut HashMap<u64, VisitorDay>,
    wide: &mut HashMap<u64, VisitorHits>,
    key: u64,
    mut v: VisitorDay,
    h: VisitorHits,
) {
    use std::collections::hash_map::Entry;
    let (slot, h) = match visitors.entry(key) {
        Entry::Vacant(e) => (e.insert(v), h),
        Entry::Occupied(e) => {
            let old = e.into_mut();
            let before = old.hits(key, wide);
            v.robots |= old.robots;
            *old = v;
            let sum = VisitorHits {
                day: h.day,
                hits: before.hits + h.hits,
                valid_hits: before.valid_hits + h.valid_hits,
            };
            (old, sum)
        }
    };
    if slot.hold(h) {
        if !wide.is_empty() {
            wide.remove(&key);
        }
    } else {
        wide.insert(key, h);
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
    /// Human visitor keys (their day and counts through [`Tables::hits_of`]).
    pub visitors: HashMap<u64, VisitorDay>,
    /// The exact day and counts of the few visitor-days whose do not fit in a [`VisitorDay`].
    pub wide_visitors: HashMap<u64, VisitorHits>,
    /// Page views and downloads, in no particular order: one vector per merged chunk, so a merge moves
    /// vectors instead of copying events. `report` moves them into an
    /// [`EventStore`](super::spill::EventStore) as chunks come back, which bounds their memory.
    pub events: Vec<Vec<Event>>,
    /// Page and file paths (rewritten, without query) and outlink targets by id.
    pub pages: HashMap<u64, String>,
    /// External referrers by id.
    pub referrers: HashMap<u64, Referrer>,
    /// User-agent classes by hash.
    pub uas: HashMap<u64, UaClass>,
    /// The run-local ids of the user-agent class hashes ([`VisitorDay::ua`]).
    pub ua_ids: Ids,
    /// Reduced client networks by hash.
    pub networks: HashMap<u64, String>,
    /// The run-local ids of the network hashes ([`VisitorDay::network`]).
    pub network_ids: Ids,
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
        // Move the smaller of the two big collections into the bigger one, with the ids it refers to.
        if self.visitors.len() < other.visitors.len() {
            std::mem::swap(&mut self.visitors, &mut other.visitors);
            std::mem::swap(&mut self.wide_visitors, &mut other.wide_visitors);
            std::mem::swap(&mut self.ua_ids, &mut other.ua_ids);
            std::mem::swap(&mut self.network_ids, &mut other.network_ids);
        }
        self.merge_rest(other);
    }

    /// The day and counts of the visitor-day `v` of `key`.
    pub fn hits_of(&self, key: u64, v: &VisitorDay) -> VisitorHits {
        v.hits(key, &self.wide_visitors)
    }

    /// Adds a visitor-day of `key` with the day and counts `h` (its ids already ids of `self`).
    pub fn add_visitor(&mut self, key: u64, v: VisitorDay, h: VisitorHits) {
        add_visitor(&mut self.visitors, &mut self.wide_visitors, key, v, h);
    }

    fn merge_rest(&mut self, other: Tables) {
        let uas = self.ua_ids.renumber(&other.ua_ids);
        let networks = self.network_ids.renumber(&other.network_ids);
        let renumber = |ids: &[u32], id: u32| ids.get(id as usize).copied().unwrap_or(id);
        for (k, mut v) in other.visitors {
            let h = v.hits(k, &other.wide_visitors);
            v.ua = renumber(&uas, v.ua);
            v.network = renumber(&networks, v.network);
            add_visitor(&mut self.visitors, &mut self.wide_visitors, k, v, h);
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

#[cfg(test)]
mod tests {
    use super::super::partial::Slot;
    use super::*;

    /// A visitor-day of `ua` and `network` (hashes), interned in `t`, with `hits` on `day`.
    fn visit(t: &mut Tables, key: u64, (ua, network): (u64, u64), day: i64, hits: u64) {
        let mut v = VisitorDay {
            ua: t.ua_ids.id(ua),
            network: t.network_ids.id(network),
            sketch: key ^ 0xabc,
            ..VisitorDay::default()
        };
        v.set_slot(Slot::of(key));
        let h = VisitorHits {
            day,
            hits,
            valid_hits: hits / 2,
        };
        t.add_visitor(key, v, h);
    }

    /// Each visitor key's (day, hits, valid hits, UA hash, network hash, robots, sketch, slot).
    type Seen = Vec<(u64, VisitorHits, u64, u64, bool, u64, Slot)>;

    fn seen(t: &Tables) -> Seen {
        let mut all: Seen = (t.visitors.iter())
            .map(|(k, v)| {
                let (ua, net) = (t.ua_ids.hash(v.ua), t.network_ids.hash(v.network));
                (*k, t.hits_of(*k, v), ua, net, v.robots, v.sketch, v.slot())
            })
            .collect();
        all.sort_by_key(|s| s.0);
        all
    }

    #[test]
    fn a_visitor_day_takes_32_bytes() {
        assert!(
            std::mem::size_of::<VisitorDay>() <= 32,
            "{}",
            std::mem::size_of::<VisitorDay>()
        );
    }

    #[test]
    fn ids_are_renumbered_when_tables_of_other_chunks_merge() {
        // Two chunks meet the same classes and networks in opposite orders, so their ids differ.
        let (ua, net) = ([11, 12, 13], [21, 22, 23]);
        let mut a = Tables::default();
        visit(&mut a, 1, (ua[0], net[0]), 100, 3);
        visit(&mut a, 2, (ua[1], net[1]), 100, 1);
        let mut b = Tables::default();
        visit(&mut b, 3, (ua[2], net[2]), 101, 5);
        visit(&mut b, 4, (ua[1], net[0]), 101, 2);
        visit(&mut b, 5, (ua[0], net[1]), 101, 2);
        visit(&mut b, 1, (ua[0], net[0]), 100, 4);
        assert_ne!(a.ua_ids.hash(0), b.ua_ids.hash(0));
        let want = |key: u64, ua: u64, net: u64, day: i64, hits: u64| {
            let mut slot = VisitorDay::default();
            slot.set_slot(Slot::of(key));
            let h = VisitorHits {
                day,
                hits,
                valid_hits: if key == 1 { 3 } else { hits / 2 },
            };
            (key, h, ua, net, false, key ^ 0xabc, slot.slot())
        };
        let expected = vec![
            want(1, ua[0], net[0], 100, 7),
            want(2, ua[1], net[1], 100, 1),
            want(3, ua[2], net[2], 101, 5),
            want(4, ua[1], net[0], 101, 2),
            want(5, ua[0], net[1], 101, 2),
        ];
        // Either way round: the bigger side's ids are kept, the other's renumbered.
        let mut ab = a.clone();
        ab.merge(b.clone());
        let mut ba = b;
        ba.merge(a);
        assert_eq!(seen(&ab), expected);
        assert_eq!(seen(&ba), expected);
    }

    #[test]
    fn days_and_counts_too_wide_for_a_visitor_day_stay_exact() {
        let far = i64::from(i32::MAX) + 10;
        let mut a = Tables::default();
        visit(&mut a, 1, (11, 21), 100, u64::from(u32::MAX) - 2);
        visit(&mut a, 2, (11, 21), far, 1);
        visit(&mut a, 3, (11, 21), -far, 1);
        visit(&mut a, 4, (11, 21), 100, 1);
        assert_eq!(a.wide_visitors.len(), 2);
        let mut b = Tables::default();
        visit(&mut b, 1, (11, 21), 100, 6);
        visit(&mut b, 2, (11, 21), far, u64::MAX / 4);
        b.merge(a.clone());
        a.merge(b.clone());
        let hits = |t: &Tables, key: u64| t.hits_of(key, &t.visitors[&key]);
        assert_eq!(
            hits(&b, 1),
            VisitorHits {
                day: 100,
                hits: u64::from(u32::MAX) + 4,
                valid_hits: u64::from(u32::MAX / 2) + 2,
            }
        );
        assert_eq!(hits(&b, 2).hits, u64::MAX / 4 + 1);
        assert_eq!((hits(&b, 2).day, hits(&b, 3).day), (far, -far));
        assert_eq!(hits(&b, 4).hits, 1);
        // Merged again, the wide counts add as the narrow ones do.
        assert_eq!(hits(&a, 1).hits, 1 << 33);
        assert_eq!(hits(&a, 4).hits, 2);
        assert_eq!(a.wide_visitors.len(), 3);
    }
}
