use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use memmap2::{Mmap, MmapOptions};
use std::os::fd::AsFd;

use super::{MMAP_WINDOW, STREAM_BLOCK};

/// The name of an input, for messages: a path, or `<stdin>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputName {
    /// Standard input.
    Stdin,
    /// A file.
    Path(PathBuf),
}

impl InputName {
    /// `-` is stdin, anything else a path.
    pub fn from_arg(arg: &Path) -> InputName {
        if arg == Path::new("-") {
            InputName::Stdin
        } else {
            InputName::Path(arg.to_path_buf())
        }
    }
}

impl fmt::Display for InputName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputName::Stdin => f.write_str("<stdin>"),
            InputName::Path(p) => write!(f, "{}", p.display()),
        }
    }
}

/// A run of whole lines.
pub enum Block {
    /// Part of a memory-mapped window.
    Mapped(Arc<Mmap>, usize, usize),
    /// Bytes read from a stream.
    Owned(Vec<u8>),
}

impl std::ops::Deref for Block {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Block::Mapped(map, start, end) => &map[*start..*end],
            Block::Owned(v) => v,
        }
    }
}

/// Bytes of pipe buffer asked for on a piped stdin (the Linux default is 64 KiB; unprivileged processes
/// may ask up to `/proc/sys/fs/pipe-max-size`, 1 MiB by default).
const PIPE_BYTES: usize = 1 << 20;

/// When stdin is a pipe, asks the kernel for a larger pipe buffer: each read then returns up to a whole
/// [`STREAM_BLOCK`] instead of 64 KiB, so the writer and logveil wake each other far less often. A
/// refusal (an older kernel, a lower limit) leaves the pipe as it was. Reads still return whatever is
/// there, so a line on a quiet pipe is not held back.
pub(super) fn widen_stdin_pipe() {
    let stdin = io::stdin();
    let fd = stdin.as_fd();
    if rustix::fs::fstat(fd)
        .is_ok_and(|st| rustix::fs::FileType::from_raw_mode(st.st_mode).is_fifo())
    {
        let _ = rustix::pipe::fcntl_setpipe_size(fd, PIPE_BYTES);
    }
}

/// Yields the blocks of one input in order.
pub trait BlockSource: Send {
    /// The next block, or `None` at the end of the input.
    fn next_block(&mut self) -> io::Result<Option<Block>>;
}

/// Opens an input: a regular file is memory-mapped, anything else (stdin, a pipe, a FIFO, a compressed file)
/// is streamed.
pub fn open(name: &InputName) -> io::Result<Box<dyn BlockSource>> {
    let reader: Box<dyn Read + Send> = match name {
        InputName::Stdin => {
            widen_stdin_pipe();
            Box::new(io::stdin())
        }
        InputName::Path(path) => {
            let mut file = File::open(path)?;
            let meta = file.metadata()?;
            if meta.is_dir() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "is a directory",
                ));
            }
            let mut magic = [0u8; 4];
            let got = read_up_to(&mut file, &mut magic)?;
            let compressed = compression(&magic[..got]);
            if compressed.is_none() && meta.is_file() {
                return Ok(Box::new(MmapSource::new(file, meta.len())));
            }
            let head = io::Cursor::new(magic[..got].to_vec()).chain(file);
            match compressed {
                Some(Compression::Gzip) => Box::new(flate2::read::MultiGzDecoder::new(head)),
                Some(Compression::Zstd) => Box::new(zstd::stream::read::Decoder::new(head)?),
                None => Box::new(head),
            }
        }
    };
    Ok(Box::new(StreamSource::new(reader)))
}

/// Any reader as blocks of whole lines (each block is what one read returned, cut after its last newline).
pub(crate) fn stream(reader: Box<dyn Read + Send>) -> Box<dyn BlockSource> {
    Box::new(StreamSource::new(reader))
}

/// A compression format, recognised by its magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// gzip (`1f 8b`).
    Gzip,
    /// Zstandard (`28 b5 2f fd`).
    Zstd,
}

/// The compression of the file at `path`, from its first bytes (`None`: not compressed).
pub fn compression_of(path: &Path) -> io::Result<Option<Compression>> {
    let mut magic = [0u8; 4];
    let got = read_up_to(&mut File::open(path)?, &mut magic)?;
    Ok(compression(&magic[..got]))
}

