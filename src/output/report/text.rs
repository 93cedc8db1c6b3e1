//! `--text`, and the default on a terminal: a summary for people, never wider than the terminal
//! (`COLUMNS`, else the terminal's own width, else 80 columns): the range, the headline numbers in human
//! units, and the top rows of the main tables (those the registry shows,
//! [`crate::analyze::catalog::TerminalView::Top`]), headers in words, long paths cut with `…` in the middle.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use super::ReportSink;
use super::human::{self, shorten_middle, width, wrap};
use super::page::{self, Context, Page, Section};
use crate::analyze::report::{Cell, Report};

/// The narrowest summary written (a smaller `COLUMNS` is taken as this).
const MIN_WIDTH: usize = 40;
/// The widest: wider terminals get the same summary with more room for paths.
const MAX_WIDTH: usize = 120;

/// The text summary on stdout.
pub(crate) struct Text {
    /// Rows shown per table (`--top`).
    pub top: usize,
    /// What the command line says about the run.
    pub context: Context,
}

/// The width to write: `COLUMNS` when set, else the terminal's width when stdout is one, else 80; kept
/// between 40 and 120.
pub(crate) fn columns() -> usize {
    let given = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0);
    let terminal = || {
        io::stdout()
            .is_terminal()
            .then(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)))
            .flatten()
    };
    given
        .or_else(terminal)
        .unwrap_or(80)
        .clamp(MIN_WIDTH, MAX_WIDTH)
}

/// Renders the summary of `report`, `top` rows per table, at most `width` columns wide.
pub(crate) fn render_text<W: Write>(
    report: &Report,
    context: &Context,
    top: usize,
    width: usize,
    mut out: W,
) -> io::Result<()> {
    let page = Page::new(report, context);
    let heading = match page.range_label() {
        Some(r) => format!("{} · {r}", page.title),
        None => page.title.clone(),
    };
    writeln!(out, "{}", shorten_middle(&heading, width))?;
    if page.empty {
        for line in wrap(&page.empty_note(), width) {
            writeln!(out, "{line}")?;
        }
        return out.flush();
    }
    writeln!(out)?;
    headline(&page, width, &mut out)?;
    for s in page.sections.iter().filter(|s| s.in_text) {
        if s.table.rows.is_empty() {
            continue;
        }
        writeln!(out)?;
        table(s, top, width, page.min_visitors, &mut out)?;
    }
    out.flush()
}

/// The cards, two or three to a line, then the totals wrapped.
fn headline<W: Write>(page: &Page, width: usize, out: &mut W) -> io::Result<()> {
    let width_of = human::width;
    let cells: Vec<String> = page
        .cards()
        .iter()
        .map(|c| {
            let mut v = c.shown();
            if let Some(change) = c.change() {
                v = format!("{v} ({change})");
            }
            format!("{:<16}{v:>11}", c.label)
        })
        .collect();
    let per_line = ((width - 2) / 30).max(1);
    for line in cells.chunks(per_line) {
        let line = line.join("   ");
        writeln!(out, "  {}", line.trim_end())?;
    }
    // The totals, as many to a line as fit, never cut inside one.
    let mut line = String::new();
    for (label, value) in &page.totals {
        let item = shorten_middle(&format!("{value} {label}"), width - 2);
        if !line.is_empty() && 2 + width_of(&line) + 3 + width_of(&item) > width {
            writeln!(out, "  {line}")?;
            line.clear();
        }
        if !line.is_empty() {
            line.push_str(" · ");
        }
        line.push_str(&item);
    }
    if !line.is_empty() {
        writeln!(out, "  {line}")?;
    }
    Ok(())
}

