//! Output files that appear only when complete: written to a temporary file beside the target and renamed
//! over it on success, removed on failure.

use std::fs::File;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

/// A file being written under a temporary name.
pub struct AtomicFile {
    tmp: Option<tempfile::NamedTempFile>,
    /// A target that is not a regular file (`/dev/null`, a FIFO, a terminal) is written in place:
    /// renaming over it would replace the device with a plain file.
    direct: Option<File>,
    target: PathBuf,
}

impl AtomicFile {
    /// Creates the temporary file in the target's directory (so the rename cannot cross file systems).
    pub fn create(target: &Path) -> io::Result<AtomicFile> {
        if std::fs::metadata(target).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
            let file = std::fs::OpenOptions::new().write(true).open(target)?;
            return Ok(AtomicFile {
                tmp: None,
                direct: Some(file),
                target: target.to_path_buf(),
            });
        }
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(dir)?;
        // A new file gets the usual 0644 rather than the temporary file's 0600; a replaced one keeps its mode.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let perms = match std::fs::metadata(target) {
                Ok(meta) => meta.permissions(),
                Err(_) => std::fs::Permissions::from_mode(0o644),
            };
            tmp.as_file().set_permissions(perms)?;
        }
        Ok(AtomicFile {
            tmp: Some(tmp),
            direct: None,
            target: target.to_path_buf(),
        })
    }

    /// A buffered writer to the temporary file.
    pub fn writer(&self) -> io::Result<BufWriter<File>> {
        let file = match (&self.tmp, &self.direct) {
            (Some(t), _) => t.as_file().try_clone()?,
            (None, Some(f)) => f.try_clone()?,
            (None, None) => return Err(io::Error::other("file already committed")),
        };
        Ok(BufWriter::with_capacity(1 << 20, file))
    }

    /// Syncs the file and renames it over the target.
    pub fn commit(mut self) -> io::Result<()> {
        let Some(tmp) = self.tmp.take() else {
            return Ok(());
        };
        tmp.as_file().sync_all()?;
        tmp.persist(&self.target).map_err(|e| e.error)?;
        Ok(())
    }
}
