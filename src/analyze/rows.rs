//! The rows of the report's tables: one struct per kind of row, each turned into cells in one place
//! ([`ReportRow::cells`]), and one function per table reading its rows from the run's [`Totals`]. The
//! registry ([`super::catalog::TABLES`]) says which row type and function make which table.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::classify::BotReason;
use super::distinct;
use super::partial::{ClientRow, Day, Sketch, Tally};
use super::render::Totals;
use super::report::Cell;
use super::time;
use super::visits::DURATION_BUCKETS;

/// The row type of a table, with the function reading its rows (see [`super::catalog::TableSpec`]).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Rows {
    /// `metric, value`.
    Metrics(fn(&Totals) -> Vec<Keyed<Metric>>),
    /// A page's views, entries, exits and time on page.
    Pages(fn(&Totals) -> Vec<Keyed<PageLine>>),
    /// A page's entries and bounces.
    Entries(fn(&Totals) -> Vec<Keyed<EntryLine>>),
    /// A page's exits against its views.
    Exits(fn(&Totals) -> Vec<Keyed<ExitLine>>),
    /// A count and its visitor-days.
    Counts(fn(&Totals) -> Vec<Keyed<CountLine>>),
    /// A file's downloads and bytes.
    Downloads(fn(&Totals) -> Vec<Keyed<DownloadLine>>),
    /// Hits, page views and visitor-days of a browser, OS or device.
    Clients(fn(&Totals) -> Vec<Keyed<ClientLine>>),
    /// Hits and page views of an hour of the day.
    Hours(fn(&Totals) -> Vec<Keyed<HourLine>>),
    /// One day's numbers.
    Days(fn(&Totals) -> Vec<Keyed<DayLine>>),
    /// A week's or month's numbers.
    Periods(fn(&Totals) -> Vec<Keyed<PeriodLine>>),
    /// Hits of a status code.
    Statuses(fn(&Totals) -> Vec<Keyed<StatusLine>>),
    /// Hits of a bot for a reason.
    Bots(fn(&Totals) -> Vec<Keyed<BotLine>>),
}

/// A row before folding: its key columns (text), its numbers, and its distinct visitors over the run
/// (what `--min-visitors` is compared with; 0 for tables that never fold).
#[derive(Debug, Clone)]
pub(crate) struct Keyed<R> {
    /// The key columns.
    pub(crate) key: Vec<String>,
    /// The numbers.
    pub(crate) row: R,
    /// Distinct visitors of the run.
    pub(crate) distinct: u64,
}

impl<R: ReportRow> Keyed<R> {
    /// The row's cells: the key columns, then the numbers.
    pub(crate) fn into_cells(self, columns: usize) -> Vec<Cell> {
        let mut cells = Vec::with_capacity(columns);
        cells.extend(self.key.into_iter().map(Cell::Text));
        self.row.cells(&mut cells);
        debug_assert_eq!(cells.len(), columns);
        cells
    }
}

/// The numbers of one kind of row.
pub(crate) trait ReportRow: Default {
    /// The number rows sort by (descending) and the one `(other)` sums first.
    fn rank(&self) -> u64;
    /// Adds `o` (rows folding into `(other)`, days summing into a week).
    fn add(&mut self, o: &Self);
    /// Pushes the cells after the key columns, in the table's column order.
    fn cells(&self, out: &mut Vec<Cell>);
    /// The order of two rows of equal rank: by key, unless the table says otherwise.
    fn tie(a: &Keyed<Self>, b: &Keyed<Self>) -> Ordering {
        a.key.cmp(&b.key)
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
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

/// A row of `summary`: one metric's value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Metric {
    value: Cell,
}

impl Default for Metric {
    fn default() -> Metric {
        Metric {
            value: Cell::Int(0),
        }
    }
}

impl ReportRow for Metric {
    fn rank(&self) -> u64 {
        0
    }
    /// Metrics never fold ([`super::catalog::Fold::NeverInOrder`]): nothing to add.
    fn add(&mut self, _: &Metric) {}
    fn cells(&self, out: &mut Vec<Cell>) {
        out.push(self.value.clone());
    }
}

/// A row of `pages`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PageLine {
    views: u64,
    visitor_days: u64,
    entries: u64,
    exits: u64,
    top_sum: u64,
    top_measured: u64,
}

impl ReportRow for PageLine {
    fn rank(&self) -> u64 {
        self.views
    }
    fn add(&mut self, o: &PageLine) {
        self.views += o.views;
        self.visitor_days += o.visitor_days;
        self.entries += o.entries;
        self.exits += o.exits;
        self.top_sum += o.top_sum;
        self.top_measured += o.top_measured;
    }
    fn cells(&self, out: &mut Vec<Cell>) {
        out.extend([
            self.views.into(),
            self.visitor_days.into(),
            self.entries.into(),
            self.exits.into(),
            ratio(self.exits, self.views).into(),
            ratio(self.top_sum, self.top_measured).into(),
            self.top_measured.into(),
        ]);
    }
}

