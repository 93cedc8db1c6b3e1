//! Where results go: the ordered writer used by `anonymize`, atomic output files, files appended to (a
//! piped logger's), compressed output (`--in-place` on `.gz`, `.zst`, `.bz2` and `.xz`), and the report
//! outputs, one module per format behind one small trait, [`ReportSink`]: [`csv`] (a directory of files or
//! one table), [`json`] (one document) and [`terminal`] (a readable summary). Each sink is created before
//! any input is read, so an unwritable destination fails at once. [`progress`] draws the progress bar on a terminal.

use std::io;
use std::path::PathBuf;

use crate::analyze::report::Report;

pub mod append;
pub mod compress;
pub mod csv;
pub mod file;
pub mod json;
pub mod partial;
pub mod progress;
pub mod sinks;
pub mod terminal;
pub mod writer;

/// Somewhere a finished report goes.
pub trait ReportSink {
    /// Writes the report; the output appears only when this succeeds.
    fn write(self: Box<Self>, report: &Report) -> io::Result<()>;
    /// The path written, for error messages (`None`: stdout).
    fn path(&self) -> Option<PathBuf>;
}
