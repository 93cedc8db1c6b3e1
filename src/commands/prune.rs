//! `logveil prune`: delete the partials and the report directories that a retention period has passed.
//!
//! Only what logveil wrote is touched, recognised by its content or layout, never by a name alone: a
//! *partial* is a file (compressed or not) whose first bytes are a partial's header and every line of which
//! parses as one (`report --partial`); a *report directory* is a directory named by a date (`YYYY-MM-DD`,
//! as `report --csv DIR/{date}` names it) holding `summary.csv` and nothing but the CSV files of report
//! tables. A partial goes when every day it holds is older than the period (one without any day is never
//! removed: nothing dates it); a report directory when its name's date is. Everything else is left alone:
//! other files, symbolic links (never followed), directories of other shapes (searched, not removed),
//! files that start like a partial but do not parse (named in a warning).

use std::fs;
use std::path::{Path, PathBuf};

use crate::analyze::merge::read;
use crate::error::Error;
use crate::input::{self, InputName};

/// The header a partial starts with (its first field, as `report --partial` writes it).
const PARTIAL_HEADER: &[u8] = br#"{"schema":"logveil-partial""#;

/// What `prune` does.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// The directories searched.
    pub dirs: Vec<PathBuf>,
    /// The oldest day kept (a day number): what holds only earlier days goes.
    pub first_day: i64,
    /// List, remove nothing.
    pub dry_run: bool,
}

/// What `prune` recognised as its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A partial file.
    Partial,
    /// A report directory named by date.
    ReportDir,
}

/// What a run of `prune` found.
#[derive(Debug, Default)]
pub(crate) struct Pruned {
    /// Removed (or, with `--dry-run`, to be removed): partials, report directories.
    pub removed: [usize; 2],
    /// Recognised and kept: a day is inside the period, or a partial holds no day.
    pub kept: usize,
    /// Files that start like a partial but are not one, with why: left alone.
    pub damaged: Vec<(PathBuf, String)>,
}

/// Runs `prune`, calling `removed` for each partial or report directory as it goes (with `--dry-run`,
/// each that would go).
pub(crate) fn run(config: &Config, removed: &mut dyn FnMut(&Path, Kind)) -> Result<Pruned, Error> {
    let mut out = Pruned::default();
    for dir in &config.dirs {
        let meta = fs::metadata(dir).map_err(|e| read_error(dir, e))?;
        if !meta.is_dir() {
            return Err(Error::Usage(format!(
                "{}: not a directory (prune searches directories)",
                dir.display()
            )));
        }
        walk(dir, config, &mut out, removed)?;
    }
    Ok(out)
}

fn read_error(path: &Path, source: std::io::Error) -> Error {
    Error::Read {
        input: InputName::Path(path.to_path_buf()),
        source,
    }
}

fn remove_error(path: &Path, source: std::io::Error) -> Error {
    Error::Write {
        output: Some(path.to_path_buf()),
        source,
    }
}

/// Searches `dir` (entries in name order; symbolic links neither followed nor removed).
fn walk(
    dir: &Path,
    config: &Config,
    out: &mut Pruned,
    removed: &mut dyn FnMut(&Path, Kind),
) -> Result<(), Error> {
    let mut entries = fs::read_dir(dir)
        .and_then(|d| d.collect::<Result<Vec<_>, _>>())
        .map_err(|e| read_error(dir, e))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let kind = entry.file_type().map_err(|e| read_error(&path, e))?;
        if kind.is_dir() {
            let dated = entry.file_name().to_str().and_then(date_day);
            match dated {
                Some(day) if is_report_dir(&path)? => {
                    if day < config.first_day {
                        if !config.dry_run {
                            remove_report_dir(&path)?;
                        }
                        out.removed[1] += 1;
                        removed(&path, Kind::ReportDir);
                    } else {
                        out.kept += 1;
                    }
                }
                _ => walk(&path, config, out, removed)?,
            }
        } else if kind.is_file() {
            match partial_days(&path) {
                Found::Other => {}
                Found::Damaged(why) => out.damaged.push((path, why)),
                Found::Partial(days) => {
                    if !days.is_empty() && days.iter().all(|d| *d < config.first_day) {
                        if !config.dry_run {
                            fs::remove_file(&path).map_err(|e| remove_error(&path, e))?;
                        }
                        out.removed[0] += 1;
                        removed(&path, Kind::Partial);
                    } else {
                        out.kept += 1;
                    }
                }
            }
        }
    }
    Ok(())
}

/// The day number of a directory name that is a `YYYY-MM-DD` date.
fn date_day(name: &str) -> Option<i64> {
    use chrono::Datelike;
    if name.len() != 10 {
        return None;
    }
    let d = chrono::NaiveDate::parse_from_str(name, "%Y-%m-%d").ok()?;
    Some(crate::analyze::time::days_from_civil(
        i64::from(d.year()),
        d.month(),
        d.day(),
    ))
}

/// True when `dir` holds `summary.csv` and nothing but regular files named for report tables (`NAME.csv`).
fn is_report_dir(dir: &Path) -> Result<bool, Error> {
    let mut summary = false;
    for entry in fs::read_dir(dir).map_err(|e| read_error(dir, e))? {
        let entry = entry.map_err(|e| read_error(dir, e))?;
        let is_file = entry
            .file_type()
            .map_err(|e| read_error(&entry.path(), e))?
            .is_file();
        let name = entry.file_name();
        let table = name.to_str().and_then(|n| n.strip_suffix(".csv"));
        let known = table
            .is_some_and(|t| crate::analyze::report::TABLE_NAMES.contains(&t) || t == "compare");
        if !is_file || !known {
            return Ok(false);
        }
        summary |= table == Some("summary");
    }
    Ok(summary)
}

/// Removes a report directory: its files one by one, then the directory, which fails (and stops) if
/// anything else appeared in it meanwhile.
fn remove_report_dir(dir: &Path) -> Result<(), Error> {
    for entry in fs::read_dir(dir).map_err(|e| read_error(dir, e))? {
        let path = entry.map_err(|e| read_error(dir, e))?.path();
        fs::remove_file(&path).map_err(|e| remove_error(&path, e))?;
    }
    fs::remove_dir(dir).map_err(|e| remove_error(dir, e))
}

/// What a file is to `prune`.
enum Found {
    /// Not a partial.
    Other,
    /// A partial, holding these days.
    Partial(Vec<i64>),
    /// Starts like a partial but is not one: why.
    Damaged(String),
}

/// Whether `path` is a partial (decompressed if need be) and its days.
fn partial_days(path: &Path) -> Found {
    let name = InputName::Path(path.to_path_buf());
    let starts_like_one = input::open(&name)
        .and_then(|mut src| src.next_block())
        .ok()
        .flatten()
        .is_some_and(|block| block.trim_ascii_start().starts_with(PARTIAL_HEADER));
    if !starts_like_one {
        return Found::Other;
    }
    match read(&[name]) {
        Ok(sources) => {
            let mut days = Vec::new();
            for s in &sources {
                days.extend(s.partial.day_numbers().unwrap_or_default());
            }
            Found::Partial(days)
        }
        Err(e) => Found::Damaged(e.to_string()),
    }
}
