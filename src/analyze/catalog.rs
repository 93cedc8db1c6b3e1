//! The registry of report tables: every table is declared once in [`TABLES`], with its name, its
//! columns, its row type and where its rows come from, how rare rows fold and how rows sort, whether the
//! terminal summary shows it, and one line on what a row is. The output order of the tables is the order
//! here; [`super::report::TABLE_NAMES`], the renderer ([`super::render`]) and the output formats
//! (`crate::output`) take names, columns and order from it, and a test checks that `docs/REPORTS.md`
//! documents every table and column.

use super::partial::Aggregate;
use super::rows::RowSource;
use super::search::NOT_PROVIDED;
use super::sources;

/// How a table's rare rows fold into `(other)` (under `--min-visitors`), and how its rows are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fold {
    /// RowSource of free text: those seen by fewer than `--min-visitors` distinct visitors of the run fold into
    /// one `(other)` row (numbers summed), shown last; the others sort by their first number descending,
    /// then by key. The summary metric `counter` says how many rows were folded.
    Rare {
        /// The summary metric counting the folded rows.
        counter: &'static str,
    },
    /// As [`Fold::Rare`], but within each value of the first `group` key columns (the search engine, or
    /// the goal and what it is counted by, stays): one `(other)` row per group, and rows whose last key
    /// is `keep` never fold. All `(other)` rows come last, then every row sorts by its first number
    /// descending, then by key.
    RareInGroup {
        /// The summary metric counting the folded rows.
        counter: &'static str,
        /// A key that is no free text and is never folded.
        keep: &'static str,
        /// The key columns that make a group.
        group: usize,
    },
    /// Names from closed lists or fixed labels: never folded; rows sort by their first number
    /// descending, then by key (or as the row type breaks ties).
    Never,
    /// Never folded, and kept in their own order: time order, status code, the list of metrics.
    NeverInOrder,
}

impl Fold {
    /// The summary metric counting the rows this rule folded, if it folds.
    pub(crate) const fn counter(self) -> Option<&'static str> {
        match self {
            Fold::Rare { counter } | Fold::RareInGroup { counter, .. } => Some(counter),
            Fold::Never | Fold::NeverInOrder => None,
        }
    }
}

/// What the terminal summary (`crate::output::report::terminal`) shows of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TerminalView {
    /// Every row as `metric value`, fold counters that are 0 left out.
    Metrics,
    /// The header and the top `--top` rows.
    Top,
    /// Nothing (the table is in the CSV and JSON outputs only).
    Hidden,
}

/// One table of the report.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TableSpec {
    /// The table name: the CSV file is `NAME.csv`, the JSON key `NAME`, and `--table NAME` picks it.
    pub name: &'static str,
    /// Column names, the key columns (text) first.
    pub columns: &'static [&'static str],
    /// The row type, and the function reading the rows from the run's totals.
    pub(crate) rows: RowSource,
    /// How rare rows fold and how rows sort.
    pub fold: Fold,
    /// What the terminal summary shows of it.
    pub terminal: TerminalView,
    /// The columns instead of `columns` when distinct visitors over several days are estimated from day
    /// sketches (a `merge` of partials) rather than counted (one `report` run).
    pub estimated: Option<&'static [&'static str]>,
    /// What one row is, in one line: checked against `docs/REPORTS.md` by the tests, and written here so
    /// that a new table cannot be added without saying what its rows are.
    #[cfg_attr(not(test), allow(dead_code))]
    pub about: &'static str,
}

