//! `logveil merge`: combine partial reports (`report --partial`) and render them exactly like `report`.
//!
//! Each input holds one or more partials, one JSON document per line (so `cat *.partial | logveil merge -`
//! and the lines of a Spark job's output both work). Days are added up; a day found in two partials is an
//! error unless `--overlap` says what to do: `latest` keeps the partial written last for that day (a day
//! re-run replaces the old run), `add` adds them (slices of one day, e.g. Spark partitions).

use crate::analyze::merge::{merge, read, shared_days};
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
}

/// What a merge made.
#[derive(Debug, Clone)]
pub(crate) struct Merged {
    /// With `--overlap add`: the days that were added from several partials. Their visitors and visits are
    /// upper bounds (a visitor whose lines are in two partials counts twice), which the caller reports.
    pub added_days: Vec<String>,
}

/// Runs `merge`: reads the partials, merges them, renders the report like `report` and writes it to every
/// sink (created beforehand by the caller).
pub(crate) fn run(config: &Config, sinks: Vec<Box<dyn ReportSink>>) -> Result<Merged, Error> {
    let sources = read(&config.inputs)?;
    let agg = merge(&sources, config.overlap)?;
    let report = render::render(&agg, config.min_visitors);
    for sink in sinks {
        let output = sink.path();
        sink.write(&report)
            .map_err(|source| Error::Write { output, source })?;
    }
    let added_days = match config.overlap {
        Overlap::Add => shared_days(&sources),
        Overlap::Error | Overlap::Latest => Vec::new(),
    };
    Ok(Merged { added_days })
}