/// A row of `entry_pages`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct EntryLine {
    entries: u64,
    bounces: u64,
    visitor_days: u64,
}

impl ReportRow for EntryLine {
    fn rank(&self) -> u64 {
        self.entries
    }
    fn add(&mut self, o: &EntryLine) {
        self.entries += o.entries;
        self.bounces += o.bounces;
        self.visitor_days += o.visitor_days;
    }
    fn cells(&self, out: &mut Vec<Cell>) {
        out.extend([
            self.entries.into(),
            self.bounces.into(),
            ratio(self.bounces, self.entries).into(),
            self.visitor_days.into(),
        ]);
    }
}

/// A row of `exit_pages`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ExitLine {
    exits: u64,
    views: u64,
    visitor_days: u64,
}

impl ReportRow for ExitLine {
    fn rank(&self) -> u64 {
        self.exits
    }
    fn add(&mut self, o: &ExitLine) {
        self.exits += o.exits;
        self.views += o.views;
        self.visitor_days += o.visitor_days;
    }
    fn cells(&self, out: &mut Vec<Cell>) {
        out.extend([
            self.exits.into(),
            self.views.into(),
            ratio(self.exits, self.views).into(),
            self.visitor_days.into(),
        ]);
    }
}

/// A row of a table of one count and its visitor-days: referrers, search engines and terms, outlinks,
/// networks (hits), 404s, campaigns.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CountLine {
    count: u64,
    visitor_days: u64,
}

impl ReportRow for CountLine {
    fn rank(&self) -> u64 {
        self.count
    }
    fn add(&mut self, o: &CountLine) {
        self.count += o.count;
        self.visitor_days += o.visitor_days;
    }
    fn cells(&self, out: &mut Vec<Cell>) {
        out.extend([self.count.into(), self.visitor_days.into()]);
    }
}

/// A row of `downloads`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DownloadLine {
    downloads: u64,
    visitor_days: u64,
    bytes: u64,
}

impl ReportRow for DownloadLine {
    fn rank(&self) -> u64 {
        self.downloads
    }
    fn add(&mut self, o: &DownloadLine) {
        self.downloads += o.downloads;
        self.visitor_days += o.visitor_days;
        self.bytes += o.bytes;
    }
    fn cells(&self, out: &mut Vec<Cell>) {
        out.extend([
            self.downloads.into(),
            self.visitor_days.into(),
            self.bytes.into(),
        ]);
    }
}

/// A row of `browsers`, `os` or `devices`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ClientLine {
    hits: u64,
    page_views: u64,
    visitor_days: u64,
}

impl ReportRow for ClientLine {
    fn rank(&self) -> u64 {
        self.hits
    }
    fn add(&mut self, o: &ClientLine) {
        self.hits += o.hits;
        self.page_views += o.page_views;
        self.visitor_days += o.visitor_days;
    }
    fn cells(&self, out: &mut Vec<Cell>) {
        out.extend([
            self.hits.into(),
            self.page_views.into(),
            self.visitor_days.into(),
        ]);
    }
}

/// A row of `hours`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct HourLine {
    hits: u64,
    page_views: u64,
}

impl ReportRow for HourLine {
    fn rank(&self) -> u64 {
        self.hits
    }
    fn add(&mut self, o: &HourLine) {
        self.hits += o.hits;
        self.page_views += o.page_views;
    }
    fn cells(&self, out: &mut Vec<Cell>) {
        out.extend([self.hits.into(), self.page_views.into()]);
    }
}

/// A row of `days`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DayLine {
    hits: u64,
    page_views: u64,
    visitors: u64,
    visits: u64,
    bytes: u64,
}

impl ReportRow for DayLine {
    fn rank(&self) -> u64 {
        self.hits
    }
    fn add(&mut self, o: &DayLine) {
        self.hits += o.hits;
        self.page_views += o.page_views;
        self.visitors += o.visitors;
        self.visits += o.visits;
        self.bytes += o.bytes;
    }
    fn cells(&self, out: &mut Vec<Cell>) {
        out.extend([
            self.hits.into(),
            self.page_views.into(),
            self.visitors.into(),
            self.visits.into(),
            self.bytes.into(),
        ]);
    }
}

/// A row of `weeks` or `months`: days summed, their visitors estimated from the day sketches.
#[derive(Debug, Clone, Default)]
pub(crate) struct PeriodLine {
    day: DayLine,
    sketch: Sketch,
    /// Some days' sketches were made under different keys: no estimate.
    unjoinable: bool,
}

