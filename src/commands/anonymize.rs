//! `logveil anonymize`: rewrite logs line by line so they hold no personal data, keeping their format.
//!
//! An output file is replaced atomically when the run succeeds, or appended to as lines come (a piped
//! logger). With [`Config::in_place`] every input file is replaced by its anonymised self, atomically and
//! in its own compression. With [`Config::signals`], SIGHUP reopens an appended output and SIGTERM or SIGINT end stdin
//! once what is waiting in the pipe is read, so the run ends normally with every line written.

use std::io;
use std::ops::ControlFlow;
use std::path::PathBuf;

use crate::anonymize::Policy;
use crate::anonymize::chunk::{LineExtras, LineRules, RewrittenChunk, anonymize_chunk};
use crate::error::{Error, Warning};
use crate::format::LineParser;
use crate::input::{self, InputName};
use crate::output::file::AtomicFile;
use crate::output::log::append::AppendFile;
use crate::output::log::compress::Compressed;
use crate::output::log::mark;
use crate::output::log::writer::{BufferPool, OrderedWriter, Output, Plain};
use crate::output::progress::{self, Progress};
use crate::pipeline;
use crate::privacy::IpMode;
use crate::signals::{Hangup, Stop};

pub(crate) use crate::anonymize::chunk::Summary;

/// Everything `anonymize` needs, validated.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// Inputs in order; `Stdin` for `-` or none given.
    pub inputs: Vec<InputName>,
    /// Output file (`None`: stdout).
    pub output: Option<PathBuf>,
    /// Append to `output` as lines come, instead of replacing it when the run succeeds.
    pub append: bool,
    /// Replace each input file with its anonymised self (same directory, mode, owner and compression);
    /// `output` is then unused.
    pub in_place: bool,
    /// With `in_place`, rewrite files that carry the mark of these settings too (`--force`).
    pub force: bool,
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
    /// Filters and added fields (`--exclude-*`, `--include-host`, `--geoip … --add-field`).
    pub extra: Option<LineExtras>,
}

/// Runs `anonymize`, returning the line counts and handing each warning to `warn` when its input is done.
pub(crate) fn run_warned(config: &Config, warn: &mut dyn FnMut(Warning)) -> Result<Summary, Error> {
    let pool = pipeline::pool(config.threads)?;
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
    // Ctrl-C: what was read is written (stdout, an appended file), but a replaced file is not replaced.
    if crate::signals::interrupted() {
        return Err(Error::Interrupted);
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
    let settings = in_place_settings(config);
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
        if !config.force && mark::is_marked(&target, &settings) {
            warn(Warning::AlreadyDone {
                input: input.clone(),
            });
            continue;
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
        if crate::signals::interrupted() {
            return Err(Error::Interrupted);
        }
        file.commit().map_err(write_err)?;
        let marked = mark::mark(&target, &settings);
        total.add(&counts);
        warning.into_iter().for_each(&mut *warn);
        // Every mode but crypto-pan maps its own output to itself: only there does a missing mark matter.
        if marked.is_err() && config.policy.rules().ip.mode() == IpMode::CryptoPan {
            warn(Warning::Unmarked {
                input: input.clone(),
            });
        }
    }
    progress.finish();
    Ok(total)
}

/// The settings `--in-place` marks a file with: the policy's public fingerprint and a forced format.
fn in_place_settings(config: &Config) -> String {
    let mut settings = config.policy.public_fingerprint();
    if let Some(format) = &config.format {
        let h = blake3::hash(format.name().as_bytes()).to_hex();
        settings.push('-');
        settings.push_str(&h[..8]);
    }
    settings
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
        lines: counts.scrubbed,
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
    let (source, read) = match (input, stop) {
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
    let Some((parser, source)) =
        pipeline::parser_for(source, config.format.as_ref()).map_err(read_err)?
    else {
        progress.end_input();
        return Ok(String::new());
    };
    // The policy's field allow-list decides what the parser keeps of fields of unknown meaning.
    let parser = if parser.fields() == config.policy.fields() {
        parser
    } else {
        parser
            .with_fields(config.policy.fields().clone())
            .map_err(|e| Error::Usage(e.to_string()))?
    };
    if config.extra.as_ref().is_some_and(|x| !x.add.is_empty()) && !takes_trailing_fields(&parser) {
        progress.end_input();
        return Err(Error::Usage(format!(
            "{input}: --add-field appends a quoted field to Apache and nginx text lines; {} lines cannot take one",
            parser.name()
        )));
    }
    let rules = LineRules {
        policy: &config.policy,
        strict: config.strict,
        max_line_bytes: config.max_line_bytes,
        extra: config.extra.as_ref(),
    };
    let mut outcome = Ok(());
    let mut lines_before = 0u64;
    let mut write_failed = false;
    pipeline::run_log(
        source,
        pool,
        pipeline::Chunking::AsReady(pipeline::CHUNK_BYTES),
        parser.uses_headers(),
        progress,
        |bytes, header| {
            let out = buffers.take(bytes.len() + bytes.len() / 8);
            anonymize_chunk(bytes, &mut parser.chunk(header), &rules, out)
        },
        |chunks: Vec<RewrittenChunk>| {
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

/// Whether lines of `parser`'s format end in fields a reader skips (the CLF family and `LogFormat` /
/// `log_format` strings), so `--add-field` can append one.
fn takes_trailing_fields(parser: &LineParser) -> bool {
    use crate::format::Format;
    match parser.format() {
        None => true,
        Some(f) => matches!(
            f,
            Format::Common
                | Format::Combined
                | Format::VhostCommon
                | Format::VhostCombined
                | Format::Nginx
                | Format::NginxXff
                | Format::Traefik
        ),
    }
}
