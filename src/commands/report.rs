//! `logveil report`: aggregate logs into privacy-safe statistics tables.
//!
//! Inputs are read like `anonymize` reads them (mmap, stdin, gzip, zstd, bzip2, xz, UTF-16; what is not
//! text is refused; format detected per input). An input of which no line parses stops the run
//! ([`Error::NothingParsed`]) before any output appears.
//! Chunks are analysed in parallel into partial [`Tables`], merged as they come back, and sessionised once
//! at the end ([`visits::aggregate_store`]); page views and downloads past a budget wait in sorted runs
//! on disk ([`crate::analyze::spill`]), so memory does not grow with them. Outputs are created before any
//! input is read.

use crate::analyze::clicks::Clicks;
use std::path::PathBuf;

use crate::analyze::Settings;
use crate::analyze::compare::Comparison;
use crate::analyze::distinct::PARTIAL_CAP;
use crate::analyze::partial::{Partial, ShardOf};
use crate::analyze::range::TimeRange;
use crate::analyze::range::local_label;
use crate::analyze::report::Report;
use crate::analyze::run::{self, Job};
use crate::analyze::spill::EventStore;
use crate::analyze::tables::Tables;
use crate::analyze::visitors::VisitorKeyer;
use crate::analyze::{coarse, render, visits};
use crate::error::{Error, Warning};
use crate::format::LineParser;
use crate::input::InputName;
use crate::output::progress::{self, Progress};
use crate::output::report::ReportSink;
use crate::output::report::partial::PartialOut;
use crate::pipeline;

/// Everything `report` needs, validated.
#[derive(Debug, Clone)]
pub(crate) struct Config {
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
    /// `--compare previous`: the range of the previous period and the top rows compared (the inputs are
    /// read a second time for it).
    pub compare: Option<(TimeRange, usize)>,
    /// `--emit-events`: stage 1 of a sharded job; the event stream is written instead of a report.
    pub emit_events: Option<EmitEvents>,
    /// `--from-events`: stage 2 of a sharded job; the inputs are one shard's event stream.
    pub from_events: bool,
}

/// Where and how stage 1 of a sharded job writes its event stream (see [`crate::analyze::events`]).
#[derive(Debug, Clone)]
pub(crate) struct EmitEvents {
    /// The file (replaced atomically), or `None` for stdout.
    pub path: Option<PathBuf>,
    /// Shards of the job (`--shards`).
    pub shards: u32,
    /// The job key (`--job-key`), in memory only.
    pub job_key: [u8; 32],
}

impl EmitEvents {
    /// A fingerprint of the job key (16 hex digits): names the job in partials and errors, reveals nothing
    /// of the key.
    fn job_id(&self) -> String {
        let h = blake3::keyed_hash(&self.job_key, b"logveil/job-id");
        h.as_bytes()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Reads every input on `pool` and returns the merged partial tables (not yet sessionised) and their
/// events, which `events` holds (spilling them to disk past its budget).
pub(crate) fn analyze(
    config: &Config,
    pool: &rayon::ThreadPool,
    keyer: VisitorKeyer,
    events: EventStore,
) -> Result<(Tables, EventStore), Error> {
    let job = Job {
        inputs: &config.inputs,
        format: config.format.as_ref(),
        settings: &config.settings,
        temp_dir: &config.temp_dir,
        slices: config.emit_events.is_some(),
    };
    let mut progress = Progress::new(config.progress, "report", &config.inputs);
    let analyzed = run::analyze(job, pool, keyer, events, &mut progress);
    progress.finish();
    analyzed
}

/// An error of the temporary files in `--temp-dir`.
fn temp_error(config: &Config, source: std::io::Error) -> Error {
    Error::Write {
        output: Some(config.temp_dir.clone()),
        source,
    }
}

/// The report of the previous period (`--compare previous`): the inputs read again under `range`.
fn previous_period(
    config: &Config,
    pool: &rayon::ThreadPool,
    range: TimeRange,
) -> Result<Report, Error> {
    let mut config = config.clone();
    config.settings.range = range;
    config.progress = progress::Mode::Never;
    let keyer = VisitorKeyer::random().map_err(|e| Error::System(format!("no random key: {e}")))?;
    let events = EventStore::spilling(&config.temp_dir, config.sort_events)
        .map_err(|source| temp_error(&config, source))?;
    let (mut tables, events) = analyze(&config, pool, keyer, events)?;
    let min = config.settings.min_visitors.max(1);
    Clicks::fold_rare(&mut tables, min);
    let mut agg = pool
        .install(|| visits::aggregate_store(tables, events, min, false))
        .map_err(|source| temp_error(&config, source))?;
    agg.site_hosts_given = !config.settings.site_hosts.is_empty();
    Ok(pool.install(|| render::render(&agg, config.settings.min_visitors)))
}

/// Below this size (4 MiB), glibc's allocator takes blocks from its heaps; above it, from the system, to
/// which they go back when freed. Left alone, the threshold rises to the largest block freed so far (up to
/// 32 MiB): a report's read buffers and per-chunk tables, once freed, then stay in the heaps of the
/// threads that read them, which the visit walk's allocations on other threads do not reuse. Fixed, the
/// peak RSS of `report` on the realistic `day` log falls by a fifth from stdin (530 -> 433 MB) and by a
/// tenth from a file, for a little more system time (pages mapped afresh).
fn give_back_large_frees() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a parameter of glibc's allocator (under its own lock), and any size is a
    // valid M_MMAP_THRESHOLD; it touches no memory of ours.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 4 << 20);
    }
}

