//! Opening inputs: a file is memory-mapped (in windows, guarded against truncation), stdin and
//! compressed files are read in blocks; the first bytes are sniffed so that what is not text is refused.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use memmap2::{Mmap, MmapOptions};
use std::os::fd::AsFd;

use super::sniff::{Compression, MAGIC_BYTES, NotText, SNIFF_BYTES, Sniffed, compression, sniff};
use super::utf16::Utf16Reader;
use super::{DEFAULT_MAX_LINE_BYTES, MMAP_WINDOW, STREAM_BLOCK};

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

/// A memory-mapped window of an input file, registered with the [`super::sigbus`] guard while it lives.
pub(crate) struct InputMap {
    // Dropped first: the range is unregistered before it is unmapped.
    _guard: super::sigbus::Registration,
    map: Mmap,
}

impl std::ops::Deref for InputMap {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.map
    }
}

/// A run of whole lines.
pub(crate) enum Block {
    /// Part of a memory-mapped window.
    Mapped(Arc<InputMap>, usize, usize),
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
pub(crate) trait BlockSource: Send {
    /// The next block, or `None` at the end of the input.
    fn next_block(&mut self) -> io::Result<Option<Block>>;
}

/// Opens an input: a regular file is memory-mapped, anything else (stdin, a pipe, a FIFO, a compressed file)
/// is streamed. Lines longer than [`DEFAULT_MAX_LINE_BYTES`] are cut (see [`open_limited`]).
pub(crate) fn open(name: &InputName) -> io::Result<Box<dyn BlockSource>> {
    open_limited(name, DEFAULT_MAX_LINE_BYTES)
}

/// [`open`], keeping at most `max_line + 1` bytes of any line: a longer line reaches the consumer as its
/// first `max_line + 1` bytes (so it can tell the line was over the limit), the rest being read and
/// dropped. Memory stays bounded whatever the input holds.
pub(crate) fn open_limited(name: &InputName, max_line: usize) -> io::Result<Box<dyn BlockSource>> {
    open_counted(name, max_line).map(|opened| opened.source)
}

/// An input opened by [`open_counted`].
pub(crate) struct Opened {
    /// Its blocks.
    pub source: Box<dyn BlockSource>,
    /// For a streamed input (stdin, a pipe, a compressed file): bytes read so far from the file or stdin
    /// itself, before any decompression, updated by the reading thread once per read. `None` for a
    /// memory-mapped file, whose blocks are its bytes.
    pub read: Option<Arc<AtomicU64>>,
}

/// [`open_limited`], also saying how far through the input the reader is (for a progress display).
///
/// The first block of every input, file or stdin, is looked at first ([`super::sniff`]): compressed input
/// is decompressed (gzip, zstd, bzip2, xz; several members or streams are read whole), UTF-16 is transcoded
/// to UTF-8, a UTF-8 byte order mark is skipped, and anything else that is not text (an archive, another
/// compression, binary data) is an error made by [`NotText::into_io`], before any block is returned.
pub(crate) fn open_counted(name: &InputName, max_line: usize) -> io::Result<Opened> {
    let max_line = max_line.min(usize::MAX - 1);
    let read = Arc::new(AtomicU64::new(0));
    let reader: Box<dyn Read + Send> = match name {
        InputName::Stdin => {
            widen_stdin_pipe();
            let mut stdin = Counted {
                inner: io::stdin(),
                read: read.clone(),
                ended: false,
            };
            let head = read_head(&mut stdin, Some(&stdin_ready))?;
            text_of(head, Box::new(stdin), None)?
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
            // A FIFO or a character device is read like stdin: what has arrived, without waiting for more.
            let head = match meta.is_file() {
                true => read_head(&mut file, None)?,
                false => read_head(&mut &file, Some(&|| ready_now(file.as_fd())))?,
            };
            if meta.is_file() {
                let skip = match sniff(&head[..head.len().min(SNIFF_BYTES)]) {
                    Sniffed::Text => Some(0),
                    Sniffed::Utf8Bom => Some(3),
                    _ => None,
                };
                if let Some(skip) = skip {
                    return Ok(Opened {
                        source: Box::new(MmapSource::new(file, meta.len(), skip, max_line)),
                        read: None,
                    });
                }
            }
            read.store(head.len() as u64, Ordering::Relaxed);
            let file = Counted {
                inner: file,
                read: read.clone(),
                ended: false,
            };
            text_of(head, Box::new(file), None)?
        }
    };
    Ok(Opened {
        source: Box::new(StreamSource::new(reader, max_line)),
        read: Some(read),
    })
}

/// Standard input as text, its first block looked at as [`open_counted`] does (for the long-running
/// logger, whose stdin is read through [`super::live`]).
pub(super) fn text_stream(
    mut reader: Box<dyn Read + Send>,
    max_line: usize,
) -> io::Result<Box<dyn BlockSource>> {
    let head = read_head(&mut reader, Some(&stdin_ready))?;
    Ok(stream(text_of(head, reader, None)?, max_line))
}

/// The text of an input that starts with `head` and goes on with `rest`, or the reason it is not text.
/// `within` is the compression it was found in (a compressed input is decompressed once, not again).
fn text_of(
    head: Vec<u8>,
    rest: Box<dyn Read + Send>,
    within: Option<Compression>,
) -> io::Result<Box<dyn Read + Send>> {
    let inside = |reason: NotText| match within {
        Some(c) => reason.inside(&format!("{} data", c.name())),
        None => reason,
    };
    match sniff(&head[..head.len().min(SNIFF_BYTES)]) {
        Sniffed::Text => Ok(Box::new(io::Cursor::new(head).chain(rest))),
        Sniffed::Utf8Bom => Ok(Box::new(io::Cursor::new(head).chain(rest).skip_bom(3))),
        Sniffed::Utf16 { big_endian, bom } => {
            let bytes = io::Cursor::new(head).chain(rest).skip_bom(bom);
            Ok(Box::new(Utf16Reader::new(bytes, big_endian)))
        }
        Sniffed::Compressed(c) if within.is_none() => {
            let bytes = io::Cursor::new(head).chain(rest);
            let (head, decoded) = read_head_then_error(decoder(c, bytes)?)?;
            text_of(head, decoded, Some(c))
        }
        Sniffed::Compressed(c) => Err(inside(NotText::compressed(c)).into_io()),
        Sniffed::NotText(reason) => Err(inside(reason).into_io()),
    }
}

/// A reader of `c`-compressed data giving the decompressed bytes, every member or stream of it in turn.
fn decoder(c: Compression, bytes: impl Read + Send + 'static) -> io::Result<Box<dyn Read + Send>> {
    let what = c.name();
    Ok(match c {
        Compression::Gzip => Box::new(Decoded {
            inner: flate2::read::MultiGzDecoder::new(bytes),
            what,
        }),
        Compression::Zstd => Box::new(Decoded {
            inner: zstd::stream::read::Decoder::new(bytes)?,
            what,
        }),
        Compression::Bzip2 => Box::new(Decoded {
            inner: bzip2::read::MultiBzDecoder::new(bytes),
            what,
        }),
        Compression::Xz => Box::new(Decoded {
            inner: liblzma::read::XzDecoder::new_multi_decoder(bytes),
            what,
        }),
    })
}

/// Skipping the first bytes of a reader (a byte order mark).
trait SkipBom: Read + Sized {
    fn skip_bom(self, n: usize) -> Skip<Self> {
        Skip { inner: self, n }
    }
}

impl<R: Read> SkipBom for R {}

/// A reader whose first `n` bytes are dropped.
struct Skip<R> {
    inner: R,
    n: usize,
}

impl<R: Read> Read for Skip<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.n > 0 {
            let mut drop = [0u8; 4];
            let want = self.n.min(drop.len());
            match self.inner.read(&mut drop[..want])? {
                0 => return Ok(0),
                got => self.n -= got,
            }
        }
        self.inner.read(buf)
    }
}

