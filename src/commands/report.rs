//! `logveil report`: aggregate logs into privacy-safe statistics tables.
//!
//! Inputs are read like `anonymize` reads them (mmap, stdin, gzip, zstd, bzip2, xz, UTF-16; what is not
//! text is refused; format detected per input). An input of which no line parses stops the run
//! ([`Error::NothingParsed`]) before any output appears.
//! Chunks are analysed in parallel into partial [`Tables`], merged as they come back, and sessionised once
//! at the end ([`sessions::aggregate_store`]); page views and downloads past a budget wait in sorted runs
//! on disk ([`crate::analyze::spill`]), so memory does not grow with them. Outputs are created before any
//! input is read.

use std::ops::ControlFlow;
use std::path::PathBuf;

use crate::analyze::distinct::PARTIAL_CAP;
use crate::analyze::partial::Partial;
use crate::analyze::report::Report;
use crate::analyze::sessions;
use crate::analyze::spill::EventStore;
use crate::analyze::tables::Tables;
use crate::analyze::visitors::VisitorKeyer;
use crate::analyze::{Analyzer, Settings};
use crate::error::Error;
use crate::format::detect::detect;
use crate::format::{LineParser, last_header};
use crate::input::{self, InputName, Prepend};
use crate::output::ReportSink;
use crate::output::partial::PartialOut;
use crate::output::progress::{self, Progress};
use crate::pipeline;

/// Bytes per chunk: larger than `anonymize`'s, since every chunk starts its partial tables (and its visitor
/// keys) afresh; 8 MiB cut instructions by 17% against 1 MiB on the benchmark log, with lower peak RSS.
pub const REPORT_CHUNK_BYTES: usize = 8 << 20;

/// Everything `report` needs, validated.
#[derive(Debug, Clone)]
pub struct Config {
    /// Inputs in order; `Stdin` for `-` or none given.
    pub inputs: Vec<InputName>,
    /// A forced format (preset or format string), or `None` to detect per input.
    pub format: Option<LineParser>,
    /// What the analysis needs.
    pub settings: Settings,
    /// Worker threads.
    pub threads: usize,
    /// The sketch key (`--sketch-key`); `None`: random per run.
    pub sketch_key: Option<[u8; 32]>,
    /// When the progress bar shows on stderr while the inputs are read (see [`crate::output::progress`]).
    pub progress: progress::Mode,
    /// Where page views and downloads beyond `sort_events` wait in sorted runs until the end (`--temp-dir`).
    pub temp_dir: PathBuf,
    /// Page views and downloads held in memory before a sorted run is written (`--sort-events`, default
    /// [`crate::analyze::spill::SPILL_EVENTS`]).
    pub sort_events: usize,
}

/// The worker threads of one run (`--threads`).
fn worker_pool(threads: usize) -> Result<rayon::ThreadPool, Error> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("logveil-worker-{i}"))
        .build()
        .map_err(|e| Error::System(format!("cannot start {threads} threads: {e}")))
}

/// Reads every input on `pool` and returns the merged partial tables (not yet sessionised) and their
/// events, which `events` holds (spilling them to disk past its budget).
pub fn analyze(
    config: &Config,
    pool: &rayon::ThreadPool,
    keyer: VisitorKeyer,
    events: EventStore,
) -> Result<(Tables, EventStore), Error> {
    let analyzer = Analyzer::new(config.settings.clone(), keyer);
    // Partial tables are merged on a thread of their own while the workers go on with the next batch.
    let (tx, rx) = crossbeam_channel::bounded::<Vec<Tables>>(2);
    let merger = std::thread::Builder::new()
        .name("logveil-merger".into())
        .spawn(move || {
            let mut total = Tables::default();
            let mut events = events;
            for parts in rx {
                for mut p in parts {
                    // On failure the channel closes, which stops the reading.
                    events.take_from(&mut p)?;
                    total.merge(p);
                }
            }
            Ok::<_, std::io::Error>((total, events))
        })
        .map_err(|e| Error::System(format!("cannot start the merger thread: {e}")))?;
    let mut failure = None;
    let mut progress = Progress::new(config.progress, "report", &config.inputs);
    for input in &config.inputs {
        let run = (pool, &mut progress);
        if let Err(e) = analyze_input(input, config, run, &analyzer, &tx) {
            failure = Some(e);
            break;
        }
    }
    progress.finish();
    drop(tx);
    let merged = merger
        .join()
        .map_err(|_| Error::System("the merger thread panicked".into()))?;
    // A failed spill stops the merger, and so the reading: its error is the one to report.
    let merged = merged.map_err(|source| temp_error(config, source))?;
    match failure {
        Some(e) => Err(e),
        None => Ok(merged),
    }
}