/// Runs `report`: reads the inputs, builds the report and writes it to every sink (created beforehand by
/// the caller, so an unwritable output fails before reading), and the partial (`--partial`) when
/// `partial` is given.
pub(crate) fn run_with_partial(
    config: &Config,
    sinks: Vec<Box<dyn ReportSink>>,
    partial: Option<PartialOut>,
    warn: &mut dyn FnMut(Warning),
) -> Result<Report, Error> {
    give_back_large_frees();
    let mut keyer = match &config.emit_events {
        Some(emit) => VisitorKeyer::for_job(emit.job_key),
        None => VisitorKeyer::random().map_err(|e| Error::System(format!("no random key: {e}")))?,
    };
    if let Some(k) = config.sketch_key {
        keyer = keyer.with_sketch_key(k);
    }
    let mut key_id = keyer.sketch_key_id();
    let pool = pipeline::pool(config.threads)?;
    let events = EventStore::spilling(&config.temp_dir, config.sort_events)
        .map_err(|source| temp_error(config, source))?;
    let mut shard = None;
    let (mut tables, events) = if config.from_events {
        let (mut tables, found) = crate::analyze::events::read(&config.inputs)?;
        // The walk is here: the clickstream's settings are this run's (a shard's paths unbounded).
        tables.clicks = Some(std::sync::Arc::new(config.settings.clicks.clone()));
        key_id = found.header.sketch_key_id.clone();
        shard = Some(ShardOf {
            index: found.shard,
            of: found.header.shards,
            job: found.header.job,
        });
        (tables, events)
    } else {
        analyze(config, &pool, keyer, events)?
    };
    if crate::signals::interrupted() {
        return Err(Error::Interrupted);
    }
    if let Some(emit) = &config.emit_events {
        let header = crate::analyze::events::Header {
            shards: emit.shards,
            job: emit.job_id(),
            sketch_key_id: key_id,
            geo: tables.geo,
        };
        write_events(config, emit, tables, events, &header)?;
        return Ok(Report { tables: Vec::new() });
    }
    if crate::signals::interrupted() {
        return Err(Error::Interrupted);
    }
    // Lines, all outside --since/--until: an empty report that must not pass for a quiet day.
    let c = &tables.counts;
    if let (0, Some((first, last))) = (c.hits + c.opted_out, c.excluded_span) {
        warn(Warning::RangeExcludedAll {
            range: config.settings.range.label(),
            lines: c.excluded_before + c.excluded_after,
            first: local_label(first, None),
            last: local_label(last, None),
        });
    }
    // Distinct visitors per row are counted up to K, enough to fold; a partial carries them up to
    // PARTIAL_CAP, so that `merge` may fold at a larger K than this run's.
    let min = config.settings.min_visitors.max(1);
    let cap = if partial.is_some() {
        min.max(PARTIAL_CAP)
    } else {
        // Nothing but this report reads the aggregate: rows it would fold need no name.
        Clicks::fold_rare(&mut tables, min);
        min
    };
    // Sessionising sorts the events: on the same workers, so `--threads` bounds it too.
    let mut agg = pool
        .install(|| visits::aggregate_store(tables, events, cap, partial.is_some()))
        .map_err(|source| temp_error(config, source))?;
    agg.site_hosts_given = !config.settings.site_hosts.is_empty();
    if let Some(out) = partial {
        let output = out.path();
        let partial = match shard {
            Some(shard) => Partial::of_shard(&agg, key_id, cap, shard),
            None => Partial::new(&agg, key_id, cap),
        };
        out.write(&partial)
            .map_err(|source| Error::Write { output, source })?;
    }
    // On the workers too, so `--threads` bounds rendering as well.
    let mut report = pool.install(|| render::render(&agg, config.settings.min_visitors));
    if coarse::is_coarse(&agg.undated) {
        warn(Warning::CoarseTimes);
    }
    crate::analyze::drop_aside(agg);
    if let Some((range, top)) = config.compare {
        let previous = previous_period(config, &pool, range)?;
        report
            .tables
            .push(Comparison::new(&report, &previous, top).table());
    }
    for sink in sinks {
        let output = sink.path();
        sink.write(&report)
            .map_err(|source| Error::Write { output, source })?;
    }
    Ok(report)
}

/// Writes stage 1's event stream: the tables, then every page view and download read back from the store.
fn write_events(
    config: &Config,
    emit: &EmitEvents,
    mut tables: Tables,
    mut events: EventStore,
    header: &crate::analyze::events::Header,
) -> Result<(), Error> {
    events
        .take_from(&mut tables)
        .map_err(|source| temp_error(config, source))?;
    let mut sorted = events
        .into_sorted()
        .map_err(|source| temp_error(config, source))?;
    let output = emit.path.clone();
    let write_err = |source| Error::Write {
        output: output.clone(),
        source,
    };
    let file = emit
        .path
        .as_deref()
        .map(crate::output::file::AtomicFile::create)
        .transpose()
        .map_err(write_err)?;
    let written = match file {
        Some(file) => {
            let w = file.writer().map_err(write_err)?;
            crate::analyze::events::write(&tables, &mut sorted, header, w)
                .and_then(|()| file.commit())
        }
        None => {
            let stdout = std::io::stdout();
            let w = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
            crate::analyze::events::write(&tables, &mut sorted, header, w)
        }
    };
    written.map_err(write_err)?;
    sorted.finish().map_err(|source| temp_error(config, source))
}
