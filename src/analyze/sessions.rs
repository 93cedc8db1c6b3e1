//! Sessionisation and the final tables: [`aggregate`] turns a merged [`Tables`] into per-day tables (an
//! [`Aggregate`], what a partial holds), and [`render`] turns an aggregate, of one run or of merged
//! partials, into a [`Report`]: `report` and `merge` share it.
//!
//! Events are sorted by (visitor, time), so chunk boundaries and out-of-order lines make no difference:
//! any disorder within one run is tolerated. [`aggregate_store`] reads them from an [`EventStore`], which
//! keeps memory bounded by spilling sorted runs to disk. A visit is the page views (and downloads) of one
//! visitor key with gaps of at most [`VISIT_GAP`] seconds; a visit never crosses local midnight (the key
//! changes at midnight anyway).

use std::collections::BTreeMap;
use std::hash::Hash;

use foldhash::{HashMap, HashSet};
use rayon::slice::ParallelSliceMut;

use super::Settings;
use super::classify::BotReason;
use super::distinct::{self, CappedMap, RunVisitors};
use super::partial::{Aggregate, ClientRow, Day, Sketch, Tally as DayTally};
use super::report::{Cell, OTHER, Report, Table};
use super::search::NOT_PROVIDED;
use super::spill::EventStore;
use super::tables::{Event, EventKind, Rows, Tables};
use super::time;

/// Longest gap between two hits of one visit, in seconds (30 minutes).
pub const VISIT_GAP: i64 = 1800;

/// Upper bounds (exclusive, seconds) and labels of the visit-duration buckets (AWStats style).
pub const DURATION_BUCKETS: [(i64, &str); 7] = [
    (30, "visits_0s_30s"),
    (120, "visits_30s_2min"),
    (300, "visits_2min_5min"),
    (900, "visits_5min_15min"),
    (1800, "visits_15min_30min"),
    (3600, "visits_30min_1h"),
    (i64::MAX, "visits_1h_plus"),
];

/// Counts distinct visitors of a row while events are walked visitor by visitor.
#[derive(Debug, Clone, Copy, Default)]
struct Seen {
    last: Option<u64>,
    count: u64,
}

impl Seen {
    /// Counts `visitor` if it is not the last one seen; true when it was counted.
    fn see(&mut self, visitor: u64) -> bool {
        if self.last == Some(visitor) {
            return false;
        }
        self.last = Some(visitor);
        self.count += 1;
        true
    }
}

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

#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    count: u64,
    visitors: Seen,
}

/// Counts one more for `key`; true when `visitor` is new to the row.
fn tally<K: Hash + Eq>(map: &mut HashMap<K, Tally>, key: K, visitor: u64) -> bool {
    let t = map.entry(key).or_default();
    t.count += 1;
    t.visitors.see(visitor)
}

/// The distinct visitors of each row over the whole run ([`super::distinct`]), by row id or text, while
/// the events are walked.
struct RunSets {
    pages: CappedMap<u64>,
    entries: CappedMap<u64>,
    exits: CappedMap<u64>,
    downloads: CappedMap<u64>,
    sites: CappedMap<String>,
    referrer_pages: CappedMap<String>,
    keywords: CappedMap<(&'static str, String)>,
    networks: CappedMap<u64>,
    rows: [CappedMap<String>; 4],
}

impl RunSets {
    fn new(cap: u64) -> RunSets {
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
        }
    }
}

/// A row before folding: its text key(s), its additive numbers, its visitor-days (shown) and its distinct
/// visitors over the run (what `--min-visitors` is compared with).
struct Pending {
    key: Vec<String>,
    nums: Vec<u64>,
    visitors: u64,
    distinct: u64,
}

