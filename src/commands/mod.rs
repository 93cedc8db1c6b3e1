//! One module per subcommand, each only wiring: open the inputs, detect the format, run the pipeline, hand
//! the records to `anonymize` or `analyze`, write through `output`. The CLI builds their `Config`s.

pub(crate) mod anonymize;
pub(crate) mod check;
pub(crate) mod formats;
pub(crate) mod merge;
pub(crate) mod prune;
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
