//! `logveil prune`: its flags and their validation into a [`commands::prune::Config`].

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::commands;
use crate::commands::prune::Kind;
use crate::error::{EXIT_OK, Error};

/// The long help of `prune`.
pub(crate) const LONG: &str = "\
Delete the partials (report --partial) and the report directories (report --csv DIR/{date}) whose days are \
all more than --keep-days days before today (the machine's local date): a retention period, as privacy \
statements promise (\"kept two years, then deleted\").

Only what logveil wrote is touched, recognised by content, not by name: a partial by its header and by \
every line parsing as one (compressed partials too); a report directory by its YYYY-MM-DD name and by \
holding summary.csv and nothing but report tables. Other files, symbolic links (never followed) and \
directories of any other shape are left alone; directories are searched. A partial that holds no day is \
kept. Each path removed is printed on stdout; --dry-run prints what would go and removes nothing. \
To leave old partials out of a merge without deleting them, see merge --keep-days.";

/// The examples of `prune`.
pub(crate) const EXAMPLES: &str = "\
Examples:
  logveil prune /srv/partials /srv/stats --keep-days 730
  logveil prune /srv/partials --keep-days 90 --dry-run";

/// Options of `prune`.
#[derive(Debug, Args)]
pub(crate) struct PruneArgs {
    /// Directories to search (recursively; symbolic links are not followed).
    #[arg(value_name = "DIR", required = true)]
    pub dirs: Vec<PathBuf>,

    /// Remove what holds only days more than N days before today.
    #[arg(long, value_name = "N", required = true)]
    pub keep_days: u32,

    /// Print what would be removed; remove nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Print nothing to stderr but errors, for cron.
    #[arg(short, long)]
    pub quiet: bool,
}

impl PruneArgs {
    /// Validates the options into a [`commands::prune::Config`].
    pub(crate) fn config(&self) -> commands::prune::Config {
        commands::prune::Config {
            dirs: self.dirs.clone(),
            first_day: crate::analyze::range::local_today() - i64::from(self.keep_days),
            dry_run: self.dry_run,
        }
    }

    /// Runs `prune`: each path removed on stdout, then (unless `--quiet`) what was done on stderr.
    pub(crate) fn run(&self) -> Result<u8, Error> {
        let config = self.config();
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        let mut failed = None;
        let pruned = commands::prune::run(&config, &mut |path, _kind: Kind| {
            if failed.is_none() {
                if let Err(e) = writeln!(out, "{}", path.display()) {
                    failed = Some(e);
                }
            }
        })?;
        if let Some(source) = failed.or_else(|| out.flush().err()) {
            return Err(Error::Write {
                output: None,
                source,
            });
        }
        for (path, why) in pruned.damaged.iter().filter(|_| !self.quiet) {
            eprintln!(
                "logveil: prune: {}: left alone: starts like a partial but is not one ({why})",
                path.display()
            );
        }
        if !self.quiet {
            let n = self.keep_days;
            let [partials, dirs] = pruned.removed;
            let plural = |k: usize, one: &str, many: &str| {
                format!("{k} {}", if k == 1 { one } else { many })
            };
            eprintln!(
                "logveil: prune: {} {} and {} with days before {} (--keep-days {n}); kept {} newer",
                if self.dry_run {
                    "would remove"
                } else {
                    "removed"
                },
                plural(partials, "partial", "partials"),
                plural(dirs, "report directory", "report directories"),
                crate::analyze::time::labels(config.first_day).date,
                pruned.kept,
            );
        }
        Ok(EXIT_OK)
    }
}
