//! Any bytes as one log line: `anonymize` must not panic, must give one line, and must be idempotent on
//! its own output; `check` must not panic on either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logveil::anonymize::{Policy, rewrite_line};
use logveil::format::{Format, LineParser};
use logveil::privacy::detect::{Options, findings};

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
    assert_eq!(once, twice, "anonymize is not idempotent");
    let _ = findings(&line, &Options::default());
    let _ = findings(&once, &Options::default());
});
