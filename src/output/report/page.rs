//! What the pages people read (`--html`, `--text`) show, read from a finished [`Report`]: the headline
//! numbers, the trend over time, and the tables in the order a site owner reads them. The HTML and text
//! renderers only lay this out. Tables come from the registry ([`catalog::TABLES`]): the main ones in a
//! curated order with titles ([`PRESENTATION`]), then any other table of the registry, so a table added
//! there appears on the page without a change here.

use crate::analyze::catalog::{self, TerminalView};
use crate::analyze::report::{Cell, OTHER, Report, Table};

use super::human;

/// What the command line says about the run, for the page's heading and its empty-range message.
#[derive(Debug, Clone, Default)]
pub(crate) struct Context {
    /// The site the report is about (`--site-host`), when known.
    pub site: Option<String>,
    /// `--since` as a date or the time given.
    pub since: Option<String>,
    /// `--until` as a date or the time given.
    pub until: Option<String>,
}

/// A table's title and the one line saying what its rows are, in the order the page shows them.
pub(crate) struct Presentation {
    /// The table name in the registry.
    pub name: &'static str,
    /// The section title.
    pub title: &'static str,
    /// What a row is, for people.
    pub about: &'static str,
}

const fn show(name: &'static str, title: &'static str, about: &'static str) -> Presentation {
    Presentation { name, title, about }
}

/// The main tables, in the order a site owner reads them. Tables of the registry not named here follow
/// them, titled from their name; the time tables (`hours`, `days`, `weeks`, `months`) feed the trend
/// chart and `weekday_hours` the heat map.
pub(crate) const PRESENTATION: &[Presentation] = &[
    show(
        "compare",
        "Against the previous period",
        "With --compare previous: the headline numbers, top pages and referring sites beside the period of the same length before.",
    ),
    show(
        "pages",
        "Top pages",
        "Page views per path, with the visits entering and leaving there and the time spent on it.",
    ),
    show(
        "entry_pages",
        "Entry pages",
        "Where visits began, and how many left without a second page view (bounced).",
    ),
    show("exit_pages", "Exit pages", "Where visits ended."),
    show(
        "transitions",
        "Next pages",
        "Where visits went from each of the top pages: the next page view, a download, an outlink, or the exit.",
    ),
    show(
        "paths",
        "Paths",
        "The most common sequences of page views that visits began with.",
    ),
    show(
        "goals",
        "Goals",
        "Visits that reached a --goal-path, in all and by the entry page and referring site they came by.",
    ),
    show(
        "referrer_sites",
        "Referrer sites",
        "External sites that sent visits.",
    ),
    show(
        "referrer_pages",
        "Referrer pages",
        "External pages that sent visits (query removed).",
    ),
    show(
        "search_engines",
        "Search engines and keywords",
        "Visits from known search engines, by keyword.",
    ),
    show("search_terms", "Site search", "Terms searched on the site."),
    show(
        "campaigns",
        "Campaigns",
        "Page views carrying utm_source, utm_medium and utm_campaign.",
    ),
    show(
        "downloads",
        "Downloads",
        "Files downloaded, once per visit.",
    ),
    show(
        "outlinks",
        "Outlinks",
        "Clicks through the outlink endpoint.",
    ),
    show(
        "browsers",
        "Browsers",
        "Human traffic by browser and major version.",
    ),
    show(
        "os",
        "Operating systems",
        "Human traffic by operating system.",
    ),
    show("devices", "Devices", "Human traffic by device class."),
    show(
        "networks",
        "Networks",
        "Human traffic by reduced client network.",
    ),
    show(
        "status",
        "Status codes",
        "All hits, bots included, by response status.",
    ),
    show(
        "not_found",
        "Pages not found",
        "Human requests answered 404.",
    ),
    show(
        "requests",
        "Requested files",
        "All hits by path, assets and bots included: what the server spends its requests and bytes on.",
    ),
    show(
        "bots",
        "Bots",
        "Bot hits by name and by how they were recognised.",
    ),
];

