//! The command line: the clap definition ([`Cli`], [`Command`]) and a short dispatch ([`run`]). Each
//! subcommand's flags and their validation into that command's `Config` live in its own module; flags that
//! several commands share are declared once in [`shared`]; `--config FILE` is read by [`config_file`].
//! Nothing here reads inputs or creates outputs: outputs are made by [`crate::output::report::sinks`], key files
//! are read by [`crate::privacy::key`].

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::error::Error;
use crate::input::InputName;

pub(crate) mod anonymize;
pub(crate) mod check;
pub(crate) mod config_file;
pub(crate) mod docs;
pub(crate) mod formats;
pub(crate) mod keygen;
pub(crate) mod merge;
pub(crate) mod prune;
pub(crate) mod report;
pub(crate) mod shared;

pub(crate) use anonymize::AnonymizeArgs;
pub(crate) use check::CheckArgs;
pub(crate) use docs::{CompletionsArgs, ManArgs};
pub(crate) use formats::FormatsArgs;
pub(crate) use keygen::KeygenArgs;
pub(crate) use merge::MergeArgs;
pub(crate) use prune::PruneArgs;
pub(crate) use report::ReportArgs;

/// Turns web server access logs into privacy-safe data.
#[derive(Debug, Parser)]
#[command(name = "logveil", version, about, long_about = None)]
pub(crate) struct Cli {
    /// Read options from a TOML file (same names as the flags; flags given here win).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// The clap definition, with every option overriding an earlier occurrence of itself (how `--config`
/// values give way to flags on the command line).
pub(crate) fn command() -> clap::Command {
    Cli::command()
        .args_override_self(true)
        .mut_subcommands(|s| s.args_override_self(true))
}

/// Parses the process's command line, with the `--config` file's options if one is named. Help, version
/// and clap's usage errors end the process as clap does (exit 0 or 2).
pub(crate) fn parse() -> Result<Cli, Error> {
    parse_from(std::env::args_os().collect())
}

/// [`parse`] on the given arguments (the first is the program name).
pub(crate) fn parse_from(args: Vec<OsString>) -> Result<Cli, Error> {
    other_tools_options(&args)?;
    let matches = command()
        .try_get_matches_from(&args)
        .unwrap_or_else(|e| e.exit());
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let (Some(path), Some(sub)) = (&cli.config, matches.subcommand_name()) else {
        return Ok(cli);
    };
    let extra = config_file::arguments(path, &command(), sub)?;
    // The file's arguments go right after the subcommand's name, before the command line's own.
    let mut at = 1;
    while at < args.len() && args[at] != sub {
        at += if args[at] == "--config" { 2 } else { 1 };
    }
    let mut merged = args[..(at + 1).min(args.len())].to_vec();
    merged.extend(extra);
    merged.extend(args.iter().skip(at + 1).cloned());
    let matches = command()
        .try_get_matches_from(merged)
        .unwrap_or_else(|e| e.exit());
    Ok(Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit()))
}

/// anonip's `--ipv4mask N` / `--ipv6mask N` (bits masked off) are a usage error with logveil's own option
/// (bits kept) in the message, computed from N.
fn other_tools_options(args: &[OsString]) -> Result<(), Error> {
    for (i, arg) in args.iter().enumerate() {
        let arg = arg.to_string_lossy();
        for (family, bits) in [("ipv4", 32), ("ipv6", 128)] {
            let option = format!("--{family}mask");
            let value = match arg.strip_prefix(option.as_str()) {
                Some("") => args.get(i + 1).map(|v| v.to_string_lossy().into_owned()),
                Some(rest) if rest.starts_with('=') => Some(rest[1..].to_string()),
                _ => continue,
            };
            let kept = match value.and_then(|v| v.parse::<u32>().ok()) {
                Some(mask) if mask <= bits => format!("--{family}-prefix {}", bits - mask),
                _ => format!("--{family}-prefix N"),
            };
            return Err(Error::Usage(format!(
                "{option} is anonip's option (bits masked off); logveil's is --{family}-prefix (bits kept): \
                 use {kept}"
            )));
        }
    }
    Ok(())
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Rewrite access logs so they hold no personal data, keeping their format.
    #[command(long_about = anonymize::LONG, after_long_help = anonymize::EXAMPLES, alias = "anonymise")]
    Anonymize(Box<AnonymizeArgs>),
    /// Aggregate access logs into privacy-safe statistics tables (CSV, JSON, terminal).
    #[command(long_about = report::LONG, after_long_help = report::EXAMPLES)]
    Report(Box<ReportArgs>),
    /// Audit any text file for personal data (exit 1 when some is found).
    #[command(long_about = check::LONG, after_long_help = check::EXAMPLES)]
    Check(CheckArgs),
    /// Write a new random key file (mode 0600) for --ip-mode pseudonymize and crypto-pan.
    #[command(long_about = keygen::LONG)]
    Keygen(KeygenArgs),
    /// List the log format presets and their definitions, or detect the format of files.
    #[command(after_long_help = formats::EXAMPLES)]
    Formats(FormatsArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(after_long_help = docs::COMPLETIONS_EXAMPLES)]
    Completions(CompletionsArgs),
    /// Print the manual page (roff) of logveil or of one subcommand.
    #[command(after_long_help = docs::MAN_EXAMPLES)]
    Man(ManArgs),
    /// Combine partial reports (report --partial) into one report, rendered like `report`.
    #[command(long_about = merge::LONG, after_long_help = merge::EXAMPLES)]
    Merge(MergeArgs),
    /// Delete partials and dated report directories older than a retention period (--keep-days).
    #[command(long_about = prune::LONG, after_long_help = prune::EXAMPLES)]
    Prune(PruneArgs),
}

