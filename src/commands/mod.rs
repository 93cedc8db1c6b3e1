//! One module per subcommand; each is a library function the CLI and the tests call.

pub(crate) mod anonymize;
pub(crate) mod check;
pub(crate) mod formats;
pub(crate) mod merge;
pub(crate) mod report;

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
