//! The visit walk: [`aggregate`] turns a merged [`Tables`] into per-day tables (an [`Aggregate`], what a
//! partial holds); [`super::render`] turns an aggregate into the report.
//!
//! Events are sorted by (visitor, time), so chunk boundaries and out-of-order lines make no difference:
//! any disorder within one run is tolerated. [`aggregate_store`] reads them from an [`EventStore`], which
//! keeps memory bounded by spilling sorted runs to disk. A visit is the page views (and downloads) of one
//! visitor key with gaps of at most [`VISIT_GAP`] seconds; a visit never crosses local midnight (the key
//! changes at midnight anyway).

use std::collections::BTreeMap;
use std::hash::Hash;

use foldhash::{HashMap, HashSet};
use rayon::iter::ParallelIterator;
use rayon::slice::{ParallelSlice, ParallelSliceMut};

use super::classify::BotReason;
use super::clicks::{ClickSetup, ClickWalk, Visit};
use super::distinct::{CappedMap, RunVisitors};
use super::named;
use super::partial::{
    Aggregate, ClientRow, Day, DownloadRow, ExactVisitors, PageRow, PlaceRow, Tally,
};
use super::search::Referrer;
use super::spill::EventStore;
use super::tables::{Event, EventKind, Rows, Tables, VisitorDay};
use super::time;

/// The day under which a run that writes no partial keeps its rows, summed over its days (see
/// [`Aggregate::summed`]): no day has this number.
pub(super) const SUMMED: i64 = i64::MIN;

/// Longest gap between two hits of one visit, in seconds (30 minutes).
pub(crate) const VISIT_GAP: i64 = 1800;

/// Upper bounds (exclusive, seconds) and labels of the visit-duration buckets (AWStats style).
pub(crate) const DURATION_BUCKETS: [(i64, &str); 7] = [
    (30, "visits_0s_30s"),
    (120, "visits_30s_2min"),
    (300, "visits_2min_5min"),
    (900, "visits_5min_15min"),
    (1800, "visits_15min_30min"),
    (3600, "visits_30min_1h"),
    (i64::MAX, "visits_1h_plus"),
];

/// Counts distinct visitors of a row while events are walked visitor by visitor (16 bytes: the last
/// visitor is meaningful only once one is counted, so it needs no `Option`).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Seen {
    /// The last visitor counted (when `count > 0`).
    last: u64,
    /// Distinct visitors counted.
    pub(super) count: u64,
}

impl Seen {
    /// Counts `visitor` if it is not the last one seen; true when it was counted.
    pub(super) fn see(&mut self, visitor: u64) -> bool {
        if self.count > 0 && self.last == visitor {
            return false;
        }
        self.last = visitor;
        self.count += 1;
        true
    }
}

/// A page's numbers on one day while events are walked, its visitors counted as they come.
#[derive(Debug, Clone, Copy, Default)]
struct PageStats {
    views: u64,
    entries: u64,
    exits: u64,
    bounces: u64,
    top_sum: u64,
    top_measured: u64,
    visitors: Seen,
    entry_visitors: Seen,
    exit_visitors: Seen,
}

impl PageStats {
    /// Adds the numbers of other visitors (so their distinct counts add).
    fn add(&mut self, o: &PageStats) {
        self.views += o.views;
        self.entries += o.entries;
        self.exits += o.exits;
        self.bounces += o.bounces;
        self.top_sum += o.top_sum;
        self.top_measured += o.top_measured;
        self.visitors.count += o.visitors.count;
        self.entry_visitors.count += o.entry_visitors.count;
        self.exit_visitors.count += o.exit_visitors.count;
    }
}

/// A count with the distinct visitors behind it while events are walked visitor by visitor (a
/// [`Tally`] once the walk is over: see [`day_tally`]).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct WalkTally {
    /// The count.
    pub(super) count: u64,
    /// Its distinct visitors.
    pub(super) visitors: Seen,
}

/// Counts one more for `key`; true when `visitor` is new to the row.
pub(super) fn tally<K: Hash + Eq>(map: &mut HashMap<K, WalkTally>, key: K, visitor: u64) -> bool {
    let t = map.entry(key).or_default();
    t.count += 1;
    t.visitors.see(visitor)
}

/// The distinct visitors of each row over the whole run ([`super::distinct`]), by row id or text, while
/// the events are walked.
/// Referrer rows are keyed by text borrowed from the referrer dictionary.
struct RunSets<'t> {
    pages: CappedMap<u64>,
    entries: CappedMap<u64>,
    exits: CappedMap<u64>,
    downloads: CappedMap<u64>,
    sites: CappedMap<&'t str>,
    referrer_pages: CappedMap<&'t str>,
    keywords: CappedMap<(&'static str, &'t str)>,
    networks: CappedMap<u64>,
    rows: [CappedMap<String>; 4],
    /// Countries, regions and autonomous systems (`--geoip`).
    places: [CappedMap<String>; 3],
}

