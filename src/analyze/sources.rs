//! Where each table's rows come from: one function per table of the registry
//! ([`super::catalog::TABLES`]), reading the run's [`Totals`] into named rows ([`super::rows`]).

use std::collections::BTreeMap;

use super::distinct;
use super::partial::{ClientRow, Day, PlaceRow as PartRow, Tally};
use super::render::Totals;
use super::report::Cell;
use super::rows::{
    BotLine, ClientLine, CountLine, DayLine, DownloadLine, EntryLine, ExitLine, GoalLine, HourLine,
    Keyed, Metric, PageLine, PathLine, PeriodLine, PlaceLine, ReportRow, RequestLine, StatusLine,
    estimate_cell, ratio,
};
use super::time;
use super::visits::DURATION_BUCKETS;

/// The key prefix of an unknown place (`--`, then a tab).
const UNKNOWN_KEY: &str = "--\t";

/// One key column.
fn key(k: &str) -> Vec<String> {
    vec![k.to_string()]
}

/// `summary`: the run's metrics, then the rows each table folded.
pub(crate) fn summary(t: &Totals) -> Vec<Keyed<Metric>> {
    let total = &t.total;
    let u = &t.agg.undated;
    let compatible = t.agg.sketches_compatible;
    let filtered: u64 = u.excluded.iter().sum();
    let parsed =
        total.parsed + u.excluded_before_since + u.excluded_after_until + filtered + u.non_http;
    let date = |d: Option<(i64, &Day)>| d.map(|(d, _)| time::labels(d).date).unwrap_or_default();
    let first_day = date(hit_days(t).next());
    let last_day = date(hit_days(t).next_back());
    let mut m: Vec<(&'static str, Cell)> = vec![
        ("lines", (parsed + u.unparsed + u.blank + u.too_long).into()),
        ("parsed", parsed.into()),
        ("unparsed", u.unparsed.into()),
        ("blank", u.blank.into()),
        ("too_long", u.too_long.into()),
        ("non_http", u.non_http.into()),
        ("opted_out", total.opted_out.into()),
        ("excluded_before_since", u.excluded_before_since.into()),
        ("excluded_after_until", u.excluded_after_until.into()),
    ];
    m.extend(
        (crate::filter::Reason::ALL.iter())
            .zip(u.excluded)
            .map(|(r, n)| (r.metric(), Cell::Int(n))),
    );
    m.extend([
        ("hits", total.hits.into()),
        ("bot_hits", total.bot_hits.into()),
        ("human_hits", total.human_hits.into()),
        ("bytes", total.bytes.into()),
        ("page_views", total.page_views.into()),
        ("visits", total.visits.into()),
        ("visitor_days", total.visitors.into()),
        match &t.agg.exact {
            Some(exact) => ("visitors", exact.total.into()),
            None => (
                "visitors_estimated",
                estimate_cell(&total.sketch, compatible),
            ),
        },
        ("robots_txt_visitors", total.robots_txt_visitors.into()),
        ("bounces", total.bounces.into()),
        ("bounce_rate", ratio(total.bounces, total.visits).into()),
        (
            "visit_duration_mean_s",
            ratio(total.duration_sum, total.visits).into(),
        ),
    ]);
    for (n, (_, label)) in total.durations.iter().zip(DURATION_BUCKETS) {
        m.push((label, (*n).into()));
    }
    m.extend([
        (
            "time_on_page_mean_s",
            ratio(total.top_sum, total.top_measured).into(),
        ),
        ("time_on_page_measured", total.top_measured.into()),
        ("downloads", total.downloads.into()),
        ("first_day", first_day.into()),
        ("last_day", last_day.into()),
        ("min_visitors", t.min.into()),
    ]);
    // Human hits the databases could not place (private addresses, misses), with `--geoip` only.
    let unknown = |map: &BTreeMap<String, PartRow>| -> u64 {
        map.iter()
            .filter(|(k, _)| k.starts_with(UNKNOWN_KEY))
            .map(|(_, r)| r.hits)
            .sum()
    };
    if !total.countries.is_empty() {
        m.push((
            "geoip_unknown_country_hits",
            unknown(&total.countries).into(),
        ));
    }
    if !total.asns.is_empty() {
        m.push(("geoip_unknown_asn_hits", unknown(&total.asns).into()));
    }
    if !t.internal_sites.is_empty() {
        // Without --site-host: the referring sites taken as this site (see analyze::internal).
        let sites: Vec<&str> = t.internal_sites.iter().map(String::as_str).collect();
        m.push(("internal_referrer_sites", Cell::Text(sites.join(" "))));
    }
    m.extend(t.folded.iter().map(|(k, n)| (*k, Cell::Int(*n))));
    m.into_iter()
        .map(|(k, value)| Keyed {
            key: key(k),
            row: Metric { value },
            distinct: 0,
        })
        .collect()
}

