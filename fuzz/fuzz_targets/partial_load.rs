//! Any bytes as a line of a partial report (`report --partial`, read by `merge`): loading must give a
//! partial or a one-line reason that quotes nothing of the input, and a partial that loads must merge
//! (with itself, under every `--overlap`) and render without a panic or an overflow.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logveil::report as sessions;
use logveil::report::{Overlap, Source, merge, parse_partial_line as parse_line};
use logveil::InputName;

fuzz_target!(|data: &[u8]| {
    let input = InputName::Stdin;
    let partial = match parse_line(&input, 1, data) {
        Ok(p) => p,
        Err(e) => {
            let message = e.to_string();
            assert!(!message.contains('\n'), "{message}");
            return;
        }
    };
    let one = Source {
        origin: "a:1".into(),
        partial: partial.clone(),
    };
    let two = Source {
        origin: "b:1".into(),
        partial,
    };
    for overlap in [Overlap::Error, Overlap::Latest, Overlap::Add] {
        if let Ok(agg) = merge(&[one.clone(), two.clone()], overlap) {
            let _ = sessions::render(&agg, 1);
            let _ = sessions::render(&agg, 5);
        }
    }
    if let Ok(agg) = merge(std::slice::from_ref(&one), Overlap::Error) {
        let _ = sessions::render(&agg, 2);
    }
});
