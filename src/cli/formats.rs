//! `logveil formats`: list the presets, or detect the format of files.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::commands;
use crate::error::{EXIT_OK, Error};
use crate::input::InputName;

/// The examples of `formats`.
pub(crate) const EXAMPLES: &str = "\
Examples:
  logveil formats
  logveil formats --detect access.log u_ex250101.log";

/// Options of `formats`.
#[derive(Debug, Args)]
pub(crate) struct FormatsArgs {
    /// Detect the format of each FILE instead of listing the presets: prints the format and the share of
    /// sampled lines it parses ('-' reads stdin).
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub detect: Vec<PathBuf>,
}

impl FormatsArgs {
    /// Runs `formats`.
    pub(crate) fn run(&self) -> Result<u8, Error> {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        let stdout_error = |source| Error::Write {
            output: None,
            source,
        };
        if !self.detect.is_empty() {
            for file in &self.detect {
                commands::formats::detect_file(&InputName::from_arg(file), &mut out)?;
            }
            out.flush().map_err(stdout_error)?;
            return Ok(EXIT_OK);
        }
        commands::formats::list(&mut out)
            .and_then(|()| out.flush())
            .map_err(stdout_error)?;
        Ok(EXIT_OK)
    }
}