/// One table: its title and row count, the header in words, the top rows; the key column takes what
/// the numbers leave, and number columns that do not fit are left out (minor ones always).
fn table<W: Write>(
    s: &Section,
    top: usize,
    max: usize,
    min_visitors: u64,
    out: &mut W,
) -> io::Result<()> {
    let t = s.table;
    let keys = page::key_columns(t);
    let rows: Vec<&Vec<Cell>> = t.rows.iter().take(top).collect();
    let key_of = |r: &Vec<Cell>| {
        r.iter()
            .take(keys)
            .map(Cell::render)
            .collect::<Vec<_>>()
            .join(" · ")
    };
    // Number columns with their widths, while they leave the key two fifths of the line.
    let key_min = (max * 2 / 5).max(16);
    let mut numbers: Vec<(usize, String, usize)> = Vec::new();
    let mut used = 2;
    for (i, col) in t.columns.iter().enumerate().skip(keys) {
        if page::is_minor(col) {
            continue;
        }
        let label = page::column_label(col);
        let w = rows
            .iter()
            .map(|r| width(&page::cell_text(col, &r[i])))
            .max()
            .unwrap_or(0)
            .max(width(&label));
        if used + w + 2 + key_min > max {
            break;
        }
        used += w + 2;
        numbers.push((i, label, w));
    }
    let key_w = max - used;
    let title = format!("{} ({} rows)", s.title, human::count(t.rows.len() as u64));
    writeln!(out, "{}", shorten_middle(&title, max))?;
    let key_label = t.columns[..keys]
        .iter()
        .map(|c| page::column_label(c))
        .collect::<Vec<_>>()
        .join(" · ");
    write!(out, "  {}", pad(&shorten_middle(&key_label, key_w), key_w))?;
    for (_, label, w) in &numbers {
        write!(out, "  {}", pad_left(label, *w))?;
    }
    writeln!(out)?;
    for r in rows {
        let line_key = shorten_middle(&key_of(r), key_w);
        let mut line = format!("  {}", pad(&line_key, key_w));
        for (i, _, w) in &numbers {
            line.push_str("  ");
            line.push_str(&pad_left(&page::cell_text(t.columns[*i], &r[*i]), *w));
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    if let Some(note) = s.fold_note(min_visitors) {
        for line in wrap(&note, max - 2) {
            writeln!(out, "  {line}")?;
        }
    }
    Ok(())
}

/// `s` padded with spaces to `w` columns.
fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

/// `s` right-aligned in `w` columns.
fn pad_left(s: &str, w: usize) -> String {
    format!("{}{s}", " ".repeat(w.saturating_sub(width(s))))
}

impl ReportSink for Text {
    fn write(self: Box<Self>, report: &Report) -> io::Result<()> {
        let stdout = io::stdout();
        render_text(
            report,
            &self.context,
            self.top,
            columns(),
            io::BufWriter::new(stdout.lock()),
        )
    }

    fn path(&self) -> Option<PathBuf> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::report::Table;

    fn report() -> Report {
        Report {
            tables: vec![
                page::summary_table(&[
                    ("hits", Cell::Int(12_345)),
                    ("bytes", Cell::Int(2_747_282_740)),
                    ("bounce_rate", Cell::Float(0.77)),
                    ("first_day", Cell::Text("2026-11-20".into())),
                    ("last_day", Cell::Text("2026-11-22".into())),
                    ("folded_pages", Cell::Int(4)),
                    ("min_visitors", Cell::Int(5)),
                ]),
                Table {
                    name: "pages",
                    columns: crate::analyze::catalog::spec("pages").unwrap().columns,
                    rows: (0..15)
                        .map(|i| {
                            vec![
                                Cell::Text(format!(
                                    "/blog/{i}/a-very-long-article-name-that-goes-on-and-on/index.html"
                                )),
                                Cell::Int(1000 - i),
                                Cell::Int(9),
                                Cell::Int(3),
                                Cell::Int(2),
                                Cell::Float(0.5),
                                Cell::Float(192.0),
                                Cell::Int(4),
                            ]
                        })
                        .collect(),
                },
            ],
        }
    }

    #[test]
    fn fits_the_width_in_human_units_with_the_top_rows() {
        for w in [40, 80, 120] {
            let mut out = Vec::new();
            render_text(&report(), &Context::default(), 10, w, &mut out).unwrap();
            let text = String::from_utf8(out).unwrap();
            for line in text.lines() {
                assert!(width(line) <= w, "{w}: {line:?}");
            }
            assert!(text.contains("2026-11-20 – 2026-11-22"), "{text}");
            assert!(text.contains("2.7 GB sent"), "{text}");
            assert!(text.contains("77 %"), "{text}");
            assert!(text.contains("Top pages (15 rows)"), "{text}");
            assert!(text.contains("Page views"), "{text}");
            assert!(
                text.contains("/blog/9/") && !text.contains("/blog/10/"),
                "{text}"
            );
            // Long paths are cut in the middle where the line is too narrow for them.
            assert_eq!(text.contains('…'), w < 120, "{text}");
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(flat.contains("4 rows seen by fewer than 5"), "{text}");
        }
    }

    #[test]
    fn an_empty_range_says_so() {
        let report = Report {
            tables: vec![page::summary_table(&[
                ("lines", Cell::Int(21)),
                ("excluded_before_since", Cell::Int(21)),
            ])],
        };
        let context = Context {
            since: Some("2030-01-01".into()),
            until: Some("2030-01-02".into()),
            ..Context::default()
        };
        let mut out = Vec::new();
        render_text(&report, &context, 10, 80, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("No hits between 2030-01-01 and 2030-01-02. 21 lines read, 21 of them"),
            "{text}"
        );
        assert!(!text.contains("Visits"), "{text}");
    }
}
