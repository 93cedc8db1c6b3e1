//! Standard input for a long-running logger: read as lines come, and ended gracefully on request.
//!
//! A stop request (SIGTERM, SIGINT; see [`crate::signals::Stop`]) does not drop what the server already
//! wrote into the pipe: reading goes on until the pipe has been quiet for [`DRAIN_QUIET`] or [`DRAIN_MAX`]
//! has passed (well before a server or service manager gives up and sends SIGKILL), then the input ends as at
//! EOF.

use std::io::{self, Read};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec, poll};

use super::BlockSource;

/// After a stop request, the input ends once the pipe has had nothing to read for this long.
pub(crate) const DRAIN_QUIET: Duration = Duration::from_millis(200);
/// After a stop request, the input ends at the latest this long after it.
pub(crate) const DRAIN_MAX: Duration = Duration::from_secs(1);

/// Standard input that ends at EOF or, after a stop request, once drained.
pub(crate) struct StdinUntilStopped {
    stop: UnixStream,
    stopping_since: Option<Instant>,
    /// Stdin has ended: a terminal's Ctrl-D reaches one read only, so it is kept.
    ended: bool,
}

impl StdinUntilStopped {
    /// Reads stdin until EOF or until `stop` becomes readable and the pipe is drained.
    pub(crate) fn new(stop: UnixStream) -> StdinUntilStopped {
        StdinUntilStopped {
            stop,
            stopping_since: None,
            ended: false,
        }
    }
}

/// Waits for `fds`: the number ready, or `None` when a signal interrupted the wait.
fn wait(fds: &mut [PollFd<'_>], timeout: Option<Duration>) -> io::Result<Option<usize>> {
    let timeout = match timeout.map(Timespec::try_from) {
        Some(Ok(t)) => Some(t),
        Some(Err(_)) | None => None,
    };
    match poll(fds, timeout.as_ref()) {
        Ok(n) => Ok(Some(n)),
        Err(rustix::io::Errno::INTR) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

impl Read for StdinUntilStopped {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.ended {
            return Ok(0);
        }
        let stdin = io::stdin();
        let fd = stdin.as_fd();
        loop {
            match self.stopping_since {
                None => {
                    let mut fds = [
                        PollFd::new(&fd, PollFlags::IN),
                        PollFd::new(&self.stop, PollFlags::IN),
                    ];
                    if wait(&mut fds, None)?.is_none() {
                        continue;
                    }
                    if !fds[1].revents().is_empty() {
                        self.stopping_since = Some(Instant::now());
                    }
                    if fds[0].revents().is_empty() {
                        continue;
                    }
                }
                Some(since) => {
                    let left = DRAIN_MAX.saturating_sub(since.elapsed());
                    if left.is_zero() {
                        return Ok(0);
                    }
                    let mut fds = [PollFd::new(&fd, PollFlags::IN)];
                    match wait(&mut fds, Some(left.min(DRAIN_QUIET)))? {
                        None => continue,
                        // Quiet for DRAIN_QUIET, or out of time: what was sent is read.
                        Some(0) => return Ok(0),
                        Some(_) => {}
                    }
                }
            }
            match rustix::io::read(fd, &mut *buf) {
                Ok(n) => {
                    self.ended = n == 0 && !buf.is_empty();
                    return Ok(n);
                }
                Err(rustix::io::Errno::INTR | rustix::io::Errno::AGAIN) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// Standard input as blocks of whole lines, ended by `stop` (see the module docs); a line longer than
/// `max_line` bytes reaches the consumer as its first `max_line + 1` bytes (see [`super::open_limited`]).
/// Its first block is looked at as [`super::open_counted`] does, so binary input is an error.
pub(crate) fn open_until_stopped(
    stop: UnixStream,
    max_line: usize,
) -> io::Result<Box<dyn BlockSource>> {
    super::source::widen_stdin_pipe();
    super::source::text_stream(Box::new(StdinUntilStopped::new(stop)), max_line)
}
