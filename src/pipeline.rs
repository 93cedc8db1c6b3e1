//! Chunks → parallel map → results in input order.
//!
//! A reader thread pulls blocks from the source into a bounded queue. The main thread gathers what is
//! available into a batch (at least one block, at most [`BATCH_BYTES`]), cuts it into chunks at line
//! boundaries, maps the chunks on the rayon pool, and hands the results to the sink in input order. Memory
//! is bounded by the queue and the batch size whatever the input length; a quiet stream is processed as
//! soon as a line arrives.

use std::io;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use crossbeam_channel::{TryRecvError, bounded};
use rayon::prelude::*;

use crate::error::Error;
use crate::format::detect::detect;
use crate::format::{LineParser, carried_header};
use crate::input::{Block, BlockSource, Prepend};

/// Target bytes per chunk handed to one worker.
pub const CHUNK_BYTES: usize = 256 << 10;
/// Most bytes gathered into one batch.
pub(crate) const BATCH_BYTES: usize = 8 << 20;
/// Most bytes of a stream a [`Chunking::Gathered`] batch holds (unless its workers' chunks of
/// [`CHUNK_BYTES`] take more).
const GATHER_BYTES: usize = 64 << 20;
/// Blocks the reader may queue ahead.
const QUEUE_BLOCKS: usize = 32;

/// How a run cuts its input into chunks for the workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Chunking {
    /// Chunks of about this many bytes cut from each block as it comes, in batches of whatever blocks are
    /// ready: no line waits for more input (`anonymize` on a live pipe).
    AsReady(usize),
    /// Chunks of about this many bytes, the small blocks of a stream (a pipe's reads, a decompressor's
    /// output) joined into them, in batches of one chunk per worker that wait for the input to fill them.
    /// For `report`, which writes nothing before the end: every chunk starts its tables afresh, so a
    /// stream cut into a chunk per read cost a sixth more CPU than the same file mapped.
    Gathered(usize),
}

/// The worker threads of one run (`--threads`), shared by every input of it.
pub(crate) fn pool(threads: usize) -> Result<rayon::ThreadPool, Error> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("logveil-worker-{i}"))
        .build()
        .map_err(|e| Error::System(format!("cannot start {threads} threads: {e}")))
}

/// What a run tells about its reading as it goes (a progress bar).
pub(crate) trait Meter {
    /// An input starts; `read` counts the bytes read from a streamed one (see [`crate::input::Opened`]).
    fn start_input(&mut self, read: Option<Arc<AtomicU64>>);
    /// `bytes` more bytes of the input were handed to the workers.
    fn advance(&mut self, bytes: usize);
    /// The input is done.
    fn end_input(&mut self);
}

/// The parser for `source`: `forced`, or the format detected on its first block; and the source, whole
/// again. `None` for an empty source.
pub(crate) fn parser_for(
    mut source: Box<dyn BlockSource>,
    forced: Option<&LineParser>,
) -> io::Result<Option<(LineParser, Box<dyn BlockSource>)>> {
    let Some(p) = forced else {
        let Some((first, detection)) = detect_head(source.as_mut())? else {
            return Ok(None);
        };
        let parser = LineParser::detected(detection.format).with_prefix(detection.prefix);
        return Ok(Some((parser, Box::new(Prepend::new(first, source)))));
    };
    let Some(first) = source.next_block()? else {
        return Ok(None);
    };
    let prefix = crate::format::detect::detect_prefix(&first, p);
    let parser = p.clone().with_prefix(prefix);
    // A format string that matches no line: said now, with the first line and where it stops, rather than
    // a run of unparsed lines.
    if let Some(why) = crate::format::detect::no_line_parses(&first, &parser) {
        return Err(io::Error::new(io::ErrorKind::InvalidData, why));
    }
    Ok(Some((parser, Box::new(Prepend::new(first, source)))))
}

/// Most bytes [`detect_head`] joins while it finds no record.
const DETECT_HEAD_BYTES: usize = 1 << 20;

