//! Partial reports: what `report --partial` writes and `merge` reads.
//!
//! A partial holds, for every day it covers, that day's sessionised tables at full resolution (no row
//! folded, every count exact) plus a [`Sketch`] of the day's visitors, and, for the run as a whole, the
//! lines that belong to no day (unparsed, blank, outside `--since`/`--until`). Everything in a report
//! is a sum over days, because visitor keys change at midnight and visits are cut there: so merging
//! partials of different days gives exactly the report of one run over all their logs, and rendering a
//! merged partial ([`super::render::render`]) is the same code that renders a single run.
//!
//! Distinct visitors over several days (weeks, months) cannot be summed: they are estimated from the
//! day sketches (HyperLogLog), which merge by taking the larger register. The sketch hashes a visitor under
//! a *sketch key*, never written: random per run (sketches then merge only with those of the same run) or
//! read from a key file (`--sketch-key`), so partials of different runs merge. Only the registers are
//! stored: no identifier, and no hash anybody without the key could recompute. See `docs/PRIVACY.md`.
//!
//! Rare rows fold by distinct visitors over the whole run, not by visitor-days ([`super::distinct`]).
//! Since version 2 a partial carries, per row, the distinct visitors of the run that wrote it (counted up
//! to a cap; counts only, no hash). Two runs hash a person differently, so `merge` cannot add these
//! counts: it takes the largest, a lower bound of the distinct visitors of the merged logs, and so folds
//! at least every row that one report over the same logs would fold (see `docs/REPORTS.md`).

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::distinct::RunVisitors;

/// The `schema` field of a partial.
pub(crate) const SCHEMA: &str = "logveil-partial";
/// The partial format version this build writes (2: `visitors`, the run-wide distinct visitors per row;
/// 3: the clickstream tables `transitions`, `paths` and `goals` of each day, and their run-wide distinct
/// visitors; 4: the `requests` rows of each day, and their run-wide distinct clients). Versions 1 and 2
/// are read as days without a clickstream, versions 1 to 3 as days without `requests` rows.
pub const VERSION: u32 = 4;

/// The oldest partial version this build reads. A version-1 partial has no run-wide counts: `merge` folds
/// its rows by their largest per-day visitors instead (a lower bound, so it folds at least as much).
pub(crate) const OLDEST_VERSION: u32 = 1;

/// Bits of the hash choosing a register: 2^12 = 4096 registers (4 KiB per day), standard error
/// 1.04 / sqrt(4096) = 1.6 %; below 2.5 × 4096 distinct visitors linear counting is used, which is
/// much closer.
pub(crate) const PRECISION: u32 = 12;
const REGISTERS: usize = 1 << PRECISION;

/// A HyperLogLog sketch of distinct visitors (Flajolet et al. 2007, with linear counting for small
/// counts). Empty (all registers zero) until a visitor is added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sketch {
    registers: Vec<u8>,
}

/// Where a visitor's hash lands in a [`Sketch`]: its register and rank. All a sketch needs of a visitor,
/// and all the event stream carries of the sketch hash (18 bits shared by thousands of visitors).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Slot {
    /// The register (0..4096).
    pub index: u16,
    /// The rank (1..=53; 0: no visitor).
    pub rank: u8,
}

impl Slot {
    /// The slot of a 64-bit hash of a visitor.
    pub fn of(hash: u64) -> Slot {
        let rest = (hash << PRECISION) | (1 << (PRECISION - 1));
        Slot {
            index: (hash >> (64 - PRECISION)) as u16,
            rank: rest.leading_zeros() as u8 + 1,
        }
    }

    /// True when `index` and `rank` are a slot a sketch can hold.
    pub fn is_valid(self) -> bool {
        usize::from(self.index) < REGISTERS && self.rank <= (64 - PRECISION + 1) as u8
    }
}

impl Sketch {
    /// Adds a 64-bit hash of a visitor.
    pub fn insert(&mut self, hash: u64) {
        self.insert_slot(Slot::of(hash));
    }

    /// Adds a visitor by its [`Slot`].
    pub fn insert_slot(&mut self, slot: Slot) {
        if self.registers.is_empty() {
            self.registers = vec![0; REGISTERS];
        }
        if let Some(r) = self.registers.get_mut(usize::from(slot.index)) {
            *r = (*r).max(slot.rank);
        }
    }

