//! `logveil report`: its flags and their validation into a [`commands::report::Config`] and the outputs.

use std::path::PathBuf;

use clap::Args;

use super::shared::{
    self, FilterArgs, FormatArgs, GeoArgs, InputArgs, IpArgs, MinVisitorsArgs, OutputArgs,
    ProgressArgs, ThreadsArgs, TopArgs,
};
use crate::analyze::range::{Bound, TimeRange, local_today};
use crate::commands;
use crate::error::{EXIT_OK, Error};
use crate::output::report::page::Context;
use crate::output::report::sinks::{self, Destinations};
use crate::privacy::Rules;
use crate::privacy::forwarded::TrustedProxies;
use crate::privacy::key::Key;

/// The long help of `report`.
pub(crate) const LONG: &str = "\
Aggregate access logs into privacy-safe statistics tables.

Hits, page views, unique visitors per day (a keyed hash of IP, user agent and host under a random key that \
lives only in memory), visits (30 min), bounce rate, visit duration, time on page, entry and exit pages, \
external referrers, search engines and keywords, site-search terms, downloads, outlinks, browsers, OS, \
devices, anonymised networks, bots, status codes, 404 pages, time buckets and campaigns. Free-text rows \
seen by fewer than --min-visitors distinct visitors of the whole run (default 5) are folded into '(other)'. \
Tables and columns are defined in docs/REPORTS.md.

Without an output option, the text summary (--text) is printed when stdout is a terminal; when stdout is \
not a terminal (a pipe, a file, cron), the JSON document (--json -) is written instead, so scripts keep \
getting data: give --text to get the summary there too.

Inputs may come in any order (rotated logs newest first, several servers). Memory grows with distinct keys \
(pages, referrers, visitors of a day), not with lines: page views and downloads past --sort-events wait in \
sorted runs in --temp-dir (33 bytes each, in unnamed files that vanish when the run ends).";

/// The examples of `report`.
pub(crate) const EXAMPLES: &str = "\
Examples:
  logveil report access.log --csv stats/ --html stats.html
  logveil report access.log.1 --since yesterday --text | mail -s stats admin
  logveil report access.log.*.gz --site-host www.example.com --json report.json
  logveil report access.log --table pages | head
  zcat old.log.gz | logveil report --outlink-path /out --outlink-param url
  logveil report access.log.2.gz access.log.1 access.log --since yesterday --until today --csv /srv/stats/{date}

--since and --until take a date (2026-11-22: midnight in each line's own offset), an RFC 3339 time \
(2026-11-22T06:25:00+01:00), 'today' or 'yesterday' (the machine's local date; TZ is honoured). Lines outside \
are counted in summary.csv (excluded_before_since, excluded_after_until) and nothing else. '{date}' in the \
--csv, --json and --html paths becomes the date of --since.";

/// `--compare`: what the report is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum CompareArg {
    /// The period of the same length just before --since.
    Previous,
}