/// The first block of `source` and the format detected on it; `None` for an empty source. A first block
/// with no record in it (W3C directives only: a stream cuts its blocks at line ends, and a file's only
/// record may lack its final newline) is joined with the next blocks until one is seen.
pub(crate) fn detect_head(
    source: &mut dyn BlockSource,
) -> io::Result<Option<(Block, crate::format::detect::Detection)>> {
    let Some(mut first) = source.next_block()? else {
        return Ok(None);
    };
    let mut detection = detect(&first);
    while detection.sampled == 0 && first.len() < DETECT_HEAD_BYTES {
        let Some(next) = source.next_block()? else {
            break;
        };
        first = Block::Owned([&first[..], &next[..]].concat());
        detection = detect(&first);
    }
    Ok(Some((first, detection)))
}

/// [`run_carried`] over a log: `map` gets each chunk with the W3C `#Date:`/`#Fields:` header in force where it
/// starts (always `None` unless `uses_headers`), and `meter` advances by each chunk as it is cut.
pub(crate) fn run_log<T, M, S>(
    source: Box<dyn BlockSource>,
    pool: &rayon::ThreadPool,
    chunking: Chunking,
    uses_headers: bool,
    meter: &mut dyn Meter,
    map: M,
    sink: S,
) -> io::Result<()>
where
    T: Send,
    M: Fn(&[u8], Option<&[u8]>) -> T + Sync,
    S: FnMut(Vec<T>) -> io::Result<ControlFlow<()>>,
{
    let mut header: Option<Arc<[u8]>> = None;
    run_carried(
        source,
        pool,
        chunking,
        |chunk| {
            meter.advance(chunk.len());
            let start = header.clone();
            if uses_headers {
                header = carried_header(header.as_deref(), chunk).map(Into::into);
            }
            start
        },
        |chunk, header| map(chunk, header.as_deref()),
        sink,
    )
}

/// Runs `map` on every chunk of `source` using `pool`, calling `sink` with each batch of results in input
/// order. The sink may stop the run early with `ControlFlow::Break`.
pub(crate) fn run<T, M, S>(
    source: Box<dyn BlockSource>,
    pool: &rayon::ThreadPool,
    map: M,
    sink: S,
) -> io::Result<()>
where
    T: Send,
    M: Fn(&[u8]) -> T + Sync,
    S: FnMut(Vec<T>) -> io::Result<ControlFlow<()>>,
{
    run_chunked(source, pool, CHUNK_BYTES, map, sink)
}

/// [`run`] with chunks of about `chunk_bytes` instead of [`CHUNK_BYTES`] (larger chunks suit maps whose
/// per-chunk setup is dear, such as the report's partial tables).
pub(crate) fn run_chunked<T, M, S>(
    source: Box<dyn BlockSource>,
    pool: &rayon::ThreadPool,
    chunk_bytes: usize,
    map: M,
    sink: S,
) -> io::Result<()>
where
    T: Send,
    M: Fn(&[u8]) -> T + Sync,
    S: FnMut(Vec<T>) -> io::Result<ControlFlow<()>>,
{
    run_carried(
        source,
        pool,
        Chunking::AsReady(chunk_bytes),
        |_| (),
        |c, _| map(c),
        sink,
    )
}