    /// Adds every visitor of `other`.
    pub fn merge(&mut self, other: &Sketch) {
        if other.registers.is_empty() {
            return;
        }
        if self.registers.is_empty() {
            self.registers = other.registers.clone();
            return;
        }
        for (a, b) in self.registers.iter_mut().zip(&other.registers) {
            *a = (*a).max(*b);
        }
    }

    /// The estimated number of distinct visitors added.
    pub fn estimate(&self) -> u64 {
        if self.registers.is_empty() {
            return 0;
        }
        let m = REGISTERS as f64;
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let sum: f64 = self
            .registers
            .iter()
            .map(|&r| 2f64.powi(-i32::from(r)))
            .sum();
        let raw = alpha * m * m / sum;
        let zeros = self.registers.iter().filter(|&&r| r == 0).count();
        let e = if raw <= 2.5 * m && zeros > 0 {
            m * (m / zeros as f64).ln()
        } else {
            raw
        };
        e.round() as u64
    }
}

/// Written as a JSON array of the 4096 register values (`[]` when empty): small numbers, so no audit
/// (`logveil check`) mistakes a sketch for a token, as it would a long hex string.
impl Serialize for Sketch {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.registers.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Sketch {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Sketch, D::Error> {
        use serde::de::Error;
        let registers = Vec::<u8>::deserialize(d)?;
        if registers.is_empty() {
            return Ok(Sketch::default());
        }
        if registers.len() != REGISTERS {
            return Err(D::Error::custom("sketch has the wrong length"));
        }
        let max = (64 - PRECISION + 1) as u8;
        if registers.iter().any(|&r| r > max) {
            return Err(D::Error::custom("sketch holds an invalid register"));
        }
        Ok(Sketch { registers })
    }
}

/// A count and the distinct visitors behind it (visitor-days once days are added).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally(pub u64, pub u64);

impl Tally {
    /// Adds `o`'s count and visitors.
    pub(crate) fn add(&mut self, o: &Tally) {
        self.0 += o.0;
        self.1 += o.1;
    }
}

/// A page's numbers on one day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageRow {
    /// Page views.
    pub views: u64,
    /// Distinct visitors with a view.
    pub visitors: u64,
    /// Visits entering here.
    pub entries: u64,
    /// Distinct visitors entering here.
    pub entry_visitors: u64,
    /// Visits leaving here.
    pub exits: u64,
    /// Distinct visitors leaving here.
    pub exit_visitors: u64,
    /// Bounced visits entering here.
    pub bounces: u64,
    /// Sum of measured times on page, seconds.
    pub top_sum: u64,
    /// Views whose time on page was measured.
    pub top_measured: u64,
}

impl PageRow {
    /// Adds `o` (the same page on another slice of the day, or on another day).
    pub(crate) fn add(&mut self, o: &PageRow) {
        self.views += o.views;
        self.visitors += o.visitors;
        self.entries += o.entries;
        self.entry_visitors += o.entry_visitors;
        self.exits += o.exits;
        self.exit_visitors += o.exit_visitors;
        self.bounces += o.bounces;
        self.top_sum += o.top_sum;
        self.top_measured += o.top_measured;
    }
}

/// A download file's numbers on one day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DownloadRow {
    /// Downloads (visits that fetched the file with status 200).
    pub downloads: u64,
    /// Distinct visitors.
    pub visitors: u64,
    /// Bytes sent (200 and 206).
    pub bytes: u64,
}

impl DownloadRow {
    /// Adds `o` (the same file on another slice of the day, or on another day).
    pub(crate) fn add(&mut self, o: &DownloadRow) {
        self.downloads += o.downloads;
        self.visitors += o.visitors;
        self.bytes += o.bytes;
    }
}

/// A browser, OS, device or network on one day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientRow {
    /// Human hits.
    pub hits: u64,
    /// Page views.
    pub page_views: u64,
    /// Distinct visitors.
    pub visitors: u64,
}

impl ClientRow {
    /// Adds `o`.
    pub fn add(&mut self, o: &ClientRow) {
        self.hits += o.hits;
        self.page_views += o.page_views;
        self.visitors += o.visitors;
    }
}

