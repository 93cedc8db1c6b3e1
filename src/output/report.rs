//! Report outputs behind one small trait, [`ReportSink`]: a directory of CSV files ([`CsvDir`]), one table
//! as CSV ([`CsvTable`]), a JSON document ([`Json`]) and a readable summary for terminals ([`Terminal`]).
//! Each sink is created before any input is read, so an unwritable destination fails at once.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::analyze::report::{Cell, Report, SCHEMA_VERSION, Table};
use crate::output::file::AtomicFile;

/// Somewhere a finished report goes.
pub trait ReportSink {
    /// Writes the report; the output appears only when this succeeds.
    fn write(self: Box<Self>, report: &Report) -> io::Result<()>;
    /// The path written, for error messages (`None`: stdout).
    fn path(&self) -> Option<PathBuf>;
}

/// Writes one table as CSV (header row, then the rows) through the `csv` crate.
pub fn write_csv<W: Write>(table: &Table, out: W) -> io::Result<()> {
    let mut w = csv::WriterBuilder::new()
        .buffer_capacity(64 << 10)
        .from_writer(out);
    w.write_record(table.columns).map_err(csv_err)?;
    for row in &table.rows {
        w.write_record(row.iter().map(Cell::render))
            .map_err(csv_err)?;
    }
    w.flush()
}

