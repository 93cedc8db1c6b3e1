//! The errors a command can end with, and the exit code of each.

use std::io;
use std::path::PathBuf;

use crate::geo::GeoError;
use crate::input::{InputName, NotText};
use crate::output::report::sinks::CreateError;
use crate::privacy::key::KeyError;

/// Exit code: success.
pub(crate) const EXIT_OK: u8 = 0;
/// Exit code: `check` found personal data.
pub(crate) const EXIT_FOUND: u8 = 1;
/// Exit code: usage error.
pub(crate) const EXIT_USAGE: u8 = 2;
/// Exit code: input could not be parsed (`EX_DATAERR`): a line under `--strict`, an input that is not
/// text, a `report` input of which no line parsed, a bad partial.
pub(crate) const EXIT_DATA: u8 = 65;
/// Exit code: the system refused a resource the run needs (`EX_OSERR`): threads, signal handlers,
/// randomness.
pub(crate) const EXIT_SYSTEM: u8 = 71;
/// Exit code: I/O error (`EX_IOERR`).
pub(crate) const EXIT_IO: u8 = 74;
/// Exit code: interrupted by SIGINT (Ctrl-C) while reading files (128 + 2, as a shell reports it).
pub(crate) const EXIT_INTERRUPTED: u8 = 130;

/// Why a command stopped. Messages never quote input bytes, so they cannot leak personal data.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Invalid options.
    #[error("{0}")]
    Usage(String),
    /// The system refused something the run needs (a thread, a signal handler, random bytes): not the
    /// user's mistake, so not a usage error.
    #[error("{0}")]
    System(String),
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
    /// An input is not text (an archive, an unknown compression, binary data): refused before any output.
    #[error("{input}: {reason}")]
    NotText {
        /// The input.
        input: InputName,
        /// What it is and what to do (never quoting it).
        reason: NotText,
    },
    /// No line of a `report` input parsed: the format is wrong, and a report of nothing would pass for one
    /// of a quiet day.
    #[error("{input}: 0 of {lines} lines parsed as {format} — wrong format? try {}", detect_hint(.input))]
    NothingParsed {
        /// The input.
        input: InputName,
        /// Its lines that are not blank (none parsed).
        lines: u64,
        /// The format that was expected.
        format: String,
    },
    /// A `--log-format`/`--nginx-format` string matches no line at the start of an input.
    #[error("{input}:{line}: {reason}")]
    FormatMismatch {
        /// The input.
        input: InputName,
        /// 1-based number of its first non-empty line.
        line: u64,
        /// Where that line stops matching (never quoting it).
        reason: String,
    },
    /// Reading an input failed.
    #[error("{input}: {}", io_message(.source))]
    Read {
        /// The input.
        input: InputName,
        /// The underlying error.
        source: io::Error,
    },
    /// A key file (`--key-file`, `--sketch-key`, `keygen`) could not be read, was malformed, or could not be
    /// written; the message names the file, never its contents. Exit 74 when the file could not be read or
    /// written, 2 when it does not hold a key (or a mode needs one and none was given, or `keygen` would
    /// replace a file), 71 when the system gave no random bytes.
    #[error("{0}")]
    Key(#[from] KeyError),
    /// A GeoIP database (`--geoip`) is missing or unreadable (exit 74), not a MaxMind DB of a kind logveil
    /// reads, or older than `--geoip-max-age` (exit 2); the message names the file.
    #[error("{0}")]
    GeoIp(#[from] GeoError),
    /// SIGINT (Ctrl-C) ended the run: outputs being replaced were dropped with their temporary files.
    #[error("interrupted")]
    Interrupted,
    /// Writing an output failed.
    #[error("{}: {}", display_output(.output), io_message(.source))]
    Write {
        /// The output file, or `None` for stdout.
        output: Option<PathBuf>,
        /// The underlying error.
        source: io::Error,
    },
}

impl From<CreateError> for Error {
    fn from(e: CreateError) -> Error {
        Error::Write {
            output: e.path,
            source: e.source,
        }
    }
}

/// An I/O error as a user reads it: "no such file" rather than "No such file or directory (os error 2)",
/// and never the path of a temporary file (tempfile appends " at path /dir/.tmpXXXX"): the message names the
/// user's own file before it.
pub(crate) fn io_message(e: &io::Error) -> String {
    // The system's own wording only: an error logveil made carries its own message (which may say more).
    match (e.kind(), e.raw_os_error().is_some()) {
        (io::ErrorKind::NotFound, true) => return "no such file".into(),
        (io::ErrorKind::PermissionDenied, true) => return "permission denied".into(),
        _ => {}
    }
    let text = e.to_string();
    let text = text.split(" at path ").next().unwrap_or_default();
    let text = match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => &text[..at],
        _ => text,
    };
    let mut chars = text.chars();
    match chars.next() {
        // "No space left on device" → "no space left on device", as the rest of a message is worded.
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "I/O error".into(),
    }
}

