//! A readable summary for terminals: the summary table and the top rows of the main tables, as the
//! registry ([`crate::analyze::catalog::TABLES`]) says.

use std::io::{self, Write};
use std::path::PathBuf;

use super::ReportSink;
use crate::analyze::catalog;
use crate::analyze::report::{Report, Table};

/// A readable summary on a terminal: the summary and the top rows of the main tables.
pub(crate) struct Terminal {
    /// Rows shown per table.
    pub top: usize,
}

/// Renders the terminal view into `out`: each table as the registry says ([`catalog::TerminalView`]), in
/// report order.
pub(crate) fn render_terminal<W: Write>(report: &Report, top: usize, mut out: W) -> io::Result<()> {
    for t in &report.tables {
        match catalog::spec(t.name).map(|s| s.terminal) {
            Some(catalog::TerminalView::Metrics) => metrics(t, &mut out)?,
            Some(catalog::TerminalView::Top) if !t.rows.is_empty() => top_rows(t, top, &mut out)?,
            // `--compare previous`: not a catalog table, shown whole (its rows are already the top ones).
            None if t.name == "compare" => top_rows(t, t.rows.len(), &mut out)?,
            _ => {}
        }
    }
    out.flush()
}

/// A table of `metric, value` rows, fold counters that are 0 left out.
fn metrics<W: Write>(t: &Table, out: &mut W) -> io::Result<()> {
    writeln!(out, "{}", title(t.name))?;
    for row in t.text_rows() {
        let [metric, value, ..] = row.as_slice() else {
            continue;
        };
        if catalog::is_fold_counter(metric) && value == "0" {
            continue;
        }
        writeln!(out, "  {metric:<24} {value}")?;
    }
    Ok(())
}

/// The table name with a capital first letter.
fn title(name: &str) -> String {
    let mut c = name.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The header and the first `top` rows, columns aligned (cells cut at 60 characters).
fn top_rows<W: Write>(t: &Table, top: usize, out: &mut W) -> io::Result<()> {
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
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::report::Cell;

    #[test]
    fn shows_the_summary_and_top_rows() {
        let report = Report {
            tables: vec![
                Table {
                    name: "summary",
                    columns: &["metric", "value"],
                    rows: vec![
                        vec![Cell::Text("hits".into()), Cell::Int(12)],
                        vec![Cell::Text("folded_pages".into()), Cell::Int(0)],
                    ],
                },
                Table {
                    name: "pages",
                    columns: &["path", "page_views"],
                    rows: (0..5)
                        .map(|i| vec![Cell::Text(format!("/p{i}")), Cell::Int(10 - i)])
                        .collect(),
                },
            ],
        };
        let mut out = Vec::new();
        render_terminal(&report, 2, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("hits"), "{text}");
        assert!(!text.contains("folded_pages"), "{text}");
        assert!(text.contains("pages (5 rows)"), "{text}");
        assert!(text.contains("/p1") && !text.contains("/p2"), "{text}");
    }
}