impl<'t> RunSets<'t> {
    /// Adds the sets of other visitors.
    fn add(&mut self, o: RunSets<'t>) {
        self.pages.add(o.pages);
        self.entries.add(o.entries);
        self.exits.add(o.exits);
        self.downloads.add(o.downloads);
        self.sites.add(o.sites);
        self.referrer_pages.add(o.referrer_pages);
        self.keywords.add(o.keywords);
        self.networks.add(o.networks);
        for (mine, theirs) in self.rows.iter_mut().zip(o.rows) {
            mine.add(theirs);
        }
        for (mine, theirs) in self.places.iter_mut().zip(o.places) {
            mine.add(theirs);
        }
    }

    fn new(cap: u64) -> RunSets<'t> {
        RunSets {
            pages: CappedMap::new(cap),
            entries: CappedMap::new(cap),
            exits: CappedMap::new(cap),
            downloads: CappedMap::new(cap),
            sites: CappedMap::new(cap),
            referrer_pages: CappedMap::new(cap),
            keywords: CappedMap::new(cap),
            networks: CappedMap::new(cap),
            rows: std::array::from_fn(|_| CappedMap::new(cap)),
            places: std::array::from_fn(|_| CappedMap::new(cap)),
        }
    }
}

/// The day's [`Tally`] of a row counted during the walk.
fn day_tally(t: &WalkTally) -> Tally {
    Tally(t.count, t.visitors.count)
}

/// Sessionises the events and splits every count by day: the per-day tables of a run, all of its events
/// in memory. Distinct visitors of each row over the run are counted up to `cap` (the `--min-visitors`
/// to render with, or `super::distinct::PARTIAL_CAP` for a partial; see `super::distinct`).
pub fn aggregate(mut t: Tables, cap: u64) -> Aggregate {
    let mut events = t.take_events();
    events.par_sort_unstable();
    aggregate_sorted(t, events.into_iter(), cap, true)
}

/// [`aggregate`] with the events (those of `t` and those already in `store`) read back from an
/// [`EventStore`], which may have spilled them to disk; fails only if a run cannot be written or read
/// back. With `per_day_rows` false (a report that writes no partial), the rows of the run are summed over
/// its days as they are counted and named once, in [`Aggregate::summed`]; the days keep their counters
/// (and the rows of `paths`, bounded per day, `bots`, `status` and the place tables).
pub fn aggregate_store(
    mut t: Tables,
    mut store: EventStore,
    cap: u64,
    per_day_rows: bool,
) -> std::io::Result<Aggregate> {
    store.take_from(&mut t)?;
    let mut sorted = store.into_sorted()?;
    let agg = aggregate_sorted(t, &mut sorted, cap, per_day_rows);
    sorted.finish()?;
    Ok(agg)
}

/// Events per batch of the parallel walk (cut at a visitor's end, so a visitor is walked whole by one
/// thread).
const WALK_BATCH: usize = 1 << 15;

