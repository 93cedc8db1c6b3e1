//! `logveil completions` and `logveil man`: shell completions and manual pages, made from the clap
//! definition itself.

use std::io::Write;

use clap::Args;

use crate::error::{
    EXIT_DATA, EXIT_FOUND, EXIT_INTERRUPTED, EXIT_IO, EXIT_OK, EXIT_SYSTEM, EXIT_USAGE, Error,
};

/// The EXIT STATUS section of every manual page (README.md and docs/OPERATIONS.md list the same codes).
pub(crate) const EXIT_STATUS: &[(u8, &str)] = &[
    (
        EXIT_OK,
        "success (also after SIGTERM ended a piped logger, and when a reader closed stdout early)",
    ),
    (EXIT_FOUND, "check found personal data"),
    (
        EXIT_USAGE,
        "usage error: an unknown option, a bad value, a bad key file, --since after --until, -o naming an input",
    ),
    (
        EXIT_DATA,
        "input could not be used: a line under --strict, an input that is not text, a report input of which no line parsed, a file that is not a partial, partials that overlap",
    ),
    (
        EXIT_SYSTEM,
        "the system refused a thread, a signal handler or random bytes",
    ),
    (
        EXIT_IO,
        "I/O error: an unreadable input, an unwritable output, a truncated .gz, a full disk",
    ),
    (
        EXIT_INTERRUPTED,
        "interrupted (Ctrl-C) while reading files: no output was completed, temporary files are removed",
    ),
];

/// The examples of the top-level page.
const TOP_EXAMPLES: &str = "\
logveil anonymize access.log > access.anon.log
logveil anonymize --in-place --quiet /var/log/apache2/access.log.1
logveil report access.log --csv stats/
logveil check access.anon.log
logveil formats --detect access.log";

/// Where the Debian package puts its files (tests/package.rs checks each is there).
pub(crate) const FILES: &[(&str, &str)] = &[
    ("/usr/bin/logveil", "the program"),
    (
        "/usr/share/doc/logveil/examples/logveil.toml",
        "an example for /etc/logveil.toml (logveil --config /etc/logveil.toml ...)",
    ),
    (
        "/usr/share/doc/logveil/examples/logrotate-apache2",
        "Debian's /etc/logrotate.d/apache2 with logveil in postrotate",
    ),
    (
        "/usr/share/doc/logveil/examples/cron.d-logveil",
        "a nightly job for /etc/cron.d/logveil",
    ),
    (
        "/usr/share/doc/logveil/examples/logveil-anonymize.service",
        "a systemd service for the rotated logs",
    ),
    (
        "/usr/share/doc/logveil/examples/logveil-anonymize.timer",
        "its nightly timer (not enabled)",
    ),
    (
        "/usr/share/doc/logveil/OPERATIONS.md",
        "piped logging, logrotate, cron and systemd recipes",
    ),
    (
        "/usr/share/bash-completion/completions/logveil",
        "bash completions",
    ),
];

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
        let written =
            render(page, &mut roff).and_then(|()| std::io::stdout().lock().write_all(&roff));
        written.map_err(|source| Error::Write {
            output: None,
            source,
        })?;
        Ok(EXIT_OK)
    }
}

/// One manual page: clap_mangen's sections, with EXAMPLES (from the command's examples), EXIT STATUS and
/// FILES in place of clap_mangen's unnamed "EXTRA".
fn render(page: clap::Command, w: &mut dyn Write) -> std::io::Result<()> {
    let examples = page
        .get_after_long_help()
        .map(|h| h.to_string())
        .unwrap_or_else(|| TOP_EXAMPLES.to_string());
    let has_args = page.get_arguments().any(|a| !a.is_hide_set());
    let has_subcommands = page.has_subcommands();
    let has_version = page.get_version().is_some();
    let man = clap_mangen::Man::new(page);
    man.render_title(w)?;
    man.render_name_section(w)?;
    man.render_synopsis_section(w)?;
    man.render_description_section(w)?;
    if has_args {
        man.render_options_section(w)?;
    }
    if has_subcommands {
        man.render_subcommands_section(w)?;
    }
    let mut roff = roff::Roff::new();
    roff.control("SH", ["EXAMPLES"]).control("nf", []);
    for line in examples.lines().filter(|l| *l != "Examples:") {
        roff.text([roff::roman(line.trim_start())]);
    }
    roff.control("fi", []);
    roff.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in EXIT_STATUS {
        roff.control("TP", [])
            .text([roff::bold(code.to_string())])
            .text([roff::roman(*meaning)]);
    }
    roff.control("SH", ["FILES"]);
    for (path, what) in FILES {
        roff.control("TP", [])
            .text([roff::bold(*path)])
            .text([roff::roman(*what)]);
    }
    roff.to_writer(w)?;
    if has_version {
        man.render_version_section(w)?;
    }
    Ok(())
}