fn analyze_input(
    input: &InputName,
    config: &Config,
    (pool, progress): (&rayon::ThreadPool, &mut Progress),
    analyzer: &Analyzer,
    tx: &crossbeam_channel::Sender<Vec<Tables>>,
) -> Result<(), Error> {
    let read_err = |source| Error::read(input, source);
    let opened = input::open_counted(input, config.settings.max_line_bytes).map_err(read_err)?;
    let mut source = opened.source;
    progress.start_input(opened.read);
    let Some(first) = source.next_block().map_err(read_err)? else {
        progress.end_input();
        return Ok(());
    };
    let parser = match &config.format {
        Some(p) => p.clone(),
        None => LineParser::detected(detect(&first).format),
    };
    let source = Box::new(Prepend::new(first, source));
    let uses_headers = parser.uses_headers();
    let mut header: Option<std::sync::Arc<[u8]>> = None;
    let (mut parsed, mut unparsed) = (0u64, 0u64);
    pipeline::run_carried(
        source,
        pool,
        REPORT_CHUNK_BYTES,
        |chunk| {
            progress.advance(chunk.len());
            let start = header.clone();
            if uses_headers {
                if let Some(h) = last_header(chunk) {
                    header = Some(h.into());
                }
            }
            start
        },
        |bytes, header| analyzer.chunk(&mut parser.chunk(header.as_deref()), bytes),
        |parts: Vec<Tables>| {
            for p in &parts {
                parsed += p.counts.parsed;
                unparsed += p.counts.unparsed;
            }
            tx.send(parts)
                .map_err(|_| std::io::Error::other("the merger thread stopped"))?;
            Ok(ControlFlow::Continue(()))
        },
    )
    .map_err(read_err)?;
    progress.end_input();
    // Lines, and none parsed: a report of nothing would pass for the report of a quiet day.
    if parsed == 0 && unparsed > 0 {
        return Err(Error::NothingParsed {
            input: input.clone(),
            format: parser.name(),
        });
    }
    Ok(())
}

/// An error of the temporary files in `--temp-dir`.
fn temp_error(config: &Config, source: std::io::Error) -> Error {
    Error::Write {
        output: Some(config.temp_dir.clone()),
        source,
    }
}

/// Runs `report`: reads the inputs, builds the report and writes it to every sink (created beforehand by
/// the caller, so an unwritable output fails before reading).
pub fn run(config: &Config, sinks: Vec<Box<dyn ReportSink>>) -> Result<Report, Error> {
    run_with_partial(config, sinks, None)
}

/// [`run`], also writing the partial (`--partial`) when `partial` is given.
pub fn run_with_partial(
    config: &Config,
    sinks: Vec<Box<dyn ReportSink>>,
    partial: Option<PartialOut>,
) -> Result<Report, Error> {
    let mut keyer =
        VisitorKeyer::random().map_err(|e| Error::System(format!("no random key: {e}")))?;
    if let Some(k) = config.sketch_key {
        keyer = keyer.with_sketch_key(k);
    }
    let key_id = keyer.sketch_key_id();
    let pool = worker_pool(config.threads)?;
    let events = EventStore::spilling(&config.temp_dir, config.sort_events)
        .map_err(|source| temp_error(config, source))?;
    let (tables, events) = analyze(config, &pool, keyer, events)?;
    // Distinct visitors per row are counted up to K, enough to fold; a partial carries them up to
    // PARTIAL_CAP, so that `merge` may fold at a larger K than this run's.
    let min = config.settings.min_visitors.max(1);
    let cap = if partial.is_some() {
        min.max(PARTIAL_CAP)
    } else {
        min
    };
    // Sessionising sorts the events: on the same workers, so `--threads` bounds it too.
    let agg = pool
        .install(|| sessions::aggregate_store(tables, events, cap))
        .map_err(|source| temp_error(config, source))?;
    if let Some(out) = partial {
        let output = out.path();
        out.write(&Partial::new(&agg, key_id, cap))
            .map_err(|source| Error::Write { output, source })?;
    }
    let report = sessions::render(&agg, config.settings.min_visitors);
    for sink in sinks {
        let output = sink.path();
        sink.write(&report)
            .map_err(|source| Error::Write { output, source })?;
    }
    Ok(report)
}