/// A country, region or autonomous system on one day (from `--geoip`): human traffic of the visitors whose
/// full address the database placed there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaceRow {
    /// Human hits.
    pub hits: u64,
    /// Page views.
    pub page_views: u64,
    /// Distinct visitors of the day.
    pub visitors: u64,
    /// Visits.
    pub visits: u64,
}

impl PlaceRow {
    /// Adds `o`.
    pub fn add(&mut self, o: &PlaceRow) {
        self.hits += o.hits;
        self.page_views += o.page_views;
        self.visitors += o.visitors;
        self.visits += o.visits;
    }
}

/// A path's numbers on one day (see `super::clicks`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathRow {
    /// Visits whose page views began with this path.
    pub visits: u64,
    /// Of them, visits that reached a `--goal-path`.
    pub conversions: u64,
    /// Of them, bounced visits.
    pub bounces: u64,
    /// Distinct visitors.
    pub visitors: u64,
}

impl PathRow {
    /// Adds `o`.
    pub fn add(&mut self, o: &PathRow) {
        self.visits += o.visits;
        self.conversions += o.conversions;
        self.bounces += o.bounces;
        self.visitors += o.visitors;
    }
}

/// A path's hits on one day, bots and assets included (the `requests` table, absent before version 4).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestRow {
    /// Hits.
    pub hits: u64,
    /// Hits of user agents not recognised as bots.
    pub human_hits: u64,
    /// Response bytes.
    pub bytes: u64,
    /// Hits answered 2xx.
    pub status_2xx: u64,
    /// Hits answered 3xx.
    pub status_3xx: u64,
    /// Hits answered 4xx.
    pub status_4xx: u64,
    /// Hits answered 5xx.
    pub status_5xx: u64,
    /// Distinct clients (people or bots) of the day, counted up to the partial's `visitors_cap`.
    pub clients: u64,
}

impl RequestRow {
    /// Adds `o`.
    pub fn add(&mut self, o: &RequestRow) {
        self.hits += o.hits;
        self.human_hits += o.human_hits;
        self.bytes += o.bytes;
        self.status_2xx += o.status_2xx;
        self.status_3xx += o.status_3xx;
        self.status_4xx += o.status_4xx;
        self.status_5xx += o.status_5xx;
        self.clients += o.clients;
    }
}

/// Adds every row of `from` into `into`, copying a key only for a row `into` does not have yet (and
/// the whole map, with no key compared, when `into` is empty: the first day of a total).
fn add_map<K: Ord + Clone, V: Default + Clone>(
    into: &mut BTreeMap<K, V>,
    from: &BTreeMap<K, V>,
    add: impl Fn(&mut V, &V),
) {
    if into.is_empty() {
        into.clone_from(from);
        return;
    }
    for (k, v) in from {
        match into.get_mut(k) {
            Some(row) => add(row, v),
            None => add(into.entry(k.clone()).or_default(), v),
        }
    }
}