/// What walking the events of some visitors gives: the day counters of their visits and the rows their
/// page views touch, keyed by id or by text borrowed from the referrer dictionary. Walks of disjoint
/// visitors add up ([`Walk::add`]), so batches of visitors are walked in parallel.
struct Walk<'t> {
    days: BTreeMap<i64, Day>,
    pages: HashMap<(i64, u64), PageStats>,
    downloads: HashMap<(i64, u64), WalkTally>,
    ref_sites: HashMap<(i64, &'t str), WalkTally>,
    ref_pages: HashMap<(i64, &'t str), WalkTally>,
    engines: HashMap<(i64, &'static str, &'t str), WalkTally>,
    /// Page views and visits per visitor key.
    clients_pv: ClientViews,
    run: RunSets<'t>,
    /// Transitions, paths and goals.
    clicks: ClickWalk<'t>,
    /// The rows are summed over days (keyed by [`SUMMED`] instead of their day).
    summed: bool,
    /// The page views of the visit being walked.
    page_views: Vec<Event>,
    /// The files downloaded in the visit being walked.
    files: Vec<u64>,
}

impl<'t> Walk<'t> {
    fn new(cap: u64, clicks: &'t ClickSetup<'t>, summed: bool) -> Walk<'t> {
        Walk {
            summed,
            clicks: ClickWalk::new(clicks, cap, summed),
            days: BTreeMap::new(),
            pages: HashMap::default(),
            downloads: HashMap::default(),
            ref_sites: HashMap::default(),
            ref_pages: HashMap::default(),
            engines: HashMap::default(),
            clients_pv: ClientViews::default(),
            run: RunSets::new(cap),
            page_views: Vec::new(),
            files: Vec::new(),
        }
    }

    /// Walks `batch` (whole visitors, each visitor's events in time order).
    fn batch(
        &mut self,
        batch: &[Event],
        visitors: &KeyedRows<VisitorDay>,
        referrers: &'t HashMap<u64, Referrer>,
    ) {
        for group in batch.chunk_by(|a, b| a.visitor == b.visitor) {
            let vd = visitors.get(group[0].visitor).copied().unwrap_or_default();
            if vd.robots {
                continue;
            }
            // Outlink clicks do not cut visits: set apart (they are rare), for the clickstream only.
            if group.iter().any(|e| e.kind == EventKind::Outlink) {
                let (outlinks, rest): (Vec<Event>, Vec<Event>) =
                    group.iter().partition(|e| e.kind == EventKind::Outlink);
                if !rest.is_empty() {
                    self.visitor(&rest, &outlinks, vd.sketch, referrers);
                }
            } else {
                self.visitor(group, &[], vd.sketch, referrers);
            }
        }
    }

    /// Walks one visitor's page views and downloads (`group`, in time order): splits them into visits and
    /// counts them. `outlinks` are the visitor's outlink clicks in time order: each belongs to the visit
    /// it follows on the same day within [`VISIT_GAP`] of its last event, if any.
    fn visitor(
        &mut self,
        group: &[Event],
        outlinks: &[Event],
        sketch: u64,
        referrers: &'t HashMap<u64, Referrer>,
    ) {
        let visitor = group[0].visitor;
        let run = &mut self.run;
        let mut start = 0;
        let mut visitor_pv = 0;
        let mut visitor_visits = 0;
        // Buffers of the walk, reused from visitor to visitor.
        let mut pvs = std::mem::take(&mut self.page_views);
        let mut files = std::mem::take(&mut self.files);
        let mut next_outlink = 0;
        while start < group.len() {
            let mut stop = start + 1;
            while stop < group.len()
                && group[stop].time - group[stop - 1].time <= VISIT_GAP
                && time::day_of(group[stop].time) == time::day_of(group[start].time)
            {
                stop += 1;
            }
            let visit = &group[start..stop];
            let next_start = group.get(stop).map_or(i64::MAX, |e| e.time);
            start = stop;
            let day = time::day_of(visit[0].time);
            let rows_day = if self.summed { SUMMED } else { day };
            let (visit_start, visit_end) = (visit[0].time, visit[visit.len() - 1].time);
            while outlinks
                .get(next_outlink)
                .is_some_and(|o| o.time < visit_start)
            {
                next_outlink += 1;
            }
            let first_outlink = next_outlink;
            while outlinks.get(next_outlink).is_some_and(|o| {
                o.time < next_start
                    && o.time - visit_end <= VISIT_GAP
                    && time::day_of(o.time) == day
            }) {
                next_outlink += 1;
            }
            let visit_outlinks = &outlinks[first_outlink..next_outlink];
            let d = self.days.entry(day).or_default();
            pvs.clear();
            pvs.extend(
                visit
                    .iter()
                    .filter(|e| e.kind == EventKind::PageView)
                    .copied(),
            );
            files.clear();
            files.extend(
                (visit.iter())
                    .filter(|e| e.kind == EventKind::Download)
                    .map(|e| e.page),
            );
            files.sort_unstable();
            files.dedup();
            for f in &files {
                if tally(&mut self.downloads, (rows_day, *f), visitor) {
                    run.downloads.insert(*f, sketch);
                }
                d.downloads += 1;
            }
            let (Some(first), Some(last)) = (pvs.first(), pvs.last()) else {
                continue;
            };
            d.visits += 1;
            visitor_visits += 1;
            visitor_pv += pvs.len() as u64;
            d.page_views += pvs.len() as u64;
            let duration = (visit[visit.len() - 1].time - visit[0].time).max(0);
            d.duration_sum += duration as u64;
            if let Some(b) = DURATION_BUCKETS.iter().position(|(up, _)| duration < *up) {
                d.durations[b] += 1;
            }
            let bounce = pvs.len() == 1 && files.is_empty();
            d.bounces += u64::from(bounce);
            for (n, pv) in pvs.iter().enumerate() {
                let p = self.pages.entry((rows_day, pv.page)).or_default();
                p.views += 1;
                if p.visitors.see(visitor) {
                    run.pages.insert(pv.page, sketch);
                }
                if let Some(next) = pvs.get(n + 1) {
                    let top = (next.time - pv.time).max(0) as u64;
                    p.top_sum += top;
                    p.top_measured += 1;
                    d.top_sum += top;
                    d.top_measured += 1;
                }
                d.hour_page_views[time::hour_of(pv.time)] += 1;
            }
            let e = self.pages.entry((rows_day, first.page)).or_default();
            e.entries += 1;
            e.bounces += u64::from(bounce);
            if e.entry_visitors.see(visitor) {
                run.entries.insert(first.page, sketch);
            }
            let x = self.pages.entry((rows_day, last.page)).or_default();
            x.exits += 1;
            if x.exit_visitors.see(visitor) {
                run.exits.insert(last.page, sketch);
            }
            let referrer = referrers.get(&first.referrer);
            self.clicks.visit(&Visit {
                day,
                rows_day,
                visitor: (visitor, sketch),
                events: visit,
                page_views: &pvs,
                outlinks: visit_outlinks,
                site: referrer.map(|r| r.site.as_str()),
                bounce,
            });
            if let Some(r) = referrer {
                if tally(&mut self.ref_sites, (rows_day, r.site.as_str()), visitor) {
                    run.sites.insert(r.site.as_str(), sketch);
                }
                if tally(&mut self.ref_pages, (rows_day, r.page.as_str()), visitor) {
                    run.referrer_pages.insert(r.page.as_str(), sketch);
                }
                if let Some((engine, kw)) = &r.search {
                    if tally(&mut self.engines, (rows_day, *engine, kw.as_str()), visitor) {
                        run.keywords.insert((*engine, kw.as_str()), sketch);
                    }
                }
            }
        }
        self.clients_pv.push(visitor, (visitor_pv, visitor_visits));
        self.page_views = pvs;
        self.files = files;
    }

    /// Adds the walk of other visitors: the clickstream, the rows and the run's sets on the pool's
    /// threads at once (a month's walks hold millions of rows).
    fn add(&mut self, o: Walk<'t>) {
        let Walk {
            days,
            pages,
            downloads,
            ref_sites,
            ref_pages,
            engines,
            clients_pv,
            run,
            clicks,
            ..
        } = self;
        for (day, d) in &o.days {
            days.entry(*day).or_default().add(d);
        }
        let rows = || {
            let mut theirs = o.pages;
            if pages.len() < theirs.len() {
                std::mem::swap(pages, &mut theirs);
            }
            for (k, p) in theirs {
                pages.entry(k).or_default().add(&p);
            }
            add_tallies(downloads, o.downloads);
            add_tallies(ref_sites, o.ref_sites);
            add_tallies(ref_pages, o.ref_pages);
            add_tallies(engines, o.engines);
        };
        let sets = || {
            clients_pv.add(o.clients_pv);
            run.add(o.run);
        };
        rayon::join(|| clicks.add(o.clicks), || rayon::join(rows, sets));
    }
}

