//! The command line: clap definitions, and their validation into each command's `Config`.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::anonymize::{Policy, TimePrecision, UserAgentMode};
use crate::commands;
use crate::error::Error;
use crate::format::{Format, LineParser};
use crate::input::InputName;
use crate::output::ReportSink;
use crate::privacy::key::Key;
pub mod config_file;

use crate::privacy::{FieldPolicy, IpMode, IpPolicy, ParamPolicy, PathPolicy, Rules};

/// Turns web server access logs into privacy-safe data.
#[derive(Debug, Parser)]
#[command(name = "logveil", version, about, long_about = None)]
pub struct Cli {
    /// Read options from a TOML file (same names as the flags; flags given here win).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// The clap definition, with every option overriding an earlier occurrence of itself (how `--config`
/// values give way to flags on the command line).
pub fn command() -> clap::Command {
    Cli::command()
        .args_override_self(true)
        .mut_subcommands(|s| s.args_override_self(true))
}

/// Parses the process's command line, with the `--config` file's options if one is named. Help, version
/// and clap's usage errors end the process as clap does (exit 0 or 2).
pub fn parse() -> Result<Cli, Error> {
    parse_from(std::env::args_os().collect())
}

/// [`parse`] on the given arguments (the first is the program name).
pub fn parse_from(args: Vec<OsString>) -> Result<Cli, Error> {
    let matches = command()
        .try_get_matches_from(&args)
        .unwrap_or_else(|e| e.exit());
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let (Some(path), Some(sub)) = (&cli.config, matches.subcommand_name()) else {
        return Ok(cli);
    };
    let extra = config_file::arguments(path, &command(), sub)?;
    // The file's arguments go right after the subcommand's name, before the command line's own.
    let mut at = 1;
    while at < args.len() && args[at] != sub {
        at += if args[at] == "--config" { 2 } else { 1 };
    }
    let mut merged = args[..(at + 1).min(args.len())].to_vec();
    merged.extend(extra);
    merged.extend(args.iter().skip(at + 1).cloned());
    let matches = command()
        .try_get_matches_from(merged)
        .unwrap_or_else(|e| e.exit());
    Ok(Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit()))
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Rewrite access logs so they hold no personal data, keeping their format.
    #[command(long_about = ANONYMIZE_LONG, after_long_help = ANONYMIZE_EXAMPLES)]
    Anonymize(AnonymizeArgs),
    /// Aggregate access logs into privacy-safe statistics tables (CSV, JSON, terminal).
    #[command(long_about = REPORT_LONG, after_long_help = REPORT_EXAMPLES)]
    Report(Box<ReportArgs>),
    /// Audit any text file for personal data (exit 1 when some is found).
    #[command(long_about = CHECK_LONG, after_long_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Write a new random key file (mode 0600) for --ip-mode pseudonymize and crypto-pan.
    #[command(long_about = KEYGEN_LONG)]
    Keygen(KeygenArgs),
    /// List the log format presets and their definitions, or detect the format of files.
    #[command(after_long_help = FORMATS_EXAMPLES)]
    Formats(FormatsArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(after_long_help = COMPLETIONS_EXAMPLES)]
    Completions(CompletionsArgs),
    /// Print the manual page (roff) of logveil or of one subcommand.
    #[command(after_long_help = MAN_EXAMPLES)]
    Man(ManArgs),
    /// Combine partial reports (report --partial) into one report, rendered like `report`.
    #[command(long_about = MERGE_LONG, after_long_help = MERGE_EXAMPLES)]
    Merge(MergeArgs),
}

const FORMATS_EXAMPLES: &str = "\
Examples:
  logveil formats
  logveil formats --detect access.log u_ex250101.log";

/// Options of `formats`.
#[derive(Debug, Args)]
pub struct FormatsArgs {
    /// Detect the format of FILE instead of listing the presets: prints the format and the share of
    /// sampled lines it parses (repeatable).
    #[arg(long, value_name = "FILE")]
    pub detect: Vec<PathBuf>,
}

/// The format options shared by `anonymize` and `report`.
#[derive(Debug, Args)]
pub struct FormatArgs {
    /// Log format preset (see `logveil formats`); detected per file when not given.
    #[arg(short, long, value_name = "NAME", conflicts_with_all = ["log_format", "nginx_format"])]
    pub format: Option<Format>,

    /// An Apache LogFormat string, e.g. '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"'.
    #[arg(long, value_name = "STRING", conflicts_with = "nginx_format")]
    pub log_format: Option<String>,

    /// An nginx log_format body, e.g. '$remote_addr - $remote_user [$time_local] "$request" ...'.
    #[arg(long, value_name = "STRING")]
    pub nginx_format: Option<String>,
}

impl FormatArgs {
    /// The parser these options ask for (`None`: detect per input).
    pub fn parser(&self) -> Result<Option<LineParser>, Error> {
        use crate::format::spec::{Spec, Syntax};
        let compile = |s: &str, syntax| {
            Spec::compile(s, syntax)
                .map(LineParser::spec)
                .map_err(|e| Error::Usage(e.to_string()))
        };
        Ok(match (&self.format, &self.log_format, &self.nginx_format) {
            (Some(f), _, _) => Some(LineParser::forced(*f)),
            (_, Some(s), _) => Some(compile(s, Syntax::Apache)?),
            (_, _, Some(s)) => Some(compile(s, Syntax::Nginx)?),
            _ => None,
        })
    }
}

