//! Output files and directories that appear only when complete: written under a temporary name beside the
//! target and renamed over it on success, removed on failure.
//!
//! Temporary names are `.NAME.logveil-PID.RANDOM.tmp`. A run killed with SIGKILL cannot remove its own; the
//! next run writing the same target removes those whose process is gone ([`sweep_stale`]).

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
        sweep_stale(target);
        let tmp = tempfile::Builder::new()
            .prefix(&temp_prefix(&name))
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

/// The prefix of this process's temporary names for a target called `name`.
pub fn temp_prefix(name: &str) -> String {
    format!(".{name}.logveil-{}.", std::process::id())
}

/// The directory a target lives in (`.` for a bare name).
pub fn parent_dir(target: &Path) -> &Path {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Removes temporary files and directories left beside `target` by runs that were killed (their process no
/// longer exists). Only where `/proc` tells which processes exist; errors are ignored (this is tidying).
pub fn sweep_stale(target: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Some(name) = target.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    let prefix = format!(".{name}.logveil-");
    let Ok(entries) = std::fs::read_dir(parent_dir(target)) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix(&prefix) else {
            continue;
        };
        let Some((pid, _)) = rest.split_once('.') else {
            continue;
        };
        if !file.ends_with(".tmp") || pid.parse::<u32>().is_err() {
            continue;
        }
        if Path::new("/proc").join(pid).exists() {
            continue;
        }
        let path = entry.path();
        let _ = match entry.file_type() {
            Ok(t) if t.is_dir() => std::fs::remove_dir_all(&path),
            _ => std::fs::remove_file(&path),
        };
    }
}

/// Puts the complete directory `new` in place of `target`: a plain rename when `target` does not exist, an
/// atomic exchange (Linux `renameat2(RENAME_EXCHANGE)`) when it does, so readers see either the old or the
/// new directory whole. Where the exchange is not supported, the old directory is first renamed aside (a
/// moment without `target`). Afterwards `new`'s path holds the old directory (or nothing), for the caller
/// to remove.
pub fn replace_dir(new: &Path, target: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(target) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return std::fs::rename(new, target),
        Err(e) => return Err(e),
        Ok(_) => {}
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        match renameat_with(CWD, new, CWD, target, RenameFlags::EXCHANGE) {
            Ok(()) => return Ok(()),
            Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {}
            Err(e) => return Err(e.into()),
        }
    }
    let aside = new.with_extension("old.tmp");
    std::fs::rename(target, &aside)?;
    if let Err(e) = std::fs::rename(new, target) {
        let _ = std::fs::rename(&aside, target);
        return Err(e);
    }
    std::fs::rename(&aside, new)
}
