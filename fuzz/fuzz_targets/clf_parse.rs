//! Any bytes as a CLF-family line and as the head of a file: parsing and format detection must not panic,
//! every field of a parsed record lies inside the line, no two overlap, and the fast CLF scanner accepts no
//! line the parser refuses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logveil::detect_format as detect;
use logveil::{Format, LineParser};

fuzz_target!(|data: &[u8]| {
    let d = detect(data);
    assert!(d.parsed <= d.sampled);
    let line = match memchr_line(data) {
        Some(l) => l,
        None => return,
    };
    for format in Format::ALL {
        // The fast scanner `report` tries first accepts no line the full parser refuses.
        if format.scan_clf(line).is_some() {
            assert!(
                LineParser::forced(format).parse(line).is_some(),
                "{format:?}: scan_clf accepts what parse refuses"
            );
        }
        for parser in [LineParser::forced(format), LineParser::detected(format)] {
            let Some(r) = parser.parse(line) else {
                continue;
            };
            assert_eq!(r.line, line);
            let mut spans: Vec<_> = [
                r.vhost,
                r.client,
                r.ident,
                r.authuser,
                r.time,
                r.request,
                r.status,
                r.bytes,
                r.referer,
                r.user_agent,
                // Formats with no trailing fields give an empty `extra` at 0.
                (r.extra.end > 0).then_some(r.extra),
            ]
            .into_iter()
            .flatten()
            .collect();
            // Field order differs between formats (HAProxy puts the request last): sorted by start, no
            // two fields overlap.
            spans.sort_by_key(|s| s.start);
            let mut end = 0;
            for s in spans {
                assert!(s.start as usize >= end, "{format:?}: fields overlap");
                assert!(s.start <= s.end && s.end as usize <= line.len());
                end = s.end as usize;
            }
        }
    }
});

/// The first line of `data`, without its terminator.
fn memchr_line(data: &[u8]) -> Option<&[u8]> {
    let end = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let line = &data[..end];
    Some(line.strip_suffix(b"\r").unwrap_or(line))
}
