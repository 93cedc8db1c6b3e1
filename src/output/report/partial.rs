//! `report --partial FILE|-`: the partial as one line of JSON (so several partials can share a file or a
//! pipe), written atomically to a file or to stdout.

use std::io;
use std::path::{Path, PathBuf};

use crate::analyze::partial::Partial;
use crate::output::file::{self, AtomicFile};

/// Where a partial goes.
pub(crate) struct PartialOut {
    file: Option<AtomicFile>,
    path: Option<PathBuf>,
}

impl PartialOut {
    /// A partial to `path` (replaced atomically), or to stdout for `None`; created before any input is read.
    pub(crate) fn create(path: Option<&Path>) -> io::Result<PartialOut> {
        Ok(PartialOut {
            file: path.map(AtomicFile::create).transpose()?,
            path: path.map(Path::to_path_buf),
        })
    }

    /// The path written (`None`: stdout), for error messages.
    pub(crate) fn path(&self) -> Option<PathBuf> {
        self.path.clone()
    }

    /// Writes the partial; the file appears only when complete.
    pub(crate) fn write(self, partial: &Partial) -> io::Result<()> {
        file::write_document(self.file, |w| Ok(serde_json::to_writer(w, partial)?))
    }
}
