//! `logveil check`: audit any text (logs, CSV, JSON, reports) for personal data left in it.
//!
//! Every input is cut into chunks at line boundaries and scanned on all cores with
//! [`privacy::detect`](crate::privacy::detect); findings come back in input order. Each finding is printed
//! as `FILE:LINE:COLUMN: KIND: MASKED`; the raw value is never printed.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::ops::ControlFlow;

use crate::error::Error;
use crate::input::{self, InputName};
use crate::pipeline;
use crate::privacy::detect::{self, Finding, Kind, Options};

/// Everything `check` needs, validated.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// Inputs in order; `Stdin` for `-` or none given.
    pub inputs: Vec<InputName>,
    /// What counts as personal data.
    pub options: Options,
    /// Print counts per kind instead of one line per finding.
    pub summary: bool,
    /// Worker threads.
    pub threads: usize,
    /// Only the first this many bytes of a longer line are checked (`--max-line-bytes`).
    pub max_line_bytes: usize,
}

/// What a run found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CheckReport {
    /// Lines read.
    pub lines: u64,
    /// Findings per kind.
    pub counts: BTreeMap<Kind, u64>,
    /// Lines longer than `--max-line-bytes`, checked only in part.
    pub too_long: u64,
}

impl CheckReport {
    /// Total findings.
    pub(crate) fn total(&self) -> u64 {
        self.counts.values().sum()
    }

    /// True when nothing was found and every line was checked whole.
    pub(crate) fn is_clean(&self) -> bool {
        self.total() == 0 && self.too_long == 0
    }
}

/// The findings of one chunk, with line numbers relative to the chunk.
struct CheckedChunk {
    lines: u64,
    findings: Vec<Finding>,
    /// Numbers (relative to the chunk) of the lines longer than the limit.
    too_long: Vec<u64>,
}

/// Scans one chunk: each line (without its `\r\n`), or the first `max_line` bytes of a longer one.
fn check_chunk(bytes: &[u8], options: &Options, max_line: usize) -> CheckedChunk {
    let mut findings = Vec::new();
    let mut too_long = Vec::new();
    let mut lines = 0;
    for line in input::lines::lines(bytes, max_line) {
        lines = line.no;
        let mut text = line.text;
        if line.overlong {
            too_long.push(line.no);
            text = &text[..max_line];
        }
        detect::line_findings(text, line.no, options, &mut findings);
    }
    CheckedChunk {
        lines,
        findings,
        too_long,
    }
}

/// Runs `check`, writing findings (or, with `summary`, counts) to `out`.
pub(crate) fn run(config: &Config, out: &mut dyn Write) -> Result<CheckReport, Error> {
    let pool = pipeline::pool(config.threads)?;
    let write_err = |source| Error::Write {
        output: None,
        source,
    };
    let mut report = CheckReport::default();
    for input in &config.inputs {
        check_input(input, config, &pool, out, &mut report)?;
    }
    if config.summary {
        write_summary(&report, out).map_err(write_err)?;
    }
    out.flush().map_err(write_err)?;
    Ok(report)
}

fn check_input(
    input: &InputName,
    config: &Config,
    pool: &rayon::ThreadPool,
    out: &mut dyn Write,
    report: &mut CheckReport,
) -> Result<(), Error> {
    let read_err = |source| Error::read(input, source);
    let source = input::open_limited(input, config.max_line_bytes).map_err(read_err)?;
    let options = &config.options;
    let name = input.to_string();
    let mut lines_before = 0u64;
    let mut write_failed = None;
    pipeline::run(
        source,
        pool,
        |bytes| check_chunk(bytes, options, config.max_line_bytes),
        |chunks: Vec<CheckedChunk>| {
            for chunk in chunks {
                for f in &chunk.findings {
                    *report.counts.entry(f.kind).or_default() += 1;
                    if !config.summary {
                        let line = lines_before + f.line;
                        let r =
                            writeln!(out, "{name}:{line}:{}: {}: {}", f.column, f.kind, f.masked);
                        if let Err(e) = r {
                            write_failed = Some(e);
                            return Ok(ControlFlow::Break(()));
                        }
                    }
                }
                for n in &chunk.too_long {
                    report.too_long += 1;
                    // On stderr, so that the findings on stdout keep their one shape.
                    eprintln!(
                        "logveil: {name}:{}: line longer than --max-line-bytes {}; only its first {} bytes were checked",
                        lines_before + n,
                        config.max_line_bytes,
                        config.max_line_bytes
                    );
                }
                lines_before += chunk.lines;
            }
            Ok(ControlFlow::Continue(()))
        },
    )
    .map_err(read_err)?;
    report.lines += lines_before;
    match write_failed {
        Some(source) => Err(Error::Write {
            output: None,
            source,
        }),
        None => Ok(()),
    }
}

/// One line per kind found (`ipv4: 12`), then the total.
fn write_summary(report: &CheckReport, out: &mut dyn Write) -> io::Result<()> {
    for kind in Kind::ALL {
        if let Some(n) = report.counts.get(&kind) {
            writeln!(out, "{kind}: {n}")?;
        }
    }
    if report.too_long > 0 {
        writeln!(out, "too_long: {} (checked in part)", report.too_long)?;
    }
    writeln!(out, "total: {} in {} lines", report.total(), report.lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_line_numbers_and_a_last_line_without_newline() {
        let c = check_chunk(b"clean\n\n1.2.3.4\nx a@b.com", &Options::default(), 1024);
        assert_eq!(c.lines, 4);
        let at: Vec<_> = c
            .findings
            .iter()
            .map(|f| (f.line, f.column, f.kind))
            .collect();
        assert_eq!(at, vec![(3, 1, Kind::Ipv4), (4, 3, Kind::Email)]);
    }

    #[test]
    fn a_crlf_log_has_the_findings_of_its_lf_self() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let lf = std::fs::read(root.join("samples/apache-combined-elastic.log")).unwrap();
        let crlf: Vec<u8> = lf
            .split_inclusive(|&b| b == b'\n')
            .flat_map(|l| match l.strip_suffix(b"\n") {
                Some(l) => [l, b"\r\n"].concat(),
                None => l.to_vec(),
            })
            .collect();
        assert!(crlf.len() > lf.len());
        let options = Options::default();
        // The first line is exactly at the limit: its `\r` must not make it too long.
        let max = lf.iter().position(|&b| b == b'\n').unwrap();
        let (a, b) = (
            check_chunk(&lf, &options, max),
            check_chunk(&crlf, &options, max),
        );
        assert!(!a.findings.is_empty());
        assert_eq!(
            (a.lines, &a.findings, &a.too_long),
            (b.lines, &b.findings, &b.too_long)
        );
    }

    #[test]
    fn summary_lists_kinds_in_order() {
        let mut report = CheckReport {
            lines: 3,
            ..CheckReport::default()
        };
        report.counts.insert(Kind::Email, 2);
        report.counts.insert(Kind::Ipv4, 1);
        let mut out = Vec::new();
        write_summary(&report, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "ipv4: 1\nemail: 2\ntotal: 3 in 3 lines\n"
        );
    }
}
