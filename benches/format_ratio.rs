//! Issue 3's bound as a ratio: how many times slower than the combined parser each preset parses, per
//! byte, with the two measured in turns so that a machine whose speed drifts (a shared VM) moves both.
//!
//! `cargo bench --bench format_ratio`. For each preset (and the compiled combined `LogFormat` string):
//! 31 rounds, each timing five passes of the combined parser over its 1 MiB and then five passes of the
//! preset over its 1 MiB (the inputs of `benches/formats.rs`); the ratio of each round is the preset's
//! time per byte over combined's, and the median round is printed with the best throughputs. A criterion
//! run measures one benchmark after the other, seconds apart, so its ratios carry the drift in between.

use std::hint::black_box;
use std::time::Instant;

use logveil::{Format, LineParser, Parsed};
use logveil::{Spec, Syntax};

#[path = "common/samples.rs"]
mod samples;
use samples::{file, lines, load};

const ROUNDS: usize = 31;
const PASSES: u32 = 5;

/// Parses every line `PASSES` times: seconds per byte.
fn time_per_byte(parse: &mut dyn FnMut(&[u8]) -> bool, lines: &[&[u8]], bytes: usize) -> f64 {
    let start = Instant::now();
    let mut parsed = 0usize;
    for _ in 0..PASSES {
        for line in lines {
            parsed += usize::from(parse(black_box(line)));
        }
    }
    black_box(parsed);
    start.elapsed().as_secs_f64() / (f64::from(PASSES) * bytes as f64)
}

fn gib_per_s(seconds_per_byte: f64) -> f64 {
    1.0 / seconds_per_byte / f64::from(1u32 << 30)
}

fn main() {
    let base_data = load(file(Format::Combined));
    let base_lines = lines(&base_data);
    let combined = LineParser::forced(Format::Combined);
    let spec = Spec::compile(Format::Combined.definition(), Syntax::Apache).expect("compiles");
    println!(
        "{:<22} {:>12} {:>12} {:>8} {:>8}",
        "preset", "GiB/s", "combined", "ratio", "bound"
    );
    let mut rows: Vec<(String, Option<Format>)> = Format::ALL
        .iter()
        .filter(|f| **f != Format::Combined)
        .map(|f| (f.name().to_string(), Some(*f)))
        .collect();
    rows.push(("log-format-combined".to_string(), None));
    rows.push(("log-format-strftime".to_string(), None));
    rows.push(("syslog-combined".to_string(), None));
    // The combined sample's lines behind a syslog prefix, read as `report` reads them (prefix taken off,
    // then the combined preset).
    let syslog_data: Vec<u8> = lines(&base_data)
        .iter()
        .flat_map(|l| [&b"Dec  6 23:00:01 web1 nginx[42]: "[..], l, b"\n"].concat())
        .collect();
    let behind = LineParser::forced(Format::Combined).with_prefix(Some(logveil::Prefix::Syslog));
    // Combined with its time as a strftime `%{…}t` (the same bytes as the combined sample).
    let strftime = Spec::compile(
        r#"%h %l %u [%{%d/%b/%Y:%H:%M:%S %z}t] "%r" %>s %b "%{Referer}i" "%{User-Agent}i""#,
        Syntax::Apache,
    )
    .expect("compiles");
    for (name, format) in rows {
        let data = if name == "syslog-combined" {
            syslog_data.clone()
        } else {
            load(file(format.unwrap_or(Format::Combined)))
        };
        let lines = lines(&data);
        let parser = match name.as_str() {
            "syslog-combined" => Some(behind.clone()),
            _ => format.map(LineParser::forced),
        };
        let spec = if name == "log-format-strftime" {
            &strftime
        } else {
            &spec
        };
        let (mut ratios, mut best, mut best_base) = (Vec::new(), f64::MAX, f64::MAX);
        for _ in 0..ROUNDS {
            let mut chunk = combined.chunk(None);
            let base = time_per_byte(
                &mut |l| matches!(chunk.parse(l), Parsed::Record(_)),
                &base_lines,
                base_data.len(),
            );
            let t = match &parser {
                Some(p) => {
                    let mut chunk = p.chunk(None);
                    time_per_byte(
                        &mut |l| matches!(chunk.parse(p.strip(l)), Parsed::Record(_)),
                        &lines,
                        data.len(),
                    )
                }
                None => time_per_byte(&mut |l| spec.parse(l).is_some(), &lines, data.len()),
            };
            ratios.push(t / base);
            best = best.min(t);
            best_base = best_base.min(base);
        }
        ratios.sort_by(f64::total_cmp);
        let bound = if format.is_some() || name != "log-format-combined" {
            2.0
        } else {
            1.3
        };
        println!(
            "{:<22} {:>12.2} {:>12.2} {:>8.2} {:>8.1}",
            name,
            gib_per_s(best),
            gib_per_s(best_base),
            ratios[ROUNDS / 2],
            bound
        );
    }
}