/// Everything a report counts on one day.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Day {
    /// Lines of the day that parsed (inside `--since`/`--until`).
    pub parsed: u64,
    /// Of them, opted out (`DNT`/`Sec-GPC`).
    pub opted_out: u64,
    /// Hits (bots included).
    pub hits: u64,
    /// Bot hits (user agent or robots.txt visitor).
    pub bot_hits: u64,
    /// Human hits.
    pub human_hits: u64,
    /// Response bytes of all hits.
    pub bytes: u64,
    /// Page views.
    pub page_views: u64,
    /// Visits.
    pub visits: u64,
    /// Distinct visitors (exact).
    pub visitors: u64,
    /// Visitor keys that fetched /robots.txt.
    pub robots_txt_visitors: u64,
    /// Bounced visits.
    pub bounces: u64,
    /// Sum of visit durations, seconds.
    pub duration_sum: u64,
    /// Visits per duration bucket (see `visits::DURATION_BUCKETS`).
    pub durations: [u64; 7],
    /// Sum of measured times on page, seconds.
    pub top_sum: u64,
    /// Page views whose time on page was measured.
    pub top_measured: u64,
    /// Downloads.
    pub downloads: u64,
    /// Hits per hour of day.
    pub hour_hits: [u64; 24],
    /// Page views per hour of day.
    pub hour_page_views: [u64; 24],
    /// Hits per status code.
    pub status: BTreeMap<u16, u64>,
    /// Pages by path.
    pub pages: BTreeMap<String, PageRow>,
    /// Download files by path.
    pub downloads_by_path: BTreeMap<String, DownloadRow>,
    /// Referring sites: visits, visitors.
    pub referrer_sites: BTreeMap<String, Tally>,
    /// Referring pages: visits, visitors.
    pub referrer_pages: BTreeMap<String, Tally>,
    /// Search engine → keyword: visits, visitors.
    pub search_engines: BTreeMap<String, BTreeMap<String, Tally>>,
    /// Site-search terms: searches, visitors.
    pub search_terms: BTreeMap<String, Tally>,
    /// Outlink targets: clicks, visitors.
    pub outlinks: BTreeMap<String, Tally>,
    /// 404 paths: hits, visitors.
    pub not_found: BTreeMap<String, Tally>,
    /// Campaigns (`source\tmedium\tcampaign`): page views, visitors.
    pub campaigns: BTreeMap<String, Tally>,
    /// Browsers.
    pub browsers: BTreeMap<String, ClientRow>,
    /// Operating systems.
    pub os: BTreeMap<String, ClientRow>,
    /// Device classes.
    pub devices: BTreeMap<String, ClientRow>,
    /// Reduced client networks.
    pub networks: BTreeMap<String, ClientRow>,
    /// Bot name → reason → hits.
    pub bots: BTreeMap<String, BTreeMap<String, u64>>,
    /// Countries (`code\tname`, `--` unknown), with `--geoip` only.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub countries: BTreeMap<String, PlaceRow>,
    /// First-level regions (`country\tregion code\tname`), with a City database only.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub regions: BTreeMap<String, PlaceRow>,
    /// Autonomous systems (`number\torganisation`, `--` unknown), with an ASN database only.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub asns: BTreeMap<String, PlaceRow>,
    /// Transitions (`from\tto`): moves, visitors (absent before version 3).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub transitions: BTreeMap<String, Tally>,
    /// Paths of the visits that started on the day, at most `clicks::PATHS_PER_DAY` and an `(other)`
    /// row (absent before version 3).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub paths: BTreeMap<String, PathRow>,
    /// Goals (`goal\tvia\tsource`): conversions, visitors (absent without `--goal-path`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub goals: BTreeMap<String, Tally>,
    /// Every hit by path (absent before version 4).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub requests: BTreeMap<String, RequestRow>,
    /// The day's visitors, for distinct counts over several days.
    pub sketch: Sketch,
}

impl Day {
    /// Adds `o` (another slice of the same day, or another day when totalling).
    pub fn add(&mut self, o: &Day) {
        for (a, b) in [
            (&mut self.parsed, o.parsed),
            (&mut self.opted_out, o.opted_out),
            (&mut self.hits, o.hits),
            (&mut self.bot_hits, o.bot_hits),
            (&mut self.human_hits, o.human_hits),
            (&mut self.bytes, o.bytes),
            (&mut self.page_views, o.page_views),
            (&mut self.visits, o.visits),
            (&mut self.visitors, o.visitors),
            (&mut self.robots_txt_visitors, o.robots_txt_visitors),
            (&mut self.bounces, o.bounces),
            (&mut self.duration_sum, o.duration_sum),
            (&mut self.top_sum, o.top_sum),
            (&mut self.top_measured, o.top_measured),
            (&mut self.downloads, o.downloads),
        ] {
            *a += b;
        }
        for (a, b) in self.durations.iter_mut().zip(o.durations) {
            *a += b;
        }
        for (a, b) in self.hour_hits.iter_mut().zip(o.hour_hits) {
            *a += b;
        }
        for (a, b) in self.hour_page_views.iter_mut().zip(o.hour_page_views) {
            *a += b;
        }
        add_map(&mut self.status, &o.status, |a, b| *a += b);
        add_map(&mut self.pages, &o.pages, PageRow::add);
        add_map(
            &mut self.downloads_by_path,
            &o.downloads_by_path,
            DownloadRow::add,
        );
        for (mine, theirs) in [
            (&mut self.referrer_sites, &o.referrer_sites),
            (&mut self.referrer_pages, &o.referrer_pages),
            (&mut self.search_terms, &o.search_terms),
            (&mut self.outlinks, &o.outlinks),
            (&mut self.not_found, &o.not_found),
            (&mut self.campaigns, &o.campaigns),
            (&mut self.transitions, &o.transitions),
            (&mut self.goals, &o.goals),
        ] {
            add_map(mine, theirs, Tally::add);
        }
        add_map(&mut self.paths, &o.paths, PathRow::add);
        add_map(&mut self.requests, &o.requests, RequestRow::add);
        add_map(&mut self.search_engines, &o.search_engines, |a, b| {
            add_map(a, b, Tally::add)
        });
        for (mine, theirs) in [
            (&mut self.browsers, &o.browsers),
            (&mut self.os, &o.os),
            (&mut self.devices, &o.devices),
            (&mut self.networks, &o.networks),
        ] {
            add_map(mine, theirs, ClientRow::add);
        }
        add_map(&mut self.bots, &o.bots, |a, b| {
            add_map(a, b, |x, y| *x += y)
        });
        for (mine, theirs) in [
            (&mut self.countries, &o.countries),
            (&mut self.regions, &o.regions),
            (&mut self.asns, &o.asns),
        ] {
            add_map(mine, theirs, PlaceRow::add);
        }
        self.sketch.merge(&o.sketch);
    }
}

