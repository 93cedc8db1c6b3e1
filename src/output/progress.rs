//! A progress bar on stderr for long runs of `anonymize` and `report` (through `indicatif`).
//!
//! When it shows:
//! - only when stderr is a terminal: never under cron, systemd or a pipe, whatever the options;
//! - [`Mode::Auto`] (the default): at once when the inputs are files adding up to at least
//!   [`AUTO_MIN_BYTES`], otherwise (stdin, a pipe, smaller files) once the run has lasted [`AUTO_AFTER`];
//! - [`Mode::Always`] (`--progress`): from the start, whatever the size;
//! - [`Mode::Never`] (`--no-progress`, `--quiet`): never.
//!
//! What it shows: bytes of input read, with the total, a bar and the time left when every input is a file
//! (a compressed file counts its compressed bytes), or a spinner when the size is not known (stdin); and the
//! rate. Nothing from the input itself, not even the names of the files, ever reaches it.
//!
//! Cost: the commands call [`Progress::advance`] once per chunk (hundreds of kilobytes) on the thread that
//! cuts the input into chunks, never per line; with no bar that is one addition. The bar is cleared by
//! [`Progress::finish`] (or when dropped, so an error message is not printed after a half-drawn bar) before
//! any summary goes to stderr.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::input::InputName;

/// Inputs adding up to at least this many bytes show the bar at once (in [`Mode::Auto`]).
pub(crate) const AUTO_MIN_BYTES: u64 = 64 << 20;
/// Other runs show it once they have lasted this long (in [`Mode::Auto`]).
pub(crate) const AUTO_AFTER: Duration = Duration::from_secs(2);
/// Redraws per second at most.
const REFRESH_HZ: u8 = 8;
/// How often the spinner and the rate are redrawn when no input arrives (a quiet pipe).
const TICK: Duration = Duration::from_millis(250);

/// When the bar may show (it never shows when stderr is not a terminal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Mode {
    /// For large inputs or long runs.
    #[default]
    Auto,
    /// From the start of the run.
    Always,
    /// Never.
    Never,
}

/// The progress of one run over all its inputs.
pub(crate) struct Progress {
    /// The bar, made hidden at the start of a run on a terminal, so that its rate and elapsed time count
    /// from the start even when it shows later (a bar made late would see every byte so far arrive at once
    /// and show an absurd rate).
    bar: Option<ProgressBar>,
    /// The bar is drawn on the terminal.
    shown: bool,
    /// The bar may still appear (auto mode on a terminal, not shown yet).
    pending: bool,
    /// How long a run lasts before the bar shows in [`Mode::Auto`] ([`AUTO_AFTER`]).
    after: Duration,
    started: Instant,
    /// Bytes of the inputs already finished.
    done: u64,
    /// Bytes of the current input handed to the workers so far.
    advanced: u64,
    /// Bytes read from the current input when it is streamed (stdin, pipes, compressed files).
    read: Option<Arc<AtomicU64>>,
}

impl Progress {
    /// Progress for a run of `label` (the subcommand) over `inputs`, shown as `mode` says if stderr is a
    /// terminal.
    pub(crate) fn new(mode: Mode, label: &'static str, inputs: &[InputName]) -> Progress {
        Progress::on(mode, label, inputs, std::io::stderr().is_terminal())
    }

    /// [`Progress::new`], with whether stderr is a terminal given.
    fn on(mode: Mode, label: &'static str, inputs: &[InputName], terminal: bool) -> Progress {
        let live = terminal && mode != Mode::Never;
        let total = if live { total_size(inputs) } else { None };
        let mut progress = Progress {
            bar: live.then(|| hidden_bar(label, total)),
            shown: false,
            pending: live,
            after: AUTO_AFTER,
            started: Instant::now(),
            done: 0,
            advanced: 0,
            read: None,
        };
        if live && shows_at_start(mode, total) {
            progress.show();
        }
        progress
    }

    /// Starts the next input; `read` is its counter of bytes read when it is streamed (see
    /// [`crate::input::Opened`]), `None` when it is mapped.
    pub(crate) fn start_input(&mut self, read: Option<Arc<AtomicU64>>) {
        self.advanced = 0;
        self.read = read;
    }

    /// `bytes` more of the current input were handed to the workers. Called once per chunk.
    pub(crate) fn advance(&mut self, bytes: usize) {
        self.advanced += bytes as u64;
        if !self.pending {
            return;
        }
        if let Some(bar) = &self.bar {
            bar.set_position(self.done + self.position());
        }
        if !self.shown && self.started.elapsed() >= self.after {
            self.show();
        }
    }

    /// The current input is finished.
    pub(crate) fn end_input(&mut self) {
        self.done += self.position();
        self.advanced = 0;
        self.read = None;
        if let Some(bar) = &self.bar {
            bar.set_position(self.done);
        }
    }

    /// Clears the bar from the terminal; nothing more is drawn.
    pub(crate) fn finish(&mut self) {
        self.pending = false;
        self.shown = false;
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    #[cfg(test)]
    /// Whether the bar is on the terminal now.
    pub(crate) fn is_shown(&self) -> bool {
        self.shown
    }

    /// Bytes through the current input: read from the file or stdin when streamed (a compressed file's
    /// compressed bytes, so that it compares with the file's size), handed to the workers when mapped.
    fn position(&self) -> u64 {
        self.read
            .as_ref()
            .map_or(self.advanced, |r| r.load(Ordering::Relaxed))
    }

    /// Draws the (hidden) bar on the terminal from now on.
    fn show(&mut self) {
        let Some(bar) = &self.bar else { return };
        bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(REFRESH_HZ));
        bar.set_position(self.done + self.position());
        // Drawn once now, so that a bar shown is on the terminal even if the run ends before the next tick.
        bar.tick();
        bar.enable_steady_tick(TICK);
        self.shown = true;
    }
}

