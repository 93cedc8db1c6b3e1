//! Where bytes come from: memory-mapped files, stdin, gzip and zstd streams.
//!
//! Every source yields [`Block`]s that hold whole lines only (a block ends just after a `\n`, or at the end
//! of the input). Regular files are memory-mapped in windows so the resident set stays small; stdin, pipes
//! and compressed files are read in large blocks. Compression is recognised by its magic bytes, not by the
//! file name.

mod source;

pub use source::{Block, BlockSource, InputName, open};

/// Bytes asked for by one read from a stream.
pub const STREAM_BLOCK: usize = 256 << 10;
/// Size of a memory-map window.
pub const MMAP_WINDOW: usize = 16 << 20;