/// `pages`: paths with page views.
pub(crate) fn pages(t: &Totals) -> Vec<Keyed<PageLine>> {
    let run = &t.agg.visitors.pages;
    (t.total.pages.iter().filter(|(_, p)| p.views > 0))
        .map(|(path, p)| Keyed {
            key: key(path),
            row: PageLine {
                views: p.views,
                visitor_days: p.visitors,
                entries: p.entries,
                exits: p.exits,
                top_sum: p.top_sum,
                top_measured: p.top_measured,
            },
            distinct: distinct::get(run, path),
        })
        .collect()
}

/// `requests`: every path with hits, bots and assets included (a shard's rows of no hit, which only
/// carry its clients, left out).
pub(crate) fn requests(t: &Totals) -> Vec<Keyed<RequestLine>> {
    let run = &t.agg.visitors.requests;
    (t.total.requests.iter().filter(|(_, r)| r.hits > 0))
        .map(|(path, r)| Keyed {
            key: key(path),
            row: RequestLine(*r),
            distinct: distinct::get(run, path),
        })
        .collect()
}

/// `entry_pages`: paths that began visits.
pub(crate) fn entry_pages(t: &Totals) -> Vec<Keyed<EntryLine>> {
    let run = &t.agg.visitors.entry_pages;
    (t.total.pages.iter().filter(|(_, p)| p.entries > 0))
        .map(|(path, p)| Keyed {
            key: key(path),
            row: EntryLine {
                entries: p.entries,
                bounces: p.bounces,
                visitor_days: p.entry_visitors,
            },
            distinct: distinct::get(run, path),
        })
        .collect()
}

/// `exit_pages`: paths that ended visits.
pub(crate) fn exit_pages(t: &Totals) -> Vec<Keyed<ExitLine>> {
    let run = &t.agg.visitors.exit_pages;
    (t.total.pages.iter().filter(|(_, p)| p.exits > 0))
        .map(|(path, p)| Keyed {
            key: key(path),
            row: ExitLine {
                exits: p.exits,
                views: p.views,
                visitor_days: p.exit_visitors,
            },
            distinct: distinct::get(run, path),
        })
        .collect()
}

/// The key columns of a row keyed `a\tb\t…`, padded with empty columns to `cols`.
fn split_key(k: &str, cols: usize) -> Vec<String> {
    let mut key: Vec<String> = k.split('\t').map(str::to_string).collect();
    key.resize(cols, String::new());
    key
}

/// RowSource of a `(count, visitors)` map, the key split on tabs into `key_cols` columns, with their distinct
/// visitors from `run`.
fn counts(
    map: &BTreeMap<String, Tally>,
    key_cols: usize,
    run: &BTreeMap<String, u64>,
) -> Vec<Keyed<CountLine>> {
    map.iter()
        .map(|(k, v)| Keyed {
            key: split_key(k, key_cols),
            row: CountLine {
                count: v.0,
                visitor_days: v.1,
            },
            distinct: distinct::get(run, k),
        })
        .collect()
}

/// `referrer_sites`.
pub(crate) fn referrer_sites(t: &Totals) -> Vec<Keyed<CountLine>> {
    counts(&t.total.referrer_sites, 1, &t.agg.visitors.referrer_sites)
}

