//! An output file appended to, as a piped logger writes its log: lines reach the file as they are written,
//! and [`Output::reopen`] starts writing at the path again after logrotate moved the file away.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::writer::Output;

/// Bytes buffered before a write (the ordered writer also flushes whenever it runs out of work).
const BUFFER: usize = 1 << 20;

/// A file opened for appending (created when missing).
pub(crate) struct AppendFile {
    path: PathBuf,
    file: BufWriter<File>,
}

impl AppendFile {
    /// Opens `path` for appending, creating it (mode 0644 less the umask) when missing.
    pub(crate) fn open(path: &Path) -> io::Result<AppendFile> {
        let file = OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o644)
            .open(path)?;
        Ok(AppendFile {
            path: path.to_path_buf(),
            file: BufWriter::with_capacity(BUFFER, file),
        })
    }
}

impl Write for AppendFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.file.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Output for AppendFile {
    /// Flushes, then opens the path again. A file created anew gets the mode of the one it follows, and its
    /// owner and group when the process may set them (root); an existing file (logrotate's `create`) is
    /// appended to as it is.
    fn reopen(&mut self) -> io::Result<()> {
        let context =
            |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", self.path.display()));
        self.file.flush().map_err(context)?;
        let old = self.file.get_ref().metadata().map_err(context)?;
        let file = match OpenOptions::new()
            .append(true)
            .create_new(true)
            .mode(old.permissions().mode() & 0o777)
            .open(&self.path)
        {
            Ok(file) => {
                // The umask may have narrowed the mode; ownership changes fail without privilege.
                let _ = file.set_permissions(old.permissions());
                let _ = std::os::unix::fs::fchown(&file, Some(old.uid()), Some(old.gid()));
                file
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => OpenOptions::new()
                .append(true)
                .open(&self.path)
                .map_err(context)?,
            Err(e) => return Err(context(e)),
        };
        self.file = BufWriter::with_capacity(BUFFER, file);
        Ok(())
    }
}