impl ReportRow for PeriodLine {
    fn rank(&self) -> u64 {
        self.day.hits
    }
    fn add(&mut self, o: &PeriodLine) {
        self.day.add(&o.day);
        self.sketch.merge(&o.sketch);
        self.unjoinable |= o.unjoinable;
    }
    fn cells(&self, out: &mut Vec<Cell>) {
        let d = &self.day;
        out.extend([
            d.hits.into(),
            d.page_views.into(),
            d.visitors.into(),
            estimate_cell(&self.sketch, !self.unjoinable),
            d.visits.into(),
            d.bytes.into(),
        ]);
    }
}

/// A row of `status`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct StatusLine {
    hits: u64,
}

impl ReportRow for StatusLine {
    fn rank(&self) -> u64 {
        self.hits
    }
    fn add(&mut self, o: &StatusLine) {
        self.hits += o.hits;
    }
    fn cells(&self, out: &mut Vec<Cell>) {
        out.push(self.hits.into());
    }
}

/// A row of `bots`: keyed by name and reason; ties sort by name, then by reason in the order of
/// [`BotReason`].
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct BotLine {
    hits: u64,
}

impl ReportRow for BotLine {
    fn rank(&self) -> u64 {
        self.hits
    }
    fn add(&mut self, o: &BotLine) {
        self.hits += o.hits;
    }
    fn cells(&self, out: &mut Vec<Cell>) {
        out.push(self.hits.into());
    }
    fn tie(a: &Keyed<BotLine>, b: &Keyed<BotLine>) -> Ordering {
        a.key[0]
            .cmp(&b.key[0])
            .then_with(|| reason_rank(&a.key[1]).cmp(&reason_rank(&b.key[1])))
    }
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

/// One key column.
fn key(k: &str) -> Vec<String> {
    vec![k.to_string()]
}

/// `summary`: the run's metrics, then the rows each table folded.
pub(crate) fn summary(t: &Totals) -> Vec<Keyed<Metric>> {
    let total = &t.total;
    let u = &t.agg.undated;
    let compatible = t.agg.sketches_compatible;
    let parsed = total.parsed + u.excluded_before_since + u.excluded_after_until;
    let date = |d: Option<(i64, &Day)>| d.map(|(d, _)| time::labels(d).date).unwrap_or_default();
    let first_day = date(hit_days(t).next());
    let last_day = date(hit_days(t).next_back());
    let mut m: Vec<(&'static str, Cell)> = vec![
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
    ];
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

/// Rows of a `(count, visitors)` map, the key split on tabs into `key_cols` columns, with their distinct
/// visitors from `run`.
fn counts(
    map: &BTreeMap<String, Tally>,
    key_cols: usize,
    run: &BTreeMap<String, u64>,
) -> Vec<Keyed<CountLine>> {
    map.iter()
        .map(|(k, v)| {
            let mut key: Vec<String> = k.split('\t').map(str::to_string).collect();
            key.resize(key_cols, String::new());
            Keyed {
                key,
                row: CountLine {
                    count: v.0,
                    visitor_days: v.1,
                },
                distinct: distinct::get(run, k),
            }
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

/// Rows of a browser, OS or device map: names from the UA parser's closed lists, never folded.
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

/// `networks`: hits and visitor-days of reduced client networks.
pub(crate) fn networks(t: &Totals) -> Vec<Keyed<CountLine>> {
    let run = &t.agg.visitors.networks;
    (t.total.networks.iter())
        .map(|(k, c)| Keyed {
            key: key(k),
            row: CountLine {
                count: c.hits,
                visitor_days: c.visitors,
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

/// The days with hits summed by the label `period` gives them, in label order.
fn periods(t: &Totals, period: fn(time::DayLabels) -> String) -> Vec<Keyed<PeriodLine>> {
    let mut map: BTreeMap<String, PeriodLine> = BTreeMap::new();
    for (day, d) in hit_days(t) {
        map.entry(period(time::labels(day)))
            .or_default()
            .add(&PeriodLine {
                day: DayLine::of(d),
                sketch: d.sketch.clone(),
                unjoinable: !t.agg.sketches_compatible,
            });
    }
    map.into_iter()
        .map(|(k, row)| Keyed {
            key: vec![k],
            row,
            distinct: 0,
        })
        .collect()
}

/// `weeks`: ISO weeks with hits.
pub(crate) fn weeks(t: &Totals) -> Vec<Keyed<PeriodLine>> {
    periods(t, |l| l.week)
}

/// `months`: months with hits.
pub(crate) fn months(t: &Totals) -> Vec<Keyed<PeriodLine>> {
    periods(t, |l| l.month)
}

/// `status`: by code.
pub(crate) fn status(t: &Totals) -> Vec<Keyed<StatusLine>> {
    (t.total.status.iter())
        .map(|(s, n)| Keyed {
            key: vec![s.to_string()],
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
