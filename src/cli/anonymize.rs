//! `logveil anonymize`: its flags and their validation into a [`commands::anonymize::Config`].

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::shared::{
    self, FilterArgs, FormatArgs, GeoArgs, InputArgs, IpArgs, ProgressArgs, ThreadsArgs,
};
use crate::anonymize::chunk::{AddedField, LineExtras};
use crate::anonymize::{Policy, TimePrecision, UserAgentMode};
use crate::commands;
use crate::error::{EXIT_OK, Error};
use crate::input::InputName;
use crate::privacy::{FieldPolicy, ParamPolicy, PathPolicy, PathRule, Rules};

/// The long help of `anonymize`.
pub(crate) const LONG: &str = "\
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
(plus a search engine's keyword). One line in gives one line out, in order (except lines dropped by \
--exclude-ip, --exclude-path, --exclude-ua or --include-host, which are counted). A line that does not parse is \
scrubbed as free text and counted. --geoip DB --add-field country (or asn) appends the country code (or AS \
number) of the full client address as a quoted trailing field, looked up before the address is reduced. See docs/PRIVACY.md for what is kept and why.

Output: stdout, or --output FILE. Reading files, FILE is written under a temporary name and renamed over \
the target when the run succeeds, so it never holds half a run. Reading stdin (a piped logger: Apache \
CustomLog \"|...\", tail -F, a FIFO), lines are appended to FILE as they come (--append does the same for \
files). Then SIGHUP reopens FILE after logrotate moved it, and SIGTERM or SIGINT end the run once what is \
already in the pipe is read and written (exit 0). --in-place rewrites rotated logs where they are: each \
file is replaced only once its anonymised copy is complete, so a run that fails or is killed leaves it \
as it was. See docs/OPERATIONS.md.";

/// The examples of `anonymize`.
pub(crate) const EXAMPLES: &str = "\
Examples:
  logveil keygen /etc/logveil.key && logveil anonymize --ip-mode pseudonymize --key-file /etc/logveil.key access.log
  logveil anonymize access.log > access.anon.log
  logveil anonymize access.log.1 access.log.2.gz -o week.log
  logveil anonymize --in-place --quiet /var/log/nginx/access.log.1 /var/log/nginx/access.log.*.gz
  tail -F access.log | logveil anonymize --quiet
  CustomLog \"|/usr/bin/logveil anonymize --quiet -o /var/log/apache2/access.log\" combined";

/// `--user-agent`: what becomes of user agents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum UserAgentArg {
    /// Kept (browser statistics need it), with IPs, emails and tokens inside it scrubbed.
    Keep,
    /// Only browser family, major version and OS: 'Chrome/32 (Windows 7)'.
    Generalize,
    /// Replaced with '-'.
    Drop,
}

/// `--time-precision`: how precise timestamps stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TimePrecisionArg {
    /// Unchanged.
    Second,
    /// Seconds set to 00.
    Minute,
    /// Minutes and seconds set to 00.
    Hour,
    /// Time of day set to 00:00:00.
    Day,
}

/// `--add-field`: what `anonymize` appends to each line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum AddFieldArg {
    /// The ISO 3166-1 country code (a country or City database).
    Country,
    /// The autonomous system number (an ASN database).
    Asn,
}

/// Options of `anonymize`.
#[derive(Debug, Args)]
pub(crate) struct AnonymizeArgs {
    /// The inputs.
    #[command(flatten)]
    pub input: InputArgs,

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

    /// With --in-place, rewrite also the files already anonymised with these settings (each rewritten
    /// file is marked with the extended attribute user.logveil, and skipped by later runs).
    #[arg(long, requires = "in_place")]
    pub force: bool,

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
    pub path_rule: Vec<PathRule>,

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

    /// `--geoip`, `--geoip-max-age`.
    #[command(flatten)]
    pub geo: GeoArgs,

    /// Append this field, looked up in --geoip from the full client address, to every parsed line as a
    /// quoted trailing field ("GB", "1221"; "-" when unknown); repeatable, in order. Apache and nginx text
    /// formats only.
    #[arg(long, value_enum, value_name = "FIELD", requires = "geoip")]
    pub add_field: Vec<AddFieldArg>,

    /// `--exclude-ip`, `--exclude-path`, `--exclude-ua`, `--include-host`: matching lines are dropped
    /// (no output line) and counted.
    #[command(flatten)]
    pub filter: FilterArgs,

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

    /// `--threads`.
    #[command(flatten)]
    pub threads: ThreadsArgs,
}

/// Parses one `--path-rule`.
fn parse_path_rule(s: &str) -> Result<PathRule, String> {
    s.parse()
}

impl AnonymizeArgs {
    /// Validates the options into a [`commands::anonymize::Config`].
    pub(crate) fn config(&self) -> Result<commands::anonymize::Config, Error> {
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
        let inputs = self.input.inputs();
        if self.in_place && (self.input.files.is_empty() || inputs.contains(&InputName::Stdin)) {
            return Err(Error::Usage(
                "--in-place rewrites files: name them (stdin cannot be rewritten)".into(),
            ));
        }
        let threads = self.threads.threads()?;
        let extra = self.extras()?;
        let output = self.output.clone().filter(|p| p.as_os_str() != "-");
        shared::refuse_output_among_inputs(output.as_deref(), &inputs)?;
        let to_terminal = output.is_none() && !self.in_place && std::io::stdout().is_terminal();
        Ok(commands::anonymize::Config {
            append: output.is_some() && (self.append || inputs.contains(&InputName::Stdin)),
            in_place: self.in_place,
            force: self.force,
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
            max_line_bytes: shared::max_line_bytes(self.max_line_bytes)?,
            progress: self.progress.mode(self.quiet, to_terminal),
            extra,
        })
    }

    /// The filters and added fields (`None` when none is asked for).
    fn extras(&self) -> Result<Option<LineExtras>, Error> {
        let filters = self.filter.filters()?;
        let geoip = self.geo.open()?;
        if geoip.is_some() && self.add_field.is_empty() {
            return Err(Error::Usage(
                "anonymize uses --geoip only with --add-field country or asn".into(),
            ));
        }
        let add: Vec<AddedField> = self
            .add_field
            .iter()
            .map(|f| match f {
                AddFieldArg::Country => AddedField::Country,
                AddFieldArg::Asn => AddedField::Asn,
            })
            .collect();
        if let Some(g) = &geoip {
            for f in &add {
                let (has, what) = match f {
                    AddedField::Country => (
                        g.has_countries(),
                        "--add-field country needs a country or City database",
                    ),
                    AddedField::Asn => (g.has_asn(), "--add-field asn needs an ASN database"),
                };
                if !has {
                    return Err(Error::Usage(format!("{what} among --geoip")));
                }
            }
        }
        if filters.is_empty() && add.is_empty() {
            return Ok(None);
        }
        Ok(Some(LineExtras {
            filters,
            geoip,
            add,
        }))
    }

    /// Runs `anonymize`, telling warnings and the summary on stderr unless `--quiet`.
    pub(crate) fn run(&self) -> Result<u8, Error> {
        let config = self.config()?;
        let quiet = self.quiet;
        if let Some(note) = self.format.note().filter(|_| !quiet) {
            eprintln!("{note}");
        }
        shared::hint_if_terminal_stdin(&config.inputs, quiet);
        let summary = commands::anonymize::run_warned(&config, &mut |w| {
            if !quiet {
                eprintln!("logveil: warning: {w}");
            }
        })?;
        if !quiet {
            eprintln!("logveil: anonymize: {summary}");
        }
        Ok(EXIT_OK)
    }
}