/// Tables that are drawn as charts, not listed as tables.
const CHARTED: &[&str] = &[
    "summary",
    "hours",
    "days",
    "weeks",
    "months",
    "weekday_hours",
];

/// Past this many days the trend is drawn per week.
pub(crate) const WEEKLY_AFTER_DAYS: usize = 120;

/// The headline numbers of a period.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Headline {
    /// Distinct visitors (of the whole range when it can be counted, else visitor-days).
    pub visitors: u64,
    /// Visits.
    pub visits: u64,
    /// Page views.
    pub page_views: u64,
    /// Bounced visits ÷ visits.
    pub bounce_rate: f64,
    /// Mean visit duration, seconds.
    pub visit_duration_s: f64,
    /// Bot hits ÷ hits.
    pub bot_share: f64,
    /// Hits excluded by Do Not Track / Global Privacy Control.
    pub opted_out: u64,
}

/// How a card's number reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    /// A count.
    Count,
    /// A ratio shown in per cent.
    Percent,
    /// Seconds shown as minutes and seconds.
    Duration,
}

impl Unit {
    /// `value` in human units.
    pub(crate) fn show(self, value: f64) -> String {
        match self {
            Unit::Count => human::count(value.max(0.0).round() as u64),
            Unit::Percent => human::percent(value),
            Unit::Duration => human::duration(value),
        }
    }
}

/// One headline card.
#[derive(Debug, Clone)]
pub(crate) struct Card {
    /// What it counts, for people.
    pub label: &'static str,
    /// The summary metric(s) it is read from, for readers of the page's markup and the tests.
    pub metric: &'static str,
    /// The value.
    pub value: f64,
    /// How it reads.
    pub unit: Unit,
    /// A short note under the number.
    pub note: Option<String>,
    /// The value in the previous period of equal length, when known.
    pub previous: Option<f64>,
}

impl Card {
    /// The value in human units.
    pub(crate) fn shown(&self) -> String {
        self.unit.show(self.value)
    }

    /// The change against the previous period (`+12 %`, `−3 %`; rates in percentage points), if known.
    pub(crate) fn change(&self) -> Option<String> {
        let prev = self.previous?;
        Some(
            match self.unit {
                Unit::Percent => format!("{:+.0} pts", (self.value - prev) * 100.0),
                Unit::Count | Unit::Duration if prev == 0.0 => return None,
                Unit::Count | Unit::Duration => {
                    format!("{:+.0} %", (self.value / prev - 1.0) * 100.0)
                }
            }
            .replace('-', "−"),
        )
    }
}

/// The unit of the trend chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// One day in the range: per hour (hits and page views; visits are not counted per hour).
    Hour,
    /// Per day.
    Day,
    /// Per ISO week (more than [`WEEKLY_AFTER_DAYS`] days).
    Week,
}

/// One point of the trend.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Point {
    /// `2026-11-22`, `2026-W47` or `13`.
    pub label: String,
    /// Page views.
    pub page_views: u64,
    /// Visits (per hour: hits, see [`Step::Hour`]).
    pub second: u64,
}

/// Page views and visits over time.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Trend {
    /// Per hour, day or week.
    pub step: Step,
    /// In time order, days without hits included as zeros.
    pub points: Vec<Point>,
}

impl Trend {
    /// The name of the second series.
    pub(crate) fn second_name(&self) -> &'static str {
        match self.step {
            Step::Hour => "hits",
            Step::Day | Step::Week => "visits",
        }
    }

    /// The chart's title.
    pub(crate) fn title(&self) -> &'static str {
        match self.step {
            Step::Hour => "Page views and hits per hour",
            Step::Day => "Visits and page views per day",
            Step::Week => "Visits and page views per week",
        }
    }
}