const MERGE_LONG: &str = "\
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

const MERGE_EXAMPLES: &str = "\
Examples:
  logveil merge /srv/partials/2026-11-*.partial --csv /srv/stats/2026-11
  logveil merge week/*.partial --overlap latest --table days
  cat parts/*.partial | logveil merge - --overlap add --json report.json";

/// `--overlap`: what `merge` does with a day found in several partials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OverlapArg {
    /// Stop with an error naming the day and both partials.
    Error,
    /// Keep the partial written last for that day (a re-run day replaces the old run).
    Latest,
    /// Add them (slices of one day, e.g. Spark partitions or servers): hit counts stay exact, but visitors and
    /// visits of such a day are over-counted when one visitor's lines are in several partials.
    Add,
}

/// The progress bar options shared by `anonymize` and `report`.
#[derive(Debug, Args)]
pub struct ProgressArgs {
    /// Show a progress bar on stderr from the start, whatever the input size (a bar shows only when stderr
    /// is a terminal; by default for inputs of 64 MiB or more, or once a run has lasted 2 s).
    #[arg(long, overrides_with = "no_progress")]
    pub progress: bool,

    /// Never show the progress bar.
    #[arg(long, overrides_with = "progress")]
    pub no_progress: bool,
}

impl ProgressArgs {
    /// The mode: none under `quiet`; by default none either when the output is a terminal (`to_terminal`),
    /// where the bar would be drawn among the lines.
    fn mode(&self, quiet: bool, to_terminal: bool) -> crate::output::progress::Mode {
        use crate::output::progress::Mode;
        if quiet || self.no_progress {
            Mode::Never
        } else if self.progress {
            Mode::Always
        } else if to_terminal {
            Mode::Never
        } else {
            Mode::Auto
        }
    }
}

/// Options of `merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Partial files (one or more partials per file, one per line); none or '-' reads stdin.
    #[arg(value_name = "PARTIAL")]
    pub files: Vec<PathBuf>,

    /// Write one CSV file per table into DIR (replaced atomically).
    #[arg(long, value_name = "DIR")]
    pub csv: Option<PathBuf>,

    /// Write one table as CSV to stdout.
    #[arg(long, value_name = "NAME")]
    pub table: Option<String>,

    /// Write all tables as one JSON document to FILE ('-': stdout).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,

    /// What to do with a day found in several partials.
    #[arg(long, value_enum, value_name = "HOW", default_value_t = OverlapArg::Error)]
    pub overlap: OverlapArg,

    /// Fold free-text rows seen by fewer distinct visitors of the run into '(other)' (1 turns it off).
    #[arg(long, value_name = "K", default_value_t = crate::analyze::DEFAULT_MIN_VISITORS)]
    pub min_visitors: u64,

    /// Rows per table in the terminal summary.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,

    /// Print nothing to stderr but errors (no --overlap add warning), for cron.
    #[arg(short, long)]
    pub quiet: bool,
}

impl MergeArgs {
    /// Validates the options into a [`commands::merge::Config`].
    pub fn config(&self) -> Result<commands::merge::Config, Error> {
        if self.min_visitors == 0 {
            return Err(Error::Usage("--min-visitors must be at least 1".into()));
        }
        check_table(self.table.as_deref(), self.json.as_deref())?;
        Ok(commands::merge::Config {
            inputs: inputs(&self.files),
            overlap: match self.overlap {
                OverlapArg::Error => commands::merge::Overlap::Error,
                OverlapArg::Latest => commands::merge::Overlap::Latest,
                OverlapArg::Add => commands::merge::Overlap::Add,
            },
            min_visitors: self.min_visitors,
        })
    }
}

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  logveil completions bash > /etc/bash_completion.d/logveil
  logveil completions zsh > \"${fpath[1]}/_logveil\"
  logveil completions fish > ~/.config/fish/completions/logveil.fish";

const MAN_EXAMPLES: &str = "\
Examples:
  logveil man | man -l -
  logveil man > /usr/local/share/man/man1/logveil.1
  logveil man anonymize > /usr/local/share/man/man1/logveil-anonymize.1";

/// Options of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// Options of `man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// A subcommand, for its own page (logveil-SUBCOMMAND(1)).
    #[arg(value_name = "SUBCOMMAND")]
    pub subcommand: Option<String>,
}

/// "day 2026-11-22" or "3 days (2026-11-20 … 2026-11-22)".
fn day_list(days: &[String]) -> String {
    match days {
        [one] => format!("day {one}"),
        [first, .., last] => format!("{} days ({first} … {last})", days.len()),
        [] => "no day".to_string(),
    }
}

/// `--table NAME` must name a table and not share stdout with `--json -`.
fn check_table(table: Option<&str>, json: Option<&std::path::Path>) -> Result<(), Error> {
    if let Some(t) = table {
        if !crate::analyze::report::TABLE_NAMES.contains(&t) {
            return Err(Error::Usage(format!(
                "unknown table '{t}'; tables: {}",
                crate::analyze::report::TABLE_NAMES.join(", ")
            )));
        }
        if json.is_some_and(|j| j.as_os_str() == "-") {
            return Err(Error::Usage(
                "--table and --json - both write to stdout".into(),
            ));
        }
    }
    Ok(())
}

/// Creates the report outputs, before any input is read; with none given, the terminal summary or JSON on
/// stdout unless `quiet_default` (another output, such as a partial, was asked for).
fn make_sinks(
    csv: Option<&std::path::Path>,
    table: Option<&str>,
    json: Option<&std::path::Path>,
    top: usize,
    quiet_default: bool,
) -> Result<Vec<Box<dyn ReportSink>>, Error> {
    use crate::output::csv::{CsvDir, CsvTable};
    use crate::output::json::Json;
    use crate::output::terminal::Terminal;
    let mut sinks: Vec<Box<dyn ReportSink>> = Vec::new();
    if let Some(dir) = csv {
        let sink = CsvDir::create(dir).map_err(|source| Error::Write {
            output: Some(dir.to_path_buf()),
            source,
        })?;
        sinks.push(Box::new(sink));
    }
    if let Some(name) = table {
        sinks.push(Box::new(CsvTable {
            name: name.to_string(),
        }));
    }
    if let Some(path) = json {
        let file = Some(path).filter(|p| p.as_os_str() != "-");
        let sink = Json::create(file).map_err(|source| Error::Write {
            output: file.map(|p| p.to_path_buf()),
            source,
        })?;
        sinks.push(Box::new(sink));
    }
    if sinks.is_empty() && !quiet_default {
        if std::io::stdout().is_terminal() {
            sinks.push(Box::new(Terminal { top }));
        } else {
            let sink = Json::create(None).map_err(|source| Error::Write {
                output: None,
                source,
            })?;
            sinks.push(Box::new(sink));
        }
    }
    Ok(sinks)
}

const KEYGEN_LONG: &str = "\
Write a new random key file for --ip-mode pseudonymize and crypto-pan.

The key is 32 bytes from the operating system's random generator, written as 64 hex digits, readable by \
its owner only (mode 0600). An existing file is never replaced. The key is never printed; keep the file \
secret, since whoever holds it can link pseudonyms back to addresses.";

/// Options of `keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Where to write the key (must not exist yet).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// `--user-agent`: what becomes of user agents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UserAgentArg {
    /// Kept (browser statistics need it), with IPs, emails and tokens inside it scrubbed.
    Keep,
    /// Only browser family, major version and OS: 'Chrome/32 (Windows 7)'.
    Generalize,
    /// Replaced with '-'.
    Drop,
}

/// `--time-precision`: how precise timestamps stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TimePrecisionArg {
    /// Unchanged.
    Second,
    /// Seconds set to 00.
    Minute,
    /// Minutes and seconds set to 00.
    Hour,
    /// Time of day set to 00:00:00.
    Day,
}

/// `--ip-mode`: what becomes of IP addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IpModeArg {
    /// Keep the network prefix (--ipv4-prefix, --ipv6-prefix): 192.168.100.50 -> 192.168.0.0.
    Truncate,
    /// A stable keyed pseudonym (BLAKE3) in a reserved range: IPv4 in 240.0.0.0/4, IPv6 in 100::/64.
    Pseudonymize,
    /// Prefix-preserving Crypto-PAn (AES-128), reversible by the key holder.
    CryptoPan,
    /// Replace every address with '-'.
    Drop,
}

impl From<IpModeArg> for IpMode {
    fn from(m: IpModeArg) -> IpMode {
        match m {
            IpModeArg::Truncate => IpMode::Truncate,
            IpModeArg::Pseudonymize => IpMode::Pseudonymize,
            IpModeArg::CryptoPan => IpMode::CryptoPan,
            IpModeArg::Drop => IpMode::Drop,
        }
    }
}

/// The IP options shared by `anonymize` and `report`.
#[derive(Debug, Args)]
pub struct IpArgs {
    /// Bits of an IPv4 address to keep (8-24).
    #[arg(long, value_name = "BITS", default_value_t = 16)]
    pub ipv4_prefix: u8,

    /// Bits of an IPv6 address to keep (16-64).
    #[arg(long, value_name = "BITS", default_value_t = 32)]
    pub ipv6_prefix: u8,

    /// What becomes of IP addresses.
    #[arg(long, value_enum, value_name = "MODE", default_value_t = IpModeArg::Truncate)]
    pub ip_mode: IpModeArg,

    /// Key for --ip-mode pseudonymize and crypto-pan (made by `logveil keygen FILE`).
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
}

impl IpArgs {
    /// Validates the options into an [`IpPolicy`], reading the key file when the mode needs one.
    pub fn policy(&self) -> Result<IpPolicy, Error> {
        let ip = IpPolicy::new(self.ipv4_prefix, self.ipv6_prefix)
            .map_err(|e| Error::Usage(e.to_string()))?;
        let mode = IpMode::from(self.ip_mode);
        let key = match (&self.key_file, mode.needs_key()) {
            (Some(path), true) => Some(Key::read(path).map_err(|e| Error::Usage(e.to_string()))?),
            (Some(_), false) => {
                return Err(Error::Usage(format!(
                    "--key-file is only used with --ip-mode pseudonymize or crypto-pan, not {}",
                    mode.name()
                )));
            }
            (None, _) => None,
        };
        ip.with_mode(mode, key.as_ref())
            .map_err(|e| Error::Usage(e.to_string()))
    }
}

const ANONYMIZE_LONG: &str = "\
Rewrite access logs so they hold no personal data, keeping their format.

Client IPs are reduced to a network (192.168.100.50 -> 192.168.0.0; IPv6 to /32), host names to their \
registrable domain, ident and user become '-', query values outside an allow-list are emptied, and email \
addresses and IPs anywhere in URLs, referrers and user agents are redacted or reduced. \
Fields of other meaning (headers, variables, JSON members, trailing fields) are allow-listed: each becomes \
'-' unless its name is on the list in docs/PRIVACY.md (Host, X-Forwarded-Proto, durations, sizes, \
statuses, TLS protocol and cipher...; X-Forwarded-For and Forwarded are reduced item by item). \
--keep-field and --drop-field change the list; cookies, Authorization, API keys, user headers, client \
certificates and bodies are never kept. Path segments that are UUIDs or long numbers become :uuid and :id, tokens, JWTs and card-like numbers \
become :token and :card, ;jsessionid= path parameters are removed, and referrers keep scheme, host and path \
(plus a search engine's keyword). One line in gives one line out, in order. A line that does not parse is \
scrubbed as free text and counted. See docs/PRIVACY.md for what is kept and why.

Output: stdout, or --output FILE. Reading files, FILE is written under a temporary name and renamed over \
the target when the run succeeds, so it never holds half a run. Reading stdin (a piped logger: Apache \
CustomLog \"|...\", tail -F, a FIFO), lines are appended to FILE as they come (--append does the same for \
files). Then SIGHUP reopens FILE after logrotate moved it, and SIGTERM or SIGINT end the run once what is \
already in the pipe is read and written (exit 0). --in-place rewrites rotated logs where they are: each \
file is replaced only once its anonymised copy is complete, so a run that fails or is killed leaves it \
as it was. See docs/OPERATIONS.md.";

const ANONYMIZE_EXAMPLES: &str = "\
Examples:
  logveil keygen /etc/logveil.key && logveil anonymize --ip-mode pseudonymize --key-file /etc/logveil.key access.log
  logveil anonymize access.log > access.anon.log
  logveil anonymize access.log.1 access.log.2.gz -o week.log
  logveil anonymize --in-place --quiet /var/log/nginx/access.log.1 /var/log/nginx/access.log.*.gz
  tail -F access.log | logveil anonymize --quiet
  CustomLog \"|/usr/bin/logveil anonymize --quiet -o /var/log/apache2/access.log\" combined";

const REPORT_LONG: &str = "\
Aggregate access logs into privacy-safe statistics tables.

Hits, page views, unique visitors per day (a keyed hash of IP, user agent and host under a random key that \
lives only in memory), visits (30 min), bounce rate, visit duration, time on page, entry and exit pages, \
external referrers, search engines and keywords, site-search terms, downloads, outlinks, browsers, OS, \
devices, anonymised networks, bots, status codes, 404 pages, time buckets and campaigns. Free-text rows \
seen by fewer than --min-visitors distinct visitors of the whole run (default 5) are folded into '(other)'. \
Tables and columns are defined in docs/REPORTS.md.

Without an output option, a readable summary is printed when stdout is a terminal, and the JSON document \
otherwise.

Inputs may come in any order (rotated logs newest first, several servers). Memory grows with distinct keys \
(pages, referrers, visitors of a day), not with lines: page views and downloads past --sort-events wait in \
sorted runs in --temp-dir (33 bytes each, in unnamed files that vanish when the run ends).";

const REPORT_EXAMPLES: &str = "\
Examples:
  logveil report access.log --csv stats/
  logveil report access.log.*.gz --site-host www.example.com --json report.json
  logveil report access.log --table pages | head
  zcat old.log.gz | logveil report --outlink-path /out --outlink-param url
  logveil report access.log.2.gz access.log.1 access.log --since yesterday --until today --csv /srv/stats/{date}

--since and --until take a date (2026-11-22: midnight in each line's own offset), an RFC 3339 time \
(2026-11-22T06:25:00+01:00), 'today' or 'yesterday' (the machine's local date; TZ is honoured). Lines outside \
are counted in summary.csv (excluded_before_since, excluded_after_until) and nothing else. '{date}' in the \
--csv and --json paths becomes the date of --since.";

/// Options of `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Input files (plain, .gz, .zst, .bz2 or .xz, told by their bytes); none or '-' reads stdin.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Write one CSV file per table into DIR (created if missing).
    #[arg(long, value_name = "DIR")]
    pub csv: Option<PathBuf>,

    /// Write one table as CSV to stdout (see docs/REPORTS.md for the names).
    #[arg(long, value_name = "NAME")]
    pub table: Option<String>,

    /// Write all tables as one JSON document to FILE ('-': stdout).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,

    /// How lines are parsed (`--format`, `--log-format`, `--nginx-format`).
    #[command(flatten)]
    pub format: FormatArgs,

    /// A host name of the site (repeatable): referrers from it are internal. Default: the request's host.
    #[arg(long, value_name = "HOST")]
    pub site_host: Vec<String>,

    /// Path of the outlink redirect endpoint (e.g. /out).
    #[arg(long, value_name = "PATH")]
    pub outlink_path: Option<String>,

    /// Query parameter of the outlink endpoint that holds the target URL.
    #[arg(long, value_name = "NAME", default_value = "url")]
    pub outlink_param: String,

    /// Fold free-text rows seen by fewer distinct visitors of the run into '(other)' (1 turns it off).
    #[arg(long, value_name = "K", default_value_t = crate::analyze::DEFAULT_MIN_VISITORS)]
    pub min_visitors: u64,

    /// What becomes of client addresses in the networks table.
    #[command(flatten)]
    pub ip: IpArgs,

    /// Rows per table in the terminal summary.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,

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

    /// Worker threads (default: all cores).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,

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
}

impl ReportArgs {
    /// Creates the `--partial` output, before any input is read.
    pub fn partial_out(&self) -> Result<Option<crate::output::partial::PartialOut>, Error> {
        let Some(path) = &self.partial else {
            return Ok(None);
        };
        let path = self.expand(path)?;
        let file = Some(path.as_path()).filter(|p| p.as_os_str() != "-");
        crate::output::partial::PartialOut::create(file)
            .map(Some)
            .map_err(|source| Error::Write {
                output: file.map(|p| p.to_path_buf()),
                source,
            })
    }

    /// `--since` and `--until`, parsed (`today` and `yesterday` against the machine's local date).
    fn range(&self) -> Result<crate::analyze::range::TimeRange, Error> {
        use crate::analyze::range::{Bound, TimeRange, local_today};
        let today = local_today();
        let parse = |opt: &Option<String>, name: &str| {
            opt.as_deref()
                .map(|s| Bound::parse(s, today).map_err(|e| Error::Usage(format!("{name}: {e}"))))
                .transpose()
        };
        Ok(TimeRange {
            since: parse(&self.since, "--since")?,
            until: parse(&self.until, "--until")?,
        })
    }

    /// An output path with `{date}` replaced by the date of `--since` (`YYYY-MM-DD`).
    pub fn expand(&self, path: &std::path::Path) -> Result<PathBuf, Error> {
        let text = path.to_string_lossy();
        if !text.contains("{date}") {
            return Ok(path.to_path_buf());
        }
        let Some(since) = self.range()?.since else {
            return Err(Error::Usage(format!(
                "{text}: {{date}} is the date of --since, which is not given"
            )));
        };
        let date = crate::analyze::time::labels(since.day()).date;
        Ok(PathBuf::from(text.replace("{date}", &date)))
    }

    /// Validates the options into a [`commands::report::Config`].
    pub fn config(&self) -> Result<commands::report::Config, Error> {
        let ip = self.ip.policy()?;
        if self.min_visitors == 0 {
            return Err(Error::Usage("--min-visitors must be at least 1".into()));
        }
        check_table(self.table.as_deref(), self.json.as_deref())?;
        if self.partial.as_ref().is_some_and(|p| p.as_os_str() == "-")
            && (self.table.is_some() || self.json.as_ref().is_some_and(|j| j.as_os_str() == "-"))
        {
            return Err(Error::Usage(
                "--partial - shares stdout with --table or --json -".into(),
            ));
        }
        let sketch_key = match &self.sketch_key {
            Some(path) => Some(
                *Key::read(path)
                    .map_err(|e| Error::Usage(e.to_string()))?
                    .bytes(),
            ),
            None => None,
        };
        if let Some(p) = &self.outlink_path {
            if !p.starts_with('/') {
                return Err(Error::Usage("--outlink-path must start with '/'".into()));
            }
        }
        Ok(commands::report::Config {
            inputs: inputs(&self.files),
            format: self.format.parser()?,
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
                min_visitors: self.min_visitors,
                range: self.range()?,
                max_line_bytes: max_line_bytes(self.max_line_bytes)?,
            },
            threads: threads(self.threads)?,
            sketch_key,
            progress: self.progress.mode(self.quiet, false),
            temp_dir: self.temp_dir.clone().unwrap_or_else(std::env::temp_dir),
            sort_events: self.sort_events,
        })
    }

    /// Creates the outputs, before any input is read.
    pub fn sinks(&self) -> Result<Vec<Box<dyn ReportSink>>, Error> {
        let csv = self.csv.as_ref().map(|d| self.expand(d)).transpose()?;
        let json = self.json.as_ref().map(|d| self.expand(d)).transpose()?;
        make_sinks(
            csv.as_deref(),
            self.table.as_deref(),
            json.as_deref(),
            self.top,
            self.partial.is_some(),
        )
    }
}

const CHECK_LONG: &str = "\
Audit any text file (logs, CSV, JSON, reports) for personal data left in it.

Finds full IPv4 addresses (bits set past --ipv4-prefix), IPv6 addresses with bits set past --ipv6-prefix \
(IPv4-mapped forms judged as IPv4), email addresses (also with %40), values of identifying query and path \
parameters (token, session ids, key, password, jsessionid, ...), JSON Web Tokens, card-like numbers \
(issuer prefix and Luhn) and long hex or base64 tokens. Prints FILE:LINE:COLUMN: KIND: VALUE per finding, \
the value masked (83.149.x.x, j***@***.com), never raw. Exits 1 when anything is found, 0 when clean. \
Pseudonyms made by `anonymize --ip-mode pseudonymize` (240.0.0.0/4, 100::/64) are not reported; \
crypto-pan output is, since the key holder can reverse it.";

const CHECK_EXAMPLES: &str = "\
Examples:
  logveil check access.anon.log
  logveil anonymize access.log | logveil check --summary
  logveil check report.csv report.json";

/// Options of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Input files (plain, .gz, .zst, .bz2 or .xz, told by their bytes); none or '-' reads stdin.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Print counts per kind instead of one line per finding.
    #[arg(short, long)]
    pub summary: bool,

    /// Check only the first BYTES of a longer line, and report the line as not checked (exit 1); memory
    /// stays bounded whatever the input holds (min 1024).
    #[arg(long, value_name = "BYTES", default_value_t = crate::input::DEFAULT_MAX_LINE_BYTES)]
    pub max_line_bytes: usize,

    /// An IPv4 address is full when it has bits set past this prefix (8-24).
    #[arg(long, value_name = "BITS", default_value_t = 16)]
    pub ipv4_prefix: u8,

    /// An IPv6 address is full when it has bits set past this prefix (16-64).
    #[arg(long, value_name = "BITS", default_value_t = 32)]
    pub ipv6_prefix: u8,

    /// Worker threads (default: all cores).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
}

impl CheckArgs {
    /// Validates the options into a [`commands::check::Config`].
    pub fn config(&self) -> Result<commands::check::Config, Error> {
        let ip = IpPolicy::new(self.ipv4_prefix, self.ipv6_prefix)
            .map_err(|e| Error::Usage(e.to_string()))?;
        Ok(commands::check::Config {
            inputs: inputs(&self.files),
            options: crate::privacy::detect::Options { ip },
            summary: self.summary,
            threads: threads(self.threads)?,
            max_line_bytes: max_line_bytes(self.max_line_bytes)?,
        })
    }
}

/// The inputs named on the command line; none means stdin.
fn inputs(files: &[PathBuf]) -> Vec<InputName> {
    if files.is_empty() {
        vec![InputName::Stdin]
    } else {
        files.iter().map(|f| InputName::from_arg(f)).collect()
    }
}

/// `--max-line-bytes`, at least [`crate::input::MIN_MAX_LINE_BYTES`].
fn max_line_bytes(given: usize) -> Result<usize, Error> {
    let min = crate::input::MIN_MAX_LINE_BYTES;
    if given < min {
        return Err(Error::Usage(format!(
            "--max-line-bytes must be at least {min}, not {given}"
        )));
    }
    Ok(given)
}

/// `--threads`, defaulting to all cores.
fn threads(given: Option<usize>) -> Result<usize, Error> {
    match given {
        Some(0) => Err(Error::Usage("--threads must be at least 1".into())),
        Some(n) => Ok(n),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

/// Options of `anonymize`.
#[derive(Debug, Args)]
pub struct AnonymizeArgs {
    /// Input files (plain, .gz, .zst, .bz2 or .xz, told by their bytes); none or '-' reads stdin.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Write to FILE instead of stdout: replaced atomically when the run succeeds if reading files,
    /// appended to line by line (and reopened on SIGHUP) if reading stdin or with --append.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Append to the --output file as lines come, even when reading files (the default for stdin).
    #[arg(long, requires = "output")]
    pub append: bool,

    /// Replace each FILE with its anonymised self, atomically, keeping mode, owner and compression
    /// (.gz stays gzip, .zst zstd, .bz2 bzip2, .xz xz). A file that is not text is left untouched.
    #[arg(long, conflicts_with_all = ["output", "append"])]
    pub in_place: bool,

    /// How lines are parsed (`--format`, `--log-format`, `--nginx-format`).
    #[command(flatten)]
    pub format: FormatArgs,

    /// What becomes of IP addresses.
    #[command(flatten)]
    pub ip: IpArgs,

    /// What becomes of user agents.
    #[arg(long, value_enum, value_name = "MODE", default_value_t = UserAgentArg::Keep)]
    pub user_agent: UserAgentArg,

    /// Coarsen timestamps to this precision.
    #[arg(long, value_enum, value_name = "UNIT", default_value_t = TimePrecisionArg::Second)]
    pub time_precision: TimePrecisionArg,

    /// Path segments of only digits, this many or more, become ':id' (4-64).
    #[arg(long, value_name = "N", default_value_t = crate::privacy::path::DEFAULT_MAX_DIGITS)]
    pub max_digits: usize,

    /// Also keep the values of this query parameter (repeatable; 'name*' is a prefix).
    #[arg(long, value_name = "NAME")]
    pub keep_param: Vec<String>,

    /// Declare personal path segments: in paths starting with PATTERN, each '*' segment becomes
    /// PLACEHOLDER ('/users/*=:user': /users/jo/edit -> /users/:user/edit; repeatable).
    #[arg(long, value_name = "PATTERN=PLACEHOLDER", value_parser = parse_path_rule)]
    pub path_rule: Vec<crate::privacy::PathRule>,

    /// Empty the values of this query parameter even if kept by default or by --keep-param (repeatable;
    /// 'name*' is a prefix).
    #[arg(long, value_name = "NAME")]
    pub drop_param: Vec<String>,

    /// Also keep this field of otherwise unknown meaning: a header, variable, JSON member or column name
    /// as logged ('X-Request-Id', '%{X-Request-Id}i', '$http_x_request_id', 'cs(X-Request-Id)' are the
    /// same; 'name*' is a prefix; repeatable). Cookies, Authorization, API keys, tokens, user headers,
    /// client certificates and bodies cannot be kept (usage error).
    #[arg(long, value_name = "NAME")]
    pub keep_field: Vec<String>,

    /// Drop this field even if kept by default or by --keep-field (repeatable; 'name*' is a prefix).
    #[arg(long, value_name = "NAME")]
    pub drop_field: Vec<String>,

    /// Stop with exit code 65 at the first line that does not parse or is too long.
    #[arg(long)]
    pub strict: bool,

    /// Cut lines longer than this many bytes (at a space, tab or quote, so no value is split) and scrub
    /// what is kept; memory stays bounded whatever the input holds (min 1024).
    #[arg(long, value_name = "BYTES", default_value_t = crate::input::DEFAULT_MAX_LINE_BYTES)]
    pub max_line_bytes: usize,

    /// Do not print the summary (nor a progress bar) to stderr.
    #[arg(short, long)]
    pub quiet: bool,

    /// When to show a progress bar (`--progress`, `--no-progress`).
    #[command(flatten)]
    pub progress: ProgressArgs,

    /// Worker threads (default: all cores).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
}

/// Parses one `--path-rule`.
fn parse_path_rule(s: &str) -> Result<crate::privacy::PathRule, String> {
    s.parse()
}

impl AnonymizeArgs {
    /// Validates the options into a [`commands::anonymize::Config`].
    pub fn config(&self) -> Result<commands::anonymize::Config, Error> {
        let ip = self.ip.policy()?;
        let digits = crate::privacy::path::MAX_DIGITS_RANGE;
        if !digits.contains(&self.max_digits) {
            return Err(Error::Usage(format!(
                "--max-digits must be between {} and {}, not {}",
                digits.start(),
                digits.end(),
                self.max_digits
            )));
        }
        let params = ParamPolicy::default()
            .with_kept(&self.keep_param)
            .with_dropped(&self.drop_param);
        let fields = FieldPolicy::default()
            .with_kept(&self.keep_field)
            .map_err(|e| Error::Usage(e.to_string()))?
            .with_dropped(&self.drop_field);
        let format = match self.format.parser()? {
            Some(p) => Some(
                p.with_fields(fields.clone())
                    .map_err(|e| Error::Usage(e.to_string()))?,
            ),
            None => None,
        };
        let inputs = inputs(&self.files);
        if self.in_place && (self.files.is_empty() || inputs.contains(&InputName::Stdin)) {
            return Err(Error::Usage(
                "--in-place rewrites files: name them (stdin cannot be rewritten)".into(),
            ));
        }
        let threads = threads(self.threads)?;
        let output = self.output.clone().filter(|p| p.as_os_str() != "-");
        let to_terminal = output.is_none() && !self.in_place && std::io::stdout().is_terminal();
        Ok(commands::anonymize::Config {
            append: output.is_some() && (self.append || inputs.contains(&InputName::Stdin)),
            in_place: self.in_place,
            signals: true,
            inputs,
            output,
            format,
            policy: Policy::new(Rules {
                ip,
                params,
                paths: PathPolicy {
                    max_digits: self.max_digits,
                    rules: self.path_rule.clone(),
                },
            })
            .with_user_agent(match self.user_agent {
                UserAgentArg::Keep => UserAgentMode::Keep,
                UserAgentArg::Generalize => UserAgentMode::Generalize,
                UserAgentArg::Drop => UserAgentMode::Drop,
            })
            .with_time_precision(match self.time_precision {
                TimePrecisionArg::Second => TimePrecision::Second,
                TimePrecisionArg::Minute => TimePrecision::Minute,
                TimePrecisionArg::Hour => TimePrecision::Hour,
                TimePrecisionArg::Day => TimePrecision::Day,
            })
            .with_fields(fields),
            strict: self.strict,
            threads,
            max_line_bytes: max_line_bytes(self.max_line_bytes)?,
            progress: self.progress.mode(self.quiet, to_terminal),
        })
    }
}

/// Runs the parsed command line, returning the exit code.
pub fn run(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        Command::Anonymize(args) => {
            let config = args.config()?;
            let quiet = args.quiet;
            let summary = commands::anonymize::run_warned(&config, &mut |w| {
                if !quiet {
                    eprintln!("logveil: warning: {w}");
                }
            })?;
            if !args.quiet {
                eprintln!("logveil: anonymize: {summary}");
            }
            Ok(crate::error::EXIT_OK)
        }
        Command::Report(args) => {
            let config = args.config()?;
            let sinks = args.sinks()?;
            let partial = args.partial_out()?;
            commands::report::run_with_partial(&config, sinks, partial)?;
            Ok(crate::error::EXIT_OK)
        }
        Command::Merge(args) => {
            let config = args.config()?;
            let sinks = make_sinks(
                args.csv.as_deref(),
                args.table.as_deref(),
                args.json.as_deref(),
                args.top,
                false,
            )?;
            let merged = commands::merge::run(&config, sinks)?;
            if !args.quiet && !merged.added_days.is_empty() {
                eprintln!(
                    "logveil: merge: {} added from several partials (--overlap add): hit counts are exact, \
                     visitors and visits of these days are upper bounds",
                    day_list(&merged.added_days)
                );
            }
            Ok(crate::error::EXIT_OK)
        }
        Command::Check(args) => {
            let config = args.config()?;
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::with_capacity(64 << 10, stdout.lock());
            let report = commands::check::run(&config, &mut out)?;
            Ok(if report.is_clean() {
                crate::error::EXIT_OK
            } else {
                crate::error::EXIT_FOUND
            })
        }
        Command::Keygen(args) => {
            Key::generate()
                .and_then(|k| k.write_new(&args.file))
                .map_err(|e| Error::Usage(e.to_string()))?;
            eprintln!(
                "logveil: keygen: wrote a new key to {}",
                args.file.display()
            );
            Ok(crate::error::EXIT_OK)
        }
        Command::Completions(args) => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            clap_complete::generate(args.shell, &mut command(), "logveil", &mut out);
            out.flush().map_err(|source| Error::Write {
                output: None,
                source,
            })?;
            Ok(crate::error::EXIT_OK)
        }
        Command::Man(args) => {
            let mut cmd = command();
            cmd.build();
            let page = match &args.subcommand {
                None => cmd,
                Some(name) => {
                    let sub = cmd.find_subcommand(name).cloned().ok_or_else(|| {
                        Error::Usage(format!("no subcommand '{name}' (see logveil --help)"))
                    })?;
                    let title = format!("logveil-{}", sub.get_name());
                    sub.name(title)
                }
            };
            let mut roff = Vec::new();
            let written = clap_mangen::Man::new(page)
                .render(&mut roff)
                .and_then(|()| std::io::stdout().lock().write_all(&roff));
            written.map_err(|source| Error::Write {
                output: None,
                source,
            })?;
            Ok(crate::error::EXIT_OK)
        }
        Command::Formats(args) => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            if !args.detect.is_empty() {
                for file in &args.detect {
                    commands::formats::detect_file(&InputName::from_arg(file), &mut out)?;
                }
                out.flush().map_err(|source| Error::Write {
                    output: None,
                    source,
                })?;
                return Ok(crate::error::EXIT_OK);
            }
            commands::formats::list(&mut out)
                .and_then(|()| out.flush())
                .map_err(|source| Error::Write {
                    output: None,
                    source,
                })?;
            Ok(crate::error::EXIT_OK)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn bad_prefix_is_a_usage_error() {
        let cli = Cli::try_parse_from(["logveil", "anonymize", "--ipv4-prefix", "30"]).unwrap();
        let Command::Anonymize(args) = cli.command else {
            unreachable!()
        };
        let err = args.config().unwrap_err();
        assert_eq!(err.exit_code(), crate::error::EXIT_USAGE);
    }

    #[test]
    fn report_options_are_validated() {
        let report = |args: &[&str]| {
            let cli = Cli::try_parse_from([&["logveil", "report"], args].concat()).unwrap();
            let Command::Report(args) = cli.command else {
                unreachable!()
            };
            args.config()
        };
        assert!(report(&["--min-visitors", "0"]).is_err());
        assert!(report(&["--table", "nope"]).is_err());
        assert!(report(&["--table", "pages", "--json", "-"]).is_err());
        assert!(report(&["--outlink-path", "out"]).is_err());
        let ok = report(&[
            "--site-host",
            "WWW.Example.com",
            "--min-visitors",
            "1",
            "--table",
            "pages",
        ])
        .unwrap();
        assert_eq!(ok.settings.site_hosts, vec!["www.example.com".to_string()]);
        assert_eq!(ok.settings.min_visitors, 1);
    }
}
