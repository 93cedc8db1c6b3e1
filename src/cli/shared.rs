//! Flags several subcommands share, each declared once and flattened into the commands that take it, with
//! the validation they share.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::error::Error;
use crate::format::{Format, LineParser};
use crate::input::InputName;
use crate::output::progress::Mode;
use crate::output::report::sinks::{self, Destinations};
use crate::privacy::{IpMode, IpPolicy};

/// The input files of `anonymize`, `report` and `check`.
#[derive(Debug, Args)]
pub(crate) struct InputArgs {
    /// Input files (plain, .gz, .zst, .bz2 or .xz, told by their bytes); none or '-' reads stdin.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

impl InputArgs {
    /// The inputs in order; none means stdin.
    pub(crate) fn inputs(&self) -> Vec<InputName> {
        inputs(&self.files)
    }
}

/// The inputs named on the command line; none means stdin.
pub(crate) fn inputs(files: &[PathBuf]) -> Vec<InputName> {
    if files.is_empty() {
        vec![InputName::Stdin]
    } else {
        files.iter().map(|f| InputName::from_arg(f)).collect()
    }
}

/// Before reading a terminal: one line saying so, since nothing else would (`logveil report` typed alone
/// seems to hang otherwise). Not with `--quiet`, and never when stdin is a pipe or a file.
pub(crate) fn hint_if_terminal_stdin(inputs: &[InputName], quiet: bool) {
    use std::io::IsTerminal;
    if !quiet && inputs.contains(&InputName::Stdin) && std::io::stdin().is_terminal() {
        eprintln!("logveil: reading from standard input; Ctrl-D ends");
    }
}

/// Refuses an output file that is also an input: it would be replaced (or appended to) while read.
pub(crate) fn refuse_output_among_inputs(
    output: Option<&std::path::Path>,
    inputs: &[InputName],
) -> Result<(), Error> {
    use std::os::unix::fs::MetadataExt;
    let Some(output) = output else {
        return Ok(());
    };
    // The same file under another name (a link, `./x`) is the same device and inode.
    let Ok(out) = std::fs::metadata(output) else {
        return Ok(());
    };
    for input in inputs {
        let InputName::Path(path) = input else {
            continue;
        };
        if let Ok(m) = std::fs::metadata(path) {
            if (m.dev(), m.ino()) == (out.dev(), out.ino()) {
                return Err(Error::Usage(format!(
                    "-o {} is also an input: it would be overwritten while it is read \
                     (write elsewhere, or rewrite files with --in-place)",
                    output.display()
                )));
            }
        }
    }
    Ok(())
}

/// The format options shared by `anonymize` and `report`.
#[derive(Debug, Args)]
pub(crate) struct FormatArgs {
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
    pub(crate) fn parser(&self) -> Result<Option<LineParser>, Error> {
        use crate::format::spec::{Spec, Syntax};
        let compile = |s: &str, syntax| {
            Spec::compile(s, syntax)
                .map(LineParser::spec)
                .map_err(|e| Error::Usage(e.to_string()))
        };
        let preset = self
            .format
            .or_else(|| preset_named(self.log_format.as_deref()?));
        Ok(match (preset, &self.log_format, &self.nginx_format) {
            (Some(f), _, _) => Some(LineParser::forced(f)),
            (_, Some(s), _) => Some(compile(s, Syntax::Apache)?),
            (_, _, Some(s)) => Some(compile(s, Syntax::Nginx)?),
            _ => None,
        })
    }
}

impl FormatArgs {
    /// The note to print when `--log-format` named a preset instead of giving a format string.
    pub(crate) fn note(&self) -> Option<String> {
        let given = self.log_format.as_deref()?;
        let preset = preset_named(given)?;
        Some(format!(
            "logveil: note: --log-format {given} taken as the preset `--format {}`",
            preset.name()
        ))
    }
}

/// The preset a `--log-format` value names (`COMBINED`, GoAccess's spelling, or any preset name), if it
/// holds no directive: such a value can only mean the preset.
fn preset_named(given: &str) -> Option<Format> {
    if given.contains('%') {
        return None;
    }
    given.trim().parse().ok()
}

/// `--threads`, shared by `anonymize`, `report` and `check`.
#[derive(Debug, Args)]
pub(crate) struct ThreadsArgs {
    /// Worker threads (default: all cores).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
}

impl ThreadsArgs {
    /// The worker threads, defaulting to all cores.
    pub(crate) fn threads(&self) -> Result<usize, Error> {
        match self.threads {
            Some(0) => Err(Error::Usage("--threads must be at least 1".into())),
            Some(n) => Ok(n),
            None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
        }
    }
}

/// `--max-line-bytes`, at least [`crate::input::MIN_MAX_LINE_BYTES`]. The flag is declared by each command,
/// since what happens to a longer line (cut, counted, checked in part) is the command's own.
pub(crate) fn max_line_bytes(given: usize) -> Result<usize, Error> {
    let min = crate::input::MIN_MAX_LINE_BYTES;
    if given < min {
        return Err(Error::Usage(format!(
            "--max-line-bytes must be at least {min}, not {given}"
        )));
    }
    Ok(given)
}

/// The progress bar options shared by `anonymize` and `report`.
#[derive(Debug, Args)]
pub(crate) struct ProgressArgs {
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
    pub(crate) fn mode(&self, quiet: bool, to_terminal: bool) -> Mode {
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
pub(crate) struct IpArgs {
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
    /// Validates the options into an [`IpPolicy`]; the key file, when the mode needs one, is read by
    /// [`crate::privacy::ip::ip_policy`].
    pub(crate) fn policy(&self) -> Result<IpPolicy, Error> {
        let ip = prefixes(self.ipv4_prefix, self.ipv6_prefix)?;
        let mode = IpMode::from(self.ip_mode);
        if self.key_file.is_some() && !mode.needs_key() {
            return Err(Error::Usage(format!(
                "--key-file is only used with --ip-mode pseudonymize or crypto-pan, not {}",
                mode.name()
            )));
        }
        Ok(crate::privacy::ip::ip_policy(
            ip,
            mode,
            self.key_file.as_deref(),
        )?)
    }
}

/// `--ipv4-prefix` and `--ipv6-prefix`, checked.
pub(crate) fn prefixes(ipv4: u8, ipv6: u8) -> Result<IpPolicy, Error> {
    IpPolicy::new(ipv4, ipv6).map_err(|e| Error::Usage(e.to_string()))
}

/// `--min-visitors`, shared by `report` and `merge`.
#[derive(Debug, Args)]
pub(crate) struct MinVisitorsArgs {
    /// Fold free-text rows seen by fewer distinct visitors of the run into '(other)' (1 turns it off).
    #[arg(long, value_name = "K", default_value_t = crate::analyze::DEFAULT_MIN_VISITORS)]
    pub min_visitors: u64,
}

impl MinVisitorsArgs {
    /// `--min-visitors`, at least 1.
    pub(crate) fn min_visitors(&self) -> Result<u64, Error> {
        if self.min_visitors == 0 {
            return Err(Error::Usage("--min-visitors must be at least 1".into()));
        }
        Ok(self.min_visitors)
    }
}

/// `--top`, shared by `report` and `merge`.
#[derive(Debug, Args)]
pub(crate) struct TopArgs {
    /// Rows per table in the text summary (--text).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,
}

/// Where a report goes, shared by `report` and `merge` (`merge` words the help of `--csv` and `--table` its
/// own way).
#[derive(Debug, Args)]
pub(crate) struct OutputArgs {
    /// Write one CSV file per table into DIR (created if missing).
    #[arg(long, value_name = "DIR")]
    pub csv: Option<PathBuf>,

    /// Write one table as CSV to stdout (see docs/REPORTS.md for the names).
    #[arg(long, value_name = "NAME")]
    pub table: Option<String>,

    /// Write all tables as one JSON document to FILE ('-': stdout).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,

    /// Write the report as one self-contained HTML page to FILE ('-': stdout): no script, font or request
    /// of any kind.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,

    /// Print a summary for people to stdout (the default when stdout is a terminal): the range, the
    /// headline numbers and the top --top rows of the main tables, as wide as COLUMNS or the terminal.
    #[arg(long)]
    pub text: bool,
}

impl OutputArgs {
    /// True when `--json -` writes to stdout.
    pub(crate) fn json_to_stdout(&self) -> bool {
        self.json.as_ref().is_some_and(|j| j.as_os_str() == "-")
    }

    /// The outputs named that write to stdout (`--table`, `--json -`, `--html -`, `--text`).
    pub(crate) fn on_stdout(&self) -> Vec<&'static str> {
        let dash = |p: &Option<PathBuf>| p.as_ref().is_some_and(|p| p.as_os_str() == "-");
        [
            (self.table.is_some(), "--table"),
            (self.json_to_stdout(), "--json -"),
            (dash(&self.html), "--html -"),
            (self.text, "--text"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect()
    }

    /// `--table NAME` must name a table, and at most one output may write to stdout.
    pub(crate) fn check(&self) -> Result<(), Error> {
        if let Some(t) = &self.table {
            let names = crate::analyze::report::TABLE_NAMES;
            if !names.contains(&t.as_str()) {
                return Err(Error::Usage(format!(
                    "unknown table '{t}'; tables: {}",
                    names.join(", ")
                )));
            }
        }
        if let [first, second, ..] = self.on_stdout()[..] {
            return Err(Error::Usage(format!(
                "{first} and {second} both write to stdout"
            )));
        }
        Ok(())
    }

    /// Validates the options ([`OutputArgs::check`]) into [`Destinations`], with `top` rows per table in the
    /// text summary.
    pub(crate) fn destinations(&self, top: usize) -> Result<Destinations, Error> {
        self.check()?;
        Ok(Destinations {
            csv: self.csv.clone(),
            table: self.table.clone(),
            json: self.json.clone(),
            html: self.html.clone(),
            text: self.text,
            top,
            date: None,
            quiet_default: false,
            context: Default::default(),
        })
    }
}

/// Checks that a path holding `{date}` has a date to fill it with (`--since`).
pub(crate) fn check_date(path: Option<&PathBuf>, date: Option<&str>) -> Result<(), Error> {
    match path {
        Some(p) if sinks::has_date(p) && date.is_none() => Err(Error::Usage(format!(
            "{}: {{date}} is the date of --since, which is not given",
            p.to_string_lossy()
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{EXIT_IO, EXIT_USAGE};

    fn ip(ip_mode: IpModeArg, key_file: Option<PathBuf>) -> IpArgs {
        IpArgs {
            ipv4_prefix: 16,
            ipv6_prefix: 32,
            ip_mode,
            key_file,
        }
    }

    #[test]
    fn an_unreadable_key_file_is_an_io_error_and_a_malformed_one_a_usage_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.key");
        let err = ip(IpModeArg::Pseudonymize, Some(missing))
            .policy()
            .unwrap_err();
        assert_eq!(err.exit_code(), EXIT_IO);
        assert!(err.to_string().contains("missing.key"), "{err}");

        let short = dir.path().join("short.key");
        std::fs::write(&short, "abcd\n").unwrap();
        let err = ip(IpModeArg::CryptoPan, Some(short)).policy().unwrap_err();
        assert_eq!(err.exit_code(), EXIT_USAGE);

        let err = ip(IpModeArg::CryptoPan, None).policy().unwrap_err();
        assert_eq!(err.exit_code(), EXIT_USAGE);
        let unused = Some(dir.path().join("unused.key"));
        let err = ip(IpModeArg::Truncate, unused).policy().unwrap_err();
        assert_eq!(err.exit_code(), EXIT_USAGE);
    }
}

/// `--geoip` and `--geoip-max-age`, shared by `report` and `anonymize`.
#[derive(Debug, Args)]
pub(crate) struct GeoArgs {
    /// A MaxMind DB file (.mmdb; repeatable): a country or city database (GeoLite2, GeoIP2, DB-IP Lite)
    /// and/or an ASN database. Looked up with the full address in memory, before any reduction.
    #[arg(long, value_name = "FILE.mmdb")]
    pub geoip: Vec<PathBuf>,

    /// Refuse a --geoip database built longer ago than this many days (30, 30d) or weeks (5w).
    #[arg(long, value_name = "AGE", requires = "geoip")]
    pub geoip_max_age: Option<String>,
}

impl GeoArgs {
    /// Opens the databases (`None` without `--geoip`).
    pub(crate) fn open(&self) -> Result<Option<crate::geo::GeoIp>, Error> {
        if self.geoip.is_empty() {
            return Ok(None);
        }
        let max_age = match &self.geoip_max_age {
            Some(s) => Some(
                crate::geo::parse_max_age(s)
                    .map_err(|e| Error::Usage(format!("--geoip-max-age: {e}")))?,
            ),
            None => None,
        };
        Ok(Some(crate::geo::GeoIp::open(&self.geoip, max_age)?))
    }
}

/// The exclusion filters shared by `report` and `anonymize`.
#[derive(Debug, Args)]
pub(crate) struct FilterArgs {
    /// Leave out lines whose full client address is in CIDR (repeatable; '10.0.0.0/8', '2001:db8::/32', or
    /// one address): the office, the monitoring. Tested before the address is reduced.
    #[arg(long, value_name = "CIDR")]
    pub exclude_ip: Vec<String>,

    /// Leave out requests whose path (query removed) matches GLOB (repeatable; '*' also crosses '/':
    /// '/wp-admin*', '*.php').
    #[arg(long, value_name = "GLOB")]
    pub exclude_path: Vec<String>,

    /// Leave out requests whose user agent matches REGEX (repeatable; '(?i)uptimerobot|pingdom').
    #[arg(long, value_name = "REGEX")]
    pub exclude_ua: Vec<String>,

    /// Keep only requests for HOST (repeatable; the %v / $host field, port removed): one site of a vhost
    /// log. Lines without a host field are left out.
    #[arg(long, value_name = "HOST")]
    pub include_host: Vec<String>,
}

impl FilterArgs {
    /// Validates the filters.
    pub(crate) fn filters(&self) -> Result<crate::filter::Filters, Error> {
        crate::filter::Filters::new(
            &self.exclude_ip,
            &self.exclude_path,
            &self.exclude_ua,
            &self.include_host,
        )
        .map_err(Error::Usage)
    }
}