/// The command that shows which format an input is in.
fn detect_hint(input: &InputName) -> String {
    match input {
        InputName::Path(p) => format!("`logveil formats --detect {}`", p.display()),
        InputName::Stdin => "`logveil formats --detect -` on a sample".into(),
    }
}

fn display_output(output: &Option<PathBuf>) -> String {
    match output {
        Some(p) => p.display().to_string(),
        None => "<stdout>".to_string(),
    }
}

impl Error {
    /// The error for `source` met while reading `input`: [`Error::NotText`] when the input was refused as
    /// not text, else [`Error::Read`].
    pub fn read(input: &InputName, source: io::Error) -> Error {
        if let Some(m) = source
            .get_ref()
            .and_then(|e| e.downcast_ref::<crate::format::detect::Mismatch>())
        {
            return Error::FormatMismatch {
                input: input.clone(),
                line: m.line,
                reason: m.reason.clone(),
            };
        }
        match NotText::from_io(&source) {
            Some(reason) => Error::NotText {
                input: input.clone(),
                reason: reason.clone(),
            },
            None => Error::Read {
                input: input.clone(),
                source,
            },
        }
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => EXIT_USAGE,
            Error::Interrupted => EXIT_INTERRUPTED,
            Error::System(_) => EXIT_SYSTEM,
            Error::Unparsable { .. }
            | Error::LineTooLong { .. }
            | Error::BadPartial { .. }
            | Error::NotText { .. }
            | Error::NothingParsed { .. }
            | Error::FormatMismatch { .. }
            | Error::Merge(_) => EXIT_DATA,
            Error::Read { .. } | Error::Write { .. } => EXIT_IO,
            Error::GeoIp(e) if e.is_io() => EXIT_IO,
            Error::GeoIp(_) => EXIT_USAGE,
            Error::Key(e) => match e {
                KeyError::Malformed { .. } | KeyError::Missing(_) => EXIT_USAGE,
                // An existing file is refused on purpose (a key in use is never replaced): the user's
                // mistake, not the system's.
                KeyError::Write { source, .. } if source.kind() == io::ErrorKind::AlreadyExists => {
                    EXIT_USAGE
                }
                KeyError::Read { .. } | KeyError::Write { .. } => EXIT_IO,
                KeyError::Random(_) => EXIT_SYSTEM,
            },
        }
    }

    /// True when the error is a closed pipe on stdout (`logveil … | head`), which ends a run quietly.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Write { output: None, source } if source.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// Something a run went on after, told on stderr as `logveil: warning: …` (unless `--quiet`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Warning {
    /// No line of an input parsed in `anonymize`: every line was scrubbed as free text, which is safe but
    /// keeps little, and usually means the wrong `--format`.
    #[error(
        "{input}: 0 of {lines} lines parsed as {format} — wrong format? try {}; every line was scrubbed as free text",
        detect_hint(.input)
    )]
    NothingParsed {
        /// The input.
        input: InputName,
        /// Its lines that are not blank (none parsed).
        lines: u64,
        /// The format that was expected.
        format: String,
    },
    /// `report`'s `--since`/`--until` left out every line that parsed: the report is empty.
    #[error(
        "{range} left out all {lines} parsed lines: the input covers {first} to {last} (the log's own times); the report is empty"
    )]
    RangeExcludedAll {
        /// The range as given.
        range: String,
        /// The lines left out.
        lines: u64,
        /// The earliest line's local time.
        first: String,
        /// The latest line's local time.
        last: String,
    },
    /// Every line of a `report` is stamped on the hour (a log anonymised with `--time-precision hour` or
    /// `day`): durations were left empty.
    #[error(
        "every timestamp is on the hour (a log anonymised with --time-precision hour or day): visit durations and time on page cannot be measured; their cells are empty"
    )]
    CoarseTimes,
    /// `--in-place` found a file already done by this version with these settings (its `user.logveil`
    /// mark) and left it as it was.
    #[error(
        "{input}: already anonymised with these settings (user.logveil); left as it was (--force redoes it)"
    )]
    AlreadyDone {
        /// The file.
        input: InputName,
    },
    /// `--in-place` with crypto-pan could not mark a file (no user extended attributes there): another
    /// run would encrypt its addresses again.
    #[error(
        "{input}: cannot mark as anonymised (no user extended attributes on this file system); another --in-place run with crypto-pan would encrypt it again"
    )]
    Unmarked {
        /// The file.
        input: InputName,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_read_as_words_without_codes_or_temporary_paths() {
        let missing = io::Error::from_raw_os_error(2);
        assert_eq!(io_message(&missing), "no such file");
        let full = io::Error::from_raw_os_error(28);
        assert_eq!(io_message(&full), "no space left on device");
        let temp =
            io::Error::other("disk quota exceeded (os error 122) at path \"/srv/.tmpAbC123\"");
        assert_eq!(io_message(&temp), "disk quota exceeded");
    }
}
