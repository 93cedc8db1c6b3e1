//! Secret keys for `--ip-mode pseudonymize` and `crypto-pan`: 32 random bytes, kept in memory only.
//!
//! A key file (made by `logveil keygen FILE`, mode 0600) holds the key as 64 hex digits and a newline.
//! The key is never printed: [`Key`]'s `Debug` shows only that a key is there, and error messages name the
//! file, never its contents.

use std::fmt;
use std::io::{self, Write};
use std::path::Path;

/// Bytes in a key: for Crypto-PAn, 16 bytes of AES-128 key and 16 bytes of pad, as in the reference
/// implementation; for pseudonymisation, the BLAKE3 key.
pub(crate) const KEY_LEN: usize = 32;

/// A 32-byte secret key.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Key([u8; KEY_LEN]);

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(<secret>)")
    }
}

/// Why a key could not be had. Messages never quote the file's contents.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The key file could not be read.
    #[error("key file {path}: {} (make one with `logveil keygen {path}`)", crate::error::io_message(.source))]
    Read {
        /// The file.
        path: String,
        /// The underlying error.
        source: io::Error,
    },
    /// The file does not hold 64 hex digits.
    #[error(
        "key file {path}: expected {} hex digits (a {KEY_LEN}-byte key), found {found} characters{detail}; \
         make a new key with `logveil keygen FILE`",
        KEY_LEN * 2
    )]
    Malformed {
        /// The file.
        path: String,
        /// How many non-space characters it holds.
        found: usize,
        /// What else is wrong.
        detail: &'static str,
    },
    /// A mode that needs a key was chosen without a key file.
    #[error(transparent)]
    Missing(#[from] MissingKey),
    /// The system's random source failed.
    #[error("cannot get random bytes for a key: {0}")]
    Random(String),
    /// The key file could not be written.
    #[error("key file {path}: {}", crate::error::io_message(.source))]
    Write {
        /// The file.
        path: String,
        /// The underlying error.
        source: io::Error,
    },
}

/// A mode that needs a key was chosen without one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--ip-mode {0} needs a key: pass --key-file FILE (make one with `logveil keygen FILE`)")]
pub struct MissingKey(pub &'static str);

impl Key {
    /// A key from raw bytes (tests and reference vectors).
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Key {
        Key(bytes)
    }

    /// A key from 64 hex digits (surrounding whitespace ignored); `None` when malformed.
    pub fn from_hex(text: &[u8]) -> Option<Key> {
        let text = text.trim_ascii();
        if text.len() != KEY_LEN * 2 {
            return None;
        }
        let mut key = [0u8; KEY_LEN];
        for (byte, pair) in key.iter_mut().zip(text.chunks_exact(2)) {
            *byte = (hex_val(pair[0])? << 4) | hex_val(pair[1])?;
        }
        Some(Key(key))
    }

    /// A new random key from the operating system's generator.
    pub fn generate() -> Result<Key, KeyError> {
        let mut key = [0u8; KEY_LEN];
        getrandom::fill(&mut key).map_err(|e| KeyError::Random(e.to_string()))?;
        Ok(Key(key))
    }

    /// Reads a key file.
    pub fn read(path: &Path) -> Result<Key, KeyError> {
        let name = path.display().to_string();
        let text = std::fs::read(path).map_err(|source| KeyError::Read {
            path: name.clone(),
            source,
        })?;
        Key::from_hex(&text).ok_or_else(|| {
            let trimmed = text.trim_ascii();
            let detail = if trimmed.len() < KEY_LEN * 2 {
                " (too short)"
            } else if trimmed.len() > KEY_LEN * 2 {
                " (too long)"
            } else {
                " (not all hex digits)"
            };
            KeyError::Malformed {
                path: name,
                found: trimmed.len(),
                detail,
            }
        })
    }

    /// Writes a new key file readable by its owner only (mode 0600 on Unix). Refuses to replace an existing
    /// file, so a key in use is never lost by accident.
    pub fn write_new(&self, path: &Path) -> Result<(), KeyError> {
        let err = |source| KeyError::Write {
            path: path.display().to_string(),
            source,
        };
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(err)?;
        let mut text = Vec::with_capacity(KEY_LEN * 2 + 1);
        for b in self.0 {
            text.push(HEX[usize::from(b >> 4)]);
            text.push(HEX[usize::from(b & 15)]);
        }
        text.push(b'\n');
        file.write_all(&text)
            .and_then(|()| file.sync_all())
            .map_err(err)
    }

    /// The key bytes.
    pub fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// A short public fingerprint of the key (not reversible), to tell two keys apart in caches.
    pub fn fingerprint(&self) -> u64 {
        let h = blake3::derive_key("logveil 2026 key fingerprint", &self.0);
        u64::from_le_bytes([h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]])
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX_KEY: &str = "1522178d33a4cf80130a5b1649907d10d8988f837979652762574c2d2a842202";

    #[test]
    fn hex_keys() {
        let k = Key::from_hex(format!("  {HEX_KEY}\n").as_bytes()).unwrap();
        assert_eq!(k.bytes()[0], 0x15);
        assert_eq!(k.bytes()[31], 0x02);
        assert!(Key::from_hex(&HEX_KEY.as_bytes()[..62]).is_none());
        assert!(Key::from_hex(HEX_KEY.replace('d', "g").as_bytes()).is_none());
    }

    #[test]
    fn debug_never_shows_the_key() {
        let k = Key::from_hex(HEX_KEY.as_bytes()).unwrap();
        assert_eq!(format!("{k:?}"), "Key(<secret>)");
    }

    #[test]
    fn keygen_round_trip_mode_and_no_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        let k = Key::generate().unwrap();
        k.write_new(&path).unwrap();
        assert_eq!(Key::read(&path).unwrap(), k);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(Key::generate().unwrap().write_new(&path).is_err());
        assert_ne!(Key::generate().unwrap(), k);
    }

    #[test]
    fn short_and_missing_keys_are_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("short");
        std::fs::write(&path, "abcd\n").unwrap();
        let e = Key::read(&path).unwrap_err().to_string();
        assert!(
            e.contains("expected 64 hex digits") && e.contains("too short"),
            "{e}"
        );
        assert!(!e.contains("abcd"), "the key file's contents leaked: {e}");
        let e = Key::read(&dir.path().join("none")).unwrap_err().to_string();
        assert!(e.contains("logveil keygen"), "{e}");
    }
}
