//! The analysis of a run's inputs: each input opened, its format detected, its chunks analysed in parallel
//! into partial [`Tables`], merged as they come back on a thread of their own.
//!
//! The result is not yet sessionised: page views and downloads wait in an [`EventStore`] (spilling to disk
//! past its budget) until [`super::visits::aggregate_store`] sorts them at the end.

use std::ops::ControlFlow;
use std::path::Path;

use super::spill::EventStore;
use super::tables::Tables;
use super::visitors::VisitorKeyer;
use super::{Analyzer, Settings};
use crate::error::Error;
use crate::format::LineParser;
use crate::input::{self, InputName};
use crate::pipeline::{self, Meter};

/// Bytes per chunk: larger than `anonymize`'s, since every chunk starts its partial tables (and its visitor
/// keys) afresh; 8 MiB cut instructions by 17% against 1 MiB on the benchmark log, with lower peak RSS.
pub const REPORT_CHUNK_BYTES: usize = 8 << 20;

/// What to analyse.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Job<'a> {
    /// Inputs in order.
    pub inputs: &'a [InputName],
    /// A forced format, or `None` to detect per input.
    pub format: Option<&'a LineParser>,
    /// What the analysis needs.
    pub settings: &'a Settings,
    /// Where `events` spills (`--temp-dir`), named when that fails.
    pub temp_dir: &'a Path,
    /// The inputs are slices of logs (stage 1 of a sharded job, `report --emit-events`): a slice of which
    /// no line parses is no error (it may hold only other lines of a mixed log); its lines are counted as
    /// unparsed, and the job's report shows them.
    pub slices: bool,
}

/// Reads every input of `job` on `pool` and returns the merged partial tables (not yet sessionised) and
/// their events, which `events` holds (spilling them to disk past its budget). An input of which no line
/// parses stops the run ([`Error::NothingParsed`]).
pub(crate) fn analyze(
    job: Job<'_>,
    pool: &rayon::ThreadPool,
    keyer: VisitorKeyer,
    events: EventStore,
    meter: &mut dyn Meter,
) -> Result<(Tables, EventStore), Error> {
    let analyzer = Analyzer::new(job.settings.clone(), keyer);
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
    for input in job.inputs {
        if let Err(e) = analyze_input(input, job, pool, meter, &analyzer, &tx) {
            failure = Some(e);
            break;
        }
    }
    drop(tx);
    let merged = merger
        .join()
        .map_err(|_| Error::System("the merger thread panicked".into()))?;
    // A failed spill stops the merger, and so the reading: its error is the one to report.
    let merged = merged.map_err(|source| Error::Write {
        output: Some(job.temp_dir.to_path_buf()),
        source,
    })?;
    match failure {
        Some(e) => Err(e),
        None => Ok(merged),
    }
}

/// Analyses one input, sending its partial tables to the merger through `tx`.
fn analyze_input(
    input: &InputName,
    job: Job<'_>,
    pool: &rayon::ThreadPool,
    meter: &mut dyn Meter,
    analyzer: &Analyzer,
    tx: &crossbeam_channel::Sender<Vec<Tables>>,
) -> Result<(), Error> {
    let read_err = |source| Error::read(input, source);
    let opened = input::open_counted(input, job.settings.max_line_bytes).map_err(read_err)?;
    meter.start_input(opened.read);
    let Some((parser, source)) =
        pipeline::parser_for(opened.source, job.format).map_err(read_err)?
    else {
        meter.end_input();
        return Ok(());
    };
    let (mut parsed, mut unparsed) = (0u64, 0u64);
    pipeline::run_log(
        source,
        pool,
        pipeline::Chunking::Gathered(REPORT_CHUNK_BYTES),
        parser.uses_headers(),
        meter,
        |bytes, header| analyzer.chunk(&mut parser.chunk(header), bytes),
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
    meter.end_input();
    // Lines, and none parsed: a report of nothing would pass for the report of a quiet day.
    if parsed == 0 && unparsed > 0 && !job.slices {
        return Err(Error::NothingParsed {
            input: input.clone(),
            lines: unparsed,
            format: parser.name(),
        });
    }
    Ok(())
}
