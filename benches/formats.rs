//! Parse and anonymise throughput of every preset on real lines, per byte, and the compiled `LogFormat`
//! parser against the hand-written combined parser.
//!
//! Each preset reads its sample (or shared corpus) file, repeated to about 1 MiB so every preset is measured
//! on the same number of bytes. `cargo bench --bench formats`

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use logveil::{Format, LineParser, Parsed};
use logveil::{Policy, rewrite_line_in};
use logveil::{Spec, Syntax};

#[path = "common/samples.rs"]
mod samples;
use samples::{file, lines, load};

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("formats");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2));
    let policy = Policy::default();
    for format in Format::ALL {
        let data = load(file(format));
        let lines = lines(&data);
        group.throughput(Throughput::Bytes(data.len() as u64));
        let parser = LineParser::forced(format);
        group.bench_function(format!("parse/{}", format.name()), |b| {
            b.iter(|| {
                let mut chunk = parser.chunk(None);
                let mut parsed = 0usize;
                for line in &lines {
                    parsed +=
                        usize::from(matches!(chunk.parse(black_box(line)), Parsed::Record(_)));
                }
                parsed
            })
        });
        let mut out = Vec::with_capacity(data.len() * 2);
        group.bench_function(format!("anonymize/{}", format.name()), |b| {
            b.iter(|| {
                out.clear();
                let mut chunk = parser.chunk(None);
                for line in &lines {
                    rewrite_line_in(black_box(line), &mut chunk, &policy, &mut out);
                    out.push(b'\n');
                }
                out.len()
            })
        });
    }
    // The compiled LogFormat for combined against the hand-written combined parser, same bytes.
    let data = load(file(Format::Combined));
    let lines = lines(&data);
    group.throughput(Throughput::Bytes(data.len() as u64));
    let spec = Spec::compile(Format::Combined.definition(), Syntax::Apache).expect("compiles");
    group.bench_function("parse/log-format-combined", |b| {
        b.iter(|| {
            let mut parsed = 0usize;
            for line in &lines {
                parsed += usize::from(spec.parse(black_box(line)).is_some());
            }
            assert_eq!(parsed, lines.len());
            parsed
        })
    });
    let parser = LineParser::spec(spec.clone());
    let mut out = Vec::with_capacity(data.len() * 2);
    group.bench_function("anonymize/log-format-combined", |b| {
        b.iter(|| {
            out.clear();
            let mut chunk = parser.chunk(None);
            for line in &lines {
                rewrite_line_in(black_box(line), &mut chunk, &policy, &mut out);
                out.push(b'\n');
            }
            out.len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
