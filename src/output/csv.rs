//! CSV through the `csv` crate: a header row, then the rows, columns in the documented order.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::ReportSink;
use crate::analyze::report::{Cell, Report, Table};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_then_rows_quoted_where_needed() {
        let t = Table {
            name: "pages",
            columns: &["path", "page_views", "rate"],
            rows: vec![
                vec![Cell::Text("/a,b".into()), Cell::Int(3), Cell::Float(0.5)],
                vec![
                    Cell::Text("/\"q\"".into()),
                    Cell::Int(1),
                    Cell::Float(1.0 / 3.0),
                ],
            ],
        };
        let mut out = Vec::new();
        write_csv(&t, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "path,page_views,rate\n\"/a,b\",3,0.50\n\"/\"\"q\"\"\",1,0.33\n"
        );
    }
}
