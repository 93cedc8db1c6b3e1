//! logveil turns web server access logs into privacy-safe data.
//!
//! Data flows one way: input → format (parse a line into a [`Record`]) → anonymize (rewrite the line) or
//! analyze (mergeable tables, then visits) → output. The command line (`logveil anonymize`, `report`,
//! `merge`, `check`) is the product; this library exposes what its benches, tests and fuzz targets — and
//! a program embedding logveil — need, and nothing else. `ARCHITECTURE.md` walks the modules.
//!
//! Anonymise one line:
//!
//! ```
//! use logveil::{Format, LineParser, Policy, rewrite_line};
//!
//! let parser = LineParser::forced(Format::Combined);
//! let policy = Policy::default();
//! let line = b"203.0.113.9 - alice [10/Oct/2024:13:55:36 +0000] \"GET /a?email=j@x.org HTTP/1.1\" 200 5 \"-\" \"curl/8\"";
//! let mut out = Vec::new();
//! rewrite_line(line, &parser, &policy, &mut out);
//! let out = String::from_utf8(out).unwrap();
//! assert!(out.starts_with("203.0.0.0 - - "));
//! assert!(!out.contains("j@x.org"));
//! ```
//!
//! Report on lines, as `logveil report` does on all cores: [`report::Analyzer`] makes mergeable
//! [`report::Tables`] from chunks of lines, and [`report::finish`] turns them into a [`report::Report`].

#![deny(missing_docs)]
#![warn(unreachable_pub)]

mod analyze;
mod anonymize;
mod cli;
mod commands;
mod error;
mod filter;
mod format;
mod geo;
mod input;
mod output;
mod pipeline;
mod privacy;
mod record;
mod signals;

pub use anonymize::{Outcome, Policy, TimePrecision, UserAgentMode, rewrite_line, rewrite_line_in};
pub use error::Error;
pub use format::detect::detect as detect_format;
pub use format::spec::{Spec, Syntax};
pub use format::{Format, LineParser, Parsed, Prefix};
pub use input::InputName;
pub use pipeline::{CHUNK_BYTES, chunks};
pub use privacy::client::reduce_client;
pub use privacy::url::{rewrite_referrer, rewrite_url};
pub use privacy::{IpMode, IpPolicy, Rules};
pub use record::Record;

/// Aggregated reports: analysis of lines into mergeable tables, the visit walk, the finished report and
/// its renderings, and the mergeable partials of `report --partial` / `merge`.
pub mod report {
    pub use crate::analyze::compare::{CompareRow, Comparison};
    pub use crate::analyze::merge::{Overlap, Source, merge, parse_line as parse_partial_line};
    pub use crate::analyze::partial::VERSION as PARTIAL_VERSION;
    pub use crate::analyze::render::{finish, render};
    pub use crate::analyze::report::{Cell, Report, TABLE_NAMES, Table};
    pub use crate::analyze::run::REPORT_CHUNK_BYTES;
    pub use crate::analyze::spill::EventStore;
    pub use crate::analyze::tables::Tables;
    pub use crate::analyze::visitors::VisitorKeyer;
    pub use crate::analyze::visits::{aggregate, aggregate_store};
    pub use crate::analyze::{Analyzer, Settings};
    pub use crate::filter::Filters;
    pub use crate::geo::{GeoError, GeoIp, Place};
    pub use crate::output::report::csv::write_csv;
    pub use crate::output::report::json::to_json;
    pub use crate::privacy::forwarded::TrustedProxies;
}

/// Finding personal data in a log, as `logveil check` does.
pub mod check {
    pub use crate::privacy::detect::{Finding, Options, findings};
    pub use crate::privacy::recognise::{Kind, is_token, luhn, secret_spans};
}

/// Runs the command line in `std::env::args`, as the `logveil` binary does: the exit code on success
/// (`0`, or `1` when `check` found personal data), or the error to report (see [`Error::exit_code`]).
pub fn run_command_line() -> Result<u8, Error> {
    cli::parse().and_then(cli::run)
}
