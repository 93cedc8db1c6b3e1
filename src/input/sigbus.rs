//! Memory-mapped inputs that shrink while they are read.
//!
//! Regular files are mapped. If another process truncates a file while it is mapped (logrotate's
//! `copytruncate` does exactly that), reading a mapped page past the new end raises `SIGBUS`, whose default
//! action kills the process. On Linux, the first time a file is mapped, logveil installs a `SIGBUS` handler
//! that, for a fault inside one of its own input maps, puts a page of zeros over the lost page (a fixed
//! anonymous map), counts the fault and lets the read go on. The pipeline checks the count when an input
//! is finished ([`faults`]) and the file length before each window, and ends the run with an I/O error
//! naming the input, so a truncated input never passes for a complete one: an output file (`-o`, `--csv`,
//! `--json`) is then not replaced. A `SIGBUS` anywhere else gets the handler that was there before (by
//! default: the process dies, as it would without this module).
//!
//! The handler only reads atomics, calls `mmap` (a system call with no locks) and `sigaction`/`raise`;
//! it allocates nothing and takes no lock.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Live input maps that can be registered at once (the pipeline holds a few dozen at most).
const SLOTS: usize = 256;

static STARTS: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];
static ENDS: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];
static FAULTS: AtomicU64 = AtomicU64::new(0);

/// Pages of input maps replaced by zeros since the process started. A change across the reading of one
/// input means that input shrank while it was read.
pub(crate) fn faults() -> u64 {
    FAULTS.load(Ordering::SeqCst)
}

/// A registered address range; unregistered when dropped (before the map itself is unmapped).
pub(crate) struct Registration(Option<usize>);

impl Drop for Registration {
    fn drop(&mut self) {
        if let Some(slot) = self.0 {
            ENDS[slot].store(0, Ordering::SeqCst);
            STARTS[slot].store(0, Ordering::SeqCst);
        }
    }
}

/// Registers `start..start + len` as an input map whose lost pages may be replaced by zeros. With every
/// slot taken the range is not registered: a fault in it then kills the process, as before.
pub(crate) fn register(start: usize, len: usize) -> Registration {
    install();
    if start == 0 || len == 0 {
        return Registration(None);
    }
    for slot in 0..SLOTS {
        if STARTS[slot]
            .compare_exchange(0, start, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            ENDS[slot].store(start + len, Ordering::SeqCst);
            return Registration(Some(slot));
        }
    }
    Registration(None)
}

fn covered(addr: usize) -> bool {
    (0..SLOTS).any(|slot| {
        let start = STARTS[slot].load(Ordering::SeqCst);
        start != 0 && start <= addr && addr < ENDS[slot].load(Ordering::SeqCst)
    })
}

#[cfg(target_os = "linux")]
mod imp {
    use std::sync::Once;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::{FAULTS, covered};

    static INSTALL: Once = Once::new();
    static PAGE: AtomicUsize = AtomicUsize::new(4096);
    /// The handler that was installed before ours (a `libc::sigaction`, boxed and leaked).
    static PREVIOUS: AtomicUsize = AtomicUsize::new(0);

    pub(super) fn install() {
        INSTALL.call_once(|| {
            // SAFETY: sysconf and sigaction are called with valid arguments; the previous action is
            // written into a leaked box that lives for the rest of the process.
            unsafe {
                let page = libc::sysconf(libc::_SC_PAGESIZE);
                if page > 0 {
                    PAGE.store(page as usize, Ordering::SeqCst);
                }
                let previous: *mut libc::sigaction = Box::into_raw(Box::new(std::mem::zeroed()));
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_sigbus as *const () as usize;
                action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
                libc::sigemptyset(&mut action.sa_mask);
                if libc::sigaction(libc::SIGBUS, &action, previous) == 0 {
                    PREVIOUS.store(previous as usize, Ordering::SeqCst);
                }
            }
        });
    }

    extern "C" fn on_sigbus(
        signal: libc::c_int,
        info: *mut libc::siginfo_t,
        _context: *mut libc::c_void,
    ) {
        // SAFETY: the kernel passes a valid siginfo for a SA_SIGINFO handler.
        let addr = unsafe { (*info).si_addr() } as usize;
        if covered(addr) {
            let page = PAGE.load(Ordering::SeqCst);
            let base = addr & !(page - 1);
            // SAFETY: the page lies inside a read-only input map this process owns and that stays mapped
            // while registered; a fixed anonymous map replaces only that page, with zeros.
            let p = unsafe {
                libc::mmap(
                    base as *mut libc::c_void,
                    page,
                    libc::PROT_READ,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                    -1,
                    0,
                )
            };
            if p != libc::MAP_FAILED {
                FAULTS.fetch_add(1, Ordering::SeqCst);
                return;
            }
        }
        // Not one of ours: hand the signal to the previous handler (default: terminate). A fault raised by
        // the kernel comes back when the access is retried on return; one sent by `kill` is raised again.
        // SAFETY: as above.
        let from_kernel = unsafe { (*info).si_code } > 0;
        let previous = PREVIOUS.load(Ordering::SeqCst) as *const libc::sigaction;
        // SAFETY: `previous` is the action saved at install time (or null, then the default is used);
        // sigaction and raise are async-signal-safe.
        unsafe {
            if previous.is_null() {
                let mut default: libc::sigaction = std::mem::zeroed();
                default.sa_sigaction = libc::SIG_DFL;
                libc::sigaction(signal, &default, std::ptr::null_mut());
            } else {
                libc::sigaction(signal, previous, std::ptr::null_mut());
            }
            if !from_kernel {
                libc::raise(signal);
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    /// Elsewhere no handler is installed: a file truncated while mapped ends the process with SIGBUS.
    pub fn install() {}
}

use imp::install;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrations_cover_their_range_until_dropped() {
        let r = register(0x1000_0000, 0x2000);
        assert!(covered(0x1000_0000) && covered(0x1000_1fff));
        assert!(!covered(0x1000_2000) && !covered(0x0fff_ffff));
        drop(r);
        assert!(!covered(0x1000_0000));
    }
}
