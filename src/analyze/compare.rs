//! `--compare previous`: the report's period against the period of equal length just before it.
//!
//! The current period is `--since`..`--until` (both required); the previous one ends where it starts and
//! is as long (`--since 2026-11-23 --until 2026-11-30` is compared with 2026-11-16..2026-11-23). `report`
//! reads its inputs a second time for it, `merge` takes its days from the partials given. Each period is
//! rendered exactly as a report of that period alone (folded under `--min-visitors` on its own), and
//! [`Comparison`] sets the two side by side: the headline numbers, then the top pages and referring sites
//! of the current period with their numbers in the previous one. It becomes the `compare` table
//! (`compare.csv`, the JSON member `compare`), and the HTML page can read the struct itself.

use super::range::{Bound, TimeRange};
use super::report::{Cell, Report, Table};

/// The columns of `compare.csv`.
pub(crate) const COLUMNS: &[&str] = &[
    "section",
    "key",
    "metric",
    "current",
    "previous",
    "change",
    "change_pct",
];

/// The summary metrics compared, in order.
const HEADLINE: &[&str] = &[
    "first_day",
    "last_day",
    "hits",
    "human_hits",
    "bot_hits",
    "opted_out",
    "page_views",
    "visits",
    "visitor_days",
    "visitors",
    "visitors_estimated",
    "bounce_rate",
    "visit_duration_mean_s",
    "downloads",
    "bytes",
];

/// The tables whose top rows are compared: (table, its number compared, the column of that number).
const TOP: &[(&str, &str)] = &[("pages", "page_views"), ("referrer_sites", "visits")];

/// The previous period of `range`: as long, ending where it starts. `None` unless both bounds are given
/// and of one kind (two dates, or two RFC 3339 times) with `since` before `until`.
pub(crate) fn previous(range: &TimeRange) -> Option<TimeRange> {
    match (range.since?, range.until?) {
        (Bound::Day(s), Bound::Day(u)) if s < u => Some(TimeRange {
            since: Some(Bound::Day(s - (u - s))),
            until: Some(Bound::Day(s)),
        }),
        (Bound::Instant { utc: s, offset }, Bound::Instant { utc: u, .. }) if s < u => {
            Some(TimeRange {
                since: Some(Bound::Instant {
                    utc: s - (u - s),
                    offset,
                }),
                until: range.since,
            })
        }
        _ => None,
    }
}

/// One number of the current period beside the previous period's.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareRow {
    /// `summary`, or the table of a top row (`pages`, `referrer_sites`).
    pub section: &'static str,
    /// The row's key (a path, a site); empty for the summary.
    pub key: String,
    /// The metric (`page_views`, `visits`, …).
    pub metric: &'static str,
    /// Its value in the current period.
    pub current: Cell,
    /// Its value in the previous period; `None` when the row is not there (absent, or folded into
    /// `(other)` in that period).
    pub previous: Option<Cell>,
}

impl CompareRow {
    /// `current − previous`, when both are numbers.
    pub fn change(&self) -> Option<f64> {
        Some(number(&self.current)? - number(self.previous.as_ref()?)?)
    }

    /// The change in percent of the previous value, when that is a number other than 0.
    pub fn change_pct(&self) -> Option<f64> {
        let prev = number(self.previous.as_ref()?)?;
        (prev != 0.0).then(|| self.change().map(|c| c / prev * 100.0))?
    }
}

fn number(c: &Cell) -> Option<f64> {
    match c {
        Cell::Int(n) => Some(*n as f64),
        Cell::Float(f) => Some(*f),
        Cell::Text(_) => None,
    }
}

/// The report's period beside the previous one: what `compare.csv` holds, and what the HTML page reads.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Comparison {
    /// The rows: the headline metrics, then the top rows of each compared table.
    pub rows: Vec<CompareRow>,
}

impl Comparison {
    /// Compares the reports of the current and the previous period, with the top `top` rows of each
    /// compared table of the current period.
    pub fn new(current: &Report, previous: &Report, top: usize) -> Comparison {
        let mut rows = Vec::new();
        let metrics = |r: &Report| -> Vec<(String, Cell)> {
            r.table("summary")
                .map(|t| {
                    t.rows
                        .iter()
                        .filter_map(|row| match row.as_slice() {
                            [Cell::Text(k), v] => Some((k.clone(), v.clone())),
                            _ => None,
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let (cur, prev) = (metrics(current), metrics(previous));
        let get =
            |m: &[(String, Cell)], k: &str| m.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        for metric in HEADLINE {
            if let Some(c) = get(&cur, metric) {
                rows.push(CompareRow {
                    section: "summary",
                    key: String::new(),
                    metric,
                    current: c,
                    previous: get(&prev, metric),
                });
            }
        }
        for (name, metric) in TOP {
            let (Some(c), p) = (current.table(name), previous.table(name)) else {
                continue;
            };
            let Some(col) = c.columns.iter().position(|x| x == metric) else {
                continue;
            };
            for row in c.rows.iter().take(top) {
                let key = match &row[0] {
                    Cell::Text(k) => k.clone(),
                    other => other.render(),
                };
                if key == super::report::OTHER {
                    continue;
                }
                let previous = p.and_then(|t| {
                    t.rows
                        .iter()
                        .find(|r| matches!(&r[0], Cell::Text(k) if *k == key))
                        .map(|r| r[col].clone())
                });
                rows.push(CompareRow {
                    section: name,
                    key,
                    metric,
                    current: row[col].clone(),
                    previous,
                });
            }
        }
        Comparison { rows }
    }

    /// The `compare` table.
    pub fn table(&self) -> Table {
        let opt = |x: Option<f64>| x.map_or(Cell::Text(String::new()), Cell::Float);
        Table {
            name: "compare",
            columns: COLUMNS,
            rows: self
                .rows
                .iter()
                .map(|r| {
                    vec![
                        Cell::Text(r.section.to_string()),
                        Cell::Text(r.key.clone()),
                        Cell::Text(r.metric.to_string()),
                        r.current.clone(),
                        r.previous.clone().unwrap_or(Cell::Text(String::new())),
                        opt(r.change()),
                        opt(r.change_pct()),
                    ]
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_previous_period_is_as_long_and_ends_where_the_current_starts() {
        let r = TimeRange {
            since: Some(Bound::Day(100)),
            until: Some(Bound::Day(107)),
        };
        let p = previous(&r).unwrap();
        assert_eq!(
            (p.since, p.until),
            (Some(Bound::Day(93)), Some(Bound::Day(100)))
        );
        assert!(previous(&TimeRange::default()).is_none());
        let open = TimeRange {
            since: Some(Bound::Day(100)),
            until: None,
        };
        assert!(previous(&open).is_none());
    }

    #[test]
    fn changes_are_differences_and_percentages_of_the_previous() {
        let row = CompareRow {
            section: "summary",
            key: String::new(),
            metric: "hits",
            current: Cell::Int(150),
            previous: Some(Cell::Int(100)),
        };
        assert_eq!((row.change(), row.change_pct()), (Some(50.0), Some(50.0)));
        let new = CompareRow {
            previous: None,
            ..row.clone()
        };
        assert_eq!((new.change(), new.change_pct()), (None, None));
        let from_zero = CompareRow {
            previous: Some(Cell::Int(0)),
            ..row
        };
        assert_eq!(
            (from_zero.change(), from_zero.change_pct()),
            (Some(150.0), None)
        );
    }
}
