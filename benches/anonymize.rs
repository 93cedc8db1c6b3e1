//! Parse and anonymise throughput on a real log (`samples/apache-combined-elastic.log`), per byte.
//!
//! `cargo bench --bench anonymize`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use logveil::{Format, LineParser};
use logveil::{Policy, rewrite_line};

fn sample() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples/apache-combined-elastic.log"
    ))
    .expect("samples/apache-combined-elastic.log")
}

fn bench(c: &mut Criterion) {
    let data = sample();
    let lines: Vec<&[u8]> = data
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let mut group = c.benchmark_group("combined");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.bench_function("parse", |b| {
        b.iter(|| {
            let mut parsed = 0usize;
            for line in &lines {
                parsed += usize::from(Format::Combined.parse(black_box(line)).is_some());
            }
            assert_eq!(parsed, lines.len());
            parsed
        })
    });
    let parser = LineParser::detected(Format::Combined);
    let policy = Policy::default();
    let mut out = Vec::with_capacity(data.len() * 2);
    group.bench_function("anonymize", |b| {
        b.iter(|| {
            out.clear();
            for line in &lines {
                rewrite_line(black_box(line), &parser, &policy, &mut out);
                out.push(b'\n');
            }
            out.len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
