//! A full IPv4 address or an email address planted in a fuzzed field of a log line (parsed or not) never
//! survives `anonymize`: whenever `check`'s detector finds the planted value in the input, the output does
//! not hold it between spaces, as it was planted.
//!
//! Input layout: byte 0 picks the field, byte 1 the kind of secret, bytes 2..6 the IPv4 octets, the rest
//! (split at 0xFF) fills the line's fields.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logveil::{Policy, rewrite_line};
use logveil::{Format, LineParser};
use logveil::check::{Kind, Options, findings};

const FIELDS: usize = 10;

fuzz_target!(|data: &[u8]| {
    if data.len() < 6 {
        return;
    }
    let at = usize::from(data[0]) % FIELDS;
    let email = data[1] & 1 == 1;
    // A full address: the last two octets not both zero, outside 240.0.0.0/4 (pseudonym range).
    let o = [data[2] % 240, data[3], data[4], data[5].max(1)];
    let secret = if email {
        format!("jo.{}{}@mail{}.example.org", o[1], o[2], o[3])
    } else {
        format!("{}.{}.{}.{}", o[0], o[1], o[2], o[3])
    };
    // Field contents: fuzzed bytes without line breaks, quotes or 0xFF (the separator).
    let mut parts = data[6..].split(|&b| b == 0xff).map(|p| {
        p.iter()
            .copied()
            .filter(|&b| !matches!(b, b'\n' | b'\r' | b'"'))
            .collect::<Vec<u8>>()
    });
    let mut fields: Vec<Vec<u8>> = (0..FIELDS).map(|_| parts.next().unwrap_or_default()).collect();
    // The secret stands between spaces inside its field, so it is a token of its own.
    fields[at].extend_from_slice(b" ");
    fields[at].extend_from_slice(secret.as_bytes());
    fields[at].extend_from_slice(b" ");
    let f = |i: usize| String::from_utf8_lossy(&fields[i]).into_owned();
    let line = format!(
        "{} {} {} [17/May/2015:10:05:03 +0000] \"GET /{}?{} HTTP/1.1\" 200 5 \"http://example.com/{}?{}\" \"{}\" \"{}\" {}",
        f(0),
        f(1),
        f(2),
        f(3),
        f(4),
        f(5),
        f(6),
        f(7),
        f(8),
        f(9)
    );
    let kind = if email { Kind::Email } else { Kind::Ipv4 };
    let opts = Options::default();
    if !findings(line.as_bytes(), &opts).iter().any(|x| x.kind == kind) {
        return;
    }
    let parser = LineParser::detected(Format::Combined);
    let mut out = Vec::new();
    rewrite_line(line.as_bytes(), &parser, &Policy::default(), &mut out);
    let out_text = String::from_utf8_lossy(&out);
    // The planted value stands between spaces, so it is an address wherever it is. The same bytes glued
    // to others elsewhere in the fuzzed fields (`-0.0.0.1l`) are not one and may stay.
    assert!(
        !out_text.contains(&format!(" {secret} ")),
        "planted {secret} survived\n in: {line}\nout: {out_text}"
    );
});
