//! CSV through the `csv` crate: a header row, then the rows, columns in the documented order.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::ReportSink;
use crate::analyze::report::{Cell, Report, Table};
use crate::output::file;

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

/// `--csv DIR`: one `NAME.csv` per table. The files are written into a temporary directory beside `DIR`,
/// which then takes `DIR`'s place in one step ([`crate::output::file::replace_dir`]): a reader, or a run killed
/// half-way, never sees a half-written report, and a previous report is replaced only by a complete one.
pub(crate) struct CsvDir {
    dir: PathBuf,
    tmp: tempfile::TempDir,
}

impl CsvDir {
    /// Checks `dir` and creates the temporary directory beside it: fails now if the place is not writable,
    /// or if `dir` holds anything but a previous report (`*.csv` files), which replacing would delete.
    pub(crate) fn create(dir: &Path) -> io::Result<CsvDir> {
        if let Ok(meta) = fs::metadata(dir) {
            if !meta.is_dir() {
                return Err(io::Error::other("exists and is not a directory"));
            }
            for entry in fs::read_dir(dir)? {
                let entry = entry?;
                let name = entry.file_name().to_string_lossy().into_owned();
                let is_csv = name.ends_with(".csv") && entry.file_type()?.is_file();
                if !is_csv {
                    return Err(io::Error::other(format!(
                        "holds '{name}', which is not part of a logveil report; the directory is replaced \
                         as a whole, so give a new or empty one"
                    )));
                }
            }
        }
        let parent = file::parent_dir(dir);
        fs::create_dir_all(parent)?;
        file::sweep_stale(dir);
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = tempfile::Builder::new()
            .prefix(&file::temp_prefix(&name))
            .suffix(".tmp")
            .tempdir_in(parent)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let perms = match fs::metadata(dir) {
                Ok(meta) => meta.permissions(),
                Err(_) => fs::Permissions::from_mode(0o755),
            };
            fs::set_permissions(tmp.path(), perms)?;
        }
        Ok(CsvDir {
            dir: dir.to_path_buf(),
            tmp,
        })
    }
}

impl ReportSink for CsvDir {
    fn write(self: Box<Self>, report: &Report) -> io::Result<()> {
        for table in &report.tables {
            let path = self.tmp.path().join(format!("{}.csv", table.name));
            let file = fs::File::create(&path)?;
            write_csv(table, io::BufWriter::new(&file))?;
            file.sync_all()?;
        }
        fs::File::open(self.tmp.path())?.sync_all()?;
        file::replace_dir(self.tmp.path(), &self.dir)?;
        // The temporary path now holds the previous report (or nothing): dropping it removes it.
        drop(self.tmp);
        if let Ok(d) = fs::File::open(file::parent_dir(&self.dir)) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    fn path(&self) -> Option<PathBuf> {
        Some(self.dir.clone())
    }
}

/// `--table NAME`: one table as CSV on stdout.
pub(crate) struct CsvTable {
    /// The table name.
    pub name: String,
}

impl ReportSink for CsvTable {
    fn write(self: Box<Self>, report: &Report) -> io::Result<()> {
        let table = report
            .table(&self.name)
            .ok_or_else(|| {
                io::Error::other(format!(
                    "no table {} in this report (countries, regions and asn need partials made with --geoip, \
                     goals partials made with --goal-path)",
                    self.name
                ))
            })?;
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
