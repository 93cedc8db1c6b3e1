//! `logveil anonymize`: rewrite logs line by line so they hold no personal data, keeping their format.
//!
//! An output file is replaced atomically when the run succeeds, or appended to as lines come (a piped
//! logger). With [`Config::in_place`] every input file is replaced by its anonymised self, atomically and
//! in its own compression. With [`Config::signals`], SIGHUP reopens an appended output and SIGTERM or SIGINT end stdin
//! once what is waiting in the pipe is read, so the run ends normally with every line written.

use std::io;
use std::ops::ControlFlow;
use std::path::PathBuf;

use std::sync::Arc;

use crate::anonymize::{Outcome, Policy, rewrite_line_in, rewrite_overlong_line};
use crate::error::{Error, Warning};
use crate::format::detect::detect;
use crate::format::{ChunkParser, LineParser, last_header};
use crate::input::{self, InputName, Prepend};
use crate::output::append::AppendFile;
use crate::output::compress::Compressed;
use crate::output::file::AtomicFile;
use crate::output::progress::{self, Progress};
use crate::output::writer::{BufferPool, OrderedWriter, Output, Plain};
use crate::pipeline;
use crate::signals::{Hangup, Stop};

/// Everything `anonymize` needs, validated.
#[derive(Debug, Clone)]
pub struct Config {
    /// Inputs in order; `Stdin` for `-` or none given.
    pub inputs: Vec<InputName>,
    /// Output file (`None`: stdout).
    pub output: Option<PathBuf>,
    /// Append to `output` as lines come, instead of replacing it when the run succeeds.
    pub append: bool,
    /// Replace each input file with its anonymised self (same directory, mode, owner and compression);
    /// `output` is then unused.
    pub in_place: bool,
    /// Answer signals as a long-running logger: SIGHUP reopens an appended output, SIGTERM and SIGINT end
    /// stdin once drained (see [`crate::input::live`]).
    pub signals: bool,
    /// A forced format (preset or format string), or `None` to detect per input.
    pub format: Option<LineParser>,
    /// What to strip.
    pub policy: Policy,
    /// Stop at the first line that does not parse.
    pub strict: bool,
    /// Worker threads.
    pub threads: usize,
    /// Lines longer than this are cut (`--max-line-bytes`, see [`crate::privacy::cut`]).
    pub max_line_bytes: usize,
    /// When the progress bar shows on stderr (see [`crate::output::progress`]).
    pub progress: progress::Mode,
}

/// Line counts of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Lines read (= lines written).
    pub lines: u64,
    /// Lines parsed and rewritten field by field.
    pub parsed: u64,
    /// Lines that did not parse and were scrubbed as free text.
    pub scrubbed: u64,
    /// Empty lines.
    pub blank: u64,
    /// W3C `#` directive lines (kept or scrubbed).
    pub directives: u64,
    /// Lines longer than `--max-line-bytes`, cut and scrubbed (also counted in `scrubbed`).
    pub cut: u64,
}

impl Summary {
    fn add(&mut self, other: &Summary) {
        self.lines += other.lines;
        self.parsed += other.parsed;
        self.scrubbed += other.scrubbed;
        self.blank += other.blank;
        self.directives += other.directives;
        self.cut += other.cut;
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} lines: {} parsed, {} scrubbed, {} blank",
            self.lines, self.parsed, self.scrubbed, self.blank
        )?;
        if self.directives > 0 {
            write!(f, ", {} headers", self.directives)?;
        }
        if self.cut > 0 {
            write!(f, " ({} cut to --max-line-bytes)", self.cut)?;
        }
        Ok(())
    }
}

/// The result of one chunk.
struct Chunk {
    out: Vec<u8>,
    counts: Summary,
    /// Under `--strict`: index (0-based, within the chunk) of the first line that did not parse, and
    /// whether it was too long.
    first_bad: Option<(u64, bool)>,
}

/// How lines are anonymised, beside the parser.
struct LineRules<'a> {
    policy: &'a Policy,
    strict: bool,
    max_line_bytes: usize,
}

