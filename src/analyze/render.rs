//! Rendering: [`render`] turns an [`Aggregate`] (per-day tables, of one run or of merged partials) into a
//! [`Report`]: sums over days, folds rare rows into `(other)`, sorts. `report` and `merge` share it.

use std::collections::BTreeMap;

use super::Settings;
use super::classify::BotReason;
use super::distinct;
use super::partial::{Aggregate, Day, Sketch, Tally};
use super::report::{Cell, OTHER, Report, Table};
use super::search::NOT_PROVIDED;
use super::tables::Tables;
use super::time;
use super::visits::{DURATION_BUCKETS, aggregate};

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

/// Rows of a `(count, visitors)` map, the key split on tabs into `key_cols` columns, with their distinct
/// visitors from `distinct`.
fn tally_rows(
    map: &BTreeMap<String, Tally>,
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
