//! Rendering: [`render`] turns an [`Aggregate`] (per-day tables, of one run or of merged partials) into a
//! [`Report`]: sums over days, then builds every table of the registry ([`super::catalog::TABLES`]) from
//! its rows ([`super::rows`]), folding rare rows into `(other)` and sorting as the table's [`Fold`] says.
//! `report` and `merge` share it.

use std::borrow::Cow;

use rayon::prelude::*;

use super::Settings;
use super::catalog::{Fold, TABLES, TableSpec};
use super::partial::{Aggregate, Day};
use super::report::{OTHER, Report, Table};
use super::rows::{Keyed, ReportRow, RowSource};
use super::tables::Tables;
use super::visits::aggregate;

/// What the rows of every table are read from: the aggregate, its days summed, the fold threshold, and
/// the rows each folding table folded so far (the summary lists them).
pub(crate) struct Totals<'a> {
    /// The per-day tables and the run's distinct visitors per row.
    pub(crate) agg: &'a Aggregate,
    /// Every day summed.
    pub(crate) total: Cow<'a, Day>,
    /// `--min-visitors` (at least 1).
    pub(crate) min: u64,
    /// The summary metric of each folding table built so far, with the rows it folded.
    pub(crate) folded: Vec<(&'static str, u64)>,
    /// Referring sites taken as the site itself (see [`super::internal`]), left out of the referrer tables.
    pub(crate) internal_sites: std::collections::BTreeSet<String>,
}

/// Builds the report of one run from its merged tables: [`aggregate`], then [`render`].
pub fn finish(t: Tables, settings: &Settings) -> Report {
    let mut agg = aggregate(t, settings.min_visitors);
    agg.site_hosts_given = !settings.site_hosts.is_empty();
    render(&agg, settings.min_visitors)
}

/// Renders per-day tables into the report: sums over days, folds rows seen by fewer than `min_visitors`
/// distinct visitors of the run (`Aggregate::visitors`), sorts. Bots are not folded: their names come
/// from closed lists (ours and the UA parser's) or are fixed labels, never free text of a user agent.
/// The tables are built in parallel on the current rayon pool.
pub fn render(agg: &Aggregate, min_visitors: u64) -> Report {
    // One day is its own total (most reports): borrowed, not copied. Rows summed already are added.
    // When the days hold none of the rows the internal sites are inferred from (rows summed over the
    // run), they are inferred from the summed rows while the total is made.
    let infer_early = !agg.site_hosts_given
        && (agg.days.values()).all(|d| {
            d.pages.is_empty() && d.downloads_by_path.is_empty() && d.referrer_pages.is_empty()
        });
    let (mut total, inferred) = match agg.days.values().collect::<Vec<_>>()[..] {
        [one] if agg.summed == Day::default() => (Cow::Borrowed(one), None),
        ref days => {
            let sum = || {
                let mut total = agg.summed.clone();
                for d in days {
                    total.add(d);
                }
                Cow::Owned(total)
            };
            if infer_early {
                let (total, sites) = rayon::join(sum, || super::internal::infer(&agg.summed));
                (total, Some(sites))
            } else {
                (sum(), None)
            }
        }
    };
    let internal_sites = match inferred {
        _ if agg.site_hosts_given => Default::default(),
        Some(sites) => {
            super::internal::remove(&mut total, &sites);
            sites
        }
        None => super::internal::apply(&mut total),
    };
    let mut totals = Totals {
        agg,
        total,
        min: min_visitors.max(1),
        folded: Vec::new(),
        internal_sites,
    };
    let mut tables: Vec<Option<Table>> = vec![None; TABLES.len()];
    let wanted = |spec: &TableSpec, metrics: bool| {
        matches!(spec.rows, RowSource::Metrics(_)) == metrics && super::catalog::shown(spec, agg)
    };
    // The summary lists what the other tables folded: it is built after them. They read only the
    // aggregate: built in parallel (on the current pool), their folds listed in the registry's order.
    let mut built: Vec<Option<(Table, Option<u64>)>> = TABLES
        .par_iter()
        .map(|spec| wanted(spec, false).then(|| build(spec, &totals)))
        .collect();
    for metrics in [false, true] {
        for ((spec, slot), done) in TABLES.iter().zip(&mut tables).zip(&mut built) {
            if !wanted(spec, metrics) {
                continue;
            }
            let (table, folded) = match done.take() {
                Some(done) => done,
                None => build(spec, &totals),
            };
            if let (Some(counter), Some(n)) = (spec.fold.counter(), folded) {
                let before = agg.prefolded.get(counter).copied().unwrap_or(0);
                totals.folded.push((counter, n + before));
            }
            *slot = Some(table);
        }
    }
    let mut report = Report {
        tables: tables.into_iter().flatten().collect(),
    };
    if super::coarse::is_coarse(&agg.undated) {
        super::coarse::blank_durations(&mut report);
    }
    report
}