/// Rows by visitor key, in key order, looked up through an index of the keys' top bits (keys are keyed
/// hashes, spread evenly): a run has millions of visitor keys, and a sorted vector holds them in their
/// own size where a hash table holds about twice it. Used for the visitor table during the walk
/// ([`KeyedRows::from_map`]) and for each walk's page views and visits per visitor, which a walk meets
/// in key order, so they are pushed in order and the rows of two walks merge.
#[derive(Debug)]
struct KeyedRows<V> {
    /// (visitor key, value), by key (each key once).
    rows: Vec<(u64, V)>,
    /// Where the rows of each value of a key's top [`KeyedRows::TOP_BITS`] bits start, and the end
    /// (empty until [`KeyedRows::index`]).
    starts: Vec<usize>,
}

impl<V> Default for KeyedRows<V> {
    fn default() -> Self {
        KeyedRows {
            rows: Vec::new(),
            starts: Vec::new(),
        }
    }
}

impl<V> KeyedRows<V> {
    /// Key bits the index of [`KeyedRows::get`] looks up first.
    const TOP_BITS: u32 = 16;

    /// The rows of `map`, sorted and indexed (the map is freed as they are taken).
    fn from_map(map: HashMap<u64, V>) -> KeyedRows<V> {
        let mut rows = KeyedRows {
            rows: map.into_iter().collect(),
            starts: Vec::new(),
        };
        rows.index();
        rows
    }

    /// Adds a row (keys come in order; one out of order is put in place by `index`).
    fn push(&mut self, key: u64, value: V) {
        self.rows.push((key, value));
    }

    /// Adds the rows of other visitors (a sorted merge: a key is in one walk only).
    fn add(&mut self, o: KeyedRows<V>) {
        if o.rows.is_empty() {
            return;
        }
        if self.rows.is_empty() {
            self.rows = o.rows;
            return;
        }
        let (a, b) = (std::mem::take(&mut self.rows), o.rows);
        let mut rows = Vec::with_capacity(a.len() + b.len());
        let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
        while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
            let next = if x.0 <= y.0 { a.next() } else { b.next() };
            rows.extend(next);
        }
        rows.extend(a);
        rows.extend(b);
        self.rows = rows;
    }

    /// Sorts the rows if need be and indexes them by the top bits of their keys, for [`KeyedRows::get`].
    fn index(&mut self) {
        if !self.rows.is_sorted_by_key(|r| r.0) {
            self.rows.sort_unstable_by_key(|r| r.0);
        }
        let shift = 64 - Self::TOP_BITS;
        let buckets = 1usize << Self::TOP_BITS;
        self.starts = Vec::with_capacity(buckets + 1);
        let mut at = 0;
        for b in 0..buckets {
            while at < self.rows.len() && ((self.rows[at].0 >> shift) as usize) < b {
                at += 1;
            }
            self.starts.push(at);
        }
        self.starts.push(self.rows.len());
    }

    /// The value of `key`, if it has one; [`KeyedRows::index`] first.
    fn get(&self, key: u64) -> Option<&V> {
        let b = (key >> (64 - Self::TOP_BITS)) as usize;
        let (from, to) = match (self.starts.get(b), self.starts.get(b + 1)) {
            (Some(from), Some(to)) => (*from, *to),
            _ => (0, self.rows.len()),
        };
        let rows = &self.rows[from..to];
        rows.binary_search_by_key(&key, |r| r.0)
            .ok()
            .map(|i| &rows[i].1)
    }

    /// The rows, by key.
    fn iter(&self) -> impl Iterator<Item = (&u64, &V)> {
        self.rows.iter().map(|(k, v)| (k, v))
    }
}

