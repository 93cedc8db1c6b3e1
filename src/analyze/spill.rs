//! The page views, downloads and outlink clicks that `report` keeps until it sessionises them, with memory bounded
//! whatever the input's length or order.
//!
//! Visits are built by walking each visitor's events in time order, and the input may come in any order
//! (rotated logs newest first, several servers, `zcat *.gz`), so every event must be kept until the end.
//! An [`EventStore`] holds at most its budget of events in memory; past it, it sorts them and writes them
//! to a temporary file as a sorted run (an external sort). [`EventStore::into_sorted`] merges the runs and
//! what is still held into one stream in [`Event`] order, the same order an in-memory sort gives, so the
//! report does not depend on whether anything was spilled.
//!
//! The runs are unnamed temporary files (`O_TMPFILE`, or removed as soon as created), so they vanish when
//! the run ends, even on `SIGKILL`. They hold visitor keys (keyed hashes whose key is only in memory),
//! times, and page and referrer ids (hashes of already-rewritten text): no address or other raw
//! identifier.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use rayon::slice::ParallelSliceMut;

use super::tables::{Event, EventKind, Tables};

/// Events held in memory before a sorted run is written (about 5 MiB of 40-byte events).
pub(crate) const SPILL_EVENTS: usize = 1 << 17;

/// Runs kept before they are merged into one, so open files and read buffers stay bounded.
const MAX_RUNS: usize = 64;

/// Buffer per run file, for writing and for reading back.
const RUN_BUFFER: usize = 64 << 10;

/// Bytes of one event in a run: visitor, time, kind, page, referrer.
const RECORD: usize = 8 + 8 + 1 + 8 + 8;

fn encode(e: &Event) -> [u8; RECORD] {
    let mut b = [0; RECORD];
    b[0..8].copy_from_slice(&e.visitor.to_le_bytes());
    b[8..16].copy_from_slice(&e.time.to_le_bytes());
    b[16] = e.kind as u8;
    b[17..25].copy_from_slice(&e.page.to_le_bytes());
    b[25..33].copy_from_slice(&e.referrer.to_le_bytes());
    b
}

fn decode(b: &[u8; RECORD]) -> io::Result<Event> {
    let word = |at: usize| {
        let mut w = [0; 8];
        w.copy_from_slice(&b[at..at + 8]);
        w
    };
    let kind = match b[16] {
        0 => EventKind::PageView,
        1 => EventKind::Download,
        2 => EventKind::Outlink,
        _ => return Err(io::Error::other("a temporary sort file is corrupt")),
    };
    Ok(Event {
        visitor: u64::from_le_bytes(word(0)),
        time: i64::from_le_bytes(word(8)),
        kind,
        page: u64::from_le_bytes(word(17)),
        referrer: u64::from_le_bytes(word(25)),
    })
}

/// A sorted run on disk and how many events it holds.
#[derive(Debug)]
struct SortedRun {
    file: File,
    events: u64,
}

/// Events for sessionisation: in memory up to a budget, then also in sorted runs on disk.
#[derive(Debug)]
pub struct EventStore {
    held: Vec<Event>,
    runs: Vec<SortedRun>,
    /// Where runs are written; `None`: never spill.
    dir: Option<PathBuf>,
    /// A file created up front (so an unusable directory fails before any input is read), used by the
    /// first run.
    spare: Option<File>,
    budget: usize,
    spilled: u64,
}

impl EventStore {
    /// A store that keeps everything in memory (small inputs, tests, and callers that hold all events
    /// anyway).
    pub fn in_memory() -> EventStore {
        EventStore {
            held: Vec::new(),
            runs: Vec::new(),
            dir: None,
            spare: None,
            budget: usize::MAX,
            spilled: 0,
        }
    }

    /// A store holding at most `budget` events in memory and spilling sorted runs into `dir`. Creates its
    /// first temporary file now, so a directory that is missing, full or not writable is an error before
    /// any input is read.
    pub fn spilling(dir: &Path, budget: usize) -> io::Result<EventStore> {
        let spare = temp_file(dir)?;
        Ok(EventStore {
            dir: Some(dir.to_path_buf()),
            spare: Some(spare),
            budget: budget.max(1),
            ..EventStore::in_memory()
        })
    }

    /// Events written to disk so far.
    pub fn spilled(&self) -> u64 {
        self.spilled
    }

