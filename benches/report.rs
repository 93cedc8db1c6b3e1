//! `report` throughput on a real log (samples/apache-combined-elastic.log), one thread: analysing the
//! lines into partial tables, merging partials, the whole report including sessionisation, and
//! sessionisation alone with its events in memory or spilled to disk.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use logveil::chunks;
use logveil::report::EventStore;
use logveil::report::Tables;
use logveil::report::VisitorKeyer;
use logveil::report::{Analyzer, Settings};
use logveil::report::{aggregate, aggregate_store, finish};
use logveil::{Format, LineParser};

fn bench(c: &mut Criterion) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples/apache-combined-elastic.log"
    );
    let log = std::fs::read(path).expect("samples/apache-combined-elastic.log");
    let analyzer = Analyzer::new(Settings::default(), VisitorKeyer::with_key([3; 32]));
    let parser = LineParser::detected(Format::Combined);
    let mut g = c.benchmark_group("report");
    g.throughput(Throughput::Bytes(log.len() as u64));
    g.bench_function("analyze", |b| {
        b.iter(|| analyzer.chunk(&mut parser.chunk(None), &log))
    });
    g.bench_function("analyze+merge", |b| {
        b.iter(|| {
            let mut total = Tables::default();
            for chunk in chunks(&log) {
                total.merge(analyzer.chunk(&mut parser.chunk(None), chunk));
            }
            total
        })
    });
    g.bench_function("report", |b| {
        b.iter(|| {
            finish(
                analyzer.chunk(&mut parser.chunk(None), &log),
                analyzer.settings(),
            )
        })
    });
    // Sessionising alone, with every event in memory and with them spilled in sorted runs of 100 events
    // (the sample has about 1,000 page views and downloads).
    let tables = analyzer.chunk(&mut parser.chunk(None), &log);
    g.bench_function("sessionise", |b| b.iter(|| aggregate(tables.clone(), 5)));
    let temp = std::env::temp_dir();
    g.bench_function("sessionise, spilled", |b| {
        b.iter(|| {
            let store = EventStore::spilling(&temp, 100).expect("a temporary file");
            aggregate_store(tables.clone(), store, 5, true).expect("the runs read back")
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