/// Page views and visits per visitor key.
type ClientViews = KeyedRows<(u64, u64)>;

/// Adds tallies of other visitors (the smaller map into the larger, so the larger is not grown).
pub(super) fn add_tallies<K: Hash + Eq>(
    into: &mut HashMap<K, WalkTally>,
    mut from: HashMap<K, WalkTally>,
) {
    if into.len() < from.len() {
        std::mem::swap(into, &mut from);
    }
    for (k, v) in from {
        let t = into.entry(k).or_default();
        t.count += v.count;
        t.visitors.count += v.visitors.count;
    }
}

/// Visitor-table rows per slice summed on the pool after the walk (two in the unit tests, so that their
/// few visitors are summed in many slices too).
const VISITOR_SLICE: usize = if cfg!(test) { 2 } else { 1 << 16 };

/// What a slice of the visitor table gives: its days' visitor counters (robots.txt fetchers, human hits,
/// visitors and their sketch), the rows by user-agent class and by network, the run's sets of networks
/// and places, and each counted visitor-day's sketch hash and day. Slices add up ([`VisitorSums::add`]).
struct VisitorSums {
    days: BTreeMap<i64, Day>,
    by_ua: HashMap<(i64, u64), ClientRow>,
    by_net: HashMap<(i64, u64), ClientRow>,
    seen: Vec<(u64, i64)>,
    networks: CappedMap<u64>,
    places: [CappedMap<String>; 3],
}

impl VisitorSums {
    fn new(cap: u64) -> VisitorSums {
        VisitorSums {
            days: BTreeMap::new(),
            by_ua: HashMap::default(),
            by_net: HashMap::default(),
            seen: Vec::new(),
            networks: CappedMap::new(cap),
            places: std::array::from_fn(|_| CappedMap::new(cap)),
        }
    }

    /// Adds the sums of the slice after this one.
    fn add(&mut self, o: VisitorSums) {
        for (day, d) in &o.days {
            self.days.entry(*day).or_default().add(d);
        }
        for (mine, theirs) in [(&mut self.by_ua, o.by_ua), (&mut self.by_net, o.by_net)] {
            for (k, c) in theirs {
                mine.entry(k).or_default().add(&c);
            }
        }
        self.seen.extend(o.seen);
        self.networks.add(o.networks);
        for (mine, theirs) in self.places.iter_mut().zip(o.places) {
            mine.add(theirs);
        }
    }
}

