//! The rows of the report's tables: one struct per kind of row, each turned into cells in one place
//! ([`ReportRow::cells`]); [`super::sources`] reads each table's rows from the run's [`Totals`]. The
//! registry ([`super::catalog::TABLES`]) says which row type and function make which table.

use std::cmp::Ordering;

use super::classify::BotReason;
use super::partial::Sketch;
use super::render::Totals;
use super::report::Cell;

/// The row type of a table, with the function reading its rows (see [`super::catalog::TableSpec`]).
#[derive(Debug, Clone, Copy)]
pub(crate) enum RowSource {
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
    /// Hits, bytes and status classes of a requested path.
    Requests(fn(&Totals) -> Vec<Keyed<RequestLine>>),
    /// Hits, page views, visitors and visits of a country or region (`--geoip`).
    Places(fn(&Totals) -> Vec<Keyed<PlaceLine>>),
    /// Visits, conversions and bounces of a path.
    Paths(fn(&Totals) -> Vec<Keyed<PathLine>>),
    /// Conversions of a goal against the visits they came from.
    Goals(fn(&Totals) -> Vec<Keyed<GoalLine>>),
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

/// `a ÷ b`, 0 when `b` is 0.
pub(crate) fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// The distinct-visitor estimate of some days' sketches as a cell: empty when the sketches were made under
/// different keys and cannot be joined.
pub(crate) fn estimate_cell(sketch: &Sketch, compatible: bool) -> Cell {
    if compatible {
        Cell::Int(sketch.estimate())
    } else {
        Cell::Text(String::new())
    }
}

/// A row of `summary`: one metric's value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Metric {
    pub(crate) value: Cell,
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
    pub(crate) views: u64,
    pub(crate) visitor_days: u64,
    pub(crate) entries: u64,
    pub(crate) exits: u64,
    pub(crate) top_sum: u64,
    pub(crate) top_measured: u64,
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
    pub(crate) entries: u64,
    pub(crate) bounces: u64,
    pub(crate) visitor_days: u64,
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
    pub(crate) exits: u64,
    pub(crate) views: u64,
    pub(crate) visitor_days: u64,
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
    pub(crate) count: u64,
    pub(crate) visitor_days: u64,
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
    pub(crate) downloads: u64,
    pub(crate) visitor_days: u64,
    pub(crate) bytes: u64,
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
    pub(crate) hits: u64,
    pub(crate) page_views: u64,
    pub(crate) visitor_days: u64,
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

/// A row of `countries` or `regions`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PlaceLine {
    pub(crate) hits: u64,
    pub(crate) page_views: u64,
    pub(crate) visitor_days: u64,
    pub(crate) visits: u64,
}

impl ReportRow for PlaceLine {
    fn rank(&self) -> u64 {
        self.hits
    }
    fn add(&mut self, o: &PlaceLine) {
        self.hits += o.hits;
        self.page_views += o.page_views;
        self.visitor_days += o.visitor_days;
        self.visits += o.visits;
    }
    fn cells(&self, out: &mut Vec<Cell>) {
        out.extend([
            self.hits.into(),
            self.page_views.into(),
            self.visitor_days.into(),
            self.visits.into(),
        ]);
    }
}

/// A row of `paths`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PathLine {
    pub(crate) visits: u64,
    pub(crate) conversions: u64,
    pub(crate) bounces: u64,
    pub(crate) visitor_days: u64,
}

impl ReportRow for PathLine {
    fn rank(&self) -> u64 {
        self.visits
    }
    fn add(&mut self, o: &PathLine) {
        self.visits += o.visits;
        self.conversions += o.conversions;
        self.bounces += o.bounces;
        self.visitor_days += o.visitor_days;
    }
    fn cells(&self, out: &mut Vec<Cell>) {
        out.extend([
            self.visits.into(),
            self.conversions.into(),
            self.bounces.into(),
            self.visitor_days.into(),
        ]);
    }
}

/// A row of `goals`: conversions, and the visits of the same slice (all, an entry page, a referring
/// site) they are a share of.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct GoalLine {
    pub(crate) conversions: u64,
    pub(crate) visits: u64,
    pub(crate) visitor_days: u64,
}

impl ReportRow for GoalLine {
    fn rank(&self) -> u64 {
        self.conversions
    }
    fn add(&mut self, o: &GoalLine) {
        self.conversions += o.conversions;
        self.visits += o.visits;
        self.visitor_days += o.visitor_days;
    }
    fn cells(&self, out: &mut Vec<Cell>) {
        out.extend([
            self.conversions.into(),
            self.visits.into(),
            ratio(self.conversions, self.visits).into(),
            self.visitor_days.into(),
        ]);
    }
}

/// A row of `hours`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct HourLine {
    pub(crate) hits: u64,
    pub(crate) page_views: u64,
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
    pub(crate) hits: u64,
    pub(crate) page_views: u64,
    pub(crate) visitors: u64,
    pub(crate) visits: u64,
    pub(crate) bytes: u64,
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

/// A row of `weeks` or `months`: days summed, their distinct visitors counted in one run or estimated
/// from the day sketches after a merge.
#[derive(Debug, Clone, Default)]
pub(crate) struct PeriodLine {
    pub(crate) day: DayLine,
    pub(crate) sketch: Sketch,
    /// Some days' sketches were made under different keys: no estimate.
    pub(crate) unjoinable: bool,
    /// The distinct visitors counted exactly (one run), taking the place of the estimate.
    pub(crate) exact: Option<u64>,
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
            match self.exact {
                Some(n) => n.into(),
                None => estimate_cell(&self.sketch, !self.unjoinable),
            },
            d.visits.into(),
            d.bytes.into(),
        ]);
    }
}

/// A row of `status`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct StatusLine {
    pub(crate) hits: u64,
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

/// A row of `requests`: the day rows of a path summed (see [`super::partial::RequestRow`]).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RequestLine(pub(crate) super::partial::RequestRow);

impl ReportRow for RequestLine {
    fn rank(&self) -> u64 {
        self.0.hits
    }
    fn add(&mut self, o: &RequestLine) {
        self.0.add(&o.0);
    }
    fn cells(&self, out: &mut Vec<Cell>) {
        let r = &self.0;
        out.extend(
            [
                r.hits,
                r.human_hits,
                r.bytes,
                r.status_2xx,
                r.status_3xx,
                r.status_4xx,
                r.status_5xx,
            ]
            .map(Cell::Int),
        );
    }
}

/// A row of `bots`: keyed by name and reason; ties sort by name, then by reason in the order of
/// [`BotReason`].
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct BotLine {
    pub(crate) hits: u64,
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