/// Anonymises one chunk of whole lines. Every line gives exactly one output line; a last line without a
/// newline gets one; `\r\n` endings are kept. A line longer than the limit is cut and scrubbed.
fn anonymize_chunk(
    bytes: &[u8],
    parser: &mut ChunkParser<'_>,
    rules: &LineRules<'_>,
    out: Vec<u8>,
) -> Chunk {
    let (policy, strict) = (rules.policy, rules.strict);
    let mut out = out;
    let mut counts = Summary::default();
    let mut start = 0;
    while start < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
        let raw = &bytes[start..end];
        let (line, crlf) = match raw.strip_suffix(b"\r") {
            Some(l) => (l, true),
            None => (raw, false),
        };
        let mark = out.len();
        let too_long = line.len() > rules.max_line_bytes;
        let outcome = if too_long {
            rewrite_overlong_line(line, rules.max_line_bytes, policy, &mut out);
            counts.cut += 1;
            Outcome::Scrubbed
        } else {
            rewrite_line_in(line, parser, policy, &mut out)
        };
        match outcome {
            Outcome::Parsed => counts.parsed += 1,
            Outcome::Directive => counts.directives += 1,
            Outcome::Blank => counts.blank += 1,
            Outcome::Scrubbed if strict => {
                out.truncate(mark);
                counts.cut -= u64::from(too_long);
                return Chunk {
                    out,
                    first_bad: Some((counts.lines, too_long)),
                    counts,
                };
            }
            Outcome::Scrubbed => counts.scrubbed += 1,
        }
        counts.lines += 1;
        out.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
        start = end + 1;
    }
    Chunk {
        out,
        counts,
        first_bad: None,
    }
}

/// Runs `anonymize`, returning the line counts (warnings are dropped; see [`run_warned`]).
pub fn run(config: &Config) -> Result<Summary, Error> {
    run_warned(config, &mut |_| {})
}

/// Runs `anonymize`, returning the line counts and handing each warning to `warn` when its input is done.
pub fn run_warned(config: &Config, warn: &mut dyn FnMut(Warning)) -> Result<Summary, Error> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.threads)
        .thread_name(|i| format!("logveil-worker-{i}"))
        .build()
        .map_err(|e| Error::System(format!("cannot start {} threads: {e}", config.threads)))?;
    if config.in_place {
        return run_in_place(config, &pool, warn);
    }
    let write_err = |source| Error::Write {
        output: config.output.clone(),
        source,
    };
    let signal_err = |e: io::Error| Error::System(format!("cannot catch signals: {e}"));
    let stop = match config.signals && config.inputs.contains(&InputName::Stdin) {
        true => Some(Stop::install().map_err(signal_err)?),
        false => None,
    };
    let hangup = match config.signals && config.append && config.output.is_some() {
        true => Some(Hangup::install().map_err(signal_err)?),
        false => None,
    };
    // Create the output before reading anything, so an unwritable destination fails at once.
    let buffers = BufferPool::default();
    let mut atomic = None;
    let writer = match &config.output {
        Some(path) if config.append => {
            let file = Box::new(AppendFile::open(path).map_err(write_err)?);
            OrderedWriter::spawn_output(file, hangup.as_ref().map(Hangup::flag), buffers.clone())
        }
        Some(path) => {
            let file = AtomicFile::create(path).map_err(write_err)?;
            let sink = Box::new(file.writer().map_err(write_err)?);
            atomic = Some(file);
            OrderedWriter::spawn(sink, buffers.clone())
        }
        None => OrderedWriter::spawn(Box::new(io::stdout()), buffers.clone()),
    }
    .map_err(write_err)?;

    let mut total = Summary::default();
    let mut failure = None;
    let mut progress = Progress::new(config.progress, "anonymize", &config.inputs);
    for input in &config.inputs {
        let sinks = (&writer, &buffers);
        let output = config.output.as_deref();
        let run = Run {
            stop: stop.as_ref(),
            pool: &pool,
            progress: &mut progress,
        };
        match anonymize_input(input, output, config, run, sinks, &mut total) {
            Ok(warning) => warning.into_iter().for_each(&mut *warn),
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    progress.finish();
    // A failed send means the writer stopped: its own error is then the one to report.
    let finished = writer.finish().map_err(write_err);
    match failure {
        Some(Error::Write { .. }) | None => finished?,
        Some(e) => return Err(e),
    }
    if let Some(file) = atomic {
        file.commit().map_err(write_err)?;
    }
    Ok(total)
}

/// `--in-place`: each input is read and written to a temporary file beside it, which replaces it when
/// complete. The first failure stops the run; the file it happened on is left as it was.
fn run_in_place(
    config: &Config,
    pool: &rayon::ThreadPool,
    warn: &mut dyn FnMut(Warning),
) -> Result<Summary, Error> {
    let buffers = BufferPool::default();
    let mut total = Summary::default();
    let mut progress = Progress::new(config.progress, "anonymize", &config.inputs);
    for input in &config.inputs {
        let InputName::Path(path) = input else {
            return Err(Error::Usage("--in-place needs files, not stdin".into()));
        };
        let read_err = |source| Error::read(input, source);
        // Through a symbolic link, the file it points to is rewritten and the link kept.
        let target = std::fs::canonicalize(path).map_err(read_err)?;
        if !std::fs::metadata(&target).map_err(read_err)?.is_file() {
            return Err(read_err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "--in-place rewrites regular files only",
            )));
        }
        let write_err = |source| Error::Write {
            output: Some(path.clone()),
            source,
        };
        let compression = input::compression_of(&target).map_err(read_err)?;
        let file = AtomicFile::create_in_place(&target).map_err(write_err)?;
        let base = file.writer().map_err(write_err)?;
        let out: Box<dyn Output> = match compression {
            Some(c) => Box::new(Compressed::new(base, c).map_err(write_err)?),
            None => Box::new(Plain(base)),
        };
        let writer = OrderedWriter::spawn_output(out, None, buffers.clone()).map_err(write_err)?;
        let mut counts = Summary::default();
        let sinks = (&writer, &buffers);
        let run = Run {
            stop: None,
            pool,
            progress: &mut progress,
        };
        let result = anonymize_input(input, Some(path.as_path()), config, run, sinks, &mut counts);
        let finished = writer.finish().map_err(write_err);
        let warning = match (result, finished) {
            (Ok(warning), Ok(())) => warning,
            // A failed send means the writer stopped: its own error is then the one to report.
            (Ok(_) | Err(Error::Write { .. }), Err(e)) | (Err(e), _) => return Err(e),
        };
        file.commit().map_err(write_err)?;
        total.add(&counts);
        warning.into_iter().for_each(&mut *warn);
    }
    progress.finish();
    Ok(total)
}