/// True when stdin has something to read now (or is at its end), so reading it does not wait.
fn stdin_ready() -> bool {
    ready_now(io::stdin().as_fd())
}

/// True when `fd` has something to read now (or is at its end).
fn ready_now(fd: std::os::fd::BorrowedFd<'_>) -> bool {
    let mut fds = [rustix::event::PollFd::new(
        &fd,
        rustix::event::PollFlags::IN,
    )];
    let zero = rustix::event::Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    rustix::event::poll(&mut fds, Some(&zero)).is_ok_and(|n| n > 0)
}

/// Bytes read ahead to look at an input: as much as one read of a stream asks for, so the first block (on
/// which the format is detected) is as large as it was without the look; only its first [`SNIFF_BYTES`]
/// are looked at.
const HEAD_BYTES: usize = STREAM_BLOCK;

/// The first block of `r`, up to [`HEAD_BYTES`]: read until it is full or the input ends, or, when `ready`
/// is given (stdin), until nothing more is waiting, so that a line alone on a quiet pipe is not held back.
fn read_head(r: &mut dyn Read, ready: Option<&dyn Fn() -> bool>) -> io::Result<Vec<u8>> {
    match fill_head(r, ready) {
        (head, None) => Ok(head),
        (_, Some(e)) => Err(e),
    }
}