/// The table of `spec`, and how many rows it folded.
fn build(spec: &'static TableSpec, t: &Totals) -> (Table, Option<u64>) {
    let columns = match (&t.agg.exact, spec.estimated) {
        (None, Some(estimated)) => estimated,
        _ => spec.columns,
    };
    match spec.rows {
        RowSource::Metrics(rows) => lay_out(spec, columns, rows(t), t.min),
        RowSource::Pages(rows) => lay_out(spec, columns, rows(t), t.min),
        RowSource::Entries(rows) => lay_out(spec, columns, rows(t), t.min),
        RowSource::Exits(rows) => lay_out(spec, columns, rows(t), t.min),
        RowSource::Counts(rows) => lay_out(spec, columns, rows(t), t.min),
        RowSource::Downloads(rows) => lay_out(spec, columns, rows(t), t.min),
        RowSource::Clients(rows) => lay_out(spec, columns, rows(t), t.min),
        RowSource::Hours(rows) => lay_out(spec, columns, rows(t), t.min),
        RowSource::Days(rows) => lay_out(spec, columns, rows(t), t.min),
        RowSource::Periods(rows) => lay_out(spec, columns, rows(t), t.min),
        RowSource::Statuses(rows) => lay_out(spec, columns, rows(t), t.min),
        RowSource::Bots(rows) => lay_out(spec, columns, rows(t), t.min),
        RowSource::Requests(rows) => lay_out(spec, columns, rows(t), t.min),
        RowSource::Places(rows) => lay_out(spec, columns, rows(t), t.min),
        RowSource::Paths(rows) => lay_out(spec, columns, rows(t), t.min),
        RowSource::Goals(rows) => lay_out(spec, columns, rows(t), t.min),
    }
}

/// Folds and orders `rows` as `spec` says and turns them into cells; returns the table and how many rows
/// were folded (`None` for a table that never folds).
fn lay_out<R: ReportRow>(
    spec: &'static TableSpec,
    columns: &'static [&'static str],
    mut rows: Vec<Keyed<R>>,
    min: u64,
) -> (Table, Option<u64>) {
    let folded = match spec.fold {
        Fold::Rare { .. } => {
            let (kept, n) = fold(rows, min, 0);
            rows = kept;
            Some(n)
        }
        Fold::RareInGroup { keep, group, .. } => {
            let (kept, n) = fold_in_groups(rows, min, keep, group);
            rows = kept;
            Some(n)
        }
        Fold::Never => {
            sort_by_rank(&mut rows);
            None
        }
        Fold::NeverInOrder => None,
    };
    let table = Table {
        name: spec.name,
        columns,
        rows: (rows.into_iter())
            .map(|r| r.into_cells(columns.len()))
            .collect(),
    };
    (table, folded)
}

/// Rank descending, then as the row type breaks ties (by key).
fn sort_by_rank<R: ReportRow>(rows: &mut [Keyed<R>]) {
    rows.sort_by(|a, b| b.row.rank().cmp(&a.row.rank()).then_with(|| R::tie(a, b)));
}

