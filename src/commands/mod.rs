//! One module per subcommand; each is a library function the CLI and the tests call.

pub mod anonymize;
pub mod check;
pub mod formats;
pub mod merge;
pub mod report;
