//! One module per subcommand; each is a library function the CLI and the tests call.

pub mod anonymize;
pub mod check;
pub mod formats;
pub mod merge;
pub mod report;

use crate::output::progress::Progress;
use crate::pipeline::Meter;

/// The progress bar follows the reading of a run.
impl Meter for Progress {
    fn start_input(&mut self, read: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>) {
        Progress::start_input(self, read);
    }

    fn advance(&mut self, bytes: usize) {
        Progress::advance(self, bytes);
    }

    fn end_input(&mut self) {
        Progress::end_input(self);
    }
}
