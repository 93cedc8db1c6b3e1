//! Output files and directories that appear only when complete: written under a temporary name beside the
//! target and renamed over it on success, removed on failure.
//!
//! For a file rewritten in place ([`AtomicFile::create_in_place`]), where the file system allows it (Linux
//! `O_TMPFILE`: ext4, xfs, btrfs, tmpfs), the temporary file has no name until the commit, so a run killed
//! half-way, even by SIGKILL, leaves nothing behind. Elsewhere, and for other outputs, temporary names are
//! `.NAME.logveil-PID.RANDOM.tmp`; a run killed with SIGKILL cannot remove its own, and the next run
//! writing the same target removes those whose process is gone ([`sweep_stale`]). A replaced file keeps its
//! mode and, as far as the process may set them, its owner and group.

use std::fs::{File, Metadata};
use std::io::{self, BufWriter, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, CWD, Mode, OFlags};

/// A file being written under a temporary name (or none).
pub(crate) struct AtomicFile {
    temp: Temp,
    target: PathBuf,
}

enum Temp {
    /// An `O_TMPFILE`: linked into the directory only at the commit.
    Unnamed(File),
    /// A named temporary file (file systems without `O_TMPFILE`).
    Named(tempfile::NamedTempFile),
    /// A target that is not a regular file (`/dev/null`, a FIFO, a terminal) is written in place:
    /// renaming over it would replace the device with a plain file.
    Direct(File),
    Committed,
}

/// Whether a replaced file's owner must be kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    /// Keep owner and group when the process may; otherwise the file becomes the process's.
    TryKeep,
    /// Keep owner and group, or fail (rewriting someone else's log in place must not change its owner).
    Keep,
}

impl AtomicFile {
    /// Creates a named temporary file in the target's directory (so the rename cannot cross file systems).
    /// A new file gets mode 0644; a replaced one keeps its mode, and its owner when the process may set it.
    pub(crate) fn create(target: &Path) -> io::Result<AtomicFile> {
        AtomicFile::open(target, Owner::TryKeep, false)
    }

    /// For rewriting `target` in place: an unnamed temporary file where the file system allows it (nothing
    /// is left if the process is killed), and the owner kept or an error.
    pub(crate) fn create_in_place(target: &Path) -> io::Result<AtomicFile> {
        AtomicFile::open(target, Owner::Keep, true)
    }

    fn open(target: &Path, owner: Owner, unnamed: bool) -> io::Result<AtomicFile> {
        let existing = std::fs::metadata(target).ok();
        if existing
            .as_ref()
            .is_some_and(|m| !m.is_file() && !m.is_dir())
        {
            let file = std::fs::OpenOptions::new().write(true).open(target)?;
            return Ok(AtomicFile {
                temp: Temp::Direct(file),
                target: target.to_path_buf(),
            });
        }
        let dir = parent_dir(target);
        let unnamed = match unnamed {
            true => rustix::fs::openat(
                CWD,
                dir,
                OFlags::WRONLY | OFlags::TMPFILE | OFlags::CLOEXEC,
                Mode::from_raw_mode(0o600),
            )
            .ok(),
            false => None,
        };
        let temp = match unnamed {
            Some(fd) => Temp::Unnamed(File::from(fd)),
            None => {
                let name = target
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                sweep_stale(target);
                Temp::Named(
                    tempfile::Builder::new()
                        .prefix(&temp_prefix(&name))
                        .suffix(".tmp")
                        .tempfile_in(dir)?,
                )
            }
        };
        let file = match &temp {
            Temp::Unnamed(f) => f,
            Temp::Named(t) => t.as_file(),
            Temp::Direct(_) | Temp::Committed => unreachable!("a temporary file was just made"),
        };
        keep_attributes(file, existing.as_ref(), owner)?;
        Ok(AtomicFile {
            temp,
            target: target.to_path_buf(),
        })
    }

    /// A buffered writer to the temporary file.
    pub(crate) fn writer(&self) -> io::Result<BufWriter<File>> {
        let file = match &self.temp {
            Temp::Unnamed(f) | Temp::Direct(f) => f.try_clone()?,
            Temp::Named(t) => t.as_file().try_clone()?,
            Temp::Committed => return Err(io::Error::other("file already committed")),
        };
        Ok(BufWriter::with_capacity(1 << 20, file))
    }