/// What one input's run shares with the others.
struct Run<'a> {
    stop: Option<&'a Stop>,
    pool: &'a rayon::ThreadPool,
    progress: &'a mut Progress,
}

/// Anonymises one input into `writer`, adding its line counts to `total`; a warning when no line of it
/// parsed.
fn anonymize_input(
    input: &InputName,
    output: Option<&std::path::Path>,
    config: &Config,
    run: Run<'_>,
    sinks: (&OrderedWriter, &BufferPool),
    total: &mut Summary,
) -> Result<Option<Warning>, Error> {
    let mut counts = Summary::default();
    let result = anonymize_one(input, output, config, run, sinks, &mut counts);
    total.add(&counts);
    let format = result?;
    let nothing_parsed = counts.parsed == 0 && counts.scrubbed > counts.cut;
    Ok(nothing_parsed.then(|| Warning::NothingParsed {
        input: input.clone(),
        format,
    }))
}

/// [`anonymize_input`], returning the name of the format the input was read as.
fn anonymize_one(
    input: &InputName,
    output: Option<&std::path::Path>,
    config: &Config,
    run: Run<'_>,
    (writer, buffers): (&OrderedWriter, &BufferPool),
    total: &mut Summary,
) -> Result<String, Error> {
    let Run {
        stop,
        pool,
        progress,
    } = run;
    let read_err = |source| Error::read(input, source);
    let (mut source, read) = match (input, stop) {
        // Plain bytes: those handed to the workers are those read.
        (InputName::Stdin, Some(stop)) => (
            input::live::open_until_stopped(
                stop.receiver().map_err(read_err)?,
                config.max_line_bytes,
            )
            .map_err(read_err)?,
            None,
        ),
        _ => {
            let opened = input::open_counted(input, config.max_line_bytes).map_err(read_err)?;
            (opened.source, opened.read)
        }
    };
    progress.start_input(read);
    let Some(first) = source.next_block().map_err(read_err)? else {
        progress.end_input();
        return Ok(String::new());
    };
    let parser = match &config.format {
        Some(p) => p.clone(),
        None => LineParser::detected(detect(&first).format),
    };
    // The policy's field allow-list decides what the parser keeps of fields of unknown meaning.
    let parser = if parser.fields() == config.policy.fields() {
        parser
    } else {
        parser
            .with_fields(config.policy.fields().clone())
            .map_err(|e| Error::Usage(e.to_string()))?
    };
    let uses_headers = parser.uses_headers();
    let mut header: Option<Arc<[u8]>> = None;
    let source = Box::new(Prepend::new(first, source));
    let rules = LineRules {
        policy: &config.policy,
        strict: config.strict,
        max_line_bytes: config.max_line_bytes,
    };
    let mut outcome = Ok(());
    let mut lines_before = 0u64;
    let mut write_failed = false;
    pipeline::run_carried(
        source,
        pool,
        pipeline::CHUNK_BYTES,
        |chunk| {
            progress.advance(chunk.len());
            // The `#Fields:` header in force where this chunk starts (W3C logs only).
            let start = header.clone();
            if uses_headers {
                if let Some(h) = last_header(chunk) {
                    header = Some(h.into());
                }
            }
            start
        },
        |bytes, header| {
            let out = buffers.take(bytes.len() + bytes.len() / 8);
            let mut chunk_parser = parser.chunk(header.as_deref());
            anonymize_chunk(bytes, &mut chunk_parser, &rules, out)
        },
        |chunks: Vec<Chunk>| {
            let mut bufs = Vec::with_capacity(chunks.len());
            let mut stop = false;
            for chunk in chunks {
                total.add(&chunk.counts);
                bufs.push(chunk.out);
                if let Some((bad, too_long)) = chunk.first_bad {
                    let line = lines_before + bad + 1;
                    outcome = Err(if too_long {
                        Error::LineTooLong {
                            input: input.clone(),
                            line,
                            limit: config.max_line_bytes,
                        }
                    } else {
                        Error::Unparsable {
                            input: input.clone(),
                            line,
                            format: parser.name(),
                        }
                    });
                    stop = true;
                    break;
                }
                lines_before += chunk.counts.lines;
            }
            if writer.send(bufs).is_err() {
                write_failed = true;
                stop = true;
            }
            Ok(if stop {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            })
        },
    )
    .map_err(read_err)?;
    progress.end_input();
    if write_failed {
        return Err(Error::Write {
            output: output.map(|p| p.to_path_buf()),
            source: io::Error::other("writer stopped"),
        });
    }
    outcome.map(|()| parser.name())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Format;

    fn rules(policy: &Policy, strict: bool) -> LineRules<'_> {
        LineRules {
            policy,
            strict,
            max_line_bytes: 1 << 20,
        }
    }

    #[test]
    fn one_line_out_per_line_in() {
        let input = b"a\r\n\nnot a log 1.2.3.4\n1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 5\nlast";
        let parser = LineParser::detected(Format::Combined);
        let policy = Policy::default();
        let c = anonymize_chunk(
            input,
            &mut parser.chunk(None),
            &rules(&policy, false),
            Vec::new(),
        );
        assert_eq!(
            String::from_utf8(c.out).unwrap(),
            "a\r\n\nnot a log 1.2.0.0\n1.2.0.0 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 5\nlast\n"
        );
        assert_eq!(
            c.counts,
            Summary {
                lines: 5,
                parsed: 1,
                scrubbed: 3,
                blank: 1,
                directives: 0,
                cut: 0,
            }
        );
    }

    #[test]
    fn strict_stops_at_the_first_bad_line() {
        let input =
            b"1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 5\nbad\nbad2\n";
        let parser = LineParser::detected(Format::Common);
        let policy = Policy::default();
        let c = anonymize_chunk(
            input,
            &mut parser.chunk(None),
            &rules(&policy, true),
            Vec::new(),
        );
        assert_eq!(c.first_bad, Some((1, false)));
        assert_eq!(c.counts.lines, 1);
    }
}