    /// Sorted runs on disk now.
    pub fn runs(&self) -> usize {
        self.runs.len()
    }

    /// Moves the events of partial tables into the store (see [`EventStore::add`]).
    pub fn take_from(&mut self, t: &mut Tables) -> io::Result<()> {
        for part in std::mem::take(&mut t.events) {
            self.add(part)?;
        }
        Ok(())
    }

    /// Adds events, writing a sorted run first when they would take the store past its budget (and after,
    /// when they alone reach it).
    pub fn add(&mut self, events: Vec<Event>) -> io::Result<()> {
        if self.dir.is_none() {
            self.held.extend(events);
            return Ok(());
        }
        if self.held.len() + events.len() > self.budget {
            self.spill()?;
        }
        if self.held.is_empty() && events.len() >= self.held.capacity() {
            self.held = events;
        } else {
            self.held.extend(events);
        }
        if self.held.len() >= self.budget {
            self.spill()?;
        }
        Ok(())
    }

    fn new_file(&mut self) -> io::Result<File> {
        match (self.spare.take(), &self.dir) {
            (Some(f), _) => Ok(f),
            (None, Some(dir)) => temp_file(dir),
            (None, None) => Err(io::Error::other("no directory for temporary files")),
        }
    }

    /// Sorts the held events and writes them as a run.
    fn spill(&mut self) -> io::Result<()> {
        if self.held.is_empty() {
            return Ok(());
        }
        // On the merger thread, beside the workers: a parallel sort would only compete with them.
        self.held.sort_unstable();
        let file = self.new_file()?;
        let run = write_run(file, self.held.drain(..).map(Ok))?;
        self.spilled += run.events;
        self.runs.push(run);
        if self.runs.len() >= MAX_RUNS {
            let runs = std::mem::take(&mut self.runs);
            let file = self.new_file()?;
            let mut merged = Sorted::new(runs, Vec::new())?;
            let run = write_run(file, merged.by_ref().map(Ok))?;
            merged.finish()?;
            self.runs.push(run);
        }
        Ok(())
    }

    /// Every event added, in `Event` order (visitor, then time), as one stream. Check
    /// `Sorted::finish` after reading it: a failed read of a run ends the stream early.
    pub fn into_sorted(mut self) -> io::Result<Sorted> {
        self.held.par_sort_unstable();
        Sorted::new(
            std::mem::take(&mut self.runs),
            std::mem::take(&mut self.held),
        )
    }
}

/// An unnamed temporary file in `dir` (callers name the directory in errors).
fn temp_file(dir: &Path) -> io::Result<File> {
    tempfile::tempfile_in(dir).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("cannot create a temporary file (--temp-dir): {e}"),
        )
    })
}

/// Writes `events` (already sorted) to `file` and rewinds it for reading.
fn write_run(file: File, events: impl Iterator<Item = io::Result<Event>>) -> io::Result<SortedRun> {
    let mut out = BufWriter::with_capacity(RUN_BUFFER, file);
    let mut n = 0;
    for e in events {
        out.write_all(&encode(&e?))?;
        n += 1;
    }
    let mut file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
    file.seek(SeekFrom::Start(0))?;
    Ok(SortedRun { file, events: n })
}

/// Where the next event of a merge comes from.
enum EventSource {
    SortedRun(BufReader<File>, u64),
    Held(std::vec::IntoIter<Event>),
}

impl EventSource {
    fn next(&mut self) -> io::Result<Option<Event>> {
        match self {
            EventSource::Held(it) => Ok(it.next()),
            EventSource::SortedRun(_, 0) => Ok(None),
            EventSource::SortedRun(reader, left) => {
                let mut b = [0; RECORD];
                reader.read_exact(&mut b)?;
                *left -= 1;
                decode(&b).map(Some)
            }
        }
    }
}

/// The merged stream of an [`EventStore`]: runs and held events in [`Event`] order.
pub struct Sorted {
    sources: Vec<EventSource>,
    heap: BinaryHeap<Reverse<(Event, usize)>>,
    error: Option<io::Error>,
}