    /// Syncs the file and renames it over the target.
    pub(crate) fn commit(mut self) -> io::Result<()> {
        match std::mem::replace(&mut self.temp, Temp::Committed) {
            Temp::Unnamed(file) => {
                file.sync_all()?;
                let linked = link_unnamed(&file, &self.target)?;
                if let Err(e) = std::fs::rename(&linked, &self.target) {
                    let _ = std::fs::remove_file(&linked);
                    return Err(e);
                }
            }
            Temp::Named(tmp) => {
                tmp.as_file().sync_all()?;
                tmp.persist(&self.target).map_err(|e| e.error)?;
            }
            Temp::Direct(_) | Temp::Committed => return Ok(()),
        }
        // The rename is durable once the directory is synced.
        if let Ok(dir) = File::open(parent_dir(&self.target)) {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

/// Gives the temporary file the mode of the file it replaces (0644 for a new one) and its owner.
fn keep_attributes(file: &File, existing: Option<&Metadata>, owner: Owner) -> io::Result<()> {
    let Some(meta) = existing else {
        return file.set_permissions(std::fs::Permissions::from_mode(0o644));
    };
    let (uid, gid) = (meta.uid(), meta.gid());
    let mine = file.metadata()?;
    if (mine.uid(), mine.gid()) != (uid, gid) {
        if let Err(e) = std::os::unix::fs::fchown(file, Some(uid), Some(gid)) {
            if owner == Owner::Keep {
                return Err(io::Error::new(
                    e.kind(),
                    format!("cannot keep the owner {uid}:{gid} ({e})"),
                ));
            }
        }
    }
    // After the ownership change, which clears set-id bits.
    file.set_permissions(meta.permissions())
}

/// Gives an `O_TMPFILE` a name beside `target` (`.NAME.logveil-PID.N.tmp`) and returns it.
fn link_unnamed(file: &File, target: &Path) -> io::Result<PathBuf> {
    let dir = parent_dir(target);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let proc_path = format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(file));
    for n in 0..100 {
        let temp = dir.join(format!("{}{n}.tmp", temp_prefix(&name)));
        // Without /proc, AT_EMPTY_PATH links the descriptor itself (needs CAP_DAC_READ_SEARCH).
        let linked =
            rustix::fs::linkat(CWD, proc_path.as_str(), CWD, &temp, AtFlags::SYMLINK_FOLLOW)
                .or_else(|_| rustix::fs::linkat(file.as_fd(), "", CWD, &temp, AtFlags::EMPTY_PATH));
        match linked {
            Ok(()) => return Ok(temp),
            Err(rustix::io::Errno::EXIST) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "no free temporary name",
    ))
}

/// Writes `body` and a newline to `file`, which appears only when complete, or to stdout for `None`:
/// one document of `--json` or `--partial`.
pub(crate) fn write_document(
    file: Option<AtomicFile>,
    body: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    match file {
        Some(file) => {
            let mut w = file.writer()?;
            body(&mut w)?;
            w.write_all(b"\n")?;
            w.flush()?;
            drop(w);
            file.commit()
        }
        None => {
            let stdout = io::stdout();
            let mut w = io::BufWriter::new(stdout.lock());
            body(&mut w)?;
            w.write_all(b"\n")?;
            w.flush()
        }
    }
}

/// The prefix of this process's temporary names for a target called `name`.
pub(crate) fn temp_prefix(name: &str) -> String {
    format!(".{name}.logveil-{}.", std::process::id())
}

/// The directory a target lives in (`.` for a bare name).
pub(crate) fn parent_dir(target: &Path) -> &Path {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Removes temporary files and directories left beside `target` by runs that were killed (their process no
/// longer exists). Only where `/proc` tells which processes exist; errors are ignored (this is tidying).
pub(crate) fn sweep_stale(target: &Path) {
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
pub(crate) fn replace_dir(new: &Path, target: &Path) -> io::Result<()> {
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