/// Every table of the report, in output order.
pub(crate) const TABLES: &[TableSpec] = &[
    TableSpec {
        name: "summary",
        columns: &["metric", "value"],
        rows: RowSource::Metrics(sources::summary),
        fold: Fold::NeverInOrder,
        terminal: TerminalView::Metrics,
        estimated: None,
        about: "One metric of the whole run: lines, hits, page views, visits, visitors, folded rows.",
    },
    TableSpec {
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
        rows: RowSource::Pages(sources::pages),
        fold: Fold::Rare {
            counter: "folded_pages",
        },
        terminal: TerminalView::Top,
        estimated: None,
        about: "Page views of one path (query removed), with the visits entering and leaving there.",
    },
    TableSpec {
        name: "entry_pages",
        columns: &["path", "entries", "bounces", "bounce_rate", "visitor_days"],
        rows: RowSource::Entries(sources::entry_pages),
        fold: Fold::Rare {
            counter: "folded_entry_pages",
        },
        terminal: TerminalView::Top,
        estimated: None,
        about: "Visits whose first page view was this path, and how many of them bounced.",
    },
    TableSpec {
        name: "exit_pages",
        columns: &["path", "exits", "page_views", "exit_rate", "visitor_days"],
        rows: RowSource::Exits(sources::exit_pages),
        fold: Fold::Rare {
            counter: "folded_exit_pages",
        },
        terminal: TerminalView::Hidden,
        estimated: None,
        about: "Visits whose last page view was this path, against its page views.",
    },
    TableSpec {
        name: "referrer_sites",
        columns: &["site", "visits", "visitor_days"],
        rows: RowSource::Counts(sources::referrer_sites),
        fold: Fold::Rare {
            counter: "folded_referrer_sites",
        },
        terminal: TerminalView::Top,
        estimated: None,
        about: "Visits whose entry page view came from this external host.",
    },
    TableSpec {
        name: "referrer_pages",
        columns: &["page", "visits", "visitor_days"],
        rows: RowSource::Counts(sources::referrer_pages),
        fold: Fold::Rare {
            counter: "folded_referrer_pages",
        },
        terminal: TerminalView::Hidden,
        estimated: None,
        about: "Visits whose entry page view came from this external URL (query removed).",
    },
    TableSpec {
        name: "search_engines",
        columns: &["engine", "keyword", "visits", "visitor_days"],
        rows: RowSource::Counts(sources::search_engines),
        fold: Fold::RareInGroup {
            counter: "folded_search_keywords",
            keep: NOT_PROVIDED,
            group: 1,
        },
        terminal: TerminalView::Hidden,
        estimated: None,
        about: "Visits referred by a known search engine with this keyword (or `(not provided)`).",
    },
    TableSpec {
        name: "search_terms",
        columns: &["term", "searches", "visitor_days"],
        rows: RowSource::Counts(sources::search_terms),
        fold: Fold::Rare {
            counter: "folded_search_terms",
        },
        terminal: TerminalView::Top,
        estimated: None,
        about: "Page views carrying this site-search term.",
    },
    TableSpec {
        name: "downloads",
        columns: &["path", "downloads", "visitor_days", "bytes"],
        rows: RowSource::Downloads(sources::downloads),
        fold: Fold::Rare {
            counter: "folded_downloads",
        },
        terminal: TerminalView::Top,
        estimated: None,
        about: "Visits that downloaded this file, and the bytes sent for it.",
    },
    TableSpec {
        name: "outlinks",
        columns: &["target", "clicks", "visitor_days"],
        rows: RowSource::Counts(sources::outlinks),
        fold: Fold::Rare {
            counter: "folded_outlinks",
        },
        terminal: TerminalView::Hidden,
        estimated: None,
        about: "Requests to the outlink endpoint for this target URL.",
    },
    TableSpec {
        name: "browsers",
        columns: &["browser", "hits", "page_views", "visitor_days"],
        rows: RowSource::Clients(sources::browsers),
        fold: Fold::Never,
        terminal: TerminalView::Top,
        estimated: None,
        about: "Human traffic of one browser family and major version.",
    },
    TableSpec {
        name: "os",
        columns: &["os", "hits", "page_views", "visitor_days"],
        rows: RowSource::Clients(sources::os),
        fold: Fold::Never,
        terminal: TerminalView::Top,
        estimated: None,
        about: "Human traffic of one operating system.",
    },
    TableSpec {
        name: "devices",
        columns: &["device", "hits", "page_views", "visitor_days"],
        rows: RowSource::Clients(sources::devices),
        fold: Fold::Never,
        terminal: TerminalView::Top,
        estimated: None,
        about: "Human traffic of one device class.",
    },
    TableSpec {
        name: "networks",
        columns: &["network", "country", "asn", "hits", "visitor_days"],
        rows: RowSource::Counts(sources::networks),
        fold: Fold::Rare {
            counter: "folded_networks",
        },
        terminal: TerminalView::Hidden,
        estimated: None,
        about: "Human traffic of one reduced client network (with its country and ASN under `--geoip`).",
    },
    TableSpec {
        name: "countries",
        columns: &[
            "country",
            "name",
            "hits",
            "page_views",
            "visitor_days",
            "visits",
        ],
        rows: RowSource::Places(sources::countries),
        fold: Fold::Rare {
            counter: "folded_countries",
        },
        terminal: TerminalView::Top,
        estimated: None,
        about: "Human traffic from one country (`--geoip`; `--` for unknown and private addresses).",
    },
    TableSpec {
        name: "regions",
        columns: &[
            "country",
            "region",
            "name",
            "hits",
            "page_views",
            "visitor_days",
            "visits",
        ],
        rows: RowSource::Places(sources::regions),
        fold: Fold::Rare {
            counter: "folded_regions",
        },
        terminal: TerminalView::Hidden,
        estimated: None,
        about: "Human traffic from one first-level subdivision of a country (`--geoip` with a City database).",
    },
    TableSpec {
        name: "asn",
        columns: &["asn", "organisation", "hits", "visitor_days"],
        rows: RowSource::Counts(sources::asns),
        fold: Fold::Rare {
            counter: "folded_asns",
        },
        terminal: TerminalView::Top,
        estimated: None,
        about: "Human traffic from one autonomous system (`--geoip` with an ASN database).",
    },
    TableSpec {
        name: "hours",
        columns: &["hour", "hits", "page_views"],
        rows: RowSource::Hours(sources::hours),
        fold: Fold::NeverInOrder,
        terminal: TerminalView::Hidden,
        estimated: None,
        about: "Hits and page views in one hour of the day, all 24 hours.",
    },
    TableSpec {
        name: "weekday_hours",
        columns: &["weekday", "hour", "hits", "page_views"],
        rows: RowSource::Hours(sources::weekday_hours),
        fold: Fold::NeverInOrder,
        terminal: TerminalView::Hidden,
        estimated: None,
        about: "Hits and page views in one hour of one weekday (Mon first), all 7 × 24 cells.",
    },
    TableSpec {
        name: "days",
        columns: &["date", "hits", "page_views", "visitors", "visits", "bytes"],
        rows: RowSource::Days(sources::days),
        fold: Fold::NeverInOrder,
        terminal: TerminalView::Top,
        estimated: None,
        about: "One day with hits: hits, page views, exact visitors, visits, bytes.",
    },
    TableSpec {
        name: "weeks",
        columns: &[
            "week",
            "hits",
            "page_views",
            "visitor_days",
            "visitors",
            "visits",
            "bytes",
        ],
        rows: RowSource::Periods(sources::weeks),
        fold: Fold::NeverInOrder,
        terminal: TerminalView::Hidden,
        estimated: Some(&[
            "week",
            "hits",
            "page_views",
            "visitor_days",
            "visitors_estimated",
            "visits",
            "bytes",
        ]),
        about: "One ISO week with hits, its distinct visitors (estimated after a merge).",
    },
    TableSpec {
        name: "months",
        columns: &[
            "month",
            "hits",
            "page_views",
            "visitor_days",
            "visitors",
            "visits",
            "bytes",
        ],
        rows: RowSource::Periods(sources::months),
        fold: Fold::NeverInOrder,
        terminal: TerminalView::Hidden,
        estimated: Some(&[
            "month",
            "hits",
            "page_views",
            "visitor_days",
            "visitors_estimated",
            "visits",
            "bytes",
        ]),
        about: "One month with hits, its distinct visitors (estimated after a merge).",
    },
    TableSpec {
        name: "status",
        columns: &["status", "hits"],
        rows: RowSource::Statuses(sources::status),
        fold: Fold::NeverInOrder,
        terminal: TerminalView::Top,
        estimated: None,
        about: "Hits (bots included) answered with one status code.",
    },
    TableSpec {
        name: "not_found",
        columns: &["path", "hits", "visitor_days"],
        rows: RowSource::Counts(sources::not_found),
        fold: Fold::Rare {
            counter: "folded_not_found",
        },
        terminal: TerminalView::Top,
        estimated: None,
        about: "Human requests for this path answered 404.",
    },
    TableSpec {
        name: "requests",
        columns: &[
            "path",
            "hits",
            "human_hits",
            "bytes",
            "status_2xx",
            "status_3xx",
            "status_4xx",
            "status_5xx",
        ],
        rows: RowSource::Requests(sources::requests),
        fold: Fold::Rare {
            counter: "folded_requests",
        },
        terminal: TerminalView::Top,
        estimated: None,
        about: "Hits of one path (query removed), bots, assets and errors included, with their bytes and status classes.",
    },
    TableSpec {
        name: "bots",
        columns: &["bot", "reason", "hits"],
        rows: RowSource::Bots(sources::bots),
        fold: Fold::Never,
        terminal: TerminalView::Top,
        estimated: None,
        about: "Hits of one bot name for one reason (ties sort by name, then by reason).",
    },
    TableSpec {
        name: "campaigns",
        columns: &["source", "medium", "campaign", "page_views", "visitor_days"],
        rows: RowSource::Counts(sources::campaigns),
        fold: Fold::Rare {
            counter: "folded_campaigns",
        },
        terminal: TerminalView::Hidden,
        estimated: None,
        about: "Page views carrying these `utm_source`, `utm_medium` and `utm_campaign` values.",
    },
    TableSpec {
        name: "transitions",
        columns: &["from_page", "to_page", "transitions", "visitor_days"],
        rows: RowSource::Counts(sources::transitions),
        fold: Fold::Rare {
            counter: super::clicks::FOLDED_TRANSITIONS,
        },
        terminal: TerminalView::Top,
        estimated: None,
        about: "Moves within visits from one page view to the next, from the entrance, to the exit, a download or an outlink.",
    },
    TableSpec {
        name: "paths",
        columns: &["path", "visits", "conversions", "bounces", "visitor_days"],
        rows: RowSource::Paths(sources::paths),
        fold: Fold::Rare {
            counter: "folded_paths",
        },
        terminal: TerminalView::Top,
        estimated: None,
        about: "Visits whose page views began with these `--path-depth` steps, and how many converted or bounced.",
    },
    TableSpec {
        name: "goals",
        columns: &[
            "goal",
            "via",
            "source",
            "conversions",
            "visits",
            "conversion_rate",
            "visitor_days",
        ],
        rows: RowSource::Goals(sources::goals),
        fold: Fold::RareInGroup {
            counter: "folded_goal_sources",
            keep: super::clicks::ALL,
            group: 2,
        },
        terminal: TerminalView::Top,
        estimated: None,
        about: "Visits that reached a `--goal-path`, in all and by the entry page and referring site they came by.",
    },
];

