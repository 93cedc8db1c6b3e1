//! `logveil keygen`: write a new random key file.

use std::path::PathBuf;

use clap::Args;

use crate::error::{EXIT_OK, Error};
use crate::privacy::key::Key;

/// The long help of `keygen`.
pub(crate) const LONG: &str = "\
Write a new random key file for --ip-mode pseudonymize and crypto-pan.

The key is 32 bytes from the operating system's random generator, written as 64 hex digits, readable by \
its owner only (mode 0600). An existing file is never replaced. The key is never printed; keep the file \
secret, since whoever holds it can link pseudonyms back to addresses.";

/// Options of `keygen`.
#[derive(Debug, Args)]
pub(crate) struct KeygenArgs {
    /// Where to write the key (must not exist yet).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

impl KeygenArgs {
    /// Runs `keygen`: exit 74 when the file cannot be written, 2 when it exists, 71 without random bytes.
    pub(crate) fn run(&self) -> Result<u8, Error> {
        Key::generate().and_then(|k| k.write_new(&self.file))?;
        eprintln!(
            "logveil: keygen: wrote a new key to {}",
            self.file.display()
        );
        Ok(EXIT_OK)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{EXIT_IO, EXIT_USAGE};

    #[test]
    fn an_existing_file_is_a_usage_error_and_an_unwritable_one_an_io_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("k");
        assert_eq!(KeygenArgs { file: file.clone() }.run().unwrap(), EXIT_OK);
        let again = KeygenArgs { file }.run().unwrap_err();
        assert_eq!(again.exit_code(), EXIT_USAGE);
        let nowhere = dir.path().join("missing-dir").join("k");
        let err = KeygenArgs { file: nowhere }.run().unwrap_err();
        assert_eq!(err.exit_code(), EXIT_IO);
        assert!(err.to_string().contains("missing-dir"), "{err}");
    }
}