/// Options of `report`.
#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// The inputs.
    #[command(flatten)]
    pub input: InputArgs,

    /// Where the report goes (`--csv`, `--table`, `--json`, `--html`, `--text`).
    #[command(flatten)]
    pub output: OutputArgs,

    /// How lines are parsed (`--format`, `--log-format`, `--nginx-format`).
    #[command(flatten)]
    pub format: FormatArgs,

    /// A host name of the site (repeatable): referrers from it are internal. Default: the request's host.
    #[arg(long, value_name = "HOST")]
    pub site_host: Vec<String>,

    /// Path of the outlink redirect endpoint (e.g. /out).
    #[arg(long, value_name = "PATH")]
    pub outlink_path: Option<String>,

    /// Page views of a visit that `paths.csv` shows, the rest marked '(more)' (1 to 10).
    #[arg(long, value_name = "N", default_value_t = crate::analyze::clicks::DEFAULT_PATH_DEPTH)]
    pub path_depth: usize,

    /// A goal: visits with a page view or download whose anonymised path matches GLOB ('*' crosses '/')
    /// convert (goals.csv, the conversions of paths.csv). Repeat for more goals.
    #[arg(long, value_name = "GLOB")]
    pub goal_path: Vec<String>,

    /// Query parameter of the outlink endpoint that holds the target URL.
    #[arg(long, value_name = "NAME", default_value = "url")]
    pub outlink_param: String,

    /// `--min-visitors`.
    #[command(flatten)]
    pub min_visitors: MinVisitorsArgs,

    /// What becomes of client addresses in the networks table.
    #[command(flatten)]
    pub ip: IpArgs,

    /// `--top`.
    #[command(flatten)]
    pub top: TopArgs,

    /// `--geoip`, `--geoip-max-age`.
    #[command(flatten)]
    pub geo: GeoArgs,

    /// `--exclude-ip`, `--exclude-path`, `--exclude-ua`, `--include-host`.
    #[command(flatten)]
    pub filter: FilterArgs,

    /// Compare with the previous period: as long as --since..--until (both needed), just before it, read
    /// from the same inputs (files, not stdin): compare.csv and the JSON member 'compare'.
    #[arg(long, value_enum, value_name = "PERIOD")]
    pub compare: Option<CompareArg>,

    /// Leave out the hits of user agents recognised as bots (counted as excluded_bots), so that status,
    /// hours and bytes count human traffic only.
    #[arg(long)]
    pub only_humans: bool,

    /// An address or CIDR network of a proxy (repeatable): in a client field listing several addresses
    /// (X-Forwarded-For), the visitor is the rightmost one outside these. Default: the private, loopback,
    /// link-local and shared ranges.
    #[arg(long, value_name = "CIDR")]
    pub trusted_proxy: Vec<String>,

    /// Keep only records at or after WHEN: a date (2026-11-22, midnight in the log's own offset), an RFC 3339
    /// time, 'today' or 'yesterday' (the machine's local date; TZ is honoured).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,

    /// Keep only records before WHEN (same forms as --since): '--since yesterday --until today' is
    /// yesterday.
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
    /// Count lines longer than this many bytes as `too_long` and leave them out of the tables; memory
    /// stays bounded whatever the input holds (min 1024).
    #[arg(long, value_name = "BYTES", default_value_t = crate::input::DEFAULT_MAX_LINE_BYTES)]
    pub max_line_bytes: usize,

    /// Print nothing to stderr but errors (no progress bar), for cron.
    #[arg(short, long)]
    pub quiet: bool,

    /// When to show a progress bar (`--progress`, `--no-progress`).
    #[command(flatten)]
    pub progress: ProgressArgs,

    /// Also write a mergeable partial report to FILE ('-': stdout), one line of JSON (see `logveil merge`).
    #[arg(long, value_name = "FILE")]
    pub partial: Option<PathBuf>,

    /// Key file (made by `logveil keygen`) for the visitor sketches of partials, so that partials of
    /// different runs estimate visitors over weeks and months together. Default: random per run.
    #[arg(long, value_name = "FILE")]
    pub sketch_key: Option<PathBuf>,

    /// `--threads`.
    #[command(flatten)]
    pub threads: ThreadsArgs,

    /// Directory for the sorted runs of page views that do not fit the memory budget (unnamed files,
    /// gone when the run ends). Default: $TMPDIR, else /tmp; if /tmp is a tmpfs, a disk directory such as
    /// /var/tmp keeps them out of memory.
    #[arg(long, value_name = "DIR")]
    pub temp_dir: Option<PathBuf>,

    /// Page views and downloads held in memory (40 bytes each) before they are sorted and written to
    /// --temp-dir; visits are built from them at the end.
    #[arg(long, value_name = "N", default_value_t = crate::analyze::spill::SPILL_EVENTS,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub sort_events: usize,

    /// Stage 1 of a sharded job (docs/SCALE.md): analyse the inputs, then write their pseudonymous event
    /// stream, cut by visitor into --shards shards, to FILE ('-': stdout) instead of a report. Needs
    /// --job-key.
    #[arg(long, value_name = "FILE", requires = "job_key",
          conflicts_with_all = ["partial", "compare", "from_events", "csv", "table", "json", "html", "text"])]
    pub emit_events: Option<PathBuf>,

    /// Shards of a sharded job (--emit-events): a visitor's whole history goes to one shard.
    #[arg(long, value_name = "N", default_value_t = 1, requires = "emit_events",
          value_parser = clap::value_parser!(u32).range(1..=65536))]
    pub shards: u32,

    /// Key file (made by `logveil keygen`) of a sharded job (--emit-events): every process of the job
    /// hashes visitors under it, so one person has one hash in all of them. Delete it when the job ends.
    #[arg(long, value_name = "FILE", requires = "emit_events")]
    pub job_key: Option<PathBuf>,

    /// Parse as if detection had picked NAME (with its family's fallbacks, unlike --format): how a
    /// sharded job's driver hands every slice the format it detected once (--emit-events).
    #[arg(long, value_name = "NAME", requires = "emit_events",
          conflicts_with_all = ["format", "log_format", "nginx_format"])]
    pub as_detected: Option<crate::format::Format>,

    /// Stage 2 of a sharded job: the inputs are one shard's event stream (from --emit-events), not logs;
    /// the report (or --partial) covers that shard, and `logveil merge` adds the shards exactly. The
    /// analysis flags (--site-host, filters, --since, --geoip, ...) act in stage 1, not here.
    #[arg(long)]
    pub from_events: bool,
}