/// The body of [`aggregate`]: `events` are every event of `t`, sorted. Batches of whole visitors are
/// walked in parallel on the current rayon pool; the sums do not depend on how they are cut.
fn aggregate_sorted(
    mut t: Tables,
    events: impl Iterator<Item = Event>,
    cap: u64,
    per_day_rows: bool,
) -> Aggregate {
    let summed = !per_day_rows;
    let rows_day = |day: i64| if summed { SUMMED } else { day };
    let geo = t.geo.any();
    if geo {
        super::places::network_with_place(&mut t);
    }
    // The visitor table is the largest part of a log of many days: a sorted vector from here on (half the
    // hash table's size), freed as soon as the per-visitor tables are summed.
    let visitor_table = KeyedRows::from_map(std::mem::take(&mut t.visitors));
    let mut events = events.peekable();
    let mut next_batch = || {
        let first = events.next()?;
        let mut batch = Vec::with_capacity(WALK_BATCH);
        batch.push(first);
        while let Some(e) = events.next_if(|e| {
            batch.len() < WALK_BATCH || Some(&e.visitor) == batch.last().map(|l| &l.visitor)
        }) {
            batch.push(e);
        }
        Some(batch)
    };
    let setup = ClickSetup::new(&t, &t.referrers);
    let clicks = &setup;
    let (visitors, referrers) = (&visitor_table, &t.referrers);
    // One walk per other thread of the pool, fed batches through a small queue, and one here that walks
    // a batch itself whenever the queue is full: memory holds one walk per thread and a few batches, and
    // one thread (`--threads 1`) walks everything here.
    let workers = rayon::current_num_threads().saturating_sub(1);
    let (tx, rx) = crossbeam_channel::bounded::<Vec<Event>>(2 * workers.max(1));
    let mut walk = Walk::new(cap, clicks, summed);
    let (done_tx, done_rx) = crossbeam_channel::unbounded();
    rayon::in_place_scope(|scope| {
        for _ in 0..workers {
            let (rx, done_tx) = (rx.clone(), done_tx.clone());
            scope.spawn(move |_| {
                let mut w = Walk::new(cap, clicks, summed);
                for batch in rx {
                    w.batch(&batch, visitors, referrers);
                }
                let _ = done_tx.send(w);
            });
        }
        drop(rx);
        while let Some(batch) = next_batch() {
            if workers == 0 {
                walk.batch(&batch, visitors, referrers);
            } else if let Err(full) = tx.try_send(batch) {
                walk.batch(&full.into_inner(), visitors, referrers);
            }
        }
        drop(tx);
        // The scope ends when every worker has drained the queue (this thread runs any not yet started).
    });
    drop(done_tx);
    let parts: Vec<Walk<'_>> = done_rx.iter().collect();
    for w in parts {
        walk.add(w);
    }
    let Walk {
        days,
        pages,
        downloads,
        ref_sites,
        ref_pages,
        engines,
        mut clients_pv,
        run: walked,
        clicks: click_walk,
        ..
    } = walk;
    // The requests rows and the clickstream are named on another worker, into days of their own, while
    // this one sums the visitors; their rows are moved into `days` after.
    clients_pv.index();
    let visit_days: Vec<i64> = (days.iter())
        .filter(|(_, d)| d.visits > 0)
        .map(|(day, _)| *day)
        .collect();
    let requests = std::mem::take(&mut t.requests);
    let free_rows = [
        std::mem::take(&mut t.not_found),
        std::mem::take(&mut t.site_search),
        std::mem::take(&mut t.outlinks),
        std::mem::take(&mut t.campaigns),
    ];
    let side = || {
        let page_name = |id: &u64| t.pages.get(id).cloned().unwrap_or_default();
        let mut side_days: BTreeMap<i64, Day> = BTreeMap::new();
        let requests = requests.into_days(&mut side_days, &page_name, cap, &rows_day);
        let (click_visitors, prefolded) = click_walk.fill(
            &mut side_days,
            &visit_days,
            &|id| page_name(&id),
            clicks.settings(),
        );
        (side_days, requests, click_visitors, prefolded)
    };
    let main = || {
        let mut days = days;
        let robots: HashSet<u64> = visitor_table
            .iter()
            .filter(|(_, v)| v.robots)
            .map(|(k, _)| *k)
            .collect();
        let mut run = walked;
        let place_keys = super::places::PlaceKeys::new(&t);

        // Per-visitor tables: browsers, OS, devices, networks, visitors; robots.txt fetchers are bots.
        // Slices of the visitor table are summed on the pool (the side's naming steals them when done).
        let sum_slice = |rows: &[(u64, VisitorDay)]| {
            let mut s = VisitorSums::new(cap);
            for (key, vd) in rows {
                let h = t.hits_of(*key, vd);
                let d = s.days.entry(h.day).or_default();
                if vd.robots {
                    d.robots_txt_visitors += 1;
                    d.bot_hits += h.hits;
                    *d.bots
                        .entry("(robots.txt visitor)".to_string())
                        .or_default()
                        .entry(BotReason::RobotsTxt.name().to_string())
                        .or_default() += h.hits;
                    continue;
                }
                d.human_hits += h.hits;
                let network = t.network_ids.hash(vd.network);
                s.networks.insert(network, vd.sketch);
                let counted = u64::from(h.valid_hits > 0);
                d.visitors += counted;
                if counted > 0 {
                    d.sketch.insert_slot(vd.slot());
                    // Every counted visitor-day's sketch hash and day, for the exact distinct visitors
                    // of weeks, months and the run.
                    s.seen.push((vd.sketch, h.day));
                }
                let (pv, visits) = clients_pv.get(*key).copied().unwrap_or((0, 0));
                let c = ClientRow {
                    hits: h.hits,
                    page_views: pv,
                    visitors: counted,
                };
                // Summed by user-agent class and network id first (a hash of a number, not a string
                // compare per visitor): a day has fewer of them than visitors.
                (s.by_ua)
                    .entry((rows_day(h.day), t.ua_ids.hash(vd.ua)))
                    .or_default()
                    .add(&c);
                (s.by_net)
                    .entry((rows_day(h.day), network))
                    .or_default()
                    .add(&c);
                if geo {
                    let row = PlaceRow {
                        hits: c.hits,
                        page_views: c.page_views,
                        visitors: c.visitors,
                        visits,
                    };
                    place_keys.add(&t, (*key, vd.sketch), d, row, &mut s.places);
                }
            }
            s
        };
        let sums = (visitor_table.rows.par_chunks(VISITOR_SLICE))
            .map(sum_slice)
            .reduce_with(|mut a, b| {
                a.add(b);
                a
            })
            .unwrap_or_else(|| VisitorSums::new(cap));
        let VisitorSums {
            days: visitor_days,
            by_ua,
            by_net,
            mut seen,
            networks,
            places,
        } = sums;
        for (day, d) in &visitor_days {
            days.entry(*day).or_default().add(d);
        }
        drop(visitor_days);
        run.networks.add(networks);
        for (mine, theirs) in run.places.iter_mut().zip(places) {
            mine.add(theirs);
        }
        for ((day, net), c) in &by_net {
            let name = t.networks.get(net).map_or("-", String::as_str);
            add_client(&mut days.entry(*day).or_default().networks, name, c);
        }
        for ((day, ua), c) in &by_ua {
            let (b, o, dev) = t
                .uas
                .get(ua)
                .map_or(("Unknown", "Unknown", "unknown"), |u| {
                    (u.browser.as_str(), u.os.as_str(), u.device.as_str())
                });
            let d = days.entry(*day).or_default();
            add_client(&mut d.browsers, b, c);
            add_client(&mut d.os, o, c);
            add_client(&mut d.devices, dev, c);
        }
        let visitor_day = |v: &u64| {
            (visitor_table.get(*v))
                .map(|vd| (rows_day(vd.hits(*v, &t.wide_visitors).day), vd.sketch))
        };
        for (pick, rows) in free_rows.into_iter().enumerate() {
            add_rows(
                &mut days,
                rows,
                &robots,
                &visitor_day,
                pick,
                &mut run.rows[pick],
            );
        }
        // Named now, so the sets (one per row) are freed before the day tables fill.
        let visitors = run_visitors(run, &t);
        // The visitor table is freed before the day tables fill.
        drop(visitor_table);
        drop((robots, clients_pv, by_ua, by_net, place_keys));
        let exact = ExactVisitors::count(&mut seen);
        drop(seen);
        for (day, h) in &t.days {
            let d = days.entry(*day).or_default();
            d.parsed += h.parsed;
            d.opted_out += h.opted_out;
            d.hits += h.hits;
            d.bytes += h.bytes;
            for (a, b) in d.hour_hits.iter_mut().zip(h.hours) {
                *a += b;
            }
        }
        for ((day, code), n) in &t.status {
            *days
                .entry(*day)
                .or_default()
                .status
                .entry(*code)
                .or_default() += n;
        }
        for ((day, name, reason), n) in &t.bots {
            let d = days.entry(*day).or_default();
            d.bot_hits += n;
            *d.bots
                .entry(name.clone())
                .or_default()
                .entry(reason.name().to_string())
                .or_default() += n;
        }
        let page_name = |id: &u64| t.pages.get(id).cloned().unwrap_or_default();
        let page_rows = pages.into_iter().map(|((day, id), p)| {
            let row = PageRow {
                views: p.views,
                visitors: p.visitors.count,
                entries: p.entries,
                entry_visitors: p.entry_visitors.count,
                exits: p.exits,
                exit_visitors: p.exit_visitors.count,
                bounces: p.bounces,
                top_sum: p.top_sum,
                top_measured: p.top_measured,
            };
            (day, page_name(&id), row)
        });
        named::extend_days(&mut days, page_rows, |d| &mut d.pages, |a, b| a.add(&b));
        let download_rows = (downloads.iter())
            .map(|((day, id), v)| {
                let row = DownloadRow {
                    downloads: v.count,
                    visitors: v.visitors.count,
                    ..DownloadRow::default()
                };
                (*day, page_name(id), row)
            })
            .chain(t.download_bytes.iter().map(|((day, id), bytes)| {
                let row = DownloadRow {
                    bytes: *bytes,
                    ..DownloadRow::default()
                };
                (rows_day(*day), page_name(id), row)
            }));
        named::extend_days(
            &mut days,
            download_rows,
            |d| &mut d.downloads_by_path,
            |a, b| a.add(&b),
        );
        let add_tally = |a: &mut Tally, b: Tally| a.add(&b);
        let site_rows =
            (ref_sites.into_iter()).map(|((day, site), v)| (day, site.to_string(), day_tally(&v)));
        named::extend_days(&mut days, site_rows, |d| &mut d.referrer_sites, add_tally);
        let page_rows =
            (ref_pages.into_iter()).map(|((day, page), v)| (day, page.to_string(), day_tally(&v)));
        named::extend_days(&mut days, page_rows, |d| &mut d.referrer_pages, add_tally);
        let mut keywords: BTreeMap<(i64, &str), Vec<(String, Tally)>> = BTreeMap::new();
        for ((day, engine, kw), v) in engines {
            (keywords.entry((day, engine)).or_default()).push((kw.to_string(), day_tally(&v)));
        }
        for ((day, engine), rows) in keywords {
            let engines = &mut days.entry(day).or_default().search_engines;
            named::extend(
                engines.entry(engine.to_string()).or_default(),
                rows,
                add_tally,
            );
        }
        (days, visitors, exact)
    };
    let ((side_days, requests, click_visitors, prefolded), (mut days, mut visitors, exact)) =
        rayon::join(side, main);
    for (day, s) in side_days {
        let d = days.entry(day).or_default();
        d.requests = s.requests;
        d.transitions = s.transitions;
        d.goals = s.goals;
        d.paths = s.paths;
    }
    visitors.requests = requests;
    visitors.transitions = click_visitors.transitions;
    visitors.paths = click_visitors.paths;
    visitors.goals = click_visitors.goals;
    let summed = days.remove(&SUMMED).unwrap_or_default();
    let c = &t.counts;
    let agg = Aggregate {
        undated: super::partial::Undated {
            unparsed: c.unparsed,
            blank: c.blank,
            too_long: c.too_long,
            excluded_before_since: c.excluded_before,
            excluded_after_until: c.excluded_after,
            excluded: c.excluded,
            timed: c.parsed,
            off_the_hour: c.off_the_hour,
            non_http: c.non_http,
        },
        days,
        sketches_compatible: true,
        visitors,
        exact: Some(exact),
        geo: t.geo,
        site_hosts_given: false,
        prefolded,
        summed,
    };
    drop(done_rx);
    drop(setup);
    super::drop_aside(t);
    agg
}

