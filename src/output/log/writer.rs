//! A writer thread: buffers arrive in input order through a bounded queue and are written in that order,
//! so writing overlaps with the work on the next batch. The output is flushed whenever the queue runs
//! empty, so a quiet stream reaches its destination at once. A destination that can be reopened (a log file
//! that logrotate moves away) is reopened when asked, between batches or within [`REOPEN_TICK`] when idle.

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TryRecvError, bounded};

/// Batches the writer may hold queued.
const QUEUE_BATCHES: usize = 2;
/// Written buffers kept for reuse.
const POOL_BUFFERS: usize = 256;

/// How often an idle writer looks whether a reopen was asked for.
pub(crate) const REOPEN_TICK: Duration = Duration::from_millis(100);

/// What the writer thread writes to: bytes, plus two moments a plain writer does not have.
pub(crate) trait Output: Write + Send {
    /// Flushes what is buffered and starts writing at the path afresh (a log file that logrotate moved).
    /// On error the old destination stays. Plain writers have nothing to reopen.
    fn reopen(&mut self) -> io::Result<()> {
        Ok(())
    }

    /// Completes the output after the last write (a compressor writes its trailer); by default, a flush.
    fn finish(&mut self) -> io::Result<()> {
        self.flush()
    }
}

/// Any writer as an [`Output`] with nothing to reopen or finish beyond a flush.
pub(crate) struct Plain<W: Write + Send>(pub W);

impl<W: Write + Send> Write for Plain<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.0.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl<W: Write + Send> Output for Plain<W> {}

/// Where the writer thread writes, and the flag that asks for a reopen (if any).
struct Destination {
    out: Box<dyn Output>,
    reopen: Option<Arc<AtomicBool>>,
}

impl Destination {
    /// Reopens when asked. A failure is reported on stderr and writing goes on to the old destination (a
    /// logger that died here would lose every later line); the next request tries again.
    fn reopen_if_asked(&mut self) {
        if let Some(asked) = &self.reopen {
            if asked.swap(false, Ordering::AcqRel) {
                if let Err(e) = self.out.reopen() {
                    eprintln!(
                        "logveil: cannot reopen the output ({e}); still writing to the old file"
                    );
                }
            }
        }
    }

    /// The next batch, flushing first; `None` once every sender is gone.
    fn wait(&mut self, rx: &Receiver<Vec<Vec<u8>>>) -> io::Result<Option<Vec<Vec<u8>>>> {
        self.out.flush()?;
        if self.reopen.is_none() {
            return Ok(rx.recv().ok());
        }
        loop {
            match rx.recv_timeout(REOPEN_TICK) {
                Ok(batch) => return Ok(Some(batch)),
                Err(RecvTimeoutError::Timeout) => self.reopen_if_asked(),
                Err(RecvTimeoutError::Disconnected) => return Ok(None),
            }
        }
    }
}

/// Output buffers handed back by the writer once written, so workers reuse them instead of asking the
/// kernel for fresh zeroed pages for every chunk (which cost a quarter of the run time before).
#[derive(Clone)]
pub(crate) struct BufferPool {
    tx: Sender<Vec<u8>>,
    rx: Receiver<Vec<u8>>,
}

impl Default for BufferPool {
    fn default() -> BufferPool {
        let (tx, rx) = bounded(POOL_BUFFERS);
        BufferPool { tx, rx }
    }
}

impl BufferPool {
    /// An empty buffer with at least `capacity` bytes reserved.
    pub(crate) fn take(&self, capacity: usize) -> Vec<u8> {
        let mut buf = self.rx.try_recv().unwrap_or_default();
        buf.clear();
        buf.reserve(capacity);
        buf
    }

    /// Returns a buffer for reuse (dropped when the pool is full).
    pub(crate) fn give(&self, buf: Vec<u8>) {
        let _ = self.tx.try_send(buf);
    }
}

/// Writes batches of buffers on a thread of its own.
pub(crate) struct OrderedWriter {
    tx: Option<Sender<Vec<Vec<u8>>>>,
    handle: Option<JoinHandle<io::Result<()>>>,
}

impl OrderedWriter {
    /// Starts a writer thread owning `out`; written buffers go back to `pool`.
    pub(crate) fn spawn(out: Box<dyn Write + Send>, pool: BufferPool) -> io::Result<OrderedWriter> {
        OrderedWriter::spawn_output(Box::new(Plain(out)), None, pool)
    }

    /// Like [`OrderedWriter::spawn`] for an [`Output`], reopened whenever `reopen` is found set (which is
    /// then cleared) and finished after the last batch.
    pub(crate) fn spawn_output(
        out: Box<dyn Output>,
        reopen: Option<Arc<AtomicBool>>,
        pool: BufferPool,
    ) -> io::Result<OrderedWriter> {
        let out = Destination { out, reopen };
        let (tx, rx) = bounded::<Vec<Vec<u8>>>(QUEUE_BATCHES);
        let handle = std::thread::Builder::new()
            .name("logveil-writer".into())
            .spawn(move || {
                let mut out = out;
                loop {
                    let batch = match rx.try_recv() {
                        Ok(batch) => batch,
                        Err(TryRecvError::Empty) => match out.wait(&rx)? {
                            Some(batch) => batch,
                            None => break,
                        },
                        Err(TryRecvError::Disconnected) => break,
                    };
                    out.reopen_if_asked();
                    for buf in batch {
                        out.out.write_all(&buf)?;
                        pool.give(buf);
                    }
                }
                out.out.finish()
            })?;
        Ok(OrderedWriter {
            tx: Some(tx),
            handle: Some(handle),
        })
    }

    /// Queues a batch. An error means the writer has stopped; [`OrderedWriter::finish`] says why.
    pub(crate) fn send(&self, batch: Vec<Vec<u8>>) -> io::Result<()> {
        match &self.tx {
            Some(tx) if tx.send(batch).is_ok() => Ok(()),
            _ => Err(io::Error::other("writer stopped")),
        }
    }

    /// Waits until everything queued is written and flushed.
    pub(crate) fn finish(mut self) -> io::Result<()> {
        self.tx.take();
        match self.handle.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the writer thread panicked")),
            None => Ok(()),
        }
    }
}
