//! The report outputs a run asks for, created before any input is read (so an unwritable destination fails
//! at once), and the `{date}` in their names.

use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};

use super::ReportSink;
use super::csv::{CsvDir, CsvTable};
use super::html::Html;
use super::json::Json;
use super::page::Context;
use super::partial::PartialOut;
use super::text::Text;

/// The placeholder an output path may hold for the date of the run's first day.
pub(crate) const DATE: &str = "{date}";

/// An output that could not be created.
#[derive(Debug)]
pub struct CreateError {
    /// The output (`None`: stdout).
    pub path: Option<PathBuf>,
    /// The underlying error.
    pub source: io::Error,
}

/// Where a report goes, as the command line names it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Destinations {
    /// One CSV file per table into this directory.
    pub csv: Option<PathBuf>,
    /// One table as CSV on stdout.
    pub table: Option<String>,
    /// All tables as one JSON document to this file (`-`: stdout).
    pub json: Option<PathBuf>,
    /// The HTML page to this file (`-`: stdout).
    pub html: Option<PathBuf>,
    /// The text summary on stdout.
    pub text: bool,
    /// Rows per table in the text summary.
    pub top: usize,
    /// The site and range, for the HTML page and the text summary.
    pub context: Context,
    /// `{date}` in the paths becomes this (`YYYY-MM-DD`); paths holding `{date}` need one.
    pub date: Option<String>,
    /// Another output (a partial) was asked for: with none of the above, write nothing rather than the
    /// default summary.
    pub quiet_default: bool,
}

/// True when `path` holds `{date}`.
pub(crate) fn has_date(path: &Path) -> bool {
    path.to_string_lossy().contains(DATE)
}

/// `path` with `{date}` replaced by `date` (unchanged without a date or a placeholder).
pub(crate) fn fill_date(path: &Path, date: Option<&str>) -> PathBuf {
    match date {
        Some(date) if has_date(path) => PathBuf::from(path.to_string_lossy().replace(DATE, date)),
        _ => path.to_path_buf(),
    }
}

/// `-` is stdout.
fn file(path: &Path) -> Option<&Path> {
    Some(path).filter(|p| p.as_os_str() != "-")
}

/// Creates the report outputs; with none named, the text summary when stdout is a terminal, else JSON on
/// stdout, unless `quiet_default`.
pub(crate) fn create(to: &Destinations) -> Result<Vec<Box<dyn ReportSink>>, CreateError> {
    let date = to.date.as_deref();
    let mut sinks: Vec<Box<dyn ReportSink>> = Vec::new();
    if let Some(dir) = &to.csv {
        let dir = fill_date(dir, date);
        let sink = CsvDir::create(&dir).map_err(|source| CreateError {
            path: Some(dir),
            source,
        })?;
        sinks.push(Box::new(sink));
    }
    if let Some(name) = &to.table {
        sinks.push(Box::new(CsvTable { name: name.clone() }));
    }
    if let Some(path) = &to.json {
        let path = fill_date(path, date);
        let file = file(&path);
        let sink = Json::create(file).map_err(|source| CreateError {
            path: file.map(Path::to_path_buf),
            source,
        })?;
        sinks.push(Box::new(sink));
    }
    if let Some(path) = &to.html {
        let path = fill_date(path, date);
        let file = file(&path);
        let sink = Html::create(file, to.context.clone()).map_err(|source| CreateError {
            path: file.map(Path::to_path_buf),
            source,
        })?;
        sinks.push(Box::new(sink));
    }
    let text = Text {
        top: to.top,
        context: to.context.clone(),
    };
    if to.text {
        sinks.push(Box::new(text));
    } else if sinks.is_empty() && !to.quiet_default {
        if io::stdout().is_terminal() {
            sinks.push(Box::new(text));
        } else {
            let sink = Json::create(None).map_err(|source| CreateError { path: None, source })?;
            sinks.push(Box::new(sink));
        }
    }
    Ok(sinks)
}

/// Creates the partial output `path` (`-`: stdout), `{date}` replaced by `date`.
pub(crate) fn partial(path: &Path, date: Option<&str>) -> Result<PartialOut, CreateError> {
    let path = fill_date(path, date);
    let file = file(&path);
    PartialOut::create(file).map_err(|source| CreateError {
        path: file.map(Path::to_path_buf),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_fills_only_the_placeholder() {
        let day = Some("2026-11-22");
        assert_eq!(
            fill_date(Path::new("/srv/stats/{date}"), day),
            PathBuf::from("/srv/stats/2026-11-22")
        );
        assert_eq!(
            fill_date(Path::new("/srv/stats"), day),
            PathBuf::from("/srv/stats")
        );
        assert_eq!(
            fill_date(Path::new("r-{date}.json"), None),
            PathBuf::from("r-{date}.json")
        );
        assert!(has_date(Path::new("r-{date}.json")));
        assert!(!has_date(Path::new("r-date.json")));
    }
}