/// The run's distinct visitors per row, named: rows by their text (pages and networks through the
/// dictionaries of `t`), only those seen by two visitors or more (see [`RunVisitors`]).
fn run_visitors(run: RunSets, t: &Tables) -> RunVisitors {
    let page_name = |id: u64| t.pages.get(&id).cloned().unwrap_or_default();
    let net_name = |id: u64| t.networks.get(&id).map_or("-", String::as_str).to_string();
    let [not_found, search_terms, outlinks, campaigns] = run.rows;
    let [countries, regions, asns] = run.places;
    let mut search_engines: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for ((engine, kw), n) in run.keywords.into_counts().filter(|(_, n)| *n > 1) {
        search_engines
            .entry(engine.to_string())
            .or_default()
            .insert(kw.to_string(), n);
    }
    RunVisitors {
        pages: run.pages.counts(page_name),
        entry_pages: run.entries.counts(page_name),
        exit_pages: run.exits.counts(page_name),
        downloads: run.downloads.counts(page_name),
        referrer_sites: run.sites.counts(str::to_string),
        referrer_pages: run.referrer_pages.counts(str::to_string),
        search_engines,
        search_terms: search_terms.counts(|k| k),
        outlinks: outlinks.counts(|k| k),
        not_found: not_found.counts(|k| k),
        campaigns: campaigns.counts(|k| k),
        networks: run.networks.counts(net_name),
        countries: countries.counts(|k| k),
        regions: regions.counts(|k| k),
        asns: asns.counts(|k| k),
        // Filled from the clickstream walk (`super::clicks`).
        transitions: BTreeMap::new(),
        paths: BTreeMap::new(),
        goals: BTreeMap::new(),
        // Filled from the requests rows (`super::requests`).
        requests: BTreeMap::new(),
    }
}

