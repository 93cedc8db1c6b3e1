//! `logveil merge`: its flags and their validation into a [`commands::merge::Config`] and the outputs.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::shared::{self, MinVisitorsArgs, OutputArgs, TopArgs};
use crate::commands;
use crate::commands::merge::Overlap;
use crate::error::{EXIT_OK, Error};
use crate::output::report::sinks::{self, Destinations};

/// The long help of `merge`.
pub(crate) const LONG: &str = "\
Combine partial reports made by `logveil report --partial` (nightly runs, servers, Spark partitions) into \
one report, rendered exactly like `report` renders one run.

A partial holds per-day tables at full resolution, so days add up exactly: merging the partials of seven \
days gives the tables of one report over the seven days' logs. Unique visitors per day are exact when each \
day lies in one partial; visitors over weeks, months and the whole range are estimated from HyperLogLog \
sketches (visitors_estimated, error about 1.6 %), and only when every partial was made with the same \
--sketch-key (otherwise those cells are empty). Each input may hold several partials, one per line.

A day found in several partials is refused unless --overlap says otherwise: 'latest' keeps the partial \
written last (a re-run night replaces the old one), 'add' adds them. With 'add', every hit, byte and page \
view count stays exact, but unique visitors and visits of such a day are OVER-COUNTED: each partial keys \
visitors under its own key, so a visitor whose lines are in two partials counts twice (a warning names the \
days). Split work by day (as scripts/spark-report.py does) to keep them exact.";

