//! The signals a long-running `anonymize` answers when it runs as a piped logger: SIGHUP asks for the output
//! file to be reopened (logrotate moved it away), SIGTERM and SIGINT ask the input to end once what is
//! already waiting in the pipe has been read. The handlers only set a flag or write a byte to a socket; the
//! work happens on the threads that look at them. Dropping a handle restores the previous handling.
//!
//! A run reading files catches SIGINT too ([`Interrupt`]): the pipeline stops at the next batch, the
//! command drops what it was writing (temporary files go with it) and exits 130. A second Ctrl-C ends the
//! process at once, as if nothing caught the first.

use std::io;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};

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

/// Set by SIGINT while an [`Interrupt`] is installed.
static INTERRUPTED: LazyLock<Arc<AtomicBool>> = LazyLock::new(|| Arc::new(AtomicBool::new(false)));
/// True while a [`Stop`] is installed: stdin is drained on SIGINT, not abandoned.
static DRAINING: AtomicBool = AtomicBool::new(false);

/// SIGINT (Ctrl-C), caught for a command that writes files: see [`interrupted`].
pub(crate) struct Interrupt {
    ids: [SigId; 2],
}

impl Interrupt {
    /// Catches SIGINT from now on; a second one exits with 130 at once.
    pub(crate) fn install() -> io::Result<Interrupt> {
        let flag = Arc::clone(&INTERRUPTED);
        // Registered first, so it sees the flag the first signal set.
        let second =
            signal_hook::flag::register_conditional_shutdown(SIGINT, 130, Arc::clone(&flag))?;
        let first = signal_hook::flag::register(SIGINT, flag)?;
        Ok(Interrupt {
            ids: [second, first],
        })
    }
}

impl Drop for Interrupt {
    fn drop(&mut self) {
        for id in self.ids {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// True once SIGINT came while an [`Interrupt`] was installed: the run must end with exit 130.
pub(crate) fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::Relaxed)
}

/// True when the pipeline should stop reading: interrupted, and not draining a piped logger's stdin.
pub(crate) fn abandon_reading() -> bool {
    interrupted() && !DRAINING.load(Ordering::Relaxed)
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
        DRAINING.store(true, Ordering::Relaxed);
        Ok(Stop { read, ids })
    }

    /// The end that becomes readable once a stop signal came (it is never drained, so it stays readable).
    pub(crate) fn receiver(&self) -> io::Result<UnixStream> {
        self.read.try_clone()
    }
}

impl Drop for Stop {
    fn drop(&mut self) {
        DRAINING.store(false, Ordering::Relaxed);
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}
