//! Where bytes come from: memory-mapped files, stdin, gzip, zstd, bzip2 and xz streams, UTF-16.
//!
//! Every source yields [`Block`]s that hold whole lines only (a block ends just after a `\n`, or at the end
//! of the input). Regular files are memory-mapped in windows so the resident set stays small; stdin, pipes
//! and compressed files are read in large blocks. What an input is ([`sniff`]) is told from its first
//! block, not from its name: compression by magic bytes, UTF-16 by its byte order mark or zero bytes; an
//! archive, another compression or binary data is refused ([`NotText`]), never read as text. A
//! long-running logger reads stdin through [`live`], which a stop signal ends gracefully.

pub(crate) mod lines;
pub(crate) mod live;
pub(crate) mod sigbus;
pub(crate) mod sniff;
mod source;
mod utf16;

pub(crate) use sniff::{Compression, NotText};
pub use source::InputName;
#[cfg(test)]
pub(crate) use source::stream;
pub(crate) use source::{
    Block, BlockSource, compression_of, open, open_counted, open_limited, shrunk,
};

/// Bytes asked for by one read from a stream.
pub(crate) const STREAM_BLOCK: usize = 256 << 10;
/// Size of a memory-map window.
pub(crate) const MMAP_WINDOW: usize = 16 << 20;
/// Default `--max-line-bytes`: longer lines are cut (see [`crate::privacy::cut`]). Real access log lines
/// stay far below it (Apache and nginx refuse request lines and headers past 8 KiB each).
pub(crate) const DEFAULT_MAX_LINE_BYTES: usize = 1 << 20;
/// Smallest `--max-line-bytes` accepted.
pub(crate) const MIN_MAX_LINE_BYTES: usize = 1024;

/// A source with its first block already read (for format detection), then the rest of the source.
pub(crate) struct Prepend {
    first: Option<Block>,
    rest: Box<dyn BlockSource>,
}

impl Prepend {
    /// `first`, then every block of `rest`.
    pub(crate) fn new(first: Block, rest: Box<dyn BlockSource>) -> Prepend {
        Prepend {
            first: Some(first),
            rest,
        }
    }
}

impl BlockSource for Prepend {
    fn next_block(&mut self) -> std::io::Result<Option<Block>> {
        match self.first.take() {
            Some(b) => Ok(Some(b)),
            None => self.rest.next_block(),
        }
    }
}
