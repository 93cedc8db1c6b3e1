//! Any bytes as one log line: `anonymize` must not panic and must give one line; `check` must not panic.
//!
//! Idempotency is not asserted here; `tests/properties.rs` asserts it (proptest) over any bytes and over an
//! alphabet of escapes and separators. This target once found `::8::d` → `::::d` → `::::`; a line that
//! does not parse is now scrubbed until a further pass changes nothing, so that case holds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logveil::{Policy, rewrite_line};
use logveil::{Format, LineParser};
use logveil::check::{Options, findings};

fuzz_target!(|data: &[u8]| {
    let line: Vec<u8> = data
        .iter()
        .copied()
        .filter(|&b| b != b'\n' && b != b'\r')
        .collect();
    let parser = LineParser::detected(Format::Combined);
    let policy = Policy::default();
    let mut once = Vec::new();
    rewrite_line(&line, &parser, &policy, &mut once);
    assert!(!once.contains(&b'\n'));
    let mut twice = Vec::new();
    rewrite_line(&once, &parser, &policy, &mut twice);
    assert!(!twice.contains(&b'\n'));
    let _ = findings(&line, &Options::default());
    let _ = findings(&once, &Options::default());
});
