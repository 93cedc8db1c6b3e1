//! Any bytes as lines of every preset and of a compiled format string: parsing and anonymising must not
//! panic, and every input line gives exactly one output line (W3C header state carried between lines).
#![no_main]

use libfuzzer_sys::fuzz_target;
use logveil::{Policy, rewrite_line_in};
use logveil::{Spec, Syntax};
use logveil::{Format, LineParser};

fuzz_target!(|data: &[u8]| {
    let policy = Policy::default();
    let mut parsers: Vec<LineParser> = Format::ALL.into_iter().map(LineParser::forced).collect();
    if let Ok(spec) = Spec::compile(
        r#"%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %{Cookie}i %D"#,
        Syntax::Apache,
    ) {
        parsers.push(LineParser::spec(spec));
    }
    // The first line may also be a format string to compile.
    if let Some(first) = data.split(|&b| b == b'\n').next() {
        if let Ok(s) = std::str::from_utf8(first) {
            let _ = Spec::compile(s, Syntax::Apache);
            let _ = Spec::compile(s, Syntax::Nginx);
        }
    }
    for parser in &parsers {
        let mut chunk = parser.chunk(None);
        for line in data.split(|&b| b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let mut out = Vec::new();
            rewrite_line_in(line, &mut chunk, &policy, &mut out);
            assert!(!out.contains(&b'\n'));
        }
    }
});