/// Folds rows with fewer than `min` distinct visitors into one `(other)` row (numbers summed, visitor-days
/// summed: an upper bound), sorts the rest by the first number descending, then key, and puts `(other)` last.
/// Returns the rows and how many were folded.
fn fold(rows: Vec<Pending>, min: u64, key_cols: usize) -> (Vec<Pending>, u64) {
    let mut kept = Vec::new();
    let mut other: Option<Pending> = None;
    let mut folded = 0;
    for r in rows {
        if r.distinct >= min || min <= 1 {
            kept.push(r);
            continue;
        }
        folded += 1;
        let o = other.get_or_insert_with(|| Pending {
            key: vec![OTHER.to_string(); key_cols],
            nums: vec![0; r.nums.len()],
            visitors: 0,
            distinct: 0,
        });
        for (a, b) in o.nums.iter_mut().zip(&r.nums) {
            *a += b;
        }
        o.visitors += r.visitors;
    }
    sort_rows(&mut kept);
    kept.extend(other);
    (kept, folded)
}

fn sort_rows(rows: &mut [Pending]) {
    rows.sort_by(|a, b| b.nums[0].cmp(&a.nums[0]).then_with(|| a.key.cmp(&b.key)));
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn cells(p: &Pending, extra: impl FnOnce(&Pending) -> Vec<Cell>) -> Vec<Cell> {
    let mut c: Vec<Cell> = p.key.iter().map(|k| Cell::Text(k.clone())).collect();
    c.extend(extra(p));
    c
}

/// Builds the report of one run from its merged tables: [`aggregate`], then [`render`].
pub fn finish(t: Tables, settings: &Settings) -> Report {
    render(&aggregate(t, settings.min_visitors), settings.min_visitors)
}

/// A count with the distinct visitors behind it, while events are walked visitor by visitor.
fn day_tally(t: &Tally) -> DayTally {
    DayTally(t.count, t.visitors.count)
}

/// Sessionises the events and splits every count by day: the per-day tables of a run, all of its events
/// in memory. Distinct visitors of each row over the run are counted up to `cap` (the `--min-visitors`
/// to render with, or [`super::distinct::PARTIAL_CAP`] for a partial; see [`super::distinct`]).
pub fn aggregate(mut t: Tables, cap: u64) -> Aggregate {
    let mut events = t.take_events();
    events.par_sort_unstable();
    aggregate_sorted(t, events.into_iter(), cap)
}

/// [`aggregate`] with the events (those of `t` and those already in `store`) read back from an
/// [`EventStore`], which may have spilled them to disk; fails only if a run cannot be written or read
/// back.
pub fn aggregate_store(
    mut t: Tables,
    mut store: EventStore,
    cap: u64,
) -> std::io::Result<Aggregate> {
    store.take_from(&mut t)?;
    let mut sorted = store.into_sorted()?;
    let agg = aggregate_sorted(t, &mut sorted, cap);
    sorted.finish()?;
    Ok(agg)
}

/// The body of [`aggregate`]: `events` are every event of `t`, sorted.
fn aggregate_sorted(mut t: Tables, events: impl Iterator<Item = Event>, cap: u64) -> Aggregate {
    let mut run = RunSets::new(cap);
    let mut days: BTreeMap<i64, Day> = BTreeMap::new();
    let mut pages: HashMap<(i64, u64), PageStats> = HashMap::default();
    let mut downloads: HashMap<(i64, u64), Tally> = HashMap::default();
    let mut ref_sites: HashMap<(i64, String), Tally> = HashMap::default();
    let mut ref_pages: HashMap<(i64, String), Tally> = HashMap::default();
    let mut engines: HashMap<(i64, &'static str, String), Tally> = HashMap::default();
    let mut clients_pv: HashMap<u64, u64> = HashMap::default();

    let robots: HashSet<u64> = t
        .visitors
        .iter()
        .filter(|(_, v)| v.robots)
        .map(|(k, _)| *k)
        .collect();
    let mut events = events.peekable();
    // One visitor's events at a time, in time order.
    let mut group: Vec<Event> = Vec::new();
    while let Some(first) = events.next() {
        let visitor = first.visitor;
        group.clear();
        group.push(first);
        while let Some(e) = events.next_if(|e| e.visitor == visitor) {
            group.push(e);
        }
        let vd = t.visitors.get(&visitor).copied().unwrap_or_default();
        if vd.robots {
            continue;
        }
        let sketch = vd.sketch;
        let mut start = 0;
        let mut visitor_pv = 0;
        while start < group.len() {
            let mut stop = start + 1;
            while stop < group.len()
                && group[stop].time - group[stop - 1].time <= VISIT_GAP
                && time::day_of(group[stop].time) == time::day_of(group[start].time)
            {
                stop += 1;
            }
            let visit = &group[start..stop];
            start = stop;
            let day = time::day_of(visit[0].time);
            let d = days.entry(day).or_default();
            let pvs: Vec<&Event> = visit
                .iter()
                .filter(|e| e.kind == EventKind::PageView)
                .collect();
            let mut files: Vec<u64> = visit
                .iter()
                .filter(|e| e.kind == EventKind::Download)
                .map(|e| e.page)
                .collect();
            files.sort_unstable();
            files.dedup();
            for f in &files {
                if tally(&mut downloads, (day, *f), visitor) {
                    run.downloads.insert(*f, sketch);
                }
                d.downloads += 1;
            }
            let (Some(first), Some(last)) = (pvs.first(), pvs.last()) else {
                continue;
            };
            d.visits += 1;
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
                let p = pages.entry((day, pv.page)).or_default();
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
            let e = pages.entry((day, first.page)).or_default();
            e.entries += 1;
            e.bounces += u64::from(bounce);
            if e.entry_visitors.see(visitor) {
                run.entries.insert(first.page, sketch);
            }
            let x = pages.entry((day, last.page)).or_default();
            x.exits += 1;
            if x.exit_visitors.see(visitor) {
                run.exits.insert(last.page, sketch);
            }
            if let Some(r) = t.referrers.get(&first.referrer) {
                if tally(&mut ref_sites, (day, r.site.clone()), visitor) {
                    run.sites
                        .insert_with(r.site.as_str(), || r.site.clone(), sketch);
                }
                if tally(&mut ref_pages, (day, r.page.clone()), visitor) {
                    run.referrer_pages
                        .insert_with(r.page.as_str(), || r.page.clone(), sketch);
                }
                if let Some((engine, kw)) = &r.search {
                    if tally(&mut engines, (day, *engine, kw.clone()), visitor) {
                        run.keywords.insert((*engine, kw.clone()), sketch);
                    }
                }
            }
        }
        *clients_pv.entry(visitor).or_default() += visitor_pv;
    }

    // Per-visitor tables: browsers, OS, devices, networks, visitors; robots.txt fetchers are bots.
    let robots_bot = "(robots.txt visitor)".to_string();
    let mut by_ua: HashMap<(i64, u64), ClientRow> = HashMap::default();
    for (key, vd) in &t.visitors {
        let d = days.entry(vd.day).or_default();
        if vd.robots {
            d.robots_txt_visitors += 1;
            d.bot_hits += vd.hits;
            *d.bots
                .entry(robots_bot.clone())
                .or_default()
                .entry(BotReason::RobotsTxt.name().to_string())
                .or_default() += vd.hits;
            continue;
        }
        d.human_hits += vd.hits;
        run.networks.insert(vd.network, vd.sketch);
        let counted = u64::from(vd.valid_hits > 0);
        d.visitors += counted;
        if counted > 0 {
            d.sketch.insert(vd.sketch);
        }
        let pv = clients_pv.get(key).copied().unwrap_or(0);
        let c = ClientRow {
            hits: vd.hits,
            page_views: pv,
            visitors: counted,
        };
        // Summed by user-agent class first: a day has far fewer of them than visitors. Networks are
        // about as many as visitors, so they go straight to the day.
        by_ua.entry((vd.day, vd.ua)).or_default().add(&c);
        let net = t.networks.get(&vd.network).map_or("-", String::as_str);
        add_client(&mut d.networks, net, &c);
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
    let visitor_day = |v: &u64| t.visitors.get(v).map(|vd| (vd.day, vd.sketch));
    for (rows, pick) in [
        (std::mem::take(&mut t.not_found), 0),
        (std::mem::take(&mut t.site_search), 1),
        (std::mem::take(&mut t.outlinks), 2),
        (std::mem::take(&mut t.campaigns), 3),
    ] {
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
    // The visitor table is the largest part of a log of many days: freed before the day tables fill.
    drop(std::mem::take(&mut t.visitors));
    drop((robots, clients_pv, by_ua));
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
    for ((day, id), p) in pages {
        let row = days
            .entry(day)
            .or_default()
            .pages
            .entry(page_name(&id))
            .or_default();
        row.views += p.views;
        row.visitors += p.visitors.count;
        row.entries += p.entries;
        row.entry_visitors += p.entry_visitors.count;
        row.exits += p.exits;
        row.exit_visitors += p.exit_visitors.count;
        row.bounces += p.bounces;
        row.top_sum += p.top_sum;
        row.top_measured += p.top_measured;
    }
    for ((day, id), v) in &downloads {
        let row = days
            .entry(*day)
            .or_default()
            .downloads_by_path
            .entry(page_name(id))
            .or_default();
        row.downloads += v.count;
        row.visitors += v.visitors.count;
    }
    for ((day, id), bytes) in &t.download_bytes {
        let row = days
            .entry(*day)
            .or_default()
            .downloads_by_path
            .entry(page_name(id))
            .or_default();
        row.bytes += bytes;
    }
    for ((day, site), v) in ref_sites {
        days.entry(day)
            .or_default()
            .referrer_sites
            .insert(site, day_tally(&v));
    }
    for ((day, page), v) in ref_pages {
        days.entry(day)
            .or_default()
            .referrer_pages
            .insert(page, day_tally(&v));
    }
    for ((day, engine, kw), v) in engines {
        days.entry(day)
            .or_default()
            .search_engines
            .entry(engine.to_string())
            .or_default()
            .insert(kw, day_tally(&v));
    }
    let c = &t.counts;
    Aggregate {
        undated: super::partial::Undated {
            unparsed: c.unparsed,
            blank: c.blank,
            too_long: c.too_long,
            excluded_before_since: c.excluded_before,
            excluded_after_until: c.excluded_after,
        },
        days,
        sketches_compatible: true,
        visitors,
    }
}

/// The run's distinct visitors per row, named: rows by their text (pages and networks through the
/// dictionaries of `t`), only those seen by two visitors or more (see [`RunVisitors`]).
fn run_visitors(run: RunSets, t: &Tables) -> RunVisitors {
    let page_name = |id: u64| t.pages.get(&id).cloned().unwrap_or_default();
    let net_name = |id: u64| t.networks.get(&id).map_or("-", String::as_str).to_string();
    let [not_found, search_terms, outlinks, campaigns] = run.rows;
    let mut search_engines: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for ((engine, kw), n) in run.keywords.into_counts().filter(|(_, n)| *n > 1) {
        search_engines
            .entry(engine.to_string())
            .or_default()
            .insert(kw, n);
    }
    RunVisitors {
        pages: run.pages.counts(page_name),
        entry_pages: run.entries.counts(page_name),
        exit_pages: run.exits.counts(page_name),
        downloads: run.downloads.counts(page_name),
        referrer_sites: run.sites.counts(|k| k),
        referrer_pages: run.referrer_pages.counts(|k| k),
        search_engines,
        search_terms: search_terms.counts(|k| k),
        outlinks: outlinks.counts(|k| k),
        not_found: not_found.counts(|k| k),
        campaigns: campaigns.counts(|k| k),
        networks: run.networks.counts(net_name),
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
    for (k, r) in rows {
        for (v, n) in &r.visitors {
            if robots.contains(v) {
                continue;
            }
            let Some((day, sketch)) = visitor(v) else {
                continue;
            };
            run.insert_with(k.as_str(), || k.clone(), sketch);
            let d = days.entry(day).or_default();
            let map = match pick {
                0 => &mut d.not_found,
                1 => &mut d.search_terms,
                2 => &mut d.outlinks,
                _ => &mut d.campaigns,
            };
            let e = match map.get_mut(k.as_str()) {
                Some(e) => e,
                None => map.entry(k.clone()).or_default(),
            };
            e.0 += n;
            e.1 += 1;
        }
    }
}

/// Rows of a `(count, visitors)` map, the key split on tabs into `key_cols` columns, with their distinct
/// visitors from `distinct`.
fn tally_rows(
    map: &BTreeMap<String, DayTally>,
    key_cols: usize,
    distinct: &BTreeMap<String, u64>,
) -> Vec<Pending> {
    map.iter()
        .map(|(k, v)| {
            let mut key: Vec<String> = k.split('\t').map(str::to_string).collect();
            key.resize(key_cols, String::new());
            Pending {
                key,
                nums: vec![v.0],
                visitors: v.1,
                distinct: distinct::get(distinct, k),
            }
        })
        .collect()
}

/// The rank of a bot reason by name, in the order of [`BotReason`] (ties in `bots.csv` sort by it).
fn reason_rank(name: &str) -> usize {
    [
        BotReason::Crawler,
        BotReason::UrlInUa,
        BotReason::EmptyUa,
        BotReason::Library,
        BotReason::RobotsTxt,
    ]
    .iter()
    .position(|r| r.name() == name)
    .unwrap_or(usize::MAX)
}

/// The distinct-visitor estimate of some days' sketches as a cell: empty when the sketches were made under
/// different keys and cannot be joined.
fn estimate_cell(sketch: &Sketch, compatible: bool) -> Cell {
    if compatible {
        Cell::Int(sketch.estimate())
    } else {
        Cell::Text(String::new())
    }
}

/// Renders per-day tables into the report: sums over days, folds rows seen by fewer than `min_visitors`
/// distinct visitors of the run ([`Aggregate::visitors`]), sorts. Bots are not folded: their names come
/// from closed lists (ours and the UA parser's) or are fixed labels, never free text of a user agent.
pub fn render(agg: &Aggregate, min_visitors: u64) -> Report {
    let min = min_visitors.max(1);
    let run = &agg.visitors;
    let mut total = Day::default();
    for d in agg.days.values() {
        total.add(d);
    }
    let compatible = agg.sketches_compatible;
    let mut summary: Vec<(&'static str, Cell)> = Vec::new();
    let mut folded: Vec<(&'static str, u64)> = Vec::new();
    let mut tables = Vec::new();

    // pages, entry_pages, exit_pages
    let rows: Vec<Pending> = total
        .pages
        .iter()
        .filter(|(_, p)| p.views > 0)
        .map(|(path, p)| Pending {
            key: vec![path.clone()],
            nums: vec![p.views, p.entries, p.exits, p.top_sum, p.top_measured],
            visitors: p.visitors,
            distinct: distinct::get(&run.pages, path),
        })
        .collect();
    let (rows, n) = fold(rows, min, 1);
    folded.push(("folded_pages", n));
    tables.push(Table {
        name: "pages",
        columns: &[
            "path",
            "page_views",
            "visitor_days",
            "entries",
            "exits",
            "exit_rate",
            "time_on_page_mean_s",
            "time_on_page_measured",
        ],
        rows: rows
            .iter()
            .map(|p| {
                cells(p, |p| {
                    vec![
                        p.nums[0].into(),
                        p.visitors.into(),
                        p.nums[1].into(),
                        p.nums[2].into(),
                        ratio(p.nums[2], p.nums[0]).into(),
                        ratio(p.nums[3], p.nums[4]).into(),
                        p.nums[4].into(),
                    ]
                })
            })
            .collect(),
    });
    let rows: Vec<Pending> = total
        .pages
        .iter()
        .filter(|(_, p)| p.entries > 0)
        .map(|(path, p)| Pending {
            key: vec![path.clone()],
            nums: vec![p.entries, p.bounces],
            visitors: p.entry_visitors,
            distinct: distinct::get(&run.entry_pages, path),
        })
        .collect();
    let (rows, n) = fold(rows, min, 1);
    folded.push(("folded_entry_pages", n));
    tables.push(Table {
        name: "entry_pages",
        columns: &["path", "entries", "bounces", "bounce_rate", "visitor_days"],
        rows: rows
            .iter()
            .map(|p| {
                cells(p, |p| {
                    vec![
                        p.nums[0].into(),
                        p.nums[1].into(),
                        ratio(p.nums[1], p.nums[0]).into(),
                        p.visitors.into(),
                    ]
                })
            })
            .collect(),
    });
    let rows: Vec<Pending> = total
        .pages
        .iter()
        .filter(|(_, p)| p.exits > 0)
        .map(|(path, p)| Pending {
            key: vec![path.clone()],
            nums: vec![p.exits, p.views],
            visitors: p.exit_visitors,
            distinct: distinct::get(&run.exit_pages, path),
        })
        .collect();
    let (rows, n) = fold(rows, min, 1);
    folded.push(("folded_exit_pages", n));
    tables.push(Table {
        name: "exit_pages",
        columns: &["path", "exits", "page_views", "exit_rate", "visitor_days"],
        rows: rows
            .iter()
            .map(|p| {
                cells(p, |p| {
                    vec![
                        p.nums[0].into(),
                        p.nums[1].into(),
                        ratio(p.nums[0], p.nums[1]).into(),
                        p.visitors.into(),
                    ]
                })
            })
            .collect(),
    });

    // referrers and search engines
    let count_cells = |p: &Pending| vec![Cell::Int(p.nums[0]), Cell::Int(p.visitors)];
    let (rows, n) = fold(
        tally_rows(&total.referrer_sites, 1, &run.referrer_sites),
        min,
        1,
    );
    folded.push(("folded_referrer_sites", n));
    tables.push(Table {
        name: "referrer_sites",
        columns: &["site", "visits", "visitor_days"],
        rows: rows.iter().map(|p| cells(p, count_cells)).collect(),
    });
    let (rows, n) = fold(
        tally_rows(&total.referrer_pages, 1, &run.referrer_pages),
        min,
        1,
    );
    folded.push(("folded_referrer_pages", n));
    tables.push(Table {
        name: "referrer_pages",
        columns: &["page", "visits", "visitor_days"],
        rows: rows.iter().map(|p| cells(p, count_cells)).collect(),
    });
    // Keywords fold within their engine: the engine name stays.
    let mut engine_rows = Vec::new();
    let mut n_kw = 0;
    let no_keywords = BTreeMap::new();
    for (engine, kws) in &total.search_engines {
        let seen = run.search_engines.get(engine).unwrap_or(&no_keywords);
        // "(not provided)" is no free text: it is never folded.
        let (hidden, rows): (Vec<Pending>, Vec<Pending>) = tally_rows(kws, 1, seen)
            .into_iter()
            .partition(|r| r.key[0] == NOT_PROVIDED);
        let (mut rows, n) = fold(rows, min, 1);
        rows.splice(0..0, hidden);
        n_kw += n;
        for mut r in rows {
            r.key.insert(0, engine.clone());
            engine_rows.push(r);
        }
    }
    engine_rows.sort_by(|a, b| {
        let other = |p: &Pending| p.key[1] == OTHER;
        other(a)
            .cmp(&other(b))
            .then(b.nums[0].cmp(&a.nums[0]))
            .then_with(|| a.key.cmp(&b.key))
    });
    folded.push(("folded_search_keywords", n_kw));
    tables.push(Table {
        name: "search_engines",
        columns: &["engine", "keyword", "visits", "visitor_days"],
        rows: engine_rows.iter().map(|p| cells(p, count_cells)).collect(),
    });
    let (rows, n) = fold(
        tally_rows(&total.search_terms, 1, &run.search_terms),
        min,
        1,
    );
    folded.push(("folded_search_terms", n));
    tables.push(Table {
        name: "search_terms",
        columns: &["term", "searches", "visitor_days"],
        rows: rows.iter().map(|p| cells(p, count_cells)).collect(),
    });

    // downloads
    let rows: Vec<Pending> = total
        .downloads_by_path
        .iter()
        .map(|(path, d)| Pending {
            key: vec![path.clone()],
            nums: vec![d.downloads, d.bytes],
            visitors: d.visitors,
            distinct: distinct::get(&run.downloads, path),
        })
        .collect();
    let (rows, n) = fold(rows, min, 1);
    folded.push(("folded_downloads", n));
    tables.push(Table {
        name: "downloads",
        columns: &["path", "downloads", "visitor_days", "bytes"],
        rows: rows
            .iter()
            .map(|p| {
                cells(p, |p| {
                    vec![p.nums[0].into(), p.visitors.into(), p.nums[1].into()]
                })
            })
            .collect(),
    });
    let (rows, n) = fold(tally_rows(&total.outlinks, 1, &run.outlinks), min, 1);
    folded.push(("folded_outlinks", n));
    tables.push(Table {
        name: "outlinks",
        columns: &["target", "clicks", "visitor_days"],
        rows: rows.iter().map(|p| cells(p, count_cells)).collect(),
    });

    // clients
    for (name, map) in [
        ("browsers", &total.browsers),
        ("os", &total.os),
        ("devices", &total.devices),
    ] {
        let mut rows: Vec<Pending> = map
            .iter()
            .map(|(k, c)| Pending {
                key: vec![k.clone()],
                nums: vec![c.hits, c.page_views, c.visitors],
                visitors: c.visitors,
                // Browser, OS and device names come from the UA parser's closed lists: never folded.
                distinct: 0,
            })
            .collect();
        sort_rows(&mut rows);
        tables.push(Table {
            name,
            columns: match name {
                "browsers" => &["browser", "hits", "page_views", "visitor_days"],
                "os" => &["os", "hits", "page_views", "visitor_days"],
                _ => &["device", "hits", "page_views", "visitor_days"],
            },
            rows: rows
                .iter()
                .map(|p| cells(p, |p| p.nums.iter().map(|n| Cell::Int(*n)).collect()))
                .collect(),
        });
    }
    let rows: Vec<Pending> = total
        .networks
        .iter()
        .map(|(k, c)| Pending {
            key: vec![k.clone()],
            nums: vec![c.hits, c.visitors],
            visitors: c.visitors,
            distinct: distinct::get(&run.networks, k),
        })
        .collect();
    let (rows, n) = fold(rows, min, 1);
    folded.push(("folded_networks", n));
    tables.push(Table {
        name: "networks",
        columns: &["network", "hits", "visitor_days"],
        rows: rows
            .iter()
            .map(|p| cells(p, |p| p.nums.iter().map(|n| Cell::Int(*n)).collect()))
            .collect(),
    });

    // time buckets, in time order
    tables.push(Table {
        name: "hours",
        columns: &["hour", "hits", "page_views"],
        rows: (0..24)
            .map(|h| {
                vec![
                    Cell::Text(format!("{h:02}")),
                    total.hour_hits[h].into(),
                    total.hour_page_views[h].into(),
                ]
            })
            .collect(),
    });
    let mut weeks: BTreeMap<String, Day> = BTreeMap::new();
    let mut months: BTreeMap<String, Day> = BTreeMap::new();
    let mut day_rows = Vec::new();
    let hit_days: Vec<(&i64, &Day)> = agg.days.iter().filter(|(_, d)| d.hits > 0).collect();
    for (d, p) in &hit_days {
        let l = time::labels(**d);
        for (map, k) in [(&mut weeks, l.week.clone()), (&mut months, l.month.clone())] {
            let e = map.entry(k).or_default();
            e.hits += p.hits;
            e.page_views += p.page_views;
            e.visitors += p.visitors;
            e.visits += p.visits;
            e.bytes += p.bytes;
            e.sketch.merge(&p.sketch);
        }
        day_rows.push(vec![
            Cell::Text(l.date),
            p.hits.into(),
            p.page_views.into(),
            p.visitors.into(),
            p.visits.into(),
            p.bytes.into(),
        ]);
    }
    let first_day = hit_days.first().map(|(d, _)| time::labels(**d).date);
    let last_day = hit_days.last().map(|(d, _)| time::labels(**d).date);
    tables.push(Table {
        name: "days",
        columns: &["date", "hits", "page_views", "visitors", "visits", "bytes"],
        rows: day_rows,
    });
    for (name, map) in [("weeks", weeks), ("months", months)] {
        tables.push(Table {
            name,
            columns: if name == "weeks" {
                &[
                    "week",
                    "hits",
                    "page_views",
                    "visitor_days",
                    "visitors_estimated",
                    "visits",
                    "bytes",
                ]
            } else {
                &[
                    "month",
                    "hits",
                    "page_views",
                    "visitor_days",
                    "visitors_estimated",
                    "visits",
                    "bytes",
                ]
            },
            rows: map
                .into_iter()
                .map(|(k, p)| {
                    vec![
                        Cell::Text(k),
                        p.hits.into(),
                        p.page_views.into(),
                        p.visitors.into(),
                        estimate_cell(&p.sketch, compatible),
                        p.visits.into(),
                        p.bytes.into(),
                    ]
                })
                .collect(),
        });
    }
    tables.push(Table {
        name: "status",
        columns: &["status", "hits"],
        rows: total
            .status
            .iter()
            .map(|(s, n)| vec![Cell::Text(s.to_string()), (*n).into()])
            .collect(),
    });
    let (rows, n) = fold(tally_rows(&total.not_found, 1, &run.not_found), min, 1);
    folded.push(("folded_not_found", n));
    tables.push(Table {
        name: "not_found",
        columns: &["path", "hits", "visitor_days"],
        rows: rows.iter().map(|p| cells(p, count_cells)).collect(),
    });
    let mut bot_rows: Vec<(&String, &String, u64)> = total
        .bots
        .iter()
        .flat_map(|(name, reasons)| reasons.iter().map(move |(r, n)| (name, r, *n)))
        .collect();
    bot_rows.sort_by(|a, b| {
        b.2.cmp(&a.2)
            .then_with(|| a.0.cmp(b.0))
            .then_with(|| reason_rank(a.1).cmp(&reason_rank(b.1)))
    });
    tables.push(Table {
        name: "bots",
        columns: &["bot", "reason", "hits"],
        rows: bot_rows
            .into_iter()
            .map(|(name, reason, n)| {
                vec![Cell::Text(name.clone()), reason.as_str().into(), n.into()]
            })
            .collect(),
    });
    let (rows, n) = fold(tally_rows(&total.campaigns, 3, &run.campaigns), min, 3);
    folded.push(("folded_campaigns", n));
    tables.push(Table {
        name: "campaigns",
        columns: &["source", "medium", "campaign", "page_views", "visitor_days"],
        rows: rows.iter().map(|p| cells(p, count_cells)).collect(),
    });

    // summary
    let u = &agg.undated;
    let parsed = total.parsed + u.excluded_before_since + u.excluded_after_until;
    summary.extend([
        ("lines", (parsed + u.unparsed + u.blank + u.too_long).into()),
        ("parsed", parsed.into()),
        ("unparsed", u.unparsed.into()),
        ("blank", u.blank.into()),
        ("too_long", u.too_long.into()),
        ("opted_out", total.opted_out.into()),
        ("excluded_before_since", u.excluded_before_since.into()),
        ("excluded_after_until", u.excluded_after_until.into()),
        ("hits", total.hits.into()),
        ("bot_hits", total.bot_hits.into()),
        ("human_hits", total.human_hits.into()),
        ("bytes", total.bytes.into()),
        ("page_views", total.page_views.into()),
        ("visits", total.visits.into()),
        ("visitor_days", total.visitors.into()),
        (
            "visitors_estimated",
            estimate_cell(&total.sketch, compatible),
        ),
        ("robots_txt_visitors", total.robots_txt_visitors.into()),
        ("bounces", total.bounces.into()),
        ("bounce_rate", ratio(total.bounces, total.visits).into()),
        (
            "visit_duration_mean_s",
            ratio(total.duration_sum, total.visits).into(),
        ),
    ]);
    for (n, (_, label)) in total.durations.iter().zip(DURATION_BUCKETS) {
        summary.push((label, (*n).into()));
    }
    summary.extend([
        (
            "time_on_page_mean_s",
            ratio(total.top_sum, total.top_measured).into(),
        ),
        ("time_on_page_measured", total.top_measured.into()),
        ("downloads", total.downloads.into()),
        ("first_day", first_day.unwrap_or_default().into()),
        ("last_day", last_day.unwrap_or_default().into()),
        ("min_visitors", min.into()),
    ]);
    for (k, n) in folded {
        summary.push((k, n.into()));
    }
    let summary = Table {
        name: "summary",
        columns: &["metric", "value"],
        rows: summary
            .into_iter()
            .map(|(k, v)| vec![Cell::Text(k.to_string()), v])
            .collect(),
    };
    let mut all = vec![summary];
    all.extend(tables);
    Report { tables: all }
}
