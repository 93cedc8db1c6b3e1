//! A readable summary for terminals: the summary table and the top rows of the main tables.

use std::io::{self, Write};
use std::path::PathBuf;

use super::ReportSink;
use crate::analyze::report::Report;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::report::{Cell, Table};

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