/// Lines that belong to no day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Undated {
    /// Non-empty lines that did not parse.
    pub unparsed: u64,
    /// Empty lines.
    pub blank: u64,
    /// Lines longer than `--max-line-bytes` (absent from partials written before it was counted).
    #[serde(default)]
    pub too_long: u64,
    /// Parsed lines before `--since`.
    pub excluded_before_since: u64,
    /// Parsed lines at or after `--until`.
    pub excluded_after_until: u64,
    /// Parsed lines excluded by `--exclude-ip`, `--exclude-path`, `--exclude-ua`, `--include-host` and
    /// `--only-humans`, in the order of `crate::filter::Reason::ALL` (absent when all are 0).
    #[serde(default, skip_serializing_if = "no_exclusions")]
    pub excluded: [u64; crate::filter::Reason::ALL.len()],
    /// Parsed lines, counted to tell a log with coarsened times ([`super::coarse`]; absent from partials
    /// written before it was counted, and when 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub timed: u64,
    /// Parsed lines whose time is not on the hour (none: the times were coarsened).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub off_the_hour: u64,
    /// Parsed lines that record no HTTP request (TCP and TLS connections; absent from partials written
    /// before they were counted apart, and when 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub non_http: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn no_exclusions(e: &[u64; crate::filter::Reason::ALL.len()]) -> bool {
    e.iter().all(|&n| n == 0)
}

impl Undated {
    /// Adds `o`.
    pub fn add(&mut self, o: &Undated) {
        self.unparsed += o.unparsed;
        self.blank += o.blank;
        self.too_long += o.too_long;
        self.excluded_before_since += o.excluded_before_since;
        self.excluded_after_until += o.excluded_after_until;
        self.timed += o.timed;
        self.off_the_hour += o.off_the_hour;
        self.non_http += o.non_http;
        for (a, b) in self.excluded.iter_mut().zip(o.excluded) {
            *a += b;
        }
    }
}

/// Per-day tables and the lines that belong to no day: a single run's report before rendering, or the
/// merge of several partials.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Aggregate {
    /// Lines without a day.
    pub undated: Undated,
    /// Tables per day number.
    pub days: BTreeMap<i64, Day>,
    /// False when the day sketches were made under different sketch keys, so they cannot be joined and no
    /// distinct count over several days is given.
    pub sketches_compatible: bool,
    /// Distinct visitors per row over the whole run (capped; lower bounds after a merge): what
    /// `--min-visitors` is compared with.
    pub visitors: RunVisitors,
    /// Distinct visitors of each week, month and the whole range, counted exactly: present for one run,
    /// absent after a merge of partials, whose day sketches only estimate them.
    pub exact: Option<ExactVisitors>,
    /// Which place tables the run had databases for (`--geoip`); after a merge, those any day fills.
    pub geo: super::tables::GeoKinds,
    /// The run was given its site's hosts (`--site-host`), so no referring site is inferred to be the site
    /// itself (`analyze::internal`); after a merge, true when every partial's run was.
    pub site_hosts_given: bool,
    /// Rows already folded into a day's `(other)` row before rendering, by the summary metric that
    /// counts them: a report that writes no partial folds its rare transitions while it names them
    /// (`super::clicks`), and rendering adds these to what it folds. Empty for a partial or a merge.
    pub prefolded: BTreeMap<&'static str, u64>,
    /// The rows of the whole run, summed over its days before they were named: filled instead of each
    /// day's rows by a run that writes no partial (nothing reads its rows day by day), which names each
    /// row once instead of once per day. Its counters stay zero (they are the days'); rendering adds its
    /// rows to the days' total. Empty for a partial or a merge.
    pub summed: Day,
}