fn compression(magic: &[u8]) -> Option<Compression> {
    if magic.starts_with(&[0x1f, 0x8b]) {
        Some(Compression::Gzip)
    } else if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Some(Compression::Zstd)
    } else {
        None
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// A regular file, mapped one window at a time.
struct MmapSource {
    file: File,
    len: u64,
    offset: u64,
}

impl MmapSource {
    fn new(file: File, len: u64) -> MmapSource {
        MmapSource {
            file,
            len,
            offset: 0,
        }
    }
}

impl BlockSource for MmapSource {
    fn next_block(&mut self) -> io::Result<Option<Block>> {
        if self.offset >= self.len {
            return Ok(None);
        }
        let mut window = MMAP_WINDOW as u64;
        loop {
            let len = window.min(self.len - self.offset) as usize;
            // SAFETY: the map is read-only and private to this process. If another process truncates the
            // file while it is mapped, reading the lost pages raises SIGBUS; logveil reads logs that are
            // appended to or rotated by rename, which keep the mapped pages valid.
            let map = unsafe {
                MmapOptions::new()
                    .offset(self.offset)
                    .len(len)
                    .map(&self.file)?
            };
            let at_end = self.offset + len as u64 >= self.len;
            let end = if at_end {
                Some(len)
            } else {
                memchr::memrchr(b'\n', &map).map(|nl| nl + 1)
            };
            match end {
                Some(end) => {
                    self.offset += end as u64;
                    #[cfg(unix)]
                    let _ = map.advise(memmap2::Advice::Sequential);
                    return Ok(Some(Block::Mapped(Arc::new(map), 0, end)));
                }
                // One line longer than the window: map a larger one.
                None => window *= 2,
            }
        }
    }
}

/// Any reader. Each block is what one `read` returned, cut after its last newline, so a line that arrives
/// alone on a quiet pipe is passed on at once rather than waiting for a full buffer.
struct StreamSource {
    reader: Box<dyn Read + Send>,
    carry: Vec<u8>,
    /// Reads land here and are copied into the block: a pipe returns 64 KiB a read, so zeroing a fresh
    /// 256 KiB area for every read (as `resize` does) cost four times the input in `memset`.
    scratch: Vec<u8>,
    done: bool,
}

impl StreamSource {
    fn new(reader: Box<dyn Read + Send>) -> StreamSource {
        StreamSource {
            reader,
            carry: Vec::new(),
            scratch: vec![0; STREAM_BLOCK],
            done: false,
        }
    }
}

impl BlockSource for StreamSource {
    fn next_block(&mut self) -> io::Result<Option<Block>> {
        let mut buf = std::mem::take(&mut self.carry);
        buf.reserve(STREAM_BLOCK);
        loop {
            if self.done {
                return Ok((!buf.is_empty()).then_some(Block::Owned(buf)));
            }
            let start = buf.len();
            let n = match self.reader.read(&mut self.scratch) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            buf.extend_from_slice(&self.scratch[..n]);
            if n == 0 {
                self.done = true;
                continue;
            }
            if let Some(nl) = memchr::memrchr(b'\n', &buf[start..]) {
                self.carry = buf[start + nl + 1..].to_vec();
                buf.truncate(start + nl + 1);
                return Ok(Some(Block::Owned(buf)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(src: &mut dyn BlockSource) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        while let Some(b) = src.next_block().unwrap() {
            out.push(b.to_vec());
        }
        out
    }

    #[test]
    fn stream_blocks_end_at_line_boundaries() {
        let mut text = Vec::new();
        for i in 0..200_000 {
            text.extend_from_slice(format!("line {i} with some text\n").as_bytes());
        }
        text.extend_from_slice(b"last line without newline");
        let mut src = StreamSource::new(Box::new(io::Cursor::new(text.clone())));
        let blocks = collect(&mut src);
        assert!(blocks.len() > 1);
        for b in &blocks[..blocks.len() - 1] {
            assert_eq!(b.last(), Some(&b'\n'));
        }
        assert_eq!(blocks.concat(), text);
    }

    #[test]
    fn a_line_longer_than_a_block_is_kept_whole() {
        let mut text = vec![b'x'; STREAM_BLOCK * 2 + 5];
        text.push(b'\n');
        text.extend_from_slice(b"short\n");
        let mut src = StreamSource::new(Box::new(io::Cursor::new(text.clone())));
        let blocks = collect(&mut src);
        assert!(blocks[0].len() > STREAM_BLOCK * 2 + 5);
        assert!(blocks.iter().all(|b| b.last() == Some(&b'\n')));
        assert_eq!(blocks.concat(), text);
    }
}
