//! The `logveil` binary: parses the command line and maps errors to exit codes.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = logveil::cli::Cli::parse();
    match logveil::cli::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("logveil: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