/// `referrer_pages`.
pub(crate) fn referrer_pages(t: &Totals) -> Vec<Keyed<CountLine>> {
    counts(&t.total.referrer_pages, 1, &t.agg.visitors.referrer_pages)
}

/// `search_engines`: keyed by engine and keyword, grouped by engine.
pub(crate) fn search_engines(t: &Totals) -> Vec<Keyed<CountLine>> {
    let run = &t.agg.visitors.search_engines;
    let mut rows = Vec::new();
    for (engine, kws) in &t.total.search_engines {
        let seen = run.get(engine);
        rows.extend(kws.iter().map(|(kw, v)| Keyed {
            key: vec![engine.clone(), kw.clone()],
            row: CountLine {
                count: v.0,
                visitor_days: v.1,
            },
            distinct: seen.map_or(1, |s| distinct::get(s, kw)),
        }));
    }
    rows
}

/// `search_terms`.
pub(crate) fn search_terms(t: &Totals) -> Vec<Keyed<CountLine>> {
    counts(&t.total.search_terms, 1, &t.agg.visitors.search_terms)
}

/// `downloads`.
pub(crate) fn downloads(t: &Totals) -> Vec<Keyed<DownloadLine>> {
    let run = &t.agg.visitors.downloads;
    (t.total.downloads_by_path.iter())
        .map(|(path, d)| Keyed {
            key: key(path),
            row: DownloadLine {
                downloads: d.downloads,
                visitor_days: d.visitors,
                bytes: d.bytes,
            },
            distinct: distinct::get(run, path),
        })
        .collect()
}

/// `outlinks`.
pub(crate) fn outlinks(t: &Totals) -> Vec<Keyed<CountLine>> {
    counts(&t.total.outlinks, 1, &t.agg.visitors.outlinks)
}

/// RowSource of a browser, OS or device map: names from the UA parser's closed lists, never folded.
fn clients(map: &BTreeMap<String, ClientRow>) -> Vec<Keyed<ClientLine>> {
    map.iter()
        .map(|(k, c)| Keyed {
            key: key(k),
            row: ClientLine {
                hits: c.hits,
                page_views: c.page_views,
                visitor_days: c.visitors,
            },
            distinct: 0,
        })
        .collect()
}

/// `browsers`.
pub(crate) fn browsers(t: &Totals) -> Vec<Keyed<ClientLine>> {
    clients(&t.total.browsers)
}

/// `os`.
pub(crate) fn os(t: &Totals) -> Vec<Keyed<ClientLine>> {
    clients(&t.total.os)
}

/// `devices`.
pub(crate) fn devices(t: &Totals) -> Vec<Keyed<ClientLine>> {
    clients(&t.total.devices)
}

/// `networks`: hits and visitor-days of reduced client networks, with their country and ASN under
/// `--geoip` (the key is `network\tcountry\tasn`; a partial of a run without it holds the network only).
pub(crate) fn networks(t: &Totals) -> Vec<Keyed<CountLine>> {
    let run = &t.agg.visitors.networks;
    (t.total.networks.iter())
        .map(|(k, c)| Keyed {
            key: split_key(k, 3),
            row: CountLine {
                count: c.hits,
                visitor_days: c.visitors,
            },
            distinct: distinct::get(run, k),
        })
        .collect()
}

/// The rows of a place table (`--geoip`), keyed by `cols` tab-separated columns.
fn places(
    map: &BTreeMap<String, PartRow>,
    cols: usize,
    run: &BTreeMap<String, u64>,
) -> Vec<Keyed<PlaceLine>> {
    map.iter()
        .map(|(k, p)| Keyed {
            key: split_key(k, cols),
            row: PlaceLine {
                hits: p.hits,
                page_views: p.page_views,
                visitor_days: p.visitors,
                visits: p.visits,
            },
            distinct: distinct::get(run, k),
        })
        .collect()
}

/// `countries`: human traffic by country (`--geoip` with a country or City database).
pub(crate) fn countries(t: &Totals) -> Vec<Keyed<PlaceLine>> {
    places(&t.total.countries, 2, &t.agg.visitors.countries)
}