/// A table shown as a section.
pub(crate) struct Section<'a> {
    /// The table.
    pub table: &'a Table,
    /// The section title.
    pub title: String,
    /// What a row is.
    pub about: &'static str,
    /// Rows folded into `(other)`, for tables that fold.
    pub folded: Option<u64>,
    /// Shown in the text summary.
    pub in_text: bool,
}

impl Section<'_> {
    /// The sentence saying what was folded and why, when rows were.
    pub(crate) fn fold_note(&self, min_visitors: u64) -> Option<String> {
        match self.folded {
            Some(n) if n > 0 => Some(format!(
                "{} {} seen by fewer than {min_visitors} distinct visitors folded into {OTHER} \
                 (--min-visitors {min_visitors}), so that no row points at one person.",
                human::count(n),
                if n == 1 { "row" } else { "rows" },
            )),
            _ => None,
        }
    }
}

/// Everything the page shows.
pub(crate) struct Page<'a> {
    /// The site, or a generic title.
    pub title: String,
    /// The first and last day with hits.
    pub range: Option<(String, String)>,
    /// The range the command line asked for.
    pub context: Context,
    /// The headline numbers.
    pub headline: Headline,
    /// The headline numbers of the previous period of equal length: read from the `compare` table when
    /// the report was asked for it (`--compare previous`), else none.
    pub previous: Option<Headline>,
    /// The summary metric of the distinct visitors over the whole range: `visitors` (counted, one
    /// run), `visitors_estimated` (after a merge), or `None` when there is none (the sum of visitors per
    /// day is shown instead).
    pub visitors_range: Option<&'static str>,
    /// Hits, bytes, downloads, lines: the smaller numbers under the cards.
    pub totals: Vec<(&'static str, String)>,
    /// The trend chart.
    pub trend: Option<Trend>,
    /// Hits by weekday (its name) × hour, when the report has them.
    pub heat: Option<Vec<(String, [u64; 24])>>,
    /// The tables.
    pub sections: Vec<Section<'a>>,
    /// `--min-visitors`.
    pub min_visitors: u64,
    /// The report holds no hit.
    pub empty: bool,
    /// Lines read, parsed, and left out by `--since`/`--until`.
    pub lines: u64,
    /// Lines outside `--since`/`--until`.
    pub excluded: u64,
}

/// A summary metric as a number (0 when missing or empty).
/// The headline numbers of the previous period, read from the `compare` table (`--compare previous`)
/// when the report has one; `visitors` names the distinct-visitor metric the current period shows
/// (`None`: visitor-days).
fn previous_headline(report: &Report, visitors: Option<&str>) -> Option<Headline> {
    let compare = report.table("compare")?;
    let previous = |name: &str| -> Option<f64> {
        compare.rows.iter().find_map(|row| match row.as_slice() {
            [Cell::Text(section), _, Cell::Text(metric), _, value, ..]
                if section == "summary" && metric == name =>
            {
                match value {
                    Cell::Int(n) => Some(*n as f64),
                    Cell::Float(f) => Some(*f),
                    Cell::Text(_) => None,
                }
            }
            _ => None,
        })
    };
    let hits = previous("hits")?;
    Some(Headline {
        visitors: previous(visitors.unwrap_or("visitor_days"))? as u64,
        visits: previous("visits")? as u64,
        page_views: previous("page_views")? as u64,
        bounce_rate: previous("bounce_rate")?,
        visit_duration_s: previous("visit_duration_mean_s")?,
        bot_share: if hits > 0.0 {
            previous("bot_hits")? / hits
        } else {
            0.0
        },
        opted_out: previous("opted_out")? as u64,
    })
}

fn metric(summary: Option<&Table>, name: &str) -> f64 {
    metric_cell(summary, name)
        .map(|c| match c {
            Cell::Int(n) => *n as f64,
            Cell::Float(f) => *f,
            Cell::Text(s) => s.parse().unwrap_or(0.0),
        })
        .unwrap_or(0.0)
}