/// [`read_head`] of a decompressing reader: an error after some bytes were decoded (a truncated file, junk
/// after the last member) comes after them, so that the lines before the damage are processed first, as
/// they are further on in the input.
fn read_head_then_error(
    mut r: Box<dyn Read + Send>,
) -> io::Result<(Vec<u8>, Box<dyn Read + Send>)> {
    match fill_head(&mut r, None) {
        (head, None) => Ok((head, r)),
        (head, Some(e)) if !head.is_empty() => Ok((head, Box::new(Failed(Some(e))))),
        (_, Some(e)) => Err(e),
    }
}

/// A reader whose input failed: the error once, then an error saying so.
struct Failed(Option<io::Error>);

impl Read for Failed {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Err(self
            .0
            .take()
            .unwrap_or_else(|| io::Error::other("read after an error")))
    }
}

fn fill_head(r: &mut dyn Read, ready: Option<&dyn Fn() -> bool>) -> (Vec<u8>, Option<io::Error>) {
    let mut head = vec![0u8; HEAD_BYTES];
    let mut got = 0;
    let mut failed = None;
    while got < head.len() {
        if got > 0 && ready.is_some_and(|ready| !ready()) {
            break;
        }
        match r.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    head.truncate(got);
    (head, failed)
}

/// A reader adding the bytes it returns to a shared counter (one relaxed atomic add per read).
struct Counted<R> {
    inner: R,
    read: Arc<AtomicU64>,
    /// The input has ended: a terminal's end (Ctrl-D) is given once, not to every later read, so it is
    /// kept here (the first block's look ([`read_head`]) may be the read that met it).
    ended: bool,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.ended {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        self.ended = n == 0 && !buf.is_empty();
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// The error for an input that got shorter while it was read.
pub(crate) fn shrunk() -> io::Error {
    io::Error::other(
        "the file shrank while it was read (truncated in place, e.g. by logrotate copytruncate); \
         the run is stopped so that no incomplete output passes for a complete one",
    )
}

/// A decompressing reader whose errors say that the compressed data is at fault (a truncated `.gz`, junk
/// after the last member), not the disk.
struct Decoded<R> {
    inner: R,
    what: &'static str,
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).map_err(|e| match e.kind() {
            io::ErrorKind::Interrupted => e,
            kind => io::Error::new(
                kind,
                format!("{} data is truncated or corrupt ({e})", self.what),
            ),
        })
    }
}

/// Any reader as blocks of whole lines (each block is what one read returned, cut after its last newline),
/// keeping at most `max_line + 1` bytes of any line (see [`open_limited`]).
pub(crate) fn stream(reader: Box<dyn Read + Send>, max_line: usize) -> Box<dyn BlockSource> {
    Box::new(StreamSource::new(reader, max_line.min(usize::MAX - 1)))
}

/// The compression of the file at `path`, from its first bytes (`None`: not compressed).
pub(crate) fn compression_of(path: &Path) -> io::Result<Option<Compression>> {
    let mut magic = [0u8; MAGIC_BYTES];
    let got = read_up_to(&mut File::open(path)?, &mut magic)?;
    Ok(compression(&magic[..got]))
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
    max_line: usize,
}

impl MmapSource {
    /// The file from byte `start` (past a byte order mark) to `len`.
    fn new(file: File, len: u64, start: u64, max_line: usize) -> MmapSource {
        MmapSource {
            file,
            len,
            offset: start,
            max_line,
        }
    }

    /// Maps `len` bytes from `offset`, after checking that the file has not shrunk below what was
    /// already promised to the consumer.
    fn map(&self, offset: u64, len: usize) -> io::Result<InputMap> {
        if self.file.metadata()?.len() < self.len {
            return Err(shrunk());
        }
        // SAFETY: the map is read-only and private to this process. If another process truncates the
        // file while it is mapped, reading the lost pages raises SIGBUS: the map is registered with the
        // `sigbus` guard first, which then puts zeros in place of the lost pages and counts the fault, and
        // the pipeline ends the run with an error (see `input::sigbus`).
        let map = unsafe { MmapOptions::new().offset(offset).len(len).map(&self.file)? };
        Ok(InputMap {
            _guard: super::sigbus::register(map.as_ptr() as usize, map.len()),
            map,
        })
    }

    /// A line with no newline in a whole window and longer than the limit: its first `max_line + 1`
    /// bytes (copied, with the line's terminator) form a block of their own, and the rest of the line is
    /// skipped, one window at a time, so no window grows past the limit.
    fn overlong_line(&mut self, map: &InputMap) -> io::Result<Block> {
        let mut head = map[..self.max_line + 1].to_vec();
        let mut offset = self.offset + map.len() as u64;
        let mut last = map[map.len() - 1];
        self.offset = self.len;
        while offset < self.len {
            let len = (MMAP_WINDOW as u64).min(self.len - offset) as usize;
            let window = self.map(offset, len)?;
            if let Some(nl) = memchr::memchr(b'\n', &window) {
                let cr = if nl > 0 { window[nl - 1] } else { last } == b'\r';
                head.extend_from_slice(if cr { b"\r\n" } else { b"\n" });
                self.offset = offset + nl as u64 + 1;
                break;
            }
            last = window[len - 1];
            offset += len as u64;
        }
        Ok(Block::Owned(head))
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
            let map = self.map(self.offset, len)?;
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
                    let _ = map.map.advise(memmap2::Advice::Sequential);
                    return Ok(Some(Block::Mapped(Arc::new(map), 0, end)));
                }
                // One line longer than the window and than the limit: keep its head, skip the rest.
                None if len > self.max_line => return self.overlong_line(&map).map(Some),
                // One line longer than the window but within the limit: map a larger one.
                None => window *= 2,
            }
        }
    }
}