/// Runs the parsed command line, returning the exit code.
pub(crate) fn run(cli: Cli) -> Result<u8, Error> {
    // Ctrl-C while files are read: stop, drop what was being written (with its temporary files), exit
    // 130. Not while a report reads stdin from a terminal, which nothing would wake; anonymize drains its
    // stdin first (`signals::Stop`).
    let catch = match &cli.command {
        Command::Anonymize(_) => true,
        Command::Report(args) => !args.input.inputs().contains(&InputName::Stdin),
        Command::Check(args) => !args.input.inputs().contains(&InputName::Stdin),
        _ => false,
    };
    let interrupt = match catch {
        true => Some(
            crate::signals::Interrupt::install()
                .map_err(|e| Error::System(format!("cannot catch signals: {e}")))?,
        ),
        false => None,
    };
    let result = dispatch(cli);
    drop(interrupt);
    match result {
        Ok(_) | Err(_) if crate::signals::interrupted() => Err(Error::Interrupted),
        other => other,
    }
}

/// Runs one subcommand.
fn dispatch(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        Command::Anonymize(args) => args.run(),
        Command::Report(args) => args.run(),
        Command::Merge(args) => args.run(),
        Command::Prune(args) => args.run(),
        Command::Check(args) => args.run(),
        Command::Keygen(args) => args.run(),
        Command::Completions(args) => args.run(command()),
        Command::Man(args) => args.run(command()),
        Command::Formats(args) => args.run(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn bad_prefix_is_a_usage_error() {
        let cli = Cli::try_parse_from(["logveil", "anonymize", "--ipv4-prefix", "30"]).unwrap();
        let Command::Anonymize(args) = cli.command else {
            unreachable!()
        };
        let err = args.config().unwrap_err();
        assert_eq!(err.exit_code(), crate::error::EXIT_USAGE);
    }

    #[test]
    fn report_options_are_validated() {
        let report = |args: &[&str]| {
            let cli = Cli::try_parse_from([&["logveil", "report"], args].concat()).unwrap();
            let Command::Report(args) = cli.command else {
                unreachable!()
            };
            args.config()
        };
        assert!(report(&["--min-visitors", "0"]).is_err());
        assert!(report(&["--table", "nope"]).is_err());
        assert!(report(&["--table", "pages", "--json", "-"]).is_err());
        assert!(report(&["--outlink-path", "out"]).is_err());
        let ok = report(&[
            "--site-host",
            "WWW.Example.com",
            "--min-visitors",
            "1",
            "--table",
            "pages",
        ])
        .unwrap();
        assert_eq!(ok.settings.site_hosts, vec!["www.example.com".to_string()]);
        assert_eq!(ok.settings.min_visitors, 1);
    }

    #[test]
    fn report_date_placeholders_need_since() {
        let destinations = |args: &[&str]| {
            let cli = Cli::try_parse_from([&["logveil", "report"], args].concat()).unwrap();
            let Command::Report(args) = cli.command else {
                unreachable!()
            };
            args.destinations()
        };
        let err = destinations(&["--csv", "stats/{date}"]).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::EXIT_USAGE);
        assert!(destinations(&["--partial", "{date}.partial"]).is_err());
        let ok = destinations(&["--json", "{date}.json", "--since", "2026-11-22"]).unwrap();
        assert_eq!(ok.date.as_deref(), Some("2026-11-22"));
        let quiet = destinations(&["--partial", "p"]).unwrap();
        assert!(quiet.quiet_default);
    }

    #[test]
    fn merge_words_the_shared_output_flags_its_own_way() {
        let cmd = command();
        let help = |sub: &str, arg: &str| {
            let sub = cmd.find_subcommand(sub).unwrap();
            let arg = sub.get_arguments().find(|a| a.get_id() == arg).unwrap();
            arg.get_help().unwrap().to_string()
        };
        assert!(help("merge", "csv").contains("replaced atomically"));
        assert!(help("report", "csv").contains("created if missing"));
        assert_eq!(help("merge", "table"), "Write one table as CSV to stdout");
    }
}
