//! The errors a command can end with, and the exit code of each.

use std::io;
use std::path::PathBuf;

use crate::input::InputName;

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: `check` found personal data.
pub const EXIT_FOUND: u8 = 1;
/// Exit code: usage error.
pub const EXIT_USAGE: u8 = 2;
/// Exit code: input could not be parsed under `--strict` (`EX_DATAERR`).
pub const EXIT_DATA: u8 = 65;
/// Exit code: I/O error (`EX_IOERR`).
pub const EXIT_IO: u8 = 74;

/// Why a command stopped. Messages never quote input bytes, so they cannot leak personal data.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Invalid options.
    #[error("{0}")]
    Usage(String),
    /// A line did not parse under `--strict`.
    #[error("{input}:{line}: line does not parse as {format} (--strict stops here)")]
    Unparsable {
        /// The input holding the line.
        input: InputName,
        /// 1-based line number.
        line: u64,
        /// The format that was expected.
        format: String,
    },
    /// A `merge` input is not a partial of this version (truncated, corrupt, another version).
    #[error("{input}:{line}: {reason}")]
    BadPartial {
        /// The input holding it.
        input: InputName,
        /// 1-based line number.
        line: u64,
        /// What is wrong (never quoting the input).
        reason: String,
    },
    /// Partials that cannot be merged as asked (a day in two of them).
    #[error("{0}")]
    Merge(String),
    /// A line was longer than `--max-line-bytes` under `--strict`.
    #[error("{input}:{line}: line is longer than --max-line-bytes {limit} (--strict stops here)")]
    LineTooLong {
        /// The input holding the line.
        input: InputName,
        /// 1-based line number.
        line: u64,
        /// The limit.
        limit: usize,
    },
    /// Reading an input failed.
    #[error("{input}: {source}")]
    Read {
        /// The input.
        input: InputName,
        /// The underlying error.
        source: io::Error,
    },
    /// Writing an output failed.
    #[error("{}: {source}", display_output(.output))]
    Write {
        /// The output file, or `None` for stdout.
        output: Option<PathBuf>,
        /// The underlying error.
        source: io::Error,
    },
}

fn display_output(output: &Option<PathBuf>) -> String {
    match output {
        Some(p) => p.display().to_string(),
        None => "<stdout>".to_string(),
    }
}

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => EXIT_USAGE,
            Error::Unparsable { .. }
            | Error::LineTooLong { .. }
            | Error::BadPartial { .. }
            | Error::Merge(_) => EXIT_DATA,
            Error::Read { .. } | Error::Write { .. } => EXIT_IO,
        }
    }

    /// True when the error is a closed pipe on stdout (`logveil … | head`), which ends a run quietly.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Write { output: None, source } if source.kind() == io::ErrorKind::BrokenPipe)
    }
}