/// [`run_chunked`], cut as `chunking` says, with state carried from chunk to chunk in input order: `carry` is called on every chunk
/// in order, on the cutting thread, and returns the context that chunk starts with (W3C logs use it to
/// hand each chunk the `#Fields:` header in force where it starts); `map` gets the chunk and its context.
pub(crate) fn run_carried<C, T, K, M, S>(
    source: Box<dyn BlockSource>,
    pool: &rayon::ThreadPool,
    chunking: Chunking,
    mut carry: K,
    map: M,
    mut sink: S,
) -> io::Result<()>
where
    C: Send + Sync,
    T: Send,
    K: FnMut(&[u8]) -> C,
    M: Fn(&[u8], &C) -> T + Sync,
    S: FnMut(Vec<T>) -> io::Result<ControlFlow<()>>,
{
    // A mapped input that shrinks while it is read has its lost pages replaced by zeros (`input::sigbus`):
    // any such fault during this run fails it.
    let faults = crate::input::sigbus::faults();
    let shrunk = || {
        if crate::input::sigbus::faults() != faults {
            Err(crate::input::shrunk())
        } else {
            Ok(())
        }
    };
    let (chunk_bytes, batch_bytes, gather) = match chunking {
        Chunking::AsReady(bytes) => (bytes, BATCH_BYTES, false),
        Chunking::Gathered(bytes) => {
            // One chunk per worker, the batch held at most GATHER_BYTES: many workers get smaller chunks
            // (down to CHUNK_BYTES) rather than hold a chunk each of a stream's bytes.
            let workers = pool.current_num_threads().max(1);
            let chunk = bytes.min(GATHER_BYTES / workers).max(CHUNK_BYTES);
            (chunk, (chunk * workers).max(BATCH_BYTES), true)
        }
    };
    let (tx, rx) = bounded::<io::Result<Block>>(QUEUE_BLOCKS);
    let mut source = source;
    // The reader is not joined: on an early stop it may be blocked reading a pipe that never closes. It
    // ends when its next send finds the queue dropped.
    std::thread::Builder::new()
        .name("logveil-reader".into())
        .spawn(move || {
            loop {
                let item = match source.next_block() {
                    Ok(Some(block)) => Ok(block),
                    Ok(None) => break,
                    Err(e) => Err(e),
                };
                let failed = item.is_err();
                if tx.send(item).is_err() || failed {
                    break;
                }
            }
        })?;

    let mut batch: Vec<Block> = Vec::new();
    loop {
        // Ctrl-C on a run reading files: stop here; the command sees `signals::interrupted` and fails.
        if crate::signals::abandon_reading() {
            return Ok(());
        }
        batch.clear();
        let mut bytes = 0;
        // Wait for one block, then take whatever else is ready.
        match rx.recv() {
            Ok(block) => {
                let block = block?;
                bytes += block.len();
                batch.push(block);
            }
            Err(_) => return shrunk(),
        }
        let mut ended = false;
        // A read error after some blocks: the lines read before it are still processed, then it is returned.
        let mut failed = None;
        while bytes < batch_bytes {
            let next = if gather {
                rx.recv().map_err(|_| TryRecvError::Disconnected)
            } else {
                rx.try_recv()
            };
            match next {
                Ok(Ok(block)) => {
                    bytes += block.len();
                    batch.push(block);
                }
                Ok(Err(e)) => {
                    failed = Some(e);
                    break;
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    ended = true;
                    break;
                }
            }
        }
        if gather {
            batch = join_small(std::mem::take(&mut batch), chunk_bytes);
        }
        let chunks: Vec<(&[u8], C)> = batch
            .iter()
            .flat_map(|b| chunks_of(b, chunk_bytes))
            .map(|c| (c, carry(c)))
            .collect();
        let results: Vec<T> =
            pool.install(|| chunks.par_iter().map(|(c, ctx)| map(c, ctx)).collect());
        shrunk()?;
        if sink(results)?.is_break() {
            return Ok(());
        }
        if let Some(e) = failed {
            return Err(e);
        }
        if ended {
            return shrunk();
        }
    }
}

/// `blocks` in order, each run of blocks smaller than `size` joined into blocks of about `size` bytes (the
/// blocks of a stream end at line ends, so their joins do too).
fn join_small(blocks: Vec<Block>, size: usize) -> Vec<Block> {
    let mut out = Vec::with_capacity(blocks.len());
    let mut joined: Vec<u8> = Vec::new();
    for block in blocks {
        if block.len() >= size {
            if !joined.is_empty() {
                out.push(Block::Owned(std::mem::take(&mut joined)));
            }
            out.push(block);
            continue;
        }
        if joined.is_empty() {
            // Room for the size and a little past it, where the last block joined ends.
            joined.reserve_exact(size + size / 8);
        }
        // Grown exactly when a block passes the room left (a doubling would hold twice the size).
        joined.reserve_exact(block.len());
        joined.extend_from_slice(&block);
        if joined.len() >= size {
            out.push(Block::Owned(std::mem::take(&mut joined)));
        }
    }
    if !joined.is_empty() {
        out.push(Block::Owned(joined));
    }
    out
}

