//! Where results go, in two rooms that share only [`file`] (a file or directory that appears whole, or
//! not at all) and [`progress`] (the progress bar on a terminal):
//!
//! - [`log`]: the anonymised log itself — bytes in input order through the [`log::writer`] thread, to
//!   stdout, an atomic file, a file appended to (a piped logger's, reopened after logrotate), or a
//!   compressed file (`--in-place` on `.gz`, `.zst`, `.bz2` and `.xz`).
//! - [`report`]: a finished report, rendered by one module per format behind one small trait,
//!   [`report::ReportSink`]: CSV, JSON, the terminal summary and the mergeable partial. [`report::sinks`]
//!   makes them from the command line's destinations before any input is read, so an unwritable
//!   destination fails at once.

pub(crate) mod file;
pub(crate) mod log;
pub(crate) mod progress;
pub(crate) mod report;
