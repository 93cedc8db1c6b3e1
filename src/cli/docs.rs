//! `logveil completions` and `logveil man`: shell completions and manual pages, made from the clap
//! definition itself.

use std::io::Write;

use clap::Args;

use crate::error::{EXIT_OK, Error};

/// The examples of `completions`.
pub(crate) const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  logveil completions bash > /etc/bash_completion.d/logveil
  logveil completions zsh > \"${fpath[1]}/_logveil\"
  logveil completions fish > ~/.config/fish/completions/logveil.fish";

/// The examples of `man`.
pub(crate) const MAN_EXAMPLES: &str = "\
Examples:
  logveil man | man -l -
  logveil man > /usr/local/share/man/man1/logveil.1
  logveil man anonymize > /usr/local/share/man/man1/logveil-anonymize.1";

/// Options of `completions`.
#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

impl CompletionsArgs {
    /// Prints the completion script of `command` (the whole command line).
    pub(crate) fn run(&self, mut command: clap::Command) -> Result<u8, Error> {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        clap_complete::generate(self.shell, &mut command, "logveil", &mut out);
        out.flush().map_err(|source| Error::Write {
            output: None,
            source,
        })?;
        Ok(EXIT_OK)
    }
}

/// Options of `man`.
#[derive(Debug, Args)]
pub(crate) struct ManArgs {
    /// A subcommand, for its own page (logveil-SUBCOMMAND(1)).
    #[arg(value_name = "SUBCOMMAND")]
    pub subcommand: Option<String>,
}

impl ManArgs {
    /// Prints the manual page of `command` (the whole command line) or of the subcommand asked for.
    pub(crate) fn run(&self, mut command: clap::Command) -> Result<u8, Error> {
        command.build();
        let page = match &self.subcommand {
            None => command,
            Some(name) => {
                let sub = command.find_subcommand(name).cloned().ok_or_else(|| {
                    Error::Usage(format!("no subcommand '{name}' (see logveil --help)"))
                })?;
                let title = format!("logveil-{}", sub.get_name());
                sub.name(title)
            }
        };
        let mut roff = Vec::new();
        let written = clap_mangen::Man::new(page)
            .render(&mut roff)
            .and_then(|()| std::io::stdout().lock().write_all(&roff));
        written.map_err(|source| Error::Write {
            output: None,
            source,
        })?;
        Ok(EXIT_OK)
    }
}