/// Cuts `block` into pieces of about [`CHUNK_BYTES`], each ending just after a newline (the last may end
/// at the end of the block).
pub fn chunks(block: &[u8]) -> impl Iterator<Item = &[u8]> {
    chunks_of(block, CHUNK_BYTES)
}

/// Cuts `block` into pieces of about `size` bytes, each ending just after a newline (the last may end at
/// the end of the block).
pub(crate) fn chunks_of(block: &[u8], size: usize) -> impl Iterator<Item = &[u8]> {
    let size = size.max(1);
    let mut rest = block;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = if rest.len() <= size {
            rest.len()
        } else {
            memchr::memchr(b'\n', &rest[size..]).map_or(rest.len(), |nl| size + nl + 1)
        };
        let (chunk, tail) = rest.split_at(end);
        rest = tail;
        Some(chunk)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_block_and_end_at_newlines() {
        let line = b"0123456789abcdef0123456789abcdef0123456789\n";
        let block: Vec<u8> = line
            .iter()
            .copied()
            .cycle()
            .take(line.len() * 20_000)
            .collect();
        let parts: Vec<&[u8]> = chunks(&block).collect();
        assert!(parts.len() > 2);
        assert!(parts.iter().all(|c| c.ends_with(b"\n")));
        assert_eq!(parts.concat(), block);
        let small: Vec<&[u8]> = chunks_of(&block, 1000).collect();
        assert!(small.len() > parts.len());
        assert!(small.iter().all(|c| c.ends_with(b"\n")));
        assert!(small[..small.len() - 1].iter().all(|c| c.len() >= 1000));
        assert_eq!(small.concat(), block);
    }

    #[test]
    fn small_blocks_join_in_order_and_big_ones_pass() {
        let owned = |s: &str| Block::Owned(s.as_bytes().to_vec());
        let blocks = vec![
            owned("a\n"),
            owned("b\n"),
            owned("c\n"),
            owned("0123456789\n"),
            owned("d\n"),
            owned("e\n"),
        ];
        let joined = join_small(blocks, 5);
        let texts: Vec<&[u8]> = joined.iter().map(|b| &b[..]).collect();
        assert_eq!(
            texts,
            [&b"a\nb\nc\n"[..], b"0123456789\n", b"d\ne\n"],
            "joined up to the size, a big block passed on its own, the rest joined at the end"
        );
    }

    #[test]
    fn gathered_chunks_cover_a_stream_of_small_reads_in_order() {
        /// A stream that returns one line per read, so each block is one line.
        struct Trickle(std::collections::VecDeque<u8>);
        impl std::io::Read for Trickle {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self
                    .0
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(self.0.len(), |i| i + 1);
                let n = n.min(buf.len());
                for (slot, b) in buf.iter_mut().zip(self.0.drain(..n)) {
                    *slot = b;
                }
                Ok(n)
            }
        }
        let text: Vec<u8> = (0..5000)
            .flat_map(|i| format!("line {i}\n").into_bytes())
            .collect();
        let pool = pool(2).unwrap();
        for chunking in [Chunking::AsReady(1000), Chunking::Gathered(1000)] {
            let source = crate::input::stream(
                Box::new(Trickle(text.iter().copied().collect())),
                crate::input::DEFAULT_MAX_LINE_BYTES,
            );
            let mut seen: Vec<Vec<u8>> = Vec::new();
            run_carried(
                source,
                &pool,
                chunking,
                |_| (),
                |c, _| c.to_vec(),
                |mut chunks| {
                    seen.append(&mut chunks);
                    Ok(ControlFlow::Continue(()))
                },
            )
            .unwrap();
            assert_eq!(seen.concat(), text, "{chunking:?}");
            let full = seen[..seen.len() - 1].iter().all(|c| c.len() >= 1000);
            assert_eq!(full, chunking == Chunking::Gathered(1000), "{chunking:?}");
        }
    }
}