impl Sorted {
    fn new(runs: Vec<SortedRun>, held: Vec<Event>) -> io::Result<Sorted> {
        let mut sources: Vec<EventSource> = runs
            .into_iter()
            .map(|r| EventSource::SortedRun(BufReader::with_capacity(RUN_BUFFER, r.file), r.events))
            .collect();
        sources.push(EventSource::Held(held.into_iter()));
        let mut heap = BinaryHeap::with_capacity(sources.len());
        for (i, s) in sources.iter_mut().enumerate() {
            if let Some(e) = s.next()? {
                heap.push(Reverse((e, i)));
            }
        }
        Ok(Sorted {
            sources,
            heap,
            error: None,
        })
    }

    /// Ends the stream: the error that cut it short, if any.
    pub fn finish(self) -> io::Result<()> {
        self.error.map_or(Ok(()), Err)
    }
}

impl Iterator for Sorted {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        if self.error.is_some() {
            return None;
        }
        // Only what is held in memory: no heap needed.
        if let [EventSource::Held(it)] = self.sources.as_mut_slice() {
            return match self.heap.pop() {
                Some(Reverse((e, _))) => Some(e),
                None => it.next(),
            };
        }
        let Reverse((e, i)) = self.heap.pop()?;
        match self.sources[i].next() {
            Ok(Some(next)) => self.heap.push(Reverse((next, i))),
            Ok(None) => {}
            Err(err) => {
                self.error = Some(err);
                return None;
            }
        }
        Some(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Events in a scrambled order: many visitors, repeated times and pages, both kinds.
    fn scrambled(n: u64) -> Vec<Event> {
        (0..n)
            .map(|i| {
                let x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
                Event {
                    visitor: x % 97,
                    time: 1_700_000_000 + (x >> 20) as i64 % 5000,
                    kind: if x % 7 == 0 {
                        EventKind::Download
                    } else if x % 11 == 0 {
                        EventKind::Outlink
                    } else {
                        EventKind::PageView
                    },
                    page: (x >> 8) % 13,
                    referrer: if x % 5 == 0 { x >> 3 } else { 0 },
                }
            })
            .collect()
    }

    fn through(store: &mut EventStore, events: &[Event], part: usize) {
        for c in events.chunks(part) {
            store.add(c.to_vec()).unwrap();
        }
    }

    #[test]
    fn records_round_trip() {
        for e in scrambled(1000) {
            assert_eq!(decode(&encode(&e)).unwrap(), e);
        }
        let mut bad = encode(&scrambled(1)[0]);
        bad[16] = 9;
        assert!(decode(&bad).is_err());
    }

    #[test]
    fn spilled_stream_equals_an_in_memory_sort() {
        let events = scrambled(50_000);
        let mut want = events.clone();
        want.sort_unstable();
        let dir = tempfile::tempdir().unwrap();
        for (budget, part) in [(1000, 333), (4096, 5000), (usize::MAX, 777), (1, 1)] {
            let events = if budget == 1 {
                &events[..3000]
            } else {
                &events[..]
            };
            let mut want = events.to_vec();
            want.sort_unstable();
            let mut store = EventStore::spilling(dir.path(), budget).unwrap();
            through(&mut store, events, part);
            if budget < events.len() {
                assert!(store.spilled() > 0, "budget {budget} spilled nothing");
            }
            let mut sorted = store.into_sorted().unwrap();
            let got: Vec<Event> = sorted.by_ref().collect();
            sorted.finish().unwrap();
            assert_eq!(got, want, "budget {budget}, parts of {part}");
        }
        let mut store = EventStore::in_memory();
        through(&mut store, &events, 1234);
        assert_eq!(store.into_sorted().unwrap().collect::<Vec<_>>(), want);
        // Nothing is left behind in the directory: the runs were unnamed.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn runs_are_merged_before_there_are_too_many() {
        let events = scrambled(20_000);
        let dir = tempfile::tempdir().unwrap();
        let mut store = EventStore::spilling(dir.path(), 100).unwrap();
        let mut most = 0;
        for c in events.chunks(50) {
            store.add(c.to_vec()).unwrap();
            most = most.max(store.runs());
        }
        assert!(most < MAX_RUNS, "{most} runs open at once");
        assert!(store.spilled() >= 19_000);
        let mut want = events.clone();
        want.sort_unstable();
        assert_eq!(store.into_sorted().unwrap().collect::<Vec<_>>(), want);
    }

    #[test]
    fn an_unusable_directory_fails_up_front() {
        let err = EventStore::spilling(Path::new("/nonexistent/logveil-spill"), 10).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("--temp-dir"), "{msg}");
    }
}
