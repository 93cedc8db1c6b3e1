//! Parse and anonymise throughput of every preset on real lines, per byte, and the compiled `LogFormat`
//! parser against the hand-written combined parser.
//!
//! Each preset reads its sample (or shared corpus) file, repeated to about 1 MiB so every preset is measured
//! on the same number of bytes. `cargo bench --bench formats`

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use logveil::anonymize::{Policy, rewrite_line_in};
use logveil::format::spec::{Spec, Syntax};
use logveil::format::{Format, LineParser, Parsed};

const TARGET_BYTES: usize = 1 << 20;

fn file(format: Format) -> &'static str {
    match format {
        Format::Combined | Format::Common | Format::Nginx => "samples/apache-combined-elastic.log",
        Format::VhostCommon => "../shared/corpus/vhost-common-matomo.log",
        Format::VhostCombined => "../shared/corpus/vhost-combined-big5-encoding-matomo.log",
        Format::NginxXff => "../shared/corpus/nginx-combined-xff-lnav-zanbil-shop.log",
        Format::Traefik => "samples/traefik-clf-beats.log",
        Format::W3c => "samples/w3c-iis85-lnav-big.log",
        Format::Cloudfront => "../shared/corpus/cloudfront-web-v33-ipv6-elastic-integrations.log",
        Format::Alb => "../shared/corpus/alb-matomo.log",
        Format::Elb => "../shared/corpus/elb-classic-matomo.log",
        Format::S3 => "../shared/corpus/s3-access-matomo.log",
        Format::Haproxy => "../shared/corpus/haproxy-matomo.log",
        Format::Caddy => "samples/caddy-json-lnav-mirror.log",
        Format::TraefikJson => "../shared/corpus/traefik-json-matomo.log",
        Format::NginxJson => "../shared/corpus/nginx-json-matomo.log",
    }
}

/// The file's lines, repeated to about [`TARGET_BYTES`]; a W3C header stays at the top.
fn load(path: &str) -> Vec<u8> {
    let raw = std::fs::read(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).expect(path);
    let mut raw = raw;
    if !raw.ends_with(b"\n") {
        raw.push(b'\n');
    }
    let mut data = Vec::with_capacity(TARGET_BYTES + raw.len());
    while data.len() < TARGET_BYTES {
        data.extend_from_slice(&raw);
    }
    data
}

fn lines(data: &[u8]) -> Vec<&[u8]> {
    data.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect()
}

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
