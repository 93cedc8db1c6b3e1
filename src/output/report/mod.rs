//! Report renderers, one module per format behind [`ReportSink`]: [`csv`] (a directory of files or one
//! table), [`json`] (one document), [`html`] (one self-contained page), [`text`] (a summary for people)
//! and [`partial`] (the mergeable partial of `report --partial`). [`sinks`] builds them from the
//! destinations the command line names. Table names, columns and order come from the report itself
//! (`analyze::catalog`), never from here; what the pages for people show is read from it by [`page`],
//! in human units by [`human`].

use std::io;
use std::path::PathBuf;

use crate::analyze::report::Report;

pub(crate) mod csv;
pub(crate) mod html;
pub(crate) mod human;
pub(crate) mod json;
pub(crate) mod page;
pub(crate) mod partial;
pub(crate) mod sinks;
pub(crate) mod text;

/// Somewhere a finished report goes.
pub(crate) trait ReportSink {
    /// Writes the report; the output appears only when this succeeds.
    fn write(self: Box<Self>, report: &Report) -> io::Result<()>;
    /// The path written, for error messages (`None`: stdout).
    fn path(&self) -> Option<PathBuf>;
}
