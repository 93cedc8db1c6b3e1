//! The mark `anonymize --in-place` leaves on a file it rewrote: the extended attribute `user.logveil`,
//! holding `logveil VERSION SETTINGS SIZE` (the version that wrote the file, the policy's public fingerprint,
//! [`Policy::public_fingerprint`](crate::anonymize::Policy::public_fingerprint), and the file's size then).
//! A later run with the same version and settings finds the file done and leaves it as it was, so a
//! postrotate stanza and a cron job on the same file do not both rewrite it; a file that grew since, or was
//! done by another version or with other settings, is rewritten. Nothing in the mark is secret.
//!
//! Where the file system keeps no user attributes (some network file systems, vfat, tmpfs before Linux 6.6)
//! there is no mark: the file is rewritten, which changes nothing in every mode but `crypto-pan` (each
//! mode's output is its own fixed point; see docs/OPERATIONS.md).

use std::io;
use std::path::Path;

/// The attribute's name.
const NAME: &str = "user.logveil";

/// The mark for a file of `size` bytes written under `settings`.
fn text(settings: &str, size: u64) -> String {
    format!("logveil {} {settings} {size}", env!("CARGO_PKG_VERSION"))
}

/// True when `path` carries the mark of `settings` for its present size.
pub(crate) fn is_marked(path: &Path, settings: &str) -> bool {
    let Ok(size) = std::fs::metadata(path).map(|m| m.len()) else {
        return false;
    };
    let mut value = [0u8; 256];
    // Absent, too long to be a mark, or no attributes here: not marked.
    match rustix::fs::getxattr(path, NAME, &mut value[..]) {
        Ok(n) => value[..n] == *text(settings, size).as_bytes(),
        Err(_) => false,
    }
}

/// Marks `path` as written under `settings`. An error means the file system keeps no user attributes
/// (or refuses them to this user); the file itself is unaffected.
pub(crate) fn mark(path: &Path, settings: &str) -> io::Result<()> {
    let size = std::fs::metadata(path)?.len();
    let flags = rustix::fs::XattrFlags::empty();
    rustix::fs::setxattr(path, NAME, text(settings, size).as_bytes(), flags)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mark_matches_its_settings_and_size_only() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("access.log.1");
        std::fs::write(&file, "a line\n").unwrap();
        assert!(!is_marked(&file, "abc"));
        if mark(&file, "abc").is_err() {
            // No user attributes where the tests run: nothing more to check here (tests/in_place.rs
            // covers the file rewritten without a mark).
            return;
        }
        assert!(is_marked(&file, "abc"));
        assert!(!is_marked(&file, "abd"), "other settings");
        std::fs::write(&file, "a line\nanother\n").unwrap();
        assert!(!is_marked(&file, "abc"), "the file grew since");
    }
}