/// The names of [`TABLES`], in order.
pub(crate) const NAMES: [&str; TABLES.len()] = names();

const fn names() -> [&'static str; TABLES.len()] {
    let mut out = [""; TABLES.len()];
    let mut i = 0;
    while i < TABLES.len() {
        out[i] = TABLES[i].name;
        i += 1;
    }
    out
}

/// Whether the report of `agg` has the table `spec`: the place tables only when a run had the
/// `--geoip` database that fills them, `goals` only when a run had a `--goal-path`.
pub(crate) fn shown(spec: &TableSpec, agg: &Aggregate) -> bool {
    match spec.name {
        "countries" => agg.geo.countries,
        "regions" => agg.geo.regions,
        "asn" => agg.geo.asn,
        "goals" => !agg.summed.goals.is_empty() || agg.days.values().any(|d| !d.goals.is_empty()),
        _ => true,
    }
}

/// The table called `name`.
pub(crate) fn spec(name: &str) -> Option<&'static TableSpec> {
    TABLES.iter().find(|t| t.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> String {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/REPORTS.md");
        std::fs::read_to_string(path).expect("docs/REPORTS.md")
    }

    /// The `### NAME.csv — `COLUMNS`` headings of the doc, in order.
    fn documented() -> Vec<(String, Vec<String>)> {
        doc()
            .lines()
            .filter_map(|l| l.strip_prefix("### "))
            .filter_map(|l| {
                let (file, cols) = l.split_once(" — ")?;
                let name = file.strip_suffix(".csv")?;
                let cols = cols.trim().trim_matches('`');
                Some((
                    name.to_string(),
                    cols.split(',').map(str::to_string).collect(),
                ))
            })
            .collect()
    }

    #[test]
    fn docs_reports_documents_every_table_and_column_in_order() {
        let registered: Vec<(String, Vec<String>)> = TABLES
            .iter()
            .map(|t| {
                (
                    t.name.to_string(),
                    t.columns.iter().map(|c| c.to_string()).collect(),
                )
            })
            .collect();
        assert_eq!(documented(), registered);
    }

    #[test]
    fn docs_reports_names_every_fold_counter() {
        let doc = doc();
        for counter in TABLES.iter().filter_map(|t| t.fold.counter()) {
            assert!(doc.contains(&format!("`{counter}`")), "{counter}");
        }
    }

    #[test]
    fn names_are_unique_and_the_summary_comes_first() {
        assert_eq!(NAMES[0], "summary");
        let mut names = NAMES.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), TABLES.len());
        assert!(
            TABLES
                .iter()
                .all(|t| !t.about.is_empty() && t.columns.len() >= 2)
        );
    }
}