impl ReportArgs {
    /// `--since` and `--until`, parsed (`today` and `yesterday` against the machine's local date).
    fn range(&self) -> Result<TimeRange, Error> {
        let today = local_today();
        let parse = |opt: &Option<String>, name: &str| {
            opt.as_deref()
                .map(|s| Bound::parse(s, today).map_err(|e| Error::Usage(format!("{name}: {e}"))))
                .transpose()
        };
        let range = TimeRange {
            since: parse(&self.since, "--since")?,
            until: parse(&self.until, "--until")?,
        };
        range.check().map_err(Error::Usage)?;
        Ok(range)
    }

    /// Validates the options into a [`commands::report::Config`].
    pub(crate) fn config(&self) -> Result<commands::report::Config, Error> {
        let ip = self.ip.policy()?;
        let min_visitors = self.min_visitors.min_visitors()?;
        self.output.check()?;
        if self.partial.as_ref().is_some_and(|p| p.as_os_str() == "-") {
            if let Some(other) = self.output.on_stdout().first() {
                return Err(Error::Usage(format!(
                    "--partial - and {other} both write to stdout"
                )));
            }
        }
        // The sketch key goes into the config as bytes, so it is read here, by the one function that
        // reads key files.
        let sketch_key = match &self.sketch_key {
            Some(path) => Some(*Key::read(path)?.bytes()),
            None => None,
        };
        if let Some(p) = &self.outlink_path {
            if !p.starts_with('/') {
                return Err(Error::Usage("--outlink-path must start with '/'".into()));
            }
        }
        let compare = match self.compare {
            None => None,
            Some(CompareArg::Previous) => {
                let range = self.range()?;
                let previous = crate::analyze::compare::previous(&range).ok_or_else(|| {
                    Error::Usage(
                        "--compare previous needs --since and --until, two dates or two RFC 3339 times \
                         (the previous period is as long, just before --since)"
                            .into(),
                    )
                })?;
                if self
                    .input
                    .inputs()
                    .contains(&crate::input::InputName::Stdin)
                {
                    return Err(Error::Usage(
                        "--compare previous reads the inputs twice: name files, not stdin".into(),
                    ));
                }
                Some((previous, self.top.top))
            }
        };
        if self.output.table.as_deref() == Some("goals") && self.goal_path.is_empty() {
            return Err(Error::Usage("--table goals needs --goal-path".into()));
        }
        let emit_events = match &self.emit_events {
            None => None,
            Some(path) => {
                let job = self.job_key.as_ref().ok_or_else(|| {
                    Error::Usage("--emit-events needs --job-key (made by `logveil keygen`)".into())
                })?;
                Some(commands::report::EmitEvents {
                    path: (path.as_os_str() != "-").then(|| path.clone()),
                    shards: self.shards,
                    job_key: *Key::read(job)?.bytes(),
                })
            }
        };
        let geoip = self.geo.open()?;
        if let Some(t) = self.output.table.as_deref() {
            let has = |kind: fn(&crate::geo::GeoIp) -> bool| geoip.as_ref().is_some_and(kind);
            let missing = match t {
                "countries" => !has(crate::geo::GeoIp::has_countries),
                "regions" => !has(crate::geo::GeoIp::has_regions),
                "asn" => !has(crate::geo::GeoIp::has_asn),
                _ => false,
            };
            if missing {
                return Err(Error::Usage(format!(
                    "--table {t} needs --geoip with a {} database",
                    match t {
                        "asn" => "ASN",
                        "regions" => "City",
                        _ => "country or City",
                    }
                )));
            }
        }
        Ok(commands::report::Config {
            inputs: self.input.inputs(),
            format: match self.as_detected {
                Some(f) => Some(crate::format::LineParser::detected(f)),
                None => self.format.parser()?,
            },
            settings: crate::analyze::Settings {
                rules: Rules {
                    ip,
                    ..Rules::default()
                },
                site_hosts: self
                    .site_host
                    .iter()
                    .map(|h| h.to_ascii_lowercase())
                    .collect(),
                outlink_path: self.outlink_path.clone(),
                outlink_param: self.outlink_param.clone(),
                min_visitors,
                for_partial: self.partial.is_some() || self.emit_events.is_some(),
                range: self.range()?,
                max_line_bytes: shared::max_line_bytes(self.max_line_bytes)?,
                geoip,
                filters: self.filter.filters()?,
                only_humans: self.only_humans,
                // A shard's paths are bounded by `merge`, once its job's shards are added.
                clicks: crate::analyze::clicks::Clicks::new(self.path_depth, &self.goal_path)
                    .map_err(Error::Usage)?
                    .with_bounded_paths(!self.from_events),
                trusted_proxies: TrustedProxies::new(&self.trusted_proxy).map_err(Error::Usage)?,
            },
            threads: self.threads.threads()?,
            sketch_key,
            progress: self.progress.mode(self.quiet, false),
            temp_dir: self.temp_dir.clone().unwrap_or_else(std::env::temp_dir),
            sort_events: self.sort_events,
            compare,
            emit_events,
            from_events: self.from_events,
        })
    }

