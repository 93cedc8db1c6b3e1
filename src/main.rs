//! The `logveil` binary: runs the command line and maps errors to exit codes.

use std::process::ExitCode;

fn main() -> ExitCode {
    match logveil::run_command_line() {
        Ok(code) => ExitCode::from(code),
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("logveil: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