/// The examples of `merge`.
pub(crate) const EXAMPLES: &str = "\
Examples:
  logveil merge /srv/partials/2026-11-*.partial --csv /srv/stats/2026-11
  logveil merge week/*.partial --overlap latest --table days
  cat parts/*.partial | logveil merge - --overlap add --json report.json
  logveil merge month/*.partial --html month.html
  logveil merge /srv/partials/*.partial --keep-days 730 --csv /srv/stats/all

Without an output option, the text summary (--text) is printed when stdout is a terminal, the JSON \
document otherwise.";

/// `--overlap`: what `merge` does with a day found in several partials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OverlapArg {
    /// Stop with an error naming the day and both partials.
    Error,
    /// Keep the partial written last for that day (a re-run day replaces the old run).
    Latest,
    /// Add them (slices of one day, e.g. Spark partitions or servers): hit counts stay exact, but visitors and
    /// visits of such a day are over-counted when one visitor's lines are in several partials.
    Add,
}

/// Options of `merge`.
#[derive(Debug, Args)]
#[command(mut_args(output_help))]
pub(crate) struct MergeArgs {
    /// Partial files (one or more partials per file, one per line); none or '-' reads stdin.
    #[arg(value_name = "PARTIAL")]
    pub files: Vec<PathBuf>,

    /// Where the report goes (`--csv`, `--table`, `--json`, `--html`, `--text`).
    #[command(flatten)]
    pub output: OutputArgs,

    /// What to do with a day found in several partials.
    #[arg(long, value_enum, value_name = "HOW", default_value_t = OverlapArg::Error)]
    pub overlap: OverlapArg,

    /// `--min-visitors`.
    #[command(flatten)]
    pub min_visitors: MinVisitorsArgs,

    /// `--top`.
    #[command(flatten)]
    pub top: TopArgs,

    /// Leave out partials whose days are all more than N days before today (the machine's local date),
    /// saying how many; a retention period kept without deleting anything (see `logveil prune`).
    #[arg(long, value_name = "N")]
    pub keep_days: Option<u32>,

    /// Print nothing to stderr but errors (no --overlap add warning), for cron.
    #[arg(short, long)]
    pub quiet: bool,

    /// Compare the days --since..--until with as many days just before (all from the partials given):
    /// the report is of the current period, with compare.csv.
    #[arg(long, value_enum, value_name = "PERIOD", requires_all = ["since", "until"])]
    pub compare: Option<super::report::CompareArg>,

    /// The first day of the current period of --compare (YYYY-MM-DD, 'today', 'yesterday').
    #[arg(long, value_name = "DATE", requires = "compare")]
    pub since: Option<String>,

    /// The day after the current period of --compare (same forms).
    #[arg(long, value_name = "DATE", requires = "compare")]
    pub until: Option<String>,
}

/// `merge`'s own help for the shared `--csv` and `--table` (changed in place, so the order stays).
fn output_help(arg: clap::Arg) -> clap::Arg {
    match arg.get_id().as_str() {
        "csv" => arg.help("Write one CSV file per table into DIR (replaced atomically)"),
        "table" => arg.help("Write one table as CSV to stdout"),
        _ => arg,
    }
}

impl MergeArgs {
    /// Validates the options into a [`commands::merge::Config`].
    pub(crate) fn config(&self) -> Result<commands::merge::Config, Error> {
        let min_visitors = self.min_visitors.min_visitors()?;
        self.output.check()?;
        Ok(commands::merge::Config {
            inputs: shared::inputs(&self.files),
            overlap: match self.overlap {
                OverlapArg::Error => Overlap::Error,
                OverlapArg::Latest => Overlap::Latest,
                OverlapArg::Add => Overlap::Add,
            },
            min_visitors,
            compare: self.compare_days()?,
            keep_from: self
                .keep_days
                .map(|n| crate::analyze::range::local_today() - i64::from(n)),
        })
    }

    /// `--compare previous --since --until`: the day numbers of the current period, and the top rows.
    fn compare_days(&self) -> Result<Option<(i64, i64, usize)>, Error> {
        let (Some(_), Some(since), Some(until)) = (self.compare, &self.since, &self.until) else {
            return Ok(None);
        };
        use crate::analyze::range::{Bound, local_today};
        let today = local_today();
        let day = |s: &str, name: &str| match Bound::parse(s, today) {
            Ok(Bound::Day(d)) => Ok(d),
            Ok(_) => Err(Error::Usage(format!(
                "{name}: partials hold whole days: give a date"
            ))),
            Err(e) => Err(Error::Usage(format!("{name}: {e}"))),
        };
        let (s, u) = (day(since, "--since")?, day(until, "--until")?);
        if s >= u {
            return Err(Error::Usage("--since must be before --until".into()));
        }
        Ok(Some((s, u, self.top.top)))
    }

    /// Validates the outputs (`{date}` is not filled in `merge`).
    pub(crate) fn destinations(&self) -> Result<Destinations, Error> {
        self.output.destinations(self.top.top)
    }

    /// Runs `merge`: the config, the outputs (created before any partial is read), the run, and the warning
    /// about days added from several partials.
    pub(crate) fn run(&self) -> Result<u8, Error> {
        let config = self.config()?;
        let sinks = sinks::create(&self.destinations()?)?;
        let merged = commands::merge::run(&config, sinks)?;
        if let (false, Some(n)) = (self.quiet, self.keep_days) {
            eprintln!(
                "logveil: merge: skipped {} {} whose days are all older than {n} days (--keep-days {n})",
                merged.skipped,
                if merged.skipped == 1 {
                    "partial"
                } else {
                    "partials"
                }
            );
        }
        if !self.quiet && !merged.added_days.is_empty() {
            eprintln!(
                "logveil: merge: {} added from several partials (--overlap add): hit counts are exact, \
                 visitors and visits of these days are upper bounds",
                day_list(&merged.added_days)
            );
        }
        if !self.quiet && merged.coarse {
            eprintln!("logveil: warning: {}", crate::error::Warning::CoarseTimes);
        }
        Ok(EXIT_OK)
    }
}

/// "day 2026-11-22" or "3 days (2026-11-20 … 2026-11-22)".
fn day_list(days: &[String]) -> String {
    match days {
        [one] => format!("day {one}"),
        [first, .., last] => format!("{} days ({first} … {last})", days.len()),
        [] => "no day".to_string(),
    }
}