    /// Validates the outputs: where the report goes, with `{date}` the date of `--since` (`YYYY-MM-DD`).
    pub(crate) fn destinations(&self) -> Result<Destinations, Error> {
        let date = self
            .range()?
            .since
            .map(|since| crate::analyze::time::labels(since.day()).date);
        for path in [
            &self.output.csv,
            &self.output.json,
            &self.output.html,
            &self.partial,
        ] {
            shared::check_date(path.as_ref(), date.as_deref())?;
        }
        let range = self.range()?;
        // A bound as the page says it: a date as a date, a time as it was given.
        let label = |bound: Option<Bound>, given: &Option<String>| match bound? {
            Bound::Day(d) => Some(crate::analyze::time::labels(d).date),
            Bound::Instant { .. } => given.clone(),
        };
        Ok(Destinations {
            date,
            quiet_default: self.partial.is_some() || self.emit_events.is_some(),
            context: Context {
                site: self.site_host.first().cloned(),
                since: label(range.since, &self.since),
                until: label(range.until, &self.until),
            },
            ..self.output.destinations(self.top.top)?
        })
    }

    /// Runs `report`: the config, then the outputs (created before any input is read), then the run.
    pub(crate) fn run(&self) -> Result<u8, Error> {
        let config = self.config()?;
        let to = self.destinations()?;
        let report = sinks::create(&to)?;
        let partial = match &self.partial {
            Some(path) => Some(sinks::partial(path, to.date.as_deref())?),
            None => None,
        };
        let quiet = self.quiet;
        if let Some(note) = self.format.note().filter(|_| !quiet) {
            eprintln!("{note}");
        }
        shared::hint_if_terminal_stdin(&config.inputs, quiet);
        commands::report::run_with_partial(&config, report, partial, &mut |w| {
            if !quiet {
                eprintln!("logveil: warning: {w}");
            }
        })?;
        Ok(EXIT_OK)
    }
}
