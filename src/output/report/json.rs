//! All tables in one JSON document with a schema version.

use std::io;
use std::path::{Path, PathBuf};

use super::ReportSink;
use crate::analyze::report::{Cell, Report, SCHEMA_VERSION};
use crate::output::file::{self, AtomicFile};

/// `--json FILE|-`: all tables in one JSON document:
/// `{"schema": "logveil-report", "version": 2, "tables": {"NAME": {"columns": [...], "rows": [[...]]}}}`.
pub(crate) struct Json {
    file: Option<AtomicFile>,
    path: Option<PathBuf>,
}

impl Json {
    /// JSON to `path` (replaced atomically), or to stdout for `None`.
    pub(crate) fn create(path: Option<&Path>) -> io::Result<Json> {
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
        file::write_document(self.file, |w| Ok(serde_json::to_writer_pretty(w, &value)?))
    }

    fn path(&self) -> Option<PathBuf> {
        self.path.clone()
    }
}
