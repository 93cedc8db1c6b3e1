//! `anonymize` and `report` throughput on the realistic benchmark log (benches/common/realistic.rs): a
//! 20 MB `day` sample (seed 1) generated in memory at the start, every line new, so the caches and
//! tables see a live site's cardinality rather than a repeated sample's.
//!
//! `cargo bench --bench realistic` (`-- --quick` for a first look)

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use logveil::report::{Analyzer, Settings, Tables, VisitorKeyer, finish};
use logveil::{Format, LineParser, Policy, chunks, rewrite_line_in};

#[path = "common/realistic.rs"]
mod realistic;

/// The sample's size: big enough for thousands of visitors, small enough for a quick bench.
const SAMPLE_BYTES: u64 = 20_000_000;

fn bench(c: &mut Criterion) {
    let log = realistic::generate_vec(realistic::Profile::Day, SAMPLE_BYTES, 1);
    let parser = LineParser::detected(Format::Combined);

    let mut g = c.benchmark_group("realistic day 20 MB");
    g.throughput(Throughput::Bytes(log.len() as u64));
    g.sample_size(10);

    // The whole buffer through the library's rewrite, chunk by chunk as the pipeline cuts it (one thread).
    let policy = Policy::default();
    let mut out = Vec::with_capacity(log.len() * 2);
    g.bench_function("anonymize", |b| {
        b.iter(|| {
            out.clear();
            for chunk in chunks(&log) {
                let mut lines = parser.chunk(None);
                for line in chunk.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                    rewrite_line_in(black_box(line), &mut lines, &policy, &mut out);
                    out.push(b'\n');
                }
            }
            out.len()
        })
    });

    // `report`, one thread: analysing the chunks into partial tables and merging them, then the whole
    // report from the merged tables, sessionisation included.
    let analyzer = Analyzer::new(Settings::default(), VisitorKeyer::with_key([3; 32]));
    let analyze_merge = || {
        let mut total = Tables::default();
        for chunk in chunks(&log) {
            total.merge(analyzer.chunk(&mut parser.chunk(None), chunk));
        }
        total
    };
    g.bench_function("report: analyze+merge", |b| b.iter(analyze_merge));
    g.bench_function("report: whole", |b| {
        b.iter(|| finish(analyze_merge(), analyzer.settings()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
