//! Sessionisation and the final tables: turns a merged [`Tables`] into a [`Report`].
//!
//! Events are sorted by (visitor, time), so chunk boundaries and out-of-order lines make no difference:
//! any disorder within one run is tolerated. A visit is the page views (and downloads) of one visitor key
//! with gaps of at most [`VISIT_GAP`] seconds; a visit never crosses local midnight (the key changes at
//! midnight anyway).

use std::collections::BTreeMap;
use std::hash::Hash;

use foldhash::{HashMap, HashSet};

use super::Settings;
use super::classify::BotReason;
use super::report::{Cell, OTHER, Report, Table};
use super::search::NOT_PROVIDED;
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
    fn see(&mut self, visitor: u64) {
        if self.last != Some(visitor) {
            self.last = Some(visitor);
            self.count += 1;
        }
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

#[derive(Debug, Clone, Copy, Default)]
struct Period {
    hits: u64,
    page_views: u64,
    visitors: u64,
    visits: u64,
    bytes: u64,
}

#[derive(Debug, Clone, Copy, Default)]
struct Client {
    hits: u64,
    page_views: u64,
    visitor_days: u64,
}

fn tally<K: Hash + Eq>(map: &mut HashMap<K, Tally>, key: K, visitor: u64) {
    let t = map.entry(key).or_default();
    t.count += 1;
    t.visitors.see(visitor);
}

/// A row before folding: its text key(s), its additive numbers, and its distinct visitors.
struct Pending {
    key: Vec<String>,
    nums: Vec<u64>,
    visitors: u64,
}

/// Folds rows with fewer than `min` visitors into one `(other)` row (numbers summed, visitors summed: an
/// upper bound), sorts the rest by the first number descending, then key, and puts `(other)` last.
/// Returns the rows and how many were folded.
fn fold(rows: Vec<Pending>, min: u64, key_cols: usize) -> (Vec<Pending>, u64) {
    let mut kept = Vec::new();
    let mut other: Option<Pending> = None;
    let mut folded = 0;
    for r in rows {
        if r.visitors >= min {
            kept.push(r);
            continue;
        }
        folded += 1;
        let o = other.get_or_insert_with(|| Pending {
            key: vec![OTHER.to_string(); key_cols],
            nums: vec![0; r.nums.len()],
            visitors: 0,
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

/// Rows from a free-text [`Rows`] map (hits, visitors), key split on tabs into `key_cols` columns. Hits of
/// visitors in `bots` (robots.txt fetchers) are left out.
fn from_rows(rows: Rows, key_cols: usize, bots: &HashSet<u64>) -> Vec<Pending> {
    rows.into_iter()
        .filter_map(|(k, r)| {
            let mut key: Vec<String> = k.split('\t').map(str::to_string).collect();
            key.resize(key_cols, String::new());
            let (mut hits, mut visitors) = (0, 0);
            for (v, n) in &r.visitors {
                if !bots.contains(v) {
                    hits += n;
                    visitors += 1;
                }
            }
            (visitors > 0).then_some(Pending {
                key,
                nums: vec![hits],
                visitors,
            })
        })
        .collect()
}

fn cells(p: &Pending, extra: impl FnOnce(&Pending) -> Vec<Cell>) -> Vec<Cell> {
    let mut c: Vec<Cell> = p.key.iter().map(|k| Cell::Text(k.clone())).collect();
    c.extend(extra(p));
    c
}

/// Builds the report from merged tables.
pub fn finish(mut t: Tables, settings: &Settings) -> Report {
    let min = settings.min_visitors.max(1);
    let mut events = t.take_events();
    events.sort_unstable();
    let mut summary: Vec<(&'static str, Cell)> = Vec::new();
    let mut folded: Vec<(&'static str, u64)> = Vec::new();

    let mut pages: HashMap<u64, PageStats> = HashMap::default();
    let mut downloads: HashMap<u64, Tally> = HashMap::default();
    let mut ref_sites: HashMap<String, Tally> = HashMap::default();
    let mut ref_pages: HashMap<String, Tally> = HashMap::default();
    let mut engines: HashMap<(&'static str, String), Tally> = HashMap::default();
    let mut days: BTreeMap<i64, Period> = BTreeMap::new();
    let mut hours_pv = [0u64; 24];
    let mut clients_pv: HashMap<u64, u64> = HashMap::default();
    let (mut visits, mut bounces, mut page_views, mut duration_sum) = (0u64, 0u64, 0u64, 0u64);
    let mut buckets = [0u64; DURATION_BUCKETS.len()];
    let (mut top_sum, mut top_measured, mut download_count, mut robots_visitors) =
        (0u64, 0u64, 0u64, 0u64);

    let robots: HashSet<u64> = t
        .visitors
        .iter()
        .filter(|(_, v)| v.robots)
        .map(|(k, _)| *k)
        .collect();
    let mut i = 0;
    while i < events.len() {
        let visitor = events[i].visitor;
        let end = i + events[i..]
            .iter()
            .take_while(|e| e.visitor == visitor)
            .count();
        let group = &events[i..end];
        i = end;
        let vd = t.visitors.get(&visitor).copied().unwrap_or_default();
        if vd.robots {
            continue;
        }
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
                tally(&mut downloads, *f, visitor);
                download_count += 1;
            }
            let (Some(first), Some(last)) = (pvs.first(), pvs.last()) else {
                continue;
            };
            visits += 1;
            visitor_pv += pvs.len() as u64;
            page_views += pvs.len() as u64;
            let day = time::day_of(visit[0].time);
            days.entry(day).or_default().visits += 1;
            let duration = (visit[visit.len() - 1].time - visit[0].time).max(0);
            duration_sum += duration as u64;
            if let Some(b) = DURATION_BUCKETS.iter().position(|(up, _)| duration < *up) {
                buckets[b] += 1;
            }
            let bounce = pvs.len() == 1 && files.is_empty();
            bounces += u64::from(bounce);
            for (n, pv) in pvs.iter().enumerate() {
                let p = pages.entry(pv.page).or_default();
                p.views += 1;
                p.visitors.see(visitor);
                if let Some(next) = pvs.get(n + 1) {
                    let top = (next.time - pv.time).max(0) as u64;
                    p.top_sum += top;
                    p.top_measured += 1;
                    top_sum += top;
                    top_measured += 1;
                }
                hours_pv[time::hour_of(pv.time)] += 1;
                days.entry(time::day_of(pv.time)).or_default().page_views += 1;
            }
            let e = pages.entry(first.page).or_default();
            e.entries += 1;
            e.bounces += u64::from(bounce);
            e.entry_visitors.see(visitor);
            let x = pages.entry(last.page).or_default();
            x.exits += 1;
            x.exit_visitors.see(visitor);
            if let Some(r) = t.referrers.get(&first.referrer) {
                tally(&mut ref_sites, r.site.clone(), visitor);
                tally(&mut ref_pages, r.page.clone(), visitor);
                if let Some((engine, kw)) = &r.search {
                    tally(&mut engines, (*engine, kw.clone()), visitor);
                }
            }
        }
        *clients_pv.entry(visitor).or_default() += visitor_pv;
    }

    // Per-visitor tables: browsers, OS, devices, networks, visitors per day; robots.txt fetchers are bots.
    let mut browsers: HashMap<&str, Client> = HashMap::default();
    let mut oses: HashMap<&str, Client> = HashMap::default();
    let mut devices: HashMap<&str, Client> = HashMap::default();
    let mut networks: HashMap<&str, Client> = HashMap::default();
    let mut bots = t.bots.clone();
    let mut robots_hits = 0;
    let mut human_hits = 0;
    let mut visitor_days = 0;
    for (key, vd) in &t.visitors {
        if vd.robots {
            robots_visitors += 1;
            robots_hits += vd.hits;
            continue;
        }
        human_hits += vd.hits;
        let counted = u64::from(vd.valid_hits > 0);
        visitor_days += counted;
        days.entry(vd.day).or_default().visitors += counted;
        let pv = clients_pv.get(key).copied().unwrap_or(0);
        let class = t.uas.get(&vd.ua);
        let (b, o, d) = class.map_or(("Unknown", "Unknown", "unknown"), |c| {
            (c.browser.as_str(), c.os.as_str(), c.device.as_str())
        });
        let net = t.networks.get(&vd.network).map_or("-", String::as_str);
        for (map, k) in [
            (&mut browsers, b),
            (&mut oses, o),
            (&mut devices, d),
            (&mut networks, net),
        ] {
            let c = map.entry(k).or_default();
            c.hits += vd.hits;
            c.page_views += pv;
            c.visitor_days += counted;
        }
    }
    if robots_visitors > 0 {
        *bots
            .entry(("(robots.txt visitor)".to_string(), BotReason::RobotsTxt))
            .or_default() += robots_hits;
    }
    for (d, h) in &t.days {
        let p = days.entry(*d).or_default();
        p.hits += h.hits;
        p.bytes += h.bytes;
    }

    let mut tables = Vec::new();

    // pages, entry_pages, exit_pages
    let page_name = |id: &u64| t.pages.get(id).cloned().unwrap_or_default();
    let rows: Vec<Pending> = pages
        .iter()
        .filter(|(_, p)| p.views > 0)
        .map(|(id, p)| Pending {
            key: vec![page_name(id)],
            nums: vec![p.views, p.entries, p.exits, p.top_sum, p.top_measured],
            visitors: p.visitors.count,
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
    let rows: Vec<Pending> = pages
        .iter()
        .filter(|(_, p)| p.entries > 0)
        .map(|(id, p)| Pending {
            key: vec![page_name(id)],
            nums: vec![p.entries, p.bounces],
            visitors: p.entry_visitors.count,
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
    let rows: Vec<Pending> = pages
        .iter()
        .filter(|(_, p)| p.exits > 0)
        .map(|(id, p)| Pending {
            key: vec![page_name(id)],
            nums: vec![p.exits, p.views],
            visitors: p.exit_visitors.count,
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
    let tallies = |m: HashMap<String, Tally>| -> Vec<Pending> {
        m.into_iter()
            .map(|(k, v)| Pending {
                key: vec![k],
                nums: vec![v.count],
                visitors: v.visitors.count,
            })
            .collect()
    };
    let count_cells = |p: &Pending| vec![Cell::Int(p.nums[0]), Cell::Int(p.visitors)];
    let mut rows = tallies(ref_sites);
    sort_rows(&mut rows);
    tables.push(Table {
        name: "referrer_sites",
        columns: &["site", "visits", "visitor_days"],
        rows: rows.iter().map(|p| cells(p, count_cells)).collect(),
    });
    let (rows, n) = fold(tallies(ref_pages), min, 1);
    folded.push(("folded_referrer_pages", n));
    tables.push(Table {
        name: "referrer_pages",
        columns: &["page", "visits", "visitor_days"],
        rows: rows.iter().map(|p| cells(p, count_cells)).collect(),
    });
    // Keywords fold within their engine: the engine name stays.
    let mut by_engine: BTreeMap<&str, Vec<Pending>> = BTreeMap::new();
    for ((engine, kw), v) in engines {
        by_engine.entry(engine).or_default().push(Pending {
            key: vec![kw],
            nums: vec![v.count],
            visitors: v.visitors.count,
        });
    }
    let mut engine_rows = Vec::new();
    let mut n_kw = 0;
    for (engine, rows) in by_engine {
        // "(not provided)" is no free text: it is never folded.
        let (hidden, rows): (Vec<Pending>, Vec<Pending>) =
            rows.into_iter().partition(|r| r.key[0] == NOT_PROVIDED);
        let (mut rows, n) = fold(rows, min, 1);
        rows.splice(0..0, hidden);
        n_kw += n;
        for mut r in rows {
            r.key.insert(0, engine.to_string());
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
        from_rows(std::mem::take(&mut t.site_search), 1, &robots),
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
    let mut dl_rows: HashMap<u64, Pending> = HashMap::default();
    for (id, v) in &downloads {
        dl_rows.insert(
            *id,
            Pending {
                key: vec![page_name(id)],
                nums: vec![v.count, 0],
                visitors: v.visitors.count,
            },
        );
    }
    for (id, bytes) in &t.download_bytes {
        let r = dl_rows.entry(*id).or_insert_with(|| Pending {
            key: vec![page_name(id)],
            nums: vec![0, 0],
            visitors: 0,
        });
        r.nums[1] += bytes;
    }
    let (rows, n) = fold(dl_rows.into_values().collect(), min, 1);
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
    let (rows, n) = fold(
        from_rows(std::mem::take(&mut t.outlinks), 1, &robots),
        min,
        1,
    );
    folded.push(("folded_outlinks", n));
    tables.push(Table {
        name: "outlinks",
        columns: &["target", "clicks", "visitor_days"],
        rows: rows.iter().map(|p| cells(p, count_cells)).collect(),
    });

    // clients
    for (name, col, map) in [
        ("browsers", "browser", browsers),
        ("os", "os", oses),
        ("devices", "device", devices),
    ] {
        let mut rows: Vec<Pending> = map
            .into_iter()
            .map(|(k, c)| Pending {
                key: vec![k.to_string()],
                nums: vec![c.hits, c.page_views, c.visitor_days],
                visitors: c.visitor_days,
            })
            .collect();
        sort_rows(&mut rows);
        let columns: &'static [&'static str] = match col {
            "browser" => &["browser", "hits", "page_views", "visitor_days"],
            "os" => &["os", "hits", "page_views", "visitor_days"],
            _ => &["device", "hits", "page_views", "visitor_days"],
        };
        tables.push(Table {
            name,
            columns,
            rows: rows
                .iter()
                .map(|p| cells(p, |p| p.nums.iter().map(|n| Cell::Int(*n)).collect()))
                .collect(),
        });
    }
    let mut rows: Vec<Pending> = networks
        .into_iter()
        .map(|(k, c)| Pending {
            key: vec![k.to_string()],
            nums: vec![c.hits, c.visitor_days],
            visitors: c.visitor_days,
        })
        .collect();
    sort_rows(&mut rows);
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
                    t.hours[h].into(),
                    hours_pv[h].into(),
                ]
            })
            .collect(),
    });
    let mut weeks: BTreeMap<String, Period> = BTreeMap::new();
    let mut months: BTreeMap<String, Period> = BTreeMap::new();
    let mut day_rows = Vec::new();
    for (d, p) in &days {
        let l = time::labels(*d);
        for (map, k) in [(&mut weeks, l.week.clone()), (&mut months, l.month.clone())] {
            let e = map.entry(k).or_default();
            e.hits += p.hits;
            e.page_views += p.page_views;
            e.visitors += p.visitors;
            e.visits += p.visits;
            e.bytes += p.bytes;
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
    let first_day = days.keys().next().map(|d| time::labels(*d).date);
    let last_day = days.keys().next_back().map(|d| time::labels(*d).date);
    tables.push(Table {
        name: "days",
        columns: &["date", "hits", "page_views", "visitors", "visits", "bytes"],
        rows: day_rows,
    });
    for (name, col, map) in [("weeks", "week", weeks), ("months", "month", months)] {
        let columns: &'static [&'static str] = if col == "week" {
            &[
                "week",
                "hits",
                "page_views",
                "visitor_days",
                "visits",
                "bytes",
            ]
        } else {
            &[
                "month",
                "hits",
                "page_views",
                "visitor_days",
                "visits",
                "bytes",
            ]
        };
        tables.push(Table {
            name,
            columns,
            rows: map
                .into_iter()
                .map(|(k, p)| {
                    vec![
                        Cell::Text(k),
                        p.hits.into(),
                        p.page_views.into(),
                        p.visitors.into(),
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
        rows: t
            .status
            .iter()
            .map(|(s, n)| vec![Cell::Text(s.to_string()), (*n).into()])
            .collect(),
    });
    let (rows, n) = fold(
        from_rows(std::mem::take(&mut t.not_found), 1, &robots),
        min,
        1,
    );
    folded.push(("folded_not_found", n));
    tables.push(Table {
        name: "not_found",
        columns: &["path", "hits", "visitor_days"],
        rows: rows.iter().map(|p| cells(p, count_cells)).collect(),
    });
    let mut bot_rows: Vec<(&(String, BotReason), &u64)> = bots.iter().collect();
    bot_rows.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    tables.push(Table {
        name: "bots",
        columns: &["bot", "reason", "hits"],
        rows: bot_rows
            .into_iter()
            .map(|((name, reason), n)| {
                vec![Cell::Text(name.clone()), reason.name().into(), (*n).into()]
            })
            .collect(),
    });
    let (rows, n) = fold(
        from_rows(std::mem::take(&mut t.campaigns), 3, &robots),
        min,
        3,
    );
    folded.push(("folded_campaigns", n));
    tables.push(Table {
        name: "campaigns",
        columns: &["source", "medium", "campaign", "page_views", "visitor_days"],
        rows: rows.iter().map(|p| cells(p, count_cells)).collect(),
    });

    // summary
    let c = &t.counts;
    summary.extend([
        ("lines", c.lines.into()),
        ("parsed", c.parsed.into()),
        ("unparsed", c.unparsed.into()),
        ("blank", c.blank.into()),
        ("opted_out", c.opted_out.into()),
        ("excluded_before_since", c.excluded_before.into()),
        ("excluded_after_until", c.excluded_after.into()),
        ("hits", c.hits.into()),
        ("bot_hits", (c.bot_hits + robots_hits).into()),
        ("human_hits", human_hits.into()),
        ("bytes", c.bytes.into()),
        ("page_views", page_views.into()),
        ("visits", visits.into()),
        ("visitor_days", visitor_days.into()),
        ("robots_txt_visitors", robots_visitors.into()),
        ("bounces", bounces.into()),
        ("bounce_rate", ratio(bounces, visits).into()),
        ("visit_duration_mean_s", ratio(duration_sum, visits).into()),
    ]);
    for (n, (_, label)) in buckets.iter().zip(DURATION_BUCKETS) {
        summary.push((label, (*n).into()));
    }
    summary.extend([
        ("time_on_page_mean_s", ratio(top_sum, top_measured).into()),
        ("time_on_page_measured", top_measured.into()),
        ("downloads", download_count.into()),
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