/// The bar of a run over `total` bytes (`None`: not known), not drawn until shown.
fn hidden_bar(label: &str, total: Option<u64>) -> ProgressBar {
    let (bar, template) = match total {
        Some(total) => (
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden()),
            "{prefix} [{elapsed_precise}] {wide_bar} {binary_bytes}/{binary_total_bytes} \
             {binary_bytes_per_sec} eta {eta}",
        ),
        None => (
            ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()),
            "{prefix} {spinner} [{elapsed_precise}] {binary_bytes} {binary_bytes_per_sec}",
        ),
    };
    // The templates are constants: a failure is a bug, and then the default style is kept.
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(format!("logveil {label}"));
    bar
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Whether a bar on a terminal shows from the start, for inputs adding up to `total` bytes (`None`: not
/// known), rather than once the run has lasted [`AUTO_AFTER`].
fn shows_at_start(mode: Mode, total: Option<u64>) -> bool {
    match mode {
        Mode::Always => true,
        Mode::Auto => total.is_some_and(|t| t >= AUTO_MIN_BYTES),
        Mode::Never => false,
    }
}

/// The sum of the sizes of `inputs` when every one is a regular file (followed through links).
fn total_size(inputs: &[InputName]) -> Option<u64> {
    inputs.iter().try_fold(0u64, |sum, input| match input {
        InputName::Path(p) => std::fs::metadata(p)
            .ok()
            .filter(|m| m.is_file())
            .map(|m| sum + m.len()),
        InputName::Stdin => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_of(dir: &std::path::Path, name: &str, len: usize) -> InputName {
        let path = dir.join(name);
        std::fs::write(&path, vec![b'x'; len]).unwrap();
        InputName::Path(path)
    }

    #[test]
    fn the_total_is_known_only_when_every_input_is_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let a = file_of(dir.path(), "a", 10);
        let b = file_of(dir.path(), "b", 32);
        assert_eq!(total_size(&[a.clone(), b.clone()]), Some(42));
        assert_eq!(total_size(&[a.clone(), InputName::Stdin]), None);
        let missing = InputName::Path(dir.path().join("missing"));
        assert_eq!(total_size(&[a, missing]), None);
        assert_eq!(
            total_size(&[InputName::Path(dir.path().to_path_buf())]),
            None
        );
    }

    #[test]
    fn nothing_shows_off_a_terminal_or_when_never() {
        for (mode, terminal) in [
            (Mode::Always, false),
            (Mode::Auto, false),
            (Mode::Never, true),
        ] {
            let mut p = Progress::on(mode, "test", &[InputName::Stdin], terminal);
            p.start_input(None);
            p.advance(1 << 30);
            p.end_input();
            assert!(!p.is_shown(), "{mode:?} on a terminal: {terminal}");
            assert!(!p.pending);
        }
    }

    /// A bar that shows late (a stream past the wait) shows the rate since the start of the run, not the
    /// bytes so far as if they had come in the instant it appeared.
    #[test]
    fn a_bar_shown_late_shows_the_rate_since_the_start() {
        let mut p = Progress::on(Mode::Auto, "test", &[InputName::Stdin], true);
        p.after = Duration::from_millis(300);
        p.start_input(None);
        p.advance(30 << 20);
        assert!(!p.is_shown());
        std::thread::sleep(Duration::from_millis(350));
        p.advance(1);
        assert!(p.is_shown());
        let rate = p.bar.as_ref().unwrap().per_sec();
        // 30 MiB over at least 0.35 s: about 86 MiB/s on average. The estimate weighs the burst at the
        // start, but stays within a few times the mean; a bar made now would say tens of GiB/s.
        let mean = (30 << 20) as f64 / 0.35;
        assert!(rate > 0.0 && rate < 4.0 * mean, "{rate} against {mean}");
        p.finish();
    }

    #[test]
    fn large_inputs_show_at_once() {
        assert!(shows_at_start(Mode::Auto, Some(AUTO_MIN_BYTES)));
        assert!(!shows_at_start(Mode::Auto, Some(AUTO_MIN_BYTES - 1)));
        assert!(!shows_at_start(Mode::Auto, None));
        assert!(shows_at_start(Mode::Always, None));
        assert!(!shows_at_start(Mode::Never, Some(u64::MAX)));
    }

    #[test]
    fn auto_waits_for_a_large_input() {
        let dir = tempfile::tempdir().unwrap();
        let small = file_of(dir.path(), "small", 1000);
        let p = Progress::on(Mode::Auto, "test", &[small], true);
        assert!(!p.is_shown());
        assert!(p.pending);
        let p = Progress::on(Mode::Auto, "test", &[InputName::Stdin], true);
        assert!(!p.is_shown());
    }

    #[test]
    fn positions_add_up_over_inputs() {
        let mut p = Progress::on(Mode::Never, "test", &[], false);
        p.start_input(None);
        p.advance(100);
        p.advance(50);
        assert_eq!(p.position(), 150);
        p.end_input();
        let read = Arc::new(AtomicU64::new(0));
        p.start_input(Some(read.clone()));
        p.advance(1000);
        read.store(30, Ordering::Relaxed);
        assert_eq!(p.position(), 30, "a streamed input counts the bytes read");
        p.end_input();
        assert_eq!(p.done, 180);
    }
}