fn metric_cell<'a>(summary: Option<&'a Table>, name: &str) -> Option<&'a Cell> {
    summary?
        .rows
        .iter()
        .find(|r| matches!(r.first(), Some(Cell::Text(m)) if m == name))
        .and_then(|r| r.get(1))
}

fn metric_text(summary: Option<&Table>, name: &str) -> String {
    metric_cell(summary, name)
        .map(Cell::render)
        .unwrap_or_default()
}

/// A ratio, 0 when the divisor is.
fn share(a: f64, b: f64) -> f64 {
    if b == 0.0 { 0.0 } else { a / b }
}

impl<'a> Page<'a> {
    /// The page of `report`.
    pub(crate) fn new(report: &'a Report, context: &Context) -> Page<'a> {
        let summary = report.table("summary");
        let m = |name| metric(summary, name);
        let first = metric_text(summary, "first_day");
        let last = metric_text(summary, "last_day");
        let range = (!first.is_empty()).then(|| (first.clone(), last.clone()));
        let given = |name| {
            metric_cell(summary, name).is_some_and(|c| !matches!(c, Cell::Text(s) if s.is_empty()))
        };
        let one_day = first == last;
        // One day: the exact visitors of the day. Several: distinct over the range, counted (one run) or
        // estimated (a merge), else the sum of the days' visitors, labelled so.
        let visitors_range = ["visitors", "visitors_estimated"]
            .into_iter()
            .find(|name| given(name));
        let visitors = match visitors_range {
            Some(name) if !one_day => m(name),
            _ => m("visitor_days"),
        };
        let headline = Headline {
            visitors: visitors as u64,
            visits: m("visits") as u64,
            page_views: m("page_views") as u64,
            bounce_rate: m("bounce_rate"),
            visit_duration_s: m("visit_duration_mean_s"),
            bot_share: share(m("bot_hits"), m("hits")),
            opted_out: m("opted_out") as u64,
        };
        let totals = vec![
            ("hits", human::count(m("hits") as u64)),
            ("sent", human::bytes(m("bytes") as u64)),
            ("downloads", human::count(m("downloads") as u64)),
            ("time on page", human::duration(m("time_on_page_mean_s"))),
            ("lines read", human::count(m("lines") as u64)),
            ("lines not parsed", human::count(m("unparsed") as u64)),
        ];
        let min_visitors = m("min_visitors").max(1.0) as u64;
        let mut sections = Vec::new();
        let mut shown: Vec<&str> = CHARTED.to_vec();
        for p in PRESENTATION {
            if let Some(table) = report.table(p.name) {
                sections.push(section(table, summary, p.title.to_string(), p.about));
                shown.push(p.name);
            }
        }
        for table in report.tables.iter().filter(|t| !shown.contains(&t.name)) {
            let about = catalog::spec(table.name).map_or("", |s| s.about);
            sections.push(section(table, summary, title_of(table.name), about));
        }
        Page {
            title: context
                .site
                .clone()
                .unwrap_or_else(|| "Web statistics".to_string()),
            range,
            context: context.clone(),
            previous: previous_headline(report, visitors_range.filter(|_| !one_day)),
            headline,
            visitors_range,
            totals,
            trend: trend(report, one_day),
            heat: heat(report.table("weekday_hours")),
            sections,
            min_visitors,
            empty: m("hits") == 0.0,
            lines: m("lines") as u64,
            excluded: (m("excluded_before_since") + m("excluded_after_until")) as u64,
        }
    }

    /// The headline cards, with the previous period's values when known.
    pub(crate) fn cards(&self) -> Vec<Card> {
        let h = &self.headline;
        let p = self.previous.as_ref();
        let card = |label, metric, value: f64, unit, previous: Option<f64>| Card {
            label,
            metric,
            value,
            unit,
            note: None,
            previous,
        };
        let mut visitors = card(
            "Visitors",
            self.visitors_range.unwrap_or("visitor_days"),
            h.visitors as f64,
            Unit::Count,
            p.map(|p| p.visitors as f64),
        );
        if self.range.as_ref().is_some_and(|(a, b)| a == b) {
            visitors.metric = "visitor_days";
        } else if self.visitors_range == Some("visitors") {
            visitors.note = Some("distinct over the range".into());
        } else if self.visitors_range.is_some() {
            visitors.note = Some("distinct, estimated".into());
        } else {
            visitors.label = "Visitor-days";
            visitors.note = Some("visitors per day, summed".into());
        }
        vec![
            visitors,
            card(
                "Visits",
                "visits",
                h.visits as f64,
                Unit::Count,
                p.map(|p| p.visits as f64),
            ),
            card(
                "Page views",
                "page_views",
                h.page_views as f64,
                Unit::Count,
                p.map(|p| p.page_views as f64),
            ),
            card(
                "Bounce rate",
                "bounce_rate",
                h.bounce_rate,
                Unit::Percent,
                p.map(|p| p.bounce_rate),
            ),
            card(
                "Visit duration",
                "visit_duration_mean_s",
                h.visit_duration_s,
                Unit::Duration,
                p.map(|p| p.visit_duration_s),
            ),
            card(
                "Bot share",
                "bot_hits/hits",
                h.bot_share,
                Unit::Percent,
                p.map(|p| p.bot_share),
            ),
            card(
                "Opted out",
                "opted_out",
                h.opted_out as f64,
                Unit::Count,
                p.map(|p| p.opted_out as f64),
            ),
        ]
    }

    /// "2026-11-22 – 2026-11-28", or the one day.
    pub(crate) fn range_label(&self) -> Option<String> {
        self.range.as_ref().map(|(a, b)| {
            if a == b {
                a.clone()
            } else {
                format!("{a} – {b}")
            }
        })
    }

    /// The sentence an empty report shows instead of a page of zeros.
    pub(crate) fn empty_note(&self) -> String {
        let between = match (&self.context.since, &self.context.until) {
            (Some(s), Some(u)) => format!(" between {s} and {u}"),
            (Some(s), None) => format!(" since {s}"),
            (None, Some(u)) => format!(" before {u}"),
            (None, None) => String::new(),
        };
        let read = match self.excluded {
            0 => format!("{} lines read.", human::count(self.lines)),
            n => format!(
                "{} lines read, {} of them outside --since/--until.",
                human::count(self.lines),
                human::count(n)
            ),
        };
        format!("No hits{between}. {read}")
    }
}

/// A registry name as a title: `not_found` → `Not found`.
pub(crate) fn title_of(name: &str) -> String {
    let words = name.replace('_', " ");
    let mut c = words.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn section<'a>(
    table: &'a Table,
    summary: Option<&Table>,
    title: String,
    about: &'static str,
) -> Section<'a> {
    let spec = catalog::spec(table.name);
    let folded = spec
        .and_then(|s| s.fold.counter())
        .map(|counter| metric(summary, counter) as u64);
    Section {
        table,
        title,
        about,
        folded,
        // `compare` is not a table of the registry: shown whole in the text too when asked for.
        in_text: spec.is_some_and(|s| s.terminal == TerminalView::Top) || table.name == "compare",
    }
}