/// Distinct visitors over several days, counted exactly within one run (from the visitors' sketch hashes,
/// which stay in memory; only the counts are kept). A shard's partial carries them (`exact`): shards of
/// one job hold disjoint visitors, so their counts add.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExactVisitors {
    /// Per ISO week label (`2026-W49`).
    pub weeks: BTreeMap<String, u64>,
    /// Per month label (`2026-12`).
    pub months: BTreeMap<String, u64>,
    /// Over every day of the run.
    pub total: u64,
}

impl ExactVisitors {
    /// Adds the counts of disjoint visitors (another shard of the same job).
    pub fn add(&mut self, o: &ExactVisitors) {
        for (mine, theirs) in [(&mut self.weeks, &o.weeks), (&mut self.months, &o.months)] {
            for (k, n) in theirs {
                *mine.entry(k.clone()).or_default() += n;
            }
        }
        self.total += o.total;
    }

    /// Counts `seen`, one `(sketch hash, day number)` per counted visitor-day (in any order, reordered
    /// here).
    pub(crate) fn count(seen: &mut [(u64, i64)]) -> ExactVisitors {
        // Millions on a month of traffic: sorted on the pool (`rayon`), like the walk's other sorts.
        rayon::slice::ParallelSliceMut::par_sort_unstable(seen);
        let mut labels: BTreeMap<i64, super::time::DayLabels> = BTreeMap::new();
        for (_, day) in seen.iter() {
            labels
                .entry(*day)
                .or_insert_with(|| super::time::labels(*day));
        }
        let mut weeks: BTreeMap<&str, u64> = BTreeMap::new();
        let mut months: BTreeMap<&str, u64> = BTreeMap::new();
        let mut total = 0;
        // One visitor's days at a time, ascending, so each week's and month's days are adjacent and
        // count once.
        for group in seen.chunk_by(|a, b| a.0 == b.0) {
            total += 1;
            let (mut last_week, mut last_month) = (None, None);
            for (_, day) in group {
                let l = &labels[day];
                if last_week != Some(l.week.as_str()) {
                    *weeks.entry(l.week.as_str()).or_default() += 1;
                    last_week = Some(l.week.as_str());
                }
                if last_month != Some(l.month.as_str()) {
                    *months.entry(l.month.as_str()).or_default() += 1;
                    last_month = Some(l.month.as_str());
                }
            }
        }
        let owned =
            |m: BTreeMap<&str, u64>| m.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        ExactVisitors {
            weeks: owned(weeks),
            months: owned(months),
            total,
        }
    }
}

/// The partial file: an [`Aggregate`] with its schema, version, write time and sketch key id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Partial {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// Always [`VERSION`] when written by this build.
    pub version: u32,
    /// When the partial was written (RFC 3339, UTC, nanoseconds): the newer wins with `merge --overlap
    /// latest`.
    pub written: String,
    /// A fingerprint of the sketch key (not the key): sketches join only under the same key.
    pub sketch_key_id: String,
    /// Lines without a day.
    pub undated: Undated,
    /// Tables per date (`YYYY-MM-DD`).
    pub days: BTreeMap<String, Day>,
    /// Distinct visitors per row over the run that wrote the partial, counted up to `visitors_cap` (absent
    /// from version 1).
    #[serde(default)]
    pub visitors: RunVisitors,
    /// The cap of `visitors`: a count equal to it means "at least that many" (0 in version 1).
    #[serde(default)]
    pub visitors_cap: u64,
    /// Which place tables the run had `--geoip` databases for (absent without one).
    #[serde(default, skip_serializing_if = "super::tables::GeoKinds::is_none")]
    pub geoip: super::tables::GeoKinds,
    /// The run was given `--site-host` (absent when not).
    #[serde(default, skip_serializing_if = "is_false")]
    pub site_hosts_given: bool,
    /// Which shard of a sharded job (`report --from-events`) the partial covers (absent otherwise):
    /// `merge` adds the shards of one job exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardOf>,
    /// The exact distinct visitors of weeks, months and the range over the partial's visitors: written
    /// with `shard` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exact: Option<ExactVisitors>,
}