/// `regions`: human traffic by country and first subdivision (`--geoip` with a City database).
pub(crate) fn regions(t: &Totals) -> Vec<Keyed<PlaceLine>> {
    places(&t.total.regions, 3, &t.agg.visitors.regions)
}

/// `asn`: human hits and visitors by autonomous system (`--geoip` with an ASN database).
pub(crate) fn asns(t: &Totals) -> Vec<Keyed<CountLine>> {
    let run = &t.agg.visitors.asns;
    (t.total.asns.iter())
        .map(|(k, p)| Keyed {
            key: split_key(k, 2),
            row: CountLine {
                count: p.hits,
                visitor_days: p.visitors,
            },
            distinct: distinct::get(run, k),
        })
        .collect()
}

/// `hours`: all 24, in order.
pub(crate) fn hours(t: &Totals) -> Vec<Keyed<HourLine>> {
    (0..24)
        .map(|h| Keyed {
            key: vec![format!("{h:02}")],
            row: HourLine {
                hits: t.total.hour_hits[h],
                page_views: t.total.hour_page_views[h],
            },
            distinct: 0,
        })
        .collect()
}

/// The weekdays in ISO order, as `weekday_hours` names them.
pub(crate) const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// `weekday_hours`: hits and page views per weekday and hour of day, all 7 × 24 cells, each day's hours
/// added to its weekday (day 0, 1970-01-01, was a Thursday).
pub(crate) fn weekday_hours(t: &Totals) -> Vec<Keyed<HourLine>> {
    let mut cells = [[HourLine::default(); 24]; 7];
    for (day, d) in hit_days(t) {
        let weekday = (day + 3).rem_euclid(7) as usize;
        for (h, cell) in cells[weekday].iter_mut().enumerate() {
            cell.hits += d.hour_hits[h];
            cell.page_views += d.hour_page_views[h];
        }
    }
    (WEEKDAYS.iter().zip(cells))
        .flat_map(|(name, hours)| {
            hours.into_iter().enumerate().map(|(h, row)| Keyed {
                key: vec![name.to_string(), format!("{h:02}")],
                row,
                distinct: 0,
            })
        })
        .collect()
}

impl DayLine {
    fn of(d: &Day) -> DayLine {
        DayLine {
            hits: d.hits,
            page_views: d.page_views,
            visitors: d.visitors,
            visits: d.visits,
            bytes: d.bytes,
        }
    }
}