/// A number cell's value (0 for text).
pub(crate) fn number(c: &Cell) -> f64 {
    match c {
        Cell::Int(n) => *n as f64,
        Cell::Float(f) => *f,
        Cell::Text(_) => 0.0,
    }
}

/// The index of column `name` of `t`.
fn column(t: &Table, name: &str) -> Option<usize> {
    t.columns.iter().position(|c| *c == name)
}

/// The trend: per hour for one day, per day, or per week past [`WEEKLY_AFTER_DAYS`] days.
fn trend(report: &Report, one_day: bool) -> Option<Trend> {
    let (step, table, second) = if one_day {
        (Step::Hour, report.table("hours")?, "hits")
    } else {
        let days = report.table("days")?;
        if span(days)? > WEEKLY_AFTER_DAYS {
            (Step::Week, report.table("weeks")?, "visits")
        } else {
            (Step::Day, days, "visits")
        }
    };
    let pv = column(table, "page_views")?;
    let sec = column(table, second)?;
    let mut points: Vec<Point> = table
        .rows
        .iter()
        .map(|r| Point {
            label: r.first().map(Cell::render).unwrap_or_default(),
            page_views: number(&r[pv]) as u64,
            second: number(&r[sec]) as u64,
        })
        .collect();
    if points.is_empty() {
        return None;
    }
    if step == Step::Day {
        points = fill_days(points);
    }
    Some(Trend { step, points })
}

