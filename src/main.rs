//! The `logveil` binary: parses the command line and maps errors to exit codes.

use std::process::ExitCode;

fn main() -> ExitCode {
    match logveil::cli::parse().and_then(logveil::cli::run) {
        Ok(code) => ExitCode::from(code),
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("logveil: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