/// Folds rows with fewer than `min` distinct visitors into one `(other)` row (numbers summed, visitor-days
/// summed: an upper bound) whose key keeps the first `group` key columns of the rows it folds, sorts the
/// rest ([`sort_by_rank`]) and puts `(other)` last. Returns the rows and how many were folded: a row that
/// is an `(other)` row already (a day's paths past `clicks::PATHS_PER_DAY`) joins it uncounted.
fn fold<R: ReportRow>(rows: Vec<Keyed<R>>, min: u64, group: usize) -> (Vec<Keyed<R>>, u64) {
    let mut kept = Vec::new();
    let mut other: Option<Keyed<R>> = None;
    let mut folded = 0;
    for r in rows {
        if r.distinct >= min || min <= 1 {
            kept.push(r);
            continue;
        }
        folded += u64::from(!r.key.iter().all(|k| k == OTHER));
        let o = other.get_or_insert_with(|| Keyed {
            key: (r.key.iter().enumerate())
                .map(|(i, k)| {
                    if i < group {
                        k.clone()
                    } else {
                        OTHER.to_string()
                    }
                })
                .collect(),
            row: R::default(),
            distinct: 0,
        });
        o.row.add(&r.row);
    }
    sort_by_rank(&mut kept);
    kept.extend(other);
    (kept, folded)
}

/// [`Fold::RareInGroup`]: rows come grouped by their first `width` key columns; each group folds on its
/// own ([`fold`]), its rows whose last key is `keep` first and never folded. Then all rows sort:
/// `(other)` rows last, then rank descending, then key.
fn fold_in_groups<R: ReportRow>(
    rows: Vec<Keyed<R>>,
    min: u64,
    keep: &str,
    width: usize,
) -> (Vec<Keyed<R>>, u64) {
    let mut out = Vec::with_capacity(rows.len());
    let mut folded = 0;
    let mut rows = rows.into_iter().peekable();
    while let Some(first) = rows.next() {
        let mut group = vec![first];
        while let Some(r) = rows.next_if(|r| r.key.get(..width) == group[0].key.get(..width)) {
            group.push(r);
        }
        let (hidden, group): (Vec<_>, Vec<_>) = group
            .into_iter()
            .partition(|r| r.key.last().is_some_and(|k| k == keep));
        let (group, n) = fold(group, min, width);
        folded += n;
        out.extend(hidden);
        out.extend(group);
    }
    let is_other = |r: &Keyed<R>| r.key.last().is_some_and(|k| k == OTHER);
    out.sort_by(|a, b| {
        (is_other(a).cmp(&is_other(b)))
            .then(b.row.rank().cmp(&a.row.rank()))
            .then_with(|| a.key.cmp(&b.key))
    });
    (out, folded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::partial::Aggregate;

    #[test]
    fn every_table_of_the_registry_in_order_with_its_columns() {
        // A day with a goal's row, so that `goals` is shown too.
        let mut day = crate::analyze::partial::Day::default();
        day.goals.insert(
            "/thanks*\t(all)\t(all)".into(),
            crate::analyze::partial::Tally(0, 0),
        );
        let agg = Aggregate {
            undated: Default::default(),
            days: [(20_000, day)].into_iter().collect(),
            sketches_compatible: true,
            visitors: Default::default(),
            exact: Some(Default::default()),
            geo: crate::analyze::tables::GeoKinds {
                countries: true,
                regions: true,
                asn: true,
            },
            site_hosts_given: false,
            summed: Default::default(),
            prefolded: Default::default(),
        };
        let report = render(&agg, 5);
        let names: Vec<&str> = report.tables.iter().map(|t| t.name).collect();
        assert_eq!(names, crate::analyze::catalog::NAMES);
        // Without a --geoip database, the place tables are left out.
        let without = render(
            &Aggregate {
                geo: Default::default(),
                ..agg.clone()
            },
            5,
        );
        let names: Vec<&str> = without.tables.iter().map(|t| t.name).collect();
        assert!(names.len() + 3 == TABLES.len() && !names.contains(&"countries"));
        for (t, spec) in report.tables.iter().zip(TABLES) {
            assert_eq!(t.columns, spec.columns);
            assert!(
                t.rows.iter().all(|r| r.len() == spec.columns.len()),
                "{}",
                t.name
            );
        }
    }
}