fn date(label: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(label, "%Y-%m-%d").ok()
}

/// Days from the first to the last row of `days`, both counted.
fn span(days: &Table) -> Option<usize> {
    let first = date(&days.rows.first()?.first()?.render())?;
    let last = date(&days.rows.last()?.first()?.render())?;
    Some(((last - first).num_days() + 1).max(1) as usize)
}

/// The days between the first and last point, those without hits as zeros.
fn fill_days(points: Vec<Point>) -> Vec<Point> {
    let (Some(first), Some(last)) = (
        points.first().and_then(|p| date(&p.label)),
        points.last().and_then(|p| date(&p.label)),
    ) else {
        return points;
    };
    let mut out = Vec::with_capacity(points.len());
    let mut given = points.into_iter().peekable();
    let mut day = first;
    while day <= last {
        let label = day.format("%Y-%m-%d").to_string();
        match given.next_if(|p| p.label == label) {
            Some(p) => out.push(p),
            None => out.push(Point {
                label,
                page_views: 0,
                second: 0,
            }),
        }
        day = match day.succ_opt() {
            Some(d) => d,
            None => break,
        };
    }
    out
}

/// Hits by weekday × hour, from `weekday_hours` (rows `weekday, hour, hits, …` in order).
fn heat(table: Option<&Table>) -> Option<Vec<(String, [u64; 24])>> {
    let t = table?;
    let hits = column(t, "hits")?;
    let mut out: Vec<(String, [u64; 24])> = Vec::new();
    for r in &t.rows {
        let (Some(Cell::Text(day)), Some(Ok(hour))) =
            (r.first(), r.get(1).map(|h| h.render().parse::<usize>()))
        else {
            continue;
        };
        if out.last().is_none_or(|(d, _)| d != day) {
            out.push((day.clone(), [0; 24]));
        }
        if let (Some((_, hours)), true) = (out.last_mut(), hour < 24) {
            hours[hour] = number(&r[hits]) as u64;
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The header of column `name`, in words.
pub(crate) fn column_label(name: &str) -> String {
    let known = match name {
        "path" | "page" => "Page",
        "page_views" => "Page views",
        "visitor_days" => "Visitor-days",
        "entries" => "Entries",
        "exits" => "Exits",
        "exit_rate" => "Exit rate",
        "time_on_page_mean_s" => "Time on page",
        "time_on_page_measured" => "Timed views",
        "bounces" => "Bounces",
        "bounce_rate" => "Bounce rate",
        "site" => "Site",
        "visits" => "Visits",
        "engine" => "Engine",
        "keyword" => "Keyword",
        "term" => "Term",
        "searches" => "Searches",
        "downloads" => "Downloads",
        "bytes" => "Sent",
        "target" => "Target",
        "clicks" => "Clicks",
        "browser" => "Browser",
        "hits" => "Hits",
        "os" => "OS",
        "device" => "Device",
        "network" => "Network",
        "visitors" => "Visitors",
        "visitors_estimated" => "Visitors (est.)",
        "status" => "Status",
        "bot" => "Bot",
        "reason" => "Reason",
        "asn" => "ASN",
        "from_page" => "From page",
        "to_page" => "To page",
        "transitions" => "Transitions",
        "conversions" => "Conversions",
        "conversion_rate" => "Conversion rate",
        "human_hits" => "Human hits",
        "status_2xx" => "2xx",
        "status_3xx" => "3xx",
        "status_4xx" => "4xx",
        "status_5xx" => "5xx",
        _ => return title_of(name),
    };
    known.to_string()
}

/// A page's "next pages" list.
pub(crate) struct NextPages {
    /// The page.
    pub page: String,
    /// Its moves out (of the rows shown: folded ones are in `(other)`).
    pub moves: u64,
    /// Its most taken destinations: (destination, moves, share of the page's moves).
    pub next: Vec<(String, u64, f64)>,
}

/// The pages of `transitions` (the `from_page` rows that are pages, not `(entrance)`, `(direct)` or
/// `(other)`) with the most moves out of them, at most `pages`, each with its `next` most taken
/// destinations. The page shows these as its "next pages" lists.
pub(crate) fn next_pages(transitions: &Table, pages: usize, next: usize) -> Vec<NextPages> {
    let mut by_page: Vec<NextPages> = Vec::new();
    for row in &transitions.rows {
        let (Some(Cell::Text(from)), Some(Cell::Text(to)), Some(n)) =
            (row.first(), row.get(1), row.get(2))
        else {
            continue;
        };
        if from.starts_with('(') {
            continue;
        }
        let n = number(n) as u64;
        match by_page.iter_mut().find(|p| &p.page == from) {
            Some(p) => {
                p.moves += n;
                p.next.push((to.clone(), n, 0.0));
            }
            None => by_page.push(NextPages {
                page: from.clone(),
                moves: n,
                next: vec![(to.clone(), n, 0.0)],
            }),
        }
    }
    by_page.sort_by(|a, b| b.moves.cmp(&a.moves).then_with(|| a.page.cmp(&b.page)));
    by_page.truncate(pages);
    for p in &mut by_page {
        p.next
            .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        p.next.truncate(next);
        for (_, n, s) in &mut p.next {
            *s = share(*n as f64, p.moves as f64);
        }
    }
    by_page
}

/// Columns that matter less: left out of the text summary and hidden on narrow screens.
pub(crate) fn is_minor(name: &str) -> bool {
    // `requests` keeps its errors (4xx, 5xx) in view, its successes and redirects in the CSV.
    name == "visitor_days"
        || name.ends_with("_measured")
        || name == "status_2xx"
        || name == "status_3xx"
}

/// A cell in human units, as its column says: bytes, rates, seconds, counts.
pub(crate) fn cell_text(column: &str, c: &Cell) -> String {
    match c {
        Cell::Text(s) if s.is_empty() => "–".to_string(),
        Cell::Text(s) => s.clone(),
        Cell::Int(n) if column == "bytes" => human::bytes(*n),
        Cell::Int(n) => human::count(*n),
        Cell::Float(f) if column.ends_with("_rate") || column.ends_with("_share") => {
            human::percent(*f)
        }
        Cell::Float(f) if column.ends_with("_s") => human::duration(*f),
        Cell::Float(f) => format!("{f:.2}"),
    }
}

/// The number of key (text) columns of `t`: the columns before the first number.
pub(crate) fn key_columns(t: &Table) -> usize {
    t.rows
        .first()
        .and_then(|r| r.iter().position(|c| !matches!(c, Cell::Text(_))))
        .unwrap_or(1)
        .max(1)
}

/// A `summary` table of these metrics, for tests.
#[cfg(test)]
pub(crate) fn summary_table(rows: &[(&str, Cell)]) -> Table {
    Table {
        name: "summary",
        columns: &["metric", "value"],
        rows: rows
            .iter()
            .map(|(m, v)| vec![Cell::Text(m.to_string()), v.clone()])
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(rows: &[(&str, Cell)]) -> Table {
        summary_table(rows)
    }

    #[test]
    fn headline_reads_the_summary_and_visitors_say_what_they_are() {
        let report = Report {
            tables: vec![summary(&[
                ("hits", Cell::Int(200)),
                ("bot_hits", Cell::Int(50)),
                ("visits", Cell::Int(40)),
                ("page_views", Cell::Int(90)),
                ("visitor_days", Cell::Int(35)),
                ("visitors_estimated", Cell::Text(String::new())),
                ("bounce_rate", Cell::Float(0.25)),
                ("visit_duration_mean_s", Cell::Float(192.0)),
                ("first_day", Cell::Text("2026-11-20".into())),
                ("last_day", Cell::Text("2026-11-22".into())),
                ("folded_pages", Cell::Int(3)),
                ("min_visitors", Cell::Int(5)),
            ])],
        };
        let page = Page::new(&report, &Context::default());
        assert_eq!(page.headline.bot_share, 0.25);
        let cards = page.cards();
        assert_eq!(cards[0].label, "Visitor-days");
        assert_eq!(cards[0].value, 35.0);
        assert_eq!(cards[4].shown(), "3 min 12 s");
        assert_eq!(
            page.range_label().as_deref(),
            Some("2026-11-20 – 2026-11-22")
        );
        assert!(!page.empty);
        assert!(cards.iter().all(|c| c.change().is_none()));
    }

    #[test]
    fn a_change_reads_in_per_cent_or_points() {
        let mut c = Card {
            label: "Visits",
            metric: "visits",
            value: 120.0,
            unit: Unit::Count,
            note: None,
            previous: Some(100.0),
        };
        assert_eq!(c.change().as_deref(), Some("+20 %"));
        c.value = 80.0;
        assert_eq!(c.change().as_deref(), Some("−20 %"));
        c.unit = Unit::Percent;
        c.value = 0.5;
        c.previous = Some(0.6);
        assert_eq!(c.change().as_deref(), Some("−10 pts"));
    }

    #[test]
    fn days_without_hits_are_zeros_in_the_trend() {
        let p = |d: &str, n| Point {
            label: d.into(),
            page_views: n,
            second: n,
        };
        let filled = fill_days(vec![p("2026-02-27", 1), p("2026-03-02", 4)]);
        let labels: Vec<&str> = filled.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(
            labels,
            ["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"]
        );
        assert_eq!(filled[1].page_views, 0);
        assert_eq!(filled[3].page_views, 4);
    }

    #[test]
    fn every_table_of_the_registry_has_a_place_on_the_page() {
        for spec in catalog::TABLES {
            let placed =
                CHARTED.contains(&spec.name) || PRESENTATION.iter().any(|p| p.name == spec.name);
            // Others are listed after the curated ones, titled from their name.
            assert!(placed || !title_of(spec.name).is_empty(), "{}", spec.name);
        }
        assert_eq!(title_of("not_found"), "Not found");
        assert_eq!(column_label("page_views"), "Page views");
        assert_eq!(column_label("country_code"), "Country code");
    }

    #[test]
    fn cells_in_human_units() {
        assert_eq!(cell_text("bytes", &Cell::Int(2_747_282_740)), "2.7 GB");
        assert_eq!(cell_text("bounce_rate", &Cell::Float(0.77)), "77 %");
        assert_eq!(
            cell_text("time_on_page_mean_s", &Cell::Float(75.0)),
            "1 min 15 s"
        );
        assert_eq!(cell_text("hits", &Cell::Int(1234)), "1\u{202f}234");
        assert_eq!(
            cell_text("visitors_estimated", &Cell::Text(String::new())),
            "–"
        );
    }
}