/// The shard a partial covers: `index` of `of`, of the job whose key has the fingerprint `job`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardOf {
    /// The shard (0-based).
    pub index: u32,
    /// The shards of the job.
    pub of: u32,
    /// A fingerprint of the job key (not the key).
    pub job: String,
}

/// The header every partial version shares, read first so a wrong version gets a clear message.
#[derive(Debug, Deserialize)]
pub(crate) struct Header {
    /// The schema name.
    pub schema: Option<String>,
    /// The version.
    pub version: Option<u64>,
}

impl Partial {
    /// The partial of an aggregate made under the sketch key with fingerprint `sketch_key_id`, its
    /// distinct visitors per row counted up to `visitors_cap`.
    pub fn new(agg: &Aggregate, sketch_key_id: String, visitors_cap: u64) -> Partial {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let written = chrono::DateTime::from_timestamp(now.as_secs() as i64, now.subsec_nanos())
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
        Partial {
            schema: SCHEMA.to_string(),
            version: VERSION,
            written,
            sketch_key_id,
            undated: agg.undated,
            days: agg
                .days
                .iter()
                .map(|(d, day)| (super::time::labels(*d).date, day.clone()))
                .collect(),
            visitors: agg.visitors.clone(),
            visitors_cap,
            geoip: agg.geo,
            site_hosts_given: agg.site_hosts_given,
            shard: None,
            exact: None,
        }
    }

    /// The partial of shard `shard`: [`Partial::new`] with the shard and the aggregate's exact counts.
    pub fn of_shard(
        agg: &Aggregate,
        sketch_key_id: String,
        visitors_cap: u64,
        shard: ShardOf,
    ) -> Partial {
        Partial {
            shard: Some(shard),
            exact: agg.exact.clone(),
            ..Partial::new(agg, sketch_key_id, visitors_cap)
        }
    }

    /// The day numbers of the partial's dates (`None` for a date that is not `YYYY-MM-DD`).
    pub fn day_numbers(&self) -> Option<Vec<i64>> {
        use chrono::Datelike;
        self.days
            .keys()
            .map(|k| {
                chrono::NaiveDate::parse_from_str(k, "%Y-%m-%d")
                    .ok()
                    .map(|d| super::time::days_from_civil(i64::from(d.year()), d.month(), d.day()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(i: u64) -> u64 {
        let h = blake3::hash(&i.to_le_bytes());
        u64::from_le_bytes(h.as_bytes()[..8].try_into().unwrap())
    }

    #[test]
    fn sketch_estimates_within_its_error_and_merges_as_a_union() {
        for n in [1u64, 10, 100, 1000, 10_000, 100_000] {
            let mut s = Sketch::default();
            for i in 0..n {
                s.insert(hash(i));
            }
            let e = s.estimate() as f64;
            let err = (e - n as f64).abs() / n as f64;
            assert!(err < 0.05, "n={n} estimate={e}");
        }
        let (mut a, mut b, mut all) = (Sketch::default(), Sketch::default(), Sketch::default());
        for i in 0..3000 {
            all.insert(hash(i));
            if i < 2000 {
                a.insert(hash(i));
            }
            if i >= 1000 {
                b.insert(hash(i));
            }
        }
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        assert_eq!(ab, all);
        assert_eq!(ba, all);
    }

    #[test]
    fn sketch_round_trips_and_rejects_bad_registers() {
        let mut s = Sketch::default();
        for i in 0..50 {
            s.insert(hash(i));
        }
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<Sketch>(&json).unwrap(), s);
        assert_eq!(
            serde_json::from_str::<Sketch>("[]").unwrap(),
            Sketch::default()
        );
        assert!(serde_json::from_str::<Sketch>("[0,255]").is_err());
        let bad = format!("[{}255]", "0,".repeat(REGISTERS - 1));
        assert!(serde_json::from_str::<Sketch>(&bad).is_err());
        let good = format!("[{}53]", "0,".repeat(REGISTERS - 1));
        assert!(serde_json::from_str::<Sketch>(&good).is_ok());
    }
}