/// Any reader. Each block is what one `read` returned, cut after its last newline, so a line that arrives
/// alone on a quiet pipe is passed on at once rather than waiting for a full buffer.
///
/// A line longer than `max_line` bytes is not gathered whole: its first `max_line + 1` bytes are kept (so
/// the consumer sees it is over the limit and cuts it, see [`crate::privacy::cut`]), the rest up to its
/// newline is read and dropped. Memory stays bounded however long a line is (a gzip bomb of zeros, a
/// stream with no newline).
struct StreamSource {
    reader: Box<dyn Read + Send>,
    carry: Vec<u8>,
    /// Reads land here and are copied into the block: a pipe returns 64 KiB a read, so zeroing a fresh
    /// 256 KiB area for every read (as `resize` does) cost four times the input in `memset`.
    scratch: Vec<u8>,
    done: bool,
    max_line: usize,
    /// Dropping the rest of an overlong line until its newline.
    skipping: bool,
    /// The last byte dropped was `\r` (so the overlong line ended `\r\n` if its newline comes next).
    dropped_cr: bool,
}

impl StreamSource {
    fn new(reader: Box<dyn Read + Send>, max_line: usize) -> StreamSource {
        StreamSource {
            reader,
            carry: Vec::new(),
            scratch: vec![0; STREAM_BLOCK],
            done: false,
            max_line,
            skipping: false,
            dropped_cr: false,
        }
    }

