//! The input of the format benchmarks: each preset's sample (or shared corpus) file, repeated to about
//! 1 MiB so every preset is measured on the same number of bytes.

use logveil::Format;

const TARGET_BYTES: usize = 1 << 20;

/// The file a preset is measured on (relative to the crate root).
pub fn file(format: Format) -> &'static str {
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
        Format::Gandi => "../shared/corpus/vhost-combined-gandi-matomo.log",
        Format::Ovh => "../shared/corpus/combined-ovh-matomo.log",
    }
}

/// The file's lines, repeated to about [`TARGET_BYTES`] (a W3C file's header lines repeat with them).
pub fn load(path: &str) -> Vec<u8> {
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

/// The lines of `data`, without terminators; empty lines left out.
pub fn lines(data: &[u8]) -> Vec<&[u8]> {
    data.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect()
}
