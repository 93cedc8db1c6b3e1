//! The signals a long-running `anonymize` answers when it runs as a piped logger: SIGHUP asks for the output
//! file to be reopened (logrotate moved it away), SIGTERM and SIGINT ask the input to end once what is
//! already waiting in the pipe has been read. The handlers only set a flag or write a byte to a socket; the
//! work happens on the threads that look at them. Dropping a handle restores the previous handling.

use std::io;
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use signal_hook::SigId;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

/// SIGHUP, caught: [`Hangup::flag`] is set when one arrives.
pub(crate) struct Hangup {
    flag: Arc<AtomicBool>,
    id: SigId,
}

impl Hangup {
    /// Catches SIGHUP from now on (instead of dying of it).
    pub(crate) fn install() -> io::Result<Hangup> {
        let flag = Arc::new(AtomicBool::new(false));
        let id = signal_hook::flag::register(SIGHUP, Arc::clone(&flag))?;
        Ok(Hangup { flag, id })
    }

    /// Set by each SIGHUP; whoever acts on it clears it.
    pub(crate) fn flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.flag)
    }
}

impl Drop for Hangup {
    fn drop(&mut self) {
        signal_hook::low_level::unregister(self.id);
    }
}

/// SIGTERM and SIGINT, caught: each writes a byte to a socket whose other end becomes readable, so a reader
/// waiting in `poll` wakes up.
pub(crate) struct Stop {
    read: UnixStream,
    ids: Vec<SigId>,
}

impl Stop {
    /// Catches SIGTERM and SIGINT from now on.
    pub(crate) fn install() -> io::Result<Stop> {
        let (read, write) = UnixStream::pair()?;
        let mut ids = Vec::new();
        for signal in [SIGTERM, SIGINT] {
            ids.push(signal_hook::low_level::pipe::register(
                signal,
                write.try_clone()?,
            )?);
        }
        Ok(Stop { read, ids })
    }

    /// The end that becomes readable once a stop signal came (it is never drained, so it stays readable).
    pub(crate) fn receiver(&self) -> io::Result<UnixStream> {
        self.read.try_clone()
    }
}

impl Drop for Stop {
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}
