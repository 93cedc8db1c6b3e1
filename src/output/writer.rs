//! A writer thread: buffers arrive in input order through a bounded queue and are written in that order,
//! so writing overlaps with the work on the next batch. The output is flushed whenever the queue runs
//! empty, so a quiet stream reaches its destination at once.

use std::io::{self, Write};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, TryRecvError, bounded};

/// Batches the writer may hold queued.
const QUEUE_BATCHES: usize = 2;
/// Written buffers kept for reuse.
const POOL_BUFFERS: usize = 256;

/// Output buffers handed back by the writer once written, so workers reuse them instead of asking the
/// kernel for fresh zeroed pages for every chunk (which cost a quarter of the run time before).
#[derive(Clone)]
pub struct BufferPool {
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
    pub fn take(&self, capacity: usize) -> Vec<u8> {
        let mut buf = self.rx.try_recv().unwrap_or_default();
        buf.clear();
        buf.reserve(capacity);
        buf
    }

    /// Returns a buffer for reuse (dropped when the pool is full).
    pub fn give(&self, buf: Vec<u8>) {
        let _ = self.tx.try_send(buf);
    }
}

/// Writes batches of buffers on a thread of its own.
pub struct OrderedWriter {
    tx: Option<Sender<Vec<Vec<u8>>>>,
    handle: Option<JoinHandle<io::Result<()>>>,
}

impl OrderedWriter {
    /// Starts a writer thread owning `out`; written buffers go back to `pool`.
    pub fn spawn(out: Box<dyn Write + Send>, pool: BufferPool) -> io::Result<OrderedWriter> {
        let (tx, rx) = bounded::<Vec<Vec<u8>>>(QUEUE_BATCHES);
        let handle = std::thread::Builder::new()
            .name("logveil-writer".into())
            .spawn(move || {
                let mut out = out;
                loop {
                    let batch = match rx.try_recv() {
                        Ok(batch) => batch,
                        Err(TryRecvError::Empty) => {
                            out.flush()?;
                            match rx.recv() {
                                Ok(batch) => batch,
                                Err(_) => break,
                            }
                        }
                        Err(TryRecvError::Disconnected) => break,
                    };
                    for buf in batch {
                        out.write_all(&buf)?;
                        pool.give(buf);
                    }
                }
                out.flush()
            })?;
        Ok(OrderedWriter {
            tx: Some(tx),
            handle: Some(handle),
        })
    }

    /// Queues a batch. An error means the writer has stopped; [`OrderedWriter::finish`] says why.
    pub fn send(&self, batch: Vec<Vec<u8>>) -> io::Result<()> {
        match &self.tx {
            Some(tx) if tx.send(batch).is_ok() => Ok(()),
            _ => Err(io::Error::other("writer stopped")),
        }
    }

    /// Waits until everything queued is written and flushed.
    pub fn finish(mut self) -> io::Result<()> {
        self.tx.take();
        match self.handle.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the writer thread panicked")),
            None => Ok(()),
        }
    }
}