fn csv_err(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// `--csv DIR`: one `NAME.csv` per table. The directory is created if needed; files are written to a
/// temporary directory inside it and each renamed into place once all are written.
pub struct CsvDir {
    dir: PathBuf,
    tmp: tempfile::TempDir,
}

impl CsvDir {
    /// Creates `dir` (if missing) and a temporary directory inside it: fails now if `dir` is not writable.
    pub fn create(dir: &Path) -> io::Result<CsvDir> {
        fs::create_dir_all(dir)?;
        let tmp = tempfile::Builder::new()
            .prefix(".logveil-report.")
            .tempdir_in(dir)?;
        Ok(CsvDir {
            dir: dir.to_path_buf(),
            tmp,
        })
    }
}

impl ReportSink for CsvDir {
    fn write(self: Box<Self>, report: &Report) -> io::Result<()> {
        let mut names = Vec::new();
        for table in &report.tables {
            let name = format!("{}.csv", table.name);
            let path = self.tmp.path().join(&name);
            let file = fs::File::create(&path)?;
            write_csv(table, io::BufWriter::new(&file))?;
            file.sync_all()?;
            names.push(name);
        }
        for name in names {
            fs::rename(self.tmp.path().join(&name), self.dir.join(&name))?;
        }
        Ok(())
    }

    fn path(&self) -> Option<PathBuf> {
        Some(self.dir.clone())
    }
}

/// `--table NAME`: one table as CSV on stdout.
pub struct CsvTable {
    /// The table name.
    pub name: String,
}

impl ReportSink for CsvTable {
    fn write(self: Box<Self>, report: &Report) -> io::Result<()> {
        let table = report
            .table(&self.name)
            .ok_or_else(|| io::Error::other(format!("no table {}", self.name)))?;
        let stdout = io::stdout();
        write_csv(table, stdout.lock())
    }

    fn path(&self) -> Option<PathBuf> {
        None
    }
}

/// `--json FILE|-`: all tables in one JSON document:
/// `{"schema": "logveil-report", "version": 1, "tables": {"NAME": {"columns": [...], "rows": [[...]]}}}`.
pub struct Json {
    file: Option<AtomicFile>,
    path: Option<PathBuf>,
}

impl Json {
    /// JSON to `path` (replaced atomically), or to stdout for `None`.
    pub fn create(path: Option<&Path>) -> io::Result<Json> {
        Ok(Json {
            file: path.map(AtomicFile::create).transpose()?,
            path: path.map(Path::to_path_buf),
        })
    }
}

/// The JSON value of a report.
pub fn to_json(report: &Report) -> serde_json::Value {
    use serde_json::{Map, Value, json};
    let mut tables = Map::new();
    for t in &report.tables {
        let rows: Vec<Value> = t
            .rows
            .iter()
            .map(|r| {
                Value::Array(
                    r.iter()
                        .map(|c| match c {
                            Cell::Text(s) => Value::String(s.clone()),
                            Cell::Int(n) => json!(n),
                            Cell::Float(f) => json!((f * 100.0).round() / 100.0),
                        })
                        .collect(),
                )
            })
            .collect();
        tables.insert(
            t.name.to_string(),
            json!({"columns": t.columns, "rows": rows}),
        );
    }
    json!({"schema": "logveil-report", "version": SCHEMA_VERSION, "tables": Value::Object(tables)})
}

impl ReportSink for Json {
    fn write(self: Box<Self>, report: &Report) -> io::Result<()> {
        let value = to_json(report);
        match self.file {
            Some(file) => {
                let mut w = file.writer()?;
                serde_json::to_writer_pretty(&mut w, &value)?;
                w.write_all(b"\n")?;
                w.flush()?;
                drop(w);
                file.commit()
            }
            None => {
                let stdout = io::stdout();
                let mut w = io::BufWriter::new(stdout.lock());
                serde_json::to_writer_pretty(&mut w, &value)?;
                w.write_all(b"\n")?;
                w.flush()
            }
        }
    }

    fn path(&self) -> Option<PathBuf> {
        self.path.clone()
    }
}

/// A readable summary on a terminal: the summary and the top rows of the main tables.
pub struct Terminal {
    /// Rows shown per table.
    pub top: usize,
}

/// The tables the terminal view shows, in order.
const TERMINAL_TABLES: &[&str] = &[
    "pages",
    "entry_pages",
    "referrer_sites",
    "search_terms",
    "downloads",
    "browsers",
    "os",
    "devices",
    "days",
    "status",
    "not_found",
    "bots",
];

/// Renders the terminal view into `out`.
pub fn render_terminal<W: Write>(report: &Report, top: usize, mut out: W) -> io::Result<()> {
    if let Some(s) = report.table("summary") {
        writeln!(out, "Summary")?;
        for row in s.text_rows() {
            if row[0].starts_with("folded_") && row[1] == "0" {
                continue;
            }
            writeln!(out, "  {:<24} {}", row[0], row[1])?;
        }
    }
    for name in TERMINAL_TABLES {
        let Some(t) = report.table(name) else {
            continue;
        };
        if t.rows.is_empty() {
            continue;
        }
        writeln!(out, "\n{} ({} rows)", t.name, t.rows.len())?;
        let rows: Vec<Vec<String>> = t.text_rows().into_iter().take(top).collect();
        let mut widths: Vec<usize> = t.columns.iter().map(|c| c.len()).collect();
        for r in &rows {
            for (w, c) in widths.iter_mut().zip(r) {
                *w = (*w).max(c.chars().count().min(60));
            }
        }
        let line = |cells: Vec<String>| {
            cells
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(i, (c, w))| {
                    let c: String = c.chars().take(60).collect();
                    if i == 0 {
                        format!("{c:<w$}")
                    } else {
                        format!("{c:>w$}")
                    }
                })
                .collect::<Vec<_>>()
                .join("  ")
        };
        writeln!(
            out,
            "  {}",
            line(t.columns.iter().map(|c| c.to_string()).collect())
        )?;
        for r in rows {
            writeln!(out, "  {}", line(r))?;
        }
    }
    out.flush()
}

impl ReportSink for Terminal {
    fn write(self: Box<Self>, report: &Report) -> io::Result<()> {
        let stdout = io::stdout();
        render_terminal(report, self.top, io::BufWriter::new(stdout.lock()))
    }

    fn path(&self) -> Option<PathBuf> {
        None
    }
}