/// Adds `c` into the row of `key`, copying the key only when the row is new.
fn add_client(map: &mut BTreeMap<String, ClientRow>, key: &str, c: &ClientRow) {
    let row = match map.get_mut(key) {
        Some(row) => row,
        None => map.entry(key.to_string()).or_default(),
    };
    row.add(c);
}

/// Adds a free-text [`Rows`] map to the days of its visitors (hits of robots.txt fetchers left out), and
/// its visitors' sketch hashes to `run`. `visitor` gives a visitor key's day and sketch hash.
fn add_rows(
    days: &mut BTreeMap<i64, Day>,
    rows: Rows,
    robots: &HashSet<u64>,
    visitor: &dyn Fn(&u64) -> Option<(i64, u64)>,
    pick: usize,
    run: &mut CappedMap<String>,
) {
    let mut named_rows = Vec::new();
    for (k, r) in rows {
        for (v, n) in &r.visitors {
            if robots.contains(v) {
                continue;
            }
            let Some((day, sketch)) = visitor(v) else {
                continue;
            };
            run.insert_with(k.as_str(), || k.clone(), sketch);
            named_rows.push((day, k.clone(), Tally(*n, 1)));
        }
    }
    named::extend_days(
        days,
        named_rows,
        |d| match pick {
            0 => &mut d.not_found,
            1 => &mut d.search_terms,
            2 => &mut d.outlinks,
            _ => &mut d.campaigns,
        },
        |a, b| a.add(&b),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_counts_each_run_of_one_visitor_once_in_16_bytes() {
        assert_eq!(std::mem::size_of::<Seen>(), 16);
        assert_eq!(std::mem::size_of::<PageStats>(), 96);
        let mut s = Seen::default();
        // Visitor key 0 is a key like any other, counted on first sight.
        assert!(s.see(0));
        assert!(!s.see(0));
        assert!(s.see(5));
        assert!(!s.see(5));
        assert!(s.see(0));
        assert_eq!(s.count, 3);
    }
}