/// The days with hits, in order.
fn hit_days<'a>(t: &'a Totals) -> impl DoubleEndedIterator<Item = (i64, &'a Day)> + 'a {
    (t.agg.days.iter())
        .filter(|(_, d)| d.hits > 0)
        .map(|(k, d)| (*k, d))
}

/// `days`: the days with hits, in order.
pub(crate) fn days(t: &Totals) -> Vec<Keyed<DayLine>> {
    hit_days(t)
        .map(|(day, d)| Keyed {
            key: vec![time::labels(day).date],
            row: DayLine::of(d),
            distinct: 0,
        })
        .collect()
}

/// The days with hits summed by the label `period` gives them, in label order, with the distinct visitors
/// `exact` counted for each label in one run (none after a merge: the day sketches estimate them).
fn periods(
    t: &Totals,
    period: fn(time::DayLabels) -> String,
    exact: Option<&BTreeMap<String, u64>>,
) -> Vec<Keyed<PeriodLine>> {
    let mut map: BTreeMap<String, PeriodLine> = BTreeMap::new();
    for (day, d) in hit_days(t) {
        map.entry(period(time::labels(day)))
            .or_default()
            .add(&PeriodLine {
                day: DayLine::of(d),
                sketch: d.sketch.clone(),
                unjoinable: !t.agg.sketches_compatible,
                exact: None,
            });
    }
    map.into_iter()
        .map(|(k, mut row)| {
            row.exact = exact.map(|e| e.get(&k).copied().unwrap_or(0));
            (k, row)
        })
        .map(|(k, row)| Keyed {
            key: vec![k],
            row,
            distinct: 0,
        })
        .collect()
}

/// `weeks`: ISO weeks with hits.
pub(crate) fn weeks(t: &Totals) -> Vec<Keyed<PeriodLine>> {
    periods(t, |l| l.week, t.agg.exact.as_ref().map(|e| &e.weeks))
}

/// `months`: months with hits.
pub(crate) fn months(t: &Totals) -> Vec<Keyed<PeriodLine>> {
    periods(t, |l| l.month, t.agg.exact.as_ref().map(|e| &e.months))
}

/// `status`: by code.
pub(crate) fn status(t: &Totals) -> Vec<Keyed<StatusLine>> {
    (t.total.status.iter())
        .map(|(s, n)| Keyed {
            // Code 0: the line had no status (W3C `sc-status` empty or missing, CloudFront RTMP).
            key: vec![match s {
                0 => "-".to_string(),
                s => s.to_string(),
            }],
            row: StatusLine { hits: *n },
            distinct: 0,
        })
        .collect()
}

/// `not_found`.
pub(crate) fn not_found(t: &Totals) -> Vec<Keyed<CountLine>> {
    counts(&t.total.not_found, 1, &t.agg.visitors.not_found)
}

/// `bots`: keyed by name and reason.
pub(crate) fn bots(t: &Totals) -> Vec<Keyed<BotLine>> {
    (t.total.bots.iter())
        .flat_map(|(name, reasons)| {
            reasons.iter().map(move |(r, n)| Keyed {
                key: vec![name.clone(), r.clone()],
                row: BotLine { hits: *n },
                distinct: 0,
            })
        })
        .collect()
}

/// `campaigns`: keyed by source, medium and campaign.
pub(crate) fn campaigns(t: &Totals) -> Vec<Keyed<CountLine>> {
    counts(&t.total.campaigns, 3, &t.agg.visitors.campaigns)
}

/// `transitions`: keyed by where the move came from and where it went.
pub(crate) fn transitions(t: &Totals) -> Vec<Keyed<CountLine>> {
    counts(&t.total.transitions, 2, &t.agg.visitors.transitions)
}

/// `paths`: the days' paths summed; a day's `(other)` row (paths past `clicks::PATHS_PER_DAY`) always
/// folds, into the one `(other)` row of the table.
pub(crate) fn paths(t: &Totals) -> Vec<Keyed<PathLine>> {
    let run = &t.agg.visitors.paths;
    (t.total.paths.iter())
        .map(|(path, p)| Keyed {
            key: key(path),
            row: PathLine {
                visits: p.visits,
                conversions: p.conversions,
                bounces: p.bounces,
                visitor_days: p.visitors,
            },
            distinct: if path == super::report::OTHER {
                0
            } else {
                distinct::get(run, path)
            },
        })
        .collect()
}

/// `goals`: keyed by goal, what it is counted by and the source; each row's visits are those of its
/// slice: all visits, the visits entering at the page, the visits from the site (or without a
/// referrer).
pub(crate) fn goals(t: &Totals) -> Vec<Keyed<GoalLine>> {
    use super::clicks::{ALL, DIRECT, VIA_ENTRY, VIA_SITE};
    let total = &t.total;
    let referred: u64 = total.referrer_sites.values().map(|v| v.0).sum();
    let run = &t.agg.visitors.goals;
    (total.goals.iter())
        .map(|(k, v)| {
            let key = split_key(k, 3);
            let visits = match (key[1].as_str(), key[2].as_str()) {
                (ALL, _) => total.visits,
                (VIA_ENTRY, page) => total.pages.get(page).map_or(0, |p| p.entries),
                (VIA_SITE, DIRECT) => total.visits.saturating_sub(referred),
                (VIA_SITE, site) => total.referrer_sites.get(site).map_or(0, |s| s.0),
                _ => 0,
            };
            Keyed {
                key,
                row: GoalLine {
                    conversions: v.0,
                    visits,
                    visitor_days: v.1,
                },
                distinct: distinct::get(run, k),
            }
        })
        .collect()
}