    /// Appends `data` to `buf`, where `buf[line_start..]` is the line not yet ended; returns the new
    /// `line_start`. Bytes of an overlong line past `max_line + 1` are dropped.
    fn push(&mut self, buf: &mut Vec<u8>, mut line_start: usize, mut data: &[u8]) -> usize {
        while !data.is_empty() {
            if self.skipping {
                let Some(nl) = memchr::memchr(b'\n', data) else {
                    self.dropped_cr = data.last() == Some(&b'\r');
                    return line_start;
                };
                let cr = if nl > 0 {
                    data[nl - 1] == b'\r'
                } else {
                    self.dropped_cr
                };
                buf.extend_from_slice(if cr { b"\r\n" } else { b"\n" });
                line_start = buf.len();
                self.skipping = false;
                data = &data[nl + 1..];
                continue;
            }
            if let Some(nl) = memchr::memrchr(b'\n', data) {
                // Complete lines: each is at most one read longer than the limit, and cut downstream.
                buf.extend_from_slice(&data[..=nl]);
                line_start = buf.len();
                data = &data[nl + 1..];
                continue;
            }
            let room = (self.max_line + 1).saturating_sub(buf.len() - line_start);
            if data.len() <= room {
                buf.extend_from_slice(data);
                return line_start;
            }
            buf.extend_from_slice(&data[..room]);
            self.skipping = true;
            data = &data[room..];
        }
        line_start
    }
}

impl BlockSource for StreamSource {
    fn next_block(&mut self) -> io::Result<Option<Block>> {
        let mut buf = std::mem::take(&mut self.carry);
        buf.reserve(STREAM_BLOCK);
        let mut line_start = 0;
        loop {
            if self.done {
                return Ok((!buf.is_empty()).then_some(Block::Owned(buf)));
            }
            let n = match self.reader.read(&mut self.scratch) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                self.done = true;
                continue;
            }
            let scratch = std::mem::take(&mut self.scratch);
            line_start = self.push(&mut buf, line_start, &scratch[..n]);
            self.scratch = scratch;
            if line_start > 0 {
                self.carry = buf[line_start..].to_vec();
                buf.truncate(line_start);
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
        let mut src = StreamSource::new(Box::new(io::Cursor::new(text.clone())), usize::MAX - 1);
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
        let mut src = StreamSource::new(Box::new(io::Cursor::new(text.clone())), usize::MAX - 1);
        let blocks = collect(&mut src);
        assert!(blocks[0].len() > STREAM_BLOCK * 2 + 5);
        assert!(blocks.iter().all(|b| b.last() == Some(&b'\n')));
        assert_eq!(blocks.concat(), text);
    }

    #[test]
    fn an_overlong_line_keeps_only_its_head_in_a_stream() {
        for reads in [1usize, 7, 4096] {
            let mut text = b"short\n".to_vec();
            text.extend(std::iter::repeat_n(b'x', 100_000));
            text.extend_from_slice(b"\r\nafter\n");
            text.extend(std::iter::repeat_n(b'y', 5000));
            let reader = Chunky(io::Cursor::new(text), reads);
            let mut src = StreamSource::new(Box::new(reader), 1000);
            let all = collect(&mut src).concat();
            let mut want = b"short\n".to_vec();
            want.extend(std::iter::repeat_n(b'x', 1001));
            want.extend_from_slice(b"\r\nafter\n");
            want.extend(std::iter::repeat_n(b'y', 1001));
            assert_eq!(all, want, "reads of {reads}");
        }
    }

    #[test]
    fn an_overlong_line_keeps_only_its_head_in_a_mapped_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("long.log");
        let mut text = b"short\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', MMAP_WINDOW * 2 + 10));
        text.extend_from_slice(b"\nafter\n");
        std::fs::write(&path, &text).unwrap();
        let mut src = open_limited(&InputName::Path(path), 1000).unwrap();
        let all = collect(&mut *src).concat();
        let mut want = b"short\n".to_vec();
        want.extend(std::iter::repeat_n(b'x', 1001));
        want.extend_from_slice(b"\nafter\n");
        assert_eq!(all, want);
    }

    /// A reader returning at most `.1` bytes per read.
    struct Chunky(io::Cursor<Vec<u8>>, usize);

    impl Read for Chunky {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.1);
            self.0.read(&mut buf[..n])
        }
    }
}
