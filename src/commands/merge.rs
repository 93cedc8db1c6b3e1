//! `logveil merge`: combine partial reports (`report --partial`) and render them exactly like `report`.
//!
//! Each input holds one or more partials, one JSON document per line (so `cat *.partial | logveil merge -`
//! and the lines of a Spark job's output both work). Days are added up; a day found in two partials is an
//! error unless `--overlap` says what to do: `latest` keeps the partial written last for that day (a day
//! re-run replaces the old run), `add` adds them (slices of one day, e.g. Spark partitions).

use crate::analyze::compare::Comparison;
use crate::analyze::distinct::RunVisitors;
use crate::analyze::merge::{merge, read, recent, shared_days};
use crate::analyze::partial::{Aggregate, Undated};
use crate::analyze::render;
use crate::error::Error;
use crate::input::InputName;
use crate::output::report::ReportSink;

pub(crate) use crate::analyze::merge::Overlap;

/// Everything `merge` needs, validated.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// Inputs holding partials; `Stdin` for `-` or none given.
    pub inputs: Vec<InputName>,
    /// Days found in several partials.
    pub overlap: Overlap,
    /// Rows seen by fewer distinct visitors are folded into `(other)`. Across partials the distinct
    /// visitors of a row are a lower bound (the largest count of one partial), so merge folds at least
    /// what one report over the same logs would.
    pub min_visitors: u64,
    /// `--compare previous`: the current period's first day and the day after it (day numbers), and the
    /// top rows compared.
    pub compare: Option<(i64, i64, usize)>,
    /// `--keep-days N`: partials whose days are all before this day number (today − N) are left out.
    pub keep_from: Option<i64>,
}

/// What a merge made.
#[derive(Debug, Clone)]
pub(crate) struct Merged {
    /// With `--overlap add`: the days that were added from several partials. Their visitors and visits are
    /// upper bounds (a visitor whose lines are in two partials counts twice), which the caller reports.
    pub added_days: Vec<String>,
    /// Every partial's times were coarsened: durations could not be measured (their cells are empty).
    pub coarse: bool,
    /// With `--keep-days`: the partials left out because all their days were older.
    pub skipped: usize,
}

/// Runs `merge`: reads the partials, merges them, renders the report like `report` and writes it to every
/// sink (created beforehand by the caller).
pub(crate) fn run(config: &Config, sinks: Vec<Box<dyn ReportSink>>) -> Result<Merged, Error> {
    let sources = read(&config.inputs)?;
    let (sources, skipped) = match config.keep_from {
        Some(first) => recent(sources, first),
        None => (sources, 0),
    };
    if sources.is_empty() {
        // A report of nothing would pass for one of quiet days.
        return Err(Error::Merge(format!(
            "every partial given ({skipped}) holds only days older than --keep-days: nothing to merge"
        )));
    }
    let agg = merge(&sources, config.overlap)?;
    let report = match config.compare {
        None => render::render(&agg, config.min_visitors),
        Some((since, until, top)) => {
            let previous = days_of(&agg, since - (until - since), since, false);
            let current = days_of(&agg, since, until, true);
            let mut report = render::render(&current, config.min_visitors);
            let previous = render::render(&previous, config.min_visitors);
            report
                .tables
                .push(Comparison::new(&report, &previous, top).table());
            report
        }
    };
    for sink in sinks {
        let output = sink.path();
        sink.write(&report)
            .map_err(|source| Error::Write { output, source })?;
    }
    let added_days = match config.overlap {
        Overlap::Add => shared_days(&sources),
        Overlap::Error | Overlap::Latest => Vec::new(),
    };
    Ok(Merged {
        added_days,
        coarse: crate::analyze::coarse::is_coarse(&agg.undated),
        skipped,
    })
}

/// The days `from..to` of a merged aggregate, with the lines of no day when `undated`. The run-wide
/// distinct visitors per row are those of single days (a lower bound, so rows fold at least as much as
/// in a merge of these days alone: the partials' own counts may include the other period's visitors).
fn days_of(agg: &Aggregate, from: i64, to: i64, undated: bool) -> Aggregate {
    let days: std::collections::BTreeMap<_, _> = agg
        .days
        .range(from..to)
        .map(|(d, day)| (*d, day.clone()))
        .collect();
    let mut visitors = RunVisitors::default();
    for day in days.values() {
        visitors.raise_day(day);
    }
    Aggregate {
        undated: if undated {
            agg.undated
        } else {
            Undated::default()
        },
        days,
        sketches_compatible: agg.sketches_compatible,
        visitors,
        exact: None,
        geo: agg.geo,
        site_hosts_given: agg.site_hosts_given,
        summed: Default::default(),
        prefolded: Default::default(),
    }
}
