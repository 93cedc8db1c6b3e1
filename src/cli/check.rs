//! `logveil check`: its flags and their validation into a [`commands::check::Config`].

use std::io::BufWriter;

use clap::Args;

use super::shared::{self, InputArgs, ThreadsArgs};
use crate::commands;
use crate::error::{EXIT_FOUND, EXIT_OK, Error};

/// The long help of `check`.
pub(crate) const LONG: &str = "\
Audit any text file (logs, CSV, JSON, reports) for personal data left in it.

Finds full IPv4 addresses (bits set past --ipv4-prefix), IPv6 addresses with bits set past --ipv6-prefix \
(IPv4-mapped forms judged as IPv4), email addresses (also with %40), values of identifying query and path \
parameters (token, session ids, key, password, jsessionid, ...), JSON Web Tokens, card-like numbers \
(issuer prefix and Luhn) and long hex or base64 tokens. Prints FILE:LINE:COLUMN: KIND: VALUE per finding, \
the value masked (83.149.x.x, j***@***.com), never raw. Exits 1 when anything is found, 0 when clean. \
Pseudonyms made by `anonymize --ip-mode pseudonymize` (240.0.0.0/4, 100::/64) are not reported; \
crypto-pan output is, since the key holder can reverse it.";

/// The examples of `check`.
pub(crate) const EXAMPLES: &str = "\
Examples:
  logveil check access.anon.log
  logveil anonymize access.log | logveil check --summary
  logveil check report.csv report.json";

/// Options of `check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The inputs.
    #[command(flatten)]
    pub input: InputArgs,

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

    /// `--threads`.
    #[command(flatten)]
    pub threads: ThreadsArgs,
}

impl CheckArgs {
    /// Validates the options into a [`commands::check::Config`].
    pub(crate) fn config(&self) -> Result<commands::check::Config, Error> {
        let ip = shared::prefixes(self.ipv4_prefix, self.ipv6_prefix)?;
        Ok(commands::check::Config {
            inputs: self.input.inputs(),
            options: crate::privacy::detect::Options { ip },
            summary: self.summary,
            threads: self.threads.threads()?,
            max_line_bytes: shared::max_line_bytes(self.max_line_bytes)?,
        })
    }

    /// Runs `check`: exit 1 when anything was found.
    pub(crate) fn run(&self) -> Result<u8, Error> {
        let config = self.config()?;
        let stdout = std::io::stdout();
        let mut out = BufWriter::with_capacity(64 << 10, stdout.lock());
        let report = commands::check::run(&config, &mut out)?;
        Ok(if report.is_clean() {
            EXIT_OK
        } else {
            EXIT_FOUND
        })
    }
}
